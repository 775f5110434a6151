"""The lecture runner: list the lessons and execute them headless through papermill.

    python -m gan_lessons list
    python -m gan_lessons run [LESSON ...] --profile smoke|lecture|full -p NAME=VALUE --out DIR

Writes executed notebooks, HTML copies, and a summary (lesson, profile, status, wall time, peak
memory, the lesson's key metrics) as Markdown and JSON. Parameters and --out are checked before
anything runs; a cell that runs past --cell-timeout (default: per profile) or a kernel that dies
fails its lesson naming the cell, and Ctrl-C still writes the summary of what finished.
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import numbers
import os
import pathlib
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from dataclasses import asdict, dataclass, field

from gan_lessons.profiles import PROFILES

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
RECORD_ENV = "GAN_LESSONS_RECORD"
BINDER_MEMORY_MB = 2048  # Binder's memory limit: a lecture must stay under it
CELL_TIMEOUTS = {"smoke": 300, "lecture": 1200, "full": 7200}  # seconds one cell may run, by profile
COUNTS = {"steps", "batch_size", "d_steps", "latent_dim"}  # parameters that must be positive integers
INTERRUPTED = 130  # the exit status after Ctrl-C, as a shell reports it


# TensorFlow's C++ start-up notices, which TF_CPP_MIN_LOG_LEVEL no longer silences (TF 2.19+ logs
# them through absl before its log is initialised); ipykernel shows them as a pink stderr block.
TENSORFLOW_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|I\d{4} [\d:.]+ +\d+ \S+:\d+\] .*"  # an absl INFO line: oneDNN, CPU features, XLA service
    r"|\d{4}-\d\d-\d\d [\d:.]+: I .*"  # a TensorFlow INFO line in its older format
    r"|To enable the following instructions: .*")  # the second line of the CPU-feature notice


class RunnerError(ValueError):
    """A request the runner refuses before running anything (unknown lesson, bad parameter)."""


# ---- for notebooks: TensorFlow without its start-up log --------------------------------------
def quiet_tensorflow():
    """Import TensorFlow now, keeping its C++ start-up notices ("All log messages before
    absl::InitializeLog()...", "oneDNN custom operations are on") out of the notebook; its
    warnings and errors still show. Call it in a notebook's Setup cell before `import tensorflow`,
    `import keras` or any other gan_lessons module (most import TensorFlow); it sets
    TF_CPP_MIN_LOG_LEVEL=2 unless already set. Called after TensorFlow loaded, it warns."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        if not getattr(quiet_tensorflow, "done", False):
            warnings.warn("TensorFlow was imported before runner.quiet_tensorflow(), so its start-up "
                          "log showed: call it first in the Setup cell, before importing keras, "
                          "tensorflow or another gan_lessons module", stacklevel=2)
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)  # the C++ log writes to file descriptor 2, not to sys.stderr
        try:
            import tensorflow  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            log.seek(0)
            kept = drop_tensorflow_noise(log.read().decode(errors="replace"))
            if kept:
                print(kept, file=sys.stderr, end="")
    quiet_tensorflow.done = True


def drop_tensorflow_log(executed: pathlib.Path) -> int:
    """Remove TensorFlow's start-up notices from the stderr outputs of an executed notebook (a
    lesson that does not call quiet_tensorflow() shows them), so the handout shows none; an
    output left empty goes. Returns how many outputs changed."""
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    changed = 0
    for cell in notebook.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = drop_tensorflow_noise(output.get("text", ""))
                if text != output.get("text", ""):
                    changed += 1
                    output["text"] = text
                if not text:
                    continue
            kept.append(output)
        if cell.cell_type == "code":
            cell.outputs = kept
    if changed:
        nbformat.write(notebook, executed)
    return changed


def drop_tensorflow_noise(text: str) -> str:
    """`text` without the lines of TensorFlow's start-up notices (see TENSORFLOW_NOISE)."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not TENSORFLOW_NOISE.fullmatch(line.rstrip("\r\n")))


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


class Expression(str):
    """A parameter default that is not a Python literal (such as `2 * 64`): shown as written."""

    def __repr__(self):
        return str(self)


def _default(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return Expression(text)


def scan(directory: pathlib.Path = NOTEBOOKS) -> tuple[dict[str, Lesson], dict[str, str]]:
    """The lessons in `directory` (notebooks named NN_title.ipynb), keyed "01", "02", ..., and the
    notebooks there that cannot be read: {key: why}. A folder that does not exist is a RunnerError."""
    import papermill

    directory = pathlib.Path(directory)
    if not directory.is_dir():
        raise RunnerError(f"no folder {directory}; pass --notebooks a folder of NN_title.ipynb lessons")
    found, broken = {}, {}
    for path in sorted(directory.glob("[0-9][0-9]_*.ipynb")):
        try:
            inspected = papermill.inspect_notebook(str(path))
        except Exception as error:  # invalid JSON, not a notebook: one bad file must not block the rest
            reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
            broken[path.name[:2]] = (f"{path} is not a readable notebook ({type(error).__name__}: "
                                     f"{reason}); fix it or move it out of {directory}")
            continue
        parameters = {name: (_default(info["default"]), info.get("help", "")) for name, info in
                      inspected.items()}
        found[path.name[:2]] = Lesson(path.name[:2], path, parameters)
    return found, broken


def lessons(directory: pathlib.Path = NOTEBOOKS) -> dict[str, Lesson]:
    """The readable lessons in `directory`, keyed "01", "02", ...; a warning names each notebook
    that cannot be read."""
    found, broken = scan(directory)
    for why in broken.values():
        warnings.warn(f"skipping {why}", stacklevel=2)
    return found


def parse_value(lesson: Lesson, name: str, text: str):
    """A -p NAME=VALUE for `lesson`, converted to the type of its default, or a RunnerError."""
    if name not in lesson.parameters:
        known = ", ".join(lesson.parameters)
        raise RunnerError(f"lesson {lesson.key} has no parameter {name!r}; its parameters: {known}")
    default = lesson.parameters[name][0]
    value = _convert(name, default, text)
    if value is None:
        return value
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if name in COUNTS and not (is_int and value > 0):
        or_omitted = " (or left out, to take the profile's)" if default is None else ""
        raise RunnerError(f"{name} must be a positive integer{or_omitted}, got {text!r}")
    if name == "seed" and not (is_int and value >= 0):
        raise RunnerError(f"seed must be a non-negative integer, got {text!r}")
    return value


def _convert(name: str, default, text: str):
    try:
        value = ast.literal_eval(text)
        bare_word = False
    except (ValueError, SyntaxError):
        value, bare_word = text, True  # a bare word is a string
    if name == "profile" and value not in PROFILES:
        raise RunnerError(f"profile must be one of {PROFILES}, got {value!r}")
    if default is None or isinstance(default, Expression):  # steps = None: any literal, 3000 or None
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
    status: str  # "ok", "failed", "interrupted" (Ctrl-C) or "not run" (after a Ctrl-C)
    wall_seconds: float
    peak_memory_mb: float
    metrics: dict
    error: str = ""
    notebook: str = ""
    html: str = ""


def _running_cell(executed: str) -> str:
    """'cell N' for the last cell that started in the executed notebook papermill saved (its
    execution count, as Jupyter shows it), or '' if none started or the file cannot be read."""
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except Exception:
        return ""
    started = [(i, c) for i, c in enumerate(cells)
               if c.cell_type == "code" and c.metadata.get("papermill", {}).get("start_time")]
    if not started:
        return ""
    index, cell = started[-1]
    # a kernel that dies at once may not have numbered the cell yet: it comes after the cells before it
    earlier = [c.get("execution_count") or 0 for c in cells[:index] if c.cell_type == "code"]
    return f"cell {cell.get('execution_count') or max(earlier, default=0) + 1}"


@functools.cache
def kernel_manager_class(asynchronous: bool = True) -> type:
    """The jupyter_client kernel manager lessons run under. On POSIX its kernels talk over Unix
    sockets beside their connection files instead of TCP ports: kernels started at the same moment
    (a test suite's workers, two runners) cannot pick the same free port and hang waiting for
    replies that go to the other kernel, and ipykernel's "running over TCP without encryption"
    warning goes. Elsewhere, jupyter_client's own (TCP). The asynchronous one's client waits for
    messages in slices (_sliced_wait_client: a missed wake-up costs a second, not a cell's limit)."""
    from jupyter_client.manager import AsyncKernelManager, KernelManager
    from traitlets import default

    base = AsyncKernelManager if asynchronous else KernelManager
    if os.name != "posix":
        return base

    class IPCKernelManager(base):
        @default("transport")
        def _transport_default(self):
            return "ipc"

        @default("ip")  # the sockets' path prefix, its own per kernel (jupyter_client's is ./kernel-ipc)
        def _ip_default(self):
            return os.path.join(tempfile.gettempdir(), f"gan-lessons-kernel-{uuid.uuid4().hex[:12]}")

        if asynchronous:
            @default("client_factory")
            def _client_factory_default(self):
                return _sliced_wait_client()

    IPCKernelManager.__name__ = IPCKernelManager.__qualname__ = f"IPC{base.__name__}"
    return IPCKernelManager


WAIT_SLICE = 1.0  # seconds: the longest a kernel client's poll sleeps before it looks again


@functools.cache
def _sliced_wait_client() -> type:
    """jupyter_client's asyncio kernel client, whose channels wait for a message in slices of at
    most a second. pyzmq's asyncio poll can miss the wake-up of a socket's edge-triggered file
    descriptor and sleep to its timeout with the reply already there (pyzmq issues 1558 and 2173):
    in this suite lesson 02's smoke run once waited 600 s on a widget cell the kernel had answered
    in 0.5 s, and nbclient waits for a cell's reply in one poll as long as the cell's time limit.
    Each slice starts with a fresh poll, which looks at the socket before it sleeps, so a missed
    wake-up costs at most a second."""
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.channels import AsyncZMQSocketChannel
    from traitlets import Type

    class SlicedWaitChannel(AsyncZMQSocketChannel):
        async def get_msg(self, timeout: float | None = None) -> dict:
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                wait = WAIT_SLICE if left is None else min(WAIT_SLICE, left)
                if await self.socket.poll(int(wait * 1000)):
                    return await self._recv()
                if left is not None and left <= wait:
                    raise Empty

    class SlicedWaitKernelClient(AsyncKernelClient):
        shell_channel_class = Type(SlicedWaitChannel)
        iopub_channel_class = Type(SlicedWaitChannel)
        stdin_channel_class = Type(SlicedWaitChannel)
        control_channel_class = Type(SlicedWaitChannel)

    return SlicedWaitKernelClient


# jsonschema (under nbformat) imports rfc3987_syntax if it is there, an optional checker of IRI
# strings that jupyter-events pulls in and that builds a parser as it is imported: 1.6 s per process
# here (python-jsonschema/jsonschema#1392). The notebook schema has no IRI field, so the executor and
# the HTML export start without it. The prefix imports sys, which the commands after it use.
WITHOUT_IRI_CHECKER = "import sys; sys.modules.setdefault('rfc3987_syntax', None); "


def checkout_first_on_path(environ) -> dict[str, str]:
    """{"PYTHONPATH": ...} that puts the checkout holding this gan_lessons before `environ`'s own
    entries ({} when the package is installed, not a checkout). A child process that starts outside
    the checkout (a lesson's kernel, a benchmark's worker) would otherwise import gan_lessons from
    wherever pip last installed it, which may be another checkout with other code."""
    checkout = pathlib.Path(__file__).resolve().parents[1]
    if not (checkout / "pyproject.toml").is_file():
        return {}
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(checkout), environ.get("PYTHONPATH")]))}


def _execute(source: str, target: str, parameters: dict, record_path: str, progress: bool,
             cell_timeout: int | None = None, lesson: str = "") -> dict:
    """Run in a child process, so its peak memory (the kernel's, a child of it) is its own."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    os.environ[RECORD_ENV] = record_path
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # The kernel starts in the notebooks' folder: from a checkout it imports this copy
    os.environ.update(checkout_first_on_path(os.environ))
    error, label = "", f"lesson {lesson} " if lesson else ""
    try:
        papermill.execute_notebook(source, target, parameters=parameters, progress_bar=progress,
                                   cwd=str(pathlib.Path(source).parent), kernel_name="python3",
                                   execution_timeout=cell_timeout,
                                   kernel_manager_class=kernel_manager_class(),
                                   # every output is saved by then: waiting for TensorFlow's kernel
                                   # to exit on its own cost 1-3 s a lesson
                                   shutdown_kernel="immediate")
    except papermill.PapermillExecutionError as failure:
        error = f"cell {failure.exec_count}: {failure.ename}: {failure.evalue}"
    except CellTimeoutError:
        cell = _running_cell(target) or "a cell"
        error = f"{label}{cell} ran past {cell_timeout} s; raise --cell-timeout (seconds per cell)"
    except DeadKernelError:
        cell = _running_cell(target)
        during = "while it ran" if cell else "before any cell ran"
        error = (f"{label}{cell or 'the kernel'}: the kernel died {during} (out of memory, or a "
                 "crash in native code); the executed notebook shows the cells before it")
    except KeyboardInterrupt:
        error = "interrupted"
    except Exception as failure:  # anything else: report it rather than crash the child
        error = f"{type(failure).__name__}: {failure}"
    kernel_peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"error": error, "peak_memory_mb": kernel_peak_kb / 1024}


def _outputs(lesson: Lesson, profile: str, out: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    """The executed notebook and the metrics file of `lesson` under `profile` in `out`."""
    stem = f"{lesson.path.stem}.{profile}"
    return out.resolve() / f"{stem}.ipynb", out.resolve() / f"{stem}.metrics.json"


def _stop(child: subprocess.Popen):
    """After Ctrl-C: let the executor shut its kernel down, then make sure it is gone."""
    try:
        child.wait(timeout=2)  # a terminal's Ctrl-C reached the executor too: it stops its kernel
        return
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGINT)  # a `kill -INT` of the runner alone did not: pass it on
    try:
        child.wait(timeout=20)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def run_lesson(lesson: Lesson, profile: str, overrides: dict, out: pathlib.Path,
               progress: bool = True, cell_timeout: int | None = None) -> Outcome:
    """Execute `lesson` in a child process; `cell_timeout`: seconds a cell may run (None: the
    profile's CELL_TIMEOUTS). Ctrl-C stops the child and is raised again."""
    out = out.resolve()  # the kernel runs in notebooks/: a relative path would point elsewhere
    out.mkdir(parents=True, exist_ok=True)
    target, record_path = _outputs(lesson, profile, out)
    for stale in (target, record_path):  # from an earlier run: they would be taken for this one's
        stale.unlink(missing_ok=True)
    parameters = {"profile": profile, **overrides}
    timeout = cell_timeout or CELL_TIMEOUTS[profile]
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", WITHOUT_IRI_CHECKER + "import json; from gan_lessons import runner; "
         "print(json.dumps(runner._execute(*json.loads(sys.argv[1]))))",
         json.dumps([str(lesson.path), str(target), parameters, str(record_path), progress, timeout,
                     lesson.key])],
        stdout=subprocess.PIPE, text=True)
    try:
        stdout, _ = child.communicate()
    except KeyboardInterrupt:
        _stop(child)
        raise
    wall = time.perf_counter() - start
    try:
        result = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"error": f"the executor exited with status {child.returncode}", "peak_memory_mb": 0.0}
    metrics = json.loads(record_path.read_text()) if record_path.exists() else {}
    outcome = Outcome(lesson.key, profile, "failed" if result["error"] else "ok", round(wall, 1),
                      round(result["peak_memory_mb"], 1), metrics, result["error"], str(target))
    if target.exists():
        drop_tensorflow_log(target)
        html = out / f"{target.stem}.html"
        export = WITHOUT_IRI_CHECKER + "from nbconvert.nbconvertapp import main; sys.exit(main())"
        converted = subprocess.run([sys.executable, "-c", export, "--to", "html", str(target),
                                    "--output", html.name, "--output-dir", str(out)],
                                   capture_output=True, text=True)
        outcome.html = str(html) if converted.returncode == 0 else ""
    return outcome


def summary_markdown(outcomes: list[Outcome]) -> str:
    lines = ["| lesson | profile | status | wall time | peak memory | key metrics |",
             "|---|---|---|---|---|---|"]
    for o in outcomes:
        metrics = ", ".join(f"{k} = {v}" for k, v in o.metrics.items()) or "—"
        status = f"{o.status} ({o.error})" if o.error else o.status
        memory = f"{o.peak_memory_mb:,.0f} MB" if o.peak_memory_mb else "—"
        if o.peak_memory_mb > BINDER_MEMORY_MB:
            memory += " (over Binder's 2 GB)"
        wall = f"{o.wall_seconds:.0f} s" if o.status != "not run" else "—"
        lines.append(f"| {o.lesson} | {o.profile} | {status} | {wall} | {memory} | {metrics} |")
    return "\n".join(lines) + "\n"


# ---- command line -------------------------------------------------------------------------------
def check_out(out: pathlib.Path):
    """Make `out` a folder this process can write in, or raise a RunnerError naming it and the fix."""
    fix = "pass --out a folder you can write to (it is created if missing)"
    if out.exists() and not out.is_dir():
        raise RunnerError(f"--out {out} is a file, not a folder; {fix}")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise RunnerError(f"cannot write in --out {out} ({error.strerror or error}); {fix}") from None


def _seconds(text: str) -> int:
    try:
        seconds = int(text)
    except ValueError:
        seconds = 0
    if seconds < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number of seconds, got {text!r}")
    return seconds


def _parser() -> argparse.ArgumentParser:
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
    run.add_argument("--cell-timeout", type=_seconds, default=None, metavar="SECONDS",
                     help="fail a lesson whose cell runs longer (default: " +
                     ", ".join(f"{p} {s} s" for p, s in CELL_TIMEOUTS.items()) + ")")
    run.add_argument("--no-progress", action="store_true")
    return parser


def _list(found: dict[str, Lesson]):
    for lesson in found.values():
        print(f"{lesson.key}  {lesson.title}  (profiles: {', '.join(PROFILES)})")
        for name, (default, help_text) in lesson.parameters.items():
            print(f"      {name} = {default!r}" + (f"   # {help_text}" if help_text else ""))


def _plan(args, found: dict[str, Lesson], broken: dict[str, str]) -> list[tuple]:
    """[(lesson, profile, overrides, cell timeout), ...] for `args`, or a RunnerError."""
    asked = [key.zfill(2) for key in args.lessons]
    for key in asked:
        if key in broken:
            raise RunnerError(f"lesson {key}: {broken[key]}")
        if key not in found:
            raise RunnerError(f"unknown lesson {key} in {args.lessons}; lessons: {', '.join(found)}")
    if not found:
        raise RunnerError(f"no lessons (NN_title.ipynb) in {args.notebooks}")
    plan = []
    for lesson in [found[key] for key in asked] or list(found.values()):
        overrides = {}
        for item in args.parameter:
            name, sep, text = item.partition("=")
            if not sep:
                raise RunnerError(f"parameters are NAME=VALUE, got {item!r}")
            overrides[name.strip()] = parse_value(lesson, name.strip(), text.strip())
        profile = overrides.pop("profile", args.profile)
        plan.append((lesson, profile, overrides, args.cell_timeout or CELL_TIMEOUTS[profile]))
    return plan


def _interrupted(plan: list[tuple], done: int, started: float, out: pathlib.Path) -> list[Outcome]:
    """Outcomes after Ctrl-C: the lesson in flight ("interrupted") and those after it ("not run")."""
    if done == len(plan):  # every lesson had finished
        return []
    lesson, profile = plan[done][:2]
    target, record_path = _outputs(lesson, profile, out)
    cell = _running_cell(str(target)) if target.exists() else ""
    metrics = json.loads(record_path.read_text()) if record_path.exists() else {}
    outcomes = [Outcome(lesson.key, profile, "interrupted", round(time.perf_counter() - started, 1), 0.0,
                        metrics, f"Ctrl-C during {cell}" if cell else "Ctrl-C",
                        str(target) if target.exists() else "")]
    return outcomes + [Outcome(rest.key, rest_profile, "not run", 0.0, 0.0, {})
                       for rest, rest_profile, *_ in plan[done + 1:]]


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        found, broken = scan(args.notebooks)
        asked = {key.zfill(2) for key in getattr(args, "lessons", [])}
        for key, why in broken.items():
            if key not in asked:
                print(f"warning: skipping {why}", file=sys.stderr)
        if args.command == "list":
            _list(found)
            return 0
        plan = _plan(args, found, broken)
        check_out(args.out)
    except RunnerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    outcomes, started = [], time.perf_counter()
    try:
        for lesson, profile, overrides, cell_timeout in plan:
            print(f"== lesson {lesson.key} ({lesson.title}), profile {profile}", flush=True)
            started = time.perf_counter()
            outcome = run_lesson(lesson, profile, overrides, args.out, progress=not args.no_progress,
                                 cell_timeout=cell_timeout)
            detail = f": {outcome.error}" if outcome.error else ""
            print(f"   {outcome.status} in {outcome.wall_seconds:.0f} s, peak memory "
                  f"{outcome.peak_memory_mb:.0f} MB{detail}", flush=True)
            outcomes.append(outcome)
    except KeyboardInterrupt:
        print("\ninterrupted (Ctrl-C): writing the summary of what finished", flush=True)
        outcomes += _interrupted(plan, len(outcomes), started, args.out)
    (args.out / "summary.json").write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    (args.out / "summary.md").write_text(summary_markdown(outcomes))
    print(summary_markdown(outcomes))
    print(f"executed notebooks, HTML and summary.md are in {args.out}/")
    if any(o.status == "interrupted" for o in outcomes):
        return INTERRUPTED
    return 1 if any(o.status != "ok" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
