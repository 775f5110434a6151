"""Exercise checks: run a student's function against the package's reference on several cases.

Each lesson's exercises live in `gan_lessons.exercises.lessonNN`, built from `Exercise` below.
A check returns a `Result` that shows as a friendly pass/fail line with a hint in a notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Case:
    """One input to try: `args` for both functions, described for the student."""

    description: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


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


def attempt(name: str, hint: str, description: str, call: Callable[[], object]):
    """Run a student's code: (its value, None), or (None, a failing Result saying what happened).

    Exceptions from student code are reported, never raised, so a notebook always runs on.
    """
    try:
        return call(), None
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

    def check(self, student: Callable) -> Result:
        if not callable(student):
            return Result(False, f"✗ {self.name}: pass your function itself (no parentheses).")
        for case in self.cases:
            got, failure = attempt(self.name, self.hint, case.description,
                                   lambda case=case: student(*case.args, **case.kwargs))
            if failure is not None:
                return failure
            expected = _to_array(self.reference(*case.args, **case.kwargs))
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
