"""Sample quality of 2-D toys (lessons 01, 05, 06): exact W1 by optimal transport, with its floor.

Also the toy evaluator for Trainer, and `kl_from_uniform`, the one KL of a histogram from uniform
(class histograms in lessons 03-04, mode histograms in lesson 06).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import ot
import tensorflow as tf

from gan_lessons import validation


def wasserstein1(samples_a, samples_b) -> float:
    """Exact W1 between two equally weighted point clouds (n, d) and (m, d), Euclidean cost.

    Solved as a linear program by POT's network simplex: exact, and fast for a few thousand points.
    """
    a = np.asarray(samples_a, np.float64)
    b = np.asarray(samples_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"need two (n, d) arrays of one d, got {a.shape} and {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("samples contain NaN or inf: the generator has diverged")
    cost = ot.dist(a, b, metric="euclidean")
    return float(ot.emd2(ot.unif(len(a)), ot.unif(len(b)), cost, numItermax=10_000_000))


def kl_from_uniform(counts) -> float:
    """KL(histogram || uniform) in nats, 0 log 0 = 0: 0 for equal counts, log(K) when one of K bins
    holds them all. counts: (K,) non-negative with a positive total (a class or mode histogram)."""
    counts = np.asarray(counts, np.float64)
    if counts.ndim != 1 or len(counts) == 0 or not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError(f"need a histogram: non-negative counts of shape (K,), K >= 1, got {counts!r}")
    if counts.sum() <= 0:
        raise ValueError(f"the histogram is empty (all {len(counts)} counts are 0), so it has no "
                         "distribution to compare with uniform: pass counts with a positive total, "
                         "e.g. the class or mode histogram of at least one sample")
    p = counts / counts.sum()
    nonzero = p > 0
    return float(np.sum(p[nonzero] * np.log(p[nonzero] * len(p))))


def real_floor(sample_real: Callable, n: int, seed: int = 777) -> float:
    """W1 between two independent real samples of size n: what a perfect generator would score."""
    first = sample_real(tf.constant([seed, 1], tf.int64), n)
    second = sample_real(tf.constant([seed, 2], tf.int64), n)
    return wasserstein1(first, second)


def toy_evaluator(sample_real: Callable, n: int = 1000, seed: int = 777,
                  residual: Callable | None = None, to_data_units: Callable | None = None,
                  coverage: Callable | None = None):
    """An `evaluate(trainer)` for Trainer: W1 of n generated vs n real samples (training units),
    beside the real-vs-real floor at the same n; with `residual` (a function of points in data
    units, e.g. QuadraticCurve.residual) also the median residual of the generated points, and
    with `coverage` (e.g. QuadraticCurve.coverage) the share of the data's range they cover."""
    n = validation.integer("n (eval_samples: the samples each evaluation scores)", n, minimum=1)
    reference = np.asarray(sample_real(tf.constant([seed, 3], tf.int64), n))
    floor = real_floor(sample_real, n, seed)

    def evaluate(trainer) -> dict:
        generated = trainer.generate(n, seed=seed)
        result = {"w1": wasserstein1(generated, reference), "w1_floor": floor}
        result["w1_ratio"] = result["w1"] / floor
        if residual is not None:
            points = to_data_units(generated) if to_data_units else generated
            result["median_residual"] = float(np.median(residual(points)))
        if coverage is not None:
            result["coverage"] = coverage(to_data_units(generated) if to_data_units else generated)
        return result

    return evaluate
