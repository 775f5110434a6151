"""Minimax vs non-saturating generator loss over several seeds: the table lesson 05 loads.

    python benchmarks/loss_comparison.py                # 5 seeds, 3,000 steps: a few minutes
    python benchmarks/loss_comparison.py --seeds 10 --out /tmp/loss_comparison.json

Writes data/loss_comparison.json (every run's evaluations and curves, the command, the machine).
Lesson 05 loads it under the lecture profile and reruns it under the full profile.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from gan_lessons import loss_comparison  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--steps", type=int, default=3000, help="training steps per run")
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--eval-samples", type=int, default=1000)
    parser.add_argument("--out", default=str(loss_comparison.RESULTS_PATH))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = loss_comparison.study(range(args.seeds), args.steps, args.eval_every,
                                    args.eval_samples, log=print)
    results["seconds"] = round(time.perf_counter() - start, 1)
    command = "python benchmarks/loss_comparison.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    loss_comparison.save_results(results, args.out, command.strip())
    print(loss_comparison.format_table(loss_comparison.outcome_table(results)))
    print(f"wrote {args.out} in {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
