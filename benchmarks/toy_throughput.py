"""Toy throughput: the compiled Trainer vs a plain eager loop (the original tutorial's loop in TF2),
vs Keras `fit` with a keras-io style train_step, vs the Trainer under XLA and with Keras's own
per-variable Adam in place of its flat one (same numbers), and the live dashboard's overhead.
Prints figures; run on a quiet machine:

    python benchmarks/toy_throughput.py
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from unittest import mock

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_lessons import curve_plots, dashboard, keras_gan, losses, models, recipes, toy, training  # noqa: E402


def eager_loop_steps_per_second(steps: int, hidden, batch_size: int, seed: int = 0) -> float:
    """The tutorial's loop ported to TF2 as people write it: numpy batches, eager tapes, one step per
    Python iteration, fresh noise per update."""
    curve = toy.QuadraticCurve()
    scaler = curve.scaler()
    generator = models.mlp_generator(hidden=hidden, seed=seed)
    discriminator = models.mlp_discriminator(hidden=hidden, seed=seed + 1000)
    d_optimizer = keras.optimizers.Adam(5e-4, beta_1=0.5)
    g_optimizer = keras.optimizers.Adam(5e-4, beta_1=0.5)
    rng = np.random.default_rng(seed)

    def step():
        x = rng.uniform(curve.low, curve.high, batch_size)
        real = scaler.transform(np.stack([x, curve.curve(x)], axis=1))
        noise = rng.normal(size=(batch_size, 2)).astype(np.float32)
        with tf.GradientTape() as tape:
            loss = losses.discriminator_loss(discriminator(real), discriminator(generator(noise)))
        grads = tape.gradient(loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        noise = rng.normal(size=(batch_size, 2)).astype(np.float32)
        with tf.GradientTape() as tape:
            loss = losses.non_saturating_generator_loss(discriminator(generator(noise)))
        grads = tape.gradient(loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))

    for _ in range(20):  # warm-up
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start)


def trainer_steps_per_second(steps: int, hidden, batch_size: int, **config) -> float:
    trainer = recipes.curve_trainer(hidden=hidden, batch_size=batch_size, **config)
    trainer.train(trainer.config.chunk_size, progress=False)  # trace and warm up
    start = time.perf_counter()
    trainer.train(steps, progress=False)
    return steps / (time.perf_counter() - start)


def traced_step_nodes(hidden, batch_size: int) -> int:
    """Graph nodes of one training step as traced (the chunk loop's body, before Grappler), features
    off: what the executor dispatches at every step, the cost that dominates at small sizes."""
    trainer = recipes.curve_trainer(hidden=hidden, batch_size=batch_size, track_features=False)
    functions = trainer._function("chunk").graph.as_graph_def().library.function
    return max(len(function.node_def) for function in functions)


def keras_fit_steps_per_second(steps: int, hidden, batch_size: int, steps_per_execution: int = 200,
                               seed: int = 0) -> float:
    """keras_gan.GAN (the same update as a keras.Model train_step) trained by fit, many steps per
    compiled call, on the Trainer's real batches from a tf.data pipeline."""
    curve = toy.QuadraticCurve()
    gan = keras_gan.GAN(models.mlp_generator(hidden=hidden, seed=seed),
                        models.mlp_discriminator(hidden=hidden, seed=seed + 1000), seed=seed)
    gan.compile(keras.optimizers.Adam(5e-4, beta_1=0.5), keras.optimizers.Adam(5e-4, beta_1=0.5),
                steps_per_execution=steps_per_execution)
    sample_real = toy.curve_sampler(curve, curve.scaler())
    data = keras_gan.real_batches(sample_real, batch_size, seed, steps).prefetch(tf.data.AUTOTUNE)
    gan.fit(data.take(steps_per_execution), epochs=1, verbose=0, shuffle=False)  # trace and warm up
    start = time.perf_counter()
    gan.fit(data, epochs=1, verbose=0, shuffle=False)
    return steps / (time.perf_counter() - start)


def dashboard_steps_per_second(steps: int, hidden, batch_size: int) -> tuple[float, int]:
    curve = toy.QuadraticCurve()
    live = dashboard.Dashboard(lambda: recipes.curve_trainer(hidden=hidden, batch_size=batch_size),
                               curve_plots.curve_dashboard_draw(curve, curve.scaler()))
    # Every frame is rendered to a PNG as in a notebook; the display handle shows nothing. The
    # figure is on screen before the run, as after dashboard.show(), so run() draws no first frame.
    with mock.patch.object(dashboard, "display", lambda *args, **kwargs: mock.Mock()):
        live.trainer.train(live.trainer.config.chunk_size, progress=False)
        live.redraw()
        start = time.perf_counter()
        live.run(steps, progress=False)
        return steps / (time.perf_counter() - start), live.redraw_count - 1


def measure(hidden, batch, steps, eager_steps, repeats) -> dict:
    eager, compiled, plain, keras_adam, xla, fit, live = [], [], [], [], [], [], []
    for _ in range(repeats):  # interleaved, so drifts in machine load hit every variant alike
        eager.append(eager_loop_steps_per_second(eager_steps, hidden, batch))
        compiled.append(trainer_steps_per_second(steps, hidden, batch))
        plain.append(trainer_steps_per_second(steps, hidden, batch, track_features=False))
        with mock.patch.object(training, "FlatAdam", keras.optimizers.Adam):  # Keras's Adam, per variable
            keras_adam.append(trainer_steps_per_second(steps, hidden, batch, track_features=False))
        xla.append(trainer_steps_per_second(steps, hidden, batch, track_features=False, jit_compile=True))
        fit.append(keras_fit_steps_per_second(steps, hidden, batch))
        rate, redraws = dashboard_steps_per_second(steps, hidden, batch)
        live.append(rate)
    result = {k: float(np.median(v)) for k, v in
              {"eager": eager, "trainer": compiled, "plain": plain, "keras_adam": keras_adam, "xla": xla,
               "fit": fit, "live": live}.items()}
    return {**result, "redraws": redraws}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10000, help="compiled-trainer steps per measurement")
    parser.add_argument("--eager-steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, TensorFlow {tf.__version__}, "
          f"load average before {os.getloadavg()[0]:.2f}")
    refresh = dashboard.Dashboard.__init__.__defaults__[1]  # the default refresh_seconds
    # The original tutorial's networks (16-16 MLPs, batch 256), then lesson 01's defaults.
    configurations = (("tutorial networks", (16, 16), 256), ("lesson 01 defaults", (128, 128), 256))
    for (label, hidden, batch), fit_target in zip(configurations, (1.5, 1.0)):
        m = measure(hidden, batch, args.steps, args.eager_steps, args.repeats)
        print(f"\n{label}: hidden {hidden}, batch {batch}")
        with mock.patch.object(training, "FlatAdam", keras.optimizers.Adam):
            keras_nodes = traced_step_nodes(hidden, batch)
        print(f"  graph nodes of one step, as traced:     {traced_step_nodes(hidden, batch):8d} "
              f"(with Keras's per-variable Adam: {keras_nodes})")
        print(f"  eager Python loop (tutorial style):     {m['eager']:8.0f} steps/s")
        print(f"  Keras fit, keras-io train_step (x200):  {m['fit']:8.0f} steps/s")
        print(f"  Trainer, compiled, features off:        {m['plain']:8.0f} steps/s "
              f"({m['plain'] / m['eager']:.1f}x eager{'; target >= 100x' if fit_target > 1 else ''}; "
              f"{m['plain'] / m['fit']:.2f}x fit, target >= {fit_target}x)")
        print(f"  same, Keras's per-variable Adam:        {m['keras_adam']:8.0f} steps/s "
              f"(the flat Adam: {m['plain'] / m['keras_adam']:.2f}x; {m['keras_adam'] / m['fit']:.2f}x fit)")
        print(f"  Trainer, XLA (jit_compile=True):        {m['xla']:8.0f} steps/s "
              f"({m['xla'] / m['plain']:.2f}x the Trainer without XLA)")
        print(f"  Trainer, compiled, features on:         {m['trainer']:8.0f} steps/s "
              f"({m['trainer'] / m['eager']:.1f}x eager)")
        print(f"  same, inside the dashboard (refresh every {refresh:g} s, {m['redraws']} redraws): "
              f"{m['live']:6.0f} steps/s ({m['live'] / m['trainer']:.2f} of without; target >= 0.9)")
    print(f"\nmedians of {args.repeats} interleaved repeats; load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
