"""GAN losses from logits (D = sigmoid(logit)), in softplus form so they never overflow (lessons 01, 03-06).

log D = log sigmoid(l) = -softplus(-l) and log(1 - D) = log sigmoid(-l) = -softplus(l):
finite for any finite logit, where log(sigmoid(l)) underflows to -inf once sigmoid(l) rounds to 0.
"""

from __future__ import annotations

import tensorflow as tf


def discriminator_loss(real_logits, fake_logits, real_label: float = 1.0) -> tf.Tensor:
    """Binary cross-entropy: -E[log D(x)] - E[log(1 - D(G(z)))]; D maximises V, so minimises this.

    real_logits: (batch, 1) D's logits on real samples; fake_logits: (batch, 1) on generated ones.
    real_label < 1 is one-sided label smoothing (e.g. 0.9).
    """
    real_logits = tf.convert_to_tensor(real_logits, tf.float32)
    fake_logits = tf.convert_to_tensor(fake_logits, tf.float32)
    real_term = real_label * tf.nn.softplus(-real_logits) + (1.0 - real_label) * tf.nn.softplus(
        real_logits
    )
    return tf.reduce_mean(real_term) + tf.reduce_mean(tf.nn.softplus(fake_logits))


def minimax_generator_loss(fake_logits) -> tf.Tensor:
    """E[log(1 - D(G(z)))], which G minimises. Its gradient w.r.t. a logit is -D(G(z))/batch:
    it vanishes when D confidently rejects the fakes."""
    fake_logits = tf.convert_to_tensor(fake_logits, tf.float32)
    return -tf.reduce_mean(tf.nn.softplus(fake_logits))


def non_saturating_generator_loss(fake_logits) -> tf.Tensor:
    """-E[log D(G(z))], which G minimises. Gradient w.r.t. a logit: -(1 - D(G(z)))/batch,
    strongest when D rejects the fakes."""
    fake_logits = tf.convert_to_tensor(fake_logits, tf.float32)
    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


GENERATOR_LOSSES = {
    "non_saturating": non_saturating_generator_loss,
    "minimax": minimax_generator_loss,
}


def generator_loss(name: str):
    """The generator loss function called `name` (see GENERATOR_LOSSES)."""
    try:
        return GENERATOR_LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown generator loss {name!r}; choose one of {sorted(GENERATOR_LOSSES)}"
        ) from None
