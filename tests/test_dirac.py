"""The Dirac-GAN of lesson 08: the closed-form field is the trainer's game pieces differentiated,
the update's Jacobian at the equilibrium has the closed-form eigenvalues, and the trajectories do
what Mescheder et al. (2018) prove: plain GANs and WGANs do not converge locally, instance noise and
R1 do."""

import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import dirac, game

GAMES = dirac.GAMES
POINTS = [(0.7, -0.4), (-1.3, 2.1), (0.05, 0.02), (2.5, -1.5)]


@pytest.mark.parametrize("key", list(GAMES))
def test_the_closed_form_field_is_the_game_pieces_differentiated(key):
    for theta, psi in POINTS:
        autodiff = [float(v) for v in dirac.autodiff_field(GAMES[key], tf.constant(theta), tf.constant(psi))]
        closed = [float(v) for v in dirac.vector_field(GAMES[key], theta, psi)]
        np.testing.assert_allclose(autodiff, closed, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("key", [k for k in GAMES if k != "wgan_gp"])
@pytest.mark.parametrize("mode", dirac.MODES)
def test_the_update_jacobian_by_autodiff_has_the_closed_form_eigenvalues(key, mode):
    jacobian = dirac.update_jacobian(GAMES[key], 0.1, mode)
    np.testing.assert_allclose(jacobian, dirac.update_matrix(GAMES[key], 0.1, mode), atol=1e-6)
    closed_form = dirac.closed_form_eigenvalues(GAMES[key], 0.1, mode)
    # R1 with gamma 1 is critically damped (a double eigenvalue): float32 entries 1e-9 apart move
    # a double root by ~sqrt(1e-9), so the eigenvalues are compared at 1e-4, the matrices at 1e-6
    np.testing.assert_allclose(dirac.eigenvalues(jacobian), closed_form, atol=1e-4)


def _radius(key, mode, h=0.1):
    return np.abs(dirac.closed_form_eigenvalues(GAMES[key], h, mode)).max()


def test_simultaneous_steps_spiral_out_and_alternating_steps_circle():
    for key in ("gan", "gan_non_saturating", "wgan_clip"):
        assert _radius(key, "simultaneous") > 1.001
        assert _radius(key, "alternating") == pytest.approx(1.0, abs=1e-12)


def test_instance_noise_and_r1_make_the_equilibrium_attracting():
    for key in ("instance_noise", "r1"):
        for mode in dirac.MODES:
            assert _radius(key, mode) < 0.98


def test_trajectories_diverge_circle_or_converge_as_the_theory_says():
    final = {(key, mode): dirac.distances(dirac.trajectory(GAMES[key], (1.0, 1.0), 0.1, 1000, mode)[-1])
             for key in GAMES for mode in dirac.MODES}
    start = np.hypot(1.0, 1.0)
    assert final["gan", "simultaneous"] > 1.5 * start  # spirals out
    assert final["gan", "alternating"] == pytest.approx(start, rel=0.05)  # goes round
    for key in ("instance_noise", "r1"):
        assert max(final[key, mode] for mode in dirac.MODES) < 1e-6
    for key in ("wgan_gp", "wgan_clip"):  # no local convergence
        assert min(final[key, mode] for mode in dirac.MODES) > 0.5


def test_the_non_saturating_loss_has_the_minimax_jacobian_but_another_field():
    np.testing.assert_array_equal(dirac.field_jacobian(GAMES["gan"]),
                                  dirac.field_jacobian(GAMES["gan_non_saturating"]))
    assert not np.allclose(dirac.vector_field(GAMES["gan"], 1.0, 1.0),
                           dirac.vector_field(GAMES["gan_non_saturating"], 1.0, 1.0))


def test_the_gradient_penalty_has_no_jacobian_at_the_equilibrium():
    with pytest.raises(ValueError, match="not differentiable"):
        dirac.field_jacobian(GAMES["wgan_gp"])
    row = next(r for r in dirac.table({"wgan_gp": GAMES["wgan_gp"]}, steps=10))
    assert row["spectral_radius"] is None


def test_exact_noise_integration_matches_the_trainers_sampled_noise():
    theta, psi, std = 0.8, -0.6, 0.7
    noise = game.InstanceNoise(std=std, anneal_steps=10)
    objective = game.objective("minimax")
    n = 200_000
    real = noise(tf.zeros((n, 1)), 0, tf.constant([1, 2], tf.int64))
    fake = noise(tf.fill((n, 1), theta), 0, tf.constant([3, 4], tf.int64))
    sampled = float(objective.discriminator_loss(psi * real, psi * fake))
    exact, _ = dirac._losses(dirac.DiracGame("minimax", noise=noise), tf.constant(theta), tf.constant(psi))
    assert float(exact) == pytest.approx(sampled, abs=5e-3)


def test_clipping_in_a_step_is_the_trainers_weight_clipping():
    clipping = game.WeightClipping(0.3)
    theta, psi = dirac.step(dirac.DiracGame("wasserstein", clipping), 2.0, 0.25, 0.1)  # v_psi = -theta
    variable = tf.Variable([0.25 + 0.1 * -2.0])
    clipping.after_update(type("Critic", (), {"trainable_variables": [variable]})())
    assert psi == pytest.approx(float(variable.numpy()[0])) == pytest.approx(0.05)
    assert dirac.step(dirac.DiracGame("wasserstein", clipping), -5.0, 0.3, 0.1)[1] == pytest.approx(0.3)
    assert dirac.step(dirac.DiracGame("wasserstein", clipping), 5.0, -0.3, 0.1)[1] == pytest.approx(-0.3)


def test_same_start_same_trajectory():
    a = dirac.trajectory(GAMES["instance_noise"], (0.3, -0.7), 0.2, 50, "alternating")
    b = dirac.trajectory(GAMES["instance_noise"], (0.3, -0.7), 0.2, 50, "alternating")
    np.testing.assert_array_equal(a, b)
    assert a.shape == (51, 2) and tuple(a[0]) == (0.3, -0.7)


@pytest.mark.parametrize("make, match", [
    (lambda: dirac.DiracGame("hinge"), "objective"),
    (lambda: dirac.DiracGame(regulariser="r1"), "regulariser"),
    (lambda: dirac.DiracGame(noise=0.1), "InstanceNoise"),
    (lambda: dirac.trajectory(GAMES["gan"], learning_rate=0.0), "learning_rate"),
    (lambda: dirac.trajectory(GAMES["gan"], mode="parallel"), "mode"),
    (lambda: dirac.trajectory(GAMES["gan"], steps=-1), "steps"),
    (lambda: dirac.trajectory(GAMES["gan"], start=(1.0, 2.0, 3.0)), "two numbers"),
    (lambda: dirac.trajectory(GAMES["gan"], start=(1.0, float("nan"))), "start"),
])
def test_bad_settings_are_refused_naming_the_setting(make, match):
    with pytest.raises(ValueError, match=match):
        make()
