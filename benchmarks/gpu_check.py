"""One prepared run on a CUDA machine: correctness of the fast paths there, then timings.

    python benchmarks/gpu_check.py [OUT_DIR]
Prints everything and writes gpu_check.json. Each section survives the failure of another.
"""
import json
import os
import sys
import time
import traceback
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import analytic  # noqa: E402
from core.algorithms import ALGORITHMS, HParams, MetaLearner  # noqa: E402
from core.bench import BASELINES, _rate, baseline_stepper, time_to_quality  # noqa: E402
from core.evaluate import evaluate, heldout_tasks  # noqa: E402
from core.fast import GRAPHABLE, GraphStepper, fused_meta_grad, make_stepper, triton_available  # noqa: E402
from core.models import MLP, make_model  # noqa: E402
from core.reference import loop_meta_grad  # noqa: E402
from core.tasks import TaskBatch, get_family, sample_batch  # noqa: E402

out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("OUT", "."))
dev = torch.device(os.environ.get("CHECK_DEVICE", "cuda"))  # cpu: a dry run of the script
QUICK = dev.type == "cpu"
fam = get_family("sinusoid")
model = make_model("mlp", fam)
res = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu"}
print(res, flush=True)


ONLY = set(filter(None, os.environ.get("SECTIONS", "").split(",")))  # e.g. SECTIONS=live_trainer


def section(name):
    def wrap(f):
        if ONLY and name not in ONLY:
            return
        t0 = time.perf_counter()
        try:
            res[name] = f()
        except Exception:
            traceback.print_exc()
            res[name] = {"error": traceback.format_exc().splitlines()[-1]}
        print(f"== {name} ({time.perf_counter() - t0:.1f} s): {res[name]}", flush=True)
    return wrap


def rel(a, b):
    return float((a.double().cpu() - b.double().cpu()).norm() / b.double().cpu().norm())


@section("correctness_fast_vs_reference")
def _():
    g = torch.Generator().manual_seed(0)
    b = sample_batch(fam, 8, 10, gen=g)
    b64 = TaskBatch(*(t.double() for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))
    p = {k: v.double() for k, v in model.init(g).items()}
    out = {}
    for steps in (1, 3):
        ref = loop_meta_grad(model, p, b64, 0.01, steps)  # CPU, autograd, per task
        bc = [t.to(dev) for t in (b64.xs, b64.ys, b64.xq, b64.yq)]
        _, fast, _ = analytic.meta_grad(model, {k: v.to(dev) for k, v in p.items()}, *bc, 0.01, steps)
        out[f"maml_{steps}step_max_rel_err_cuda_fp64"] = max(rel(fast[k], ref[k]) for k in p)
    return out


@section("correctness_graph_vs_eager")
def _():
    """meta_grad captured in a CUDA graph on static buffers equals eager on the same data."""
    if QUICK:
        return "skipped on cpu"
    g = torch.Generator(device=dev).manual_seed(1)
    learner = MetaLearner("maml", model, model.init(g, dev))
    hp = HParams(inner_lr=torch.tensor(0.01, device=dev), inner_steps=2)
    static = sample_batch(fam, 25, 10, gen=g, device=dev)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            learner.meta_grad(static, hp)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        loss_s, grads_s = learner.meta_grad(static, hp)
    errs = []
    for _ in range(3):
        fresh = sample_batch(fam, 25, 10, gen=g, device=dev)
        for name in ("xs", "ys", "xq", "yq"):
            getattr(static, name).copy_(getattr(fresh, name))
        graph.replay()
        loss_e, grads_e = learner.meta_grad(fresh, HParams(inner_lr=0.01, inner_steps=2))
        errs.append(max(rel(a, b) for a, b in zip(grads_s, grads_e)))
    return {"max_rel_err": max(errs)}


@section("graph_training_quality")
def _():
    """20,000 MAML iterations through GraphStepper, then the paper's evaluation."""
    g = torch.Generator(device=dev).manual_seed(0)
    learner = MetaLearner("maml", model, model.init(g, dev))
    hp = HParams()
    step = make_stepper(learner, fam, hp, g, dev)
    step()
    t0 = time.perf_counter()
    n = 200 if QUICK else 20000
    for _ in range(n):
        step()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    secs = time.perf_counter() - t0
    tasks = heldout_tasks(fam, 600, 10, device=dev)
    r = evaluate(model, learner.state()[0], tasks, 0.01, 10)
    return {"iterations": n, "seconds": round(secs, 2), "it_s": round(n / secs),
            "mse_step0": round(r.mean[0], 3), "mse_step1": round(r.mean[1], 3), "mse_step10": round(r.mean[10], 3)}


@section("bench")
def _():
    rows = {}
    for mb in ((25,) if QUICK else (25, 2500, 10000)):
        hp = HParams(meta_batch=mb)
        g = torch.Generator(device=dev).manual_seed(0)
        row = {}
        if mb == 25:
            step = baseline_stepper(BASELINES["loop"][1], model, fam, hp, g, dev)
            row["plain_loop"] = _rate(step, dev, 0.3 if QUICK else 2.0, warmup=5)
        if mb <= 2500:
            step = baseline_stepper(BASELINES["vmap"][1], model, fam, hp, g, dev)
            row["vmap_eager"] = _rate(step, dev, 0.3 if QUICK else 2.0, warmup=5)
        for alg in ALGORITHMS:
            learner = MetaLearner(alg, model, model.init(g, dev))
            eager = make_stepper(learner, fam, hp, g, dev, graphs=False)
            row[f"{alg}_eager"] = _rate(eager, dev, 0.3 if QUICK else 1.5)
            if alg in GRAPHABLE:
                learner = MetaLearner(alg, model, model.init(g, dev))
                row[f"{alg}_graph"] = _rate(make_stepper(learner, fam, hp, g, dev), dev, 0.3 if QUICK else 2.0)
        rows[mb] = {k: round(v, 1) for k, v in row.items()}
        print(mb, rows[mb], flush=True)
    return rows


@section("tf32_at_2500")
def _():
    """Does TF32 for the batched matmuls help at meta-batch 2500? (kept off by default)"""
    if QUICK:
        return "skipped on cpu"
    hp = HParams(meta_batch=2500)
    g = torch.Generator(device=dev).manual_seed(0)
    torch.backends.cuda.matmul.allow_tf32 = True
    try:
        learner = MetaLearner("maml", model, model.init(g, dev))
        return {"maml_graph_tf32": round(_rate(make_stepper(learner, fam, hp, g, dev), dev, 2.0), 1)}
    finally:
        torch.backends.cuda.matmul.allow_tf32 = False


# ---- Triton (core.triton_maml): the fused MAML kernels. On the CPU only with TRITON_INTERPRET=1 (slow:
# correctness at small shapes, no timing); on CUDA against the CPU float64 reference, then timed.
INTERPRETED = dev.type == "cpu" and os.environ.get("TRITON_INTERPRET") == "1"


def _triton_case(hidden, tasks, k, steps, first_order, dtype, seed=0):
    from core import triton_maml
    m = MLP(hidden)
    g = torch.Generator().manual_seed(seed)
    b = sample_batch(fam, tasks, k, gen=g)
    p64 = {n: v.double() for n, v in m.init(g).items()}
    b64 = TaskBatch(*(t.double() for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))
    on_dev = [t.to(dev, dtype) for t in (b64.xs, b64.ys, b64.xq, b64.yq)]
    loss, got, _ = triton_maml.meta_grad(m, {n: v.to(dev, dtype) for n, v in p64.items()}, *on_dev, 0.01, steps,
                                         first_order=first_order)
    ref_loss, ref, _ = analytic.meta_grad(m, p64, b64.xs, b64.ys, b64.xq, b64.yq, 0.01, steps, first_order=first_order)
    out = {"max_rel_err_vs_analytic_cpu_fp64": max(rel(got[n], ref[n]) for n in p64),
           "loss_rel_err": abs(float(loss) - float(ref_loss)) / abs(float(ref_loss))}
    if tasks <= 25:  # the unrolled autograd loop is slow at large meta-batches
        unrolled = loop_meta_grad(m, p64, b64, 0.01, steps, first_order=first_order)
        out["max_rel_err_vs_unrolled_cpu_fp64"] = max(rel(got[n], unrolled[n]) for n in p64)
    return out


@section("triton_correctness")
def _():
    if not (triton_available(dev) or INTERPRETED):
        return "skipped: needs CUDA with triton, or TRITON_INTERPRET=1 on the cpu"
    big, odd = (4, 2) if INTERPRETED else (25, 7)
    cases = {f"mlp40_T{big}_K10_1step": ((40, 40), big, 10, 1, False),
             f"mlp40_T{big}_K10_3steps": ((40, 40), big, 10, 3, False),
             f"mlp40_T{big}_K10_2steps_first_order": ((40, 40), big, 10, 2, True),
             f"mlp20x33_T{odd}_K5_2steps": ((20, 33), odd, 5, 2, False)}
    if not INTERPRETED:
        cases["mlp40_T2500_K10_1step"] = ((40, 40), 2500, 10, 1, False)
    out = {}
    for name, case in cases.items():
        out[name + "_fp64"] = _triton_case(*case, torch.float64)
        out[name + "_fp32"] = _triton_case(*case, torch.float32)
    return out


@section("triton_graph_vs_eager")
def _():
    """The fused meta-gradient captured in a CUDA graph on static buffers equals it eager on the same data."""
    if not triton_available(dev):
        return "skipped: needs CUDA with triton"
    g = torch.Generator(device=dev).manual_seed(1)
    learner = MetaLearner("maml", model, model.init(g, dev))
    hp = HParams(inner_lr=torch.tensor(0.01, device=dev), inner_steps=2)
    static = sample_batch(fam, 25, 10, gen=g, device=dev)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            fused_meta_grad(learner, static, hp)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        loss_s, grads_s = fused_meta_grad(learner, static, hp)
    errs, engine_errs = [], []
    for _ in range(3):
        fresh = sample_batch(fam, 25, 10, gen=g, device=dev)
        for name in ("xs", "ys", "xq", "yq"):
            getattr(static, name).copy_(getattr(fresh, name))
        graph.replay()
        _, grads_e = fused_meta_grad(learner, fresh, HParams(inner_lr=0.01, inner_steps=2))
        _, grads_ref = learner.meta_grad(fresh, HParams(inner_lr=0.01, inner_steps=2))  # the engine's ops
        errs.append(max(rel(a, b) for a, b in zip(grads_s, grads_e)))
        engine_errs.append(max(rel(a, b) for a, b in zip(grads_s, grads_ref)))
    return {"max_rel_err_graph_vs_eager": max(errs), "max_rel_err_vs_engine_fp32": max(engine_errs)}


@section("triton_bench")
def _():
    """MAML it/s (sampling, meta-gradient, Adam) at meta-batch 25 and 2,500: the fused kernels without
    and with the CUDA graph, and the graph of the engine's ops (today's GPU path) beside them."""
    if not triton_available(dev):
        return "skipped: needs CUDA with triton"
    rows = {}
    for mb in (25, 2500):
        hp = HParams(meta_batch=mb)
        g = torch.Generator(device=dev).manual_seed(0)
        learner = MetaLearner("maml", model, model.init(g, dev))
        learner.opt.lr = hp.outer_lr

        def fused_eager(learner=learner, hp=hp, g=g):
            batch = sample_batch(fam, hp.meta_batch, hp.shots, gen=g, device=dev)
            loss, grads = fused_meta_grad(learner, batch, hp)
            for p, grad in zip(learner.leaves, grads):
                p.grad = grad
            learner.opt.step()
            return loss

        row = {"maml_fused_eager": _rate(fused_eager, dev, 2.0, warmup=5)}
        from core import triton_maml
        fixed = sample_batch(fam, mb, hp.shots, gen=g, device=dev)
        init = model.init(g, dev)
        for warps in (4, 8):  # the two kernels alone on one batch, no graph: which NUM_WARPS to keep
            row[f"kernels_only_warps{warps}"] = _rate(
                lambda warps=warps, b=fixed, p=init, hp=hp: triton_maml.meta_grad(
                    model, p, b.xs, b.ys, b.xq, b.yq, hp.inner_lr, hp.inner_steps, num_warps=warps),
                dev, 1.0, warmup=5)
        stepper = GraphStepper(MetaLearner("maml", model, model.init(g, dev)), fam, dev)
        row["maml_fused_graph"] = _rate(lambda stepper=stepper, hp=hp: stepper(hp), dev, 2.0, warmup=5)
        row["fused_graph_really_fused"] = stepper.fused  # False: its capture fell back to the engine's ops
        learner = MetaLearner("maml", model, model.init(g, dev))
        row["maml_graph_engine_ops"] = _rate(make_stepper(learner, fam, hp, g, dev, fused=False), dev, 2.0, warmup=5)
        rows[mb] = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in row.items()}
        print(mb, rows[mb], flush=True)
    return rows


@section("triton_sm90_compile")
def _():
    """No GPU needed: both kernels compiled for sm_90 (H100/H200) down to a cubin, with ptxas's
    register and spill report for the MLP 1-40-40-1 task kernel. Run on the cpu dry run only."""
    if dev.type != "cpu":
        return "skipped on cuda (the correctness section compiles for the real device)"
    if INTERPRETED:
        return "skipped: TRITON_INTERPRET=1 (interpreted kernels do not compile); run it without"
    import subprocess
    import tempfile

    import triton

    from core import triton_maml
    bins = Path(triton.__path__[0]) / "backends" / "nvidia" / "bin"
    ptxas = max((bins / n for n in ("ptxas", "ptxas-blackwell") if (bins / n).exists()),
                key=lambda f: f.stat().st_size, default=None)  # the newer, larger one reads newer PTX
    out = {"triton": triton.__version__}
    for dt in ("fp32", "fp64"):
        for warps in (4, 8):
            task, total = triton_maml.compile_for(90, dt, (40, 40), 10, 10, num_warps=warps)
            row = {"cubin_bytes": len(task.asm["cubin"]), "shared_bytes": task.metadata.shared}
            if ptxas is not None:
                with tempfile.NamedTemporaryFile("w", suffix=".ptx") as f:
                    f.write(task.asm["ptx"])
                    f.flush()
                    r = subprocess.run([str(ptxas), "-arch=sm_90a", "-v", f.name, "-o", os.devnull],
                                       capture_output=True, text=True)
                row["ptxas"] = [ln.split(":", 1)[-1].strip() for ln in (r.stdout + r.stderr).splitlines()
                                if "registers" in ln or "spill" in ln]
            out[f"task_kernel_{dt}_warps{warps}"] = row
        out[f"sum_tasks_{dt}_cubin_bytes"] = len(total.asm["cubin"])
    return out


@section("live_trainer")
def _():
    """The window's trainer as the window runs it (core.host.ProcessHost: a child process), on the
    GPU, read as the window reads it; its rate = iterations / seconds it played."""
    from core.controls import Controls
    from core.host import ProcessHost
    out = {}
    for mb in (25, 10000):
        host = ProcessHost(Controls(device=dev.type, meta_batch=mb, playing=True))
        host.start()
        end, snap = time.monotonic() + (6 if QUICK else 12), None
        while time.monotonic() < end:
            snap = host.take() or snap
            time.sleep(1 / 60)
        host.stop()
        playing = host.info.get("timing", {}).get("playing_s", 0.0)
        out[mb] = {"iterations": host.iterations, "playing_s": round(playing, 2),
                   "its_per_s": round(host.iterations / playing) if playing else None,
                   "state": snap.state if snap else None, "device": snap.device if snap else None,
                   "message": snap.message if snap else host.error,
                   "eval_maml_step1": round(float(snap.evaluation.mean["meta"][1]), 3) if snap else None}
    return out


@section("time_to_quality")
def _():
    return time_to_quality(dev, HParams(), limit_s=3.0 if QUICK else 60.0, check_every_s=1.0 if QUICK else 2.0)


(out_dir / "gpu_check.json").write_text(json.dumps(res, indent=1, default=str))
print(json.dumps(res, indent=1, default=str))
