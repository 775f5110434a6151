"""Lesson 09's per-class scorecard of a conditional generator, by the project's Fashion-MNIST
classifier (image_quality; not Inception, so no FID): the classifier's accuracy on G(z, y) against
the requested y, the confusion matrix, a Frechet distance per class, and "train on generated, test
on real" (the Classification Accuracy Score of Ravuri and Vinyals 2019).

Every number has its yardsticks beside it. Accuracy: real test images score the classifier's own
accuracy (the best a generator can score by this judge, about 92%); chance is 10%, and an
untrained generator shows what a generator that ignores y gets. Frechet distance per class: the
floor is real training images of the class against real test images of the class (same n), the
ceiling an untrained generator's images.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_lessons import fashion_mnist, image_quality, validation

NUM_CLASSES = image_quality.NUM_CLASSES
CHANCE = 1.0 / NUM_CLASSES
CLASS_NAMES = fashion_mnist.CLASS_NAMES


def requested_labels(per_class: int, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """int32 (per_class * num_classes,): classes 0, 1, ..., 9, 0, 1, ... in turn (as Trainer.generate)."""
    per_class = validation.positive_integer("per_class", per_class)
    return np.tile(np.arange(num_classes, dtype=np.int32), per_class)


def _check(logits, requested) -> tuple[np.ndarray, np.ndarray]:
    logits, requested = np.asarray(logits), np.asarray(requested)
    if logits.ndim != 2 or requested.shape != (len(logits),):
        raise ValueError(f"need logits (n, classes) and requested labels (n,), got {logits.shape} and "
                         f"{requested.shape}")
    if not np.issubdtype(requested.dtype, np.integer):
        raise ValueError(f"requested labels must be integer class indices, got {requested.dtype}")
    if requested.size and (requested.min() < 0 or requested.max() >= logits.shape[1]):
        raise ValueError(f"requested labels must be in [0, {logits.shape[1] - 1}], got "
                         f"{requested.min()}..{requested.max()}")
    return logits, requested


def requested_class_accuracy(logits, requested) -> float:
    """The share of images whose predicted class (argmax of logits (n, classes)) is the requested one (n,)."""
    logits, requested = _check(logits, requested)
    if not len(requested):
        raise ValueError("need at least one image")
    return float(np.mean(np.argmax(logits, axis=1) == requested))


def confusion_matrix(logits, requested) -> np.ndarray:
    """int (classes, classes): row = requested class, column = the classifier's predicted class."""
    logits, requested = _check(logits, requested)
    k = logits.shape[1]
    counts = np.zeros((k, k), np.int64)
    np.add.at(counts, (requested, np.argmax(logits, axis=1)), 1)
    return counts


def per_class_accuracy(confusion) -> np.ndarray:
    """float (classes,): each row's diagonal share (NaN for a class never requested)."""
    confusion = np.asarray(confusion, np.float64)
    totals = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(confusion) / totals, np.nan)


def top_confusions(confusion, count: int = 3) -> list[tuple[int, int, float]]:
    """The `count` largest mistakes of a confusion matrix: (requested, predicted, share of the
    requested class's row), largest first."""
    confusion = np.asarray(confusion, np.float64)
    shares = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    np.fill_diagonal(shares, 0.0)
    order = np.argsort(shares, axis=None, kind="stable")[::-1][:count]
    return [(int(i), int(j), float(shares[i, j])) for i, j in zip(*np.unravel_index(order, shares.shape))]


def _choose(labels, per_class: int, rng) -> np.ndarray:
    """Sorted indices of `per_class` examples of each class, without repeats."""
    labels = np.asarray(labels)
    chosen = []
    for k in range(NUM_CLASSES):
        members = np.flatnonzero(labels == k)
        if len(members) < per_class:
            raise ValueError(f"class {k} has {len(members)} images; per_class is {per_class}")
        chosen.append(rng.choice(members, per_class, replace=False))
    return np.sort(np.concatenate(chosen))


class Scorecard:
    """Scores a conditional generator's images class by class against real test images.

    scorecard.card(images, requested) -> {accuracy, per_class_accuracy (10,), confusion (10, 10),
    frechet (10,), mean_frechet, worst_class, worst_accuracy, n}. scorecard.real: the same for real
    images (accuracy on held-out real test images; Frechet distance of real training images: the
    floor). set_untrained(images, requested): an untrained generator's card, the other yardstick.
    """

    def __init__(self, scorer: image_quality.QualityScorer, data: fashion_mnist.FashionMNIST,
                 per_class: int = 100, seed: int = 0):
        self.scorer = scorer
        self.per_class = validation.integer("per_class", per_class, 2, 500)  # 2 for a covariance
        rng = np.random.default_rng(seed)
        reference = _choose(data.test_labels, per_class, rng)  # the real class-k images to match
        features, _ = scorer.features_and_logits(data.test_images[reference])
        self.reference = [image_quality.moments(features[data.test_labels[reference] == k])
                          for k in range(NUM_CLASSES)]
        held_out = np.setdiff1d(np.arange(len(data.test_labels)), reference)
        unseen = held_out[_choose(data.test_labels[held_out], per_class, rng)]  # real test, not the reference
        training = _choose(data.train_labels, per_class, rng)
        real_test = self.card(data.test_images[unseen], data.test_labels[unseen].astype(np.int32))
        real_train = self.card(data.train_images[training], data.train_labels[training].astype(np.int32))
        self.real = {**real_test, "frechet": real_train["frechet"],
                     "mean_frechet": real_train["mean_frechet"]}
        self.untrained: dict | None = None

    def card(self, images, requested) -> dict:
        """The scorecard of images (uint8 (n, 28, 28) or [-1, 1] floats) made for classes requested (n,)."""
        requested = np.asarray(requested)
        features, logits = self.scorer.features_and_logits(images)
        confusion = confusion_matrix(logits, requested)
        accuracy = per_class_accuracy(confusion)
        counts = np.bincount(requested, minlength=NUM_CLASSES)
        if counts.min() < 2:
            raise ValueError(f"request every class at least twice (a covariance needs 2 images), got "
                             f"counts {counts.tolist()}: use class_scorecard.requested_labels(per_class)")
        frechet = np.array([image_quality.frechet_distance_from_moments(
            *image_quality.moments(features[requested == k]), *self.reference[k])
            for k in range(NUM_CLASSES)])
        worst = int(np.nanargmin(accuracy))
        return {"accuracy": requested_class_accuracy(logits, requested), "per_class_accuracy": accuracy,
                "confusion": confusion, "frechet": frechet, "mean_frechet": float(frechet.mean()),
                "worst_class": worst, "worst_accuracy": float(accuracy[worst]), "n": len(requested)}

    def set_untrained(self, images, requested) -> dict:
        """Score an untrained generator's images: the yardstick of a generator that knows nothing."""
        self.untrained = self.card(images, requested)
        return self.untrained

    def report(self, card: dict, label: str = "generator") -> str:
        """A table, class by class, of `card` beside real images and the untrained generator."""
        if self.untrained is None:
            raise ValueError("no untrained yardstick yet: call scorecard.set_untrained(images, requested) "
                             "with an untrained generator's images")
        real, untrained = self.real, self.untrained
        lines = [f"Per-class scorecard, {card['n'] // NUM_CLASSES} images per class, by the project's "
                 "classifier (not FID)",
                 f"{'':<12}{'requested-class accuracy':^36}{'Frechet distance (class features)':^36}",
                 f"{'class':<12}{label[:11]:>12}{'real test':>12}{'untrained':>12}"
                 f"{label[:11]:>12}{'floor':>12}{'ceiling':>12}"]
        for k, name in enumerate(CLASS_NAMES):
            lines.append(f"{name:<12}{card['per_class_accuracy'][k]:>12.1%}{real['per_class_accuracy'][k]:>12.1%}"
                         f"{untrained['per_class_accuracy'][k]:>12.1%}{card['frechet'][k]:>12.1f}"
                         f"{real['frechet'][k]:>12.1f}{untrained['frechet'][k]:>12.1f}")
        lines.append(f"{'all':<12}{card['accuracy']:>12.1%}{real['accuracy']:>12.1%}{untrained['accuracy']:>12.1%}"
                     f"{card['mean_frechet']:>12.1f}{real['mean_frechet']:>12.1f}{untrained['mean_frechet']:>12.1f}"
                     "  (mean)")
        lines.append(f"chance {CHANCE:.0%}; real test = held-out real test images (the ceiling of accuracy); "
                     "floor = real training images; ceiling = the untrained generator")
        lines.append(f"worst class: {CLASS_NAMES[card['worst_class']]} at {card['worst_accuracy']:.1%}")
        return "\n".join(lines)


def verdict(card: dict, overall: float, every_class: float | None = None) -> str:
    """'met' or 'not met' for the targets: requested-class accuracy >= overall, and each class >=
    every_class (when given), with the numbers."""
    checks = [("overall", card["accuracy"], overall)]
    if every_class is not None:
        worst = f"worst class ({CLASS_NAMES[card['worst_class']]})"
        checks.append((worst, card["worst_accuracy"], every_class))
    parts = [f"{what} {value:.1%} (target >= {target:.0%}): {'met' if value >= target else 'not met'}"
             for what, value, target in checks]
    return "; ".join(parts)


# ---- during training ---------------------------------------------------------------------------
def evaluator(scorer: image_quality.QualityScorer, seed: int = image_quality.EVAL_SEED):
    """evaluate(trainer) -> {requested_accuracy, worst_class_accuracy, frechet_distance} of scorer.n
    images of the classes in turn (Trainer(evaluate=...)); the Frechet distance against the
    scorer's real test images, all classes together."""
    def evaluate(trainer) -> dict:
        requested = np.arange(scorer.n, dtype=np.int32) % NUM_CLASSES
        features, logits = scorer.features_and_logits(trainer.generate(scorer.n, seed=seed, labels=requested))
        accuracy = per_class_accuracy(confusion_matrix(logits, requested))
        return {"requested_accuracy": requested_class_accuracy(logits, requested),
                "worst_class_accuracy": float(np.nanmin(accuracy)),
                "frechet_distance": image_quality.frechet_distance_from_moments(
                    *image_quality.moments(features), *scorer.reference_moments)}

    return evaluate


# ---- train on generated, test on real ----------------------------------------------------------
def train_classifier(images, labels, steps: int, batch_size: int = 64, learning_rate: float = 1e-3,
                     seed: int = 0) -> keras.Model:
    """The project's classifier architecture (image_quality.build_classifier), trained from scratch
    for `steps` Adam steps on images (uint8 or [-1, 1] floats) with labels (n,): batches drawn with
    replacement by a stateless RNG keyed by (seed, step), so the same seed gives the same model."""
    steps = validation.integer("steps", steps, 0)
    batch_size = validation.positive_integer("batch_size", batch_size)
    x = tf.constant(image_quality.as_classifier_input(images))  # (n, 28, 28, 1)
    y = tf.constant(np.asarray(labels, np.int32))
    if y.shape != (x.shape[0],):
        raise ValueError(f"need one label per image: {x.shape[0]} images, labels of shape {tuple(y.shape)}")
    classifier = image_quality.build_classifier(seed)
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(classifier.trainable_variables)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    count = x.shape[0]

    @tf.function
    def run(n):
        for step in tf.range(n, dtype=tf.int64):
            seed_pair = tf.stack([tf.constant(seed, tf.int64), step])
            indices = tf.random.stateless_uniform((batch_size,), seed_pair, 0, count, dtype=tf.int64)
            with tf.GradientTape() as tape:
                value = loss(tf.gather(y, indices), classifier(tf.gather(x, indices), training=True))
            gradients = tape.gradient(value, classifier.trainable_variables)
            optimizer.apply_gradients(zip(gradients, classifier.trainable_variables))

    if steps:
        run(tf.constant(steps, tf.int64))
    return classifier


def accuracy_on(classifier: keras.Model, images, labels, batch: int = 1000) -> float:
    """The share of images (uint8 or [-1, 1] floats) the classifier labels correctly (labels (n,))."""
    x = image_quality.as_classifier_input(images)
    logits = np.concatenate([classifier(x[i:i + batch], training=False).numpy()
                             for i in range(0, len(x), batch)])
    return requested_class_accuracy(logits, np.asarray(labels))


def classification_accuracy_score(generated, generated_labels, data: fashion_mnist.FashionMNIST,
                                  steps: int, test_images: int = 10000, batch_size: int = 64,
                                  seed: int = 0) -> dict:
    """Train on generated, test on real (Ravuri and Vinyals 2019): the classifier architecture
    trained only on `generated` images (n, 28, 28, 1) labelled by the classes asked for, and the
    same one (same steps, seed, batch) trained on as many real training images, with the same
    count per class; both tested on the first `test_images` real test images. Returns
    generated_accuracy, real_accuracy, share = generated / real, n, steps, test_images."""
    generated_labels = np.asarray(generated_labels, np.int32)
    test_images = validation.integer("test_images", test_images, 1, len(data.test_labels))
    counts = np.bincount(generated_labels, minlength=NUM_CLASSES)
    rng = np.random.default_rng(seed)
    real = np.sort(np.concatenate([rng.choice(np.flatnonzero(data.train_labels == k), counts[k],
                                              replace=False) for k in range(NUM_CLASSES)]))
    test_x, test_y = data.test_images[:test_images], data.test_labels[:test_images]
    on_generated = train_classifier(generated, generated_labels, steps, batch_size, seed=seed)
    on_real = train_classifier(data.train_images[real], data.train_labels[real], steps, batch_size, seed=seed)
    generated_accuracy = accuracy_on(on_generated, test_x, test_y)
    real_accuracy = accuracy_on(on_real, test_x, test_y)
    return {"generated_accuracy": generated_accuracy, "real_accuracy": real_accuracy,
            "share": generated_accuracy / real_accuracy, "n": int(len(generated_labels)), "steps": steps,
            "test_images": test_images, "chance": CHANCE}
