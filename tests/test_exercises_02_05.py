"""Lessons 02 and 05's exercise checks: a correct answer passes, a plausible wrong one fails with a
hint (the naive formulas fail on the edge cases), and an untouched stub reports "not done yet"."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import special

from gan_lessons import losses, theory
from gan_lessons.exercises import lesson02, lesson05


def _stub(*args):
    raise NotImplementedError


# ---- lesson 02 ---------------------------------------------------------------------------------
def student_optimal_discriminator(log_p_data, log_p_g):
    return special.expit(log_p_data - log_p_g)


def naive_optimal_discriminator(log_p_data, log_p_g):
    p_data, p_g = np.exp(log_p_data), np.exp(log_p_g)
    with np.errstate(all="ignore"):
        return p_data / (p_data + p_g)


def student_js_divergence(p, q, dx):
    m = (p + q) / 2
    with np.errstate(all="ignore"):
        return 0.5 * np.sum(special.xlogy(p, p) - special.xlogy(p, m)
                            + special.xlogy(q, q) - special.xlogy(q, m)) * dx


def naive_js_divergence(p, q, dx):
    m = (p + q) / 2
    with np.errstate(all="ignore"):
        return 0.5 * np.sum(p * np.log(p / m) + q * np.log(q / m)) * dx


def student_training_criterion(log_p_data, log_p_g, dx):
    logits = log_p_data - log_p_g
    return -np.sum(np.exp(log_p_data) * np.logaddexp(0, -logits)
                   + np.exp(log_p_g) * np.logaddexp(0, logits)) * dx


def naive_training_criterion(log_p_data, log_p_g, dx):
    d_star = naive_optimal_discriminator(log_p_data, log_p_g)
    with np.errstate(all="ignore"):
        return np.sum(np.exp(log_p_data) * np.log(d_star) + np.exp(log_p_g) * np.log(1 - d_star)) * dx


def student_minimising_mean(p_data, candidate_means, std):
    values = [theory.training_criterion(p_data, theory.gaussian(m, std)) for m in candidate_means]
    return candidate_means[np.argmin(values)]


def data_mean_guess(p_data, candidate_means, std):
    return candidate_means[np.argmin(np.abs(candidate_means - p_data.mean))]


LESSON_02 = [
    (lesson02.check_optimal_discriminator, student_optimal_discriminator,
     naive_optimal_discriminator, "not finite", "N(80, 1)"),
    (lesson02.check_optimal_discriminator, student_optimal_discriminator,
     lambda a, b: special.expit(b - a), "wrong", "9 points"),
    (lesson02.check_js_divergence, student_js_divergence, naive_js_divergence, "not finite",
     "disjoint supports"),
    (lesson02.check_js_divergence, student_js_divergence,
     lambda p, q, dx: np.sum(special.xlogy(p, p / q)) * dx, "wrong", "N(0, 1) vs N(1, 1)"),
    (lesson02.check_training_criterion, student_training_criterion, naive_training_criterion,
     "not finite", "N(30, 1)"),
    (lesson02.check_minimising_mean, student_minimising_mean, data_mean_guess, "wrong", "0.7 N(-2"),
]


def test_lesson02_two_mode_minimum_sits_on_the_heavier_mode_not_the_mean():
    candidates = np.round(np.linspace(-4, 4, 81), 10)
    p_data = theory.mixture((0.7, -2, 0.5), (0.3, 2, 0.5))
    best = lesson02.minimising_mean(p_data, candidates, 1.0)
    assert abs(p_data.mean - (-0.8)) < 1e-12 and best < -1.5  # JSD prefers a mode to the mean


# ---- lesson 05 ---------------------------------------------------------------------------------
def student_minimax_logit_gradient(fake_logits):
    fake_logits = tf.convert_to_tensor(fake_logits)
    with tf.GradientTape() as tape:
        tape.watch(fake_logits)
        loss = -tf.reduce_mean(tf.nn.softplus(fake_logits))
    return tape.gradient(loss, fake_logits)


def student_logit_gradient_ratio(d_fake):
    return np.sqrt(np.sum(d_fake**2) / np.sum((1 - d_fake) ** 2))


def student_generator_gradient_norm(generator, discriminator, latent_vectors, loss):
    with tf.GradientTape() as tape:
        value = losses.generator_loss(loss)(discriminator(generator(latent_vectors)))
    return tf.linalg.global_norm(tape.gradient(value, generator.trainable_variables))


def always_non_saturating(generator, discriminator, latent_vectors, loss):
    return student_generator_gradient_norm(generator, discriminator, latent_vectors, "non_saturating")


LESSON_05 = [
    (lesson05.check_minimax_logit_gradient, student_minimax_logit_gradient,
     lambda logits: -tf.sigmoid(logits), "wrong", "128 ordinary"),  # forgot to divide by batch
    (lesson05.check_minimax_logit_gradient, student_minimax_logit_gradient,
     lambda logits: -tf.sigmoid(-logits) / logits.shape[0], "wrong", "128"),  # non-saturating's
    (lesson05.check_logit_gradient_ratio, student_logit_gradient_ratio,
     lambda d: np.mean(d) / np.mean(1 - d), "wrong", "uniform"),
    (lesson05.check_generator_gradient_norm, student_generator_gradient_norm,
     always_non_saturating, "wrong", "minimax"),
]


@pytest.mark.parametrize("check, correct, wrong, problem, case", LESSON_02 + LESSON_05,
                         ids=lambda v: getattr(v, "__name__", None))
def test_checks_pass_correct_answers_and_explain_wrong_ones(check, correct, wrong, problem, case):
    assert check(correct).passed
    result = check(wrong)
    assert not result.passed
    assert problem in result.message and case in result.message and "Hint:" in result.message
    stub = check(_stub)
    assert not stub.passed and "not done yet" in stub.message


def test_lesson05_edge_cases_include_a_confident_discriminator_and_other_batch_sizes():
    descriptions = " ".join(c.description for c in lesson05.MINIMAX_LOGIT_GRADIENT.cases)
    assert "-40 and +40" in descriptions and "batch of 7" in descriptions
    logits = np.array([[-40.0], [40.0]], np.float32)
    gradient = lesson05.minimax_logit_gradient(logits)
    assert np.all(np.isfinite(gradient)) and gradient[1, 0] == pytest.approx(-0.5)


def test_minimax_gradient_norm_vanishes_against_a_confident_discriminator():
    cases = {c.description: c.args for c in lesson05._network_cases()}
    confident = [args for description, args in cases.items() if "confident" in description]
    norms = {args[3]: lesson05.generator_gradient_norm(*args) for args in confident}
    assert norms["minimax"] < 1e-9 < 1e-2 < norms["non_saturating"]
