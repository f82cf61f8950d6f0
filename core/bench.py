"""`python main.py bench`: meta-iterations per second, side by side in one run.

Every row does the same work (the paper's sinusoid setup: MLP 1-40-40-1, K=10, one
inner step, meta-batch 25, Adam) including sampling the tasks, and is timed after a
warm-up. The baseline is the plain per-task loop with autograd.grad(create_graph=True),
how most MAML code computes the meta-gradient; torch.func vmap is the functional
alternative. Ratios are to that baseline.
"""
from __future__ import annotations

import json
import platform
import time

import torch

from core.algorithms import ALGORITHMS, ALGORITHM_LABELS, HParams, MetaLearner
from core.evaluate import evaluate, heldout_tasks
from core.fast import make_stepper
from core.models import make_model
from core.reference import loop_meta_loss, vmap_meta_loss
from core.tasks import get_family, sample_batch


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


def _reference_stepper(kind, model, family, hp, gen, device):
    """One MAML meta-iteration through the loop or vmap reference."""
    params = {k: v.requires_grad_(True) for k, v in model.init(gen, device).items()}
    opt = torch.optim.Adam(list(params.values()), lr=hp.outer_lr)
    meta_loss = loop_meta_loss if kind == "loop" else vmap_meta_loss

    def step():
        batch = sample_batch(family, hp.meta_batch, hp.shots, gen=gen, device=device)
        loss = meta_loss(model, params, batch, hp.inner_lr, hp.inner_steps)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.detach()
    return step


def time_to_quality(device, hp: HParams, target=0.40, limit_s=180.0, check_every_s=5.0) -> dict:
    """Seconds of MAML training (evaluation excluded) until K=10 1-step MSE <= target on 600 tasks."""
    family = get_family("sinusoid")
    model = make_model("mlp", family)
    gen = torch.Generator(device=device).manual_seed(0)
    learner = MetaLearner("maml", model, model.init(gen, device), hp.inner_lr)
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
            return {"target": target, "seconds": round(trained, 1), "iterations": its, "history": history}
    return {"target": target, "seconds": None, "iterations": its, "history": history}


def run_bench(args) -> int:
    from core.cli import device_of
    device = device_of(args.device)
    family = get_family("sinusoid")
    model = make_model("mlp", family)
    hp = HParams(0.01, 1e-3, 1, 10, args.meta_batch)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or "CPU"
    print(f"device {device} ({name}), torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
          f"meta-batch {hp.meta_batch}, K={hp.shots}, {hp.inner_steps} inner step, MLP 1-40-40-1")
    rows = []

    def record(label, step):
        gen_rate = _rate(step, device, args.seconds)
        rows.append({"name": label, "it_s": gen_rate, "tasks_s": gen_rate * hp.meta_batch})
        print(f"  {label:<34} {gen_rate:9.1f} it/s", flush=True)

    gen = torch.Generator(device=device).manual_seed(0)
    record("plain loop, autograd (baseline)", _reference_stepper("loop", model, family, hp, gen, device))
    record("torch.func vmap", _reference_stepper("vmap", model, family, hp, gen, device))
    for alg in ALGORITHMS:
        learner = MetaLearner(alg, model, model.init(gen, device), hp.inner_lr)
        record(f"{ALGORITHM_LABELS[alg]} (ours, {'CUDA graph' if device.type == 'cuda' else 'batched'})",
               make_stepper(learner, family, hp, gen, device))
    base = rows[0]["it_s"]
    print(f"\n{'':<36}{'it/s':>10}{'tasks/s':>12}{'x loop':>9}")
    for r in rows:
        r["ratio"] = r["it_s"] / base
        print(f"  {r['name']:<34}{r['it_s']:10.1f}{r['tasks_s']:12.0f}{r['ratio']:9.2f}")
    out = {"device": str(device), "device_name": name, "threads": torch.get_num_threads(),
           "meta_batch": hp.meta_batch, "rows": rows}
    if args.quality:
        print("\ntime to quality (MAML, K=10 1-step MSE <= 0.40 on 600 held-out tasks):")
        out["time_to_quality"] = time_to_quality(device, hp)
        print(f"  -> {out['time_to_quality']['seconds']} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
        print(f"wrote {args.json}")
    return 0
