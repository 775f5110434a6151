"""Lesson 08's figures draw what they are given, and return a Figure without showing it."""

import numpy as np
from matplotlib.figure import Figure

from gan_lessons import dirac, mixtures, mode_experiments, stabilising, stabilising_plots, theory
from gan_lessons.dashboard import Dashboard

TINY = mode_experiments.LIVE.replace(steps=20, eval_every=10, eval_samples=200, generator_hidden=(16,),
                                     discriminator_hidden=(16, 16), batch_size=32)


def _row(trick, **values):
    row = {"trick": trick, "n_modes": 8, "seeds": 5}
    for key in ("modes", "covered", "high_quality", "w1_ratio", "seconds_per_step"):
        row[key], row[key + "_std"] = values.get(key, 1.0), 0.1
    return row


def test_portraits_show_the_trajectory_and_the_equilibrium():
    panels = [(key, dirac.GAMES[key], dirac.trajectory(dirac.GAMES[key], steps=50))
              for key in ("gan", "wgan_clip")]
    figure = stabilising_plots.portraits_figure(panels, columns=2)
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    line = figure.axes[0].lines[0]
    np.testing.assert_allclose(line.get_xydata(), panels[0][2])
    assert "distance" in figure.axes[0].get_title()


def test_distance_figure_has_one_line_per_run():
    runs = {(g.name, mode): dirac.trajectory(g, steps=30, mode=mode) for g in list(dirac.GAMES.values())[:2]
            for mode in dirac.MODES}
    figure = stabilising_plots.distance_figure(runs)
    assert len(figure.axes[0].lines) == 4


def test_smoothing_figure_draws_d_star_for_each_labelling():
    figure = stabilising_plots.smoothing_figure(theory.gaussian(), theory.mixture((0.5, 0, 1), (0.5, 5, 0.5)),
                                                {"plain": (1.0, 0.0), "two-sided": (0.9, 0.1)})
    left, right = figure.axes
    assert len(left.lines) == 2 and len(right.lines) == 3  # and the zero line
    assert max(left.lines[1].get_ydata()) <= 0.9 + 1e-9


def test_tricks_figure_marks_the_noise_ceiling_and_the_floor():
    ceiling = {"modes_captured": 4.1, "high_quality": 0.3}
    figure = stabilising_plots.tricks_figure([_row("none", modes=0.6), _row("r1", modes=7.5)], ceiling)
    modes_ax = figure.axes[0]
    assert any(np.allclose(line.get_xdata(), 4.1) for line in modes_ax.lines)
    assert any(np.allclose(line.get_xdata(), 1.0) for line in figure.axes[2].lines)


def test_balance_figure_outlines_the_balanced_cells():
    grid = {"d_steps": (1, 5), "rate_ratios": (0.25, 4.0), "w1_ratio": np.array([[5.0, 2.0], [3.0, 9.0]]),
            "w1_ratio_std": np.ones((2, 2)), "modes": np.ones((2, 2)), "accuracy": np.full((2, 2), 60.0),
            "balanced": np.array([[False, True], [True, False]])}
    figure = stabilising_plots.balance_figure(grid)
    assert len(figure.axes[0].patches) == 2 and len(figure.axes[1].patches) == 2


def test_accuracy_figure_draws_the_fifty_percent_line():
    history = {"step": [0, 10], "accuracy_real": [0.9, 0.6], "accuracy_fake": [0.2, 0.5]}
    figure = stabilising_plots.accuracy_figure({"run": history})
    assert any(np.allclose(line.get_ydata(), 50) for line in figure.axes[0].lines)
    np.testing.assert_allclose(figure.axes[0].lines[0].get_ydata(), [90, 60])


def test_the_dashboard_draws_a_trick_trainer_headless():
    ring = mixtures.by_name("ring")
    live = Dashboard(lambda: stabilising.make_trainer(ring, "r1", 0, TINY), stabilising_plots.draw_live,
                     evaluate_every=10, refresh_seconds=0)
    live.run(20)
    assert live.redraw_count >= 1 and len(live.live.figure.axes) == 4
    live.trainer.reconfigure(d_steps=2, regularisers=())
    live.run(10)
    assert int(live.trainer.step.numpy()) == 30
