"""Lesson 08's tricks: each is a TrainConfig field or a D architecture on lesson 06's networks and
seeds, so every trick's run is paired with the plain GAN's; D's held-out accuracy; the step clock."""

import numpy as np
import pytest

from gan_lessons import game, mixtures, mode_experiments, remedies, stabilising

RING = mixtures.by_name("ring")
TINY = mode_experiments.LIVE.replace(steps=20, eval_every=10, eval_samples=200, generator_hidden=(16,),
                                     discriminator_hidden=(16, 16), batch_size=32)


def test_each_trick_switches_on_exactly_its_own_piece():
    tricks = stabilising.Tricks()
    assert stabilising.config_changes("none", tricks, 3000) == {}
    assert stabilising.config_changes("label_smoothing", tricks, 3000) == {"real_label": 0.9}
    assert stabilising.config_changes("feature_matching", tricks, 3000) == {"feature_matching": "leaky_1"}
    assert stabilising.config_changes("instance_noise", tricks, 3000) == {
        "instance_noise": game.InstanceNoise(0.1, 1500)}  # annealed to 0 over half the run
    assert stabilising.config_changes("r1", tricks, 3000) == {"regularisers": (game.R1(1.0),)}
    trainer = stabilising.make_trainer(RING, "minibatch_discrimination", 0, TINY)
    assert any(isinstance(layer, remedies.MinibatchDiscrimination) for layer in trainer.discriminator.layers)


def test_the_plain_run_is_lesson_06s_live_run():
    ours = stabilising.make_trainer(RING, "none", 3)
    theirs = mode_experiments.make_trainer(RING, "none", 3, mode_experiments.LIVE)
    assert ours.config == theirs.config
    for a, b in zip(ours.generator.get_weights() + ours.discriminator.get_weights(),
                    theirs.generator.get_weights() + theirs.discriminator.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_every_trick_starts_from_the_same_generator_for_a_seed():
    first = stabilising.make_trainer(RING, "none", 2, TINY).generator.get_weights()
    for trick in stabilising.TRICKS[1:]:
        for a, b in zip(first, stabilising.make_trainer(RING, trick, 2, TINY).generator.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_held_out_accuracy_of_a_d_that_calls_everything_real_is_one_half():
    trainer = stabilising.make_trainer(RING, "none", 0, TINY)
    logits = trainer.discriminator.get_layer("logits")
    kernel, bias = logits.get_weights()
    logits.set_weights([np.zeros_like(kernel), np.full_like(bias, 50.0)])
    accuracy = stabilising.held_out_accuracy(trainer)
    assert accuracy == {"accuracy_real": 1.0, "accuracy_fake": 0.0, "accuracy": 0.5}


def test_rate_ratio_sets_ds_rate_against_gs_and_k_its_steps():
    trainer = stabilising.make_trainer(RING, "none", 0, TINY, d_steps=5, rate_ratio=4.0)
    assert trainer.config.d_learning_rate == pytest.approx(4 * TINY.g_learning_rate)
    assert trainer.config.d_steps == 5


def test_the_step_clock_leaves_evaluations_and_the_first_chunk_out():
    clock = stabilising.StepClock()
    clock.marks = [(10, 5.0, 0.0), (20, 6.0, 0.2), (30, 6.9, 0.3), (40, 8.0, 0.5)]
    assert clock.seconds_per_step == pytest.approx(np.median([0.08, 0.08, 0.09]))


def test_a_run_reports_its_metrics_and_is_a_function_of_its_seed():
    first = stabilising.run("r1", seed=1, base=TINY)
    again = stabilising.run("r1", seed=1, base=TINY)
    for key in ("modes", "high_quality", "w1", "accuracy_real", "accuracy_fake"):
        assert first[key] == again[key]
    assert first["history"]["step"] == [0, 10, 20]
    assert 0 <= first["accuracy"] <= 1 and first["w1_ratio"] > 0 and first["seconds_per_step"] > 0


def test_describe_names_the_tricks_a_config_switches_on():
    trainer = stabilising.make_trainer(RING, "none", 0, TINY, d_steps=2, rate_ratio=4.0)
    assert stabilising.describe(trainer.config) == "k = 2, D/G rate 4; no trick"
    trainer.reconfigure(real_label=0.9, regularisers=(game.R1(0.5),))
    assert stabilising.describe(trainer.config) == "k = 2, D/G rate 4; one-sided smoothing 0.9, R1 gamma 0.5"


@pytest.mark.parametrize("make, match", [
    (lambda: stabilising.make_trainer(RING, "dropout", 0, TINY), "trick"),
    (lambda: stabilising.make_trainer(RING, "none", 0, TINY, rate_ratio=1000.0), "rate_ratio"),
    (lambda: stabilising.make_trainer(RING, "none", 0, TINY.replace(discriminator="maxout")), "mlp"),
    (lambda: stabilising.Tricks(real_label=1.2), "real_label"),
    (lambda: stabilising.Tricks(noise_fraction=0.0), "noise_fraction"),
])
def test_bad_settings_are_refused_naming_the_fix(make, match):
    with pytest.raises(ValueError, match=match):
        make()
