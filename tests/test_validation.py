"""The shared field checks: numpy scalars are numbers, booleans are not, messages name the field."""

import numpy as np
import pytest

from gan_lessons import validation


@pytest.mark.parametrize("value", [3, np.int64(3), np.int32(3), np.uint8(3)])
def test_integers_of_any_kind_come_back_as_python_ints(value):
    result = validation.integer("steps", value, 0)
    assert result == 3 and type(result) is int


@pytest.mark.parametrize("value", [True, 3.0, "3", None, np.float32(3)])
def test_non_integers_and_booleans_are_refused(value):
    with pytest.raises(ValueError, match="steps must be an integer"):
        validation.integer("steps", value)


def test_integer_bounds_are_named_in_words():
    with pytest.raises(ValueError, match="steps must be a non-negative integer, got -1"):
        validation.integer("steps", -1, minimum=0)
    with pytest.raises(ValueError, match="batch must be a positive integer, got 0"):
        validation.positive_integer("batch", np.int64(0))
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 31\], got 32"):
        validation.integer("k", 32, 1, 31)


@pytest.mark.parametrize("value", [1e-3, np.float32(1e-3), np.float64(1e-3), 1])
def test_numbers_accept_numpy_scalars(value):
    assert type(validation.number("rate", value, 0, 1, low_open=True)) is float


def test_number_intervals_respect_open_ends_and_refuse_nan_inf_and_bools():
    assert validation.number("beta", 0.0, 0, 1, high_open=True) == 0.0
    cases = ((1.0, r"\[0, 1\)"), (float("nan"), "must be a number"), (float("inf"), "must be a number in"),
             (True, "must be a number"))
    for bad, match in cases:
        with pytest.raises(ValueError, match=match):
            validation.number("beta", bad, 0, 1, high_open=True)


def test_choice_lists_the_options():
    assert validation.choice("latent", "normal", ("normal", "uniform")) == "normal"
    with pytest.raises(ValueError, match=r"latent must be one of \('normal', 'uniform'\), got 'cauchy'"):
        validation.choice("latent", "cauchy", ("normal", "uniform"))
