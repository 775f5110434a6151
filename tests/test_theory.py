"""Facts about the GAN objective on 1-D densities (gan_lessons.theory): closed forms, invariants,
the minimax identity C(G) = -log 4 + 2 JSD to 1e-6, and the generator costs' gradients."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import integrate

from gan_lessons import losses, theory

STANDARD = theory.gaussian(0, 1)
PAIRS = {
    "N(0,1) vs N(1,1)": (STANDARD, theory.gaussian(1, 1)),
    "equal": (theory.gaussian(0.5, 2), theory.gaussian(0.5, 2)),
    "mixture vs gaussian": (theory.mixture((0.5, -2, 0.5), (0.5, 2, 0.5)), theory.gaussian(0, 1.5)),
    "mixture vs mixture": (theory.mixture((0.3, -3, 1), (0.7, 2, 0.7)),
                           theory.mixture((0.5, -1, 0.4), (0.5, 4, 2))),
    "narrow vs wide": (theory.gaussian(0, 0.1), theory.gaussian(3, 2)),
    "well separated": (STANDARD, theory.gaussian(30, 1)),
}


def _random_mixture(rng):
    k = int(rng.integers(1, 4))
    return theory.mixture(*[(rng.uniform(0.1, 1), rng.uniform(-6, 6), rng.uniform(0.2, 2.5))
                            for _ in range(k)])


def _jsd_by_scipy(p, q):
    """JSD by adaptive quadrature (scipy.integrate.quad), independent of theory's grid."""
    def integrand(x):
        log_p, log_q = p.log_pdf(x), q.log_pdf(x)
        log_m = np.logaddexp(log_p, log_q) - np.log(2)
        return 0.5 * (np.exp(log_p) * (log_p - log_m) + np.exp(log_q) * (log_q - log_m))

    low = min(p.bounds()[0], q.bounds()[0])
    high = max(p.bounds()[1], q.bounds()[1])
    breaks = sorted(set(p.means) | set(q.means))
    return integrate.quad(integrand, low, high, points=breaks, limit=500, epsabs=1e-13)[0]


def test_the_curriculum_numbers():
    p_data, p_g = PAIRS["N(0,1) vs N(1,1)"]
    assert round(theory.js_divergence(p_data, p_g), 6) == 0.111421
    assert round(theory.training_criterion(p_data, p_g), 6) == -1.163451
    assert round(theory.training_criterion(p_data, p_data), 6) == -1.386294 == round(-theory.LOG_4, 6)


@pytest.mark.parametrize("name", PAIRS)
def test_minimax_identity_holds_to_1e6(name):
    p_data, p_g = PAIRS[name]
    criterion = theory.training_criterion(p_data, p_g)
    jsd = theory.js_divergence(p_data, p_g)
    assert np.isfinite(criterion) and np.isfinite(jsd)
    assert abs(criterion - (-theory.LOG_4 + 2 * jsd)) < 1e-6


@pytest.mark.parametrize("name", PAIRS)
def test_jsd_agrees_with_independent_adaptive_quadrature(name):
    p, q = PAIRS[name]
    assert abs(theory.js_divergence(p, q) - _jsd_by_scipy(p, q)) < 1e-8


def test_jsd_of_identical_densities_is_zero_and_never_exceeds_log_2():
    rng = np.random.default_rng(0)
    for _ in range(25):
        p, q = _random_mixture(rng), _random_mixture(rng)
        assert abs(theory.js_divergence(p, p)) < 1e-12
        jsd = theory.js_divergence(p, q)
        assert -1e-12 <= jsd <= theory.LOG_2 + 1e-12
        assert abs(jsd - theory.js_divergence(q, p)) < 1e-10  # symmetric


def test_well_separated_densities_give_finite_values_near_the_limits():
    p, q = PAIRS["well separated"]
    grid = theory.grid_for(p, q)
    assert np.min(p.pdf(grid.x)) == 0.0  # the naive ratio p / (p + q) would be 0 / 0 here
    with np.errstate(all="ignore"):
        naive = p.pdf(grid.x) / (p.pdf(grid.x) + q.pdf(grid.x))
        naive_value = grid.integrate(p.pdf(grid.x) * np.log(naive) + q.pdf(grid.x) * np.log(1 - naive))
    assert np.isnan(naive_value)
    assert np.all(np.isfinite(theory.optimal_logit(p, q, grid.x)))
    assert abs(theory.js_divergence(p, q) - theory.LOG_2) < 1e-9
    assert abs(theory.training_criterion(p, q)) < 1e-9  # -log 4 + 2 log 2 = 0


def test_optimal_discriminator_lies_strictly_between_0_and_1_and_is_half_at_equality():
    rng = np.random.default_rng(1)
    x = np.linspace(-8, 8, 401)
    for _ in range(20):
        p, q = _random_mixture(rng), _random_mixture(rng)
        logits = theory.optimal_logit(p, q, x)
        assert np.all(np.isfinite(logits))  # D* = sigmoid(logit) is in (0, 1) exactly
        d_star = theory.optimal_discriminator(p, q, x)
        representable = np.abs(logits) < 36  # beyond, 1 - D* is below float64's resolution at 1
        assert np.all((d_star[representable] > 0) & (d_star[representable] < 1))
        assert np.all((d_star >= 0) & (d_star <= 1))
        assert np.allclose(d_star, p.pdf(x) / (p.pdf(x) + q.pdf(x)), rtol=1e-9, atol=1e-300)
        assert np.array_equal(theory.optimal_discriminator(p, p, x), np.full_like(x, 0.5))


def test_no_discriminator_scores_higher_than_the_optimal_one():
    rng = np.random.default_rng(2)
    for name in ("N(0,1) vs N(1,1)", "mixture vs gaussian", "mixture vs mixture"):
        p_data, p_g = PAIRS[name]
        grid = theory.grid_for(p_data, p_g)
        best_logits = theory.optimal_logit(p_data, p_g, grid.x)
        best = theory.training_criterion(p_data, p_g, grid)
        for slope, intercept, bump in rng.normal(size=(20, 3)):
            curved = slope * grid.x + intercept + bump * np.sin(grid.x)
            perturbed = best_logits + 0.3 * bump * np.cos(grid.x)
            assert theory.value(p_data, p_g, lambda x, c=curved: c, grid) < best
            assert theory.value(p_data, p_g, lambda x, c=perturbed: c, grid) < best


def test_criterion_is_smallest_exactly_where_p_g_equals_p_data():
    means = np.linspace(-2, 2, 41)
    values = [theory.training_criterion(STANDARD, theory.gaussian(m, 1)) for m in means]
    assert means[int(np.argmin(values))] == 0.0
    assert abs(min(values) + theory.LOG_4) < 1e-12
    assert all(v > -theory.LOG_4 for m, v in zip(means, values) if m != 0.0)


def test_kl_by_quadrature_matches_the_gaussian_closed_form():
    for p, q in [(STANDARD, theory.gaussian(1, 2)), (theory.gaussian(-1, 0.3), theory.gaussian(2, 1.5))]:
        assert abs(theory.kl_divergence(p, q) - theory.kl_gaussians(p, q)) < 1e-9
        assert abs(theory.kl_divergence(q, p) - theory.kl_gaussians(q, p)) < 1e-9


def test_pointwise_objective_peaks_at_a_over_a_plus_b():
    y = np.linspace(1e-4, 1 - 1e-4, 200_001)
    for a, b in [(0.8, 0.2), (0.5, 0.5), (1e-3, 2.0)]:
        assert abs(y[np.argmax(theory.pointwise_objective(y, a, b))] - a / (a + b)) < 1e-4


def test_densities_integrate_to_one_and_bad_parameters_are_refused():
    for density in {d for pair in PAIRS.values() for d in pair}:
        grid = theory.grid_for(density)
        assert abs(grid.integrate(density.pdf(grid.x)) - 1) < 1e-12
    with pytest.raises(ValueError, match="stds positive"):
        theory.gaussian(0, -1)
    with pytest.raises(ValueError, match="weights"):
        theory.mixture((0.0, 1, 1))
    with pytest.raises(ValueError, match="shape"):
        theory.Grid(np.linspace(0, 1, 5)).integrate(np.ones(4))


LOGITS = np.array([-40.0, -12.0, -3.0, -0.5, 0.0, 0.7, 4.0, 15.0, 40.0])


def _tf_cost(name, logits):
    return {"minimax": lambda: -tf.nn.softplus(logits),
            "non_saturating": lambda: tf.nn.softplus(-logits),
            "maximum_likelihood": lambda: -tf.exp(logits)}[name]()


@pytest.mark.parametrize("name", theory.GENERATOR_COSTS)
def test_generator_cost_gradients_match_tensorflow_autodiff(name):
    logits = tf.constant(LOGITS, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(logits)
        cost = _tf_cost(name, logits)
    autodiff = tape.gradient(cost, logits).numpy()
    np.testing.assert_allclose(theory.generator_cost_gradient(name, LOGITS), autodiff, rtol=1e-12)
    np.testing.assert_allclose(theory.generator_cost(name, LOGITS), cost.numpy(), rtol=1e-12)
    assert np.all(np.isfinite(theory.generator_cost(name, LOGITS)))


@pytest.mark.parametrize("name", ["minimax", "non_saturating"])
def test_training_losses_are_the_mean_of_the_theory_costs(name):
    logits = tf.constant(LOGITS[:, None], tf.float32)  # (batch, 1), as D outputs them
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = losses.generator_loss(name)(logits)
    per_logit = tape.gradient(loss, logits).numpy()[:, 0]
    expected = theory.generator_cost_gradient(name, LOGITS) / len(LOGITS)
    np.testing.assert_allclose(per_logit, expected, rtol=1e-5, atol=1e-12)
    assert abs(float(loss) - theory.generator_cost(name, LOGITS).mean()) < 1e-5


def test_minimax_gradient_vanishes_where_the_non_saturating_one_is_largest():
    rejected = theory.logit(np.array([1e-6]))  # D is sure a fake is fake
    assert abs(theory.generator_cost_gradient("minimax", rejected)[0]) < 1e-5
    assert abs(theory.generator_cost_gradient("non_saturating", rejected)[0]) > 0.99


# ---- inputs a lesson cannot use are refused before anything is computed -----------------------
def test_a_grid_that_would_not_fit_in_memory_is_refused_before_it_is_allocated():
    with pytest.raises(theory.GridTooLargeError) as error:
        theory.grid_for(STANDARD, theory.gaussian(1e9, 1))  # lesson 02 with separation = 1e9
    message = str(error.value)
    assert "298.0 GiB per array" in message and "2 GiB allowed" in message
    assert "Bring the means closer" in message
    with pytest.raises(theory.GridTooLargeError):
        theory.grid_for(STANDARD, theory.gaussian(0, 1e-9))  # a needle beside a unit Gaussian
    with pytest.raises(theory.GridTooLargeError, match="inf points"):
        theory.grid_for(theory.gaussian(-1e308, 1), theory.gaussian(1e308, 1))
    largest = theory.grid_for(STANDARD, theory.gaussian(theory.MAX_SEPARATION, 0.2))  # lesson 02's extreme
    assert len(largest.x) * 8 * theory.WORKING_ARRAYS < theory.MAX_GRID_BYTES
    with pytest.raises(ValueError, match="points_per_std must be a positive integer"):
        theory.grid_for(STANDARD, points_per_std=0)


LESSON02 = {"data_mean": 0.0, "data_std": 1.0, "generator_mean": 1.0, "generator_std": 1.0,
            "separation": 30.0, "explorer_data": "gaussian", "seed": 0}


@pytest.mark.parametrize("name, value, allowed", [
    ("explorer_data", "foo", r"one of \('gaussian', 'mixture'\), got 'foo'"),
    ("separation", 1e9, r"in \[0, 10000.0\]"),
    ("separation", -1.0, r"in \[0, 10000.0\]"),
    ("generator_mean", 10.0, r"in \[-6.0, 6.0\].*sliders"),
    ("generator_std", 0.0, r"in \[0.2, 4.0\]"),
    ("data_std", "abc", "must be a number"),
    ("data_mean", float("nan"), "must be a number"),
    ("seed", -1, "non-negative integer"),
    ("seed", 1.5, "must be an integer"),
])
def test_lesson02_refuses_a_parameter_value_it_would_misuse_naming_it_and_the_range(name, value, allowed):
    theory.check_lesson02_parameters(**LESSON02)  # the notebook's defaults pass
    with pytest.raises(ValueError, match=f"^{name} .*{allowed}"):
        theory.check_lesson02_parameters(**{**LESSON02, name: value})


def test_lesson02s_ranges_are_the_sliders_ranges():
    import inspect

    from gan_lessons import theory_plots

    defaults = inspect.signature(theory_plots.density_explorer).parameters
    assert defaults["mean_range"].default == theory.EXPLORER_MEANS
    assert defaults["std_range"].default == theory.EXPLORER_STDS


# ---- what the generator's objective prefers, and its gradient --------------------------------------
def test_the_best_single_gaussian_for_two_modes_covers_both_and_one_on_a_mode_is_a_local_minimum():
    two_modes = theory.mixture((0.5, -2, 0.6), (0.5, 2, 0.6))
    minima = theory.best_gaussians(two_modes, [(0.1, 1.0), (-2, 0.6), (2, 0.6)])
    covering, *on_modes = minima
    assert covering["mean"] == pytest.approx(0.0, abs=1e-4)
    assert covering["std"] == pytest.approx(2.06, abs=0.01)
    assert covering["criterion"] == pytest.approx(-1.0767, abs=1e-4)
    assert len(on_modes) == 2 and all(abs(abs(m["mean"]) - 1.995) < 1e-3 for m in on_modes)
    assert all(m["criterion"] == pytest.approx(-0.9557, abs=1e-4) for m in on_modes)


def test_the_jsd_game_goes_flat_for_separated_densities():
    standard = theory.gaussian(0, 1)
    slopes = [theory.criterion_slope(standard, mu) for mu in (1, 4, 8, 16)]
    assert slopes[0] > 0.3 and slopes == sorted(slopes, reverse=True) and slopes[-1] < 1e-10


@pytest.mark.parametrize("p_data", [theory.gaussian(0, 1), theory.mixture((0.5, -2, 0.6), (0.5, 2, 0.6))])
@pytest.mark.parametrize("mean", [0.5, 2.0])
def test_non_saturating_gradient_at_d_star_is_that_of_reverse_kl_minus_twice_jsd(p_data, mean):
    g = theory.non_saturating_gradient(p_data, mean, 1.0)
    assert g["non_saturating"] == pytest.approx(g["kl_minus_2jsd"], abs=1e-6)
    assert abs(g["non_saturating"] - g["criterion"]) > 0.02  # and not the gradient of C(G)
