"""What the viewer gets: timer ticks, repaints that showed a new snapshot, and how long those took.

A timer tick is not a frame: most ticks find no new snapshot and paint nothing. `draws` counts
the repaints that showed a new snapshot; `draw_ms` is the time from the tick that took it to the
end of the window's repaint (plot updates, layout and painting together).
"""
from __future__ import annotations

import time
from collections import deque

import numpy as np


def _percentiles(values_ms) -> dict:
    ms = np.array(values_ms) if len(values_ms) else np.array([np.nan])
    return {"p50": round(float(np.percentile(ms, 50)), 2), "p99": round(float(np.percentile(ms, 99)), 2),
            "max": round(float(np.max(ms)), 2)}


class FrameStats:
    """Tick intervals (a long one means the GUI thread was blocked: a stutter), draws, repaint times."""

    def __init__(self):
        self.intervals: deque[float] = deque(maxlen=200_000)  # seconds between ticks (bounded: hours of use)
        self.draw_ms: deque[float] = deque(maxlen=200_000)
        self.frames = 0  # timer ticks
        self.draws = 0  # repaints that showed a new snapshot
        self.taken = 0  # snapshots taken (a draw not yet painted is counted here first)
        self._last: float | None = None
        self._recent: deque[float] = deque()  # repaint ends in the last second, for the fps readout

    def tick(self) -> float:
        now = time.perf_counter()
        if self._last is not None:
            self.intervals.append(now - self._last)
        self._last = now
        self.frames += 1
        return now

    def drew(self) -> None:
        """A snapshot was taken and handed to the plots; its repaint follows (`painted`)."""
        self.taken += 1

    def painted(self, began: float, ended: float) -> None:
        """The repaint showing the snapshot taken at `began` ended at `ended`."""
        self.draws += 1
        self.draw_ms.append((ended - began) * 1000)
        self._recent.append(ended)
        while self._recent and ended - self._recent[0] > 1.0:
            self._recent.popleft()

    def fps(self) -> float:
        """Repaints with a new snapshot in the last second."""
        return float(len(self._recent))

    def summary(self) -> dict:
        ticks = _percentiles([i * 1000 for i in self.intervals])
        draws = _percentiles(self.draw_ms)
        return {"frames": self.frames, "draws": self.draws, "snapshots_taken": self.taken,
                "frame_ms_p50": ticks["p50"], "frame_ms_p99": ticks["p99"], "frame_ms_max": ticks["max"],
                "draw_ms_p50": draws["p50"], "draw_ms_p99": draws["p99"], "draw_ms_max": draws["max"]}
