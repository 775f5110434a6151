"""Lesson 01's GAN in the idiom of Keras's own examples: a `keras.Model` whose `train_step` holds
the update and whose metrics are `keras.metrics.Mean` trackers, trained by `fit`.

It draws the same numbers as `training.Trainer` (non-saturating loss, one D update per G update):
the real batch of step t is sample_real((seed, 64 t)), D's noise (seed, 64 t + 1), G's noise
(seed, 64 t + 63), so the two give the same run for the same networks and seed.

    gan = keras_gan.GAN(generator, discriminator, seed=0)
    gan.compile(keras.optimizers.Adam(5e-4, 0.5), keras.optimizers.Adam(5e-4, 0.5))
    gan.fit(keras_gan.real_batches(sample_real, 256, seed=0, steps=1000), steps_per_execution=200)
"""

from __future__ import annotations

import keras
import tensorflow as tf

from gan_lessons import losses, training


def real_batches(sample_real, batch_size: int, seed: int, steps: int) -> tf.data.Dataset:
    """The Trainer's real batches as a dataset: element t is sample_real((seed, 64 t), batch_size)."""
    def batch(step):
        return sample_real(tf.stack([tf.constant(seed, tf.int64), step * training.STREAMS]), batch_size)

    return tf.data.Dataset.range(steps).map(batch)


class GAN(keras.Model):
    """generator: latent (batch, latent_dim) -> samples; discriminator: samples -> logits (batch, 1)."""

    def __init__(self, generator: keras.Model, discriminator: keras.Model, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator = generator, discriminator
        self.seed = seed
        self.latent_dim = generator.input_shape[-1]
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    @property
    def metrics(self):  # reset by fit at the start of every epoch
        return [self.d_loss_tracker, self.g_loss_tracker]

    def _latent_vectors(self, batch_size, stream):
        step = tf.cast(self.g_optimizer.iterations, tf.int64)  # one G update per step
        seed = tf.stack([tf.constant(self.seed, tf.int64), step * training.STREAMS + stream])
        return tf.random.stateless_normal((batch_size, self.latent_dim), seed)

    def train_step(self, real):
        batch_size = tf.shape(real)[0]
        # 1. the discriminator, with G held fixed
        fake = self.generator(self._latent_vectors(batch_size, 1), training=True)
        with tf.GradientTape() as tape:
            d_loss = losses.discriminator_loss(self.discriminator(real, training=True),
                                               self.discriminator(fake, training=True))
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, variables), variables))
        # 2. the generator, with D held fixed, on fresh noise
        latent_vectors = self._latent_vectors(batch_size, training.G_NOISE)
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(self.generator(latent_vectors, training=True), training=True)
            g_loss = losses.non_saturating_generator_loss(fake_logits)
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, variables), variables))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {m.name: m.result() for m in self.metrics}
