"""The lecture runner: list the lessons and execute them headless through papermill.

    python -m gan_lessons list
    python -m gan_lessons run [LESSON ...] --profile smoke|lecture|full -p NAME=VALUE --out DIR

Writes executed notebooks, HTML copies, and a summary (lesson, profile, status, wall time, peak
memory, the lesson's key metrics) as Markdown and JSON. Parameters are checked against each
lesson's parameters cell before anything runs.
"""

from __future__ import annotations

import argparse
import ast
import json
import numbers
import os
import pathlib
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field

from gan_lessons.profiles import PROFILES

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
RECORD_ENV = "GAN_LESSONS_RECORD"
BINDER_MEMORY_MB = 2048  # Binder's memory limit: a lecture must stay under it


class RunnerError(ValueError):
    """A request the runner refuses before running anything (unknown lesson, bad parameter)."""


# ---- for notebooks: record key metrics into the runner's summary ------------------------------
def record(**metrics):
    """Record a lesson's key metrics (numbers or short strings) for the runner's summary.

    Does nothing outside the runner, so notebooks can call it unconditionally.
    """
    path = os.environ.get(RECORD_ENV)
    if not path:
        return
    target = pathlib.Path(path)
    existing = json.loads(target.read_text()) if target.exists() else {}
    existing.update({k: (round(float(v), 6) if isinstance(v, numbers.Real) else str(v))
                     for k, v in metrics.items()})
    target.write_text(json.dumps(existing, indent=1))


# ---- lessons and their parameters ---------------------------------------------------------------
@dataclass
class Lesson:
    key: str  # "01"
    path: pathlib.Path
    parameters: dict = field(default_factory=dict)  # name -> (default value, help)

    @property
    def title(self) -> str:
        return self.path.stem[3:].replace("_", " ")


def lessons(directory: pathlib.Path = NOTEBOOKS) -> dict[str, Lesson]:
    """The lessons in `directory`, keyed "01", "02", ...: notebooks named NN_title.ipynb."""
    import papermill

    found = {}
    for path in sorted(directory.glob("[0-9][0-9]_*.ipynb")):
        parameters = {}
        for name, info in papermill.inspect_notebook(str(path)).items():
            parameters[name] = (ast.literal_eval(info["default"]), info.get("help", ""))
        found[path.name[:2]] = Lesson(path.name[:2], path, parameters)
    return found


def parse_value(lesson: Lesson, name: str, text: str):
    """A -p NAME=VALUE for `lesson`, converted to the type of its default, or a RunnerError."""
    if name not in lesson.parameters:
        known = ", ".join(lesson.parameters)
        raise RunnerError(f"lesson {lesson.key} has no parameter {name!r}; its parameters: {known}")
    default = lesson.parameters[name][0]
    try:
        value = ast.literal_eval(text)
        bare_word = False
    except (ValueError, SyntaxError):
        value, bare_word = text, True  # a bare word is a string
    if name == "profile" and value not in PROFILES:
        raise RunnerError(f"profile must be one of {PROFILES}, got {value!r}")
    if default is None:  # e.g. steps = None ("the profile's"): any literal, such as 3000 or None
        if bare_word:
            raise RunnerError(f"{name} takes a Python literal (a number, None, a quoted string), "
                              f"got {text!r}")
        return value
    if value is None:
        return value
    if isinstance(default, bool) or isinstance(value, bool):
        if not isinstance(value, bool) or not isinstance(default, bool):
            raise RunnerError(f"{name} takes {type(default).__name__} values like {default!r}, got {text!r}")
        return value
    if isinstance(default, float) and isinstance(value, int):
        return float(value)
    if type(value) is not type(default):
        raise RunnerError(f"{name} takes {type(default).__name__} values like {default!r}, got {text!r}")
    return value


# ---- running ------------------------------------------------------------------------------------
@dataclass
class Outcome:
    lesson: str
    profile: str
    status: str  # "ok" or "failed"
    wall_seconds: float
    peak_memory_mb: float
    metrics: dict
    error: str = ""
    notebook: str = ""
    html: str = ""


def _execute(source: str, target: str, parameters: dict, record_path: str, progress: bool) -> dict:
    """Run in a child process, so its peak memory (the kernel's, a child of it) is its own."""
    import papermill

    os.environ[RECORD_ENV] = record_path
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    error = ""
    try:
        papermill.execute_notebook(source, target, parameters=parameters, progress_bar=progress,
                                   cwd=str(pathlib.Path(source).parent), kernel_name="python3")
    except papermill.PapermillExecutionError as failure:
        error = f"cell {failure.exec_count}: {failure.ename}: {failure.evalue}"
    except Exception as failure:  # a dead kernel, a timeout: report it rather than crash the child
        error = f"{type(failure).__name__}: {failure}"
    kernel_peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"error": error, "peak_memory_mb": kernel_peak_kb / 1024}


def run_lesson(lesson: Lesson, profile: str, overrides: dict, out: pathlib.Path,
               progress: bool = True) -> Outcome:
    out = out.resolve()  # the kernel runs in notebooks/: a relative path would point elsewhere
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{lesson.path.stem}.{profile}"
    target, record_path = out / f"{stem}.ipynb", out / f"{stem}.metrics.json"
    record_path.unlink(missing_ok=True)
    parameters = {"profile": profile, **overrides}
    start = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", "import json, sys; from gan_lessons import runner; "
         "print(json.dumps(runner._execute(*json.loads(sys.argv[1]))))",
         json.dumps([str(lesson.path), str(target), parameters, str(record_path), progress])],
        stdout=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    try:
        result = json.loads(child.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"error": f"the executor exited with status {child.returncode}", "peak_memory_mb": 0.0}
    metrics = json.loads(record_path.read_text()) if record_path.exists() else {}
    outcome = Outcome(lesson.key, profile, "failed" if result["error"] else "ok", round(wall, 1),
                      round(result["peak_memory_mb"], 1), metrics, result["error"], str(target))
    if target.exists():
        html = out / f"{stem}.html"
        converted = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", str(target),
                                    "--output", html.name, "--output-dir", str(out)],
                                   capture_output=True, text=True)
        outcome.html = str(html) if converted.returncode == 0 else ""
    return outcome


def summary_markdown(outcomes: list[Outcome]) -> str:
    lines = ["| lesson | profile | status | wall time | peak memory | key metrics |",
             "|---|---|---|---|---|---|"]
    for o in outcomes:
        metrics = ", ".join(f"{k} = {v}" for k, v in o.metrics.items()) or "—"
        status = o.status if not o.error else f"failed ({o.error})"
        memory = f"{o.peak_memory_mb:,.0f} MB"
        if o.peak_memory_mb > BINDER_MEMORY_MB:
            memory += " (over Binder's 2 GB)"
        lines.append(f"| {o.lesson} | {o.profile} | {status} | {o.wall_seconds:.0f} s | {memory} | "
                     f"{metrics} |")
    return "\n".join(lines) + "\n"


# ---- command line -------------------------------------------------------------------------------
def _list(found: dict[str, Lesson]):
    for lesson in found.values():
        print(f"{lesson.key}  {lesson.title}  (profiles: {', '.join(PROFILES)})")
        for name, (default, help_text) in lesson.parameters.items():
            print(f"      {name} = {default!r}" + (f"   # {help_text}" if help_text else ""))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="gan-lessons", description="Run the GAN course's lessons.")
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--notebooks", default=NOTEBOOKS, type=pathlib.Path,
                        help="folder of NN_title.ipynb lessons (default: the course's notebooks/)")
    commands.add_parser("list", parents=[common], help="the lessons, their profiles and parameters")
    run = commands.add_parser("run", parents=[common], help="execute lessons headless (papermill)")
    run.add_argument("lessons", nargs="*", help="lesson numbers such as 01 03 (default: all)")
    run.add_argument("--profile", default="lecture", choices=PROFILES)
    run.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--out", default="lectures", type=pathlib.Path)
    run.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    found = lessons(args.notebooks)
    if args.command == "list":
        _list(found)
        return 0
    try:
        if not found:
            raise RunnerError(f"no lessons (NN_title.ipynb) in {args.notebooks}")
        chosen = [found[key.zfill(2)] if key.zfill(2) in found else None for key in args.lessons] or list(
            found.values())
        if None in chosen:
            raise RunnerError(f"unknown lesson in {args.lessons}; lessons: {', '.join(found)}")
        plan = []
        for lesson in chosen:
            overrides = {}
            for item in args.parameter:
                name, sep, text = item.partition("=")
                if not sep:
                    raise RunnerError(f"parameters are NAME=VALUE, got {item!r}")
                overrides[name.strip()] = parse_value(lesson, name.strip(), text.strip())
            plan.append((lesson, overrides.pop("profile", args.profile), overrides))
    except RunnerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    outcomes = []
    for lesson, profile, overrides in plan:
        print(f"== lesson {lesson.key} ({lesson.title}), profile {profile}", flush=True)
        outcome = run_lesson(lesson, profile, overrides, args.out, progress=not args.no_progress)
        detail = f": {outcome.error}" if outcome.error else ""
        print(f"   {outcome.status} in {outcome.wall_seconds:.0f} s, peak memory "
              f"{outcome.peak_memory_mb:.0f} MB{detail}", flush=True)
        outcomes.append(outcome)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    (args.out / "summary.md").write_text(summary_markdown(outcomes))
    print(summary_markdown(outcomes))
    print(f"executed notebooks, HTML and summary.md are in {args.out}/")
    return 1 if any(o.status != "ok" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
