"""The quality score: the Frechet distance matches its closed forms, histogram statistics have
their textbook extremes, the shipped classifier is verified and accurate, and on real data the
floor lies far below the ceiling."""

import json
import shutil

import numpy as np
import pytest

from gan_lessons import fashion_mnist, image_quality

HAVE_DATA = all((fashion_mnist.DEBIAN_DIR / s.filename).is_file() for s in fashion_mnist.FILES.values())
needs_data = pytest.mark.skipif(not HAVE_DATA, reason="Fashion-MNIST not installed "
                                                      f"in {fashion_mnist.DEBIAN_DIR}")


# ---- Frechet distance --------------------------------------------------------------------------
def test_a_set_against_itself_scores_zero():
    features = np.random.default_rng(0).normal(size=(500, 32)) @ np.diag(np.linspace(0.1, 3, 32))
    assert image_quality.frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)


def test_closed_form_for_diagonal_gaussians():
    """For diagonal covariances: |m1 - m2|^2 + sum (s1 - s2)^2 with s the standard deviations."""
    mean_a, mean_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    std_a, std_b = np.array([1.0, 2.0, 0.5]), np.array([3.0, 2.0, 1.5])
    expected = np.sum((mean_a - mean_b) ** 2) + np.sum((std_a - std_b) ** 2)
    got = image_quality.frechet_distance_from_moments(mean_a, np.diag(std_a**2), mean_b, np.diag(std_b**2))
    assert got == pytest.approx(expected, rel=1e-12)


def test_agrees_with_scipy_sqrtm_on_full_covariances():
    linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(20, 20)), rng.normal(size=(20, 20))
    cov_a, cov_b = a @ a.T / 20, b @ b.T / 20
    mean_a, mean_b = rng.normal(size=20), rng.normal(size=20)
    root = linalg.sqrtm(cov_a @ cov_b).real
    expected = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root)
    got = image_quality.frechet_distance_from_moments(mean_a, cov_a, mean_b, cov_b)
    assert got == pytest.approx(expected, rel=1e-8)


def test_rank_deficient_covariances_give_a_finite_non_negative_distance():
    features = np.random.default_rng(2).normal(size=(10, 64))  # n < d: singular covariance
    distance = image_quality.frechet_distance(features, features + 1.0)
    assert distance == pytest.approx(64.0, rel=1e-6)  # a pure shift by 1 in each of 64 dims


# ---- classifier score and class histogram ------------------------------------------------------
def test_histogram_summary_of_two_equal_classes():
    summary = image_quality.histogram_summary([500, 500, 0, 0, 0, 0, 0, 0, 0, 0])
    assert summary["classes_covered"] == 2 and summary["max_class_fraction"] == 0.5
    assert summary["kl_uniform"] == pytest.approx(np.log(5))


def test_classifier_score_extremes():
    confident = np.full((1000, 10), -50.0)
    confident[np.arange(1000), np.arange(1000) % 10] = 50.0
    assert image_quality.classifier_score(confident) == pytest.approx(10.0, rel=1e-6)
    one_class = np.zeros((100, 10))
    one_class[:, 4] = 50.0
    assert image_quality.classifier_score(one_class) == pytest.approx(1.0, rel=1e-6)
    assert image_quality.classifier_score(np.zeros((100, 10))) == pytest.approx(1.0)


# ---- the shipped classifier --------------------------------------------------------------------
def test_shipped_classifier_record_meets_the_bar():
    record = image_quality.load_metadata()
    assert record["test_accuracy"] >= 0.90
    assert record["sha256"] == image_quality.sha256_of(image_quality.WEIGHTS)
    assert record["command"].startswith("python scripts/train_classifier.py")


def test_tampered_weights_are_refused_with_the_way_to_regenerate(tmp_path):
    weights = tmp_path / image_quality.WEIGHTS.name
    shutil.copy(image_quality.WEIGHTS, weights)
    with open(weights, "r+b") as stream:
        stream.seek(-100, 2)
        byte = stream.read(1)
        stream.seek(-100, 2)
        stream.write(bytes([byte[0] ^ 0xFF]))
    metadata = tmp_path / "meta.json"
    metadata.write_text(image_quality.METADATA.read_text())
    with pytest.raises(image_quality.ClassifierError) as error:
        image_quality.load_classifier(weights, metadata)
    message = str(error.value)
    assert str(weights) in message and json.loads(metadata.read_text())["sha256"] in message
    assert "python scripts/train_classifier.py" in message


def test_missing_metadata_names_the_fix(tmp_path):
    with pytest.raises(image_quality.ClassifierError, match="train_classifier.py"):
        image_quality.load_classifier(image_quality.WEIGHTS, tmp_path / "absent.json")


@pytest.fixture(scope="module")
def scorer_and_data():
    data = fashion_mnist.load(download=False)
    return image_quality.load_scorer(data, n=1000), data


@needs_data
def test_shipped_classifier_reaches_its_recorded_accuracy(scorer_and_data):
    scorer, data = scorer_and_data
    _, logits = scorer.features_and_logits(data.test_images)
    accuracy = np.mean(np.argmax(logits, axis=1) == data.test_labels)
    # recorded on the training machine; other CPUs may round a few borderline images differently
    assert accuracy == pytest.approx(image_quality.load_metadata()["test_accuracy"], abs=2e-3)
    assert accuracy >= 0.90


@needs_data
def test_floor_is_far_below_the_ceiling(scorer_and_data):
    scorer, data = scorer_and_data
    rng = np.random.default_rng(0)
    noise = rng.uniform(-1, 1, (1000, 784)).astype(np.float32)  # what an untrained G is close to
    ceiling = scorer.set_ceiling(noise)
    floor = scorer.floor
    assert floor["frechet_distance"] < ceiling["frechet_distance"] / 20
    assert floor["classes_covered"] == 10 and floor["max_class_fraction"] < 0.15
    assert floor["classifier_score"] > 5 > ceiling["classifier_score"]
    report = str(scorer.report(scorer.score(data.test_images[:1000]), label="test"))
    assert "not FID" in report and "floor" in report and "ceiling" in report


@needs_data
def test_one_class_only_is_caught_by_the_histogram(scorer_and_data):
    scorer, data = scorer_and_data
    trousers = data.train_images[data.train_labels == 1][:1000]
    scores = scorer.score(trousers)
    # a few misclassified trousers still "cover" other classes: coverage alone is not enough
    assert scores["classes_covered"] < 10 and scores["max_class_fraction"] > 0.95
    assert scores["kl_uniform"] > 0.9 * np.log(10)
    assert scores["frechet_distance"] > 10 * scorer.floor["frechet_distance"]


@needs_data
def test_score_requires_the_floors_sample_size(scorer_and_data):
    scorer, data = scorer_and_data
    with pytest.raises(ValueError, match="n = 1000"):
        scorer.score(data.test_images[:500])
    with pytest.raises(ValueError, match="ceiling"):
        image_quality.QualityScorer(image_quality.build_classifier(), data.train_images[:50],
                                    data.test_images[:50], n=20).report({})
