"""Checks for configuration fields and arguments, shared by every module (lessons 01-09).

Each check returns the value as a plain Python number or string, so numpy scalars
(`np.float32(1e-3)`, `np.int64(6000)`) are accepted wherever a Python number is, and raises a
ValueError that names the field, the value given and what is allowed. Booleans are never numbers.
"""

from __future__ import annotations

import dataclasses
import numbers


def integer(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """`value` as an int in [minimum, maximum] (either bound may be None)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if maximum is None and minimum in (0, 1):
            allowed = "a non-negative integer" if minimum == 0 else "a positive integer"
        else:
            allowed = (f"an integer in [{minimum if minimum is not None else '-inf'}, "
                       f"{maximum if maximum is not None else 'inf'}]")
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return value


def positive_integer(name: str, value) -> int:
    """`value` as an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return integer(name, value, minimum=1)


def number(name: str, value, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False) -> float:
    """`value` as a finite float in the interval from low to high (open ends where asked)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high or value in (float("inf"), float("-inf")):
        if low == 0 and low_open and high is None:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
        interval = (f"{'(' if low_open else '['}{low if low is not None else '-inf'}, "
                    f"{high if high is not None else 'inf'}{')' if high_open else ']'}")
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")
    return value


def boolean(name: str, value) -> bool:
    """`value` as a bool: True or False (numpy's bool included); "False", 0 or None are refused,
    since a string such as "no" would count as true."""
    if not (isinstance(value, bool) or (getattr(value, "dtype", None) is not None
                                        and value.dtype.kind == "b" and value.shape == ())):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def choice(name: str, value, options) -> str:
    """`value`, which must be one of `options`."""
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def normalise(instance, **checked):
    """Store checked values on a frozen dataclass instance (call from __post_init__)."""
    fields = {f.name for f in dataclasses.fields(instance)}
    for name, value in checked.items():
        if name not in fields:
            raise AttributeError(f"{type(instance).__name__} has no field {name!r}")
        object.__setattr__(instance, name, value)
