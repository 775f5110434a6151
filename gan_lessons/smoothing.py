"""Lesson 08: label smoothing's optimal discriminator on 1-D densities, by quadrature (lesson 02's
`theory` densities and grids).

With soft targets, real samples labelled alpha and generated ones beta (alpha = 1, beta = 0 is the
plain GAN), D maximises

    V(D) = E_pdata[alpha log D + (1 - alpha) log(1 - D)] + E_pg[beta log D + (1 - beta) log(1 - D)],

pointwise a(x) log D + b(x) log(1 - D) with a = alpha p_data + beta p_g, b = the rest, so
D*(x) = (alpha p_data + beta p_g) / (p_data + p_g) (Salimans et al. 2016). One-sided smoothing
(beta = 0) only scales D* by alpha. With beta > 0, D* = beta wherever p_data = 0: generated samples
there are no longer rejected, and a generator following log D* gets no push back to the data.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from gan_lessons import theory, validation


def _labels(real_label, fake_label) -> tuple[float, float]:
    alpha = validation.number("real_label (alpha)", real_label, 0, 1, low_open=True)
    beta = validation.number("fake_label (beta)", fake_label, 0, 1, high_open=True)
    if beta >= alpha:
        raise ValueError(f"fake_label {beta:g} must be below real_label {alpha:g}: with beta >= alpha D "
                         "would call generated samples more real than real ones")
    return alpha, beta


def log_optimal_discriminator(p_data: theory.Mixture, p_g: theory.Mixture, x, real_label: float = 1.0,
                              fake_label: float = 0.0) -> np.ndarray:
    """log D*(x) = log(alpha p_data + beta p_g) - log(p_data + p_g), in log space: float64 (n,)."""
    alpha, beta = _labels(real_label, fake_label)
    log_data, log_g = p_data.log_pdf(x), p_g.log_pdf(x)
    with np.errstate(divide="ignore"):
        numerator = np.logaddexp(np.log(alpha) + log_data, np.log(beta) + log_g)
    return numerator - np.logaddexp(log_data, log_g)


def optimal_discriminator(p_data, p_g, x, real_label: float = 1.0, fake_label: float = 0.0) -> np.ndarray:
    """D*(x) = (alpha p_data + beta p_g) / (p_data + p_g): float64 (n,) in [beta, alpha]."""
    return np.exp(log_optimal_discriminator(p_data, p_g, x, real_label, fake_label))


def pointwise_objective(logit, a, b, real_label: float, fake_label: float):
    """The smoothed objective at one x, for D = sigmoid(logit) and densities a = p_data(x),
    b = p_g(x): a (alpha log D + (1 - alpha) log(1 - D)) + b (beta log D + (1 - beta) log(1 - D))."""
    alpha, beta = _labels(real_label, fake_label)
    log_d, log_not_d = -theory.softplus(-logit), -theory.softplus(logit)
    return (a * (alpha * log_d + (1 - alpha) * log_not_d)
            + b * (beta * log_d + (1 - beta) * log_not_d))


def value(p_data, p_g, discriminator_logit, real_label: float = 1.0, fake_label: float = 0.0,
          grid: theory.Grid | None = None) -> float:
    """The smoothed V(D) by quadrature; discriminator_logit(x) -> (n,) logits. At alpha = 1,
    beta = 0 it is lesson 02's V(D, G)."""
    grid = grid if grid is not None else theory.grid_for(p_data, p_g)
    logits = np.asarray(discriminator_logit(grid.x), np.float64)
    integrand = pointwise_objective(logits, p_data.pdf(grid.x), p_g.pdf(grid.x), real_label, fake_label)
    return grid.integrate(integrand)


def numerical_optimum(p_data, p_g, x, real_label: float = 1.0, fake_label: float = 0.0) -> np.ndarray:
    """D* found without the formula: at each x (a few dozen points), the D in (0, 1) that maximises
    the pointwise objective (bounded scalar search over the logit, tolerance 1e-10)."""
    x = np.atleast_1d(np.asarray(x, np.float64))
    a, b = p_data.pdf(x), p_g.pdf(x)
    found = []
    for a_i, b_i in zip(a, b):
        scale = a_i + b_i  # the objective at x scaled to order 1: the optimum does not move
        result = optimize.minimize_scalar(
            lambda logit, a_i=a_i / scale, b_i=b_i / scale: -pointwise_objective(logit, a_i, b_i, real_label,
                                                                                 fake_label),
            bounds=(-40.0, 40.0), method="bounded", options={"xatol": 1e-10})
        found.append(theory.sigmoid(result.x))
    return np.array(found)


def perturbation_gaps(p_data, p_g, real_label: float = 1.0, fake_label: float = 0.0, n: int = 50,
                      size: float = 0.5, seed: int = 0) -> np.ndarray:
    """V(D*) - V(D* perturbed) by quadrature for n random smooth bumps of the logit (height up to
    `size`): all > 0 when D* is the maximiser. float64 (n,)."""
    n = validation.positive_integer("n", n)
    grid = theory.grid_for(p_data, p_g)
    rng = np.random.default_rng(seed)
    alpha, beta = _labels(real_label, fake_label)

    def optimal_logit(x):
        log_d = log_optimal_discriminator(p_data, p_g, x, alpha, beta)
        return log_d - np.log(-np.expm1(log_d))

    best = value(p_data, p_g, optimal_logit, alpha, beta, grid)
    low, high = (np.array([d.bounds(3.0) for d in (p_data, p_g)]).T[i] for i in (0, 1))
    gaps = []
    for _ in range(n):  # bumps centred where the densities have mass (3 stds), so that each matters
        centre, width = rng.uniform(low.min(), high.max()), rng.uniform(0.2, 3.0)
        height = rng.uniform(-size, size)
        bump = lambda x, c=centre, w=width, h=height: optimal_logit(x) + h * np.exp(-0.5 * ((x - c) / w) ** 2)  # noqa: E731
        gaps.append(best - value(p_data, p_g, bump, alpha, beta, grid))
    return np.array(gaps)


def generator_push(p_data, p_g, x, real_label: float = 1.0, fake_label: float = 0.0,
                   step: float = 1e-5) -> np.ndarray:
    """d log D*(x) / dx: the direction and strength with which a non-saturating generator (which
    maximises log D(G(z))) moves a sample at x while D = D* is held fixed. Central differences:
    float64 (n,). Negative pushes left, positive right."""
    x = np.asarray(x, np.float64)
    up = log_optimal_discriminator(p_data, p_g, x + step, real_label, fake_label)
    down = log_optimal_discriminator(p_data, p_g, x - step, real_label, fake_label)
    return (up - down) / (2 * step)


def mean_push(p_data, p_g, region: theory.Mixture, real_label: float = 1.0, fake_label: float = 0.0) -> float:
    """E_{x ~ region}[d log D*/dx] by quadrature: the mean push on generated samples drawn from
    `region` (say the one component of p_g that sits off the data)."""
    grid = theory.grid_for(region)
    return grid.integrate(region.pdf(grid.x) * generator_push(p_data, p_g, grid.x, real_label, fake_label))
