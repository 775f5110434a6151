"""Mode collapse on the 8-Gaussian ring and the 5x5 grid: plain GAN vs remedies over seeds.

    python benchmarks/mode_collapse.py                       # 5 seeds, ring + grid: ~10-30 min on 2 CPUs
    python benchmarks/mode_collapse.py --remedies none packing minibatch_std wgan_gp
    python benchmarks/mode_collapse.py --seeds 2 --steps 1000 --out /tmp/mode_collapse.json
    python benchmarks/mode_collapse.py --report data/mode_collapse.json   # reprint, no training

Every run uses the same seeds and the same ExperimentConfig (gan_lessons.mode_experiments);
metrics on 2,500 samples as in the papers. Writes data/mode_collapse.json (every run's final
metrics and its evaluations over training, the summary, the config, the command, the machine and
the date) and prints the table recorded in benchmarks/RESULTS.md. Lesson 06 loads the file under
the lecture profile and reruns `mode_experiments.compare` under the full profile.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shlex
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from gan_lessons import mode_experiments, remedies  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(argv=None):
    defaults = mode_experiments.ExperimentConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--steps", type=int, default=defaults.steps, help="generator steps per run")
    parser.add_argument("--distributions", nargs="+", default=["ring", "grid"],
                        choices=["ring", "grid"])
    parser.add_argument("--remedies", nargs="+", default=["none", "packing", "minibatch_std"],
                        choices=remedies.REMEDIES)
    parser.add_argument("--no-w1", action="store_true", help="skip W1 (about 2 s a run)")
    parser.add_argument("--out", default=str(mode_experiments.RESULTS_PATH))
    parser.add_argument("--report", metavar="JSON", help="print the table of a results file and exit")
    args = parser.parse_args(argv)
    if args.report:
        record = mode_experiments.load_results(args.report)
        print(f"{record['command']} ({record['created']}, {record['seconds']:.0f} s, machine "
              f"{record['machine']['cpu_count']} CPUs, load {record['machine']['load_average']})")
        print(mode_experiments.format_table(mode_experiments.summarise(record["results"])))
        return
    config = defaults.replace(steps=args.steps)
    start = time.perf_counter()
    results = mode_experiments.compare(args.distributions, args.remedies, range(args.seeds), config,
                                       w1=not args.no_w1, log=print)
    seconds = time.perf_counter() - start
    command = "python benchmarks/mode_collapse.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    record = mode_experiments.save_results(results, config, args.out, command.strip(), seconds)
    print(mode_experiments.format_table(record["summary"]))
    print(f"wrote {args.out} in {seconds:.0f} s")


if __name__ == "__main__":
    main()
