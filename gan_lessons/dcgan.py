"""Lesson 04's DCGAN for 28x28 images: builders with a width setting, the reference and lecture
configurations, the DCGAN guidelines as a check, latent interpolation, and the shipped pretrained
generator (hash-verified). It trains with the one `training.Trainer`.

Batch norm: in a discriminator step the trainer runs the generator with training=True, so the
fakes D sees are normalised with batch statistics, exactly as in the generator step. This updates
G's BN *moving* statistics (non-trainable); G's trainable weights stay unchanged. Sampling
(trainer.generate) uses the moving statistics (training=False).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from gan_lessons import artifacts, fashion_mnist, training

BASE_CHANNELS = (256, 128, 64)  # the reference generator's channels at width 1 (D: 64, 128)
DATA_DIR: Path = artifacts.DATA_DIR
PRETRAINED_WEIGHTS = DATA_DIR / "dcgan_generator.weights.h5"
PRETRAINED_METADATA = DATA_DIR / "dcgan_generator.json"
_REGENERATE = "Regenerate both with `python scripts/train_dcgan.py --profile full`."

# The common reference model (TensorFlow's DCGAN tutorial) and the lecture default, tuned for
# sample quality per CPU minute (benchmarks/dcgan_time_to_quality.py measures both).
# width scales the generator's channels, d_width the discriminator's. Tuning on a 2-core CPU: a
# quarter width for both, batch 64 and Adam 1e-3 (beta_1 0.5) gave the best score per CPU minute
# among widths 0.25/0.5, D width 0.25/0.5, kernels 4/5, batches 32/64 and learning rates 2e-4..1e-3.
REFERENCE = {"width": 1.0, "d_width": 1.0, "kernel_size": 5, "dropout": 0.3, "batch_size": 128,
             "learning_rate": 1e-4, "beta_1": 0.9, "latent_dim": 100}
LECTURE = {"width": 0.25, "d_width": 0.25, "kernel_size": 5, "dropout": 0.3, "batch_size": 64,
           "learning_rate": 1e-3, "beta_1": 0.5, "latent_dim": 100}


def channels(width: float) -> tuple[int, int, int]:
    """Generator channels (c0, c1, c2) at `width` (1.0: 256, 128, 64); D uses (c2, c1)."""
    if isinstance(width, bool) or not isinstance(width, (int, float)) or width <= 0:
        raise ValueError(f"width must be a positive number (1.0 is the reference), got {width!r}")
    return tuple(max(1, round(c * width)) for c in BASE_CHANNELS)


def _init(seed):
    return keras.initializers.GlorotUniform(seed=seed)


def dcgan_generator(latent_dim: int = 100, width: float = 1.0, kernel_size: int = 5,
                    batch_norm: bool = True, seed: int = 0, name: str = "generator") -> keras.Model:
    """latent float32 (batch, latent_dim) -> images float32 (batch, 28, 28, 1) in [-1, 1].

    Dense 7*7*c0 -> BN -> LeakyReLU -> ConvT c1 k/1 -> BN -> LeakyReLU -> ConvT c2 k/2 -> BN ->
    LeakyReLU -> ConvT 1 k/2 tanh, with (c0, c1, c2) = channels(width); no BN on the output.
    """
    c0, c1, c2 = channels(width)
    latent_vectors = keras.Input((latent_dim,), name="latent_vectors")
    h = keras.layers.Dense(7 * 7 * c0, use_bias=False, kernel_initializer=_init(seed), name="project")(
        latent_vectors)
    for i, (filters, stride) in enumerate(((None, None), (c1, 1), (c2, 2))):
        if filters is not None:
            h = keras.layers.Conv2DTranspose(filters, kernel_size, stride, padding="same", use_bias=False,
                                             kernel_initializer=_init(seed + i), name=f"up_{i}")(h)
        if batch_norm:
            h = keras.layers.BatchNormalization(name=f"bn_{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"leaky_{i}")(h)
        if filters is None:
            h = keras.layers.Reshape((7, 7, c0), name="to_7x7")(h)  # (batch, 7, 7, c0)
    images = keras.layers.Conv2DTranspose(1, kernel_size, 2, padding="same", activation="tanh",
                                          use_bias=False, kernel_initializer=_init(seed + 3),
                                          name="images")(h)  # (batch, 28, 28, 1)
    return keras.Model(latent_vectors, images, name=name)


def dcgan_discriminator(width: float = 1.0, dropout: float = 0.3, kernel_size: int = 5,
                        seed: int = 100, name: str = "discriminator") -> keras.Model:
    """images float32 (batch, 28, 28, 1) in [-1, 1] -> logits (batch, 1); D(x) = sigmoid(logit).

    Conv c2 k/2 -> LeakyReLU, dropout -> Conv c1 k/2 -> LeakyReLU, dropout -> Dense 1: strided
    convolutions instead of pooling, no batch norm on the input layer. Dropout is applied just
    before each LeakyReLU: LeakyReLU(m * x) = m * LeakyReLU(x) for a mask value m >= 0, so the
    order does not change the function, and Conv2D directly followed by LeakyReLU makes
    TensorFlow's graph optimiser log a (harmless) "remapper failed" error in training.
    """
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    _, c1, c2 = channels(width)
    images = keras.Input((28, 28, 1), name="images")
    h = images
    for i, filters in enumerate((c2, c1)):
        h = keras.layers.Conv2D(filters, kernel_size, 2, padding="same", kernel_initializer=_init(seed + i),
                                name=f"down_{i}")(h)  # (batch, 14, 14, c2), then (batch, 7, 7, c1)
        if dropout:  # before LeakyReLU: the same function (see the docstring), no graph-rewrite error
            h = keras.layers.Dropout(dropout, seed=seed + 10 + i, name=f"dropout_{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"leaky_{i}")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    logits = keras.layers.Dense(1, kernel_initializer=_init(seed + 2), name="logits")(h)
    return keras.Model(images, logits, name=name)


def guideline_violations(model: keras.Model, role: str = "discriminator") -> list[str]:
    """The DCGAN guidelines `model` breaks (empty list: none): no pooling, strided (transposed)
    convolutions, LeakyReLU in D, no BN on D's input layer nor on G's output, tanh on G's output,
    D maps (batch, 28, 28, 1) to one logit each (no sigmoid)."""
    if role not in ("discriminator", "generator"):
        raise ValueError(f"role must be 'discriminator' or 'generator', got {role!r}")
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    problems = [f"{layer.name}: pooling; use a strided convolution instead" for layer in layers
                if "Pooling" in type(layer).__name__]
    kind = keras.layers.Conv2D if role == "discriminator" else keras.layers.Conv2DTranspose
    convs = [layer for layer in layers if isinstance(layer, kind)]
    if not any(max(layer.strides) > 1 for layer in convs):
        problems.append(f"no strided {kind.__name__} layer: {role}s change resolution by striding")
    if role == "discriminator":
        first = next((i for i, layer in enumerate(layers) if isinstance(layer, kind)), len(layers))
        second = next((i for i, layer in enumerate(layers) if isinstance(layer, kind) and i > first),
                      len(layers))
        problems += [f"{layer.name}: batch norm on the input layer; normalise later layers only"
                     for layer in layers[:second] if isinstance(layer, keras.layers.BatchNormalization)]
        relus = [layer.name for layer in layers if isinstance(layer, keras.layers.ReLU)
                 or getattr(layer, "activation", None) is keras.activations.relu]
        problems += [f"{name}: ReLU; use LeakyReLU(0.2) in the discriminator" for name in relus]
        last = layers[-1]
        if getattr(last, "activation", None) is keras.activations.sigmoid:
            problems.append(f"{last.name}: sigmoid output; return logits (the losses apply sigmoid)")
        shape = tuple(model(np.zeros((1, 28, 28, 1), np.float32)).shape)
        if shape != (1, 1):
            problems.append(f"output shape {shape} for one image: return one logit per image (batch, 1)")
    else:
        last, before_last = layers[-1], layers[-2] if len(layers) > 1 else None
        if isinstance(last, keras.layers.BatchNormalization) or (
                isinstance(last, keras.layers.Activation)
                and isinstance(before_last, keras.layers.BatchNormalization)):
            problems.append(f"{last.name}: batch norm on the generator's output")
        elif getattr(last, "activation", None) is not keras.activations.tanh:
            problems.append(f"{last.name}: the output activation must be tanh (images in [-1, 1])")
    return problems


def config_for(settings: dict, seed: int = 0, chunk_size: int = 50) -> training.TrainConfig:
    """The TrainConfig of a configuration dict such as REFERENCE or LECTURE."""
    return training.TrainConfig(batch_size=settings["batch_size"], d_learning_rate=settings["learning_rate"],
                                g_learning_rate=settings["learning_rate"], beta_1=settings["beta_1"],
                                seed=seed, chunk_size=chunk_size)


def make_trainer(images, settings: dict | None = None, seed: int = 0, evaluate=None,
                 strategy: tf.distribute.Strategy | None = None, chunk_size: int = 50) -> training.Trainer:
    """A Trainer on uint8 images (n, 28, 28) for a configuration: LECTURE updated by
    `settings` (a `width` without `d_width` sets both); with a `strategy`, models and optimizers
    are built under its scope."""
    given = dict(settings or {})
    settings = {**LECTURE, **given}
    if "width" in given and "d_width" not in given:  # one width setting scales both networks
        settings["d_width"] = given["width"]
    unknown = set(settings) - set(LECTURE)
    if unknown:
        raise ValueError(f"unknown DCGAN settings {sorted(unknown)}; known: {sorted(LECTURE)}")
    with strategy.scope() if strategy else contextlib.nullcontext():
        generator = dcgan_generator(settings["latent_dim"], settings["width"], settings["kernel_size"],
                                    seed=seed)
        discriminator = dcgan_discriminator(settings["d_width"], settings["dropout"], settings["kernel_size"],
                                            seed=seed + 100)
    sample_real = fashion_mnist.sampler(images, flatten=False)
    return training.Trainer(generator, discriminator, sample_real, config_for(settings, seed, chunk_size),
                            evaluate, strategy)


def interpolate(z0, z1, t, spherical: bool = True) -> np.ndarray:
    """Points between latent vectors z0 and z1 (d,) at fractions t (m,) -> (m, d).

    spherical: slerp, which keeps the norm typical of a Gaussian latent (a straight line passes
    near the origin, where the generator has rarely been); falls back to a line for (anti)parallel
    vectors.
    """
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    t = np.atleast_1d(np.asarray(t, np.float64))[:, None]
    linear = (1 - t) * z0 + t * z1
    if not spherical:
        return linear.astype(np.float32)
    cosine = np.dot(z0, z1) / max(np.linalg.norm(z0) * np.linalg.norm(z1), 1e-12)
    omega = np.arccos(np.clip(cosine, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return linear.astype(np.float32)
    return ((np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)).astype(np.float32)


# ---- the shipped pretrained generator --------------------------------------------------------
class PretrainedError(ValueError):
    """The shipped generator is missing, or its weights do not match their recorded hash."""


def load_pretrained_metadata(metadata_path=PRETRAINED_METADATA) -> dict:
    """The record scripts/train_dcgan.py wrote: sha256, settings, steps, quality, command, date."""
    return artifacts.read_record(metadata_path, PretrainedError, _REGENERATE)


def load_pretrained(weights_path=PRETRAINED_WEIGHTS, metadata_path=PRETRAINED_METADATA) -> keras.Model:
    """The shipped generator, built from its recorded settings after its SHA-256 is verified.

    Only weights are read (an HDF5 weights file: no code, no pickle)."""
    metadata = artifacts.verified_record(weights_path, metadata_path, PretrainedError, _REGENERATE)
    settings = metadata["settings"]
    generator = dcgan_generator(settings["latent_dim"], settings["width"], settings["kernel_size"])
    generator.load_weights(weights_path)
    return generator


def sample(generator: keras.Model, n: int, seed: int = 12345) -> np.ndarray:
    """n images (n, 28, 28, 1) in [-1, 1] from a generator alone, latent N(0, I) from `seed`
    (the same latent vectors as Trainer.generate(n, seed))."""
    seed = tf.constant([seed, 0], tf.int64)
    latent_vectors = tf.random.stateless_normal((n, generator.input_shape[1]), seed)
    return generator(latent_vectors, training=False).numpy()
