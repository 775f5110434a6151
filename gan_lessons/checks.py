"""Exercise checks: run a student's function against the package's reference on several cases.

Each lesson's exercises live in `gan_lessons.exercises.lessonNN`, built from `Exercise` below.
A check returns a `Result` that shows as a friendly pass/fail line with a hint in a notebook.
Every call of a student's function gets its own copy of the case's inputs and a time limit.
"""

from __future__ import annotations

import copy
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

TIME_LIMIT = 10.0  # seconds a student's function may take on one case (Exercise/Case override it)


@dataclass(frozen=True)
class Case:
    """One input to try: `args` for both functions, described for the student."""

    description: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    time_limit: float | None = None  # seconds; None: the exercise's


@dataclass(frozen=True)
class Result:
    """The outcome of a check; truthy when it passed. Displays as its message."""

    passed: bool
    message: str

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return self.message

    def _repr_markdown_(self):
        color = "green" if self.passed else "#b00"
        return f"<span style='color:{color}'>{self.message}</span>"


def _to_array(value):
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value, dtype=np.float64)


def _summary(value) -> str:
    value = np.asarray(value)
    if value.size == 1:
        return f"{float(value.ravel()[0]):.6g}"
    if value.size <= 6:
        return np.array2string(value, precision=6, separator=", ")
    return f"array of shape {value.shape}, first values {np.array2string(value.ravel()[:4], precision=4)}"


class TimeLimitExceeded(BaseException):
    """A student's function ran past its time limit. A BaseException, like KeyboardInterrupt, so
    that an `except Exception` in the student's own code cannot swallow it."""


def call_with_time_limit(call: Callable[[], object], seconds: float | None):
    """call(), or TimeLimitExceeded if it has not returned after `seconds` (None: no limit).

    A pure-Python infinite loop cannot be stopped from another thread, so in the main thread (a
    Jupyter kernel's cells and pytest run there) a SIGALRM timer raises TimeLimitExceeded inside
    the call; Ctrl-C still raises KeyboardInterrupt as usual. TensorFlow ops release the GIL and
    Python code runs between them, so the alarm also stops a loop of tf calls (a single native op
    that never returns cannot be stopped). Elsewhere (another thread, or no SIGALRM, as on
    Windows) the call runs in a daemon thread that is abandoned when the limit passes: the check
    reports the time-out, though that thread runs on until the function returns or Python exits.
    """
    if seconds is None:
        return call()
    in_main_thread = threading.current_thread() is threading.main_thread()
    # an alarm already pending (someone else's, e.g. pytest-timeout's) is left alone: use a thread
    if in_main_thread and hasattr(signal, "setitimer") and signal.getitimer(signal.ITIMER_REAL)[0] == 0:
        return _with_alarm(call, seconds)
    return _in_thread(call, seconds)


def _with_alarm(call, seconds):
    armed = [True]

    def on_alarm(signum, frame):
        if armed[0]:
            raise TimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return call()
        finally:
            armed[0] = False  # an alarm arriving now must not raise here, or after this call
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)


def _in_thread(call, seconds):
    outcome = {}

    def target():
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the caller's thread below
            outcome["error"] = error

    worker = threading.Thread(target=target, daemon=True, name="exercise-check")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeLimitExceeded
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def fresh(value):
    """A copy of a case's input for one call, so a function that edits its input in place changes
    neither the reference's input nor the case: numpy arrays (and containers of them) are copied;
    tensors are immutable and keras models or layers cannot be deep-copied: both are passed as is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        return type(value)(*(fresh(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(fresh(v) for v in value)
    if isinstance(value, dict):
        return {key: fresh(v) for key, v in value.items()}
    if hasattr(value, "trainable_variables") or (hasattr(value, "numpy") and not hasattr(value, "assign")):
        return value  # a keras model, layer or tf.Module; or an (immutable) tensor
    try:
        return copy.deepcopy(value)
    except Exception:  # an object that cannot be copied: pass it as is
        return value


def attempt(name: str, hint: str, description: str, call: Callable[[], object],
            time_limit: float | None = TIME_LIMIT):
    """Run a student's code: (its value, None), or (None, a failing Result saying what happened).

    Exceptions from student code are reported, never raised, so a notebook always runs on; a call
    that has not returned within `time_limit` seconds is reported too (see call_with_time_limit).
    """
    try:
        return call_with_time_limit(call, time_limit), None
    except TimeLimitExceeded:
        return None, Result(False, f"✗ {name}: your function did not return within {time_limit:g} s on "
                                   f"{description}. Look for a loop that never ends (a `while` whose "
                                   f"condition stays true) or a sleep or wait. Hint: {hint}")
    except NotImplementedError:
        return None, Result(False, f"✗ {name}: not done yet — replace `raise NotImplementedError` "
                                   f"with your code. Hint: {hint}")
    except Exception as error:
        return None, Result(False, f"✗ {name}: your function raised {type(error).__name__}: {error} "
                                   f"on {description}. Hint: {hint}")


@dataclass(frozen=True)
class Exercise:
    """A named exercise: the reference solution, the cases to try, and a hint for a wrong answer."""

    name: str
    reference: Callable
    cases: tuple[Case, ...]
    hint: str
    rtol: float = 1e-4
    atol: float = 1e-5
    time_limit: float | None = TIME_LIMIT  # seconds per case; a Case's own time_limit wins

    def check(self, student: Callable) -> Result:
        if not callable(student):
            return Result(False, f"✗ {self.name}: pass your function itself (no parentheses).")
        for case in self.cases:
            limit = self.time_limit if case.time_limit is None else case.time_limit
            args, kwargs = fresh(case.args), fresh(case.kwargs)
            got, failure = attempt(self.name, self.hint, case.description,
                                   lambda args=args, kwargs=kwargs: student(*args, **kwargs), limit)
            if failure is not None:
                return failure
            expected = _to_array(self.reference(*fresh(case.args), **fresh(case.kwargs)))
            try:
                got = _to_array(got)
            except (TypeError, ValueError):
                return Result(False, f"✗ {self.name}: expected numbers, got {type(got).__name__} on "
                                     f"{case.description}.")
            if got.shape != expected.shape:
                if got.size == expected.size == 1:
                    got = got.reshape(expected.shape)
                else:
                    return Result(False, f"✗ {self.name}: on {case.description} the result has shape "
                                         f"{got.shape}, expected {expected.shape}. Hint: {self.hint}")
            if not np.allclose(got, expected, rtol=self.rtol, atol=self.atol, equal_nan=False):
                problem = "not finite (NaN or inf)" if not np.all(np.isfinite(got)) else "wrong"
                return Result(False, f"✗ {self.name}: {problem} on {case.description}: expected "
                                     f"{_summary(expected)}, got {_summary(got)}. Hint: {self.hint}")
        tried = "; ".join(case.description for case in self.cases)
        return Result(True, f"✓ {self.name}: passed all {len(self.cases)} cases ({tried}).")
