"""Reference meta-gradients: the two ways most MAML code computes them.

- `loop_meta_grad`: a plain Python loop over tasks with autograd.grad(create_graph=True),
  the baseline of `bench` and the unrolled reference of the tests;
- `vmap_meta_grad`: torch.func grad inside vmap, the functional style of the torch.func
  MAML example.
Both use the models' generic `forward` and autograd only, never the hand-written
`loss_grad`, so they check it independently.
"""
from __future__ import annotations

import torch
from torch.func import grad, vmap

from core.models import Params
from core.tasks import TaskBatch


def _forward1(model, params: Params, x: torch.Tensor) -> torch.Tensor:
    """One task: unbatched params and x of shape (N,)."""
    return model.forward({k: v.unsqueeze(0) for k, v in params.items()}, x.unsqueeze(0)).squeeze(0)


def loop_meta_loss(model, params: Params, batch: TaskBatch, lr: float, steps: int,
                   first_order: bool = False) -> torch.Tensor:
    """Mean query loss after adaptation, one task at a time, differentiable in params."""
    names = list(params)
    losses = []
    for t in range(len(batch)):
        fast = dict(params)
        for _ in range(steps):
            inner = ((_forward1(model, fast, batch.xs[t]) - batch.ys[t]) ** 2).mean()
            gs = torch.autograd.grad(inner, [fast[k] for k in names], create_graph=not first_order)
            fast = {k: fast[k] - lr * (g.detach() if first_order else g) for k, g in zip(names, gs)}
        losses.append(((_forward1(model, fast, batch.xq[t]) - batch.yq[t]) ** 2).mean())
    return torch.stack(losses).mean()


def loop_meta_grad(model, params: Params, batch: TaskBatch, lr: float, steps: int,
                   first_order: bool = False) -> Params:
    leaves = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    loss = loop_meta_loss(model, leaves, batch, lr, steps, first_order)
    return dict(zip(leaves, torch.autograd.grad(loss, list(leaves.values()))))


def vmap_meta_loss(model, params: Params, batch: TaskBatch, lr: float, steps: int) -> torch.Tensor:
    """The same, with torch.func: grad for the inner step, vmap over the tasks."""

    def inner_loss(p, x, y):
        return ((_forward1(model, p, x) - y) ** 2).mean()

    def task_loss(p, xs, ys, xq, yq):
        for _ in range(steps):
            g = grad(inner_loss)(p, xs, ys)
            p = {k: p[k] - lr * g[k] for k in p}
        return inner_loss(p, xq, yq)

    return vmap(task_loss, in_dims=(None, 0, 0, 0, 0))(params, batch.xs, batch.ys, batch.xq, batch.yq).mean()


def vmap_meta_grad(model, params: Params, batch: TaskBatch, lr: float, steps: int) -> Params:
    leaves = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    loss = vmap_meta_loss(model, leaves, batch, lr, steps)
    return dict(zip(leaves, torch.autograd.grad(loss, list(leaves.values()))))
