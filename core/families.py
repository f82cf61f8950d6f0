"""The task families as plain data: their ranges, labels and formulas, without torch.

The window reads these before (and without) torch: a family's ranges fix the panels' axes and
its formula draws the true curve from numpy arrays. core.tasks samples torch batches from them.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.words import QT_TR_NOOP

TWO_PI = 2 * math.pi


def _sin(v):
    """A tensor's own sine keeps its device and graph; numpy's serves arrays and floats."""
    return v.sin() if hasattr(v, "sin") else np.sin(v)


def _sinusoid(a, b, x):
    return a * _sin(x - b)


def _sine_ab(a, b, x):
    return a * _sin(x + b)


def _linear(a, b, x):
    return a * x + b


@dataclass(frozen=True)
class Family:
    """One task family: y = f(x; a, b) with (a, b) drawn uniformly."""

    name: str
    formula: Callable  # (a, b, x) -> y, for torch tensors, numpy arrays or floats alike
    a_range: tuple[float, float]  # first task parameter (amplitude, slope)
    b_range: tuple[float, float]  # second task parameter (phase, intercept)
    x_range: tuple[float, float]  # inputs are drawn (and evaluated) here
    grid_support: bool = False  # support x evenly spaced over x_range (the article) instead of uniform
    endpoint: bool = True  # whether the evaluation grid includes x_range's upper end
    label: str = ""  # the formula, as the window writes it
    title: str = ""  # the family's name for people (translated in the window); `name` is for files and the CLI

    def f(self, a, b, x):
        """The family's formula; a, b broadcast against x (tensors stay tensors, arrays arrays)."""
        return self.formula(a, b, x)

    def grid(self, n: int = 100, device="cpu"):
        """n evenly spaced x over the family's range (the evaluation grid), a float32 tensor."""
        import torch  # the trainer's side only: the window uses `points`

        lo, hi = self.x_range
        if self.endpoint:
            return torch.linspace(lo, hi, n, device=device)
        return lo + (hi - lo) * torch.arange(n, device=device) / n

    def points(self, n: int) -> np.ndarray:
        """The same n x as `grid`, in float64 numpy (the window's side: drawing, display tasks)."""
        lo, hi = self.x_range
        if self.endpoint:
            return np.linspace(lo, hi, n)
        return lo + (hi - lo) * np.arange(n) / n


FAMILIES: dict[str, Family] = {
    # Finn et al. 2017: y = A sin(x - phi), A ~ U[0.1, 5], phi ~ U[0, pi], x ~ U[-5, 5].
    "sinusoid": Family("sinusoid", _sinusoid, (0.1, 5.0), (0.0, math.pi), (-5.0, 5.0), label="A·sin(x − φ)",
                     title=QT_TR_NOOP("sinusoid")),
    # The reference article: y = a sin(x + b), a, b ~ U(0, 2), 10 evenly spaced x in [0, 2 pi).
    "sine-ab": Family("sine-ab", _sine_ab, (0.0, 2.0), (0.0, 2.0), (0.0, TWO_PI), grid_support=True,
                      endpoint=False, label="a·sin(x + b)", title=QT_TR_NOOP("sine-ab")),
    # y = a x + b: a, b ~ U(0, 2) as in the article's sine example, over the paper's x in [-5, 5]
    # (|y| <= 12, the order of the sinusoids, so one learning rate suits both).
    "linear": Family("linear", _linear, (0.0, 2.0), (0.0, 2.0), (-5.0, 5.0), label="a·x + b",
                     title=QT_TR_NOOP("linear")),
}


def get_family(name: str) -> Family:
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown task family {name!r}; choose from {', '.join(FAMILIES)}") from None
