"""Lesson 09's exercise checks pass correct answers written the way a student would, and catch the
usual mistakes: joining along the batch axis, a one-hot of fixed width, the projection term without
psi (or psi without its bias), and the argmax over the batch instead of the classes."""

import numpy as np
import tensorflow as tf

from gan_lessons.exercises import lesson09 as exercises


def test_join_labels_check():
    def with_keras(latent_vectors, labels, num_classes=10):
        one_hot = tf.one_hot(np.asarray(labels), num_classes)
        return tf.concat([tf.cast(latent_vectors, tf.float32), one_hot], axis=1)

    def ten_wide(latent_vectors, labels, num_classes=10):
        return np.concatenate([latent_vectors, np.eye(10)[labels]], axis=1)

    def labels_as_a_number(latent_vectors, labels, num_classes=10):
        return np.concatenate([latent_vectors, np.asarray(labels)[:, None]], axis=1)

    assert exercises.check_join_labels(exercises.join_labels)
    assert exercises.check_join_labels(with_keras)
    assert "3 classes" in exercises.check_join_labels(ten_wide).message
    assert not exercises.check_join_labels(labels_as_a_number)


def test_projection_logit_check():
    def student(features, psi_weights, psi_bias, class_embeddings, labels):
        psi = features @ np.ravel(psi_weights) + np.ravel(psi_bias)[0]
        return psi + np.einsum("nf,nf->n", np.asarray(class_embeddings)[labels], features)

    def projection_only(features, psi_weights, psi_bias, class_embeddings, labels):
        return np.sum(np.asarray(class_embeddings)[labels] * features, axis=1)

    def no_bias(features, psi_weights, psi_bias, class_embeddings, labels):
        projection = np.sum(np.asarray(class_embeddings)[labels] * features, axis=1)
        return features @ np.ravel(psi_weights) + projection

    assert exercises.check_projection_logit(exercises.projection_logit)
    assert exercises.check_projection_logit(student)
    assert not exercises.check_projection_logit(projection_only)
    assert not exercises.check_projection_logit(no_bias)


def test_requested_class_accuracy_check():
    def over_the_batch(logits, requested):
        return np.mean(np.argmax(logits, axis=0)[: len(requested)] == requested)

    def positive_logit(logits, requested):
        return np.mean(np.asarray(logits)[np.arange(len(requested)), requested] > 0)

    def as_a_count(logits, requested):
        return np.sum(np.argmax(logits, axis=1) == np.asarray(requested))

    assert exercises.check_requested_class_accuracy(exercises.requested_class_accuracy)
    assert not exercises.check_requested_class_accuracy(over_the_batch)
    assert not exercises.check_requested_class_accuracy(positive_logit)
    assert not exercises.check_requested_class_accuracy(as_a_count)
