"""Minimax vs non-saturating generator loss on the quadratic-curve toy: lesson 05's measurements.

1. `saturation`: G held at its initial weights while D learns to reject its samples; the
   generator's gradient norm under each loss, on the same networks and latent batch, as D grows
   confident (after Arjovsky & Bottou 2017, figure 2).
2. `train_run` / `study`: full training under each loss with an equal budget of steps, over
   several seeds, in a balanced and a strong-discriminator regime, scored by W1 to real data
   beside the real-vs-real floor (`toy_metrics.toy_evaluator`).
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Iterable

import numpy as np
import tensorflow as tf

from gan_lessons import artifacts, losses, recipes, training

LOSSES = ("minimax", "non_saturating")
# Lesson 01's MLPs on the curve, narrower and on smaller batches so that 20 runs fit a lecture.
MODEL = {"hidden": (64, 64), "batch_size": 128, "learning_rate": 1e-3}
REGIMES = {
    "balanced": {"d_steps": 1},
    "strong_discriminator": {"d_steps": 5},  # five D updates per G update
}
CURVE_BLOCK = 50  # per-step curves are stored as means over blocks of this many steps
RESULTS_PATH = artifacts.DATA_DIR / "loss_comparison.json"
_REGENERATE = ("Rerun the study with `python benchmarks/loss_comparison.py` (it writes "
               "data/loss_comparison.json).")


def make_trainer(loss: str, regime: str, seed: int, eval_samples: int = 1000,
                 **overrides) -> training.Trainer:
    """recipes.curve_trainer with MODEL's sizes, `loss` ("minimax" | "non_saturating") and
    `regime` (a key of REGIMES); the same seed gives both losses the same initial networks."""
    if regime not in REGIMES:
        raise ValueError(f"unknown regime {regime!r}; choose one of {sorted(REGIMES)}")
    settings = {**MODEL, **REGIMES[regime], **overrides}
    return recipes.curve_trainer(seed=seed, objective=loss, eval_samples=eval_samples,
                                 track_features=False, **settings)


def generator_gradient_norm(generator, discriminator, latent_vectors, loss: str) -> float:
    """Global norm of d(generator loss)/d(G's weights) on latent_vectors (batch, latent_dim);
    the same quantity Trainer records as g_grad_norm. Updates nothing."""
    with tf.GradientTape() as tape:
        fake_logits = discriminator(generator(latent_vectors, training=True), training=True)
        value = losses.generator_loss(loss)(fake_logits)
    gradients = tape.gradient(value, generator.trainable_variables)
    return float(tf.linalg.global_norm(gradients))


def saturation(seed: int, checkpoints: Iterable[int] = (0, 10, 30, 100, 300, 1000),
               probe_size: int = 1024, learning_rate: float = 1e-3) -> dict[str, np.ndarray]:
    """Train D alone against G frozen at its initial weights; at each checkpoint (D updates so far)
    record the mean D(G(z)) and G's gradient norm under each loss on one fixed probe batch.

    Returns {"d_updates": (k,), "d_fake": (k,), "minimax": (k,), "non_saturating": (k,),
    "ratio": (k,) minimax / non_saturating}.
    """
    checkpoints = sorted(set(int(c) for c in checkpoints))
    if not checkpoints or checkpoints[0] < 0:
        raise ValueError("checkpoints must be non-negative numbers of D updates")
    trainer = make_trainer("non_saturating", "balanced", seed, learning_rate=learning_rate)
    probe = trainer.latent_vectors(probe_size, tf.constant([seed, 10**6], tf.int64))
    rows = []
    for update in range(checkpoints[-1] + 1):
        if update in checkpoints:
            d_fake = float(tf.reduce_mean(tf.sigmoid(trainer.discriminator(trainer.generator(probe)))))
            norms = [generator_gradient_norm(trainer.generator, trainer.discriminator, probe, loss)
                     for loss in LOSSES]
            rows.append((update, d_fake, *norms))
        if update < checkpoints[-1]:
            trainer.step.assign(update)  # a fresh real and generated batch for each D update
            trainer.discriminator_step()  # one D update; G is not touched
    d_updates, d_fake, minimax, non_saturating = (np.array(column) for column in zip(*rows))
    return {"d_updates": d_updates, "d_fake": d_fake, "minimax": minimax,
            "non_saturating": non_saturating, "ratio": minimax / non_saturating}


def _blocks(values: np.ndarray, block: int = CURVE_BLOCK) -> list[float]:
    n = len(values) // block * block
    return np.asarray(values[:n]).reshape(-1, block).mean(axis=1).tolist()


def train_run(loss: str, regime: str, seed: int, steps: int, eval_every: int,
              eval_samples: int = 1000) -> dict:
    """Train one seed under one loss and regime for `steps` steps; a JSON-ready summary.

    Keys: loss, regime, seed, steps, seconds; "evaluations" (step, w1, w1_floor, w1_ratio,
    median_residual lists); "curves" (d_fake, g_grad_norm: means over blocks of CURVE_BLOCK steps);
    final_w1_ratio, d_fake_end (last 10% of steps) and g_grad_norm_start (first 100 steps).
    """
    trainer = make_trainer(loss, regime, seed, eval_samples)
    start = time.perf_counter()
    history = trainer.train(steps, evaluate_every=eval_every, progress=False)
    seconds = time.perf_counter() - start
    table = {k: v.tolist() for k, v in history.evaluation_table().items()}
    ratio = np.asarray(table["w1_ratio"])
    tail = max(1, steps // 10)
    return {
        "loss": loss, "regime": regime, "seed": seed, "steps": steps, "seconds": round(seconds, 2),
        "evaluations": table,
        "curves": {name: _blocks(history[name]) for name in ("d_fake", "g_grad_norm")},
        "final_w1_ratio": float(ratio[-1]),
        "d_fake_end": float(history["d_fake"][-tail:].mean()),
        "g_grad_norm_start": float(history["g_grad_norm"][:100].mean()),
    }


def study(seeds: Iterable[int], steps: int, eval_every: int, eval_samples: int = 1000,
          regimes: Iterable[str] = tuple(REGIMES), log=None) -> dict:
    """`train_run` for every regime x loss x seed (the same budget each); {"runs": [...], ...}."""
    runs = []
    for regime in regimes:
        for seed in seeds:
            for loss in LOSSES:
                runs.append(train_run(loss, regime, seed, steps, eval_every, eval_samples))
                if log:
                    log(f"{regime} seed {seed} {loss}: W1/floor {runs[-1]['final_w1_ratio']:.2f} "
                        f"({runs[-1]['seconds']:.1f} s)")
    return {"steps": steps, "eval_every": eval_every, "eval_samples": eval_samples,
            "regimes": {r: REGIMES[r] for r in regimes}, "runs": runs}


def outcome_table(results: dict) -> list[dict]:
    """One row per (regime, loss): W1/floor at the end (mean, std, median over seeds), the median
    curve residual at the end (data units), D(G(z)) at the end and G's gradient norm early on."""
    rows = []
    for regime in results["regimes"]:
        for loss in LOSSES:
            runs = [r for r in results["runs"] if r["regime"] == regime and r["loss"] == loss]
            if not runs:
                continue
            final = np.array([r["final_w1_ratio"] for r in runs])
            rows.append({
                "regime": regime, "loss": loss, "seeds": len(runs),
                "w1_ratio_mean": float(final.mean()), "w1_ratio_std": float(final.std(ddof=0)),
                "w1_ratio_median": float(np.median(final)),
                "residual_median": float(np.median([r["evaluations"]["median_residual"][-1]
                                                    for r in runs])),
                "coverage_median": float(np.median([r["evaluations"].get("coverage", [np.nan])[-1]
                                                    for r in runs])),
                "d_fake_end": float(np.mean([r["d_fake_end"] for r in runs])),
                "g_grad_norm_start": float(np.mean([r["g_grad_norm_start"] for r in runs])),
            })
    return rows


def format_table(rows: list[dict]) -> str:
    """The outcome table as fixed-width text, numbers rounded for reading."""
    lines = [f"{'regime':<21}{'loss':<15}{'seeds':>5}{'W1/floor mean ± std':>21}{'median':>8}"
             f"{'residual':>10}{'coverage':>9}{'D(G(z))':>9}{'|grad G|':>10}",
             f"{'':<41}{'(end)':>21}{'':>8}{'(end)':>10}{'(end)':>9}{'(end)':>9}{'(start)':>10}"]
    for r in rows:
        lines.append(f"{r['regime']:<21}{r['loss']:<15}{r['seeds']:>5}"
                     f"{r['w1_ratio_mean']:>14.2f} ± {r['w1_ratio_std']:<4.2f}{r['w1_ratio_median']:>8.2f}"
                     f"{r['residual_median']:>10.0f}{r['coverage_median']:>9.2f}{r['d_fake_end']:>9.3f}"
                     f"{r['g_grad_norm_start']:>10.3f}")
    return "\n".join(lines)


def save_results(results: dict, path, command: str) -> None:
    """Write results as JSON with the command that made them and the machine it ran on."""
    record = {**results, "command": command, "machine": {
        "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(), "tensorflow": tf.__version__,
    }, "created": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    with open(path, "w") as file:
        json.dump(record, file, indent=1)
    artifacts.update_manifest(path)  # in data/: the shipped study's new SHA-256


def load_results(path=None) -> dict:
    """Read results written by save_results; by default the study benchmarks/loss_comparison.py
    stores in the repository's data/ folder (verified against data/MANIFEST.json)."""
    path = RESULTS_PATH if path is None else path
    return artifacts.load_json(path, regenerate=_REGENERATE, required=("runs", "regimes"),
                               kind="a loss-comparison results file")
