"""Lesson 01's claims, measured at the lesson's own defaults (read from its parameters cell)."""

import ast
import pathlib

import numpy as np
import papermill
import pytest

from gan_lessons import profiles, recipes

NOTEBOOK = pathlib.Path(__file__).parents[1] / "notebooks" / "01_toy_gan.ipynb"


def lesson_defaults():
    parameters = papermill.inspect_notebook(str(NOTEBOOK))
    return {name: ast.literal_eval(p["default"]) for name, p in parameters.items()}


@pytest.fixture(scope="module")
def lecture_runs():
    defaults = lesson_defaults()
    settings = profiles.settings("01", "lecture")
    runs = []
    for seed in range(3):
        trainer = recipes.curve_trainer(
            seed=seed, hidden=defaults["hidden"], batch_size=defaults["batch_size"],
            learning_rate=defaults["learning_rate"], objective=defaults["generator_loss"],
            d_steps=defaults["d_steps"], eval_samples=settings["eval_samples"])
        trainer.train(settings["steps"], progress=False)
        runs.append((trainer, trainer.evaluate_now()))
    return runs


def test_lecture_defaults_reach_twice_the_real_floor_on_three_seeds(lecture_runs):
    ratios = [result["w1_ratio"] for _, result in lecture_runs]
    residuals = [result["median_residual"] for _, result in lecture_runs]
    print(f"W1/floor per seed {np.round(ratios, 2)}; median residuals {np.round(residuals, 1)} (data units)")
    assert max(ratios) <= 2.0


def test_generator_updates_move_fakes_toward_reals_and_never_move_reals(lecture_runs):
    for trainer, _ in lecture_runs:
        toward = np.mean(trainer.history["centroid_shift"] > 0)
        print(f"fake centroid moved toward the real one in {toward:.1%} of updates")
        assert toward > 0.5
        assert trainer.history["real_feature_change"].max() == 0.0


def test_lecture_profile_is_the_notebook_default():
    assert lesson_defaults()["profile"] == "lecture"
