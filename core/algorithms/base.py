"""What an algorithm declares, and the inner SGD loop they share.

An `Algorithm` subclass says what the rest of the program would otherwise ask by name: its
label, its settings, whether it can be captured in a CUDA graph, which models it trains, its
learned extras (and their checkpoint key), the telemetry the window may plot, how it adapts
and how its meta-gradient flows. The defaults here are MAML's: second-order meta-gradient
through `adapt`, hand-derived for the MLP (core.analytic), autograd for the two-scalar model.
One instance serves one MetaLearner (core.algorithms.learner), which holds the tensors.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from core.setting import Setting
from core.words import QT_TR_NOOP

if TYPE_CHECKING:  # imported where used: the window reads the declarations without torch
    import torch

    from core.models import Params
    from core.tasks import TaskBatch

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
    """`steps` SGD steps on (x, y) for every task. lr: a float, a dict of per-entry rates, or a
    step rule object whose own `adapt(model, params, x, y, steps)` says how (an algorithm that
    adapts something other than the weights; evaluation and the panels then follow it too).

    With first_order the gradients are computed detached (FOMAML), so nothing flows
    back through them; otherwise the result stays differentiable in params (MAML).
    """
    import torch

    from core.models import detach

    if hasattr(lr, "adapt"):
        return lr.adapt(model, params, x, y, steps)
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
    import torch

    with torch.no_grad():
        path = [params]
        for _ in range(steps):
            path.append(adapt(model, path[-1], x, y, lr, 1))
    return path


class Algorithm:
    """MAML (Finn et al. 2017); subclasses change only what differs."""

    name: ClassVar[str] = "maml"
    label: ClassVar[str] = "MAML"
    description: ClassVar[str] = QT_TR_NOOP("second-order meta-gradient through the inner SGD steps")
    settings: ClassVar[tuple[Setting, ...]] = ()  # its own settings (collected by core.settings)
    graphable: ClassVar[bool] = True  # one meta-iteration can be captured in a CUDA graph
    models: ClassVar[tuple[str, ...] | None] = None  # the models it can train; None: all
    first_order: ClassVar[bool] = False  # inner gradients held constant (FOMAML)
    # the plain per-task loop `main.py bench` compares it with: "loop" (second order), "loop-fo", "loop-reptile"
    baseline: ClassVar[str] = "loop"
    optimiser_label: ClassVar[str] = "core.optim.Adam"  # what updates its init, as `bench` prints it
    outer_optimizer: ClassVar[str | None] = None  # forces this outer optimiser (None: the user's)
    extras_key: ClassVar[str | None] = None  # checkpoint entry of its learned extras
    shown_rate: ClassVar[str | None] = None  # the `summary` entry the window shows as its inner rate
    rate_words: ClassVar[str] = QT_TR_NOOP("learned α ≈")  # how the window names that entry

    def __init__(self, options: dict | None = None):
        self.options = dict(options or {})

    @classmethod
    def model_error(cls, model: str) -> str | None:
        if cls.models is not None and model not in cls.models:
            return f"{cls.label} cannot train the {model} model (it needs {' or '.join(cls.models)})"
        return None

    # ---- extras: what it learns besides the init --------------------------------------------
    def setup(self, learner, inner_lr: float) -> list[torch.Tensor]:
        """Create the learned extras on `learner`; returns them as leaves of the outer optimiser."""
        return []

    def extras(self, learner) -> Params | None:
        return None

    def load_extras(self, learner, extras: Params) -> None:
        pass

    def extras_shapes(self, model) -> dict[str, tuple] | None:
        """Shapes of the extras a checkpoint must hold (None: it has none)."""
        return None

    def summary(self, learner) -> dict[str, float]:
        """A few numbers about the extras for the window (e.g. the mean learned rate)."""
        return {}

    def telemetry(self, learner) -> dict[str, float]:
        """Scalars recorded after every step and drawn over time (Alpha MAML's alpha and beta)."""
        return {}

    # ---- the inner step rule ----------------------------------------------------------------
    def train_lr(self, learner, hp: HParams):
        """The rule meta-training adapts with (may carry gradient: Meta-SGD, Alpha MAML)."""
        return hp.inner_lr

    def analytic_lr(self, learner, hp: HParams):
        """The same rule as core.analytic takes it: a float or detached per-entry rates."""
        from core.models import detach

        lr = self.train_lr(learner, hp)
        return detach(lr) if isinstance(lr, dict) else lr

    def eval_rule(self, learner, hp: HParams):
        """The step rule used to adapt from this init (for plots and evaluation, no graph)."""
        import torch

        from core.models import detach

        lr = self.train_lr(learner, hp)
        if isinstance(lr, dict):
            return detach(lr)
        return float(lr.detach()) if isinstance(lr, torch.Tensor) else lr

    def describe_rule(self, rule):
        """How a report names the rule it adapts with (a number, or words for a learned rule)."""
        return rule

    # ---- meta-gradients ---------------------------------------------------------------------
    def meta_loss(self, learner, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        """Mean query MSE after adaptation, differentiable as the algorithm requires (autograd)."""
        from core.models import expand, mse

        theta = expand(learner.params, len(batch))
        phi = adapt(learner.model, theta, batch.xs, batch.ys, self.train_lr(learner, hp), hp.inner_steps,
                    first_order=self.first_order)
        return mse(learner.model, phi, batch.xq, batch.yq).mean()

    def lr_grads(self, learner, lr_grads: Params) -> list[torch.Tensor]:
        """Gradients of the extras from core.analytic's per-entry rate gradients."""
        return []

    def autograd_leaves(self, learner) -> list[torch.Tensor]:
        return learner.leaves

    def meta_grad(self, learner, batch: TaskBatch, hp: HParams) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The meta-loss and a gradient per leaf: the MLP by hand (core.compiled once its shape is
        compiled, else core.analytic for a small meta-batch and core.engine from engine.MIN_TASKS
        tasks up, where it is the faster), else autograd."""
        return self._meta_grad(learner, batch, hp, try_compiled=True)

    def _meta_grad(self, learner, batch: TaskBatch, hp: HParams, try_compiled: bool):
        import torch

        from core import analytic, compiled, engine
        from core.models import MLP, detach

        if isinstance(learner.model, MLP):
            args = (learner.model, detach(learner.params), batch.xs, batch.ys, batch.xq, batch.yq,
                    self.analytic_lr(learner, hp), hp.inner_steps)
            out = compiled.meta_grad(*args, first_order=self.first_order) if try_compiled else None
            if out is None:
                kernel = engine.meta_grad if len(batch) >= engine.MIN_TASKS else analytic.meta_grad
                out = kernel(*args, first_order=self.first_order)
            loss, grads, lr_grads = out
            return loss, [grads[k] for k in learner.params] + self.lr_grads(learner, lr_grads)
        loss = self.meta_loss(learner, batch, hp)
        return loss.detach(), list(torch.autograd.grad(loss, self.autograd_leaves(learner)))

    def hand_derived(self, learner) -> bool:
        """Whether the meta-gradient is this module's MLP one (core.fused / analytic / engine)."""
        from core.models import MLP

        return type(self).meta_grad is Algorithm.meta_grad and isinstance(learner.model, MLP)

    def whole_step(self, learner) -> bool:
        """Whether one compiled call may do the whole meta-iteration (compiled_step): here, the
        hand-derived MLP meta-gradient with one inner rate and nothing learned but the init.
        Subclasses with a compiled step of their own say so (Meta-SGD, ANIL, Alpha MAML)."""
        cls = type(self)
        return (self.hand_derived(learner) and cls.train_lr is Algorithm.train_lr
                and cls.analytic_lr is Algorithm.analytic_lr and len(learner.leaves) == len(learner.params))

    def step_spec(self, learner):
        """What the compiled whole step does (core.compiled.AdamStep / HyperStep, part of its
        compile key), for compiling it ahead (core.compiled.prepare); None where there is none."""
        from core import compiled

        return compiled.adam_spec(learner.opt) if self.whole_step(learner) else None

    def compiled_step(self, learner, batch: TaskBatch, hp: HParams):
        """The whole meta-iteration in one compiled call: the meta-loss, or None where
        whole_step does not hold or while the shape compiles (the first call starts it)."""
        from core import compiled

        if not self.whole_step(learner):
            return None
        return compiled.train_step(learner.model, learner.params, learner.opt, batch.xs, batch.ys, batch.xq,
                                   batch.yq, hp.inner_lr, hp.inner_steps, self.first_order)

    def step(self, learner, batch: TaskBatch, hp: HParams) -> torch.Tensor:
        """One meta-iteration with the outer optimiser; returns the (detached) meta-loss. Where
        whole_step holds, the compiled whole step once compiled (meta-gradient and update in one
        call); meanwhile the eager meta-gradient (not the compiled one: one compile per shape)."""
        learner.opt.lr = hp.outer_lr
        loss = self.compiled_step(learner, batch, hp)
        if loss is not None:
            return loss
        if self.whole_step(learner):
            loss, grads = self._meta_grad(learner, batch, hp, try_compiled=False)
        else:
            loss, grads = self.meta_grad(learner, batch, hp)
        for p, g in zip(learner.leaves, grads):
            p.grad = g
        learner.opt.step()
        return loss
