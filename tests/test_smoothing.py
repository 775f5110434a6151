"""Label smoothing's optimal discriminator (lesson 08), checked by quadrature and by maximising
D's objective point by point without the formula."""

import numpy as np
import pytest

from gan_lessons import smoothing, theory

P_DATA = theory.gaussian(0.0, 1.0)
P_G = theory.mixture((0.5, 0.0, 1.0), (0.5, 5.0, 0.5))  # half on the data, half on a spurious mode
LABELS = [(1.0, 0.0), (0.9, 0.0), (0.9, 0.1), (0.7, 0.2)]


@pytest.mark.parametrize("alpha, beta", LABELS)
def test_the_formula_is_the_pointwise_maximiser(alpha, beta):
    x = np.linspace(-3.0, 7.0, 23)
    formula = smoothing.optimal_discriminator(P_DATA, P_G, x, alpha, beta)
    assert np.abs(formula - smoothing.numerical_optimum(P_DATA, P_G, x, alpha, beta)).max() < 1e-6


@pytest.mark.parametrize("alpha, beta", LABELS)
def test_any_bump_of_the_optimal_discriminator_lowers_its_objective(alpha, beta):
    gaps = smoothing.perturbation_gaps(P_DATA, P_G, alpha, beta, n=25)
    assert gaps.min() > 0


def test_without_smoothing_it_is_lesson_02s_game():
    x = np.linspace(-4, 8, 101)
    np.testing.assert_allclose(smoothing.optimal_discriminator(P_DATA, P_G, x),
                               theory.optimal_discriminator(P_DATA, P_G, x), rtol=1e-12)
    logit = lambda x: theory.optimal_logit(P_DATA, P_G, x)  # noqa: E731
    criterion = theory.training_criterion(P_DATA, P_G)
    assert smoothing.value(P_DATA, P_G, logit) == pytest.approx(criterion, abs=1e-10)


def test_one_sided_smoothing_only_scales_the_optimal_discriminator():
    x = np.linspace(-4, 8, 101)
    np.testing.assert_allclose(smoothing.optimal_discriminator(P_DATA, P_G, x, 0.9),
                               0.9 * theory.optimal_discriminator(P_DATA, P_G, x), rtol=1e-12)


def test_at_equilibrium_d_star_is_the_mean_of_the_two_labels():
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(smoothing.optimal_discriminator(P_DATA, P_DATA, x, 0.9, 0.1), 0.5, rtol=1e-12)
    np.testing.assert_allclose(smoothing.optimal_discriminator(P_DATA, P_DATA, x, 0.9), 0.45, rtol=1e-12)


def test_two_sided_smoothing_stops_pushing_samples_off_the_data_back():
    spurious = theory.gaussian(5.0, 0.5)
    one_sided = smoothing.mean_push(P_DATA, P_G, spurious, 0.9, 0.0)
    two_sided = smoothing.mean_push(P_DATA, P_G, spurious, 0.9, 0.1)
    assert one_sided < -1.0  # pushed left, toward the data
    assert abs(two_sided) < 0.02 * abs(one_sided)
    at_mode = smoothing.optimal_discriminator(P_DATA, P_G, np.array([5.0]), 0.9, 0.1)[0]
    assert at_mode == pytest.approx(0.1, abs=1e-4)  # D* = beta where p_data ~ 0: G is not rejected there


@pytest.mark.parametrize("alpha, beta, match", [(0.9, 0.9, "below real_label"), (1.1, 0.0, "real_label"),
                                                (0.9, -0.1, "fake_label"), (0.0, 0.0, "real_label")])
def test_bad_labels_are_refused(alpha, beta, match):
    with pytest.raises(ValueError, match=match):
        smoothing.optimal_discriminator(P_DATA, P_G, np.zeros(3), alpha, beta)
