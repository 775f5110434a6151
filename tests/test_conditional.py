"""Lesson 09's conditional networks: G's images depend on the label, the label is joined to z, D
sees it joined to its input or projected on lesson 04's features exactly as written, bad labels and
mismatched class counts are refused naming the fix, same seed same run, and the shipped generator
loads only when its hash matches."""

import json
import shutil

import keras
import numpy as np
import pytest

from gan_lessons import artifacts, conditional, dcgan

SMALL = {"latent_dim": 8, "width": 0.125, "embedding_dim": 4}


def _generator(seed=0, num_classes=10):
    return conditional.conditional_generator(SMALL["latent_dim"], SMALL["width"], num_classes=num_classes,
                                             embedding_dim=SMALL["embedding_dim"], seed=seed)


def _images(n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, 28, 28, 1)).astype(np.float32)


def _labelled_data(n=200, seed=0):
    """uint8 images whose every pixel is 20 * label + 5, and their labels: a label can be read off
    its image."""
    labels = np.random.default_rng(seed).integers(0, 10, n)
    images = np.broadcast_to((20 * labels + 5).astype(np.uint8)[:, None, None], (n, 28, 28)).copy()
    return images, labels


# ---- the generator --------------------------------------------------------------------------
def test_the_generators_images_depend_on_the_label_and_only_the_label_changes_them():
    generator = _generator()
    latent = conditional.latent_vectors(3, 5, SMALL["latent_dim"])
    same_z = np.repeat(latent[:1], 3, axis=0)
    images = conditional.generate(generator, [0, 4, 9], latent=same_z)
    assert images.shape == (3, 28, 28, 1) and np.abs(images).max() <= 1.0
    assert np.abs(images[0] - images[1]).max() > 1e-4 and np.abs(images[1] - images[2]).max() > 1e-4
    again = conditional.generate(generator, [4, 4, 4], latent=same_z)
    np.testing.assert_array_equal(again[0], again[2])
    np.testing.assert_array_equal(again[1], images[1])


def test_the_label_embedding_is_joined_to_z_and_fed_to_lesson_04s_generator():
    generator = _generator(seed=3)
    latent, labels = conditional.latent_vectors(5, 1, SMALL["latent_dim"]), np.array([0, 1, 9, 9, 3])
    table = conditional.class_embeddings(generator)
    assert table.shape == (10, SMALL["embedding_dim"])
    written = generator.get_layer("body")(np.concatenate([latent, table[labels]], 1), training=False).numpy()
    np.testing.assert_allclose(written, conditional.generate(generator, labels, latent=latent), atol=1e-6)
    reference = dcgan.dcgan_generator(SMALL["latent_dim"] + SMALL["embedding_dim"], SMALL["width"], seed=3)
    assert [w.shape for w in reference.weights] == [w.shape for w in generator.get_layer("body").weights]


def test_walking_between_class_embeddings_starts_and_ends_at_the_two_classes():
    generator = _generator(seed=2)
    z = conditional.latent_vectors(1, 4, SMALL["latent_dim"])
    walk = conditional.class_interpolation(generator, z[0], 7, 9, [0.0, 0.5, 1.0])
    ends = conditional.generate(generator, [7, 9], latent=np.repeat(z, 2, axis=0))
    np.testing.assert_allclose(walk[[0, 2]], ends, atol=1e-6)
    assert np.abs(walk[1] - walk[0]).max() > 1e-5 and np.abs(walk[1] - walk[2]).max() > 1e-5


# ---- the two discriminators ----------------------------------------------------------------
def test_the_discriminator_body_is_lesson_04s_discriminator_up_to_its_features():
    images, labels = _images(4), np.array([0, 1, 2, 3])
    projection = conditional.conditional_discriminator("projection", width=0.25, seed=100)
    reference = dcgan.dcgan_discriminator(0.25, 0.3, 5, seed=100)
    features = keras.Model(reference.input, reference.get_layer("flatten").output)(images, training=False)
    np.testing.assert_array_equal(conditional.projection_terms(projection, images, labels)["phi"], features)
    concat = conditional.conditional_discriminator("concat", width=0.25, seed=100)
    assert concat.get_layer("down_0").kernel.shape == (5, 5, 11, 16)  # the image and 10 label channels


def test_the_concat_discriminator_sees_the_one_hot_label_as_constant_channels():
    discriminator = conditional.conditional_discriminator("concat", width=0.125)
    images, labels = _images(3), np.array([2, 0, 9])
    join = keras.Model(discriminator.inputs, discriminator.get_layer("join").output)
    joined = join([images, labels]).numpy()
    assert joined.shape == (3, 28, 28, 11)
    np.testing.assert_array_equal(joined[..., 0], images[..., 0])
    for i, label in enumerate(labels):
        expected = np.zeros(10, np.float32)
        expected[label] = 1.0
        assert np.all(joined[i, :, :, 1:] == expected)


def test_the_projection_logit_is_psi_of_phi_plus_the_class_embedding_dot_phi():
    discriminator = conditional.conditional_discriminator("projection", width=0.125, seed=7)
    images, labels = _images(6, seed=1), np.array([0, 3, 3, 5, 8, 9])
    parts = conditional.projection_terms(discriminator, images, labels)
    weights, bias = discriminator.get_layer("logits").get_weights()
    table = discriminator.get_layer("label_projection").get_weights()[0]
    written = parts["phi"] @ weights[:, 0] + bias[0] + np.einsum("nf,nf->n", table[labels], parts["phi"])
    np.testing.assert_allclose(parts["logits"], written, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(parts["logits"], parts["psi"] + parts["projection"], rtol=1e-4, atol=1e-5)
    other = conditional.projection_terms(discriminator, images, (labels + 1) % 10)  # only y changes
    np.testing.assert_array_equal(other["psi"], parts["psi"])
    assert np.abs(other["projection"] - parts["projection"]).max() > 1e-4


@pytest.mark.parametrize("conditioning", conditional.CONDITIONINGS)
def test_both_discriminators_judge_the_same_image_differently_under_another_label(conditioning):
    discriminator = conditional.conditional_discriminator(conditioning, width=0.125)
    images = np.repeat(_images(1), 10, axis=0)
    logits = discriminator([images, np.arange(10)], training=False).numpy()[:, 0]
    assert np.ptp(logits) > 1e-4


# ---- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize("labels, message", [
    ([0, 10, 1], r"class indices 0 to 9 \(0 T-shirt/top.*got 10"),
    ([-1, 0, 1], r"class indices 0 to 9.*got -1"),
    ([0.0, 1.0, 2.0], r"integer class indices.*\.astype\(int\)"),
    ([True, False, True], r"integer class indices.*got dtype bool"),
    ([[0, 1, 2]], r"shape \(n,\).*one class index per image"),
    (["boot", "bag", "coat"], r"integer class indices"),
])
def test_a_bad_label_is_refused_naming_the_fix(labels, message):
    with pytest.raises(ValueError, match=message):
        conditional.generate(_generator(), labels)


def test_labels_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError, match=r"shape \(3,\), one per latent vector"):
        conditional.check_labels([0, 1], 3)
    with pytest.raises(ValueError, match=r"with n = 2 labels"):
        conditional.generate(_generator(), [0, 1], latent=np.zeros((3, SMALL["latent_dim"])))
    images, labels = _labelled_data(20)
    with pytest.raises(ValueError, match=r"shape \(20,\)"):
        conditional.labelled_sampler(images, labels[:19])


def test_a_class_count_mismatch_between_g_d_and_the_data_is_refused():
    images, labels = _labelled_data(50)
    five = conditional.conditional_discriminator("projection", width=0.125, num_classes=5)
    with pytest.raises(ValueError, match=r"generator was built for 10 classes but the discriminator for 5.*"
                                         r"same num_classes"):
        conditional.make_trainer(images, labels, SMALL, generator=_generator(), discriminator=five)
    with pytest.raises(ValueError, match=r"class indices 0 to 4"):
        conditional.make_trainer(images, labels, SMALL, generator=_generator(num_classes=5),
                                 discriminator=five)
    with pytest.raises(ValueError, match="no label layer"):
        conditional.check_pair(dcgan.dcgan_generator(8, 0.125), five)


def test_unknown_settings_and_conditionings_are_refused():
    with pytest.raises(ValueError, match=r"unknown conditional GAN settings \['widht'\]"):
        conditional.settings_for({"widht": 0.5})
    with pytest.raises(ValueError, match=r"conditioning must be one of \('concat', 'projection'\)"):
        conditional.settings_for({"conditioning": "hinge"})


# ---- data and training -----------------------------------------------------------------------
def test_the_labelled_sampler_is_seeded_and_each_image_keeps_its_label():
    images, labels = _labelled_data(300)
    sample_real = conditional.labelled_sampler(images, labels)
    batch, batch_labels = sample_real(np.array([3, 1]), 64)
    assert batch.shape == (64, 28, 28, 1) and batch_labels.dtype == np.int32
    pixels = np.round((batch.numpy()[:, 0, 0, 0] + 1) * 127.5)
    np.testing.assert_array_equal(pixels, 20 * batch_labels.numpy() + 5)  # the image of that label
    again, again_labels = sample_real(np.array([3, 1]), 64)
    np.testing.assert_array_equal(again, batch)
    np.testing.assert_array_equal(again_labels, batch_labels)
    _, other_labels = sample_real(np.array([3, 2]), 64)
    assert not np.array_equal(other_labels, batch_labels)


@pytest.mark.parametrize("conditioning", conditional.CONDITIONINGS)
def test_the_same_seed_gives_the_same_conditional_run(conditioning):
    images, labels = _labelled_data(200)
    settings = {**SMALL, "batch_size": 16, "conditioning": conditioning}
    runs = [conditional.make_trainer(images, labels, settings, seed=4, chunk_size=3) for _ in range(2)]
    for trainer in runs:
        trainer.train(3)
    np.testing.assert_array_equal(runs[0].history["d_loss"], runs[1].history["d_loss"])
    np.testing.assert_array_equal(runs[0].history["g_loss"], runs[1].history["g_loss"])
    requested = np.array([9, 8, 7, 0])
    first = conditional.generate(runs[0].generator, requested, seed=11)
    np.testing.assert_array_equal(first, conditional.generate(runs[1].generator, requested, seed=11))
    np.testing.assert_array_equal(first, runs[0].generate(4, seed=11, labels=requested))  # Trainer's z


# ---- the shipped generator -------------------------------------------------------------------
def _save(generator, directory, record=None):
    weights = directory / "conditional_generator.weights.h5"
    generator.save_weights(weights)
    metadata = directory / "conditional_generator.json"
    record = record or {"sha256": artifacts.sha256_of(weights), "settings": {**SMALL, "kernel_size": 5}}
    metadata.write_text(json.dumps(record))
    return weights, metadata


def test_the_loader_builds_the_recorded_model_and_rejects_a_tampered_weights_file(tmp_path):
    generator = _generator(seed=9)
    weights, metadata = _save(generator, tmp_path)
    loaded = conditional.load_pretrained(weights, metadata)
    latent, labels = conditional.latent_vectors(4, 0, SMALL["latent_dim"]), np.array([1, 2, 3, 4])
    np.testing.assert_array_equal(conditional.generate(loaded, labels, latent=latent),
                                  conditional.generate(generator, labels, latent=latent))
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    weights.write_bytes(bytes(data))
    with pytest.raises(conditional.PretrainedError, match="does not match.*train_conditional.py"):
        conditional.load_pretrained(weights, metadata)
    with pytest.raises(conditional.PretrainedError, match="missing"):
        conditional.load_pretrained(tmp_path / "absent.weights.h5", metadata)
    metadata.write_text(json.dumps({"sha256": artifacts.sha256_of(weights)}))  # a record without settings
    with pytest.raises(conditional.PretrainedError, match="no model settings"):
        conditional.load_pretrained(weights, metadata)


needs_shipped = pytest.mark.skipif(not conditional.PRETRAINED_METADATA.is_file(),
                                   reason="no shipped generator")


@needs_shipped
def test_the_shipped_generator_is_listed_in_the_manifest_and_small(tmp_path):
    record = conditional.load_pretrained_metadata()
    for key in ("sha256", "settings", "steps", "scorecard", "command", "machine", "date",
                "wall_seconds_total"):
        assert key in record
    assert conditional.PRETRAINED_WEIGHTS.stat().st_size < 5_000_000
    generator = conditional.load_pretrained()
    assert conditional.num_classes_of(generator) == 10
    copy = tmp_path / conditional.PRETRAINED_WEIGHTS.name
    shutil.copy(conditional.PRETRAINED_WEIGHTS, copy)
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0x01
    copy.write_bytes(bytes(data))
    with pytest.raises(conditional.PretrainedError, match="does not match"):
        conditional.load_pretrained(copy)


@needs_shipped
def test_an_edited_shipped_record_is_refused_before_anything_is_built(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    for path in (conditional.PRETRAINED_WEIGHTS, conditional.PRETRAINED_METADATA):
        shutil.copy(path, data / path.name)
    monkeypatch.setattr(artifacts, "ROOT", tmp_path)
    monkeypatch.setattr(artifacts, "DATA_DIR", data)
    artifacts.write_manifest(data)
    weights = data / conditional.PRETRAINED_WEIGHTS.name
    metadata = data / conditional.PRETRAINED_METADATA.name
    assert conditional.load_pretrained(weights, metadata)
    record = json.loads(metadata.read_text())
    record["scorecard"]["shipped"]["accuracy"] = 0.99  # a better number than it scored
    metadata.write_text(json.dumps(record, indent=2))
    with pytest.raises(conditional.PretrainedError, match=r"conditional_generator.json has changed.*"
                                                          r"train_conditional.py"):
        conditional.load_pretrained(weights, metadata)
