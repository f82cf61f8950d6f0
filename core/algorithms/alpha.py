"""Alpha MAML (Behl et al. 2019): the inner and outer rates adapted online by hypergradients."""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.algorithms.base import Algorithm, HParams
from core.setting import Setting
from core.words import QT_TR_NOOP

if TYPE_CHECKING:  # imported where used: the window reads the declarations without torch
    import torch

    from core.models import Params
    from core.tasks import TaskBatch

HYPER_LR = Setting("hyper_lr", float, 1e-4, QT_TR_NOOP("Alpha MAML hypergradient lr"), lo=0.0, hi=1e-2, log=True,
                   slider_lo=1e-6, algorithms=("alpha",),
                   help=QT_TR_NOOP("Alpha MAML: step size of the hypergradient update that learns α"))


class AlphaMAML(Algorithm):
    name = "alpha"
    label = "Alpha MAML"
    description = QT_TR_NOOP("scalar inner and outer learning rates adapted online by hypergradient descent")
    settings = (HYPER_LR,)
    graphable = False  # its rates are read on the host
    outer_optimizer = "sgd"  # theta moves by plain SGD at the learned rate beta
    optimiser_label = "hypergradient SGD"
    extras_key = "alpha_beta"
    shown_rate = "alpha"

    def setup(self, learner, inner_lr: float) -> list[torch.Tensor]:
        import torch

        device = next(iter(learner.params.values())).device
        learner.alpha = torch.tensor(float(inner_lr), device=device, requires_grad=True)
        learner.beta = torch.tensor(1e-3, device=device)
        self._alpha_set = self._beta_set = None
        # the previous meta-gradient, flat in the parameters' order, and 1 once it is set: buffers
        # updated in place, so that the eager and the compiled step (core.compiled) share them
        like = next(iter(learner.params.values()))
        self._prev_grad = torch.zeros(sum(v.numel() for v in learner.params.values()), dtype=like.dtype,
                                      device=device)
        self._has_prev = torch.zeros((), dtype=like.dtype, device=device)
        return []

    def train_lr(self, learner, hp: HParams):
        return learner.alpha

    def analytic_lr(self, learner, hp: HParams) -> Params:
        """A scalar rate is a per-entry one with equal entries."""
        import torch

        a = float(learner.alpha.detach())
        return {k: torch.full_like(v, a) for k, v in learner.params.items()}

    def lr_grads(self, learner, lr_grads: Params) -> list[torch.Tensor]:
        return [sum(v.sum() for v in lr_grads.values())]  # d loss / d alpha

    def autograd_leaves(self, learner) -> list[torch.Tensor]:
        return learner.leaves + [learner.alpha]

    def whole_step(self, learner) -> bool:
        """alpha's hypergradient and the update of theta, alpha and beta fit one compiled call."""
        return self.hand_derived(learner)

    def step_spec(self, learner):
        from core import compiled

        return compiled.hyper_spec(learner.model, learner.params, learner.alpha) if self.whole_step(learner) else None

    def compiled_step(self, learner, batch: TaskBatch, hp: HParams):
        from core import compiled

        if not self.whole_step(learner):
            return None
        return compiled.hyper_step(learner.model, learner.params,
                                   (learner.alpha.detach(), learner.beta, self._prev_grad, self._has_prev),
                                   (hp.hyper_lr, hp.hyper_beta), batch.xs, batch.ys, batch.xq, batch.yq,
                                   hp.inner_steps, self.first_order)

    def step(self, learner, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        """SGD on theta with rate beta; alpha and beta follow their hypergradients.

        alpha <- max(alpha - hyper_lr * dL/dalpha, 0)   (exact dL/dalpha through the inner steps)
        beta  <- beta * (1 + hyper_beta * cos(g_t, g_t-1))   (Baydin et al. 2018's multiplicative
        rule: beta grows while successive meta-gradients agree and shrinks when they turn back).
        A new alpha or beta from the user restarts the adaptation from that value. The MLP's
        whole step is one compiled call once its shape is compiled (compiled_step).
        """
        import torch

        with torch.no_grad():
            if hp.inner_lr != self._alpha_set:
                learner.alpha.fill_(hp.inner_lr)
                self._alpha_set = hp.inner_lr
            if hp.outer_lr != self._beta_set:
                learner.beta.fill_(hp.outer_lr)
                self._beta_set = hp.outer_lr
                self._has_prev.zero_()
        loss = self.compiled_step(learner, batch, hp)
        if loss is not None:
            return loss
        if self.whole_step(learner):  # meanwhile eager (one compile per shape: not the meta-gradient's)
            loss, grads = self._meta_grad(learner, batch, hp, try_compiled=False)
        else:
            loss, grads = self.meta_grad(learner, batch, hp)
        grads, d_alpha = grads[:-1], grads[-1]
        with torch.no_grad():
            flat = torch.cat([g.flatten() for g in grads])
            prev = self._prev_grad
            cos = flat @ prev / (flat.norm() * prev.norm()).clamp_min(1e-30)
            learner.beta.mul_(1 + hp.hyper_beta * cos * self._has_prev)  # no previous gradient: cos * 0
            prev.copy_(flat)
            self._has_prev.fill_(1.0)
            for p, g in zip(learner.leaves, grads):
                p.sub_(learner.beta * g)
            learner.alpha.sub_(hp.hyper_lr * d_alpha).clamp_(min=0.0)
        return loss

    def extras(self, learner) -> Params:
        return {"alpha": learner.alpha.detach().clone(), "beta": learner.beta.detach().clone()}

    def load_extras(self, learner, extras: Params) -> None:
        learner.alpha.copy_(extras["alpha"])
        learner.beta.copy_(extras["beta"])

    def extras_shapes(self, model) -> dict[str, tuple]:
        return {"alpha": (), "beta": ()}

    def summary(self, learner) -> dict[str, float]:
        return {"alpha": float(learner.alpha.detach()), "beta": float(learner.beta.detach())}

    telemetry = summary  # alpha and beta after every step: the window's lr strip
