"""Frame timing: intervals between GUI frames (timer ticks) and how many drew something."""
from __future__ import annotations

import time

import numpy as np


class FrameStats:
    """Records the interval between successive frames. A long interval means the GUI thread
    was blocked (drawing, layout, or waiting for the interpreter lock), which is what a
    viewer sees as a stutter."""

    def __init__(self):
        self.intervals: list[float] = []  # seconds
        self.frames = 0  # timer ticks
        self.draws = 0  # ticks that drew a new snapshot
        self._last: float | None = None
        self._recent: list[float] = []  # draw times of the last second, for the fps readout

    def tick(self) -> float:
        now = time.perf_counter()
        if self._last is not None:
            self.intervals.append(now - self._last)
        self._last = now
        self.frames += 1
        return now

    def drew(self, now: float) -> None:
        self.draws += 1
        self._recent.append(now)
        while self._recent and now - self._recent[0] > 1.0:
            self._recent.pop(0)

    def fps(self) -> float:
        return float(len(self._recent))

    def summary(self) -> dict:
        ms = np.array(self.intervals) * 1000 if self.intervals else np.array([np.nan])
        return {"frames": self.frames, "draws": self.draws,
                "frame_ms_p50": round(float(np.percentile(ms, 50)), 2),
                "frame_ms_p99": round(float(np.percentile(ms, 99)), 2),
                "frame_ms_max": round(float(np.max(ms)), 2)}
