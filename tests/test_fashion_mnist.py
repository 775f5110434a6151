"""The Fashion-MNIST loader finds files in its documented order, verifies decompressed contents,
explains every failure in words, and feeds training in [-1, 1] without a float copy of the set."""

import gzip
import hashlib
import struct

import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import fashion_mnist

REAL_DIR = fashion_mnist.DEBIAN_DIR
HAVE_REAL = all((REAL_DIR / spec.filename).is_file() for spec in fashion_mnist.FILES.values())


# ---- small synthetic IDX files, with specs patched to match them -------------------------------
def _idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    magic = magic if magic is not None else (0x0801 if array.ndim == 1 else 0x0803)
    return struct.pack(f">I{array.ndim}I", magic, *array.shape) + array.astype(np.uint8).tobytes()


def _tiny_arrays(seed=0, n=6):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    return {"train_images": images, "train_labels": labels,
            "test_images": images[:4], "test_labels": labels[:4]}


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """Specs for tiny files; no real location is searched (project, Debian and Keras dirs are empty)."""
    arrays = _tiny_arrays()
    specs = {}
    for key, array in arrays.items():
        real = fashion_mnist.FILES[key]
        specs[key] = fashion_mnist.IdxFile(real.filename, hashlib.sha256(_idx_bytes(array)).hexdigest(),
                                           array.shape)
    monkeypatch.setattr(fashion_mnist, "FILES", specs)
    for name in ("PROJECT_DATA_DIR", "DEBIAN_DIR"):
        monkeypatch.setattr(fashion_mnist, name, tmp_path / f"empty_{name}")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(fashion_mnist.ENV_VAR, raising=False)
    return arrays


def _write(directory, arrays, corrupt=None):
    directory.mkdir(parents=True, exist_ok=True)
    for key, array in arrays.items():
        data = _idx_bytes(array)
        if corrupt:
            data = corrupt(key, data)
        (directory / fashion_mnist.FILES[key].filename).write_bytes(gzip.compress(data))
    return directory


# ---- the real files ------------------------------------------------------------------------
@pytest.mark.skipif(not HAVE_REAL, reason=f"Fashion-MNIST not installed in {REAL_DIR} "
                                          "(apt-get install dataset-fashion-mnist)")
def test_real_files_load_verified_as_uint8():
    data = fashion_mnist.load(REAL_DIR, download=False)
    assert data.train_images.shape == (60000, 28, 28) and data.test_images.shape == (10000, 28, 28)
    assert data.train_images.dtype == np.uint8 and data.train_labels.dtype == np.uint8
    assert data.train_images.max() == 255 and data.train_images.min() == 0
    assert np.array_equal(np.bincount(data.train_labels), np.full(10, 6000))  # balanced classes
    assert np.array_equal(np.bincount(data.test_labels), np.full(10, 1000))


# ---- where it looks ------------------------------------------------------------------------
def test_named_directory_comes_before_env_var_and_env_var_before_defaults(tiny, tmp_path, monkeypatch):
    other = _write(tmp_path / "env", _tiny_arrays(seed=1), corrupt=None)
    # the env dir holds different (so, for the patched hashes, corrupt) files; the named dir wins
    named = _write(tmp_path / "named", tiny)
    monkeypatch.setenv(fashion_mnist.ENV_VAR, str(other))
    data = fashion_mnist.load(named, download=False)
    assert data.source == named
    assert np.array_equal(data.train_images, tiny["train_images"])
    # with no directory named, the env var's directory comes before the project's data/
    monkeypatch.setattr(fashion_mnist, "PROJECT_DATA_DIR", named)
    assert fashion_mnist.locate(download=False) == other
    monkeypatch.delenv(fashion_mnist.ENV_VAR)
    assert fashion_mnist.locate(download=False) == named


def test_project_data_before_debian_before_keras_cache(tiny, tmp_path, monkeypatch):
    debian = _write(tmp_path / "debian", tiny)
    keras_dir = _write(fashion_mnist.keras_cache_dir(), tiny)
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", debian)
    assert fashion_mnist.locate(download=False) == debian
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", tmp_path / "nothing")
    assert fashion_mnist.locate(download=False) == keras_dir
    project = _write(tmp_path / "project", tiny)
    monkeypatch.setattr(fashion_mnist, "PROJECT_DATA_DIR", project)
    assert fashion_mnist.locate(download=False) == project


def test_missing_dataset_lists_the_ways_to_get_it(tiny, tmp_path):
    with pytest.raises(fashion_mnist.DatasetNotFoundError) as error:
        fashion_mnist.load(download=False)
    message = str(error.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert "download=True" in message and fashion_mnist.ENV_VAR in message
    assert str(fashion_mnist.keras_cache_dir()) in message  # every searched place is named


def test_a_named_directory_missing_a_file_says_which(tiny, tmp_path):
    named = _write(tmp_path / "named", tiny)
    (named / fashion_mnist.FILES["test_labels"].filename).unlink()
    with pytest.raises(fashion_mnist.DatasetNotFoundError, match="t10k-labels-idx1-ubyte.gz"):
        fashion_mnist.load(named, download=False)


def test_decompressed_files_are_accepted(tiny, tmp_path):
    named = tmp_path / "plain"
    named.mkdir()
    for key, array in tiny.items():
        (named / fashion_mnist.FILES[key].filename.removesuffix(".gz")).write_bytes(_idx_bytes(array))
    assert np.array_equal(fashion_mnist.load(named, download=False).test_labels, tiny["test_labels"])


# ---- what it verifies ----------------------------------------------------------------------
def test_corrupt_file_names_file_and_both_hashes(tiny, tmp_path):
    def flip_a_pixel(key, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if key == "train_images" else data

    named = _write(tmp_path / "named", tiny, corrupt=flip_a_pixel)
    spec = fashion_mnist.FILES["train_images"]
    broken = gzip.decompress((named / spec.filename).read_bytes())
    with pytest.raises(fashion_mnist.DatasetIntegrityError) as error:
        fashion_mnist.load(named, download=False)
    message = str(error.value)
    assert spec.filename in message and spec.sha256 in message
    assert hashlib.sha256(broken).hexdigest() in message


def test_truncated_gzip_is_a_clear_error_not_a_gzip_traceback(tiny, tmp_path):
    named = _write(tmp_path / "named", tiny)
    path = named / fashion_mnist.FILES["train_images"].filename
    path.write_bytes(path.read_bytes()[:-300])
    with pytest.raises(fashion_mnist.DatasetIntegrityError, match="truncated") as error:
        fashion_mnist.load(named, download=False)
    assert path.name in str(error.value) and fashion_mnist.FILES["train_images"].sha256 in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_not_a_gzip_file_is_a_clear_error(tiny, tmp_path):
    named = _write(tmp_path / "named", tiny)
    (named / fashion_mnist.FILES["test_images"].filename).write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(fashion_mnist.DatasetIntegrityError, match="t10k-images-idx3-ubyte.gz"):
        fashion_mnist.load(named, download=False)


def test_wrong_idx_magic_says_so(tiny, tmp_path):
    def labels_magic_on_images(key, data):
        return struct.pack(">I", 0x0801) + data[4:] if key == "train_images" else data

    named = _write(tmp_path / "named", tiny, corrupt=labels_magic_on_images)
    with pytest.raises(fashion_mnist.DatasetIntegrityError, match="wrong IDX header.*0x00000801"):
        fashion_mnist.load(named, download=False)


def test_wrong_idx_shape_says_so(tiny, tmp_path):
    def wrong_count(key, data):
        return data[:4] + struct.pack(">I", 7) + data[8:] if key == "test_labels" else data

    named = _write(tmp_path / "named", tiny, corrupt=wrong_count)
    with pytest.raises(fashion_mnist.DatasetIntegrityError, match=r"wrong IDX header: shape \(7,\)"):
        fashion_mnist.load(named, download=False)


# ---- feeding training ----------------------------------------------------------------------
def _images(n=300):
    images = np.random.default_rng(3).integers(0, 256, (n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    return images


def test_sampler_is_stateless_scaled_and_flattened():
    images = _images()
    sample_real = fashion_mnist.sampler(images)
    seed = tf.constant([5, 9], tf.int64)
    first, again = sample_real(seed, 64), sample_real(seed, 64)
    assert first.shape == (64, 784) and first.dtype == tf.float32
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, sample_real(tf.constant([5, 10], tf.int64), 64))
    # every row is one of the images, scaled by x / 127.5 - 1
    pixels = np.round((first.numpy() + 1) * 127.5).astype(np.uint8)
    flat = images.reshape(len(images), -1)
    assert all((flat == row).all(axis=1).any() for row in pixels)
    assert fashion_mnist.sampler(images, flatten=False)(seed, 3).shape == (3, 28, 28, 1)


def test_scaling_maps_0_to_minus_1_and_255_to_1_and_back():
    pixels = np.array([0, 127, 128, 255], np.uint8)
    scaled = fashion_mnist.to_training_units(pixels).numpy()
    np.testing.assert_allclose(scaled[[0, 3]], [-1.0, 1.0])
    np.testing.assert_array_equal(fashion_mnist.to_pixels(scaled), pixels)


def test_dataset_batches_drop_remainder_scaled_and_subset():
    images = _images(300)
    dataset = fashion_mnist.make_dataset(images, batch_size=64, subset=200, seed=1)
    batches = list(dataset)
    assert len(batches) == 3  # 200 // 64, the partial batch dropped
    assert all(b.shape == (64, 28, 28, 1) and b.dtype == tf.float32 for b in batches)
    values = np.concatenate([b.numpy().ravel() for b in batches])
    assert values.min() >= -1.0 and values.max() <= 1.0
    assert dataset.element_spec.shape.as_list() == [64, 28, 28, 1]
    flat = fashion_mnist.make_dataset(images, batch_size=10, flatten=True, labels=np.arange(300) % 10)
    x, y = next(iter(flat))
    assert x.shape == (10, 784) and y.shape == (10,)


def test_dataset_is_shuffled_and_seeded():
    images = _images(100)
    first = [b.numpy() for b in fashion_mnist.make_dataset(images, batch_size=10, seed=4)]
    again = [b.numpy() for b in fashion_mnist.make_dataset(images, batch_size=10, seed=4)]
    ordered = fashion_mnist.to_training_units(images[:10]).numpy()[..., None]
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], ordered)


def test_bad_inputs_name_the_fix():
    with pytest.raises(ValueError, match="uint8 images"):
        fashion_mnist.sampler(np.zeros((4, 28, 28), np.float64))
    with pytest.raises(ValueError, match="subset"):
        fashion_mnist.make_dataset(_images(50), batch_size=10, subset=60)


def test_offline_download_failure_lists_the_ways_to_get_it(tiny, monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise Exception("URL fetch failure: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(fashion_mnist.DatasetNotFoundError) as error:
        fashion_mnist.load(download=True)
    assert "download failed" in str(error.value) and "apt-get install" in str(error.value)


def test_download_goes_through_keras_into_its_cache_and_is_verified(tiny, monkeypatch):
    import keras

    def fake_get_file(fname, origin, cache_dir, cache_subdir):
        assert origin == fashion_mnist.KERAS_ORIGIN + fname
        directory = fashion_mnist.Path(cache_dir) / cache_subdir
        key = next(k for k, spec in fashion_mnist.FILES.items() if spec.filename == fname)
        _write(directory, {key: tiny[key]})
        return str(directory / fname)

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    data = fashion_mnist.load(download=True)
    assert data.source == fashion_mnist.keras_cache_dir()
    assert np.array_equal(data.test_images, tiny["test_images"])


# ---- files and folders this user may not read (as root chmod 000 stops nothing: simulated) ------
def _refuse_access(monkeypatch, blocked):
    """os.access says no for the folders in `blocked` (a set the test may add to)."""
    real_access = fashion_mnist.os.access
    monkeypatch.setattr(fashion_mnist.os, "access", lambda path, mode: fashion_mnist.Path(path) not in blocked
                        and real_access(path, mode))


def _refuse_open(monkeypatch, refused):
    real_open = fashion_mnist.Path.open

    def open_(self, *args, **kwargs):
        if self == refused:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(fashion_mnist.Path, "open", open_)


@pytest.mark.parametrize("decompressed", [False, True], ids=["gzip", "plain"])
def test_an_unreadable_file_is_a_permissions_error_not_corrupt(tiny, tmp_path, monkeypatch, decompressed):
    named = _write(tmp_path / "named", tiny)
    path = named / fashion_mnist.FILES["train_labels"].filename
    if decompressed:
        path.with_suffix("").write_bytes(gzip.decompress(path.read_bytes()))
        path.unlink()
        path = path.with_suffix("")
    _refuse_open(monkeypatch, path)
    with pytest.raises(fashion_mnist.DatasetPermissionError) as error:
        fashion_mnist.load(named, download=False)
    message = str(error.value)
    assert f"cannot read {path} (permissions)" in message and "chmod" in message
    assert "corrupt" not in message.replace("not known to be corrupt", "")
    assert "do not delete it" in message and error.value.__cause__ is None


def test_an_unreadable_named_directory_is_a_permissions_error_naming_it(tiny, tmp_path, monkeypatch):
    named = _write(tmp_path / "named", tiny)
    _refuse_access(monkeypatch, {named})
    with pytest.raises(fashion_mnist.DatasetPermissionError, match=r"cannot read .*named \(permissions\)"):
        fashion_mnist.load(named, download=False)


def test_a_directory_that_cannot_be_searched_is_not_a_raw_permission_error(tiny, tmp_path, monkeypatch):
    named = _write(tmp_path / "named", tiny)
    real_stat = fashion_mnist.Path.stat

    def stat(self, *args, **kwargs):  # what a folder without x permission does to stat()
        if self.parent == named:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(fashion_mnist.Path, "stat", stat)
    with pytest.raises(fashion_mnist.DatasetPermissionError, match=f"cannot read {named} \\(permissions\\)"):
        fashion_mnist.load(named, download=False)


def test_an_unreadable_default_place_is_skipped_and_named_when_nothing_is_found(tiny, tmp_path, monkeypatch):
    debian = _write(tmp_path / "debian", tiny)
    keras_dir = _write(fashion_mnist.keras_cache_dir(), tiny)
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", debian)
    blocked = {debian}
    _refuse_access(monkeypatch, blocked)
    assert fashion_mnist.locate(download=False) == keras_dir  # the next place has the files
    blocked.add(keras_dir)
    with pytest.raises(fashion_mnist.DatasetNotFoundError) as error:
        fashion_mnist.locate(download=False)
    assert f"cannot read {debian} (permissions)" in str(error.value)


def test_an_empty_image_array_is_refused_with_a_clear_error():
    empty = np.zeros((0, 28, 28), np.uint8)
    with pytest.raises(ValueError, match=r"at least one image, got an empty array \(0, 28, 28\)"):
        fashion_mnist.sampler(empty)
    with pytest.raises(ValueError, match="at least one image"):
        fashion_mnist.make_dataset(empty, batch_size=4)
