"""Lesson 09's figures and controls: the same z across all ten classes, the confusion matrix and
per-class scorecard beside their yardsticks, walks between two classes' embeddings, a live
training view, and widgets to pick a class and move through latent space.

Figures are returned, never shown. Widgets use only what ipywidgets 7.7 (Colab) and 8.x share
(Dropdown, IntSlider, FloatSlider, Image, HBox, VBox, observe(names="value")); each widget draws
its first image when built, so a headless papermill run keeps a picture.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from gan_lessons import class_scorecard, colors, conditional, figures, history_plots, image_plots

CLASS_NAMES = conditional.CLASS_NAMES
SHORT_NAMES = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot")


def same_latent_images(generator, rows: int = 4, seed: int = 7) -> np.ndarray:
    """(rows * 10, 28, 28, 1): row r holds latent vector r (seed `seed`) through G for classes 0..9."""
    latent = conditional.latent_vectors(rows, seed, generator.inputs[0].shape[-1])  # (rows, latent_dim)
    classes = conditional.num_classes_of(generator)
    labels = np.tile(np.arange(classes), rows)
    return conditional.generate(generator, labels, latent=np.repeat(latent, classes, 0))


def same_latent_figure(generator, rows: int = 4, seed: int = 7, title: str | None = None) -> Figure:
    """The same z across all ten classes: one row per latent vector, one column per class."""
    images = same_latent_images(generator, rows, seed)
    figure = figures.new_figure((10 * 0.8, rows * 0.8 + 0.7))
    ax = figure.add_subplot()
    image_plots.draw_images(ax, images, columns=10,
                            title=title or "one latent vector per row, one class per column")
    ax.set_xticks(np.arange(10) * 29 + 13.5, SHORT_NAMES, fontsize=8, rotation=30)
    return figure


def confusion_figure(confusion, title: str = "requested class vs predicted class") -> Figure:
    """A confusion matrix (classes, classes) as row shares: row = requested, column = predicted."""
    confusion = np.asarray(confusion, np.float64)
    shares = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    figure = figures.new_figure((6.2, 5.4))
    ax = figure.add_subplot()
    shown = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for (row, column), share in np.ndenumerate(shares):
        if share >= 0.005:
            ax.text(column, row, f"{share * 100:.0f}", ha="center", va="center", fontsize=7,
                    color="white" if share > 0.6 else "black")
    ticks = np.arange(len(shares))
    ax.set_xticks(ticks, SHORT_NAMES[:len(shares)], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(ticks, SHORT_NAMES[:len(shares)], fontsize=8)
    ax.set(xlabel="predicted by the classifier", ylabel="requested (y given to G)", title=title)
    figure.colorbar(shown, ax=ax, label="share of the row (%)", shrink=0.8)
    return figure


def per_class_figure(card: dict, real: dict, untrained: dict, label: str = "generator") -> Figure:
    """Two panels, class by class: requested-class accuracy beside real test images (the ceiling),
    the untrained generator and chance; the Frechet distance beside its floor (real) and ceiling
    (untrained), on a log scale."""
    figure = figures.new_figure((12, 3.4))
    accuracy_ax, frechet_ax = figure.subplots(1, 2)
    x = np.arange(len(CLASS_NAMES))
    accuracy_ax.bar(x, card["per_class_accuracy"] * 100, color=colors.FAKE, label=label)
    accuracy_ax.plot(x, real["per_class_accuracy"] * 100, "_", color=colors.REAL, markersize=16,
                     markeredgewidth=3, label="real test images")
    accuracy_ax.plot(x, untrained["per_class_accuracy"] * 100, "_", color=colors.CEILING, markersize=16,
                     markeredgewidth=3, label="untrained G")
    accuracy_ax.axhline(class_scorecard.CHANCE * 100, color="gray", linestyle="--", label="chance")
    accuracy_ax.set(ylabel="requested-class accuracy (%)", title="does G make the class asked for?")
    history_plots.legend_above(accuracy_ax, [[0.0, 100.0]], rows=1, bottom=0.0)
    frechet_ax.bar(x, card["frechet"], color=colors.FAKE, label=label)
    frechet_ax.plot(x, real["frechet"], "_", color=colors.FLOOR, markersize=16, markeredgewidth=3,
                    label="floor: real")
    frechet_ax.plot(x, untrained["frechet"], "_", color=colors.CEILING, markersize=16, markeredgewidth=3,
                    label="ceiling: untrained G")
    frechet_ax.set_yscale("log")
    frechet_ax.set(ylabel="Frechet distance (class features)",
                   title="how alike each class is to the real one")
    history_plots.legend_above(frechet_ax, [card["frechet"], real["frechet"], untrained["frechet"]], log=True)
    for ax in (accuracy_ax, frechet_ax):
        ax.set_xticks(x, SHORT_NAMES, rotation=35, ha="right", fontsize=8)
    return figure


def class_interpolation_figure(generator, latent, class_a: int, class_b: int, count: int = 9) -> Figure:
    """One row: a fixed z with the label embedding moved from class_a's to class_b's."""
    images = conditional.class_interpolation(generator, latent, class_a, class_b, np.linspace(0, 1, count))
    figure = figures.new_figure((count * 0.9, 1.3))
    image_plots.draw_images(figure.add_subplot(), images, columns=count,
                            title=f"embedding from {CLASS_NAMES[class_a]} (left) to "
                                  f"{CLASS_NAMES[class_b]} (right)")
    return figure


# ---- the live view ------------------------------------------------------------------------------
def live_draw(real_accuracy: float, target: float = 0.8, rows: int = 3, seed: int = 7):
    """draw(figure, trainer) for dashboard.Dashboard: the same `rows` latent vectors across the ten
    classes; D(x) and D(G(z, y)); the losses; the requested-class accuracy at each evaluation (of
    class_scorecard.evaluator) beside real test images' accuracy, the target and chance."""

    def draw(figure: Figure, trainer):
        figure.clear()
        grid = figure.add_gridspec(3, 2, left=0.09, right=0.98, bottom=0.07, top=0.95, hspace=0.55,
                                   wspace=0.28, height_ratios=(1.2, 1.0, 1.0))
        images = same_latent_images(trainer.generator, rows, seed)
        image_plots.draw_images(figure.add_subplot(grid[0, :]), images, columns=10,
                                title=f"G(z, y), step {int(trainer.step.numpy()):,}: one z per row, classes "
                                      "T-shirt ... boot across")
        history_plots.draw_discriminator_outputs(figure.add_subplot(grid[1, 0]), trainer.history)
        history_plots.draw_losses(figure.add_subplot(grid[1, 1]), trainer.history)
        ax = figure.add_subplot(grid[2, :])
        table = trainer.history.evaluation_table()
        if table:
            ax.plot(table["step"], table["requested_accuracy"] * 100, "o-", color="black",
                    label="all classes")
            ax.plot(table["step"], table["worst_class_accuracy"] * 100, ".:", color=colors.FAKE,
                    label="worst class")
            history_plots.set_step_limits(ax, table["step"])
        ax.axhline(real_accuracy * 100, color=colors.REAL, linestyle="--", label="real images")
        ax.axhline(target * 100, color="gray", linestyle=":", label="target")
        ax.axhline(class_scorecard.CHANCE * 100, color=colors.CEILING, linestyle="--", label="chance")
        ax.set(xlabel="generator step", title="requested-class accuracy (%)")
        history_plots.legend_above(ax, [[0.0, 100.0]], rows=1, bottom=0.0)

    draw.figsize = (7.6, 6.8)  # 608 x 544 px at the dashboard's 80 dpi: fits a 1,000 px notebook
    return draw


# ---- widgets ------------------------------------------------------------------------------------
def png(images, columns: int, scale: int = 3) -> bytes:
    """PNG bytes of a mosaic of images ([-1, 1] floats or uint8), each pixel `scale` x `scale`."""
    mosaic = image_plots.tile(images, columns)
    size = (mosaic.shape[1] * scale, mosaic.shape[0] * scale)
    picture = Image.fromarray(mosaic).resize(size, Image.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _class_menu(description: str, value: int) -> widgets.Dropdown:
    return widgets.Dropdown(options=[(name, k) for k, name in enumerate(CLASS_NAMES)], value=value,
                            description=description)


def class_explorer(generator, seed: int = 0, class_index: int = 0, reach: float = 6.0) -> widgets.VBox:
    """Pick a class and move through latent space: a class menu, a slider choosing z (its seed) and
    two sliders moving z along two fixed random unit directions; shows G(z, y) for the class, and
    below it the same z for all ten classes. box.class_menu, .seed_slider, .direction_sliders,
    .view and .row_view are the parts (for tests)."""
    latent_dim = generator.inputs[0].shape[-1]
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(2, latent_dim))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)  # two unit vectors
    class_menu = _class_menu("class", class_index)
    seed_slider = widgets.IntSlider(value=seed, min=0, max=999, description="z seed")
    sliders = [widgets.FloatSlider(value=0.0, min=-reach, max=reach, step=0.25,
                                   description=f"direction {i + 1}", continuous_update=False)
               for i in range(2)]
    view = widgets.Image(format="png", width=168, height=168)
    row_view = widgets.Image(format="png", width=580, height=58)

    def update(change=None):
        z = conditional.latent_vectors(1, seed_slider.value, latent_dim)[0]
        z = z + sliders[0].value * directions[0] + sliders[1].value * directions[1]
        latent = np.repeat(z[None].astype(np.float32), 10, axis=0)
        images = conditional.generate(generator, np.arange(10), latent=latent)
        view.value = png(images[class_menu.value:class_menu.value + 1], 1, scale=6)
        row_view.value = png(images, 10, scale=2)

    for control in (class_menu, seed_slider, *sliders):
        control.observe(update, names="value")
    update()
    box = widgets.VBox([widgets.HBox([class_menu, seed_slider]), widgets.HBox(sliders), view,
                        widgets.Label("the same z, every class:"), row_view])
    box.class_menu, box.seed_slider, box.direction_sliders = class_menu, seed_slider, sliders
    box.view, box.row_view, box.directions = view, row_view, directions
    return box


def class_interpolation_widget(generator, latent, class_a: int = 7, class_b: int = 9,
                               steps: int = 20) -> widgets.VBox:
    """Two class menus and a slider t: G(z, e(t)) with e(t) = (1 - t) embed(a) + t embed(b) for the
    fixed latent vector `latent` (latent_dim,). box.menus, .slider and .view are the parts."""
    menus = [_class_menu("from", class_a), _class_menu("to", class_b)]
    slider = widgets.FloatSlider(value=0.0, min=0.0, max=1.0, step=1.0 / steps, description="t",
                                 readout_format=".2f")
    view = widgets.Image(format="png", width=168, height=168)

    def update(change=None):
        image = conditional.class_interpolation(generator, latent, menus[0].value, menus[1].value,
                                                [slider.value])
        view.value = png(image, 1, scale=6)

    for control in (*menus, slider):
        control.observe(update, names="value")
    update()
    box = widgets.VBox([widgets.HBox(menus), slider, view])
    box.menus, box.slider, box.view = menus, slider, view
    return box
