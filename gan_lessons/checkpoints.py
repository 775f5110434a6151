"""Checkpoints of a training run: both networks, both optimizers, the step and the history.

TensorFlow checkpoints hold tensors only (no code, nothing unpickled). The trainer's randomness is
stateless and keyed by the step, so restoring the step restores the data and noise streams;
Keras Dropout layers keep their own seed-generator state, which is a layer variable and is saved
with the rest. A resumed run therefore continues bit for bit as if never interrupted (on CPU).

    checkpointer = checkpoints.Checkpointer(trainer, "runs/04", every=500)
    checkpointer.restore()              # continue from the latest checkpoint, if there is one
    trainer.hooks.append(checkpointer)  # DCGANTrainer: save every `every` steps and at the end
    trainer.train(total_steps - int(trainer.step.numpy()))
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import tensorflow as tf

GROUPS = ("generator", "discriminator", "g_optimizer", "d_optimizer")


class CheckpointMismatchError(ValueError):
    """A checkpoint was written for models of other shapes than the trainer's."""


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
        """Load a checkpoint (default: the latest) into the trainer, history included; returns its
        step, or None when there is no checkpoint (the trainer is left as it is)."""
        path = path or self.manager.latest_checkpoint
        if path is None:
            return None
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


def discard(directory):
    """Delete the checkpoint folder `directory` (nothing happens if it does not exist)."""
    directory = Path(directory)
    if directory.exists() and not (directory / "checkpoint").exists() and any(directory.iterdir()):
        raise ValueError(f"{directory} holds files but no checkpoint index: not deleting it")
    shutil.rmtree(directory, ignore_errors=True)


def steps_left(trainer, total_steps: int) -> int:
    """How many steps remain to reach `total_steps` (0 if the trainer is already there)."""
    return max(0, int(total_steps) - int(trainer.step.numpy()))
