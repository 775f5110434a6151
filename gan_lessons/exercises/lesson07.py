"""Exercises of lesson 07 (the Wasserstein GAN): each `check_*` tests a student's function."""

from __future__ import annotations

import functools

import keras
import numpy as np
import tensorflow as tf

from gan_lessons import toy_metrics, wasserstein
from gan_lessons.checks import Case, Exercise, Result

_rng = np.random.default_rng(2017)
_INVALID = -1.0  # what the clipping check records when a function raises ValueError on a bad clip


def _critic_loss(real_scores, fake_scores):
    real = np.asarray(real_scores, np.float64).ravel()
    fake = np.asarray(fake_scores, np.float64).ravel()
    return -(real.mean() - fake.mean())


def _linear_critic(weights, bias: float = 0.5) -> keras.Model:
    """f(x) = w . x + b for x (batch, len(w)): gradient w everywhere."""
    weights = np.asarray(weights, np.float32)
    layer = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(weights[:, None]),
                               bias_initializer=keras.initializers.Constant(bias))
    return keras.Sequential([keras.Input((len(weights),)), layer])


def _flat_linear_critic(shape, seed) -> keras.Model:
    """A linear critic on images of `shape`: flatten, then one Dense unit."""
    size = int(np.prod(shape))
    return keras.Sequential([keras.Input(shape), keras.layers.Flatten(),
                             keras.layers.Dense(1, kernel_initializer=keras.initializers.RandomNormal(
                                 stddev=1 / np.sqrt(size), seed=seed))])


def _gradient_penalty(critic, real, fake, alpha):
    real = tf.convert_to_tensor(np.asarray(real, np.float32))
    fake = tf.convert_to_tensor(np.asarray(fake, np.float32))
    alpha = np.asarray(alpha, np.float32).reshape((-1,) + (1,) * (real.shape.rank - 1))
    interpolates = real + alpha * (fake - real)
    norms = wasserstein.gradient_norms(critic, interpolates)
    return float(np.mean((norms - 1.0) ** 2))


def _clip_weights(weights, clip):
    if clip <= 0:
        return _INVALID
    return np.concatenate([np.clip(np.asarray(w, np.float64), -clip, clip).ravel() for w in weights])


def _w1_sorted(a, b):
    return toy_metrics.wasserstein1(np.asarray(a, np.float64)[:, None], np.asarray(b, np.float64)[:, None])


_scores = _rng.normal(size=16)
CRITIC_LOSS = Exercise(
    name="critic_loss(real_scores, fake_scores)",
    reference=_critic_loss,
    cases=(
        Case("a critic that scores real samples higher (the loss is negative)",
             (_scores + 2.0, _scores)),
        Case("a critic fooled: fakes score higher (the loss is positive)", (_scores, _scores + 1.5)),
        Case("scores of shape (batch, 1), as a Keras critic returns them",
             ((_scores + 1)[:, None], _scores[:, None])),
        Case("8 real scores and 3 fake scores (batches of different size)", (_scores[:8] * 3, _scores[:3])),
        Case("large unbounded scores (no sigmoid, no log)", (np.array([1e4, 2e4]), np.array([-5e3]))),
    ),
    hint="the critic maximises E f(real) - E f(fake); a loss is minimised, so return its negative: "
         "-(mean(real_scores) - mean(fake_scores)). No sigmoid and no log: scores are unbounded.",
)

@functools.cache
def gradient_penalty_exercise() -> Exercise:
    """Built on first use: its cases hold small Keras critics (no models are built at import)."""
    rng = np.random.default_rng(1704)
    return Exercise(
        name="gradient_penalty(critic, real, fake, alpha)",
        reference=_gradient_penalty,
        cases=(
            Case("a linear critic with |w| = 5 (the penalty is (5 - 1)^2 = 16 everywhere), batch 6",
                 (_linear_critic([3.0, 4.0]), rng.normal(size=(6, 2)), rng.normal(size=(6, 2)),
                  rng.uniform(size=6))),
            Case("a unit-slope linear critic (penalty 0), batch 1",
                 (_linear_critic([0.6, 0.8]), rng.normal(size=(1, 2)), rng.normal(size=(1, 2)),
                  np.array([0.3]))),
            Case("a curved MLP critic, batch 7, alphas at 0 and 1 included (the segment's ends)",
                 (wasserstein.mlp_critic(2, (16, 16), seed=7), rng.normal(size=(7, 2)),
                  rng.normal(size=(7, 2)) + 2, np.array([0.0, 1.0, 0.5, 0.1, 0.9, 0.25, 0.75]))),
            Case("images (batch 5, 4, 4, 1): one alpha per image, broadcast over its pixels",
                 (_flat_linear_critic((4, 4, 1), 3), rng.normal(size=(5, 4, 4, 1)),
                  rng.normal(size=(5, 4, 4, 1)), rng.uniform(size=5))),
        ),
        hint="x_hat = real + alpha * (fake - real) with alpha reshaped to (batch, 1, ...) so each example "
             "gets its own; inside tf.GradientTape, tape.watch(x_hat) and score it with critic(x_hat); "
             "the gradient's norm per example is over every axis but the first (reshape to (batch, -1)); "
             "return mean((norm - 1)^2).",
        rtol=1e-3,
        atol=1e-4,
    )

CLIP_WEIGHTS = Exercise(
    name="clip_weights(weights, clip)",
    reference=_clip_weights,
    cases=(
        Case("a kernel and a bias, c = 0.01",
             ([_rng.normal(scale=0.05, size=(3, 4)), _rng.normal(scale=0.05, size=4)], 0.01)),
        Case("weights already inside [-c, c] stay as they are", ([_rng.uniform(-0.5, 0.5, size=(5,))], 1.0)),
        Case("weights exactly at +/- c and far beyond", ([np.array([-3.0, -0.1, 0.0, 0.1, 3.0])], 0.1)),
        Case("clip = 0: raise a ValueError (nothing would be left of the critic)", ([np.ones(3)], 0.0)),
        Case("a negative clip: raise a ValueError", ([np.ones(3)], -0.01)),
    ),
    hint="np.clip(w, -clip, clip) for every array in the list, returned as a list of arrays of the "
         "same shapes; first `raise ValueError(...)` when clip <= 0.",
)

W1_SORTED = Exercise(
    name="w1_sorted(a, b)",
    reference=_w1_sorted,
    cases=(
        Case("a sample and its copy shifted by 3 (W1 = 3 exactly)", (_scores, _scores + 3.0)),
        Case("two samples of N(0, 1) and N(2, 1), unsorted",
             (_rng.normal(size=200), _rng.normal(2, 1, size=200))),
        Case("one point each", (np.array([1.0]), np.array([-2.5]))),
        Case("ties and a reversed order", (np.array([0.0, 0.0, 1.0, 5.0]), np.array([5.0, 1.0, 1.0, 0.0]))),
    ),
    hint="in 1-D, optimal transport between two samples of equal size matches them in sorted order: "
         "mean(|sort(a) - sort(b)|).",
)


def check_critic_loss(function) -> Result:
    return CRITIC_LOSS.check(function)


def check_gradient_penalty(function) -> Result:
    return gradient_penalty_exercise().check(function)


def check_clip_weights(function) -> Result:
    """The student's list of clipped arrays is compared flattened; a ValueError on clip <= 0 passes."""
    def flattened(weights, clip):
        try:
            clipped = function(weights, clip)
        except ValueError:
            return _INVALID
        if clip <= 0:
            return np.nan  # it should have refused
        if len(clipped) != len(weights) or any(np.shape(c) != np.shape(w) for c, w in zip(clipped, weights)):
            raise ValueError("return one array per weight array, each of the same shape")
        return np.concatenate([np.asarray(c, np.float64).ravel() for c in clipped])

    return CLIP_WEIGHTS.check(flattened)


def check_w1_sorted(function) -> Result:
    return W1_SORTED.check(function)
