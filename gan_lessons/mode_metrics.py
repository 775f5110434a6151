"""Lesson 06: mode-collapse metrics for Gaussian-mixture toys, as in the unrolled-GAN, VEEGAN, PacGAN papers.

A generated sample is *high quality* if it lies within `threshold` (3) standard deviations of its
nearest mode. A mode is *captured* if it is the nearest mode of at least one high-quality sample.
The mode histogram counts high-quality samples per nearest mode; its KL divergence from the
uniform distribution over modes is 0 for perfect balance and log(n_modes) for a single mode.
High quality alone does not reveal collapse: samples all on one mode score ~99%.
Papers use 2,500 generated samples; so do the defaults here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import tensorflow as tf

from gan_lessons import toy_metrics

PAPER_SAMPLES = 2500
THRESHOLD = 3.0
_FLOORS: dict[tuple, float] = {}  # real-vs-real W1 per (mixture, n, seed): the same every time


def _points(samples) -> np.ndarray:
    samples = np.asarray(samples, np.float64)
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"samples must be an (n, 2) array, got shape {samples.shape}")
    return samples


def nearest_modes(samples, modes) -> tuple[np.ndarray, np.ndarray]:
    """For samples (n, 2) and modes (k, 2): (index of the nearest mode (n,), its distance (n,))."""
    samples, modes = _points(samples), _points(modes)
    distances = np.linalg.norm(samples[:, None, :] - modes[None, :, :], axis=-1)  # (n, k)
    nearest = np.argmin(distances, axis=1)
    return nearest, distances[np.arange(len(samples)), nearest]


def high_quality_mask(samples, modes, std: float, threshold: float = THRESHOLD) -> np.ndarray:
    """bool (n,): True where a sample is within threshold * std of its nearest mode."""
    _, distance = nearest_modes(samples, modes)
    return distance <= threshold * std


def mode_counts(samples, modes, std: float, threshold: float = THRESHOLD) -> np.ndarray:
    """int (k,): the number of high-quality samples whose nearest mode is each mode."""
    nearest, distance = nearest_modes(samples, modes)
    good = distance <= threshold * std
    return np.bincount(nearest[good], minlength=len(modes))


@dataclass(frozen=True)
class ModeReport:
    """Mode metrics of n generated samples against a mixture."""

    n_samples: int
    n_modes: int
    modes_captured: int
    high_quality: float  # fraction in [0, 1]
    kl: float  # nats, KL(histogram of high-quality samples || uniform); log(n_modes) if none
    counts: np.ndarray  # (n_modes,) high-quality samples per mode

    def as_dict(self) -> dict:
        out = asdict(self)
        out["counts"] = self.counts.tolist()
        return out

    def __str__(self):
        return (f"{self.modes_captured}/{self.n_modes} modes, {100 * self.high_quality:.1f}% high "
                f"quality, KL {self.kl:.3f} (n = {self.n_samples})")


def report(samples, mixture, threshold: float = THRESHOLD) -> ModeReport:
    """All mode metrics of samples (n, 2) in data units against `mixture` (modes, std)."""
    samples = _points(samples)
    if not np.all(np.isfinite(samples)):
        raise ValueError("samples contain NaN or inf: the generator has diverged")
    counts = mode_counts(samples, mixture.modes, mixture.std, threshold)
    # no high-quality sample at all: the histogram is empty, scored as total collapse, log(k)
    kl = toy_metrics.kl_from_uniform(counts) if counts.any() else float(np.log(len(counts)))
    return ModeReport(
        n_samples=len(samples),
        n_modes=len(mixture.modes),
        modes_captured=int(np.count_nonzero(counts)),
        high_quality=float(counts.sum() / len(samples)),
        kl=kl,
        counts=counts,
    )


def w1_with_floor(samples, mixture, seed: int = 777) -> dict:
    """Exact W1 of samples (n, 2) vs n real points (data units), beside the real-vs-real floor."""
    samples = _points(samples)
    n = len(samples)
    reference = mixture.sample(n, tf.constant([seed, 3], tf.int64))
    key = (mixture.modes.tobytes(), mixture.std, n, seed)
    if key not in _FLOORS:
        _FLOORS[key] = toy_metrics.real_floor(lambda s, size: mixture.sample(size, s), n, seed)
    floor = _FLOORS[key]
    w1 = toy_metrics.wasserstein1(samples, reference)
    return {"w1": w1, "w1_floor": floor, "w1_ratio": w1 / floor}


def mode_evaluator(mixture, scaler, n: int = PAPER_SAMPLES, seed: int = 777, w1: bool = False):
    """An `evaluate(trainer)` for Trainer: mode metrics of n generated samples (converted to data
    units with `scaler`), per-mode counts of high-quality samples ("mode_counts") and of all
    samples by nearest mode ("nearest_counts"), and, with w1=True, W1 and its floor."""

    def evaluate(trainer) -> dict:
        samples = scaler.inverse_transform(trainer.generate(n, seed=seed))
        result = report(samples, mixture)
        nearest, _ = nearest_modes(samples, mixture.modes)
        out = {"modes": result.modes_captured, "high_quality": result.high_quality,
               "kl": result.kl, "mode_counts": result.counts,
               "nearest_counts": np.bincount(nearest, minlength=len(mixture.modes))}
        if w1:
            out.update(w1_with_floor(samples, mixture, seed))
        return out

    return evaluate
