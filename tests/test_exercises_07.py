"""Lesson 07's checks accept correct answers written the way a student would, and catch the classic
mistakes (the critic loss's sign, a BCE critic, one alpha for the whole batch, a norm over the wrong
axes, clipping that forgets the bias or accepts clip <= 0, W1 of unsorted samples)."""

import numpy as np
import tensorflow as tf

from gan_lessons.exercises import lesson07


def critic_loss(real_scores, fake_scores):
    return -(np.mean(real_scores) - np.mean(fake_scores))


def critic_loss_wrong_sign(real_scores, fake_scores):
    return np.mean(real_scores) - np.mean(fake_scores)  # what the critic maximises, not its loss


def critic_loss_with_sigmoid(real_scores, fake_scores):
    d_real, d_fake = 1 / (1 + np.exp(-np.asarray(real_scores))), 1 / (1 + np.exp(-np.asarray(fake_scores)))
    return -np.mean(np.log(d_real)) - np.mean(np.log(1 - d_fake))  # lesson 03's BCE, not a critic


def _penalty(critic, real, fake, alpha, per_example=True, axes="all"):
    real, fake = tf.constant(real, tf.float32), tf.constant(fake, tf.float32)
    shape = (-1,) + (1,) * (len(real.shape) - 1)
    alpha = tf.reshape(tf.constant(alpha, tf.float32), shape) if per_example else float(np.mean(alpha))
    interpolates = real + alpha * (fake - real)
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        scores = critic(interpolates)
    gradients = tape.gradient(scores, interpolates)
    if axes == "all":
        norms = tf.norm(tf.reshape(gradients, (tf.shape(gradients)[0], -1)), axis=1)
    else:
        norms = tf.norm(gradients, axis=-1)  # only the last axis: wrong for images
    return float(tf.reduce_mean((norms - 1.0) ** 2))


def gradient_penalty(critic, real, fake, alpha):
    return _penalty(critic, real, fake, alpha)


def gradient_penalty_one_alpha(critic, real, fake, alpha):
    return _penalty(critic, real, fake, alpha, per_example=False)


def gradient_penalty_last_axis(critic, real, fake, alpha):
    return _penalty(critic, real, fake, alpha, axes="last")


def clip_weights(weights, clip):
    if clip <= 0:
        raise ValueError(f"clip must be > 0, got {clip}")
    return [np.clip(w, -clip, clip) for w in weights]


def clip_weights_accepting_zero(weights, clip):
    return [np.clip(w, -clip, clip) for w in weights]


def clip_weights_kernels_only(weights, clip):
    if clip <= 0:
        raise ValueError("clip must be > 0")
    return [np.clip(w, -clip, clip) if np.ndim(w) > 1 else w for w in weights]  # biases forgotten


def w1_sorted(a, b):
    return np.mean(np.abs(np.sort(a) - np.sort(b)))


def w1_unsorted(a, b):
    return np.mean(np.abs(np.asarray(a) - np.asarray(b)))  # pairs points as they come


def test_correct_answers_pass():
    assert lesson07.check_critic_loss(critic_loss)
    assert lesson07.check_gradient_penalty(gradient_penalty)
    assert lesson07.check_clip_weights(clip_weights)
    assert lesson07.check_w1_sorted(w1_sorted)


def test_classic_mistakes_fail_with_a_hint():
    for check, wrong in ((lesson07.check_critic_loss, critic_loss_wrong_sign),
                         (lesson07.check_critic_loss, critic_loss_with_sigmoid),
                         (lesson07.check_gradient_penalty, gradient_penalty_one_alpha),
                         (lesson07.check_gradient_penalty, gradient_penalty_last_axis),
                         (lesson07.check_clip_weights, clip_weights_accepting_zero),
                         (lesson07.check_clip_weights, clip_weights_kernels_only),
                         (lesson07.check_w1_sorted, w1_unsorted)):
        result = check(wrong)
        assert not result, wrong.__name__
        assert "Hint:" in result.message, wrong.__name__


def test_an_unfinished_exercise_says_so():
    def stub(*args):
        raise NotImplementedError

    result = lesson07.check_critic_loss(stub)
    assert not result and "not done yet" in result.message


def test_the_gradient_penalty_exercise_builds_no_model_at_import():
    lesson07.gradient_penalty_exercise.cache_clear()
    assert lesson07.gradient_penalty_exercise.cache_info().currsize == 0
    exercise = lesson07.gradient_penalty_exercise()
    assert exercise is lesson07.gradient_penalty_exercise()  # built once, then reused
    assert {len(case.args[1]) for case in exercise.cases} == {6, 1, 7, 5}  # assorted batch sizes
