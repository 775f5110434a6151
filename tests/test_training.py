import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import models, recipes, toy, training


def small_trainer(seed=0, **config):
    curve = toy.QuadraticCurve()
    sample = toy.curve_sampler(curve, curve.scaler())
    settings = {"batch_size": 64, "chunk_size": 50, "seed": seed, **config}
    return training.Trainer(models.mlp_generator(hidden=(16, 16), seed=seed),
                            models.mlp_discriminator(hidden=(16, 16), seed=seed + 1),
                            sample, training.TrainConfig(**settings))


def weights(model):
    return [w.copy() for w in model.get_weights()]


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def test_discriminator_step_leaves_the_generator_unchanged():
    trainer = small_trainer()
    g, d = weights(trainer.generator), weights(trainer.discriminator)
    trainer.discriminator_step()
    assert same(g, weights(trainer.generator))
    assert not same(d, weights(trainer.discriminator))


def test_generator_step_leaves_the_discriminator_unchanged():
    trainer = small_trainer()
    g, d = weights(trainer.generator), weights(trainer.discriminator)
    trainer.generator_step()
    assert same(d, weights(trainer.discriminator))
    assert not same(g, weights(trainer.generator))


def test_same_seed_same_history_bit_for_bit():
    first, second = small_trainer(seed=3), small_trainer(seed=3)
    first.train(200)
    second.train(200)
    for name in first.metric_names:
        assert np.array_equal(first.history[name], second.history[name]), name
    assert same(weights(first.generator), weights(second.generator))


def test_other_seed_other_history():
    first, second = small_trainer(seed=3), small_trainer(seed=4)
    first.train(50)
    second.train(50)
    assert not np.array_equal(first.history["d_loss"], second.history["d_loss"])


def test_chunking_does_not_change_the_run():
    # Every draw is keyed by (seed, step): 4 calls of 50 steps equal 1 call of 200 in chunks of 30.
    whole, pieces = small_trainer(chunk_size=30), small_trainer(chunk_size=50)
    whole.train(200)
    for _ in range(4):
        pieces.train(50)
    assert np.array_equal(whole.history["g_loss"], pieces.history["g_loss"])
    assert whole.history.steps == list(range(200)) == pieces.history.steps


def test_k_discriminator_updates_per_generator_update():
    trainer = small_trainer(d_steps=3)
    trainer.train(20)
    assert int(trainer.d_optimizer.iterations.numpy()) == 60
    assert int(trainer.g_optimizer.iterations.numpy()) == 20


def test_every_update_draws_fresh_noise():
    trainer = small_trainer(d_steps=2)
    seeds = {tuple(trainer._seed(tf.constant(step, tf.int64), stream).numpy())
             for step in range(5) for stream in range(training._STREAMS)}
    assert len(seeds) == 5 * training._STREAMS
    d_noise = trainer.latent_vectors(8, trainer._seed(tf.constant(0, tf.int64), 1))
    g_noise = trainer.latent_vectors(8, trainer._seed(tf.constant(0, tf.int64), training._G_NOISE))
    assert not np.allclose(d_noise, g_noise)


def test_evaluations_recorded_at_the_interval():
    trainer = recipes.curve_trainer(hidden=(16, 16), batch_size=64, eval_samples=200)
    trainer.train(250, evaluate_every=100)
    assert [e["step"] for e in trainer.history.evaluations] == [0, 100, 200]
    assert all(e["w1"] > 0 and e["w1_floor"] > 0 for e in trainer.history.evaluations)


def test_divergence_stops_with_a_message_and_rolls_back_to_the_last_good_chunk():
    curve = toy.QuadraticCurve()
    good = toy.curve_sampler(curve, curve.scaler())

    def poisoned(seed, batch_size):  # real data turns NaN from step 7 on
        batch = good(seed, batch_size)
        return tf.where(seed[1] // training._STREAMS >= 7, batch * np.nan, batch)

    trainer = training.Trainer(models.mlp_generator(hidden=(8,)), models.mlp_discriminator(hidden=(8,)),
                               poisoned, training.TrainConfig(batch_size=16, chunk_size=5))
    with pytest.raises(training.TrainingDiverged, match="NaN at step 7.*rolled back to step 5"):
        trainer.train(20)
    assert len(trainer.history) == 5 and int(trainer.step.numpy()) == 5
    assert all(np.all(np.isfinite(w)) for w in trainer.discriminator.get_weights())


def test_feature_tracking_real_features_never_move_and_fakes_mostly_approach():
    trainer = recipes.curve_trainer(hidden=(32, 32), batch_size=128)
    trainer.train(600)
    assert trainer.history["real_feature_change"].max() == 0.0
    assert np.mean(trainer.history["centroid_shift"] > 0) > 0.5
    features = trainer.step_with_features()
    assert np.array_equal(features["real_before"], features["real_after"])
    assert len(trainer.history) == 601


@pytest.mark.parametrize("bad, match", [
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"d_steps": 2.5}, "d_steps must be a positive integer"),
    ({"d_learning_rate": 3.0}, r"d_learning_rate must be a number in \(0, 1\)"),
    ({"generator_loss": "wgan"}, "unknown generator loss"),
    ({"latent": "cauchy"}, "latent must be one of"),
])
def test_bad_config_is_a_clear_error(bad, match):
    with pytest.raises(ValueError, match=match):
        training.TrainConfig(**bad)


def test_bad_steps_and_missing_evaluator_are_clear_errors():
    trainer = small_trainer()
    with pytest.raises(ValueError, match="steps must be a non-negative integer"):
        trainer.train(-1)
    with pytest.raises(ValueError, match="evaluate="):
        trainer.train(10, evaluate_every=5)


def test_learning_rates_and_loss_can_change_mid_run():
    trainer = small_trainer()
    trainer.set_learning_rates(d=1e-4, g=2e-4)
    assert np.isclose(trainer.d_optimizer.learning_rate.numpy(), 1e-4)
    assert np.isclose(trainer.g_optimizer.learning_rate.numpy(), 2e-4)
    trainer.set_generator_loss("minimax")
    trainer.train(10)
    # minimax G loss is E[log(1 - D(G(z)))] < 0; non-saturating is -E[log D(G(z))] > 0
    assert np.all(trainer.history["g_loss"] < 0)
    with pytest.raises(ValueError):
        trainer.set_generator_loss("nope")
