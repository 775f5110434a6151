"""Lesson 08's stored studies: the tricks side by side on the ring (paired seeds, one budget) and
D's strength as a map (k D steps per G step x the D/G learning-rate ratio) on the ring and on lesson
01's curve. `benchmarks/stabilising.py` runs them and writes data/stabilising_tricks.json,
data/discriminator_balance.json and data/curve_balance.json; the lecture loads them and the full
profile reruns them.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import platform
import time

import numpy as np
import tensorflow as tf

from gan_lessons import artifacts, mixtures, mode_experiments, mode_metrics, recipes, stabilising, training

TRICKS_PATH: pathlib.Path = artifacts.DATA_DIR / "stabilising_tricks.json"
BALANCE_PATH: pathlib.Path = artifacts.DATA_DIR / "discriminator_balance.json"
D_STEPS = (1, 2, 5)  # k: D updates per G update
# the map's budget: 1,000 generator steps (the tricks' 1,500 would take 20 minutes on a shared 2-core CPU)
BALANCE_BASE = stabilising.BASE.replace(steps=1000)
RATE_RATIOS = (0.25, 1.0, 4.0)  # D's Adam rate / G's (G's stays at the base's 2e-3)
METRICS = ("modes", "covered", "high_quality", "kl", "w1", "w1_floor", "w1_ratio", "accuracy_real",
           "accuracy_fake", "accuracy", "seconds", "seconds_per_step")
CURVE_BALANCE_PATH: pathlib.Path = artifacts.DATA_DIR / "curve_balance.json"
CURVE_STEPS = 6000  # lesson 01's lecture run
CURVE_LEARNING_RATE = 5e-4  # lesson 01's rate (both players); D's is rate_ratio times it
CURVE_TARGET = 2.0  # lesson 01's target: the worst seed's W1 / floor at most 2
CURVE_METRICS = ("w1", "w1_floor", "w1_ratio", "median_residual", "accuracy_real", "accuracy_fake",
                 "accuracy", "seconds", "seconds_per_step")
# R1 (the trick whose runs had been seen to move) retrained in fresh processes against TRICKS_PATH
REPRODUCIBILITY_PATH: pathlib.Path = artifacts.DATA_DIR / "reproducibility.json"
REPRODUCIBILITY_COMMAND = ("python benchmarks/reproducibility.py --tricks r1 --seeds 0 1 2 3 4 --repeats 30 "
                           "--out data/reproducibility.json")
REGENERATE = {TRICKS_PATH.name: "python benchmarks/stabilising.py tricks",
              BALANCE_PATH.name: "python benchmarks/stabilising.py balance",
              CURVE_BALANCE_PATH.name: "python benchmarks/stabilising.py curve_balance",
              REPRODUCIBILITY_PATH.name: REPRODUCIBILITY_COMMAND}


def tricks_study(tricks_=stabilising.TRICKS, seeds=range(5), base=None, settings=None,
                 log=print) -> list[dict]:
    """stabilising.run for every trick x seed, the same seeds and budget for each."""
    results = []
    for trick in tricks_:
        for seed in seeds:
            results.append(_logged(stabilising.run(trick, seed, base, settings), log))
    return results


def balance_study(d_steps=D_STEPS, rate_ratios=RATE_RATIOS, seeds=range(3), base=None,
                  log=print) -> list[dict]:
    """The plain GAN for every k x rate ratio x seed (same seeds, same generator steps)."""
    base = base or BALANCE_BASE
    return [_logged(stabilising.run("none", seed, base, d_steps=k, rate_ratio=ratio), log)
            for k in d_steps for ratio in rate_ratios for seed in seeds]


def curve_run(seed: int = 0, d_steps: int = 1, rate_ratio: float = 1.0, steps: int = CURVE_STEPS,
              eval_samples: int = 1000) -> dict:
    """Lesson 01's GAN on the quadratic curve (recipes.curve_trainer: its networks, batch and G's
    rate) with k = d_steps D updates per G update and D's rate rate_ratio x G's, trained `steps`
    steps: the final W1 / floor and median residual, D's held-out accuracy, and the time per step."""
    rate = CURVE_LEARNING_RATE
    trainer = recipes.curve_trainer(seed=seed, d_steps=d_steps, eval_samples=eval_samples,
                                    g_learning_rate=rate, d_learning_rate=rate_ratio * rate)
    clock = stabilising.StepClock()
    start = time.perf_counter()
    diverged = None
    try:
        trainer.train(steps, progress=False, callback=clock)
    except training.TrainingDiverged as error:  # scored as rolled back; the record says so
        diverged = str(error)
    seconds = time.perf_counter() - start
    final = trainer.evaluate(trainer)
    return {"distribution": "curve", "trick": "none", "seed": seed, "d_steps": d_steps,
            "rate_ratio": round(rate_ratio, 6), "diverged": diverged,
            "steps_trained": int(trainer.step.numpy()), "seconds": seconds,
            "seconds_per_step": clock.seconds_per_step,
            **{key: float(final[key]) for key in ("w1", "w1_floor", "w1_ratio", "median_residual")},
            **stabilising.held_out_accuracy(trainer, seed=1)}


def curve_balance_study(d_steps=D_STEPS, rate_ratios=RATE_RATIOS, seeds=range(3), steps: int = CURVE_STEPS,
                        log=print) -> list[dict]:
    """curve_run for every k x rate ratio x seed (same seeds, same generator steps)."""
    return [_curve_logged(curve_run(seed, k, ratio, steps), log)
            for k in d_steps for ratio in rate_ratios for seed in seeds]


def _curve_logged(result: dict, log) -> dict:
    if log:
        r = result
        log(f"curve k={r['d_steps']} ratio={r['rate_ratio']:g} seed {r['seed']}: "
            f"W1/floor {r['w1_ratio']:.2f}, median residual {r['median_residual']:.3f}, "
            f"D accuracy {r['accuracy']:.2f}, {1000 * r['seconds_per_step']:.2f} ms/step, "
            f"{r['seconds']:.0f} s")
    return result


def worst_grid(results: list[dict], key: str = "w1_ratio", d_steps=D_STEPS,
               rate_ratios=RATE_RATIOS) -> np.ndarray:
    """The worst (largest) `key` over seeds in each k x rate ratio cell (NaN where no run is)."""
    worst = np.full((len(d_steps), len(rate_ratios)), np.nan)
    for r in results:
        i, j = tuple(d_steps).index(r["d_steps"]), _nearest(rate_ratios, r["rate_ratio"])
        worst[i, j] = np.fmax(worst[i, j], r[key])
    return worst


def curve_balanced_cells(results: list[dict], d_steps=D_STEPS, rate_ratios=RATE_RATIOS) -> np.ndarray:
    """bool grid (len(d_steps), len(rate_ratios)): the cells where every seed meets lesson 01's
    target, W1 / floor <= CURVE_TARGET (a cell without runs is not one)."""
    return worst_grid(results, "w1_ratio", d_steps, rate_ratios) <= CURVE_TARGET


def curve_grid(record: dict) -> dict:
    """The curve's map for stabilising_plots.balance_figure: W1 / floor (mean, std, worst seed) and
    D's held-out accuracy per k x rate ratio, and the cells where every seed meets the target."""
    rows, results = record["summary"], record["results"]
    grid = {"d_steps": D_STEPS, "rate_ratios": RATE_RATIOS, "balanced": curve_balanced_cells(results),
            "worst": worst_grid(results)}
    for key in ("w1_ratio", "w1_ratio_std", "accuracy"):
        grid[key] = balance_grid(rows, key, D_STEPS, RATE_RATIOS)
    return grid


def curve_table(record: dict) -> str:
    """The curve's map as lines: per cell W1 / floor (mean ± std, worst seed), the median residual,
    D's held-out accuracy and the time per step; then the cells where every seed meets the target."""
    lines, worst_of = [], worst_grid(record["results"])
    for r in record["summary"]:
        worst = worst_of[D_STEPS.index(r["d_steps"]), _nearest(RATE_RATIOS, r["rate_ratio"])]
        lines.append(f"k = {r['d_steps']}, D/G rate {r['rate_ratio']:4g}: W1/floor {r['w1_ratio']:5.2f} ± "
                     f"{r['w1_ratio_std']:4.2f} (worst {worst:5.2f}), median residual "
                     f"{r['median_residual']:.3f}, D accuracy {r['accuracy']:3.0f}% (real "
                     f"{r['accuracy_real']:3.0f}, fake {r['accuracy_fake']:3.0f}), "
                     f"{1000 * r['seconds_per_step']:.2f} ms/step")
    met = curve_balanced_cells(record["results"])
    cells = [(k, ratio) for i, k in enumerate(D_STEPS) for j, ratio in enumerate(RATE_RATIOS) if met[i, j]]
    lines.append(f"every seed at W1/floor <= {CURVE_TARGET:g} (lesson 01's target): "
                 + (", ".join(f"k = {k} at {ratio:g}x" for k, ratio in cells) or "no cell"))
    return "\n".join(lines)


def _logged(result: dict, log) -> dict:
    if log:
        log(f"{result['trick']:24s} k={result['d_steps']} ratio={result['rate_ratio']:g} "
            f"seed {result['seed']}: "
            f"{result['modes']}/{result['n_modes']} modes ({result['covered']} covered), "
            f"{100 * result['high_quality']:5.1f}% HQ, W1/floor {result['w1_ratio']:.2f}, "
            f"D accuracy {result['accuracy']:.2f}, {1000 * result['seconds_per_step']:.2f} ms/step, "
            f"{result['seconds']:.0f} s")
    return result


def summarise(results: list[dict], by=("trick",), metrics=METRICS) -> list[dict]:
    """Mean and standard deviation (key_std) over seeds of every `metrics` key (high quality and
    accuracies in %), per group of `by` keys, in first-seen order."""
    groups: dict[tuple, list[dict]] = {}
    for result in results:
        groups.setdefault(tuple(result[key] for key in by), []).append(result)
    rows = []
    for key, group in groups.items():
        row = dict(zip(by, key), seeds=len(group), n_modes=group[0].get("n_modes"))
        for name in metrics:
            scale = 100 if name in ("high_quality", "accuracy_real", "accuracy_fake", "accuracy") else 1
            values = scale * np.array([r[name] for r in group], np.float64)
            row[name] = float(values.mean())
            row[name + "_std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        rows.append(row)
    return rows


def paired_differences(results: list[dict], key: str = "w1_ratio", baseline: str = "none") -> dict:
    """Per trick, the seed-by-seed difference trick - baseline of `key` (paired seeds): {trick:
    (mean, std, seeds)}; negative W1/floor and positive modes are improvements."""
    base = {r["seed"]: r[key] for r in results if r["trick"] == baseline}
    out = {}
    for trick in dict.fromkeys(r["trick"] for r in results):
        if trick == baseline:
            continue
        diffs = np.array([r[key] - base[r["seed"]] for r in results
                          if r["trick"] == trick and r["seed"] in base])
        if len(diffs):
            spread = float(diffs.std(ddof=1)) if len(diffs) > 1 else 0.0
            out[trick] = (float(diffs.mean()), spread, len(diffs))
    return out


def tricks_table(rows: list[dict], ceiling: dict | None = None) -> str:
    """Markdown: modes captured and covered, high quality, W1 with its floor, D's final held-out
    accuracy and ms per step for each trick (mean ± std over seeds), and the noise ceiling."""
    lines = ["| trick | seeds | modes captured | modes covered | high quality % | W1 (floor) | W1/floor "
             "| D accuracy real / fake % | ms / step |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {stabilising.LABELS.get(r['trick'], r['trick'])} | {r['seeds']} | "
                     f"{r['modes']:.1f} ± {r['modes_std']:.1f} / {r['n_modes']} | "
                     f"{r['covered']:.1f} ± {r['covered_std']:.1f} | "
                     f"{r['high_quality']:.1f} ± {r['high_quality_std']:.1f} | "
                     f"{r['w1']:.3f} ({r['w1_floor']:.3f}) "
                     f"| {r['w1_ratio']:.1f} ± {r['w1_ratio_std']:.1f} | {r['accuracy_real']:.0f} / "
                     f"{r['accuracy_fake']:.0f} | {1000 * r['seconds_per_step']:.2f} ± "
                     f"{1000 * r['seconds_per_step_std']:.2f} |")
    if ceiling:
        lines.append(f"\n{mode_metrics.noise_line(ceiling)}")
    return "\n".join(lines)


def balance_grid(rows: list[dict], key: str = "w1_ratio", d_steps=None, rate_ratios=None) -> np.ndarray:
    """A summarise(..., by=("d_steps", "rate_ratio")) column as a grid (len(d_steps), len(ratios))."""
    d_steps = tuple(d_steps or sorted({r["d_steps"] for r in rows}))
    rate_ratios = tuple(rate_ratios or sorted({r["rate_ratio"] for r in rows}))
    grid = np.full((len(d_steps), len(rate_ratios)), np.nan)
    for r in rows:
        grid[d_steps.index(r["d_steps"]), _nearest(rate_ratios, r["rate_ratio"])] = r[key]
    return grid


def _nearest(values, value) -> int:
    return int(np.argmin(np.abs(np.log(np.asarray(values)) - np.log(value))))


def balanced_cells(rows: list[dict]) -> np.ndarray:
    """bool grid like balance_grid: the cells where every seed covered every mode (covered, the
    mean over seeds, equals n_modes), the map's balanced region."""
    covered, n_modes = balance_grid(rows, "covered"), balance_grid(rows, "n_modes")
    return covered >= n_modes


def noise_ceiling(n: int = mode_metrics.PAPER_SAMPLES) -> dict:
    return mode_metrics.noise_ceiling(mixtures.by_name("ring"), n)


def record(results: list[dict], command: str, seconds: float, by, base=None, settings=None) -> dict:
    """What a study file holds: every run, the summary by `by`, the configs, the noise ceiling,
    the command, the machine and the date."""
    base, settings = base or stabilising.BASE, settings or stabilising.Tricks()
    return {"results": results, "summary": summarise(results, by), "by": list(by),
            "config": dataclasses.asdict(base), "tricks": dataclasses.asdict(settings),
            "noise_ceiling": noise_ceiling(base.eval_samples), **provenance(command, seconds)}


def curve_record(results: list[dict], command: str, seconds: float, steps: int = CURVE_STEPS) -> dict:
    """What data/curve_balance.json holds: every run, the summary by (k, rate ratio), the setting
    (lesson 01's GAN, its steps and rate, the target), the command, the machine and the date."""
    by = ("d_steps", "rate_ratio")
    config = {"steps": steps, "g_learning_rate": CURVE_LEARNING_RATE, "target_w1_ratio": CURVE_TARGET,
              "trainer": "recipes.curve_trainer (lesson 01's networks, batch and evaluation)"}
    return {"results": results, "summary": summarise(results, by, CURVE_METRICS), "by": list(by),
            "config": config, **provenance(command, seconds)}


def provenance(command: str, seconds: float) -> dict:
    """Where a stored study came from: the command, its seconds, the machine and its load, the date."""
    return {"command": command, "seconds": round(seconds, 1),
            "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                        "load_average": [round(x, 2) for x in os.getloadavg()],
                        "python": platform.python_version(), "tensorflow": tf.__version__},
            "created": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def save(record_: dict, path) -> dict:
    """Write a study record as JSON; in data/, its SHA-256 into data/MANIFEST.json."""
    return mode_experiments.write_record(record_, path)


def load(path) -> dict:
    """A study written by `save`, checked against data/MANIFEST.json when it is in data/."""
    path = pathlib.Path(path)
    command = REGENERATE.get(path.name, "python benchmarks/stabilising.py")
    required = ("results", "summary", "config")
    if path.name != CURVE_BALANCE_PATH.name:  # the curve has no modes, so no noise ceiling of modes
        required += ("noise_ceiling",)
    return artifacts.load_json(path, regenerate=f"Rerun the study with `{command}`.", required=required,
                               kind="a lesson 08 study")


def reproducibility_record(runs: list[dict], command: str, seconds: float, study=TRICKS_PATH) -> dict:
    """What data/reproducibility.json holds: runs of the tricks study retrained one per fresh process
    (trick, seed, w1, same: equal to the stored run's W1 to the last digit), counted per trick and
    seed, with the SHA-256 of the study they were compared with (as the manifest takes it)."""
    summary = []
    for trick, seed in sorted({(r["trick"], r["seed"]) for r in runs}):
        mine = [r for r in runs if (r["trick"], r["seed"]) == (trick, seed)]
        summary.append({"trick": trick, "seed": seed, "runs": len(mine), "same": sum(r["same"] for r in mine),
                        "others": sorted({r["w1"] for r in mine if not r["same"]})})
    return {"runs": runs, "summary": summary, "study": pathlib.Path(study).name,
            "study_sha256": artifacts.manifest_hash(study), **provenance(command, seconds)}


def load_reproducibility(path=REPRODUCIBILITY_PATH) -> dict:
    """data/reproducibility.json, checked against data/MANIFEST.json; "current" says whether it was
    compared with the tricks study stored beside it now (a remade study needs the check rerun)."""
    fix = f"Rerun the check with `{REPRODUCIBILITY_COMMAND}`."
    record_ = artifacts.load_json(path, regenerate=fix, required=("runs", "summary", "study_sha256"),
                                  kind="a reproducibility check")
    study = pathlib.Path(path).parent / record_["study"]  # the study stored beside it
    current = study.is_file() and artifacts.manifest_hash(study) == record_["study_sha256"]
    return {**record_, "current": current}


def reproducibility_counts(check: dict, trick: str = "r1") -> dict:
    """A check's runs of `trick`: {"same": runs that gave the stored W1, "runs": runs, "line": per
    seed, and whether the check was made against the study stored now}."""
    rows = [row for row in check["summary"] if row["trick"] == trick]
    seeds = ", ".join(f"seed {row['seed']} {row['same']} of {row['runs']}" for row in rows)
    stale = "" if check["current"] else " (checked against an earlier store of the study: rerun it)"
    return {"same": sum(row["same"] for row in rows), "runs": sum(row["runs"] for row in rows),
            "line": f"{seeds}{stale}"}


def base_from(record_: dict):
    """The ExperimentConfig and Tricks a stored study was made with."""
    return mode_experiments.config_from(record_), stabilising.Tricks(**record_["tricks"])
