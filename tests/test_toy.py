import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import toy


def test_curve_samples_lie_on_the_curve_within_the_interval():
    curve = toy.QuadraticCurve(low=-3.0, high=5.0)
    points = curve.sample(4000, seed=1).numpy()
    assert points.shape == (4000, 2) and points.dtype == np.float32
    assert points[:, 0].min() >= -3.0 and points[:, 0].max() <= 5.0
    assert np.max(curve.residual(points)) < 1e-5 * 35  # float32 rounding of y <= 35


def test_same_seed_same_points_other_seed_other_points():
    curve = toy.QuadraticCurve()
    assert np.array_equal(curve.sample(100, seed=7), curve.sample(100, seed=7))
    assert not np.array_equal(curve.sample(100, seed=7), curve.sample(100, seed=8))
    assert np.array_equal(curve.sample(10, seed=[7, 3]), curve.sample(10, seed=tf.constant([7, 3])))


def test_exact_scaler_standardises_a_large_sample():
    curve = toy.QuadraticCurve()
    scaled = curve.scaler().transform(curve.sample(200_000, seed=0).numpy())
    np.testing.assert_allclose(scaled.mean(axis=0), 0.0, atol=0.01)
    np.testing.assert_allclose(scaled.std(axis=0), 1.0, atol=0.01)


def test_scaler_round_trip_numpy_and_tensor():
    scaler = toy.Scaler(mean=[1.0, 843.0], scale=[28.0, 748.0])
    points = np.array([[3.0, 19.0], [-50.0, 2510.0]], np.float32)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(points)), points, atol=1e-3)
    tensor = scaler.transform(tf.constant(points))
    assert isinstance(tensor, tf.Tensor)
    np.testing.assert_allclose(tensor.numpy(), scaler.transform(points))


@pytest.mark.parametrize("low, high", [(1.0, 1.0), (2.0, -2.0), (0.0, float("inf"))])
def test_bad_interval_is_a_clear_error(low, high):
    with pytest.raises(ValueError, match="low < high"):
        toy.QuadraticCurve(low=low, high=high)


def test_bad_sample_size_and_scale_are_clear_errors():
    with pytest.raises(ValueError, match="n must be a positive integer"):
        toy.QuadraticCurve().sample(0, seed=0)
    with pytest.raises(ValueError, match="scale must be positive"):
        toy.Scaler(mean=[0.0, 0.0], scale=[1.0, 0.0])


def test_coverage_is_one_for_real_points_and_the_covered_share_for_points_on_part_of_the_curve():
    curve = toy.QuadraticCurve()
    points = curve.sample(2000, 0).numpy()
    assert curve.coverage(points) == 1.0
    assert curve.coverage(points[points[:, 0] > 0]) == 0.5  # the right half of the x-range
    assert curve.coverage(np.tile(points[:1], (100, 1))) == 0.05  # all on one point: 1 of 20 slices
