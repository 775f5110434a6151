"""Keras's Adam with its moments in one flat vector (lessons 01-09, through the Trainer): the same
numbers bit for bit, in a graph of a few operations per variable instead of a couple of dozen.

Keras writes Adam's update out once per variable: its bias correction (two powers, a square root,
a division) and the three moment and weight updates, about 25 graph operations each. At the
tutorial's 16-16 networks a training step is a thousand small operations and its time is their
dispatch, not their arithmetic. Here the correction is computed once and the moments are updated
as one vector: a step of lesson 01's trainer is 531 graph nodes as traced instead of 857, and ran
1.31x as fast at the tutorial's sizes (1.15x at lesson 01's 128-128; `benchmarks/toy_throughput.py`).

Every element goes through the same float32 operations in the same order as in
`keras.optimizers.Adam.update_step`, so the weights and the moments are the same bits
(tests/test_flat_adam.py). For one device and the plain update only: the trainer uses Keras's Adam
under a tf.distribute strategy, and amsgrad, weight decay, clipping, EMA and gradient accumulation
are not offered here.
"""

from __future__ import annotations

import math

import keras
import tensorflow as tf


class FlatAdam(keras.optimizers.Adam):
    """keras.optimizers.Adam(learning_rate, beta_1, beta_2, epsilon) with each moment one flat vector
    over all the variables it was built on, in their order."""

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str = "adam", **kwargs):
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, name=name, **kwargs)
        options = {"amsgrad": self.amsgrad, "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                   "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                   "use_ema": self.use_ema, "gradient_accumulation_steps": self.gradient_accumulation_steps,
                   "loss_scale_factor": self.loss_scale_factor}
        used = sorted(k for k, value in options.items() if value)
        if used:
            raise ValueError(f"FlatAdam has the plain Adam update only; {used} need keras.optimizers.Adam")
        self._sizes: list[int] = []

    def build(self, var_list):
        if self.built:
            return
        dtypes = sorted({str(v.dtype) for v in var_list})
        if len(dtypes) > 1:
            raise ValueError(f"FlatAdam keeps one flat vector per moment, so its variables need one dtype; "
                             f"got {dtypes}: use keras.optimizers.Adam for mixed precision")
        keras.optimizers.Optimizer.build(self, var_list)  # not Adam.build: no per-variable moments
        self._sizes = [math.prod(v.shape) for v in var_list]
        size, dtype = sum(self._sizes), (dtypes or [keras.config.floatx()])[0]  # none: a fixed network
        self._momentum = self.add_variable((size,), initializer="zeros", dtype=dtype, name="momentum")
        self._velocity = self.add_variable((size,), initializer="zeros", dtype=dtype, name="velocity")

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        if tf.distribute.has_strategy():
            raise RuntimeError("FlatAdam is for one device: use keras.optimizers.Adam under a strategy")
        indices = [self._get_variable_index(v) for v in trainable_variables]
        if indices != list(range(len(self._sizes))):
            raise ValueError(f"FlatAdam updates every variable it was built on ({len(self._sizes)}), in "
                             f"order, at once; got variables {indices}. A variable without a gradient "
                             "(None: not used by the loss) cannot be left out of the flat update: use "
                             "keras.optimizers.Adam, or remove the variable from the model")
        dtype = self._momentum.dtype
        # The bias correction, as Keras computes it for each variable (the same ops, once).
        lr = tf.cast(learning_rate, dtype)
        local_step = tf.cast(self.iterations + 1, dtype)
        beta_1_power = tf.pow(tf.cast(self.beta_1, dtype), local_step)
        beta_2_power = tf.pow(tf.cast(self.beta_2, dtype), local_step)
        alpha = lr * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        grads = [tf.cast(g, dtype) for g in grads]
        gradient = tf.concat([_flat(g) for g in grads], axis=0)
        # Keras squares a sparse gradient (an embedding's IndexedSlices) slice by slice, before
        # the slices of a row seen twice in the batch are summed: the same here.
        squares = tf.concat([_flat(tf.IndexedSlices(tf.square(g.values), g.indices, g.dense_shape))
                             if isinstance(g, tf.IndexedSlices) else tf.square(_flat(g))
                             for g in grads], axis=0)
        m, v = self._momentum.value, self._velocity.value
        m.assign_add(tf.multiply(tf.subtract(gradient, m), 1 - self.beta_1))
        v.assign_add(tf.multiply(tf.subtract(squares, v), 1 - self.beta_2))
        step = tf.divide(tf.multiply(m, alpha), tf.add(tf.sqrt(v), self.epsilon))
        for variable, part in zip(trainable_variables, tf.split(step, self._sizes)):
            variable = variable.value if isinstance(variable, keras.Variable) else variable
            variable.assign_sub(tf.reshape(part, variable.shape))


def _flat(gradient) -> tf.Tensor:
    """A gradient as one dense vector (an IndexedSlices' slices of one row summed, as TF converts)."""
    return tf.reshape(tf.convert_to_tensor(gradient), [-1])
