"""Lesson 07's figures say what their data say: the pinned share in a weight histogram's title, the
JSD panel's log 2 line, the floor and both W1 curves on the live dashboard, which also rebuilds its
trainer from the lesson's menus (ipywidgets 7.7 and 8)."""

import ipywidgets as widgets
import numpy as np

from gan_lessons import dashboard, mixtures, theory, wasserstein, wasserstein_plots


def test_the_weight_histogram_reports_the_share_pinned_at_the_clip():
    figure = wasserstein_plots.weight_histogram_figure(
        {"clipped": np.array([-0.01, 0.01, 0.01, 0.002]), "free": np.array([0.3, -0.2])}, 0.01)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["clipped: 75.0% within 1% of +/- c", "free: 0.0% within 1% of +/- c"]


def test_the_separated_pair_figure_marks_saturation_at_2_log_2():
    figure = wasserstein_plots.separated_pair_figure(wasserstein.separated_pair([0.5, 5.0, 10.0]))
    left = figure.axes[0]
    levels = [line.get_ydata()[0] for line in left.get_lines() if line.get_linestyle() == ":"]
    assert np.isclose(levels[0], 2 * theory.LOG_2)


def test_the_live_dashboard_draws_estimate_truth_and_floor_and_rebuilds_from_menus():
    ring = mixtures.by_name("ring")
    sample_real = ring.sampler()
    track = wasserstein.estimate_tracker(sample_real, n=100)
    constraint = widgets.Dropdown(options=["penalty", "clipping"], value="penalty")

    def make_trainer():
        config = wasserstein.wgan_config(constraint.value, 2, 1.0, 0.05, batch_size=32, seed=0, chunk_size=5)
        return wasserstein.toy_trainer(sample_real, config, generator_hidden=(8,), critic_hidden=(8,),
                                       evaluate=track)

    live = dashboard.Dashboard(make_trainer, wasserstein_plots.draw_live, evaluate_every=5)
    constraint.observe(lambda change: live.reset(), names="value")
    live.run(10)
    w_axes = live.live.figure.axes[2]
    labels = [line.get_label() for line in w_axes.get_lines()]
    assert labels == ["exact W1", "critic estimate", "W1 floor"]
    assert len(w_axes.get_lines()[0].get_xdata()) == 3  # evaluations at steps 0, 5, 10
    constraint.value = "clipping"
    assert live.trainer.config.optimizer == "rmsprop" and int(live.trainer.step.numpy()) == 0
    assert "clipping" in live.live.figure.axes[0].get_title()
