"""Lesson 04's figures and widgets: the latent grid over training (recorded, saved as a GIF),
latent interpolation (figure and slider widget), samples beside their predicted classes.

Figures are returned, never shown. Widgets use only what ipywidgets 7.7 and 8.x share.
"""

from __future__ import annotations

import io
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from matplotlib.animation import PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gan_lessons import colors, dcgan, fashion_mnist, figures, image_plots, validation


class GridRecorder:
    """A trainer hook: every `every` steps, the same `n` latent vectors (seed `seed`) through the
    generator, kept as uint8 mosaics in `frames` with their steps in `steps`."""

    def __init__(self, every: int = 200, n: int = 36, columns: int = 6, seed: int = 7):
        self.every = validation.positive_integer("every (steps between frames)", every)
        self.n, self.columns, self.seed = validation.positive_integer("n", n), columns, seed
        self.frames: list[np.ndarray] = []
        self.steps: list[int] = []

    def record(self, trainer):
        """Add a frame of the trainer's current generator (once per step)."""
        step = int(trainer.step.numpy())
        if not self.steps or self.steps[-1] != step:
            self.frames.append(image_plots.tile(trainer.generate(self.n, seed=self.seed), self.columns))
            self.steps.append(step)

    def __call__(self, trainer):
        if not self.steps or int(trainer.step.numpy()) - self.steps[-1] >= self.every:
            self.record(trainer)

    def finish(self, trainer):
        self.record(trainer)


def save_grid_animation(frames, steps, path, fps: float = 4.0, dpi: int = 80) -> Path:
    """Write the recorded mosaics (uint8 (h, w) each) as an animated GIF titled by step; returns
    the path. The last frame is held for a second."""
    if len(frames) == 0 or len(frames) != len(steps):
        raise ValueError(f"need one step per frame and at least one frame, got {len(frames)} frames "
                         f"and {len(steps)} steps")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    height, width = np.asarray(frames[0]).shape
    figure = Figure(figsize=(width / 60 + 0.2, height / 60 + 0.5))
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.02, 0.02, 0.96, 0.86))
    ax.set_axis_off()
    image = ax.imshow(frames[0], cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    title = figure.suptitle("", fontsize=9)
    writer = PillowWriter(fps=fps)
    with writer.saving(figure, str(path), dpi):
        hold = [len(frames) - 1] * max(0, int(round(fps)) - 1)
        for i in [*range(len(frames)), *hold]:
            image.set_data(frames[i])
            title.set_text(f"the same latent vectors at step {steps[i]:,}")
            writer.grab_frame()
    return path


def interpolation_figure(generator, z0, z1, count: int = 9, spherical: bool = True) -> Figure:
    """One row of `count` images from latent z0 to z1 (each (latent_dim,)), by slerp or a line."""
    ts = np.linspace(0.0, 1.0, count)
    images = generator(dcgan.interpolate(z0, z1, ts, spherical), training=False).numpy()
    figure = figures.new_figure((count * 0.9, 1.3))
    image_plots.draw_images(figure.add_subplot(), images, columns=count,
                            title=f"{'spherical' if spherical else 'linear'} interpolation, t from 0 to 1")
    return figure


def _png(image: np.ndarray, scale: int = 6) -> bytes:
    figure = Figure(figsize=(image.shape[1] * scale / 100, image.shape[0] * scale / 100), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.imshow(image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def interpolation_widget(generator, z0, z1, spherical: bool = True, steps: int = 20) -> widgets.VBox:
    """A slider t in [0, 1] and the image G(z(t)), z(t) from z0 (t = 0) to z1 (t = 1)."""
    slider = widgets.FloatSlider(value=0.0, min=0.0, max=1.0, step=1.0 / steps, description="t",
                                 continuous_update=True, readout_format=".2f")
    view = widgets.Image(format="png", width=168, height=168)

    def update(change=None):
        latent = dcgan.interpolate(z0, z1, [slider.value], spherical)
        pixels = image_plots.tile(generator(latent, training=False).numpy(), columns=1)
        view.value = _png(pixels)

    slider.observe(update, names="value")
    update()
    box = widgets.VBox([slider, view])
    box.slider, box.view = slider, view  # for tests and notebooks
    return box


def samples_by_class(images, logits, per_class: int = 6) -> Figure:
    """Generated images (n, 28, 28, 1) sorted by the classifier's predicted class (logits (n, 10)):
    one row per class, up to `per_class` images each; empty rows are missing modes."""
    predicted = np.argmax(np.asarray(logits), axis=1)
    figure = figures.new_figure((per_class * 0.7 + 1.6, 10 * 0.72))
    axes = figure.subplots(10, 1)
    for label, ax in enumerate(axes):
        chosen = np.asarray(images)[predicted == label][:per_class]
        blank = np.ones((max(0, per_class - len(chosen)), 28, 28, 1), np.float32)  # white cells
        image_plots.draw_images(ax, np.concatenate([chosen.reshape(-1, 28, 28, 1), blank]), per_class)
        ax.set_ylabel(f"{fashion_mnist.CLASS_NAMES[label]} ({int(np.sum(predicted == label))})",
                      rotation=0, ha="right", va="center", fontsize=8)
    return figure


def nearest_neighbours_figure(samples, neighbours, count: int = 8) -> Figure:
    """Generated images (top row) above their nearest training images (bottom row): count pairs.

    samples: float (n, 28, 28, 1) in [-1, 1]; neighbours: uint8 (n, 28, 28), the training images."""
    count = min(count, len(samples))
    figure = figures.new_figure((1.2 * count, 2.8))
    for i in range(count):
        for row, image in enumerate((fashion_mnist.to_pixels(samples[i])[..., 0], neighbours[i])):
            ax = figure.add_subplot(2, count, row * count + i + 1)
            ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
            ax.set_xticks([]), ax.set_yticks([])
            if i == 0:
                ax.set_ylabel("generated" if row == 0 else "nearest\ntraining", fontsize=9)
    return figure


def distance_histogram_figure(generated_distance, test_distance) -> Figure:
    """How far generated images and unseen real test images sit from their nearest training image
    (classifier features): two overlaid histograms with their medians."""
    figure = figures.new_figure((6, 3))
    ax = figure.add_subplot(1, 1, 1)
    bins = np.linspace(0, max(np.max(generated_distance), np.max(test_distance)), 40)
    for values, label, color in ((test_distance, "real test images", colors.REAL),
                                 (generated_distance, "generated images", colors.FAKE)):
        ax.hist(values, bins, alpha=0.55, color=color, label=f"{label} (median {np.median(values):.2f})")
        ax.axvline(np.median(values), color=color, linestyle="--")
    ax.set_xlabel("distance to the nearest training image (classifier features)")
    ax.set_ylabel("images")
    ax.legend(fontsize=8)
    return figure
