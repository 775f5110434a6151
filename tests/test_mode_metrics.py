"""Mode metrics: real data scores every mode at ~99% quality; one mode scores high quality too,
which is why quality alone cannot reveal collapse."""

import numpy as np
import pytest

from gan_lessons import mixtures, mode_metrics

RING = mixtures.GaussianMixture2D.ring(n_modes=8, radius=2.0, std=0.02)
GRID = mixtures.GaussianMixture2D.grid(size=5, spacing=2.0, std=0.05)
WITHIN_3_STD_2D = 1 - np.exp(-4.5)  # P(|N(0, I_2)| <= 3) = 0.98889


@pytest.mark.parametrize("mixture", [RING, GRID], ids=["ring", "grid"])
def test_real_samples_capture_every_mode_at_99_percent_quality(mixture):
    samples = mixture.sample(mode_metrics.PAPER_SAMPLES, 11).numpy()
    result = mode_metrics.report(samples, mixture)
    assert result.modes_captured == mixture.n_modes
    assert result.high_quality == pytest.approx(WITHIN_3_STD_2D, abs=0.01)
    assert result.kl < 0.02


def test_samples_on_one_mode_score_one_mode_high_quality_and_maximal_kl():
    rng = np.random.default_rng(0)
    samples = RING.modes[3] + RING.std * rng.standard_normal((2500, 2))
    result = mode_metrics.report(samples, RING)
    assert result.modes_captured == 1
    assert result.high_quality > 0.97  # quality alone says "excellent"
    assert result.kl == pytest.approx(np.log(8))
    assert result.counts[3] == result.counts.sum()


def test_points_between_modes_are_low_quality_and_capture_nothing():
    midpoints = (RING.modes + np.roll(RING.modes, 1, axis=0)) / 2
    result = mode_metrics.report(np.repeat(midpoints, 10, axis=0), RING)
    assert result.high_quality == 0 and result.modes_captured == 0
    assert result.kl == pytest.approx(np.log(8))  # no high-quality samples: scored as total collapse


def test_threshold_is_three_standard_deviations():
    just_in = RING.modes[:1] + [[2.99 * RING.std, 0]]
    just_out = RING.modes[:1] + [[3.01 * RING.std, 0]]
    assert mode_metrics.high_quality_mask(just_in, RING.modes, RING.std).all()
    assert not mode_metrics.high_quality_mask(just_out, RING.modes, RING.std).any()


def test_report_scores_no_high_quality_sample_as_total_collapse():
    far = np.full((50, 2), 1e3)  # every sample far from every mode: an empty mode histogram
    result = mode_metrics.report(far, RING)
    assert result.modes_captured == 0 and result.high_quality == 0.0
    assert result.kl == pytest.approx(np.log(8))


def test_w1_of_real_samples_is_near_the_floor_and_collapse_is_far_above():
    real = RING.sample(1000, 21).numpy()
    collapsed = np.repeat(RING.modes[:1], 1000, axis=0)
    assert mode_metrics.w1_with_floor(real, RING)["w1_ratio"] < 1.5
    assert mode_metrics.w1_with_floor(collapsed, RING)["w1_ratio"] > 10


def test_mode_evaluator_converts_training_units_to_data_units():
    scaler = RING.scaler()

    class FakeTrainer:  # a generator that reproduces the real distribution, in training units
        def generate(self, n, seed):
            return scaler.transform(RING.sample(n, seed).numpy())

    result = mode_metrics.mode_evaluator(RING, scaler, n=1000)(FakeTrainer())
    assert result["modes"] == 8 and result["high_quality"] > 0.97
    assert result["mode_counts"].shape == (8,) and result["nearest_counts"].sum() == 1000


def test_bad_samples_raise_value_error():
    with pytest.raises(ValueError):
        mode_metrics.report(np.zeros((10, 3)), RING)
    with pytest.raises(ValueError):
        mode_metrics.report(np.full((10, 2), np.nan), RING)
