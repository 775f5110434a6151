"""Lesson 06's figures are returned, never shown; the animation is a GIF with one frame per step."""

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from gan_lessons import mixtures, mode_experiments, mode_plots

RING = mixtures.GaussianMixture2D.ring()


def test_figures_are_returned():
    samples = RING.sample(300, 0).numpy()
    rows = [{"distribution": "ring", "remedy": r, "n_modes": 8, "modes": 8.0, "modes_std": 0.0,
             "high_quality": 90.0, "high_quality_std": 1.0, "kl": 0.01, "kl_std": 0.0}
            for r in ("none", "packing")]
    figures = [
        mode_plots.samples_figure(samples, RING),
        mode_plots.sample_grid_figure([("a", samples, RING), ("b", samples, RING, "k")]),
        mode_plots.modes_over_time_figure([{"step": [0, 1], "modes": [1, 2]}], 8),
        mode_plots.mode_share_figure([0, 100], [[5, 0, 0], [0, 5, 0]]),
        mode_plots.comparison_figure(rows),
        mode_plots.class_histogram_figure({"real": np.ones(10), "collapsed": np.eye(10)[3]}),
    ]
    assert all(isinstance(figure, Figure) for figure in figures)


def test_live_draw_redraws_in_place_for_every_remedy():
    config = mode_experiments.ExperimentConfig(steps=2, eval_every=1, eval_samples=100, batch_size=8,
                                               generator_hidden=(4,), discriminator_hidden=(4,),
                                               wgan_critic_steps=1)
    figure = Figure()
    for remedy in ("none", "packing", "minibatch_std", "wgan_gp"):
        trainer = mode_experiments.make_trainer(RING, remedy, 0, config)
        trainer.train(1, evaluate_every=1, progress=False)
        mode_plots.draw_live(figure, trainer, n_samples=100)
        assert len(figure.axes) == 3  # 3 panels, not accumulating over redraws
        assert len(figure.axes[0].child_axes) == 1  # the colour bar, beside the decision surface


def test_animation_writes_a_gif_with_one_frame_per_entry(tmp_path):
    frames = [(step, RING.sample(50, step).numpy()) for step in range(4)]
    path = mode_plots.save_samples_animation(frames, RING, tmp_path / "sub" / "samples.gif", fps=2)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4
