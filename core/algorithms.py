"""Meta-learning algorithms, each one meta-iteration over a whole task batch at once.

All share `adapt` (the inner SGD loop, batched over tasks). What differs is what flows
back to the initialisation:
- maml: the query loss differentiated through the inner steps (second order);
- fomaml: the same with the inner gradients held constant;
- reptile: the pseudo-gradient theta - mean(adapted params), no query gradient;
- metasgd: like maml, with a learned learning rate per parameter entry;
- anil: like maml, adapting only the last layer in the inner loop (Raghu et al. 2020);
- alpha: Alpha MAML (Behl et al. 2019): the inner and outer learning rates themselves
  adapted online by hypergradient descent;
- imaml: implicit gradients through a proximal inner problem (core.imaml).
Hyperparameters arrive with every call (`HParams`), so the live window can change the
inner and outer learning rates, inner steps, K and meta-batch between two iterations.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from core import analytic, imaml, optim
from core.models import MLP, Params, detach, expand, mse
from core.tasks import TaskBatch

ALGORITHMS = ("maml", "fomaml", "reptile", "metasgd", "anil", "alpha", "imaml")
ALGORITHM_LABELS = {"maml": "MAML", "fomaml": "FOMAML", "reptile": "Reptile", "metasgd": "Meta-SGD",
                    "anil": "ANIL", "alpha": "Alpha MAML", "imaml": "iMAML"}


# A meta-loss above this has blown up (tasks' MSEs are of order 1 to 30): training stops there
# rather than waiting for the overflow to NaN.
DIVERGED_LOSS = 1e6


def diverged(loss: float) -> bool:
    return not math.isfinite(loss) or loss > DIVERGED_LOSS


@dataclass
class HParams:
    """What may change between two meta-iterations."""

    inner_lr: float = 0.01  # alpha: the inner SGD step size
    outer_lr: float = 1e-3  # beta: the meta-optimiser's step size
    inner_steps: int = 1  # SGD steps on each task's support set
    shots: int = 10  # K: support (and query) points per task
    meta_batch: int = 25  # tasks per meta-iteration
    lam: float = 2.0  # iMAML's proximal strength lambda
    hyper_lr: float = 1e-4  # Alpha MAML: hypergradient step for alpha
    hyper_beta: float = 0.02  # Alpha MAML: multiplicative hypergradient step for beta


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


def setup_error(algorithm: str, model: str) -> str | None:
    """Why this algorithm cannot train this model, or None: one rule for the CLI, window and presets."""
    if algorithm not in ALGORITHMS:
        return f"unknown algorithm {algorithm!r}; choose from {', '.join(ALGORITHMS)}"
    if algorithm == "anil" and model != "mlp":
        return "ANIL adapts only the network's last layer: it needs the MLP model"
    return None


class MetaLearner:
    """The meta-parameters of one algorithm and model, with their outer optimiser."""

    def __init__(self, algorithm: str, model, params: Params, inner_lr: float = 0.01,
                 outer_optimizer: str = "adam"):
        problem = setup_error(algorithm, "mlp" if isinstance(model, MLP) else model.name)
        if problem:
            raise ValueError(problem)
        self.algorithm, self.model = algorithm, model
        self.params = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
        self.lrs: Params | None = None
        leaves = list(self.params.values())
        if algorithm == "metasgd":  # Li et al. 2017: alpha is a parameter-shaped tensor, learned
            self.lrs = {k: torch.full_like(v, inner_lr).requires_grad_(True) for k, v in self.params.items()}
            leaves += list(self.lrs.values())
        if algorithm == "alpha":  # scalar alpha and beta, moved by hypergradients, plain SGD outside
            device = leaves[0].device
            self.alpha = torch.tensor(float(inner_lr), device=device, requires_grad=True)
            self.beta = torch.tensor(1e-3, device=device)
            self._alpha_set = self._beta_set = None
            self._prev_grad: torch.Tensor | None = None
            outer_optimizer = "sgd"
        self._anil: Params | None = None  # ANIL's 0/1 mask of the adapted (last-layer) entries
        self.leaves = leaves
        if outer_optimizer == "adam":
            self.opt = optim.Adam(leaves, lr=1e-3)
        elif outer_optimizer == "sgd":
            self.opt = optim.SGD(leaves, lr=1e-3)
        else:
            raise ValueError(f"unknown outer optimiser {outer_optimizer!r}")

    # ---- the inner step rule ----------------------------------------------------------------
    def _anil_lrs(self, inner_lr) -> Params:
        """Per-entry rates: alpha on the last layer, 0 elsewhere (so the body stays put).

        alpha may be a device tensor (inside a CUDA graph): the rates are then mask * alpha,
        with no comparison that would need the host.
        """
        if self._anil is None:
            head = set(self.model.names[-1])
            self._anil = {k: torch.full_like(v, 1.0 if k in head else 0.0).detach() for k, v in self.params.items()}
        return {k: m * inner_lr for k, m in self._anil.items()}

    def _train_lr(self, hp: HParams):
        """The rule meta-training adapts with (may carry gradient: Meta-SGD, Alpha MAML)."""
        if self.algorithm == "metasgd":
            return self.lrs
        if self.algorithm == "anil":
            return self._anil_lrs(hp.inner_lr)
        if self.algorithm == "alpha":
            return self.alpha
        return hp.inner_lr

    def inner_lr(self, hp: HParams):
        """The step rule used to adapt from this init (for plots and evaluation, no graph)."""
        lr = self._train_lr(hp)
        if isinstance(lr, dict):
            return detach(lr)
        return float(lr.detach()) if isinstance(lr, torch.Tensor) else lr

    # ---- meta-gradients ---------------------------------------------------------------------
    def meta_loss(self, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        """Mean query MSE after adaptation, differentiable as the algorithm requires (autograd)."""
        theta = expand(self.params, len(batch))
        phi = adapt(self.model, theta, batch.xs, batch.ys, self._train_lr(hp), hp.inner_steps,
                    first_order=self.algorithm == "fomaml")
        return mse(self.model, phi, batch.xq, batch.yq).mean()

    def meta_grad(self, batch: TaskBatch, hp: HParams) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The meta-loss and a gradient for each leaf (the init, then Meta-SGD's rates).

        Alpha MAML appends d loss / d alpha. The MLP takes the hand-derived path
        (core.analytic, no autograd: about 3x faster); the two-parameter model
        differentiates `meta_loss` with autograd.
        """
        if self.algorithm == "reptile":
            return self._reptile_grad(batch, hp)
        if self.algorithm == "imaml":
            loss, g = imaml.meta_grad(self.model, self.params, batch.xs, batch.ys, batch.xq, batch.yq,
                                      hp.inner_lr, hp.inner_steps, hp.lam)
            return loss, [g[k] for k in self.params]
        if isinstance(self.model, MLP):
            lr = self._train_lr(hp)
            if self.algorithm == "alpha":  # a scalar rate is a per-entry one with equal entries
                lr = {k: torch.full_like(v, float(self.alpha.detach())) for k, v in self.params.items()}
            elif isinstance(lr, dict):
                lr = detach(lr)
            loss, grads, lr_grads = analytic.meta_grad(
                self.model, detach(self.params), batch.xs, batch.ys, batch.xq, batch.yq, lr,
                hp.inner_steps, first_order=self.algorithm == "fomaml")
            out = [grads[k] for k in self.params]
            if self.algorithm == "metasgd":
                out += [lr_grads[k] for k in self.lrs]
            elif self.algorithm == "alpha":
                out.append(sum(v.sum() for v in lr_grads.values()))
            return loss, out
        loss = self.meta_loss(batch, hp)
        wrt = self.leaves + ([self.alpha] if self.algorithm == "alpha" else [])
        return loss.detach(), list(torch.autograd.grad(loss, wrt))

    def step(self, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        """One meta-iteration; returns the (detached) meta-loss."""
        if self.algorithm == "alpha":
            return self._alpha_step(batch, hp)
        self.opt.lr = hp.outer_lr
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

    def _alpha_step(self, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        """Alpha MAML: SGD on theta with rate beta; alpha and beta follow their hypergradients.

        alpha <- max(alpha - hyper_lr * dL/dalpha, 0)   (exact dL/dalpha through the inner steps)
        beta  <- beta * (1 + hyper_beta * cos(g_t, g_t-1))   (Baydin et al. 2018's multiplicative
        rule: beta grows while successive meta-gradients agree and shrinks when they turn back).
        A new alpha or beta from the user restarts the adaptation from that value.
        """
        with torch.no_grad():
            if hp.inner_lr != self._alpha_set:
                self.alpha.fill_(hp.inner_lr)
                self._alpha_set = hp.inner_lr
            if hp.outer_lr != self._beta_set:
                self.beta.fill_(hp.outer_lr)
                self._beta_set, self._prev_grad = hp.outer_lr, None
        loss, grads = self.meta_grad(batch, hp)
        grads, d_alpha = grads[:-1], grads[-1]
        with torch.no_grad():
            flat = torch.cat([g.flatten() for g in grads])
            if self._prev_grad is not None:
                cos = flat @ self._prev_grad / (flat.norm() * self._prev_grad.norm()).clamp_min(1e-30)
                self.beta.mul_(1 + hp.hyper_beta * cos)
            self._prev_grad = flat
            for p, g in zip(self.leaves, grads):
                p.sub_(self.beta * g)
            self.alpha.sub_(hp.hyper_lr * d_alpha).clamp_(min=0.0)
        return loss

    # ---- state ------------------------------------------------------------------------------
    def extras(self) -> Params | None:
        """What the algorithm learns besides the init: Meta-SGD's rates, Alpha MAML's alpha and beta."""
        if self.lrs is not None:
            return {k: v.detach().clone() for k, v in self.lrs.items()}
        if self.algorithm == "alpha":
            return {"alpha": self.alpha.detach().clone(), "beta": self.beta.detach().clone()}
        return None

    def state(self) -> tuple[Params, Params | None]:
        """Detached copies of the init and of the extras."""
        return {k: v.detach().clone() for k, v in self.params.items()}, self.extras()

    def load(self, params: Params, extras: Params | None = None) -> None:
        """Overwrite the init (and extras) in place; the optimiser keeps its leaves."""
        with torch.no_grad():
            for k, v in params.items():
                self.params[k].copy_(v)
            if extras is not None and self.lrs is not None:
                for k, v in extras.items():
                    self.lrs[k].copy_(v)
            if extras is not None and self.algorithm == "alpha":
                self.alpha.copy_(extras["alpha"])
                self.beta.copy_(extras["beta"])
