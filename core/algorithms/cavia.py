"""CAVIA (Zintgraf et al. 2019): adapt a few context parameters, not the network.

Each task gets a context vector c (zero at the start) fed to the network beside x; the inner
loop moves only c (lr 1.0 in the paper's sinusoid), the outer loop moves the weights and the
context-to-first-layer weights W_c. Feeding [x, c] to the first layer equals adding W_c c to
its bias, so an adapted task is an ordinary MLP with bias b + W_c c: evaluation, the panels
and the checkpoint's state_dict need nothing new. The meta-gradient is autograd's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.algorithms.base import Algorithm, HParams
from core.setting import Setting
from core.words import QT_TR_NOOP

if TYPE_CHECKING:  # imported where used: the window reads the declarations without torch
    import torch

    from core.models import Params
    from core.tasks import TaskBatch

CONTEXT_PARAMS = Setting("context_params", int, 4, QT_TR_NOOP("number of context parameters"), lo=1, hi=64,
                         live=False, algorithms=("cavia",),
                         help=QT_TR_NOOP("CAVIA: context parameters fed to the network beside x"))
CONTEXT_LR = Setting("context_lr", float, 1.0, QT_TR_NOOP("CAVIA context lr"), lo=1e-3, hi=10.0, log=True,
                     live=False, algorithms=("cavia",),
                     help=QT_TR_NOOP("CAVIA: step size of the inner steps on the context"))


@dataclass
class ContextRule:
    """Inner SGD on a zero-initialised context, seen through the first layer's bias."""

    weight: torch.Tensor  # W_c: (first hidden size, context params)
    lr: float

    def adapt(self, model, params: Params, x: torch.Tensor, y: torch.Tensor, steps: int) -> Params:
        """dL/dc = W_c^T dL/db, and b + W_c c moves by -lr W_c W_c^T dL/db per step (differentiable)."""
        bias = model.names[0][1]
        params = dict(params)
        for _ in range(steps):
            _, g = model.loss_grad(params, x, y)
            params[bias] = params[bias] - self.lr * (g[bias] @ self.weight) @ self.weight.T
        return params


class CAVIA(Algorithm):
    name = "cavia"
    label = "CAVIA"
    description = QT_TR_NOOP("adapts only a few context inputs per task; the network is learned in the outer loop")
    settings = (CONTEXT_PARAMS, CONTEXT_LR)
    graphable = False  # its meta-gradient is autograd's
    models = ("mlp",)
    extras_key = "context"
    shown_rate, rate_words = "context_lr", QT_TR_NOOP("context lr")  # the window's panel says what it adapts with

    def _option(self, setting: Setting):
        return self.options.get(setting.name, setting.default)

    def setup(self, learner, inner_lr: float) -> list[torch.Tensor]:
        """W_c as nn.Linear would draw the context columns of a (1 + n)-input first layer."""
        import torch

        first = next(iter(learner.params.values()))
        n = int(self._option(CONTEXT_PARAMS))
        bound = 1 / math.sqrt(1 + n)
        w = (torch.rand(first.shape[0], n, dtype=first.dtype) * 2 - 1) * bound
        learner.context_weight = w.to(first.device).requires_grad_(True)
        return [learner.context_weight]

    def rule(self, learner, weight: torch.Tensor) -> ContextRule:
        return ContextRule(weight, float(self._option(CONTEXT_LR)))

    def train_lr(self, learner, hp: HParams) -> ContextRule:
        return self.rule(learner, learner.context_weight)

    def eval_rule(self, learner, hp: HParams) -> ContextRule:
        return self.rule(learner, learner.context_weight.detach())

    def summary(self, learner) -> dict[str, float]:
        return {"context_lr": float(self._option(CONTEXT_LR))}

    def describe_rule(self, rule) -> str:
        return f"context only, lr {rule.lr:g} (CAVIA)"

    def meta_loss(self, learner, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        from core.models import expand, mse

        phi = self.train_lr(learner, hp).adapt(learner.model, expand(learner.params, len(batch)),
                                               batch.xs, batch.ys, hp.inner_steps)
        return mse(learner.model, phi, batch.xq, batch.yq).mean()

    def meta_grad(self, learner, batch: TaskBatch, hp: HParams):
        import torch

        loss = self.meta_loss(learner, batch, hp)
        return loss.detach(), list(torch.autograd.grad(loss, learner.leaves))

    def extras(self, learner) -> Params:
        return {"weight": learner.context_weight.detach().clone()}

    def load_extras(self, learner, extras: Params) -> None:
        learner.context_weight.copy_(extras["weight"])

    def extras_shapes(self, model) -> dict[str, tuple]:
        return {"weight": (model.sizes[1], int(self._option(CONTEXT_PARAMS)))}
