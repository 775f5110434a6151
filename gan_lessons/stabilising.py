"""Lesson 08's tricks and D's strength on lesson 06's ring: one trainer per trick, all from the
same networks, seeds and budget (lesson 06's small MLPs, `mode_experiments.LIVE`, for 1,500 steps);
D's accuracy on held-out real and generated samples; the runs behind the stored studies
(`stabilising_study`).

Each trick is a `TrainConfig` field or a D architecture, never a new update:
- one-sided label smoothing: real_label < 1 (Salimans et al. 2016);
- feature matching: G matches the mean of D's last hidden features on real and generated batches;
- minibatch discrimination: `remedies.minibatch_discrimination_discriminator`;
- instance noise on both of D's inputs, annealed linearly to 0 (`game.InstanceNoise`);
- the R1 penalty on real data (`game.R1`, Mescheder et al. 2018).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from gan_lessons import game, mixtures, mode_experiments, mode_metrics, remedies, training, validation

TRICKS = ("none", "label_smoothing", "feature_matching", "minibatch_discrimination", "instance_noise", "r1")
LABELS = {"none": "plain GAN", "label_smoothing": "one-sided smoothing",
          "feature_matching": "feature matching", "minibatch_discrimination": "minibatch discrimination",
          "instance_noise": "instance noise", "r1": "R1 penalty"}
# lesson 06's small MLPs and rates (mode_experiments.LIVE) at half its budget, to fit the studies on a
# shared 2-core CPU: 1,500 generator steps, the last third at a tenth of both rates
BASE = mode_experiments.LIVE.replace(steps=1500)
HELD_OUT = 987_654  # first half of every held-out seed: no training step draws from it


@dataclass(frozen=True)
class Tricks:
    """How strongly each trick is applied (lengths in training units: the ring standardised, its
    modes 0.014 wide on a circle of radius 1.41)."""

    real_label: float = 0.9  # one-sided label smoothing (Salimans et al.: 0.9)
    feature_layer: str = "leaky_1"  # D's last hidden layer, after its LeakyReLU
    kernels: int = 5  # minibatch discrimination: B kernels of dimension C
    kernel_dim: int = 3
    noise_std: float = 0.1  # instance noise at step 0, on both of D's inputs
    noise_fraction: float = 0.5  # ... annealed linearly to 0 over this share of the run
    r1_weight: float = 1.0  # gamma of R1: gamma / 2 E ||grad D(x)||^2 on real x

    def __post_init__(self):
        v = validation
        v.normalise(self, real_label=v.number("real_label", self.real_label, 0.5, 1.0, low_open=True),
                    kernels=v.positive_integer("kernels", self.kernels),
                    kernel_dim=v.positive_integer("kernel_dim", self.kernel_dim),
                    noise_std=v.number("noise_std", self.noise_std, 0),
                    noise_fraction=v.number("noise_fraction", self.noise_fraction, 0, 1, low_open=True),
                    r1_weight=v.number("r1_weight", self.r1_weight, 0))

    def replace(self, **changes) -> Tricks:
        return dataclasses.replace(self, **changes)


def check_trick(trick: str) -> str:
    return validation.choice("trick", trick, TRICKS)


def config_changes(trick: str, tricks: Tricks, steps: int) -> dict:
    """The TrainConfig fields that switch `trick` on (none for "none" and for minibatch
    discrimination, which is D's architecture)."""
    check_trick(trick)
    if trick == "label_smoothing":
        return {"real_label": tricks.real_label}
    if trick == "feature_matching":
        return {"feature_matching": tricks.feature_layer}
    if trick == "instance_noise":
        anneal = max(1, int(round(steps * tricks.noise_fraction)))
        return {"instance_noise": game.InstanceNoise(tricks.noise_std, anneal)}
    if trick == "r1":
        return {"regularisers": (game.R1(tricks.r1_weight),)}
    return {}


def make_discriminator(trick: str, base, tricks: Tricks, seed: int):
    """D for `trick`: lesson 06's LeakyReLU MLP, or the same layers with minibatch discrimination."""
    if base.discriminator != "mlp":
        raise ValueError("lesson 08's tricks are built on the LeakyReLU MLP: use discriminator='mlp'")
    if check_trick(trick) == "minibatch_discrimination":
        return remedies.minibatch_discrimination_discriminator(2, base.discriminator_hidden, tricks.kernels,
                                                               tricks.kernel_dim, seed=seed)
    return mode_experiments.make_discriminator("none", base, seed)


def held_out_accuracy(trainer, n: int | None = None, seed: int = 0) -> dict:
    """D's accuracy on n held-out real samples (logit > 0) and n generated ones (logit < 0), each
    scored in batches of the training batch size (a minibatch-discrimination D scores batches):
    {"accuracy_real", "accuracy_fake", "accuracy"}, fractions in [0, 1]; 1/2 is a D that cannot
    tell. Clean inputs (no instance noise)."""
    size = trainer.config.batch_size
    n = n or 8 * size
    real = trainer.sample_real(tf.constant([HELD_OUT, seed], tf.int64), n)
    fake = tf.constant(trainer.generate(n, seed=HELD_OUT + seed))

    def logits(samples):
        return np.concatenate([trainer.discriminator(samples[i:i + size], training=False).numpy()[:, 0]
                               for i in range(0, n, size)])

    real_accuracy, fake_accuracy = float(np.mean(logits(real) > 0)), float(np.mean(logits(fake) < 0))
    return {"accuracy_real": real_accuracy, "accuracy_fake": fake_accuracy,
            "accuracy": (real_accuracy + fake_accuracy) / 2}


class StepClock:
    """Training seconds per step, evaluations left out: pass `clock.wrap(evaluate)` as the
    evaluator and `clock` as train()'s callback. The first chunk (which traces the update) is
    left out; `seconds_per_step` is the median over the other chunks."""

    def __init__(self):
        self.marks: list[tuple[int, float, float]] = []  # (step, time, evaluation seconds so far)
        self.evaluation_seconds = 0.0

    def wrap(self, evaluate):
        def timed(trainer) -> dict:
            began = time.perf_counter()
            try:
                return evaluate(trainer)
            finally:
                self.evaluation_seconds += time.perf_counter() - began
        return timed

    def __call__(self, trainer):
        self.marks.append((int(trainer.step.numpy()), time.perf_counter(), self.evaluation_seconds))

    @property
    def seconds_per_step(self) -> float:
        rates = [(t1 - t0 - (e1 - e0)) / (s1 - s0)
                 for (s0, t0, e0), (s1, t1, e1) in zip(self.marks, self.marks[1:]) if s1 > s0]
        return float(np.median(rates)) if rates else float("nan")


def make_trainer(mixture, trick: str = "none", seed: int = 0, base=None, tricks: Tricks | None = None,
                 d_steps: int = 1, rate_ratio: float | None = None,
                 accuracy_every: bool = True) -> training.Trainer:
    """A Trainer for `trick` on `mixture` (standardised units), the non-saturating loss, lesson 06's
    small MLPs and rates (`base`, default BASE) with k = d_steps D updates per G update; rate_ratio
    sets D's Adam rate to rate_ratio x G's (None: base's own). Evaluated by the mode metrics and,
    with accuracy_every, D's held-out accuracy. Carries .mixture, .scaler, .trick, .eval_samples."""
    base, tricks = base or BASE, tricks or Tricks()
    d_rate = base.d_learning_rate if rate_ratio is None else (
        validation.number("rate_ratio", rate_ratio, 0, low_open=True) * base.g_learning_rate)
    if not 0 < d_rate <= 1:
        raise ValueError(f"rate_ratio {rate_ratio:g} gives D a learning rate of {d_rate:g}: keep D's rate "
                         "in (0, 1]")
    scaler = mixture.scaler()
    generator = mode_experiments.make_generator(base, seed=1000 * seed)
    discriminator = make_discriminator(trick, base, tricks, seed=1000 * seed + 100)
    config = training.TrainConfig(batch_size=base.batch_size, d_learning_rate=d_rate,
                                  g_learning_rate=base.g_learning_rate, beta_1=base.beta_1, seed=seed,
                                  chunk_size=base.eval_every, d_steps=d_steps,
                                  **config_changes(trick, tricks, base.steps))
    modes = mode_metrics.mode_evaluator(mixture, scaler, n=base.eval_samples)
    evaluate = (lambda trainer: {**modes(trainer), **held_out_accuracy(trainer)}) if accuracy_every else modes
    trainer = training.Trainer(generator, discriminator, mixture.sampler(scaler), config, evaluate)
    trainer.mixture, trainer.scaler, trainer.trick = mixture, scaler, trick
    trainer.eval_samples = base.eval_samples
    return trainer


HISTORY_KEYS = ("step", "modes", "covered", "high_quality", "accuracy_real", "accuracy_fake")


def run(trick: str = "none", seed: int = 0, base=None, tricks: Tricks | None = None, d_steps: int = 1,
        rate_ratio: float | None = None, distribution: str = "ring") -> dict:
    """Train one GAN with base's schedule (mode_experiments.train); its final mode metrics on
    eval_samples samples, W1 with floor, D's final held-out accuracy, seconds per step (evaluations
    and tracing left out), wall time and the evaluations over training. A run whose loss becomes
    NaN is scored where the trainer rolled back to, with "diverged" saying where it failed."""
    base = base or BASE
    mixture = mixtures.by_name(distribution)
    clock = StepClock()
    start = time.perf_counter()
    trainer = make_trainer(mixture, trick, seed, base, tricks, d_steps, rate_ratio)
    ratio = round(trainer.config.d_learning_rate / trainer.config.g_learning_rate, 6)  # before any decay
    trainer.evaluate = clock.wrap(trainer.evaluate)
    diverged = None
    try:
        mode_experiments.train(trainer, base, callback=clock)
    except training.TrainingDiverged as error:  # scored as rolled back; the record says so
        diverged = str(error)
    seconds = time.perf_counter() - start
    samples = mode_experiments.generated(trainer, base.eval_samples)
    final = mode_metrics.report(samples, mixture)
    table = trainer.history.evaluation_table()
    return {"distribution": distribution, "trick": trick, "seed": seed, "d_steps": d_steps,
            "diverged": diverged, "steps_trained": int(trainer.step.numpy()),
            "rate_ratio": ratio, "seconds": seconds,
            "seconds_per_step": clock.seconds_per_step, "modes": final.modes_captured,
            "covered": final.modes_covered, "n_modes": final.n_modes, "high_quality": final.high_quality,
            "kl": final.kl, **held_out_accuracy(trainer, seed=1),
            "history": {key: np.asarray(table[key]).tolist() for key in HISTORY_KEYS},
            **mode_metrics.w1_with_floor(samples, mixture)}


def describe(config: training.TrainConfig) -> str:
    """The tricks a TrainConfig switches on, k and D's rate against G's, in one line."""
    on = []
    if config.real_label < 1:
        on.append(f"one-sided smoothing {config.real_label:g}")
    if config.feature_matching:
        on.append(f"feature matching on {config.feature_matching}")
    if config.instance_noise is not None:
        noise = config.instance_noise
        on.append(f"instance noise {noise.std:g} annealed to 0 from step {noise.start:,} over "
                  f"{noise.anneal_steps:,} steps")
    on += [f"R1 gamma {r.weight:g}" for r in config.regularisers if isinstance(r, game.R1)]
    ratio = config.d_learning_rate / config.g_learning_rate
    return f"k = {config.d_steps}, D/G rate {ratio:g}; " + (", ".join(on) or "no trick")
