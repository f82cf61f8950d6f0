"""Meta-iterations in chunks, with the divergence check and the rollback: one rule for the live
trainer and `main.py train`.

A chunk runs n steps with one host sync at its end (a GPU runs ahead of Python; on the CPU it
saves the per-step checks). A step's loss is computed at the parameters before it, so a finite
first loss proves the chunk's starting point: on divergence the parameters go back there (or,
if the very first loss is bad, to the previous proven point). On a GPU the step of a graphable
algorithm is one captured CUDA graph; if capture fails, the runner carries on eagerly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from core.algorithms import HParams, MetaLearner, diverged
from core.fast import GraphStepper, GraphUnavailable
from core.tasks import Family, sample_batch


@dataclass
class Chunk:
    """What one chunk did. `losses` (and `rival_losses`) are the steps that count; on divergence
    they are empty and `rolled_back_to` names the iteration whose parameters were restored."""

    losses: list[float] = field(default_factory=list)
    rival_losses: list[float] = field(default_factory=list)
    diverged_at: int | None = None  # iteration (1-based, counted from the run's start) that blew up
    diverged_value: float = math.nan
    rolled_back_to: int | None = None
    # the last proven point itself diverges at its first step with these settings: rolling back
    # cannot help (only smaller rates, fewer inner steps or a reset can)
    stuck: bool = False
    notice: str = ""  # e.g. the graph capture failed and training goes on eagerly


class StepRunner:
    """Steps a learner (and an optional rival on the same task batches) in checked chunks."""

    def __init__(self, learner: MetaLearner, family: Family, gen: torch.Generator, device: torch.device,
                 rival: MetaLearner | None = None, iteration: int = 0, graphs: bool = True):
        self.learner, self.rival, self.family, self.gen, self.device = learner, rival, family, gen, device
        self.iteration = iteration
        self.graph: GraphStepper | None = None
        if graphs and device.type == "cuda" and rival is None and learner.graphable:
            torch.cuda.manual_seed(int(torch.randint(0, 2**31, (1,), generator=gen, device=device)))
            self.graph = GraphStepper(learner, family, device)
        self._good = self._states()
        self._good_iteration = iteration

    def _states(self):
        return self.learner.state(), (self.rival.state() if self.rival else None)

    def _load(self, states) -> None:
        mine, rival = states
        self.learner.load(*mine)
        self.learner.opt.reset()
        if self.rival is not None:
            self.rival.load(*rival)
            self.rival.opt.reset()

    def _step(self, hp: HParams, losses: list, rival_losses: list) -> None:
        if self.graph is not None:
            losses.append(self.graph(hp))
            return
        batch = sample_batch(self.family, hp.meta_batch, hp.shots, gen=self.gen, device=self.device)
        losses.append(self.learner.step(batch, hp))
        if self.rival is not None:  # the same tasks: the two differ by the algorithm alone
            rival_losses.append(self.rival.step(batch, hp))

    def run(self, hp: HParams, n: int, interrupted=None) -> Chunk:
        """n meta-iterations, checked; fewer if `interrupted()` turns true between two (the user
        changed something: the window wants a snapshot of it now). torch.OutOfMemoryError
        propagates after counting the steps that finished (the caller decides where to go on)."""
        before = self._states()
        losses, rival_losses, notice = [], [], ""
        try:
            for i in range(n):
                if i and interrupted is not None and interrupted():
                    break
                self._step(hp, losses, rival_losses)
        except GraphUnavailable as e:  # eager steps on the same device, with the runner's own generator
            self.graph, notice = None, f"{e}; training without CUDA graphs"
        except torch.OutOfMemoryError as e:
            e.finished_losses = torch.stack(losses).tolist() if losses else []  # these steps count
            self.iteration += len(losses)
            raise
        values = torch.stack(losses).tolist() if losses else []
        rival_values = torch.stack(rival_losses).tolist() if rival_losses else [0.0] * len(values)
        leaves = self.learner.leaves + (self.rival.leaves if self.rival else [])
        params_ok = bool(torch.stack([torch.isfinite(p).all() for p in leaves]).all())
        bad = next((i for i, (v, r) in enumerate(zip(values, rival_values)) if diverged(v) or diverged(r)), None)
        if bad is not None or not params_ok:
            stuck = bad == 0 and self.iteration == self._good_iteration
            if bad == 0:  # even the chunk's starting point is bad: back to the last proven one
                before, start = self._good, self._good_iteration
            else:
                start = self.iteration
            self._load(before)
            at = self.iteration + (bad + 1 if bad is not None else len(values))
            value = values[bad] if bad is not None and diverged(values[bad]) else (
                rival_values[bad] if bad is not None else math.nan)
            self.iteration = start
            return Chunk(diverged_at=at, diverged_value=value, rolled_back_to=start, stuck=stuck, notice=notice)
        self._good, self._good_iteration = before, self.iteration
        self.iteration += len(values)
        return Chunk(values, rival_values if rival_losses else [], notice=notice)
