"""Lesson 03's targets at its lecture defaults, measured by running the lesson itself (papermill),
so the numbers are the notebook's own. Prints wall time, CPU time, load and the targets:

    python benchmarks/lesson03_targets.py [--profile lecture] [--seeds 0 1 2] [--out build/bench03]
    python benchmarks/lesson03_targets.py --throughput [--threads 1]   # training steps/s only

Targets (issue 4): all 10 classes present in the scored samples, none above 30% of them, and a
Frechet distance (project classifier features, not FID) at most a quarter of the untrained
generator's. Exit status 1 when a target is missed. The lecture run takes minutes: run it on a
quiet machine, and read the load average it prints before trusting the wall time.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import pathlib
import platform
import resource
import sys
import time

from gan_lessons import runner

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def throughput(threads: int | None, steps: int = 1000) -> None:
    """Steps/s and CPU ms/step of the lesson's trainer at its parameters-cell defaults."""
    import papermill
    import tensorflow as tf

    from gan_lessons import fashion_mnist, models, training

    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    lesson = runner.lessons()["03"]
    p = {k: ast.literal_eval(v["default"]) for k, v in papermill.inspect_notebook(str(lesson.path)).items()}
    data = fashion_mnist.load(p["data_dir"])
    generator = models.mlp_generator(latent_dim=p["latent_dim"], output_dim=784, output_activation="tanh",
                                     hidden=tuple(p["generator_hidden"]), seed=p["seed"])
    discriminator = models.mlp_discriminator(input_dim=784, hidden=tuple(p["discriminator_hidden"]),
                                             feature_dim=None, dropout=p["dropout"], seed=p["seed"] + 1000)
    config = training.TrainConfig(batch_size=p["batch_size"], d_learning_rate=p["learning_rate"],
                                  g_learning_rate=p["learning_rate"], d_steps=p["d_steps"])
    trainer = training.Trainer(generator, discriminator, fashion_mnist.sampler(data.train_images), config)
    trainer.train(200, progress=False)  # trace and warm up
    wall, cpu = time.perf_counter(), time.process_time()
    trainer.train(steps, progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"threads {threads or 'default'}: {steps} steps in {wall:.1f} s wall ({steps / wall:.0f} steps/s), "
          f"{1000 * cpu / steps:.1f} ms CPU per step; load average {os.getloadavg()[0]:.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="lecture", choices=runner.PROFILES)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("build/bench03"))
    parser.add_argument("--throughput", action="store_true", help="time 1,000 training steps only")
    parser.add_argument("--threads", type=int, default=None, help="TF threads for --throughput")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter of the lesson (a Python literal), e.g. --set d_steps=2")
    parser.add_argument("--json", type=pathlib.Path, default=None,
                        help="add each seed's recorded numbers, under this run's parameters, to a JSON file")
    args = parser.parse_args(argv)
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name] = ast.literal_eval(value)
    if args.throughput:
        throughput(args.threads)
        return 0
    out = args.out.resolve()  # the notebook runs in notebooks/: a relative record path would miss
    lesson = runner.lessons()["03"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU cores; load average before: "
          f"{os.getloadavg()[0]:.2f}")
    failed = False
    for seed in args.seeds:
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        outcome = runner.run_lesson(lesson, args.profile, {**overrides, "seed": seed},
                                    out / f"seed{seed}", progress=False)
        if args.json is not None and outcome.status == "ok":
            record = json.loads(args.json.read_text()) if args.json.exists() else {"runs": []}
            record["runs"].append({"parameters": overrides, "seed": seed, "profile": args.profile,
                                   "metrics": outcome.metrics, "load_average": os.getloadavg()[0]})
            args.json.write_text(json.dumps(record, indent=1, default=float) + "\n")
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
        m = outcome.metrics
        print(f"\nseed {seed}: {outcome.status}{' (' + outcome.error + ')' if outcome.error else ''}; "
              f"lesson wall time {outcome.wall_seconds:.0f} s (training {m.get('train_seconds', 0):.0f} s), "
              f"CPU time {cpu:.0f} s, load average after {os.getloadavg()[0]:.2f}")
        if outcome.status != "ok" or "frechet_distance" not in m:
            failed = True
            continue
        ceiling = m["frechet_ceiling"]
        checks = {
            f"classes present: {m['classes_covered']:.0f} of 10": m["classes_covered"] == 10,
            f"largest class: {m['max_class_fraction']:.1%} (<= 30%)": m["max_class_fraction"] <= 0.30,
            f"Frechet distance: {m['frechet_distance']:.2f} (<= ceiling / 4 = {ceiling / 4:.2f}; "
            f"floor {m['frechet_floor']:.2f}, ceiling {ceiling:.2f})": m["frechet_distance"] <= ceiling / 4,
        }
        print(f"  classifier score {m['classifier_score']:.2f}")
        for text, met in checks.items():
            print(f"  {'met   ' if met else 'MISSED'} {text}")
        failed |= not all(checks.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
