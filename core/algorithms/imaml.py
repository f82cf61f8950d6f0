"""iMAML (Rajeswaran et al. 2019): implicit meta-gradients through a proximal inner problem."""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.algorithms.base import Algorithm, HParams
from core.setting import Setting
from core.words import QT_TR_NOOP

if TYPE_CHECKING:  # imported where used: the window reads the declarations without torch
    from core.tasks import TaskBatch

LAM = Setting("lam", float, 2.0, QT_TR_NOOP("iMAML λ"), lo=1e-3, hi=1e3, log=True, algorithms=("imaml",),
              help=QT_TR_NOOP("iMAML's λ: how strongly each task's solution is pulled back to the initialisation"))


class IMAML(Algorithm):
    name = "imaml"
    label = "iMAML"
    description = QT_TR_NOOP("implicit meta-gradient: solve (I + H/λ) g = query gradient at the proximal solution")
    settings = (LAM,)
    graphable = False  # its solver reads values on the host

    def meta_grad(self, learner, batch: TaskBatch, hp: HParams):
        from core import imaml as implicit

        loss, g = implicit.meta_grad(learner.model, learner.params, batch.xs, batch.ys, batch.xq, batch.yq,
                                     hp.inner_lr, hp.inner_steps, hp.lam)
        return loss, [g[k] for k in learner.params]
