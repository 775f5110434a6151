"""The keras-io idiom (a keras.Model with train_step, trained by fit) runs the Trainer's game."""

import keras
import numpy as np
import pytest

from gan_lessons import keras_gan, models, toy, training

CURVE = toy.QuadraticCurve()
SAMPLE_REAL = toy.curve_sampler(CURVE, CURVE.scaler())
STEPS, BATCH, RATE = 24, 64, 1e-3


def networks():
    return models.mlp_generator(hidden=(16, 16), seed=0), models.mlp_discriminator(hidden=(16, 16), seed=1)


@pytest.fixture(scope="module")
def both():
    config = training.TrainConfig(batch_size=BATCH, d_learning_rate=RATE, g_learning_rate=RATE, seed=5,
                                  chunk_size=8)
    trainer = training.Trainer(*networks(), SAMPLE_REAL, config)
    trainer.train(STEPS)

    class PerStep(keras.callbacks.Callback):  # the trackers' running means, step by step
        def on_train_begin(self, logs=None):
            self.d_means = []

        def on_train_batch_end(self, batch, logs=None):
            self.d_means.append(float(logs["d_loss"]))

    gan = keras_gan.GAN(*networks(), seed=5)
    gan.compile(keras.optimizers.Adam(RATE, beta_1=0.5), keras.optimizers.Adam(RATE, beta_1=0.5))
    per_step = PerStep()
    history = gan.fit(keras_gan.real_batches(SAMPLE_REAL, BATCH, seed=5, steps=STEPS), epochs=1,
                      shuffle=False, verbose=0, callbacks=[per_step])
    return trainer, gan, history, per_step


def test_fit_gives_the_trainers_numbers_for_the_same_networks_seed_and_batches(both):
    trainer, gan, history, per_step = both
    running = np.cumsum(trainer.history["d_loss"]) / np.arange(1, STEPS + 1)
    np.testing.assert_allclose(per_step.d_means, running, rtol=1e-5)  # every one of the 24 steps
    assert history.history["g_loss"][-1] == pytest.approx(trainer.history["g_loss"].mean(), rel=1e-5)
    for ours, theirs in zip(gan.generator.get_weights(), trainer.generator.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)
    assert int(gan.g_optimizer.iterations.numpy()) == STEPS


def test_the_trackers_are_what_fit_resets_each_epoch(both):
    _, gan, _, _ = both
    assert [m.name for m in gan.metrics] == ["d_loss", "g_loss"]
    assert all(isinstance(m, keras.metrics.Mean) for m in gan.metrics)
