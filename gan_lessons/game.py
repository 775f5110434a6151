"""The pieces one GAN update is made of (lessons 01-09): an objective, D's regularisers, a
transform of D's inputs. `training.Trainer` composes them; each is a small frozen dataclass.

- Objectives turn D's outputs on real and generated samples into each player's loss:
  non-saturating and minimax (from logits, D(x) = sigmoid(logit)), least squares, hinge and
  Wasserstein (from raw scores: D is a critic with no sigmoid).
- Regularisers act on D: a gradient penalty on interpolates (WGAN-GP), R1 on real data, weight
  clipping (the original WGAN's Lipschitz constraint, applied after each D update).
- InstanceNoise adds Gaussian noise to both of D's inputs, annealed to 0.

Packing and the minibatch standard deviation are D architectures (`remedies`), not pieces here:
a packed D takes the trainer's batches unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import tensorflow as tf

from gan_lessons import losses, validation


# ---- objectives -------------------------------------------------------------------------------
@dataclass(frozen=True)
class NonSaturating:
    """D: binary cross-entropy (real_label < 1 is one-sided label smoothing); G: -E[log D(G(z))]."""

    real_label: float = 1.0
    name: ClassVar[str] = "non_saturating"
    probabilities: ClassVar[bool] = True  # D's outputs are logits; d_real/d_fake record sigmoid means

    def __post_init__(self):
        validation.normalise(self, real_label=validation.number("real_label", self.real_label, 0.5, 1.0,
                                                                low_open=True))

    def discriminator_loss(self, real_out, fake_out):
        return losses.discriminator_loss(real_out, fake_out, self.real_label)

    def generator_loss(self, fake_out):
        return losses.non_saturating_generator_loss(fake_out)


@dataclass(frozen=True)
class Minimax(NonSaturating):
    """D: binary cross-entropy; G: E[log(1 - D(G(z)))], the zero-sum game of Goodfellow et al."""

    name: ClassVar[str] = "minimax"

    def generator_loss(self, fake_out):
        return losses.minimax_generator_loss(fake_out)


@dataclass(frozen=True)
class LeastSquares:
    """LSGAN (Mao et al. 2017, a=0, b=c=1): D: (E[(D(x) - 1)^2] + E[D(G(z))^2]) / 2;
    G: E[(D(G(z)) - 1)^2] / 2, on raw outputs."""

    name: ClassVar[str] = "least_squares"
    probabilities: ClassVar[bool] = False

    def discriminator_loss(self, real_out, fake_out):
        return 0.5 * (tf.reduce_mean(tf.square(real_out - 1.0)) + tf.reduce_mean(tf.square(fake_out)))

    def generator_loss(self, fake_out):
        return 0.5 * tf.reduce_mean(tf.square(fake_out - 1.0))


@dataclass(frozen=True)
class Hinge:
    """D: E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]; G: -E[D(G(z))] (SAGAN, BigGAN)."""

    name: ClassVar[str] = "hinge"
    probabilities: ClassVar[bool] = False

    def discriminator_loss(self, real_out, fake_out):
        return tf.reduce_mean(tf.nn.relu(1.0 - real_out)) + tf.reduce_mean(tf.nn.relu(1.0 + fake_out))

    def generator_loss(self, fake_out):
        return -tf.reduce_mean(fake_out)


@dataclass(frozen=True)
class Wasserstein:
    """The critic f maximises E[f(x)] - E[f(G(z))], the Wasserstein-1 estimate when f is
    1-Lipschitz (add a GradientPenalty or WeightClipping); G minimises -E[f(G(z))]."""

    name: ClassVar[str] = "wasserstein"
    probabilities: ClassVar[bool] = False

    def discriminator_loss(self, real_out, fake_out):
        return -(tf.reduce_mean(real_out) - tf.reduce_mean(fake_out))

    def generator_loss(self, fake_out):
        return -tf.reduce_mean(fake_out)


OBJECTIVES = {cls.name: cls for cls in (NonSaturating, Minimax, LeastSquares, Hinge, Wasserstein)}


def objective(name: str, real_label: float = 1.0):
    """The objective called `name` (a key of OBJECTIVES); real_label only for the two BCE ones."""
    validation.choice("objective", name, OBJECTIVES)
    if OBJECTIVES[name].probabilities:
        return OBJECTIVES[name](real_label)
    if validation.number("real_label", real_label) != 1.0:
        raise ValueError(f"real_label (label smoothing) is for the cross-entropy objectives; the {name} "
                         "objective has no labels: leave real_label at 1.0")
    return OBJECTIVES[name]()


# ---- regularisers of D ------------------------------------------------------------------------
def _input_gradient_norms(critic, points):
    """||d critic(x) / dx||_2 at each point: (batch,)."""
    with tf.GradientTape() as tape:
        tape.watch(points)
        scores = critic(points)
    gradients = tape.gradient(scores, points)
    axes = tf.range(1, tf.rank(gradients))
    return tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=axes) + 1e-12)


def interpolate(real, fake, seed, alpha: str = "uniform") -> tuple[tf.Tensor, tf.Tensor]:
    """Points on the segments real -> fake: (interpolates like real, alpha (batch, 1, ...)).

    alpha ~ U[0, 1], one per example (broadcast over the other axes), from the stateless seed (2,).
    alpha="normal" draws N(0, 1) instead: the bug a widely copied Keras example carried, which
    puts most "interpolates" off the segment (lesson 07 measures what it does)."""
    real = tf.convert_to_tensor(real, tf.float32)
    fake = tf.convert_to_tensor(fake, tf.float32)
    shape = tf.concat([tf.shape(real)[:1], tf.ones([tf.rank(real) - 1], tf.int32)], axis=0)
    if alpha == "normal":
        alphas = tf.random.stateless_normal(shape, seed)
    else:
        alphas = tf.random.stateless_uniform(shape, seed, minval=0.0, maxval=1.0)
    return real + alphas * (fake - real), alphas


def gradient_penalty(critic, real, fake, seed, alpha: str = "uniform") -> tf.Tensor:
    """WGAN-GP's E[(||grad_x critic(x_hat)||_2 - 1)^2] at x_hat = real + alpha (fake - real),
    one alpha ~ U[0, 1] per example. Any batch size; 0 for a critic of unit gradient norm."""
    interpolates, _ = interpolate(real, fake, seed, alpha)
    norms = _input_gradient_norms(lambda x: critic(x, training=True), interpolates)
    return tf.reduce_mean(tf.square(norms - 1.0))


@dataclass(frozen=True)
class GradientPenalty:
    """weight * E[(||grad f(x_hat)|| - 1)^2] on interpolates (Gulrajani et al. 2017: weight 10)."""

    weight: float = 10.0
    alpha: str = "uniform"
    name: ClassVar[str] = "gradient_penalty"

    def __post_init__(self):
        weight = validation.number("gradient penalty weight (lambda)", self.weight, 0)
        validation.normalise(self, weight=weight,
                             alpha=validation.choice("alpha", self.alpha, ("uniform", "normal")))

    def penalty(self, critic, real, fake, seed):
        return gradient_penalty(critic, real, fake, seed, self.alpha)


@dataclass(frozen=True)
class R1:
    """weight / 2 * E_real[||grad D(x)||^2] (Mescheder et al. 2018): D flat on the data."""

    weight: float = 10.0
    name: ClassVar[str] = "r1_penalty"

    def __post_init__(self):
        validation.normalise(self, weight=validation.number("R1 weight (gamma)", self.weight, 0))

    def penalty(self, critic, real, fake, seed):
        norms = _input_gradient_norms(lambda x: critic(x, training=True), tf.convert_to_tensor(real))
        return 0.5 * tf.reduce_mean(tf.square(norms))


@dataclass(frozen=True)
class WeightClipping:
    """Clip every trainable weight of D to [-clip, clip] after each D update (Arjovsky et al.
    2017: clip 0.01 with RMSProp). Adds nothing to the loss."""

    clip: float = 0.01
    name: ClassVar[str] = "weight_clipping"
    weight: ClassVar[float] = 0.0

    def __post_init__(self):
        validation.normalise(self, clip=validation.number("clip", self.clip, 0, low_open=True))

    def penalty(self, critic, real, fake, seed):
        return None

    def after_update(self, discriminator):
        for variable in discriminator.trainable_variables:
            variable.assign(tf.clip_by_value(variable, -self.clip, self.clip))


REGULARISERS = (GradientPenalty, R1, WeightClipping)


# ---- D's input transform ------------------------------------------------------------------------
@dataclass(frozen=True)
class InstanceNoise:
    """Gaussian noise of standard deviation std * max(0, 1 - (step - start) / anneal_steps) added to
    every input of D, real and generated alike (Sonderby et al. 2017; Arjovsky & Bottou 2017); the
    full std until step `start` (a noise switched on mid-run starts its anneal there)."""

    std: float = 0.1
    anneal_steps: int = 1000
    start: int = 0
    name: ClassVar[str] = "instance_noise"

    def __post_init__(self):
        validation.normalise(self, std=validation.number("instance noise std", self.std, 0),
                             anneal_steps=validation.positive_integer("anneal_steps", self.anneal_steps),
                             start=validation.integer("instance noise start (a step)", self.start, 0))

    def scale(self, step) -> tf.Tensor:
        if self.start:
            step = tf.maximum(tf.cast(step, tf.int64) - self.start, 0)
        progress = tf.cast(step, tf.float32) / float(self.anneal_steps)
        return self.std * tf.maximum(0.0, 1.0 - progress)

    def __call__(self, samples, step, seed) -> tf.Tensor:
        return samples + self.scale(step) * tf.random.stateless_normal(tf.shape(samples), seed)
