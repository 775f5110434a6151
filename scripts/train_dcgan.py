"""Train lesson 04's DCGAN under a profile and ship its generator (seeded, checkpointed, resumable).

Writes data/dcgan_generator.weights.h5 (generator weights only, HDF5: no code) and
data/dcgan_generator.json (SHA-256, profile, settings, steps really trained, quality beside floor
and ceiling, command, machine, date), and records both files' SHA-256 in data/MANIFEST.json
(scripts/hash_artifacts.py; only when --out-dir is data/ or holds a manifest). Usage:

    python scripts/train_dcgan.py [--profile full] [--steps N] [--max-minutes M] [--seed 0]
                                  [--checkpoint-dir DIR] [--out-dir data]

--max-minutes stops at the first checkpoint after the time limit: the record then says how many
of the profile's steps were trained. Run it again with the same --checkpoint-dir to continue.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import keras
import tensorflow as tf

from gan_lessons import artifacts, checkpoints, dcgan, fashion_mnist, image_quality, profiles

SAMPLE_SEED = 2024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full", choices=profiles.PROFILES)
    parser.add_argument("--steps", type=int, default=None, help="default: the profile's")
    parser.add_argument("--max-minutes", type=float, default=None, help="stop after this much training")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint-dir", default="build/dcgan_full")
    parser.add_argument("--out-dir", default=str(dcgan.DATA_DIR))
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)

    settings = profiles.settings("04", args.profile)
    planned = args.steps or settings["steps"]
    model_settings = dict(dcgan.LECTURE)  # every profile trains the lecture model; full trains longer
    data = fashion_mnist.load(args.data_dir)
    scorer = image_quality.load_scorer(data, n=1000)
    trainer = dcgan.make_trainer(data.train_images, model_settings, seed=args.seed,
                                 evaluate=scorer.evaluator())
    scorer.set_ceiling(trainer.generate(scorer.n, seed=SAMPLE_SEED))
    checkpointer = checkpoints.Checkpointer(trainer, args.checkpoint_dir, every=settings["checkpoint_every"],
                                            description={"profile": args.profile, "seed": args.seed,
                                                         **model_settings})
    resumed = checkpointer.restore()
    if resumed:
        print(f"resumed from step {resumed} in {args.checkpoint_dir}")
    trainer.hooks.append(checkpointer)
    start = time.perf_counter()
    while checkpoints.steps_left(trainer, planned):
        segment = min(settings["checkpoint_every"], checkpoints.steps_left(trainer, planned))
        trainer.train(segment, evaluate_every=settings["eval_every"], progress=False)
        last = trainer.history.evaluations[-1]
        print(f"step {int(trainer.step.numpy()):,}: Frechet distance {last['frechet_distance']:.2f}, "
              f"{last['classes_covered']} classes, largest {last['max_class_fraction']:.3f}; "
              f"{time.perf_counter() - start:.0f} s; load {os.getloadavg()[0]:.1f}", flush=True)
        if args.max_minutes and time.perf_counter() - start > 60 * args.max_minutes:
            print(f"time limit of {args.max_minutes} min reached at step {int(trainer.step.numpy())}")
            break
    seconds = time.perf_counter() - start
    steps = int(trainer.step.numpy())
    earlier, earlier_commands = 0.0, []  # of the run this one resumed, from the record it wrote
    metadata_path = Path(args.out_dir) / dcgan.PRETRAINED_METADATA.name
    if resumed and metadata_path.is_file():
        previous = json.loads(metadata_path.read_text())
        if previous.get("steps") == resumed and previous.get("seed") == args.seed:
            earlier = previous.get("wall_seconds_total", previous.get("wall_seconds_this_run", 0.0))
            earlier_commands = [*previous.get("earlier_commands", []), previous["command"]]

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights = out / dcgan.PRETRAINED_WEIGHTS.name
    trainer.generator.save_weights(weights)
    reloaded = dcgan.dcgan_generator(model_settings["latent_dim"], model_settings["width"],
                                     model_settings["kernel_size"])
    reloaded.load_weights(weights)
    scores = scorer.score(dcgan.sample(reloaded, scorer.n, seed=SAMPLE_SEED))
    print(scorer.report(scores, label=f"step {steps}"))
    record = {
        "weights": weights.name,
        "sha256": image_quality.sha256_of(weights),
        "profile": args.profile,
        "settings": model_settings,
        "seed": args.seed,
        "steps": steps,
        "profile_steps": planned,
        "complete": steps >= planned,
        "note": (f"the {args.profile} profile's model and optimizer, trained for {steps:,} of its "
                 f"{planned:,} steps" + ("" if steps >= planned else
                                         f" (stopped by --max-minutes {args.max_minutes})")),
        "resumed_from_step": resumed or 0,
        "wall_seconds_this_run": round(seconds, 1),  # training and evaluations since resumed_from_step
        "wall_seconds_total": round(seconds + earlier, 1),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "quality": {"n": scorer.n, "sample_seed": SAMPLE_SEED,
                    **{k: v if isinstance(v, int) else round(float(v), 4) for k, v in scores.items()},
                    "floor_frechet_distance": round(scorer.floor["frechet_distance"], 4),
                    "ceiling_frechet_distance": round(scorer.ceiling["frechet_distance"], 4)},
        "earlier_commands": earlier_commands,  # the runs this one continued, oldest first
        "command": "python " + " ".join(shlex.quote(a) for a in [
            os.path.relpath(__file__, Path.cwd()), *(argv if argv is not None else sys.argv[1:])]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()}, "
                   f"{'GPU' if tf.config.list_physical_devices('GPU') else 'no GPU'}",
        "tensorflow": tf.__version__, "keras": keras.__version__,
    }
    metadata_path.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    recorded = artifacts.update_manifest(weights, metadata_path)
    if recorded:
        print(f"recorded the SHA-256 of {', '.join(recorded)} in {out / artifacts.MANIFEST_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
