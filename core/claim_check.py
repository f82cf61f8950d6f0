"""The headless check that a preset keeps its claim (core.claims): meta-train a fixed number of
iterations as the live trainer would, then compare held-out MSEs with the baseline init's."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from core import checkpoint as ckpt
from core.algorithms import HParams, MetaLearner
from core.claims import Claim
from core.controls import Controls
from core.evaluate import heldout_tasks, pretrain
from core.models import make_model
from core.runner import StepRunner
from core.snapshots import init_steps, mse_at
from core.tasks import get_family

PRETRAIN_ITERATIONS = 1000  # as the live trainer fits its pretrained baseline
CHECK_TASKS = 100  # held-out tasks, as the window's held-out panel
CHUNK = 50  # meta-iterations per checked chunk (core.runner), as `main.py train`


@dataclass
class Verdict:
    """Held-out mean MSE after the claim's steps per init ('meta', 'compare', the baseline),
    whether the claim holds, and why not."""

    mse: dict[str, float]
    holds: bool
    reasons: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        values = ", ".join(f"{k} {v:.4g}" for k, v in self.mse.items())
        return values + ("" if self.holds else " -- " + "; ".join(self.reasons))


def train(c: Controls, iterations: int, device="cpu") -> tuple[MetaLearner, MetaLearner | None, str | None]:
    """Meta-train c's algorithm (and its compared one, on the same tasks) as the live trainer
    builds them; returns the learners and a divergence message or None."""
    family = get_family(c.family)
    model = make_model(c.model, family, c.hidden)
    gen = torch.Generator(device=device).manual_seed(c.seed)
    init = model.init(gen, device)
    learner = MetaLearner(c.algorithm, model, init, c.inner_lr, c.outer_optimizer)
    rival = None
    if c.compare and c.compare != c.algorithm:
        rival = MetaLearner(c.compare, model, init, c.inner_lr, c.outer_optimizer)
    runner = StepRunner(learner, family, gen, torch.device(device), rival, graphs=False)
    hp = c.hparams()
    while runner.iteration < iterations:
        chunk = runner.run(hp, min(CHUNK, iterations - runner.iteration))
        if chunk.diverged_at is not None:
            return learner, rival, f"meta-training diverged at iteration {chunk.diverged_at}"
    return learner, rival, None


def baseline_init(c: Controls, against: str, device="cpu"):
    """The baseline init as the live trainer makes it: random from seed + 1, or pretrained."""
    family = get_family(c.family)
    model = make_model(c.model, family, c.hidden)
    if against == "random":
        return model.init(torch.Generator(device=device).manual_seed(c.seed + 1), device)
    gen = torch.Generator(device=device).manual_seed(c.seed)
    model.init(gen, device)  # the trainer's generator has drawn the meta init first
    return pretrain(model, family, PRETRAIN_ITERATIONS, gen=gen, device=device)


def check(c: Controls, claim: Claim, learner: MetaLearner | None = None, rival: MetaLearner | None = None,
          tasks: int = CHECK_TASKS, device="cpu") -> Verdict:
    """Train (unless a learner is given, e.g. from a checkpoint) and compare on held-out tasks.
    Each trained init adapts with its own step rule, a learned one for at most the steps it was
    trained with (as the window draws it); the baseline adapts with α."""
    reasons = []
    if learner is None:
        learner, rival, problem = train(c, claim.iterations, device)
        if problem:
            reasons.append(problem)
    family = get_family(c.family)
    model = learner.model
    hp: HParams = c.hparams()
    held = heldout_tasks(family, tasks, c.shots, device=device)
    mse = {}
    for name, lrn in (("meta", learner), ("compare", rival)):
        if lrn is None:
            continue
        rule = lrn.inner_lr(hp)
        steps = min(claim.steps, init_steps(lrn, hp, claim.steps))
        params, _ = lrn.state()
        mse[name] = float(mse_at(model, params, held, rule, (steps,))[0].mean())
    base = baseline_init(c, claim.against, device)
    mse[claim.against] = float(mse_at(model, base, held, c.inner_lr, (claim.steps,))[0].mean())
    baseline = mse[claim.against]
    for name in ("meta", "compare"):
        if name not in mse:
            continue
        v = mse[name]
        if not (math.isfinite(v) and v * claim.factor <= baseline):
            reasons.append(f"{name} {v:.4g} is not {claim.factor:g}x below {claim.against} {baseline:.4g}")
        if claim.below is not None and not (math.isfinite(v) and v <= claim.below):
            reasons.append(f"{name} {v:.4g} is not below {claim.below:g}")
    return Verdict(mse, not reasons, reasons)


def from_checkpoint(c: Controls, path) -> MetaLearner:
    """A learner holding a checkpoint's init (and learned extras): a preset that ships its result."""
    loaded = ckpt.load(path)
    model = make_model(c.model, get_family(c.family), c.hidden)
    learner = MetaLearner(c.algorithm, model, loaded.params, c.inner_lr, c.outer_optimizer)
    if loaded.lrs is not None:
        learner.load(loaded.params, loaded.lrs)
    return learner
