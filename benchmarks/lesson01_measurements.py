"""Lesson 01's measurements over seeds: raw vs standardised units, fresh vs shared noise, and the
centroid updates that move away. Writes the study lesson 01 loads (its full profile reruns it).

    python benchmarks/lesson01_measurements.py              # 5 seeds x 3 variants x 6,000 steps
    python benchmarks/lesson01_measurements.py --seeds 2 --steps 1500 --out /tmp/l01.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

from gan_lessons import artifacts, curve_experiments  # noqa: E402

RESULTS_PATH = curve_experiments.RESULTS_PATH


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1")
    parser.add_argument("--steps", type=int, default=6000, help="steps per run (lesson 01's lecture)")
    parser.add_argument("--out", default=str(RESULTS_PATH))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    record = curve_experiments.study(range(args.seeds), args.steps, log=print)
    record.update(seconds=round(time.perf_counter() - start, 1),
                  created=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                  command=("python benchmarks/lesson01_measurements.py "
                           + shlex.join(argv if argv is not None else sys.argv[1:])).strip(),
                  machine={"platform": platform.platform(), "cpu_count": os.cpu_count(),
                           "load_average": [round(x, 2) for x in os.getloadavg()],
                           "tensorflow": tf.__version__})
    with open(args.out, "w") as file:
        json.dump(record, file, indent=1)
    if os.path.abspath(args.out) == os.path.abspath(RESULTS_PATH):
        artifacts.update_manifest(args.out)
    for row in curve_experiments.summary(record):
        print(row)
    print(f"wrote {args.out} in {record['seconds']:.0f} s")


if __name__ == "__main__":
    main()
