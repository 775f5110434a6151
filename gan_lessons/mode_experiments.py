"""Mode-collapse experiments: one GAN (plain or with a remedy) on a Gaussian mixture, and the
multi-seed comparison behind lesson 06's table (`benchmarks/mode_collapse.py` runs it in full)."""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import platform
import time
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from gan_lessons import artifacts, game, mixtures, mode_metrics, models, remedies, training

RESULTS_PATH: pathlib.Path = artifacts.DATA_DIR / "mode_collapse.json"


@dataclass(frozen=True)
class ExperimentConfig:
    """One budget for every remedy. Training runs `steps` generator steps: first at
    (g_learning_rate, d_learning_rate), then the last `final_fraction` at `final_learning_rate`
    for both networks (a step decay: precision on each mode needs small steps at the end).
    The default G learning rate is 4x D's: the regime where a plain GAN collapses."""

    steps: int = 6000
    batch_size: int = 256
    g_learning_rate: float = 2e-3
    d_learning_rate: float = 5e-4
    final_learning_rate: float = 1e-4
    final_fraction: float = 1 / 3
    latent_dim: int = 2
    generator_hidden: tuple[int, ...] = (128, 128, 128)
    discriminator_hidden: tuple[int, ...] = (256, 256)
    pack: int = 2  # samples per packed-discriminator input
    gp_weight: float = 10.0
    wgan_learning_rate: float = 1e-4  # WGAN-GP's usual Adam(1e-4, 0.5, 0.9), 5 critic steps
    wgan_critic_steps: int = 5
    eval_every: int = 500
    eval_samples: int = mode_metrics.PAPER_SAMPLES

    def __post_init__(self):
        if not 0 <= self.final_fraction < 1:
            raise ValueError(f"final_fraction must be in [0, 1), got {self.final_fraction}")
        if self.batch_size % self.pack:
            raise ValueError(f"batch_size ({self.batch_size}) must be divisible by pack ({self.pack})")

    def replace(self, **changes) -> ExperimentConfig:
        return dataclasses.replace(self, **changes)


def _check_remedy(remedy: str) -> str:
    if remedy not in remedies.REMEDIES:
        raise ValueError(f"unknown remedy {remedy!r}; choose one of {remedies.REMEDIES}")
    return remedy


def make_discriminator(remedy: str, config: ExperimentConfig, seed: int) -> keras.Model:
    """D (or WGAN critic) for `remedy`: samples (batch, 2) -> logits (batch / pack, 1)."""
    hidden = config.discriminator_hidden
    if _check_remedy(remedy) == "packing":
        return remedies.packed_discriminator(config.pack, hidden=hidden, seed=seed)
    if remedy == "minibatch_std":
        return remedies.minibatch_std_discriminator(hidden=hidden, seed=seed)
    return models.mlp_discriminator(2, hidden, feature_dim=None, seed=seed)


def make_trainer(mixture, remedy: str = "none", seed: int = 0,
                 config: ExperimentConfig | None = None) -> training.Trainer:
    """A Trainer (a WGAN-GP configuration of it for "wgan_gp") on `mixture` in standardised units, with the
    mode metrics of `config.eval_samples` samples as its evaluator. Weights seeded from `seed`.
    The trainer also carries `.mixture`, `.scaler` (data <-> training units) and `.remedy`."""
    config = config or ExperimentConfig()
    scaler = mixture.scaler()
    generator = models.mlp_generator(config.latent_dim, hidden=config.generator_hidden,
                                     activation="relu", seed=1000 * seed)
    discriminator = make_discriminator(remedy, config, seed=1000 * seed + 100)
    train_config = training.TrainConfig(
        batch_size=config.batch_size, d_learning_rate=config.d_learning_rate,
        g_learning_rate=config.g_learning_rate, seed=seed, chunk_size=config.eval_every)
    if remedy == "wgan_gp":
        rate = config.wgan_learning_rate
        train_config = train_config.replace(d_learning_rate=rate, g_learning_rate=rate, beta_2=0.9,
                                            d_steps=config.wgan_critic_steps, objective="wasserstein",
                                            regularisers=(game.GradientPenalty(config.gp_weight),))
    evaluate = mode_metrics.mode_evaluator(mixture, scaler, n=config.eval_samples)
    trainer = training.Trainer(generator, discriminator, mixture.sampler(scaler), train_config, evaluate)
    trainer.mixture, trainer.scaler, trainer.remedy = mixture, scaler, remedy
    return trainer


def train(trainer: training.Trainer, config: ExperimentConfig, callback=None) -> training.History:
    """Run the config's schedule on a fresh trainer: the main phase, then the final phase at
    `final_learning_rate` (both networks), evaluating every `eval_every` steps."""
    final = int(round(config.steps * config.final_fraction))
    main = config.steps - final
    trainer.train(main, evaluate_every=config.eval_every, progress=False, callback=callback)
    if final:
        rate = min(config.final_learning_rate, trainer.config.g_learning_rate)
        trainer.set_learning_rates(d=min(rate, trainer.config.d_learning_rate), g=rate)
        trainer.train(final, evaluate_every=config.eval_every, progress=False, callback=callback)
    return trainer.history


def generated(trainer, n: int = mode_metrics.PAPER_SAMPLES, seed: int = 777) -> np.ndarray:
    """n generated samples in data units: (n, 2)."""
    return trainer.scaler.inverse_transform(trainer.generate(n, seed=seed))


def run(distribution: str, remedy: str, seed: int, config: ExperimentConfig | None = None,
        w1: bool = True) -> dict:
    """Train one GAN; returns its final mode metrics (2,500 samples), W1 with floor, wall time,
    and the evaluation history (modes, high quality, KL, per-mode counts at each evaluation)."""
    config = config or ExperimentConfig()
    mixture = mixtures.by_name(distribution)
    start = time.perf_counter()
    trainer = make_trainer(mixture, remedy, seed, config)
    history = train(trainer, config)
    seconds = time.perf_counter() - start
    samples = generated(trainer, config.eval_samples)
    final = mode_metrics.report(samples, mixture)
    table = history.evaluation_table()
    result = {
        "distribution": distribution, "remedy": remedy, "seed": seed, "seconds": seconds,
        "modes": final.modes_captured, "n_modes": final.n_modes,
        "high_quality": final.high_quality, "kl": final.kl, "counts": final.counts.tolist(),
        "history": {"step": table["step"].tolist(), "modes": table["modes"].tolist(),
                    "high_quality": table["high_quality"].tolist(), "kl": table["kl"].tolist(),
                    "mode_counts": np.asarray(table["mode_counts"]).tolist(),
                    "nearest_counts": np.asarray(table["nearest_counts"]).tolist()},
    }
    if w1:
        result.update(mode_metrics.w1_with_floor(samples, mixture))
    return result


def compare(distributions=("ring", "grid"), remedies_=("none", "packing", "minibatch_std"),
            seeds=(0, 1, 2, 3, 4), config: ExperimentConfig | None = None, w1: bool = True,
            log=print) -> list[dict]:
    """`run` for every distribution x remedy x seed (same seeds, same config): a list of results."""
    config = config or ExperimentConfig()
    results = []
    for distribution in distributions:
        for remedy in remedies_:
            for seed in seeds:
                result = run(distribution, _check_remedy(remedy), seed, config, w1=w1)
                results.append(result)
                if log:
                    log(f"{distribution:5s} {remedy:14s} seed {seed}: {result['modes']:2d}/"
                        f"{result['n_modes']} modes, {100 * result['high_quality']:5.1f}% HQ, "
                        f"KL {result['kl']:.3f}, {result['seconds']:.0f} s")
    return results


def dominant_modes(history: dict, key: str = "nearest_counts") -> np.ndarray:
    """The mode nearest to most samples at each evaluation: (m,). With key="mode_counts", the
    mode holding most high-quality samples (-1 where there are none)."""
    counts = np.asarray(history[key])
    return np.where(counts.sum(axis=1) > 0, counts.argmax(axis=1), -1)


def hops(history: dict, key: str = "nearest_counts") -> int:
    """How often the dominant mode changed from one evaluation to the next (gaps skipped)."""
    dominant = [m for m in dominant_modes(history, key) if m >= 0]
    return int(sum(a != b for a, b in zip(dominant, dominant[1:])))


def summarise(results: list[dict]) -> list[dict]:
    """Mean and standard deviation over seeds of modes, high quality (%), KL, wall time and (where
    measured) W1 and its floor, per (distribution, remedy), in first-seen order."""
    groups: dict[tuple, list[dict]] = {}
    for result in results:
        groups.setdefault((result["distribution"], result["remedy"]), []).append(result)
    rows = []
    for (distribution, remedy), group in groups.items():
        row = {"distribution": distribution, "remedy": remedy, "seeds": len(group),
               "n_modes": group[0]["n_modes"]}
        keys = ["modes", "high_quality", "kl", "seconds"]
        if all("w1" in r for r in group):
            keys += ["w1", "w1_floor"]
        for key in keys:
            scale = 100 if key == "high_quality" else 1
            values = scale * np.array([r[key] for r in group], np.float64)
            row[key] = float(values.mean())
            row[key + "_std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        rows.append(row)
    return rows


def format_table(rows: list[dict]) -> str:
    """A Markdown table of `summarise` rows: mean ± standard deviation over seeds."""
    with_w1 = all("w1" in r for r in rows)
    lines = ["| distribution | remedy | seeds | modes captured | high quality % | KL (nats) | "
             + ("W1 (real-vs-real floor) | " if with_w1 else "") + "s/run |",
             "|---|---|---|---|---|---|---|" + ("---|" if with_w1 else "")]
    for r in rows:
        w1 = f"{r['w1']:.3f} ± {r['w1_std']:.3f} ({r['w1_floor']:.3f}) | " if with_w1 else ""
        lines.append(
            f"| {r['distribution']} | {r['remedy']} | {r['seeds']} | "
            f"{r['modes']:.1f} ± {r['modes_std']:.1f} / {r['n_modes']} | "
            f"{r['high_quality']:.1f} ± {r['high_quality_std']:.1f} | "
            f"{r['kl']:.3f} ± {r['kl_std']:.3f} | {w1}{r['seconds']:.0f} |")
    return "\n".join(lines)


def save_results(results: list[dict], config: ExperimentConfig, path, command: str,
                 seconds: float) -> dict:
    """Write every run's results, the summary, the config, the command, the machine and the date
    as JSON; returns the record written."""
    record = {
        "results": results, "summary": summarise(results), "config": dataclasses.asdict(config),
        "command": command, "seconds": round(seconds, 1), "machine": {
            "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "tensorflow": tf.__version__},
        "created": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    with open(path, "w") as file:
        json.dump(record, file, indent=1)
    return record


def load_results(path=None) -> dict:
    """Read a record written by save_results (benchmarks/mode_collapse.py); by default the one the
    course ships, RESULTS_PATH."""
    path = RESULTS_PATH if path is None else path
    with open(path) as file:
        record = json.load(file)
    if not {"results", "summary", "config"} <= set(record):
        raise ValueError(f"{path} is not a mode-collapse results file; rerun "
                         "`python benchmarks/mode_collapse.py`")
    return record


def config_from(record: dict) -> ExperimentConfig:
    """The ExperimentConfig a stored record was made with (tuples restored)."""
    fields = dict(record["config"])
    for name in ("generator_hidden", "discriminator_hidden"):
        fields[name] = tuple(fields[name])
    return ExperimentConfig(**fields)
