"""Lesson 07: the Wasserstein GAN. The separated pair (JSD saturates, W1 keeps its slope), the
critic (a score with no sigmoid, held 1-Lipschitz by weight clipping or a gradient penalty), its
estimate E f(real) - E f(fake) checked against the exact W1 of optimal transport, and WGAN configs.

Training itself is `training.Trainer` with `objective="wasserstein"` and a `game.GradientPenalty`
or `game.WeightClipping`; `wgan_config` builds that configuration with the papers' settings and
errors that name the fix.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from scipy import special

from gan_lessons import game, models, theory, toy_metrics, training, validation

CONSTRAINTS = ("penalty", "clipping")
# The papers' settings. WGAN (Arjovsky, Chintala, Bottou 2017): clip 0.01, RMSProp 5e-5, 5 critic
# steps. WGAN-GP (Gulrajani et al. 2017): lambda 10 on images, 0.1 on their 2-D toys, Adam 1e-4
# with betas (0, 0.9), 5 critic steps, alpha ~ U[0, 1] per example.
CLIPPING = {"clip": 0.01, "learning_rate": 5e-5, "critic_steps": 5, "optimizer": "rmsprop"}
PENALTY = {"penalty_weight": 10.0, "toy_penalty_weight": 0.1, "learning_rate": 1e-4, "beta_1": 0.0,
           "beta_2": 0.9, "critic_steps": 5}


# ---- 1. the separated pair: p_data = N(0, s^2), p_g = N(mu, s^2) ------------------------------
def normal_cdf(mixture: theory.Mixture, x) -> np.ndarray:
    """The cumulative distribution function of a 1-D mixture at x: float64 of x's shape in [0, 1]."""
    x = np.asarray(x, np.float64)[..., None]
    z = (x - np.asarray(mixture.means)) / np.asarray(mixture.stds)
    return np.sum(np.asarray(mixture.weights) * special.ndtr(z), axis=-1)


def w1_by_quadrature(p: theory.Mixture, q: theory.Mixture, grid: theory.Grid | None = None) -> float:
    """W1(p, q) in 1-D as the integral of |F_p(x) - F_q(x)| (the area between the two CDFs). The
    integrand has a kink where the CDFs cross, so the default grid is fine: 400 points per std."""
    grid = grid or theory.grid_for(p, q, points_per_std=400)
    return grid.integrate(np.abs(normal_cdf(p, grid.x) - normal_cdf(q, grid.x)))


def separated_pair(means, std: float = 1.0, step: float = 1e-3) -> dict[str, np.ndarray]:
    """For p_data = N(0, std^2) and p_g = N(mu, std^2) at each mu in `means` (m,): JSD and
    C(G) = -log 4 + 2 JSD by quadrature, their derivative dC/dmu (central difference of step `step`),
    W1 in closed form (|mu|: a shift moves all mass by mu) and by quadrature of the CDFs, and dW1/dmu
    = sign(mu). Arrays (m,)."""
    means = np.atleast_1d(np.asarray(means, np.float64))
    p_data = theory.gaussian(0.0, std)

    def criterion(mu):
        p_g = theory.gaussian(mu, std)
        return theory.training_criterion(p_data, p_g, theory.grid_for(p_data, p_g))

    return {
        "mean": means,
        "jsd": np.array([theory.js_divergence(p_data, theory.gaussian(m, std)) for m in means]),
        "criterion": np.array([criterion(m) for m in means]),
        "criterion_gradient": np.array([(criterion(m + step) - criterion(m - step)) / (2 * step)
                                        for m in means]),
        "w1": np.abs(means),
        "w1_quadrature": np.array([w1_by_quadrature(p_data, theory.gaussian(m, std)) for m in means]),
        "w1_gradient": np.sign(means),
    }


def shifted_generator(shift: float, dim: int = 1) -> keras.Model:
    """A generator that cannot learn: z (batch, dim) -> z + (shift, 0, ...). With latent N(0, I) its
    samples are N((shift, 0, ...), I): lesson 02's separated pair, for a critic or D to fit."""
    latent_vectors = keras.Input((dim,), name="latent_vectors")
    offset = np.zeros(dim, np.float32)
    offset[0] = shift
    layer = keras.layers.Dense(dim, kernel_initializer="identity", trainable=False, name="shift",
                               bias_initializer=keras.initializers.Constant(offset))
    return keras.Model(latent_vectors, layer(latent_vectors), name="shifted_generator")


def _input_gradient(function, points) -> np.ndarray:
    """d function(x) / dx_0 (along the first coordinate) at points (n, d): float64 (n,)."""
    points = tf.convert_to_tensor(np.asarray(points, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(points)
        values = function(points)
    return tape.gradient(values, points).numpy()[:, 0].astype(np.float64)


def fit_separated_pair(shift: float, objective: str = "wasserstein", dim: int = 1, steps: int = 300,
                       n: int = 512, hidden: tuple[int, ...] = (64, 64), seed: int = 0,
                       penalty_weight: float = 10.0, learning_rate: float = 1e-3) -> dict:
    """Train a critic (objective "wasserstein", WGAN-GP) or a discriminator (a cross-entropy one) for
    `steps` updates on one batch of n real N(0, I) and n generated N((shift, 0, ...), I) points in
    `dim` dimensions (trainer.discriminator_step: the generator never moves); measure on fresh samples:

    wasserstein: the estimate E f(real) - E f(fake), the exact W1 of those samples, and the signal the
        generator's shift would get, d(-E f(G(z)))/d shift = -mean df/dx_0 at the fakes;
    cross-entropy: the JSD estimate (log 4 + E log D(real) + E log(1 - D(fake))) / 2 and the minimax
        generator's signal, d E log(1 - D(G(z)))/d shift = mean d log(1 - D)/dx_0 at the fakes.
    """
    if objective == "wasserstein":
        config = wgan_config("penalty", 1, penalty_weight, d_learning_rate=learning_rate, batch_size=n,
                             seed=seed, beta_1=0.5)
    else:
        config = training.TrainConfig(objective=objective, batch_size=n, seed=seed,
                                      d_learning_rate=learning_rate)
    sample_real = gaussian_sampler(np.zeros(dim), 1.0)
    name = "critic" if objective == "wasserstein" else "discriminator"
    model = mlp_critic(dim, hidden, seed=seed + 100, name=name)
    trainer = training.Trainer(shifted_generator(shift, dim), model, sample_real, config)
    for _ in range(steps):
        trainer.discriminator_step()
    real = np.asarray(sample_real(tf.constant([seed, 99], tf.int64), n))
    fake = trainer.generate(n, seed=seed + 98)
    out = {"shift": float(shift), "objective": objective, "dim": dim,
           "exact_w1": toy_metrics.wasserstein1(real, fake)}
    if objective == "wasserstein":
        out["critic_estimate"] = critic_estimate(model, real, fake)
        out["generator_signal"] = float(-_input_gradient(lambda x: model(x), fake).mean())
    else:
        real_logits, fake_logits = scores(model, real), scores(model, fake)
        value = -theory.softplus(-real_logits).mean() - theory.softplus(fake_logits).mean()  # V(D, G)
        out["jsd_estimate"] = float(max(0.0, (theory.LOG_4 + value) / 2))
        out["generator_signal"] = float(_input_gradient(lambda x: -tf.nn.softplus(model(x)), fake).mean())
    return out


# ---- 2. the critic -------------------------------------------------------------------------------
def mlp_critic(input_dim: int = 2, hidden: tuple[int, ...] = (128, 128, 128), seed: int = 100,
               name: str = "critic") -> keras.Model:
    """A critic f: samples (batch, input_dim) -> raw scores (batch, 1), LeakyReLU MLP, no sigmoid
    and no batch norm (the gradient penalty is per example)."""
    return models.mlp_discriminator(input_dim, hidden, feature_dim=None, seed=seed, name=name)


def scores(critic: keras.Model, samples) -> np.ndarray:
    """f(x) for samples (n, ...): float64 (n,)."""
    samples = tf.convert_to_tensor(np.asarray(samples, np.float32))
    return critic(samples, training=False).numpy()[:, 0].astype(np.float64)


def critic_estimate(critic: keras.Model, real, fake) -> float:
    """E f(real) - E f(fake): a lower bound on W1(real, fake) when f is 1-Lipschitz, equal to it
    for the best such f (Kantorovich-Rubinstein duality)."""
    return float(scores(critic, real).mean() - scores(critic, fake).mean())


def gradient_norms(critic: keras.Model, points) -> np.ndarray:
    """||grad_x f(x)||_2 at each point (n, d): float64 (n,). 1 everywhere for a critic that attains W1
    between distributions with densities, on the paths mass moves along."""
    points = tf.convert_to_tensor(np.asarray(points, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(points)
        values = critic(points, training=False)
    gradients = tape.gradient(values, points)
    return tf.norm(tf.reshape(gradients, (tf.shape(points)[0], -1)), axis=1).numpy().astype(np.float64)


def surface(critic: keras.Model, xlim, ylim, resolution: int = 80) -> dict[str, np.ndarray]:
    """A 2-D critic over the plane: xs (r,), ys (r,), scores (r, r) and gradient_norms (r, r),
    rows along y (for imshow / contourf with origin at the bottom)."""
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    shape = (resolution, resolution)
    return {"xs": xs, "ys": ys, "scores": scores(critic, points).reshape(shape),
            "gradient_norms": gradient_norms(critic, points).reshape(shape)}


def segment_gradient_norms(critic: keras.Model, real, fake, seed: int = 0) -> np.ndarray:
    """||grad f|| at x_hat = real + alpha (fake - real), alpha ~ U[0, 1] per pair: where WGAN-GP
    asks for norm 1. float64 (n,)."""
    interpolates, _ = game.interpolate(np.asarray(real, np.float32), np.asarray(fake, np.float32),
                                       tf.constant([seed, 0], tf.int64))
    return gradient_norms(critic, interpolates)


def weights(critic: keras.Model) -> np.ndarray:
    """Every trainable weight of the critic (kernels and biases, as clipping clips them): (n,)."""
    return np.concatenate([np.asarray(v).ravel() for v in critic.trainable_variables])


def share_at_clip(critic: keras.Model, clip: float, tolerance: float = 0.01) -> float:
    """The fraction of the critic's weights pinned at +/- clip: | |w| - clip | <= tolerance * clip."""
    values = np.abs(weights(critic))
    return float(np.mean(np.abs(values - clip) <= tolerance * clip))


def check_critic(critic: keras.Model):
    """A ValueError if the critic ends in a sigmoid (a WGAN critic returns unbounded scores)."""
    last = critic.layers[-1]
    if getattr(last, "activation", None) is keras.activations.sigmoid:
        raise ValueError(f"the critic's last layer {last.name!r} has a sigmoid: a Wasserstein critic "
                         "returns raw, unbounded scores; build it with no output activation")


# ---- 3. configurations ---------------------------------------------------------------------------
def wgan_config(constraint: str = "penalty", critic_steps: int = 5, penalty_weight: float = 10.0,
                clip: float = 0.01, d_learning_rate: float | None = None,
                g_learning_rate: float | None = None, alpha: str = "uniform", optimizer: str | None = None,
                **train_config) -> training.TrainConfig:
    """A TrainConfig for WGAN-GP ("penalty": Adam, betas (0, 0.9), rates 1e-4 by default) or the
    original WGAN ("clipping": RMSProp 5e-5, clip 0.01), `critic_steps` critic updates per generator
    update. Other TrainConfig fields pass through (batch_size, seed, chunk_size, beta_1, ...)."""
    if constraint not in CONSTRAINTS:
        raise ValueError(f"constraint must be 'penalty' (WGAN-GP) or 'clipping' (the original WGAN), "
                         f"got {constraint!r}")
    if isinstance(critic_steps, bool) or not isinstance(critic_steps, (int, np.integer)) or not (
            1 <= critic_steps <= training.MAX_D_STEPS):
        raise ValueError(f"critic_steps must be an integer from 1 to {training.MAX_D_STEPS} critic "
                         f"updates per generator update (both papers use 5), got {critic_steps!r}")
    if constraint == "penalty":
        weight = validation.number("penalty_weight", penalty_weight)
        if weight < 0:
            raise ValueError(f"the gradient penalty weight lambda must be >= 0, got {weight:g}: use 10 "
                             "on images or 0.1 on 2-D toys (the WGAN-GP paper's); 0 turns the penalty off")
        regulariser = game.GradientPenalty(weight, alpha=alpha)
        defaults = {"beta_1": PENALTY["beta_1"], "beta_2": PENALTY["beta_2"]}
        rate, optimizer = PENALTY["learning_rate"], optimizer or "adam"
    else:
        value = validation.number("clip", clip)
        if value <= 0:
            raise ValueError(f"the clip value c must be > 0, got {value:g}: every critic weight is clipped "
                             "to [-c, c] (the original WGAN's c is 0.01)")
        regulariser = game.WeightClipping(value)
        defaults = {}
        rate, optimizer = CLIPPING["learning_rate"], optimizer or CLIPPING["optimizer"]
    return training.TrainConfig(**{**defaults, **train_config}, objective="wasserstein",
                                d_steps=int(critic_steps), regularisers=(regulariser,), optimizer=optimizer,
                                d_learning_rate=rate if d_learning_rate is None else d_learning_rate,
                                g_learning_rate=rate if g_learning_rate is None else g_learning_rate)


def constraint_of(config: training.TrainConfig) -> str:
    """'penalty', 'clipping' or 'none': how a WGAN config keeps its critic Lipschitz."""
    for regulariser in config.regularisers:
        if isinstance(regulariser, game.GradientPenalty):
            return "penalty"
        if isinstance(regulariser, game.WeightClipping):
            return "clipping"
    return "none"


# ---- 4. the estimate against the truth -----------------------------------------------------------
def gaussian_sampler(mean=3.0, std: float = 1.0):
    """A toy's real data for Trainer: (seed (2,), batch_size) -> float32 (batch, d) ~ N(mean, std^2 I),
    d = len(mean) (a number: 1-D)."""
    mean = tf.constant(np.atleast_1d(np.asarray(mean, np.float32)))

    def sample_real(seed, batch_size):
        return mean + std * tf.random.stateless_normal((batch_size, mean.shape[0]), seed)

    return sample_real


def estimate_tracker(sample_real, n: int = 1000, seed: int = 777):
    """An `evaluate(trainer)` for a WGAN Trainer: on n fixed real samples and n generated ones (fixed
    latent seed), the critic's estimate E f(real) - E f(fake), the exact W1 between the same two
    samples (optimal transport, training units), their ratio, and the W1 floor: two real samples of
    n score it even for a perfect generator, where the critic's estimate of the distance is 0."""
    reference = np.asarray(sample_real(tf.constant([seed, 5], tf.int64), n))
    floor = toy_metrics.real_floor(sample_real, n, seed)

    def evaluate(trainer) -> dict:
        generated = trainer.generate(n, seed=seed)
        estimate = critic_estimate(trainer.discriminator, reference, generated)
        exact = toy_metrics.wasserstein1(reference.reshape(n, -1), generated.reshape(n, -1))
        return {"critic_estimate": estimate, "exact_w1": exact, "ratio": estimate / exact, "w1_floor": floor}

    return evaluate


def tracking_summary(evaluations: list[dict], skip_first: bool = False) -> dict:
    """How closely the critic tracked W1 over training: Pearson correlation of estimate and exact W1
    over the evaluations, the final ratio estimate / W1, and the count of evaluations."""
    rows = evaluations[1:] if skip_first else evaluations
    estimate = np.array([e["critic_estimate"] for e in rows], np.float64)
    exact = np.array([e["exact_w1"] for e in rows], np.float64)
    if len(rows) < 3:
        raise ValueError(f"need at least 3 evaluations to correlate, got {len(rows)}: evaluate more often")
    return {"correlation": float(np.corrcoef(estimate, exact)[0, 1]),
            "final_ratio": float(estimate[-1] / exact[-1]), "evaluations": len(rows),
            "final_estimate": float(estimate[-1]), "final_w1": float(exact[-1])}


def toy_trainer(sample_real, config: training.TrainConfig, data_dim: int = 2, latent_dim: int = 2,
                generator_hidden: tuple[int, ...] = (128, 128, 128),
                critic_hidden: tuple[int, ...] = (128, 128, 128), evaluate=None) -> training.Trainer:
    """A Trainer for a WGAN (or any objective) on a toy: ReLU MLP generator, LeakyReLU MLP critic,
    weights seeded from config.seed."""
    seed = config.seed
    generator = models.mlp_generator(latent_dim, data_dim, generator_hidden, activation="relu",
                                     seed=1000 * seed)
    critic = mlp_critic(data_dim, critic_hidden, seed=1000 * seed + 100)
    return training.Trainer(generator, critic, sample_real, config, evaluate)
