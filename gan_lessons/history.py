"""A training run's record (lessons 01-09): per-step metrics and evaluations at intervals."""

from __future__ import annotations

import math

import numpy as np


class History:
    """Per-step metrics (lists of floats, one entry per step) and evaluations at intervals."""

    def __init__(self):
        self.steps: list[int] = []
        self.metrics: dict[str, list[float]] = {}
        self.evaluations: list[dict] = []

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, name) -> np.ndarray:
        return np.asarray(self.metrics[name])

    def extend(self, first_step: int, chunk: dict[str, np.ndarray]):
        """Append a chunk of per-step metrics. A metric that appears mid-run (a penalty switched on)
        reads NaN for the steps before; one that stops (switched off) reads NaN from then on, so
        every metric keeps one value per step."""
        n = len(next(iter(chunk.values())))
        before = len(self.steps)
        self.steps.extend(range(first_step, first_step + n))
        for name, values in chunk.items():
            self.metrics.setdefault(name, [math.nan] * before).extend(np.asarray(values).tolist())
        for name, values in self.metrics.items():
            if name not in chunk:
                values.extend([math.nan] * n)

    def evaluation_table(self) -> dict[str, np.ndarray]:
        """Evaluations as columns: {"step": (m,), metric: (m,), ...}."""
        if not self.evaluations:
            return {}
        return {k: np.array([e[k] for e in self.evaluations]) for k in self.evaluations[0]}

    def smoothed(self, name: str, window: int = 50) -> np.ndarray:
        """Trailing running mean of a metric over `window` steps (shorter windows at the start)."""
        values = self[name]
        cumulative = np.concatenate([[0.0], np.cumsum(values)])
        ends = np.arange(1, len(values) + 1)
        starts = np.maximum(0, ends - window)
        return (cumulative[ends] - cumulative[starts]) / (ends - starts)
