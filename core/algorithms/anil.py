"""ANIL (Raghu et al. 2020): like MAML, adapting only the last layer in the inner loop."""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.algorithms.base import Algorithm, HParams
from core.words import QT_TR_NOOP

if TYPE_CHECKING:  # imported where used: the window reads the declarations without torch
    from core.models import Params
    from core.tasks import TaskBatch


class ANIL(Algorithm):
    name = "anil"
    label = "ANIL"
    description = QT_TR_NOOP("MAML adapting only the network's last layer in the inner loop")
    models = ("mlp",)

    def __init__(self, options: dict | None = None):
        super().__init__(options)
        self._mask: Params | None = None  # 0/1 per entry: 1 on the adapted (last-layer) entries

    @classmethod
    def model_error(cls, model: str) -> str | None:
        return None if model == "mlp" else "ANIL adapts only the network's last layer: it needs the MLP model"

    def train_lr(self, learner, hp: HParams) -> Params:
        """Per-entry rates: alpha on the last layer, 0 elsewhere (so the body stays put).

        alpha may be a device tensor (inside a CUDA graph): the rates are then mask * alpha,
        with no comparison that would need the host.
        """
        import torch

        if self._mask is None:
            head = set(learner.model.names[-1])
            self._mask = {k: torch.full_like(v, 1.0 if k in head else 0.0).detach()
                          for k, v in learner.params.items()}
        return {k: m * hp.inner_lr for k, m in self._mask.items()}

    def whole_step(self, learner) -> bool:
        """Compiled, the inner loop adapts the head alone (core.fused's `frozen` body): no
        per-entry rates, the body one matmul over all points, no H v direction of its own."""
        return self.hand_derived(learner)

    def step_spec(self, learner):
        from core import compiled

        if not self.whole_step(learner):
            return None
        return compiled.adam_spec(learner.opt, frozen=len(learner.model.names) - 1)

    def compiled_step(self, learner, batch: TaskBatch, hp: HParams):
        from core import compiled

        if not self.whole_step(learner):
            return None
        return compiled.train_step(learner.model, learner.params, learner.opt, batch.xs, batch.ys, batch.xq,
                                   batch.yq, hp.inner_lr, hp.inner_steps, self.first_order,
                                   frozen=len(learner.model.names) - 1)

    def describe_rule(self, rule):
        return "last layer only (ANIL)"
