"""Lessons 03, 04, 06: an honest quality score for Fashion-MNIST generators, by the project's classifier.

Published FIDs use InceptionV3 features on ImageNet-sized images and cannot be reproduced
offline, so this is NOT FID: it is a Frechet distance on the penultimate features of a small
Fashion-MNIST CNN trained by scripts/train_classifier.py, a classifier score on its logits (an
Inception-score analogue, 1 to 10) and the histogram of predicted classes. Numbers mean something
only beside the floor (real train vs real test images, same n) and the ceiling (an untrained
generator), which every report prints.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from gan_lessons import artifacts, fashion_mnist, toy_metrics, validation

DATA_DIR = artifacts.DATA_DIR
WEIGHTS = DATA_DIR / "fashion_classifier.weights.h5"
METADATA = DATA_DIR / "fashion_classifier.json"
FEATURES_LAYER, LOGITS_LAYER = "features", "logits"
NUM_CLASSES = 10
EVAL_SEED = 2024  # latent seed of the samples every evaluation scores: the same vectors each time
_REGENERATE = "Regenerate both with `python scripts/train_classifier.py` (a few minutes on a CPU)."


class ClassifierError(ValueError):
    """The shipped classifier is missing, or its weights do not match their recorded hash."""


def build_classifier(seed: int = 0) -> keras.Model:
    """Small CNN: images float32 (batch, 28, 28, 1) in [-1, 1] -> logits (batch, 10).

    Two 3x3 conv + max-pool blocks (32, 64 channels), a 128-unit ReLU layer named "features"
    (the Frechet distance's feature space), dropout, and 10 logits.
    """
    init = keras.initializers.GlorotUniform

    images = keras.Input((28, 28, 1), name="images")
    h = keras.layers.Conv2D(32, 3, padding="same", activation="relu",
                            kernel_initializer=init(seed), name="conv_1")(images)
    h = keras.layers.MaxPooling2D(name="pool_1")(h)  # (batch, 14, 14, 32)
    h = keras.layers.Conv2D(64, 3, padding="same", activation="relu",
                            kernel_initializer=init(seed + 1), name="conv_2")(h)
    h = keras.layers.MaxPooling2D(name="pool_2")(h)  # (batch, 7, 7, 64)
    h = keras.layers.Flatten(name="flatten")(h)
    h = keras.layers.Dropout(0.25, seed=seed + 2, name="dropout_1")(h)
    h = keras.layers.Dense(128, activation="relu", kernel_initializer=init(seed + 3),
                           name=FEATURES_LAYER)(h)
    h = keras.layers.Dropout(0.3, seed=seed + 4, name="dropout_2")(h)
    logits = keras.layers.Dense(NUM_CLASSES, kernel_initializer=init(seed + 5), name=LOGITS_LAYER)(h)
    return keras.Model(images, logits, name="fashion_classifier")


sha256_of = artifacts.sha256_of


def load_metadata(metadata_path=METADATA) -> dict:
    """The record scripts/train_classifier.py wrote: sha256, test_accuracy, command, date, machine
    (a file in data/ only once its SHA-256 matches data/MANIFEST.json)."""
    return artifacts.read_record(metadata_path, ClassifierError, _REGENERATE)


def load_classifier(weights_path=WEIGHTS, metadata_path=METADATA) -> keras.Model:
    """The shipped classifier, after checking its weights file against the recorded SHA-256."""
    artifacts.verified_record(weights_path, metadata_path, ClassifierError, _REGENERATE)
    classifier = build_classifier()
    classifier.load_weights(weights_path)
    return classifier


# ---- the metrics -------------------------------------------------------------------------------
def moments(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean (d,) and covariance (d, d) of features (n, d), in float64."""
    features = np.asarray(features, np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"need features (n >= 2, d), got shape {features.shape}")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _sqrt_psd(matrix) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance_from_moments(mean_a, cov_a, mean_b, cov_b) -> float:
    """Frechet distance between N(mean_a, cov_a) and N(mean_b, cov_b):
    |mean_a - mean_b|^2 + tr(cov_a) + tr(cov_b) - 2 tr((cov_a cov_b)^(1/2)).

    tr((A B)^(1/2)) is computed as the sum of square roots of the eigenvalues of the symmetric
    A^(1/2) B A^(1/2) (same eigenvalues as A B): stable, real, no complex sqrtm round-off.
    """
    mean_a, mean_b = np.asarray(mean_a, np.float64), np.asarray(mean_b, np.float64)
    cov_a, cov_b = np.atleast_2d(cov_a).astype(np.float64), np.atleast_2d(cov_b).astype(np.float64)
    root_a = _sqrt_psd(cov_a)
    cross = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_sqrt = np.sqrt(np.clip(cross, 0, None)).sum()
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_sqrt
    return float(max(distance, 0.0))


def frechet_distance(features_a, features_b) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (n, d) and (m, d)."""
    return frechet_distance_from_moments(*moments(features_a), *moments(features_b))


def _softmax(logits) -> np.ndarray:
    logits = np.asarray(logits, np.float64)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def classifier_score(logits) -> float:
    """exp(E_x KL(p(y|x) || p(y))) from logits (n, classes): 1 (all alike or all unsure)
    up to the number of classes (each sample confidently one class, classes used equally)."""
    probabilities = _softmax(logits)
    marginal = probabilities.mean(axis=0)
    log_ratio = np.log(np.clip(probabilities, 1e-30, None)) - np.log(np.clip(marginal, 1e-30, None))
    return float(np.exp(np.mean(np.sum(probabilities * log_ratio, axis=1))))


def class_histogram(logits, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Counts of the predicted (argmax) class: int (num_classes,)."""
    predicted = np.argmax(np.asarray(logits), axis=1)
    return np.bincount(predicted, minlength=num_classes)


def histogram_summary(counts) -> dict:
    """classes_covered (count > 0), kl_uniform, max/min_class_fraction of a class histogram."""
    counts = np.asarray(counts)
    fractions = counts / counts.sum()
    return {"classes_covered": int(np.count_nonzero(counts)),
            "kl_uniform": toy_metrics.kl_from_uniform(counts),
            "max_class_fraction": float(fractions.max()), "min_class_fraction": float(fractions.min())}


# ---- scoring generators against real data ------------------------------------------------------
def as_classifier_input(images) -> np.ndarray:
    """uint8 (n, 28, 28) pixels, or floats in [-1, 1] of 784 values each -> float32 (n, 28, 28, 1)."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / 127.5 - 1.0
    images = images.astype(np.float32, copy=False)
    if images.size % 784 or images.size == 0:
        raise ValueError(f"need images of 784 values each, got shape {images.shape}")
    if not np.all(np.isfinite(images)):
        raise ValueError("images contain NaN or inf: the generator has diverged")
    return images.reshape(-1, 28, 28, 1)


def sample_count(n, available: int | None = None) -> int:
    """n, the images each score uses (a lesson's eval_samples), as an int in [2, available]: a
    covariance needs two images, and the floor draws n real images of each split without repeats."""
    return validation.integer("n (eval_samples: the images each quality score uses)", n, minimum=2,
                              maximum=available)


METRICS = ("frechet_distance", "classifier_score", "classes_covered", "kl_uniform",
           "max_class_fraction", "min_class_fraction")


class QualityScorer:
    """Scores n images against n real test images; knows its floor and, once set, its ceiling.

    scorer.score(images) -> {metric: float} (see METRICS); scorer.floor: the same for n real
    training images; scorer.set_ceiling(untrained_generator_images); scorer.report(scores).
    """

    def __init__(self, classifier: keras.Model, train_images, test_images, n: int = 1000,
                 seed: int = 0, batch_size: int = 500):
        self.n = n = sample_count(n, min(len(train_images), len(test_images)))
        self.batch_size = batch_size
        self._model = keras.Model(classifier.input, [classifier.get_layer(FEATURES_LAYER).output,
                                                      classifier.output])
        rng = np.random.default_rng(seed)
        test = np.asarray(test_images)[np.sort(rng.choice(len(test_images), n, replace=False))]
        train = np.asarray(train_images)[np.sort(rng.choice(len(train_images), n, replace=False))]
        features, _ = self.features_and_logits(test)
        self.reference_moments = moments(features)
        self.floor = self.score(train)
        self.floor_histogram = class_histogram(self.features_and_logits(train)[1])  # int (10,)
        self.ceiling: dict | None = None

    def features_and_logits(self, images) -> tuple[np.ndarray, np.ndarray]:
        """Penultimate features (n, 128) and logits (n, 10) of images (see as_classifier_input)."""
        images = as_classifier_input(images)
        outputs = [self._model(images[i:i + self.batch_size], training=False)
                   for i in range(0, len(images), self.batch_size)]
        return (np.concatenate([np.asarray(f) for f, _ in outputs]),
                np.concatenate([np.asarray(logits) for _, logits in outputs]))

    def score(self, images) -> dict:
        """All METRICS for images (n of them, as the floor uses, for a fair comparison)."""
        images = np.asarray(images)
        if len(images) != self.n:
            raise ValueError(f"score exactly n = {self.n} images (the floor's n), got {len(images)}")
        features, logits = self.features_and_logits(images)
        result = {"frechet_distance": frechet_distance_from_moments(*moments(features),
                                                                    *self.reference_moments),
                  "classifier_score": classifier_score(logits)}
        result.update(histogram_summary(class_histogram(logits)))
        return result

    def set_ceiling(self, untrained_images) -> dict:
        """Score an untrained generator's n images: the ceiling every report prints."""
        self.ceiling = self.score(untrained_images)
        return self.ceiling

    def set_ceiling_from(self, trainer) -> dict:
        """The ceiling from a trainer that has not trained yet (its generator is untrained)."""
        if int(trainer.step.numpy()) != 0:
            raise ValueError(f"the ceiling needs an untrained generator; this trainer is at step "
                             f"{int(trainer.step.numpy())}: pass a freshly built one")
        return self.set_ceiling(trainer.generate(self.n, seed=EVAL_SEED))

    def evaluator(self, seed: int = EVAL_SEED):
        """evaluate(trainer) -> scores of trainer.generate(n, seed) for Trainer(evaluate=...)."""
        return lambda trainer: self.score(trainer.generate(self.n, seed=seed))

    def report(self, scores: dict, label: str = "generator") -> QualityReport:
        """A table of `scores` beside the floor and the ceiling."""
        if self.ceiling is None:
            raise ValueError("no ceiling yet: call scorer.set_ceiling(images of an untrained generator)")
        return QualityReport(self.n, dict(scores), self.floor, self.ceiling, label)


@dataclass(frozen=True)
class QualityReport:
    """Scores beside floor (real train vs real test) and ceiling (untrained generator), same n."""

    n: int
    scores: dict
    floor: dict
    ceiling: dict
    label: str = "generator"

    def __str__(self):
        lines = [f"Sample quality at n = {self.n} — Frechet distance on the project's Fashion-MNIST "
                 "classifier features (not FID)",
                 f"{'metric':<22}{self.label:>12}{'floor':>12}{'ceiling':>12}",
                 f"{'':<22}{'':>12}{'(real)':>12}{'(untrained)':>12}"]
        for name in METRICS:
            if name in self.scores:
                values = (self.scores[name], self.floor[name], self.ceiling[name])
                lines.append(f"{name:<22}" + "".join(f"{v:>12.4g}" for v in values))
        ratio = self.scores["frechet_distance"] / self.ceiling["frechet_distance"]
        lines.append(f"Frechet distance / ceiling = {ratio:.3f}  (floor / ceiling = "
                     f"{self.floor['frechet_distance'] / self.ceiling['frechet_distance']:.3f})")
        return "\n".join(lines)

    __repr__ = __str__


def load_scorer(data: fashion_mnist.FashionMNIST, n: int = 1000, seed: int = 0) -> QualityScorer:
    """A QualityScorer from the shipped (hash-verified) classifier and the loaded dataset."""
    sample_count(n, min(len(data.train_images), len(data.test_images)))  # before loading anything
    return QualityScorer(load_classifier(), data.train_images, data.test_images, n=n, seed=seed)
