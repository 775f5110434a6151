"""Every lesson runs end to end under its smoke profile, and no notebook carries stray outputs."""

import ast
import json
import pathlib
import time

import nbformat
import papermill
import pytest

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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_under_smoke_profile(path, tmp_path):
    out = tmp_path / path.name
    start = time.perf_counter()
    papermill.execute_notebook(str(path), str(out), parameters={"profile": "smoke"},
                               cwd=str(path.parent), progress_bar=False, kernel_name="python3")
    elapsed = time.perf_counter() - start
    executed = json.loads(out.read_text())
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    print(f"{path.name}: smoke profile ran in {elapsed:.1f} s")
