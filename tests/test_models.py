import numpy as np
import pytest

from gan_lessons import models


def test_shapes_and_feature_layer():
    generator = models.mlp_generator(latent_dim=3, output_dim=2, hidden=(8, 8))
    discriminator = models.mlp_discriminator(input_dim=2, hidden=(8,), feature_dim=2)
    samples = generator(np.zeros((5, 3), np.float32))
    assert samples.shape == (5, 2)
    assert discriminator(samples).shape == (5, 1)
    assert models.feature_extractor(discriminator)(samples).shape == (5, 2)


def test_feature_extractor_shares_the_discriminators_weights():
    discriminator = models.mlp_discriminator(hidden=(8,))
    features = models.feature_extractor(discriminator)
    kernel = discriminator.get_layer("features").kernel
    kernel.assign(kernel * 0 + 1.0)
    assert np.all(features.get_layer("features").get_weights()[0] == 1.0)


def test_logit_is_affine_in_the_features():
    discriminator = models.mlp_discriminator(hidden=(8, 8))
    x = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32)
    f = models.feature_extractor(discriminator)(x).numpy()
    w, b = discriminator.get_layer("logits").get_weights()
    np.testing.assert_allclose(discriminator(x).numpy(), f @ w + b, rtol=1e-5, atol=1e-6)


def test_same_seed_same_weights():
    a, b = models.mlp_generator(seed=5), models.mlp_generator(seed=5)
    c = models.mlp_generator(seed=6)
    assert all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_clear_errors():
    with pytest.raises(ValueError, match="hidden must be a non-empty sequence"):
        models.mlp_generator(hidden=())
    with pytest.raises(ValueError, match="no layer named 'features'"):
        models.feature_extractor(models.mlp_discriminator(feature_dim=None))
