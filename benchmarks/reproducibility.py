"""Same seed, same numbers? Lesson 08's tricks study run again, each run in a fresh process, every
final W1 compared with the stored study's (data/stabilising_tricks.json) to the last digit.

    python benchmarks/reproducibility.py --tricks r1 --seeds 0 --repeats 20   # R1's seed 0, 20 processes
    python benchmarks/reproducibility.py --tricks none r1 --seeds 0 1 2 3 4 --repeats 4 --workers 2
    python benchmarks/reproducibility.py --tricks r1 --seeds 0 1 2 3 4 --repeats 30 \
        --out data/reproducibility.json        # lesson 08's check (about 35 minutes on 2 cores)
    python benchmarks/reproducibility.py --from-log runs.jsonl --out data/reproducibility.json

Every process imports this checkout's gan_lessons and records where it found it (a script that
left that to the install would get whatever `pip install -e` last pointed at, which may be another
checkout with other code). A run
ends in its own process as stabilising.run ends in the study (the same schedule, evaluations and
scoring). --log appends one JSON line a run; --out stores the runs and their counts (in data/, with
its SHA-256 in the manifest), which lesson 08 loads.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
CHECKOUT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT))  # this checkout's gan_lessons, here and in each run's process


def one(trick: str, seed: int) -> dict:
    """Train one run of the study here and return its final W1 and what produced it."""
    import gan_lessons
    from gan_lessons import stabilising

    start = time.perf_counter()
    result = stabilising.run(trick, seed)
    seconds = round(time.perf_counter() - start, 1)
    package = str(Path(gan_lessons.__file__).parent)
    return {"trick": trick, "seed": seed, "w1": result["w1"], "package": package, "seconds": seconds}


def in_fresh_process(trick: str, seed: int, timeout: float) -> dict:
    command = [sys.executable, __file__, "--one", trick, str(seed)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"trick": trick, "seed": seed, "error": f"ran past {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"trick": trick, "seed": seed, "error": last}
    return json.loads(lines[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tricks", nargs="+", default=["r1"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per trick and seed")
    parser.add_argument("--workers", type=int, default=2, help="processes at a time")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a run may take")
    parser.add_argument("--log", default=None, help="append each run as a JSON line to this file")
    parser.add_argument("--out", default=None, help="store the runs and their counts in this JSON file")
    parser.add_argument("--from-log", default=None, metavar="LOG",
                        help="take the runs from a --log file instead of training (with --out: store them)")
    parser.add_argument("--one", nargs=2, metavar=("TRICK", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]))), flush=True)
        return 0

    from gan_lessons import stabilising, stabilising_study

    for trick in args.tricks:
        try:
            stabilising.check_trick(trick)
        except ValueError as error:
            parser.error(str(error))
    if args.repeats < 1 or args.workers < 1:
        parser.error("--repeats and --workers must be at least 1")
    study_path = stabilising_study.TRICKS_PATH
    study = stabilising_study.load(study_path)
    stored = {(r["trick"], r["seed"]): r["w1"] for r in study["results"]}
    missing = [(t, s) for t in args.tricks for s in args.seeds if (t, s) not in stored]
    if missing:
        parser.error(f"the stored study has no run for {missing}; it has seeds 0-4 of {stabilising.TRICKS}")
    start, pool = time.perf_counter(), None
    command = "python benchmarks/reproducibility.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    if args.from_log:  # runs logged by an earlier --log run, each with its time of day
        results = [json.loads(line) for line in Path(args.from_log).read_text().splitlines() if line.strip()]
    else:
        jobs = [(t, s) for _ in range(args.repeats) for t in args.tricks for s in args.seeds]
        print(f"{len(jobs)} runs, {args.workers} at a time; stored: {study_path}", flush=True)
        pool = ThreadPoolExecutor(args.workers)
        results = pool.map(lambda job: in_fresh_process(*job, args.timeout), jobs)
    outcomes = collections.defaultdict(list)
    for result in results:
        key = (result["trick"], result["seed"])
        if "error" in result:
            print(f"{key}: failed: {result['error']}", flush=True)
            continue
        result["same"] = result["w1"] == stored[key]
        outcomes[key].append(result)
        if not args.from_log:
            print(f"{result['trick']} seed {result['seed']}: W1 {result['w1']:.6f} "
                  f"(stored {stored[key]:.6f}) same {result['same']}; {result['seconds']} s; "
                  f"{result['package']}", flush=True)
            if args.log:
                with open(args.log, "a") as log:
                    log.write(json.dumps({**result, "time": time.strftime("%H:%M:%S")}) + "\n")
    print("\ntrick, seed: runs that gave the stored W1 to the last digit")
    for (trick, seed), runs in sorted(outcomes.items()):
        others = sorted({round(r["w1"], 6) for r in runs if not r["same"]})
        print(f"  {trick}, {seed}: {sum(r['same'] for r in runs)} of {len(runs)}"
              + (f"; others: {others}" if others else ""))
    packages = {r["package"] for runs in outcomes.values() for r in runs}
    print(f"gan_lessons imported from: {', '.join(sorted(packages))}")
    if pool is not None:
        pool.shutdown()
    if args.out:
        runs = [r for key in sorted(outcomes) for r in outcomes[key]]
        record = stabilising_study.reproducibility_record(runs, command, time.perf_counter() - start)
        stabilising_study.save(record, args.out)
        print(f"wrote {args.out}")
    return 0 if all(r["same"] for runs in outcomes.values() for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
