"""Figures for image GANs (lessons 03-04): sample grids, training curves, quality, a live view.

Functions return a matplotlib Figure and never show it; `live_draw(...)` returns a
draw(figure, trainer) for dashboard.Dashboard.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from gan_lessons import colors, fashion_mnist, figures, history_plots


def tile(images, columns: int = 8, pad: int = 1) -> np.ndarray:
    """One mosaic image (rows * 29 - 1, columns * 29 - 1) in 0..255 from images (n, 784) or
    (n, 28, 28[, 1]), uint8 pixels or floats in [-1, 1]; empty cells and padding are white."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = fashion_mnist.to_pixels(images)
    images = images.reshape(-1, 28, 28)
    rows = -(-len(images) // columns)
    size = 28 + pad
    mosaic = np.full((rows * size - pad, columns * size - pad), 255, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        mosaic[r * size:r * size + 28, c * size:c * size + 28] = image
    return mosaic


def draw_images(ax, images, columns: int = 8, title: str | None = None):
    """Draw a mosaic of images on `ax`: light clothes on black, as in the dataset."""
    ax.imshow(tile(images, columns), cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)


def image_grid(images, columns: int = 8, title: str | None = None, labels=None,
               size: float = 0.6) -> Figure:
    """A figure of images; with `labels` (class indices), each image is titled with its class."""
    images = np.asarray(images)
    if labels is None:
        rows = -(-len(images) // columns)
        figure = figures.new_figure((columns * size + 0.4, rows * size + 0.6))
        draw_images(figure.add_subplot(), images, columns, title)
        return figure
    rows = -(-len(images) // columns)
    figure = figures.new_figure((columns * 1.1, rows * 1.3))
    for i, (image, label) in enumerate(zip(images, labels)):
        ax = figure.add_subplot(rows, columns, i + 1)
        draw_images(ax, image[None], columns=1)
        ax.set_title(fashion_mnist.CLASS_NAMES[int(label)], fontsize=8)
    if title:
        figure.suptitle(title)
    return figure


_TITLES = {"frechet_distance": "Fréchet distance (lower is better)",
           "classifier_score": "classifier score (higher is better)",
           "kl_uniform": "class histogram: KL from uniform", "classes_covered": "classes present"}


def draw_quality(ax, history, floor: dict | None = None, ceiling: dict | None = None,
                 metric: str = "frechet_distance"):
    """A quality metric at each evaluation (log scale for the Frechet distance), with the floor
    and the ceiling; the legend sits in headroom above every line."""
    table = history.evaluation_table()
    shown = []
    if table:
        ax.plot(table["step"], table[metric], "o-", color="black", label="generator")
        shown.append(table[metric])
    if floor:
        ax.axhline(floor[metric], color=colors.FLOOR, linestyle="--", label="floor: real vs real")
        shown.append([floor[metric]])
    if ceiling:
        ax.axhline(ceiling[metric], color=colors.CEILING, linestyle="--", label="ceiling: untrained G")
        ax.axhline(ceiling[metric] / 4, color=colors.CEILING, linestyle=":", label="ceiling / 4")
        shown.append([ceiling[metric], ceiling[metric] / 4])
    log = metric == "frechet_distance"
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="generator step", title=_TITLES.get(metric, metric.replace("_", " ")))
    if table:
        history_plots.set_step_limits(ax, table["step"])
    if shown:
        entries = len(ax.get_legend_handles_labels()[0])
        history_plots.legend_above(ax, np.concatenate([np.ravel(v) for v in shown]),
                                   rows=1 if entries <= 2 else 2, log=log)


def live_draw(scorer=None, fixed_seed: int = 7, grid: int = 36, columns: int = 6):
    """draw(figure, trainer) for dashboard.Dashboard in lessons 03 and 04, 2 x 2: the same `grid`
    latent vectors (seed `fixed_seed`) through the generator, with D's mean verdict on them; D(x)
    and D(G(z)) over training; the losses; the Frechet distance at each evaluation with the floor
    and ceiling of `scorer` (an image_quality.QualityScorer, read at each redraw), when given."""

    def draw(figure: Figure, trainer):
        figure.clear()  # axes placed by hand: the dashboard's figure has no layout engine
        axes = figure.subplots(2, 2).ravel()
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.09, top=0.94, wspace=0.28, hspace=0.42)
        images = trainer.generate(grid, seed=fixed_seed)  # (grid, 28, 28, 1), fixed latent vectors
        verdict = float(np.mean(trainer.discriminate(images)))  # moves when D alone is updated
        draw_images(axes[0], images, columns, f"G(z), step {int(trainer.step.numpy()):,}; "
                                              f"mean D(G(z)) {verdict:.2f}")
        history_plots.draw_discriminator_outputs(axes[1], trainer.history)
        history_plots.draw_losses(axes[2], trainer.history)
        floor, ceiling = (scorer.floor, scorer.ceiling) if scorer is not None else (None, None)
        draw_quality(axes[3], trainer.history, floor, ceiling)

    draw.figsize = (7.6, 6.0)
    return draw


def training_curves(history, floor=None, ceiling=None, window: int = 50) -> Figure:
    """D outputs, losses and quality over a finished run, side by side."""
    figure = figures.new_figure((13, 3.4))
    axes = figure.subplots(1, 3)
    history_plots.draw_discriminator_outputs(axes[0], history, window)
    history_plots.draw_losses(axes[1], history, window)
    draw_quality(axes[2], history, floor, ceiling)
    return figure


def class_histogram_figure(counts, reference=None, title: str = "predicted classes") -> Figure:
    """Bars of predicted-class counts (int (10,)), with the uniform level and an optional
    reference histogram (e.g. real images) drawn as outlines."""
    counts = np.asarray(counts)
    figure = figures.new_figure((7, 2.8))
    ax = figure.add_subplot()
    positions = np.arange(len(counts))
    ax.bar(positions, counts, color=colors.FAKE, label="generated")
    if reference is not None:
        ax.bar(positions, reference, fill=False, edgecolor=colors.REAL, label="real")
    ax.axhline(counts.sum() / len(counts), color="gray", linestyle="--", label="uniform")
    ax.set_xticks(positions, fashion_mnist.CLASS_NAMES, rotation=35, ha="right", fontsize=8)
    ax.set(ylabel="count", title=title)
    ax.legend(fontsize=8)
    return figure
