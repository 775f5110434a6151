"""Lesson 06's mixtures of 2-D Gaussians (a ring, a grid): the standard mode-collapse toys, sampled in TF."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from gan_lessons import toy, validation


def _check_positive(name, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class GaussianMixture2D:
    """Equal-weight mixture of isotropic Gaussians N(mode_k, std^2 I), data units.

    modes: float64 (n_modes, 2) means; std: the standard deviation of every component.
    Build with `GaussianMixture2D.ring(...)` or `GaussianMixture2D.grid(...)`.
    """

    modes: np.ndarray
    std: float
    name: str = "mixture"
    box: float | None = None  # half-width of the square uniform noise fills (the noise ceiling)

    def __post_init__(self):
        modes = np.asarray(self.modes, np.float64)
        if modes.ndim != 2 or modes.shape[1] != 2 or len(modes) < 1:
            raise ValueError(f"modes must be an (n_modes, 2) array, got shape {modes.shape}")
        if not np.all(np.isfinite(modes)):
            raise ValueError("modes must be finite")
        modes = modes.copy()
        modes.flags.writeable = False
        object.__setattr__(self, "modes", modes)
        object.__setattr__(self, "std", _check_positive("std", self.std))
        if self.box is None:  # the modes' square plus their 3-std circles
            object.__setattr__(self, "box", float(np.abs(modes).max() + 3 * self.std))
        object.__setattr__(self, "box", _check_positive("box", self.box))

    @classmethod
    def ring(cls, n_modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture2D:
        """n_modes Gaussians at angles 2*pi*k/n_modes, k = 0..n_modes-1 (all distinct), on a circle;
        its noise box is +/- 1.5 radius."""
        n_modes = validation.positive_integer("n_modes", n_modes)
        radius = _check_positive("radius", radius)
        angles = 2 * np.pi * np.arange(n_modes) / n_modes
        modes = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        return cls(modes, std, name=f"ring of {n_modes}", box=1.5 * radius)

    @classmethod
    def grid(cls, size: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture2D:
        """size x size Gaussians on a square grid centred at the origin, `spacing` apart; its noise
        box reaches a quarter spacing beyond the outer modes."""
        size = validation.positive_integer("size", size)
        spacing = _check_positive("spacing", spacing)
        ticks = spacing * (np.arange(size) - (size - 1) / 2)
        xs, ys = np.meshgrid(ticks, ticks, indexing="ij")
        return cls(np.stack([xs.ravel(), ys.ravel()], axis=1), std, name=f"{size}x{size} grid",
                   box=float(ticks.max() + spacing / 4))

    @property
    def n_modes(self) -> int:
        return len(self.modes)

    def sample_with_components(self, n: int, seed) -> tuple[tf.Tensor, tf.Tensor]:
        """(points float32 (n, 2) in data units, components int32 (n,) in [0, n_modes))."""
        n = validation.positive_integer("n", n)
        seed = toy.as_seed(seed)
        component_seed = tf.random.experimental.stateless_fold_in(seed, 1)
        noise_seed = tf.random.experimental.stateless_fold_in(seed, 2)
        components = tf.random.stateless_uniform(
            (n,), component_seed, minval=0, maxval=self.n_modes, dtype=tf.int32
        )
        means = tf.gather(tf.constant(self.modes, tf.float32), components)
        noise = tf.random.stateless_normal((n, 2), noise_seed, dtype=tf.float32)
        return means + self.std * noise, components

    def sample(self, n: int, seed) -> tf.Tensor:
        """float32 (n, 2) points in data units; the same seed gives the same points."""
        return self.sample_with_components(n, seed)[0]

    def exact_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of (x, y) under the mixture, in closed form."""
        mean = self.modes.mean(axis=0)
        variance = ((self.modes - mean) ** 2).mean(axis=0) + self.std**2
        return mean, np.sqrt(variance)

    def scaler(self) -> toy.Scaler:
        """Standardises each coordinate to mean 0, standard deviation 1 (exact moments)."""
        mean, std = self.exact_moments()
        return toy.Scaler(mean=mean, scale=std)

    def sampler(self, scaler: toy.Scaler | None = None):
        """A trainer's real-data function: (seed (2,), batch_size) -> float32 (batch, 2) in
        training units (`scaler`, default `self.scaler()`, applied to data units)."""
        scaler = scaler or self.scaler()

        def sample_real(seed, batch_size):
            return scaler.transform(self.sample(batch_size, seed))

        return sample_real

    def uniform_noise(self, n: int, seed: int = 0) -> np.ndarray:
        """n points uniform on the square +/- box (data units): float64 (n, 2). What a "generator"
        that only spreads scores is the noise ceiling of every modes-captured count."""
        n = validation.positive_integer("n", n)
        return np.random.default_rng(seed).uniform(-self.box, self.box, (n, 2))

    def plot_limits(self, margin: float = 0.25) -> tuple[tuple[float, float], tuple[float, float]]:
        """((xmin, xmax), (ymin, ymax)) in data units: the modes plus a margin of their extent."""
        low, high = self.modes.min(axis=0), self.modes.max(axis=0)
        pad = margin * max(float((high - low).max()), 10 * self.std)
        return (low[0] - pad, high[0] + pad), (low[1] - pad, high[1] + pad)


def by_name(name: str, **kwargs) -> GaussianMixture2D:
    """"ring" or "grid" with their default parameters (overridden by kwargs)."""
    builders = {"ring": GaussianMixture2D.ring, "grid": GaussianMixture2D.grid}
    if name not in builders:
        raise ValueError(f"unknown mixture {name!r}; choose one of {sorted(builders)}")
    return builders[name](**kwargs)
