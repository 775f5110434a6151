"""Lesson 01's measurements: what raw units do at initialisation, the shared-noise bug, the
centroid analysis and the one-scale quality score."""

import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import curve_experiments, history, losses, recipes, toy


def test_raw_units_blow_up_the_discriminators_logits_and_gradients_at_initialisation():
    raw = curve_experiments.at_initialisation("raw", hidden=(16, 16), batch_size=64)
    standard = curve_experiments.at_initialisation("standardised", hidden=(16, 16), batch_size=64)
    assert raw["logit_std"] > 100 * standard["logit_std"]
    assert abs(raw["d_real"] - 0.5) > 0.4  # raw: D's verdict saturated from the first step, by chance
    assert abs(standard["d_real"] - 0.5) < 0.05  # standardised: D starts undecided


def test_shared_noise_makes_the_generator_update_reuse_the_discriminators_batch():
    trainer = recipes.curve_trainer(hidden=(8,), batch_size=32, shared_noise=True, track_features=False)
    d_noise = trainer.latent_vectors(32, trainer._seed(tf.constant(0, tf.int64), 1))  # D update 0's noise
    expected = losses.non_saturating_generator_loss(trainer.discriminator(trainer.generator(d_noise)))
    assert trainer.generator_step()["g_loss"] == pytest.approx(float(expected), rel=1e-6)
    fresh = recipes.curve_trainer(hidden=(8,), batch_size=32, track_features=False)
    assert fresh.generator_step()["g_loss"] != pytest.approx(float(expected), rel=1e-6)


def test_centroid_analysis_splits_updates_by_the_distance_before_them():
    record = history.History()
    distance = np.linspace(0.01, 1.0, 400)
    shift = np.where(distance < 0.25, -0.001, 0.01)  # near the real centroid: moves away
    record.extend(0, {"centroid_shift": shift, "centroid_distance": distance})
    result = curve_experiments.centroid_analysis(record, skip=0)
    assert result["toward_fraction"] == pytest.approx(np.mean(shift > 0))
    assert result["toward_fraction_nearest_quarter"] < 0.1 and result["toward_fraction_farthest_quarter"] == 1
    assert result["median_distance_away"] < result["median_distance_toward"]


def test_quality_is_scored_on_one_scale_whatever_the_training_units():
    curve = toy.QuadraticCurve()

    class Perfect:  # generates real points, in raw data units
        def generate(self, n, seed):
            return curve.sample(n, tf.constant([seed, 99], tf.int64)).numpy()

    score = curve_experiments.standardised_quality(Perfect(), curve, curve_experiments.RAW, n=500)
    assert 0.5 < score["w1_ratio"] < 2.0 and score["median_residual"] < 1e-3
