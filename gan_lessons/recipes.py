"""Lesson 01's (and 05's) ready-made curve GAN, shared by notebooks, tests and benchmarks."""

from __future__ import annotations

from gan_lessons import models, toy, toy_metrics, training


def curve_trainer(seed: int = 0, hidden=(128, 128), batch_size: int = 256,
                  learning_rate: float = 5e-4, objective: str = "non_saturating",
                  d_steps: int = 1, latent_dim: int = 2, eval_samples: int = 1000,
                  curve: toy.QuadraticCurve | None = None, scaler: toy.Scaler | None = None,
                  **config) -> training.Trainer:
    """Lesson 01's GAN: MLPs on the quadratic curve, trained in standardised units (or in the
    units `scaler` maps to), evaluated by W1 (training units) against the real-vs-real floor and
    the median residual (data units)."""
    curve = curve or toy.QuadraticCurve()
    scaler = scaler or curve.scaler()
    sample_real = toy.curve_sampler(curve, scaler)
    hidden = tuple(hidden)
    generator = models.mlp_generator(latent_dim=latent_dim, hidden=hidden, seed=seed)
    discriminator = models.mlp_discriminator(hidden=hidden, feature_dim=2, seed=seed + 1000)
    evaluate = toy_metrics.toy_evaluator(sample_real, n=eval_samples, residual=curve.residual,
                                         to_data_units=scaler.inverse_transform, coverage=curve.coverage)
    config = {"d_learning_rate": learning_rate, "g_learning_rate": learning_rate,
              "track_features": True, **config}  # config may set either learning rate alone
    settings = training.TrainConfig(seed=seed, batch_size=batch_size, objective=objective,
                                    d_steps=d_steps, **config)
    return training.Trainer(generator, discriminator, sample_real, settings, evaluate=evaluate)
