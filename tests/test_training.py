import logging
import re

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


def test_discriminator_step_trains_on_the_batch_of_the_steps_first_d_update():
    by_hand, trained = small_trainer(seed=5), small_trainer(seed=5)
    loss = by_hand.discriminator_step()["d_loss"]  # draw 0, the default: numbers as before
    trained.train(1, progress=False)
    assert loss == pytest.approx(trained.history["d_loss"][0], rel=1e-6)


def test_updates_by_hand_with_draw_none_see_a_fresh_batch_at_every_call_also_at_one_step():
    """The dashboard's "D only", clicked twice at one step, must not train on one batch twice."""
    clicked, replayed, own = small_trainer(seed=5), small_trainer(seed=5), small_trainer(seed=5)
    first = clicked.discriminator_step(draw=None)
    assert first["d_loss"] != own.discriminator_step()["d_loss"]  # not the step's own batch
    second = clicked.discriminator_step(draw=None)
    assert clicked.extra_draws == 2 and int(clicked.step.numpy()) == 0
    assert replayed.discriminator_step(draw=1) == first  # draw k is reproducible: no random state
    same_batch_again = replayed.discriminator_step(draw=1)
    assert second["d_loss"] != same_batch_again["d_loss"]  # the second click drew another batch
    g_first, g_second = clicked.generator_step(draw=None), clicked.generator_step(draw=None)
    assert clicked.extra_draws == 4 and g_first["g_loss"] != g_second["g_loss"]
    with pytest.raises(ValueError, match="draw must be a non-negative integer"):
        clicked.discriminator_step(draw=-1)


def test_six_fresh_trainers_as_six_resets_make_log_no_retracing_warning(monkeypatch):
    """A dashboard's Reset builds a new trainer, which traces its own functions: no tf.function
    retracing warning in the notebook for that (each trainer traces each function once)."""
    from tensorflow.python.eager.polymorphic_function import polymorphic_function

    # a fresh call counter: TensorFlow warns at most twice per code line in a process, so earlier
    # tests could have used up the warnings this test looks for
    monkeypatch.setattr(polymorphic_function, "_frequent_tracing_detector_manager",
                        polymorphic_function._FrequentTracingDetectorManager())
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    try:
        for _ in range(6):
            trainer = recipes.curve_trainer(hidden=(8,), batch_size=16, eval_samples=50)
            trainer.discriminator_step(draw=None)  # "D only", then "G only", then "both"
            trainer.generator_step(draw=None)
            trainer.train(1, progress=False)
            trainer.step_with_features()
    finally:
        logger.removeHandler(handler)
    assert not [r.getMessage() for r in records if "retracing" in r.getMessage()]


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
             for step in range(5) for stream in range(training.STREAMS)}
    assert len(seeds) == 5 * training.STREAMS
    d_noise = trainer.latent_vectors(8, trainer._seed(tf.constant(0, tf.int64), 1))
    g_noise = trainer.latent_vectors(8, trainer._seed(tf.constant(0, tf.int64), training.G_NOISE))
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
        return tf.where(seed[1] // training.STREAMS >= 7, batch * np.nan, batch)

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
    ({"d_steps": 2.5}, "d_steps must be an integer"),
    ({"d_learning_rate": 3.0}, r"d_learning_rate must be a number in \(0, 1\)"),
    ({"objective": "wgan"}, "objective must be one of"),
    ({"seed": -1}, "seed must be an integer in"),
    ({"d_steps": 40}, r"d_steps must be an integer in \[1, 31\]"),
    ({"regularisers": ("gp",)}, "regularisers must be game.GradientPenalty"),
    ({"real_label": 0.9, "objective": "hinge"}, "hinge objective has no labels"),
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
    trainer.set_objective("minimax")
    trainer.train(10)
    # minimax G loss is E[log(1 - D(G(z)))] < 0; non-saturating is -E[log D(G(z))] > 0
    assert np.all(trainer.history["g_loss"] < 0)
    with pytest.raises(ValueError):
        trainer.set_objective("nope")


# ---- the holes the old trainers had -----------------------------------------------------------
def _poisoned_sampler(from_step):
    curve = toy.QuadraticCurve()
    good = toy.curve_sampler(curve, curve.scaler())

    def poisoned(seed, batch_size):  # real data turns NaN from `from_step` on
        batch = good(seed, batch_size)
        return tf.where(seed[1] // training.STREAMS >= from_step, batch * np.nan, batch)

    return poisoned


def test_single_updates_roll_back_and_stop_on_nan():
    trainer = training.Trainer(models.mlp_generator(hidden=(8,)), models.mlp_discriminator(hidden=(8,)),
                               _poisoned_sampler(3), training.TrainConfig(batch_size=16))
    trainer.step.assign(3)
    before = weights(trainer.discriminator)
    with pytest.raises(training.TrainingDiverged, match="NaN at step 3"):
        trainer.discriminator_step()
    assert same(before, weights(trainer.discriminator))


def test_step_with_features_rolls_back_what_it_broke():
    trainer = recipes.curve_trainer(hidden=(8,), batch_size=16)
    trainer.sample_real = _poisoned_sampler(1)
    trainer.step_with_features()
    before = weights(trainer.generator) + weights(trainer.discriminator)
    with pytest.raises(training.TrainingDiverged, match="NaN at step 1; .* rolled back to step 1"):
        trainer.step_with_features()
    assert same(before, weights(trainer.generator) + weights(trainer.discriminator))
    assert len(trainer.history) == 1 and int(trainer.step.numpy()) == 1


def _trainer_on(sample_real, batch_size=16):
    return training.Trainer(models.mlp_generator(hidden=(8,)), models.mlp_discriminator(hidden=(8,)),
                            sample_real, training.TrainConfig(batch_size=batch_size))


def test_a_sampler_that_ignores_its_seed_is_refused_before_training_on_one_frozen_batch():
    rng = np.random.default_rng(0)
    trainer = _trainer_on(lambda seed, n: rng.normal(size=(n, 2)).astype(np.float32))
    with pytest.raises(ValueError, match="same batch for two different seeds.*one frozen batch"):
        trainer.train(5)
    assert len(trainer.history) == 0


def test_a_sampler_with_a_global_random_state_is_refused():
    trainer = _trainer_on(lambda seed, n: tf.random.normal((n, 2)))
    with pytest.raises(ValueError, match="different batches for the same seed"):
        trainer.generator_step()


def test_a_sampler_that_branches_on_a_tensor_in_python_is_told_to_use_tf_where():
    def sample_real(seed, n):
        batch = tf.random.stateless_normal((n, 2), seed)
        if tf.reduce_mean(batch) > 0:  # a Python `if` on a tensor: the compiled loop cannot run it
            batch = -batch
        return batch

    trainer = _trainer_on(sample_real)
    with pytest.raises(ValueError, match=r"Python `if` or `while` on a tensor.*tf\.where or tf\.cond"):
        trainer.train(1)
    assert len(trainer.history) == 0


@pytest.mark.parametrize("shape", [(15, 2), (16, 3), (16,)])
def test_a_batch_of_the_wrong_shape_is_named(shape):
    trainer = _trainer_on(lambda seed, n: tf.random.stateless_normal(shape, seed))
    with pytest.raises(ValueError, match=rf"shape {re.escape(str(shape))}.*needs \(16, 2\)"):
        trainer.train(1)


def test_a_generator_that_does_not_fit_the_discriminator_is_named():
    with pytest.raises(ValueError, match=r"samples of shape \(3,\) but the discriminator takes \(2,\)"):
        training.Trainer(models.mlp_generator(output_dim=3), models.mlp_discriminator(),
                         toy.curve_sampler(toy.QuadraticCurve(), toy.QuadraticCurve().scaler()))


def test_numpy_scalars_are_accepted_wherever_python_numbers_are():
    config = training.TrainConfig(d_learning_rate=np.float32(1e-3), batch_size=np.int64(32),
                                  seed=np.int32(3), beta_1=np.float64(0.5))
    assert type(config.d_learning_rate) is float and type(config.batch_size) is int
    trainer = small_trainer()
    trainer.train(np.int64(10), evaluate_every=None)
    assert len(trainer.history) == 10
    with pytest.raises(ValueError, match="steps must be an integer"):
        trainer.train(True)


def test_hooks_run_after_every_chunk_and_finish_at_the_end():
    trainer = small_trainer(chunk_size=10)
    calls = []

    class Hook:
        def __call__(self, t):
            calls.append(int(t.step.numpy()))

        def finish(self, t):
            calls.append("finish")

    trainer.hooks.append(Hook())
    trainer.train(25)
    assert calls == [10, 20, 25, "finish"]


def test_xla_is_opt_in_and_deterministic():
    first, second = small_trainer(seed=1, jit_compile=True), small_trainer(seed=1, jit_compile=True)
    first.train(120)
    second.train(120)
    assert np.array_equal(first.history["d_loss"], second.history["d_loss"])
    assert same(weights(first.generator), weights(second.generator))
    plain = small_trainer(seed=1)
    plain.train(120)
    # XLA draws stateless random numbers with its own kernels: another draw of the same game, not
    # the same bits. Both start at D's chance level, -2 log(1/2) = 1.386, and stay near it.
    for history in (first.history, plain.history):
        assert abs(history["d_loss"][0] - np.log(4)) < 0.05
        assert np.all(np.isfinite(history["d_loss"])) and abs(np.mean(history["d_loss"]) - np.log(4)) < 0.2
    assert not np.array_equal(first.history["d_loss"], plain.history["d_loss"])


# ---- reconfigure: a dashboard's switches mid-run (lesson 08) --------------------------------------
def test_reconfigure_without_a_change_continues_the_run_bit_for_bit():
    straight, paused = small_trainer(seed=4), small_trainer(seed=4)
    straight.train(20, progress=False)
    paused.train(10, progress=False)
    paused.reconfigure(d_steps=1)  # the same pieces, the update traced again
    paused.train(10, progress=False)
    for name in ("d_loss", "g_loss"):
        np.testing.assert_array_equal(straight.history[name], paused.history[name])
    assert same(weights(straight.generator), weights(paused.generator))


def test_reconfigure_switches_pieces_from_the_next_step_and_keeps_the_run():
    from gan_lessons import game

    trainer = small_trainer()
    trainer.train(5, progress=False)
    before = int(trainer.d_optimizer.iterations.numpy())
    trainer.reconfigure(d_steps=3, regularisers=(game.R1(1.0),), real_label=0.9, d_learning_rate=2e-3)
    trainer.train(2, progress=False)
    assert int(trainer.d_optimizer.iterations.numpy()) - before == 6  # k = 3 D updates per step
    assert int(trainer.step.numpy()) == 7 and len(trainer.history) == 7
    penalty = trainer.history["r1_penalty"]
    assert np.isnan(penalty[:5]).all() and np.isfinite(penalty[5:]).all()
    assert trainer.objective.real_label == 0.9
    assert float(trainer.d_optimizer.learning_rate.numpy()) == pytest.approx(2e-3)
    trainer.reconfigure(regularisers=())
    trainer.train(1, progress=False)
    assert np.isnan(trainer.history["r1_penalty"][-1])


def test_reconfigure_refuses_what_defines_the_run():
    trainer = small_trainer()
    with pytest.raises(ValueError, match="build a new Trainer"):
        trainer.reconfigure(batch_size=32)
    with pytest.raises(ValueError, match="d_steps"):
        trainer.reconfigure(d_steps=0)
    assert trainer.config.d_steps == 1  # a refused change leaves the trainer as it was
