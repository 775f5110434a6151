"""The lecture runner: `list`, refusals before anything runs, failing cells reported, and a smoke run
of lesson 01 with its executed notebook, HTML copy and summary."""

import json
import math
import os
import pathlib
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from gan_lessons import profiles, runner

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


def _main(argv) -> int:
    """runner.main's exit status, also when argparse exits."""
    try:
        return runner.main([str(a) for a in argv])
    except SystemExit as exit_:
        return exit_.code


def _write_lesson(directory: pathlib.Path, name: str, *sources: str) -> pathlib.Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell('profile = "lecture"  # smoke | lecture | full\nsize = 3')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters] + [nbformat.v4.new_code_cell(source) for source in sources]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    nbformat.write(notebook, path)
    return path


def test_list_prints_every_lesson_with_its_parameters_and_defaults(capsys):
    assert runner.main(["list"]) == 0
    out = capsys.readouterr().out
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        assert f"{path.name[:2]}  {path.stem[3:].replace('_', ' ')}" in out, f"{path.name} not listed"
    for lesson in runner.lessons().values():
        for name, (default, _) in lesson.parameters.items():
            assert f"{name} = {default!r}" in out, f"lesson {lesson.key}: {name} missing from the list"
    for line in ("profile = 'lecture'", "seed = 0", "hidden = [128, 128]", "learning_rate = 0.0005",
                 "steps = None", "profiles: smoke, lecture, full"):
        assert line in out  # lesson 01's parameters as a reader sees them


def test_list_reads_another_notebooks_folder(tmp_path, capsys):
    _write_lesson(tmp_path, "07_tiny_demo.ipynb", "x = size")
    assert runner.main(["list", "--notebooks", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "07  tiny demo" in out and "size = 3" in out and "01  toy gan" not in out


@pytest.mark.parametrize("arguments, message", [
    (["01", "-p", "nope=1"], "lesson 01 has no parameter 'nope'"),
    (["01", "-p", "seed=zero"], "seed takes int values"),
    (["01", "-p", "hidden=3"], "hidden takes list values"),
    (["01", "-p", "learning_rate=fast"], "learning_rate takes float values"),
    (["01", "-p", "seed=True"], "seed takes int values"),
    (["01", "-p", "seed"], "parameters are NAME=VALUE"),
    (["01", "-p", "profile=huge"], "profile must be one of"),
    (["01", "--profile", "huge"], "invalid choice: 'huge'"),
    (["99"], "unknown lesson"),
])
def test_bad_requests_exit_2_before_running_anything(arguments, message, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(runner, "run_lesson", lambda *a, **k: pytest.fail("a lesson ran"))
    out = tmp_path / "out"
    assert _main(["run", *arguments, "--out", out]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists(), "nothing may be written for a refused request"


def test_command_line_refuses_with_status_2(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "gan_lessons", "run", "01", "-p", "hidden=3", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "error: hidden takes list values like [128, 128], got '3'" in done.stderr
    assert not out.exists()


def test_an_empty_notebooks_folder_is_refused(tmp_path, capsys):
    assert _main(["run", "--notebooks", tmp_path, "--out", tmp_path / "out"]) == 2
    assert "no lessons" in capsys.readouterr().err


def test_record_keeps_numpy_numbers_as_numbers(tmp_path, monkeypatch):
    monkeypatch.delenv(runner.RECORD_ENV, raising=False)
    runner.record(ignored=1.0)  # outside the runner: does nothing
    target = tmp_path / "metrics.json"
    monkeypatch.setenv(runner.RECORD_ENV, str(target))
    runner.record(a=np.float32(1.5), b=np.int64(3), c=0.1234567891, d="mode collapse")
    runner.record(e=2)
    expected = {"a": 1.5, "b": 3.0, "c": 0.123457, "d": "mode collapse", "e": 2.0}
    assert json.loads(target.read_text()) == expected


def test_failing_cells_are_reported_with_lesson_cell_and_error(tmp_path, capsys):
    lessons_dir, out = tmp_path / "lessons", tmp_path / "out"
    _write_lesson(lessons_dir, "01_raises.ipynb", "x = size * 2",
                  "raise ValueError(f'deliberate failure at {x}')", "print('never reached')")
    # -p profile=... is the same as --profile: it names the outputs and the summary's profile
    status = _main(["run", "--notebooks", lessons_dir, "-p", "profile=smoke", "--out", out, "--no-progress"])
    printed = capsys.readouterr().out
    assert status == 1

    executed = nbformat.read(out / "01_raises.smoke.ipynb", as_version=4)
    failing = next(c for c in executed.cells if any(o.output_type == "error" for o in c.get("outputs", [])))
    expected = f"cell {failing.execution_count}: ValueError: deliberate failure at 6"
    [row] = json.loads((out / "summary.json").read_text())
    assert (row["lesson"], row["profile"], row["status"], row["error"]) == ("01", "smoke", "failed", expected)
    assert "== lesson 01 (raises), profile smoke" in printed and expected in printed
    assert f"| 01 | smoke | failed ({expected})" in (out / "summary.md").read_text()
    assert "never reached" not in json.dumps(executed.cells[-1].get("outputs", []))


def test_other_execution_failures_are_reported_too(tmp_path, monkeypatch):
    import papermill

    def dies(*args, **kwargs):
        raise RuntimeError("Kernel died")  # what nbclient's DeadKernelError says, without a real kernel

    monkeypatch.setattr(papermill, "execute_notebook", dies)
    monkeypatch.setenv(runner.RECORD_ENV, "")  # _execute sets these; monkeypatch restores them
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    result = runner._execute("in.ipynb", str(tmp_path / "out.ipynb"), {}, str(tmp_path / "m.json"), False)
    assert result["error"] == "RuntimeError: Kernel died"


def test_the_kernel_imports_the_runners_own_package_not_another_copy(tmp_path, monkeypatch):
    other = tmp_path / "elsewhere" / "gan_lessons"  # as an install of another checkout would be
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(other.parent))
    lessons_dir, out = tmp_path / "lessons", tmp_path / "out"
    _write_lesson(lessons_dir, "01_which.ipynb", "import gan_lessons\nprint(gan_lessons.__file__)")
    status = _main(["run", "--notebooks", lessons_dir, "--profile", "smoke", "--out", out, "--no-progress"])
    assert status == 0
    executed = nbformat.read(out / "01_which.smoke.ipynb", as_version=4)
    printed = executed.cells[-1].outputs[0]["text"].strip()
    assert pathlib.Path(printed).resolve() == pathlib.Path(runner.__file__).resolve().with_name("__init__.py")


def test_smoke_run_of_lesson_01_writes_notebook_html_and_summary(tmp_path, capfd):
    out = tmp_path / "lectures"
    assert runner.main(["run", "01", "--profile", "smoke", "--out", str(out), "--no-progress"]) == 0
    captured = capfd.readouterr()  # the runner's and its children's (kernel's) output
    printed = captured.out
    lines = (captured.out + captured.err).splitlines()
    noisy = [line for line in lines if runner.TENSORFLOW_NOISE.fullmatch(line)]
    assert not noisy, f"TensorFlow's start-up log in the runner's output: {noisy}"
    notebook, html = out / "01_toy_gan.smoke.ipynb", out / "01_toy_gan.smoke.html"
    assert notebook.exists() and html.exists() and (out / "summary.md").exists()
    executed = nbformat.read(notebook, as_version=4)
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'profile = "smoke"' in injected.source
    assert "<html" in html.read_text()[:2000].lower()
    # the handout keeps the dashboard as the lecture left it: its last frame and final status line
    def is_status(output) -> bool:
        return "gan-lessons-status" in output.get("data", {}).get("text/html", "")

    [board] = [c for c in executed.cells if any(is_status(o) for o in c.get("outputs", []))]
    [status] = [o.data["text/plain"] for o in board.outputs if is_status(o)]
    [figure] = [o.data["image/png"] for o in board.outputs if "image/png" in o.get("data", {})]
    assert status.startswith(f"step {profiles.settings('01', 'smoke')['steps']:,} · "), status
    assert len(figure) > 10_000
    page = html.read_text()
    assert status.splitlines()[-1].split(" · ")[0] in page and figure[:200] in page

    [row] = json.loads((out / "summary.json").read_text())
    assert (row["lesson"], row["profile"], row["status"], row["error"]) == ("01", "smoke", "ok", "")
    assert row["wall_seconds"] > 0 and row["peak_memory_mb"] > 0
    assert row["notebook"] == str(notebook) and row["html"] == str(html)
    metrics = row["metrics"]
    assert set(metrics) >= {"w1_over_floor_worst", "median_residual", "toward_fraction"}
    assert all(isinstance(v, float) and math.isfinite(v) for v in metrics.values()), metrics
    assert metrics["w1_over_floor_worst"] > 0 and 0 <= metrics["toward_fraction"] <= 1

    table = (out / "summary.md").read_text()
    assert "| 01 | smoke | ok |" in table and "w1_over_floor_worst = " in table
    assert "ok in" in printed and "summary.md" in printed


def test_the_executor_still_validates_notebooks_without_jsonschemas_iri_checker():
    """The executor and the HTML export start with rfc3987_syntax hidden (it builds a parser as it
    is imported: seconds of every lesson's run); nbformat must still accept a lesson and refuse a
    broken notebook in such a process, and the checker must not have been loaded."""
    code = runner.WITHOUT_IRI_CHECKER + (
        "import nbformat\n"
        "lesson = nbformat.read(sys.argv[1], as_version=4)\n"
        "nbformat.validate(lesson)\n"
        "del lesson.cells[0]['source']\n"
        "try:\n"
        "    nbformat.validate(lesson)\n"
        "except nbformat.ValidationError:\n"
        "    print('refused', sys.modules['rfc3987_syntax'])\n")
    lesson = runner.NOTEBOOKS / "07_wasserstein_gan.ipynb"
    done = subprocess.run([sys.executable, "-c", code, str(lesson)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "refused None"


def test_summary_flags_a_lesson_over_binders_memory():
    def outcome(lesson, peak_mb):
        return runner.Outcome(lesson, "lecture", "ok", 12.0, peak_mb, {"score": 1.5})

    table = runner.summary_markdown([outcome("01", 859.4), outcome("04", 2300.0)])
    row_01, row_04 = table.splitlines()[2:4]
    assert "| 859 MB |" in row_01 and "over Binder" not in row_01
    assert "| 2,300 MB (over Binder's 2 GB) |" in row_04


def test_the_kernel_client_waits_for_a_reply_in_slices_so_a_missed_wake_up_costs_a_slice_not_the_limit(
        monkeypatch):
    import asyncio
    from queue import Empty

    monkeypatch.setattr(runner, "WAIT_SLICE", 0.01)  # seconds; 1.0 in use
    client = runner.kernel_manager_class()(kernel_name="python3").client()
    channel = client.shell_channel_class.__new__(client.shell_channel_class)  # no socket opened

    class Socket:  # the reply is queued, but the first polls miss its wake-up and sleep to their end
        def __init__(self, misses):
            self.misses, self.timeouts = misses, []

        async def poll(self, timeout_ms):
            self.timeouts.append(timeout_ms)
            if len(self.timeouts) <= self.misses:
                await asyncio.sleep(min(timeout_ms, 50) / 1000)  # (an unsliced wait fails fast here)
                return 0
            return 1

    async def recv():
        return {"msg_type": "execute_reply"}

    channel.socket, channel._recv = Socket(misses=2), recv
    assert asyncio.run(channel.get_msg(timeout=600)) == {"msg_type": "execute_reply"}
    assert channel.socket.timeouts == [10, 10, 10]  # three slices, not one poll of 600,000 ms
    channel.socket = Socket(misses=1000)
    with pytest.raises(Empty):  # a reply that never comes still ends at the time limit
        asyncio.run(channel.get_msg(timeout=0.1))
    assert 9 <= len(channel.socket.timeouts) <= 11 and max(channel.socket.timeouts) == 10
    for name in ("shell", "iopub", "stdin", "control"):
        assert getattr(client, f"{name}_channel_class") is client.shell_channel_class


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets: POSIX only (elsewhere jupyter_client's TCP)")
def test_kernels_talk_over_unix_sockets_each_under_its_own_path():
    managers = [runner.kernel_manager_class()(kernel_name="python3") for _ in range(2)]
    assert [m.transport for m in managers] == ["ipc", "ipc"]
    assert managers[0].ip != managers[1].ip  # two kernels started at once cannot share a socket
    assert all(len(f"{m.ip}-5") < 100 for m in managers)  # Unix socket paths stop at 107 bytes
    from jupyter_client.manager import AsyncKernelManager, KernelManager

    synchronous = runner.kernel_manager_class(asynchronous=False)
    assert issubclass(synchronous, KernelManager) and not issubclass(synchronous, AsyncKernelManager)
    assert synchronous(kernel_name="python3").transport == "ipc"  # what nbval's kernels get (conftest)
