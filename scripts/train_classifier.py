"""Train the Fashion-MNIST classifier behind gan_lessons.image_quality (seeded, minutes on a CPU).

Writes data/fashion_classifier.weights.h5 and data/fashion_classifier.json (the weights' SHA-256,
the measured test accuracy, the command, date and machine), and records both files' SHA-256 in
data/MANIFEST.json (scripts/hash_artifacts.py; only when --out-dir is data/ or holds a manifest). Usage:

    python scripts/train_classifier.py [--epochs 8] [--seed 0] [--data-dir DIR] [--out-dir data]
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
import numpy as np
import tensorflow as tf

from gan_lessons import artifacts, fashion_mnist, image_quality

MIN_TEST_ACCURACY = 0.90


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None, help="where the four Fashion-MNIST files are")
    parser.add_argument("--out-dir", default=str(image_quality.DATA_DIR))
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    data = fashion_mnist.load(args.data_dir)
    train = fashion_mnist.make_dataset(data.train_images, args.batch_size, labels=data.train_labels,
                                       seed=args.seed)
    classifier = image_quality.build_classifier(seed=args.seed)
    classifier.compile(optimizer=keras.optimizers.Adam(args.learning_rate),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       metrics=["accuracy"])
    start = time.perf_counter()
    classifier.fit(train, epochs=args.epochs, verbose=2)
    seconds = time.perf_counter() - start

    test_images = image_quality.as_classifier_input(data.test_images)
    logits = classifier.predict(test_images, batch_size=1000, verbose=0)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == data.test_labels))
    print(f"test accuracy {accuracy:.4f} after {args.epochs} epochs, {seconds:.0f} s of training")
    if accuracy < MIN_TEST_ACCURACY:
        print(f"below the required {MIN_TEST_ACCURACY:.0%}: nothing written", file=sys.stderr)
        return 1

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights = out / image_quality.WEIGHTS.name
    weights_only = image_quality.build_classifier(seed=args.seed)  # no optimizer state in the file
    weights_only.set_weights(classifier.get_weights())
    weights_only.save_weights(weights)
    record = {
        "weights": weights.name,
        "sha256": image_quality.sha256_of(weights),
        "test_accuracy": round(accuracy, 4),
        "test_images": int(len(data.test_labels)),
        "epochs": args.epochs, "batch_size": args.batch_size,
        "learning_rate": args.learning_rate, "seed": args.seed,
        "train_seconds": round(seconds, 1),
        "command": "python " + " ".join(shlex.quote(a) for a in [
            os.path.relpath(__file__, Path.cwd()), *(argv if argv is not None else sys.argv[1:])]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()}",
        "tensorflow": tf.__version__, "keras": keras.__version__,
    }
    (out / image_quality.METADATA.name).write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {weights} and {out / image_quality.METADATA.name}")
    recorded = artifacts.update_manifest(weights, out / image_quality.METADATA.name)
    if recorded:
        print(f"recorded the SHA-256 of {', '.join(recorded)} in {out / artifacts.MANIFEST_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
