"""Lesson 08's stored studies on the 8-Gaussian ring (lesson 06's small MLPs, mode_experiments.LIVE,
for 1,500 generator steps (stabilising.BASE), the last third at a tenth of the rates, 2,500 samples
scored), on lesson 01's curve, and on Fashion-MNIST (lesson 04's lecture DCGAN, image_tricks.Budget).

    python benchmarks/stabilising.py tricks    # each trick alone, 5 seeds: data/stabilising_tricks.json
    python benchmarks/stabilising.py balance   # k x D/G rates, 3 seeds: data/discriminator_balance.json
    python benchmarks/stabilising.py image_tricks   # Fashion-MNIST, 3 seeds: data/image_tricks.json
    python benchmarks/stabilising.py image_tricks --seeds 1 --steps 20 --out /tmp/image.json  # a quick check
    python benchmarks/stabilising.py tricks --seeds 2 --steps 300 --out /tmp/tricks.json   # a quick check
    python benchmarks/stabilising.py tricks --report data/stabilising_tricks.json         # reprint

Every run of a study uses the same seeds and the same number of generator steps; a seed fixes the
initial weights (paired: the same generator and D layers for every trick) and the data stream.
Times per step leave out evaluations and the first chunk (tracing); they are wall time on a shared
machine, so read them against each other, within one study.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from gan_lessons import image_tricks, stabilising, stabilising_study  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("study", choices=("tricks", "balance", "curve_balance", "image_tricks"))
    parser.add_argument("--seeds", type=int, default=None,
                        help="seeds 0..N-1 (tricks: 5, balance and image_tricks: 3)")
    parser.add_argument("--steps", type=int, default=None,
                        help="generator steps per run (default 1,500; image_tricks: image_tricks.Budget's)")
    parser.add_argument("--tricks", nargs="+", default=None, choices=stabilising.TRICKS,
                        help="default: every trick of the study")
    parser.add_argument("--out", default=None, help="default: the study's file in data/")
    parser.add_argument("--report", metavar="JSON", help="print the table of a study file and exit")
    args = parser.parse_args(argv)
    if args.report:
        study = image_tricks if args.study == "image_tricks" else stabilising_study
        report(study.load(args.report))
        return 0
    command = "python benchmarks/stabilising.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    if args.study == "image_tricks":
        budget = image_tricks.Budget()
        if args.steps:  # four evaluations, in chunks no longer than their interval
            quarter = max(1, args.steps // 4)
            budget = budget.replace(steps=args.steps, eval_every=quarter,
                                    chunk_size=min(budget.chunk_size, quarter))
        seeds = range(args.seeds or image_tricks.SEEDS)
        tricks = args.tricks or image_tricks.TRICKS
        record = image_tricks.study(tricks, seeds, budget, command=command.strip())
        return write(record, args.out or image_tricks.PATH)
    if args.study == "curve_balance":
        steps = args.steps or stabilising_study.CURVE_STEPS
        start = time.perf_counter()
        results = stabilising_study.curve_balance_study(seeds=range(args.seeds or 3), steps=steps)
        seconds = time.perf_counter() - start
        record = stabilising_study.curve_record(results, command.strip(), seconds, steps)
        return write(record, args.out or stabilising_study.CURVE_BALANCE_PATH)
    base = stabilising.BASE if args.study == "tricks" else stabilising_study.BALANCE_BASE
    if args.steps:
        base = base.replace(steps=args.steps, eval_every=min(base.eval_every, max(1, args.steps // 4)))
    start = time.perf_counter()
    if args.study == "tricks":
        tricks = args.tricks or stabilising.TRICKS
        results = stabilising_study.tricks_study(tricks, range(args.seeds or 5), base)
        by, out = ("trick",), args.out or stabilising_study.TRICKS_PATH
    else:
        results = stabilising_study.balance_study(seeds=range(args.seeds or 3), base=base)
        by, out = ("d_steps", "rate_ratio"), args.out or stabilising_study.BALANCE_PATH
    seconds = time.perf_counter() - start
    return write(stabilising_study.record(results, command.strip(), seconds, by, base), out)


def write(record: dict, out) -> int:
    """Save a study (in data/: its SHA-256 into the manifest), print its table and how long it took."""
    stabilising_study.save(record, out)
    report(record)
    print(f"wrote {out} in {record['seconds'] / 60:.1f} min")
    return 0


def report(record: dict):
    print(f"{record['command']} ({record['created']}, {record['seconds'] / 60:.1f} min, load "
          f"{record['machine']['load_average']})")
    rows = record["summary"]
    if "floor" in record:  # Fashion-MNIST
        print(image_tricks.table(record))
        return
    if "target_w1_ratio" in record["config"]:  # the curve's map
        print(stabilising_study.curve_table(record))
        return
    if record["by"] == ["trick"]:
        print(stabilising_study.tricks_table(rows, record["noise_ceiling"]))
        for key in ("w1_ratio", "modes", "covered"):
            diffs = stabilising_study.paired_differences(record["results"], key)
            print(f"paired difference from the plain GAN, {key}: " + ", ".join(
                f"{trick} {mean:+.2f} ± {std:.2f}" for trick, (mean, std, _) in diffs.items()))
        return
    for r in rows:
        print(f"k={r['d_steps']} D/G rate {r['rate_ratio']:g}: W1/floor {r['w1_ratio']:.2f} ± "
              f"{r['w1_ratio_std']:.2f}, {r['modes']:.1f} modes ({r['covered']:.1f} covered) at "
              f"{r['high_quality']:.1f}% HQ, D accuracy {r['accuracy']:.0f}% (real {r['accuracy_real']:.0f}, "
              f"fake {r['accuracy_fake']:.0f}), {1000 * r['seconds_per_step']:.2f} ms/step")
    print("balanced (every seed covers every mode), rows k, columns D/G rate ratio:")
    print(stabilising_study.balanced_cells(rows))
    print(record["noise_ceiling"] and stabilising_study.mode_metrics.noise_line(record["noise_ceiling"]))


if __name__ == "__main__":
    sys.exit(main())
