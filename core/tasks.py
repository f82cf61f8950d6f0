"""Seedable, batched task samplers over the families (core.families).

A *task* is a function x -> y; a *task batch* holds T tasks at once as tensors of
shape (T, N) so that every algorithm runs over the meta-batch without a Python loop.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from core.families import FAMILIES, Family, get_family

__all__ = ["FAMILIES", "Family", "PointsTask", "TaskBatch", "get_family", "interp", "sample_batch", "sample_params",
           "sample_x"]  # the families' plain data (core.families) is re-exported for the trainer's side


@dataclass
class TaskBatch:
    """T tasks: support (xs, ys) of K points, query (xq, yq), and each task's (a, b)."""

    xs: torch.Tensor  # (T, K)
    ys: torch.Tensor
    xq: torch.Tensor  # (T, Q)
    yq: torch.Tensor
    a: torch.Tensor  # (T,)
    b: torch.Tensor

    def __len__(self) -> int:
        return self.xs.shape[0]


def _uniform(lo_hi, shape, gen, device):
    lo, hi = lo_hi
    return lo + (hi - lo) * torch.rand(shape, generator=gen, device=device)


def sample_params(family: Family, n: int, gen: torch.Generator | None = None, device="cpu"):
    """Draw n tasks' (a, b)."""
    return _uniform(family.a_range, (n,), gen, device), _uniform(family.b_range, (n,), gen, device)


def sample_x(family: Family, n: int, k: int, gen: torch.Generator | None = None, device="cpu",
             support: bool = True) -> torch.Tensor:
    """Inputs for n tasks of k points: the article's grid for its support sets, else uniform."""
    if support and family.grid_support:
        return family.grid(k, device=device).expand(n, k).clone()
    return _uniform(family.x_range, (n, k), gen, device)


def sample_batch(family: Family, n: int, k_support: int, k_query: int | None = None,
                 gen: torch.Generator | None = None, device="cpu") -> TaskBatch:
    """n fresh tasks with k_support support and k_query (default k_support) query points each."""
    k_query = k_support if k_query is None else k_query
    a, b = sample_params(family, n, gen, device)
    xs = sample_x(family, n, k_support, gen, device, support=True)
    xq = sample_x(family, n, k_query, gen, device, support=False)
    a_, b_ = a[:, None], b[:, None]
    return TaskBatch(xs, family.f(a_, b_, xs), xq, family.f(a_, b_, xq), a, b)


@dataclass
class PointsTask:
    """A task given by the user: support points and, optionally, a target curve (drawn or known).

    The target, when given, is sampled on `target_x` and linearly interpolated elsewhere;
    support points can be drawn from it.
    """

    xs: torch.Tensor  # (K,)
    ys: torch.Tensor
    target_x: torch.Tensor | None = None  # (M,), increasing
    target_y: torch.Tensor | None = None

    def target(self, x: torch.Tensor) -> torch.Tensor | None:
        if self.target_x is None or self.target_y is None:
            return None
        return interp(x, self.target_x, self.target_y)

    def sample_support(self, k: int, gen: torch.Generator | None = None) -> PointsTask:
        """k support points drawn uniformly on the target's x span."""
        if self.target_x is None:
            raise ValueError("no target curve to sample from")
        lo, hi = float(self.target_x[0]), float(self.target_x[-1])
        xs = _uniform((lo, hi), (k,), gen, self.target_x.device)
        return PointsTask(xs, self.target(xs), self.target_x, self.target_y)


def interp(x: torch.Tensor, xp: torch.Tensor, fp: torch.Tensor) -> torch.Tensor:
    """numpy.interp for torch: piecewise linear through (xp, fp), constant beyond the ends."""
    idx = torch.searchsorted(xp, x.clamp(xp[0], xp[-1])).clamp(1, len(xp) - 1)
    x0, x1, y0, y1 = xp[idx - 1], xp[idx], fp[idx - 1], fp[idx]
    w = ((x.clamp(xp[0], xp[-1]) - x0) / (x1 - x0).clamp_min(1e-12))
    return y0 + w * (y1 - y0)
