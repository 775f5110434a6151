"""What each DCGAN guideline buys: lesson 04's lecture model and variants with one guideline
removed or changed, the same training-time budget each, over several seeds. Writes the study
lesson 04 loads (data/dcgan_guidelines.json); its full profile reruns it.

    python benchmarks/dcgan_guidelines.py                        # 3 seeds, 60 s of training each
    python benchmarks/dcgan_guidelines.py --seeds 1 --budget 10 --out /tmp/g.json

For each seed the variants are interleaved in slices of a few seconds, so all of them see the same
machine load; tracing and evaluation are not counted as training time. Scores: the Frechet
distance on the project's classifier features (not FID) with its floor (real vs real) and ceiling
(an untrained lecture generator), classes covered of 10, the largest class's share, divergences.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402
from dcgan_time_to_quality import SAMPLE_SEED, Run  # noqa: E402  (this folder: the same timed run)

from gan_lessons import artifacts, dcgan, dcgan_guidelines, fashion_mnist, image_quality, training  # noqa: E402

RESULTS_PATH = dcgan_guidelines.RESULTS_PATH
VARIANTS = dcgan_guidelines.VARIANTS


def run_seed(seed: int, data, scorer, budget: float, slice_seconds: float, log=print) -> list[dict]:
    runs = {name: Run(name, {**dcgan.LECTURE, **settings}, data, scorer, seed)
            for name, settings in VARIANTS.items()}
    diverged = {name: None for name in runs}
    while any(run.clock < budget and diverged[name] is None for name, run in runs.items()):
        for name, run in runs.items():
            if run.clock >= budget or diverged[name] is not None:
                continue
            try:
                run.train_for(min(slice_seconds, budget - run.clock))
            except training.TrainingDiverged as error:
                diverged[name] = str(error)
    rows = []
    for name, run in runs.items():
        scores = scorer.score(run.trainer.generate(scorer.n, seed=SAMPLE_SEED))
        rows.append({"variant": name, "seed": seed, "steps": int(run.trainer.step.numpy()),
                     "seconds": round(run.clock, 1), "diverged": diverged[name], **scores})
        log(f"seed {seed} {name:28s}: Frechet {scores['frechet_distance']:6.2f}, "
            f"{scores['classes_covered']} classes, {rows[-1]['steps']} steps")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1")
    parser.add_argument("--budget", type=float, default=60.0, help="training seconds per variant and seed")
    parser.add_argument("--slice", type=float, default=5.0, help="seconds per turn when interleaving")
    parser.add_argument("--samples", type=int, default=1000, help="n of the quality score")
    parser.add_argument("--out", default=str(RESULTS_PATH))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    data = fashion_mnist.load()
    scorer = image_quality.load_scorer(data, n=args.samples)
    scorer.set_ceiling_from(dcgan.make_trainer(data.train_images, dcgan.LECTURE, seed=0))
    runs = [row for seed in range(args.seeds)
            for row in run_seed(seed, data, scorer, args.budget, args.slice)]
    record = {"variants": VARIANTS, "budget_seconds": args.budget, "n": scorer.n, "runs": runs,
              "floor": scorer.floor, "ceiling": scorer.ceiling,
              "seconds": round(time.perf_counter() - start, 1),
              "created": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
              "command": ("python benchmarks/dcgan_guidelines.py "
                          + shlex.join(argv if argv is not None else sys.argv[1:])).strip(),
              "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                          "load_average": [round(x, 2) for x in os.getloadavg()],
                          "tensorflow": tf.__version__}}
    record = json.loads(json.dumps(record, default=float))
    with open(args.out, "w") as file:
        json.dump(record, file, indent=1)
    if os.path.abspath(args.out) == os.path.abspath(RESULTS_PATH):
        artifacts.update_manifest(args.out)
    print(dcgan_guidelines.format_table(record))
    print(f"floor {scorer.floor['frechet_distance']:.2f}, ceiling {scorer.ceiling['frechet_distance']:.1f}; "
          f"wrote {args.out} in {record['seconds']:.0f} s")


if __name__ == "__main__":
    main()
