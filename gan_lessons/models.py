"""Generator and discriminator MLP builders (Keras 3 functional models), seeded (lessons 01, 03, 05, 06)."""

from __future__ import annotations

import keras

from gan_lessons import validation

FEATURES_LAYER = "features"


def dense(units, seed, name, activation=None):
    """A Dense layer with a seeded Glorot-uniform kernel (same seed, same initial weights)."""
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        name=name,
    )


def check_sizes(name, sizes):
    """`sizes` as a tuple of positive ints, or a ValueError naming `name`."""
    sizes = tuple(sizes)
    if not sizes:
        raise ValueError(f"{name} must be a non-empty sequence of positive ints, got {sizes!r}")
    try:
        return tuple(validation.positive_integer(name, s) for s in sizes)
    except ValueError:
        raise ValueError(f"{name} must be a non-empty sequence of positive ints, got {sizes!r}") from None


def mlp_generator(
    latent_dim: int = 2,
    output_dim: int = 2,
    hidden: tuple[int, ...] = (64, 64),
    output_activation: str | None = None,
    seed: int = 0,
    name: str = "generator",
    activation: str = "leaky_relu",
) -> keras.Model:
    """MLP generator: latent (batch, latent_dim) -> samples (batch, output_dim).

    Hidden layers use LeakyReLU(0.2), or `activation="relu"` (units that can switch off let G map
    regions of latent space onto separate modes). `output_activation="tanh"` for images in [-1, 1].
    """
    check_sizes("hidden", hidden)
    check_sizes("latent_dim/output_dim", (latent_dim, output_dim))
    if activation not in ("leaky_relu", "relu"):
        raise ValueError(f"activation must be 'leaky_relu' or 'relu', got {activation!r}")
    latent_vectors = keras.Input((latent_dim,), name="latent_vectors")
    h = latent_vectors
    for i, units in enumerate(hidden):
        if activation == "relu":
            h = dense(units, seed + i, f"hidden_{i}", activation="relu")(h)
        else:
            h = dense(units, seed + i, f"hidden_{i}")(h)
            h = keras.layers.LeakyReLU(0.2, name=f"leaky_{i}")(h)
    samples = dense(output_dim, seed + len(hidden), "samples", output_activation)(h)
    return keras.Model(latent_vectors, samples, name=name)


def mlp_discriminator(
    input_dim: int = 2,
    hidden: tuple[int, ...] = (64, 64),
    feature_dim: int | None = 2,
    dropout: float = 0.0,
    seed: int = 100,
    name: str = "discriminator",
) -> keras.Model:
    """MLP discriminator: samples (batch, input_dim) -> logits (batch, 1); D(x) = sigmoid(logit).

    With `feature_dim`, the last hidden layer is a linear layer of that width named "features"
    (2 units: D's feature space can be plotted as is), and the logit is affine in it, so D's
    decision boundary is a straight line in feature space.
    """
    check_sizes("hidden", hidden)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    samples = keras.Input((input_dim,), name="samples")
    h = samples
    for i, units in enumerate(hidden):
        h = dense(units, seed + i, f"hidden_{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"leaky_{i}")(h)
        if dropout:
            h = keras.layers.Dropout(dropout, seed=seed + 50 + i, name=f"dropout_{i}")(h)
    if feature_dim:
        h = dense(feature_dim, seed + len(hidden), FEATURES_LAYER)(h)
    logits = dense(1, seed + len(hidden) + 1, "logits")(h)
    return keras.Model(samples, logits, name=name)


def feature_extractor(discriminator: keras.Model, layer: str | None = None) -> keras.Model:
    """A model sharing D's weights that returns its layer `layer` (default "features"):
    (batch, feature_dim)."""
    layer = layer or FEATURES_LAYER
    try:
        features = discriminator.get_layer(layer).output
    except ValueError:
        names = [item.name for item in discriminator.layers]
        raise ValueError(
            f"{discriminator.name} has no layer named {layer!r} (it has {names}); build it with "
            "mlp_discriminator(feature_dim=2) for a 2-D feature space, or name one of its layers"
        ) from None
    return keras.Model(discriminator.input, features, name=f"{discriminator.name}_features")

