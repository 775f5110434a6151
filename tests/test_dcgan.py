"""DCGAN builders, guidelines, trainer (batch norm, tf.distribute), interpolation, plots and the
shipped pretrained generator."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from PIL import Image

from gan_lessons import dcgan, dcgan_plots, fashion_mnist, training

TINY = {"width": 0.0625, "kernel_size": 3, "batch_size": 16, "latent_dim": 8}
HAVE_DATA = all((fashion_mnist.DEBIAN_DIR / s.filename).is_file() for s in fashion_mnist.FILES.values())


def images():
    return np.random.default_rng(0).integers(0, 256, (256, 28, 28), dtype=np.uint8)


def trainable(model):
    return [v.numpy().copy() for v in model.trainable_variables]


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


# ---- builders ----------------------------------------------------------------------------------
def test_reference_models_have_the_common_shapes_and_sizes():
    generator, discriminator = dcgan.dcgan_generator(), dcgan.dcgan_discriminator()
    assert generator.get_layer("project").output.shape[1:] == (7 * 7 * 256,)
    assert [generator.get_layer(n).output.shape[1:] for n in ("up_1", "up_2", "images")] == [
        (7, 7, 128), (14, 14, 64), (28, 28, 1)]
    assert generator.get_layer("up_1").strides == (1, 1) and generator.get_layer("up_1").kernel_size == (5, 5)
    assert [discriminator.get_layer(n).output.shape[1:] for n in ("down_0", "down_1", "logits")] == [
        (14, 14, 64), (7, 7, 128), (1,)]
    assert discriminator.get_layer("dropout_0").rate == 0.3
    assert generator.count_params() == 2_330_944 and discriminator.count_params() == 212_865


def test_width_scales_every_layer_and_halving_it_quarters_the_convolutions():
    assert dcgan.channels(1.0) == (256, 128, 64) and dcgan.channels(0.5) == (128, 64, 32)
    full, half = dcgan.dcgan_generator(width=1.0), dcgan.dcgan_generator(width=0.5)
    assert half.get_layer("up_1").count_params() * 4 == full.get_layer("up_1").count_params()
    with pytest.raises(ValueError, match="width must be a positive number"):
        dcgan.channels(0)


def test_generator_outputs_images_in_tanh_range_for_any_batch_size():
    generator = dcgan.dcgan_generator(latent_dim=8, width=0.125, seed=3)
    for n in (1, 5):
        images = dcgan.sample(generator, n, seed=1)
        assert images.shape == (n, 28, 28, 1)
        assert np.all(np.abs(images) <= 1.0)


def test_the_reference_models_depart_from_the_paper_exactly_where_the_lesson_says():
    d_problems = dcgan.guideline_violations(dcgan.dcgan_discriminator())
    g_problems = dcgan.guideline_violations(dcgan.dcgan_generator(), "generator")
    assert d_problems == ["down_1: no batch norm after this hidden layer"]
    assert g_problems and all("LeakyReLU; the paper's generator uses ReLU" in p for p in g_problems)
    for role, build in (("discriminator", dcgan.dcgan_discriminator), ("generator", dcgan.dcgan_generator)):
        model = build()
        assert dcgan.guideline_violations(model, role, dcgan.REFERENCE_DEPARTURES[role]) == []


def test_the_papers_models_follow_every_guideline():
    paper_g = dcgan.dcgan_generator(width=0.25, activation="relu")
    paper_d = dcgan.dcgan_discriminator(width=0.25, dropout=0.0, batch_norm=True)
    assert dcgan.guideline_violations(paper_g, "generator") == []
    assert dcgan.guideline_violations(paper_d) == []


def _d(*layers):
    return keras.Sequential([keras.Input((28, 28, 1)), *layers, keras.layers.Flatten(),
                             keras.layers.Dense(1)])


def _conv(filters=8, strides=2, **kwargs):
    return keras.layers.Conv2D(filters, 3, strides, padding="same", **kwargs)


# One model breaking each guideline (and nothing else that is checked), with the words it must get.
BROKEN_D = {
    "pooling": (lambda: _d(_conv(strides=1), keras.layers.AveragePooling2D(2), keras.layers.LeakyReLU(),
                           _conv(), keras.layers.BatchNormalization(), keras.layers.LeakyReLU()),
                "AveragePooling2D, pooling; use a strided Conv2D"),
    "input batch norm": (lambda: _d(_conv(), keras.layers.BatchNormalization(), keras.layers.LeakyReLU(),
                                    _conv(), keras.layers.BatchNormalization(), keras.layers.LeakyReLU()),
                         "batch norm on the input layer"),
    "no batch norm": (lambda: _d(_conv(), keras.layers.LeakyReLU(), _conv(), keras.layers.LeakyReLU()),
                      "no batch norm after this hidden layer"),
    "relu": (lambda: _d(_conv(), keras.layers.LeakyReLU(), _conv(), keras.layers.BatchNormalization(),
                        keras.layers.ReLU()), "ReLU; use LeakyReLU(0.2)"),
    "fully connected": (lambda: keras.Sequential([
        keras.Input((28, 28, 1)), _conv(), keras.layers.LeakyReLU(), _conv(),
        keras.layers.BatchNormalization(), keras.layers.LeakyReLU(), keras.layers.Flatten(),
        keras.layers.Dense(16), keras.layers.LeakyReLU(), keras.layers.Dense(1)]),
        "a fully connected hidden layer"),
}


@pytest.mark.parametrize("guideline", sorted(BROKEN_D))
def test_each_discriminator_guideline_is_checked(guideline):
    build, words = BROKEN_D[guideline]
    problems = dcgan.guideline_violations(build())
    assert problems and any(words in p for p in problems), problems


def _g(*layers, output=None):
    output = output or keras.layers.Conv2DTranspose(1, 3, 2, padding="same", activation="tanh")
    return keras.Sequential([keras.Input((8,)), keras.layers.Dense(7 * 7 * 4),
                             keras.layers.BatchNormalization(), keras.layers.ReLU(),
                             keras.layers.Reshape((7, 7, 4)), *layers, output])


def _up(**kwargs):
    return keras.layers.Conv2DTranspose(4, 3, 2, padding="same", **kwargs)


BROKEN_G = {
    "upsampling": (lambda: _g(keras.layers.UpSampling2D(), keras.layers.Conv2D(4, 3, padding="same"),
                              keras.layers.BatchNormalization(), keras.layers.ReLU()),
                   "UpSampling2D, upsampling; use a strided Conv2DTranspose"),
    "no batch norm": (lambda: _g(_up(), keras.layers.ReLU()), "no batch norm after this hidden layer"),
    "output batch norm": (lambda: _g(_up(), keras.layers.BatchNormalization(), keras.layers.ReLU(),
                                     output=keras.layers.BatchNormalization()),
                          "batch norm on the generator's output"),
    "leaky relu": (lambda: _g(_up(), keras.layers.BatchNormalization(), keras.layers.LeakyReLU()),
                   "LeakyReLU; the paper's generator uses ReLU"),
    "no tanh": (lambda: _g(_up(), keras.layers.BatchNormalization(), keras.layers.ReLU(),
                           output=keras.layers.Conv2DTranspose(1, 3, 2, padding="same")), "must be tanh"),
}


@pytest.mark.parametrize("guideline", sorted(BROKEN_G))
def test_each_generator_guideline_is_checked(guideline):
    build, words = BROKEN_G[guideline]
    problems = dcgan.guideline_violations(build(), "generator")
    assert problems and any(words in p for p in problems), problems


def test_a_naive_cnn_breaks_several_guidelines_at_once():
    naive = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.MaxPooling2D(name="pool"),
        keras.layers.Flatten(),
        keras.layers.Dense(1, activation="sigmoid", name="out"),
    ])
    problems = " | ".join(dcgan.guideline_violations(naive))
    for expected in ("pool: MaxPooling2D", "no strided Conv2D", "bn: batch norm on the input layer",
                     "conv: ReLU", "out: sigmoid output"):
        assert expected in problems
    with pytest.raises(ValueError, match="unknown guidelines"):
        dcgan.guideline_violations(naive, allow=("tanh",))


def test_the_ablation_variants_build_and_fit_together():
    for settings in ({"g_activation": "relu"}, {"g_batch_norm": False}, {"d_batch_norm": True},
                     {"g_resampling": "upsample", "d_resampling": "pool"}):
        trainer = dcgan.make_trainer(images(), {**TINY, **settings})
        trainer.train(2)
        assert np.all(np.isfinite(trainer.history["d_loss"])), settings


# ---- training ------------------------------------------------------------------------------------
def test_discriminator_step_keeps_generator_weights_but_updates_its_batch_norm_statistics():
    trainer = dcgan.make_trainer(images(), TINY)
    moving = [v for v in trainer.generator.non_trainable_variables if "moving_mean" in v.path]
    g, d = trainable(trainer.generator), trainable(trainer.discriminator)
    stats = [v.numpy().copy() for v in moving]
    trainer.discriminator_step()
    assert same(g, trainable(trainer.generator))
    assert not same(d, trainable(trainer.discriminator))
    assert not same(stats, [v.numpy() for v in moving])  # G ran in training mode (batch statistics)


def test_generator_step_keeps_discriminator_weights():
    trainer = dcgan.make_trainer(images(), TINY)
    g, d = trainable(trainer.generator), trainable(trainer.discriminator)
    trainer.generator_step()
    assert same(d, trainable(trainer.discriminator))
    assert not same(g, trainable(trainer.generator))


def test_same_seed_same_run_and_the_settings_are_checked():
    first, second = dcgan.make_trainer(images(), TINY, seed=4), dcgan.make_trainer(images(), TINY, seed=4)
    first.train(10)
    second.train(10)
    assert np.array_equal(first.history["g_loss"], second.history["g_loss"])
    with pytest.raises(ValueError, match="unknown DCGAN settings.*widht"):
        dcgan.make_trainer(images(), {"widht": 1.0})


DISTRIBUTED = textwrap.dedent("""
    import json, sys
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from gan_lessons import dcgan, training
    images = np.random.default_rng(0).integers(0, 256, (256, 28, 28), dtype=np.uint8)
    config = training.TrainConfig(batch_size=16, d_learning_rate=5e-4, g_learning_rate=5e-4, chunk_size=3)

    def run(strategy, batch_norm):
        scope = strategy.scope() if strategy else tf.name_scope("one_device")
        with scope:
            generator = dcgan.dcgan_generator(8, 0.0625, 3, batch_norm=batch_norm, seed=1)
            discriminator = dcgan.dcgan_discriminator(0.0625, dropout=0.0, kernel_size=3, seed=2)
        from gan_lessons import fashion_mnist
        trainer = training.Trainer(generator, discriminator, fashion_mnist.sampler(images, flatten=False),
                                   config, strategy=strategy)
        trainer.train(6)
        return trainer

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    mirrored, single = run(strategy, False), run(None, False)
    replicas = [[np.array_equal(v.value.values[0], v.value.values[1]) for v in m.trainable_variables]
                for m in (mirrored.generator, mirrored.discriminator)]
    difference = max(float(np.max(np.abs(a.numpy() - b.numpy()))) for a, b in
                     zip(mirrored.generator.trainable_variables, single.generator.trainable_variables))
    with_bn = run(strategy, True)
    print(json.dumps({
        "replicas": strategy.num_replicas_in_sync,
        "in_sync": all(all(r) for r in replicas),
        "weight_difference": difference,
        "d_loss": [mirrored.history["d_loss"].tolist(), single.history["d_loss"].tolist()],
        "steps": int(mirrored.step.numpy()),
        "bn_finite": bool(np.all(np.isfinite(with_bn.history["g_loss"]))),
        "bn_images": list(with_bn.generate(3).shape),
    }))
""")


def test_mirrored_strategy_over_two_cpus_matches_one_device():
    """Each replica takes half of the same global batch, so two replicas compute the one-device
    update (up to float summation order) when nothing depends on the batch split (no BN, no
    dropout); with BN it runs and stays finite. Run in a subprocess: logical devices must be set
    before TensorFlow initialises them."""
    root = str(pathlib.Path(__file__).resolve().parents[1])
    child = subprocess.run([sys.executable, "-c", DISTRIBUTED], capture_output=True, text=True, timeout=300,
                           cwd=root, env={**os.environ, "PYTHONPATH": root})
    assert child.returncode == 0, child.stderr[-3000:]
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2 and result["steps"] == 6 and result["in_sync"]
    assert result["weight_difference"] < 1e-5
    np.testing.assert_allclose(*result["d_loss"], rtol=1e-4)
    assert result["bn_finite"] and result["bn_images"] == [3, 28, 28, 1]


def test_batch_size_must_split_evenly_over_replicas():
    two_replicas = type("TwoReplicas", (), {"num_replicas_in_sync": 2})()
    trainer = dcgan.make_trainer(images(), {**TINY, "batch_size": 15})
    with pytest.raises(ValueError, match="batch_size 15 must be a multiple of the 2 replicas"):
        training.Trainer(trainer.generator, trainer.discriminator, trainer.sample_real, trainer.config,
                         strategy=two_replicas)


# ---- interpolation, plots ------------------------------------------------------------------------
def test_interpolation_ends_at_both_points_and_slerp_keeps_the_norm():
    rng = np.random.default_rng(0)
    z0, z1 = rng.normal(size=100), rng.normal(size=100)
    path = dcgan.interpolate(z0, z1, np.linspace(0, 1, 5))
    np.testing.assert_allclose(path[0], z0, atol=1e-6)
    np.testing.assert_allclose(path[-1], z1, atol=1e-6)
    a, b = np.eye(3)[0] * 2, np.eye(3)[1] * 2  # orthogonal, equal norms
    assert np.linalg.norm(dcgan.interpolate(a, b, [0.5])[0]) == pytest.approx(2.0)
    assert np.linalg.norm(dcgan.interpolate(a, b, [0.5], spherical=False)[0]) == pytest.approx(np.sqrt(2))
    np.testing.assert_allclose(dcgan.interpolate(a, a, [0.3])[0], a)  # parallel: no division by 0


def test_grid_recorder_and_animation(tmp_path):
    trainer = dcgan.make_trainer(images(), TINY, chunk_size=5)
    recorder = dcgan_plots.GridRecorder(every=10, n=4, columns=2)
    trainer.hooks.append(recorder)
    recorder.record(trainer)
    trainer.train(25)
    assert recorder.steps == [0, 10, 20, 25]
    assert recorder.frames[0].shape == (57, 57) and recorder.frames[0].dtype == np.uint8
    assert not np.array_equal(recorder.frames[0], recorder.frames[-1])
    path = dcgan_plots.save_grid_animation(recorder.frames, recorder.steps, tmp_path / "grid.gif", fps=2)
    with Image.open(path) as gif:  # 4 frames at 2 per second, the last held for a second
        durations = []
        for i in range(gif.n_frames):
            gif.seek(i)
            durations.append(gif.info["duration"])
    assert durations == [500, 500, 500, 1000]
    with pytest.raises(ValueError, match="one step per frame"):
        dcgan_plots.save_grid_animation(recorder.frames, [0], tmp_path / "bad.gif")


def test_interpolation_widget_redraws_when_the_slider_moves():
    generator = dcgan.dcgan_generator(latent_dim=8, width=0.125, seed=3)
    rng = np.random.default_rng(1)
    box = dcgan_plots.interpolation_widget(generator, rng.normal(size=8), rng.normal(size=8))
    start = box.view.value
    box.slider.value = 1.0
    assert box.view.value != start and box.view.value[:4] == b"\x89PNG"
    figure = dcgan_plots.interpolation_figure(generator, rng.normal(size=8), rng.normal(size=8), count=5)
    assert len(figure.axes) == 1


# ---- the shipped generator ---------------------------------------------------------------------
needs_pretrained = pytest.mark.skipif(not dcgan.PRETRAINED_METADATA.is_file(), reason="no shipped generator")


@needs_pretrained
def test_the_shipped_generator_is_small_and_hash_verified(tmp_path):
    metadata = dcgan.load_pretrained_metadata()
    assert dcgan.PRETRAINED_WEIGHTS.stat().st_size < 5_000_000
    for key in ("sha256", "settings", "steps", "quality", "command", "machine", "date", "profile"):
        assert key in metadata
    generator = dcgan.load_pretrained()
    assert generator.output.shape[1:] == (28, 28, 1)
    tampered = tmp_path / dcgan.PRETRAINED_WEIGHTS.name
    shutil.copy(dcgan.PRETRAINED_WEIGHTS, tampered)
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of the weights
    tampered.write_bytes(bytes(data))
    with pytest.raises(dcgan.PretrainedError, match="does not match.*train_dcgan.py"):
        dcgan.load_pretrained(tampered)
    with pytest.raises(dcgan.PretrainedError, match="missing"):
        dcgan.load_pretrained(tmp_path / "absent.weights.h5")


@needs_pretrained
@pytest.mark.skipif(not HAVE_DATA, reason="Fashion-MNIST not installed")
def test_the_shipped_generator_scores_what_its_record_says():
    from gan_lessons import image_quality

    metadata = dcgan.load_pretrained_metadata()
    quality = metadata["quality"]
    scorer = image_quality.load_scorer(fashion_mnist.load(), n=quality["n"])
    scores = scorer.score(dcgan.sample(dcgan.load_pretrained(), quality["n"], seed=quality["sample_seed"]))
    assert scores["frechet_distance"] == pytest.approx(quality["frechet_distance"], rel=1e-3)
    assert scores["classes_covered"] == 10 and scores["max_class_fraction"] <= 0.3


def test_the_notebook_defaults_are_the_lecture_configuration():
    import ast

    import papermill

    notebook = pathlib.Path(__file__).parents[1] / "notebooks" / "04_dcgan.ipynb"
    parameters = papermill.inspect_notebook(str(notebook))
    for key, value in dcgan.LECTURE.items():
        if key in parameters:
            assert ast.literal_eval(parameters[key]["default"]) == value, key
    assert {"width", "d_width", "batch_size", "learning_rate", "beta_1"} <= set(parameters)


def test_transposed_convolutions_overlap_unevenly_unless_the_kernel_is_a_multiple_of_the_stride():
    uneven, even = dcgan.transposed_overlap(5, 2), dcgan.transposed_overlap(4, 2)
    interior = slice(3, -3)
    assert len(np.unique(uneven[interior, interior])) > 1  # 4, 6, 9: the checkerboard's pattern
    assert np.unique(even[interior, interior]).tolist() == [4.0]


def test_checkerboard_energy_is_the_share_at_nyquist():
    board = np.indices((28, 28)).sum(axis=0) % 2 * 2.0 - 1  # a pure checkerboard
    smooth = np.tile(np.linspace(-1, 1, 28), (28, 1))
    assert dcgan.checkerboard_energy(board[None]) == pytest.approx(1.0)
    assert dcgan.checkerboard_energy(smooth[None]) < 0.01
