"""Exercises of lesson 08 (stabilising the game): each `check_*` tests a student's function."""

from __future__ import annotations

import numpy as np

from gan_lessons import dirac, game, remedies, theory
from gan_lessons.checks import Case, Exercise, Result

_rng = np.random.default_rng(2016)


def _smoothed_loss(real_logits, fake_logits, real_label=1.0, fake_label=0.0):
    """Binary cross-entropy with targets real_label on real and fake_label on generated samples."""
    real = np.asarray(real_logits, np.float64).ravel()
    fake = np.asarray(fake_logits, np.float64).ravel()
    real_term = real_label * theory.softplus(-real) + (1 - real_label) * theory.softplus(real)
    fake_term = fake_label * theory.softplus(-fake) + (1 - fake_label) * theory.softplus(fake)
    return real_term.mean() + fake_term.mean()


def _minibatch_features(features, tensor, kernels):
    return remedies.minibatch_features(np.asarray(features, np.float32), np.asarray(tensor, np.float32),
                                       kernels).numpy()


def _dirac_step(theta, psi, learning_rate, r1_weight=0.0, alternating=False):
    regulariser = game.R1(r1_weight) if r1_weight else None
    new = dirac.step(dirac.DiracGame("minimax", regulariser), theta, psi, learning_rate,
                     "alternating" if alternating else "simultaneous")
    return np.array(new)


_logits = _rng.normal(size=(12, 1))
SMOOTHED_LOSS = Exercise(
    name="smoothed_discriminator_loss(real_logits, fake_logits, real_label, fake_label)",
    reference=_smoothed_loss,
    cases=(
        Case("no smoothing (real_label 1, fake_label 0): lesson 01's loss",
             (_logits + 1, _logits - 1, 1.0, 0.0)),
        Case("one-sided smoothing, real_label 0.9", (_logits + 1, _logits - 1, 0.9, 0.0)),
        Case("two-sided, real_label 0.9 and fake_label 0.1", (_logits, _logits[:5], 0.9, 0.1)),
        Case("a confident discriminator: logits of +/-200 (log(sigmoid) underflows; use softplus)",
             (np.array([[200.0], [180.0]]), np.array([[-200.0], [-150.0]]), 0.9, 0.0)),
        Case("D(x) = 0.9 exactly on real (logit log 9): the smoothed real term is at its minimum",
             (np.full((4, 1), np.log(9.0)), np.zeros((3, 1)), 0.9, 0.0)),
        Case("7 real and 3 generated logits, shape (n,)", (_logits[:7, 0] * 3, _logits[:3, 0], 0.8, 0.0)),
    ),
    hint="with D = sigmoid(l): log D = -softplus(-l) and log(1 - D) = -softplus(l); a target t gives the "
         "loss t * softplus(-l) + (1 - t) * softplus(l); average the real terms and the fake terms "
         "separately and add the two means.",
)

_features = _rng.normal(size=(6, 4)).astype(np.float32)
_tensor = _rng.normal(scale=0.5, size=(4, 3 * 2)).astype(np.float32)
MINIBATCH_FEATURES = Exercise(
    name="minibatch_features(features, tensor, kernels)",
    reference=_minibatch_features,
    cases=(
        Case("a batch of 6, 4 features, 3 kernels of dimension 2", (_features, _tensor, 3)),
        Case("a batch of one sample: each kernel sums exp(0) = 1 over itself", (_features[:1], _tensor, 3)),
        Case("5 identical samples: every o = 5", (np.repeat(_features[:1], 5, axis=0), _tensor, 3)),
        Case("a batch of 2 far apart (exp(-distance) vanishes: o = 1)",
             (np.stack([_features[0] * 100, -_features[0] * 100]), _tensor, 3)),
        Case("6 kernels of dimension 1", (_features, _tensor, 6)),
        Case("a batch of 9 (any batch size)", (_rng.normal(size=(9, 4)).astype(np.float32), _tensor, 2)),
    ),
    hint="M = features @ tensor, reshaped to (batch, kernels, kernel_dim); the L1 distance between rows "
         "i and j per kernel: sum over the last axis of |M[:, None] - M[None, :]| (batch, batch, kernels); "
         "o = sum over j of exp(-distance), j = i included: shape (batch, kernels).",
)

DIRAC_STEP = Exercise(
    name="dirac_step(theta, psi, learning_rate, r1_weight, alternating)",
    reference=_dirac_step,
    cases=(
        Case("simultaneous, no penalty, from (1, 1)", (1.0, 1.0, 0.1, 0.0, False)),
        Case("at the equilibrium (0, 0): nothing moves", (0.0, 0.0, 0.1, 1.0, False)),
        Case("alternating: D first, then G with D's new psi", (1.0, 1.0, 0.1, 0.0, True)),
        Case("R1 with gamma 1, simultaneous, from (0.5, -2)", (0.5, -2.0, 0.2, 1.0, False)),
        Case("R1 with gamma 10, alternating, from (-1, 0.3)", (-1.0, 0.3, 0.05, 10.0, True)),
        Case("a confident D, psi theta = -800: D(G(z)) = 0 and the minimax G barely moves",
             (20.0, -40.0, 0.1, 0.0, False)),
    ),
    hint="D(x) = sigmoid(psi x), real samples at 0, fakes at theta. D's loss: softplus(-psi*0) + "
         "softplus(psi*theta) + r1_weight/2 * psi^2, so v_psi = -theta*sigmoid(psi*theta) - r1_weight*psi; "
         "G's (minimax) loss -softplus(psi*theta), so v_theta = psi*sigmoid(psi*theta). A step adds "
         "learning_rate * v; alternating: psi first, then theta with the new psi. Return "
         "np.array([theta, psi]).",
    rtol=1e-6,
    atol=1e-9,
)


def check_smoothed_discriminator_loss(function) -> Result:
    return SMOOTHED_LOSS.check(function)


def check_minibatch_features(function) -> Result:
    return MINIBATCH_FEATURES.check(function)


def check_dirac_step(function) -> Result:
    return DIRAC_STEP.check(function)
