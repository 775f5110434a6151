"""Lesson 06's discriminator architectures: packing, the minibatch standard deviation, and PacGAN's
maxout D and batch-norm G."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import mixtures, models, remedies, training

RING = mixtures.GaussianMixture2D.ring()


def _samples(n, seed=0, d=2):
    return tf.constant(np.random.default_rng(seed).standard_normal((n, d)), tf.float32)


# ---- packing --------------------------------------------------------------------------------
@pytest.mark.parametrize("pack, batch", [(1, 7), (2, 10), (4, 256), (5, 15)])
def test_packed_discriminator_gives_one_logit_per_pack(pack, batch):
    discriminator = remedies.packed_discriminator(pack, hidden=(16,))
    assert discriminator(_samples(batch)).shape == (batch // pack, 1)
    assert remedies.pack_size(discriminator) == pack


def test_a_pack_is_consecutive_samples_side_by_side():
    samples = tf.reshape(tf.range(12, dtype=tf.float32), (6, 2))
    packed = remedies.Pack(3)(samples).numpy()
    np.testing.assert_array_equal(packed, [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]])


def test_packed_logit_depends_on_every_sample_of_its_pack_only():
    discriminator = remedies.packed_discriminator(2, hidden=(16,), seed=3)
    samples = _samples(6).numpy()
    changed = samples.copy()
    changed[3] += 1.0  # second sample of the second pack
    before, after = discriminator(samples).numpy()[:, 0], discriminator(changed).numpy()[:, 0]
    assert before[0] == after[0] and before[2] == after[2] and before[1] != after[1]


def test_packed_discriminator_rejects_a_batch_not_divisible_by_pack():
    discriminator = remedies.packed_discriminator(4, hidden=(8,))
    with pytest.raises(ValueError, match="divisible by pack"):
        discriminator(_samples(10))


def test_the_shared_trainer_trains_a_packed_discriminator_unchanged():
    generator = models.mlp_generator(hidden=(16,), seed=1)
    discriminator = remedies.packed_discriminator(4, hidden=(16,), seed=2)
    before = [w.numpy().copy() for w in generator.trainable_variables]
    trainer = training.Trainer(generator, discriminator, RING.sampler(),
                               training.TrainConfig(batch_size=32, chunk_size=5))
    history = trainer.train(5, progress=False)
    assert len(history) == 5 and np.all(np.isfinite(history["d_loss"]))
    assert any(not np.array_equal(b, w.numpy()) for b, w in zip(before, generator.trainable_variables))


# ---- minibatch standard deviation -------------------------------------------------------------
def test_minibatch_std_of_identical_samples_is_zero():
    features = tf.ones((9, 5)) * tf.constant([[1.0, -2.0, 3.0, 0.5, 7.0]])
    out = remedies.MinibatchStdDev()(features).numpy()
    assert out.shape == (9, 6)
    np.testing.assert_array_equal(out[:, :5], features.numpy())
    np.testing.assert_allclose(out[:, 5], 0.0, atol=1e-3)  # sqrt(epsilon) = 1e-4


def test_minibatch_std_is_the_mean_over_features_of_the_batch_std():
    features = _samples(64, seed=5, d=3)
    out = remedies.MinibatchStdDev(epsilon=0.0)(features).numpy()
    expected = features.numpy().std(axis=0).mean()  # population std per feature, then mean
    np.testing.assert_allclose(out[:, -1], expected, rtol=1e-5)


def test_minibatch_std_discriminator_scores_a_sample_differently_in_another_batch():
    discriminator = remedies.minibatch_std_discriminator(hidden=(16, 16), seed=4)
    x = _samples(1, seed=1)
    diverse = tf.concat([x, _samples(31, seed=2)], 0)
    collapsed = tf.concat([x, tf.repeat(x, 31, axis=0)], 0)
    assert discriminator(diverse)[0, 0] != discriminator(collapsed)[0, 0]


def test_point_logits_reproduce_d_on_its_own_batch():
    discriminator = remedies.minibatch_std_discriminator(hidden=(16, 16), seed=4)
    batch = _samples(32, seed=3)
    np.testing.assert_allclose(remedies.point_logits(discriminator, batch, batch).numpy(),
                               discriminator(batch).numpy()[:, 0], rtol=1e-5, atol=1e-6)
    plain = models.mlp_discriminator(hidden=(8,), feature_dim=None)
    np.testing.assert_allclose(remedies.point_logits(plain, batch, batch).numpy(),
                               plain(batch).numpy()[:, 0], rtol=1e-6)


def test_point_logits_of_a_packed_d_average_packs_with_real_companions():
    discriminator = remedies.packed_discriminator(2, hidden=(8,), seed=9)
    point, reference = _samples(1, seed=1), _samples(4, seed=2)
    got = remedies.point_logits(discriminator, point, reference, contexts=2).numpy()
    first = discriminator(tf.concat([point, reference[:1]], 0))  # point first, companion 0
    second = discriminator(tf.concat([reference[1:2], point], 0))  # companion 1, point second
    np.testing.assert_allclose(got, (first + second).numpy()[:, 0] / 2, rtol=1e-5)


# ---- PacGAN's networks: maxout D, batch-norm G ------------------------------------------------
def test_maxout_is_the_max_over_each_units_pieces():
    layer = remedies.Maxout(3, pieces=4, seed=7)
    x = _samples(5, d=6)
    out = layer(x).numpy()
    kernel, bias = (w.numpy() for w in layer.linear.weights)
    affine = (x.numpy() @ kernel + bias).reshape(5, 3, 4)  # unit u's pieces are columns 4u..4u+3
    np.testing.assert_allclose(out, affine.max(axis=-1), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("pack, batch", [(1, 10), (4, 400), (2, 6)])
def test_maxout_discriminator_is_pacgans_d(pack, batch):
    discriminator = remedies.maxout_discriminator(pack, hidden=(200, 200, 200), pieces=5)
    assert discriminator(_samples(batch)).shape == (batch // pack, 1)
    maxouts = [layer for layer in discriminator.layers if isinstance(layer, remedies.Maxout)]
    assert [(m.units, m.pieces) for m in maxouts] == [(200, 5)] * 3
    assert maxouts[0].linear.kernel.shape == (2 * pack, 1000)  # a pack of 2-D points side by side
    assert remedies.pack_size(discriminator) == pack


def test_batch_norm_generator_is_pacgans_g():
    generator = remedies.batch_norm_generator(hidden=(400, 400, 400, 400))
    norms = [layer for layer in generator.layers if isinstance(layer, keras.layers.BatchNormalization)]
    dense = [layer for layer in generator.layers if isinstance(layer, keras.layers.Dense)]
    assert len(norms) == 4 and [d.units for d in dense] == [400, 400, 400, 400, 2]
    assert not any(d.use_bias for d in dense[:-1]) and dense[-1].use_bias  # batch norm supplies the shift
    assert generator(_samples(8), training=False).shape == (8, 2)


# ---- minibatch discrimination (lesson 08) ----------------------------------------------------------
def _naive_minibatch_features(features, tensor, kernels):
    """Salimans et al.'s definition with loops: o(x_i)_b = sum_j exp(-||M_i,b - M_j,b||_1)."""
    matrices = (features @ tensor).reshape(len(features), kernels, -1)
    out = np.zeros((len(features), kernels))
    for i in range(len(features)):
        for j in range(len(features)):
            out[i] += np.exp(-np.abs(matrices[i] - matrices[j]).sum(axis=-1))
    return out


@pytest.mark.parametrize("batch", [1, 2, 5, 17])
def test_minibatch_features_follow_the_definition_for_any_batch_size(batch):
    rng = np.random.default_rng(batch)
    features, tensor = rng.normal(size=(batch, 6)), rng.normal(scale=0.3, size=(6, 4 * 3))
    got = remedies.minibatch_features(features, tensor, 4).numpy()
    np.testing.assert_allclose(got, _naive_minibatch_features(features, tensor, 4), rtol=1e-5)


def test_minibatch_features_count_near_copies_in_the_batch():
    tensor = np.random.default_rng(0).normal(size=(3, 10))
    one = remedies.minibatch_features(np.ones((1, 3)), tensor, 5).numpy()
    copies = remedies.minibatch_features(np.ones((7, 3)), tensor, 5).numpy()
    np.testing.assert_allclose(one, 1.0)  # a sample alone: exp(0) for itself
    np.testing.assert_allclose(copies, 7.0)  # a collapsed batch: every kernel counts all 7


def test_a_minibatch_discrimination_d_scores_a_sample_by_its_batch():
    discriminator = remedies.minibatch_discrimination_discriminator(hidden=(16, 16), kernels=4, seed=3)
    samples = _samples(8).numpy()
    changed = samples.copy()
    changed[5] += 2.0
    before, after = discriminator(samples).numpy()[:, 0], discriminator(changed).numpy()[:, 0]
    assert before[0] != after[0]  # sample 0 is the same; its batch is not
    plain = models.mlp_discriminator(2, (16, 16), feature_dim=None, seed=3)
    assert plain(samples).numpy()[0, 0] == plain(changed).numpy()[0, 0]


def test_minibatch_discrimination_shares_the_plain_ds_hidden_layers():
    with_layer = remedies.minibatch_discrimination_discriminator(hidden=(32, 16), seed=7)
    plain = models.mlp_discriminator(2, (32, 16), feature_dim=None, seed=7)
    for name in ("hidden_0", "hidden_1"):
        for a, b in zip(with_layer.get_layer(name).get_weights(), plain.get_layer(name).get_weights()):
            np.testing.assert_array_equal(a, b)
    assert with_layer.get_layer("minibatch_discrimination").compute_output_shape((None, 16)) == (None, 21)
    for batch in (1, 3, 128):
        assert with_layer(_samples(batch)).shape == (batch, 1)


def test_the_shared_trainer_trains_a_minibatch_discrimination_d_unchanged():
    trainer = training.Trainer(models.mlp_generator(hidden=(16,), seed=1),
                               remedies.minibatch_discrimination_discriminator(hidden=(16,), seed=2),
                               RING.sampler(), training.TrainConfig(batch_size=32, chunk_size=5))
    history = trainer.train(5, progress=False)
    assert np.all(np.isfinite(history["d_loss"])) and np.all(np.isfinite(history["g_loss"]))


def test_minibatch_discrimination_refuses_bad_sizes():
    with pytest.raises(ValueError, match="kernels"):
        remedies.MinibatchDiscrimination(kernels=0)
