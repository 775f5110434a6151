"""Lesson 08's checks accept correct answers written the way a student would, and catch the classic
mistakes (naive logs, smoothing the wrong side, minibatch features without the sample itself or with
the wrong norm, an alternating step that uses D's old parameter)."""

import numpy as np
import tensorflow as tf

from gan_lessons import losses
from gan_lessons.exercises import lesson08


def smoothed_loss(real_logits, fake_logits, real_label, fake_label=0.0):
    real, fake = tf.constant(real_logits, tf.float64), tf.constant(fake_logits, tf.float64)
    real_term = real_label * tf.nn.softplus(-real) + (1 - real_label) * tf.nn.softplus(real)
    fake_term = fake_label * tf.nn.softplus(-fake) + (1 - fake_label) * tf.nn.softplus(fake)
    return float(tf.reduce_mean(real_term) + tf.reduce_mean(fake_term))


def smoothed_loss_naive_logs(real_logits, fake_logits, real_label, fake_label=0.0):
    d_real, d_fake = 1 / (1 + np.exp(-np.asarray(real_logits))), 1 / (1 + np.exp(-np.asarray(fake_logits)))
    real = -(real_label * np.log(d_real) + (1 - real_label) * np.log(1 - d_real))
    fake = -(fake_label * np.log(d_fake) + (1 - fake_label) * np.log(1 - d_fake))
    return real.mean() + fake.mean()


def smoothed_loss_ignoring_the_fake_label(real_logits, fake_logits, real_label, fake_label=0.0):
    return smoothed_loss(real_logits, fake_logits, real_label, 0.0)


def minibatch_features(features, tensor, kernels):
    matrices = (np.asarray(features) @ np.asarray(tensor)).reshape(len(features), kernels, -1)
    distances = np.abs(matrices[:, None] - matrices[None]).sum(-1)
    return np.exp(-distances).sum(1)


def minibatch_features_without_self(features, tensor, kernels):
    return minibatch_features(features, tensor, kernels) - 1.0


def minibatch_features_l2(features, tensor, kernels):
    matrices = (np.asarray(features) @ np.asarray(tensor)).reshape(len(features), kernels, -1)
    return np.exp(-np.sqrt(((matrices[:, None] - matrices[None]) ** 2).sum(-1))).sum(1)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def dirac_step(theta, psi, learning_rate, r1_weight=0.0, alternating=False):
    v_psi = -theta * _sigmoid(psi * theta) - r1_weight * psi
    new_psi = psi + learning_rate * v_psi
    if alternating:
        psi = new_psi
    new_theta = theta + learning_rate * psi * _sigmoid(psi * theta)
    return np.array([new_theta, new_psi])


def dirac_step_with_old_psi(theta, psi, learning_rate, r1_weight=0.0, alternating=False):
    return dirac_step(theta, psi, learning_rate, r1_weight, alternating=False)


def dirac_step_penalty_wrong_sign(theta, psi, learning_rate, r1_weight=0.0, alternating=False):
    return dirac_step(theta, psi, learning_rate, -r1_weight, alternating)


def test_correct_answers_pass():
    assert lesson08.check_smoothed_discriminator_loss(smoothed_loss)
    assert lesson08.check_minibatch_features(minibatch_features)
    assert lesson08.check_dirac_step(dirac_step)


def test_the_reference_loss_is_the_trainers_for_one_sided_smoothing():
    real, fake = np.random.default_rng(1).normal(size=(2, 9, 1))
    for label in (1.0, 0.9, 0.75):
        expected = losses.discriminator_loss(real, fake, label)
        assert np.isclose(lesson08._smoothed_loss(real, fake, label), expected)


def test_classic_mistakes_fail_with_a_hint():
    for check, wrong in ((lesson08.check_smoothed_discriminator_loss, smoothed_loss_naive_logs),
                         (lesson08.check_smoothed_discriminator_loss, smoothed_loss_ignoring_the_fake_label),
                         (lesson08.check_minibatch_features, minibatch_features_without_self),
                         (lesson08.check_minibatch_features, minibatch_features_l2),
                         (lesson08.check_dirac_step, dirac_step_with_old_psi),
                         (lesson08.check_dirac_step, dirac_step_penalty_wrong_sign)):
        result = check(wrong)
        assert not result, wrong.__name__
        assert "Hint:" in result.message, wrong.__name__


def test_an_unfinished_exercise_says_so():
    def stub(*args):
        raise NotImplementedError

    result = lesson08.check_dirac_step(stub)
    assert not result and "not done yet" in result.message
