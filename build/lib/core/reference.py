"""Reference meta-gradients: the ways most MAML code computes them.

- `loop_meta_grad`: a plain Python loop over tasks with autograd.grad(create_graph=True),
  the unrolled reference of the tests (any model: it goes through `model.forward`);
- `vmap_meta_grad`: torch.func grad inside vmap, the functional style of the torch.func
  MAML example;
- `lean_meta_loss`, `lean_reptile_grad`: the loop as MAML code writes it for an MLP, a list
  of weight tensors through F.linear and relu, nothing else per task: `bench`'s baselines.
All use autograd only, never the hand-written `loss_grad`, so they check it independently.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
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


# ---- the lean loop: an MLP as a list [w1, b1, w2, b2, ...], one task at a time ----------------
def lean_forward(weights: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The MLP on one task's inputs (N, 1): F.linear per layer, relu between layers."""
    for i in range(0, len(weights) - 2, 2):
        x = torch.relu(F.linear(x, weights[i], weights[i + 1]))
    return F.linear(x, weights[-2], weights[-1])


def lean_adapt(weights: list[torch.Tensor], x: torch.Tensor, y: torch.Tensor, lr: float, steps: int,
               create_graph: bool) -> list[torch.Tensor]:
    """SGD on one task. Without create_graph the inner gradients are constants (first order)."""
    for _ in range(steps):
        grads = torch.autograd.grad(F.mse_loss(lean_forward(weights, x), y), weights, create_graph=create_graph)
        weights = [w - lr * g for w, g in zip(weights, grads)]
    return weights


def _task(batch: TaskBatch, t: int):
    """Task t's support and query sets as (N, 1) columns, the shape F.linear expects."""
    return (batch.xs[t, :, None], batch.ys[t, :, None]), (batch.xq[t, :, None], batch.yq[t, :, None])


def lean_meta_loss(weights: list[torch.Tensor], batch: TaskBatch, lr: float, steps: int,
                   first_order: bool = False) -> torch.Tensor:
    """Mean query loss after adaptation, summed task by task, for one backward.

    Second order: the inner steps keep their graph (MAML). First order: they do not, so the
    backward gives each task's query gradient at its adapted weights, applied to the init (FOMAML).
    """
    total = 0.0
    for t in range(len(batch)):
        (xs, ys), (xq, yq) = _task(batch, t)
        fast = lean_adapt(weights, xs, ys, lr, steps, create_graph=not first_order)
        total = total + F.mse_loss(lean_forward(fast, xq), yq)
    return total / len(batch)


def lean_reptile_grad(weights: list[torch.Tensor], batch: TaskBatch, lr: float, steps: int):
    """Reptile's pseudo-gradient theta - mean_t(phi_t), one task at a time, and the mean query loss."""
    phi_sum = [torch.zeros_like(w) for w in weights]
    loss = 0.0
    for t in range(len(batch)):
        (xs, ys), (xq, yq) = _task(batch, t)
        phi = [p.detach() for p in lean_adapt(weights, xs, ys, lr, steps, create_graph=False)]
        with torch.no_grad():
            loss = loss + F.mse_loss(lean_forward(phi, xq), yq)
            phi_sum = [s + p for s, p in zip(phi_sum, phi)]
    grads = [w.detach() - s / len(batch) for w, s in zip(weights, phi_sum)]
    return loss / len(batch), grads
