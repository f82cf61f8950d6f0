"""Histories in bounded memory: the meta-loss per iteration, and small per-chunk series (an
algorithm's telemetry such as Alpha MAML's learned rates, the two-scalar init's trail). When
full they keep every other row, so hours of training cost the same few MB as minutes, with old
iterations at falling resolution (Python lists grew 2.4 MB a minute)."""
from __future__ import annotations

import math

import numpy as np


class LossHistory:
    """Meta-loss per iteration: raw, smoothed, and a compared algorithm's smoothed loss."""

    COLUMNS = ("iters", "raw", "smooth", "rival")

    def __init__(self, capacity: int = 60_000):
        self.capacity, self.n = capacity, 0
        self.data = np.zeros((len(self.COLUMNS), capacity))
        self.stride, self._skip = 1, 0  # keep one iteration in `stride` once compacted

    def add(self, iteration: int, raw: float, rival: float = 0.0, alpha: float = 0.02) -> None:
        self.latest = raw
        prev = self.data[2, self.n - 1] if self.n else raw
        prev_rival = self.data[3, self.n - 1] if self.n else rival
        smooth, rival_smooth = (1 - alpha) * prev + alpha * raw, (1 - alpha) * prev_rival + alpha * rival
        self._skip += 1
        if self._skip < self.stride:  # the smoothed values still see every iteration
            self.data[2:, self.n - 1] = smooth, rival_smooth
            return
        self._skip = 0
        if self.n == self.capacity:
            half = self.data[:, ::2].copy()
            self.n = half.shape[1]
            self.data[:, :self.n] = half
            self.stride *= 2
        self.data[:, self.n] = iteration, raw, smooth, rival_smooth
        self.n += 1

    def column(self, name: str, max_points: int) -> np.ndarray:
        step = max(1, math.ceil(self.n / max_points))
        return self.data[self.COLUMNS.index(name), :self.n:step].copy()

    @property
    def last(self) -> float:
        """The latest meta-loss (kept row or not)."""
        return self.latest if self.n else float("nan")


class Series:
    """Named float columns recorded once per chunk, halved when full."""

    def __init__(self, capacity: int = 60_000):
        self.capacity = capacity
        self.rows: dict[str, list[float]] = {}

    def add(self, **values: float) -> None:
        for k, v in values.items():
            self.rows.setdefault(k, []).append(float(v))
        if any(len(v) > self.capacity for v in self.rows.values()):
            self.rows = {k: v[::2] for k, v in self.rows.items()}

    def __len__(self) -> int:
        return max((len(v) for v in self.rows.values()), default=0)

    def arrays(self, max_points: int) -> dict[str, np.ndarray]:
        step = max(1, math.ceil(len(self) / max_points))
        return {k: np.array(v[::step], dtype=np.float64) for k, v in self.rows.items()}
