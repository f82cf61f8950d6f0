"""The paper's evaluation protocol and the two baselines it compares against.

Held-out tasks (fixed seed), K support points, SGD fine-tuning for 0..S steps, MSE on 100
evenly spaced x over the family's range; per step the mean, a 95% confidence interval,
the median and how many tasks diverged. Mean, CI and median are over the tasks that did
not diverge (non-finite or MSE > 100), so one blow-up cannot hide the rest; the count says
how many were left out.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core import optim
from core.algorithms import adapt
from core.models import Params, expand, mse
from core.tasks import Family, TaskBatch, sample_batch

DIVERGED = 100.0  # an MSE above this (or non-finite) counts as diverged
Z95 = 1.959963984540054  # the normal quantile for a two-sided 95% interval


@dataclass
class EvalResult:
    steps: list[int]
    mean: list[float]
    ci95: list[float]
    median: list[float]
    diverged: list[int]

    def as_dict(self) -> dict:
        return {"mean": self.mean, "ci95": self.ci95, "median": self.median, "diverged": self.diverged}


def heldout_tasks(family: Family, n: int, shots: int, seed: int = 1234, device="cpu",
                  grid_points: int = 100) -> TaskBatch:
    """n tasks with K support points; the query set is the family's evaluation grid."""
    gen = torch.Generator(device=device).manual_seed(seed)
    tasks = sample_batch(family, n, shots, 1, gen=gen, device=device)
    grid = family.grid(grid_points, device=device).expand(n, grid_points)
    yq = family.f(tasks.a[:, None], tasks.b[:, None], grid)
    return TaskBatch(tasks.xs, tasks.ys, grid, yq, tasks.a, tasks.b)


@torch.no_grad()
def mse_by_step(model, params: Params, tasks: TaskBatch, lr, steps: int) -> torch.Tensor:
    """(steps + 1, n) query MSE of each task after 0..steps SGD steps from params."""
    p = expand(params, len(tasks))
    out = [mse(model, p, tasks.xq, tasks.yq)]
    for _ in range(steps):
        p = adapt(model, p, tasks.xs, tasks.ys, lr, 1)
        out.append(mse(model, p, tasks.xq, tasks.yq))
    return torch.stack(out)


def ci95(values: np.ndarray) -> float:
    """Half-width of the normal 95% interval of the mean: 1.96 * sample std (ddof=1) / sqrt(n)."""
    n = len(values)
    if n < 2:
        return float("nan")
    return float(Z95 * np.std(values, ddof=1) / np.sqrt(n))


def summarize(errors: np.ndarray) -> EvalResult:
    """Per-step statistics of a (steps + 1, n) array of per-task MSEs."""
    rows = []
    for row in np.asarray(errors, dtype=np.float64):
        ok = np.isfinite(row) & (row <= DIVERGED)
        kept = row[ok]
        rows.append((float(kept.mean()) if kept.size else float("nan"), ci95(kept),
                     float(np.median(kept)) if kept.size else float("nan"), int((~ok).sum())))
    mean, ci, med, div = (list(c) for c in zip(*rows))
    return EvalResult(list(range(len(rows))), mean, ci, med, div)


def evaluate(model, params: Params, tasks: TaskBatch, lr, steps: int) -> EvalResult:
    return summarize(mse_by_step(model, params, tasks, lr, steps).cpu().numpy())


class Pretrainer:
    """The 'pretrained' baseline: one model fitted by plain regression to samples from all tasks.

    It learns the family's average function; fine-tuning then starts from there. Uses the
    models' closed-form gradients, so it needs no autograd. `advance(n)` runs n more Adam
    steps with the same optimiser state, so the live trainer can fit it a chunk at a time.
    """

    def __init__(self, model, family: Family, batch: int = 25, shots: int = 10, lr: float = 1e-3,
                 gen: torch.Generator | None = None, device="cpu", params: Params | None = None):
        self.model, self.family, self.batch, self.shots = model, family, batch, shots
        self.gen, self.device = gen, device
        self.params = {k: v.detach().clone() for k, v in (params or model.init(gen, device)).items()}
        self.opt = optim.Adam(list(self.params.values()), lr=lr)

    @torch.no_grad()
    def advance(self, iterations: int) -> Params:
        for _ in range(iterations):
            tasks = sample_batch(self.family, self.batch, self.shots, 0, gen=self.gen, device=self.device)
            _, g = self.model.loss_grad(expand(self.params, self.batch), tasks.xs, tasks.ys)
            for k, v in self.params.items():
                v.grad = g[k].mean(0)
            self.opt.step()
        return {k: v.clone() for k, v in self.params.items()}


def pretrain(model, family: Family, iterations: int = 2000, batch: int = 25, shots: int = 10,
             lr: float = 1e-3, gen: torch.Generator | None = None, device="cpu",
             params: Params | None = None) -> Params:
    """Fit the pretrained baseline in one go (see Pretrainer)."""
    return Pretrainer(model, family, batch, shots, lr, gen, device, params).advance(iterations)
