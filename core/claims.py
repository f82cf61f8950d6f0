"""What a preset promises, as data, and the headless check that it keeps the promise.

A preset's "claim" says: after meta-training, the meta-learned init's held-out MSE after
`steps` inner steps is at least `factor` times below a baseline's (the random init, or the
pretrained one), and, with `below`, under that value (the task is fitted). The window meta-
trains for seconds; the check trains a fixed number of iterations instead, so a test is
deterministic and quick. Example:

    {"claim": {"steps": 100, "against": "random", "factor": 5, "below": 0.05,
               "iterations": 400, "seconds": 5}}
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from core import checkpoint as ckpt
from core.algorithms import HParams, MetaLearner
from core.controls import Controls
from core.evaluate import heldout_tasks, pretrain
from core.models import make_model
from core.runner import StepRunner
from core.snapshots import init_steps, mse_at
from core.tasks import get_family
from core.words import QT_TR_NOOP

BASELINES = ("random", "pretrained")
PRETRAIN_ITERATIONS = 1000  # as the live trainer fits its pretrained baseline
CHECK_TASKS = 100  # held-out tasks, as the window's held-out panel
CHUNK = 50  # meta-iterations per checked chunk (core.runner), as `main.py train`


@dataclass(frozen=True)
class Claim:
    """One preset's promise about its held-out MSE."""

    steps: int  # inner steps after which the MSEs are compared
    against: str = "random"  # the baseline init
    factor: float = 3.0  # the meta-learned MSE is at least this many times below the baseline's
    below: float | None = None  # and at most this (the task is fitted), when given
    iterations: int = 1000  # meta-iterations the headless check trains (0: a checkpoint's result)
    seconds: float = 10.0  # about how long the window needs for the same (said in the text)

    def text(self, algorithm: str = "MAML", tr: Callable[[str], str] = QT_TR_NOOP) -> str:
        """The promise in words, for the window; `algorithm` names what is trained ("MAML and Meta-SGD").
        `tr` translates each template (the window passes gui.i18n.tr; core stays English)."""
        when = tr(AT_ONCE) if self.iterations == 0 else tr(AFTER_SECONDS).format(seconds=self.seconds)
        steps = tr(ONE_STEP if self.steps == 1 else STEPS).format(steps=self.steps)
        fitted = tr(FITTED).format(below=self.below) if self.below is not None else ""
        return tr(CLAIM).format(when=when, algorithm=algorithm, steps=steps, factor=self.factor,
                                against=tr(BASELINE_WORDS[self.against]), fitted=fitted)


# The claim's sentence is one template; its parts are whole phrases, so a translation may order them freely.
CLAIM = QT_TR_NOOP("Claim: {when}, the held-out MSE of {algorithm} after {steps} is ≥ {factor:g}x below the "
                   "{against} init's{fitted}.")
AT_ONCE = QT_TR_NOOP("at once")
AFTER_SECONDS = QT_TR_NOOP("after ~{seconds:g} s of meta-training")
ONE_STEP = QT_TR_NOOP("{steps} step")
STEPS = QT_TR_NOOP("{steps} steps")
FITTED = QT_TR_NOOP(" and below {below:g}")
BASELINE_WORDS = {"random": QT_TR_NOOP("random"), "pretrained": QT_TR_NOOP("pretrained")}  # as in BASELINES


_FIELDS = {"steps": int, "against": str, "factor": float, "below": float, "iterations": int, "seconds": float}
_LIMITS = {"steps": (1, 500), "factor": (1.0, 1e6), "below": (1e-9, 1e6), "iterations": (0, 100_000),
           "seconds": (0.0, 3600.0)}


def parse_claim(data, where: str = "claim") -> Claim:
    """A Claim from a preset's JSON object; ValueError with a one-line reason if it is not one."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: claim must be an object such as {{\"steps\": 1, \"factor\": 3}}")
    unknown = set(data) - set(_FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown claim field {sorted(unknown)[0]!r}; known: {', '.join(_FIELDS)}")
    if "steps" not in data:
        raise ValueError(f"{where}: a claim needs \"steps\" (the inner steps it is about)")
    values = {}
    for key, value in data.items():
        kind = _FIELDS[key]
        if kind is str:
            if value not in BASELINES:
                raise ValueError(f"{where}: claim against must be one of {', '.join(BASELINES)}, not {value!r}")
        else:
            ok_type = isinstance(value, int) if kind is int else isinstance(value, (int, float))
            if isinstance(value, bool) or not ok_type or not math.isfinite(value):
                raise ValueError(f"{where}: claim {key} must be a{'n integer' if kind is int else ' number'}, "
                                 f"not {value!r}")
            lo, hi = _LIMITS[key]
            if not lo <= value <= hi:
                raise ValueError(f"{where}: claim {key} must be between {lo:g} and {hi:g}, not {value!r}")
            value = kind(value)
        values[key] = value
    return Claim(**values)


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
