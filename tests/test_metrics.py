import numpy as np
import pytest

from gan_lessons import metrics, toy


def test_w1_of_a_set_with_itself_is_zero_and_a_translation_costs_its_length():
    points = np.random.default_rng(0).normal(size=(300, 2))
    assert metrics.wasserstein1(points, points) == pytest.approx(0.0, abs=1e-9)
    shift = np.array([3.0, 4.0])
    assert metrics.wasserstein1(points, points + shift) == pytest.approx(5.0, rel=1e-9)


def test_w1_matches_the_sorted_matching_in_one_dimension():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(200, 1)), rng.uniform(size=(200, 1))
    expected = np.mean(np.abs(np.sort(a[:, 0]) - np.sort(b[:, 0])))
    assert metrics.wasserstein1(a, b) == pytest.approx(expected, rel=1e-9)


def test_real_floor_is_positive_and_shrinks_with_more_samples():
    curve = toy.QuadraticCurve()
    sample = toy.curve_sampler(curve, curve.scaler())
    small, large = metrics.real_floor(sample, 200), metrics.real_floor(sample, 2000)
    assert 0 < large < small


def test_w1_rejects_diverged_samples_and_bad_shapes():
    with pytest.raises(ValueError, match="diverged"):
        metrics.wasserstein1(np.full((3, 2), np.nan), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        metrics.wasserstein1(np.zeros((3, 2)), np.zeros((3, 3)))
