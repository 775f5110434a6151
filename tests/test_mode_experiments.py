"""The mode-collapse experiment: one config for every remedy, summaries over seeds, stored results."""

import numpy as np
import pytest

from gan_lessons import game, mixtures, mode_experiments

TINY = mode_experiments.ExperimentConfig(steps=6, eval_every=3, eval_samples=200, batch_size=16,
                                         generator_hidden=(8,), discriminator_hidden=(8,),
                                         wgan_critic_steps=2)


@pytest.mark.parametrize("remedy, objective, logits_per_batch", [
    ("none", "non_saturating", 16), ("packing", "non_saturating", 8),
    ("minibatch_std", "non_saturating", 16), ("wgan_gp", "wasserstein", 16)])
def test_each_remedy_gets_its_discriminator_and_objective(remedy, objective, logits_per_batch):
    trainer = mode_experiments.make_trainer(mixtures.GaussianMixture2D.ring(), remedy, 0, TINY)
    assert trainer.config.objective == objective
    expected = [game.GradientPenalty] if remedy == "wgan_gp" else []
    assert [type(r) for r in trainer.config.regularisers] == expected
    assert trainer.discriminator(np.zeros((16, 2), np.float32)).shape == (logits_per_batch, 1)


def test_the_schedule_ends_at_the_final_learning_rate_with_evaluations_throughout():
    trainer = mode_experiments.make_trainer(mixtures.GaussianMixture2D.ring(), "none", 0, TINY)
    history = mode_experiments.train(trainer, TINY)
    assert len(history) == 6
    assert [e["step"] for e in history.evaluations] == [0, 3, 6]
    assert trainer.config.g_learning_rate == trainer.config.d_learning_rate == TINY.final_learning_rate


def test_same_seed_same_result():
    first = mode_experiments.run("ring", "packing", 3, TINY, w1=False)
    second = mode_experiments.run("ring", "packing", 3, TINY, w1=False)
    assert first["counts"] == second["counts"] and first["history"] == second["history"]


def test_summary_is_mean_and_sample_std_over_seeds():
    results = [{"distribution": "ring", "remedy": "none", "n_modes": 8, "modes": m,
                "high_quality": q, "kl": k, "seconds": 1.0}
               for m, q, k in [(1, 0.5, 2.0), (3, 0.7, 1.0), (8, 0.9, 0.0)]]
    row = mode_experiments.summarise(results)[0]
    assert row["seeds"] == 3 and row["modes"] == pytest.approx(4.0)
    assert row["modes_std"] == pytest.approx(np.std([1, 3, 8], ddof=1))
    assert row["high_quality"] == pytest.approx(70.0)  # percent
    assert "4.0 ± 3.6 / 8" in mode_experiments.format_table([row])


def test_hops_count_changes_of_the_dominant_mode():
    history = {"nearest_counts": [[9, 1, 0], [8, 2, 0], [0, 10, 0], [0, 0, 10], [7, 3, 0]]}
    assert mode_experiments.dominant_modes(history).tolist() == [0, 0, 1, 2, 0]
    assert mode_experiments.hops(history) == 3


def test_results_round_trip_through_json(tmp_path):
    results = [mode_experiments.run("grid", "none", 0, TINY, w1=False)]
    path = tmp_path / "mode_collapse.json"
    mode_experiments.save_results(results, TINY, path, "pytest", 1.0)
    record = mode_experiments.load_results(path)
    assert record["results"][0]["counts"] == results[0]["counts"]
    assert mode_experiments.config_from(record) == TINY
    assert {"platform", "cpu_count"} <= set(record["machine"])


def test_bad_config_raises_value_error():
    with pytest.raises(ValueError, match="divisible"):
        mode_experiments.ExperimentConfig(batch_size=255, pack=2)
    with pytest.raises(ValueError):
        mode_experiments.make_trainer(mixtures.GaussianMixture2D.ring(), "unrolled", 0, TINY)
