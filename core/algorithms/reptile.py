"""Reptile (Nichol et al. 2018): move the init towards the adapted parameters."""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.algorithms.base import Algorithm, HParams, adapt
from core.words import QT_TR_NOOP

if TYPE_CHECKING:  # imported where used: the window reads the declarations without torch
    from core.tasks import TaskBatch


class Reptile(Algorithm):
    baseline = "loop-reptile"
    name = "reptile"
    label = "Reptile"
    description = QT_TR_NOOP("moves the init towards the adapted weights; no query-set gradient")

    def meta_grad(self, learner, batch: TaskBatch, hp: HParams):
        """Batched: the outer optimiser follows theta - mean_t(phi_t)."""
        import torch

        from core.models import detach, expand, mse

        with torch.no_grad():
            phi = adapt(learner.model, expand(detach(learner.params), len(batch)), batch.xs, batch.ys,
                        hp.inner_lr, hp.inner_steps)
            grads = [p.detach() - phi[k].mean(0) for k, p in learner.params.items()]
            return mse(learner.model, phi, batch.xq, batch.yq).mean(), grads
