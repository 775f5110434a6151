"""Lesson 04's exercise checks pass the references and catch the usual mistakes."""

import keras
import numpy as np

from gan_lessons import dcgan
from gan_lessons.exercises import lesson04 as exercises


def test_the_transposed_output_size_reference_agrees_with_keras():
    for size, kernel, stride, padding in [(7, 5, 1, "same"), (7, 5, 2, "same"), (7, 4, 2, "valid"),
                                          (7, 1, 2, "valid"), (1, 7, 1, "valid"), (5, 3, 3, "same")]:
        layer = keras.layers.Conv2DTranspose(1, kernel, stride, padding=padding)
        side = layer.compute_output_shape((1, size, size, 1))[1]
        assert exercises.transposed_output_size(size, kernel, stride, padding) == side


def test_transposed_output_size_check_catches_the_textbook_formula():
    assert exercises.check_transposed_output_size(exercises.transposed_output_size)
    textbook = lambda size, k, s, padding: size * s if padding == "same" else (size - 1) * s + k  # noqa: E731
    result = exercises.check_transposed_output_size(textbook)
    assert not result and "kernel smaller than the stride" in result.message


def test_generator_block_check():
    def block(channels):
        return keras.Sequential([
            keras.layers.Conv2DTranspose(channels, 5, strides=2, padding="same", use_bias=False),
            keras.layers.BatchNormalization(), keras.layers.LeakyReLU(0.2)])

    def upsampling(channels):
        return [keras.layers.UpSampling2D(), keras.layers.Conv2D(channels, 3, padding="same"),
                keras.layers.BatchNormalization()]

    def no_stride(channels):
        return [keras.layers.Conv2DTranspose(channels, 5, padding="same"), keras.layers.BatchNormalization()]

    def not_done(channels):
        raise NotImplementedError

    assert exercises.check_generator_block(block)
    assert "UpSampling" in exercises.check_generator_block(upsampling).message
    assert "expected (2, 14, 14, 16)" in exercises.check_generator_block(no_stride).message
    assert "not done yet" in exercises.check_generator_block(not_done).message


def test_discriminator_check_lists_the_naive_cnns_faults_and_passes_the_dcgan_one():
    result = exercises.check_dcgan_discriminator(exercises.naive_discriminator)
    assert not result
    for fault in ("pooling", "ReLU", "batch norm on the input layer", "sigmoid"):
        assert fault in result.message
    assert exercises.check_dcgan_discriminator(lambda: dcgan.dcgan_discriminator(width=0.25))

    def two_outputs():
        inputs = keras.Input((28, 28, 1))
        h = keras.layers.Conv2D(8, 5, strides=2, padding="same")(inputs)
        return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(h)))

    assert "expected (1, 1)" in exercises.check_dcgan_discriminator(two_outputs).message


def test_slerp_check_catches_a_straight_line_and_a_division_by_zero():
    assert exercises.check_slerp(lambda z0, z1, t: dcgan.interpolate(z0, z1, [t])[0])
    line = exercises.check_slerp(lambda z0, z1, t: (1 - t) * z0 + t * z1)
    assert not line and "orthogonal" in line.message

    def no_fallback(z0, z1, t):
        omega = np.arccos(np.clip(z0 @ z1 / np.linalg.norm(z0) / np.linalg.norm(z1), -1, 1))
        return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)

    with np.errstate(all="ignore"):
        result = exercises.check_slerp(no_fallback)
    assert not result and "parallel" in result.message
