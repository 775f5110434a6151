"""Trace time: how long a trainer takes to build its compiled training loop, with AutoGraph (how the
trainer traced before 2026-12-06) and without it (how it traces now), side by side.

Each measurement runs in a fresh process (AutoGraph caches what it has converted, so a second
trainer in one process would trace faster and flatter the "on" column). The time is the first
`trainer._function("chunk")`: building the graph of one chunk, not running it. Run on a quiet machine:

    python benchmarks/trace_time.py                 # 3 repeats, interleaved
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TRAINERS = {
    "lesson 01 curve GAN (k = 1)": "curve",
    "lesson 07 WGAN-GP, ring (5 critic steps)": "wgan_gp_ring",
    "lesson 07 WGAN-GP, Fashion-MNIST DCGAN (5 critic steps)": "wgan_gp_image",
}


def build(name: str):
    from gan_lessons import fashion_mnist, mixtures, recipes, wasserstein, wgan_study

    if name == "curve":
        return recipes.curve_trainer(track_features=False)
    study = wgan_study.StudyConfig()
    if name == "wgan_gp_ring":
        config = wasserstein.wgan_config("penalty", 5, 1.0, d_learning_rate=study.wgan_learning_rate,
                                         g_learning_rate=study.wgan_learning_rate, beta_1=study.wgan_beta_1,
                                         batch_size=study.batch_size, seed=0)
        networks = {"generator_hidden": study.generator_hidden, "critic_hidden": study.critic_hidden}
        return wasserstein.toy_trainer(mixtures.by_name("ring").sampler(), config, **networks)
    return wgan_study.image_trainer(fashion_mnist.load().train_images, "wgan_gp", 0)


def measure_one(name: str, autograph: bool) -> float:
    """Seconds to trace one chunk of trainer `name` in this (fresh) process."""
    import tensorflow as tf

    from gan_lessons import training

    training._compiled = functools.partial(tf.function, autograph=autograph)
    trainer = build(name)
    trainer._check_sample_real()  # its probe is traced on its own; not part of the chunk's time
    start = time.perf_counter()
    trainer._function("chunk")
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("TRAINER", "AUTOGRAPH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(args.one[0], args.one[1] == "on")))
        return 0
    import tensorflow as tf

    print(f"TensorFlow {tf.__version__}, {os.cpu_count()} CPUs, load average before {os.getloadavg()[0]:.2f}")
    print(f"{'trainer':58s} {'AutoGraph on':>13s} {'off (now)':>10s}  ratio")
    for label, name in TRAINERS.items():
        times = {"on": [], "off": []}
        for _ in range(args.repeats):  # interleaved: load drifts hit both columns alike
            for mode in times:
                out = subprocess.run([sys.executable, __file__, "--one", name, mode], capture_output=True,
                                     text=True, check=True)
                times[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
        on, off = statistics.median(times["on"]), statistics.median(times["off"])
        print(f"{label:58s} {on:11.2f} s {off:8.2f} s  {on / off:4.1f}x")
    print(f"medians of {args.repeats} fresh processes each; load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
