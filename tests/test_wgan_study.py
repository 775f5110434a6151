"""Lesson 07's measurements: the noise ceiling against its expected values, the study's trainers,
summaries and verdicts, the stored study itself, and the Fashion-MNIST helpers."""

import json
import time

import numpy as np
import pytest

from gan_lessons import game, mixtures, wgan_study

TINY = wgan_study.StudyConfig(steps=8, eval_every=4, eval_samples=300, track_samples=100, batch_size=32,
                              generator_hidden=(8,), critic_hidden=(8,))


def test_uniform_noise_captures_most_grid_modes_at_a_few_percent_quality():
    grid, ring = wgan_study.noise_ceiling("grid"), wgan_study.noise_ceiling("ring")
    # expected: 25 modes each of area pi (3 * 0.05)^2 in a 9 x 9 box -> 2.2% high quality, and each
    # mode receives 2500 * 0.0707 / 81 = 2.2 samples on average, so about 25 (1 - e^-2.2) = 22 modes
    assert 1.7 < grid["high_quality"] < 2.7 and 20 < grid["modes"] < 24.5
    assert 0.15 < ring["high_quality"] < 0.45 and 3 < ring["modes"] < 6  # 8 tiny modes in a 6 x 6 box
    assert grid["box"] == 4.5 and ring["n_modes"] == 8


def test_study_trainers_are_the_two_games_on_the_same_networks():
    ring = mixtures.by_name("ring")
    wgan = wgan_study.make_trainer(ring, "wgan_gp", 3, TINY)
    gan = wgan_study.make_trainer(ring, "gan", 3, TINY)
    assert wgan.config.objective == "wasserstein" and wgan.config.d_steps == TINY.critic_steps
    assert wgan.config.regularisers == (game.GradientPenalty(TINY.penalty_weight),)
    assert (wgan.config.beta_1, wgan.config.beta_2) == (TINY.wgan_beta_1, 0.9)
    assert gan.config.objective == "non_saturating" and gan.config.d_steps == 1
    for a, b in zip(wgan.generator.get_weights(), gan.generator.get_weights()):  # same seed, same start
        assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="method must be one of"):
        wgan_study.make_trainer(ring, "wgan", 0, TINY)


def test_a_run_is_a_pure_function_of_its_seed_and_tracks_the_critic():
    first = wgan_study.run("ring", "wgan_gp", 1, TINY)
    again = wgan_study.run("ring", "wgan_gp", 1, TINY)
    assert first["history"] == again["history"] and first["counts"] == again["counts"]
    assert first["history"]["step"] == [0.0, 4.0, 8.0]
    assert len(first["history"]["critic_estimate"]) == 3 and first["w1_floor"] > 0
    plain = wgan_study.run("ring", "gan", 1, TINY.replace(final_fraction=0.5))
    assert "critic_estimate" not in plain["history"] and plain["n_modes"] == 8


def _fake(distribution, method, seed, modes, quality):
    return {"distribution": distribution, "method": method, "seed": seed, "n_modes": 8, "modes": modes,
            "high_quality": quality, "kl": 0.1, "w1": 0.2, "w1_floor": 0.05, "seconds": 10.0}


def test_summary_verdict_and_table_against_the_published_row():
    results = [_fake("ring", "wgan_gp", s, m, q) for s, (m, q) in enumerate([(8, 0.7), (7, 0.6), (8, 0.65)])]
    results += [_fake("ring", "gan", s, 2, 0.9) for s in range(3)]
    rows = wgan_study.summarise(results)
    wgan = next(r for r in rows if r["method"] == "wgan_gp")
    assert wgan["modes"] == pytest.approx(23 / 3) and wgan["high_quality"] == pytest.approx(65.0)
    assert wgan["modes_std"] == pytest.approx(np.std([8, 7, 8], ddof=1))
    assert wgan_study.verdict(rows) == {"ring": True}  # 7.7 >= 6.8 modes and 65% >= 59.6%
    worse = wgan_study.summarise([_fake("ring", "wgan_gp", 0, 8, 0.5)])
    assert wgan_study.verdict(worse) == {"ring": False}  # every mode, but below 59.6% quality
    table = wgan_study.format_table(rows, {"ring": wgan_study.noise_ceiling("ring")})
    assert "WGAN-GP, published (GDPP) | | 6.8 / 8 | 59.6" in table and "uniform noise, box ±3" in table


def test_tracking_skips_the_untrained_critic_at_step_zero():
    history = {"step": [0, 1, 2, 3], "critic_estimate": [0.0, 3.0, 2.0, 1.0],
               "exact_w1": [5.0, 3.0, 2.0, 1.0]}
    result = {"distribution": "ring", "method": "wgan_gp", "seed": 0, "history": history}
    (row,) = wgan_study.tracking([result])
    assert row["correlation"] == pytest.approx(1.0) and row["evaluations"] == 3


def test_merging_parallel_studies_and_refusing_mixed_configs(tmp_path):
    ring = {"results": [_fake("ring", "gan", 0, 3, 0.5)], "config": {"steps": 1}, "command": "a",
            "seconds": 5}
    grid = {"results": [dict(_fake("grid", "gan", 0, 9, 0.1), n_modes=25)], "config": {"steps": 1},
            "command": "b", "seconds": 7}
    merged = wgan_study.merge([ring, grid], "merge")
    assert [r["distribution"] for r in merged["summary"]] == ["ring", "grid"]
    assert merged["seconds"] == 7 and merged["parts"] == ["a", "b"]
    assert set(merged["ceilings"]) == {"ring", "grid"}
    with pytest.raises(ValueError, match="different configs"):
        wgan_study.merge([ring, dict(grid, config={"steps": 2})], "merge")


def test_the_stored_study_is_complete_and_loadable(tmp_path):
    if not wgan_study.RESULTS_PATH.exists():
        pytest.skip("data/wgan_toys.json not written yet: run benchmarks/wgan_toys.py")
    record = wgan_study.load_results()
    config = wgan_study.config_from(record)
    assert isinstance(config.generator_hidden, tuple)
    seeds = {(r["distribution"], r["method"]): set() for r in record["results"]}
    for r in record["results"]:
        seeds[(r["distribution"], r["method"])].add(r["seed"])
    assert set(seeds) == {(d, m) for d in ("ring", "grid") for m in wgan_study.METHODS}
    assert all(len(s) >= 5 for s in seeds.values())  # at least 5 seeds per row
    assert all(r["history"]["step"][-1] == config.steps for r in record["results"])
    with pytest.raises(ValueError, match="missing. Regenerate it with `python benchmarks/wgan_toys.py`"):
        wgan_study.load_results(tmp_path / "missing.json")
    (tmp_path / "other.json").write_text(json.dumps({"results": []}))
    with pytest.raises(ValueError, match="not a lesson 07 study"):
        wgan_study.load_results(tmp_path / "other.json")


def test_the_image_critic_is_the_dcgan_discriminator_without_dropout():
    images = np.random.default_rng(0).integers(0, 256, size=(64, 28, 28), dtype=np.uint8)
    wgan = wgan_study.image_trainer(images, "wgan_gp", seed=0)
    dcgan = wgan_study.image_trainer(images, "dcgan", seed=0)
    kinds = [type(layer).__name__ for layer in wgan.discriminator.layers]
    assert "Dropout" not in kinds and "BatchNormalization" not in kinds
    assert "Dropout" in [type(layer).__name__ for layer in dcgan.discriminator.layers]
    assert wgan.config.regularisers == (game.GradientPenalty(10.0),) and wgan.config.d_steps == 5
    assert dcgan.config.objective == "non_saturating"
    shapes = [w.shape for w in wgan.discriminator.get_weights()]
    assert shapes == [w.shape for w in dcgan.discriminator.get_weights()]  # the same body


def test_the_training_clock_leaves_evaluations_out():
    clock = wgan_study.TrainingClock()

    def slow(trainer):
        time.sleep(0.2)
        return {"score": 1.0}

    timed = clock.wrap(slow)
    first = timed(None)
    time.sleep(0.05)  # "training"
    second = timed(None)
    assert first["seconds"] == 0.0 and 0.04 < second["seconds"] < 0.15 and second["score"] == 1.0
