"""`python main.py bench`: meta-iterations per second, side by side in one run.

Every row does the same work (the paper's sinusoid setup: MLP 1-40-40-1, K=10, one
inner step, meta-batch 25) including sampling the tasks, is timed after a warm-up, and
updates its init with the same optimiser, core.optim.Adam (Alpha MAML excepted: its own
hypergradient SGD is the algorithm). Each row's ratio is to the plain loop of its own order:
- second order (MAML and the rows that differentiate through the inner steps): the lean
  per-task loop, F.linear weights and autograd.grad(create_graph=True), how most MAML code
  computes the meta-gradient;
- first order (FOMAML): the same loop with create_graph=False;
- Reptile: the same loop's adapted weights, pseudo-gradient theta - mean(phi).
torch.func is the functional alternative: vmap eagerly, and grad(vmap) under torch.compile
(its compile time reported apart; the row is skipped with the reason when compile fails). Each
algorithm with a hand-written compiled step (MAML, Meta-SGD, ANIL, Alpha MAML) also has its own
torch.func + torch.compile row, the same algorithm written the plain torch.func way
(FUNC_REFERENCES): the yardstick its row is set against (`x own`), beside MAML's (`x compile`).
"""
from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch
import torch.nn.functional as F
from torch.func import grad, grad_and_value, vmap
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves, tree_map

from core import analytic, compiled, engine, fused, safeio
from core.algorithms import ALGORITHMS, HParams, MetaLearner, get_algorithm
from core.algorithms.alpha import AlphaMAML
from core.algorithms.anil import ANIL
from core.algorithms.maml import MAML
from core.algorithms.metasgd import MetaSGD
from core.evaluate import evaluate, heldout_tasks
from core.fast import FAST, compile_first, make_stepper
from core.models import Params, make_model
from core.optim import Adam
from core.reference import lean_meta_loss, lean_reptile_grad, vmap_meta_loss
from core.tasks import TaskBatch, get_family, sample_batch


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def _rate(step, device, seconds: float, warmup: int = 20) -> float:
    for _ in range(warmup):
        step()
    _sync(device)
    n, t0 = 0, time.perf_counter()
    while True:
        for _ in range(10):
            step()
        n += 10
        _sync(device)
        if time.perf_counter() - t0 >= seconds:
            return n / (time.perf_counter() - t0)


# ---- baselines: each (model, params, batch, hp) -> (loss, one gradient per entry of params) ----
def loop_grad(model, params: Params, batch: TaskBatch, hp: HParams, first_order: bool = False):
    """The lean plain loop (second order, or first order), one backward for the whole batch."""
    weights = list(params.values())
    loss = lean_meta_loss(weights, batch, hp.inner_lr, hp.inner_steps, first_order)
    return loss.detach(), list(torch.autograd.grad(loss, weights))


def loop_reptile_grad(model, params: Params, batch: TaskBatch, hp: HParams):
    """The lean plain loop's Reptile pseudo-gradient."""
    return lean_reptile_grad(list(params.values()), batch, hp.inner_lr, hp.inner_steps)


def vmap_grad(model, params: Params, batch: TaskBatch, hp: HParams):
    """torch.func vmap over tasks (grad inside), autograd for the outer gradient."""
    loss = vmap_meta_loss(model, params, batch, hp.inner_lr, hp.inner_steps)
    return loss.detach(), list(torch.autograd.grad(loss, list(params.values())))


def _func_meta_loss(params, xs, ys, xq, yq, model, lr, steps):
    """vmap_meta_loss on plain tensors: torch.func.grad differentiates argument 0, the params."""
    return vmap_meta_loss(model, params, TaskBatch(xs, ys, xq, yq, None, None), lr, steps)


func_meta_grad = grad_and_value(_func_meta_loss)  # torch.func end to end: grad(vmap(grad))


# ---- each algorithm as a torch.func user writes it: the yardstick of its own compiled step ----
def _task_mse(model, p: Params, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """One task's MSE with unbatched params: the MLP's own forward on a batch of one task."""
    pred = model.forward({k: v.unsqueeze(0) for k, v in p.items()}, x.unsqueeze(0)).squeeze(0)
    return ((pred - y) ** 2).mean()


def _func_rates_meta_loss(leaves, xs, ys, xq, yq, model, lr, steps):
    """Meta-SGD: leaves = (params, a learned rate per entry); both are differentiated."""
    params, rates = leaves

    def task_loss(p, r, xs, ys, xq, yq):
        for _ in range(steps):
            g = grad(partial(_task_mse, model))(p, xs, ys)
            p = {k: p[k] - r[k] * g[k] for k in p}
        return _task_mse(model, p, xq, yq)

    return vmap(task_loss, in_dims=(None, None, 0, 0, 0, 0))(params, rates, xs, ys, xq, yq).mean()


def _func_alpha_meta_loss(leaves, xs, ys, xq, yq, model, lr, steps):
    """Alpha MAML: leaves = (params, one learned scalar rate alpha), Meta-SGD's loss with alpha
    as every entry's rate (its gradient sums over them)."""
    params, alpha = leaves
    return _func_rates_meta_loss((params, dict.fromkeys(params, alpha)), xs, ys, xq, yq, model, lr, steps)


def _func_anil_meta_loss(params, xs, ys, xq, yq, model, lr, steps):
    """ANIL: each task's body features computed once (support and query), SGD on the head alone;
    the outer gradient reaches the body through the features."""
    layers = [(params[w], params[b]) for w, b in model.names]
    body, head = layers[:-1], layers[-1]

    def features(x):
        h = x.unsqueeze(-1)
        for w, b in body:
            h = torch.relu(F.linear(h, w, b))
        return h

    def head_mse(wb, h, y):
        return ((F.linear(h, *wb).squeeze(-1) - y) ** 2).mean()

    def task_loss(xs, ys, xq, yq):
        hs, hq, fast = features(xs), features(xq), head
        for _ in range(steps):
            g = grad(head_mse)(fast, hs, ys)
            fast = tuple(p - lr * gp for p, gp in zip(fast, g))
        return head_mse(fast, hq, yq)

    return vmap(task_loss)(xs, ys, xq, yq).mean()


def _init_only(params: Params, hp: HParams):
    return params


def _init_and_rates(params: Params, hp: HParams):
    """Meta-SGD's leaves: the init and a rate per entry, all starting at the inner lr."""
    return params, {k: torch.full_like(v, hp.inner_lr) for k, v in params.items()}


def _init_and_alpha(params: Params, hp: HParams):
    """Alpha MAML's leaves: the init and alpha, starting at the inner lr."""
    return params, torch.tensor(float(hp.inner_lr), dtype=next(iter(params.values())).dtype,
                                device=next(iter(params.values())).device)


def adam_update(leaves: list[torch.Tensor], hp: HParams):
    """core.optim.Adam over every leaf, as the project's step (init and Meta-SGD's rates alike)."""
    opt = Adam(leaves, lr=hp.outer_lr)

    def update(grads: list[torch.Tensor]) -> None:
        for p, g in zip(leaves, grads):
            p.grad = g
        opt.step()
    return update


def hyper_update(leaves: list[torch.Tensor], hp: HParams):
    """Alpha MAML's update as its eager step does it (leaves: the init, then alpha): theta -=
    beta g; beta *= 1 + hyper_beta cos(g, previous g) (not on the first step); alpha -= hyper_lr
    dL/dalpha, clamped at 0."""
    params, alpha = leaves[:-1], leaves[-1]
    beta = torch.tensor(float(hp.outer_lr), dtype=alpha.dtype, device=alpha.device)
    prev = torch.zeros(sum(p.numel() for p in params), dtype=alpha.dtype, device=alpha.device)
    has_prev = torch.zeros((), dtype=alpha.dtype, device=alpha.device)

    @torch.no_grad()
    def update(grads: list[torch.Tensor]) -> None:
        grads, d_alpha = grads[:-1], grads[-1]
        flat = torch.cat([g.flatten() for g in grads])
        cos = flat @ prev / (flat.norm() * prev.norm()).clamp_min(1e-30)
        beta.mul_(1 + hp.hyper_beta * cos * has_prev)
        prev.copy_(flat)
        has_prev.fill_(1.0)
        for p, g in zip(params, grads):
            p.sub_(beta * g)
        alpha.sub_(hp.hyper_lr * d_alpha).clamp_(min=0.0)
    return update


@dataclass(frozen=True)
class FuncReference:
    """One algorithm written the plain torch.func way (the MLP's forward, grad for the inner
    steps, vmap over the tasks, grad_and_value for the meta-gradient), and updated as the
    project's step updates it: what a user gets from torch.compile for that algorithm."""

    label: str  # its row in the table
    meta_grad: Callable  # (leaves, xs, ys, xq, yq, model, lr, steps) -> (gradients shaped as leaves, loss)
    leaves: Callable  # (init params, hp) -> what it learns: the params, or (params, its rates)
    update: Callable  # (the leaves flat, hp) -> update(flat gradients), in place


COMPILE_ROW = "torch.func grad(vmap), compiled"  # MAML's: the row every other is also set against (x compile)
# Each algorithm with a hand-written compiled step, by class: its own torch.compile yardstick (x own).
FUNC_REFERENCES: dict[type, FuncReference] = {
    MAML: FuncReference(COMPILE_ROW, func_meta_grad, _init_only, adam_update),
    MetaSGD: FuncReference("torch.func Meta-SGD, compiled", grad_and_value(_func_rates_meta_loss),
                           _init_and_rates, adam_update),
    ANIL: FuncReference("torch.func ANIL, compiled", grad_and_value(_func_anil_meta_loss), _init_only, adam_update),
    AlphaMAML: FuncReference("torch.func Alpha MAML, compiled", grad_and_value(_func_alpha_meta_loss),
                             _init_and_alpha, hyper_update),
}


def reference_grad(ref: FuncReference, leaves, model, batch: TaskBatch, hp: HParams, fn=None):
    """The meta-loss and the gradients, flat in the leaves' order, by ref.meta_grad or `fn`
    (the same under torch.compile)."""
    grads, loss = (fn or ref.meta_grad)(tree_map(torch.Tensor.detach, leaves), batch.xs, batch.ys, batch.xq,
                                        batch.yq, model, hp.inner_lr, hp.inner_steps)
    return loss, tree_leaves(grads)


def func_stepper(ref: FuncReference, model, family, hp, gen, device, fn=None):
    """One meta-iteration of a torch.func reference: sample, its meta-gradient (by `fn` if
    given), its update."""
    leaves = tree_map(lambda v: v.requires_grad_(True), ref.leaves(model.init(gen, device), hp))
    update = ref.update(tree_leaves(leaves), hp)

    def step():
        batch = sample_batch(family, hp.meta_batch, hp.shots, gen=gen, device=device)
        loss, grads = reference_grad(ref, leaves, model, batch, hp, fn)
        update(grads)
        return loss
    return step


# (row label, meta-gradient, the baseline its ratio is to)
BASELINES = {
    "loop": ("plain loop, 2nd order", loop_grad, "loop"),
    "loop-fo": ("plain loop, 1st order", partial(loop_grad, first_order=True), "loop-fo"),
    "loop-reptile": ("plain loop, Reptile", loop_reptile_grad, "loop-reptile"),
    "vmap": ("torch.func vmap, eager", vmap_grad, "loop"),
}


def baseline_stepper(meta_grad, model, family, hp, gen, device):
    """One meta-iteration of a baseline: sample, meta-gradient, core.optim.Adam."""
    params = {k: v.requires_grad_(True) for k, v in model.init(gen, device).items()}
    opt = Adam(list(params.values()), lr=hp.outer_lr)

    def step():
        batch = sample_batch(family, hp.meta_batch, hp.shots, gen=gen, device=device)
        loss, grads = meta_grad(model, params, batch, hp)
        for p, g in zip(params.values(), grads):
            p.grad = g
        opt.step()
        return loss
    return step


def compiled_stepper(model, family, hp, gen, device, ref: FuncReference = FUNC_REFERENCES[MAML]):
    """A torch.func reference's stepper under torch.compile, its first call (the compile) done.

    Returns (step, compile seconds, max relative difference to the eager gradient on one batch).
    """
    fn = torch.compile(ref.meta_grad)
    step = func_stepper(ref, model, family, hp, gen, device, fn)
    t0 = time.perf_counter()
    step()
    _sync(device)
    seconds = time.perf_counter() - t0
    batch = sample_batch(family, hp.meta_batch, hp.shots, gen=gen, device=device)
    leaves = ref.leaves(model.init(gen, device), hp)
    _, eager = reference_grad(ref, leaves, model, batch, hp)
    _, compiled = reference_grad(ref, leaves, model, batch, hp, fn)
    diff = max(float((c - e).norm() / e.norm().clamp_min(1e-30)) for c, e in zip(compiled, eager))
    return step, seconds, diff


def time_to_quality(device, hp: HParams, target=0.40, limit_s=180.0, check_every_s=1.0) -> dict:
    """Seconds of MAML training (evaluation excluded) until K=10 1-step MSE <= target on 600 tasks."""
    family = get_family("sinusoid")
    model = make_model("mlp", family)
    gen = torch.Generator(device=device).manual_seed(0)
    learner = MetaLearner("maml", model, model.init(gen, device), hp.inner_lr)
    compile_s = compile_first(learner, hp, device)
    if compile_s is not None:
        print(f"  our step for meta-batch {hp.meta_batch} compiled first (not counted): {compile_s:.1f} s", flush=True)
    step = make_stepper(learner, family, hp, gen, device)
    tasks = heldout_tasks(family, 600, 10, device=device)
    trained, its, history = 0.0, 0, []
    while trained < limit_s:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < check_every_s:
            for _ in range(50):
                step()
            its += 50
            _sync(device)
        trained += time.perf_counter() - t0
        mse1 = evaluate(model, learner.state()[0], tasks, hp.inner_lr, 1).mean[1]
        history.append((round(trained, 1), its, round(mse1, 4)))
        print(f"  quality: {trained:6.1f} s  {its:>7} it  1-step MSE {mse1:.3f}", flush=True)
        if mse1 <= target:
            return {"target": target, "seconds": round(trained, 1), "iterations": its, "history": history,
                    "compile_s": None if compile_s is None else round(compile_s, 1)}
    return {"target": target, "seconds": None, "iterations": its, "history": history,
            "compile_s": None if compile_s is None else round(compile_s, 1)}


def _wait_compiled(step) -> float | None:
    """Run one step (it starts the background compile of its shape, if core.compiled takes it)
    and wait for that compile: the seconds it took, or None when the step stays eager."""
    t0 = time.perf_counter()
    step()
    compiled.COMPILER.wait()
    seconds = time.perf_counter() - t0
    calls = compiled.COMPILER.calls
    step()
    return seconds if compiled.COMPILER.calls > calls else None


ROUNDS = 3  # timing rounds, the rows interleaved: each row's best round counts


def _time_rows(pending, device, seconds: float, meta_batch: int, rounds: int = ROUNDS) -> list[dict]:
    """Time every row in `rounds` interleaved rounds of seconds / rounds each and keep each row's
    best: on a shared machine a load spike then slows one round of every row, not one row."""
    best = [0.0] * len(pending)
    for r in range(rounds):
        for i, (_, step) in enumerate(pending):
            best[i] = max(best[i], _rate(step, device, seconds / rounds, warmup=20 if r == 0 else 5))
    print(f"  (each row: the best of {rounds} interleaved rounds)")
    rows = []
    for (row, _), rate in zip(pending, best):
        rows.append(dict(row, it_s=rate, tasks_s=rate * meta_batch))
    return rows


def _compiled_row(model, family, hp, gen, device, record, cls: type = MAML) -> dict:
    """Time the torch.compile row of `cls`'s torch.func reference; on any failure print why and
    carry on without it."""
    ref = FUNC_REFERENCES[cls]
    try:
        step, seconds, diff = compiled_stepper(model, family, hp, gen, device, ref)
    except Exception as e:  # compile needs a working C++ compiler (Triton on CUDA), among others
        reason = str(e).strip().splitlines()[0] if str(e).strip() else ""
        print(f"  torch.compile row skipped: {type(e).__name__}: {reason[:160]} ({ref.label})", flush=True)
        return {"skipped": f"{type(e).__name__}: {reason}"}
    print(f"  torch.compile, {cls.label}: first call (the compile) {seconds:.1f} s, "
          f"gradient vs eager rel. difference {diff:.1e}", flush=True)
    record(ref.label, cls.baseline, step, cls.optimiser_label, own=ref.label)
    return {"compile_s": round(seconds, 1), "rel_diff_to_eager": diff}


def fused_meta_grad(model, params, xs, ys, xq, yq, lr: float, steps: int):
    """core.fused run eagerly, as core.analytic is called: factored per-task hidden weights."""
    ws, bs = [params[w] for w, _ in model.names], [params[b] for _, b in model.names]
    loss, vw, vb, _, _ = fused.meta_grad(ws, bs, xs, ys, xq, yq, torch.tensor(lr, dtype=xs.dtype), steps)
    grads = {}
    for (w, b), gw, gb in zip(model.names, vw, vb):
        grads[w], grads[b] = gw, gb
    return loss, grads, None


# The meta-gradient kernels the scaling table compares eagerly (all hand-derived, no autograd).
KERNELS = {"analytic": analytic.meta_grad, "engine": engine.meta_grad, "fused": fused_meta_grad}
COMPILED = "compiled"  # the scaling table's third kernel: core.compiled's whole step (compile time apart)
SCALE_SIZES = (250, 2500, 10_000)
# Published MAML figures for the sinusoid, K = 10, one gradient step (lower is better).
PUBLISHED = (("MAML, CAVIA paper's table (Zintgraf et al. 2019)", 0.44),
             ("MAML, Meta-SGD paper's table (Li et al. 2017)", 0.85))


class PeakTensorBytes(TorchDispatchMode):
    """The peak of the bytes held by tensors made under it (storages counted once, freed when
    the last tensor on them goes): a step's working memory, whatever the allocator keeps."""

    def __init__(self):
        super().__init__()
        self.live: dict[int, list[int]] = {}  # storage address -> [bytes, tensors on it]
        self.current = self.peak = 0

    def _drop(self, key: int) -> None:
        entry = self.live[key]
        entry[1] -= 1
        if entry[1] == 0:
            self.current -= entry[0]
            del self.live[key]

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in tree_leaves(out):
            if isinstance(t, torch.Tensor):
                storage = t.untyped_storage()
                key, size = storage.data_ptr(), storage.nbytes()
                if key not in self.live:
                    self.live[key] = [size, 0]
                    self.current += size
                    self.peak = max(self.peak, self.current)
                self.live[key][1] += 1
                weakref.finalize(t, self._drop, key)
        return out


def scale_probe(kernel: str, meta_batch: int, seconds: float) -> dict:
    """One MAML meta-iteration (sample, meta-gradient, Adam) at `meta_batch` tasks with one
    kernel (of KERNELS, or "compiled": core.compiled's whole step, compiled first): iterations
    per second; the peak bytes of the tensors one eager iteration makes (not seen inside a
    compiled program); and the growth of the process's peak resident memory over the timed
    iterations, per task (large buffers are mapped fresh, so it shows a compiled step's too)."""
    import resource
    family = get_family("sinusoid")
    model = make_model("mlp", family)
    gen = torch.Generator().manual_seed(0)
    params = model.init(gen)
    opt = Adam(list(params.values()), lr=1e-3)
    row = {"kernel": kernel, "meta_batch": meta_batch}
    if kernel == COMPILED:
        compiled.enable()
        adam = compiled.adam_settings(opt)
        row["compile_s"] = compiled.prepare(model, meta_batch, 10, 1, adam=adam)

        def step():
            b = sample_batch(family, meta_batch, 10, gen=gen)
            if compiled.train_step(model, params, opt, b.xs, b.ys, b.xq, b.yq, 0.01, 1) is None:
                raise RuntimeError(f"not compiled: {compiled.COMPILER.failures}")
    else:
        fn = KERNELS[kernel]

        def step():
            b = sample_batch(family, meta_batch, 10, gen=gen)
            _, grads, _ = fn(model, params, b.xs, b.ys, b.xq, b.yq, 0.01, 1)
            for k, p in params.items():
                p.grad = grads[k]
            opt.step()

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    step()
    n, t0 = 0, time.perf_counter()
    while n < 2 or time.perf_counter() - t0 < seconds:
        step()
        n += 1
    rate = n / (time.perf_counter() - t0)
    row["rss_kib_per_task"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / meta_batch
    if kernel != COMPILED:
        with PeakTensorBytes() as mem:
            step()
        row["kib_per_task"] = mem.peak / 1024 / meta_batch
    return dict(row, it_s=rate, tasks_s=rate * meta_batch)


def scaling(seconds: float, threads: int, sizes=SCALE_SIZES, kernels=(*KERNELS, COMPILED)) -> list[dict]:
    """The scale probes, each in a fresh process (no allocator or cache state carried over)."""
    rows = []
    print(f"\nscaling (MAML, K=10, 1 inner step, {threads} thread(s); KiB/task: peak tensor bytes of one eager "
          "iteration per task; RSS/task: growth of peak resident memory while timed, per task)")
    print(f"  {'meta-batch':>10}  {'kernel':<9}{'it/s':>9}{'tasks/s':>11}{'KiB/task':>10}{'RSS/task':>10}  compile")
    for size in sizes:
        for kernel in kernels:
            code = (f"import json, torch; torch.set_num_threads({threads}); from core.bench import scale_probe; "
                    f"print(json.dumps(scale_probe({kernel!r}, {size}, {seconds})))")
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            peak = f"{row['kib_per_task']:10.1f}" if "kib_per_task" in row else f"{'-':>10}"
            compile_s = f"{row['compile_s']:.1f} s" if row.get("compile_s") is not None else ""
            print(f"  {size:>10}  {kernel:<9}{row['it_s']:9.2f}{row['tasks_s']:11.0f}{peak}"
                  f"{row['rss_kib_per_task']:10.1f}  {compile_s}", flush=True)
    return rows


def run_bench(args) -> int:
    from core.cli import device_of
    device = device_of(args.device)
    family = get_family("sinusoid")
    model = make_model("mlp", family)
    hp = HParams(0.01, 1e-3, 1, 10, args.meta_batch)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or "CPU"
    print(f"device {device} ({name}), torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
          f"meta-batch {hp.meta_batch}, K={hp.shots}, {hp.inner_steps} inner step, MLP 1-40-40-1")
    pending = []

    def record(label, against, step, optimiser="core.optim.Adam", own=None):
        pending.append(({"name": label, "against": against, "optimiser": optimiser, "own_compile": own}, step))

    gen = torch.Generator(device=device).manual_seed(0)
    for label, meta_grad, against in BASELINES.values():
        record(label, against, baseline_stepper(meta_grad, model, family, hp, gen, device))
    out = {"device": str(device), "device_name": name, "threads": torch.get_num_threads(),
           "meta_batch": hp.meta_batch}
    if args.compile:  # MAML's torch.compile row, then each other algorithm's own
        out["compile"] = {cls.name: _compiled_row(model, family, hp, gen, device, record, cls)
                          for cls in FUNC_REFERENCES}
    compiled.enable(args.compile)
    out["our_compile"] = {}
    for alg in ALGORITHMS:
        learner, cls = MetaLearner(alg, model, model.init(gen, device), hp.inner_lr), get_algorithm(alg)
        step = make_stepper(learner, family, hp, gen, device)
        how = "batched" if device.type != "cuda" else ("CUDA graph" if cls.graphable else "eager")
        seconds = _wait_compiled(step)
        if seconds is not None:
            how = "compiled"
            out["our_compile"][alg] = round(seconds, 1)
            print(f"  {cls.label}: our step compiled in the background, waited {seconds:.1f} s", flush=True)
        own = FUNC_REFERENCES[cls].label if cls in FUNC_REFERENCES else None
        record(f"{cls.label} (ours, {how})", cls.baseline, step, cls.optimiser_label, own)
    rows = _time_rows(pending, device, args.seconds, hp.meta_batch)
    _print_table(rows)
    out["rows"] = rows
    if getattr(args, "scale", False):
        out["scaling"] = scaling(args.seconds, torch.get_num_threads())
    if args.quality:
        out["time_to_quality"] = {}
        for label, q_hp in (("--fast recipe", FAST.apply(hp)), ("CLI defaults", hp)):
            print(f"\ntime to quality, {label} (MAML, meta-batch {q_hp.meta_batch}, outer lr {q_hp.outer_lr:g}; "
                  "K=10 1-step MSE <= 0.40 on 600 held-out tasks):")
            result = out["time_to_quality"][label] = time_to_quality(device, q_hp)
            if result["seconds"]:
                print(f"  {result['iterations']} iterations at {result['iterations'] / result['seconds']:.0f} it/s "
                      "(training only)")
            print(f"  -> {result['seconds']} s")
        for label, figure in PUBLISHED:
            print(f"  published: {label}: 1-step MSE {figure:.2f}")
    if args.json:
        safeio.write_text(args.json, safeio.dumps_json(out), "JSON output")
        print(f"wrote {args.json}")
    return 0


def _print_table(rows: list[dict]) -> None:
    """Each row's ratio to the plain loop of its own order (the `against` column), set on the row;
    where the torch.compile rows were timed, to MAML's (x compile: MAML's second-order step under
    torch.compile, issue 14's first yardstick) and to the row's own algorithm's (x own: the same
    algorithm written with torch.func under torch.compile, the like-for-like one)."""
    base = {r["against"]: r["it_s"] for r in rows if r["name"] == BASELINES[r["against"]][0]}
    rate_of = {r["name"]: r["it_s"] for r in rows}
    compiled_rate = rate_of.get(COMPILE_ROW)
    own_shown = any(r.get("own_compile") in rate_of for r in rows)
    extra = (f"{'x compile':>11}" if compiled_rate else "") + (f"{'x own':>8}" if own_shown else "")
    print(f"\n{'':<36}{'it/s':>10}{'tasks/s':>12}{'x loop':>9}{extra}  {'against':<23}optimiser")
    for r in rows:
        r["ratio"] = r["it_s"] / base[r["against"]]
        column = ""
        if compiled_rate:
            r["x_compile"] = r["it_s"] / compiled_rate
            column += f"{r['x_compile']:11.2f}"
        if own_shown:
            own = rate_of.get(r.get("own_compile"))
            if own:
                r["x_own_compile"] = r["it_s"] / own
            column += f"{r['x_own_compile']:8.2f}" if own else f"{'-':>8}"
        print(f"  {r['name']:<34}{r['it_s']:10.1f}{r['tasks_s']:12.0f}{r['ratio']:9.2f}{column}  "
              f"{BASELINES[r['against']][0]:<23}{r['optimiser']}")
    print("  x loop: it/s over the plain loop of the same order, named under `against`")
    if compiled_rate:
        print(f"  x compile: it/s over the `{COMPILE_ROW}` row (MAML, second order) of this run")
    if own_shown:
        print("  x own: it/s over the torch.compile row of the same algorithm in this run (torch.func: "
              + "; ".join(f"{cls.label}: `{ref.label}`" for cls, ref in FUNC_REFERENCES.items()) + ")")
