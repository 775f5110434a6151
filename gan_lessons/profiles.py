"""Each lesson's settings under the three profiles: smoke (seconds, CI), lecture (the default:
minutes on a 2-core CPU), full (a GPU). Notebooks and tests read the same table."""

from __future__ import annotations

from types import MappingProxyType

PROFILES = ("smoke", "lecture", "full")

_SETTINGS = {
    "01": {
        "smoke": {"steps": 300, "eval_every": 100, "eval_samples": 500, "seeds": 1},
        "lecture": {"steps": 6000, "eval_every": 500, "eval_samples": 1000, "seeds": 3},
        # full: more seeds, not more steps. At a constant learning rate this toy does not improve
        # past ~6,000 steps (benchmarks/lesson01_schedules.py: worst W1/floor over 5 seeds 2.21 at
        # 6,000 steps, 2.44 at 20,000), and n stays 1,000 so the floor is the lecture's yardstick.
        "full": {"steps": 6000, "eval_every": 250, "eval_samples": 1000, "seeds": 5},
    },
    "02": {  # 1-D quadrature only: the profiles differ in resolution, not in what is shown
        "smoke": {"scan_points": 41, "map_points": 21, "perturbations": 50},
        "lecture": {"scan_points": 121, "map_points": 61, "perturbations": 200},
        "full": {"scan_points": 401, "map_points": 121, "perturbations": 1000},
    },
    "03": {  # MLP GAN on Fashion-MNIST; eval_samples is n for the quality score, floor and ceiling
        "smoke": {"steps": 300, "eval_every": 150, "eval_samples": 500},
        "lecture": {"steps": 12000, "eval_every": 1000, "eval_samples": 1000},
        "full": {"steps": 40000, "eval_every": 2000, "eval_samples": 2000},
    },
    "04": {  # DCGAN, the lecture model (dcgan.LECTURE) in every profile; full trains it longer
        "smoke": {"steps": 30, "eval_every": 15, "eval_samples": 500, "checkpoint_every": 15,
                  "frame_every": 10, "fresh_start": True,  # CI always trains, never resumes
                  "rerun_study": False, "memorisation_references": 2000},
        "lecture": {"steps": 4000, "eval_every": 400, "eval_samples": 1000, "checkpoint_every": 500,
                    "frame_every": 160, "fresh_start": False, "rerun_study": False,
                    "memorisation_references": 10000},
        "full": {"steps": 20000, "eval_every": 1000, "eval_samples": 1000, "checkpoint_every": 1000,
                 "frame_every": 500, "fresh_start": False, "rerun_study": True,
                 "memorisation_references": 60000},
    },
    "05": {  # live runs; the multi-seed study is loaded from data/ unless rerun_study
        "smoke": {"saturation_seeds": 1, "saturation_updates": 100, "steps": 100,
                  "eval_every": 50, "eval_samples": 300, "live_regimes": ("balanced",),
                  "dashboard_steps": 0, "rerun_study": False, "study_seeds": 5},
        "lecture": {"saturation_seeds": 5, "saturation_updates": 1000, "steps": 3000,
                    "eval_every": 500, "eval_samples": 1000,
                    "live_regimes": ("balanced", "strong_discriminator"),
                    "dashboard_steps": 1000, "rerun_study": False, "study_seeds": 5},
        "full": {"saturation_seeds": 5, "saturation_updates": 3000, "steps": 3000,
                 "eval_every": 500, "eval_samples": 1000,
                 "live_regimes": ("balanced", "strong_discriminator"),
                 "dashboard_steps": 3000, "rerun_study": True, "study_seeds": 10},
    },
    "06": {  # live single-seed runs (small MLPs); PacGAN's table is loaded from data/ unless rerun_study
        "smoke": {"steps": 300, "eval_every": 100, "eval_samples": 500, "dashboard_steps": 100,
                  "best_response_updates": 20, "image_samples": 500, "rerun_study": False, "study_seeds": 5},
        "lecture": {"steps": 3000, "eval_every": 250, "eval_samples": 2500, "dashboard_steps": 1500,
                    "best_response_updates": 200, "image_samples": 2000, "rerun_study": False,
                    "study_seeds": 5},
        "full": {"steps": 6000, "eval_every": 250, "eval_samples": 2500, "dashboard_steps": 6000,
                 "best_response_updates": 200, "image_samples": 5000, "rerun_study": True, "study_seeds": 5},
    },
    "07": {  # live single-seed toy runs; the multi-seed study is loaded from data/ unless rerun_study
        "smoke": {"pair_points": 21, "pair_shifts": (4.0,), "barrier_shift": 4.0, "pair_steps": 10,
                  "toy_steps": 20, "eval_every": 5, "track_samples": 100,
                  "image_steps": {"wgan_gp": 2, "dcgan": 4}, "image_evals": 2, "image_samples": 250,
                  "dashboard_steps": 0, "rerun_study": False, "study_seeds": 5},
        "lecture": {"pair_points": 81, "pair_shifts": (0.5, 1.0, 2.0, 4.0, 8.0, 16.0), "barrier_shift": 8.0,
                    "pair_steps": 200, "toy_steps": 800, "eval_every": 100, "track_samples": 1000,
                    "image_steps": {"wgan_gp": 200, "dcgan": 800}, "image_evals": 8,
                    "image_samples": 1000, "dashboard_steps": 300, "rerun_study": False, "study_seeds": 5},
        "full": {"pair_points": 201, "pair_shifts": (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0),
                 "barrier_shift": 8.0, "pair_steps": 400, "toy_steps": 3000, "eval_every": 100,
                 "track_samples": 1000, "image_steps": {"wgan_gp": 2000, "dcgan": 8000}, "image_evals": 20,
                 "image_samples": 1000, "dashboard_steps": 1000, "rerun_study": True, "study_seeds": 5},
    },
    "08": {  # the Dirac-GAN (numpy and autodiff) and live single-seed ring runs; the tricks and balance
        # studies are loaded from data/ unless rerun_study. steps: G steps of each live ring run
        "smoke": {"dirac_steps": 200, "steps": 60, "eval_every": 30, "eval_samples": 500,
                  "dashboard_steps": 30, "rerun_study": False, "study_seeds": 5, "balance_seeds": 3},
        "lecture": {"dirac_steps": 1000, "steps": 1500, "eval_every": 250, "eval_samples": 2500,
                    "dashboard_steps": 1000, "rerun_study": False, "study_seeds": 5, "balance_seeds": 3},
        "full": {"dirac_steps": 2000, "steps": 1500, "eval_every": 250, "eval_samples": 2500,
                 "dashboard_steps": 3000, "rerun_study": True, "study_seeds": 5, "balance_seeds": 3},
    },
    "09": {  # conditional DCGAN (conditional.LECTURE); each conditioning trained for `steps`, same seed;
        # per_class: images per class in the scorecard; cas_*: train on generated, test on real;
        # shipped_*: what scripts/train_conditional.py trains for the shipped generator, and how often
        # it evaluates and checkpoints
        "smoke": {"steps": 30, "eval_every": 30, "eval_samples": 200, "per_class": 20, "cas_images": 500,
                  "cas_steps": 20, "cas_test_images": 500, "memorisation_references": 1000,
                  "shipped_steps": 30, "shipped_eval_every": 15},
        "lecture": {"steps": 1500, "eval_every": 250, "eval_samples": 1000, "per_class": 100,
                    "cas_images": 5000, "cas_steps": 250, "cas_test_images": 2000,
                    "memorisation_references": 10000, "shipped_steps": 20000, "shipped_eval_every": 500},
        "full": {"steps": 12000, "eval_every": 1000, "eval_samples": 1000, "per_class": 300,
                 "cas_images": 20000, "cas_steps": 2000, "cas_test_images": 10000,
                 "memorisation_references": 60000, "shipped_steps": 20000, "shipped_eval_every": 500},
    },
}


def settings(lesson: str, profile: str) -> MappingProxyType:
    """The settings of `lesson` ("01", ...) under `profile` (read-only mapping)."""
    if lesson not in _SETTINGS:
        raise ValueError(f"unknown lesson {lesson!r}; known: {sorted(_SETTINGS)}")
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {PROFILES}")
    return MappingProxyType(dict(_SETTINGS[lesson][profile]))
