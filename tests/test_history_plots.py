"""The one draw_losses and draw_discriminator_outputs: running means of a History, an empty history
titled instead of failing, legends placed where they cover least."""

import numpy as np
from matplotlib.figure import Figure

from gan_lessons import colors, curve_plots, history_plots, image_plots, training


def _history(steps: int = 30) -> training.History:
    history = training.History()
    ramp = np.linspace(0, 1, steps)
    history.extend(0, {"d_loss": 1.4 - 0.2 * ramp, "g_loss": 0.7 + ramp, "d_real": 0.5 + 0.3 * ramp,
                       "d_fake": 0.5 - 0.3 * ramp})
    return history


def test_curves_are_running_means_in_the_table_colours_with_the_legend_placed_best():
    history = _history()
    ax = Figure().add_subplot()
    history_plots.draw_discriminator_outputs(ax, history, window=5)
    real, fake = ax.lines[:2]
    np.testing.assert_allclose(real.get_ydata(), history.smoothed("d_real", 5))
    assert (real.get_color(), fake.get_color()) == (colors.REAL, colors.FAKE)
    assert ax.get_legend()._loc == 0  # "best"
    ax = Figure().add_subplot()
    history_plots.draw_losses(ax, history, window=5)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), history.smoothed("g_loss", 5))
    assert ax.get_legend()._loc == 0


def test_an_empty_history_is_titled_not_trained_yet():
    for draw in (history_plots.draw_losses, history_plots.draw_discriminator_outputs):
        ax = Figure().add_subplot()
        draw(ax, training.History())
        assert ax.get_title().endswith("(not trained yet)") and not ax.lines


def test_lesson_01_and_the_image_lessons_draw_with_the_same_functions():
    assert not hasattr(curve_plots, "draw_losses") and not hasattr(image_plots, "draw_losses")
    figure = curve_plots.training_curves_figure(_history())
    assert [ax.get_title() for ax in figure.axes] == ["losses (running mean)",
                                                      "discriminator outputs (running mean)"]
    figure = image_plots.training_curves(_history())
    assert [ax.get_title() for ax in figure.axes][:2] == ["discriminator outputs (running mean)",
                                                          "losses (running mean)"]
