"""Lesson 06's checks accept correct answers written the way a student would, and catch the
classic mistakes (no quality threshold, per-coordinate distances, wrong reshape order, sample std,
a coverage share of the high-quality samples that noise wins)."""

import numpy as np

from gan_lessons.exercises import lesson06


def _distances(samples, modes):
    return np.linalg.norm(np.asarray(samples)[:, None, :] - np.asarray(modes)[None], axis=-1)


def modes_captured(samples, modes, std):
    d = _distances(samples, modes)
    good = d.min(axis=1) <= 3 * std
    return len(set(d.argmin(axis=1)[good]))


def modes_captured_without_quality(samples, modes, std):
    return len(set(_distances(samples, modes).argmin(axis=1)))  # every sample counts


def high_quality_fraction(samples, modes, std):
    return np.mean(_distances(samples, modes).min(axis=1) <= 3 * std)


def high_quality_fraction_per_coordinate(samples, modes, std):
    offsets = np.abs(np.asarray(samples)[:, None, :] - np.asarray(modes)[None])
    return np.mean((offsets <= 3 * std).all(axis=-1).any(axis=1))  # a square, not a circle


def modes_covered(samples, modes, std):
    d = _distances(samples, modes)
    good = d.min(axis=1) <= 3 * std
    counts = np.bincount(d.argmin(axis=1)[good], minlength=len(modes))
    return int(np.sum(counts >= 0.25 * len(samples) / len(modes)))


def modes_covered_by_share_of_high_quality(samples, modes, std):
    d = _distances(samples, modes)
    good = d.min(axis=1) <= 3 * std
    counts = np.bincount(d.argmin(axis=1)[good], minlength=len(modes))
    return int(np.sum(counts >= 0.25 * max(good.sum(), 1) / len(modes)))  # noise spreads its few evenly


def modes_covered_strictly(samples, modes, std):
    d = _distances(samples, modes)
    good = d.min(axis=1) <= 3 * std
    counts = np.bincount(d.argmin(axis=1)[good], minlength=len(modes))
    return int(np.sum(counts > 0.25 * len(samples) / len(modes)))


def pack_samples(samples, pack):
    samples = np.asarray(samples)
    return samples.reshape(len(samples) // pack, pack * samples.shape[1])


def pack_samples_interleaved(samples, pack):
    samples = np.asarray(samples)
    return samples.reshape(pack, -1, samples.shape[1]).transpose(1, 0, 2).reshape(-1, pack * samples.shape[1])


def minibatch_std_feature(features):
    features = np.asarray(features, float)
    spread = features.std(axis=0).mean()
    return np.concatenate([features, np.full((len(features), 1), spread)], axis=1)


def minibatch_std_feature_sample_std(features):
    features = np.asarray(features, float)
    spread = features.std(axis=0, ddof=1).mean()  # n - 1: not what the layer computes
    return np.concatenate([features, np.full((len(features), 1), spread)], axis=1)


def not_done(*args):
    raise NotImplementedError


def test_correct_answers_pass():
    assert lesson06.check_modes_captured(modes_captured)
    assert lesson06.check_high_quality_fraction(high_quality_fraction)
    assert lesson06.check_pack_samples(pack_samples)
    assert lesson06.check_minibatch_std_feature(minibatch_std_feature)
    assert lesson06.check_modes_covered(modes_covered)


def test_classic_mistakes_fail_with_the_case_named():
    result = lesson06.check_modes_captured(modes_captured_without_quality)
    assert not result and "halfway between modes" in result.message
    result = lesson06.check_high_quality_fraction(high_quality_fraction_per_coordinate)
    assert not result and "wrong on" in result.message
    result = lesson06.check_pack_samples(pack_samples_interleaved)
    assert not result and "packs of 2" in result.message
    result = lesson06.check_minibatch_std_feature(minibatch_std_feature_sample_std)
    assert not result and "16 random" in result.message
    result = lesson06.check_modes_covered(modes_covered_by_share_of_high_quality)
    assert not result and "uniform noise" in result.message  # a share of the few precise samples
    result = lesson06.check_modes_covered(modes_covered_strictly)
    assert not result and "exactly a quarter" in result.message


def test_stubs_are_reported_as_not_done():
    for check in (lesson06.check_modes_captured, lesson06.check_high_quality_fraction,
                  lesson06.check_pack_samples, lesson06.check_minibatch_std_feature,
                  lesson06.check_modes_covered):
        result = check(not_done)
        assert not result and "not done yet" in result.message
