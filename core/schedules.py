"""Which inner-step counts the panels draw and the held-out panel measures: plain integers, shared
by the trainer (core.snapshots) and the window (which lays out its plots by them without torch)."""
from __future__ import annotations

EVAL_STEPS = 10  # the held-out panel shows every step up to here, then a 1-2-5 sequence up to N


def step_schedule(n: int) -> tuple[int, ...]:
    """The step counts drawn for N display steps: every step while N <= 10, else before, then
    1, 10, 100, ... below N, and N (0, 1, 10, 100, 500 for N = 500): a few curves that read apart."""
    if n <= 10:
        return tuple(range(n + 1))
    picks = [0]
    p = 1
    while p < n:
        picks.append(p)
        p *= 10
    return (*picks, n)


def eval_steps(n: int) -> tuple[int, ...]:
    """Where the held-out panel measures for N display steps: 0..10, then 20, 50, 100, 200, ... and N."""
    steps = list(range(EVAL_STEPS + 1))
    mag = 10
    while steps[-1] < n:
        for m in (2, 5, 10):
            if m * mag < n:
                steps.append(m * mag)
        mag *= 10
        if mag >= n:
            steps.append(n)
    return tuple(steps)
