"""Lesson 01's dashboard views after GAN Lab: the push on each fake is its own loss gradient, the
manifold is G's image of a latent grid, and the feature panel previews exactly the next G update."""

import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import curve_plots, recipes, toy


@pytest.fixture(scope="module")
def trainer():
    trainer = recipes.curve_trainer(hidden=(16, 16), batch_size=64)
    trainer.train(60, progress=False)
    return trainer


def test_the_push_on_a_fake_is_its_own_gradient_whatever_the_batch(trainer):
    latent = trainer.latent_vectors(10, tf.constant([3, 0], tf.int64))
    fake, push = curve_plots.generator_push(trainer, latent)
    _, first_three = curve_plots.generator_push(trainer, latent[:3])
    np.testing.assert_allclose(push[:3], first_three, rtol=1e-5, atol=1e-7)
    own_loss = lambda x: trainer.objective.generator_loss(trainer.discriminator(x))  # noqa: E731
    for point, direction in zip(fake, push):  # a small step along the push lowers that fake's loss
        before = float(own_loss(point[None]))
        after = float(own_loss((point + 1e-3 * direction / np.linalg.norm(direction))[None]))
        assert after < before


def test_the_manifold_is_g_applied_to_latent_grid_lines_in_data_units(trainer):
    scaler = toy.QuadraticCurve().scaler()
    lines = curve_plots.generator_manifold(trainer, scaler, lines=5, points=7)
    assert len(lines) == 10 and all(line.shape == (7, 2) for line in lines)
    # z1 = -2, 0 along lines 0 and 2; z2 = -2 along line 5; each runs over [-2.5, 2.5]
    latent = np.array([[-2.0, -2.5], [0.0, 2.5], [-2.5, -2.0]], np.float32)
    expected = scaler.inverse_transform(trainer.generator(latent).numpy())
    np.testing.assert_allclose([lines[0][0], lines[2][-1], lines[5][0]], expected, rtol=1e-5)


def test_arrows_keep_each_push_direction_and_scale_the_median_to_the_length_asked():
    scaler = toy.QuadraticCurve().scaler()
    push = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 4.0]])
    arrows = curve_plots.arrows(push, scaler, length=0.3) / scaler.scale  # back to training units
    np.testing.assert_allclose(np.median(np.linalg.norm(arrows, axis=1)), 0.3)
    cosines = np.sum(arrows * push, axis=1) / np.linalg.norm(arrows, axis=1) / np.linalg.norm(push, axis=1)
    np.testing.assert_allclose(cosines, 1.0)
    assert not curve_plots.arrows(np.zeros((3, 2)), scaler).any()


def test_the_feature_panel_previews_exactly_what_g_only_does_and_leaves_the_trainer_alone(trainer):
    real = trainer.sample_real(tf.constant([1, 2], tf.int64), 32)
    latent = trainer.latent_vectors(32, tf.constant([4, 0], tf.int64))
    state = [v.numpy().copy() for v in trainer._state_variables()]
    preview = curve_plots.features_around_generator_step(trainer, real, latent)
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(state, trainer._state_variables()))
    np.testing.assert_array_equal(preview["real_after"], preview["real_before"])
    trainer.generator_step(draw=None)  # what the dashboard's "G only" button does
    moved = trainer.features(trainer.generator(latent, training=False)).numpy()
    np.testing.assert_allclose(preview["fake_after"], moved, rtol=1e-5, atol=1e-6)
