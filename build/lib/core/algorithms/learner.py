"""MetaLearner: the meta-parameters, the algorithm's extras and the outer optimiser.

It holds the tensors; what to do with them is asked of its algorithm object
(core.algorithms.base.Algorithm), so nothing here depends on which algorithm it is.
"""
from __future__ import annotations

import torch

from core import optim
from core.algorithms.base import HParams
from core.algorithms.registry import get_algorithm, setup_error
from core.models import MLP, Params
from core.tasks import TaskBatch


class MetaLearner:
    """The meta-parameters of one algorithm and model, with their outer optimiser."""

    def __init__(self, algorithm: str, model, params: Params, inner_lr: float = 0.01,
                 outer_optimizer: str = "adam", options: dict | None = None):
        problem = setup_error(algorithm, "mlp" if isinstance(model, MLP) else model.name)
        if problem:
            raise ValueError(problem)
        self.algorithm, self.model = algorithm, model
        self.algo = get_algorithm(algorithm)(options)
        self.params = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
        self.lrs: Params | None = None  # Meta-SGD's per-entry rates (set by its setup)
        self.leaves = list(self.params.values()) + self.algo.setup(self, inner_lr)
        outer_optimizer = self.algo.outer_optimizer or outer_optimizer
        if outer_optimizer == "adam":
            self.opt = optim.Adam(self.leaves, lr=1e-3)
        elif outer_optimizer == "sgd":
            self.opt = optim.SGD(self.leaves, lr=1e-3)
        else:
            raise ValueError(f"unknown outer optimiser {outer_optimizer!r}")

    @property
    def graphable(self) -> bool:
        """Whether one meta-iteration can be captured in a CUDA graph (core.fast)."""
        return self.algo.graphable

    def inner_lr(self, hp: HParams):
        """The step rule used to adapt from this init (for plots and evaluation, no graph)."""
        return self.algo.eval_rule(self, hp)

    def meta_loss(self, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        return self.algo.meta_loss(self, batch, hp)

    def meta_grad(self, batch: TaskBatch, hp: HParams) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The meta-loss and a gradient for each leaf (the init, then the algorithm's extras)."""
        return self.algo.meta_grad(self, batch, hp)

    def step(self, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        """One meta-iteration; returns the (detached) meta-loss."""
        return self.algo.step(self, batch, hp)

    def summary(self) -> dict[str, float]:
        return self.algo.summary(self)

    def telemetry(self) -> dict[str, float]:
        return self.algo.telemetry(self)

    # ---- state ------------------------------------------------------------------------------
    def extras(self) -> Params | None:
        """What the algorithm learns besides the init (Meta-SGD's rates, Alpha MAML's alpha and beta)."""
        return self.algo.extras(self)

    def state(self) -> tuple[Params, Params | None]:
        """Detached copies of the init and of the extras."""
        return {k: v.detach().clone() for k, v in self.params.items()}, self.extras()

    def load(self, params: Params, extras: Params | None = None) -> None:
        """Overwrite the init (and extras) in place; the optimiser keeps its leaves."""
        with torch.no_grad():
            for k, v in params.items():
                self.params[k].copy_(v)
            if extras is not None:
                self.algo.load_extras(self, extras)
