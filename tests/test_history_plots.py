"""The one draw_losses and draw_discriminator_outputs: running means of a History, an empty history
titled instead of failing, legends in headroom where they cover no curve (also the Frechet panel)."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gan_lessons import colors, curve_plots, history_plots, image_plots, training


def _history(steps: int = 30) -> training.History:
    history = training.History()
    ramp = np.linspace(0, 1, steps)
    history.extend(0, {"d_loss": 1.4 - 0.2 * ramp, "g_loss": 0.7 + ramp, "d_real": 0.5 + 0.3 * ramp,
                       "d_fake": 0.5 - 0.3 * ramp})
    return history


def _points_under_legend(ax) -> int:
    """How many points along the axes' lines (vertices and 20 points between each pair, in display
    units) fall inside its legend's box."""
    FigureCanvasAgg(ax.figure).draw()
    box = ax.get_legend().get_window_extent()
    covered = 0
    for line in ax.lines:
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
        fractions = np.linspace(0, 1, 21)[:, None, None]
        dense = (xy[:-1] + fractions * (xy[1:] - xy[:-1])).reshape(-1, 2) if len(xy) > 1 else xy
        inside = ((box.x0 <= dense[:, 0]) & (dense[:, 0] <= box.x1)
                  & (box.y0 <= dense[:, 1]) & (dense[:, 1] <= box.y1))
        covered += int(inside.sum())
    return covered


def test_curves_are_running_means_in_the_table_colours_and_the_legend_covers_none_of_them():
    history = _history()
    ax = Figure(figsize=(4, 3)).add_subplot()
    history_plots.draw_discriminator_outputs(ax, history, window=5)
    real, fake = ax.lines[:2]
    np.testing.assert_allclose(real.get_ydata(), history.smoothed("d_real", 5))
    assert (real.get_color(), fake.get_color()) == (colors.REAL, colors.FAKE)
    assert _points_under_legend(ax) == 0
    assert ax.get_ylim()[0] == 0 and ax.get_yticks().max() == 1  # D's outputs are probabilities
    ax = Figure(figsize=(4, 3)).add_subplot()
    history_plots.draw_losses(ax, history, window=5)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), history.smoothed("g_loss", 5))
    assert _points_under_legend(ax) == 0


def test_the_frechet_panel_keeps_its_legend_off_the_curve_and_the_floor_and_ceiling_lines():
    history = training.History()
    history.extend(0, {"d_loss": np.ones(600), "g_loss": np.ones(600)})
    history.evaluations = [{"step": s, "frechet_distance": d}
                           for s, d in ((0, 310.0), (300, 40.0), (600, 22.0))]
    ax = Figure(figsize=(4, 3)).add_subplot()
    image_plots.draw_quality(ax, history, floor={"frechet_distance": 1.5},
                             ceiling={"frechet_distance": 320.0})
    assert ax.get_yscale() == "log" and len(ax.get_legend().texts) == 4
    assert _points_under_legend(ax) == 0


def test_one_step_of_history_gets_a_readable_step_axis_not_a_sliver():
    history = _history(1)
    ax = Figure().add_subplot()
    history_plots.draw_losses(ax, history)
    low, high = ax.get_xlim()
    assert low == 0 and high >= 10


def test_an_empty_history_is_titled_not_trained_yet():
    for draw in (history_plots.draw_losses, history_plots.draw_discriminator_outputs):
        ax = Figure().add_subplot()
        draw(ax, training.History())
        assert ax.get_title().endswith("(not trained yet)") and not ax.lines
        assert any("not trained yet" in text.get_text() for text in ax.texts) and not len(ax.get_xticks())


def test_lesson_01_and_the_image_lessons_draw_with_the_same_functions():
    assert not hasattr(curve_plots, "draw_losses") and not hasattr(image_plots, "draw_losses")
    figure = curve_plots.training_curves_figure(_history())
    assert [ax.get_title() for ax in figure.axes] == ["losses (running mean)",
                                                      "discriminator outputs (running mean)"]
    figure = image_plots.training_curves(_history())
    assert [ax.get_title() for ax in figure.axes][:2] == ["discriminator outputs (running mean)",
                                                          "losses (running mean)"]
