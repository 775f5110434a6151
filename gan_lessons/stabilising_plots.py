"""Figures for lesson 08 (stabilising the game): Dirac-GAN phase portraits and distances, D* under
label smoothing, the tricks side by side, D's strength as a heatmap, D's held-out accuracy over
training; `draw_live` is the dashboard's draw(figure, trainer).

Figure functions return a matplotlib Figure and never show it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from gan_lessons import (
    colors,
    dirac,
    figures,
    history_plots,
    mode_metrics,
    mode_plots,
    smoothing,
    stabilising,
)

MODE_STYLE = {"simultaneous": "-", "alternating": "--"}


# ---- 1. the Dirac-GAN ------------------------------------------------------------------------------
def draw_portrait(ax, game: dirac.DiracGame, points: np.ndarray, limit: float = 2.5, title: str = ""):
    """The vector field of `game` as streamlines (grey) over (theta, psi), a trajectory `points`
    (n, 2) in colour from its start (o) to its end (x), and the equilibrium (0, 0) (star)."""
    grid = np.linspace(-limit, limit, 25)
    theta, psi = np.meshgrid(grid, grid)
    v_theta, v_psi = dirac.vector_field(game, theta, psi)
    ax.streamplot(theta, psi, v_theta, v_psi, color="0.75", density=0.8, linewidth=0.7, arrowsize=0.7)
    if game.clip is not None:
        ax.axhspan(game.clip, limit, color="0.9", zorder=0)
        ax.axhspan(-limit, -game.clip, color="0.9", zorder=0)
    ax.plot(points[:, 0], points[:, 1], color=colors.GENERATOR, lw=1.2)
    ax.plot(*points[0], "o", color=colors.GENERATOR, ms=5, label="start")
    ax.plot(*points[-1], "x", color="k", ms=7, mew=2, label=f"after {len(points) - 1} steps")
    ax.plot(0, 0, "*", color=colors.REAL, ms=12, label="equilibrium")
    ax.set(xlim=(-limit, limit), ylim=(-limit, limit), aspect="equal", xlabel="theta (G)",
           ylabel="psi (D)", title=title or game.name)


def portraits_figure(panels: list[tuple[str, dirac.DiracGame, np.ndarray]], columns: int = 3,
                     size: float = 3.3, limit: float = 2.5) -> Figure:
    """One phase portrait per (title, game, trajectory) panel."""
    rows = -(-len(panels) // columns)
    figure = figures.new_figure((columns * size, rows * size))
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    for ax, (title, game, points) in zip(axes, panels):
        draw_portrait(ax, game, points, limit, f"{title}\ndistance {dirac.distances(points[-1]):.2g} "
                                               f"after {len(points) - 1} steps")
        ax.title.set_fontsize(9)
    for ax in axes[len(panels):]:
        ax.set_axis_off()
    axes[0].legend(fontsize=7, loc="lower left")
    return figure


def distance_figure(trajectories: dict[tuple[str, str], np.ndarray], figsize=(9, 3.6)) -> Figure:
    """Distance from (0, 0) against the step (log scale), one line per (game name, mode)."""
    figure = figures.new_figure(figsize)
    ax = figure.add_subplot()
    names = list(dict.fromkeys(name for name, _ in trajectories))
    for (name, mode), points in trajectories.items():
        ax.semilogy(np.maximum(dirac.distances(points), 1e-16), MODE_STYLE[mode],
                    color=f"C{names.index(name)}", label=f"{name}, {mode}")
    ax.set(xlabel="step", ylabel="distance from (0, 0)", ylim=(1e-8, None),
           title="distance from the equilibrium (log scale)")
    ax.legend(fontsize=7, ncol=2, loc="lower left")
    return figure


# ---- 2. label smoothing ----------------------------------------------------------------------------
def smoothing_figure(p_data, p_g, labels: dict[str, tuple[float, float]],
                     limits=(-4.0, 7.5)) -> Figure:
    """Left: the densities and D* for each (real_label, fake_label) in `labels`; right: the push
    d log D*/dx a non-saturating generator follows at each x (positive: to the right)."""
    x = np.linspace(*limits, 600)
    figure = figures.new_figure((11, 3.6))
    left, right = figure.subplots(1, 2)
    left.fill_between(x, p_data.pdf(x), color=colors.REAL, alpha=0.25, label="p_data")
    left.fill_between(x, p_g.pdf(x), color=colors.FAKE, alpha=0.25, label="p_g")
    for i, (label, (alpha, beta)) in enumerate(labels.items()):
        color = ["k", colors.DISCRIMINATOR, colors.CEILING][i % 3]
        left.plot(x, smoothing.optimal_discriminator(p_data, p_g, x, alpha, beta), color=color,
                  label=f"D*, {label}")
        right.plot(x, smoothing.generator_push(p_data, p_g, x, alpha, beta), color=color, label=label)
    left.set(xlabel="x", ylabel="density / D*", ylim=(0, 1.05),
             title="D* = (alpha p_data + beta p_g) / (p_data + p_g)")
    left.legend(fontsize=7, loc="upper right")
    right.axhline(0, color="0.6", lw=0.8)
    right.set(xlabel="x", ylabel="d log D* / dx", title="where G's samples are pushed (D = D* held fixed)")
    right.legend(fontsize=7, loc="lower left")
    return figure


# ---- 3. the tricks ---------------------------------------------------------------------------------
def tricks_figure(rows: list[dict], ceiling: dict, extra_rows: list[dict] | None = None,
                  figsize=(12, 3.8)) -> Figure:
    """Per trick (mean ± std over seeds): modes captured and covered beside uniform noise's score,
    high quality, W1 / its real-vs-real floor (1 is perfect), and milliseconds per step.
    `extra_rows` (lesson 06's remedies on the same seeds) are drawn hatched."""
    rows = list(rows) + list(extra_rows or [])
    labels = [stabilising.LABELS.get(r.get("trick", r.get("remedy")), r.get("trick", r.get("remedy")))
              for r in rows]
    hatch = [None] * (len(rows) - len(extra_rows or [])) + ["//"] * len(extra_rows or [])
    figure = figures.new_figure(figsize)
    modes_ax, quality_ax, w1_ax, time_ax = figure.subplots(1, 4)
    y = np.arange(len(rows))
    modes_ax.barh(y - 0.2, [r["modes"] for r in rows], 0.4, xerr=[r["modes_std"] for r in rows],
                  color=colors.FAKE, hatch=None, label="captured")
    modes_ax.barh(y + 0.2, [r["covered"] for r in rows], 0.4, xerr=[r["covered_std"] for r in rows],
                  color="tab:olive", label="covered")
    modes_ax.axvline(ceiling["modes_captured"], color=colors.CEILING, ls="--", lw=1,
                     label=f"noise: {ceiling['modes_captured']:.1f} at {ceiling['high_quality']:.1f}% HQ")
    modes_ax.set(yticks=y, yticklabels=labels, xlim=(0, rows[0]["n_modes"] + 0.5), xlabel="modes (of 8)",
                 title="modes")
    modes_ax.invert_yaxis()
    modes_ax.legend(fontsize=7, loc="lower right")
    quality_ax.barh(y, [r["high_quality"] for r in rows], xerr=[r["high_quality_std"] for r in rows],
                    color=colors.FAKE, hatch=None)
    quality_ax.axvline(ceiling["high_quality"], color=colors.CEILING, ls="--", lw=1)
    quality_ax.set(yticks=y, yticklabels=[], xlim=(0, 100), xlabel="% within 3 std of a mode",
                   title="high quality")
    quality_ax.invert_yaxis()
    w1_ax.barh(y, [r["w1_ratio"] for r in rows], xerr=[r["w1_ratio_std"] for r in rows], color="tab:gray")
    w1_ax.axvline(1, color=colors.FLOOR, ls="--", lw=1, label="floor (real vs real)")
    w1_ax.set(yticks=y, yticklabels=[], xscale="log", xlabel="W1 / floor", title="distance to the data")
    w1_ax.invert_yaxis()
    w1_ax.legend(fontsize=7)
    time_ax.barh(y, [1000 * r["seconds_per_step"] for r in rows],
                 xerr=[1000 * r.get("seconds_per_step_std", 0) for r in rows], color="tab:purple")
    time_ax.set(yticks=y, yticklabels=[], xlabel="ms per step (shared 2-core CPU)", title="cost")
    time_ax.invert_yaxis()
    for ax in (modes_ax, quality_ax, w1_ax, time_ax):
        for patch, pattern in zip(ax.patches, hatch * 2):
            patch.set_hatch(pattern)
    return figure


# ---- 4. D's strength -------------------------------------------------------------------------------
def balance_figure(grid: dict, figsize=(11, 4.2),
                   framed: str = "green frame: every seed covers every mode") -> Figure:
    """Two heatmaps over k (rows) x D/G rate ratio (columns): W1 / floor (mean, ± std and modes
    annotated, or the worst seed's where grid has "worst" instead of "modes"; the balanced cells
    outlined, as `framed` says) and D's final held-out accuracy (50%: cannot tell).
    grid: {"d_steps", "rate_ratios", "w1_ratio", "w1_ratio_std", "modes" or "worst", "accuracy",
    "balanced"}."""
    figure = figures.new_figure(figsize)
    quality_ax, accuracy_ax = figure.subplots(1, 2)
    k, ratios = grid["d_steps"], grid["rate_ratios"]
    image = quality_ax.imshow(np.log10(grid["w1_ratio"]), cmap="viridis_r", origin="lower", aspect="auto")
    figure.colorbar(image, ax=quality_ax, label="log10(W1 / floor)")
    accuracy = accuracy_ax.imshow(grid["accuracy"], cmap="coolwarm", vmin=0, vmax=100, origin="lower",
                                  aspect="auto")
    figure.colorbar(accuracy, ax=accuracy_ax, label="D's held-out accuracy % (50: cannot tell)")
    for i in range(len(k)):
        for j in range(len(ratios)):
            second = (f"{grid['modes'][i, j]:.1f} modes" if "modes" in grid
                      else f"worst {grid['worst'][i, j]:.1f}")
            mean = f"{grid['w1_ratio'][i, j]:.1f} ± {grid['w1_ratio_std'][i, j]:.1f}"
            quality_ax.text(j, i, f"{mean}\n{second}", ha="center", va="center", fontsize=8,
                            color="w" if grid["w1_ratio"][i, j] > np.nanmedian(grid["w1_ratio"]) else "k")
            accuracy_ax.text(j, i, f"{grid['accuracy'][i, j]:.0f}%", ha="center", va="center", fontsize=9)
            if grid["balanced"][i, j]:
                for ax in (quality_ax, accuracy_ax):
                    ax.add_patch(Rectangle((j - 0.48, i - 0.48), 0.96, 0.96, fill=False, ec=colors.FLOOR,
                                           lw=3))
    for ax in (quality_ax, accuracy_ax):
        ax.set(xticks=range(len(ratios)), xticklabels=[f"{r:g}" for r in ratios], yticks=range(len(k)),
               yticklabels=[str(s) for s in k], xlabel="D's learning rate / G's",
               ylabel="k (D steps per G step)")
    quality_ax.set_title(f"W1 / floor ({framed})", fontsize=9)
    accuracy_ax.set_title("D's final accuracy on held-out real and generated samples", fontsize=9)
    return figure


def accuracy_figure(histories: dict[str, dict], figsize=(11, 3.4)) -> Figure:
    """D's accuracy on held-out real (left) and generated (right) samples over training, one line
    per labelled run (its evaluations: step, accuracy_real, accuracy_fake), with the 50% line."""
    figure = figures.new_figure(figsize)
    axes = figure.subplots(1, 2, sharey=True)
    for key, ax, title in (("accuracy_real", axes[0], "on held-out real samples"),
                           ("accuracy_fake", axes[1], "on generated samples")):
        for i, (label, history) in enumerate(histories.items()):
            ax.plot(history["step"], 100 * np.asarray(history[key]), marker=".", color=f"C{i}", label=label)
        ax.axhline(50, color="k", ls="--", lw=1, label="50%: D cannot tell")
        ax.set(xlabel="generator step", ylim=(-3, 103), title=f"D's accuracy {title}")
    axes[0].set_ylabel("% classified correctly")
    axes[1].legend(fontsize=7, loc="lower right")
    return figure


# ---- 5. the dashboard ------------------------------------------------------------------------------
def draw_live(figure, trainer, n_samples: int = 1000):
    """The `draw(figure, trainer)` of lesson 08's dashboard, for a trainer from
    `stabilising.make_trainer`: samples over the ring's modes, D's held-out accuracy at each
    evaluation with its 50% line, the losses, and modes captured over time beside the noise ceiling."""
    mixture, scaler = trainer.mixture, trainer.scaler
    figure.clear()
    grid = figure.add_gridspec(2, 2, left=0.08, right=0.98, bottom=0.08, top=0.92, wspace=0.3, hspace=0.5)
    samples_ax, accuracy_ax = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
    loss_ax, modes_ax = figure.add_subplot(grid[1, 0]), figure.add_subplot(grid[1, 1])
    samples = scaler.inverse_transform(trainer.generate(n_samples, seed=777))
    result = mode_metrics.report(samples, mixture)
    mode_plots.draw_samples(samples_ax, samples, mixture, f"step {int(trainer.step.numpy()):,}: "
                                                           f"{result.modes_captured}/8 modes, "
                                                           f"{100 * result.high_quality:.0f}% HQ")
    table = trainer.history.evaluation_table()
    if table and "accuracy_real" in table:
        accuracy_ax.plot(table["step"], 100 * table["accuracy_real"], marker=".", color=colors.REAL,
                         label="real")
        accuracy_ax.plot(table["step"], 100 * table["accuracy_fake"], marker=".", color=colors.FAKE,
                         label="generated")
        modes_ax.plot(table["step"], table["modes"], marker=".", color=colors.FAKE, label="captured")
        modes_ax.plot(table["step"], table["covered"], marker=".", ls=":", color=colors.FAKE, label="covered")
    accuracy_ax.axhline(50, color="k", ls="--", lw=1, label="50%")
    accuracy_ax.set(ylim=(-3, 103), xlabel="generator step", ylabel="%", title="D's held-out accuracy")
    accuracy_ax.legend(fontsize=7, loc="lower left")
    history_plots.draw_losses(loss_ax, trainer.history)
    ceiling = mode_metrics.noise_ceiling(mixture, trainer.eval_samples)
    modes_ax.axhline(ceiling["modes_captured"], color=colors.CEILING, ls="--", lw=0.8, label="uniform noise")
    modes_ax.set(ylim=(-0.3, 8.5), xlabel="generator step", ylabel="modes", title="modes over time")
    modes_ax.legend(fontsize=7, loc="lower right")


draw_live.figsize = (7.6, 6.4)  # 608 px: fits a 1,000 px notebook
