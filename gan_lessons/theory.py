"""Lessons 02 and 05: the GAN objective on 1-D densities, by quadrature: V(D, G), the optimal D*,
C(G) = V(D*, G), KL and Jensen-Shannon divergences, and the three generator costs.

Everything works in log space: a discriminator is given by its logit l(x) (D = sigmoid(l)), so
log D = -softplus(-l) and log(1 - D) = -softplus(l), and D*'s logit is log p_data - log p_g.
Densities far apart (whose pdfs underflow to 0 on part of the grid) still give finite values,
where the naive p_data / (p_data + p_g) gives 0 / 0 and log 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special

from gan_lessons import validation

LOG_2 = float(np.log(2.0))
LOG_4 = float(np.log(4.0))  # C(G) at its minimum is -log 4 = -1.386294
GENERATOR_COSTS = ("minimax", "non_saturating", "maximum_likelihood")


def softplus(values) -> np.ndarray:
    """log(1 + exp(v)) without overflow, float64."""
    return np.logaddexp(0.0, np.asarray(values, np.float64))


def sigmoid(logits) -> np.ndarray:
    """1 / (1 + exp(-l)) without overflow, float64 in [0, 1]."""
    return special.expit(np.asarray(logits, np.float64))


def logit(probabilities) -> np.ndarray:
    """log(p / (1 - p)) for p in [0, 1]: the logit of a discriminator given as probabilities."""
    p = np.asarray(probabilities, np.float64)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


# ---- densities ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Mixture:
    """A 1-D mixture of Gaussians: weights (k,) > 0 (normalised to sum 1), means (k,), stds (k,) > 0.

    A single Gaussian is a mixture of one component: see `gaussian` and `mixture`.
    """

    weights: tuple[float, ...]
    means: tuple[float, ...]
    stds: tuple[float, ...]

    def __post_init__(self):
        weights, means, stds = (np.atleast_1d(np.asarray(v, np.float64)) for v in
                                (self.weights, self.means, self.stds))
        if not (weights.ndim == means.ndim == stds.ndim == 1
                and len(weights) == len(means) == len(stds) > 0):
            raise ValueError("weights, means and stds must be 1-D sequences of one length >= 1")
        if not (np.all(np.isfinite(means)) and np.all(np.isfinite(stds)) and np.all(stds > 0)):
            raise ValueError(f"means must be finite and stds positive, got {means}, {stds}")
        if not (np.all(np.isfinite(weights)) and np.all(weights > 0)):
            raise ValueError(f"weights must be positive, got {weights}")
        object.__setattr__(self, "weights", tuple((weights / weights.sum()).tolist()))
        object.__setattr__(self, "means", tuple(means.tolist()))
        object.__setattr__(self, "stds", tuple(stds.tolist()))

    def log_pdf(self, x) -> np.ndarray:
        """log p(x), float64 of x's shape; finite for every finite x (no underflow to -inf)."""
        x = np.asarray(x, np.float64)[..., None]
        means, stds = np.asarray(self.means), np.asarray(self.stds)
        log_components = (np.log(self.weights) - np.log(stds) - 0.5 * np.log(2 * np.pi)
                          - 0.5 * ((x - means) / stds) ** 2)
        return special.logsumexp(log_components, axis=-1)

    def pdf(self, x) -> np.ndarray:
        """p(x), float64 of x's shape (underflows to 0 far in the tails: use log_pdf there)."""
        return np.exp(self.log_pdf(x))

    @property
    def mean(self) -> float:
        return float(np.dot(self.weights, self.means))

    def bounds(self, tails: float = 12.0) -> tuple[float, float]:
        """An interval holding all but a negligible part of the mass: `tails` stds past each mode."""
        means, stds = np.asarray(self.means), np.asarray(self.stds)
        return float(np.min(means - tails * stds)), float(np.max(means + tails * stds))

    def sample(self, n: int, seed: int) -> np.ndarray:
        """n samples, float64 (n,); the same seed gives the same samples."""
        rng = np.random.default_rng(seed)
        component = rng.choice(len(self.weights), size=n, p=self.weights)
        return rng.normal(np.asarray(self.means)[component], np.asarray(self.stds)[component])

    def __str__(self):
        terms = [f"N({m:g}, {s:g}²)" for m, s in zip(self.means, self.stds)]
        if len(terms) == 1:
            return terms[0]
        return " + ".join(f"{w:.2g}·{t}" for w, t in zip(self.weights, terms))


def gaussian(mean: float = 0.0, std: float = 1.0) -> Mixture:
    """The normal density N(mean, std²)."""
    return Mixture((1.0,), (mean,), (std,))


def mixture(*components: tuple[float, float, float]) -> Mixture:
    """A mixture from (weight, mean, std) triples, e.g. mixture((0.5, -2, 0.5), (0.5, 2, 0.5))."""
    if not components or any(len(c) != 3 for c in components):
        raise ValueError("give one or more (weight, mean, std) triples")
    weights, means, stds = zip(*components)
    return Mixture(weights, means, stds)


# ---- lesson 02's parameters -----------------------------------------------------------------
EXPLORER_DATA = ("gaussian", "mixture")  # p_data under lesson 02's sliders
EXPLORER_MEANS = (-6.0, 6.0)  # the sliders' ranges (theory_plots.density_explorer's defaults):
EXPLORER_STDS = (0.2, 4.0)  # a starting value outside them would be moved to the edge silently
MAX_SEPARATION = 1e4  # lesson 02's well-separated pair: JSD is log 2 to 1e-15 from about 40 on


def check_lesson02_parameters(data_mean, data_std, generator_mean, generator_std, separation,
                              explorer_data, seed) -> None:
    """ValueError naming the first of lesson 02's parameters whose value the lesson cannot use, and
    what it can: means and stds in the sliders' ranges (section 6 starts its sliders at
    generator_mean, generator_std and draws p_data beside them), separation in [0, 1e4],
    explorer_data one of EXPLORER_DATA, seed a non-negative integer."""
    sliders = "the range of section 6's sliders, which start there and draw p_data beside p_g"
    checks = [(validation.number, "data_mean", data_mean, EXPLORER_MEANS, sliders),
              (validation.number, "generator_mean", generator_mean, EXPLORER_MEANS, sliders),
              (validation.number, "data_std", data_std, EXPLORER_STDS, sliders),
              (validation.number, "generator_std", generator_std, EXPLORER_STDS, sliders),
              (validation.number, "separation", separation, (0, MAX_SEPARATION),
               "the distance between the means of section 4's well-separated pair; from about 40 on "
               "its C(G) is 0 to every digit shown, and far larger ones would not fit in memory"),
              (validation.choice, "explorer_data", explorer_data, (EXPLORER_DATA,),
               "p_data under the sliders"),
              (validation.integer, "seed", seed, (0,), "numpy's generator takes no negative seed")]
    for check, name, value, allowed, why in checks:
        try:
            check(name, value, *allowed)
        except ValueError as error:
            raise ValueError(f"{error} ({why})") from None


# ---- quadrature ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Grid:
    """A uniform grid x (n,) for the trapezoid rule, which converges faster than any power of the
    spacing for smooth integrands that vanish at both ends (all of ours)."""

    x: np.ndarray

    @property
    def dx(self) -> float:
        return float(self.x[1] - self.x[0])

    def integrate(self, values) -> float:
        """∫ values dx over the grid (trapezoid rule); values (n,)."""
        values = np.asarray(values, np.float64)
        if values.shape != self.x.shape:
            raise ValueError(f"values must have the grid's shape {self.x.shape}, got {values.shape}")
        return float(self.dx * (values.sum() - 0.5 * (values[0] + values[-1])))


MAX_GRID_BYTES = 2 * 2**30  # the most memory a quadrature grid may take: 2 GiB
WORKING_ARRAYS = 8  # float64 arrays of the grid's size a quadrature holds at once (pdfs, logs, integrand)


class GridTooLargeError(ValueError):
    """The densities are so far apart for their widths that the grid would not fit in memory."""


def grid_for(*densities: Mixture, tails: float = 12.0, points_per_std: int = 40,
             min_points: int = 2001) -> Grid:
    """A grid covering every density to `tails` stds, spaced 1/points_per_std of the smallest std.

    GridTooLargeError, before anything is allocated, when the quadratures on it would need more
    than MAX_GRID_BYTES: the span of the densities over their smallest std is too large."""
    if not densities:
        raise ValueError("give at least one density")
    tails = validation.number("tails", tails, 0, low_open=True)
    points_per_std = validation.positive_integer("points_per_std", points_per_std)
    min_points = validation.integer("min_points", min_points, minimum=2)
    bounds = np.array([d.bounds(tails) for d in densities])
    low, high = float(bounds[:, 0].min()), float(bounds[:, 1].max())
    smallest_std = min(min(d.stds) for d in densities)
    points = (high - low) / smallest_std * points_per_std  # a float: it may be far beyond any int
    bytes_needed = (points + 1) * 8 * WORKING_ARRAYS
    if not np.isfinite(points) or bytes_needed > MAX_GRID_BYTES:
        most = MAX_GRID_BYTES / (8 * WORKING_ARRAYS) / points_per_std  # span / smallest std allowed
        raise GridTooLargeError(
            f"the densities span [{low:.6g}, {high:.6g}] and the narrowest has std {smallest_std:.6g}: "
            f"a grid of {points_per_std} points per std would have {points:,.0f} points, "
            f"{points * 8 / 2**30:,.1f} GiB per array and about {bytes_needed / 2**30:,.0f} GiB for the "
            f"quadrature, more than the {MAX_GRID_BYTES / 2**30:g} GiB allowed. Bring the means closer "
            f"or widen the narrowest density: (span including {tails:g} stds of tails) / (smallest std) "
            f"must stay below {most:,.0f}, here it is {(high - low) / smallest_std:,.4g}.")
    n = max(min_points, int(np.ceil(points)) + 1)
    return Grid(np.linspace(low, high, n))


def _grid(grid, *densities) -> Grid:
    return grid if grid is not None else grid_for(*densities)


# ---- the value function and the optimal discriminator -------------------------------------
def optimal_logit(p_data: Mixture, p_g: Mixture, x) -> np.ndarray:
    """The logit of D*: log p_data(x) - log p_g(x), finite wherever both log-densities are."""
    return p_data.log_pdf(x) - p_g.log_pdf(x)


def optimal_discriminator(p_data: Mixture, p_g: Mixture, x) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g) = sigmoid(optimal_logit): float64 in (0, 1), though it
    rounds to 0 or 1 once |logit| > 37 (use optimal_logit there)."""
    return sigmoid(optimal_logit(p_data, p_g, x))


def value(p_data: Mixture, p_g: Mixture, discriminator_logit: Callable, grid: Grid | None = None
          ) -> float:
    """V(D, G) = E_{x~p_data}[log D(x)] + E_{x~p_g}[log(1 - D(x))] by quadrature.

    discriminator_logit(x) -> (n,) logits for points x (n,); D = sigmoid(logit). Always <= 0.
    """
    grid = _grid(grid, p_data, p_g)
    logits = np.asarray(discriminator_logit(grid.x), np.float64)
    if logits.shape != grid.x.shape:
        raise ValueError(f"discriminator_logit must return one logit per point, shape {grid.x.shape}")
    integrand = p_data.pdf(grid.x) * softplus(-logits) + p_g.pdf(grid.x) * softplus(logits)
    return -grid.integrate(integrand)


def training_criterion(p_data: Mixture, p_g: Mixture, grid: Grid | None = None) -> float:
    """C(G) = max_D V(D, G) = V(D*, G): what G minimises when D is always optimal.

    Equals -log 4 + 2 JSD(p_data || p_g); in [-log 4, 0].
    """
    return value(p_data, p_g, lambda x: optimal_logit(p_data, p_g, x), _grid(grid, p_data, p_g))


# ---- divergences ----------------------------------------------------------------------------
def kl_divergence(p: Mixture, q: Mixture, grid: Grid | None = None) -> float:
    """KL(p || q) = ∫ p (log p - log q) dx, by quadrature; >= 0."""
    grid = _grid(grid, p, q)
    log_p = p.log_pdf(grid.x)
    return grid.integrate(np.exp(log_p) * (log_p - q.log_pdf(grid.x)))


def js_divergence(p: Mixture, q: Mixture, grid: Grid | None = None) -> float:
    """JSD(p || q) = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2, by quadrature; in [0, log 2]."""
    grid = _grid(grid, p, q)
    log_p, log_q = p.log_pdf(grid.x), q.log_pdf(grid.x)
    log_m = np.logaddexp(log_p, log_q) - LOG_2
    integrand = np.exp(log_p) * (log_p - log_m) + np.exp(log_q) * (log_q - log_m)
    return 0.5 * grid.integrate(integrand)


def kl_gaussians(p: Mixture, q: Mixture) -> float:
    """KL(p || q) in closed form for two single Gaussians: log(s_q/s_p) + (s_p² + Δμ²)/(2 s_q²) - 1/2."""
    if len(p.means) != 1 or len(q.means) != 1:
        raise ValueError("the closed form is for single Gaussians; use kl_divergence for mixtures")
    (mp,), (sp,), (mq,), (sq,) = p.means, p.stds, q.means, q.stds
    return float(np.log(sq / sp) + (sp**2 + (mp - mq) ** 2) / (2 * sq**2) - 0.5)


# ---- the generator's costs, as functions of D's logit on a generated sample -----------------
def pointwise_objective(y, a: float, b: float) -> np.ndarray:
    """a log y + b log(1 - y) for y in (0, 1): V's integrand at one x, with a = p_data(x),
    b = p_g(x). Its maximum over y is at y = a / (a + b)."""
    y = np.asarray(y, np.float64)
    return a * np.log(y) + b * np.log1p(-y)


def generator_cost(name: str, logits) -> np.ndarray:
    """The per-sample cost the generator minimises, as a function of l = logit of D(G(z)):

    minimax: log(1 - D) = -softplus(l); non_saturating: -log D = softplus(-l);
    maximum_likelihood: -D / (1 - D) = -exp(l) (Goodfellow's 2016 tutorial, without its 1/2).
    """
    logits = np.asarray(logits, np.float64)
    if name == "minimax":
        return -softplus(logits)
    if name == "non_saturating":
        return softplus(-logits)
    if name == "maximum_likelihood":
        return -np.exp(logits)
    raise ValueError(f"unknown generator cost {name!r}; choose one of {GENERATOR_COSTS}")


def generator_cost_gradient(name: str, logits) -> np.ndarray:
    """d cost / d l for `generator_cost(name, l)`: minimax -D, non_saturating -(1 - D),
    maximum_likelihood -D / (1 - D); float64 of logits' shape."""
    logits = np.asarray(logits, np.float64)
    if name == "minimax":
        return -sigmoid(logits)
    if name == "non_saturating":
        return -sigmoid(-logits)
    if name == "maximum_likelihood":
        return -np.exp(logits)
    raise ValueError(f"unknown generator cost {name!r}; choose one of {GENERATOR_COSTS}")


# ---- what the generator's objective prefers, and what its gradient is -----------------------
def best_gaussians(p_data: Mixture, starts) -> list[dict]:
    """The local minima of C(G) over single Gaussians p_g = N(mean, std²), by Nelder-Mead from each
    (mean, std) start: distinct minima as {"mean", "std", "criterion"}, lowest C first."""
    from scipy.optimize import minimize

    def criterion(params):
        mean, log_std = params
        return training_criterion(p_data, gaussian(mean, float(np.exp(log_std))))

    found = []
    for mean, std in starts:
        result = minimize(criterion, [mean, np.log(std)], method="Nelder-Mead",
                          options={"xatol": 1e-7, "fatol": 1e-11, "maxiter": 4000})
        point = {"mean": float(result.x[0]), "std": float(np.exp(result.x[1])),
                 "criterion": float(result.fun)}
        if all(abs(point["mean"] - f["mean"]) > 1e-3 or abs(point["std"] - f["std"]) > 1e-3 for f in found):
            found.append(point)
    return sorted(found, key=lambda f: f["criterion"])


def criterion_slope(p_data: Mixture, mean: float, std: float = 1.0, step: float = 1e-3) -> float:
    """dC/d(mean) of p_g = N(mean, std²) by a central difference of quadratures: the push the JSD
    game gives a generator at that position."""
    above = training_criterion(p_data, gaussian(mean + step, std))
    below = training_criterion(p_data, gaussian(mean - step, std))
    return (above - below) / (2 * step)


def non_saturating_gradient(p_data: Mixture, mean: float, std: float = 1.0, step: float = 1e-4) -> dict:
    """At p_g = N(mean, std²) with D = D* held fixed: d/d(mean) of the non-saturating cost
    E_{p_g}[-log D*(x)], beside d/d(mean) of KL(p_g || p_data) - 2 JSD(p_data || p_g) and of
    C(G) (Arjovsky and Bottou 2017, Theorem 2.5: the first two are equal)."""
    at = gaussian(mean, std)
    grid = grid_for(p_data, at, gaussian(mean + 10 * step, std), gaussian(mean - 10 * step, std))
    fixed_logit = optimal_logit(p_data, at, grid.x)  # D* of the current generator, held fixed

    def cost(m):
        return grid.integrate(gaussian(m, std).pdf(grid.x) * softplus(-fixed_logit))

    def reverse_kl_minus_jsd(m):
        q = gaussian(m, std)
        return kl_divergence(q, p_data, grid) - 2 * js_divergence(p_data, q, grid)

    def central(f):
        return (f(mean + step) - f(mean - step)) / (2 * step)

    return {"non_saturating": central(cost), "kl_minus_2jsd": central(reverse_kl_minus_jsd),
            "criterion": central(lambda m: training_criterion(p_data, gaussian(m, std), grid))}
