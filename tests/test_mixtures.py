"""Gaussian-mixture toys: the ring has 8 distinct modes, sampling is seeded and has the stated moments."""

import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import mixtures


def test_ring_has_eight_distinct_equally_spaced_modes_on_the_circle():
    ring = mixtures.GaussianMixture2D.ring(n_modes=8, radius=2.0, std=0.02)
    assert ring.modes.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(ring.modes, axis=1), 2.0)
    angles = np.sort(np.mod(np.arctan2(ring.modes[:, 1], ring.modes[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(angles, 2 * np.pi * np.arange(8) / 8, atol=1e-12)
    gaps = np.linalg.norm(ring.modes[:, None] - ring.modes[None], axis=-1) + np.eye(8) * 99
    assert gaps.min() == pytest.approx(2 * 2.0 * np.sin(np.pi / 8))  # neighbours, no repeat


def test_grid_is_size_by_size_with_the_given_spacing_centred_at_zero():
    grid = mixtures.GaussianMixture2D.grid(size=5, spacing=2.0, std=0.05)
    assert grid.n_modes == 25
    np.testing.assert_allclose(grid.modes.mean(axis=0), 0.0, atol=1e-12)
    assert sorted(set(grid.modes[:, 0].round(9))) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    gaps = np.linalg.norm(grid.modes[:, None] - grid.modes[None], axis=-1) + np.eye(25) * 99
    assert gaps.min() == pytest.approx(2.0)


def test_same_seed_same_points_and_different_seeds_differ():
    ring = mixtures.GaussianMixture2D.ring()
    a, b, c = ring.sample(100, 3), ring.sample(100, 3), ring.sample(100, 4)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(a.numpy(), c.numpy())


def test_components_are_uniform_and_spread_around_each_mode_is_std():
    grid = mixtures.GaussianMixture2D.grid(size=5, spacing=1.0, std=0.1)
    points, components = grid.sample_with_components(50_000, 0)
    counts = np.bincount(components.numpy(), minlength=25)
    expected = 50_000 / 25
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))  # ~ binomial spread
    offsets = points.numpy() - grid.modes[components.numpy()]
    np.testing.assert_allclose(offsets.std(axis=0), 0.1, rtol=0.02)
    np.testing.assert_allclose(offsets.mean(axis=0), 0.0, atol=0.003)


def test_exact_moments_match_samples_and_sampler_standardises():
    ring = mixtures.GaussianMixture2D.ring(radius=2.0, std=0.02)
    mean, std = ring.exact_moments()
    np.testing.assert_allclose(std, np.sqrt(2.0 + 0.02**2))  # r^2 / 2 per axis
    training_units = ring.sampler()(tf.constant([5, 0], tf.int64), 40_000).numpy()
    np.testing.assert_allclose(training_units.mean(axis=0), 0.0, atol=0.02)
    np.testing.assert_allclose(training_units.std(axis=0), 1.0, atol=0.02)


def test_sampling_works_inside_a_compiled_function_with_a_tensor_seed():
    ring = mixtures.GaussianMixture2D.ring()
    sample_real = ring.sampler()
    compiled = tf.function(lambda seed: sample_real(seed, 64))
    seed = tf.constant([1, 2], tf.int64)
    np.testing.assert_allclose(compiled(seed).numpy(), sample_real(seed, 64).numpy(), rtol=1e-6)


def test_uniform_noise_fills_the_box_and_is_seeded():
    grid = mixtures.GaussianMixture2D.grid()
    noise = grid.uniform_noise(5000, seed=2)
    assert noise.shape == (5000, 2) and np.abs(noise).max() <= grid.box
    assert np.abs(noise).max() > 0.95 * grid.box  # it reaches the edges
    np.testing.assert_array_equal(noise, grid.uniform_noise(5000, seed=2))
    assert mixtures.GaussianMixture2D(np.zeros((1, 2)), 0.1).box == pytest.approx(0.3)  # default: 3 std


@pytest.mark.parametrize("build", [
    lambda: mixtures.GaussianMixture2D(np.zeros((2, 2)), 0.1, box=-1.0),
    lambda: mixtures.GaussianMixture2D.ring(n_modes=0),
    lambda: mixtures.GaussianMixture2D.ring(std=0.0),
    lambda: mixtures.GaussianMixture2D.grid(spacing=-1.0),
    lambda: mixtures.GaussianMixture2D(np.zeros((3, 3)), 0.1),
    lambda: mixtures.by_name("spiral"),
])
def test_bad_parameters_raise_value_error(build):
    with pytest.raises(ValueError):
        build()
