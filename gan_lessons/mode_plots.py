"""Figures for lesson 06 (mode collapse). Each function returns a matplotlib Figure and never shows it."""

from __future__ import annotations

import pathlib
import tempfile

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from gan_lessons import colors, figures, history_plots, mixtures, mode_metrics, remedies


def draw_samples(ax, samples, mixture, title: str | None = None, threshold=mode_metrics.THRESHOLD,
                 color: str = colors.FAKE, label: str = "generated", real=None):
    """Scatter samples (n, 2) in data units (and `real` samples, if given, in the real colour)
    over the mixture's modes and their 3-std circles."""
    samples = np.asarray(samples)
    for mode in mixture.modes:
        ax.add_patch(Circle(mode, threshold * mixture.std, fill=False, color=colors.REAL, lw=0.8))
    if real is not None:
        real = np.asarray(real)
        ax.scatter(real[:, 0], real[:, 1], s=2, alpha=0.4, color=colors.REAL, label="real")
    ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.4, color=color, label=label)
    ax.scatter(*mixture.modes.T, marker="+", s=40, color=colors.REAL, label="modes (3-std circles)")
    (x0, x1), (y0, y1) = mixture.plot_limits()
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", xlabel="x", ylabel="y")
    if title:
        ax.set_title(title, fontsize=10)


def noise_note(figure, mixtures_, n: int = mode_metrics.PAPER_SAMPLES):
    """Write the noise-ceiling line of each mixture under the figure: every figure of modes
    captured carries it."""
    lines = []
    for mixture in {m.name: m for m in mixtures_}.values():
        lines.append(f"{mixture.name}: {mode_metrics.noise_line(mode_metrics.noise_ceiling(mixture, n))}")
    figure.text(0.01, 0.005, "\n".join(lines), fontsize=7.5, color="0.3", ha="left", va="bottom")
    engine = figure.get_layout_engine()
    if engine is not None:  # keep the axes above the note
        bottom = 0.2 * len(lines) / figure.get_figheight()
        engine.set(rect=(0, bottom, 1, 1 - bottom))
    return figure


def _noise_level(ax, mixture, n: int = mode_metrics.PAPER_SAMPLES):
    """A dashed line at the modes uniform noise over the mixture's box captures."""
    ceiling = mode_metrics.noise_ceiling(mixture, n)
    modes, quality = ceiling["modes_captured"], ceiling["high_quality"]
    ax.axhline(modes, color=colors.CEILING, lw=0.8, ls="--",
               label=f"uniform noise: {modes:.1f} modes at {quality:.1f}% HQ")


def samples_figure(samples, mixture, title: str | None = None, figsize=(4, 4)) -> Figure:
    """Generated samples (data units) over the modes, with the mode metrics in the title."""
    figure = figures.new_figure(figsize)
    ax = figure.add_subplot()
    draw_samples(ax, samples, mixture, title or str(mode_metrics.report(samples, mixture)))
    ax.legend(loc="upper right", fontsize=7)
    return noise_note(figure, [mixture], len(samples))


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
                                           f"modes ({result.modes_covered} covered), "
                                           f"{100 * result.high_quality:.0f}% HQ",
                     color=color[0] if color else colors.FAKE)
        ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
    return noise_note(figure, [panel[2] for panel in panels], len(panels[0][1]))


def modes_over_time_figure(histories: list[dict], mixture, labels=None, n: int = mode_metrics.PAPER_SAMPLES,
                           title: str = "modes captured during training", figsize=(6.5, 3.4)) -> Figure:
    """One line per run: modes captured (solid) and covered (dotted, where recorded) at each
    evaluation of n samples, beside the noise ceiling at the same n.
    histories: [{"step", "modes"[, "covered"]}, ...]."""
    figure = figures.new_figure(figsize)
    ax = figure.add_subplot()
    n_modes = mixture.n_modes
    for i, history in enumerate(histories):
        label = labels[i] if labels else f"seed {i}"
        line, = ax.plot(history["step"], history["modes"], marker=".", label=f"{label}: captured")
        if "covered" in history:
            ax.plot(history["step"], history["covered"], ls=":", color=line.get_color(),
                    label=f"{label}: covered")
    ax.axhline(n_modes, color="k", lw=0.8, ls=":")
    _noise_level(ax, mixture, n)
    ax.set(xlabel="generator step", ylabel=f"modes (of {n_modes})", ylim=(-0.3, n_modes + 0.5),
           title=title)
    ax.legend(fontsize=7, ncol=2)
    return noise_note(figure, [mixture], n)


def study_curves_figure(results: list[dict], remedy: str = "none", figsize=(10, 3.6),
                        key: str = "modes", label: str | None = None) -> Figure:
    """Modes captured (key="modes") or covered (key="covered") over training for every seed of
    `remedy` in a stored study, one panel per distribution, beside the noise ceiling.
    results: `mode_experiments.compare(...)` or a stored record's "results"."""
    distributions = list(dict.fromkeys(r["distribution"] for r in results))
    figure = figures.new_figure(figsize)
    label = label or remedy
    for k, distribution in enumerate(distributions):
        ax = figure.add_subplot(1, len(distributions), k + 1)
        runs = [r for r in results if r["distribution"] == distribution and r["remedy"] == remedy]
        for run in runs:
            ax.plot(run["history"]["step"], run["history"][key], marker=".", ms=3,
                    label=f"seed {run['seed']}")
        mixture = mixtures.by_name(distribution)
        ax.axhline(mixture.n_modes, color="k", lw=0.8, ls=":")
        if key == "modes":
            _noise_level(ax, mixture)
        ax.set(xlabel="generator step", ylabel=f"modes {'captured' if key == 'modes' else 'covered'} "
                                                f"(of {mixture.n_modes})",
               ylim=(-0.3, mixture.n_modes + 0.5), title=f"{label}: {distribution}")
        ax.legend(fontsize=7, ncol=2)
    return noise_note(figure, [mixtures.by_name(d) for d in distributions])


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


def comparison_figure(rows: list[dict], published: dict | None = None, labels: dict | None = None,
                      figsize=(10, 3.6)) -> Figure:
    """Bars with seed spread (standard deviation) of modes captured and covered (% of modes), high
    quality (%) and KL, per distribution and remedy; the noise ceiling as a dashed tick on the
    captured panel and, with `published` ({(distribution, label): {"modes": (mean, se), ...}}, e.g.
    mode_experiments.PUBLISHED) and `labels` ({remedy: label}), the published means as diamonds.
    rows: `mode_experiments.summarise(...)`."""
    figure = figures.new_figure(figsize)
    distributions = list(dict.fromkeys(r["distribution"] for r in rows))
    remedy_names = list(dict.fromkeys(r["remedy"] for r in rows))
    labels = labels or {}
    width = 0.8 / len(remedy_names)
    published_label = ["published (PacGAN, Table 1)"]  # on the first diamond only
    panels = (("modes", "modes captured (% of modes)"), ("covered", "modes covered (% of modes)"),
              ("high_quality", "high quality (%)"), ("kl", "reverse KL from uniform (nats)"))
    for k, (key, title) in enumerate(panels):
        ax = figure.add_subplot(1, len(panels), k + 1)
        for j, remedy in enumerate(remedy_names):
            found = [next((r for r in rows if r["distribution"] == d and r["remedy"] == remedy), None)
                     for d in distributions]
            scale = [100 / r["n_modes"] if key in ("modes", "covered") and r else 1 for r in found]
            means = [r.get(key, np.nan) * s if r else np.nan for r, s in zip(found, scale)]
            spreads = [r.get(key + "_std", 0) * s if r else 0 for r, s in zip(found, scale)]
            positions = np.arange(len(distributions)) + (j - (len(remedy_names) - 1) / 2) * width
            ax.bar(positions, means, width, yerr=spreads, capsize=3, label=labels.get(remedy, remedy),
                   color=colors.REMEDY.get(remedy, None))
            for x, d, s in zip(positions, distributions, scale):
                value = (published or {}).get((d, labels.get(remedy, remedy)), {}).get(key)
                if value is not None:
                    ax.scatter([x], [value[0] * s], marker="D", s=22, color="k", zorder=3,
                               label=published_label.pop() if published_label and k == 0 else None)
        if key == "modes":
            for i, d in enumerate(distributions):
                mixture = mixtures.by_name(d)
                level = 100 * mode_metrics.noise_ceiling(mixture)["modes_captured"] / mixture.n_modes
                ax.hlines(level, i - 0.45, i + 0.45, colors=colors.CEILING, linestyles="--", lw=1,
                          label="uniform noise" if i == 0 else None)
        ax.set_xticks(np.arange(len(distributions)), distributions)
        ax.set_title(title, fontsize=9)
    figure.axes[0].legend(fontsize=7)
    return noise_note(figure, [mixtures.by_name(d) for d in distributions])


def draw_decision_surface(ax, trainer, scaler, mixture, reference, resolution: int = 90):
    """D's output over the plot area (data units) in grey, so that real (blue) and generated
    (orange) points stay visible on it: D(x) in [0, 1], or the raw score of a critic-style
    objective. Remedy D's score a point with the real `reference` batch (training units)."""
    (x0, x1), (y0, y1) = mixture.plot_limits()
    xs, ys = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    points = np.stack([xs.ravel(), ys.ravel()], axis=1)
    logits = remedies.point_logits(trainer.discriminator, scaler.transform(points), reference).numpy()
    if not trainer.objective.probabilities:  # raw scores, no sigmoid
        values, label = logits, "D's score"
        limit = float(np.abs(values).max()) or 1.0
        vmin, vmax = -limit, limit
    else:
        values, label, vmin, vmax = 1 / (1 + np.exp(-logits)), "D(x)", 0, 1
    return ax.imshow(values.reshape(xs.shape), origin="lower", extent=(x0, x1, y0, y1), cmap="Greys",
                     vmin=vmin, vmax=vmax, alpha=0.7, aspect="equal"), label


def draw_live(figure, trainer, n_samples: int | None = None, reference_size: int = 256):
    """The `draw(figure, trainer)` of lesson 06's dashboard, for a trainer from
    `mode_experiments.make_trainer` (it carries .mixture, .scaler and .eval_samples): real and
    generated samples over D's surface, the mode histogram against the covered threshold, and modes
    captured and covered at each evaluation so far beside the noise ceiling, all at the
    evaluations' sample size unless n_samples is given. Sized for a 1,000 px wide notebook
    (draw_live.figsize: about 600 px at the dashboard's DPI); legends sit outside the data."""
    mixture, scaler = trainer.mixture, trainer.scaler
    n_samples = n_samples or getattr(trainer, "eval_samples", mode_metrics.PAPER_SAMPLES)
    sample_real = mixture.sampler(scaler)
    reference = sample_real(np.array([4321, 0]), reference_size)  # (m, 2) real, training units
    real = scaler.inverse_transform(sample_real(np.array([4321, 1]), n_samples))
    figure.clear()  # axes placed by hand: the dashboard's figure has no layout engine
    grid = figure.add_gridspec(2, 2, width_ratios=(1.15, 1), height_ratios=(1.45, 1), left=0.06, right=0.98,
                               bottom=0.08, top=0.93, wspace=0.42, hspace=0.42)
    surface_ax, histogram_ax = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
    time_ax = figure.add_subplot(grid[1, :])
    samples = scaler.inverse_transform(trainer.generate(n_samples, seed=777))
    image, label = draw_decision_surface(surface_ax, trainer, scaler, mixture, reference)
    colorbar = figure.colorbar(image, cax=surface_ax.inset_axes((1.03, 0, 0.045, 1)))
    colorbar.ax.set_title(label, fontsize="small")  # above the bar: beside it, it meets the next panel
    result = mode_metrics.report(samples, mixture)
    draw_samples(surface_ax, samples, mixture, f"{getattr(trainer, 'remedy', '')} · step "
                                               f"{int(trainer.step.numpy()):,}", real=real)
    surface_ax.set(xlabel="", ylabel="")  # x and y: the legend needs the room under the panel
    legend = surface_ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=3, handletextpad=0.1,
                               columnspacing=0.8, borderaxespad=0.2, fontsize="small")
    for handle in legend.legend_handles:  # dots big enough to see the colour, the modes' + no bigger
        handle.set_sizes([24])
    shares = result.counts / n_samples
    histogram_ax.bar(np.arange(result.n_modes), shares, color=colors.FAKE)
    histogram_ax.axhline(1 / result.n_modes, color="k", ls=":", lw=0.8, label="fair share")
    covered = mode_metrics.COVERED_SHARE / result.n_modes
    histogram_ax.axhline(covered, color=colors.CEILING, ls="--", lw=0.8, label="covered above")
    captured = f"{result.modes_captured}/{result.n_modes} modes ({result.modes_covered} covered)"
    histogram_ax.set(xlabel="mode", ylabel="share of samples (HQ)",
                     title=f"{captured}\n{100 * result.high_quality:.0f}% HQ, KL {result.kl:.2f}")
    history_plots.legend_above(histogram_ax, [shares, [1 / result.n_modes, covered]], bottom=0.0)
    table = trainer.history.evaluation_table()
    values = [[mixture.n_modes, mode_metrics.noise_ceiling(mixture, n_samples)["modes_captured"]]]
    if table:
        time_ax.plot(table["step"], table["modes"], marker=".", color=colors.FAKE, label="captured")
        time_ax.plot(table["step"], table["covered"], marker=".", ls=":", color=colors.FAKE, label="covered")
        values += [table["modes"], table["covered"]]
    time_ax.axhline(mixture.n_modes, color="k", lw=0.8, ls=":")
    _noise_level(time_ax, mixture, n_samples)
    time_ax.set(xlabel="generator step", ylabel="modes", title="modes captured and covered over time")
    history_plots.legend_above(time_ax, values, bottom=-0.3)


draw_live.figsize = (7.6, 6.6)


def best_response_figure(trainer, before, after, updates: int, figsize=(5.2, 4.4)) -> Figure:
    """G's samples before (light) and after (orange) `updates` generator updates against the same,
    fixed D, over that D's surface: where G's best response puts its mass. before, after: (n, 2)
    data units; trainer: from mode_experiments.make_trainer."""
    mixture, scaler = trainer.mixture, trainer.scaler
    reference = mixture.sampler(scaler)(np.array([4321, 0]), 256)
    figure = figures.new_figure(figsize)
    ax = figure.add_subplot()
    image, label = draw_decision_surface(ax, trainer, scaler, mixture, reference)
    figure.colorbar(image, ax=ax, label=f"{label} (held fixed)", shrink=0.8)
    ax.scatter(*np.asarray(before).T, s=2, alpha=0.4, color=colors.FAKE_BEFORE, label="G before")
    draw_samples(ax, after, mixture, f"{updates} G updates against a fixed D",
                 label=f"G after {updates} updates")
    ax.legend(loc="upper left", fontsize=7, markerscale=4)
    return noise_note(figure, [mixture], len(after))


def save_samples_animation(frames: list[tuple[int, np.ndarray]], mixture, path=None, fps: int = 4,
                           dpi: int = 60) -> pathlib.Path:
    """Write a GIF of generated samples over training; frames: [(step, samples (n, 2) data units)].
    path None: 06_samples.gif in the system's temporary directory. Returns the path written."""
    if not frames:
        raise ValueError("need at least one frame")
    path = pathlib.Path(path or pathlib.Path(tempfile.gettempdir()) / "06_samples.gif")
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
                           title: str = "predicted class of each sample", figsize=(9, 3),
                           bar_colors: dict | None = None) -> Figure:
    """Grouped bars: the share of samples per class (or mode) for each named set of samples,
    coloured by `bar_colors` ({name: colour}) where given."""
    figure = figures.new_figure(figsize)
    ax = figure.add_subplot()
    width = 0.8 / len(histograms)
    for j, (name, counts) in enumerate(histograms.items()):
        counts = np.asarray(counts, np.float64)
        positions = np.arange(len(counts)) + (j - (len(histograms) - 1) / 2) * width
        ax.bar(positions, counts / counts.sum(), width, label=name, color=(bar_colors or {}).get(name))
    n = len(next(iter(histograms.values())))
    ax.axhline(1 / n, color="k", ls=":", lw=0.8, label="uniform")
    ax.set_xticks(np.arange(n), class_names if class_names is not None else np.arange(n),
                  rotation=30 if class_names is not None else 0)
    ax.set(ylabel="share of samples", title=title)
    ax.legend(fontsize=8)
    return figure
