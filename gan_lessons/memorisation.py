"""Lessons 04 and 09: is the generator copying its training set? Each generated image's nearest
training image in the project's classifier-feature space, beside how far real test images (which
the generator never saw) sit from the same training images.

A generator that memorised would put its samples much closer to training images than real test
images are; one that learned the distribution puts them about as far, or farther.
"""

from __future__ import annotations

import numpy as np

from gan_lessons import validation


def nearest(queries, references, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """For each query (n, d), the index of its nearest reference (m, d) and the Euclidean
    distance to it: two (n,) arrays, computed in blocks of `block` queries."""
    queries, references = np.asarray(queries, np.float64), np.asarray(references, np.float64)
    if queries.ndim != 2 or references.ndim != 2 or queries.shape[1] != references.shape[1]:
        raise ValueError(f"need (n, d) queries and (m, d) references, got {queries.shape} and "
                         f"{references.shape}")
    if len(references) == 0:
        raise ValueError("need at least one reference point")
    squared = np.sum(references ** 2, axis=1)
    indices, distances = [], []
    for start in range(0, len(queries), block):
        q = queries[start:start + block]
        d2 = np.sum(q ** 2, axis=1)[:, None] - 2 * q @ references.T + squared[None, :]  # (block, m)
        best = np.argmin(d2, axis=1)
        indices.append(best)
        distances.append(np.sqrt(np.maximum(d2[np.arange(len(q)), best], 0.0)))
    return np.concatenate(indices), np.concatenate(distances)


def check(scorer, generated, train_images, test_images, references: int = 10000, seed: int = 0) -> dict:
    """Nearest-training-image distances of `generated` images and of as many real test images,
    in the classifier features of `scorer` (image_quality.QualityScorer), against the same random
    `references` training images. Returns both distance arrays, the neighbours' indices (into
    train_images) and their medians; `ratio` < 1 means samples sit closer than unseen real
    images do (memorisation would give a ratio far below 1)."""
    references = validation.integer("references", references, 1, len(train_images))
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(len(train_images), references, replace=False))
    reference_features, _ = scorer.features_and_logits(np.asarray(train_images)[chosen])
    generated_features, _ = scorer.features_and_logits(generated)
    test = np.asarray(test_images)[rng.choice(len(test_images), len(generated), replace=False)]
    test_features, _ = scorer.features_and_logits(test)
    generated_index, generated_distance = nearest(generated_features, reference_features)
    _, test_distance = nearest(test_features, reference_features)
    return {"generated_distance": generated_distance, "test_distance": test_distance,
            "neighbours": chosen[generated_index], "references": references,
            "generated_median": float(np.median(generated_distance)),
            "test_median": float(np.median(test_distance)),
            "ratio": float(np.median(generated_distance) / np.median(test_distance))}
