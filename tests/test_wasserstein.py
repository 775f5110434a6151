"""Lesson 07's theory and critic tools: the separated pair against its closed forms, the critic
estimate of known critics, exact W1 of shifted samples, WGAN configurations and their errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import game, mixtures, theory, toy_metrics, training, wasserstein


def _linear_critic(weights, bias=0.25):
    """f(x) = w . x + b: gradient w everywhere."""
    weights = np.asarray(weights, np.float32)
    layer = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(weights[:, None]),
                               bias_initializer=keras.initializers.Constant(bias))
    return keras.Sequential([keras.Input((len(weights),)), layer])


# ---- the separated pair ----------------------------------------------------------------------
def test_jsd_saturates_at_log_2_and_its_gradient_vanishes_while_w1_keeps_slope_one():
    scan = wasserstein.separated_pair([0.5, 2.0, 5.0, 10.0, 20.0])
    assert scan["jsd"][-1] == pytest.approx(theory.LOG_2, abs=1e-6)
    assert np.allclose(scan["criterion"], -theory.LOG_4 + 2 * scan["jsd"], atol=1e-6)  # C = -log 4 + 2 JSD
    gradients = scan["criterion_gradient"]
    assert np.all(np.diff(gradients[1:]) < 0)  # past mu ~ 1 the signal only shrinks
    assert gradients[1] > 0.1 and abs(gradients[3]) < 1e-4 and abs(gradients[4]) < 1e-9
    assert np.array_equal(scan["w1_gradient"], np.ones(5))
    assert np.allclose(scan["w1_quadrature"], [0.5, 2.0, 5.0, 10.0, 20.0], atol=1e-6)  # = |mu|


def test_w1_by_quadrature_of_the_cdfs_matches_a_width_change_and_a_mixture():
    # N(0, 1) vs N(0, 2^2): W1 = E|X| (2 - 1) = sqrt(2 / pi) (quantile coupling x -> 2x)
    assert wasserstein.w1_by_quadrature(theory.gaussian(0, 1), theory.gaussian(0, 2)) == pytest.approx(
        np.sqrt(2 / np.pi), abs=1e-6)
    mix = theory.mixture((0.5, -2, 0.5), (0.5, 2, 0.5))
    samples_a, samples_b = mix.sample(4000, 1), theory.gaussian(0, 1).sample(4000, 2)
    sampled = toy_metrics.wasserstein1(samples_a[:, None], samples_b[:, None])
    assert wasserstein.w1_by_quadrature(mix, theory.gaussian(0, 1)) == pytest.approx(sampled, abs=0.05)


def test_normal_cdf_is_a_cdf():
    values = wasserstein.normal_cdf(theory.mixture((0.3, -1, 0.5), (0.7, 2, 1)), [-50, 0.5, 50])
    assert values[0] == 0 and values[-1] == pytest.approx(1) and 0 < values[1] < 1


# ---- the critic -----------------------------------------------------------------------------
def test_a_unit_slope_linear_critic_estimates_the_mean_difference():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(300, 2)) + [3.0, 0.0], rng.normal(size=(200, 2))
    direction = np.array([0.6, 0.8])
    critic = _linear_critic(direction)
    expected = direction @ (real.mean(0) - fake.mean(0))
    assert wasserstein.critic_estimate(critic, real, fake) == pytest.approx(expected, rel=1e-5)
    assert np.allclose(wasserstein.gradient_norms(critic, real[:7]), 1.0, atol=1e-6)
    # a 1-Lipschitz critic never overestimates W1 (duality): here the gap is the transverse spread
    assert wasserstein.critic_estimate(critic, real, fake) <= toy_metrics.wasserstein1(real, fake) + 1e-9


def test_exact_w1_of_shifted_samples_is_the_shift():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(500, 2))
    shift = np.array([3.0, -4.0])  # |shift| = 5
    assert toy_metrics.wasserstein1(points, points + shift) == pytest.approx(5.0, abs=1e-9)
    independent = toy_metrics.wasserstein1(rng.normal(size=(1000, 1)), rng.normal(3.0, 1.0, size=(1000, 1)))
    assert independent == pytest.approx(3.0, abs=0.15)  # within sampling error of W1 = |mu|


def test_gradient_norms_surface_and_segments():
    critic = _linear_critic([1.0, 1.0])
    surface = wasserstein.surface(critic, (-1, 1), (-2, 2), resolution=9)
    assert surface["scores"].shape == surface["gradient_norms"].shape == (9, 9)
    assert np.allclose(surface["gradient_norms"], np.sqrt(2), atol=1e-6)
    # rows run along y: f = x + y grows by 4 (the y range) from the bottom row to the top
    assert surface["scores"][-1, 0] - surface["scores"][0, 0] == pytest.approx(4.0, rel=1e-5)
    norms = wasserstein.segment_gradient_norms(critic, np.zeros((5, 2)), np.ones((5, 2)))
    assert norms.shape == (5,) and np.allclose(norms, np.sqrt(2), atol=1e-6)


def test_weight_clipping_pins_weights_at_plus_minus_c():
    critic = wasserstein.mlp_critic(2, (32, 32), seed=3)
    assert wasserstein.share_at_clip(critic, 0.01) < 0.05  # Glorot weights spread far past 0.01
    game.WeightClipping(0.01).after_update(critic)
    values = wasserstein.weights(critic)
    assert np.abs(values).max() <= 0.01 + 1e-9
    # most Glorot weights exceed 0.01 (biases start at 0): clipping pins them all at +/- c
    kernels = np.concatenate([np.ravel(v) for v in critic.trainable_variables if len(v.shape) == 2])
    assert np.mean(np.abs(kernels) >= 0.0099) > 0.9
    assert wasserstein.share_at_clip(critic, 0.01) == pytest.approx(np.mean(np.abs(values) >= 0.0099))


def test_a_critic_with_a_sigmoid_is_refused():
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="no output activation"):
        wasserstein.check_critic(critic)
    wasserstein.check_critic(wasserstein.mlp_critic(2, (4,)))  # raw scores: fine


# ---- configurations ---------------------------------------------------------------------------
def test_wgan_configs_carry_the_papers_settings():
    penalty = wasserstein.wgan_config("penalty", penalty_weight=0.1, batch_size=64)
    assert (penalty.objective, penalty.d_steps, penalty.optimizer) == ("wasserstein", 5, "adam")
    assert (penalty.beta_1, penalty.beta_2, penalty.d_learning_rate) == (0.0, 0.9, 1e-4)
    assert penalty.batch_size == 64
    assert penalty.regularisers == (game.GradientPenalty(0.1, "uniform"),)
    clipping = wasserstein.wgan_config("clipping")
    assert (clipping.optimizer, clipping.d_learning_rate, clipping.g_learning_rate) == ("rmsprop", 5e-5, 5e-5)
    assert clipping.regularisers == (game.WeightClipping(0.01),)
    assert wasserstein.constraint_of(clipping) == "clipping"
    assert wasserstein.constraint_of(penalty) == "penalty"
    assert wasserstein.constraint_of(training.TrainConfig()) == "none"


@pytest.mark.parametrize("kwargs, message", [
    ({"penalty_weight": -1.0}, "lambda must be >= 0.*use 10 on images or 0.1"),
    ({"constraint": "clipping", "clip": 0.0}, "clip value c must be > 0.*0.01"),
    ({"constraint": "clipping", "clip": -0.01}, "clip value c must be > 0"),
    ({"critic_steps": 0}, "critic_steps must be an integer from 1 to 31.*use 5"),
    ({"critic_steps": 40}, "critic_steps must be an integer from 1 to 31"),
    ({"critic_steps": 2.5}, "critic_steps must be an integer"),
    ({"constraint": "spectral"}, "constraint must be 'penalty'"),
])
def test_bad_wgan_settings_raise_errors_that_name_the_fix(kwargs, message):
    with pytest.raises(ValueError, match=message):
        wasserstein.wgan_config(**kwargs)


def test_rmsprop_is_the_optimizer_of_a_clipping_wgan_and_adam_stays_the_default():
    sample_real = wasserstein.gaussian_sampler(3.0, 1.0)
    clipped = wasserstein.toy_trainer(sample_real, wasserstein.wgan_config("clipping", batch_size=16),
                                      data_dim=1, latent_dim=1, generator_hidden=(8,), critic_hidden=(8,))
    assert isinstance(clipped.d_optimizer, keras.optimizers.RMSprop)
    assert float(clipped.d_optimizer.rho) == pytest.approx(0.99)
    plain = wasserstein.toy_trainer(sample_real, training.TrainConfig(batch_size=16), data_dim=1,
                                    latent_dim=1, generator_hidden=(8,), critic_hidden=(8,))
    assert isinstance(plain.d_optimizer, keras.optimizers.Adam)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        training.TrainConfig(optimizer="sgd")


def test_a_batch_norm_critic_under_a_penalty_is_warned_about():
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4), keras.layers.BatchNormalization(),
                               keras.layers.Dense(1)])
    ring = mixtures.GaussianMixture2D.ring()
    with pytest.warns(UserWarning, match="layer normalisation or none"):
        training.Trainer(generator, critic, ring.sampler(), wasserstein.wgan_config(batch_size=8))


# ---- the estimate against exact W1 --------------------------------------------------------------
def test_the_critic_estimate_falls_with_the_exact_w1_during_training():
    sample_real = wasserstein.gaussian_sampler([3.0, 0.0], 1.0)  # a 2-D toy: no 1-D barrier
    config = wasserstein.wgan_config(penalty_weight=10.0, batch_size=64, seed=2, chunk_size=50, beta_1=0.5,
                                     d_learning_rate=2e-3, g_learning_rate=5e-4)
    track = wasserstein.estimate_tracker(sample_real, n=300)
    trainer = wasserstein.toy_trainer(sample_real, config, generator_hidden=(16, 16), critic_hidden=(32, 32),
                                      evaluate=track)
    trainer.train(250, evaluate_every=50)
    evaluations = trainer.history.evaluations
    reference = np.asarray(sample_real(tf.constant([777, 5], tf.int64), 300))
    last = evaluations[-1]
    generated = trainer.generate(300, seed=777)
    assert last["exact_w1"] == pytest.approx(toy_metrics.wasserstein1(reference, generated))  # same samples
    assert last["ratio"] == pytest.approx(last["critic_estimate"] / last["exact_w1"])
    assert evaluations[0]["exact_w1"] > 2.5 > 1.5 > evaluations[-1]["exact_w1"]  # G moved toward N((3, 0), I)
    assert abs(evaluations[0]["critic_estimate"]) < 0.5  # untrained: its estimate means nothing yet
    assert wasserstein.tracking_summary(evaluations, skip_first=True)["correlation"] > 0.9


def test_tracking_summary_of_a_proportional_estimate():
    evaluations = [{"critic_estimate": 0.5 * w, "exact_w1": w} for w in (4.0, 2.0, 1.0, 0.5)]
    summary = wasserstein.tracking_summary(evaluations)
    assert summary["correlation"] == pytest.approx(1.0) and summary["final_ratio"] == pytest.approx(0.5)
    assert wasserstein.tracking_summary(evaluations, skip_first=True)["evaluations"] == 3
    with pytest.raises(ValueError, match="at least 3 evaluations"):
        wasserstein.tracking_summary(evaluations[:2])


def test_networks_on_the_separated_pair_a_critic_grows_with_w1_a_discriminator_saturates():
    critic = wasserstein.fit_separated_pair(4.0, "wasserstein", dim=2, steps=200, seed=0)
    discriminator = wasserstein.fit_separated_pair(4.0, "non_saturating", dim=2, steps=200, seed=0)
    w1 = critic["exact_w1"]
    assert w1 == pytest.approx(4.0, abs=0.2)
    # the soft penalty's optimum: slope 1 + W1 / (2 lambda), lambda = 10
    assert critic["critic_estimate"] == pytest.approx(w1 * (1 + w1 / 20), rel=0.1)
    assert discriminator["jsd_estimate"] > 0.55  # log 2 = 0.693 is the ceiling
    assert abs(discriminator["generator_signal"]) < 0.5 < abs(critic["generator_signal"])
