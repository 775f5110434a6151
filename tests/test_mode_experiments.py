"""The mode-collapse experiment: one config for every remedy, PacGAN's setting as its paper built it,
summaries over seeds with standard errors, the published rows and the noise line in every table."""

import keras
import numpy as np
import pytest

from gan_lessons import artifacts, mixtures, mode_experiments, remedies

TINY = mode_experiments.ExperimentConfig(steps=6, eval_every=3, eval_samples=200, batch_size=16,
                                         generator_hidden=(8,), discriminator_hidden=(8,), pack=2)
TINY_PACGAN = mode_experiments.PACGAN.replace(steps=4, eval_every=2, eval_samples=200, batch_size=8,
                                              generator_hidden=(8, 8), discriminator_hidden=(8,))


@pytest.mark.parametrize("remedy, logits_per_batch", [("none", 16), ("packing", 16), ("minibatch_std", 16)])
def test_each_remedy_gets_its_discriminator_and_batch_size_counts_its_inputs(remedy, logits_per_batch):
    trainer = mode_experiments.make_trainer(mixtures.GaussianMixture2D.ring(), remedy, 0, TINY)
    assert trainer.config.objective == "non_saturating" and trainer.config.regularisers == ()
    samples = trainer.config.batch_size  # a packed D sees batch_size packs of `pack` samples
    assert samples == 16 * (2 if remedy == "packing" else 1)
    assert trainer.discriminator(np.zeros((samples, 2), np.float32)).shape == (logits_per_batch, 1)


def test_wgan_gp_is_not_a_lesson_06_remedy():
    assert "wgan_gp" not in remedies.REMEDIES  # lesson 07 makes it work
    with pytest.raises(ValueError, match="remedy"):
        mode_experiments.make_trainer(mixtures.GaussianMixture2D.ring(), "wgan_gp", 0, TINY)


def test_the_pacgan_setting_is_the_papers_architecture():
    config = mode_experiments.PACGAN
    trainer = mode_experiments.make_trainer(mixtures.GaussianMixture2D.grid(), "packing", 0, config)
    assert config.generator_hidden == (400,) * 4 and config.discriminator_hidden == (200,) * 3
    assert config.maxout_pieces == 5 and config.pack == 4 and config.latent_dim == 2
    norms = [la for la in trainer.generator.layers if isinstance(la, keras.layers.BatchNormalization)]
    assert len(norms) == 4
    assert sum(isinstance(layer, remedies.Maxout) for layer in trainer.discriminator.layers) == 3
    assert trainer.config.batch_size == config.batch_size * 4  # packs of 4, as PacGAN's code batches them
    assert not config.standardise  # data units, as PacGAN's code


def test_the_schedule_ends_at_the_final_scale_of_both_rates_with_evaluations_throughout():
    trainer = mode_experiments.make_trainer(mixtures.GaussianMixture2D.ring(), "none", 0, TINY)
    history = mode_experiments.train(trainer, TINY)
    assert len(history) == 6
    assert [e["step"] for e in history.evaluations] == [0, 3, 6]
    assert trainer.config.g_learning_rate == pytest.approx(TINY.final_scale * TINY.g_learning_rate)
    assert trainer.config.d_learning_rate == pytest.approx(TINY.final_scale * TINY.d_learning_rate)


def test_same_seed_same_result_in_the_pacgan_setting():
    first = mode_experiments.run("ring", "packing", 3, TINY_PACGAN, w1=False)
    second = mode_experiments.run("ring", "packing", 3, TINY_PACGAN, w1=False)
    assert first["counts"] == second["counts"] and first["history"] == second["history"]
    assert {"covered", "modes", "high_quality"} <= set(first["history"])


def test_summary_is_mean_sample_std_and_standard_error_over_seeds():
    results = [{"distribution": "ring", "remedy": "none", "n_modes": 8, "modes": m, "covered": m,
                "high_quality": q, "kl": k, "seconds": 1.0}
               for m, q, k in [(1, 0.5, 2.0), (3, 0.7, 1.0), (8, 0.9, 0.0)]]
    row = mode_experiments.summarise(results)[0]
    assert row["seeds"] == 3 and row["modes"] == pytest.approx(4.0)
    assert row["modes_std"] == pytest.approx(np.std([1, 3, 8], ddof=1))
    assert row["modes_se"] == pytest.approx(row["modes_std"] / np.sqrt(3))
    assert row["high_quality"] == pytest.approx(70.0)  # percent
    table = mode_experiments.format_table([row], mode_experiments.PACGAN,
                                          mode_experiments.noise_ceilings(("ring",)))
    assert "4.0 ± 3.6 (2.1) / 8" in table
    assert "GAN (PacGAN's Table 1) | 10 | 6.3 ± 1.6 (0.5) / 8" in table  # the published row beside ours
    assert "ring: uniform noise over the same box" in table


def test_hops_count_changes_of_the_dominant_mode():
    history = {"nearest_counts": [[9, 1, 0], [8, 2, 0], [0, 10, 0], [0, 0, 10], [7, 3, 0]]}
    assert mode_experiments.dominant_modes(history).tolist() == [0, 0, 1, 2, 0]
    assert mode_experiments.hops(history) == 3


def test_results_round_trip_through_json_with_their_noise_ceilings(tmp_path):
    results = [mode_experiments.run("grid", "none", 0, TINY, w1=False)]
    path = tmp_path / "mode_collapse.json"
    mode_experiments.save_results(results, TINY, path, "pytest", 1.0)
    record = mode_experiments.load_results(path)
    assert record["results"][0]["counts"] == results[0]["counts"]
    assert mode_experiments.config_from(record) == TINY
    assert {"platform", "cpu_count"} <= set(record["machine"])
    ceiling = record["noise_ceilings"]["grid"]  # at the study's own sample size
    assert ceiling["n"] == TINY.eval_samples and ceiling["modes_captured"] > 5 * ceiling["modes_covered"]


def test_a_stored_config_from_another_version_is_refused():
    record = {"config": {**mode_experiments.PACGAN.__dict__, "wgan_critic_steps": 5}}
    with pytest.raises(artifacts.ArtifactError, match="rerun"):
        mode_experiments.config_from(record)


def test_bad_config_raises_value_error():
    with pytest.raises(ValueError, match="generator"):
        mode_experiments.ExperimentConfig(generator="tanh")
    with pytest.raises(ValueError, match="final_fraction"):
        mode_experiments.ExperimentConfig(final_fraction=1.0)
    with pytest.raises(ValueError, match="minibatch"):
        mode_experiments.make_discriminator("minibatch_std", mode_experiments.PACGAN, 0)


def test_a_menu_change_says_which_run_it_discarded_and_after_how_many_steps():
    ring, grid = mixtures.GaussianMixture2D.ring(), mixtures.GaussianMixture2D.grid()
    old = mode_experiments.make_trainer(ring, "packing", 0, TINY)
    new = mode_experiments.make_trainer(grid, "packing", 0, TINY)
    assert "nothing was lost" in mode_experiments.discarded_note(old, new)
    old.train(6, progress=False)
    note = mode_experiments.discarded_note(old, new)
    assert "ring of 8 · packing run was discarded after 6 steps" in note and "Now 5x5 grid" in note


def test_target_report_says_met_or_not_and_compares_the_plain_gan_with_the_published_spread():
    rows = [{"distribution": "ring", "remedy": "none", "n_modes": 8, "modes": 6.0, "covered": 5.0,
             "high_quality": 97.0},
            {"distribution": "ring", "remedy": "packing", "n_modes": 8, "modes": 8.0, "covered": 8.0,
             "high_quality": 91.0}]
    lines = mode_experiments.target_report(rows)
    assert "PacGAN4 8.0/8 modes" in lines[0] and lines[0].endswith(": met")
    assert "inside the published spread" in lines[1]  # 6.0 against 6.3 ± 2 x 1.6
    rows[1]["high_quality"] = 89.0
    assert mode_experiments.target_report(rows)[0].endswith("not met")
