"""Exercises of lesson 03 (vanilla MLP GAN on Fashion-MNIST): each `check_*` tests a student's
function against the package's reference."""

from __future__ import annotations

import numpy as np

from gan_lessons import fashion_mnist, image_quality, toy_metrics
from gan_lessons.checks import Case, Exercise, Result

_rng = np.random.default_rng(2014)


def _pixels(*shape):
    return _rng.integers(0, 256, shape, dtype=np.uint8)


def _confident_logits(classes, num_classes=10, margin=60.0):
    logits = np.full((len(classes), num_classes), -margin / 2, np.float32)
    logits[np.arange(len(classes)), classes] = margin / 2
    return logits


def _frechet_diagonal(mean_a, std_a, mean_b, std_b):
    return image_quality.frechet_distance_from_moments(
        mean_a, np.diag(np.square(std_a)), mean_b, np.diag(np.square(std_b)))


SCALE_IMAGES = Exercise(
    name="scale_images(pixels)",
    reference=lambda pixels: fashion_mnist.to_training_units(pixels).numpy(),
    cases=(
        Case("the extremes 0 and 255 (they must become -1 and 1)",
             (np.array([[0, 255], [255, 0]], np.uint8),)),
        Case("a batch of 5 images (5, 28, 28)", (_pixels(5, 28, 28),)),
        Case("flattened images (3, 784)", (_pixels(3, 784),)),
    ),
    hint="convert to float32 BEFORE arithmetic (uint8 wraps around), then x / 127.5 - 1 maps "
         "0..255 onto [-1, 1], the range of the generator's tanh output. Keep the shape.",
)

KL_FROM_UNIFORM = Exercise(
    name="kl_from_uniform(counts)",
    reference=toy_metrics.kl_from_uniform,
    cases=(
        Case("equal counts (KL 0)", (np.full(10, 100),)),
        Case("every sample in one class (KL log 10: total mode collapse)", (np.eye(10)[7] * 1000,)),
        Case("some empty classes (0 log 0 counts as 0)", (np.array([0, 10, 30, 0, 60, 0, 0, 0, 0, 0]),)),
        Case("4 classes, not 10", (np.array([1, 2, 3, 4]),)),
    ),
    hint="turn counts into fractions p = counts / counts.sum(); KL = sum over classes with p > 0 of "
         "p * log(p / (1/K)), K = len(counts). Skip empty classes: 0 * log 0 is taken as 0.",
)

CLASSIFIER_SCORE = Exercise(
    name="classifier_score(logits)",
    reference=image_quality.classifier_score,
    cases=(
        Case("confident and balanced over 10 classes (score 10)", (_confident_logits(np.arange(200) % 10),)),
        Case("confident, all one class (score 1: no variety)", (_confident_logits(np.full(50, 3)),)),
        Case("confident, 2 classes equally (score 2)", (_confident_logits(np.arange(40) % 2),)),
        Case("unsure everywhere (all logits 0: score 1)", (np.zeros((30, 10), np.float32),)),
        Case("random logits, batch of 7", (_rng.normal(size=(7, 10)).astype(np.float32) * 3,)),
        Case("huge logits (±1000: naive exp overflows)",
             (_confident_logits(np.arange(20) % 5, margin=2000.0),)),
    ),
    hint="p(y|x) = softmax(logits) per row (subtract the row max before exp); p(y) = its mean over "
         "the batch; score = exp(mean over rows of sum_y p(y|x) * (log p(y|x) - log p(y))). Clip "
         "probabilities away from 0 (e.g. 1e-30) before the log.",
)

FRECHET_DIAGONAL = Exercise(
    name="frechet_distance_diagonal(mean_a, std_a, mean_b, std_b)",
    reference=_frechet_diagonal,
    cases=(
        Case("two identical Gaussians (distance 0)",
             (np.array([1.0, 2.0]), np.array([0.5, 3.0]), np.array([1.0, 2.0]), np.array([0.5, 3.0]))),
        Case("means 3 apart, equal spreads (distance 9)",
             (np.zeros(1), np.ones(1), np.full(1, 3.0), np.ones(1))),
        Case("equal means, spreads 1 and 3 (distance 4)",
             (np.zeros(1), np.ones(1), np.zeros(1), np.full(1, 3.0))),
        Case("random 16-dimensional Gaussians",
             (_rng.normal(size=16), _rng.uniform(0.1, 2, 16),
              _rng.normal(size=16), _rng.uniform(0.1, 2, 16))),
    ),
    hint="with diagonal covariances the matrix square root is elementwise: the distance is "
         "sum((mean_a - mean_b)**2) + sum(std_a**2 + std_b**2 - 2 * std_a * std_b), i.e. "
         "|mean_a - mean_b|^2 + |std_a - std_b|^2.",
    rtol=1e-6,
)


def check_scale_images(function) -> Result:
    return SCALE_IMAGES.check(function)


def check_kl_from_uniform(function) -> Result:
    return KL_FROM_UNIFORM.check(function)


def check_classifier_score(function) -> Result:
    return CLASSIFIER_SCORE.check(function)


def check_frechet_distance_diagonal(function) -> Result:
    return FRECHET_DIAGONAL.check(function)
