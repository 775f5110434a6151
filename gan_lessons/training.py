"""The one GAN trainer (lessons 01-09): alternating updates composed from `game` pieces, many
steps per compiled TensorFlow call, a recorded history, rollback on divergence.

Every random draw comes from a stateless generator keyed by (seed, step, stream), so a run is a
pure function of its seed: the same seed gives the same history bit for bit on CPU, and a run
can be resumed from any step without saving random state.

    config = training.TrainConfig(objective="wasserstein", d_steps=5,
                                  regularisers=(game.GradientPenalty(10.0),))
    trainer = training.Trainer(generator, discriminator, sample_real, config)
    trainer.train(2000)
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from gan_lessons import game, models, validation
from gan_lessons.flat_adam import FlatAdam
from gan_lessons.history import History

# Random streams within one step: D update i draws real data from stream 2i and noise from 2i+1;
# the generator update draws noise from G_NOISE and, where it needs real data, from G_REAL.
STREAMS = 64
G_NOISE, G_REAL = STREAMS - 1, STREAMS - 2
MAX_D_STEPS = (STREAMS - 2) // 2
LATENT_DISTRIBUTIONS = ("normal", "uniform")
OPTIMIZERS = ("adam", "rmsprop")  # rmsprop: the original WGAN's (Arjovsky et al. 2017), rho 0.99
# Sub-streams folded into an update's noise seed: labels of generated samples, D's input noise,
# and regulariser j's draws (alpha of the gradient penalty) at REGULARISER_STREAM + j.
LABEL_STREAM, INPUT_NOISE_STREAM, REGULARISER_STREAM = 3, 11, 7
GENERATOR_METRICS = ("g_loss", "g_grad_norm", "centroid_shift", "centroid_distance", "real_feature_change")
# The trainer's graphs: traced as written, without AutoGraph (see Trainer._function).
_compiled = functools.partial(tf.function, autograph=False)


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the trainer was rolled back to the last finite state."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a GAN run and the pieces of its update (see `game`).

    objective: a key of game.OBJECTIVES; real_label < 1: one-sided label smoothing (BCE only).
    regularisers: game.GradientPenalty / R1 / WeightClipping instances acting on D.
    instance_noise: a game.InstanceNoise added to both of D's inputs, or None.
    feature_matching: the name of a layer of D: G matches the mean of its features on real and
        generated batches instead of the objective's generator loss (Salimans et al. 2016).
    num_classes: a conditional GAN: sample_real returns (samples, labels int (batch,)), and both
        networks take [inputs, labels].
    """

    batch_size: int = 128
    d_learning_rate: float = 1e-3
    g_learning_rate: float = 1e-3
    beta_1: float = 0.5
    beta_2: float = 0.999
    d_steps: int = 1  # discriminator updates per generator update (k)
    objective: str = "non_saturating"
    real_label: float = 1.0
    regularisers: tuple = ()
    instance_noise: game.InstanceNoise | None = None
    feature_matching: str | None = None
    num_classes: int | None = None
    latent: str = "normal"  # "normal": N(0, I); "uniform": U[-1, 1]^latent_dim
    seed: int = 0
    chunk_size: int = 200  # steps per compiled call: the granularity of progress and dashboards
    track_features: bool = False  # record D's feature centroids around each generator update
    shared_noise: bool = False  # the original tutorial's bug, kept to measure it: G reuses D's noise
    # XLA for each chunk, opt-in: on the course's 2-core CPU 1.15x the trainer without it at lesson
    # 01's 128-128 networks, 0.81x at 16-16 (benchmarks/toy_throughput.py, benchmarks/RESULTS.md).
    jit_compile: bool = False
    optimizer: str = "adam"  # "adam" (beta_1, beta_2) or "rmsprop" (the original WGAN's; betas unused)

    def __post_init__(self):
        v = validation
        v.normalise(
            self, batch_size=v.positive_integer("batch_size", self.batch_size),
            d_steps=v.integer("d_steps", self.d_steps, 1, MAX_D_STEPS),
            chunk_size=v.positive_integer("chunk_size", self.chunk_size),
            seed=v.integer("seed", self.seed, 0, 2**31 - 1),
            d_learning_rate=v.number("d_learning_rate", self.d_learning_rate, 0, 1, True, True),
            g_learning_rate=v.number("g_learning_rate", self.g_learning_rate, 0, 1, True, True),
            beta_1=v.number("beta_1", self.beta_1, 0, 1, high_open=True),
            beta_2=v.number("beta_2", self.beta_2, 0, 1, high_open=True),
            latent=v.choice("latent", self.latent, LATENT_DISTRIBUTIONS),
            optimizer=v.choice("optimizer", self.optimizer, OPTIMIZERS),
            regularisers=tuple(self.regularisers))
        game.objective(self.objective, self.real_label)  # raises on an unknown name or bad label
        for regulariser in self.regularisers:
            if not isinstance(regulariser, game.REGULARISERS):
                raise ValueError(f"regularisers must be game.GradientPenalty, R1 or WeightClipping "
                                 f"instances, got {regulariser!r}")
        if len({type(r) for r in self.regularisers}) < len(self.regularisers):
            raise ValueError("each kind of regulariser may appear once in regularisers")
        if self.instance_noise is not None and not isinstance(self.instance_noise, game.InstanceNoise):
            raise ValueError(f"instance_noise must be a game.InstanceNoise or None, got "
                             f"{self.instance_noise!r}")
        if self.num_classes is not None:
            v.normalise(self, num_classes=v.integer("num_classes", self.num_classes, 2))
        if self.feature_matching is not None and self.track_features:
            raise ValueError("use feature_matching or track_features, not both")

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)


class Trainer:
    """Trains `generator` against `discriminator` on samples from `sample_real`, with the update
    that `config` composes (objective, regularisers, input noise, condition, feature matching).

    sample_real(seed, batch_size) -> float32 (batch, ...): real data in training units, drawn with
        the stateless seed int64 (2,) it is given (same seed, same batch); (samples, labels) for
        a conditional GAN. Checked before the first update.
    evaluate(trainer) -> {name: float}: an optional quality metric run every `evaluate_every` steps.
    strategy: an optional tf.distribute strategy, the models built under its scope. Each replica
        takes its slice of the same global batch (same seeds as on one device); losses are scaled
        by 1/replicas so the all-reduced gradient is the global batch's. Batch-norm moving
        statistics are kept per replica (generate() reads replica 0's).
    hooks: called as hook(trainer) after every chunk (checkpoints, animation frames); a hook's
        finish(trainer) runs when train() ends without error, its divergence_note() is added to a
        divergence message.

    In a D update G runs in training mode outside the tape: the fakes D sees are normalised with
    batch statistics, as in the G update, and G's weights stay unchanged.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, sample_real: Callable,
                 config: TrainConfig | None = None, evaluate: Callable[[Trainer], dict] | None = None,
                 strategy: tf.distribute.Strategy | None = None):
        self.generator, self.discriminator = generator, discriminator
        self.sample_real = sample_real
        self.config = config or TrainConfig()
        self.evaluate = evaluate
        self.strategy = strategy
        self.replicas = strategy.num_replicas_in_sync if strategy else 1
        if self.config.batch_size % self.replicas:
            raise ValueError(f"batch_size {self.config.batch_size} must be a multiple of the {self.replicas} "
                             "replicas: each takes an equal slice")
        if strategy is not None and self.config.jit_compile:
            raise ValueError("jit_compile is for one device: drop it or the strategy")
        self.objective = game.objective(self.config.objective, self.config.real_label)
        self.latent_shape = self._check_models()
        self._warn_if_batch_norm_is_penalised()
        self.hooks: list[Callable] = []
        with strategy.scope() if strategy else contextlib.nullcontext():
            self.d_optimizer = self._optimizer(self.config.d_learning_rate)
            self.g_optimizer = self._optimizer(self.config.g_learning_rate)
            self.d_optimizer.build(discriminator.trainable_variables)
            self.g_optimizer.build(generator.trainable_variables)
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.history = History()
        self.features = None
        if self.config.track_features or self.config.feature_matching:
            self.features = models.feature_extractor(discriminator, self.config.feature_matching)
        self._compiled = {}
        self._checked_sample_real = False
        self.extra_draws = 0  # fresh batches drawn so far by updates by hand (draw=None)

    def _optimizer(self, learning_rate):
        c = self.config
        if c.optimizer == "rmsprop":  # PyTorch's defaults, which the original WGAN code used
            return keras.optimizers.RMSprop(learning_rate, rho=0.99, epsilon=1e-8)
        if self.strategy is None:  # Keras's Adam, the same bits in a smaller graph: see flat_adam
            return FlatAdam(learning_rate, beta_1=c.beta_1, beta_2=c.beta_2)
        return keras.optimizers.Adam(learning_rate, beta_1=c.beta_1, beta_2=c.beta_2)

    def _check_models(self) -> tuple:
        """The latent shape, once G's output fits D's input (conditional: both take labels)."""
        g_inputs, d_inputs = self.generator.inputs, self.discriminator.inputs
        conditional = self.config.num_classes is not None
        for role, inputs in (("generator", g_inputs), ("discriminator", d_inputs)):
            if conditional != (len(inputs) == 2):
                needs = ("a conditional GAN (num_classes set) needs [inputs, labels]" if conditional
                         else "a GAN without num_classes needs one input")
                raise ValueError(f"the {role} takes {len(inputs)} input(s); {needs}")
        produced, expected = tuple(self.generator.outputs[0].shape[1:]), tuple(d_inputs[0].shape[1:])
        if produced != expected:
            raise ValueError(f"the generator makes samples of shape {produced} but the discriminator takes "
                             f"{expected}: build them for the same sample shape")
        return tuple(g_inputs[0].shape[1:])

    def _warn_if_batch_norm_is_penalised(self):
        penalties = (game.GradientPenalty, game.R1)
        penalised = [r.name for r in self.config.regularisers if isinstance(r, penalties)]
        layers = self.discriminator.layers
        if penalised and any(isinstance(layer, keras.layers.BatchNormalization) for layer in layers):
            warnings.warn(f"the discriminator has batch norm and a {penalised[0].replace('_', ' ')}: the "
                          "penalty is per example, batch norm mixes examples (Gulrajani et al. 2017). Use "
                          "layer normalisation or none in D", UserWarning, stacklevel=3)

    # ---- randomness -------------------------------------------------------------------------
    def _seed(self, step, stream: int, draw=None) -> tf.Tensor:
        """The stateless seed (2,) of `stream` at `step`; an update by hand with draw k >= 1 (an
        int64 tensor) takes it folded with k instead: a batch that no training step draws."""
        seed = tf.stack([tf.constant(self.config.seed, tf.int64), step * STREAMS + stream])
        if draw is None:  # training steps: their graph, and so their numbers, stay as they were
            return seed
        return tf.where(draw > 0, tf.random.experimental.stateless_fold_in(seed, draw), seed)

    def latent_vectors(self, n: int, seed) -> tf.Tensor:
        """float32 (n, *latent_shape) drawn from the configured latent distribution."""
        shape = (n, *self.latent_shape)
        if self.config.latent == "uniform":
            return tf.random.stateless_uniform(shape, seed, minval=-1.0, maxval=1.0)
        return tf.random.stateless_normal(shape, seed)

    def _local(self, batch):
        """This replica's slice of a global batch (the whole batch on one device)."""
        if self.strategy is None:
            return batch
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        size = self.config.batch_size // self.replicas
        return tf.nest.map_structure(lambda b: b[replica * size:(replica + 1) * size], batch)

    def _real(self, seed):
        """(real samples, their labels or None) of this replica, from stream seed (2,)."""
        batch = self._local(self.sample_real(seed, self.config.batch_size))
        return tuple(batch) if self.config.num_classes else (batch, None)

    def _latent(self, seed):
        """(latent vectors, requested labels or None) of this replica, from stream seed (2,)."""
        c = self.config
        labels = None
        if c.num_classes:
            label_seed = tf.random.experimental.stateless_fold_in(seed, LABEL_STREAM)
            labels = self._local(tf.random.stateless_uniform((c.batch_size,), label_seed, 0, c.num_classes,
                                                             dtype=tf.int32))
        return self._local(self.latent_vectors(c.batch_size, seed)), labels

    def _generate(self, latent_vectors, labels):
        inputs = latent_vectors if labels is None else [latent_vectors, labels]
        return self.generator(inputs, training=True)

    def _discriminate(self, samples, labels, step, seed):
        """D's outputs in training mode, after the input transform (instance noise)."""
        noise = self.config.instance_noise
        if noise is not None:
            samples = noise(samples, step, tf.random.experimental.stateless_fold_in(seed, INPUT_NOISE_STREAM))
        return self.discriminator(samples if labels is None else [samples, labels], training=True)

    def _scaled(self, loss):
        return loss / self.replicas if self.replicas > 1 else loss

    # ---- the update: one D step, one G step ---------------------------------------------------
    def _discriminator_update(self, step, i: int, draw=None) -> dict:
        """One D update; G is held fixed (its output is computed outside the tape)."""
        real_seed, noise_seed = self._seed(step, 2 * i, draw), self._seed(step, 2 * i + 1, draw)
        real, real_labels = self._real(real_seed)
        latent_vectors, fake_labels = self._latent(noise_seed)
        fake = self._generate(latent_vectors, fake_labels)
        critic = self.discriminator if real_labels is None else (
            lambda x, training: self.discriminator([x, real_labels], training=training))
        variables = self.discriminator.trainable_variables
        penalties = {}
        with tf.GradientTape() as tape:
            real_out = self._discriminate(real, real_labels, step, real_seed)
            fake_out = self._discriminate(fake, fake_labels, step, noise_seed)
            loss = objective_loss = self.objective.discriminator_loss(real_out, fake_out)
            for j, regulariser in enumerate(self.config.regularisers):
                seed = tf.random.experimental.stateless_fold_in(noise_seed, REGULARISER_STREAM + j)
                penalty = regulariser.penalty(critic, real, fake, seed)
                if penalty is not None:
                    penalties[regulariser.name] = penalty
                    loss = loss + regulariser.weight * penalty
            scaled = self._scaled(loss)  # inside the tape: the gradient flows through the scaling
        gradients = tape.gradient(scaled, variables)
        self.d_optimizer.apply_gradients(zip(gradients, variables))
        for regulariser in self.config.regularisers:
            if hasattr(regulariser, "after_update"):
                regulariser.after_update(self.discriminator)
        if self.objective.probabilities:  # mean D(x): sigmoid of the logits; else the raw scores
            real_out, fake_out = tf.sigmoid(real_out), tf.sigmoid(fake_out)
        metrics = {"d_loss": loss, "d_real": tf.reduce_mean(real_out), "d_fake": tf.reduce_mean(fake_out),
                   "d_grad_norm": tf.linalg.global_norm(gradients) * self.replicas, **penalties}
        if self.objective.name == "wasserstein":  # E f(x) - E f(G(z)): minus the critic's loss
            metrics["wasserstein_estimate"] = -objective_loss
        return metrics

    def _generator_update(self, step, capture: bool = False, draw=None) -> dict:
        """One G update; D is held fixed (only G's variables are updated)."""
        noise_stream = 2 * self.config.d_steps - 1 if self.config.shared_noise else G_NOISE
        noise_seed = self._seed(step, noise_stream, draw)
        latent_vectors, labels = self._latent(noise_seed)
        if self.features is not None:
            real, real_labels = self._real(self._seed(step, G_REAL, draw))
            real_before = self._features(real, real_labels)
        if self.config.track_features:
            fake_before = self.features(self.generator(latent_vectors))
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            fake = self._generate(latent_vectors, labels)
            if self.config.feature_matching:
                fake_features = self._features(fake, labels, training=True)
                gap = tf.reduce_mean(real_before, 0) - tf.reduce_mean(fake_features, 0)  # (features,)
                loss = tf.reduce_sum(tf.square(gap))
            else:
                loss = self.objective.generator_loss(self._discriminate(fake, labels, step, noise_seed))
            scaled = self._scaled(loss)
        gradients = tape.gradient(scaled, variables)
        self.g_optimizer.apply_gradients(zip(gradients, variables))
        out = {"g_loss": loss, "g_grad_norm": tf.linalg.global_norm(gradients) * self.replicas}
        if self.config.track_features:
            out.update(self._feature_shift(real, latent_vectors, real_before, fake_before, capture))
        return out

    def _features(self, samples, labels, training=False):
        return self.features(samples if labels is None else [samples, labels], training=training)

    def _feature_shift(self, real, latent_vectors, real_before, fake_before, capture) -> dict:
        """Lesson 01: how the G update moved the fake centroid in D's (fixed) feature space."""
        real_after = self.features(real)
        fake_after = self.features(self.generator(latent_vectors))
        real_centroid = tf.reduce_mean(real_before, axis=0)
        distance_before = tf.norm(tf.reduce_mean(fake_before, axis=0) - real_centroid)
        distance_after = tf.norm(tf.reduce_mean(fake_after, axis=0) - real_centroid)
        out = {"centroid_shift": distance_before - distance_after,  # > 0: fakes moved toward real
               "centroid_distance": distance_before,
               "real_feature_change": tf.reduce_max(tf.abs(real_after - real_before))}
        if capture:
            out.update(real_before=real_before, fake_before=fake_before, real_after=real_after,
                       fake_after=fake_after)
        return out

    def _replicated(self, function, *args) -> dict:
        if self.strategy is None:
            return function(*args)
        per_replica = self.strategy.run(function, args=args)
        return {k: self.strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
                for k, v in per_replica.items()}

    def _discriminator_updates(self, step) -> dict:
        """The step's d_steps D updates; their metrics averaged.

        Without a strategy, the k updates run in a graph loop, so they trace as fast as one (a
        WGAN-GP chunk's five critic steps written out took 7.0 s to trace under AutoGraph). The
        weights are the same bit for bit; the D losses the loop reports may differ from written-out
        updates' in the last bit (lesson 01's k = 3 run: 39 of 120 steps, by 1 ulp). Under a
        strategy they stay written out: an optimizer's cross-replica sum cannot sit in a loop."""
        k = self.config.d_steps
        if k == 1 or self.strategy is not None:
            d_metrics = [self._discriminator_update(step, i) for i in range(k)]
            return {name: tf.add_n([m[name] for m in d_metrics]) / k for name in d_metrics[0]}
        names = [n for n in self.metric_names if n not in GENERATOR_METRICS]

        def body(i, arrays):
            metrics = self._discriminator_update(step, i)
            if sorted(metrics) != sorted(names):  # at trace time: metric_names must list D's metrics
                raise RuntimeError(f"D's update reports {sorted(metrics)}, metric_names lists {names}")
            return i + 1, {name: arrays[name].write(tf.cast(i, tf.int32), metrics[name]) for name in names}

        arrays = {name: tf.TensorArray(tf.float32, size=k) for name in names}
        _, arrays = tf.while_loop(lambda i, _: i < k, body, (tf.constant(0, tf.int64), arrays))
        return {name: tf.add_n(tf.unstack(a.stack(), num=k)) / k for name, a in arrays.items()}

    def _train_step(self, capture: bool = False) -> dict:
        def replica_step(step):
            metrics = self._discriminator_updates(step)
            metrics.update(self._generator_update(step, capture))
            return metrics

        metrics = self._replicated(replica_step, self.step.read_value())
        self.step.assign_add(1)
        return metrics

    def _chunk(self, n):
        """n training steps in one graph loop; returns each metric's n values."""
        names = self.metric_names

        def body(i, arrays):
            metrics = self._train_step()
            return i + 1, [a.write(i, metrics[k]) for a, k in zip(arrays, names)]

        arrays = [tf.TensorArray(tf.float32, size=n) for _ in names]
        _, arrays = tf.while_loop(lambda i, _: i < n, body, (tf.constant(0), arrays))
        return {k: a.stack() for k, a in zip(names, arrays)}

    @property
    def metric_names(self) -> list[str]:
        names = ["d_loss", "d_real", "d_fake", "d_grad_norm", "g_loss", "g_grad_norm"]
        names += [r.name for r in self.config.regularisers if not isinstance(r, game.WeightClipping)]
        if self.objective.name == "wasserstein":
            names.append("wasserstein_estimate")
        if self.config.track_features:
            names += ["centroid_shift", "centroid_distance", "real_feature_change"]
        return names

    def _function(self, kind: str):
        """The compiled function of `kind` for the current objective, traced at its first use.

        Traced through get_concrete_function: every trainer traces its own functions (a dashboard's
        Reset makes a new trainer), which tf.function's call counter, keyed by the code line, would
        take for retracing and warn about in the notebook. Under XLA a chunk's length is static, so
        the chunk stays a tf.function (one trace per length).

        AutoGraph is off: the loops are written as tf.while_loop, and nothing else branches on a
        tensor, so converting the update's source to a graph-building copy bought nothing and cost
        most of the trace (lesson 07's WGAN-GP chunk: 2.4 s with it, 0.7 s without; see
        benchmarks/trace_time.py)."""
        key = (kind, self.objective)
        if key not in self._compiled:
            count, scalar = tf.TensorSpec((), tf.int32), tf.TensorSpec((), tf.int64)
            if kind == "chunk" and self.config.jit_compile:
                function = _compiled(self._chunk, jit_compile=True)
            elif kind == "chunk":
                function = _compiled(self._chunk).get_concrete_function(count)
            elif kind == "capture":
                function = _compiled(lambda: self._train_step(capture=True)).get_concrete_function()
            else:  # one update by hand: (step, draw) -> metrics
                if kind == "discriminator":
                    update = lambda t, k: self._discriminator_update(t, 0, draw=k)  # noqa: E731
                else:
                    update = lambda t, k: self._generator_update(t, draw=k)  # noqa: E731
                function = _compiled(lambda s, k: self._replicated(update, s, k)).get_concrete_function(
                    scalar, scalar)
            self._compiled[key] = function
        return self._compiled[key]

    # ---- public API --------------------------------------------------------------------------
    def discriminator_step(self, draw: int | None = 0) -> dict:
        """One discriminator update alone (the generator untouched); does not advance the step.

        draw 0: on the batch of the step's first D update, the same at every call at one step;
        draw=None: on a fresh batch at every call, the next of `extra_draws` (the dashboard's
        "D only"); draw k >= 1: the step's k-th extra batch, which no training step draws."""
        return self._single_update("discriminator", draw)

    def generator_step(self, draw: int | None = 0) -> dict:
        """One generator update alone (the discriminator untouched); does not advance the step.
        draw: as for discriminator_step (0: the step's own G batch; None: a fresh one each call)."""
        return self._single_update("generator", draw)

    def _single_update(self, kind: str, draw: int | None) -> dict:
        if draw is None:
            self.extra_draws += 1
            draw = self.extra_draws
        draw = validation.integer("draw", draw, minimum=0)
        self._check_sample_real()
        snapshot = self._snapshot()
        out = self._function(kind)(self.step.read_value(), tf.constant(draw, tf.int64))
        metrics = {k: np.array([float(v)], np.float32) for k, v in out.items() if v.shape.rank == 0}
        self._check_finite(metrics, int(self.step.numpy()), snapshot)
        return {k: float(v[0]) for k, v in metrics.items()}

    def train(self, steps: int, evaluate_every: int | None = None, progress: bool | None = None,
              callback: Callable[[Trainer], None] | None = None) -> History:
        """Run `steps` training steps in compiled chunks of `config.chunk_size`.

        A progress bar shows for runs of 1,000 steps or more (or `progress=True`). Every hook,
        then `callback`, is called after every chunk. On a NaN or infinite loss, the networks and
        optimizers are rolled back to the start of the failing chunk and TrainingDiverged is
        raised; an interrupted run keeps every chunk it completed.
        """
        steps = validation.integer("steps", steps, minimum=0)
        if evaluate_every is not None:
            evaluate_every = validation.positive_integer("evaluate_every", evaluate_every)
            if self.evaluate is None:
                raise ValueError("evaluate_every needs the trainer to be built with evaluate=...")
        self._check_sample_real()
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
                count = n if self.config.jit_compile else tf.constant(n, tf.int32)  # XLA: a static n
                chunk = {k: v.numpy() for k, v in chunk_fn(count).items()}
                self._check_finite(chunk, first, snapshot)
                self.history.extend(first, chunk)
                remaining -= n
                bar.update(n)
                bar.set_postfix(d_loss=f"{chunk['d_loss'][-1]:.3f}", g_loss=f"{chunk['g_loss'][-1]:.3f}")
                if evaluate_every and int(self.step.numpy()) % evaluate_every == 0:
                    self.evaluate_now()
                for hook in [*self.hooks, *([callback] if callback else [])]:
                    hook(self)
        finally:
            bar.close()
        for hook in self.hooks:
            if hasattr(hook, "finish"):
                hook.finish(self)
        return self.history

    def step_with_features(self) -> dict[str, np.ndarray]:
        """One full training step (recorded in the history) that also returns D's features of the
        generator update's batches: real_before/after, fake_before/after, each (batch, 2)."""
        if not self.config.track_features:
            raise ValueError("build the trainer with TrainConfig(track_features=True) to see features")
        self._check_sample_real()
        snapshot, first = self._snapshot(), int(self.step.numpy())
        out = {k: v.numpy() for k, v in self._function("capture")().items()}
        scalars = {k: np.array([out[k]], np.float32) for k in self.metric_names}
        self._check_finite(scalars, first, snapshot)
        self.history.extend(first, scalars)
        return {k: out[k] for k in ("real_before", "fake_before", "real_after", "fake_after")}

    def evaluate_now(self) -> dict:
        """Run the quality metric now and record it in history.evaluations."""
        result = {"step": int(self.step.numpy()), **self.evaluate(self)}
        self.history.evaluations.append(result)
        return result

    def generate(self, n: int, seed: int = 12345, labels=None) -> np.ndarray:
        """n generated samples (training units) from the latent seed `seed`: numpy (n, ...), with
        moving batch-norm statistics. A conditional GAN takes `labels` int (n,) (default: classes
        0, 1, ... in turn)."""
        n = validation.positive_integer("n", n)
        latent_vectors = self.latent_vectors(n, tf.constant([seed, 0], tf.int64))
        inputs = latent_vectors
        if self.config.num_classes:
            labels = np.arange(n) % self.config.num_classes if labels is None else labels
            inputs = [latent_vectors, tf.constant(self.check_labels(labels, n))]
        return self.generator(inputs, training=False).numpy()

    def check_labels(self, labels, n: int) -> np.ndarray:
        """labels as int32 (n,) in [0, num_classes), or a ValueError naming the problem."""
        labels = np.asarray(labels)
        k = self.config.num_classes
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be integers of shape ({n},), got {labels.dtype} {labels.shape}")
        if labels.size and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(f"labels must be class indices in [0, {k - 1}], got "
                             f"{labels.min()}..{labels.max()}")
        return labels.astype(np.int32)

    def discriminate(self, samples) -> np.ndarray:
        """D's output for samples in training units: D(x) = sigmoid(logit) for the cross-entropy
        objectives, the raw score (a critic's f(x)) for the others: numpy (n,)."""
        outputs = self.discriminator(tf.convert_to_tensor(samples, tf.float32), training=False)
        return (tf.sigmoid(outputs) if self.objective.probabilities else outputs).numpy()[:, 0]

    def set_learning_rates(self, d: float | None = None, g: float | None = None):
        """Change the learning rates in place (a dashboard slider calls this)."""
        changes = {k: v for k, v in (("d_learning_rate", d), ("g_learning_rate", g)) if v is not None}
        self.config = self.config.replace(**changes)
        self.d_optimizer.learning_rate.assign(self.config.d_learning_rate)
        self.g_optimizer.learning_rate.assign(self.config.g_learning_rate)

    # what reconfigure() may change mid-run: the pieces of the update, not the data stream or shapes
    RECONFIGURABLE = ("d_steps", "objective", "real_label", "regularisers", "instance_noise",
                      "feature_matching", "d_learning_rate", "g_learning_rate")

    def reconfigure(self, **changes):
        """Change pieces of the game from the next step on (a dashboard's switches): any field of
        RECONFIGURABLE. Networks, optimizer states, step and history are kept; the compiled update is
        rebuilt on its next use. Other fields (batch size, seed, latent...) define the run: build a
        new Trainer for them."""
        fixed = sorted(set(changes) - set(self.RECONFIGURABLE))
        if fixed:
            raise ValueError(f"{fixed} cannot change mid-run (reconfigure takes "
                             f"{list(self.RECONFIGURABLE)}): build a new Trainer with TrainConfig(...) "
                             "for them")
        config = self.config.replace(**changes)  # validated by TrainConfig
        objective = game.objective(config.objective, config.real_label)
        features = None
        if config.track_features or config.feature_matching:
            features = models.feature_extractor(self.discriminator, config.feature_matching)
        self.config, self.objective, self.features = config, objective, features
        self._warn_if_batch_norm_is_penalised()
        self.set_learning_rates()
        self._compiled = {}

    def set_objective(self, name: str):
        """Switch the objective (say "non_saturating" -> "minimax") from the next step on."""
        objective = game.objective(name, self.config.real_label)
        self.config = self.config.replace(objective=name)
        self.objective = objective

    # ---- safety ------------------------------------------------------------------------------
    def _check_sample_real(self):
        """Before the first update: sample_real must give a batch of D's input shape, the same one
        for the same seed and another for another seed, inside a compiled function too."""
        if self._checked_sample_real:
            return
        size = self.config.batch_size
        # Traced once through get_concrete_function: each new trainer (a dashboard's Reset) traces
        # its own probe, which a tf.function call would count as retracing and warn about.
        what = "sample_real(seed, batch_size)"
        try:
            probe = _compiled(lambda seed: self.sample_real(seed, size)).get_concrete_function(
                tf.TensorSpec((2,), tf.int64))
        except tf.errors.OperatorNotAllowedInGraphError as error:
            raise ValueError(f"{what} runs inside a compiled loop, where a Python `if` or `while` on a "
                             "tensor cannot run: choose with tf.where or tf.cond instead") from error
        first, again, other = (probe(tf.constant(s, tf.int64)) for s in ([5, 1], [5, 1], [5, 2]))
        if self.config.num_classes:
            if not isinstance(first, (tuple, list)) or len(first) != 2:
                raise ValueError(f"{what} must return (samples, labels) for a conditional GAN")
            labels = np.asarray(first[1])
            if labels.shape != (size,) or not np.issubdtype(labels.dtype, np.integer):
                raise ValueError(f"{what}'s labels must be integers of shape ({size},), got "
                                 f"{labels.dtype} {labels.shape}")
            first, again, other = first[0], again[0], other[0]
        expected = (size, *self.discriminator.inputs[0].shape[1:])
        if tuple(first.shape) != expected:
            raise ValueError(f"{what} returned a batch of shape {tuple(first.shape)}; the discriminator "
                             f"needs {expected} (batch_size={size} samples of its input shape)")
        if not np.array_equal(first.numpy(), again.numpy(), equal_nan=True):
            raise ValueError(f"{what} gave two different batches for the same seed: draw with "
                             "tf.random.stateless_* from the seed it is given, not a global random state")
        if np.array_equal(first.numpy(), other.numpy(), equal_nan=True):
            raise ValueError(f"{what} gave the same batch for two different seeds: it ignores its seed, "
                             "so the compiled training loop would train on one frozen batch (numpy "
                             "randomness runs once, when the loop is traced). Draw with "
                             "tf.random.stateless_*(..., seed=seed)")
        self._checked_sample_real = True

    def _state_variables(self):
        return [*self.generator.variables, *self.discriminator.variables,
                *self.d_optimizer.variables, *self.g_optimizer.variables, self.step]

    def _snapshot(self):
        return [v.numpy() for v in self._state_variables()]

    def _check_finite(self, chunk, first_step, snapshot):
        losses = [chunk[k] for k in ("d_loss", "g_loss") if k in chunk]
        bad = ~np.logical_and.reduce([np.isfinite(v) for v in losses])
        if not bad.any():
            return
        at = first_step + int(np.argmax(bad))
        for variable, value in zip(self._state_variables(), snapshot):
            variable.assign(value)
        kind = "NaN" if any(math.isnan(v[bad][0]) for v in losses) else "infinite"
        c = self.config
        message = (f"a loss became {kind} at step {at}; the networks were rolled back to step "
                   f"{int(self.step.numpy())}. Lower the learning rates (now D {c.d_learning_rate:g}, "
                   f"G {c.g_learning_rate:g}) and train on.")
        notes = [hook.divergence_note() for hook in self.hooks if hasattr(hook, "divergence_note")]
        raise TrainingDiverged(" ".join([message, *notes]))

