"""The exercise-check machinery, and lesson 01's exercises against right and wrong answers."""

import numpy as np
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
