"""Lesson 09's per-class scorecard: accuracy is measured against the class asked for, the confusion
matrix counts requests by prediction, real images score near the classifier's own accuracy and a
wrong request near zero, a class's Frechet distance is smallest against its own class, and train on
generated / test on real is seeded and compares like with like."""

import numpy as np
import pytest

from gan_lessons import class_scorecard, fashion_mnist, image_quality


def _logits(predicted, classes=10):
    logits = np.zeros((len(predicted), classes))
    logits[np.arange(len(predicted)), predicted] = 3.0
    return logits


def test_requested_class_accuracy_compares_the_argmax_with_the_request():
    logits = _logits([0, 1, 2, 3]) - 50.0  # all negative: the largest wins, not the positive one
    assert class_scorecard.requested_class_accuracy(logits, np.array([0, 1, 2, 3])) == 1.0
    assert class_scorecard.requested_class_accuracy(logits, np.array([0, 1, 9, 9])) == 0.5
    with pytest.raises(ValueError, match=r"requested labels \(n,\)"):
        class_scorecard.requested_class_accuracy(logits, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"in \[0, 9\]"):
        class_scorecard.requested_class_accuracy(logits, np.array([0, 1, 2, 10]))


def test_the_confusion_matrix_counts_requests_by_prediction():
    requested = np.array([0, 0, 0, 5, 5, 9])
    confusion = class_scorecard.confusion_matrix(_logits([0, 6, 0, 5, 5, 0]), requested)
    assert confusion.shape == (10, 10) and confusion.sum() == 6
    assert confusion[0, 0] == 2 and confusion[0, 6] == 1 and confusion[5, 5] == 2 and confusion[9, 0] == 1
    np.testing.assert_array_equal(confusion.sum(axis=1), np.bincount(requested, minlength=10))
    accuracy = class_scorecard.per_class_accuracy(confusion)
    assert accuracy[0] == pytest.approx(2 / 3) and accuracy[5] == 1.0 and accuracy[9] == 0.0
    assert np.isnan(accuracy[1])  # never requested


def test_requested_labels_cycle_through_the_classes_like_trainer_generate():
    labels = class_scorecard.requested_labels(3)
    np.testing.assert_array_equal(labels, np.arange(30) % 10)
    assert labels.dtype == np.int32


def test_the_verdict_says_met_or_not_met_with_the_numbers():
    card = {"accuracy": 0.83, "worst_accuracy": 0.41, "worst_class": 6}
    text = class_scorecard.verdict(card, overall=0.8, every_class=0.5)
    assert "overall 83.0% (target >= 80%): met" in text
    assert "worst class (Shirt) 41.0% (target >= 50%): not met" in text


# ---- with the data and the shipped classifier -----------------------------------------------------
@pytest.fixture(scope="module")
def data_and_scorecard():
    data = fashion_mnist.load(download=False)
    scorer = image_quality.load_scorer(data, n=200)
    return data, class_scorecard.Scorecard(scorer, data, per_class=30, seed=0)


def test_real_images_score_near_the_classifiers_accuracy_and_a_wrong_request_near_zero(data_and_scorecard):
    data, scorecard = data_and_scorecard
    assert 0.85 <= scorecard.real["accuracy"] <= 0.97  # the classifier's 92% on test images, n = 300
    images, labels = data.test_images[-300:], data.test_labels[-300:].astype(np.int32)
    asked_right = scorecard.card(images, labels)
    asked_wrong = scorecard.card(images, (labels + 1) % 10)
    assert asked_right["accuracy"] > 0.85 and asked_wrong["accuracy"] < 0.1
    np.testing.assert_array_equal(asked_right["frechet"] <= asked_wrong["frechet"], np.ones(10, bool))


def test_the_frechet_floor_sits_far_below_an_untrained_like_ceiling(data_and_scorecard):
    data, scorecard = data_and_scorecard
    noise = np.random.default_rng(0).uniform(-1, 1, (300, 28, 28, 1)).astype(np.float32)
    untrained = scorecard.set_untrained(noise, class_scorecard.requested_labels(30))
    assert np.all(scorecard.real["frechet"] * 3 < untrained["frechet"])
    assert untrained["accuracy"] < 0.3
    report = scorecard.report(scorecard.real, label="real")
    assert "Ankle boot" in report and "chance 10%" in report and "floor" in report


def test_a_class_requested_fewer_than_twice_is_refused(data_and_scorecard):
    data, scorecard = data_and_scorecard
    with pytest.raises(ValueError, match="at least twice"):
        scorecard.card(data.test_images[:10], np.arange(10))


def test_train_on_generated_is_seeded_and_compares_as_many_real_images_per_class():
    data = fashion_mnist.load(download=False)
    images, labels = data.train_images[:300], data.train_labels[:300]
    a = class_scorecard.train_classifier(images, labels, steps=3, batch_size=16, seed=1)
    b = class_scorecard.train_classifier(images, labels, steps=3, batch_size=16, seed=1)
    c = class_scorecard.train_classifier(images, labels, steps=3, batch_size=16, seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))
    assert not all(np.array_equal(x, y) for x, y in zip(a.get_weights(), c.get_weights()))
    generated = fashion_mnist.to_training_units(data.test_images[-200:]).numpy()[..., None]
    score = class_scorecard.classification_accuracy_score(generated, data.test_labels[-200:], data, steps=5,
                                                          test_images=300, batch_size=16)
    assert score["n"] == 200 and score["test_images"] == 300
    assert score["share"] == pytest.approx(score["generated_accuracy"] / score["real_accuracy"])


def test_top_confusions_are_the_largest_off_diagonal_shares_of_their_rows():
    confusion = np.diag(np.full(10, 50))
    confusion[6, 0], confusion[2, 4], confusion[9, 7] = 30, 10, 40  # shirt -> T-shirt, pullover -> coat, ...
    top = class_scorecard.top_confusions(confusion, count=2)
    assert [(a, b) for a, b, _ in top] == [(9, 7), (6, 0)]
    assert top[0][2] == pytest.approx(40 / 90)
