"""Lesson 05's claims, measured on the toy (seeded, so each could come out false): the minimax
generator's gradient vanishes as D learns to reject the fakes, and under a strong discriminator
the minimax generator loses the data where the non-saturating one keeps it."""

import json

import numpy as np
import pytest

from gan_lessons import loss_comparison


def test_minimax_gradient_vanishes_while_d_learns_and_non_saturating_grows():
    curve = loss_comparison.saturation(seed=0, checkpoints=(0, 300))
    start, end = 0, 1
    assert 0.45 < curve["d_fake"][start] < 0.55  # an untrained D cannot tell
    assert 0.8 < curve["ratio"][start] < 1.25  # so both losses push equally hard
    assert curve["d_fake"][end] < 0.01  # D now rejects the frozen fakes
    assert curve["ratio"][end] < 0.05  # minimax's gradient is 20x (or more) smaller
    assert curve["non_saturating"][end] > 5 * curve["non_saturating"][start]
    assert curve["minimax"][end] < curve["non_saturating"][end] / 20


@pytest.fixture(scope="module")
def strong_runs():
    return {loss: loss_comparison.train_run(loss, "strong_discriminator", seed=0, steps=1000,
                                            eval_every=500, eval_samples=500)
            for loss in loss_comparison.LOSSES}


def test_strong_discriminator_rejects_minimax_fakes_but_not_non_saturating_ones(strong_runs):
    assert strong_runs["minimax"]["d_fake_end"] < 0.1
    assert strong_runs["non_saturating"]["d_fake_end"] > 0.2


def test_strong_discriminator_minimax_samples_leave_the_curve(strong_runs):
    residual = {loss: run["evaluations"]["median_residual"][-1] for loss, run in strong_runs.items()}
    assert residual["minimax"] > 10 * residual["non_saturating"]  # data units
    # leaving, not just off: farther from the curve at 1,000 steps than at 500. (W1/floor at 1,000
    # steps does not separate the two losses on every CPU: oneDNN's kernels differ per processor,
    # and on an AMD EPYC minimax's fell from 6.8 to 5.5 while its residual tripled.)
    minimax_residual = strong_runs["minimax"]["evaluations"]["median_residual"]
    assert minimax_residual[-1] > minimax_residual[1]


def test_minimax_gradient_is_smaller_over_the_first_steps_of_strong_discriminator_training(strong_runs):
    ratio = strong_runs["minimax"]["g_grad_norm_start"] / strong_runs["non_saturating"]["g_grad_norm_start"]
    assert ratio < 0.6


def test_both_losses_start_from_the_same_networks_and_unknown_regimes_are_refused():
    first = loss_comparison.make_trainer("minimax", "balanced", seed=3)
    second = loss_comparison.make_trainer("non_saturating", "strong_discriminator", seed=3)
    for a, b in zip(first.generator.get_weights() + first.discriminator.get_weights(),
                    second.generator.get_weights() + second.discriminator.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert (first.config.d_steps, second.config.d_steps) == (1, 5)
    with pytest.raises(ValueError, match="choose one of"):
        loss_comparison.make_trainer("minimax", "very_strong", seed=0)


def _fake_run(regime, loss, seed, residual, final):
    return {"regime": regime, "loss": loss, "seed": seed, "final_w1_ratio": final,
            "evaluations": {"median_residual": [800.0, residual]}, "d_fake_end": 0.1,
            "g_grad_norm_start": 1.0}


def test_outcome_table_summarises_each_regime_and_loss(tmp_path):
    runs = [_fake_run("balanced", "minimax", 0, 30.0, 2.0), _fake_run("balanced", "minimax", 1, 50.0, 4.0),
            _fake_run("balanced", "non_saturating", 0, 20.0, 1.0)]
    results = {"regimes": {"balanced": {"d_steps": 1}}, "runs": runs, "steps": 10}
    rows = {row["loss"]: row for row in loss_comparison.outcome_table(results)}
    assert rows["minimax"]["w1_ratio_mean"] == 3.0 and rows["minimax"]["w1_ratio_std"] == 1.0
    assert rows["minimax"]["residual_median"] == 40.0 and rows["non_saturating"]["seeds"] == 1
    assert "balanced" in loss_comparison.format_table(list(rows.values()))
    path = tmp_path / "results.json"
    loss_comparison.save_results(results, path, command="python benchmarks/loss_comparison.py")
    loaded = loss_comparison.load_results(path)
    assert loaded["runs"] == runs and loaded["command"].startswith("python") and loaded["machine"]
    path.write_text(json.dumps({"something": "else"}))
    with pytest.raises(ValueError, match="benchmarks/loss_comparison.py"):
        loss_comparison.load_results(path)
