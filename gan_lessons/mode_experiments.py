"""Lesson 06's mode-collapse experiments: one GAN (plain or with a remedy) on a Gaussian mixture,
under one of two settings, and the multi-seed study behind lesson 06's table
(`benchmarks/mode_collapse.py` runs it; data/mode_collapse.json stores it).

- `LIVE` (the default): small MLPs a lecture trains in seconds; the plain GAN collapses and hops.
- `PACGAN`: PacGAN's Table 1 setting (Lin et al. 2018): G 4x400 ReLU + batch norm, D 3x200 maxout
  with 5 pieces, 2-D Gaussian latent, D fed packs of 4 samples for PacGAN4, at a CPU budget.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import pathlib
import platform
import time
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from gan_lessons import artifacts, mixtures, mode_metrics, models, remedies, toy, training, validation

RESULTS_PATH: pathlib.Path = artifacts.DATA_DIR / "mode_collapse.json"
GENERATORS = ("mlp", "batch_norm", "affine")  # ReLU MLP | PacGAN's Dense -> BN -> ReLU | A z + b
DISCRIMINATORS = ("mlp", "maxout")  # LeakyReLU MLP | PacGAN's maxout layers


@dataclass(frozen=True)
class ExperimentConfig:
    """One setting and budget, the same for every remedy. Training runs `steps` generator steps:
    the last `final_fraction` of them with both learning rates times `final_scale` (a step decay:
    precision on each mode needs small steps at the end).

    batch_size counts D's inputs per batch, as in PacGAN's code: a packed D (pack m) sees
    batch_size packs of m real samples and batch_size packs of m generated ones.
    """

    steps: int = 3000
    batch_size: int = 128
    g_learning_rate: float = 2e-3
    d_learning_rate: float = 5e-4
    beta_1: float = 0.5
    final_fraction: float = 1 / 3
    final_scale: float = 0.1
    latent_dim: int = 2
    generator: str = "mlp"
    generator_hidden: tuple[int, ...] = (128, 128, 128)
    discriminator: str = "mlp"
    discriminator_hidden: tuple[int, ...] = (256, 256)
    maxout_pieces: int = 5
    pack: int = 2  # samples per packed-discriminator input (PacGAN2; PACGAN uses 4)
    standardise: bool = True  # train in standardised units; False: in data units, as PacGAN's code
    eval_every: int = 250
    eval_samples: int = mode_metrics.PAPER_SAMPLES

    def __post_init__(self):
        v = validation
        v.normalise(
            self, steps=v.positive_integer("steps", self.steps),
            batch_size=v.positive_integer("batch_size", self.batch_size),
            g_learning_rate=v.number("g_learning_rate", self.g_learning_rate, 0, 1, True),
            d_learning_rate=v.number("d_learning_rate", self.d_learning_rate, 0, 1, True),
            beta_1=v.number("beta_1", self.beta_1, 0, 1, high_open=True),
            final_fraction=v.number("final_fraction", self.final_fraction, 0, 1, high_open=True),
            final_scale=v.number("final_scale", self.final_scale, 0, 1, True),
            latent_dim=v.positive_integer("latent_dim", self.latent_dim),
            generator=v.choice("generator", self.generator, GENERATORS),
            generator_hidden=self._generator_hidden(),
            discriminator=v.choice("discriminator", self.discriminator, DISCRIMINATORS),
            discriminator_hidden=models.check_sizes("discriminator_hidden", self.discriminator_hidden),
            maxout_pieces=v.positive_integer("maxout_pieces", self.maxout_pieces),
            pack=v.positive_integer("pack", self.pack),
            standardise=v.boolean("standardise", self.standardise),
            eval_every=v.positive_integer("eval_every", self.eval_every),
            eval_samples=v.positive_integer("eval_samples", self.eval_samples))

    def _generator_hidden(self) -> tuple:
        if self.generator == "affine":  # no hidden layer: one Gaussian blob, moved and shaped
            if tuple(self.generator_hidden):
                raise ValueError("an affine generator has no hidden layers: set generator_hidden=()")
            return ()
        return models.check_sizes("generator_hidden", self.generator_hidden)

    def replace(self, **changes) -> ExperimentConfig:
        return dataclasses.replace(self, **changes)


LIVE = ExperimentConfig()  # the dashboard's and section 5's: G 3x128 ReLU outpaces D 2x256 LeakyReLU
# Collapse in its plainest form: an affine G (one Gaussian blob) driven by the game onto one mode.
COLLAPSE = ExperimentConfig(batch_size=256, g_learning_rate=4e-3, d_learning_rate=2e-3, generator="affine",
                            generator_hidden=())
# PacGAN's code (github.com/fjxmlzn/PacGAN, synthetic_data_experiments): Adam 1e-4, beta_1 0.8, batch
# 100 packs, 400 epochs of 100,000 samples (400,000 updates), D and G updated simultaneously, data
# units, weights N(0, 0.02^2). Kept: the networks and their initialisation, the latent, data units,
# the 2,500-sample metrics. Changed to fit a shared 2-core CPU: batches of 64, 2,000 alternating
# updates (0.5% of the paper's), the first 1,333 at Adam 1e-3 (beta_1 0.5), the last 667 at the
# paper's 1e-4.
PACGAN = ExperimentConfig(
    steps=2000, batch_size=64, g_learning_rate=1e-3, d_learning_rate=1e-3, beta_1=0.5,
    final_fraction=1 / 3, final_scale=0.1, generator="batch_norm", generator_hidden=(400,) * 4,
    discriminator="maxout", discriminator_hidden=(200,) * 3, maxout_pieces=5, pack=4,
    standardise=False, eval_every=250)


def _check_remedy(remedy: str) -> str:
    return validation.choice("remedy", remedy, remedies.REMEDIES)


def pack_of(remedy: str, config: ExperimentConfig) -> int:
    """Samples per D input: config.pack for "packing", else 1."""
    return config.pack if _check_remedy(remedy) == "packing" else 1


def make_generator(config: ExperimentConfig, seed: int) -> keras.Model:
    """G of the setting: latent (batch, latent_dim) -> samples (batch, 2)."""
    if config.generator == "batch_norm":
        return remedies.batch_norm_generator(config.latent_dim, hidden=config.generator_hidden, seed=seed)
    if config.generator == "affine":
        latent_vectors = keras.Input((config.latent_dim,), name="latent_vectors")
        samples = models.dense(2, seed, "samples")(latent_vectors)
        return keras.Model(latent_vectors, samples, name="affine_generator")
    return models.mlp_generator(config.latent_dim, hidden=config.generator_hidden, activation="relu",
                                seed=seed)


def make_discriminator(remedy: str, config: ExperimentConfig, seed: int) -> keras.Model:
    """D for `remedy` in the setting: samples (batch, 2) -> logits (batch / pack, 1)."""
    hidden, pack = config.discriminator_hidden, pack_of(remedy, config)
    if remedy == "minibatch_std":
        if config.discriminator == "maxout":
            raise ValueError("the minibatch-std remedy is built on the LeakyReLU MLP: use "
                             "discriminator='mlp' for it")
        return remedies.minibatch_std_discriminator(hidden=hidden, seed=seed)
    if config.discriminator == "maxout":
        return remedies.maxout_discriminator(pack, hidden=hidden, pieces=config.maxout_pieces, seed=seed)
    if pack > 1:
        return remedies.packed_discriminator(pack, hidden=hidden, seed=seed)
    return models.mlp_discriminator(2, hidden, feature_dim=None, seed=seed)


def make_trainer(mixture, remedy: str = "none", seed: int = 0,
                 config: ExperimentConfig | None = None) -> training.Trainer:
    """A Trainer for `remedy` on `mixture` (standardised or data units), the non-saturating loss, with the
    mode metrics of `config.eval_samples` samples as its evaluator. Weights seeded from `seed`.
    The trainer also carries `.mixture`, `.scaler` (data <-> training units), `.remedy` and
    `.eval_samples`."""
    config = config or LIVE
    scaler = mixture.scaler() if config.standardise else toy.Scaler(mean=np.zeros(2), scale=np.ones(2))
    generator = make_generator(config, seed=1000 * seed)
    discriminator = make_discriminator(remedy, config, seed=1000 * seed + 100)
    train_config = training.TrainConfig(
        batch_size=config.batch_size * pack_of(remedy, config), d_learning_rate=config.d_learning_rate,
        g_learning_rate=config.g_learning_rate, beta_1=config.beta_1, seed=seed,
        chunk_size=config.eval_every)
    evaluate = mode_metrics.mode_evaluator(mixture, scaler, n=config.eval_samples)
    trainer = training.Trainer(generator, discriminator, mixture.sampler(scaler), train_config, evaluate)
    trainer.mixture, trainer.scaler, trainer.remedy = mixture, scaler, remedy
    trainer.eval_samples = config.eval_samples
    return trainer


def final_steps(config: ExperimentConfig) -> int:
    """How many of config.steps run at the final (decayed) learning rates."""
    return int(round(config.steps * config.final_fraction))


def train(trainer: training.Trainer, config: ExperimentConfig, callback=None) -> training.History:
    """Run the config's schedule on a fresh trainer: the main phase, then the final phase at
    final_scale times both learning rates, evaluating every `eval_every` steps."""
    final = final_steps(config)
    trainer.train(config.steps - final, evaluate_every=config.eval_every, progress=False, callback=callback)
    if final:
        trainer.set_learning_rates(d=config.final_scale * config.d_learning_rate,
                                   g=config.final_scale * config.g_learning_rate)
        trainer.train(final, evaluate_every=config.eval_every, progress=False, callback=callback)
    return trainer.history


def generated(trainer, n: int = mode_metrics.PAPER_SAMPLES, seed: int = 777) -> np.ndarray:
    """n generated samples in data units: (n, 2)."""
    return trainer.scaler.inverse_transform(trainer.generate(n, seed=seed))


HISTORY_KEYS = ("step", "modes", "covered", "high_quality", "kl", "mode_counts", "nearest_counts")


def run(distribution: str, remedy: str, seed: int, config: ExperimentConfig | None = None,
        w1: bool = True) -> dict:
    """Train one GAN; returns its final mode metrics (eval_samples samples), W1 with floor, wall
    time, and the evaluation history (modes captured and covered, high quality, KL, per-mode counts)."""
    config = config or LIVE
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
        "modes": final.modes_captured, "covered": final.modes_covered, "n_modes": final.n_modes,
        "high_quality": final.high_quality, "kl": final.kl, "counts": final.counts.tolist(),
        "history": {key: np.asarray(table[key]).tolist() for key in HISTORY_KEYS},
    }
    if w1:
        result.update(mode_metrics.w1_with_floor(samples, mixture))
    return result


def _run_job(job) -> dict:
    return run(*job)


def _one_thread():
    """A worker process of compare(): one TensorFlow thread, so that workers do not contend."""
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def compare(distributions=("ring", "grid"), remedies_=("none", "packing"), seeds=(0, 1, 2, 3, 4),
            config: ExperimentConfig | None = None, w1: bool = True, log=print,
            workers: int = 1) -> list[dict]:
    """`run` for every distribution x remedy x seed (same seeds, same config): a list of results in
    that order. workers > 1 trains that many runs at once in separate processes (each run is a
    function of its seed alone)."""
    config = config or PACGAN
    jobs = [(d, _check_remedy(r), seed, config, w1)
            for d in distributions for r in remedies_ for seed in seeds]
    if workers > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(workers, initializer=_one_thread) as pool:
            outputs = pool.imap(_run_job, jobs)
            results = [_logged(result, log) for result in outputs]
    else:
        results = [_logged(_run_job(job), log) for job in jobs]
    return results


def _logged(result: dict, log) -> dict:
    if log:
        log(f"{result['distribution']:5s} {result['remedy']:14s} seed {result['seed']}: "
            f"{result['modes']:2d}/{result['n_modes']} modes ({result['covered']} covered), "
            f"{100 * result['high_quality']:5.1f}% HQ, KL {result['kl']:.3f}, {result['seconds']:.0f} s")
    return result


def dominant_modes(history: dict, key: str = "nearest_counts") -> np.ndarray:
    """The mode nearest to most samples at each evaluation: (m,). With key="mode_counts", the
    mode holding most high-quality samples (-1 where there are none)."""
    counts = np.asarray(history[key])
    return np.where(counts.sum(axis=1) > 0, counts.argmax(axis=1), -1)


def hops(history: dict, key: str = "nearest_counts") -> int:
    """How often the dominant mode changed from one evaluation to the next (gaps skipped)."""
    dominant = [m for m in dominant_modes(history, key) if m >= 0]
    return int(sum(a != b for a, b in zip(dominant, dominant[1:])))


def remedy_label(remedy: str, config: ExperimentConfig) -> str:
    """"GAN", "PacGAN4" (pack 4), "minibatch std": the names of the papers' tables."""
    return {"none": "GAN", "packing": f"PacGAN{config.pack}", "minibatch_std": "minibatch std"}[remedy]


# PacGAN's Table 1 (Lin et al. 2018; github.com/fjxmlzn/PacGAN, results/Table1.png): 2,500 samples,
# 10 trials, mean +/- standard error; high quality within 3 std; reverse KL of the mode histogram.
PUBLISHED = {
    ("ring", "GAN"): {"modes": (6.3, 0.5), "high_quality": (98.2, 0.2), "kl": (0.45, 0.09)},
    ("ring", "PacGAN4"): {"modes": (7.8, 0.1), "high_quality": (95.9, 1.4), "kl": (0.07, 0.02)},
    ("grid", "GAN"): {"modes": (17.3, 0.8), "high_quality": (94.8, 0.7), "kl": (0.70, 0.07)},
    ("grid", "PacGAN4"): {"modes": (24.8, 0.2), "high_quality": (93.6, 0.6), "kl": (0.04, 0.01)},
}
PUBLISHED_TRIALS = 10
SUMMARY_KEYS = ("modes", "covered", "high_quality", "kl", "seconds")


def summarise(results: list[dict]) -> list[dict]:
    """Mean, standard deviation (key_std) and standard error (key_se) over seeds of modes captured
    and covered, high quality (%), KL, wall time and (where measured) W1 and its floor, per
    (distribution, remedy), in first-seen order."""
    groups: dict[tuple, list[dict]] = {}
    for result in results:
        groups.setdefault((result["distribution"], result["remedy"]), []).append(result)
    rows = []
    for (distribution, remedy), group in groups.items():
        row = {"distribution": distribution, "remedy": remedy, "seeds": len(group),
               "n_modes": group[0]["n_modes"]}
        keys = [k for k in SUMMARY_KEYS if all(k in r for r in group)]
        keys += ["w1", "w1_floor"] if all("w1" in r for r in group) else []
        for key in keys:
            scale = 100 if key == "high_quality" else 1
            values = scale * np.array([r[key] for r in group], np.float64)
            row[key] = float(values.mean())
            row[key + "_std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
            row[key + "_se"] = row[key + "_std"] / math.sqrt(len(values))
        rows.append(row)
    return rows


def format_table(rows: list[dict], config: ExperimentConfig | None = None,
                 ceilings: dict | None = None, published: bool = True) -> str:
    """A Markdown table of `summarise` rows (mean ± standard deviation over seeds, and the
    standard error in brackets) of runs made with `config` (default PACGAN); with published,
    PacGAN's published rows beside ours; with `ceilings` ({distribution:
    mode_metrics.noise_ceiling(...)}), the noise line under it."""
    lines = ["| distribution | method | seeds | modes captured | modes covered | high quality % | "
             "reverse KL (nats) | s/run |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        label = remedy_label(r["remedy"], config or PACGAN)
        lines.append(
            f"| {r['distribution']} | {label} (here) | {r['seeds']} | "
            f"{r['modes']:.1f} ± {r['modes_std']:.1f} ({r['modes_se']:.1f}) / {r['n_modes']} | "
            f"{r.get('covered', float('nan')):.1f} | "
            f"{r['high_quality']:.1f} ± {r['high_quality_std']:.1f} ({r['high_quality_se']:.1f}) | "
            f"{r['kl']:.2f} ± {r['kl_std']:.2f} ({r['kl_se']:.2f}) | {r['seconds']:.0f} |")
        paper = PUBLISHED.get((r["distribution"], label)) if published else None
        if paper:
            root = math.sqrt(PUBLISHED_TRIALS)  # their standard error times sqrt(trials): a std
            (m, m_se), (q, q_se), (k, k_se) = (paper[key] for key in ("modes", "high_quality", "kl"))
            lines.append(f"| {r['distribution']} | {label} (PacGAN's Table 1) | {PUBLISHED_TRIALS} | "
                         f"{m} ± {m_se * root:.1f} ({m_se}) / {r['n_modes']} | – | "
                         f"{q} ± {q_se * root:.1f} ({q_se}) | {k:.2f} ± {k_se * root:.2f} ({k_se:.2f}) | – |")
    notes = ["", "Mean ± standard deviation over seeds, standard error in brackets."
             + (" PacGAN's table gives the mean and standard error of 10 trials; its ± here is that "
                "standard error × √10." if published else "")]
    for distribution, ceiling in (ceilings or {}).items():
        notes.append(f"{distribution}: {mode_metrics.noise_line(ceiling)}")
    return "\n".join(lines + notes)


TARGETS = {"ring": 7.8, "grid": 24.5}  # lesson 06's: the best remedy's modes, at >= TARGET_QUALITY
TARGET_QUALITY = 90.0  # percent high quality


def target_report(rows: list[dict], config: ExperimentConfig | None = None) -> list[str]:
    """One line per distribution: the best remedy (most modes captured at >= TARGET_QUALITY, else
    the most modes) against TARGETS, and the plain GAN against the published spread (mean +/-
    2 standard deviations of the published trials, from their standard error)."""
    config = config or PACGAN
    lines = []
    for distribution, target in TARGETS.items():
        group = [r for r in rows if r["distribution"] == distribution]
        treated = [r for r in group if r["remedy"] != "none"]
        if not group or not treated:
            continue
        best = max(treated, key=lambda r: (r["high_quality"] >= TARGET_QUALITY, r["modes"],
                                           r["high_quality"]))
        met = best["modes"] >= target and best["high_quality"] >= TARGET_QUALITY
        lines.append(f"{distribution}: best remedy {remedy_label(best['remedy'], config)} "
                     f"{best['modes']:.1f}/{best['n_modes']} modes ({best['covered']:.1f} covered) at "
                     f"{best['high_quality']:.1f}% high quality; target >= {target}/{best['n_modes']} at "
                     f">= {TARGET_QUALITY:.0f}%: {'met' if met else 'not met'}")
        plain = next((r for r in group if r["remedy"] == "none"), None)
        published = PUBLISHED.get((distribution, "GAN"))
        if plain and published:
            (mean, se), quality = published["modes"], published["high_quality"][0]
            spread = 2 * se * math.sqrt(PUBLISHED_TRIALS)
            inside = abs(plain["modes"] - mean) <= spread
            lines.append(f"{distribution}: plain GAN {plain['modes']:.1f} modes at "
                         f"{plain['high_quality']:.1f}% high quality; published {mean} ± {spread:.1f} "
                         f"(2 std) at {quality}%: modes "
                         f"{'inside' if inside else 'outside'} the published spread")
    return lines


def discarded_note(old: training.Trainer, new: training.Trainer) -> str:
    """The line lesson 06's dashboard shows when a menu change replaces its trainer."""
    steps = int(old.step.numpy())
    what = f"{old.mixture.name} · {old.remedy}"
    if not steps:
        return f"Now {new.mixture.name} · {new.remedy}; the {what} run had not started, nothing was lost."
    return (f"Now {new.mixture.name} · {new.remedy}. The {what} run was discarded after {steps:,} "
            f"step{'s' * (steps != 1)} "
            "(a menu change always starts a fresh run).")


def noise_ceilings(distributions=("ring", "grid"), n: int = mode_metrics.PAPER_SAMPLES) -> dict:
    """{distribution: mode_metrics.noise_ceiling(mixture, n)}: the line every count is read against."""
    return {d: mode_metrics.noise_ceiling(mixtures.by_name(d), n) for d in distributions}


def save_results(results: list[dict], config: ExperimentConfig, path, command: str,
                 seconds: float) -> dict:
    """Write every run's results, the summary, the config, the command, the machine and the date
    as JSON; returns the record written."""
    distributions = tuple(dict.fromkeys(r["distribution"] for r in results))
    record = {
        "results": results, "summary": summarise(results), "config": dataclasses.asdict(config),
        "noise_ceilings": noise_ceilings(distributions, config.eval_samples),
        "command": command, "seconds": round(seconds, 1), "machine": {
            "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "tensorflow": tf.__version__},
        "created": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    return write_record(record, path)


def write_record(record: dict, path) -> dict:
    """Write a study record as JSON and, in data/, its new SHA-256 into the manifest."""
    with open(path, "w") as file:
        json.dump(record, file, indent=1)
    artifacts.update_manifest(path)  # in data/: the shipped study's new SHA-256
    return record


def load_results(path=None) -> dict:
    """Read a record written by save_results (benchmarks/mode_collapse.py); by default the one the
    course ships, RESULTS_PATH."""
    path = RESULTS_PATH if path is None else path
    rerun = "Rerun the study with `python benchmarks/mode_collapse.py` (it writes data/mode_collapse.json)."
    # data/ files are checked against data/MANIFEST.json
    return artifacts.load_json(path, regenerate=rerun, required=("results", "summary", "config"),
                               kind="a mode-collapse results file")


def config_from(record: dict) -> ExperimentConfig:
    """The ExperimentConfig a stored record was made with (tuples restored)."""
    fields = dict(record["config"])
    for name in ("generator_hidden", "discriminator_hidden"):
        fields[name] = tuple(fields[name])
    known = {f.name for f in dataclasses.fields(ExperimentConfig)}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise artifacts.ArtifactError(f"the stored study's config has fields {unknown} this version does "
                                      "not know: rerun `python benchmarks/mode_collapse.py`")
    return ExperimentConfig(**fields)
