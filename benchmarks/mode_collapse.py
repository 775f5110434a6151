"""Mode collapse on the 8-Gaussian ring and the 5x5 grid in PacGAN's Table 1 setting: plain GAN vs
PacGAN4 over seeds, printed beside the published rows and the noise ceiling.

    python benchmarks/mode_collapse.py                      # the stored study (see RESULTS.md for its time)
    python benchmarks/mode_collapse.py --remedies none packing --seeds 5 --steps 3000
    python benchmarks/mode_collapse.py --seeds 2 --steps 600 --out /tmp/mode_collapse.json
    python benchmarks/mode_collapse.py --report data/mode_collapse.json   # reprint, no training
    python benchmarks/mode_collapse.py --live --workers 4   # add the small MLPs' remedies over seeds
    python benchmarks/mode_collapse.py --images   # add lesson 04's lecture-length run's class histogram

Every run uses the same seeds and the same setting (gan_lessons.mode_experiments.PACGAN, with the
budget flags below); metrics on 2,500 samples as in the papers. Writes data/mode_collapse.json
(every run's final metrics and its evaluations over training, the summary, the noise ceilings,
the config, the command, the machine and the date) and prints the table recorded in
benchmarks/RESULTS.md. Lesson 06 loads the file under the lecture profile and reruns
`mode_experiments.compare` under the full profile.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from gan_lessons import mode_experiments, remedies  # noqa: E402


def main(argv=None):
    defaults = mode_experiments.PACGAN
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--steps", type=int, default=defaults.steps, help="generator steps per run")
    parser.add_argument("--distributions", nargs="+", default=["ring", "grid"], choices=["ring", "grid"])
    parser.add_argument("--remedies", nargs="+", default=["none", "packing"], choices=remedies.REMEDIES)
    parser.add_argument("--no-w1", action="store_true", help="skip W1 (about 2 s a run)")
    parser.add_argument("--workers", type=int, default=1, help="runs trained at once, in separate processes")
    parser.add_argument("--out", default=str(mode_experiments.RESULTS_PATH))
    parser.add_argument("--report", metavar="JSON", help="print the table of a results file and exit")
    parser.add_argument("--live", action="store_true",
                        help="train the small MLPs of the lecture (mode_experiments.LIVE) with every remedy "
                             "over the seeds and add them to the results file at --out")
    parser.add_argument("--images", action="store_true",
                        help="train lesson 04's lecture DCGAN for its lecture length and add its class "
                             "histogram to the results file at --out (a few minutes)")
    args = parser.parse_args(argv)
    if args.images:
        add_lecture_run(args.out)
        return
    if args.live:
        add_live_study(args, argv)
        return
    if args.report:
        record = mode_experiments.load_results(args.report)
        print(f"{record['command']} ({record['created']}, {record['seconds']:.0f} s, machine "
              f"{record['machine']['cpu_count']} CPUs, load {record['machine']['load_average']})")
        config = mode_experiments.config_from(record)
        print(mode_experiments.format_table(mode_experiments.summarise(record["results"]), config,
                                            record.get("noise_ceilings")))
        if "live" in record:
            live = mode_experiments.config_from(record["live"])
            print(f"\nThe small MLPs ({record['live']['command']}, {record['live']['seconds']:.0f} s):")
            rows = record["live"]["summary"]
            print(mode_experiments.format_table(rows, live, record["noise_ceilings"], published=False))
        return
    config = defaults.replace(steps=args.steps)
    start = time.perf_counter()
    results = mode_experiments.compare(args.distributions, args.remedies, range(args.seeds), config,
                                       w1=not args.no_w1, log=print, workers=args.workers)
    seconds = time.perf_counter() - start
    command = "python benchmarks/mode_collapse.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    record = mode_experiments.save_results(results, config, args.out, command.strip(), seconds)
    print(mode_experiments.format_table(record["summary"], config, record["noise_ceilings"]))
    print(f"wrote {args.out} in {seconds:.0f} s")


def add_live_study(args, argv):
    """mode_experiments.LIVE (the lecture's small MLPs) with every lesson-06 remedy over the seeds,
    stored under record["live"] beside the PacGAN-setting study."""
    config = mode_experiments.LIVE
    start = time.perf_counter()
    results = mode_experiments.compare(args.distributions, remedies.REMEDIES, range(args.seeds), config,
                                       w1=not args.no_w1, log=print, workers=args.workers)
    seconds = time.perf_counter() - start
    record = mode_experiments.load_results(args.out)
    record["live"] = {"results": results, "summary": mode_experiments.summarise(results),
                      "config": dataclasses.asdict(config), "seconds": round(seconds, 1),
                      "command": "python benchmarks/mode_collapse.py " + shlex.join(argv or sys.argv[1:])}
    mode_experiments.write_record(record, args.out)
    print(mode_experiments.format_table(record["live"]["summary"], config, record["noise_ceilings"],
                                        published=False))
    print(f"added the small MLPs' study to {args.out} in {seconds:.0f} s")


def add_lecture_run(path, seed: int = 0, n: int = 2000):
    """Train dcgan.LECTURE (lesson 04's lecture model) for lesson 04's lecture steps and store the
    classifier's class histogram of n samples, every 1,000 steps, under record["images"]."""
    from gan_lessons import dcgan, fashion_mnist, image_quality, profiles

    steps = profiles.settings("04", "lecture")["steps"]
    data, classifier = fashion_mnist.load(download=False), image_quality.load_classifier()
    trainer = dcgan.make_trainer(data.train_images, seed=seed)
    start, checkpoints = time.perf_counter(), []
    for _ in range(0, steps, 1000):
        trainer.train(min(1000, steps - int(trainer.step.numpy())), progress=False)
        images = image_quality.as_classifier_input(trainer.generate(n, seed=image_quality.EVAL_SEED))
        counts = image_quality.class_histogram(classifier.predict(images, verbose=0))
        checkpoints.append({"step": int(trainer.step.numpy()), "counts": counts.tolist()})
        print(f"step {checkpoints[-1]['step']}: {image_quality.histogram_summary(counts)}")
    record = mode_experiments.load_results(path)
    record["images"] = {"lecture_run": {"steps": steps, "seed": seed, "n": n, "settings": dcgan.LECTURE,
                                        "counts": checkpoints[-1]["counts"], "checkpoints": checkpoints,
                                        "seconds": round(time.perf_counter() - start, 1)}}
    mode_experiments.write_record(record, path)
    print(f"added lesson 04's lecture-run class histogram to {path}")


if __name__ == "__main__":
    main()
