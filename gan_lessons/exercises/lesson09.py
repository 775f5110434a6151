"""Exercises of lesson 09 (the conditional GAN): joining one-hot labels to latent vectors, the
projection discriminator's logit, and requested-class accuracy from a classifier's logits. Each
`check_*` returns a Result."""

from __future__ import annotations

import numpy as np

from gan_lessons.checks import Case, Exercise, Result

_rng = np.random.default_rng(2018)


def join_labels(latent_vectors, labels, num_classes: int = 10) -> np.ndarray:
    """Reference: [z, one_hot(y)]: (n, latent_dim) and (n,) int -> (n, latent_dim + num_classes)."""
    latent_vectors = np.asarray(latent_vectors, np.float64)
    one_hot = np.eye(num_classes)[np.asarray(labels, np.int64)]  # (n, num_classes)
    return np.concatenate([latent_vectors, one_hot], axis=1)


JOIN_LABELS = Exercise(
    name="join_labels(latent_vectors, labels, num_classes)",
    reference=join_labels,
    cases=(
        Case("a batch of 4, latent 100, classes 0, 7, 7 and 9",
             (_rng.normal(size=(4, 100)), np.array([0, 7, 7, 9]), 10)),
        Case("a batch of one", (_rng.normal(size=(1, 100)), np.array([3]), 10)),
        Case("a batch of 13, labels as a Python list",
             (_rng.normal(size=(13, 8)), [i % 10 for i in range(13)], 10)),
        Case("every label the last class (9): the one-hot's last column",
             (_rng.normal(size=(5, 3)), np.full(5, 9), 10)),
        Case("3 classes, latent 2 (num_classes sets the one-hot's width)",
             (_rng.normal(size=(6, 2)), np.array([0, 1, 2, 2, 1, 0]), 3)),
    ),
    hint="np.eye(num_classes)[labels] gives one row per label with a 1 in the label's column; join it "
         "to z along axis 1 (the features), not axis 0 (the batch): np.concatenate([z, one_hot], axis=1).",
)


def projection_logit(features, psi_weights, psi_bias, class_embeddings, labels) -> np.ndarray:
    """Reference: D(x, y) = psi(phi(x)) + embed(y) . phi(x), for features phi (n, F), psi weights
    (F,), bias (scalar), class embeddings (classes, F), labels (n,) -> (n,)."""
    features = np.asarray(features, np.float64)
    unconditional = features @ np.asarray(psi_weights, np.float64).ravel() + float(np.ravel(psi_bias)[0])
    embedded = np.asarray(class_embeddings, np.float64)[np.asarray(labels, np.int64)]  # (n, F)
    return unconditional + np.sum(embedded * features, axis=1)


_F = 6
_table = _rng.normal(size=(10, _F))
PROJECTION_LOGIT = Exercise(
    name="projection_logit(features, psi_weights, psi_bias, class_embeddings, labels)",
    reference=projection_logit,
    cases=(
        Case("a batch of 5 with 6 features",
             (_rng.normal(size=(5, _F)), _rng.normal(size=_F), 0.3, _table, np.array([0, 1, 2, 3, 9]))),
        Case("a batch of one",
             (_rng.normal(size=(1, _F)), _rng.normal(size=_F), -1.0, _table, np.array([4]))),
        Case("all-zero class embeddings: the logit is psi(phi(x)) alone",
             (_rng.normal(size=(3, _F)), _rng.normal(size=_F), 0.5, np.zeros((10, _F)), np.array([1, 1, 1]))),
        Case("the same image under two labels: only the projection term differs",
             (np.repeat(_rng.normal(size=(1, _F)), 2, axis=0), np.zeros(_F), 0.0, _table, np.array([2, 8]))),
        Case("psi weights of shape (F, 1) and a bias of shape (1,), as Keras stores a Dense layer's",
             (_rng.normal(size=(4, _F)), _rng.normal(size=(_F, 1)), np.array([0.2]), _table,
              np.array([5, 6, 7, 8]))),
    ),
    hint="psi(phi) = features @ psi_weights + psi_bias (flatten the weights to (F,) and take the bias as a "
         "number); the projection is the row-wise dot product of class_embeddings[labels] (n, F) with the "
         "features (n, F): np.sum(class_embeddings[labels] * features, axis=1). Return one logit per "
         "image, shape (n,).",
)


def requested_class_accuracy(logits, requested) -> float:
    """Reference: the share of images whose argmax class is the requested one."""
    return float(np.mean(np.argmax(np.asarray(logits), axis=1) == np.asarray(requested)))


_logits = _rng.normal(size=(40, 10))
REQUESTED_ACCURACY = Exercise(
    name="requested_class_accuracy(logits, requested)",
    reference=requested_class_accuracy,
    cases=(
        Case("40 images, random logits", (_logits, _rng.integers(0, 10, 40))),
        Case("every image classified as asked (accuracy 1)", (_logits, np.argmax(_logits, axis=1))),
        Case("none as asked (accuracy 0)", (_logits, (np.argmax(_logits, axis=1) + 1) % 10)),
        Case("one image", (_logits[:1], np.array([int(np.argmax(_logits[0]))]))),
        Case("logits that are all negative (not probabilities: use the largest, not the positive one)",
             (_logits - 100.0, np.argmax(_logits, axis=1))),
        Case("requested labels as a Python list", (_logits[:6], [0, 1, 2, 3, 4, 5])),
    ),
    hint="the classifier's prediction is np.argmax(logits, axis=1) (one class per row); compare it with "
         "the requested labels and take the mean of the matches: a share between 0 and 1.",
)


def check_join_labels(function) -> Result:
    return JOIN_LABELS.check(function)


def check_projection_logit(function) -> Result:
    return PROJECTION_LOGIT.check(function)


def check_requested_class_accuracy(function) -> Result:
    return REQUESTED_ACCURACY.check(function)
