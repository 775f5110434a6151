"""Lesson 06's discriminator architectures against mode collapse: packing (PacGAN) and the
minibatch standard deviation, PacGAN's maxout discriminator, and how to score one point with them;
lesson 08's minibatch discrimination (Salimans et al. 2016).

Packing and the minibatch standard deviation let D see several samples at once, so a generator
that puts every sample on one mode is easy to reject. All train with `training.Trainer` unchanged.
WGAN-GP is not an architecture but an objective and a regulariser of the one trainer
(`game.Wasserstein`, `game.GradientPenalty`): lesson 07 trains it, lesson 06 leaves it out.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from gan_lessons import models

REMEDIES = ("none", "packing", "minibatch_std")  # lesson 06's; WGAN-GP is lesson 07's


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


def minibatch_features(features, tensor, kernels: int) -> tf.Tensor:
    """Salimans et al.'s minibatch discrimination features o (batch, kernels) of features f
    (batch, A), for a tensor T of shape (A, kernels * kernel_dim): M_i = f_i T as (kernels,
    kernel_dim), c_b(i, j) = exp(-||M_i,b - M_j,b||_1), o(x_i)_b = sum over the batch of c_b(i, j)
    (j = i included: it adds exp(0) = 1). Any batch size: one sample gives o = 1, n identical
    samples o = n."""
    features = tf.convert_to_tensor(features, tf.float32)
    matrices = tf.reshape(tf.matmul(features, tf.convert_to_tensor(tensor, tf.float32)),
                          (tf.shape(features)[0], kernels, -1))  # (batch, B, C)
    l1 = tf.reduce_sum(tf.abs(matrices[:, None] - matrices[None]), axis=-1)  # (batch, batch, B)
    return tf.reduce_sum(tf.exp(-l1), axis=1)  # (batch, B)


class MinibatchDiscrimination(keras.layers.Layer):
    """(batch, A) -> (batch, A + kernels): appends `minibatch_features` to each sample's features
    (Salimans et al. 2016), with a learned tensor T (A, kernels * kernel_dim), weights N(0, 0.05^2).
    Unlike the minibatch standard deviation (one statistic shared by the whole batch), each sample
    gets its own closeness to the others, per kernel. Its output depends on the batch: D must score
    whole batches of one kind (the Trainer's real and generated batches are)."""

    def __init__(self, kernels: int = 5, kernel_dim: int = 3, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.kernels, self.kernel_dim = models.check_sizes("kernels and kernel_dim", (kernels, kernel_dim))
        self.seed = seed

    def build(self, input_shape):
        self.tensor = self.add_weight(
            shape=(input_shape[-1], self.kernels * self.kernel_dim), name="tensor",
            initializer=keras.initializers.RandomNormal(0.0, 0.05, self.seed))

    def call(self, features):
        return tf.concat([features, minibatch_features(features, self.tensor, self.kernels)], axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.kernels)

    def get_config(self):
        return {**super().get_config(), "kernels": self.kernels, "kernel_dim": self.kernel_dim,
                "seed": self.seed}


class Maxout(keras.layers.Layer):
    """(batch, d) -> (batch, units): each unit is the max of `pieces` affine functions of the input
    (Goodfellow et al. 2013): Dense(units * pieces), then the max over each unit's pieces.
    Weights N(0, 0.02^2), biases 0, as in PacGAN's code."""

    def __init__(self, units: int, pieces: int = 5, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        units, pieces = models.check_sizes("maxout units and pieces", (units, pieces))
        self.units, self.pieces, self.seed = units, pieces, seed
        self.linear = keras.layers.Dense(units * pieces, name="linear",
                                         kernel_initializer=keras.initializers.RandomNormal(0.0, 0.02, seed))

    def build(self, input_shape):
        self.linear.build(input_shape)

    def call(self, inputs):
        pieces = tf.reshape(self.linear(inputs), (-1, self.units, self.pieces))  # (batch, units, pieces)
        return tf.reduce_max(pieces, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "pieces": self.pieces, "seed": self.seed}


def maxout_discriminator(pack: int = 1, input_dim: int = 2, hidden=(200, 200, 200), pieces: int = 5,
                         seed: int = 100, name: str = "maxout_discriminator") -> keras.Model:
    """PacGAN's D for its 2-D toys (Table 1): samples (batch, input_dim) -> logits (batch / pack, 1).
    `pack` consecutive samples side by side (pack=1: the plain GAN's D), then maxout layers of
    `hidden` units with `pieces` pieces each, then one linear logit."""
    hidden = models.check_sizes("hidden", hidden)
    samples = keras.Input((input_dim,), name="samples")
    h = Pack(pack, name="pack")(samples)
    for i, units in enumerate(hidden):
        h = Maxout(units, pieces, seed + i, name=f"maxout_{i}")(h)
    init = keras.initializers.RandomNormal(0.0, 0.02, seed + len(hidden))
    logits = keras.layers.Dense(1, kernel_initializer=init, name="logits")(h)
    return keras.Model(samples, logits, name=name)


def batch_norm_generator(latent_dim: int = 2, output_dim: int = 2, hidden=(400, 400, 400, 400),
                         seed: int = 0, name: str = "batch_norm_generator") -> keras.Model:
    """PacGAN's G for its 2-D toys: latent (batch, latent_dim) -> samples (batch, output_dim) through
    `hidden` layers of Dense (no bias) -> batch norm -> ReLU, then a linear output."""
    hidden = models.check_sizes("hidden", hidden)
    latent_vectors = keras.Input((latent_dim,), name="latent_vectors")
    h = latent_vectors
    for i, units in enumerate(hidden):
        init = keras.initializers.RandomNormal(0.0, 0.02, seed + i)
        h = keras.layers.Dense(units, use_bias=False, kernel_initializer=init, name=f"hidden_{i}")(h)
        h = keras.layers.BatchNormalization(name=f"batch_norm_{i}")(h)
        h = keras.layers.ReLU(name=f"relu_{i}")(h)
    init = keras.initializers.RandomNormal(0.0, 0.02, seed + len(hidden))
    samples = keras.layers.Dense(output_dim, kernel_initializer=init, name="samples")(h)
    return keras.Model(latent_vectors, samples, name=name)


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


def minibatch_discrimination_discriminator(input_dim: int = 2, hidden=(128, 128), kernels: int = 5,
                                            kernel_dim: int = 3, seed: int = 100,
                                            name: str = "minibatch_discrimination_d") -> keras.Model:
    """models.mlp_discriminator's hidden layers (same names and initial weights for the same seed),
    then a MinibatchDiscrimination layer, then the logit: samples (batch, input_dim) -> (batch, 1)."""
    hidden = models.check_sizes("hidden", hidden)
    samples = keras.Input((input_dim,), name="samples")
    h = samples
    for i, units in enumerate(hidden):
        h = keras.layers.LeakyReLU(0.2, name=f"leaky_{i}")(models.dense(units, seed + i, f"hidden_{i}")(h))
    h = MinibatchDiscrimination(kernels, kernel_dim, seed + 50, name="minibatch_discrimination")(h)
    logits = models.dense(1, seed + len(hidden) + 1, "logits")(h)
    return keras.Model(samples, logits, name=name)


def pack_size(discriminator: keras.Model) -> int:
    """How many samples D scores together: `pack` for a packed D, else 1."""
    return next((layer.pack for layer in discriminator.layers if isinstance(layer, Pack)), 1)


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
