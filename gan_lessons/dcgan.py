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

from gan_lessons import artifacts, fashion_mnist, training, validation

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
    width = validation.number("width", width, 0, low_open=True)  # 1.0: the reference
    return tuple(max(1, round(c * width)) for c in BASE_CHANNELS)


def _init(seed):
    return keras.initializers.GlorotUniform(seed=seed)


def _upsampling(filters, kernel_size, stride, resampling, seed, name, activation=None):
    """A transposed convolution of `stride`, or ("upsample") nearest-neighbour upsampling by
    `stride` then a stride-1 convolution: the variant the DCGAN guidelines replaced."""
    init = _init(seed)
    if resampling == "transposed" or stride == 1:
        return [keras.layers.Conv2DTranspose(filters, kernel_size, stride, padding="same", use_bias=False,
                                             activation=activation, kernel_initializer=init, name=name)]
    return [keras.layers.UpSampling2D(stride, name=f"{name}_upsample"),
            keras.layers.Conv2D(filters, kernel_size, padding="same", use_bias=False, activation=activation,
                                kernel_initializer=init, name=name)]


def dcgan_generator(latent_dim: int = 100, width: float = 1.0, kernel_size: int = 5,
                    batch_norm: bool = True, seed: int = 0, name: str = "generator",
                    activation: str = "leaky_relu", resampling: str = "transposed") -> keras.Model:
    """latent float32 (batch, latent_dim) -> images float32 (batch, 28, 28, 1) in [-1, 1].

    Dense 7*7*c0 -> BN -> LeakyReLU -> ConvT c1 k/1 -> BN -> LeakyReLU -> ConvT c2 k/2 -> BN ->
    LeakyReLU -> ConvT 1 k/2 tanh, with (c0, c1, c2) = channels(width); no BN on the output.
    activation="relu" is the paper's generator; resampling="upsample" replaces each strided
    transposed convolution by upsampling and a convolution.
    """
    validation.choice("activation", activation, ("leaky_relu", "relu"))
    validation.choice("resampling", resampling, ("transposed", "upsample"))
    c0, c1, c2 = channels(width)
    latent_vectors = keras.Input((latent_dim,), name="latent_vectors")
    h = keras.layers.Dense(7 * 7 * c0, use_bias=False, kernel_initializer=_init(seed), name="project")(
        latent_vectors)
    for i, (filters, stride) in enumerate(((None, None), (c1, 1), (c2, 2))):
        if filters is not None:
            for layer in _upsampling(filters, kernel_size, stride, resampling, seed + i, f"up_{i}"):
                h = layer(h)
        if batch_norm:
            h = keras.layers.BatchNormalization(name=f"bn_{i}")(h)
        if activation == "relu":
            h = keras.layers.ReLU(name=f"relu_{i}")(h)
        else:
            h = keras.layers.LeakyReLU(0.2, name=f"leaky_{i}")(h)
        if filters is None:
            h = keras.layers.Reshape((7, 7, c0), name="to_7x7")(h)  # (batch, 7, 7, c0)
    for layer in _upsampling(1, kernel_size, 2, resampling, seed + 3, "images", activation="tanh"):
        h = layer(h)  # (batch, 28, 28, 1)
    return keras.Model(latent_vectors, h, name=name)


def dcgan_discriminator(width: float = 1.0, dropout: float = 0.3, kernel_size: int = 5,
                        seed: int = 100, name: str = "discriminator", batch_norm: bool = False,
                        resampling: str = "strided") -> keras.Model:
    """images float32 (batch, 28, 28, 1) in [-1, 1] -> logits (batch, 1); D(x) = sigmoid(logit).

    Conv c2 k/2 -> LeakyReLU, dropout -> Conv c1 k/2 -> LeakyReLU, dropout -> Dense 1: strided
    convolutions instead of pooling, no batch norm on the input layer. Dropout is applied just
    before each LeakyReLU: LeakyReLU(m * x) = m * LeakyReLU(x) for a mask value m >= 0, so the
    order does not change the function, and Conv2D directly followed by LeakyReLU makes
    TensorFlow's graph optimiser log a (harmless) "remapper failed" error in training.
    batch_norm=True normalises the second convolution (the paper's D; never the input layer);
    resampling="pool" uses stride-1 convolutions followed by 2x2 average pooling.
    """
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    validation.choice("resampling", resampling, ("strided", "pool"))
    _, c1, c2 = channels(width)
    images = keras.Input((28, 28, 1), name="images")
    h = images
    for i, filters in enumerate((c2, c1)):
        stride = 2 if resampling == "strided" else 1
        # (batch, 14, 14, c2), then (batch, 7, 7, c1)
        h = keras.layers.Conv2D(filters, kernel_size, stride, padding="same",
                                kernel_initializer=_init(seed + i), name=f"down_{i}")(h)
        if batch_norm and i > 0:
            h = keras.layers.BatchNormalization(name=f"bn_{i}")(h)
        if resampling == "pool":
            h = keras.layers.AveragePooling2D(2, name=f"pool_{i}")(h)
        if dropout:  # before LeakyReLU: the same function (see the docstring), no graph-rewrite error
            h = keras.layers.Dropout(dropout, seed=seed + 10 + i, name=f"dropout_{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"leaky_{i}")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    logits = keras.layers.Dense(1, kernel_initializer=_init(seed + 2), name="logits")(h)
    return keras.Model(images, logits, name=name)


# The guidelines of Radford, Metz and Chintala (2016), section 3, by name.
GUIDELINES = {
    "no_pooling": "strided convolutions (D) and transposed convolutions (G) instead of pooling/upsampling",
    "batch_norm": "batch norm in both networks' hidden layers",
    "batch_norm_placement": "no batch norm on G's output layer nor on D's input layer",
    "no_fully_connected": "no fully connected hidden layers (G's projection of z and D's logit only)",
    "relu_in_g": "ReLU in G for every layer but the output, which is tanh",
    "leaky_relu_in_d": "LeakyReLU in D for every layer",
}
# Where the common reference model (TensorFlow's tutorial), and so the lecture model, departs
# from the paper: LeakyReLU in G, and no batch norm in D (dropout instead).
REFERENCE_DEPARTURES = {"generator": ("relu_in_g",), "discriminator": ("batch_norm",)}


def _activation_of(layer) -> str | None:
    if isinstance(layer, keras.layers.LeakyReLU):
        return "leaky_relu"
    if isinstance(layer, keras.layers.ReLU) or getattr(layer, "activation", None) is keras.activations.relu:
        return "relu"
    return None


def guideline_violations(model: keras.Model, role: str = "discriminator", allow=()) -> list[str]:
    """The DCGAN guidelines (GUIDELINES) `model` breaks, as messages naming the layer and the fix
    (empty list: none), apart from the rules named in `allow` (e.g. REFERENCE_DEPARTURES[role]);
    for D also the course's conventions: one logit per image, no sigmoid (the losses apply it)."""
    if role not in ("discriminator", "generator"):
        raise ValueError(f"role must be 'discriminator' or 'generator', got {role!r}")
    unknown = set(allow) - set(GUIDELINES)
    if unknown:
        raise ValueError(f"unknown guidelines {sorted(unknown)}; known: {sorted(GUIDELINES)}")
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    conv = keras.layers.Conv2D if role == "discriminator" else keras.layers.Conv2DTranspose
    weights = (keras.layers.Conv2D, keras.layers.Conv2DTranspose, keras.layers.Dense)
    weighted = [i for i, layer in enumerate(layers) if isinstance(layer, weights)]
    found = []  # (rule, message)
    for layer in layers:
        if "Pooling" in type(layer).__name__ or isinstance(layer, keras.layers.UpSampling2D):
            kind = "upsampling" if isinstance(layer, keras.layers.UpSampling2D) else "pooling"
            found.append(("no_pooling", f"{layer.name}: {type(layer).__name__}, {kind}; use a strided "
                                        f"{conv.__name__} to change resolution"))
    if not any(isinstance(layer, conv) and max(layer.strides) > 1 for layer in layers):
        found.append(("no_pooling", f"no strided {conv.__name__} layer: {role}s change resolution "
                                    "by striding"))
    dense = [i for i in weighted if isinstance(layers[i], keras.layers.Dense)]
    allowed_dense = dense[:1] if role == "generator" else dense[-1:]  # G's projection; D's logit
    found += [("no_fully_connected", f"{layers[i].name}: a fully connected hidden layer; use convolutions")
              for i in dense if i not in allowed_dense]
    normalised = {i for i in weighted if i + 1 < len(layers)
                  and isinstance(layers[i + 1], keras.layers.BatchNormalization)}
    if role == "discriminator":
        first = weighted[0] if weighted else len(layers)
        second = weighted[1] if len(weighted) > 1 else len(layers)
        found += [("batch_norm_placement", f"{layer.name}: batch norm on the input layer; normalise later "
                   "layers only")
                  for layer in layers[:second] if isinstance(layer, keras.layers.BatchNormalization)]
        hidden = [i for i in weighted[1:-1] if i > first]  # after the input layer, before the logit
        found += [("batch_norm", f"{layers[i].name}: no batch norm after this hidden layer")
                  for i in hidden if i not in normalised]
        found += [("leaky_relu_in_d", f"{layer.name}: ReLU; use LeakyReLU(0.2) in the discriminator")
                  for layer in layers if _activation_of(layer) == "relu"]
        last = layers[-1]
        if getattr(last, "activation", None) is keras.activations.sigmoid:
            found.append(("logits", f"{last.name}: sigmoid output; return logits (the losses apply sigmoid)"))
        shape = tuple(model(np.zeros((1, 28, 28, 1), np.float32)).shape)
        if shape != (1, 1):
            found.append(("logits", f"output shape {shape} for one image: return one logit per image "
                                    "(batch, 1)"))
    else:
        last, before_last = layers[-1], layers[-2] if len(layers) > 1 else None
        if isinstance(last, keras.layers.BatchNormalization) or (
                isinstance(last, keras.layers.Activation)
                and isinstance(before_last, keras.layers.BatchNormalization)):
            found.append(("batch_norm_placement", f"{last.name}: batch norm on the generator's output"))
        elif getattr(last, "activation", None) is not keras.activations.tanh:
            found.append(("relu_in_g", f"{last.name}: the output activation must be tanh "
                                       "(images in [-1, 1])"))
        found += [("batch_norm", f"{layers[i].name}: no batch norm after this hidden layer")
                  for i in weighted[:-1] if i not in normalised]
        found += [("relu_in_g", f"{layer.name}: LeakyReLU; the paper's generator uses ReLU")
                  for layer in layers if _activation_of(layer) == "leaky_relu"]
    return [message for rule, message in found if rule not in allow]


def config_for(settings: dict, seed: int = 0, chunk_size: int = 50) -> training.TrainConfig:
    """The TrainConfig of a configuration dict such as REFERENCE or LECTURE."""
    return training.TrainConfig(batch_size=settings["batch_size"], d_learning_rate=settings["learning_rate"],
                                g_learning_rate=settings["learning_rate"], beta_1=settings["beta_1"],
                                seed=seed, chunk_size=chunk_size)


# Architecture choices beyond LECTURE, each a DCGAN guideline switched (benchmarks/dcgan_guidelines.py).
ARCHITECTURE = {"g_activation": "leaky_relu", "g_batch_norm": True, "d_batch_norm": False,
                "g_resampling": "transposed", "d_resampling": "strided"}


def make_trainer(images, settings: dict | None = None, seed: int = 0, evaluate=None,
                 strategy: tf.distribute.Strategy | None = None, chunk_size: int = 50) -> training.Trainer:
    """A Trainer on uint8 images (n, 28, 28) for a configuration: LECTURE and ARCHITECTURE updated
    by `settings` (a `width` without `d_width` sets both); with a `strategy`, models and
    optimizers are built under its scope."""
    given = dict(settings or {})
    settings = {**LECTURE, **ARCHITECTURE, **given}
    if "width" in given and "d_width" not in given:  # one width setting scales both networks
        settings["d_width"] = given["width"]
    unknown = set(settings) - set(LECTURE) - set(ARCHITECTURE)
    if unknown:
        known = sorted({**LECTURE, **ARCHITECTURE})
        raise ValueError(f"unknown DCGAN settings {sorted(unknown)}; known: {known}")
    with strategy.scope() if strategy else contextlib.nullcontext():
        generator = dcgan_generator(settings["latent_dim"], settings["width"], settings["kernel_size"],
                                    batch_norm=settings["g_batch_norm"], seed=seed,
                                    activation=settings["g_activation"], resampling=settings["g_resampling"])
        discriminator = dcgan_discriminator(settings["d_width"], settings["dropout"], settings["kernel_size"],
                                            seed=seed + 100, batch_norm=settings["d_batch_norm"],
                                            resampling=settings["d_resampling"])
    sample_real = fashion_mnist.sampler(images, flatten=False)
    return training.Trainer(generator, discriminator, sample_real, config_for(settings, seed, chunk_size),
                            evaluate, strategy)


def transposed_overlap(kernel_size: int, stride: int, size: int = 7) -> np.ndarray:
    """How many kernel taps reach each output pixel of a transposed convolution (the generator's
    upsampling) of a (size, size) input: float32 (size * stride, size * stride). Even when
    kernel_size is a multiple of stride; otherwise the counts alternate, and so does the
    brightness a freshly initialised generator paints: the checkerboard artefact (Odena,
    Dumoulin and Olah 2016, "Deconvolution and Checkerboard Artifacts")."""
    layer = keras.layers.Conv2DTranspose(1, kernel_size, stride, padding="same", use_bias=False,
                                         kernel_initializer="ones")
    return layer(np.ones((1, size, size, 1), np.float32)).numpy()[0, :, :, 0]


def checkerboard_energy(images) -> float:
    """The share of an image's variation at the highest spatial frequencies (the pixel-to-pixel
    alternation a checkerboard is made of): the Fourier power at Nyquist in either direction over
    the total, after removing each image's mean; averaged over images (n, 28, 28[, 1])."""
    images = np.asarray(images, np.float64).reshape(len(images), 28, 28)
    images = images - images.mean(axis=(1, 2), keepdims=True)
    power = np.abs(np.fft.fft2(images)) ** 2  # (n, 28, 28)
    nyquist = power[:, 14, :].sum(axis=1) + power[:, :, 14].sum(axis=1) - power[:, 14, 14]
    return float(np.mean(nyquist / np.maximum(power.sum(axis=(1, 2)), 1e-12)))


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
    """The record scripts/train_dcgan.py wrote: sha256, settings, steps, quality, command, date
    (a file in data/ only once its SHA-256 matches data/MANIFEST.json)."""
    return artifacts.read_record(metadata_path, PretrainedError, _REGENERATE)


def load_pretrained(weights_path=PRETRAINED_WEIGHTS, metadata_path=PRETRAINED_METADATA) -> keras.Model:
    """The shipped generator, built from its recorded settings after its SHA-256 is verified.

    Only weights are read (an HDF5 weights file: no code, no pickle)."""
    metadata = artifacts.verified_record(weights_path, metadata_path, PretrainedError, _REGENERATE)
    settings = metadata.get("settings")
    needed = ("latent_dim", "width", "kernel_size")
    if not isinstance(settings, dict) or not all(key in settings for key in needed):
        raise PretrainedError(f"{metadata_path} records no model settings {needed} to build the generator "
                              f"from (got {settings!r}). {_REGENERATE}")
    generator = dcgan_generator(settings["latent_dim"], settings["width"], settings["kernel_size"])
    generator.load_weights(weights_path)
    return generator


def sample(generator: keras.Model, n: int, seed: int = 12345) -> np.ndarray:
    """n images (n, 28, 28, 1) in [-1, 1] from a generator alone, latent N(0, I) from `seed`
    (the same latent vectors as Trainer.generate(n, seed))."""
    seed = tf.constant([seed, 0], tf.int64)
    latent_vectors = tf.random.stateless_normal((n, generator.input_shape[1]), seed)
    return generator(latent_vectors, training=False).numpy()
