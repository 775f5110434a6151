"""Lesson 08's tricks on Fashion-MNIST (image_tricks): paired seeds share initial weights, each
trick's setting reaches the trainer, a bad feature layer is refused clearly, and the stored study
holds every trick x seed at one budget, hash-checked."""

import json
import shutil

import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import artifacts, dcgan, fashion_mnist, game, image_quality, image_tricks, stabilising

IMAGES = np.random.default_rng(0).integers(0, 256, size=(128, 28, 28), dtype=np.uint8)


def _weights(model, names=None):
    return {layer.name: [w.numpy() for w in layer.weights] for layer in model.layers
            if layer.weights and (names is None or layer.name in names)}


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        len(a[k]) == len(b[k]) and all(np.array_equal(x, y) for x, y in zip(a[k], b[k])) for k in a)


def test_paired_seeds_give_every_trick_the_same_initial_weights():
    trainers = {trick: image_tricks.make_trainer(IMAGES, trick, seed=0) for trick in image_tricks.TRICKS}
    plain = trainers["none"]
    convolutions = ("down_0", "down_1")
    for trick, trainer in trainers.items():
        assert _same(_weights(trainer.generator), _weights(plain.generator)), trick
        assert _same(_weights(trainer.discriminator, convolutions),
                     _weights(plain.discriminator, convolutions)), trick
        assert trainer.config.seed == 0  # the same data stream and latent vectors
    assert _same(_weights(trainers["r1"].discriminator), _weights(plain.discriminator))
    other_seed = image_tricks.make_trainer(IMAGES, "none", seed=1)
    assert not _same(_weights(other_seed.generator), _weights(plain.generator))


def test_each_tricks_setting_reaches_the_trainer():
    settings = image_tricks.SETTINGS
    plain = image_tricks.make_trainer(IMAGES, "none", steps=400)
    assert plain.config == dcgan.config_for(dcgan.LECTURE, 0, image_tricks.Budget.chunk_size)  # lesson 04's
    smoothed = image_tricks.make_trainer(IMAGES, "label_smoothing")
    assert smoothed.config.real_label == settings.real_label == 0.9
    assert smoothed.objective.real_label == 0.9
    matching = image_tricks.make_trainer(IMAGES, "feature_matching")
    assert matching.config.feature_matching == "leaky_1"
    assert matching.features.output_shape == (None, 7, 7, 32)  # D's last hidden layer, not its logit
    noisy = image_tricks.make_trainer(IMAGES, "instance_noise", steps=400)
    assert noisy.config.instance_noise == game.InstanceNoise(settings.noise_std, 200)
    assert float(noisy.config.instance_noise.scale(tf.constant(200, tf.int64))) == 0.0  # annealed to 0
    r1 = image_tricks.make_trainer(IMAGES, "r1")
    assert r1.config.regularisers == (game.R1(settings.r1_weight),)
    r1.train(2, progress=False)
    assert np.all(r1.history["r1_penalty"] > 0)  # the penalty is in D's loss
    minibatch = image_tricks.make_trainer(IMAGES, "minibatch_discrimination")
    assert "minibatch_discrimination" in [layer.name for layer in minibatch.discriminator.layers]


def test_minibatch_discrimination_scores_a_sample_by_its_batch():
    trainer = image_tricks.make_trainer(IMAGES, "minibatch_discrimination")
    images = fashion_mnist.to_training_units(IMAGES[:16, :, :, None])
    copies = tf.repeat(images[:1], 16, axis=0)  # a collapsed batch
    mixed, collapsed = (trainer.discriminator(batch, training=False)[0, 0] for batch in (images, copies))
    assert abs(float(mixed) - float(collapsed)) > 1e-4
    plain = image_tricks.make_trainer(IMAGES, "none").discriminator
    assert np.isclose(plain(images, training=False)[0, 0], plain(copies, training=False)[0, 0], atol=1e-5)


def test_a_bad_feature_layer_is_refused_with_the_layers_to_choose_from():
    for name in ("leaky_9", "logits", "images"):
        with pytest.raises(ValueError, match=r"hidden layers are \[.*'leaky_1'"):
            image_tricks.make_trainer(IMAGES, "feature_matching", settings=image_tricks.SETTINGS.replace(
                feature_layer=name))


def test_a_tiny_study_pairs_the_ceiling_and_round_trips(tmp_path):
    data = fashion_mnist.load(download=False)
    budget = image_tricks.Budget(steps=4, eval_every=2, eval_samples=50, chunk_size=2)
    record = image_tricks.study(("none", "label_smoothing"), range(1), budget, data=data, log=None)
    plain, smoothed = record["results"]
    assert plain["ceiling"] == smoothed["ceiling"]  # step 0: the same untrained generator
    assert plain["history"]["step"] == [0, 2, 4] and plain["steps_trained"] == 4
    assert record["floor"]["frechet_distance"] < plain["ceiling"] and record["n"] == 50
    assert 0 <= plain["accuracy"] <= 1 and plain["seconds_per_step"] > 0
    image_tricks.save(record, tmp_path / "study.json")  # not in data/: no manifest needed
    assert image_tricks.load(tmp_path / "study.json")["results"][1]["trick"] == "label_smoothing"
    assert "| ceiling: untrained G | 1 |" in image_tricks.table(record)
    scorer = image_quality.load_scorer(data, n=50)
    with pytest.raises(ValueError, match="scores n = 50 images"):  # a Frechet distance needs the floor's n
        image_tricks.run(data, scorer, "none", 0, budget.replace(eval_samples=60))


def _stored():
    if not image_tricks.PATH.exists():
        pytest.skip("data/image_tricks.json not written yet")
    return image_tricks.load()


def test_the_stored_study_has_every_trick_and_seed_at_one_budget():
    record = _stored()
    results = record["results"]
    seeds = {trick: sorted(r["seed"] for r in results if r["trick"] == trick)
             for trick in image_tricks.TRICKS}
    assert all(s == list(range(image_tricks.SEEDS)) for s in seeds.values())
    assert {r["steps_trained"] for r in results} == {record["budget"]["steps"]}  # one budget, none diverged
    assert {tuple(r["history"]["step"]) for r in results} == {tuple(results[0]["history"]["step"])}
    ceilings = {}
    for r in results:  # paired: every trick of a seed starts from the same untrained generator
        assert ceilings.setdefault(r["seed"], r["ceiling"]) == r["ceiling"]
    assert record["floor"]["frechet_distance"] < min(r["frechet_distance"] for r in results)
    assert stabilising.Tricks(**record["tricks"]) == image_tricks.SETTINGS
    curves = image_tricks.curves(record)  # the lecture's figure: every trick, at every evaluation
    assert len(curves) == len(image_tricks.TRICKS)
    assert all(steps[-1] == record["budget"]["steps"] for steps, _ in curves.values())


def test_a_changed_study_is_refused(tmp_path):
    _stored()
    copy_dir = tmp_path / "data"
    copy_dir.mkdir()
    copy = copy_dir / image_tricks.PATH.name
    shutil.copy(image_tricks.PATH, copy)
    artifacts.write_manifest(copy_dir)  # a manifest beside the copy: it is checked like data/
    record = json.loads(copy.read_text())
    record["summary"][0]["frechet_distance"] = 1.0
    copy.write_text(json.dumps(record))
    with pytest.raises(artifacts.ArtifactError, match="changed"):
        image_tricks.load(copy)


def test_the_table_prints_a_difference_that_rounds_to_zero_as_plus_zero():
    record = image_tricks.load()  # the stored study: smoothing's paired difference is -0.016
    smoothing = [r for r in record["results"] if r["trick"] == "label_smoothing"]
    plain = {r["seed"]: r["frechet_distance"] for r in record["results"] if r["trick"] == "none"}
    assert abs(np.mean([r["frechet_distance"] - plain[r["seed"]] for r in smoothing])) < 0.05  # the case
    table = image_tricks.table(record)
    assert "| +0.0 ± " in table and "-0.0" not in table
