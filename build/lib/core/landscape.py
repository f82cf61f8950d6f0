"""The two-parameter model seen whole: a task's loss over (a, b) and paths across it.

With only two numbers to learn, the whole picture fits in one heatmap: the support loss
of the current task at every (a, b), where the meta-initialisation sits, and the inner
steps taken from it and from a random initialisation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.models import Params, TwoParam, mse


@dataclass
class Surface:
    a: np.ndarray  # (G,) grid over the first parameter
    b: np.ndarray  # (G,) grid over the second
    loss: np.ndarray  # (G, G): loss[i, j] at (a[i], b[j])


def view_box(family, points: list[tuple[float, float]], pad: float = 0.15) -> tuple[tuple[float, float], ...]:
    """A box holding the family's parameter ranges and every given (a, b), with a margin."""
    a_lo, a_hi = family.a_range
    b_lo, b_hi = family.b_range
    for a, b in points:
        if np.isfinite(a) and np.isfinite(b):
            a_lo, a_hi, b_lo, b_hi = min(a_lo, a), max(a_hi, a), min(b_lo, b), max(b_hi, b)
    da, db = (a_hi - a_lo) * pad + 1e-3, (b_hi - b_lo) * pad + 1e-3
    return (a_lo - da, a_hi + da), (b_lo - db, b_hi + db)


@torch.no_grad()
def loss_surface(model: TwoParam, xs: torch.Tensor, ys: torch.Tensor, a_range, b_range, n: int = 120) -> Surface:
    """Support MSE of the task (xs, ys) on an n x n grid, in one batched call."""
    a = torch.linspace(*a_range, n, dtype=xs.dtype, device=xs.device)
    b = torch.linspace(*b_range, n, dtype=xs.dtype, device=xs.device)
    A, B = torch.meshgrid(a, b, indexing="ij")
    params: Params = {"a": A.reshape(-1), "b": B.reshape(-1)}
    m = xs.numel()
    loss = mse(model, params, xs.reshape(1, m).expand(n * n, m), ys.reshape(1, m).expand(n * n, m))
    return Surface(a.cpu().numpy(), b.cpu().numpy(), loss.reshape(n, n).cpu().numpy())


def path_points(path: list[Params]) -> np.ndarray:
    """(steps + 1, 2) array of (a, b) along an adaptation path of one task."""
    return np.array([[float(p["a"].reshape(-1)[0]), float(p["b"].reshape(-1)[0])] for p in path])
