"""Record the SHA-256 of every file the course ships in data/ in data/MANIFEST.json.

The package reads data/ only through gan_lessons.artifacts, which refuses a file whose hash is not
the one recorded here: an edited record or study must not load as if true. The scripts that write
data/ (scripts/train_dcgan.py, scripts/train_classifier.py, and benchmarks/loss_comparison.py and
benchmarks/mode_collapse.py through their save_results) update their own entries; run this after
changing or adding a shipped file any other way. The dataset files (data/*-ubyte*) are never listed.
Safe to rerun: it rewrites the manifest from the files there now.

    python scripts/hash_artifacts.py          # rewrite data/MANIFEST.json
    python scripts/hash_artifacts.py --check  # exit 1, saying what differs, if it is out of date
"""

import argparse
import sys
from pathlib import Path

from gan_lessons import artifacts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if the manifest is out of date")
    parser.add_argument("--data-dir", default=str(artifacts.DATA_DIR), help="default: the project's data/")
    args = parser.parse_args(argv)
    directory = Path(args.data_dir)
    if args.check:
        problems = artifacts.manifest_problems(directory)
        for problem in problems:
            print(f"{directory / artifacts.MANIFEST_NAME}: {problem}")
        print(f"out of date: run `{artifacts.HASH_COMMAND}`" if problems else "up to date")
        return 1 if problems else 0
    before = artifacts.read_manifest(directory) or {}
    manifest = artifacts.write_manifest(directory)
    changed = sorted(name for name in set(before) | set(manifest) if before.get(name) != manifest.get(name))
    print(f"{directory / artifacts.MANIFEST_NAME}: {len(manifest)} files; "
          f"changed: {', '.join(changed) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
