"""Exercises of lesson 06 (mode collapse): each `check_*` tests a student's function."""

from __future__ import annotations

import numpy as np

from gan_lessons import mixtures, mode_metrics, remedies
from gan_lessons.checks import Case, Exercise, Result

_rng = np.random.default_rng(2016)
_RING = mixtures.GaussianMixture2D.ring(n_modes=8, radius=2.0, std=0.02)
_GRID = mixtures.GaussianMixture2D.grid(size=5, spacing=2.0, std=0.05)


def _near(mixture, modes, n_each, spread=1.0):
    """n_each points around each listed mode, `spread` standard deviations wide."""
    centres = np.repeat(mixture.modes[list(modes)], n_each, axis=0)
    return centres + spread * mixture.std * _rng.standard_normal(centres.shape)


def _modes_captured(samples, modes, std):
    counts = mode_metrics.mode_counts(samples, modes, std)
    return int(np.count_nonzero(counts))


def _minibatch_std_feature(features):
    return remedies.MinibatchStdDev(epsilon=0.0)(np.asarray(features, np.float32)).numpy()


def _pack_samples(samples, pack):
    return remedies.Pack(pack)(np.asarray(samples, np.float32)).numpy()


_midpoints = (_RING.modes + np.roll(_RING.modes, 1, axis=0)) / 2

MODES_CAPTURED = Exercise(
    name="modes_captured(samples, modes, std)",
    reference=_modes_captured,
    cases=(
        Case("real-like samples on all 8 ring modes", (_near(_RING, range(8), 40), _RING.modes, _RING.std)),
        Case("a collapsed generator: everything on mode 2",
             (_near(_RING, [2], 300), _RING.modes, _RING.std)),
        Case("points halfway between modes (none is high quality: 0 modes)",
             (_midpoints, _RING.modes, _RING.std)),
        Case("3 of 25 grid modes, plus far-off points that must not count",
             (np.concatenate([_near(_GRID, [0, 12, 24], 20), [[1.0, 1.0], [-3.0, 3.0]]]),
              _GRID.modes, _GRID.std)),
        Case("one sample just inside 3 std of mode 0 and one just outside 3 std of mode 4",
             (np.array([_RING.modes[0] + [0, 2.9 * _RING.std], _RING.modes[4] + [3.1 * _RING.std, 0]]),
              _RING.modes, _RING.std)),
    ),
    hint="for each sample find its nearest mode and that distance (np.linalg.norm over the last axis "
         "of samples[:, None] - modes[None]); keep samples within 3 * std; count the distinct modes "
         "among the kept samples' nearest modes.",
)

HIGH_QUALITY_FRACTION = Exercise(
    name="high_quality_fraction(samples, modes, std)",
    reference=lambda samples, modes, std: mode_metrics.high_quality_mask(samples, modes, std).mean(),
    cases=(
        Case("real-like samples on all 8 ring modes (about 0.99)",
             (_near(_RING, range(8), 40), _RING.modes, _RING.std)),
        Case("a collapsed generator on one mode: still high quality",
             (_near(_RING, [5], 300), _RING.modes, _RING.std)),
        Case("half on grid modes, half between them (0.5)",
             (np.concatenate([_GRID.modes, _GRID.modes + [1.0, 0.0]]), _GRID.modes, _GRID.std)),
        Case("a spread 2 std wide: distance, not one coordinate, must be within 3 std",
             (_near(_RING, range(8), 50, spread=2.0), _RING.modes, _RING.std)),
    ),
    hint="the Euclidean distance from each sample to its nearest mode, compared with 3 * std; "
         "return the fraction (a float in [0, 1]) of samples within it.",
)

PACK_SAMPLES = Exercise(
    name="pack_samples(samples, pack)",
    reference=_pack_samples,
    cases=(
        Case("8 points in packs of 2", (_rng.normal(size=(8, 2)), 2)),
        Case("pack = 1 (no packing: unchanged)", (_rng.normal(size=(5, 2)), 1)),
        Case("12 points of 3 coordinates in packs of 4", (_rng.normal(size=(12, 3)), 4)),
    ),
    hint="consecutive groups of `pack` samples become one row: (batch, d) -> (batch // pack, pack * d); "
         "np.reshape does it, keeping sample 0's coordinates first.",
)

MODES_COVERED = Exercise(
    name="modes_covered(samples, modes, std)",
    reference=lambda samples, modes, std: mode_metrics.modes_covered(
        mode_metrics.mode_counts(samples, modes, std), len(samples)),
    cases=(
        Case("real-like samples on all 8 ring modes (8 covered)",
             (_near(_RING, range(8), 40), _RING.modes, _RING.std)),
        Case("uniform noise over the grid's box: many modes captured, none covered",
             (_GRID.uniform_noise(2500, seed=3), _GRID.modes, _GRID.std)),
        Case("300 samples on mode 2 and 5 on mode 6: mode 6 is captured but not covered",
             (np.concatenate([_near(_RING, [2], 300), _near(_RING, [6], 5)]), _RING.modes, _RING.std)),
        Case("exactly a quarter of the fair share on each of 4 grid modes (covered: >= counts)",
             (np.concatenate([_near(_GRID, [0, 6, 18, 24], 25, spread=0.5), np.full((2400, 2), 50.0)]),
              _GRID.modes, _GRID.std)),
    ),
    hint="count the high-quality samples (within 3 * std) per nearest mode, as for modes_captured; a mode "
         "is covered when its count is at least 0.25 * len(samples) / len(modes), a quarter of its fair "
         "share of all the samples: noise spreads too thinly to reach it.",
)

MINIBATCH_STD_FEATURE = Exercise(
    name="minibatch_std_feature(features)",
    reference=_minibatch_std_feature,
    cases=(
        Case("a batch of 16 random feature vectors of width 4", (_rng.normal(size=(16, 4)),)),
        Case("a collapsed batch: 6 identical samples (the feature is 0)",
             (np.tile([[0.5, -1.0, 2.0]], (6, 1)),)),
        Case("a batch of 3 (not the lesson's batch size)", (_rng.normal(size=(3, 2)) * 5,)),
    ),
    hint="std over the batch (axis 0, population std: np.std's default) of each feature, averaged "
         "over features: one number; append it as a new last column to every row: (batch, f + 1).",
    rtol=1e-4,
    atol=1e-4,
)


def check_modes_captured(function) -> Result:
    return MODES_CAPTURED.check(function)


def check_high_quality_fraction(function) -> Result:
    return HIGH_QUALITY_FRACTION.check(function)


def check_pack_samples(function) -> Result:
    return PACK_SAMPLES.check(function)


def check_modes_covered(function) -> Result:
    return MODES_COVERED.check(function)


def check_minibatch_std_feature(function) -> Result:
    return MINIBATCH_STD_FEATURE.check(function)
