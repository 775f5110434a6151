"""Exercises of lesson 01 (toy GAN on a quadratic curve): each `check_*` tests a student's function."""

from __future__ import annotations

import numpy as np

from gan_lessons import losses
from gan_lessons.checks import Case, Exercise, Result

_rng = np.random.default_rng(2014)


def _logits(*shape, scale=2.0):
    return (_rng.normal(size=shape) * scale).astype(np.float32)


def _centroid_shift(real, fake_before, fake_after):
    real_centroid = np.mean(real, axis=0)
    before = np.linalg.norm(np.mean(fake_before, axis=0) - real_centroid)
    after = np.linalg.norm(np.mean(fake_after, axis=0) - real_centroid)
    return before - after


def _to_data_units(points, mean, scale):
    return np.asarray(points) * np.asarray(scale) + np.asarray(mean)


SMOOTHED_DISCRIMINATOR_LOSS = Exercise(
    name="smoothed_discriminator_loss(real_logits, fake_logits)",
    reference=lambda r, f: losses.discriminator_loss(r, f, real_label=0.9),
    cases=(
        Case("a batch of 8 ordinary logits", (_logits(8, 1), _logits(8, 1))),
        Case("a batch of 3 (not the lesson's batch size)", (_logits(3, 1), _logits(3, 1))),
        Case("an undecided discriminator (all logits 0: the loss is log 4)",
             (np.zeros((5, 1), np.float32), np.zeros((5, 1), np.float32))),
        Case("a confident discriminator (logits ±200)",
             (np.full((4, 1), 200.0, np.float32), np.full((4, 1), -200.0, np.float32))),
        Case("a confident, wrong discriminator (logits ∓200)",
             (np.full((4, 1), -200.0, np.float32), np.full((4, 1), 200.0, np.float32))),
    ),
    hint="real targets are 0.9, fake targets 0: the real term is 0.9 * softplus(-logit) + "
         "0.1 * softplus(logit), the fake term softplus(logit), each averaged over its batch. "
         "softplus keeps confident logits finite where log(sigmoid(logit)) gives -inf.",
)

CURVE_RESIDUAL = Exercise(
    name="curve_residual(points)",
    reference=lambda points: np.abs(np.asarray(points)[:, 1] - (10.0 + np.asarray(points)[:, 0] ** 2)),
    cases=(
        Case("two points on the curve (residual 0)", (np.array([[0.0, 10.0], [-3.0, 19.0]]),)),
        Case("a point 5 above the curve", (np.array([[2.0, 19.0]]),)),
        Case("a point below the curve (the residual is a distance: positive)",
             (np.array([[10.0, 100.0]]),)),
        Case("a batch of 6 random points", (_logits(6, 2, scale=20.0),)),
    ),
    hint="for points (n, 2) in data units: |y - (10 + x**2)| with x = points[:, 0], y = points[:, 1]; "
         "return shape (n,).",
)

CENTROID_SHIFT = Exercise(
    name="centroid_shift(real, fake_before, fake_after)",
    reference=_centroid_shift,
    cases=(
        Case("fakes that moved halfway to the reals",
             (np.array([[2.0, 2.0], [4.0, 4.0]]), np.array([[0.0, 0.0], [0.0, 2.0]]),
              np.array([[1.5, 1.5], [1.5, 2.5]]))),
        Case("fakes that moved away (a negative shift)",
             (np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]), np.array([[-1.0, 0.0]]))),
        Case("random batches of 7 points", (_logits(7, 2), _logits(7, 2), _logits(7, 2))),
    ),
    hint="distance between the fake and real centroids (means over the batch, axis=0) before the "
         "generator step, minus the same distance after it: positive when fakes moved toward reals.",
)

TO_DATA_UNITS = Exercise(
    name="to_data_units(points, mean, scale)",
    reference=_to_data_units,
    cases=(
        Case("the origin of training units is the data mean",
             (np.zeros((1, 2)), np.array([0.0, 843.3]), np.array([28.9, 748.0]))),
        Case("a batch of 5 points", (_logits(5, 2), np.array([1.0, -2.0]), np.array([3.0, 0.5]))),
    ),
    hint="training units are (data - mean) / scale, so data = training * scale + mean.",
)


def check_smoothed_discriminator_loss(function) -> Result:
    return SMOOTHED_DISCRIMINATOR_LOSS.check(function)


def check_curve_residual(function) -> Result:
    return CURVE_RESIDUAL.check(function)


def check_centroid_shift(function) -> Result:
    return CENTROID_SHIFT.check(function)


def check_to_data_units(function) -> Result:
    return TO_DATA_UNITS.check(function)
