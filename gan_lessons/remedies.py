"""Remedies for mode collapse: packing (PacGAN), minibatch standard deviation, WGAN-GP.

Packing and minibatch standard deviation are discriminator architectures: they let D see several
samples at once, so a generator that puts every sample on one mode is easy to reject. Both work
with the shared `training.Trainer` unchanged. WGAN-GP changes the losses: `WassersteinGPTrainer`.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from gan_lessons import models, training

REMEDIES = ("none", "packing", "minibatch_std", "wgan_gp")


class Pack(keras.layers.Layer):
    """(batch, d) -> (batch / pack, pack * d): consecutive groups of `pack` samples side by side."""

    def __init__(self, pack: int, **kwargs):
        super().__init__(**kwargs)
        if isinstance(pack, bool) or not isinstance(pack, int) or pack < 1:
            raise ValueError(f"pack must be a positive integer, got {pack!r}")
        self.pack = pack

    def call(self, samples):
        batch, width = samples.shape[0], samples.shape[-1]
        if batch is not None and batch % self.pack:
            raise ValueError(f"a packed discriminator needs a batch size divisible by pack="
                             f"{self.pack}, got {batch}; change batch_size or pack")
        if batch is None:
            tf.debugging.assert_equal(tf.shape(samples)[0] % self.pack, 0,
                                      message=f"batch size must be divisible by pack={self.pack}")
        return tf.reshape(samples, (-1, self.pack * width))

    def compute_output_shape(self, input_shape):
        batch = None if input_shape[0] is None else input_shape[0] // self.pack
        return (batch, self.pack * input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "pack": self.pack}


class MinibatchStdDev(keras.layers.Layer):
    """(batch, f) -> (batch, f + 1): appends the batch's standard deviation, averaged over the f
    features, as one more feature of every sample (0 when all samples in the batch are equal)."""

    def __init__(self, epsilon: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def call(self, features):
        variance = tf.reduce_mean(tf.square(features - tf.reduce_mean(features, 0)), 0)  # (f,)
        spread = tf.reduce_mean(tf.sqrt(variance + self.epsilon))
        column = tf.ones_like(features[:, :1]) * spread  # (batch, 1)
        return tf.concat([features, column], axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + 1)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


def _hidden_stack(h, hidden, seed, prefix="hidden"):
    for i, units in enumerate(hidden):
        h = models.dense(units, seed + i, f"{prefix}_{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"leaky_{prefix}_{i}")(h)
    return h


def packed_discriminator(pack: int = 4, input_dim: int = 2, hidden=(128, 128), seed: int = 100,
                         name: str = "packed_discriminator") -> keras.Model:
    """PacGAN's D: samples (batch, input_dim) -> logits (batch / pack, 1), one per pack of samples.

    The batch must be divisible by `pack`; the Trainer then uses it unchanged (losses average over
    the batch / pack logits)."""
    hidden = models.check_sizes("hidden", hidden)
    samples = keras.Input((input_dim,), name="samples")
    h = _hidden_stack(Pack(pack, name="pack")(samples), hidden, seed)
    logits = models.dense(1, seed + len(hidden), "logits")(h)
    return keras.Model(samples, logits, name=name)


def minibatch_std_discriminator(input_dim: int = 2, hidden=(128, 128), seed: int = 100,
                                name: str = "minibatch_std_discriminator") -> keras.Model:
    """D with a minibatch-standard-deviation feature before its last hidden layer:
    samples (batch, input_dim) -> logits (batch, 1). Its output for a sample depends on the batch."""
    hidden = models.check_sizes("hidden", hidden)
    samples = keras.Input((input_dim,), name="samples")
    h = _hidden_stack(samples, hidden[:-1], seed)
    h = MinibatchStdDev(name="minibatch_std")(h)
    h = _hidden_stack(h, hidden[-1:], seed + len(hidden) - 1, prefix="after_std")
    logits = models.dense(1, seed + len(hidden), "logits")(h)
    return keras.Model(samples, logits, name=name)


def pack_size(discriminator: keras.Model) -> int:
    """How many samples D scores together: `pack` for a packed D, else 1."""
    return next((layer.pack for layer in discriminator.layers if isinstance(layer, Pack)), 1)


def interpolate(real, fake, seed) -> tuple[tf.Tensor, tf.Tensor]:
    """Points on the segments real -> fake: (interpolates like real, alpha (batch, 1, ...)).

    alpha ~ U[0, 1], one per example (broadcast over the other axes), from the stateless seed (2,).
    """
    real = tf.convert_to_tensor(real, tf.float32)
    fake = tf.convert_to_tensor(fake, tf.float32)
    shape = tf.concat([tf.shape(real)[:1], tf.ones([tf.rank(real) - 1], tf.int32)], axis=0)
    alpha = tf.random.stateless_uniform(shape, seed, minval=0.0, maxval=1.0)
    return real + alpha * (fake - real), alpha


def gradient_penalty(critic, real, fake, seed) -> tf.Tensor:
    """WGAN-GP's penalty E[(||grad_x critic(x_hat)||_2 - 1)^2] at x_hat = real + alpha (fake - real),
    alpha ~ U[0, 1] per example. Any batch size; 0 for a critic with unit gradient norm everywhere."""
    interpolates, _ = interpolate(real, fake, seed)
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        scores = critic(interpolates, training=True)
    gradients = tape.gradient(scores, interpolates)
    axes = tf.range(1, tf.rank(gradients))
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=axes) + 1e-12)  # (batch,)
    return tf.reduce_mean(tf.square(norms - 1.0))


class WassersteinGPTrainer(training.Trainer):
    """WGAN-GP: the critic (D's logits, unbounded) minimises E[f(G(z))] - E[f(x)] + weight * GP;
    the generator minimises -E[f(G(z))]. History: d_loss, g_loss, gradient norms as usual;
    d_real / d_fake are the mean critic scores (not probabilities); gradient_penalty and
    wasserstein_estimate = E[f(x)] - E[f(G(z))]."""

    def __init__(self, *args, gp_weight: float = 10.0, **kwargs):
        if not gp_weight >= 0:
            raise ValueError(f"gp_weight must be >= 0, got {gp_weight!r}")
        self.gp_weight = float(gp_weight)
        super().__init__(*args, **kwargs)
        if self.features is not None:
            raise ValueError("WassersteinGPTrainer does not track features; use track_features=False")

    @property
    def metric_names(self) -> list[str]:
        return [*super().metric_names, "gradient_penalty", "wasserstein_estimate"]

    def _discriminator_update(self, step, i: int) -> dict:
        c = self.config
        real = self.sample_real(self._seed(step, 2 * i), c.batch_size)
        fake = self.generator(self.latent_vectors(c.batch_size, self._seed(step, 2 * i + 1)))
        # alpha's seed: the same (step, stream) as the noise, folded so it is a distinct stream
        alpha_seed = tf.random.experimental.stateless_fold_in(self._seed(step, 2 * i + 1), 7)
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            real_scores = self.discriminator(real, training=True)
            fake_scores = self.discriminator(fake, training=True)
            estimate = tf.reduce_mean(real_scores) - tf.reduce_mean(fake_scores)
            penalty = gradient_penalty(self.discriminator, real, fake, alpha_seed)
            loss = -estimate + self.gp_weight * penalty
        gradients = tape.gradient(loss, variables)
        self.d_optimizer.apply_gradients(zip(gradients, variables))
        return {
            "d_loss": loss,
            "d_real": tf.reduce_mean(real_scores),
            "d_fake": tf.reduce_mean(fake_scores),
            "d_grad_norm": tf.linalg.global_norm(gradients),
            "gradient_penalty": penalty,
            "wasserstein_estimate": estimate,
        }

    def _generator_update(self, step, generator_loss: str, capture: bool = False) -> dict:
        latent_vectors = self.latent_vectors(self.config.batch_size, self._seed(step, training._G_NOISE))
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            fake = self.generator(latent_vectors, training=True)
            loss = -tf.reduce_mean(self.discriminator(fake, training=True))
        gradients = tape.gradient(loss, variables)
        self.g_optimizer.apply_gradients(zip(gradients, variables))
        return {"g_loss": loss, "g_grad_norm": tf.linalg.global_norm(gradients)}

    def discriminate(self, samples):
        """The critic's raw scores f(x) for samples in training units: numpy (n,)."""
        scores = self.discriminator(tf.convert_to_tensor(samples, tf.float32), training=False)
        return scores.numpy()[:, 0]


def _minibatch_std_logits(discriminator, points, reference):
    """Logits of points (n, 2) with the minibatch-std feature taken from the `reference` batch."""
    layers = [layer for layer in discriminator.layers if not isinstance(layer, keras.layers.InputLayer)]
    position = next(i for i, layer in enumerate(layers) if isinstance(layer, MinibatchStdDev))
    h, r = points, reference
    for layer in layers[:position]:
        h, r = layer(h), layer(r)
    spread = layers[position](r)[0, -1]  # the reference batch's statistic
    h = tf.concat([h, tf.ones_like(h[:, :1]) * spread], axis=1)
    for layer in layers[position + 1:]:
        h = layer(h)
    return h


def point_logits(discriminator, points, reference, contexts: int = 8) -> tf.Tensor:
    """D's logit for each point (n, 2) on its own, in training units: float32 (n,).

    Remedy discriminators do not score a point alone: a packed D scores the point packed with
    pack - 1 samples of the `reference` batch (real data, (m, 2)), averaged over `contexts`
    packs and positions; a minibatch-std D scores it with the reference batch's spread."""
    points = tf.convert_to_tensor(points, tf.float32)
    reference = tf.convert_to_tensor(reference, tf.float32)
    if any(isinstance(layer, MinibatchStdDev) for layer in discriminator.layers):
        return _minibatch_std_logits(discriminator, points, reference)[:, 0]
    pack = pack_size(discriminator)
    if pack == 1:
        return discriminator(points, training=False)[:, 0]
    n, m = points.shape[0], reference.shape[0]
    rows = []  # one (n, pack, 2) block per context: the point at position c % pack
    for c in range(contexts):
        index = (c * (pack - 1) + tf.range(pack - 1)) % m
        companions = tf.broadcast_to(tf.gather(reference, index)[None], (n, pack - 1, 2))
        at = c % pack
        rows.append(tf.concat([companions[:, :at], points[:, None], companions[:, at:]], axis=1))
    packs = tf.reshape(tf.stack(rows, axis=1), (n * contexts * pack, 2))  # (n, contexts, pack, 2)
    logits = discriminator(packs, training=False)  # (n * contexts, 1)
    return tf.reduce_mean(tf.reshape(logits, (n, contexts)), axis=1)
