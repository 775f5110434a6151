"""Lesson 01's figures of the quadratic curve: `draw_*` draw on an Axes, `*_figure` return a new
Figure, `curve_dashboard_draw` the live dashboard's view with GAN Lab's overlays (G's manifold, the
push on each fake sample).

Everything is plotted in data units: the scaler maps training units back before drawing.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from gan_lessons import colors, figures, history_plots
from gan_lessons.toy import QuadraticCurve, Scaler


def draw_curve_samples(ax, curve: QuadraticCurve, real, fake, title="samples (data units)", manifold=None):
    """Real and generated points (n, 2) in data units, over the true curve y = 10 + x^2; with
    `manifold` (lines of (m, 2) points, see generator_manifold), G's image of a latent grid."""
    xs = np.linspace(curve.low, curve.high, 200)
    ax.plot(xs, curve.curve(xs), color="0.6", lw=1, zorder=0, label="y = 10 + x²")
    for i, line in enumerate(manifold or ()):
        ax.plot(*np.asarray(line).T, color=colors.FAKE, lw=0.6, alpha=0.45, zorder=1,
                label="G's latent grid" if i == 0 else None)
    ax.scatter(*np.asarray(real).T, s=6, color=colors.REAL, alpha=0.5, label="real", zorder=2)
    ax.scatter(*np.asarray(fake).T, s=6, color=colors.FAKE, alpha=0.6, label="generated", zorder=3)
    xlim, (low, high) = curve.plot_limits()
    # headroom above the curve's ends for the legend's two rows, so that it covers none of them
    ax.set(xlim=xlim, ylim=(low, high + 0.3 * (high - low)), xlabel="x", ylabel="y", title=title)
    ax.legend(loc="upper center", ncol=2, markerscale=2, fontsize="small")


def decision_grid(curve: QuadraticCurve, resolution: int = 80):
    """A (resolution^2, 2) grid of points in data units covering the plot limits, and its axes."""
    (x0, x1), (y0, y1) = curve.plot_limits()
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    return grid, xs, ys


def draw_decision_surface(ax, curve: QuadraticCurve, scaler: Scaler, discriminate, real=None,
                          fake=None, resolution: int = 80, push=None,
                          title="D(x): red 'real', blue 'fake', line D = ½"):
    """D(x) over the plane (data units); `discriminate(points in training units) -> (n,)` in [0, 1].
    With `push` (n, 2) in data units, an arrow from each fake point: where G's update moves it."""
    grid, xs, ys = decision_grid(curve, resolution)
    probability = np.asarray(discriminate(scaler.transform(grid))).reshape(len(ys), len(xs))
    image = ax.imshow(probability, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]),
                      aspect="auto", cmap="RdBu_r", vmin=0, vmax=1, alpha=0.85)
    ax.contour(xs, ys, probability, levels=[0.5], colors="k", linewidths=1)
    if real is not None:
        ax.scatter(*np.asarray(real).T, s=3, color="k", alpha=0.4)
    if fake is not None:
        ax.scatter(*np.asarray(fake).T, s=5, color="w", edgecolor="k", linewidth=0.3, alpha=0.9)
    if fake is not None and push is not None:
        ax.quiver(*np.asarray(fake).T, *np.asarray(push).T, angles="xy", scale_units="xy", scale=1,
                  color="k", width=0.004, headwidth=4, headlength=4, zorder=4)
    ax.set(xlim=(xs[0], xs[-1]), ylim=(ys[0], ys[-1]), xlabel="x", ylabel="y", title=title)
    return image


def draw_feature_space(ax, features: dict, logits_layer=None, title="D's feature space around a G step",
                       before_label="fake before G step", after_label="fake after G step"):
    """D's 2-D features of one real batch and one fake batch before and after a generator update,
    with centroids. features: real_before, fake_before, fake_after (batch, 2) each."""
    real, before, after = (np.asarray(features[k]) for k in ("real_before", "fake_before", "fake_after"))
    ax.scatter(*real.T, s=5, color=colors.REAL, alpha=0.35, label="real")
    ax.scatter(*before.T, s=5, color=colors.FAKE_BEFORE, alpha=0.45, label=before_label)
    ax.scatter(*after.T, s=5, color=colors.FAKE, alpha=0.35, label=after_label)
    centroids = [c.mean(axis=0) for c in (real, before, after)]
    for centroid, color in zip(centroids, (colors.REAL, colors.FAKE_BEFORE, colors.FAKE)):
        ax.scatter(*centroid, s=120, marker="X", color=color, edgecolor="k", zorder=5)
    ax.annotate("", xy=centroids[2], xytext=centroids[1],
                arrowprops={"arrowstyle": "->", "color": "k", "lw": 1.5}, zorder=6)
    points = np.concatenate([real, before, after])
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-6)
    if logits_layer is not None:  # the decision line w . f + b = 0 (D = 1/2) in feature space
        kernel, bias = (np.asarray(w) for w in logits_layer.get_weights())
        w, b = kernel[:, 0], bias[0]
        if abs(w[1]) > 1e-12:
            xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 2)
            ax.plot(xs, -(w[0] * xs + b) / w[1], "k--", lw=1, label="D = ½")
    # headroom above the points for the legend, so that it covers none of them
    ax.set(xlim=(lo[0] - pad[0], hi[0] + pad[0]), ylim=(lo[1] - pad[1], hi[1] + 5 * pad[1]))
    ax.set(xlabel="feature 1", ylabel="feature 2", title=title)
    ax.legend(loc="upper center", ncol=2, markerscale=2, fontsize="small")


# ---- GAN Lab's views (Kahng et al. 2019) for the live dashboard -------------------------------
def generator_manifold(trainer, scaler: Scaler, lines: int = 9, points: int = 60) -> list[np.ndarray]:
    """G's image of a grid in its 2-D latent plane, in data units: `lines` lines z1 = const and
    as many z2 = const across [-2, 2] (normal latent) or [-1, 1] (uniform), `points` each: a
    list of (points, 2) arrays. Empty if the latent space is not 2-D."""
    if tuple(trainer.latent_shape) != (2,):
        return []
    extent = 1.0 if trainer.config.latent == "uniform" else 2.0
    levels, along = np.linspace(-extent, extent, lines), np.linspace(-1.25 * extent, 1.25 * extent, points)
    grid = [np.stack([np.full(points, level), along], axis=1) for level in levels]
    grid += [line[:, ::-1] for line in grid]  # the same lines with the coordinates swapped
    latent = np.concatenate(grid).astype(np.float32)  # (2 * lines * points, 2)
    images = scaler.inverse_transform(trainer.generator(latent, training=False).numpy())
    return list(images.reshape(2 * lines, points, -1))


def generator_push(trainer, latent_vectors) -> tuple[np.ndarray, np.ndarray]:
    """(fake, push), both (n, 2) in training units: G(z) for latent_vectors (n, 2) and minus the
    gradient of the generator loss with respect to each fake sample (times n, so it is that
    sample's own gradient): the direction a generator update pushes each fake."""
    latent_vectors = tf.convert_to_tensor(latent_vectors, tf.float32)
    fake = trainer.generator(latent_vectors, training=False)
    with tf.GradientTape() as tape:
        tape.watch(fake)
        loss = trainer.objective.generator_loss(trainer.discriminator(fake, training=False))
    gradient = tape.gradient(loss, fake) * tf.cast(tf.shape(fake)[0], tf.float32)
    return fake.numpy(), -gradient.numpy()


def arrows(push, scaler: Scaler, length: float = 0.3, cap: float = 2.0) -> np.ndarray:
    """Arrows (n, 2) in data units for pushes (n, 2) in training units: scaled so the median one
    is `length` standard deviations long, none more than `cap` times that; same directions."""
    push = np.asarray(push, np.float64)
    norms = np.linalg.norm(push, axis=1)
    typical = np.median(norms)
    if not np.isfinite(typical) or typical <= 0:
        return np.zeros_like(push)
    factor = np.minimum(length / typical, cap * length / np.maximum(norms, 1e-12))[:, None]
    return push * factor * scaler.scale


def features_around_generator_step(trainer, real, latent_vectors) -> dict[str, np.ndarray]:
    """D's features (batch, 2) of `real` and of G(latent_vectors) now, and of G(latent_vectors)
    after the generator update that "G only" would make next (`generator_step(draw=None)`, on the
    next fresh batch), which is then undone: the trainer is left exactly as it was."""
    generator = trainer.generator
    saved = [v.numpy() for v in (*generator.variables, *trainer.g_optimizer.variables)]
    out = {"real_before": trainer.features(real).numpy(),
           "fake_before": trainer.features(generator(latent_vectors, training=False)).numpy()}
    try:
        trainer.generator_step(draw=trainer.extra_draws + 1)  # the batch draw=None takes next
        out["fake_after"] = trainer.features(generator(latent_vectors, training=False)).numpy()
    finally:
        for variable, value in zip((*generator.variables, *trainer.g_optimizer.variables), saved):
            variable.assign(value)
    out["real_after"] = out["real_before"]  # a generator update leaves D, and so D's features, alone
    return out


def curve_dashboard_draw(curve: QuadraticCurve, scaler: Scaler, n_samples: int = 500,
                         n_arrows: int = 60, sample_seed: int = 4321):
    """A `draw(figure, trainer)` for dashboard.Dashboard, 2 x 2: samples with G's manifold (its
    image of a latent grid); D(x) with an arrow from each of `n_arrows` fakes where G's update
    pushes it; D's feature space now and after the next G update; the losses. Trains nothing:
    the next G update is computed and undone (see features_around_generator_step).
    """
    real_points = curve.sample(n_samples, seed=sample_seed).numpy()  # (n, 2) data units
    real_batch = scaler.transform(real_points[:256])

    def draw(figure, trainer):
        step = int(trainer.step.numpy())
        latent = trainer.latent_vectors(n_samples, tf.constant([12345, 0], tf.int64))  # = generate()'s
        fake, push = generator_push(trainer, latent)
        fake_points = scaler.inverse_transform(fake)
        figure.clear()
        axes = figure.subplots(2, 2).ravel()
        figure.subplots_adjust(left=0.1, right=0.98, bottom=0.08, top=0.95, wspace=0.35, hspace=0.38)
        draw_curve_samples(axes[0], curve, real_points, fake_points,
                           f"samples and G's manifold, step {step:,}", generator_manifold(trainer, scaler))
        shown = slice(0, min(n_arrows, n_samples))
        draw_decision_surface(axes[1], curve, scaler, trainer.discriminate, fake=fake_points[shown],
                              push=arrows(push[shown], scaler),
                              title="D(x) (red: real) and G's push on fakes")
        if trainer.features is not None:
            features = features_around_generator_step(trainer, real_batch, latent[:256])
            draw_feature_space(axes[2], features, trainer.discriminator.get_layer("logits"),
                               title="D's features, and a G update's effect", before_label="fake now",
                               after_label="fake after next G update")
        else:
            axes[2].set_axis_off()
        history_plots.draw_losses(axes[3], trainer.history)

    draw.figsize = (7.6, 6.4)
    return draw


def scaling_figure(real, scaler: Scaler) -> Figure:
    """The same real points (n, 2) in data units and in training units, side by side."""
    figure = figures.new_figure((8.4, 3.4))
    axes = figure.subplots(1, 2)
    scaled = scaler.transform(real)
    axes[0].scatter(*np.asarray(real).T, s=4, color=colors.REAL)
    axes[0].set(xlabel="x", ylabel="y = 10 + x²", title="data units: y reaches thousands")
    axes[1].scatter(*np.asarray(scaled).T, s=4, color=colors.REAL)
    axes[1].set(xlabel="(x - mean) / std", ylabel="(y - mean) / std",
                title="training units: mean 0, std 1", aspect="equal")
    return figure


def feature_space_figure(features: dict, logits_layer=None) -> Figure:
    """D's feature space around one generator step (see draw_feature_space)."""
    figure = figures.new_figure((4.2, 3.4))
    draw_feature_space(figure.add_subplot(), features, logits_layer)
    return figure


def training_curves_figure(history, window: int = 50) -> Figure:
    """Losses and discriminator outputs over training, side by side."""
    figure = figures.new_figure((8.4, 3.4))
    axes = figure.subplots(1, 2)
    history_plots.draw_losses(axes[0], history, window)
    history_plots.draw_discriminator_outputs(axes[1], history, window)
    return figure


def quality_figure(evaluation_table: dict, label: str = "") -> Figure:
    """W1 / real-vs-real floor over training (1 = as close as another real sample)."""
    figure = figures.new_figure((5, 3.4))
    ax = figure.add_subplot()
    ax.plot(evaluation_table["step"], evaluation_table["w1_ratio"], "o-", color="black",
            label=label or "W1 / floor")
    ax.axhline(1.0, color=colors.FLOOR, ls=":", label="real-vs-real floor")
    ax.axhline(2.0, color=colors.FLOOR, ls="--", label="target: 2 × floor")
    ax.set(yscale="log", xlabel="step", ylabel="W1 / floor", title="distance to the real data")
    ax.legend(fontsize=8)
    return figure
