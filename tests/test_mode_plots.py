"""Lesson 06's figures are returned, never shown; every figure of modes captured carries the noise
ceiling; the live panel tells real from generated in the course's colours, on a grey surface."""

import numpy as np
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

from gan_lessons import colors, mixtures, mode_experiments, mode_plots

RING = mixtures.GaussianMixture2D.ring()
TINY = mode_experiments.ExperimentConfig(steps=2, eval_every=1, eval_samples=100, batch_size=8,
                                         generator_hidden=(4,), discriminator_hidden=(4,), pack=2)


def _text(figure: Figure) -> str:
    return " ".join(t.get_text() for t in figure.texts)


def test_figures_are_returned_and_every_modes_figure_prints_the_noise_ceiling():
    samples = RING.sample(300, 0).numpy()
    rows = [{"distribution": "ring", "remedy": r, "n_modes": 8, "modes": 8.0, "modes_std": 0.0,
             "covered": 7.0, "covered_std": 1.0, "high_quality": 90.0, "high_quality_std": 1.0,
             "kl": 0.01, "kl_std": 0.0}
            for r in ("none", "packing")]
    results = [{"distribution": "ring", "remedy": "none", "seed": 0, "n_modes": 8,
                "history": {"step": [0, 1], "modes": [1, 2], "covered": [0, 1]}}]
    with_modes = [
        mode_plots.samples_figure(samples, RING),
        mode_plots.sample_grid_figure([("a", samples, RING), ("b", samples, RING, "k")]),
        mode_plots.modes_over_time_figure([{"step": [0, 1], "modes": [1, 2], "covered": [0, 1]}], RING),
        mode_plots.study_curves_figure(results),
        mode_plots.comparison_figure(rows, mode_experiments.PUBLISHED, {"none": "GAN", "packing": "PacGAN4"}),
    ]
    others = [mode_plots.mode_share_figure([0, 100], [[5, 0, 0], [0, 5, 0]]),
              mode_plots.class_histogram_figure({"real": np.ones(10), "collapsed": np.eye(10)[3]})]
    assert all(isinstance(figure, Figure) for figure in with_modes + others)
    for figure in with_modes:
        assert "uniform noise over the same box" in _text(figure)


def test_live_draw_redraws_in_place_with_a_legend_in_the_course_colours():
    figure = Figure(figsize=mode_plots.draw_live.figsize)
    for remedy in ("none", "packing", "minibatch_std"):
        trainer = mode_experiments.make_trainer(RING, remedy, 0, TINY)
        trainer.train(1, evaluate_every=1, progress=False)
        mode_plots.draw_live(figure, trainer, n_samples=100)
        assert len(figure.axes) == 3  # 3 panels, not accumulating over redraws
        surface = figure.axes[0]
        assert len(surface.child_axes) == 1  # the colour bar, beside the decision surface
        shown = surface.get_legend()
        legend = {t.get_text(): h for t, h in zip(shown.get_texts(), shown.legend_handles)}
        assert {"real", "generated"} <= set(legend)
        assert to_hex(legend["real"].get_facecolor()[0]) == to_hex(colors.REAL)
        assert to_hex(legend["generated"].get_facecolor()[0]) == to_hex(colors.FAKE)
        assert surface.images[0].get_cmap().name == "Greys"  # not red-blue under orange points


def test_best_response_figure_shows_before_and_after_on_the_fixed_surface():
    trainer = mode_experiments.make_trainer(RING, "none", 0, TINY)
    before = mode_experiments.generated(trainer, 50)
    figure = mode_plots.best_response_figure(trainer, before, before + 0.1, 5)
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert "G before" in labels and "G after 5 updates" in labels


def test_animation_writes_a_gif_with_one_frame_per_entry(tmp_path):
    frames = [(step, RING.sample(50, step).numpy()) for step in range(4)]
    path = mode_plots.save_samples_animation(frames, RING, tmp_path / "sub" / "samples.gif", fps=2)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4
