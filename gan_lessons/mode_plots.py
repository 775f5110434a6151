"""Figures for lesson 06 (mode collapse). Each function returns a matplotlib Figure and never shows it."""

from __future__ import annotations

import pathlib

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from gan_lessons import colors, figures, mode_metrics, remedies


def draw_samples(ax, samples, mixture, title: str | None = None, threshold=mode_metrics.THRESHOLD,
                 color: str = colors.FAKE, label: str = "generated"):
    """Scatter samples (n, 2) in data units over the mixture's modes and their 3-std circles."""
    samples = np.asarray(samples)
    for mode in mixture.modes:
        ax.add_patch(Circle(mode, threshold * mixture.std, fill=False, color=colors.REAL, lw=0.8))
    ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.4, color=color, label=label)
    ax.scatter(*mixture.modes.T, marker="+", s=40, color=colors.REAL, label="modes (3-std circles)")
    (x0, x1), (y0, y1) = mixture.plot_limits()
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", xlabel="x", ylabel="y")
    if title:
        ax.set_title(title, fontsize=10)


def samples_figure(samples, mixture, title: str | None = None, figsize=(4, 4)) -> Figure:
    """Generated samples (data units) over the modes, with the mode metrics in the title."""
    figure = figures.new_figure(figsize)
    ax = figure.add_subplot()
    draw_samples(ax, samples, mixture, title or str(mode_metrics.report(samples, mixture)))
    ax.legend(loc="upper right", fontsize=7)
    return figure


def sample_grid_figure(panels: list[tuple], columns: int = 5, size: float = 2.8) -> Figure:
    """One small scatter per (title, samples (n, 2) in data units, mixture[, color]), e.g. one per
    seed; real data in the real colour: `(title, samples, mixture, colors.REAL)`."""
    rows = -(-len(panels) // columns)
    width = min(columns, len(panels))
    figure = figures.new_figure((size * width, size * rows))
    for i, (title, samples, mixture, *color) in enumerate(panels):
        ax = figure.add_subplot(rows, width, i + 1)
        result = mode_metrics.report(samples, mixture)
        draw_samples(ax, samples, mixture, f"{title}\n{result.modes_captured}/{result.n_modes} "
                                           f"modes, {100 * result.high_quality:.0f}% HQ",
                     color=color[0] if color else colors.FAKE)
        ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
    return figure


def modes_over_time_figure(histories: list[dict], n_modes: int, labels=None,
                           title: str = "modes captured during training", figsize=(6, 3)) -> Figure:
    """One line per run: modes captured at each evaluation. histories: [{"step", "modes"}, ...]."""
    figure = figures.new_figure(figsize)
    ax = figure.add_subplot()
    for i, history in enumerate(histories):
        label = labels[i] if labels else f"seed {i}"
        ax.plot(history["step"], history["modes"], marker=".", label=label)
    ax.axhline(n_modes, color="k", lw=0.8, ls=":")
    ax.set(xlabel="generator step", ylabel=f"modes captured (of {n_modes})", ylim=(-0.3, n_modes + 0.5),
           title=title)
    ax.legend(fontsize=7, ncol=2)
    return figure


def study_curves_figure(results: list[dict], remedy: str = "none", figsize=(11, 3.2)) -> Figure:
    """Modes captured over training for every seed of `remedy` in a stored study, one panel per
    distribution. results: `mode_experiments.compare(...)` or a stored record's "results"."""
    distributions = list(dict.fromkeys(r["distribution"] for r in results))
    figure = figures.new_figure(figsize)
    for k, distribution in enumerate(distributions):
        ax = figure.add_subplot(1, len(distributions), k + 1)
        runs = [r for r in results if r["distribution"] == distribution and r["remedy"] == remedy]
        for run in runs:
            ax.plot(run["history"]["step"], run["history"]["modes"], marker=".", ms=3,
                    label=f"seed {run['seed']}")
        n_modes = runs[0]["n_modes"] if runs else 1
        ax.axhline(n_modes, color="k", lw=0.8, ls=":")
        ax.set(xlabel="generator step", ylabel=f"modes captured (of {n_modes})",
               ylim=(-0.3, n_modes + 0.5), title=f"{remedy}: {distribution}")
        ax.legend(fontsize=7, ncol=2)
    return figure


def mode_share_figure(steps, mode_counts, title: str = "share of samples by nearest mode",
                      figsize=(7, 2.8)) -> Figure:
    """Heatmap of each mode's share of the generated samples over training (counts per mode at
    each evaluation, (evaluations, n_modes); e.g. "nearest_counts" of the mode evaluator): a
    bright cell moving from row to row is mode hopping."""
    counts = np.asarray(mode_counts, np.float64)
    n_samples = np.maximum(counts.sum(axis=1, keepdims=True), 1)
    figure = figures.new_figure(figsize)
    ax = figure.add_subplot()
    steps = np.asarray(steps)
    image = ax.imshow((counts / n_samples).T, aspect="auto", origin="lower", cmap="magma",
                      vmin=0, vmax=1, interpolation="nearest",
                      extent=(-0.5, len(steps) - 0.5, -0.5, counts.shape[1] - 0.5))
    ticks = np.linspace(0, len(steps) - 1, min(len(steps), 8)).round().astype(int)
    ax.set_xticks(ticks, [str(steps[t]) for t in ticks])
    ax.set(xlabel="generator step", ylabel="mode", title=title)
    figure.colorbar(image, ax=ax, label="share of samples")
    return figure


def comparison_figure(rows: list[dict], figsize=(10, 3)) -> Figure:
    """Bars with seed spread (standard deviation) of modes captured (% of modes), high quality (%)
    and KL, per distribution and remedy. rows: `mode_experiments.summarise(...)`."""
    figure = figures.new_figure(figsize)
    distributions = list(dict.fromkeys(r["distribution"] for r in rows))
    remedy_names = list(dict.fromkeys(r["remedy"] for r in rows))
    width = 0.8 / len(remedy_names)
    panels = (("modes", "modes captured (% of modes)"), ("high_quality", "high quality (%)"),
              ("kl", "KL from uniform (nats)"))
    for k, (key, label) in enumerate(panels):
        ax = figure.add_subplot(1, 3, k + 1)
        for j, remedy in enumerate(remedy_names):
            found = [next((r for r in rows if r["distribution"] == d and r["remedy"] == remedy), None)
                     for d in distributions]
            scale = [100 / r["n_modes"] if key == "modes" and r else 1 for r in found]
            means = [r[key] * s if r else np.nan for r, s in zip(found, scale)]
            spreads = [r[key + "_std"] * s if r else 0 for r, s in zip(found, scale)]
            ax.bar(np.arange(len(distributions)) + (j - (len(remedy_names) - 1) / 2) * width, means,
                   width, yerr=spreads, capsize=3, label=remedy,
                   color=colors.REMEDY.get(remedy, None))
        ax.set_xticks(np.arange(len(distributions)), distributions)
        ax.set_title(label, fontsize=10)
    figure.axes[0].legend(fontsize=7)
    return figure


def draw_decision_surface(ax, trainer, scaler, mixture, reference, resolution: int = 90):
    """D's output over the plot area (data units): D(x) in [0, 1], or the raw critic score for
    WGAN-GP. Remedy D's score a point with the real `reference` batch (training units)."""
    (x0, x1), (y0, y1) = mixture.plot_limits()
    xs, ys = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    points = np.stack([xs.ravel(), ys.ravel()], axis=1)
    logits = remedies.point_logits(trainer.discriminator, scaler.transform(points), reference).numpy()
    if not trainer.objective.probabilities:  # a critic (WGAN-GP): raw scores, no sigmoid
        values, label, cmap = logits, "critic score f(x)", "coolwarm"
        limit = float(np.abs(values).max()) or 1.0
        vmin, vmax = -limit, limit
    else:
        values, label, cmap, vmin, vmax = 1 / (1 + np.exp(-logits)), "D(x)", "RdBu_r", 0, 1
    return ax.imshow(values.reshape(xs.shape), origin="lower", extent=(x0, x1, y0, y1), cmap=cmap,
                     vmin=vmin, vmax=vmax, alpha=0.6, aspect="equal"), label


def draw_live(figure, trainer, n_samples: int = 1000, reference_size: int = 256):
    """The `draw(figure, trainer)` of lesson 06's dashboard, for a trainer from
    `mode_experiments.make_trainer` (it carries .mixture and .scaler): samples over D's decision
    surface, the mode histogram, and modes captured at each evaluation so far."""
    mixture, scaler = trainer.mixture, trainer.scaler
    reference = mixture.sampler(scaler)(np.array([4321, 0]), reference_size)  # (m, 2) real
    figure.clear()  # axes placed by hand: the dashboard's figure has no layout engine
    grid = figure.add_gridspec(1, 3, width_ratios=(1.15, 1, 1), left=0.03, right=0.99,
                               bottom=0.16, top=0.9, wspace=0.38)
    surface_ax, histogram_ax, time_ax = (figure.add_subplot(grid[i]) for i in range(3))
    samples = scaler.inverse_transform(trainer.generate(n_samples, seed=777))
    image, label = draw_decision_surface(surface_ax, trainer, scaler, mixture, reference)
    # in axes coordinates, so the bar stays beside the square (aspect-equal) surface
    figure.colorbar(image, cax=surface_ax.inset_axes((1.04, 0, 0.05, 1)), label=label)
    result = mode_metrics.report(samples, mixture)
    draw_samples(surface_ax, samples, mixture, f"{getattr(trainer, 'remedy', '')} · step "
                                               f"{int(trainer.step.numpy())}")
    histogram_ax.bar(np.arange(result.n_modes), result.counts / n_samples, color=colors.FAKE)
    histogram_ax.axhline(1 / result.n_modes, color="k", ls=":", lw=0.8, label="uniform")
    histogram_ax.set(xlabel="mode", ylabel="share of samples (high quality)",
                     title=f"{result.modes_captured}/{result.n_modes} modes, "
                           f"{100 * result.high_quality:.0f}% HQ, KL {result.kl:.2f}")
    histogram_ax.legend(fontsize=7)
    table = trainer.history.evaluation_table()
    if table:
        time_ax.plot(table["step"], table["modes"], marker=".")
    time_ax.set(xlabel="generator step", ylabel="modes captured", ylim=(-0.3, result.n_modes + 0.5),
                title="modes captured over time")


def save_samples_animation(frames: list[tuple[int, np.ndarray]], mixture, path, fps: int = 4,
                           dpi: int = 60) -> pathlib.Path:
    """Write a GIF of generated samples over training; frames: [(step, samples (n, 2) data units)].
    Returns the path written."""
    if not frames:
        raise ValueError("need at least one frame")
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure = figures.new_figure((3.6, 3.6))
    ax = figure.add_subplot()
    draw_samples(ax, frames[0][1], mixture)
    scatter = ax.collections[-2]  # the generated samples (the modes are drawn after them)

    def update(i):
        step, samples = frames[i]
        scatter.set_offsets(np.asarray(samples))
        result = mode_metrics.report(samples, mixture)
        ax.set_title(f"step {step}: {result.modes_captured}/{result.n_modes} modes, "
                     f"{100 * result.high_quality:.0f}% HQ", fontsize=9)
        return (scatter,)

    animation = FuncAnimation(figure, update, frames=len(frames), blit=False)
    animation.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)
    return path


def class_histogram_figure(histograms: dict[str, np.ndarray], class_names=None,
                           title: str = "predicted class of each sample", figsize=(9, 3)) -> Figure:
    """Grouped bars: the share of samples per class (or mode) for each named set of samples."""
    figure = figures.new_figure(figsize)
    ax = figure.add_subplot()
    width = 0.8 / len(histograms)
    for j, (name, counts) in enumerate(histograms.items()):
        counts = np.asarray(counts, np.float64)
        positions = np.arange(len(counts)) + (j - (len(histograms) - 1) / 2) * width
        ax.bar(positions, counts / counts.sum(), width, label=name)
    n = len(next(iter(histograms.values())))
    ax.axhline(1 / n, color="k", ls=":", lw=0.8, label="uniform")
    ax.set_xticks(np.arange(n), class_names if class_names is not None else np.arange(n),
                  rotation=30 if class_names is not None else 0)
    ax.set(ylabel="share of samples", title=title)
    ax.legend(fontsize=8)
    return figure
