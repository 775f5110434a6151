"""Fashion-MNIST (lessons 03, 04, 06): find the four files, verify them, load uint8 arrays, feed training.

Search order: a directory you name (argument, then the FASHION_MNIST_DIR environment variable),
the project's data/, the Debian package's /usr/share/datasets/fashion-mnist/, the Keras cache
(downloading through Keras when online). Every file is checked by the SHA-256 of its
*decompressed* bytes: gzip containers differ between copies, their contents must not.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from gan_lessons import artifacts

ENV_VAR = "FASHION_MNIST_DIR"
PROJECT_DATA_DIR = artifacts.DATA_DIR
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
_IDX_MAGIC = {1: 0x00000801, 3: 0x00000803}  # unsigned bytes, 1 or 3 dimensions


@dataclass(frozen=True)
class IdxFile:
    """One IDX file: its gzip name, the SHA-256 of its decompressed bytes, the array it holds."""

    filename: str
    sha256: str
    shape: tuple[int, ...]


FILES = {
    "train_images": IdxFile("train-images-idx3-ubyte.gz",
                            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                            (60000, 28, 28)),
    "train_labels": IdxFile("train-labels-idx1-ubyte.gz",
                            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                            (60000,)),
    "test_images": IdxFile("t10k-images-idx3-ubyte.gz",
                           "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                           (10000, 28, 28)),
    "test_labels": IdxFile("t10k-labels-idx1-ubyte.gz",
                           "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                           (10000,)),
}


class DatasetNotFoundError(ValueError):
    """None of the searched places holds the four Fashion-MNIST files."""


class DatasetIntegrityError(ValueError):
    """A file is truncated, corrupt, or not the IDX file it is named after."""


class DatasetPermissionError(ValueError):
    """A dataset file or directory exists but this user may not read it."""


def _cannot_read(path: Path, what: str) -> DatasetPermissionError:
    """The error for an unreadable file or directory, with the two ways out."""
    flags = "a+r" if what == "file" else "a+rx"
    return DatasetPermissionError(
        f"cannot read {path} (permissions): the {what} exists but this user may not read it, so "
        f"nothing in it was checked (it is not known to be corrupt: do not delete it). Fix: make it "
        f"readable (`chmod {flags} {path}`, with sudo if "
        f"another user owns it), or copy the four files into a directory you own and pass "
        f"load(directory=...) or set {ENV_VAR}.")


@dataclass(frozen=True)
class FashionMNIST:
    """The dataset as uint8 arrays: images (n, 28, 28) in 0..255, labels (n,) in 0..9."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: Path  # the directory the files came from


def keras_cache_dir() -> Path:
    """Where keras.datasets.fashion_mnist keeps its downloads ($KERAS_HOME or ~/.keras)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "fashion-mnist"


def search_path(directory=None) -> list[tuple[str, Path]]:
    """The places searched, in order, as (description, directory)."""
    places = []
    if directory is not None:
        places.append(("the directory you named", Path(directory).expanduser()))
    if os.environ.get(ENV_VAR):
        places.append((f"${ENV_VAR}", Path(os.environ[ENV_VAR]).expanduser()))
    places += [("the project's data/", PROJECT_DATA_DIR),
               ("the Debian package dataset-fashion-mnist", DEBIAN_DIR),
               ("the Keras cache", keras_cache_dir())]
    return places


def _file_in(directory: Path, spec: IdxFile) -> Path | None:
    """The file in `directory`, gzipped or already decompressed, or None; DatasetPermissionError
    when the directory cannot be searched."""
    try:
        searchable = not directory.is_dir() or os.access(directory, os.R_OK | os.X_OK)
    except PermissionError:  # a folder above it cannot be searched
        searchable = False
    if not searchable:
        raise _cannot_read(directory, "directory")
    for candidate in (directory / spec.filename, directory / spec.filename.removesuffix(".gz")):
        try:
            if candidate.is_file():
                return candidate
        except PermissionError:  # stat refused: the directory lacks search (x) permission
            raise _cannot_read(directory, "directory") from None
    return None


def _how_to_get_it(places, unreadable=()) -> str:
    searched = "\n".join(f"  - {where}: {path}" for where, path in places)
    searched += "".join(f"\n  ({problem})" for problem in unreadable)
    names = ", ".join(spec.filename for spec in FILES.values())
    return (f"Fashion-MNIST not found. Searched, in order:\n{searched}\n"
            f"Ways to get the four files ({names}):\n"
            "  - Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
            "  - online: fashion_mnist.load(download=True) fetches them into the Keras cache\n"
            "  - copy them from elsewhere into a directory and pass load(directory=...) or set "
            f"{ENV_VAR}, or put them in {PROJECT_DATA_DIR}/ (never commit them)")


def locate(directory=None, download: bool = True) -> Path:
    """The first searched directory holding all four files; downloads into the Keras cache
    when none does and `download` is true. A directory you name must hold all four."""
    places = search_path(directory)
    unreadable = []
    for where, path in places:
        named = where in ("the directory you named", f"${ENV_VAR}")
        try:
            missing = [s.filename for s in FILES.values() if _file_in(path, s) is None]
        except DatasetPermissionError as error:
            if named:
                raise
            unreadable.append(str(error))  # a default place: try the next one, say so if none has them
            continue
        if not missing:
            return path
        if named:
            raise DatasetNotFoundError(f"{where} ({path}) lacks {', '.join(missing)}.\n"
                                       + _how_to_get_it(places))
    if download:
        return _download(places, unreadable)
    raise DatasetNotFoundError(_how_to_get_it(places, unreadable))


def _download(places, unreadable=()) -> Path:
    import keras  # deferred: only needed online

    target = keras_cache_dir()
    try:
        paths = [keras.utils.get_file(spec.filename, origin=KERAS_ORIGIN + spec.filename,
                                      cache_dir=str(target.parents[1]),
                                      cache_subdir="datasets/fashion-mnist")
                 for spec in FILES.values()]
    except Exception as error:  # offline, proxy, disk full: all end the same way for the user
        raise DatasetNotFoundError(f"{_how_to_get_it(places, unreadable)}\n(The download failed: "
                                   f"{error})") from None
    return Path(paths[0]).parent  # Keras falls back to /tmp/.keras when the cache is read-only


def _decompressed(path: Path, spec: IdxFile) -> bytes:
    """The file's decompressed bytes; a clear DatasetIntegrityError for a broken gzip, and a
    DatasetPermissionError (not "corrupt") for a file this user may not read."""
    try:
        raw = path.open("rb")
    except PermissionError:
        raise _cannot_read(path, "file") from None
    if path.suffix != ".gz":
        with raw:
            return raw.read()
    chunks = []
    try:
        with raw, gzip.GzipFile(fileobj=raw, mode="rb") as stream:
            while chunk := stream.read(1 << 22):
                chunks.append(chunk)
    except (EOFError, OSError, zlib.error) as error:
        partial = b"".join(chunks)
        raise DatasetIntegrityError(
            f"{path} is truncated or corrupt: the gzip stream broke after {len(partial):,} "
            f"decompressed bytes ({type(error).__name__}: {error}). Expected SHA-256 "
            f"{spec.sha256} of the decompressed file; what could be read has SHA-256 "
            f"{hashlib.sha256(partial).hexdigest()}. Delete it and fetch it again."
        ) from None
    return b"".join(chunks)


def read_idx(path, spec: IdxFile) -> np.ndarray:
    """Read and verify one IDX file (gzipped or not): uint8 array of `spec.shape`."""
    path = Path(path)
    data = _decompressed(path, spec)
    header_size = 4 + 4 * len(spec.shape)
    expected_magic = _IDX_MAGIC[len(spec.shape)]
    magic = struct.unpack(">I", data[:4])[0] if len(data) >= 4 else None
    if magic != expected_magic:
        found = "fewer than 4 bytes" if magic is None else f"magic number 0x{magic:08x}"
        raise DatasetIntegrityError(
            f"{path} has a wrong IDX header: {found}, expected 0x{expected_magic:08x} (unsigned "
            f"bytes, {len(spec.shape)} dimension(s)). Is it the right file? Fetch it again.")
    shape = struct.unpack(f">{len(spec.shape)}I", data[4:header_size]) if len(data) >= header_size else None
    if shape != spec.shape:
        raise DatasetIntegrityError(
            f"{path} has a wrong IDX header: shape {shape}, expected {spec.shape}. Fetch it again.")
    actual = hashlib.sha256(data).hexdigest()
    if actual != spec.sha256:
        raise DatasetIntegrityError(
            f"{path} is corrupt or not the canonical file: SHA-256 of its decompressed bytes is "
            f"{actual}, expected {spec.sha256}. Delete it and fetch it again.")
    return np.frombuffer(data, np.uint8, offset=header_size).reshape(spec.shape).copy()


def load(directory=None, download: bool = True) -> FashionMNIST:
    """Find, verify and load Fashion-MNIST as uint8 arrays (see the module docstring for where)."""
    source = locate(directory, download)
    arrays = {key: read_idx(_file_in(source, spec), spec) for key, spec in FILES.items()}
    return FashionMNIST(**arrays, source=source)


def to_training_units(images) -> tf.Tensor:
    """uint8 images in 0..255 -> float32 in [-1, 1] (0 -> -1, 255 -> 1), same shape."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def to_pixels(images) -> np.ndarray:
    """float images in [-1, 1] -> uint8 in 0..255 (clipped), same shape."""
    images = np.clip((np.asarray(images, np.float32) + 1.0) * 127.5, 0, 255)
    return np.round(images).astype(np.uint8)


def _check_images(images) -> np.ndarray:
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"need uint8 images (n, 28, 28) as load() returns them, got "
                         f"{images.dtype} {images.shape}")
    if len(images) == 0:
        raise ValueError("need at least one image, got an empty array (0, 28, 28): did a selection "
                         "such as images[labels == k] match nothing? Check the labels or the slice.")
    return images


def sampler(images, flatten: bool = True):
    """A Trainer's real-data function from uint8 images (n, 28, 28).

    sample_real(seed (2,), batch_size) -> float32 (batch, 784) in [-1, 1], or (batch, 28, 28, 1)
    with flatten=False: indices drawn uniformly with replacement by a stateless RNG, so the same
    seed gives the same batch. The images stay uint8 (one tensor, no float copy of the set).
    """
    images = tf.constant(_check_images(images))
    count = images.shape[0]
    shape = (-1, 784) if flatten else (-1, 28, 28, 1)

    def sample_real(seed, batch_size):
        indices = tf.random.stateless_uniform((batch_size,), seed, minval=0, maxval=count, dtype=tf.int64)
        return tf.reshape(to_training_units(tf.gather(images, indices)), shape)

    return sample_real


def make_dataset(images, batch_size: int = 128, subset: int | None = None, labels=None,
                 flatten: bool = False, shuffle: bool = True, seed: int = 0) -> tf.data.Dataset:
    """A tf.data pipeline of float32 batches in [-1, 1]: (batch, 28, 28, 1), or (batch, 784).

    Shuffled (seeded, reshuffled each epoch), batched with drop_remainder, scaled after batching
    (the set stays uint8), prefetched. `subset`: a seeded random n of the images. With `labels`,
    yields (images, labels) pairs.
    """
    images = _check_images(images)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if subset is not None:
        if not isinstance(subset, int) or not batch_size <= subset <= len(images):
            raise ValueError(f"subset must be an int in [batch_size, {len(images)}], got {subset!r}")
        chosen = np.sort(np.random.default_rng(seed).choice(len(images), subset, replace=False))
        images = images[chosen]
        labels = None if labels is None else np.asarray(labels)[chosen]
    shape = (-1, 784) if flatten else (-1, 28, 28, 1)
    dataset = tf.data.Dataset.from_tensor_slices(images if labels is None else (images, labels))
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    if labels is None:
        dataset = dataset.map(lambda x: tf.reshape(to_training_units(x), shape))
    else:
        dataset = dataset.map(lambda x, y: (tf.reshape(to_training_units(x), shape), y))
    return dataset.prefetch(tf.data.AUTOTUNE)
