"""Checkpoints: a run killed mid-way and resumed ends bit for bit where an uninterrupted run ends
(dropout randomness included); a NaN keeps the last good checkpoint; a mismatch is a clear error."""

import pathlib
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from gan_lessons import checkpoints, dcgan, training

ROOT = pathlib.Path(__file__).resolve().parents[1]
TINY = {"width": 0.0625, "kernel_size": 3, "batch_size": 16, "latent_dim": 8, "dropout": 0.3}
TOTAL, EVERY, KILL_AT = 40, 10, 25


def images():
    return np.random.default_rng(0).integers(0, 256, (256, 28, 28), dtype=np.uint8)


def tiny_trainer(seed=0, **changes):
    return dcgan.make_trainer(images(), {**TINY, **changes}, seed=seed, chunk_size=5)


def state(trainer):
    return [v.numpy() for v in trainer._state_variables()]


def test_state_holds_the_dropout_seed_and_batch_norm_statistics():
    paths = [v.path for v in tiny_trainer().discriminator.variables]
    assert any("seed_generator_state" in p for p in paths)
    group = checkpoints.signature(tiny_trainer())["generator"]
    assert any("moving_mean" in path for path, _, _ in group)


def test_a_killed_run_resumes_bit_for_bit(tmp_path):
    directory = tmp_path / "run"
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.test_checkpoints import tiny_trainer
        from gan_lessons import checkpoints
        trainer = tiny_trainer()
        trainer.hooks.append(checkpoints.Checkpointer(trainer, {str(directory)!r}, every={EVERY}))
        def maybe_die(trainer):
            if int(trainer.step.numpy()) >= {KILL_AT}:
                os.kill(os.getpid(), signal.SIGKILL)  # as a kernel restart would: no clean-up
        trainer.train({TOTAL}, callback=maybe_die)
    """)
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]

    resumed = tiny_trainer()
    checkpointer = checkpoints.Checkpointer(resumed, directory, every=EVERY)
    assert checkpointer.restore() == 20  # steps 21-25 were lost with the process
    assert resumed.history.steps == list(range(20))
    resumed.hooks.append(checkpointer)
    resumed.train(checkpoints.steps_left(resumed, TOTAL))

    uninterrupted = tiny_trainer()
    uninterrupted.train(TOTAL)
    assert int(resumed.step.numpy()) == TOTAL
    for a, b in zip(state(resumed), state(uninterrupted)):
        np.testing.assert_array_equal(a, b)
    for name in uninterrupted.metric_names:
        np.testing.assert_array_equal(resumed.history[name], uninterrupted.history[name])
    assert checkpointer.latest_step() == TOTAL


def test_restoring_the_step_alone_would_not_be_enough(tmp_path):
    """Without the dropout seed state (a layer variable) a resumed run would differ: the
    checkpoint must hold it. Shown by resetting it after a restore."""
    trainer = tiny_trainer()
    checkpointer = checkpoints.Checkpointer(trainer, tmp_path, every=10)
    trainer.hooks.append(checkpointer)
    trainer.train(10)
    trainer.train(10)
    broken = tiny_trainer()
    checkpoints.Checkpointer(broken, tmp_path).restore(checkpointer.manager.checkpoints[0])
    for v in broken.discriminator.variables:
        if "seed_generator_state" in v.path:
            v.assign(v.numpy() + 1000)  # as if the dropout state had not been saved
    broken.train(10)
    assert not np.array_equal(broken.history["d_loss"][10:], trainer.history["d_loss"][10:])


def test_nan_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    good = tiny_trainer()

    def poisoned(seed, batch_size):  # real data turns NaN from step 12 on
        batch = good.sample_real(seed, batch_size)
        return tf.where(seed[1] // training._STREAMS >= 12, batch * np.nan, batch)

    trainer = dcgan.DCGANTrainer(good.generator, good.discriminator, poisoned, good.config)
    checkpointer = checkpoints.Checkpointer(trainer, tmp_path, every=5)
    trainer.hooks.append(checkpointer)
    with pytest.raises(training.TrainingDiverged, match=r"NaN at step 12.*last good checkpoint \(step 10\)"):
        trainer.train(30)
    assert int(trainer.step.numpy()) == 10 and checkpointer.latest_step() == 10
    fresh = tiny_trainer(seed=5)  # other initial weights: restoring must overwrite all of them
    assert checkpoints.Checkpointer(fresh, tmp_path).restore() == 10
    for a, b in zip(state(fresh), state(trainer)):
        np.testing.assert_array_equal(a, b)
    assert all(np.all(np.isfinite(w)) for w in fresh.generator.get_weights())


def test_a_checkpoint_of_another_model_is_a_clear_error(tmp_path):
    narrow = tiny_trainer()
    checkpoints.Checkpointer(narrow, tmp_path, description={"width": TINY["width"]}).save()
    wide = tiny_trainer(width=0.125)
    checker = checkpoints.Checkpointer(wide, tmp_path, description={"width": 0.125})
    with pytest.raises(checkpoints.CheckpointMismatchError,
                       match=r"generator variable project/kernel: shape \(8, 784\).*\(8, 1568\).*"
                             r"width': 0.0625.*width': 0.125.*another directory"):
        checker.restore()


def test_no_checkpoint_leaves_the_trainer_as_it_is(tmp_path):
    trainer = tiny_trainer()
    before = state(trainer)
    assert checkpoints.Checkpointer(trainer, tmp_path / "empty").restore() is None
    assert all(np.array_equal(a, b) for a, b in zip(before, state(trainer)))


def test_checkpoints_are_written_at_the_interval_and_at_the_end(tmp_path):
    trainer = tiny_trainer()
    checkpointer = checkpoints.Checkpointer(trainer, tmp_path, every=10, max_to_keep=10)
    trainer.hooks.append(checkpointer)
    trainer.train(23)
    steps = sorted(int(p.rsplit("-", 1)[1]) for p in checkpointer.manager.checkpoints)
    assert steps == [10, 20, 23]
    with pytest.raises(ValueError, match="every must be a positive integer"):
        checkpoints.Checkpointer(trainer, tmp_path, every=0)


def test_default_directories_separate_settings_and_discard_only_deletes_checkpoints(tmp_path):
    a = checkpoints.default_directory("04", width=0.25, seed=0)
    assert a == checkpoints.default_directory("04", seed=0, width=0.25)  # order does not matter
    assert a != checkpoints.default_directory("04", width=0.5, seed=0)
    trainer = tiny_trainer()
    checkpoints.Checkpointer(trainer, tmp_path / "run").save()
    checkpoints.discard(tmp_path / "run")
    assert not (tmp_path / "run").exists()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "thesis.tex").write_text("precious")
    with pytest.raises(ValueError, match="no checkpoint index: not deleting"):
        checkpoints.discard(tmp_path / "notes")
