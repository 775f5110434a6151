"""Fingerprints of the lessons' smoke-profile training runs: a SHA-256 of every history array.

The one-trainer refactor must leave every lesson's numbers as they were. These scenarios build the
trainers the lessons build (lesson 01's curve GAN, lesson 04's DCGAN, lesson 06's plain GAN and its
remedies and PacGAN's setting, lesson 05's regimes, lesson 07's WGAN-GP, lesson 08's R1, lesson
09's conditional GAN), train them for their smoke-profile steps, and hash each per-step metric, each
evaluation and the final weights. TensorFlow's CPU kernels (oneDNN) are
chosen per processor, so bits hold per machine: fingerprints are stored per machine signature.

    python tests/trainer_scenarios.py --record [NAME ...]  # store this machine's (all, or those named)
    python tests/trainer_scenarios.py [NAME ...] # compare with the stored ones (all, or those named)
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

STORE = Path(__file__).resolve().parent / "data" / "trainer_fingerprints.json"


def machine_signature() -> str:
    """Processor model and instruction-set flags, TensorFlow and Keras versions."""
    import keras

    model, flags = platform.processor() or platform.machine(), ""
    try:
        info = Path("/proc/cpuinfo").read_text()
        model = next(line.split(":", 1)[1].strip() for line in info.splitlines()
                     if line.startswith("model name"))
        flags = next(line.split(":", 1)[1] for line in info.splitlines() if line.startswith("flags"))
    except (OSError, StopIteration):
        pass
    isa = sorted(f for f in flags.split() if f.startswith(("avx", "amx", "fma", "sse4")))
    digest = hashlib.sha256(" ".join(isa).encode()).hexdigest()[:12]
    return f"{platform.machine()} {model} isa:{digest} tf:{tf.__version__} keras:{keras.__version__}"


def _digest(values) -> str:
    return hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()[:16]


def fingerprint(trainer) -> dict[str, str]:
    """{metric: hash of its per-step array, "evaluations": ..., "generator": final weights}."""
    history = trainer.history
    out = {name: _digest(np.asarray(history.metrics[name], np.float64)) for name in sorted(history.metrics)}
    out["steps"] = _digest(np.asarray(history.steps, np.int64))
    if history.evaluations:
        rows = [{k: v for k, v in e.items() if not isinstance(v, (list, np.ndarray))}
                for e in history.evaluations]
        out["evaluations"] = hashlib.sha256(json.dumps(rows, sort_keys=True, default=float).encode()
                                            ).hexdigest()[:16]
    out["generator"] = _digest(np.concatenate([w.ravel() for w in trainer.generator.get_weights()]))
    out["discriminator"] = _digest(np.concatenate([w.ravel() for w in trainer.discriminator.get_weights()]))
    return out


# ---- the scenarios: each returns a trained trainer ----------------------------------------------
def lesson01_smoke():
    from gan_lessons import recipes

    trainer = recipes.curve_trainer(seed=0, eval_samples=500)
    trainer.train(250, evaluate_every=100)
    trainer.step_with_features()
    trainer.train(49, evaluate_every=100)
    return trainer


def lesson01_minimax_k3():
    from gan_lessons import recipes

    trainer = recipes.curve_trainer(seed=2, hidden=(32, 32), batch_size=64, objective="minimax",
                                    d_steps=3, real_label=0.9)
    trainer.train(120)
    return trainer


def lesson04_smoke():
    from gan_lessons import dcgan, fashion_mnist

    data = fashion_mnist.load(download=False)
    trainer = dcgan.make_trainer(data.train_images[:2000], seed=0)
    trainer.train(30)
    return trainer


def _lesson06(remedy, distribution="ring", setting="LIVE", steps=300):
    from gan_lessons import mixtures, mode_experiments

    config = getattr(mode_experiments, setting).replace(steps=steps, eval_every=100, eval_samples=500)
    trainer = mode_experiments.make_trainer(mixtures.by_name(distribution), remedy, 0, config)
    mode_experiments.train(trainer, config)
    return trainer


def lesson06_plain():  # section 3's collapse: an affine G, smoke length
    return _lesson06("none", setting="COLLAPSE")


def lesson06_packing():  # section 5 and the dashboard: the small MLPs
    return _lesson06("packing")


def lesson06_minibatch_std():
    return _lesson06("minibatch_std", "grid")


def lesson06_pacgan4():  # the stored study's setting (PacGAN's Table 1), a few steps of it
    return _lesson06("packing", "grid", setting="PACGAN", steps=40)


def lesson05_strong_minimax():
    from gan_lessons import loss_comparison

    trainer = loss_comparison.make_trainer("minimax", "strong_discriminator", 1, eval_samples=300)
    trainer.train(100, evaluate_every=50)
    return trainer


def lesson07_wgan_gp():  # five critic steps with a gradient penalty: D's updates in a graph loop
    from gan_lessons import mixtures, wasserstein, wgan_study

    study = wgan_study.StudyConfig()
    config = wasserstein.wgan_config("penalty", 5, 1.0, d_learning_rate=study.wgan_learning_rate,
                                     g_learning_rate=study.wgan_learning_rate, beta_1=study.wgan_beta_1,
                                     batch_size=study.batch_size, seed=0, chunk_size=10)
    networks = {"generator_hidden": study.generator_hidden, "critic_hidden": study.critic_hidden}
    trainer = wasserstein.toy_trainer(mixtures.by_name("ring").sampler(), config, **networks)
    trainer.train(30)
    return trainer


def lesson08_r1():  # R1's penalty: each weight of D has three gradient terms (real, fake, penalty)
    from gan_lessons import mixtures, mode_experiments, stabilising

    base = stabilising.BASE.replace(steps=300, eval_every=100, eval_samples=500)
    trainer = stabilising.make_trainer(mixtures.by_name("ring"), "r1", 0, base)
    mode_experiments.train(trainer, base)
    return trainer


def lesson09_conditional():  # labels in both networks: embeddings, whose gradients are IndexedSlices
    from gan_lessons import conditional, fashion_mnist

    data = fashion_mnist.load(download=False)
    trainer = conditional.make_trainer(data.train_images[:2000], data.train_labels[:2000], seed=0,
                                       chunk_size=10)
    trainer.train(30)
    return trainer


SCENARIOS = {f.__name__: f for f in (lesson01_smoke, lesson01_minimax_k3, lesson04_smoke, lesson06_plain,
                                     lesson06_packing, lesson06_minibatch_std, lesson06_pacgan4,
                                     lesson05_strong_minimax, lesson07_wgan_gp, lesson08_r1,
                                     lesson09_conditional)}


def run(name: str) -> dict[str, str]:
    return fingerprint(SCENARIOS[name]())


def stored() -> dict:
    return json.loads(STORE.read_text()) if STORE.exists() else {}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    signature = machine_signature()
    names = [a for a in argv if not a.startswith("-")] or list(SCENARIOS)
    results = {name: run(name) for name in names}
    if "--record" in argv:
        record = stored()
        record[signature] = {**record.get(signature, {}), **results}  # the named ones, others kept
        STORE.parent.mkdir(exist_ok=True)
        STORE.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        print(f"recorded {len(results)} scenarios for {signature} in {STORE}")
        return 0
    expected = stored().get(signature)
    if expected is None:
        print(f"no fingerprints stored for {signature}; record them with --record")
        return 1
    bad = [(n, k) for n, r in results.items() for k in set(r) | set(expected.get(n, {}))
           if r.get(k) != expected.get(n, {}).get(k)]
    for name, key in bad:
        print(f"changed: {name} {key}")
    print(f"{len(results)} scenarios, {len(bad)} changed arrays")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
