"""Meta-learning algorithms, each one meta-iteration over a whole task batch at once.

All share `adapt` (the inner SGD loop, batched over tasks). What differs is what flows
back to the initialisation:
- maml: the query loss differentiated through the inner steps (second order);
- fomaml: the same with the inner gradients held constant;
- reptile: the pseudo-gradient theta - mean(adapted params), no query gradient;
- metasgd: like maml, with a learned learning rate per parameter entry.
Hyperparameters arrive with every call (`HParams`), so the live window can change the
inner and outer learning rates, inner steps, K and meta-batch between two iterations.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from core import analytic
from core.models import MLP, Params, detach, expand, mse
from core.tasks import TaskBatch

ALGORITHMS = ("maml", "fomaml", "reptile", "metasgd")
ALGORITHM_LABELS = {"maml": "MAML", "fomaml": "FOMAML", "reptile": "Reptile", "metasgd": "Meta-SGD"}


@dataclass
class HParams:
    """What may change between two meta-iterations."""

    inner_lr: float = 0.01  # alpha: the inner SGD step size
    outer_lr: float = 1e-3  # beta: the meta-optimiser's step size
    inner_steps: int = 1  # SGD steps on each task's support set
    shots: int = 10  # K: support (and query) points per task
    meta_batch: int = 25  # tasks per meta-iteration


def adapt(model, params: Params, x: torch.Tensor, y: torch.Tensor, lr, steps: int,
          first_order: bool = False) -> Params:
    """`steps` SGD steps on (x, y) for every task. lr: a float or a dict of per-entry rates.

    With first_order the gradients are computed detached (FOMAML), so nothing flows
    back through them; otherwise the result stays differentiable in params (MAML).
    """
    for _ in range(steps):
        if first_order:
            with torch.no_grad():
                _, g = model.loss_grad(detach(params), x, y)
        else:
            _, g = model.loss_grad(params, x, y)
        if isinstance(lr, dict):
            params = {k: v - lr[k] * g[k] for k, v in params.items()}
        else:
            params = {k: v - lr * g[k] for k, v in params.items()}
    return params


def adapt_path(model, params: Params, x: torch.Tensor, y: torch.Tensor, lr, steps: int) -> list[Params]:
    """Parameters after 0, 1, ..., steps SGD steps (no graph): for plots and evaluation."""
    with torch.no_grad():
        path = [params]
        for _ in range(steps):
            path.append(adapt(model, path[-1], x, y, lr, 1))
    return path


class MetaLearner:
    """The meta-parameters of one algorithm and model, with their outer optimiser."""

    def __init__(self, algorithm: str, model, params: Params, inner_lr: float = 0.01,
                 outer_optimizer: str = "adam"):
        if algorithm not in ALGORITHMS:
            raise ValueError(f"unknown algorithm {algorithm!r}; choose from {', '.join(ALGORITHMS)}")
        self.algorithm, self.model = algorithm, model
        self.params = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
        self.lrs: Params | None = None
        leaves = list(self.params.values())
        if algorithm == "metasgd":  # Li et al. 2017: alpha is a parameter-shaped tensor, learned
            self.lrs = {k: torch.full_like(v, inner_lr).requires_grad_(True) for k, v in self.params.items()}
            leaves += list(self.lrs.values())
        self.leaves = leaves
        if outer_optimizer == "adam":
            # fused: one kernel for all leaves (a third of foreach's time on this tiny model)
            self.opt = torch.optim.Adam(leaves, lr=1e-3, fused=True)
        elif outer_optimizer == "sgd":
            self.opt = torch.optim.SGD(leaves, lr=1e-3)
        else:
            raise ValueError(f"unknown outer optimiser {outer_optimizer!r}")

    def inner_lr(self, hp: HParams):
        """The step rule used to adapt from this init: learned rates for Meta-SGD, else alpha."""
        return detach(self.lrs) if self.lrs is not None else hp.inner_lr

    def meta_loss(self, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        """Mean query MSE after adaptation, differentiable as the algorithm requires."""
        theta = expand(self.params, len(batch))
        lr = self.lrs if self.lrs is not None else hp.inner_lr
        phi = adapt(self.model, theta, batch.xs, batch.ys, lr, hp.inner_steps,
                    first_order=self.algorithm == "fomaml")
        return mse(self.model, phi, batch.xq, batch.yq).mean()

    def meta_grad(self, batch: TaskBatch, hp: HParams) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The meta-loss and the gradient for each leaf (init, then Meta-SGD's rates).

        The MLP takes the hand-derived path (core.analytic, no autograd: about 3x faster);
        the two-parameter model differentiates `meta_loss` with autograd.
        """
        if self.algorithm == "reptile":
            return self._reptile_grad(batch, hp)
        if isinstance(self.model, MLP):
            lr = detach(self.lrs) if self.lrs is not None else hp.inner_lr
            loss, grads, lr_grads = analytic.meta_grad(
                self.model, detach(self.params), batch.xs, batch.ys, batch.xq, batch.yq, lr,
                hp.inner_steps, first_order=self.algorithm == "fomaml")
            out = [grads[k] for k in self.params]
            if lr_grads is not None:
                out += [lr_grads[k] for k in self.lrs]
            return loss, out
        loss = self.meta_loss(batch, hp)
        return loss.detach(), list(torch.autograd.grad(loss, self.leaves))

    def step(self, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        """One meta-iteration; returns the (detached) meta-loss."""
        for g in self.opt.param_groups:
            g["lr"] = hp.outer_lr
        loss, grads = self.meta_grad(batch, hp)
        for p, g in zip(self.leaves, grads):
            p.grad = g
        self.opt.step()
        return loss

    def _reptile_grad(self, batch: TaskBatch, hp: HParams):
        """Nichol et al. 2018, batched: the outer optimiser follows theta - mean_t(phi_t)."""
        with torch.no_grad():
            phi = adapt(self.model, expand(detach(self.params), len(batch)), batch.xs, batch.ys,
                        hp.inner_lr, hp.inner_steps)
            grads = [p.detach() - phi[k].mean(0) for k, p in self.params.items()]
            return mse(self.model, phi, batch.xq, batch.yq).mean(), grads

    def state(self) -> tuple[Params, Params | None]:
        """Detached copies of the init (and Meta-SGD's rates)."""
        return ({k: v.detach().clone() for k, v in self.params.items()},
                None if self.lrs is None else {k: v.detach().clone() for k, v in self.lrs.items()})

    def load(self, params: Params, lrs: Params | None = None) -> None:
        """Overwrite the init in place (the optimiser keeps its leaves)."""
        with torch.no_grad():
            for k, v in params.items():
                self.params[k].copy_(v)
            if lrs is not None and self.lrs is not None:
                for k, v in lrs.items():
                    self.lrs[k].copy_(v)
