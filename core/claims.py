"""What a preset promises, as data (plain Python: the window reads it before torch; the headless
check that a preset keeps its promise is core.claim_check).

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
from dataclasses import dataclass

from core.words import QT_TR_NOOP

BASELINES = ("random", "pretrained")


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
