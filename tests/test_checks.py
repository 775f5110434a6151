"""The exercise-check machinery, and lesson 01's exercises against right and wrong answers."""

import copy
import dataclasses
import os
import signal
import threading
import time

import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import checks, losses
from gan_lessons.exercises import lesson01


def test_reference_solutions_pass_every_lesson01_exercise():
    answers = {
        lesson01.check_smoothed_discriminator_loss: lambda r, f: losses.discriminator_loss(r, f, 0.9),
        lesson01.check_to_data_units: lambda p, m, s: p * s + m,
        lesson01.check_curve_residual: lambda p: np.abs(p[:, 1] - 10 - p[:, 0] ** 2),
        lesson01.check_centroid_shift: lambda r, a, b: (np.linalg.norm(a.mean(0) - r.mean(0))
                                                        - np.linalg.norm(b.mean(0) - r.mean(0))),
    }
    for check, answer in answers.items():
        result = check(answer)
        assert result and result.message.startswith("✓"), result.message


def test_naive_loss_fails_on_the_confident_case_with_a_hint():
    def naive(real_logits, fake_logits):
        d_real, d_fake = tf.sigmoid(real_logits), tf.sigmoid(fake_logits)
        return (-tf.reduce_mean(0.9 * tf.math.log(d_real) + 0.1 * tf.math.log(1 - d_real))
                - tf.reduce_mean(tf.math.log(1 - d_fake)))

    result = lesson01.check_smoothed_discriminator_loss(naive)
    assert not result
    assert "confident" in result.message and "softplus" in result.message


def test_wrong_sign_and_wrong_shape_fail():
    assert not lesson01.check_curve_residual(lambda p: p[:, 1] - 10 - p[:, 0] ** 2)  # negative below
    result = lesson01.check_curve_residual(lambda p: np.abs(p[:, 1] - 10 - p[:, 0] ** 2)[:, None] * [1, 1])
    assert not result and "shape" in result.message


def test_stub_unfinished_crash_and_not_callable_are_reported_not_raised():
    def stub(points):
        raise NotImplementedError

    assert "not done yet" in lesson01.check_curve_residual(stub).message
    assert "ZeroDivisionError" in lesson01.check_curve_residual(lambda p: 1 / 0).message
    assert "no parentheses" in lesson01.check_curve_residual(42).message


def test_result_displays_as_its_message():
    result = checks.Result(True, "✓ fine")
    assert repr(result) == "✓ fine" and bool(result) and "green" in result._repr_markdown_()


# ---- time limits: a function that never returns is stopped and reported ------------------------
def _curve_residual(**changes):
    return dataclasses.replace(lesson01.CURVE_RESIDUAL, **changes)


def _alarm_state():
    return signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)


def _loops(points):
    while True:
        pass


def _sleeps(points):
    time.sleep(60)


@pytest.mark.parametrize("student", [_loops, _sleeps], ids=["while-true", "sleep"])
def test_a_function_that_never_returns_is_reported_after_the_time_limit(student):
    before = _alarm_state()
    start = time.perf_counter()
    result = _curve_residual(time_limit=0.5).check(student)
    assert time.perf_counter() - start < 5
    assert not result and "did not return within 0.5 s on two points on the curve" in result.message
    assert "loop that never ends" in result.message and "|y - (10 + x**2)|" in result.message
    assert _alarm_state() == before  # the handler is restored, no timer is left running


def test_a_case_can_set_its_own_time_limit_and_the_default_is_a_few_seconds():
    assert lesson01.CURVE_RESIDUAL.time_limit == checks.TIME_LIMIT == 10
    slow_case = checks.Case("a slow case", (np.zeros((1, 2)),), time_limit=0.3)
    exercise = _curve_residual(cases=(slow_case,), time_limit=600)
    start = time.perf_counter()
    assert "did not return within 0.3 s on a slow case" in exercise.check(_loops).message
    assert time.perf_counter() - start < 5


def test_outside_the_main_thread_the_check_still_returns_on_time():
    results = []
    worker = threading.Thread(target=lambda: results.append(
        _curve_residual(time_limit=0.3).check(lambda p: time.sleep(3))))
    start = time.perf_counter()
    worker.start()
    worker.join(10)
    assert time.perf_counter() - start < 2.5, "the check waited for the sleeping function"
    assert "did not return within 0.3 s" in results[0].message


def test_an_alarm_set_by_someone_else_is_left_running():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        result = _curve_residual(time_limit=0.3).check(lambda p: time.sleep(1))
        assert "did not return within 0.3 s" in result.message
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 20 and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_ctrl_c_still_interrupts_a_check():
    def interrupted(points):
        os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C in a terminal or the kernel's stop button
        while True:
            pass

    before = _alarm_state()
    with pytest.raises(KeyboardInterrupt):
        _curve_residual(time_limit=5).check(interrupted)
    assert _alarm_state() == before


def test_a_function_that_catches_every_exception_is_still_stopped():
    def stubborn(points):
        while True:
            try:
                time.sleep(0.05)
            except Exception:
                pass

    assert "did not return within 0.3 s" in _curve_residual(time_limit=0.3).check(stubborn).message


# ---- inputs: each call gets its own copy -----------------------------------------------------------
def test_a_function_that_edits_its_input_in_place_passes_and_leaves_the_cases_intact():
    snapshot = copy.deepcopy([case.args for case in lesson01.CURVE_RESIDUAL.cases])

    def in_place(points):  # right answer, computed in its input's memory
        points[:, 1] -= 10 + points[:, 0] ** 2
        np.abs(points[:, 1], out=points[:, 1])
        return points[:, 1]

    def vandal(points):  # wrong, and scribbles over its input
        points[...] = 7.0
        return points[:, 0]

    assert lesson01.check_curve_residual(in_place), lesson01.check_curve_residual(in_place).message
    assert not lesson01.check_curve_residual(vandal)
    for case, before in zip(lesson01.CURVE_RESIDUAL.cases, snapshot):
        np.testing.assert_array_equal(case.args[0], before[0])
    assert lesson01.check_curve_residual(lambda p: np.abs(p[:, 1] - 10 - p[:, 0] ** 2))


def test_fresh_copies_arrays_and_containers_and_passes_models_and_tensors_as_they_are():
    import keras

    array, tensor = np.arange(3.0), tf.constant([1.0])
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    args = (array, [array, {"a": array}], tensor, model, "text", 3)
    copied = checks.fresh(args)
    assert copied[0] is not array and np.array_equal(copied[0], array)
    assert copied[1][0] is not array and copied[1][1]["a"] is not array
    assert copied[2] is tensor and copied[3] is model and copied[4:] == ("text", 3)
