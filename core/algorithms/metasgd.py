"""Meta-SGD (Li et al. 2017): a learned inner learning rate for every parameter entry."""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.algorithms.base import Algorithm, HParams
from core.words import QT_TR_NOOP

if TYPE_CHECKING:  # imported where used: the window reads the declarations without torch
    import torch

    from core.models import Params
    from core.tasks import TaskBatch


class MetaSGD(Algorithm):
    name = "metasgd"
    label = "Meta-SGD"
    description = QT_TR_NOOP("also learns a per-parameter inner learning rate")
    extras_key = "inner_lrs"
    shown_rate = "mean"

    def setup(self, learner, inner_lr: float) -> list[torch.Tensor]:
        import torch

        learner.lrs = {k: torch.full_like(v, inner_lr).requires_grad_(True) for k, v in learner.params.items()}
        return list(learner.lrs.values())

    def train_lr(self, learner, hp: HParams) -> Params:
        return learner.lrs

    def whole_step(self, learner) -> bool:
        """The rates are Adam's leaves too: they step inside the same compiled call."""
        return self.hand_derived(learner)

    def step_spec(self, learner):
        from core import compiled

        return compiled.adam_spec(learner.opt, rates=True) if self.whole_step(learner) else None

    def compiled_step(self, learner, batch: TaskBatch, hp: HParams):
        from core import compiled

        if not self.whole_step(learner):
            return None
        return compiled.train_step(learner.model, learner.params, learner.opt, batch.xs, batch.ys, batch.xq,
                                   batch.yq, learner.lrs, hp.inner_steps, self.first_order)

    def lr_grads(self, learner, lr_grads: Params) -> list[torch.Tensor]:
        return [lr_grads[k] for k in learner.lrs]

    def extras(self, learner) -> Params:
        return {k: v.detach().clone() for k, v in learner.lrs.items()}

    def load_extras(self, learner, extras: Params) -> None:
        for k, v in extras.items():
            learner.lrs[k].copy_(v)

    def extras_shapes(self, model) -> dict[str, tuple]:
        return {k: tuple(v.shape) for k, v in model.init().items()}

    def summary(self, learner) -> dict[str, float]:
        import torch

        flat = torch.cat([v.detach().flatten() for v in learner.lrs.values()]).cpu()
        return {"mean": float(flat.mean()), "min": float(flat.min()), "max": float(flat.max())}

    def describe_rule(self, rule):
        return "learned per-parameter rates (Meta-SGD)"
