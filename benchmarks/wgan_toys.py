"""Lesson 07's stored study: WGAN-GP beside a plain GAN on the ring and the grid, 5 seeds each.

Every run uses wgan_study.StudyConfig (one budget for both methods), is scored with lesson 06's
mode metrics on 2,500 samples, and WGAN-GP runs also record the critic's estimate against the exact
W1 at every evaluation. Writes data/wgan_toys.json (the lecture loads it; the full profile reruns it).

    python benchmarks/wgan_toys.py                      # the stored study (~40 min on 2 idle cores)
    python benchmarks/wgan_toys.py --seeds 2 --steps 500 --out /tmp/wgan.json   # a quick check
    python benchmarks/wgan_toys.py --distributions ring --out /tmp/ring.json &   # in parallel,
    python benchmarks/wgan_toys.py --distributions grid --out /tmp/grid.json     # then join them:
    python benchmarks/wgan_toys.py --merge /tmp/ring.json /tmp/grid.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from gan_lessons import wgan_study  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=None, help="generator steps (default: StudyConfig's)")
    parser.add_argument("--distributions", nargs="+", default=["ring", "grid"])
    parser.add_argument("--methods", nargs="+", default=list(wgan_study.METHODS))
    parser.add_argument("--out", default=str(wgan_study.RESULTS_PATH))
    parser.add_argument("--merge", nargs="+", metavar="JSON", help="join studies run in parallel into --out")
    args = parser.parse_args(argv)
    command = "python benchmarks/wgan_toys.py " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.merge:
        record = wgan_study.merge([json.loads(open(path).read()) for path in args.merge], command.strip())
        wgan_study.write(record, args.out)  # in data/: also its new SHA-256 in data/MANIFEST.json
        report(record)
        print(f"wrote {args.out}")
        return 0
    config = wgan_study.StudyConfig()
    if args.steps:
        config = config.replace(steps=args.steps, eval_every=min(config.eval_every, max(1, args.steps // 4)))
    print(config, flush=True)
    start = time.perf_counter()
    results = wgan_study.compare(args.distributions, args.methods, range(args.seeds), config,
                                 log=lambda line: print(line, flush=True))
    seconds = time.perf_counter() - start
    record = wgan_study.save_results(results, config, args.out, command.strip(), seconds)
    report(record)
    print(f"wrote {args.out} in {seconds / 60:.1f} min")
    return 0


def report(record: dict):
    """The table with the published row and the noise ceiling, the tracking, the verdict."""
    print(wgan_study.format_table(record["summary"], record["ceilings"]))
    for row in wgan_study.tracking(record["results"]):
        print(f"{row['distribution']} seed {row['seed']}: critic estimate vs exact W1 over training: "
              f"correlation {row['correlation']:.3f}, final ratio {row['final_ratio']:.2f}")
    print(f"matches the published WGAN-GP row: {wgan_study.verdict(record['summary'])}")


if __name__ == "__main__":
    sys.exit(main())
