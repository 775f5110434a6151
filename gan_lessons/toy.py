"""2-D toys sampled inside TensorFlow, and a scaler between data and training units (lessons 01, 05, 06)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from gan_lessons import validation


def as_seed(seed) -> tf.Tensor:
    """A stateless-RNG seed: int32 (2,) from an int or a pair of ints."""
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return tf.constant([int(seed), 0], tf.int32)
    seed = tf.convert_to_tensor(seed)
    if seed.shape != (2,):
        raise ValueError(f"seed must be an int or a pair of ints, got shape {seed.shape}")
    return tf.cast(seed, tf.int32)


@dataclass(frozen=True)
class QuadraticCurve:
    """Points (x, 10 + x^2) with x uniform on [low, high], in data units.

    The original tutorial draws x from [-50, 50], so y reaches 2,510: far from the unit
    scale networks train well on. Train on `scaler().transform(...)` and plot in data units.
    """

    low: float = -50.0
    high: float = 50.0
    offset: float = 10.0

    def __post_init__(self):
        if not (np.isfinite(self.low) and np.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"need a finite interval low < high, got [{self.low}, {self.high}]")

    def curve(self, x):
        """y on the curve for x (numpy or tf), data units."""
        return self.offset + x * x

    def sample(self, n: int, seed) -> tf.Tensor:
        """float32 (n, 2) points in data units; the same seed gives the same points."""
        n = validation.positive_integer("n", n)
        x = tf.random.stateless_uniform(
            (n,), as_seed(seed), minval=self.low, maxval=self.high, dtype=tf.float32
        )
        return tf.stack([x, self.curve(x)], axis=1)

    def residual(self, points) -> np.ndarray:
        """|y - (10 + x^2)| for each point, data units: (n,)."""
        points = np.asarray(points, np.float64)
        return np.abs(points[:, 1] - self.curve(points[:, 0]))

    def coverage(self, points, bins: int = 20) -> float:
        """The share of the curve's x-range the points cover: of `bins` equal slices of
        [low, high], the fraction holding at least a quarter of an even share of the points
        (real samples: 1; points piled on part of the curve: less). Precision is the residual's
        job: points spread anywhere over the x-range cover it."""
        x = np.asarray(points, np.float64)[:, 0]
        counts, _ = np.histogram(x, bins=bins, range=(self.low, self.high))
        return float(np.mean(counts >= len(x) / bins / 4))

    def exact_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of (x, y), in closed form for x ~ U[low, high]."""
        a, b = self.low, self.high

        def moment(k):  # E[x^k] for x ~ U[a, b]
            return (b ** (k + 1) - a ** (k + 1)) / ((k + 1) * (b - a))

        mean_x, var_x = moment(1), moment(2) - moment(1) ** 2
        mean_y = self.offset + moment(2)
        var_y = moment(4) - moment(2) ** 2
        return np.array([mean_x, mean_y]), np.sqrt([var_x, var_y])

    def scaler(self) -> Scaler:
        """Standardises x and y to mean 0, standard deviation 1 (exact, not estimated)."""
        mean, std = self.exact_moments()
        return Scaler(mean=mean, scale=std)

    def plot_limits(self, margin: float = 0.15) -> tuple[tuple[float, float], tuple[float, float]]:
        """((xmin, xmax), (ymin, ymax)) in data units, with a margin around the curve."""
        xs = np.linspace(self.low, self.high, 401)
        ys = self.curve(xs)
        dx, dy = (self.high - self.low) * margin, (ys.max() - ys.min()) * margin
        return (self.low - dx, self.high + dx), (ys.min() - dy, ys.max() + dy)


@dataclass(frozen=True)
class Scaler:
    """Affine map between data units and training units: train = (data - mean) / scale."""

    mean: np.ndarray
    scale: np.ndarray

    def __post_init__(self):
        mean = np.asarray(self.mean, np.float32)
        scale = np.asarray(self.scale, np.float32)
        if mean.shape != scale.shape or mean.ndim != 1:
            raise ValueError(f"mean and scale must be vectors of one length, got {mean.shape}, {scale.shape}")
        if not np.all(scale > 0):
            raise ValueError(f"scale must be positive, got {scale}")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "scale", scale)

    @classmethod
    def fit(cls, points) -> Scaler:
        """Estimate mean and scale from samples (n, d)."""
        points = np.asarray(points, np.float64)
        return cls(mean=points.mean(axis=0), scale=points.std(axis=0))

    def transform(self, points):
        """Data units -> training units; numpy in, numpy out; tensors stay tensors."""
        if isinstance(points, (tf.Tensor, tf.Variable)):
            return (points - self.mean) / self.scale
        return (np.asarray(points, np.float32) - self.mean) / self.scale

    def inverse_transform(self, points):
        """Training units -> data units."""
        if isinstance(points, (tf.Tensor, tf.Variable)):
            return points * self.scale + self.mean
        return np.asarray(points, np.float32) * self.scale + self.mean


def curve_sampler(curve: QuadraticCurve, scaler: Scaler):
    """A trainer's real-data function: (seed (2,), batch_size) -> float32 (batch, 2) training units."""

    def sample_real(seed, batch_size):
        return scaler.transform(curve.sample(batch_size, seed))

    return sample_real
