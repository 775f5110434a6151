"""Mode metrics: real data scores every mode at ~99% quality; one mode scores high quality too,
which is why quality alone cannot reveal collapse; uniform noise captures most grid modes, which
is why a count needs its noise ceiling, and covers none, which is why "covered" is the count
spread cannot win."""

import json
import pathlib

import numpy as np
import pytest

from gan_lessons import mixtures, mode_metrics, toy_metrics

NOTEBOOK = pathlib.Path(__file__).parents[1] / "notebooks" / "06_mode_collapse.ipynb"

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


@pytest.mark.parametrize("mixture, captured_at_least", [(RING, 3), (GRID, 20)], ids=["ring", "grid"])
def test_uniform_noise_captures_many_modes_at_low_quality_and_covers_none(mixture, captured_at_least):
    ceiling = mode_metrics.noise_ceiling(mixture)
    assert ceiling["modes_captured"] >= captured_at_least  # a bare count rewards spread
    assert ceiling["high_quality"] < 3.0  # percent
    assert ceiling["modes_covered"] == 0  # ... and the covered count does not
    line = mode_metrics.noise_line(ceiling)
    assert line.startswith("uniform noise over the same box") and "high quality" in line


def test_the_noise_box_is_the_curriculums():
    assert RING.box == 3.0 and GRID.box == 4.5
    assert mode_metrics.noise_ceiling(GRID)["modes_captured"] == pytest.approx(22.1, abs=1.5)


def test_a_precise_generator_covers_exactly_the_modes_it_puts_mass_on():
    rng = np.random.default_rng(1)
    on_two = np.concatenate([RING.modes[m] + RING.std * rng.standard_normal((1250, 2)) for m in (1, 5)])
    stray = RING.modes[3] + RING.std * rng.standard_normal((10, 2))  # captured, not covered
    result = mode_metrics.report(np.concatenate([on_two, stray]), RING)
    assert result.modes_captured == 3 and result.modes_covered == 2


def test_covered_means_at_least_a_quarter_of_the_fair_share():
    n, k = 2500, 25
    at_threshold = int(mode_metrics.COVERED_SHARE * n / k)  # 25 of 2,500 over 25 modes
    counts = np.array([at_threshold, at_threshold - 1] + [0] * (k - 2))
    assert mode_metrics.modes_covered(counts, n) == 1


def _notebook_kl_from_uniform():
    """The lesson's written-out kl_from_uniform, executed from the notebook's own cell."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    source = next("".join(c["source"]) for c in cells
                  if c["cell_type"] == "code" and "def kl_from_uniform" in "".join(c["source"]))
    namespace = {"np": np}
    exec(source, namespace)
    return namespace["kl_from_uniform"]


@pytest.mark.parametrize("counts", [[5, 5, 5, 5], [10, 0, 0, 0], [3, 1, 0, 7, 2], [1], [0, 4],
                                    np.arange(25) * 3, [2.5, 0.5]])
def test_the_lessons_kl_from_uniform_is_the_packages(counts):
    lesson = _notebook_kl_from_uniform()
    assert lesson(np.asarray(counts)) == pytest.approx(toy_metrics.kl_from_uniform(counts), abs=1e-12)


@pytest.mark.parametrize("counts", [[0, 0, 0], np.zeros(25, int)])
def test_the_lessons_kl_from_uniform_and_the_packages_both_refuse_an_empty_histogram(counts):
    lesson = _notebook_kl_from_uniform()
    with pytest.raises(ValueError, match="empty"):
        toy_metrics.kl_from_uniform(counts)
    with pytest.raises(ValueError, match="empty"):
        lesson(np.asarray(counts))
