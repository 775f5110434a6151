"""Lesson 06 (and 07): mode-collapse metrics for Gaussian-mixture toys, as in the unrolled-GAN,
VEEGAN and PacGAN papers, and the noise ceiling every count is read against.

A generated sample is *high quality* if it lies within `threshold` (3) standard deviations of its
nearest mode. A mode is *captured* if it is the nearest mode of at least one high-quality sample.
The mode histogram counts high-quality samples per nearest mode; its KL divergence from the
uniform distribution over modes (PacGAN's "reverse KL") is 0 for perfect balance and log(n_modes)
for a single mode. High quality alone does not reveal collapse: samples all on one mode score ~99%.
A captured count alone does not reveal precision: uniform noise over the mixture's box captures
most grid modes at ~2% high quality (`noise_ceiling`). A mode is *covered* if it holds at least a
quarter of its fair share (n / n_modes) of the samples as high-quality samples: real data covers
every mode, noise none, a precise generator exactly the modes it puts real mass on.
Papers use 2,500 generated samples; so do the defaults here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import tensorflow as tf

from gan_lessons import toy_metrics, validation

PAPER_SAMPLES = 2500
THRESHOLD = 3.0
COVERED_SHARE = 0.25  # a covered mode holds >= this fraction of its fair share n / n_modes (high quality)
_FLOORS: dict[tuple, float] = {}  # real-vs-real W1 per (mixture, n, seed): the same every time
_CEILINGS: dict[tuple, dict] = {}  # noise ceilings per (mixture, n, seeds): the same every time


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


def modes_covered(counts, n_samples: int, share: float = COVERED_SHARE) -> int:
    """How many modes hold at least share * n_samples / k high-quality samples, for counts (k,)
    of high-quality samples per mode out of n_samples generated: a count spread cannot win."""
    counts = np.asarray(counts)
    return int(np.count_nonzero(counts >= share * n_samples / len(counts)))


@dataclass(frozen=True)
class ModeReport:
    """Mode metrics of n generated samples against a mixture."""

    n_samples: int
    n_modes: int
    modes_captured: int
    high_quality: float  # fraction in [0, 1]
    kl: float  # nats, KL(histogram of high-quality samples || uniform); log(n_modes) if none
    counts: np.ndarray  # (n_modes,) high-quality samples per mode
    modes_covered: int  # modes holding >= COVERED_SHARE of their fair share as high-quality samples

    def as_dict(self) -> dict:
        out = asdict(self)
        out["counts"] = self.counts.tolist()
        return out

    def __str__(self):
        return (f"{self.modes_captured}/{self.n_modes} modes ({self.modes_covered} covered), "
                f"{100 * self.high_quality:.1f}% high quality, KL {self.kl:.3f} (n = {self.n_samples})")


def report(samples, mixture, threshold: float = THRESHOLD) -> ModeReport:
    """All mode metrics of samples (n, 2) in data units against `mixture` (modes, std)."""
    samples = _points(samples)
    if not np.all(np.isfinite(samples)):
        raise ValueError("samples contain NaN or inf: the generator has diverged")
    counts = mode_counts(samples, mixture.modes, mixture.std, threshold)
    # no high-quality sample at all: kl_from_uniform raises on the empty histogram; the report
    # scores it as total collapse, log(k), so that a run that lost every mode ranks last
    kl = toy_metrics.kl_from_uniform(counts) if counts.any() else float(np.log(len(counts)))
    return ModeReport(
        n_samples=len(samples),
        n_modes=len(mixture.modes),
        modes_captured=int(np.count_nonzero(counts)),
        high_quality=float(counts.sum() / len(samples)),
        kl=kl,
        counts=counts,
        modes_covered=modes_covered(counts, len(samples)),
    )


def noise_ceiling(mixture, n: int = PAPER_SAMPLES, seeds=range(10)) -> dict:
    """What uniform noise over the mixture's box (+/- mixture.box) scores, as mean and std over
    `seeds` draws of n points: modes captured and covered, high quality (%), the box."""
    seeds = tuple(seeds)
    key = (mixture.modes.tobytes(), mixture.std, mixture.box, n, seeds)
    if key not in _CEILINGS:
        reports = [report(mixture.uniform_noise(n, seed), mixture) for seed in seeds]
        out = {"box": mixture.box, "n": n, "n_modes": mixture.n_modes, "draws": len(reports)}
        for name, scale in (("modes_captured", 1), ("modes_covered", 1), ("high_quality", 100)):
            values = scale * np.array([getattr(r, name) for r in reports], np.float64)
            out[name] = float(values.mean())
            out[name + "_std"] = float(values.std(ddof=1) if len(values) > 1 else 0)
        _CEILINGS[key] = out
    return dict(_CEILINGS[key])


def noise_line(ceiling: dict) -> str:
    """The line printed beside every count of modes: what noise over the same box scores."""
    return (f"uniform noise over the same box (+/- {ceiling['box']:g}): {ceiling['modes_captured']:.1f} "
            f"modes at {ceiling['high_quality']:.1f}% high quality ({ceiling['modes_covered']:.1f} covered; "
            f"n = {ceiling['n']}, mean of {ceiling['draws']} draws)")


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
    n = validation.integer("n (eval_samples: the samples each evaluation scores)", n, minimum=1)

    def evaluate(trainer) -> dict:
        samples = scaler.inverse_transform(trainer.generate(n, seed=seed))
        result = report(samples, mixture)
        nearest, _ = nearest_modes(samples, mixture.modes)
        out = {"modes": result.modes_captured, "covered": result.modes_covered,
               "high_quality": result.high_quality, "kl": result.kl, "mode_counts": result.counts,
               "nearest_counts": np.bincount(nearest, minlength=len(mixture.modes))}
        if w1:
            out.update(w1_with_floor(samples, mixture, seed))
        return out

    return evaluate
