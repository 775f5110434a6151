"""Lesson 09's figures and controls: the class explorer and the class walk redraw when a control
moves, driven as the front end drives them (comm messages) under ipywidgets 7.7 and 8; the same z
runs across all ten classes; the figures and the live view draw from a fresh and a trained trainer."""

import numpy as np

from gan_lessons import class_scorecard, conditional, conditional_plots, dashboard

SMALL = {"latent_dim": 8, "width": 0.125, "embedding_dim": 4}


def _generator(seed=0):
    return conditional.conditional_generator(SMALL["latent_dim"], SMALL["width"],
                                             embedding_dim=SMALL["embedding_dim"], seed=seed)


def _front_end(widget, **state):
    """What the browser sends when a student moves a control: a comm 'update' message."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})


def test_the_same_latent_vector_runs_across_all_ten_classes():
    generator = _generator()
    images = conditional_plots.same_latent_images(generator, rows=2, seed=3)
    assert images.shape == (20, 28, 28, 1)
    z = conditional.latent_vectors(2, 3, SMALL["latent_dim"])
    row = conditional.generate(generator, np.arange(10), latent=np.repeat(z[1:], 10, axis=0))
    np.testing.assert_allclose(images[10:], row, atol=1e-6)  # batches of 20 and 10: round-off only
    figure = conditional_plots.same_latent_figure(generator, rows=2)
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()][-1] == "Boot"


def test_the_class_explorer_redraws_for_a_class_a_seed_and_a_move_in_latent_space():
    generator = _generator()
    box = conditional_plots.class_explorer(generator, seed=0)
    start, row = box.view.value, box.row_view.value
    assert start[:4] == b"\x89PNG"
    _front_end(box.class_menu, index=9)  # the browser sends the option's index
    assert box.class_menu.value == 9 and box.view.value != start and box.row_view.value == row
    after_class = box.view.value
    _front_end(box.direction_sliders[0], value=3.0)
    assert box.view.value != after_class and box.row_view.value != row
    after_move = box.view.value
    _front_end(box.seed_slider, value=5)
    assert box.view.value != after_move
    latent = conditional.latent_vectors(1, 5, SMALL["latent_dim"])[0]
    latent = latent + 3.0 * box.directions[0]
    expected = conditional.generate(generator, np.arange(10), latent=np.repeat(latent[None], 10, axis=0))
    assert box.view.value == conditional_plots.png(expected[9:], 1, scale=6)


def test_the_class_walk_widget_ends_on_the_second_class():
    generator = _generator(seed=1)
    z = conditional.latent_vectors(1, 2, SMALL["latent_dim"])[0]
    box = conditional_plots.class_interpolation_widget(generator, z, class_a=5, class_b=9)
    start = box.view.value
    assert start == conditional_plots.png(conditional.generate(generator, [5], latent=z[None]), 1, scale=6)
    _front_end(box.slider, value=1.0)
    assert box.view.value == conditional_plots.png(conditional.generate(generator, [9], latent=z[None]), 1,
                                                   scale=6)
    _front_end(box.menus[1], index=0)
    assert box.menus[1].value == 0 and box.view.value != start


def test_the_scorecard_figures_show_every_class_with_its_yardsticks():
    rng = np.random.default_rng(0)
    requested = class_scorecard.requested_labels(5)
    card = {"per_class_accuracy": rng.uniform(0, 1, 10), "frechet": rng.uniform(5, 50, 10)}
    real = {"per_class_accuracy": np.full(10, 0.9), "frechet": np.full(10, 2.0)}
    untrained = {"per_class_accuracy": np.full(10, 0.1), "frechet": np.full(10, 200.0)}
    figure = conditional_plots.per_class_figure(card, real, untrained)
    labels = figure.axes[1].get_legend_handles_labels()[1]
    assert len(figure.axes) == 2 and "floor: real" in labels and "ceiling: untrained G" in labels
    confusion = class_scorecard.confusion_matrix(np.eye(10)[requested], requested)
    figure = conditional_plots.confusion_figure(confusion)
    assert figure.axes[0].images[0].get_array()[3, 3] == 1.0


def test_the_live_view_draws_before_and_after_training():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 100)
    images = rng.integers(0, 255, (100, 28, 28)).astype(np.uint8)
    evaluate = lambda trainer: {"requested_accuracy": 0.5, "worst_class_accuracy": 0.2}  # noqa: E731
    trainer = conditional.make_trainer(images, labels, {**SMALL, "batch_size": 8}, evaluate=evaluate,
                                       chunk_size=2)
    draw = conditional_plots.live_draw(real_accuracy=0.92)
    figure = conditional_plots.figures.new_figure(draw.figsize)
    draw(figure, trainer)
    assert "step 0" in figure.axes[0].get_title()
    trainer.train(2, evaluate_every=2)
    draw(figure, trainer)
    assert "step 2" in figure.axes[0].get_title() and len(figure.axes) == 4
    width, height = (inches * dashboard.DPI for inches in draw.figsize)
    assert width <= 620 and height <= 560  # as every lesson's dashboard (tests/test_dashboard.py)
