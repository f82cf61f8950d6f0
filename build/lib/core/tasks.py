"""Task families and seedable, batched samplers.

A *task* is a function x -> y; a *task batch* holds T tasks at once as tensors of
shape (T, N) so that every algorithm runs over the meta-batch without a Python loop.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

TWO_PI = 2 * math.pi


@dataclass(frozen=True)
class Family:
    """One task family: y = f(x; a, b) with (a, b) drawn uniformly."""

    name: str
    a_range: tuple[float, float]  # first task parameter (amplitude, slope)
    b_range: tuple[float, float]  # second task parameter (phase, intercept)
    x_range: tuple[float, float]  # inputs are drawn (and evaluated) here
    grid_support: bool = False  # support x evenly spaced over x_range (the article) instead of uniform
    endpoint: bool = True  # whether the evaluation grid includes x_range's upper end
    label: str = ""

    def f(self, a: torch.Tensor, b: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """The family's formula; a, b broadcast against x."""
        if self.name == "sinusoid":
            return a * torch.sin(x - b)
        if self.name == "sine-ab":
            return a * torch.sin(x + b)
        if self.name == "linear":
            return a * x + b
        raise ValueError(f"unknown family {self.name!r}")

    def grid(self, n: int = 100, device="cpu") -> torch.Tensor:
        """n evenly spaced x over the family's range (the evaluation grid)."""
        lo, hi = self.x_range
        if self.endpoint:
            return torch.linspace(lo, hi, n, device=device)
        return lo + (hi - lo) * torch.arange(n, device=device) / n


FAMILIES: dict[str, Family] = {
    # Finn et al. 2017: y = A sin(x - phi), A ~ U[0.1, 5], phi ~ U[0, pi], x ~ U[-5, 5].
    "sinusoid": Family("sinusoid", (0.1, 5.0), (0.0, math.pi), (-5.0, 5.0), label="A·sin(x − φ)"),
    # The reference article: y = a sin(x + b), a, b ~ U(0, 2), 10 evenly spaced x in [0, 2 pi).
    "sine-ab": Family("sine-ab", (0.0, 2.0), (0.0, 2.0), (0.0, TWO_PI), grid_support=True,
                      endpoint=False, label="a·sin(x + b)"),
    # y = a x + b: a, b ~ U(0, 2) as in the article's sine example, over the paper's x in [-5, 5]
    # (|y| <= 12, the order of the sinusoids, so one learning rate suits both).
    "linear": Family("linear", (0.0, 2.0), (0.0, 2.0), (-5.0, 5.0), label="a·x + b"),
}


def get_family(name: str) -> Family:
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown task family {name!r}; choose from {', '.join(FAMILIES)}") from None


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
