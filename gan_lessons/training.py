"""The GAN trainer: alternating updates, many steps per compiled TensorFlow call, a recorded history.

Every random draw comes from a stateless generator keyed by (seed, step, stream), so a run is a
pure function of its seed: the same seed gives the same history bit for bit on CPU, and a run
can be resumed from any step without saving random state.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from gan_lessons import losses, models

# Random streams within one step: D update i draws real data from stream 2i and noise from 2i+1.
_STREAMS = 64
_G_NOISE, _G_REAL = _STREAMS - 1, _STREAMS - 2
MAX_D_STEPS = (_STREAMS - 2) // 2
LATENT_DISTRIBUTIONS = ("normal", "uniform")


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the trainer was rolled back to the last finite state."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a GAN run. `d_steps`: discriminator updates per generator update."""

    batch_size: int = 128
    d_learning_rate: float = 1e-3
    g_learning_rate: float = 1e-3
    beta_1: float = 0.5
    beta_2: float = 0.999
    d_steps: int = 1
    generator_loss: str = "non_saturating"
    latent: str = "normal"  # "normal": N(0, I); "uniform": U[-1, 1]^latent_dim
    real_label: float = 1.0  # < 1 is one-sided label smoothing
    seed: int = 0
    chunk_size: int = 200  # steps per compiled call: the granularity of progress and dashboards
    track_features: bool = False  # record D's feature centroids around each generator update

    def __post_init__(self):
        for name in ("batch_size", "d_steps", "chunk_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.d_steps > MAX_D_STEPS:
            raise ValueError(f"d_steps must be at most {MAX_D_STEPS}, got {self.d_steps}")
        for name in ("d_learning_rate", "g_learning_rate"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not (0 < value < 1):
                raise ValueError(f"{name} must be a number in (0, 1), got {value!r}")
        for name in ("beta_1", "beta_2"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)!r}")
        losses.generator_loss(self.generator_loss)  # raises on an unknown name
        if self.latent not in LATENT_DISTRIBUTIONS:
            raise ValueError(f"latent must be one of {LATENT_DISTRIBUTIONS}, got {self.latent!r}")
        if not 0.5 < self.real_label <= 1.0:
            raise ValueError(f"real_label must be in (0.5, 1], got {self.real_label!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            raise ValueError(f"seed must be an int, got {self.seed!r}")

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)


class History:
    """Per-step metrics (lists of floats, one entry per step) and evaluations at intervals."""

    def __init__(self):
        self.steps: list[int] = []
        self.metrics: dict[str, list[float]] = {}
        self.evaluations: list[dict] = []

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, name) -> np.ndarray:
        return np.asarray(self.metrics[name])

    def extend(self, first_step: int, chunk: dict[str, np.ndarray]):
        n = len(next(iter(chunk.values())))
        self.steps.extend(range(first_step, first_step + n))
        for name, values in chunk.items():
            self.metrics.setdefault(name, []).extend(np.asarray(values).tolist())

    def evaluation_table(self) -> dict[str, np.ndarray]:
        """Evaluations as columns: {"step": (m,), metric: (m,), ...}."""
        if not self.evaluations:
            return {}
        return {k: np.array([e[k] for e in self.evaluations]) for k in self.evaluations[0]}

    def smoothed(self, name: str, window: int = 50) -> np.ndarray:
        """Trailing running mean of a metric over `window` steps (shorter windows at the start)."""
        values = self[name]
        cumulative = np.concatenate([[0.0], np.cumsum(values)])
        ends = np.arange(1, len(values) + 1)
        starts = np.maximum(0, ends - window)
        return (cumulative[ends] - cumulative[starts]) / (ends - starts)


class Trainer:
    """Trains `generator` against `discriminator` on samples from `sample_real`.

    sample_real(seed, batch_size) -> float32 (batch, ...): real data in training units, drawn with
        the stateless seed int32/int64 (2,) it is given (same seed, same batch).
    evaluate(trainer) -> {name: float}: an optional quality metric run every `evaluate_every` steps.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        sample_real: Callable,
        config: TrainConfig | None = None,
        evaluate: Callable[[Trainer], dict] | None = None,
    ):
        self.generator = generator
        self.discriminator = discriminator
        self.sample_real = sample_real
        self.config = config or TrainConfig()
        self.evaluate = evaluate
        self.latent_shape = tuple(generator.input_shape[1:])
        self.d_optimizer = self._adam(self.config.d_learning_rate)
        self.g_optimizer = self._adam(self.config.g_learning_rate)
        self.d_optimizer.build(discriminator.trainable_variables)
        self.g_optimizer.build(generator.trainable_variables)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.history = History()
        self.features = None
        if self.config.track_features:
            self.features = models.feature_extractor(discriminator)
        self._compiled = {}

    def _adam(self, learning_rate):
        c = self.config
        return keras.optimizers.Adam(learning_rate, beta_1=c.beta_1, beta_2=c.beta_2)

    # ---- randomness -------------------------------------------------------------------------
    def _seed(self, step, stream: int) -> tf.Tensor:
        return tf.stack([tf.constant(self.config.seed, tf.int64), step * _STREAMS + stream])

    def latent_vectors(self, n: int, seed) -> tf.Tensor:
        """float32 (n, *latent_shape) drawn from the configured latent distribution."""
        shape = (n, *self.latent_shape)
        if self.config.latent == "uniform":
            return tf.random.stateless_uniform(shape, seed, minval=-1.0, maxval=1.0)
        return tf.random.stateless_normal(shape, seed)

    # ---- one update of each network ----------------------------------------------------------
    def _discriminator_update(self, step, i: int) -> dict:
        """One D update; G is held fixed (its output is computed outside the tape)."""
        c = self.config
        real = self.sample_real(self._seed(step, 2 * i), c.batch_size)
        fake = self.generator(self.latent_vectors(c.batch_size, self._seed(step, 2 * i + 1)))
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            loss = losses.discriminator_loss(real_logits, fake_logits, c.real_label)
        gradients = tape.gradient(loss, variables)
        self.d_optimizer.apply_gradients(zip(gradients, variables))
        return {
            "d_loss": loss,
            "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
            "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
            "d_grad_norm": tf.linalg.global_norm(gradients),
        }

    def _generator_update(self, step, generator_loss: str, capture: bool = False) -> dict:
        """One G update; D is held fixed (only G's variables are updated)."""
        c = self.config
        latent_vectors = self.latent_vectors(c.batch_size, self._seed(step, _G_NOISE))
        if self.features is not None:
            real = self.sample_real(self._seed(step, _G_REAL), c.batch_size)
            real_before = self.features(real)
            fake_before = self.features(self.generator(latent_vectors))
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(self.generator(latent_vectors, training=True), training=True)
            loss = losses.generator_loss(generator_loss)(fake_logits)
        gradients = tape.gradient(loss, variables)
        self.g_optimizer.apply_gradients(zip(gradients, variables))
        out = {"g_loss": loss, "g_grad_norm": tf.linalg.global_norm(gradients)}
        if self.features is not None:
            real_after = self.features(real)
            fake_after = self.features(self.generator(latent_vectors))
            real_centroid = tf.reduce_mean(real_before, axis=0)
            distance_before = tf.norm(tf.reduce_mean(fake_before, axis=0) - real_centroid)
            distance_after = tf.norm(tf.reduce_mean(fake_after, axis=0) - real_centroid)
            out["centroid_shift"] = distance_before - distance_after  # > 0: fakes moved toward real
            out["real_feature_change"] = tf.reduce_max(tf.abs(real_after - real_before))
            if capture:
                out.update(real_before=real_before, fake_before=fake_before,
                           real_after=real_after, fake_after=fake_after)
        return out

    def _train_step(self, generator_loss: str, capture: bool = False) -> dict:
        step = self.step.read_value()
        d_metrics = [self._discriminator_update(step, i) for i in range(self.config.d_steps)]
        metrics = {k: tf.add_n([m[k] for m in d_metrics]) / len(d_metrics) for k in d_metrics[0]}
        metrics.update(self._generator_update(step, generator_loss, capture))
        self.step.assign_add(1)
        return metrics

    def _chunk(self, n, generator_loss: str):
        names = self.metric_names
        arrays = [tf.TensorArray(tf.float32, size=n) for _ in names]
        for i in tf.range(n):
            metrics = self._train_step(generator_loss)
            arrays = [a.write(i, metrics[k]) for a, k in zip(arrays, names)]
        return {k: a.stack() for k, a in zip(names, arrays)}

    @property
    def metric_names(self) -> list[str]:
        names = ["d_loss", "d_real", "d_fake", "d_grad_norm", "g_loss", "g_grad_norm"]
        if self.features is not None:
            names += ["centroid_shift", "real_feature_change"]
        return names

    def _function(self, kind: str):
        key = (kind, self.config.generator_loss)
        if key not in self._compiled:
            loss = self.config.generator_loss
            if kind == "chunk":
                self._compiled[key] = tf.function(lambda n: self._chunk(n, loss))
            elif kind == "capture":
                self._compiled[key] = tf.function(lambda: self._train_step(loss, capture=True))
            elif kind == "discriminator":
                self._compiled[key] = tf.function(lambda s: self._discriminator_update(s, 0))
            else:
                self._compiled[key] = tf.function(lambda s: self._generator_update(s, loss))
        return self._compiled[key]

    # ---- public API --------------------------------------------------------------------------
    def discriminator_step(self) -> dict:
        """One discriminator update alone (the generator untouched); does not advance the step."""
        return {k: float(v) for k, v in self._function("discriminator")(self.step).items()}

    def generator_step(self) -> dict:
        """One generator update alone (the discriminator untouched); does not advance the step."""
        out = self._function("generator")(self.step)
        return {k: float(v) for k, v in out.items() if v.shape.rank == 0}

    def train(self, steps: int, evaluate_every: int | None = None, progress: bool | None = None,
              callback: Callable[[Trainer], None] | None = None) -> History:
        """Run `steps` training steps in compiled chunks of `config.chunk_size`.

        A progress bar shows for runs of 1,000 steps or more (or `progress=True`). `callback`
        is called after every chunk. On a NaN or infinite loss, the networks and optimizers are
        rolled back to the start of the failing chunk and TrainingDiverged is raised; an
        interrupted run keeps every chunk it completed.
        """
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
        if evaluate_every is not None and (not isinstance(evaluate_every, int) or evaluate_every < 1):
            raise ValueError(f"evaluate_every must be a positive integer or None, got {evaluate_every!r}")
        if evaluate_every and self.evaluate is None:
            raise ValueError("evaluate_every needs the trainer to be built with evaluate=...")
        show = steps >= 1000 if progress is None else progress
        bar = tqdm(total=steps, disable=not show, unit="step", desc="training")
        chunk_fn = self._function("chunk")
        remaining = steps
        try:
            if evaluate_every and not self.history.evaluations:
                self.evaluate_now()
            while remaining > 0:
                n = min(self.config.chunk_size, remaining)
                if evaluate_every:
                    n = min(n, evaluate_every - int(self.step.numpy()) % evaluate_every)
                snapshot = self._snapshot()
                first = int(self.step.numpy())
                chunk = {k: v.numpy() for k, v in chunk_fn(tf.constant(n, tf.int32)).items()}
                self._check_finite(chunk, first, snapshot)
                self.history.extend(first, chunk)
                remaining -= n
                bar.update(n)
                bar.set_postfix(d_loss=f"{chunk['d_loss'][-1]:.3f}", g_loss=f"{chunk['g_loss'][-1]:.3f}")
                if evaluate_every and int(self.step.numpy()) % evaluate_every == 0:
                    self.evaluate_now()
                if callback is not None:
                    callback(self)
        finally:
            bar.close()
        return self.history

    def step_with_features(self) -> dict[str, np.ndarray]:
        """One full training step (recorded in the history) that also returns D's features of the
        generator update's batches: real_before/after, fake_before/after, each (batch, 2)."""
        if self.features is None:
            raise ValueError("build the trainer with TrainConfig(track_features=True) to see features")
        first = int(self.step.numpy())
        out = {k: v.numpy() for k, v in self._function("capture")().items()}
        scalars = {k: np.array([out[k]], np.float32) for k in self.metric_names}
        self._check_finite(scalars, first, None)
        self.history.extend(first, scalars)
        return {k: out[k] for k in ("real_before", "fake_before", "real_after", "fake_after")}

    def evaluate_now(self) -> dict:
        """Run the quality metric now and record it in history.evaluations."""
        result = {"step": int(self.step.numpy()), **self.evaluate(self)}
        self.history.evaluations.append(result)
        return result

    def generate(self, n: int, seed: int = 12345) -> np.ndarray:
        """n generated samples (training units) from the latent seed `seed`: numpy (n, ...)."""
        latent_vectors = self.latent_vectors(n, tf.constant([seed, 0], tf.int64))
        return self.generator(latent_vectors, training=False).numpy()

    def discriminate(self, samples) -> np.ndarray:
        """D(x) = sigmoid(logit) for samples in training units: numpy (n,)."""
        logits = self.discriminator(tf.convert_to_tensor(samples, tf.float32), training=False)
        return tf.sigmoid(logits).numpy()[:, 0]

    def set_learning_rates(self, d: float | None = None, g: float | None = None):
        """Change the Adam learning rates in place (a dashboard slider calls this)."""
        changes = {k: v for k, v in (("d_learning_rate", d), ("g_learning_rate", g)) if v is not None}
        self.config = self.config.replace(**changes)
        self.d_optimizer.learning_rate.assign(self.config.d_learning_rate)
        self.g_optimizer.learning_rate.assign(self.config.g_learning_rate)

    def set_generator_loss(self, name: str):
        """Switch the generator loss ("non_saturating" or "minimax") from the next step on."""
        self.config = self.config.replace(generator_loss=name)

    # ---- safety ------------------------------------------------------------------------------
    def _state_variables(self):
        return [*self.generator.variables, *self.discriminator.variables,
                *self.d_optimizer.variables, *self.g_optimizer.variables, self.step]

    def _snapshot(self):
        return [v.numpy() for v in self._state_variables()]

    def _check_finite(self, chunk, first_step, snapshot):
        bad = ~(np.isfinite(chunk["d_loss"]) & np.isfinite(chunk["g_loss"]))
        if not bad.any():
            return
        at = first_step + int(np.argmax(bad))
        if snapshot is not None:
            for variable, value in zip(self._state_variables(), snapshot):
                variable.assign(value)
        c = self.config
        raise TrainingDiverged(
            f"a loss became {'NaN' if math.isnan(chunk['d_loss'][bad][0]) else 'infinite'} at step "
            f"{at}; the networks were rolled back to step {int(self.step.numpy())}. Lower the "
            f"learning rates (now D {c.d_learning_rate:g}, G {c.g_learning_rate:g}) and train on."
        )
