"""The project's data/ directory and what it ships there, checked by SHA-256 (lessons 03-06).

Every shipped file in data/ (the weights, the JSON records beside them, the stored studies) has its
SHA-256 in data/MANIFEST.json, which `python scripts/hash_artifacts.py` writes and the scripts that
write data/ files update. `load_json` and `verified_record`, the one way the package reads data/,
read a file only once its hash matches, so an edited `steps`, `quality` or stored W1 is refused,
not shown as true. Shipped weights are also checked against the "sha256" of the record beside
them. The dataset files (data/*-ubyte*) are never committed and never listed.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"  # the one place data/ is computed
MANIFEST_NAME = "MANIFEST.json"
MANIFEST_PATH = DATA_DIR / MANIFEST_NAME
HASH_COMMAND = "python scripts/hash_artifacts.py"
NOT_SHIPPED = ("*-ubyte*", MANIFEST_NAME, ".*")  # file names in data/ the manifest leaves out
# the command that writes each shipped file: the fix a damaged or missing one names
WRITERS = {
    "dcgan_generator.weights.h5": "python scripts/train_dcgan.py --profile full",
    "dcgan_generator.json": "python scripts/train_dcgan.py --profile full",
    "fashion_classifier.weights.h5": "python scripts/train_classifier.py",
    "fashion_classifier.json": "python scripts/train_classifier.py",
    "loss_comparison.json": "python benchmarks/loss_comparison.py",
    "mode_collapse.json": "python benchmarks/mode_collapse.py",
    "lesson01_measurements.json": "python benchmarks/lesson01_measurements.py",
    "dcgan_guidelines.json": "python benchmarks/dcgan_guidelines.py",
    "stabilising_tricks.json": "python benchmarks/stabilising.py tricks",
    "discriminator_balance.json": "python benchmarks/stabilising.py balance",
    "reproducibility.json": ("python benchmarks/reproducibility.py --tricks r1 --seeds 0 1 2 3 4 "
                             "--repeats 30 --out data/reproducibility.json"),
    "lesson03_variants.json": ("python benchmarks/lesson03_targets.py --seeds 0 --json "
                               "data/lesson03_variants.json (plain, then --set final_learning_rate=1e-3, "
                               "then --set d_steps=2)"),
}


class ArtifactError(ValueError):
    """A shipped file is missing, unreadable, or does not match its recorded SHA-256."""


def sha256_of(path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_hash(path, data: bytes | None = None) -> str:
    """The SHA-256 a manifest records for the file at `path` (or its bytes `data`): of its bytes as
    they are, except that a JSON file's CRLF line ends count as LF, so a checkout that converts line
    ends (git's core.autocrlf on Windows) still matches."""
    path = Path(path)
    if path.suffix != ".json":
        return sha256_of(path) if data is None else hashlib.sha256(data).hexdigest()
    data = path.read_bytes() if data is None else data
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def _in_repository(path) -> Path | None:
    """`path` relative to the repository (data/x.json), or None when it lies outside it."""
    try:
        return Path(path).resolve().relative_to(ROOT)
    except ValueError:
        return None


def _shown(path) -> str:
    """`path` relative to the repository when it is inside it (data/x.json), else as given."""
    return str(_in_repository(path) or path)


def _fix(path: Path, regenerate: str | None) -> str:
    """How to get a good copy of a file back: from git (inside the repository), or by rerunning
    the script that writes it (`regenerate`, or the one WRITERS names)."""
    rerun = regenerate or (f"Regenerate it with `{WRITERS[path.name]}`." if path.name in WRITERS else "")
    inside = _in_repository(path) is not None
    git = f"Restore the shipped copy with `git checkout -- {_shown(path)}`. " if inside else ""
    return (git + (f"Or: {rerun}" if git and rerun else rerun)).strip()


# ---- the manifest: {file name: SHA-256} of every shipped file in a directory --------------------
def is_shipped(path) -> bool:
    """Whether the manifest covers the file at `path`: a file not named by NOT_SHIPPED."""
    path = Path(path)
    return path.is_file() and not any(fnmatch.fnmatch(path.name, pattern) for pattern in NOT_SHIPPED)


def shipped_files(directory=DATA_DIR) -> list[Path]:
    """The files of `directory` the manifest covers, by name."""
    directory = Path(directory)
    return sorted(p for p in directory.iterdir() if is_shipped(p)) if directory.is_dir() else []


def read_manifest(directory=DATA_DIR) -> dict[str, str] | None:
    """The MANIFEST.json of `directory` as {file name: SHA-256}, or None when there is none."""
    path = Path(directory) / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (json.JSONDecodeError, UnicodeDecodeError) as failure:
        raise ArtifactError(f"{_shown(path)} is not valid JSON ({failure}). Restore it with `git checkout "
                            f"-- {_shown(path)}`, or rewrite it with `{HASH_COMMAND}`.") from None
    if not isinstance(manifest, dict) or not all(isinstance(v, str) for v in manifest.values()):
        raise ArtifactError(f"{_shown(path)} is not a {{file name: SHA-256}} record. Restore it with "
                            f"`git checkout -- {_shown(path)}`, or rewrite it with `{HASH_COMMAND}`.")
    return manifest


def _write(directory: Path, manifest: dict[str, str]) -> Path:
    path = directory / MANIFEST_NAME
    temporary = directory / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    temporary.replace(path)  # atomic: a reader never sees half a manifest
    return path


def write_manifest(directory=DATA_DIR) -> dict[str, str]:
    """Rewrite `directory`'s MANIFEST.json from the files there now; returns what it recorded."""
    directory = Path(directory)
    manifest = {p.name: manifest_hash(p) for p in shipped_files(directory)}
    _write(directory, manifest)
    return manifest


def update_manifest(*paths) -> list[str]:
    """Record the SHA-256 of files just written into their directory's manifest, where that
    directory has one or is data/ (elsewhere, e.g. an --out-dir of your own, nothing happens).
    Returns the names recorded. Scripts and save functions that write data/ call this."""
    recorded = []
    by_directory: dict[Path, list[Path]] = {}
    for path in map(Path, paths):
        by_directory.setdefault(path.resolve().parent, []).append(path)
    for directory, files in by_directory.items():
        manifest = read_manifest(directory)
        if manifest is None and directory != DATA_DIR.resolve():
            continue
        manifest = dict(manifest or {})
        for path in files:
            if is_shipped(path):
                manifest[path.name] = manifest_hash(path)
                recorded.append(path.name)
        _write(directory, manifest)
    return recorded


def manifest_problems(directory=DATA_DIR) -> list[str]:
    """What differs between `directory`'s files and its manifest (empty: they agree)."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    if manifest is None:
        return [f"{_shown(directory / MANIFEST_NAME)} is missing"]
    problems = []
    on_disk = {p.name: p for p in shipped_files(directory)}
    for name in sorted(set(manifest) | set(on_disk)):
        if name not in on_disk:
            problems.append(f"{name} is listed but not in {_shown(directory)}/")
        elif name not in manifest:
            problems.append(f"{name} is not listed")
        elif (actual := manifest_hash(on_disk[name])) != manifest[name]:
            problems.append(f"{name} has changed: SHA-256 {actual}, listed {manifest[name]}")
    return problems


# ---- reading shipped files ----------------------------------------------------------------------
def verify(path, error: type[Exception] = ArtifactError, regenerate: str | None = None,
           data: bytes | None = None) -> None:
    """Check the file at `path` (or its bytes `data`) against its directory's MANIFEST.json.

    Files in data/ must be listed with their hash; a file elsewhere is checked only if a
    MANIFEST.json lies beside it (a study you saved elsewhere yourself is read as it is)."""
    path = Path(path)
    directory = path.resolve().parent
    manifest = read_manifest(directory)
    if manifest is None:
        if directory == DATA_DIR.resolve():
            raise error(f"{_shown(directory / MANIFEST_NAME)} is missing, so {_shown(path)} cannot be "
                        f"checked. Restore it with `git checkout -- {_shown(directory / MANIFEST_NAME)}`, "
                        f"or rewrite it with `{HASH_COMMAND}`.")
        return
    actual = manifest_hash(path, data)
    expected = manifest.get(path.name)
    if expected is None:
        raise error(f"{_shown(path)} is not listed in {_shown(directory / MANIFEST_NAME)}, so it is not "
                    f"a file the course ships. If it is a new one, record it with `{HASH_COMMAND}`.")
    if actual != expected:
        raise error(f"{_shown(path)} has changed since it was recorded: SHA-256 {actual}, "
                    f"{_shown(directory / MANIFEST_NAME)} lists {expected}. An edited file would load "
                    f"as if true, so it is refused. {_fix(path, regenerate)} If you changed it on "
                    f"purpose, record the new hash with `{HASH_COMMAND}`.")


def load_json(path, error: type[Exception] = ArtifactError, regenerate: str | None = None,
              required=(), kind: str = "the expected record") -> dict:
    """The JSON object in the file at `path`, once verify() accepts it; `error(...)` naming the file
    and the fix when it is missing, unreadable, not a JSON object, changed, or lacks one of the
    `required` keys (then it is not `kind`, e.g. "lesson 01's study")."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{_shown(path)} is missing. {_fix(path, regenerate)}") from None
    except OSError as failure:
        raise error(f"cannot read {_shown(path)} ({type(failure).__name__}: {failure}). "
                    f"{_fix(path, regenerate)}") from None
    try:
        record = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as failure:
        raise error(f"{_shown(path)} is not valid JSON ({failure}). {_fix(path, regenerate)}") from None
    if not isinstance(record, dict):
        raise error(f"{_shown(path)} holds a JSON {type(record).__name__}, not a record (an object). "
                    f"{_fix(path, regenerate)}")
    verify(path, error, regenerate, data)
    if not set(required) <= set(record):
        raise error(f"{path} is not {kind}. {regenerate or _fix(path, None)}")
    return record


def read_record(metadata_path, error: type[Exception], regenerate: str) -> dict:
    """The JSON record a training script wrote beside its weights (load_json)."""
    return load_json(metadata_path, error, regenerate)


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
