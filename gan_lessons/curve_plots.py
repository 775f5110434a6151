"""Lesson 01's figures of the quadratic curve: `draw_*` draw on an Axes, `*_figure` return a new Figure.

Everything is plotted in data units: the scaler maps training units back before drawing.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from gan_lessons import colors, figures, history_plots
from gan_lessons.toy import QuadraticCurve, Scaler


def draw_curve_samples(ax, curve: QuadraticCurve, real, fake, title="samples (data units)"):
    """Real and generated points (n, 2) in data units, over the true curve y = 10 + x^2."""
    xs = np.linspace(curve.low, curve.high, 200)
    ax.plot(xs, curve.curve(xs), color="0.75", lw=1, zorder=0, label="y = 10 + x²")
    ax.scatter(*np.asarray(real).T, s=6, color=colors.REAL, alpha=0.5, label="real")
    ax.scatter(*np.asarray(fake).T, s=6, color=colors.FAKE, alpha=0.5, label="generated")
    xlim, ylim = curve.plot_limits()
    ax.set(xlim=xlim, ylim=ylim, xlabel="x", ylabel="y", title=title)
    ax.legend(loc="upper center", fontsize=7, markerscale=2)


def decision_grid(curve: QuadraticCurve, resolution: int = 80):
    """A (resolution^2, 2) grid of points in data units covering the plot limits, and its axes."""
    (x0, x1), (y0, y1) = curve.plot_limits()
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    return grid, xs, ys


def draw_decision_surface(ax, curve: QuadraticCurve, scaler: Scaler, discriminate, real=None,
                          fake=None, resolution: int = 80):
    """D(x) over the plane (data units); `discriminate(points in training units) -> (n,)` in [0, 1]."""
    grid, xs, ys = decision_grid(curve, resolution)
    probability = np.asarray(discriminate(scaler.transform(grid))).reshape(len(ys), len(xs))
    image = ax.imshow(probability, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]),
                      aspect="auto", cmap="RdBu_r", vmin=0, vmax=1, alpha=0.85)
    ax.contour(xs, ys, probability, levels=[0.5], colors="k", linewidths=1)
    if real is not None:
        ax.scatter(*np.asarray(real).T, s=3, color="k", alpha=0.4)
    if fake is not None:
        ax.scatter(*np.asarray(fake).T, s=3, color="w", alpha=0.6)
    ax.set(xlabel="x", ylabel="y", title="D(x): red 'real', blue 'fake', line D = ½")
    return image


def draw_feature_space(ax, features: dict, logits_layer=None):
    """D's 2-D features of one real batch and one fake batch before and after a generator update,
    with centroids. features: real_before, fake_before, fake_after (batch, 2) each."""
    real, before, after = (np.asarray(features[k]) for k in ("real_before", "fake_before", "fake_after"))
    ax.scatter(*real.T, s=5, color=colors.REAL, alpha=0.35, label="real")
    ax.scatter(*before.T, s=5, color=colors.FAKE_BEFORE, alpha=0.45, label="fake before G step")
    ax.scatter(*after.T, s=5, color=colors.FAKE, alpha=0.35, label="fake after G step")
    centroids = [c.mean(axis=0) for c in (real, before, after)]
    for centroid, color in zip(centroids, (colors.REAL, colors.FAKE_BEFORE, colors.FAKE)):
        ax.scatter(*centroid, s=120, marker="X", color=color, edgecolor="k", zorder=5)
    ax.annotate("", xy=centroids[2], xytext=centroids[1],
                arrowprops={"arrowstyle": "->", "color": "k", "lw": 1.5}, zorder=6)
    if logits_layer is not None:  # the decision line w . f + b = 0 (D = 1/2) in feature space
        kernel, bias = (np.asarray(w) for w in logits_layer.get_weights())
        w, b = kernel[:, 0], bias[0]
        points = np.concatenate([real, before, after])
        lo, hi = points.min(axis=0), points.max(axis=0)
        if abs(w[1]) > 1e-12:
            xs = np.linspace(lo[0], hi[0], 2)
            ax.plot(xs, -(w[0] * xs + b) / w[1], "k--", lw=1, label="D = ½")
        ax.set(xlim=(lo[0] - 0.1 * (hi[0] - lo[0]), hi[0] + 0.1 * (hi[0] - lo[0])),
               ylim=(lo[1] - 0.1 * (hi[1] - lo[1]), hi[1] + 0.1 * (hi[1] - lo[1])))
    ax.set(xlabel="feature 1", ylabel="feature 2", title="D's feature space around a G step")
    ax.legend(loc="best", fontsize=7, markerscale=2)


def curve_dashboard_draw(curve: QuadraticCurve, scaler: Scaler, n_samples: int = 500):
    """A `draw(figure, trainer)` for dashboard.Dashboard: samples, D(x), feature space, losses.

    Each redraw takes one real training step through `trainer.step_with_features()` to show D's
    feature space before and after that step's generator update.
    """
    def draw(figure, trainer):
        features = trainer.step_with_features() if trainer.features is not None else None
        figure.clear()
        axes = figure.subplots(1, 4 if features else 3)
        figure.subplots_adjust(left=0.05, right=0.99, bottom=0.15, top=0.9, wspace=0.32)
        real_points = curve.sample(n_samples, seed=4321).numpy()
        fake_points = scaler.inverse_transform(trainer.generate(n_samples))
        draw_curve_samples(axes[0], curve, real_points, fake_points,
                           title=f"samples at step {int(trainer.step.numpy())}")
        draw_decision_surface(axes[1], curve, scaler, trainer.discriminate)
        if features:
            draw_feature_space(axes[2], features, trainer.discriminator.get_layer("logits"))
        history_plots.draw_losses(axes[-1], trainer.history)

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
