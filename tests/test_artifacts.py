"""Shipped weights are read only after their SHA-256 matches the record beside them."""

import hashlib
import json

import pytest

from gan_lessons import artifacts


class ShippedError(ValueError):
    pass


def write(tmp_path, payload=b"weights", record=None):
    weights, metadata = tmp_path / "w.weights.h5", tmp_path / "w.json"
    weights.write_bytes(payload)
    record = {"sha256": hashlib.sha256(payload).hexdigest()} if record is None else record
    metadata.write_text(json.dumps(record))
    return weights, metadata


def test_matching_file_returns_its_record(tmp_path):
    weights, metadata = write(tmp_path)
    record = artifacts.verified_record(weights, metadata, ShippedError, "Run train.py.")
    assert record["sha256"] == artifacts.sha256_of(weights) == hashlib.sha256(b"weights").hexdigest()


def test_altered_file_names_both_hashes_and_the_fix(tmp_path):
    weights, metadata = write(tmp_path)
    weights.write_bytes(b"weightz")
    with pytest.raises(ShippedError, match=r"does not match w\.json: SHA-256 .*expected .*Run train\.py\."):
        artifacts.verified_record(weights, metadata, ShippedError, "Run train.py.")


def test_missing_or_corrupt_record_and_missing_weights_are_clear_errors(tmp_path):
    weights, metadata = write(tmp_path)
    metadata.write_text("{not json")
    with pytest.raises(ShippedError, match="not valid JSON.*Run train.py"):
        artifacts.verified_record(weights, metadata, ShippedError, "Run train.py.")
    with pytest.raises(ShippedError, match="is missing"):
        artifacts.read_record(tmp_path / "absent.json", ShippedError, "Run train.py.")
    weights, metadata = write(tmp_path)
    weights.unlink()
    with pytest.raises(ShippedError, match="w.weights.h5 is missing"):
        artifacts.verified_record(weights, metadata, ShippedError, "Run train.py.")


def test_every_module_finds_data_in_the_one_place():
    from gan_lessons import dcgan, fashion_mnist, image_quality, loss_comparison, mode_experiments

    assert (artifacts.DATA_DIR / "fashion_classifier.json").is_file()
    assert dcgan.DATA_DIR == image_quality.DATA_DIR == fashion_mnist.PROJECT_DATA_DIR == artifacts.DATA_DIR
    for path in (dcgan.PRETRAINED_WEIGHTS, image_quality.WEIGHTS, loss_comparison.RESULTS_PATH,
                 mode_experiments.RESULTS_PATH):
        assert path.parent == artifacts.DATA_DIR and path.is_file(), path
