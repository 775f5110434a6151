"""Lesson 05's exercises: the minimax loss's gradient with respect to D's logits, the ratio of the
two losses' logit gradients for a batch of verdicts D(G(z)), and the generator's gradient norm
under either loss. Each `check_*` returns a Result."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from gan_lessons import loss_comparison, models, theory
from gan_lessons.checks import Case, Exercise, Result


def _logits(seed: int, batch: int, scale: float = 3.0) -> tf.Tensor:
    values = np.random.default_rng(seed).normal(size=(batch, 1)) * scale
    return tf.constant(values, tf.float32)


def _logit_cases() -> tuple[Case, ...]:
    return (
        Case("a batch of 128 ordinary logits", (_logits(5, 128),)),
        Case("a batch of 7 (not the lesson's batch size)", (_logits(6, 7),)),
        Case("a single sample", (_logits(7, 1),)),
        Case("a confident discriminator: logits -40 and +40",
             (tf.constant([[-40.0], [40.0], [-40.0], [40.0]]),)),
    )


def minimax_logit_gradient(fake_logits):
    """Reference: d minimax_loss / d fake_logits = -D(G(z)) / batch, shape (batch, 1)."""
    logits = np.asarray(fake_logits, np.float64)
    return theory.generator_cost_gradient("minimax", logits) / logits.shape[0]


def generator_gradient_norm(generator, discriminator, latent_vectors, loss):
    """Reference: the global norm of the generator loss's gradient w.r.t. G's weights."""
    return loss_comparison.generator_gradient_norm(generator, discriminator, latent_vectors, loss)


def logit_gradient_ratio(d_fake):
    """Reference: |d minimax / d logits| / |d non-saturating / d logits| = ||D|| / ||1 - D||
    for verdicts d_fake (batch,) in (0, 1)."""
    d_fake = np.asarray(d_fake, np.float64)
    return np.linalg.norm(d_fake) / np.linalg.norm(1.0 - d_fake)


def _verdict_cases() -> tuple[Case, ...]:
    rng = np.random.default_rng(11)
    return (
        Case("an undecided discriminator: D(G(z)) = 1/2 for all 128 fakes (ratio 1)", (np.full(128, 0.5),)),
        Case("128 verdicts uniform in (0, 1)", (rng.uniform(0.01, 0.99, 128),)),
        Case("a batch of 3 (not the lesson's batch size)", (np.array([0.2, 0.6, 0.05]),)),
        Case("a confident discriminator: D(G(z)) between 1e-7 and 1e-3", (10 ** rng.uniform(-7, -3, 64),)),
        Case("one fake fools D, the rest are rejected", (np.array([0.9] + [1e-4] * 63),)),
    )


def _network_cases() -> tuple[Case, ...]:
    generator = models.mlp_generator(hidden=(32, 32), seed=3)
    discriminator = models.mlp_discriminator(hidden=(32, 32), seed=1003)
    confident = models.mlp_discriminator(hidden=(32, 32), seed=1003, name="confident")
    kernel, bias = confident.get_layer("logits").get_weights()
    confident.get_layer("logits").set_weights([kernel, bias - 30.0])  # D(G(z)) ~ 1e-13
    latent = tf.random.stateless_normal((64, 2), seed=[5, 5])
    few = tf.random.stateless_normal((9, 2), seed=[5, 6])
    return (
        Case("64 latent vectors, minimax loss", (generator, discriminator, latent, "minimax")),
        Case("64 latent vectors, non-saturating loss",
             (generator, discriminator, latent, "non_saturating")),
        Case("a batch of 9, minimax loss", (generator, discriminator, few, "minimax")),
        Case("a confident discriminator (logits near -30), non-saturating loss",
             (generator, confident, latent, "non_saturating")),
        Case("a confident discriminator (logits near -30), minimax loss: the gradient vanishes",
             (generator, confident, latent, "minimax")),
    )


MINIMAX_LOGIT_GRADIENT = Exercise(
    "gradient of the minimax loss w.r.t. the logits", minimax_logit_gradient, _logit_cases(),
    hint="d/dl of -softplus(l) is -sigmoid(l) = -D(G(z)); the loss is a mean, so divide by the "
         "batch size. Shape (batch, 1). (tf.GradientTape on your loss gives the same.)",
    rtol=1e-5, atol=1e-9)

LOGIT_GRADIENT_RATIO = Exercise(
    "ratio of the logit gradients", logit_gradient_ratio, _verdict_cases(),
    hint="per fake, d minimax / d logit = -D / batch and d non-saturating / d logit = -(1 - D) / batch; "
         "the ratio of the norms of these two vectors is np.linalg.norm(D) / np.linalg.norm(1 - D) "
         "(not a ratio of means).",
    rtol=1e-6, atol=1e-12)

GENERATOR_GRADIENT_NORM = Exercise(
    "generator gradient norm", generator_gradient_norm, (),
    hint="in a tf.GradientTape: fake_logits = discriminator(generator(latent_vectors)); "
         "value = losses.generator_loss(loss)(fake_logits); then "
         "tf.linalg.global_norm(tape.gradient(value, generator.trainable_variables)).",
    rtol=1e-4, atol=1e-7)


def check_minimax_logit_gradient(function) -> Result:
    """function(fake_logits (batch, 1)) -> d loss / d fake_logits, (batch, 1)."""
    return MINIMAX_LOGIT_GRADIENT.check(function)


def check_logit_gradient_ratio(function) -> Result:
    """function(d_fake (batch,) in (0, 1)) -> a float."""
    return LOGIT_GRADIENT_RATIO.check(function)


def check_generator_gradient_norm(function) -> Result:
    """function(generator, discriminator, latent_vectors (batch, 2), loss name) -> a float."""
    exercise = GENERATOR_GRADIENT_NORM
    with_cases = Exercise(exercise.name, exercise.reference, _network_cases(), exercise.hint,
                          exercise.rtol, exercise.atol)
    return with_cases.check(function)
