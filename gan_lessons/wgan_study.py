"""Lesson 07's measurements: WGAN-GP beside a plain GAN on lesson 06's ring and grid (mode_metrics,
>= 5 seeds, 2,500 samples), beside the published WGAN-GP row and uniform noise's ceiling; and
WGAN-GP against the non-saturating DCGAN on Fashion-MNIST. `benchmarks/wgan_toys.py` runs the toy
study in full and stores it in data/wgan_toys.json; the lecture loads it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import platform
import time
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from gan_lessons import (
    artifacts,
    dcgan,
    fashion_mnist,
    mixtures,
    mode_experiments,
    mode_metrics,
    models,
    training,
    validation,
    wasserstein,
)

RESULTS_PATH: pathlib.Path = artifacts.DATA_DIR / "wgan_toys.json"
METHODS = ("gan", "wgan_gp")
# GDPP (Elfeki et al. 2019), Table 1, the WGAN-GP row: 2,500 samples, high quality within 3 std.
PUBLISHED = {"ring": {"modes": 6.8, "n_modes": 8, "high_quality": 59.6},
             "grid": {"modes": 24.2, "n_modes": 25, "high_quality": 28.7}}
NOISE_BOX = {"ring": 3.0, "grid": 4.5}  # half-width (data units) of the box uniform noise fills
REGENERATE = ("Regenerate it with `python benchmarks/wgan_toys.py` (ring and grid in parallel: see its "
              "docstring; about 20 minutes on 2 CPU cores), or set rerun_study = True.")


@dataclass(frozen=True)
class StudyConfig:
    """One budget for both methods: `steps` generator steps, the last `final_fraction` of them at
    `final_learning_rate` (both networks; precision on each mode needs small steps at the end).
    The same MLPs for both: a ReLU generator and a LeakyReLU critic / discriminator.

    Measured on seed 0 of the grid (4,000 steps): lambda 1 beat the paper's 0.1 (19.4% vs 17.4% high
    quality with a 3x128 generator) and 10 failed (6/25 modes); a 3x256 generator took lambda 1 from
    19.4% to 68.9%; Adam 3e-4 with beta_1 0.5 and a step decay beat the paper's 1e-4, beta_1 0 (13.3%
    against 8.2% after 2,000 steps with a 3x256 critic)."""

    steps: int = 4000
    batch_size: int = 256
    latent_dim: int = 2
    generator_hidden: tuple[int, ...] = (256, 256, 256)
    critic_hidden: tuple[int, ...] = (128, 128, 128)
    penalty_weight: float = 1.0  # WGAN-GP's lambda (the paper: 0.1 on its 2-D toys)
    critic_steps: int = 5
    wgan_learning_rate: float = 3e-4  # Adam, betas (wgan_beta_1, 0.9)
    wgan_beta_1: float = 0.5
    gan_learning_rate: float = 2e-4  # Adam, beta_1 0.5 (the DCGAN paper's)
    final_learning_rate: float = 3e-5
    final_fraction: float = 0.25
    eval_every: int = 500
    eval_samples: int = mode_metrics.PAPER_SAMPLES
    track_samples: int = 1000  # WGAN-GP: critic estimate and exact W1 on this many samples

    def __post_init__(self):
        validation.number("final_fraction", self.final_fraction, 0, 1, high_open=True)
        validation.positive_integer("steps", self.steps)

    def replace(self, **changes) -> StudyConfig:
        return dataclasses.replace(self, **changes)


def _evaluator(mixture, scaler, method: str, config: StudyConfig):
    modes = mode_metrics.mode_evaluator(mixture, scaler, n=config.eval_samples)
    if method != "wgan_gp":
        return modes
    track = wasserstein.estimate_tracker(mixture.sampler(scaler), n=config.track_samples)
    return lambda trainer: {**modes(trainer), **track(trainer)}


def make_trainer(mixture, method: str, seed: int, config: StudyConfig) -> training.Trainer:
    """A Trainer on `mixture` in standardised units for "gan" (non-saturating) or "wgan_gp", evaluated
    by the mode metrics (and, for WGAN-GP, the critic estimate against exact W1). Carries .scaler."""
    validation.choice("method", method, METHODS)
    scaler = mixture.scaler()
    common = {"batch_size": config.batch_size, "seed": seed, "chunk_size": config.eval_every}
    if method == "wgan_gp":
        train_config = wasserstein.wgan_config(
            "penalty", config.critic_steps, config.penalty_weight, d_learning_rate=config.wgan_learning_rate,
            g_learning_rate=config.wgan_learning_rate, beta_1=config.wgan_beta_1, **common)
    else:
        train_config = training.TrainConfig(d_learning_rate=config.gan_learning_rate,
                                            g_learning_rate=config.gan_learning_rate, beta_1=0.5, **common)
    generator = models.mlp_generator(config.latent_dim, 2, config.generator_hidden, activation="relu",
                                     seed=1000 * seed)
    critic = wasserstein.mlp_critic(2, config.critic_hidden, seed=1000 * seed + 100)
    trainer = training.Trainer(generator, critic, mixture.sampler(scaler), train_config,
                               _evaluator(mixture, scaler, method, config))
    trainer.scaler, trainer.mixture, trainer.method = scaler, mixture, method
    return trainer


def train(trainer: training.Trainer, config: StudyConfig, callback=None) -> training.History:
    """The config's schedule: the main phase, then the final phase at final_learning_rate."""
    final = int(round(config.steps * config.final_fraction))
    trainer.train(config.steps - final, evaluate_every=config.eval_every, progress=False, callback=callback)
    if final:
        trainer.set_learning_rates(d=config.final_learning_rate, g=config.final_learning_rate)
        trainer.train(final, evaluate_every=config.eval_every, progress=False, callback=callback)
    return trainer.history


def run(distribution: str, method: str, seed: int, config: StudyConfig) -> dict:
    """Train one model; its final mode metrics on 2,500 samples, W1 with floor, wall time, and the
    evaluations (modes, high quality, and for WGAN-GP the critic estimate and exact W1)."""
    mixture = mixtures.by_name(distribution)
    start = time.perf_counter()
    trainer = make_trainer(mixture, method, seed, config)
    train(trainer, config)
    seconds = time.perf_counter() - start
    samples = mode_experiments.generated(trainer, config.eval_samples)
    final = mode_metrics.report(samples, mixture)
    keys = ["step", "modes", "high_quality", "kl"]
    keys += ["critic_estimate", "exact_w1"] if method == "wgan_gp" else []
    history = {k: [float(e[k]) for e in trainer.history.evaluations] for k in keys}
    return {"distribution": distribution, "method": method, "seed": seed, "seconds": seconds,
            "modes": final.modes_captured, "n_modes": final.n_modes, "high_quality": final.high_quality,
            "kl": final.kl, "counts": final.counts.tolist(), "history": history,
            **mode_metrics.w1_with_floor(samples, mixture)}


def compare(distributions=("ring", "grid"), methods=METHODS, seeds=range(5),
            config: StudyConfig | None = None, log=print) -> list[dict]:
    """`run` for every distribution x method x seed with one config: a list of results."""
    config = config or StudyConfig()
    results = []
    for distribution in distributions:
        for method in methods:
            for seed in seeds:
                result = run(distribution, method, seed, config)
                results.append(result)
                if log:
                    log(f"{distribution:5s} {method:8s} seed {seed}: {result['modes']:2d}/"
                        f"{result['n_modes']} modes, {100 * result['high_quality']:5.1f}% HQ, "
                        f"KL {result['kl']:.3f}, {result['seconds']:.0f} s")
    return results


def noise_ceiling(distribution: str, n: int = mode_metrics.PAPER_SAMPLES, seeds=range(10)) -> dict:
    """What uniform noise over the box +/- NOISE_BOX[distribution] scores: modes captured and high
    quality (%) as mean and std over `seeds` draws of n points."""
    mixture, half = mixtures.by_name(distribution), NOISE_BOX[distribution]
    reports = [mode_metrics.report(np.random.default_rng(s).uniform(-half, half, (n, 2)), mixture)
               for s in seeds]
    modes = np.array([r.modes_captured for r in reports], np.float64)
    quality = 100 * np.array([r.high_quality for r in reports])
    return {"distribution": distribution, "box": half, "modes": float(modes.mean()),
            "modes_std": float(modes.std(ddof=1)), "high_quality": float(quality.mean()),
            "high_quality_std": float(quality.std(ddof=1)), "n_modes": mixture.n_modes}


def summarise(results: list[dict]) -> list[dict]:
    """Mean and std over seeds of modes, high quality (%), KL, W1 and seconds per (distribution,
    method), in first-seen order."""
    groups: dict[tuple, list[dict]] = {}
    for result in results:
        groups.setdefault((result["distribution"], result["method"]), []).append(result)
    rows = []
    for (distribution, method), group in groups.items():
        row = {"distribution": distribution, "method": method, "seeds": len(group),
               "n_modes": group[0]["n_modes"]}
        for key in ("modes", "high_quality", "kl", "w1", "w1_floor", "seconds"):
            values = (100 if key == "high_quality" else 1) * np.array([r[key] for r in group], np.float64)
            row[key] = float(values.mean())
            row[key + "_std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        rows.append(row)
    return rows


def format_table(rows: list[dict], ceilings: dict | None = None) -> str:
    """A Markdown table of `summarise` rows, with the published WGAN-GP row and the noise ceiling."""
    lines = ["| distribution | method | seeds | modes captured | high quality % | KL (nats) | W1 (floor) "
             "| s/run |",
             "|---|---|---|---|---|---|---|---|"]
    for name in dict.fromkeys(r["distribution"] for r in rows):
        for r in (r for r in rows if r["distribution"] == name):
            lines.append(f"| {name} | {r['method']} | {r['seeds']} | {r['modes']:.1f} ± "
                         f"{r['modes_std']:.1f} / {r['n_modes']} | {r['high_quality']:.1f} ± "
                         f"{r['high_quality_std']:.1f} | "
                         f"{r['kl']:.3f} ± {r['kl_std']:.3f} | {r['w1']:.3f} ({r['w1_floor']:.3f}) | "
                         f"{r['seconds']:.0f} |")
        p = PUBLISHED[name]
        lines.append(f"| {name} | WGAN-GP, published (GDPP) | | {p['modes']} / {p['n_modes']} | "
                     f"{p['high_quality']} | | | |")
        if ceilings and name in ceilings:
            c = ceilings[name]
            lines.append(f"| {name} | uniform noise, box ±{c['box']:g} | | {c['modes']:.1f} ± "
                         f"{c['modes_std']:.1f} / {c['n_modes']} | {c['high_quality']:.1f} ± "
                         f"{c['high_quality_std']:.1f} | | | |")
    return "\n".join(lines)


def verdict(rows: list[dict]) -> dict[str, bool]:
    """Per distribution: does WGAN-GP's mean match or beat the published row on modes and quality?"""
    out = {}
    for r in rows:
        if r["method"] == "wgan_gp":
            p = PUBLISHED[r["distribution"]]
            out[r["distribution"]] = r["modes"] >= p["modes"] and r["high_quality"] >= p["high_quality"]
    return out


def tracking(results: list[dict]) -> list[dict]:
    """Per WGAN-GP run: the correlation of the critic estimate with exact W1 over its evaluations
    after the first (at step 0 the critic is untrained: its estimate is noise) and the final ratio
    estimate / W1."""
    out = []
    for r in results:
        if r["method"] == "wgan_gp":
            evaluations = [dict(zip(r["history"], values)) for values in zip(*r["history"].values())]
            out.append({"distribution": r["distribution"], "seed": r["seed"],
                        **wasserstein.tracking_summary(evaluations, skip_first=True)})
    return out


def save_results(results: list[dict], config: StudyConfig, path, command: str, seconds: float) -> dict:
    """Write the runs, the summary, the noise ceilings, the config, command, machine and date as JSON."""
    record = {
        "results": results, "summary": summarise(results),
        "ceilings": {name: noise_ceiling(name) for name in dict.fromkeys(r["distribution"] for r in results)},
        "published": PUBLISHED, "config": dataclasses.asdict(config), "command": command,
        "seconds": round(seconds, 1), "machine": {
            "platform": platform.platform(), "cpu_count": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()], "python": platform.python_version(),
            "tensorflow": tf.__version__},
        "created": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    write(record, path)
    return record


def write(record: dict, path) -> None:
    """Write a study record as JSON; in data/, record its new SHA-256 in data/MANIFEST.json."""
    with open(path, "w") as file:
        json.dump(record, file, indent=1)
        file.write("\n")
    artifacts.update_manifest(path)


def merge(records: list[dict], command: str) -> dict:
    """One record from studies run in parallel (say the ring and the grid in two processes) with the
    same config: their runs joined, the summary and ceilings recomputed, wall time the longest."""
    configs = [r["config"] for r in records]
    if any(c != configs[0] for c in configs):
        raise ValueError("the studies were run with different configs: rerun them with one")
    results = [run for record in records for run in record["results"]]
    merged = dict(records[0], results=results, summary=summarise(results), command=command,
                  seconds=max(r["seconds"] for r in records), parts=[r["command"] for r in records])
    names = dict.fromkeys(r["distribution"] for r in results)
    merged["ceilings"] = {name: noise_ceiling(name) for name in names}
    return merged


def load_results(path=None) -> dict:
    """A record written by save_results; by default the course's data/wgan_toys.json, checked against
    data/MANIFEST.json (artifacts.load_json: an edited study is refused)."""
    path = RESULTS_PATH if path is None else pathlib.Path(path)
    required = ("results", "summary", "config", "ceilings")
    return artifacts.load_json(path, regenerate=REGENERATE, required=required, kind="a lesson 07 study")


def config_from(record: dict) -> StudyConfig:
    """The StudyConfig a stored record was made with (tuples restored)."""
    fields = dict(record["config"])
    for name in ("generator_hidden", "critic_hidden"):
        fields[name] = tuple(fields[name])
    return StudyConfig(**fields)


# ---- Fashion-MNIST ---------------------------------------------------------------------------------
def image_trainer(images, method: str = "wgan_gp", seed: int = 0, evaluate=None, settings: dict | None = None,
                  chunk_size: int = 25, **wgan) -> training.Trainer:
    """The lecture DCGAN (dcgan.LECTURE) as "dcgan" (non-saturating, dropout in D) or as "wgan_gp": the
    same generator, the same discriminator body with dropout 0 as critic, WGAN-GP with lambda 10 at
    the lecture model's Adam rate and beta_1 (1e-3, 0.5) with beta_2 0.9 (wgan: overrides of
    wasserstein.wgan_config). Measured on seed 0 (300 steps, n = 500): Frechet distance 139 at the
    paper's Adam 1e-4, betas (0, 0.9); 95 at 5e-4, beta_1 0.5; 71 at 1e-3, beta_1 0.5."""
    validation.choice("method", method, ("dcgan", "wgan_gp"))
    settings = {**dcgan.LECTURE, **(settings or {})}
    if method == "dcgan":
        return dcgan.make_trainer(images, settings, seed=seed, evaluate=evaluate, chunk_size=chunk_size)
    generator = dcgan.dcgan_generator(settings["latent_dim"], settings["width"], settings["kernel_size"],
                                      seed=seed)
    critic = dcgan.dcgan_discriminator(settings["d_width"], 0.0, settings["kernel_size"], seed=seed + 100,
                                       name="critic")
    options = {"penalty_weight": 10.0, "batch_size": settings["batch_size"], "seed": seed,
               "chunk_size": chunk_size, "d_learning_rate": settings["learning_rate"],
               "g_learning_rate": settings["learning_rate"], "beta_1": settings["beta_1"], **wgan}
    config = wasserstein.wgan_config("penalty", **options)
    return training.Trainer(generator, critic, fashion_mnist.sampler(images, flatten=False), config, evaluate)


def image_evaluator(scorer, real_images, seed: int = 2024):
    """evaluate(trainer) for image GANs: the scorer's metrics of n samples and, for a critic, its
    estimate E f(real) - E f(fake) on n held-out real images (uint8) and the same n samples."""
    real = np.asarray(real_images)[:scorer.n].astype(np.float32)[..., None] / 127.5 - 1.0  # (n, 28, 28, 1)

    def evaluate(trainer) -> dict:
        samples = trainer.generate(scorer.n, seed=seed)
        result = scorer.score(samples)
        if not trainer.objective.probabilities:
            result["critic_estimate"] = wasserstein.critic_estimate(trainer.discriminator, real, samples)
        return result

    return evaluate


class TrainingClock:
    """Training wall time of a run with evaluations excluded: `clock.wrap(evaluate)` adds "seconds"
    (since the first evaluation, at step 0) to every evaluation."""

    def __init__(self):
        self.start: float | None = None
        self.excluded = 0.0

    def wrap(self, evaluate):
        def timed(trainer) -> dict:
            began = time.perf_counter()
            self.start = began if self.start is None else self.start
            result = {**evaluate(trainer), "seconds": began - self.start - self.excluded}
            self.excluded += time.perf_counter() - began
            return result

        return timed
