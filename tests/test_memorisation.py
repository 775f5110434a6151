"""Nearest-training-image distances: exact neighbours, and a copying generator is caught."""

import numpy as np
import pytest

from gan_lessons import fashion_mnist, image_quality, memorisation


def test_nearest_finds_the_exact_neighbour_in_blocks():
    rng = np.random.default_rng(0)
    references = rng.normal(size=(300, 5))
    queries = references[[7, 0, 299]] + 1e-3
    index, distance = memorisation.nearest(queries, references, block=2)
    assert index.tolist() == [7, 0, 299]
    np.testing.assert_allclose(distance, np.sqrt(5) * 1e-3, rtol=1e-4)
    brute = np.linalg.norm(queries[:, None] - references[None], axis=-1)
    np.testing.assert_allclose(distance, brute.min(axis=1), rtol=1e-6)
    with pytest.raises(ValueError, match=r"\(n, d\) queries"):
        memorisation.nearest(queries, references[:, :4])


@pytest.fixture(scope="module")
def data_and_scorer():
    data = fashion_mnist.load(download=False)
    return data, image_quality.load_scorer(data, n=200)


def test_a_generator_that_copies_training_images_is_caught(data_and_scorer):
    data, scorer = data_and_scorer
    copies = fashion_mnist.to_training_units(data.train_images[:200]).numpy().reshape(-1, 28, 28, 1)
    copied = memorisation.check(scorer, copies, data.train_images[:2000], data.test_images, references=2000)
    assert copied["generated_median"] == pytest.approx(0.0, abs=1e-3)
    assert copied["ratio"] < 0.01 and set(copied["neighbours"][:20]) <= set(range(200))
    unseen = fashion_mnist.to_training_units(data.test_images[-200:]).numpy().reshape(-1, 28, 28, 1)
    honest = memorisation.check(scorer, unseen, data.train_images[:2000], data.test_images[:5000],
                                references=2000)
    assert 0.7 < honest["ratio"] < 1.4  # real unseen images: as far as other real unseen images
