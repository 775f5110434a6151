"""Lesson 09's conditional GAN on Fashion-MNIST: G(z, y) and D(x, y), both given the class.

The generator joins a learned label embedding to z and feeds the DCGAN lecture generator
(`dcgan.dcgan_generator`, its "body"). The discriminator is the DCGAN lecture discriminator's body
(`dcgan.dcgan_discriminator` up to its flattened features phi(x)) conditioned one of two ways:
- "concat" (Mirza and Osindero 2014): the label, one-hot, is joined to D's input as 10 constant
  image channels, so D sees (28, 28, 1 + 10);
- "projection" (Miyato and Koyama 2018): D(x, y) = psi(phi(x)) + embed(y) . phi(x), a linear
  unconditional logit plus the inner product of a class embedding with D's features.
It trains with the one `training.Trainer` (`TrainConfig(num_classes=10)`); `labelled_sampler`
gives it (images, labels). The shipped conditional generator loads after its SHA-256 is checked.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_lessons import artifacts, dcgan, fashion_mnist, training, validation

NUM_CLASSES = 10
CLASS_NAMES = fashion_mnist.CLASS_NAMES
CONDITIONINGS = ("concat", "projection")
DATA_DIR = artifacts.DATA_DIR
PRETRAINED_WEIGHTS = DATA_DIR / "conditional_generator.weights.h5"
PRETRAINED_METADATA = DATA_DIR / "conditional_generator.json"
_REGENERATE = "Regenerate both with `python scripts/train_conditional.py --profile full`."

# The lecture configuration: lesson 04's lecture DCGAN (quarter width, batch 64, Adam 1e-3 with
# beta_1 0.5) plus the label: a 10-number embedding joined to z, and the projection discriminator.
LECTURE = {**dcgan.LECTURE, "embedding_dim": 10, "conditioning": "projection"}
# the layer of each conditional model that holds its classes, and the attribute that counts them
_LABEL_LAYERS = {"label_embedding": "input_dim", "label_projection": "input_dim",
                 "label_one_hot": "num_tokens"}


# ---- labels ----------------------------------------------------------------------------------
def check_labels(labels, n: int | None = None, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """labels as int32 (n,) class indices in [0, num_classes), or a ValueError that names the fix.

    Integers only (a float or bool label is refused, not rounded); one label per latent vector."""
    array = np.asarray(labels)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        raise ValueError(f"labels must be integer class indices (0 to {num_classes - 1}), got dtype "
                         f"{array.dtype}: pass e.g. np.array([0, 7, 9]), or convert with .astype(int) "
                         "if the values are whole numbers")
    if array.ndim != 1 or (n is not None and len(array) != n):
        wanted = f"({n},), one per latent vector" if n is not None else "(n,)"
        raise ValueError(f"labels must have shape {wanted}; got shape {array.shape}. Pass one class "
                         "index per image, e.g. np.full(n, 9) for n ankle boots")
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        bad = int(array[(array < 0) | (array >= num_classes)][0])
        names = ", ".join(f"{i} {name}" for i, name in enumerate(CLASS_NAMES[:num_classes]))
        raise ValueError(f"labels must be class indices 0 to {num_classes - 1} ({names}); got {bad}")
    return array.astype(np.int32)


def num_classes_of(model: keras.Model) -> int:
    """The number of classes a conditional generator or discriminator of this module was built for."""
    for name, attribute in _LABEL_LAYERS.items():
        try:
            return int(getattr(model.get_layer(name), attribute))
        except ValueError:
            continue
    raise ValueError(f"{model.name} has no label layer ({', '.join(_LABEL_LAYERS)}): build it with "
                     "conditional.conditional_generator or conditional.conditional_discriminator")


def check_pair(generator: keras.Model, discriminator: keras.Model) -> int:
    """The classes G and D share; a ValueError when they were built for different numbers."""
    g_classes, d_classes = num_classes_of(generator), num_classes_of(discriminator)
    if g_classes != d_classes:
        raise ValueError(f"the generator was built for {g_classes} classes but the discriminator for "
                         f"{d_classes}: build both with the same num_classes (the dataset's: "
                         f"{NUM_CLASSES} for Fashion-MNIST)")
    return g_classes


# ---- the networks ----------------------------------------------------------------------------
def conditional_generator(latent_dim: int = 100, width: float = 0.25, kernel_size: int = 5,
                          num_classes: int = NUM_CLASSES, embedding_dim: int = 10, seed: int = 0,
                          name: str = "generator") -> keras.Model:
    """[latent float32 (batch, latent_dim), labels int32 (batch,)] -> images (batch, 28, 28, 1) in [-1, 1].

    G(z, y) = body([z, embed(y)]): the label's learned embedding (embedding_dim numbers, N(0, 1) at
    the start like z) is joined to z and fed to lesson 04's DCGAN generator of `width` (the
    layer "body", input latent_dim + embedding_dim)."""
    latent_dim = validation.positive_integer("latent_dim", latent_dim)
    num_classes = validation.integer("num_classes", num_classes, 2)
    embedding_dim = validation.positive_integer("embedding_dim", embedding_dim)
    latent_vectors = keras.Input((latent_dim,), name="latent_vectors")
    labels = keras.Input((), dtype="int32", name="labels")
    embedded = keras.layers.Embedding(num_classes, embedding_dim, name="label_embedding",
                                      embeddings_initializer=keras.initializers.RandomNormal(seed=seed + 50))(
        labels)  # (batch, embedding_dim)
    joined = keras.layers.Concatenate(name="join")([latent_vectors, embedded])  # (batch, latent + embedding)
    body = dcgan.dcgan_generator(latent_dim + embedding_dim, width, kernel_size, seed=seed, name="body")
    return keras.Model([latent_vectors, labels], body(joined), name=name)


def discriminator_body(inputs, width: float = 0.25, dropout: float = 0.3, kernel_size: int = 5,
                       seed: int = 100):
    """phi(x): lesson 04's DCGAN discriminator up to its flattened features, applied to `inputs`
    (a Keras tensor (batch, 28, 28, channels)) -> (batch, 7 * 7 * c1). The same layers, names and
    initial weights as dcgan.dcgan_discriminator(width, dropout, kernel_size, seed=seed)."""
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    _, c1, c2 = dcgan.channels(width)
    h = inputs
    for i, filters in enumerate((c2, c1)):  # (batch, 14, 14, c2), then (batch, 7, 7, c1)
        h = keras.layers.Conv2D(filters, kernel_size, 2, padding="same",
                                kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i),
                                name=f"down_{i}")(h)
        if dropout:  # before LeakyReLU, as in dcgan.dcgan_discriminator (the same function)
            h = keras.layers.Dropout(dropout, seed=seed + 10 + i, name=f"dropout_{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"leaky_{i}")(h)
    return keras.layers.Flatten(name="flatten")(h)


def conditional_discriminator(conditioning: str = "projection", width: float = 0.25, dropout: float = 0.3,
                              kernel_size: int = 5, num_classes: int = NUM_CLASSES, seed: int = 100,
                              name: str = "discriminator") -> keras.Model:
    """[images float32 (batch, 28, 28, 1) in [-1, 1], labels int32 (batch,)] -> logits (batch, 1).

    conditioning="concat": the one-hot label joined to the image as num_classes constant channels
    (Mirza and Osindero 2014), then phi and a linear logit. "projection": logit = psi(phi(x)) +
    embed(y) . phi(x) (Miyato and Koyama 2018), psi the layer "logits", embed the layer
    "label_projection" (num_classes x features)."""
    validation.choice("conditioning", conditioning, CONDITIONINGS)
    num_classes = validation.integer("num_classes", num_classes, 2)
    images = keras.Input((28, 28, 1), name="images")
    labels = keras.Input((), dtype="int32", name="labels")
    init = keras.initializers.GlorotUniform
    if conditioning == "concat":
        one_hot = keras.layers.CategoryEncoding(num_classes, "one_hot", name="label_one_hot")(labels)
        maps = keras.layers.Reshape((1, 1, num_classes), name="label_pixel")(one_hot)
        maps = keras.layers.UpSampling2D(28, name="label_maps")(maps)  # (batch, 28, 28, classes)
        joined = keras.layers.Concatenate(name="join")([images, maps])  # (batch, 28, 28, 1 + classes)
        features = discriminator_body(joined, width, dropout, kernel_size, seed)
        logits = keras.layers.Dense(1, kernel_initializer=init(seed + 2), name="logits")(features)
    else:
        features = discriminator_body(images, width, dropout, kernel_size, seed)  # (batch, F)
        unconditional = keras.layers.Dense(1, kernel_initializer=init(seed + 2), name="logits")(features)
        embedded = keras.layers.Embedding(num_classes, features.shape[-1], name="label_projection",
                                          embeddings_initializer=init(seed + 3))(labels)  # (batch, F)
        projection = keras.layers.Dot(axes=1, name="projection")([embedded, features])  # (batch, 1)
        logits = keras.layers.Add(name="conditional_logits")([unconditional, projection])
    return keras.Model([images, labels], logits, name=name)


def projection_terms(discriminator: keras.Model, images, labels) -> dict[str, np.ndarray]:
    """A projection discriminator's logit taken apart, in inference mode: phi (n, F) the features,
    psi (n,) = w . phi + b the unconditional logit, projection (n,) = embed(y) . phi, logits (n,) = D's
    output. Check: logits = psi + projection."""
    labels = check_labels(labels, len(images), num_classes_of(discriminator))
    body = keras.Model(discriminator.inputs[0], discriminator.get_layer("flatten").output)
    phi = body(np.asarray(images, np.float32), training=False).numpy()
    weights, bias = discriminator.get_layer("logits").get_weights()
    table = discriminator.get_layer("label_projection").get_weights()[0]  # (classes, F)
    logits = discriminator([np.asarray(images, np.float32), labels], training=False).numpy()[:, 0]
    return {"phi": phi, "psi": phi @ weights[:, 0] + bias[0],
            "projection": np.sum(table[labels] * phi, axis=1), "logits": logits}


# ---- data and training -----------------------------------------------------------------------
def labelled_sampler(images, labels, num_classes: int = NUM_CLASSES):
    """A conditional Trainer's real-data function from uint8 images (n, 28, 28) and their labels (n,).

    sample_real(seed (2,), batch_size) -> (float32 (batch, 28, 28, 1) in [-1, 1], int32 (batch,)):
    indices drawn uniformly with replacement by a stateless RNG, so the same seed gives the same
    batch; each image keeps its own label."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28) or not len(images):
        raise ValueError(f"need uint8 images (n >= 1, 28, 28) as fashion_mnist.load() returns them, got "
                         f"{images.dtype} {images.shape}")
    labels = check_labels(labels, len(images), num_classes)
    images, labels = tf.constant(images), tf.constant(labels)
    count = images.shape[0]

    def sample_real(seed, batch_size):
        indices = tf.random.stateless_uniform((batch_size,), seed, minval=0, maxval=count, dtype=tf.int64)
        batch = tf.reshape(fashion_mnist.to_training_units(tf.gather(images, indices)), (-1, 28, 28, 1))
        return batch, tf.gather(labels, indices)

    return sample_real


def settings_for(settings: dict | None = None) -> dict:
    """LECTURE updated by `settings` (a `width` without `d_width` sets both); unknown keys refused."""
    given = dict(settings or {})
    unknown = set(given) - set(LECTURE)
    if unknown:
        raise ValueError(f"unknown conditional GAN settings {sorted(unknown)}; known: {sorted(LECTURE)}")
    merged = {**LECTURE, **given}
    if "width" in given and "d_width" not in given:
        merged["d_width"] = given["width"]
    validation.choice("conditioning", merged["conditioning"], CONDITIONINGS)
    return merged


def make_trainer(images, labels, settings: dict | None = None, seed: int = 0, evaluate=None,
                 chunk_size: int = 50, generator: keras.Model | None = None,
                 discriminator: keras.Model | None = None) -> training.Trainer:
    """A conditional Trainer on uint8 images (n, 28, 28) and labels (n,), for LECTURE updated by
    `settings`; `generator` / `discriminator` replace the ones those settings build (their class
    counts must agree with each other and with the labels)."""
    s = settings_for(settings)
    generator = generator or conditional_generator(s["latent_dim"], s["width"], s["kernel_size"],
                                                   embedding_dim=s["embedding_dim"], seed=seed)
    discriminator = discriminator or conditional_discriminator(s["conditioning"], s["d_width"], s["dropout"],
                                                               s["kernel_size"], seed=seed + 100)
    num_classes = check_pair(generator, discriminator)
    sample_real = labelled_sampler(images, labels, num_classes)
    config = dcgan.config_for(s, seed, chunk_size).replace(num_classes=num_classes)
    return training.Trainer(generator, discriminator, sample_real, config, evaluate)


# ---- sampling, and walking between classes ---------------------------------------------------
def latent_vectors(n: int, seed: int, latent_dim: int = 100) -> np.ndarray:
    """float32 (n, latent_dim) from N(0, I): the vectors Trainer.generate(n, seed) uses."""
    n = validation.positive_integer("n", n)
    return tf.random.stateless_normal((n, latent_dim), tf.constant([seed, 0], tf.int64)).numpy()


def generate(generator: keras.Model, labels, seed: int = 12345, latent=None, batch: int = 500) -> np.ndarray:
    """Images (n, 28, 28, 1) in [-1, 1] of the requested classes `labels` (n,), from latent vectors
    (n, latent_dim) given or drawn from `seed` (the same as Trainer.generate(n, seed, labels))."""
    labels = check_labels(labels, None, num_classes_of(generator))
    latent_dim = generator.inputs[0].shape[-1]
    if latent is None:
        latent = latent_vectors(len(labels), seed, latent_dim)
    latent = np.asarray(latent, np.float32)
    if latent.shape != (len(labels), latent_dim):
        raise ValueError(f"latent must be (n, {latent_dim}) with n = {len(labels)} labels, got "
                         f"{latent.shape}")
    return np.concatenate([generator([latent[i:i + batch], labels[i:i + batch]], training=False).numpy()
                           for i in range(0, len(labels), batch)])


def class_embeddings(generator: keras.Model) -> np.ndarray:
    """The generator's learned class embeddings: float32 (num_classes, embedding_dim)."""
    return generator.get_layer("label_embedding").get_weights()[0]


def from_embeddings(generator: keras.Model, latent, embeddings) -> np.ndarray:
    """G's images for latent vectors (n, latent_dim) joined to any label embeddings (n,
    embedding_dim), not only the learned ones: body([z, e]) -> (n, 28, 28, 1)."""
    joined = np.concatenate([np.asarray(latent, np.float32), np.asarray(embeddings, np.float32)], axis=1)
    return generator.get_layer("body")(joined, training=False).numpy()


def class_interpolation(generator: keras.Model, latent, class_a: int, class_b: int, fractions) -> np.ndarray:
    """Images (m, 28, 28, 1) for one latent vector (latent_dim,) with the embedding moved in a
    straight line from class_a's (fraction 0) to class_b's (fraction 1), at `fractions` (m,)."""
    table = class_embeddings(generator)
    a, b = check_labels([class_a, class_b], 2, len(table))
    t = np.atleast_1d(np.asarray(fractions, np.float32))[:, None]  # (m, 1)
    embeddings = (1 - t) * table[a] + t * table[b]  # (m, embedding_dim)
    return from_embeddings(generator, np.repeat(np.asarray(latent, np.float32)[None], len(t), 0), embeddings)


# ---- the shipped conditional generator ---------------------------------------------------------
class PretrainedError(ValueError):
    """The shipped conditional generator is missing, or does not match its recorded hash."""


def load_pretrained_metadata(metadata_path=PRETRAINED_METADATA) -> dict:
    """The record scripts/train_conditional.py wrote: sha256, settings, steps, scorecard, command,
    machine, date (read only once data/MANIFEST.json vouches for it)."""
    return artifacts.read_record(metadata_path, PretrainedError, _REGENERATE)


def load_pretrained(weights_path=PRETRAINED_WEIGHTS, metadata_path=PRETRAINED_METADATA) -> keras.Model:
    """The shipped conditional generator, built from its recorded settings once its SHA-256 matches
    the record (an HDF5 weights file: no code, no pickle)."""
    record = artifacts.verified_record(weights_path, metadata_path, PretrainedError, _REGENERATE)
    settings = record.get("settings")
    needed = ("latent_dim", "width", "kernel_size", "embedding_dim")
    if not isinstance(settings, dict) or not all(key in settings for key in needed):
        raise PretrainedError(f"{metadata_path} records no model settings {needed} (got {settings!r}). "
                              f"{_REGENERATE}")
    generator = conditional_generator(settings["latent_dim"], settings["width"], settings["kernel_size"],
                                      settings.get("num_classes", NUM_CLASSES), settings["embedding_dim"])
    generator.load_weights(weights_path)
    return generator
