import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import losses

LOGITS = tf.constant([[-3.0], [-0.5], [0.0], [1.5], [4.0]])


def _sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, np.float64)))


def test_softplus_forms_equal_the_textbook_formulas_for_moderate_logits():
    d = _sigmoid(LOGITS)
    expected_d = -np.mean(np.log(d)) - np.mean(np.log(1 - d[::-1]))
    assert np.isclose(losses.discriminator_loss(LOGITS, LOGITS[::-1]), expected_d, rtol=1e-6)
    assert np.isclose(losses.minimax_generator_loss(LOGITS), np.mean(np.log(1 - d)), rtol=1e-6)
    assert np.isclose(losses.non_saturating_generator_loss(LOGITS), -np.mean(np.log(d)), rtol=1e-6)


def test_undecided_discriminator_has_loss_log_4():
    zeros = tf.zeros((7, 1))
    assert np.isclose(losses.discriminator_loss(zeros, zeros), np.log(4.0), rtol=1e-6)


def test_confident_logits_give_finite_losses_where_the_naive_form_is_infinite():
    confident = tf.constant([[200.0], [-200.0]])
    naive = -tf.reduce_mean(tf.math.log(tf.sigmoid(-confident)))
    assert not np.isfinite(naive.numpy())
    for value in (losses.discriminator_loss(-confident, confident),
                  losses.minimax_generator_loss(confident),
                  losses.non_saturating_generator_loss(-confident)):
        assert np.isfinite(value.numpy()) and abs(value.numpy()) > 99


def test_generator_gradients_with_respect_to_the_logit():
    # minimax: d/dl mean(log(1 - sigmoid(l))) = -sigmoid(l)/n; non-saturating: -(1 - sigmoid(l))/n
    n = LOGITS.shape[0]
    for loss, expected in ((losses.minimax_generator_loss, -_sigmoid(LOGITS) / n),
                           (losses.non_saturating_generator_loss, -(1 - _sigmoid(LOGITS)) / n)):
        with tf.GradientTape() as tape:
            tape.watch(LOGITS)
            value = loss(LOGITS)
        np.testing.assert_allclose(tape.gradient(value, LOGITS).numpy(), expected, rtol=1e-5)


def test_minimax_gradient_vanishes_when_d_rejects_fakes_but_non_saturating_does_not():
    rejected = tf.fill((4, 1), -10.0)  # D(G(z)) ~ 4.5e-5
    grads = {}
    for name, loss in losses.GENERATOR_LOSSES.items():
        with tf.GradientTape() as tape:
            tape.watch(rejected)
            value = loss(rejected)
        grads[name] = np.abs(tape.gradient(value, rejected).numpy()).sum()
    assert grads["minimax"] < 1e-4 < 0.9 < grads["non_saturating"]


def test_label_smoothing_changes_only_the_real_term():
    real, fake = tf.constant([[2.0]]), tf.constant([[-1.0]])
    smoothed = losses.discriminator_loss(real, fake, real_label=0.9).numpy()
    expected = 0.9 * np.log1p(np.exp(-2.0)) + 0.1 * np.log1p(np.exp(2.0)) + np.log1p(np.exp(-1.0))
    assert np.isclose(smoothed, expected, rtol=1e-6)


def test_unknown_generator_loss_names_the_choices():
    with pytest.raises(ValueError, match="minimax.*non_saturating"):
        losses.generator_loss("wasserstein?")
