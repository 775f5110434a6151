"""Checkpoints of a training run: both networks, both optimizers, the step and the history.

TensorFlow checkpoints hold tensors only (no code, nothing unpickled). The trainer's randomness is
stateless and keyed by the step, so restoring the step restores the data and noise streams;
Keras Dropout layers keep their own seed-generator state, which is a layer variable and is saved
with the rest. A resumed run therefore continues bit for bit as if never interrupted (on CPU).

    checkpointer = checkpoints.Checkpointer(trainer, "runs/04", every=500)
    checkpointer.restore()              # continue from the latest checkpoint, if there is one
    # or, as lesson 04 does: resume an interrupted run, train a finished one again from step 0
    step, sentence = checkpoints.start_run(checkpointer, total_steps)
    trainer.hooks.append(checkpointer)  # DCGANTrainer: save every `every` steps and at the end
    trainer.train(total_steps - int(trainer.step.numpy()))

A damaged newest checkpoint (a truncated or altered file) is skipped with a CheckpointWarning for
the newest intact one; an unreadable `checkpoint` state file is rebuilt from the file names.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import tensorflow as tf

from gan_lessons import validation

GROUPS = ("generator", "discriminator", "g_optimizer", "d_optimizer")


# what a Checkpointer writes in its directory: the state file `checkpoint` (and its temporary copy
# while it is rewritten), each checkpoint's ckpt-N.index and ckpt-N.data-* files, and the
# ckpt-N_temp/ folder TensorFlow writes a checkpoint into before renaming it (left over by a kill)
OWN_FILES = re.compile(r"checkpoint(\.tmp[0-9a-f]+)?|ckpt-\d+(\.index|\.data-\d+-of-\d+|_temp)")
LEFT_OVER = re.compile(r"checkpoint\.tmp[0-9a-f]+|ckpt-\d+_temp")


class CheckpointMismatchError(ValueError):
    """A checkpoint was written for models of other shapes than the trainer's."""


class CheckpointDamagedError(ValueError):
    """No intact checkpoint to restore: the files are truncated or altered."""


class CheckpointWarning(UserWarning):
    """A checkpoint or the state file was damaged; the run goes on from an intact checkpoint."""


def on_disk(directory) -> list[str]:
    """The path prefixes of the checkpoints in `directory` by their file names, oldest step first."""
    directory = Path(directory)
    steps = [int(m.group(1)) for p in (directory.glob("ckpt-*.index") if directory.is_dir() else ())
             if (m := re.fullmatch(r"ckpt-(\d+)\.index", p.name))]
    return [str(directory / f"ckpt-{step}") for step in sorted(steps)]


def _write_state(directory: Path, prefixes: list[str]):
    """Rewrite the state file (TensorFlow's CheckpointState, as text) listing `prefixes`, oldest
    first, with their files' times, so the CheckpointManager keeps and rotates them as its own."""
    times = [Path(f"{p}.index").stat().st_mtime for p in prefixes]
    lines = [f'model_checkpoint_path: "{Path(prefixes[-1]).name}"']
    lines += [f'all_model_checkpoint_paths: "{Path(p).name}"' for p in prefixes]
    lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in times]
    lines.append(f"last_preserved_timestamp: {min(times) - 1!r}")
    temporary = directory / "checkpoint.tmp0"
    temporary.write_text("\n".join(lines) + "\n")
    temporary.replace(directory / "checkpoint")


def damage(path: str) -> str:
    """What is wrong with the checkpoint at `path` (every tensor is read back), or "" if it is intact."""
    try:
        reader = tf.train.load_checkpoint(path)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except (tf.errors.OpError, IndexError, ValueError, OSError) as error:
        text = error.message if isinstance(error, tf.errors.OpError) else str(error)
        return f"{type(error).__name__}: {text.strip().splitlines()[0][:160] if text.strip() else ''}"
    return ""


def _variables(trainer) -> dict[str, list]:
    return {"generator": list(trainer.generator.variables),
            "discriminator": list(trainer.discriminator.variables),
            "g_optimizer": list(trainer.g_optimizer.variables),
            "d_optimizer": list(trainer.d_optimizer.variables)}


def signature(trainer) -> dict[str, list]:
    """{group: [[variable path, shape, dtype], ...]} for the four groups of saved variables."""
    return {group: [[v.path, list(v.shape), str(v.dtype)] for v in variables]
            for group, variables in _variables(trainer).items()}


def _history_to_json(history) -> str:
    return json.dumps({"steps": history.steps, "metrics": history.metrics,
                       "evaluations": history.evaluations}, default=float)


def _history_from_json(history, text: str):
    data = json.loads(text)
    history.steps, history.metrics, history.evaluations = data["steps"], data["metrics"], data["evaluations"]


class Checkpointer:
    """Saves `trainer` into `directory` every `every` steps (as a hook: checkpointer(trainer) after
    each chunk) and at the end of a run; keeps the latest `max_to_keep`. `description`: the
    settings the models were built with, stored to explain a mismatch."""

    def __init__(self, trainer, directory, every: int = 500, max_to_keep: int = 3,
                 description: dict | None = None):
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every must be a positive integer (steps between checkpoints), got {every!r}")
        self.trainer = trainer
        self.directory = Path(directory)
        self.every = int(every)
        self.description = dict(description or {})
        self._signature = tf.Variable(json.dumps({"variables": signature(trainer),
                                                  "description": self.description}), dtype=tf.string,
                                      trainable=False)
        self._history = tf.Variable("", dtype=tf.string, trainable=False)
        self.checkpoint = tf.train.Checkpoint(step=trainer.step, signature=self._signature,
                                              history=self._history, **_variables(trainer))
        self.max_to_keep = max_to_keep
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(self.directory), max_to_keep)
        self.last_saved_step: int | None = None  # by this checkpointer (or restored)

    # ---- saving -----------------------------------------------------------------------------
    def save(self) -> str:
        """Write a checkpoint of the current state now; returns its path prefix."""
        self._history.assign(_history_to_json(self.trainer.history))
        step = int(self.trainer.step.numpy())
        path = self.manager.save(checkpoint_number=step)
        self.last_saved_step = step
        return path

    def __call__(self, trainer):
        """The hook: save if `every` steps have passed since the last checkpoint."""
        if int(trainer.step.numpy()) - (self.last_saved_step or 0) >= self.every:
            self.save()

    def finish(self, trainer):
        """At the end of a run: save unless the current step is already saved."""
        if int(trainer.step.numpy()) != self.last_saved_step:
            self.save()

    def divergence_note(self) -> str:
        if self.last_saved_step is None:
            return "No checkpoint was written yet."
        return (f"The last good checkpoint (step {self.last_saved_step}) is intact in {self.directory}; "
                "Checkpointer.restore() loads it.")

    # ---- restoring --------------------------------------------------------------------------
    def latest_step(self) -> int | None:
        """The step of the latest checkpoint in the directory, or None if there is none."""
        path = self.manager.latest_checkpoint
        return None if path is None else int(path.rsplit("-", 1)[1])

    def check_compatible(self, path: str):
        """Raise CheckpointMismatchError, naming the first differing variable, unless the
        checkpoint at `path` holds variables of this trainer's shapes."""
        reader = tf.train.load_checkpoint(path)
        try:
            stored = json.loads(reader.get_tensor("signature/.ATTRIBUTES/VARIABLE_VALUE"))
        except (tf.errors.NotFoundError, ValueError):
            raise CheckpointMismatchError(f"{path} is not a checkpoint written by gan_lessons.checkpoints "
                                          "(no signature); point to another directory") from None
        ours = signature(self.trainer)
        for group in GROUPS:
            theirs, mine = stored["variables"][group], ours[group]
            problem = None
            if len(theirs) != len(mine):
                problem = f"the checkpoint's {group} has {len(theirs)} variables, this one {len(mine)}"
            else:
                for (their_path, their_shape, their_dtype), (path_, shape, dtype) in zip(theirs, mine):
                    if their_shape != shape or their_dtype != dtype:
                        problem = (f"{group} variable {path_}: shape {tuple(their_shape)} {their_dtype} in "
                                   f"the checkpoint ({their_path}), {tuple(shape)} {dtype} in this model")
                        break
            if problem:
                raise CheckpointMismatchError(
                    f"checkpoint {path} does not match the model: {problem}. It was written for "
                    f"{stored.get('description') or 'other settings'}; this trainer has "
                    f"{self.description or 'the settings you gave'}. Build the models with the "
                    f"checkpoint's settings, or use another directory (or delete {self.directory}) "
                    "to start afresh.")

    def restore(self, path: str | None = None) -> int | None:
        """Load a checkpoint (default: the newest intact one) into the trainer, history included;
        returns its step, or None when there is no checkpoint (the trainer is left as it is).
        Damaged newer checkpoints are skipped with a CheckpointWarning; CheckpointDamagedError
        when none is intact (or `path` is damaged)."""
        if path is not None:
            problem = damage(path)
            if problem:
                raise CheckpointDamagedError(f"checkpoint {path} is damaged ({problem}); restore another "
                                             f"one or leave out the path for the newest intact one")
            return self._load(path)
        self._clear_left_overs()
        candidates = self._candidates()
        damaged = []
        for candidate in reversed(candidates):  # newest first
            problem = damage(candidate)
            if not problem:
                if damaged:
                    warnings.warn(f"damaged checkpoint {'; '.join(damaged)} in {self.directory}: restored "
                                  f"the newest intact one instead, {Path(candidate).name}",
                                  CheckpointWarning, stacklevel=2)
                return self._load(candidate)
            damaged.append(f"{Path(candidate).name} ({problem})")
        if damaged:
            raise CheckpointDamagedError(
                f"no intact checkpoint in {self.directory}: {'; '.join(damaged)}. Start afresh: delete "
                f"the folder (checkpoints.discard({str(self.directory)!r})), or run lesson 04 with "
                "resume = False, which does that.")
        return None

    def discard(self) -> list[str]:
        """Delete this directory's checkpoints (see the module's `discard`) and forget them, so the
        next save begins a new run. Returns the names deleted."""
        deleted = discard(self.directory)
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(self.directory), self.max_to_keep)
        self.last_saved_step = None
        return deleted

    def _candidates(self) -> list[str]:
        """The checkpoints to try, oldest first: those on disk. If the state file does not list
        them (unreadable, or deleted), it is rewritten from their file names."""
        found = on_disk(self.directory)
        if found and not self.manager.checkpoints:
            state = self.directory / "checkpoint"
            why = "is unreadable" if state.exists() else "is missing"
            names = [Path(p).name for p in found]
            warnings.warn(f"the checkpoint state file {state} {why}; found {', '.join(names)} by their "
                          "file names and rewrote it", CheckpointWarning, stacklevel=3)
            _write_state(self.directory, found)
            self.manager = tf.train.CheckpointManager(self.checkpoint, str(self.directory), self.max_to_keep)
        return found

    def _clear_left_overs(self):
        """Delete what a save killed half-way left: a ckpt-N_temp/ folder, a state file's temporary copy."""
        for path in self.directory.iterdir() if self.directory.is_dir() else ():
            if LEFT_OVER.fullmatch(path.name) and path.is_dir() == path.name.endswith("_temp"):
                shutil.rmtree(path) if path.is_dir() else path.unlink()

    def _load(self, path: str) -> int:
        self.check_compatible(path)
        self.checkpoint.restore(path).assert_consumed()
        _history_from_json(self.trainer.history, self._history.numpy().decode())
        t = self.trainer
        rates = {name: float(optimizer.learning_rate.numpy()) for name, optimizer in
                 (("d_learning_rate", t.d_optimizer), ("g_learning_rate", t.g_optimizer))}
        changed = {k: v for k, v in rates.items() if np.float32(getattr(t.config, k)) != np.float32(v)}
        if changed:  # the run's rates were changed mid-run (e.g. by a dashboard slider)
            t.config = t.config.replace(**changed)
        self.last_saved_step = int(t.step.numpy())
        return self.last_saved_step


def default_directory(lesson: str, **settings) -> Path:
    """A checkpoint folder under the system's temporary directory, named by the lesson and a hash
    of `settings`: the same settings find their run again after a kernel restart, other settings
    never meet a checkpoint of another model."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / "gan_lessons_checkpoints" / f"{lesson}-{digest}"


def discard(directory) -> list[str]:
    """Delete what a Checkpointer wrote in `directory` (its checkpoints, state file and left-over
    temporary files), then the folder if nothing else is in it: other files stay where they are.
    Returns the names deleted (nothing happens if the folder does not exist)."""
    directory = Path(directory)
    deleted = []
    for path in sorted(directory.iterdir()) if directory.is_dir() else ():
        if OWN_FILES.fullmatch(path.name) and path.is_dir() == path.name.endswith("_temp"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            deleted.append(path.name)
    if directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
    return deleted


def newest_intact_step(directory) -> int | None:
    """The step of the newest intact checkpoint in `directory` (damaged ones skipped), or None."""
    return next((int(p.rsplit("-", 1)[1]) for p in reversed(on_disk(directory)) if not damage(p)), None)


def start_run(checkpointer: Checkpointer, total_steps: int, resume: bool = True) -> tuple[int | None, str]:
    """Begin a run of `total_steps` steps in the checkpointer's directory (lesson 04), before training.

    With resume, an interrupted run (its newest intact checkpoint short of total_steps) is restored
    into the trainer; a run that already finished (at or past total_steps) is deleted, so the run
    trains again from step 0 and shows its training (the same seed gives the same run). Without
    resume, the directory's checkpoints are deleted. Returns the step restored (None: from step 0)
    and a sentence saying which happened and what to change for the other."""
    total_steps = validation.positive_integer("steps", total_steps)
    resume = validation.boolean("resume", resume)
    where = checkpointer.directory
    if not resume:
        deleted = checkpointer.discard()
        return None, (f"fresh run (resume = False): deleted the earlier checkpoints in {where}" if deleted
                      else f"fresh run; checkpoints in {where}")
    finished = newest_intact_step(where)
    if finished is not None and finished >= total_steps:
        checkpointer.discard()
        return None, (f"the run in {where} had already finished (step {finished:,} of {total_steps:,}): "
                      f"training it again from step 0 so that the training shows (the same seed gives the "
                      f"same run). To continue that run instead, set steps above {finished}.")
    step = checkpointer.restore()
    if step is None:
        return None, f"fresh run; checkpoints in {where}"
    return step, (f"resumed the interrupted run from step {step:,} of {total_steps:,} in {where} "
                  "(resume = False starts afresh)")


def steps_left(trainer, total_steps: int) -> int:
    """How many steps remain to reach `total_steps` (0 if the trainer is already there)."""
    return max(0, int(total_steps) - int(trainer.step.numpy()))
