"""Bad inputs from the failure drill (issue 18) get a clear error at once, or a stated behaviour:
a finished lesson-04 run is trained again, not silently shown as resumed; an evaluator of 0 samples
is refused when it is made; a student's discriminator that never returns is stopped. (Dataset
permissions, lesson 02's parameters and grids, the manifest and the Colab pins are tested beside
their modules: test_fashion_mnist, test_theory, test_artifacts, test_colab.)"""

import time

import numpy as np
import pytest

from gan_lessons import (
    checkpoints,
    dcgan,
    fashion_mnist,
    image_quality,
    mixtures,
    mode_metrics,
    toy,
    toy_metrics,
    validation,
)
from gan_lessons.exercises import lesson04

TINY = {"width": 0.0625, "d_width": 0.0625, "kernel_size": 3, "batch_size": 16, "latent_dim": 8,
        "dropout": 0.3}
TOTAL, EVERY = 20, 10


def _images():
    return np.random.default_rng(0).integers(0, 256, (64, 28, 28), dtype=np.uint8)


def _same_generator(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.generator.get_weights(), b.generator.get_weights()))


def _checkpointed(directory):
    trainer = dcgan.make_trainer(_images(), TINY, seed=0, chunk_size=5)
    trainer.checkpointer = checkpoints.Checkpointer(trainer, directory, every=EVERY)
    trainer.hooks.append(trainer.checkpointer)
    return trainer


# ---- lesson 04 run a second time ----------------------------------------------------------------
def test_a_finished_run_trains_again_from_step_0_and_says_so(tmp_path):
    directory = tmp_path / "run"
    first = _checkpointed(directory)
    step, how = checkpoints.start_run(first.checkpointer, TOTAL)
    assert step is None and how.startswith("fresh run")
    first.train(TOTAL, progress=False)
    (directory / "notes.txt").write_text("mine")  # a user's own file stays

    again = _checkpointed(directory)  # Run All again, or the lecture runner again
    step, how = checkpoints.start_run(again.checkpointer, TOTAL)
    assert step is None and int(again.step.numpy()) == 0
    assert f"the run in {directory} had already finished (step {TOTAL} of {TOTAL})" in how
    assert "training it again from step 0" in how and f"set steps above {TOTAL}" in how
    assert checkpoints.on_disk(directory) == [] and (directory / "notes.txt").read_text() == "mine"
    again.train(checkpoints.steps_left(again, TOTAL), progress=False)  # the training shows again
    assert int(again.step.numpy()) == TOTAL
    assert _same_generator(again, first)
    assert [p.rsplit("-", 1)[1] for p in again.checkpointer.manager.checkpoints] == ["10", "20"]


def test_an_interrupted_run_resumes_as_before(tmp_path):
    directory = tmp_path / "run"
    first = _checkpointed(directory)
    first.train(EVERY, progress=False)  # stopped (a kill, a kernel restart) half-way; or a run of
    again = _checkpointed(directory)    # EVERY steps, continued by asking for more
    step, how = checkpoints.start_run(again.checkpointer, TOTAL)
    assert step == EVERY == int(again.step.numpy())
    assert how.startswith(f"resumed the interrupted run from step {EVERY} of {TOTAL}")
    assert _same_generator(again, first)


def test_resume_false_deletes_the_checkpoints_and_bad_arguments_are_refused(tmp_path):
    directory = tmp_path / "run"
    first = _checkpointed(directory)
    first.train(EVERY, progress=False)
    again = _checkpointed(directory)
    step, how = checkpoints.start_run(again.checkpointer, TOTAL, resume=False)
    assert step is None and "resume = False" in how and checkpoints.on_disk(directory) == []
    with pytest.raises(ValueError, match="resume must be True or False, got 'False'"):
        checkpoints.start_run(again.checkpointer, TOTAL, resume="False")
    with pytest.raises(ValueError, match="steps must be a positive integer, got 0"):
        checkpoints.start_run(again.checkpointer, 0)


def test_lesson04s_parameters_that_were_silently_accepted_are_refused():
    # the notebook's first cells: steps = 0 used to mean the profile's 4,000, resume = "no" meant True
    with pytest.raises(ValueError, match="steps must be a positive integer, got 0"):
        validation.positive_integer("steps", 0)
    for value in ("no", "False", 0, None):
        with pytest.raises(ValueError, match="resume must be True or False"):
            validation.boolean("resume", value)
    assert validation.boolean("resume", np.bool_(False)) is False
    with pytest.raises(ValueError, match="kernel_size must be a positive integer, got True"):
        validation.positive_integer("kernel_size", True)
    with pytest.raises(ValueError, match="seed must be an integer in"):
        dcgan.config_for(dict(dcgan.LECTURE), seed=-1)


# ---- an evaluator of no samples ------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, -5, 2.5])
def test_an_evaluator_of_no_samples_is_refused_when_it_is_made(n):
    curve = toy.QuadraticCurve()
    sample_real = toy.curve_sampler(curve, curve.scaler())
    with pytest.raises(ValueError, match=r"^n \(eval_samples: the samples each evaluation scores\)"):
        toy_metrics.toy_evaluator(sample_real, n=n)
    ring = mixtures.GaussianMixture2D.ring()
    with pytest.raises(ValueError, match=r"^n \(eval_samples"):
        mode_metrics.mode_evaluator(ring, ring.scaler(), n=n)


def test_a_quality_score_of_fewer_than_two_images_is_refused_before_the_classifier_loads(monkeypatch):
    images = _images()
    data = fashion_mnist.FashionMNIST(images, np.zeros(64, np.uint8), images, np.zeros(64, np.uint8), None)
    monkeypatch.setattr(image_quality, "load_classifier", lambda: pytest.fail("loaded before checking n"))
    for n in (0, 1, 65):
        with pytest.raises(ValueError, match=r"n \(eval_samples: the images each quality score uses\) "
                                             r"must be an integer in \[2, 64\]"):
            image_quality.load_scorer(data, n=n)
    with pytest.raises(ValueError, match=r"in \[2, 64\], got 0"):
        image_quality.QualityScorer(image_quality.build_classifier(), images, images, n=0)


# ---- lesson 04's discriminator check has a time limit ---------------------------------------------
def test_a_discriminator_exercise_that_never_returns_is_stopped_and_reported():
    def loops():
        while True:
            pass

    start = time.perf_counter()
    result = lesson04.check_dcgan_discriminator(loops, time_limit=0.5)
    assert not result and "did not return within 0.5 s on building the model" in result.message
    assert time.perf_counter() - start < 5

    class Sleeps:  # a "model" whose call never ends
        def __call__(self, images):
            time.sleep(60)

    result = lesson04.check_dcgan_discriminator(lambda: Sleeps(), time_limit=0.5)
    assert not result and "did not return within 0.5 s on a batch of 1 zero images" in result.message
    assert time.perf_counter() - start < 10
    result = lesson04.check_dcgan_discriminator(lambda: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message
