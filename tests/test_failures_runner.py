"""The lecture runner under failure: nothing hangs (cell time-outs), nothing is lost (Ctrl-C writes
the summary), nothing is silent (bad -p values, bad --out, broken notebooks, a dead kernel).

Executing tests use tiny synthetic notebooks; the refusals read the course's parameters cells only."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from gan_lessons import runner

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _main(argv) -> int:
    """runner.main's exit status, also when argparse exits."""
    try:
        return runner.main([str(a) for a in argv])
    except SystemExit as exit_:
        return exit_.code


def _lesson(directory: pathlib.Path, name: str, *sources: str, parameters="size = 3") -> pathlib.Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(f'profile = "lecture"  # smoke | lecture | full\n{parameters}')
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell] + [nbformat.v4.new_code_cell(source) for source in sources]
    directory.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, directory / name)
    return directory / name


def _no_lesson_may_run(monkeypatch):
    monkeypatch.setattr(runner, "run_lesson", lambda *a, **k: pytest.fail("a lesson ran"))


def _summary(out: pathlib.Path) -> list[dict]:
    return json.loads((out / "summary.json").read_text())


# ---- A3: a cell that never ends -----------------------------------------------------------------
def test_a_cell_that_never_ends_fails_the_lesson_naming_the_cell(tmp_path, capsys):
    lessons_dir, out = tmp_path / "lessons", tmp_path / "out"
    _lesson(lessons_dir, "01_forever.ipynb", "x = size", "import time\ntime.sleep(3600)", "print('after')")
    start = time.perf_counter()
    status = _main(["run", "--notebooks", lessons_dir, "--cell-timeout", 3, "--out", out, "--no-progress"])
    assert time.perf_counter() - start < 90
    assert status == 1
    # cell 1 is the parameters cell, 2 papermill's injected parameters, 3 `x = size`, 4 the sleep
    expected = "lesson 01 cell 4 ran past 3 s; raise --cell-timeout"
    [row] = _summary(out)
    assert row["status"] == "failed" and row["error"].startswith(expected), row["error"]
    assert expected in capsys.readouterr().out and expected in (out / "summary.md").read_text()


def test_each_profile_has_a_generous_default_cell_timeout_and_the_flag_overrides_it(tmp_path, monkeypatch):
    lessons_dir = tmp_path / "lessons"
    _lesson(lessons_dir, "01_a.ipynb", "x = size")
    _lesson(lessons_dir, "02_b.ipynb", "x = size")
    given = []

    def run_lesson(lesson, profile, *args, cell_timeout=None, **kwargs):
        given.append((lesson.key, profile, cell_timeout))
        return runner.Outcome(lesson.key, profile, "ok", 1, 1, {})

    monkeypatch.setattr(runner, "run_lesson", run_lesson)
    for i, extra in enumerate([["01"], ["02", "-p", "profile=smoke"], ["01", "--profile", "full"],
                               ["01", "--cell-timeout", "42"]]):
        assert _main(["run", *extra, "--notebooks", lessons_dir, "--out", tmp_path / f"out{i}"]) == 0
    assert given == [("01", "lecture", 1200), ("02", "smoke", 300), ("01", "full", 7200),
                     ("01", "lecture", 42)]


@pytest.mark.parametrize("seconds", ["0", "-5", "soon", "1.5"])
def test_a_cell_timeout_must_be_a_positive_number_of_seconds(seconds, tmp_path, capsys, monkeypatch):
    _no_lesson_may_run(monkeypatch)
    assert _main(["run", "01", "--cell-timeout", seconds, "--out", tmp_path / "out"]) == 2
    assert "must be a positive whole number of seconds" in capsys.readouterr().err


# ---- A10: a kernel that dies ----------------------------------------------------------------------
def test_a_kernel_that_dies_fails_the_lesson_naming_the_running_cell(tmp_path, capsys):
    lessons_dir, out = tmp_path / "lessons", tmp_path / "out"
    _lesson(lessons_dir, "01_dies.ipynb", "x = size", "import os\nos._exit(1)", "print('after')")
    assert _main(["run", "--notebooks", lessons_dir, "--out", out, "--no-progress"]) == 1
    [row] = _summary(out)
    assert row["status"] == "failed"
    assert row["error"].startswith("lesson 01 cell 4: the kernel died while it ran"), row["error"]
    assert "out of memory" in row["error"] and "lesson 01 cell 4: the kernel died" in capsys.readouterr().out


# ---- B4: Ctrl-C keeps what finished -----------------------------------------------------------------
def test_ctrl_c_writes_the_summary_of_what_finished_and_exits_130(tmp_path, monkeypatch, capsys):
    lessons_dir, out = tmp_path / "lessons", tmp_path / "out"
    for name in ("01_a.ipynb", "02_b.ipynb", "03_c.ipynb"):
        _lesson(lessons_dir, name, "x = size")

    def run_lesson(lesson, profile, *args, **kwargs):
        if lesson.key == "01":
            return runner.Outcome("01", profile, "ok", 3.0, 100.0, {"score": 1.0})
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_lesson", run_lesson)
    try:
        status = _main(["run", "--notebooks", lessons_dir, "--out", out])
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped the runner: no summary was written")
    assert status == 130
    assert [(r["lesson"], r["status"]) for r in _summary(out)] == [
        ("01", "ok"), ("02", "interrupted"), ("03", "not run")]
    printed = capsys.readouterr().out
    assert "| 01 | lecture | ok | 3 s | 100 MB | score = 1.0 |" in printed
    assert "| 03 | lecture | not run | — | — | — |" in (out / "summary.md").read_text()


def test_ctrl_c_in_a_terminal_stops_the_lesson_in_flight_and_keeps_the_finished_one(tmp_path):
    lessons_dir, out = tmp_path / "lessons", tmp_path / "out"
    _lesson(lessons_dir, "01_quick.ipynb", "x = size")
    _lesson(lessons_dir, "02_slow.ipynb", "import time\ntime.sleep(3600)")
    _lesson(lessons_dir, "03_never.ipynb", "x = size")
    command = [sys.executable, "-m", "gan_lessons", "run", "--notebooks", str(lessons_dir),
               "--out", str(out), "--no-progress"]
    # a session of its own, so that the "terminal's" Ctrl-C below reaches the runner and its children
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             start_new_session=True)
    try:
        lines = []
        for line in child.stdout:
            lines.append(line)
            if line.startswith("== lesson 02"):
                break
        time.sleep(5)  # lesson 02 is running: its kernel starts and sleeps
        os.killpg(child.pid, signal.SIGINT)
        rest, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == 130, "".join(lines) + rest
    rows = _summary(out)
    statuses = [(r["lesson"], r["status"]) for r in rows]
    assert statuses == [("01", "ok"), ("02", "interrupted"), ("03", "not run")], rows
    assert "| 01 | lecture | ok |" in rest and "| 03 | lecture | not run |" in rest


# ---- C7: -p values are checked against the parameters cells ------------------------------------------
@pytest.mark.parametrize("lesson, parameter, message", [
    ("01", "steps=0", "steps must be a positive integer (or left out, to take the profile's), got '0'"),
    ("01", "steps=-300", "steps must be a positive integer"),
    ("01", "steps=1.5", "steps must be a positive integer"),
    ("01", "steps='300'", "steps must be a positive integer"),
    ("01", "seed=-1", "seed must be a non-negative integer, got '-1'"),
    ("01", "seed=1.5", "seed takes int values like 0, got '1.5'"),
    ("01", "hidden=128", "hidden takes list values like [128, 128], got '128'"),
    ("01", "batch_size=0", "batch_size must be a positive integer, got '0'"),
    ("02", "data_std=abc", "data_std takes float values like 1.0, got 'abc'"),
    ("04", "resume=maybe", "resume takes bool values like True, got 'maybe'"),
    ("01", "epochs=3", "lesson 01 has no parameter 'epochs'; its parameters: profile, seed, hidden"),
])
def test_bad_parameter_values_are_refused_before_any_lesson_runs(lesson, parameter, message, tmp_path,
                                                                 capsys, monkeypatch):
    _no_lesson_may_run(monkeypatch)
    out = tmp_path / "out"
    assert _main(["run", lesson, "-p", parameter, "--out", out]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_good_values_pass_and_a_non_literal_default_does_not_block_the_lesson(tmp_path, capsys):
    lesson = runner.Lesson("01", pathlib.Path("01_x.ipynb"), {"steps": (None, ""), "seed": (0, "")})
    assert runner.parse_value(lesson, "steps", "300") == 300
    assert runner.parse_value(lesson, "steps", "None") is None
    assert runner.parse_value(lesson, "seed", "7") == 7
    _lesson(tmp_path, "01_computed.ipynb", "x = size", parameters="size = 2 * 3")
    assert _main(["list", "--notebooks", tmp_path]) == 0
    assert "size = 2 * 3" in capsys.readouterr().out
    assert runner.parse_value(runner.lessons(tmp_path)["01"], "size", "4") == 4


# ---- C8: the notebooks folder ---------------------------------------------------------------------
def test_a_notebooks_folder_that_does_not_exist_is_an_error(tmp_path, capsys):
    missing = tmp_path / "nonexistent"
    assert _main(["list", "--notebooks", missing]) == 2
    assert f"no folder {missing}; pass --notebooks a folder" in capsys.readouterr().err
    assert _main(["run", "--notebooks", missing, "--out", tmp_path / "out"]) == 2
    assert f"no folder {missing}" in capsys.readouterr().err


def test_a_broken_notebook_is_skipped_with_a_warning_unless_asked_for(tmp_path, capsys, monkeypatch):
    _lesson(tmp_path, "01_fine.ipynb", "x = size")
    (tmp_path / "02_broken.ipynb").write_text('{"cells": [')
    assert _main(["list", "--notebooks", tmp_path]) == 0
    captured = capsys.readouterr()
    assert "01  fine" in captured.out and "02" not in captured.out
    assert f"warning: skipping {tmp_path / '02_broken.ipynb'} is not a readable notebook" in captured.err

    with pytest.warns(UserWarning, match="02_broken.ipynb is not a readable notebook"):
        assert list(runner.lessons(tmp_path)) == ["01"]

    _no_lesson_may_run(monkeypatch)
    assert _main(["run", "02", "--notebooks", tmp_path, "--out", tmp_path / "out"]) == 2
    err = capsys.readouterr().err
    assert f"error: lesson 02: {tmp_path / '02_broken.ipynb'} is not a readable notebook" in err
    assert "fix it or move it out of" in err

    ran = []
    monkeypatch.setattr(runner, "run_lesson", lambda lesson, profile, *a, **k: (
        ran.append(lesson.key) or runner.Outcome(lesson.key, profile, "ok", 1, 1, {})))
    assert _main(["run", "--notebooks", tmp_path, "--out", tmp_path / "out"]) == 0
    assert ran == ["01"] and "warning: skipping" in capsys.readouterr().err


# ---- C9: --out ------------------------------------------------------------------------------------
def _a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("mine")
    return path


@pytest.mark.parametrize("make_out, message", [
    (_a_file, "is a file, not a folder; pass --out a folder you can write to"),
    (lambda tmp_path: _a_file(tmp_path) / "lectures", "cannot write in --out"),
    (lambda tmp_path: pathlib.Path("/proc/gan_lessons_out"), "cannot write in --out /proc/gan_lessons_out"),
], ids=["a-file", "below-a-file", "proc"])
def test_an_unusable_out_is_refused_before_any_lesson_runs(make_out, message, tmp_path, capsys, monkeypatch):
    _no_lesson_may_run(monkeypatch)
    out = make_out(tmp_path)
    assert _main(["run", "01", "--out", out]) == 2
    err = capsys.readouterr().err
    assert message in err and str(out) in err and "pass --out a folder you can write to" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in a read-only folder")
def test_a_read_only_out_is_refused(tmp_path, capsys, monkeypatch):
    _no_lesson_may_run(monkeypatch)
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o555)
    try:
        assert _main(["run", "01", "--out", out]) == 2
    finally:
        out.chmod(0o755)
    assert f"cannot write in --out {out} (Permission denied)" in capsys.readouterr().err
