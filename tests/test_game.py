"""The pieces of the one update: objectives against their closed forms, the regularisers, instance
noise, and the trainer composing them (WGAN-GP, R1, clipping, feature matching, a conditional GAN)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import game, mixtures, models, training

RING = mixtures.GaussianMixture2D.ring()
LOGITS = tf.constant([[-3.0], [-0.5], [0.0], [1.5], [4.0]])


def _samples(n, seed=0, d=2):
    return tf.constant(np.random.default_rng(seed).standard_normal((n, d)), tf.float32)


def _sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, np.float64)))


# ---- objectives ----------------------------------------------------------------------------------
def test_objectives_match_their_closed_forms():
    real, fake = LOGITS, LOGITS[::-1] * 0.5
    r, f = real.numpy()[:, 0].astype(np.float64), fake.numpy()[:, 0].astype(np.float64)
    expected = {  # (D loss, G loss)
        "non_saturating": (-np.mean(np.log(_sigmoid(r))) - np.mean(np.log(1 - _sigmoid(f))),
                           -np.mean(np.log(_sigmoid(f)))),
        "minimax": (-np.mean(np.log(_sigmoid(r))) - np.mean(np.log(1 - _sigmoid(f))),
                    np.mean(np.log(1 - _sigmoid(f)))),
        "least_squares": (0.5 * (np.mean((r - 1) ** 2) + np.mean(f ** 2)), 0.5 * np.mean((f - 1) ** 2)),
        "hinge": (np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f)), -np.mean(f)),
        "wasserstein": (-(np.mean(r) - np.mean(f)), -np.mean(f)),
    }
    assert set(expected) == set(game.OBJECTIVES)
    for name, (d_loss, g_loss) in expected.items():
        objective = game.objective(name)
        assert float(objective.discriminator_loss(real, fake)) == pytest.approx(d_loss, rel=1e-5), name
        assert float(objective.generator_loss(fake)) == pytest.approx(g_loss, rel=1e-5), name


def test_label_smoothing_belongs_to_the_cross_entropy_objectives_only():
    smoothed = game.objective("non_saturating", 0.9)
    d = _sigmoid(LOGITS.numpy()[:, 0])
    expected = -np.mean(0.9 * np.log(d) + 0.1 * np.log(1 - d)) - np.mean(np.log(1 - d))
    assert float(smoothed.discriminator_loss(LOGITS, LOGITS)) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="wasserstein objective has no labels"):
        game.objective("wasserstein", 0.9)
    with pytest.raises(ValueError, match="objective must be one of"):
        game.objective("wgan")


# ---- regularisers and instance noise -------------------------------------------------------------
def test_r1_is_half_the_mean_squared_gradient_norm_on_real_data():
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(
        lambda x: 0.5 * tf.reduce_sum(x * x, axis=1, keepdims=True))])  # gradient x
    real = _samples(11, 4)
    expected = 0.5 * np.mean(np.sum(real.numpy() ** 2, axis=1))
    assert float(game.R1(10.0).penalty(critic, real, None, None)) == pytest.approx(expected, rel=1e-4)


def test_weight_clipping_pins_every_weight_of_the_critic_to_plus_minus_c():
    critic = models.mlp_discriminator(hidden=(16,), feature_dim=None, seed=3)
    for variable in critic.trainable_variables:
        variable.assign(variable * 100)
    game.WeightClipping(0.01).after_update(critic)
    weights = np.concatenate([w.ravel() for w in critic.get_weights()])
    assert np.abs(weights).max() == pytest.approx(0.01)
    assert np.mean(np.isclose(np.abs(weights), 0.01)) > 0.5  # most sit at the bound


def test_instance_noise_is_annealed_to_zero():
    noise = game.InstanceNoise(std=0.5, anneal_steps=100)
    samples, seed = tf.zeros((4000, 2)), tf.constant([1, 2], tf.int64)
    assert float(tf.math.reduce_std(noise(samples, 0, seed))) == pytest.approx(0.5, rel=0.05)
    assert float(tf.math.reduce_std(noise(samples, 50, seed))) == pytest.approx(0.25, rel=0.05)
    for after in (100, 900):
        assert np.array_equal(noise(samples, after, seed), samples)


@pytest.mark.parametrize("piece, match", [
    (lambda: game.GradientPenalty(-1.0), "lambda"), (lambda: game.WeightClipping(0.0), "clip"),
    (lambda: game.R1("big"), "R1 weight"), (lambda: game.InstanceNoise(0.1, 0), "anneal_steps"),
    (lambda: game.GradientPenalty(10, alpha="gauss"), "alpha must be one of")])
def test_bad_pieces_are_clear_errors(piece, match):
    with pytest.raises(ValueError, match=match):
        piece()


# ---- the gradient penalty and WGAN-GP -------------------------------------------------------------
@pytest.mark.parametrize("batch", [1, 7, 33])
def test_alpha_is_uniform_in_0_1_one_per_example_for_any_batch(batch):
    real, fake = _samples(batch, 1), _samples(batch, 2)
    interpolates, alpha = game.interpolate(real, fake, tf.constant([3, 4], tf.int64))
    assert alpha.shape == (batch, 1)
    assert np.all((alpha.numpy() >= 0) & (alpha.numpy() <= 1))
    np.testing.assert_allclose(interpolates, real + alpha * (fake - real), rtol=1e-6)
    if batch > 1:
        assert len(np.unique(alpha.numpy())) == batch


def test_alpha_broadcasts_over_image_axes():
    real, fake = tf.zeros((5, 4, 4, 1)), tf.ones((5, 4, 4, 1))
    interpolates, alpha = game.interpolate(real, fake, tf.constant([0, 1], tf.int64))
    assert alpha.shape == (5, 1, 1, 1)
    for i in range(5):  # every pixel of an example shares its alpha
        np.testing.assert_allclose(interpolates[i], alpha[i, 0, 0, 0].numpy())


def _linear_critic(weights):
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=True)])
    critic.layers[0].set_weights([np.array(weights, np.float32).reshape(2, 1), np.array([0.3])])
    return critic


@pytest.mark.parametrize("batch", [1, 5, 64])
def test_gradient_penalty_of_unit_norm_linear_critic_is_zero(batch):
    critic = _linear_critic([0.6, 0.8])  # |grad| = 1 everywhere
    penalty = game.gradient_penalty(critic, _samples(batch, 1), _samples(batch, 2),
                                        tf.constant([0, 0], tf.int64))
    assert float(penalty) == pytest.approx(0.0, abs=1e-6)
    steep = _linear_critic([1.2, 1.6])  # |grad| = 2: penalty (2 - 1)^2 = 1
    assert float(game.gradient_penalty(steep, _samples(batch, 1), _samples(batch, 2),
                                           tf.constant([0, 0], tf.int64))) == pytest.approx(1.0)


def test_gradient_penalty_is_taken_at_per_example_interpolates():
    # critic 0.5 |x|^2 has gradient x: from real = 0 to fake = v, |grad| = alpha |v|
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(
        lambda x: 0.5 * tf.reduce_sum(x * x, axis=1, keepdims=True))])
    real, fake, seed = tf.zeros((9, 2)), _samples(9, 3) * 3, tf.constant([7, 8], tf.int64)
    _, alpha = game.interpolate(real, fake, seed)
    expected = np.mean((alpha.numpy()[:, 0] * np.linalg.norm(fake.numpy(), axis=1) - 1) ** 2)
    assert float(game.gradient_penalty(critic, real, fake, seed)) == pytest.approx(expected, rel=1e-4)


def _wgan_trainer(seed=0):
    generator = models.mlp_generator(hidden=(16,), seed=1)
    critic = models.mlp_discriminator(hidden=(16,), feature_dim=None, seed=2)
    config = training.TrainConfig(batch_size=33, d_steps=2, chunk_size=4, seed=seed, objective="wasserstein",
                                  regularisers=(game.GradientPenalty(10.0),))
    return training.Trainer(generator, critic, RING.sampler(), config)


def test_wgan_gp_trainer_records_penalty_and_estimate_and_is_reproducible():
    first, second = _wgan_trainer(), _wgan_trainer()
    h1, h2 = first.train(4, progress=False), second.train(4, progress=False)
    for name in ("gradient_penalty", "wasserstein_estimate", "d_loss", "g_loss"):
        assert np.all(np.isfinite(h1[name]))
        np.testing.assert_array_equal(h1[name], h2[name])
    # with 2 critic steps per generator step, d_loss is the mean of -estimate + 10 * penalty
    assert np.all(h1["gradient_penalty"] >= 0)


def test_wgan_gp_critic_step_leaves_the_generator_unchanged():
    trainer = _wgan_trainer()
    before = [w.numpy().copy() for w in trainer.generator.trainable_variables]
    critic_before = [w.numpy().copy() for w in trainer.discriminator.trainable_variables]
    metrics = trainer.discriminator_step()
    assert metrics["d_loss"] == pytest.approx(-metrics["wasserstein_estimate"]
                                              + 10 * metrics["gradient_penalty"], rel=1e-5)
    for b, w in zip(before, trainer.generator.trainable_variables):
        np.testing.assert_array_equal(b, w.numpy())
    assert any(not np.array_equal(b, w.numpy())
               for b, w in zip(critic_before, trainer.discriminator.trainable_variables))


# ---- the trainer composing the pieces ------------------------------------------------------------
def _trainer(seed=0, **config):
    settings = {"batch_size": 32, "chunk_size": 5, "seed": seed, **config}
    return training.Trainer(models.mlp_generator(hidden=(16,), seed=1),
                            models.mlp_discriminator(hidden=(16,), seed=2), RING.sampler(),
                            training.TrainConfig(**settings))


def test_weight_clipping_holds_the_critic_inside_the_box_all_run():
    trainer = _trainer(objective="wasserstein", d_steps=5, regularisers=(game.WeightClipping(0.01),))
    trainer.train(10)
    weights = np.concatenate([w.ravel() for w in trainer.discriminator.get_weights()])
    assert np.abs(weights).max() <= 0.01 + 1e-9
    assert "weight_clipping" not in trainer.history.metrics
    assert "wasserstein_estimate" in trainer.history.metrics


def test_r1_adds_its_weighted_penalty_to_the_discriminator_loss():
    trainer = _trainer(regularisers=(game.R1(5.0),))
    plain = _trainer()
    with_r1, without = trainer.discriminator_step(), plain.discriminator_step()
    assert with_r1["r1_penalty"] > 0
    assert with_r1["d_loss"] == pytest.approx(without["d_loss"] + 5.0 * with_r1["r1_penalty"], rel=1e-5)


def test_zero_instance_noise_is_the_plain_game_bit_for_bit():
    noiseless, plain = _trainer(instance_noise=game.InstanceNoise(0.0, 10)), _trainer()
    noiseless.train(10)
    plain.train(10)
    assert np.array_equal(noiseless.history["d_loss"], plain.history["d_loss"])
    noisy = _trainer(instance_noise=game.InstanceNoise(0.5, 10))
    noisy.train(10)
    assert not np.array_equal(noisy.history["d_loss"], plain.history["d_loss"])


def test_feature_matching_loss_is_the_squared_distance_of_mean_features():
    trainer = _trainer(feature_matching="features")
    discriminator_before = [w.copy() for w in trainer.discriminator.get_weights()]
    extractor = models.feature_extractor(trainer.discriminator)
    step = tf.constant(0, tf.int64)
    real = trainer.sample_real(trainer._seed(step, training.G_REAL), 32)
    fake = trainer.generator(trainer.latent_vectors(32, trainer._seed(step, training.G_NOISE)))
    expected = np.sum((extractor(real).numpy().mean(0) - extractor(fake).numpy().mean(0)) ** 2)
    assert trainer.generator_step()["g_loss"] == pytest.approx(expected, rel=1e-4)
    after = trainer.discriminator.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(discriminator_before, after))


def test_a_penalty_on_a_batch_norm_critic_is_warned_about():
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8), keras.layers.BatchNormalization(),
                               keras.layers.Dense(1)])
    with pytest.warns(UserWarning, match="batch norm.*gradient penalty"):
        training.Trainer(models.mlp_generator(hidden=(8,)), critic, RING.sampler(),
                         training.TrainConfig(objective="wasserstein",
                                              regularisers=(game.GradientPenalty(),)))


# ---- a conditional GAN -------------------------------------------------------------------------
CLASSES = 3


def _conditional(width, inputs_dim, outputs_dim, name):
    inputs, labels = keras.Input((inputs_dim,)), keras.Input((), dtype="int32")
    joined = keras.layers.Concatenate()([inputs, keras.layers.CategoryEncoding(CLASSES, "one_hot")(labels)])
    hidden = keras.layers.Dense(width, activation="relu")(joined)
    return keras.Model([inputs, labels], keras.layers.Dense(outputs_dim)(hidden), name=name)


def _labelled_ring(seed, batch_size):  # class k: the ring's mode k
    points, components = RING.sample_with_components(batch_size, seed)
    return points, tf.cast(components % CLASSES, tf.int32)


def test_a_conditional_gan_gives_both_networks_the_labels():
    keras.utils.set_random_seed(0)
    generator, discriminator = _conditional(16, 2, 2, "generator"), _conditional(16, 2, 1, "discriminator")
    config = training.TrainConfig(batch_size=30, num_classes=CLASSES, chunk_size=5)
    trainer = training.Trainer(generator, discriminator, _labelled_ring, config)
    trainer.train(10)
    assert np.all(np.isfinite(trainer.history["d_loss"]))
    samples = trainer.generate(6, labels=[0, 1, 2, 2, 1, 0])
    assert samples.shape == (6, 2)
    np.testing.assert_array_equal(trainer.generate(3, seed=4), trainer.generate(3, seed=4, labels=[0, 1, 2]))
    with pytest.raises(ValueError, match=r"class indices in \[0, 2\]"):
        trainer.generate(2, labels=[0, 3])
    with pytest.raises(ValueError, match=r"integers of shape \(2,\)"):
        trainer.generate(2, labels=[0.5, 1.0])


def test_a_conditional_config_needs_conditional_models_and_labelled_batches():
    plain_g, plain_d = models.mlp_generator(hidden=(8,)), models.mlp_discriminator(hidden=(8,))
    with pytest.raises(ValueError, match=r"conditional GAN \(num_classes set\) needs \[inputs, labels\]"):
        training.Trainer(plain_g, plain_d, _labelled_ring, training.TrainConfig(num_classes=CLASSES))
    trainer = training.Trainer(_conditional(8, 2, 2, "g"), _conditional(8, 2, 1, "d"), RING.sampler(),
                               training.TrainConfig(batch_size=8, num_classes=CLASSES))
    with pytest.raises(ValueError, match=r"must return \(samples, labels\)"):
        trainer.train(1)


def test_instance_noise_switched_on_mid_run_anneals_from_its_start():
    noise = game.InstanceNoise(std=0.4, anneal_steps=100, start=500)
    scales = [float(noise.scale(tf.constant(s, tf.int64))) for s in (0, 499, 500, 550, 600, 900)]
    assert scales == pytest.approx([0.4, 0.4, 0.4, 0.2, 0.0, 0.0])
    plain = game.InstanceNoise(std=0.4, anneal_steps=100)
    for step in (0, 7, 50, 99, 150):  # start 0: the formula as it was, bit for bit
        progress = np.float32(step) / np.float32(100.0)
        expected = np.float32(0.4) * max(np.float32(0.0), np.float32(1.0) - progress)
        assert float(plain.scale(tf.constant(step, tf.int64))) == pytest.approx(float(expected), abs=0)
    with pytest.raises(ValueError, match="start"):
        game.InstanceNoise(start=-1)
