"""Each lesson's settings under the three profiles: smoke (seconds, CI), lecture (the default:
minutes on a 2-core CPU), full (a GPU). Notebooks and tests read the same table."""

from __future__ import annotations

from types import MappingProxyType

PROFILES = ("smoke", "lecture", "full")

_SETTINGS = {
    "01": {
        "smoke": {"steps": 300, "eval_every": 100, "eval_samples": 500, "seeds": 1},
        "lecture": {"steps": 6000, "eval_every": 500, "eval_samples": 1000, "seeds": 3},
        "full": {"steps": 20000, "eval_every": 1000, "eval_samples": 2000, "seeds": 5},
    },
}


def settings(lesson: str, profile: str) -> MappingProxyType:
    """The settings of `lesson` ("01", ...) under `profile` (read-only mapping)."""
    if lesson not in _SETTINGS:
        raise ValueError(f"unknown lesson {lesson!r}; known: {sorted(_SETTINGS)}")
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {PROFILES}")
    return MappingProxyType(dict(_SETTINGS[lesson][profile]))
