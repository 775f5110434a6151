"""Exercises of lesson 04 (DCGAN): the output size of a transposed convolution, a generator block
that doubles the spatial size, a discriminator rewritten by the DCGAN guidelines, and spherical
interpolation between latent vectors. Each `check_*` returns a Result."""

from __future__ import annotations

import keras
import numpy as np

from gan_lessons import dcgan
from gan_lessons.checks import TIME_LIMIT, Case, Exercise, Result, attempt


def transposed_output_size(size: int, kernel_size: int, stride: int, padding: str) -> int:
    """Reference: the side of Conv2DTranspose's output for an input of side `size` (Keras rules):
    'same' -> size * stride; 'valid' -> size * stride + max(kernel_size - stride, 0)."""
    if padding == "same":
        return size * stride
    return size * stride + max(kernel_size - stride, 0)


TRANSPOSED_OUTPUT_SIZE = Exercise(
    name="transposed_output_size(size, kernel_size, stride, padding)",
    reference=transposed_output_size,
    cases=(
        Case("the reference G's first block: 7, kernel 5, stride 1, 'same' (stays 7)", (7, 5, 1, "same")),
        Case("7, kernel 5, stride 2, 'same' (doubles to 14)", (7, 5, 2, "same")),
        Case("14, kernel 5, stride 2, 'same' (28: a Fashion-MNIST image)", (14, 5, 2, "same")),
        Case("7, kernel 4, stride 2, 'valid' (the kernel overhangs by 2)", (7, 4, 2, "valid")),
        Case("1, kernel 7, stride 1, 'valid' (a 1x1 latent 'image' to 7x7)", (1, 7, 1, "valid")),
        Case("7, kernel 1, stride 2, 'valid' (kernel smaller than the stride)", (7, 1, 2, "valid")),
    ),
    hint="with padding='same' the output is size * stride. With 'valid' each input pixel spreads "
         "a kernel-sized patch `stride` apart: size * stride, plus the overhang kernel_size - stride "
         "when the kernel is wider than the stride (never negative).",
    rtol=0, atol=0,
)


def _slerp_reference(z0, z1, t):
    return dcgan.interpolate(z0, z1, [t])[0]


_rng = np.random.default_rng(1948)
SLERP = Exercise(
    name="slerp(z0, z1, t)",
    reference=_slerp_reference,
    cases=(
        Case("t = 0 (must give z0)", (_rng.normal(size=100), _rng.normal(size=100), 0.0)),
        Case("t = 1 (must give z1)", (_rng.normal(size=100), _rng.normal(size=100), 1.0)),
        Case("orthogonal unit vectors, t = 0.5 (norm stays 1)", (np.eye(2)[0], np.eye(2)[1], 0.5)),
        Case("random 100-d latent vectors, t = 0.3", (_rng.normal(size=100), _rng.normal(size=100), 0.3)),
        Case("parallel vectors (the angle is 0: fall back to a straight line)",
             (np.array([1.0, 2.0, 2.0]), np.array([2.0, 4.0, 4.0]), 0.25)),
    ),
    hint="omega = arccos(z0·z1 / (|z0| |z1|)) (clip the cosine to [-1, 1]); then "
         "(sin((1-t) omega) z0 + sin(t omega) z1) / sin(omega). When sin(omega) is ~0 (parallel "
         "vectors) return the straight line (1-t) z0 + t z1 instead of dividing by 0.",
    rtol=1e-4, atol=1e-5,
)


def _layers_of(block):
    return block.layers if hasattr(block, "layers") else list(block)


def check_generator_block(make_block) -> Result:
    """make_block(channels) -> a keras layer or Sequential that doubles height and width."""
    name = "generator_block(channels)"
    hint = ("a Conv2DTranspose(channels, 5, strides=2, padding='same', use_bias=False), then "
            "BatchNormalization(), then LeakyReLU(0.2), e.g. in a keras.Sequential.")
    if not callable(make_block):
        return Result(False, f"✗ {name}: pass your function itself (no parentheses).")
    rng = np.random.default_rng(4)
    for batch, size, in_channels, channels in ((2, 7, 8, 16), (3, 14, 4, 1), (1, 4, 3, 5)):
        inputs = rng.normal(size=(batch, size, size, in_channels)).astype(np.float32)
        block, failure = attempt(name, hint, f"input {inputs.shape}", lambda c=channels: make_block(c))
        if failure is not None:
            return failure
        outputs, failure = attempt(name, hint, f"input {inputs.shape}", lambda b=block, x=inputs: np.asarray(
            keras.Sequential(_layers_of(b))(x, training=True)))
        if failure is not None:
            return failure
        expected = (batch, 2 * size, 2 * size, channels)
        if outputs.shape != expected:
            return Result(False, f"✗ {name}: input {inputs.shape} gave {outputs.shape}, expected "
                                 f"{expected}. Hint: {hint}")
        layers = _layers_of(block)
        if any("Pooling" in type(layer).__name__ or "UpSampling" in type(layer).__name__ for layer in layers):
            return Result(False, f"✗ {name}: DCGAN learns its upsampling: use a strided Conv2DTranspose, "
                                 "no UpSampling or pooling layers.")
        if not any(isinstance(layer, keras.layers.BatchNormalization) for layer in layers):
            return Result(False, f"✗ {name}: the shapes are right; add BatchNormalization (a hidden "
                                 f"generator block is normalised). Hint: {hint}")
    return Result(True, f"✓ {name}: doubles 7→14, 14→28 and 4→8 for batches of 2, 3 and 1, with a "
                        "strided transposed convolution and batch norm.")


def naive_discriminator() -> keras.Model:
    """The starting point of the guideline exercise: a classifier-style CNN that breaks four
    DCGAN guidelines (pooling, ReLU, batch norm on the input layer, a sigmoid output)."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 5, padding="same", activation="relu", name="conv_1"),
        keras.layers.BatchNormalization(name="bn_1"),
        keras.layers.MaxPooling2D(name="pool_1"),
        keras.layers.Conv2D(64, 5, padding="same", activation="relu", name="conv_2"),
        keras.layers.MaxPooling2D(name="pool_2"),
        keras.layers.Flatten(),
        keras.layers.Dense(1, activation="sigmoid", name="probability"),
    ], name="naive_discriminator")


def check_dcgan_discriminator(build, time_limit: float | None = TIME_LIMIT) -> Result:
    """build() -> a keras Model: images (batch, 28, 28, 1) -> logits (batch, 1), DCGAN-style.
    Each call of the student's code may take `time_limit` seconds."""
    name = "dcgan_discriminator()"
    hint = ("Conv2D(32, 5, strides=2, padding='same') -> LeakyReLU(0.2) -> Conv2D(64, 5, strides=2, "
            "padding='same') -> LeakyReLU(0.2) -> Flatten -> Dense(1) with no activation (a logit); "
            "dropout is allowed, pooling and a batch norm right after the first conv are not.")
    if not callable(build):
        return Result(False, f"✗ {name}: pass your function itself (no parentheses).")
    # the student's code (build() and the model it returns) runs through attempt(): a time limit,
    # and any exception reported, never raised
    model, failure = attempt(name, hint, "building the model (build())", build, time_limit)
    if failure is not None:
        return failure
    outputs = []
    for n in (1, 5):
        shape, failure = attempt(name, hint, f"a batch of {n} zero images (shape ({n}, 28, 28, 1))",
                                 lambda n=n: np.asarray(model(np.zeros((n, 28, 28, 1), np.float32))).shape,
                                 time_limit)
        if failure is not None:
            return failure
        outputs.append(shape)
    if outputs != [(1, 1), (5, 1)]:
        return Result(False, f"✗ {name}: batches of 1 and 5 gave outputs {outputs}, expected (1, 1) "
                             f"and (5, 1): one logit per image. Hint: {hint}")
    problems, failure = attempt(name, hint, "the guideline check (it runs your model once)",
                                lambda: dcgan.guideline_violations(  # the reference's departure allowed
                                    model, "discriminator", dcgan.REFERENCE_DEPARTURES["discriminator"]),
                                time_limit)
    if failure is not None:
        return failure
    if problems:
        return Result(False, f"✗ {name}: still breaks the guidelines: {'; '.join(problems)}.")
    return Result(True, f"✓ {name}: strided convolutions, LeakyReLU, no batch norm on the input layer, "
                        "one logit per image for batches of 1 and 5.")


def check_transposed_output_size(function) -> Result:
    return TRANSPOSED_OUTPUT_SIZE.check(function)


def check_slerp(function) -> Result:
    return SLERP.check(function)
