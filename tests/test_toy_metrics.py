"""Exact W1 by optimal transport, its real-vs-real floor, and the one kl_from_uniform."""

import numpy as np
import pytest

from gan_lessons import toy, toy_metrics


def test_w1_of_a_set_with_itself_is_zero_and_a_translation_costs_its_length():
    points = np.random.default_rng(0).normal(size=(300, 2))
    assert toy_metrics.wasserstein1(points, points) == pytest.approx(0.0, abs=1e-9)
    shift = np.array([3.0, 4.0])
    assert toy_metrics.wasserstein1(points, points + shift) == pytest.approx(5.0, rel=1e-9)


def test_w1_matches_the_sorted_matching_in_one_dimension():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(200, 1)), rng.uniform(size=(200, 1))
    expected = np.mean(np.abs(np.sort(a[:, 0]) - np.sort(b[:, 0])))
    assert toy_metrics.wasserstein1(a, b) == pytest.approx(expected, rel=1e-9)


def test_real_floor_is_positive_and_shrinks_with_more_samples():
    curve = toy.QuadraticCurve()
    sample = toy.curve_sampler(curve, curve.scaler())
    small, large = toy_metrics.real_floor(sample, 200), toy_metrics.real_floor(sample, 2000)
    assert 0 < large < small


def test_w1_rejects_diverged_samples_and_bad_shapes():
    with pytest.raises(ValueError, match="diverged"):
        toy_metrics.wasserstein1(np.full((3, 2), np.nan), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        toy_metrics.wasserstein1(np.zeros((3, 2)), np.zeros((3, 3)))


@pytest.mark.parametrize("counts, expected", [
    ([5, 5, 5, 5], 0.0),
    ([10, 0, 0, 0], np.log(4)),
    ([3, 3, 0, 0], np.log(2)),
    ([1, 3], 0.25 * np.log(0.5) + 0.75 * np.log(1.5)),
    (np.eye(10)[3] * 1000, np.log(10)),
])
def test_kl_from_uniform_known_values(counts, expected):
    assert toy_metrics.kl_from_uniform(counts) == pytest.approx(expected, abs=1e-12)


def test_kl_rejects_an_empty_histogram_and_says_what_to_pass():
    with pytest.raises(ValueError, match="empty.*pass counts with a positive total"):
        toy_metrics.kl_from_uniform(np.zeros(10))
    for bad in ([], [[1, 2]], [1, -1], [1, np.nan]):
        with pytest.raises(ValueError, match=r"non-negative counts of shape \(K,\)"):
            toy_metrics.kl_from_uniform(bad)
