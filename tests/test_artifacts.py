"""Shipped weights are read only after their SHA-256 matches the record beside them."""

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from gan_lessons import artifacts

ROOT = Path(__file__).resolve().parents[1]


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


# ---- one manifest of SHA-256 hashes covers every shipped file ---------------------------------
def test_the_manifest_matches_every_shipped_file_in_data():
    problems = artifacts.manifest_problems()
    assert not problems, (f"data/MANIFEST.json is out of date ({'; '.join(problems)}): if the change is "
                          f"meant, refresh it with `{artifacts.HASH_COMMAND}`")
    listed = artifacts.read_manifest()
    assert set(artifacts.WRITERS) <= set(listed), "every file a script ships is listed"
    assert not any("-ubyte" in name for name in listed), "the dataset is never committed, so never listed"


def _copy_of_data(tmp_path, inside_repository=False, monkeypatch=None):
    """A copy of the shipped files with a manifest of their own; with inside_repository, it stands
    in for the repository's data/ (ROOT and DATA_DIR patched)."""
    data = tmp_path / "data"
    data.mkdir()
    for path in artifacts.shipped_files():
        shutil.copy(path, data / path.name)
    if inside_repository:
        monkeypatch.setattr(artifacts, "ROOT", tmp_path)
        monkeypatch.setattr(artifacts, "DATA_DIR", data)
    artifacts.write_manifest(data)
    return data


def _edit(path, change):
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record, indent=1))


def test_an_edited_record_or_study_is_refused_by_every_reader_naming_file_and_fix(tmp_path, monkeypatch):
    from gan_lessons import dcgan, image_quality, loss_comparison, mode_experiments

    data = _copy_of_data(tmp_path, inside_repository=True, monkeypatch=monkeypatch)
    edits = {  # file: (an edit a reader would otherwise believe, the reader, its error, the script named)
        "dcgan_generator.json": (lambda r: r.update(steps=40000), dcgan.load_pretrained_metadata,
                                 dcgan.PretrainedError, "scripts/train_dcgan.py"),
        "fashion_classifier.json": (lambda r: r.update(test_accuracy=0.99), image_quality.load_metadata,
                                    image_quality.ClassifierError, "scripts/train_classifier.py"),
        "loss_comparison.json": (lambda r: r["runs"][0].update(final_w1_ratio=1.0),
                                 loss_comparison.load_results, ValueError, "benchmarks/loss_comparison.py"),
        "mode_collapse.json": (lambda r: r["summary"][0].update(modes=8.0), mode_experiments.load_results,
                               ValueError, "benchmarks/mode_collapse.py"),
    }
    for name, (change, reader, error, script) in edits.items():
        assert reader(data / name)  # the intact copy loads
        _edit(data / name, change)
        with pytest.raises(error) as raised:
            reader(data / name)
        message = str(raised.value)
        assert f"data/{name} has changed since it was recorded" in message, message
        assert f"git checkout -- data/{name}" in message and script in message
        assert artifacts.HASH_COMMAND in message


def test_an_edited_quality_or_settings_never_reaches_keras(tmp_path, monkeypatch):
    from gan_lessons import dcgan

    data = _copy_of_data(tmp_path, inside_repository=True, monkeypatch=monkeypatch)
    weights, record = data / dcgan.PRETRAINED_WEIGHTS.name, data / dcgan.PRETRAINED_METADATA.name
    _edit(record, lambda r: r["quality"].update(frechet_distance=2.0))
    with pytest.raises(dcgan.PretrainedError, match="dcgan_generator.json has changed"):
        dcgan.load_pretrained(weights, record)
    shutil.copy(dcgan.PRETRAINED_METADATA, record)
    _edit(record, lambda r: r["settings"].pop("width"))
    with pytest.raises(dcgan.PretrainedError, match="has changed"):
        dcgan.load_pretrained(weights, record)
    artifacts.write_manifest(data)  # even a record rehashed by hand must hold the settings G is built from
    with pytest.raises(dcgan.PretrainedError, match=r"records no model settings.*train_dcgan\.py"):
        dcgan.load_pretrained(weights, record)


def test_json_errors_name_the_file(tmp_path):
    broken = tmp_path / "study.json"
    broken.write_text('{"runs": [1, 2,')
    with pytest.raises(artifacts.ArtifactError, match=r"study\.json is not valid JSON \(.*line 1"):
        artifacts.load_json(broken)
    broken.write_text("[1, 2]")
    with pytest.raises(artifacts.ArtifactError, match=r"study\.json holds a JSON list, not a record"):
        artifacts.load_json(broken)
    (tmp_path / artifacts.MANIFEST_NAME).write_text("{oops")
    broken.write_text("{}")
    with pytest.raises(artifacts.ArtifactError, match=r"MANIFEST\.json is not valid JSON.*hash_artifacts"):
        artifacts.load_json(broken)


def test_data_without_its_manifest_or_a_file_it_does_not_list_is_refused(tmp_path, monkeypatch):
    data = _copy_of_data(tmp_path, inside_repository=True, monkeypatch=monkeypatch)
    (data / "extra.json").write_text("{}")
    with pytest.raises(artifacts.ArtifactError, match="extra.json is not listed in data/MANIFEST.json.*hash"):
        artifacts.load_json(data / "extra.json")
    (data / artifacts.MANIFEST_NAME).unlink()
    with pytest.raises(artifacts.ArtifactError, match="data/MANIFEST.json is missing.*git checkout"):
        artifacts.load_json(data / "loss_comparison.json")
    elsewhere = tmp_path / "mine.json"  # a study saved outside data/ with no manifest is read as it is
    elsewhere.write_text('{"a": 1}')
    assert artifacts.load_json(elsewhere) == {"a": 1}


def test_the_manifest_leaves_out_the_dataset_and_reads_crlf_json_as_lf(tmp_path):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"dataset")
    (tmp_path / "record.json").write_bytes(b'{\n "a": 1\n}\n')
    assert set(artifacts.write_manifest(tmp_path)) == {"record.json"}
    (tmp_path / "record.json").write_bytes(b'{\r\n "a": 1\r\n}\r\n')  # a Windows checkout (core.autocrlf)
    assert artifacts.load_json(tmp_path / "record.json") == {"a": 1}
    assert artifacts.manifest_problems(tmp_path) == []


def test_saving_a_study_into_data_records_its_new_hash(tmp_path, monkeypatch):
    from gan_lessons import loss_comparison

    data = _copy_of_data(tmp_path, inside_repository=True, monkeypatch=monkeypatch)
    results = {"regimes": {"balanced": {"d_steps": 1}}, "runs": [], "steps": 10}
    loss_comparison.save_results(results, data / "loss_comparison.json", command="pytest")
    assert loss_comparison.load_results(data / "loss_comparison.json")["command"] == "pytest"
    assert artifacts.manifest_problems(data) == []
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    loss_comparison.save_results(results, elsewhere / "study.json", command="pytest")
    assert not (elsewhere / artifacts.MANIFEST_NAME).exists()  # outside data/, no manifest is made


def test_the_hash_script_is_rerunnable_and_its_check_names_the_fix(tmp_path, capsys):
    script = importlib.util.spec_from_file_location("hash_artifacts", ROOT / "scripts" / "hash_artifacts.py")
    hash_artifacts = importlib.util.module_from_spec(script)
    script.loader.exec_module(hash_artifacts)
    (tmp_path / "study.json").write_text('{"w1": 0.1}')
    assert hash_artifacts.main(["--data-dir", str(tmp_path), "--check"]) == 1
    assert hash_artifacts.main(["--data-dir", str(tmp_path)]) == 0
    assert hash_artifacts.main(["--data-dir", str(tmp_path)]) == 0  # again: nothing changes
    assert "changed: none" in capsys.readouterr().out
    assert hash_artifacts.main(["--data-dir", str(tmp_path), "--check"]) == 0
    (tmp_path / "study.json").write_text('{"w1": 0.01}')
    assert hash_artifacts.main(["--data-dir", str(tmp_path), "--check"]) == 1
    out = capsys.readouterr().out
    assert "study.json has changed" in out and artifacts.HASH_COMMAND in out
