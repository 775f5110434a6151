"""Lesson 08's Dirac-GAN (Mescheder, Geiger, Nowozin 2018): the GAN game in two parameters.

p_data = delta_0 (every real sample is 0), the generator is delta_theta (every sample is theta) and
the discriminator is linear, D(x) = psi x (a logit for the cross-entropy objectives, a score for
the Wasserstein one). The unique equilibrium is theta = psi = 0. Gradient steps move (theta, psi)
along the vector field v = (-dL_G/dtheta, -dL_D/dpsi): with h the learning rate,

    simultaneous:  (theta, psi) <- (theta, psi) + h v(theta, psi)
    alternating:   psi <- psi + h v_psi(theta, psi), then theta <- theta + h v_theta(theta, psi)

(the trainer's order: D first). The losses are the trainer's own `game` pieces: an objective, a
regulariser of D (R1, the gradient penalty, weight clipping) and noise on D's inputs, integrated
exactly over the noise (Gauss-Hermite) instead of sampled. `vector_field` is the same field in
closed form (numpy); `autodiff_field` differentiates the game pieces with TensorFlow; the tests
check that the two agree, and that the update's Jacobian at the equilibrium, by autodiff, has
the eigenvalues of the closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf
from scipy import special

from gan_lessons import game, validation

OBJECTIVES = ("non_saturating", "minimax", "wasserstein")
MODES = ("simultaneous", "alternating")
NORM_EPSILON = 1e-12  # game's gradient norms are sqrt(g^2 + 1e-12): the closed form uses the same
NOISE_NODES = 16  # Gauss-Hermite nodes: exact for polynomials of degree < 32 in the noise


@dataclass(frozen=True)
class DiracGame:
    """One variant of the Dirac-GAN: the objective, a regulariser of D and noise on D's inputs.

    objective: "non_saturating" | "minimax" (D(x) = sigmoid(psi x)) | "wasserstein" (a critic).
    regulariser: None, or a game.R1, game.GradientPenalty or game.WeightClipping.
    noise: None, or a game.InstanceNoise whose std is used as is (the Dirac-GAN studies the game at
        a fixed noise level; its anneal is not applied).
    """

    objective: str = "non_saturating"
    regulariser: object = None
    noise: game.InstanceNoise | None = None
    name: str = ""

    def __post_init__(self):
        validation.choice("objective (the Dirac-GAN's closed form knows these)", self.objective, OBJECTIVES)
        if self.regulariser is not None and not isinstance(self.regulariser, game.REGULARISERS):
            raise ValueError(f"regulariser must be None or a game.R1, GradientPenalty or WeightClipping, "
                             f"got {self.regulariser!r}")
        if self.noise is not None and not isinstance(self.noise, game.InstanceNoise):
            raise ValueError(f"noise must be None or a game.InstanceNoise, got {self.noise!r}")
        if not self.name:
            parts = [self.objective.replace("_", "-")]
            if self.regulariser is not None:
                parts.append(self.regulariser.name.replace("_", " "))
            if self.noise is not None and self.noise.std > 0:
                parts.append(f"instance noise {self.noise.std:g}")
            object.__setattr__(self, "name", ", ".join(parts))

    @property
    def noise_std(self) -> float:
        return 0.0 if self.noise is None else float(self.noise.std)

    @property
    def clip(self) -> float | None:
        return self.regulariser.clip if isinstance(self.regulariser, game.WeightClipping) else None


# The games lesson 08 compares (Mescheder et al.'s Figures 2-4): the zero-sum game of the paper
# (the minimax objective, f(t) = -log(1 + exp(-t)) for both players), alone and regularised, the
# non-saturating loss the course trains with (the same Jacobian at the equilibrium, another
# behaviour away from it), and the two WGAN constraints.
GAMES = {
    "gan": DiracGame("minimax", name="GAN (minimax)"),
    "gan_non_saturating": DiracGame("non_saturating", name="GAN (non-saturating)"),
    "instance_noise": DiracGame("minimax", noise=game.InstanceNoise(std=1.0), name="instance noise, std 1"),
    "r1": DiracGame("minimax", game.R1(1.0), name="R1, gamma 1"),
    "wgan_gp": DiracGame("wasserstein", game.GradientPenalty(1.0), name="WGAN-GP, lambda 1"),
    "wgan_clip": DiracGame("wasserstein", game.WeightClipping(1.0), name="WGAN, clipping c = 1"),
}


def _noise_nodes(std: float):
    """(points (m,), probabilities (m,)) with E f(eps) = sum p f(points) for eps ~ N(0, std^2)."""
    if std == 0:
        return np.zeros(1), np.ones(1)
    nodes, weights = np.polynomial.hermite.hermgauss(NOISE_NODES)
    return np.sqrt(2.0) * std * nodes, weights / np.sqrt(np.pi)


def _sigmoid(values):
    return special.expit(values)


# ---- the vector field in closed form ------------------------------------------------------------
def vector_field(dirac: DiracGame, theta, psi) -> tuple[np.ndarray, np.ndarray]:
    """(v_theta, v_psi) at (theta, psi) (numpy, broadcast), float64: minus each player's gradient."""
    theta, psi = np.broadcast_arrays(np.asarray(theta, np.float64), np.asarray(psi, np.float64))
    if dirac.objective == "wasserstein":  # L_D = psi theta, L_G = -psi theta (noise averages out)
        v_theta, v_psi = psi.copy(), -theta.copy()
    else:
        eps, p = _noise_nodes(dirac.noise_std)
        eps = eps.reshape((-1,) + (1,) * theta.ndim)
        p = p.reshape(eps.shape)
        fake = psi * (theta + eps)  # D's logits on noisy fakes
        sign = -1.0 if dirac.objective == "non_saturating" else 1.0  # L_G = softplus(-l) | -softplus(l)
        v_theta = np.sum(p * psi * _sigmoid(sign * fake), axis=0)
        # L_D = E softplus(-psi eps_real) + E softplus(psi (theta + eps_fake))
        v_psi = np.sum(p * (eps * _sigmoid(-psi * eps) - (theta + eps) * _sigmoid(fake)), axis=0)
    if isinstance(dirac.regulariser, game.R1):  # gamma/2 ||grad_x D||^2 at the real 0: gamma/2 psi^2
        v_psi = v_psi - dirac.regulariser.weight * psi
    elif isinstance(dirac.regulariser, game.GradientPenalty):  # lambda (|psi| - 1)^2 everywhere
        norm = np.sqrt(psi**2 + NORM_EPSILON)
        v_psi = v_psi - dirac.regulariser.weight * 2 * (norm - 1) * psi / norm
    return v_theta, v_psi


def _check_mode(mode: str) -> str:
    return validation.choice("mode", mode, MODES)


def step(dirac: DiracGame, theta: float, psi: float, learning_rate: float,
         mode: str = "simultaneous") -> tuple[float, float]:
    """One gradient step of both players from (theta, psi); clipping (if any) after D's step."""
    _check_mode(mode)
    if mode == "simultaneous":
        v_theta, v_psi = vector_field(dirac, theta, psi)
        theta, psi = theta + learning_rate * v_theta, psi + learning_rate * v_psi
        return float(theta), float(_clipped(dirac, psi))
    psi = float(_clipped(dirac, psi + learning_rate * vector_field(dirac, theta, psi)[1]))
    return float(theta + learning_rate * vector_field(dirac, theta, psi)[0]), psi


def _clipped(dirac, psi):
    return psi if dirac.clip is None else np.clip(psi, -dirac.clip, dirac.clip)


def trajectory(dirac: DiracGame, start=(1.0, 1.0), learning_rate: float = 0.1, steps: int = 1000,
               mode: str = "simultaneous") -> np.ndarray:
    """The points visited: float64 (steps + 1, 2) of (theta, psi), the start first."""
    learning_rate = validation.number("learning_rate", learning_rate, 0, low_open=True)
    steps = validation.integer("steps", steps, minimum=0)
    _check_mode(mode)
    if np.shape(start) != (2,):
        raise ValueError(f"start must be two numbers (theta, psi), got {start!r}")
    theta, psi = (validation.number("start (theta, psi)", s) for s in start)
    points = np.empty((steps + 1, 2))
    points[0] = theta, psi
    for i in range(steps):
        theta, psi = step(dirac, theta, psi, learning_rate, mode)
        points[i + 1] = theta, psi
    return points


def distances(points) -> np.ndarray:
    """Distance of each (theta, psi) from the equilibrium (0, 0): (n,)."""
    return np.linalg.norm(np.asarray(points), axis=-1)


# ---- the same field through the trainer's game pieces, by autodiff ------------------------------
def _losses(dirac: DiracGame, theta, psi):
    """(D's loss, G's loss) as the Trainer composes them, for scalar tensors theta and psi."""
    objective = game.objective(dirac.objective)

    def critic(x, training=False):  # D(x) = psi x, x (batch, 1) -> (batch, 1)
        return psi * x

    real, fake = tf.zeros((1, 1)), tf.reshape(theta, (1, 1))
    eps, p = _noise_nodes(dirac.noise_std)
    d_loss = g_loss = 0.0
    for e, weight in zip(eps.astype(np.float32), p.astype(np.float32)):  # E over the noise, exactly
        d_loss += weight * objective.discriminator_loss(critic(real + e), critic(fake + e))
        g_loss += weight * objective.generator_loss(critic(fake + e))
    if dirac.regulariser is not None:
        penalty = dirac.regulariser.penalty(critic, real, fake, tf.constant([0, 0], tf.int64))
        if penalty is not None:
            d_loss += dirac.regulariser.weight * penalty
    return d_loss, g_loss


def autodiff_field(dirac: DiracGame, theta, psi) -> tuple[tf.Tensor, tf.Tensor]:
    """(v_theta, v_psi) at scalar float32 tensors (theta, psi), differentiated by TensorFlow
    through the game pieces: v_theta = -dL_G/dtheta (psi fixed), v_psi = -dL_D/dpsi (theta fixed)."""
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([theta, psi])
        d_loss, g_loss = _losses(dirac, theta, psi)
    v_theta, v_psi = -tape.gradient(g_loss, theta), -tape.gradient(d_loss, psi)
    del tape
    return v_theta, v_psi


def autodiff_step(dirac: DiracGame, state: tf.Tensor, learning_rate: float, mode: str = "simultaneous"):
    """One update of state float32 (2,) = (theta, psi) through autodiff_field: the new state (2,)."""
    theta, psi = state[0], state[1]
    if _check_mode(mode) == "simultaneous":
        v_theta, v_psi = autodiff_field(dirac, theta, psi)
        theta, psi = theta + learning_rate * v_theta, psi + learning_rate * v_psi
        psi = psi if dirac.clip is None else tf.clip_by_value(psi, -dirac.clip, dirac.clip)
        return tf.stack([theta, psi])
    psi = psi + learning_rate * autodiff_field(dirac, theta, psi)[1]
    psi = psi if dirac.clip is None else tf.clip_by_value(psi, -dirac.clip, dirac.clip)
    return tf.stack([theta + learning_rate * autodiff_field(dirac, theta, psi)[0], psi])


def update_jacobian(dirac: DiracGame, learning_rate: float, mode: str = "simultaneous",
                    at=(0.0, 0.0)) -> np.ndarray:
    """d(new state) / d(state) of one update at `at`, by TensorFlow autodiff: float64 (2, 2)."""
    state = tf.constant(at, tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(state)
        new = autodiff_step(dirac, state, learning_rate, mode)
        rows = [new[0], new[1]]
    jacobian = np.stack([tape.gradient(row, state).numpy() for row in rows]).astype(np.float64)
    del tape
    return jacobian


# ---- the closed form at the equilibrium ---------------------------------------------------------
def field_jacobian(dirac: DiracGame) -> np.ndarray:
    """dv/d(theta, psi) at (0, 0) in closed form: [[0, a], [-a, -b]] with a = f'(0) (1/2 for the
    cross-entropy objectives, 1 for the critic) and b = what damps psi: sigma^2/2 from instance
    noise (cross-entropy only), gamma from R1. The gradient penalty has none: |psi| is not
    differentiable at psi = 0 (a ValueError says so)."""
    if isinstance(dirac.regulariser, game.GradientPenalty):
        raise ValueError("the gradient penalty lambda (|psi| - 1)^2 is not differentiable at psi = 0: "
                         "the Dirac-GAN's equilibrium has no Jacobian under WGAN-GP; compare "
                         "trajectories instead")
    a = 1.0 if dirac.objective == "wasserstein" else 0.5
    b = 0.0 if dirac.objective == "wasserstein" else dirac.noise_std**2 / 2
    if isinstance(dirac.regulariser, game.R1):
        b += dirac.regulariser.weight
    return np.array([[0.0, a], [-a, -b]])


def update_matrix(dirac: DiracGame, learning_rate: float, mode: str = "simultaneous") -> np.ndarray:
    """The update's Jacobian at (0, 0) in closed form: I + hA (simultaneous), or
    (I + h P_theta A)(I + h P_psi A) (alternating: D's row first, then G's), A = field_jacobian."""
    field = field_jacobian(dirac)
    if _check_mode(mode) == "simultaneous":
        return np.eye(2) + learning_rate * field
    d_row, g_row = np.eye(2), np.eye(2)
    d_row[1] += learning_rate * field[1]
    g_row[0] += learning_rate * field[0]
    return g_row @ d_row


def closed_form_eigenvalues(dirac: DiracGame, learning_rate: float, mode: str = "simultaneous") -> np.ndarray:
    """Eigenvalues of the update at (0, 0) from the formulas: 1 + h(-b/2 +/- sqrt(b^2/4 - a^2))
    simultaneously; alternating, the roots of mu^2 - (2 - h^2 a^2 - h b) mu + (1 - h b). Sorted by
    imaginary part, complex (2,)."""
    (_, a), (_, minus_b) = field_jacobian(dirac)
    b = -minus_b
    if _check_mode(mode) == "simultaneous":
        root = np.sqrt(complex(b * b / 4 - a * a))
        values = 1 + learning_rate * np.array([-b / 2 - root, -b / 2 + root])
    else:
        h = learning_rate
        trace, determinant = 2 - h * h * a * a - h * b, 1 - h * b
        root = np.sqrt(complex(trace * trace / 4 - determinant))
        values = np.array([trace / 2 - root, trace / 2 + root])
    return _sorted(values)


def _sorted(values) -> np.ndarray:
    values = np.asarray(values, complex)
    return values[np.lexsort((values.real, values.imag))]


def eigenvalues(matrix) -> np.ndarray:
    """Eigenvalues of a (2, 2) matrix, complex, sorted as closed_form_eigenvalues sorts them."""
    return _sorted(np.linalg.eigvals(np.asarray(matrix, np.float64)))


def table(games: dict[str, DiracGame] | None = None, start=(1.0, 1.0), learning_rate: float = 0.1,
          steps: int = 1000) -> list[dict]:
    """Per game and mode: the distance from (0, 0) at the start and after `steps` steps, |theta| at
    the end, and the eigenvalues of the update at (0, 0) by autodiff and by the closed form, with
    the largest modulus of each (None for WGAN-GP: no Jacobian there)."""
    rows = []
    for key, dirac in (games or GAMES).items():
        for mode in MODES:
            points = trajectory(dirac, start, learning_rate, steps, mode)
            row = {"game": key, "name": dirac.name, "mode": mode,
                   "start_distance": float(distances(points[0])),
                   "final_distance": float(distances(points[-1])), "final_theta": float(abs(points[-1, 0])),
                   "spectral_radius": None, "closed_form_radius": None, "eigenvalues": None,
                   "autodiff_eigenvalues": None}
            if not isinstance(dirac.regulariser, game.GradientPenalty):
                autodiff = eigenvalues(update_jacobian(dirac, learning_rate, mode))
                closed = closed_form_eigenvalues(dirac, learning_rate, mode)
                row.update(spectral_radius=float(np.abs(autodiff).max()), eigenvalues=closed,
                           closed_form_radius=float(np.abs(closed).max()), autodiff_eigenvalues=autodiff)
            rows.append(row)
    return rows
