"""Checkpoints: a run killed mid-way and resumed ends bit for bit where an uninterrupted run ends
(dropout randomness included); a NaN keeps the last good checkpoint; a mismatch is a clear error."""

import pathlib
import shutil
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
        return tf.where(seed[1] // training.STREAMS >= 12, batch * np.nan, batch)

    trainer = training.Trainer(good.generator, good.discriminator, poisoned, good.config)
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
    assert checkpoints.discard(tmp_path / "notes") == []  # nothing of a checkpointer's: nothing deleted
    assert (tmp_path / "notes" / "thesis.tex").read_text() == "precious"
    assert checkpoints.discard(tmp_path / "never-made") == []


# ---- damaged or mixed folders -------------------------------------------------------------------
def test_discard_deletes_only_what_the_checkpointer_wrote(tmp_path):
    trainer = tiny_trainer()
    checkpointer = checkpoints.Checkpointer(trainer, tmp_path / "run", every=5)
    trainer.hooks.append(checkpointer)
    trainer.train(10)
    run = tmp_path / "run"
    (run / "thesis.tex").write_text("precious")
    (run / "figures").mkdir()
    (run / "figures" / "loss.png").write_bytes(b"png")
    (run / "ckpt-15_temp").mkdir()  # what a kill during a save leaves
    (run / "ckpt-15_temp" / "part-00000-of-00001.data-00000-of-00001").write_bytes(b"half")
    deleted = checkpoints.discard(run)
    assert {"checkpoint", "ckpt-5.index", "ckpt-10.index", "ckpt-15_temp"} <= set(deleted)
    assert sorted(p.name for p in run.iterdir()) == ["figures", "thesis.tex"]
    assert (run / "thesis.tex").read_text() == "precious" and (run / "figures" / "loss.png").exists()


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    """A folder with checkpoints at steps 5, 10 and 15, and the trainer's state at 10 and at 15."""
    directory = tmp_path_factory.mktemp("saved") / "run"
    trainer = tiny_trainer()
    trainer.hooks.append(checkpoints.Checkpointer(trainer, directory, every=5))
    trainer.train(10)
    at_10 = state(trainer)
    trainer.train(5)
    assert sorted(p.name for p in directory.glob("*.index")) == [f"ckpt-{n}.index" for n in (10, 15, 5)]
    return directory, at_10, state(trainer)


def _copy(saved_run, tmp_path) -> pathlib.Path:
    directory = tmp_path / "run"
    shutil.copytree(saved_run[0], directory)
    return directory


def _assert_state(trainer, expected):
    for a, b in zip(state(trainer), expected):
        np.testing.assert_array_equal(a, b)


def _damage(path: pathlib.Path, how: str):
    data = bytearray(path.read_bytes())
    if how == "truncate":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_an_unreadable_state_file_is_rebuilt_from_the_file_names(saved_run, tmp_path):
    directory = _copy(saved_run, tmp_path)
    (directory / "checkpoint").write_bytes(b"\x00garbage {{{")
    trainer = tiny_trainer()
    checkpointer = checkpoints.Checkpointer(trainer, directory, every=5)
    with pytest.warns(checkpoints.CheckpointWarning, match="state file .*checkpoint is unreadable; found "
                                                           "ckpt-5, ckpt-10, ckpt-15"):
        assert checkpointer.restore() == 15
    _assert_state(trainer, saved_run[2])
    assert tf.train.get_checkpoint_state(str(directory)) is not None  # rewritten
    assert checkpointer.latest_step() == 15
    trainer.hooks.append(checkpointer)
    trainer.train(5)  # the rebuilt state rotates as before: keeps the latest 3
    assert [pathlib.Path(p).name for p in checkpoints.on_disk(directory)] == ["ckpt-10", "ckpt-15", "ckpt-20"]


@pytest.mark.parametrize("part, how", [("data", "truncate"), ("data", "flip"), ("index", "truncate"),
                                       ("index", "flip")])
def test_a_damaged_newest_checkpoint_falls_back_to_the_newest_intact_one(part, how, saved_run, tmp_path):
    directory = _copy(saved_run, tmp_path)
    _damage(next(directory.glob(f"ckpt-15.{part}*")), how)
    trainer = tiny_trainer()
    fell_back = r"damaged checkpoint ckpt-15 \(.*\) in .*run: restored the newest intact one instead, ckpt-10"
    with pytest.warns(checkpoints.CheckpointWarning, match=fell_back):
        assert checkpoints.Checkpointer(trainer, directory).restore() == 10
    _assert_state(trainer, saved_run[1])
    with pytest.raises(checkpoints.CheckpointDamagedError, match="ckpt-15 is damaged"):
        checkpoints.Checkpointer(tiny_trainer(), directory).restore(str(directory / "ckpt-15"))


def test_no_intact_checkpoint_is_a_clear_error_naming_the_folder_and_the_fix(saved_run, tmp_path):
    directory = _copy(saved_run, tmp_path)
    for index in directory.glob("ckpt-*.index"):
        _damage(index, "truncate")
    with pytest.raises(checkpoints.CheckpointDamagedError,
                       match=rf"no intact checkpoint in {directory}: ckpt-15 \(.*ckpt-10 .*ckpt-5 .*"
                             r"checkpoints.discard.*resume = False"):
        checkpoints.Checkpointer(tiny_trainer(), directory).restore()


def test_a_save_killed_half_way_leaves_nothing_behind_after_a_restore(saved_run, tmp_path):
    directory = _copy(saved_run, tmp_path)
    (directory / "ckpt-20_temp").mkdir()
    (directory / "ckpt-20_temp" / "part-00000-of-00001.index").write_bytes(b"half")
    (directory / "checkpoint.tmp0123abcd").write_text("half")
    assert checkpoints.Checkpointer(tiny_trainer(), directory).restore() == 15
    assert not (directory / "ckpt-20_temp").exists() and not (directory / "checkpoint.tmp0123abcd").exists()
