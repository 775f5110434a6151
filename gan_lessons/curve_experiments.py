"""Lesson 01's measurements: training in raw vs standardised units, fresh vs shared noise for the
two updates, and what sets apart the generator updates that move the fake centroid away."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from gan_lessons import artifacts, recipes, toy, toy_metrics

RESULTS_PATH = artifacts.DATA_DIR / "lesson01_measurements.json"
RAW = toy.Scaler(mean=[0.0, 0.0], scale=[1.0, 1.0])  # training units = data units


def _trainer(units: str, seed: int, **settings):
    curve = toy.QuadraticCurve()
    scaler = {"raw": RAW, "standardised": curve.scaler()}[units]
    return recipes.curve_trainer(seed=seed, scaler=scaler, **settings), curve, scaler


def at_initialisation(units: str, seed: int = 0, **settings) -> dict:
    """The first D update and the first G update of a fresh GAN in `units` ("raw" or
    "standardised"): the spread of D's logits on a real batch, and both gradient norms."""
    trainer, _, _ = _trainer(units, seed, **settings)
    real = trainer.sample_real(tf.constant([seed, 0], tf.int64), trainer.config.batch_size)
    logits = trainer.discriminator(real).numpy()[:, 0]
    d = trainer.discriminator_step()
    g = trainer.generator_step()
    return {"units": units, "logit_std": float(logits.std()), "logit_max": float(np.abs(logits).max()),
            "d_grad_norm": d["d_grad_norm"], "g_grad_norm": g["g_grad_norm"], "d_fake": d["d_fake"],
            "d_real": d["d_real"]}


def standardised_quality(trainer, curve: toy.QuadraticCurve, scaler: toy.Scaler, n: int = 1000,
                         seed: int = 777) -> dict:
    """W1 / real-vs-real floor of n samples, both measured in standardised units whatever units
    the trainer works in (`scaler`: its training units -> data units), so raw and standardised
    runs are scored on one scale; and the median residual |y - (10 + x^2)| in data units."""
    standard = curve.scaler()
    generated = scaler.inverse_transform(trainer.generate(n, seed=seed))  # data units
    real = curve.sample(n, tf.constant([seed, 3], tf.int64)).numpy()
    floor = toy_metrics.real_floor(lambda s, size: standard.transform(curve.sample(size, s)), n, seed)
    w1 = toy_metrics.wasserstein1(standard.transform(generated), standard.transform(real))
    return {"w1": w1, "w1_floor": floor, "w1_ratio": w1 / floor,
            "median_residual": float(np.median(curve.residual(generated)))}


def run(settings: dict, seed: int, steps: int, n: int = 1000):
    """One GAN of lesson 01 with curve_trainer `settings` (plus "units"), trained `steps` steps:
    (standardised_quality and the toward fraction, the trainer)."""
    settings = dict(settings)
    trainer, curve, scaler = _trainer(settings.pop("units", "standardised"), seed, **settings)
    trainer.train(steps, progress=False)
    row = {"seed": seed, **standardised_quality(trainer, curve, scaler, n),
           "toward": float(np.mean(trainer.history["centroid_shift"] > 0))}
    return row, trainer


def compare(variants: dict[str, dict], steps: int, seeds, n: int = 1000) -> dict[str, list[dict]]:
    """`run` for every (variant, seed): {variant: [one row per seed]}."""
    return {name: [run(settings, seed, steps, n)[0] for seed in seeds] for name, settings in variants.items()}


def centroid_analysis(history, skip: int = 100) -> dict:
    """Generator updates that moved the fake centroid toward the real one vs away from it (after
    the first `skip` steps): how many, and how far apart the centroids were before each kind."""
    skip = skip if len(history) > 2 * skip else 0  # a short run: use every update
    shift = history["centroid_shift"][skip:]
    distance = history["centroid_distance"][skip:]
    toward = shift > 0
    near = distance <= np.quantile(distance, 0.25)
    return {"updates": int(len(shift)), "toward_fraction": float(toward.mean()),
            "median_distance_toward": float(np.median(distance[toward])) if toward.any() else float("nan"),
            "median_distance_away": float(np.median(distance[~toward])) if (~toward).any() else float("nan"),
            "toward_fraction_nearest_quarter": float(toward[near].mean()),
            "toward_fraction_farthest_quarter": float(toward[distance >= np.quantile(distance, 0.75)].mean())}


VARIANTS = {  # lesson 01's defaults (recipes.curve_trainer), one change each
    "standardised, fresh noise": {},
    "raw data units": {"units": "raw"},
    "shared noise (the tutorial's bug)": {"shared_noise": True},
}


def study(seeds=range(5), steps: int = 6000, n: int = 1000, log=None) -> dict:
    """Lesson 01's stored study: each variant on every seed for `steps` steps (scored by
    standardised_quality), the centroid analysis of the standardised runs, and the state at
    initialisation in both units."""
    seeds = list(seeds)
    runs, analyses = {}, []
    for name, settings in VARIANTS.items():
        runs[name] = []
        for seed in seeds:
            row, trainer = run(settings, seed, steps, n)
            runs[name].append(row)
            if not settings:  # lesson 01's defaults: where do the centroid updates go wrong?
                analyses.append({"seed": seed, **centroid_analysis(trainer.history)})
            if log:
                log(f"{name}, seed {seed}: W1/floor {row['w1_ratio']:.2f}, "
                    f"residual {row['median_residual']:.1f}")
    initial = [at_initialisation(units, seed) for units in ("raw", "standardised") for seed in seeds]
    return {"steps": steps, "n": n, "seeds": seeds, "variants": VARIANTS, "runs": runs,
            "centroids": analyses, "initial": initial}


def summary(record: dict) -> list[dict]:
    """Per variant: W1/floor and residual (median and worst over seeds), toward fraction (mean)."""
    rows = []
    for name, runs in record["runs"].items():
        ratios = np.array([r["w1_ratio"] for r in runs])
        rows.append({"variant": name, "seeds": len(runs), "w1_ratio_median": float(np.median(ratios)),
                     "w1_ratio_worst": float(ratios.max()),
                     "residual_median": float(np.median([r["median_residual"] for r in runs])),
                     "toward": float(np.mean([r["toward"] for r in runs]))})
    return rows


def load_results(path=None) -> dict:
    """The stored study (benchmarks/lesson01_measurements.py), verified against data/MANIFEST.json."""
    path = RESULTS_PATH if path is None else path
    regenerate = "Regenerate it with `python benchmarks/lesson01_measurements.py`."
    return artifacts.load_json(path, regenerate=regenerate, required=("runs", "centroids", "initial"),
                               kind="lesson 01's study")
