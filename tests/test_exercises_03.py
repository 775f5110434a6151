"""Lesson 03's checks accept correct answers written the way a student would, and catch the
classic mistakes (uint8 overflow, 0 log 0, softmax overflow, variances for standard deviations)."""

import numpy as np

from gan_lessons.exercises import lesson03


def scale_images(pixels):
    return np.asarray(pixels, np.float32) / 127.5 - 1.0


def scale_images_uint8_overflow(pixels):
    return (pixels * 2) / 255.0 - 1.0  # pixels * 2 wraps around in uint8


def kl_from_uniform(counts):
    p = np.asarray(counts, float) / np.sum(counts)
    p = p[p > 0]
    return np.sum(p * np.log(p * len(counts)))


def kl_from_uniform_no_zero_guard(counts):
    p = np.asarray(counts, float) / np.sum(counts)
    return np.sum(p * np.log(p * len(p)))  # 0 * log 0 = nan


def classifier_score(logits):
    logits = np.asarray(logits, float)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    marginal = p.mean(axis=0)
    kl = np.sum(p * (np.log(np.clip(p, 1e-30, None)) - np.log(np.clip(marginal, 1e-30, None))), axis=1)
    return np.exp(kl.mean())


def classifier_score_naive_softmax(logits):
    logits = np.asarray(logits, np.float32)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # overflows at logit 1000
    marginal = p.mean(axis=0)
    kl = np.sum(p * (np.log(np.clip(p, 1e-30, None)) - np.log(np.clip(marginal, 1e-30, None))), axis=1)
    return np.exp(kl.mean())


def frechet_distance_diagonal(mean_a, std_a, mean_b, std_b):
    return np.sum((mean_a - mean_b) ** 2) + np.sum((std_a - std_b) ** 2)


def frechet_distance_with_variances(mean_a, std_a, mean_b, std_b):
    return np.sum((mean_a - mean_b) ** 2) + np.sum((std_a**2 - std_b**2) ** 2)


def test_correct_answers_pass():
    assert lesson03.check_scale_images(scale_images)
    assert lesson03.check_kl_from_uniform(kl_from_uniform)
    assert lesson03.check_classifier_score(classifier_score)
    assert lesson03.check_frechet_distance_diagonal(frechet_distance_diagonal)


def test_classic_mistakes_fail_with_the_case_named():
    result = lesson03.check_scale_images(scale_images_uint8_overflow)
    assert not result and "extremes" in result.message
    with np.errstate(all="ignore"):
        result = lesson03.check_kl_from_uniform(kl_from_uniform_no_zero_guard)
    assert not result and "NaN" in result.message and "one class" in result.message
    with np.errstate(all="ignore"):
        result = lesson03.check_classifier_score(classifier_score_naive_softmax)
    assert not result and "huge logits" in result.message
    result = lesson03.check_frechet_distance_diagonal(frechet_distance_with_variances)
    assert not result and "spreads 1 and 3" in result.message


def test_unfinished_stub_is_reported_not_raised():
    def stub(*args):
        raise NotImplementedError

    for check in (lesson03.check_scale_images, lesson03.check_kl_from_uniform,
                  lesson03.check_classifier_score, lesson03.check_frechet_distance_diagonal):
        result = check(stub)
        assert not result and "not done yet" in result.message and "Hint" in result.message
