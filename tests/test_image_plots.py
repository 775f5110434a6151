"""Image figures: mosaics put each image where it belongs, in pixel units; the live view redraws one
figure in place and shows the same latent grid every time."""

import numpy as np
from matplotlib.figure import Figure

from gan_lessons import fashion_mnist, image_plots, models, training


def test_tile_places_image_i_at_row_i_div_columns_and_pads_white():
    images = np.stack([np.full((28, 28), i, np.uint8) for i in range(5)])
    mosaic = image_plots.tile(images, columns=3)
    assert mosaic.shape == (2 * 29 - 1, 3 * 29 - 1)
    assert mosaic[29 + 5, 29 + 5] == 4  # image 4: row 1, column 1
    assert mosaic[28, 0] == 255 and mosaic[40, 70] == 255  # padding and the empty last cell


def test_tile_takes_flat_floats_in_training_units():
    pixels = np.random.default_rng(0).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    flat = fashion_mnist.to_training_units(pixels).numpy().reshape(4, 784)
    np.testing.assert_array_equal(image_plots.tile(flat, 4), image_plots.tile(pixels, 4))


def _tiny_trainer():
    images = np.random.default_rng(1).integers(0, 256, (64, 28, 28), dtype=np.uint8)
    generator = models.mlp_generator(latent_dim=4, output_dim=784, hidden=(8,), output_activation="tanh")
    discriminator = models.mlp_discriminator(input_dim=784, hidden=(8,), feature_dim=None)
    config = training.TrainConfig(batch_size=8, chunk_size=10)
    return training.Trainer(generator, discriminator, fashion_mnist.sampler(images), config)


def test_live_view_redraws_in_place_with_a_fixed_latent_grid():
    trainer = _tiny_trainer()
    draw = image_plots.live_draw(fixed_seed=3, grid=4, columns=2)
    figure = Figure()
    draw(figure, trainer)  # before any training: no curves yet, but no error
    trainer.train(20, progress=False)
    draw(figure, trainer)
    draw(figure, trainer)
    assert len(figure.axes) == 4  # cleared, not accumulated
    np.testing.assert_array_equal(trainer.generate(4, seed=3), trainer.generate(4, seed=3))
    shown = figure.axes[0].images[0].get_array()
    np.testing.assert_array_equal(shown, image_plots.tile(trainer.generate(4, seed=3), 2))


def test_figures_are_returned_not_shown():
    counts = np.array([100, 90, 110, 100, 100, 95, 105, 100, 100, 100])
    assert isinstance(image_plots.class_histogram_figure(counts, reference=counts), Figure)
    labels = np.arange(3)
    images = np.zeros((3, 28, 28), np.uint8)
    assert len(image_plots.image_grid(images, columns=3, labels=labels).axes) == 3
