"""Every lesson runs end to end under its smoke profile, without TensorFlow's start-up log or
retracing warnings in its outputs and with each dashboard's last frame kept; no notebook carries
stray outputs."""

import ast
import json
import pathlib
import re
import time

import nbformat
import papermill
import pytest

from gan_lessons import runner

NOTEBOOKS = sorted((pathlib.Path(__file__).parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHECKED = "# NBVAL_CHECK_OUTPUT"


def _is_checked(cell) -> bool:
    return "".join(cell.get("source", "")).lstrip().startswith(CHECKED)


def test_there_are_lessons():
    assert NOTEBOOKS, "no notebooks found under notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_structure(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
    assert 'profile = "lecture"' in tagged[0].source, f"{path.name}: parameters must default to lecture"
    stray = [i for i, c in enumerate(notebook.cells)
             if c.cell_type == "code" and c.get("outputs") and not _is_checked(c)]
    assert not stray, f"{path.name}: cells {stray} carry committed outputs; clear them"
    unexecuted_counts = [i for i, c in enumerate(notebook.cells)
                         if c.cell_type == "code" and c.get("execution_count") and not _is_checked(c)]
    assert not unexecuted_counts, f"{path.name}: cells {unexecuted_counts} carry execution counts"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_is_readable_by_papermill(path):
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assigned = [line.split("=")[0].strip() for line in cell.source.splitlines()
                if line.strip() and not line.startswith((" ", "#"))]
    parsed = papermill.inspect_notebook(str(path))
    assert list(parsed) == assigned, "papermill could not parse some parameter lines (an '=' in a comment?)"
    for parameter in parsed.values():
        ast.literal_eval(parameter["default"])  # defaults are literals: the runner can type-check them


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value or ""


def _dashboard_frames(executed: dict) -> list[tuple[int, str, bool]]:
    """(cell index, final status line, whether the cell keeps a figure) of each cell that shows a
    dashboard's status line (dashboard.Dashboard.show)."""
    frames = []
    for index, cell in enumerate(executed["cells"]):
        outputs = cell.get("outputs", [])
        statuses = [_text(o["data"].get("text/plain")) for o in outputs
                    if "gan-lessons-status" in _text(o.get("data", {}).get("text/html"))]
        if statuses:
            frames.append((index, statuses[-1], any("image/png" in o.get("data", {}) for o in outputs)))
    return frames


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_under_smoke_profile(path, tmp_path, monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)  # as on a student's machine
    out = tmp_path / path.name
    start = time.perf_counter()
    papermill.execute_notebook(str(path), str(out), parameters={"profile": "smoke"},
                               cwd=str(path.parent), progress_bar=False, kernel_name="python3",
                               kernel_manager_class=runner.kernel_manager_class(),
                               execution_timeout=600)  # seconds per cell: a hung kernel fails, not hangs
    elapsed = time.perf_counter() - start
    executed = json.loads(out.read_text())
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    stderr = [_text(o.get("text")) for c in executed["cells"] for o in c.get("outputs", [])
              if o.get("name") == "stderr"]
    noisy = [text[:200] for text in stderr if runner.drop_tensorflow_noise(text) != text]
    assert not noisy, (f"TensorFlow's start-up log shows in {path.name}: {noisy}; call "
                       "runner.quiet_tensorflow() first in its Setup cell")
    retracing = [text[:300] for text in stderr if "triggered tf.function retracing" in text]
    assert not retracing, f"TensorFlow's retracing warning shows in {path.name}: {retracing}"
    for index, status, has_figure in _dashboard_frames(executed):  # what a handout keeps
        assert has_figure, f"{path.name} cell {index}: the dashboard's figure is not kept"
        assert re.match(r"step [\d,]+ ", status.splitlines()[-1]) and not re.search(
                r"training [\d,]+ / [\d,]+ steps", status), (
            f"{path.name} cell {index}: the status line kept is not a final one: {status!r}")
    print(f"{path.name}: smoke profile ran in {elapsed:.1f} s")
