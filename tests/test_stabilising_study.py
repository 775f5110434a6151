"""Lesson 08's stored studies: the summaries and the balanced region are computed as stated, and
the shipped files hold what the lesson says they hold (paired seeds, every trick, every cell)."""

import importlib.util
import json
import shutil

import numpy as np
import pytest

from gan_lessons import artifacts, recipes, stabilising, stabilising_study

ROOT = artifacts.ROOT


def _result(trick, seed, w1_ratio, k=1, ratio=0.25, **more):
    base = {key: 0.0 for key in stabilising_study.METRICS}
    base.update(trick=trick, seed=seed, d_steps=k, rate_ratio=ratio, n_modes=8, w1_ratio=w1_ratio, **more)
    return base


def test_summarise_gives_mean_and_sample_std_per_group():
    results = [_result("none", s, w) for s, w in enumerate([2.0, 4.0, 6.0])] + [_result("r1", 0, 1.0)]
    rows = stabilising_study.summarise(results)
    assert [r["trick"] for r in rows] == ["none", "r1"]
    assert rows[0]["w1_ratio"] == pytest.approx(4.0) and rows[0]["w1_ratio_std"] == pytest.approx(2.0)
    assert rows[1]["seeds"] == 1 and rows[1]["w1_ratio_std"] == 0.0


def test_paired_differences_compare_seed_by_seed():
    results = [_result("none", s, w) for s, w in enumerate([2.0, 4.0, 6.0])]
    results += [_result("r1", s, w) for s, w in enumerate([1.0, 3.0, 8.0])]
    mean, std, n = stabilising_study.paired_differences(results)["r1"]
    assert (mean, n) == (pytest.approx(0.0), 3) and std == pytest.approx(np.std([-1, -1, 2], ddof=1))


def test_the_balanced_region_is_where_every_seed_covers_every_mode():
    rows = []
    for k, ratio, covered in [(1, 0.25, 0.0), (1, 1.0, 8.0), (5, 0.25, 8.0), (5, 1.0, 7.7)]:
        rows.append({"d_steps": k, "rate_ratio": ratio, "covered": covered, "n_modes": 8})
    np.testing.assert_array_equal(stabilising_study.balanced_cells(rows), [[False, True], [True, False]])
    assert stabilising_study.balance_grid(rows, "covered").shape == (2, 2)


@pytest.mark.parametrize("path", [stabilising_study.TRICKS_PATH, stabilising_study.BALANCE_PATH,
                                  stabilising_study.CURVE_BALANCE_PATH])
def test_a_changed_study_is_refused(path, tmp_path):
    if not path.exists():
        pytest.skip(f"{path.name} not written yet")
    copy_dir = tmp_path / "data"
    copy_dir.mkdir()
    shutil.copy(path, copy_dir / path.name)
    record = json.loads((copy_dir / path.name).read_text())
    artifacts.write_manifest(copy_dir)  # a manifest beside the copy: it is checked like data/
    record["summary"][0]["modes"] = 8.0
    (copy_dir / path.name).write_text(json.dumps(record))
    with pytest.raises(artifacts.ArtifactError, match="changed"):
        stabilising_study.load(copy_dir / path.name)


def test_the_stored_tricks_study_pairs_five_seeds_of_every_trick():
    if not stabilising_study.TRICKS_PATH.exists():
        pytest.skip("data/stabilising_tricks.json not written yet")
    record = stabilising_study.load(stabilising_study.TRICKS_PATH)
    seeds = {trick: sorted(r["seed"] for r in record["results"] if r["trick"] == trick)
             for trick in stabilising.TRICKS}
    assert all(s == seeds["none"] for s in seeds.values()) and len(seeds["none"]) >= 5
    steps = {r["history"]["step"][-1] for r in record["results"]}
    assert len(steps) == 1  # one budget
    assert record["noise_ceiling"]["n"] == record["config"]["eval_samples"]


def test_the_stored_balance_study_fills_every_cell_with_three_seeds():
    if not stabilising_study.BALANCE_PATH.exists():
        pytest.skip("data/discriminator_balance.json not written yet")
    record = stabilising_study.load(stabilising_study.BALANCE_PATH)
    rows = stabilising_study.summarise(record["results"], ("d_steps", "rate_ratio"))
    assert len(rows) == len(stabilising_study.D_STEPS) * len(stabilising_study.RATE_RATIOS)
    assert min(r["seeds"] for r in rows) >= 3
    assert stabilising_study.balanced_cells(rows).any()


def test_a_curve_cell_is_framed_only_when_every_seed_meets_lesson_01s_target():
    target = stabilising_study.CURVE_TARGET
    results = [{"d_steps": 1, "rate_ratio": 1.0, "w1_ratio": w} for w in (1.2, target, 1.9)]  # all within
    results += [{"d_steps": 2, "rate_ratio": 4.0, "w1_ratio": w} for w in (1.1, 1.2, target + 0.01)]  # 1 not
    cells = stabilising_study.curve_balanced_cells(results)
    assert cells.shape == (len(stabilising_study.D_STEPS), len(stabilising_study.RATE_RATIOS))
    assert cells[0, 1] and not cells[1, 2] and cells.sum() == 1  # cells without runs are not framed


def test_a_curve_run_is_lesson_01s_gan_with_k_d_steps_and_ds_rate_scaled():
    result = stabilising_study.curve_run(seed=3, d_steps=2, rate_ratio=4.0, steps=40)
    rate = stabilising_study.CURVE_LEARNING_RATE
    trainer = recipes.curve_trainer(seed=3, d_steps=2, g_learning_rate=rate, d_learning_rate=4 * rate)
    trainer.train(40, progress=False)
    assert (trainer.config.d_steps, trainer.config.d_learning_rate) == (2, pytest.approx(2e-3))
    assert result["steps_trained"] == 40 and result["rate_ratio"] == 4.0
    assert result["w1_ratio"] == pytest.approx(trainer.evaluate(trainer)["w1_ratio"], rel=1e-9)
    assert 0 <= result["accuracy"] <= 1


def test_the_stored_curve_study_fills_every_cell_with_three_seeds_at_lesson_01s_length():
    record = stabilising_study.load(stabilising_study.CURVE_BALANCE_PATH)
    rows = record["summary"]
    assert len(rows) == len(stabilising_study.D_STEPS) * len(stabilising_study.RATE_RATIOS)
    assert min(r["seeds"] for r in rows) >= 3
    assert {r["steps_trained"] for r in record["results"]} == {stabilising_study.CURVE_STEPS}
    grid = stabilising_study.curve_grid(record)
    assert (grid["worst"] >= grid["w1_ratio"]).all()


def test_a_reproducibility_check_counts_runs_per_trick_and_seed_and_knows_when_its_study_changed(tmp_path):
    study = tmp_path / "stabilising_tricks.json"
    study.write_text(json.dumps({"results": []}))
    runs = [{"trick": "r1", "seed": 0, "w1": 2.5, "same": True},
            {"trick": "r1", "seed": 0, "w1": 2.7, "same": False},
            {"trick": "r1", "seed": 1, "w1": 1.0, "same": True}]
    record = stabilising_study.reproducibility_record(runs, "a test", 1.0, study)
    assert record["summary"] == [{"trick": "r1", "seed": 0, "runs": 2, "same": 1, "others": [2.7]},
                                 {"trick": "r1", "seed": 1, "runs": 1, "same": 1, "others": []}]
    path = tmp_path / "reproducibility.json"
    stabilising_study.save(record, path)
    artifacts.write_manifest(tmp_path)
    assert stabilising_study.load_reproducibility(path)["current"]
    study.write_text(json.dumps({"results": [1]}))  # the study remade: the check no longer speaks for it
    artifacts.write_manifest(tmp_path)
    assert not stabilising_study.load_reproducibility(path)["current"]


def test_reproducibility_counts_add_up_one_tricks_seeds_and_flag_a_stale_check():
    check = {"current": False, "summary": [{"trick": "r1", "seed": 0, "runs": 2, "same": 1},
                                           {"trick": "none", "seed": 0, "runs": 5, "same": 5},
                                           {"trick": "r1", "seed": 1, "runs": 3, "same": 3}]}
    counts = stabilising_study.reproducibility_counts(check, "r1")
    assert (counts["same"], counts["runs"]) == (4, 5)
    assert counts["line"].startswith("seed 0 1 of 2, seed 1 3 of 3 (checked against an earlier store")


def test_the_stored_reproducibility_check_was_made_against_the_stored_tricks_study():
    if not stabilising_study.REPRODUCIBILITY_PATH.exists():
        pytest.skip("data/reproducibility.json not written yet")
    check = stabilising_study.load_reproducibility()
    assert check["current"], "the tricks study changed since: rerun benchmarks/reproducibility.py"
    study = stabilising_study.load(stabilising_study.TRICKS_PATH)
    stored = {(r["trick"], r["seed"]): r["w1"] for r in study["results"]}
    assert all(r["same"] == (r["w1"] == stored[r["trick"], r["seed"]]) for r in check["runs"])
    assert sum(s["runs"] for s in check["summary"]) == len(check["runs"])


def _reproducibility_script():
    path = ROOT / "benchmarks" / "reproducibility.py"
    spec = importlib.util.spec_from_file_location("reproducibility", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_r1_trained_again_in_a_fresh_process_repeats_the_stored_run_to_the_last_digit(tmp_path, capsys):
    script = _reproducibility_script()
    out = tmp_path / "check.json"
    arguments = ["--tricks", "r1", "--seeds", "0", "--repeats", "1", "--workers", "1", "--out", str(out)]
    status = script.main(arguments)
    printed = capsys.readouterr().out
    assert status == 0, printed
    [run] = json.loads(out.read_text())["runs"]
    assert run["same"] and run["package"] == str(ROOT / "gan_lessons")  # this checkout's, not an install's


@pytest.mark.parametrize("arguments, message", [(["--tricks", "dropout"], "trick must be one of"),
                                                (["--seeds", "7"], "no run for")])
def test_the_reproducibility_check_refuses_what_the_study_does_not_hold(arguments, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        _reproducibility_script().main(arguments)
    assert exit_.value.code == 2 and message in capsys.readouterr().err
