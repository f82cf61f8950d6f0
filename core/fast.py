"""The training step as the CLI and the trainer run it: eager on the CPU, one CUDA graph on a GPU.

On the CPU the step is a handful of batched kernels (closed-form inner gradients, one
backward); `train --fast` and the benchmark also compile MAML's and FOMAML's whole step first
(compile_first, core.compiled), the window's trainer does not (the compile would stall it). On a GPU the same
step is dominated by kernel launches (about a hundred tiny ones), so it is captured once
in a CUDA graph and replayed: sampling, inner loop, meta-gradient and the Adam update
together. Learning rates live in device tensors that the graph reads, so they can change
between replays; a change of shape (K, meta-batch, inner steps) captures a new graph.
Where triton imports, MAML's and FOMAML's MLP meta-gradient inside the graph is core.triton_maml's
two fused kernels instead of that hundred (never on the CPU, which keeps its own path).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, replace

import torch

from core.algorithms import REGISTRY, HParams, MetaLearner
from core.algorithms.base import Algorithm
from core.tasks import Family, sample_batch


@dataclass(frozen=True)
class FastRecipe:
    """`main.py train --fast`: quality per second on the CPU (MAML, sinusoid, K = 10).

    To a 1-step MSE of 0.40 on the held-out tasks, meta-batch 100 at outer lr 1e-2 took 160,000
    to 275,000 tasks (seeds 0 and 1) where the CLI defaults (25, 1e-3) took about 460,000
    (docs/bench/quality.txt); seeds 0, 1, 2 crossed 0.40 after 1,600 / 2,200 / 1,700 iterations,
    and no other meta-batch or rate tried did better across seeds (docs/bench/compiled.md). The
    compiled step (core.compiled) does about as many tasks per second at 100 as at 25. The inner
    lr, the model and the evaluation are unchanged."""

    meta_batch: int = 100
    outer_lr: float = 1e-2

    def apply(self, hp: HParams) -> HParams:
        return replace(hp, meta_batch=self.meta_batch, outer_lr=self.outer_lr)


FAST = FastRecipe()


def compile_first(learner: MetaLearner, hp: HParams, device) -> float | None:
    """Compile the learner's whole step for hp's shape now and wait (`train --fast`, `bench
    --quality`): the seconds it took, to be reported apart from training, or None where it stays
    eager (a GPU, an algorithm without a compiled whole step, a failed compile). Not
    for the window's trainer: compiling holds the GIL for seconds and training would stall."""
    if torch.device(device).type != "cpu":
        return None
    spec = learner.algo.step_spec(learner)  # what its compiled whole step does (None: it has none)
    if spec is None:
        return None
    from core import compiled
    compiled.enable()
    dtype = next(iter(learner.params.values())).dtype
    return compiled.prepare(learner.model, hp.meta_batch, hp.shots, hp.inner_steps, learner.algo.first_order,
                            dtype=dtype, whole=spec)


def eager_step(learner: MetaLearner, family: Family, hp: HParams, gen, device) -> torch.Tensor:
    batch = sample_batch(family, hp.meta_batch, hp.shots, gen=gen, device=device)
    return learner.step(batch, hp)


def triton_available(device) -> bool:
    """Whether core.triton_maml's kernels can run here: a CUDA device and triton importable.
    On the CPU the answer is no without importing triton (the window's start-up stays as it is)."""
    if torch.device(device).type != "cuda":
        return False
    from core import triton_maml
    return triton_maml.available()


def fused_applies(learner: MetaLearner) -> bool:
    """Whether the learner's meta-gradient is the one core.triton_maml computes: the base class's
    hand-derived MLP path (MAML, FOMAML) with one inner rate and no learned extras."""
    from core import triton_maml
    algo = learner.algo
    return (triton_maml.supports(learner.model) and type(algo).meta_grad is Algorithm.meta_grad
            and type(algo).train_lr is Algorithm.train_lr and len(learner.leaves) == len(learner.params))


def fused_meta_grad(learner: MetaLearner, batch, hp: HParams) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """learner.meta_grad(batch, hp) by core.triton_maml (for a learner that fused_applies to)."""
    from core import triton_maml
    loss, grads, _ = triton_maml.meta_grad(
        learner.model, {k: v.detach() for k, v in learner.params.items()}, batch.xs, batch.ys, batch.xq, batch.yq,
        learner.algo.analytic_lr(learner, hp), hp.inner_steps, first_order=learner.algo.first_order)
    return loss, [grads[k] for k in learner.params]


class GraphUnavailable(RuntimeError):
    """Capturing the step failed; the caller carries on eagerly (with its own generator)."""


class GraphStepper:
    """Replays one captured meta-iteration; re-captures when the shapes change. fused: use
    core.triton_maml's kernels where triton_available and fused_applies (else the engine's ops)."""

    def __init__(self, learner: MetaLearner, family: Family, device: torch.device, warmup: int = 3,
                 fused: bool = True):
        self.learner, self.family, self.device, self.warmup = learner, family, device, warmup
        self.fused = fused and triton_available(device) and fused_applies(learner)
        self.inner_lr = torch.zeros((), device=device)
        self.outer_lr = torch.zeros((), device=device)
        learner.opt.lr = self.outer_lr  # a device tensor: the captured graph reads it at every replay
        self.graphs: dict[tuple, tuple[torch.cuda.CUDAGraph, torch.Tensor]] = {}

    def _body(self, shape: tuple) -> torch.Tensor:
        steps, shots, meta_batch = shape
        hp = HParams(self.inner_lr, self.outer_lr, steps, shots, meta_batch)
        batch = sample_batch(self.family, meta_batch, shots, device=self.device)  # default generator: graph-safe
        learner = self.learner
        loss, grads = fused_meta_grad(learner, batch, hp) if self.fused else learner.meta_grad(batch, hp)
        for p, g in zip(learner.leaves, grads):
            p.grad = g
        learner.opt.step()
        return loss

    def _capture(self, shape: tuple):
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(self.warmup):
                self._body(shape)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            loss = self._body(shape)
        return graph, loss

    def __call__(self, hp: HParams) -> torch.Tensor:
        self.inner_lr.fill_(hp.inner_lr)
        self.outer_lr.fill_(hp.outer_lr)
        shape = (hp.inner_steps, hp.shots, hp.meta_batch)
        if shape not in self.graphs and self.fused:
            try:
                self.graphs[shape] = self._capture(shape)
            except Exception as e:  # e.g. the kernels do not compile for this GPU: the engine's ops then
                print(f"warning: Triton kernels unavailable ({type(e).__name__}: {e}); graph without them",
                      file=sys.stderr)
                self.fused = False
        if shape not in self.graphs:
            try:
                self.graphs[shape] = self._capture(shape)
            except Exception as e:
                raise GraphUnavailable(f"CUDA graph capture failed ({type(e).__name__}: {e})") from e
        graph, loss = self.graphs[shape]
        graph.replay()
        return loss.clone()


# The algorithms that declare themselves graphable (the others read values on the host: eager).
GRAPHABLE = tuple(name for name, cls in REGISTRY.items() if cls.graphable)


def make_stepper(learner: MetaLearner, family: Family, hp: HParams, gen, device: torch.device, graphs=True,
                 fused=True):
    """A no-argument callable doing one meta-iteration with `hp` (read at every call), unchecked:
    for benchmarks (fused=False: the graph without the Triton kernels). Training goes through
    core.runner.StepRunner, which checks each chunk."""
    if device.type == "cuda" and graphs and learner.graphable:
        torch.cuda.manual_seed(int(torch.randint(0, 2**31, (1,), generator=gen, device=device)))
        stepper = GraphStepper(learner, family, device, fused=fused)
        state = {"graph": True}

        def step():
            if state["graph"]:
                try:
                    return stepper(hp)
                except GraphUnavailable as e:
                    print(f"warning: {e}; training eagerly", file=sys.stderr)
                    state["graph"] = False
            return eager_step(learner, family, hp, gen, device)
        return step
    return lambda: eager_step(learner, family, hp, gen, device)
