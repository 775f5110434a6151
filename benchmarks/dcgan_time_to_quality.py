"""Time to quality: lesson 04's reference DCGAN vs the lecture default, the same training-time
budget each, with the quality score (Frechet distance on the project's classifier features, not
FID) recorded over training time. Prints a Markdown report; --append adds it to RESULTS.md.

    python benchmarks/dcgan_time_to_quality.py [--budget 300] [--append]

The two runs are interleaved in slices of a few seconds, so both see the same machine load on a
shared CPU; evaluation time is not counted as training time. The first compiled chunk of each
(tracing) is timed separately and not counted either. --full-steps N also times N steps of the
full profile on this machine (a GPU when one is visible).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

from gan_lessons import dcgan, fashion_mnist, image_quality, profiles  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SAMPLE_SEED = 2024


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


class Run:
    """One configuration's trainer, its training clock and its quality-over-time table."""

    def __init__(self, name, settings, data, scorer, seed):
        self.name, self.settings = name, settings
        self.trainer = dcgan.make_trainer(data.train_images, settings, seed=seed, chunk_size=10)
        self.scorer, self.clock, self.table = scorer, 0.0, []
        start = time.perf_counter()
        self.trainer.train(self.trainer.config.chunk_size, progress=False)  # tracing, not counted
        self.warmup = time.perf_counter() - start
        self.warmup_steps = int(self.trainer.step.numpy())

    def evaluate(self):
        scores = self.scorer.score(self.trainer.generate(self.scorer.n, seed=SAMPLE_SEED))
        self.table.append({"seconds": self.clock, "step": int(self.trainer.step.numpy()), **scores})

    def train_for(self, seconds: float):
        end = self.clock + seconds
        while self.clock < end:
            start = time.perf_counter()
            self.trainer.train(self.trainer.config.chunk_size, progress=False)
            self.clock += time.perf_counter() - start

    @property
    def steps_per_second(self) -> float:
        return (int(self.trainer.step.numpy()) - self.warmup_steps) / self.clock


def first_time_at_or_below(table, target: float) -> float | None:
    return next((row["seconds"] for row in table if row["frechet_distance"] <= target), None)


def time_full_profile(data, steps: int) -> str:
    settings = profiles.settings("04", "full")
    trainer = dcgan.make_trainer(data.train_images, dcgan.LECTURE, chunk_size=50)
    trainer.train(50, progress=False)
    start = time.perf_counter()
    trainer.train(steps, progress=False)
    rate = steps / (time.perf_counter() - start)
    device = "GPU: " + tf.config.list_physical_devices("GPU")[0].name if tf.config.list_physical_devices(
        "GPU") else "CPU only (no GPU visible)"
    minutes = settings["steps"] / rate / 60
    return (f"Full profile ({settings['steps']:,} steps of the lecture model), timed over {steps} steps "
            f"on {device}: {rate:.1f} steps/s, so about {minutes:.0f} min for the profile.")


def append_to_results(report: str, heading: str = "## Lesson 04: DCGAN time to quality"):
    """Add `report` at the end of this benchmark's section of RESULTS.md (created if missing)."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if heading not in text:
        text = text.rstrip("\n") + (f"\n\n{heading}\n\nCommand: `python benchmarks/dcgan_time_to_quality.py "
                                    "--append` (numbers depend on the machine and its load).\n")
    start = text.index(heading) + len(heading)
    following = text.find("\n## ", start)
    end = len(text) if following < 0 else following
    text = text[:end].rstrip("\n") + "\n\n" + report.strip("\n") + "\n" + text[end:]
    RESULTS.write_text(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=300.0, help="training seconds per configuration")
    parser.add_argument("--eval-every", type=float, default=10.0, help="training seconds between scores")
    parser.add_argument("--slice", type=float, default=5.0, help="seconds per turn when interleaving")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full-steps", type=int, default=0)
    parser.add_argument("--append", action="store_true", help=f"append the report to {RESULTS.name}")
    args = parser.parse_args(argv)

    load_before = load_average()
    wall_start = time.perf_counter()
    data = fashion_mnist.load()
    scorer = image_quality.load_scorer(data, n=1000)
    runs = [Run("reference", dcgan.REFERENCE, data, scorer, args.seed),
            Run("lecture default", dcgan.LECTURE, data, scorer, args.seed)]
    scorer.set_ceiling(dcgan.make_trainer(data.train_images, dcgan.LECTURE, seed=args.seed).generate(
        scorer.n, seed=SAMPLE_SEED))
    for run in runs:
        run.evaluate()
    while any(run.clock < args.budget for run in runs):
        for run in runs:
            if run.clock >= args.budget:
                continue
            next_score = run.table[-1]["seconds"] + args.eval_every
            run.train_for(min(args.slice, next_score - run.clock, args.budget - run.clock))
            if run.clock >= min(next_score, args.budget) - 1e-9:
                run.evaluate()
    reference, lecture = runs
    target = reference.table[-1]["frechet_distance"]
    reference_time = first_time_at_or_below(reference.table, target)
    lecture_time = first_time_at_or_below(lecture.table, target)
    speedup = reference_time / lecture_time if lecture_time else float("nan")
    final = lecture.table[-1]
    target_met = (speedup >= 4 and final["classes_covered"] == 10 and final["max_class_fraction"] <= 0.30)

    lines = [
        f"### Lecture default vs reference, {args.budget:.0f} s of training each (seed {args.seed})",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()}, "
        f"{'GPU' if tf.config.list_physical_devices('GPU') else 'no GPU'}; TensorFlow {tf.__version__}",
        f"- load average (1, 5, 15 min): {load_before} before, {load_average()} after; "
        f"{datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}",
        f"- score: Frechet distance on the project's classifier features (not FID), n = {scorer.n}; "
        f"floor (real vs real) {scorer.floor['frechet_distance']:.2f}, ceiling (untrained lecture G) "
        f"{scorer.ceiling['frechet_distance']:.1f}",
        "",
        "| configuration | settings | steps/s | images/s | steps in budget | tracing (s) | final score | "
        "classes | max class |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        row = run.table[-1]
        s = run.settings
        lines.append(
            f"| {run.name} | width {s['width']}, batch {s['batch_size']}, Adam {s['learning_rate']:g} "
            f"(beta1 {s['beta_1']}), kernel {s['kernel_size']} | {run.steps_per_second:.2f} | "
            f"{run.steps_per_second * s['batch_size']:.0f} | {row['step']:,} | {run.warmup:.1f} | "
            f"{row['frechet_distance']:.2f} | {row['classes_covered']} | {row['max_class_fraction']:.3f} |")
    lines += [
        "",
        f"Reference's final score {target:.2f}, first reached at {reference_time:.0f} s of training; "
        f"lecture default reached it at {lecture_time if lecture_time is not None else float('nan'):.0f} s: "
        f"**{speedup:.1f}x sooner** (scores every {args.eval_every:.0f} s of training: the lecture "
        "default's time is rounded up to its first score at or below the target). At the end it has "
        f"{final['classes_covered']} classes in {scorer.n} samples, largest class "
        f"{final['max_class_fraction']:.1%}. Target (>= 4x, 10 classes, none above 30%): "
        f"{'met' if target_met else 'NOT met'}.",
        "(images/s = steps/s x batch size: real images seen per second; each step also generates "
        "two batches.)",
        "",
        "Score over training time (seconds: score):",
    ]
    for run in runs:
        points = ", ".join(f"{row['seconds']:.0f}: {row['frechet_distance']:.1f}" for row in run.table)
        lines.append(f"- {run.name}: {points}")
    if args.full_steps:
        lines += ["", time_full_profile(data, args.full_steps)]
    lines += ["", f"Wall time of the benchmark: {time.perf_counter() - wall_start:.0f} s.", ""]
    report = "\n".join(lines)
    print(report)
    if args.append:
        append_to_results(report)
    return 0 if target_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
