"""FlatAdam: Keras's Adam, bit for bit, with its moments in one flat vector."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import models, toy, training
from gan_lessons.flat_adam import FlatAdam


def _model(seed):
    """Variables of several shapes and sizes: a conv kernel, biases, dense kernels, a 1-unit output."""
    inputs = keras.Input((6, 6, 2))
    init = keras.initializers.GlorotUniform(seed)
    x = keras.layers.Conv2D(3, 3, kernel_initializer=init)(inputs)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(7, activation="tanh", kernel_initializer=init)(x)
    return keras.Model(inputs, keras.layers.Dense(1, kernel_initializer=init)(x))


def _train(optimizer, steps, compiled):
    model = _model(3)
    optimizer.build(model.trainable_variables)
    x = tf.random.stateless_normal((16, 6, 6, 2), (1, 2))
    y = tf.random.stateless_normal((16, 1), (3, 4))

    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))

    step = tf.function(step) if compiled else step
    for _ in range(steps):
        step()
    return model


@pytest.mark.parametrize("compiled", [False, True])
def test_weights_and_moments_are_kerass_adam_bit_for_bit(compiled):
    keras_adam, flat = keras.optimizers.Adam(3e-3, beta_1=0.5), FlatAdam(3e-3, beta_1=0.5)
    expected, got = _train(keras_adam, 12, compiled), _train(flat, 12, compiled)
    for e, g in zip(expected.trainable_variables, got.trainable_variables):
        np.testing.assert_array_equal(g.numpy(), e.numpy())
    assert not np.array_equal(expected.get_weights()[0], _model(3).get_weights()[0])  # it trained
    flat_moments = np.concatenate([m.numpy().ravel() for m in keras_adam._momentums])
    flat_velocities = np.concatenate([v.numpy().ravel() for v in keras_adam._velocities])
    np.testing.assert_array_equal(flat._momentum.numpy(), flat_moments)
    np.testing.assert_array_equal(flat._velocity.numpy(), flat_velocities)
    assert int(flat.iterations.numpy()) == 12


def test_an_embeddings_sparse_gradient_with_repeated_rows_gives_kerass_bits():
    """Lesson 09's label embeddings: their gradient is IndexedSlices, a class seen twice in a batch
    gives two slices of one row, and Keras squares the slices before it sums them."""
    def train(optimizer):
        table = keras.layers.Embedding(4, 3, embeddings_initializer=keras.initializers.RandomNormal(seed=2))
        dense = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=4))
        labels = tf.constant([0, 2, 2, 2, 1, 0])
        dense(table(labels))
        variables = table.trainable_variables + dense.trainable_variables
        optimizer.build(variables)
        initial = table.embeddings.numpy()

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.square(dense(table(labels)) - 1.0))
            gradients = tape.gradient(loss, variables)
            assert isinstance(gradients[0], tf.IndexedSlices)
            optimizer.apply_gradients(zip(gradients, variables))

        for _ in range(5):
            step()
        return initial, [v.numpy() for v in variables]

    (initial, expected), (_, got) = train(keras.optimizers.Adam(0.1)), train(FlatAdam(0.1))
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(g, e)
    np.testing.assert_array_equal(got[0][3], initial[3])  # a class not in the batch keeps its row
    assert not np.any(got[0][2] == initial[2])


def test_a_variable_without_a_gradient_is_refused_with_the_fix():
    model = _model(0)
    optimizer = FlatAdam()
    optimizer.build(model.trainable_variables)
    variables = model.trainable_variables
    gradients = [tf.zeros_like(v) for v in variables[:-1]] + [None]
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="without a gradient"):
        optimizer.apply_gradients(zip(gradients, variables))


def test_mixed_dtypes_and_options_it_does_not_have_are_refused():
    with pytest.raises(ValueError, match="one dtype"):
        FlatAdam().build([keras.Variable(np.zeros(2, np.float32)), keras.Variable(np.zeros(2, np.float16))])
    with pytest.raises(ValueError, match="amsgrad"):
        FlatAdam(amsgrad=True)
    with pytest.raises(ValueError, match="clipnorm"):
        FlatAdam(clipnorm=1.0)
    nothing = FlatAdam()
    nothing.build([])  # a network without trainable weights (lesson 07's shifted generator)
    assert nothing._momentum.shape == (0,)
    restored = FlatAdam.from_config(FlatAdam(2e-4, beta_1=0.5).get_config())
    assert (float(restored.beta_1), restored.amsgrad) == (0.5, False)


def test_the_trainer_uses_it_on_one_device_and_kerass_adam_under_a_strategy():
    def trainer(strategy):
        with strategy.scope() if strategy else tf.name_scope("one_device"):
            return training.Trainer(models.mlp_generator(hidden=(4,), seed=0),
                                    models.mlp_discriminator(hidden=(4,), seed=1),
                                    toy.curve_sampler(toy.QuadraticCurve(), toy.QuadraticCurve().scaler()),
                                    training.TrainConfig(batch_size=8), strategy=strategy)

    assert type(trainer(None).d_optimizer) is FlatAdam
    under = trainer(tf.distribute.OneDeviceStrategy("/cpu:0"))
    assert type(under.d_optimizer) is keras.optimizers.Adam
