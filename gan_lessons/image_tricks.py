"""Lesson 08's tricks on Fashion-MNIST: lesson 04's lecture DCGAN (`dcgan.LECTURE`) with one trick at a
time, paired seeds and one budget, scored by the classifier-feature Frechet distance (`image_quality`,
not FID) on held-out test images beside its floor (real vs real) and ceiling (the untrained
generator); D's accuracy on test images it never trained on; the time per step.
`benchmarks/stabilising.py image_tricks` stores the study in data/image_tricks.json; the lecture loads it.

Each trick is what `stabilising.config_changes` switches on in the lecture model's TrainConfig, or
(minibatch discrimination) `remedies.MinibatchDiscrimination` on D's flattened features.
"""

from __future__ import annotations

import dataclasses
import pathlib
import time
import types
from dataclasses import dataclass

import keras
import numpy as np

from gan_lessons import (
    artifacts,
    dcgan,
    fashion_mnist,
    image_quality,
    remedies,
    stabilising,
    stabilising_study,
    training,
    validation,
    wgan_study,
)

TRICKS = stabilising.TRICKS
PATH: pathlib.Path = artifacts.DATA_DIR / "image_tricks.json"
COMMAND = "python benchmarks/stabilising.py image_tricks"
SEEDS = 3  # the study's seeds: 0, 1, 2
TUNING_SEED = 10  # the seed the strengths below were chosen on, outside the study's
# The strengths for pixels in [-1, 1] (stabilising.Tricks; its feature layer "leaky_1" is the
# DCGAN D's last hidden layer too, (batch, 7, 7, 32) after its LeakyReLU):
# - instance noise std 0.2, a tenth of the pixel range, annealed to 0 over the first half: enough to
#   blur the exact -1 background of real images (which G's tanh only approaches, so D can tell them
#   apart by it at the start) and the pixel-level texture, not the garments' shapes;
# - R1 gamma 0.1, chosen on TUNING_SEED at the study's budget among 0.1, 1 and 10: Frechet distance
#   96.4, 102.5 and 117.9 at step 500 (ceiling 209.4). One seed cannot rank 0.1 against 1 (gamma 1
#   was at 88.9 at step 400: one run wobbles that much between evaluations), nor firmly 10; a small
#   gamma was the one no worse than the others, so the study uses 0.1.
SETTINGS = stabilising.Tricks(noise_std=0.2, r1_weight=0.1)
METRICS = ("frechet_distance", "ceiling", "classifier_score", "accuracy_real", "accuracy_fake", "accuracy",
           "seconds", "seconds_per_step")


@dataclass(frozen=True)
class Budget:
    """One budget for every trick: `steps` generator steps of the lecture model (one D step each),
    evaluated every `eval_every` steps on `eval_samples` images; `chunk_size` steps per compiled
    call (the StepClock's granularity)."""

    steps: int = 500
    eval_every: int = 100
    eval_samples: int = 1000  # images each Frechet distance uses (the floor's n)
    chunk_size: int = 50

    def __post_init__(self):
        v = validation
        v.normalise(self, steps=v.positive_integer("steps", self.steps),
                    eval_every=v.positive_integer("eval_every", self.eval_every),
                    eval_samples=v.integer("eval_samples", self.eval_samples, 2),
                    chunk_size=v.positive_integer("chunk_size", self.chunk_size))

    def replace(self, **changes) -> Budget:
        return dataclasses.replace(self, **changes)


def check_feature_layer(discriminator: keras.Model, name: str) -> str:
    """`name` if it is one of D's hidden layers (not its input nor its logits), else a ValueError
    that lists them."""
    hidden = [layer.name for layer in discriminator.layers[1:-1]]
    if name not in hidden:
        raise ValueError(f"feature matching needs one of {discriminator.name}'s hidden layers, got {name!r}; "
                         f"its hidden layers are {hidden} (the last, {hidden[-1]!r}, is the usual choice)")
    return name


def with_minibatch_discrimination(discriminator: keras.Model, settings: stabilising.Tricks,
                                  seed: int = 100) -> keras.Model:
    """images (batch, 28, 28, 1) -> logits (batch, 1): `discriminator`'s own layers (shared, so the
    same initial weights) up to its flattened features (batch, A), then MinibatchDiscrimination
    (batch, A + kernels), then a new logit layer (its fan-in grew, so its weights differ)."""
    features = discriminator.get_layer("flatten").output
    h = remedies.MinibatchDiscrimination(settings.kernels, settings.kernel_dim, seed + 50,
                                         name="minibatch_discrimination")(features)
    logits = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed + 2),
                                name="logits")(h)
    return keras.Model(discriminator.input, logits, name="minibatch_discrimination_d")


def make_trainer(images, trick: str = "none", seed: int = 0, settings: stabilising.Tricks | None = None,
                 steps: int = Budget.steps, evaluate=None, chunk_size: int = Budget.chunk_size
                 ) -> training.Trainer:
    """The lecture DCGAN (dcgan.make_trainer: G seeded `seed`, D `seed` + 100, the data stream
    `seed`) on uint8 images (n, 28, 28) with `trick` switched on; instance noise anneals over
    `steps` x settings.noise_fraction. Same seed, same initial weights and data for every trick."""
    settings = settings or SETTINGS
    changes = stabilising.config_changes(trick, settings, steps)
    lecture = dcgan.make_trainer(images, seed=seed, chunk_size=chunk_size)
    discriminator = lecture.discriminator
    if trick == "feature_matching":
        check_feature_layer(discriminator, settings.feature_layer)
    if trick == "minibatch_discrimination":
        discriminator = with_minibatch_discrimination(discriminator, settings, seed + 100)
    return training.Trainer(lecture.generator, discriminator, lecture.sample_real,
                            lecture.config.replace(**changes), evaluate)


def held_out_accuracy(trainer: training.Trainer, test_images, seed: int = 1) -> dict:
    """stabilising.held_out_accuracy with the real side drawn from uint8 test images (n, 28, 28),
    which D never trains on, and fresh generated images: fractions in [0, 1]."""
    tested = types.SimpleNamespace(config=trainer.config, discriminator=trainer.discriminator,
                                   generate=trainer.generate,
                                   sample_real=fashion_mnist.sampler(test_images, flatten=False))
    return stabilising.held_out_accuracy(tested, seed=seed)


def run(data, scorer: image_quality.QualityScorer, trick: str = "none", seed: int = 0,
        budget: Budget | None = None, settings: stabilising.Tricks | None = None) -> dict:
    """Train one lecture DCGAN with `trick` for budget.steps: the Frechet distance of its samples
    at every evaluation (step 0 is the untrained generator: this seed's ceiling), the final scores,
    D's held-out accuracy, seconds per step (evaluations and tracing left out) and wall time. A run
    whose loss becomes NaN is scored where the trainer rolled back to; "diverged" says where."""
    budget = budget or Budget()
    if scorer.n != budget.eval_samples:
        raise ValueError(f"the scorer scores n = {scorer.n} images, the budget {budget.eval_samples}: build "
                         "it with image_quality.load_scorer(data, n=budget.eval_samples)")
    clock = stabilising.StepClock()
    start = time.perf_counter()
    evaluate = clock.wrap(wgan_study.image_evaluator(scorer, data.test_images))
    trainer = make_trainer(data.train_images, trick, seed, settings, budget.steps, evaluate,
                           budget.chunk_size)
    diverged = None
    try:
        trainer.train(budget.steps, evaluate_every=budget.eval_every, progress=False, callback=clock)
    except training.TrainingDiverged as error:  # scored as rolled back; the record says so
        diverged = str(error)
        trainer.evaluate_now()
    seconds = time.perf_counter() - start
    table = trainer.history.evaluation_table()
    final = trainer.history.evaluations[-1]
    return {"trick": trick, "seed": seed, "diverged": diverged, "steps_trained": int(trainer.step.numpy()),
            "seconds": seconds, "seconds_per_step": clock.seconds_per_step,
            "frechet_distance": float(final["frechet_distance"]),
            "ceiling": float(table["frechet_distance"][0]),  # step 0: the untrained generator
            "classifier_score": float(final["classifier_score"]),
            "classes_covered": int(final["classes_covered"]),
            **held_out_accuracy(trainer, data.test_images),
            "history": {key: np.asarray(table[key], np.float64).tolist()
                        for key in ("step", "frechet_distance", "classifier_score")}}


def study(tricks=TRICKS, seeds=range(SEEDS), budget: Budget | None = None,
          settings: stabilising.Tricks | None = None, command: str = COMMAND, data=None,
          log=print) -> dict:
    """`run` for every trick x seed (the same seeds and budget for each), as the record `save`
    writes: every run, the summary per trick, the floor, the budget and settings, the command,
    the machine and the date."""
    budget, settings = budget or Budget(), settings or SETTINGS
    data = data or fashion_mnist.load()  # a local copy if there is one (fashion_mnist.search_path)
    start = time.perf_counter()
    scorer = image_quality.load_scorer(data, n=budget.eval_samples)
    results = []
    for trick in tricks:
        for seed in seeds:
            result = run(data, scorer, trick, seed, budget, settings)
            results.append(result)
            if log:
                log(f"{trick:24s} seed {seed}: Frechet distance {result['frechet_distance']:6.1f} (ceiling "
                    f"{result['ceiling']:.1f}, floor {scorer.floor['frechet_distance']:.2f}), D accuracy "
                    f"{result['accuracy']:.2f}, {1000 * result['seconds_per_step']:.1f} ms/step, "
                    f"{result['seconds']:.0f} s")
    return {"results": results, "summary": stabilising_study.summarise(results, ("trick",), METRICS),
            "by": ["trick"], "floor": scorer.floor, "n": scorer.n, "budget": dataclasses.asdict(budget),
            "tricks": dataclasses.asdict(settings), "lecture": dict(dcgan.LECTURE),
            **stabilising_study.provenance(command, time.perf_counter() - start)}


def save(record: dict, path=PATH) -> dict:
    """Write the study as JSON; in data/, its SHA-256 into data/MANIFEST.json."""
    return stabilising_study.save(record, path)


def load(path=None) -> dict:
    """The stored study (data/image_tricks.json by default), checked against data/MANIFEST.json."""
    path = PATH if path is None else pathlib.Path(path)
    rerun = f"Rerun the study with `{COMMAND}`, or set rerun_study = True."
    required = ("results", "summary", "floor", "budget", "tricks")
    return artifacts.load_json(path, regenerate=rerun, required=required,
                               kind="lesson 08's Fashion-MNIST tricks study")


def table(record: dict) -> str:
    """Markdown: per trick (mean ± std over seeds) the Frechet distance, its paired difference from
    the plain GAN, the classifier score, D's held-out accuracy and ms per step; then the floor and
    the untrained generator's ceiling."""
    paired = stabilising_study.paired_differences(record["results"], "frechet_distance")
    lines = ["| trick | seeds | Fréchet distance | paired difference from the plain GAN | classifier score "
             "| D accuracy real / fake % | ms / step |", "|---|---|---|---|---|---|---|"]
    for r in record["summary"]:
        mean, std = paired.get(r["trick"], (None, None))[:2]
        # rounded first: a difference of -0.04 reads +0.0, not "-0.0"
        difference = "" if mean is None else f"{round(mean, 1) + 0.0:+.1f} ± {std:.1f}"
        lines.append(f"| {stabilising.LABELS.get(r['trick'], r['trick'])} | {r['seeds']} | "
                     f"{r['frechet_distance']:.1f} ± {r['frechet_distance_std']:.1f} | {difference} | "
                     f"{r['classifier_score']:.2f} ± {r['classifier_score_std']:.2f} | "
                     f"{r['accuracy_real']:.0f} / {r['accuracy_fake']:.0f} | "
                     f"{1000 * r['seconds_per_step']:.1f} ± {1000 * r['seconds_per_step_std']:.1f} |")
    ceiling = record["summary"][0]
    lines.append(f"| floor: real vs real | | {record['floor']['frechet_distance']:.2f} | | "
                 f"{record['floor']['classifier_score']:.2f} | | |")
    lines.append(f"| ceiling: untrained G | {ceiling['seeds']} | {ceiling['ceiling']:.1f} ± "
                 f"{ceiling['ceiling_std']:.1f} | | | | |")
    return "\n".join(lines)


def curves(record: dict) -> dict[str, tuple[list[float], list[float]]]:
    """Per trick, the mean Frechet distance over seeds at each evaluation: {label: (steps,
    distances)} (for wasserstein_plots.quality_over_time_figure, with steps on the x axis)."""
    out = {}
    for row in record["summary"]:
        runs = [r for r in record["results"] if r["trick"] == row["trick"]]
        distances = np.mean([r["history"]["frechet_distance"] for r in runs], axis=0)
        label = stabilising.LABELS.get(row["trick"], row["trick"])
        out[label] = ([int(step) for step in runs[0]["history"]["step"]], distances.tolist())
    return out
