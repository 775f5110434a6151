"""The project's data/ directory and the weights it ships there, checked by SHA-256 (lessons 03-06).

Shipped weights are read only after their SHA-256 matches the record the training script wrote.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"  # the one place data/ is computed


def sha256_of(path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_record(metadata_path, error: type[Exception], regenerate: str) -> dict:
    """The JSON record a training script wrote beside its weights; `error(...)` naming the fix."""
    try:
        return json.loads(Path(metadata_path).read_text())
    except FileNotFoundError:
        raise error(f"{metadata_path} is missing. {regenerate}") from None
    except json.JSONDecodeError as failure:
        raise error(f"{metadata_path} is not valid JSON ({failure}). {regenerate}") from None


def verified_record(weights_path, metadata_path, error: type[Exception], regenerate: str) -> dict:
    """The record of `weights_path`, once the file's SHA-256 matches the record's "sha256"."""
    weights_path = Path(weights_path)
    record = read_record(metadata_path, error, regenerate)
    if not weights_path.is_file():
        raise error(f"{weights_path} is missing. {regenerate}")
    actual, expected = sha256_of(weights_path), record.get("sha256")
    if actual != expected:
        raise error(f"{weights_path} does not match {Path(metadata_path).name}: SHA-256 {actual}, "
                    f"expected {expected}. {regenerate}")
    return record
