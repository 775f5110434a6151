"""Lesson 02's exercises: the optimal discriminator, the Jensen-Shannon divergence, C(G), and
where C(G) is smallest. Each `check_*` takes the student's function and returns a Result."""

from __future__ import annotations

import numpy as np

from gan_lessons import theory
from gan_lessons.checks import Case, Exercise, Result


def _on_grid(p_data, p_g, low, high, n):
    x = np.linspace(low, high, n)
    return x, p_data.log_pdf(x), p_g.log_pdf(x)


def _log_density_cases() -> tuple[Case, ...]:
    standard, shifted = theory.gaussian(0, 1), theory.gaussian(1, 1)
    two_modes = theory.mixture((0.5, -2, 0.5), (0.5, 2, 0.5))
    _, a, b = _on_grid(standard, shifted, -4, 5, 9)
    x, c, d = _on_grid(two_modes, theory.gaussian(0, 1.5), -6, 6, 50)
    _, e, f = _on_grid(standard, theory.gaussian(80, 1), -10, 90, 201)
    return (
        Case("p_data = N(0, 1), p_g = N(1, 1) at 9 points", (a, b)),
        Case("identical densities (D* must be 1/2 everywhere)", (c, c.copy())),
        Case("a two-mode mixture against N(0, 1.5²) at 50 points", (c, d)),
        Case("N(0, 1) against N(80, 1): between them both pdfs underflow to 0", (e, f)),
        Case("a confident case: log p_data - log p_g = -40, 0, +40",
             (np.array([-45.0, -5.0, 35.0]), np.array([-5.0, -5.0, -5.0]))),
    )


def optimal_discriminator(log_p_data, log_p_g):
    """Reference: D*(x) from log-densities (n,), (n,): sigmoid(log p_data - log p_g), (n,)."""
    return theory.sigmoid(np.asarray(log_p_data) - np.asarray(log_p_g))


def js_divergence(p_values, q_values, dx):
    """Reference: JSD(p || q) from density values (n,) on a uniform grid of spacing dx: a sum
    times dx, with 0 log 0 = 0."""
    p, q = np.asarray(p_values, np.float64), np.asarray(q_values, np.float64)
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (np.where(p > 0, p * np.log(p / m), 0.0) + np.where(q > 0, q * np.log(q / m), 0.0))
    return 0.5 * float(np.sum(terms)) * dx


def training_criterion(log_p_data, log_p_g, dx):
    """Reference: C(G) = V(D*, G) = sum(p_data log D* + p_g log(1 - D*)) dx from log-densities,
    in softplus form (finite for any finite log-densities)."""
    log_p_data, log_p_g = np.asarray(log_p_data), np.asarray(log_p_g)
    logits = log_p_data - log_p_g
    terms = np.exp(log_p_data) * theory.softplus(-logits) + np.exp(log_p_g) * theory.softplus(logits)
    return -float(np.sum(terms)) * dx


def minimising_mean(p_data, candidate_means, std):
    """Reference: the candidate mean whose p_g = N(mean, std²) gives the smallest C(G)."""
    values = [theory.training_criterion(p_data, theory.gaussian(m, std)) for m in candidate_means]
    return float(np.asarray(candidate_means)[int(np.argmin(values))])


def _density_cases() -> tuple[Case, ...]:
    cases = []
    for description, p, q, low, high, n in (
        ("N(0, 1) vs N(1, 1), 2,001 points", theory.gaussian(0, 1), theory.gaussian(1, 1), -12, 13, 2001),
        ("identical mixtures (JSD = 0)", theory.mixture((0.3, -1, 0.5), (0.7, 2, 1)),
         theory.mixture((0.3, -1, 0.5), (0.7, 2, 1)), -10, 14, 1201),
        ("a mixture vs a Gaussian, 777 points", theory.mixture((0.5, -2, 0.5), (0.5, 2, 0.5)),
         theory.gaussian(0, 1.5), -12, 12, 777),
    ):
        x = np.linspace(low, high, n)
        cases.append(Case(description, (p.pdf(x), q.pdf(x), x[1] - x[0])))
    x = np.linspace(-5, 5, 1001)
    left = np.where(x < 0, np.exp(-0.5 * ((x + 2.5) / 0.5) ** 2), 0.0)
    right = left[::-1].copy()
    dx = x[1] - x[0]
    left, right = left / (left.sum() * dx), right / (right.sum() * dx)
    cases.append(Case("disjoint supports: each density is 0 where the other is not (JSD = log 2)",
                      (left, right, dx)))
    return tuple(cases)


def _criterion_cases() -> tuple[Case, ...]:
    cases = []
    for description, p, q, low, high, n in (
        ("p_data = N(0, 1), p_g = N(1, 1): expect -1.163451", theory.gaussian(0, 1),
         theory.gaussian(1, 1), -12, 13, 2001),
        ("p_g = p_data: expect -log 4", theory.gaussian(0.5, 2), theory.gaussian(0.5, 2), -25, 26, 1500),
        ("a mixture vs a Gaussian", theory.mixture((0.5, -2, 0.5), (0.5, 2, 0.5)),
         theory.gaussian(0, 1.5), -12, 12, 777),
        ("N(0, 1) vs N(30, 1): pdfs underflow to 0, the answer is ~0, not NaN",
         theory.gaussian(0, 1), theory.gaussian(30, 1), -12, 42, 2161),
    ):
        x, log_p, log_q = _on_grid(p, q, low, high, n)
        cases.append(Case(description, (log_p, log_q, x[1] - x[0])))
    return tuple(cases)


def _minimising_cases() -> tuple[Case, ...]:
    candidates = np.round(np.linspace(-4, 4, 81), 10)
    return (
        Case("p_data = N(0, 1), p_g = N(mean, 1)", (theory.gaussian(0, 1), candidates, 1.0)),
        Case("p_data = N(1.7, 0.8²), p_g = N(mean, 0.8²)", (theory.gaussian(1.7, 0.8), candidates, 0.8)),
        Case("p_data = 0.7 N(-2, 0.5²) + 0.3 N(2, 0.5²), p_g = N(mean, 1)",
             (theory.mixture((0.7, -2, 0.5), (0.3, 2, 0.5)), candidates, 1.0)),
    )


OPTIMAL_DISCRIMINATOR = Exercise(
    "optimal discriminator", optimal_discriminator, _log_density_cases(),
    hint="D* = p_data / (p_data + p_g) = 1 / (1 + exp(log p_g - log p_data)): work with the "
         "difference of the log-densities (theory.sigmoid or scipy.special.expit), never exp of "
         "each, which underflows to 0 / 0.",
    rtol=1e-6, atol=1e-9)

JS_DIVERGENCE = Exercise(
    "Jensen-Shannon divergence", js_divergence, _density_cases(),
    hint="JSD = ½ Σ p log(p/m) dx + ½ Σ q log(q/m) dx with m = (p + q)/2, and 0 log 0 = 0: "
         "leave out the points where a density is 0: np.where(p > 0, p * np.log(p / m), 0.0), or "
         "scipy.special.xlogy(p, p) - scipy.special.xlogy(p, m).",
    rtol=1e-6, atol=1e-9)

TRAINING_CRITERION = Exercise(
    "C(G) = V(D*, G)", training_criterion, _criterion_cases(),
    hint="log D* = -softplus(-(log p_data - log p_g)) and log(1 - D*) = -softplus(log p_data - "
         "log p_g) (theory.softplus); then C = Σ (p_data log D* + p_g log(1 - D*)) dx.",
    rtol=1e-6, atol=1e-9)

MINIMISING_MEAN = Exercise(
    "where C(G) is smallest", minimising_mean, _minimising_cases(),
    hint="compute theory.training_criterion(p_data, theory.gaussian(mean, std)) for every "
         "candidate mean and return the candidate with the smallest value (np.argmin).",
    rtol=0.0, atol=1e-9)


def check_optimal_discriminator(function) -> Result:
    """function(log_p_data (n,), log_p_g (n,)) -> D*(x) (n,)."""
    return OPTIMAL_DISCRIMINATOR.check(function)


def check_js_divergence(function) -> Result:
    """function(p_values (n,), q_values (n,), dx) -> JSD(p || q), a float."""
    return JS_DIVERGENCE.check(function)


def check_training_criterion(function) -> Result:
    """function(log_p_data (n,), log_p_g (n,), dx) -> C(G), a float."""
    return TRAINING_CRITERION.check(function)


def check_minimising_mean(function) -> Result:
    """function(p_data, candidate_means (k,), std) -> the candidate mean with the smallest C(G)."""
    return MINIMISING_MEAN.check(function)
