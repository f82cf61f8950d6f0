"""core.triton_maml's kernels under Triton's CPU interpreter against core.analytic and the
unrolled autograd reference: float64 to 1e-10, float32 to 1e-5.

The interpreter is switched on by TRITON_INTERPRET=1 before triton is imported, so the kernels
run in a child process (this file run as a script) that gets the cases' inputs from the test
and hands back its results; this process never launches a Triton kernel, and nothing else in
the session sees the variable. Skipped where triton is not installed (it is not in
requirements.txt: only a GPU would use it).
"""
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core import analytic  # noqa: E402
from core.algorithms import ALGORITHMS, HParams, MetaLearner  # noqa: E402
from core.models import MLP  # noqa: E402
from core.reference import loop_meta_grad  # noqa: E402
from core.tasks import TaskBatch, get_family, sample_batch  # noqa: E402

# id: (hidden, tasks, K, query points, inner steps, first order, dtype, rate as a 0-d tensor)
CASES = {
    "one-task": ((40, 40), 1, 5, 5, 1, False, torch.float64, False),
    "three-tasks-2-steps": ((40, 40), 3, 10, 10, 2, False, torch.float64, False),
    "paper-batch-25": ((40, 40), 25, 10, 10, 1, False, torch.float64, False),
    "odd-widths-3-steps": ((20, 33), 3, 5, 7, 3, False, torch.float64, False),
    "widest-long-support": ((64, 64), 2, 20, 3, 2, False, torch.float64, False),
    "first-order": ((40, 40), 3, 10, 10, 2, True, torch.float64, False),
    "no-inner-step": ((40, 40), 2, 10, 10, 0, False, torch.float64, False),
    "tensor-rate": ((12, 9), 3, 10, 10, 2, False, torch.float64, True),
    "float32": ((40, 40), 3, 10, 10, 2, False, torch.float32, False),
}
LR = 0.05

pytestmark = pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                                reason="triton is not installed (pip install -r requirements-dev.txt)")


def _inputs(case_id):
    hidden, tasks, k, q, steps, first_order, dtype, tensor_rate = CASES[case_id]
    g = torch.Generator().manual_seed(len(case_id))
    model = MLP(hidden)
    b = sample_batch(get_family("sinusoid"), tasks, k, q, gen=g)
    batch = TaskBatch(*(t.to(dtype) for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))
    params = {name: v.to(dtype) for name, v in model.init(g).items()}
    lr = torch.tensor(LR, dtype=dtype) if tensor_rate else LR
    return model, params, batch, lr, steps, first_order


def _learners():
    """Every algorithm that can train the MLP, on float64 weights, with the rate a 0-d tensor (as
    core.fast.GraphStepper feeds it), and a batch for them."""
    model, params, batch, _, _, _ = _inputs("three-tasks-2-steps")
    hp = HParams(inner_lr=torch.tensor(LR, dtype=torch.float64), inner_steps=2, shots=10, meta_batch=3)
    learners = {}
    for name in ALGORITHMS:
        try:
            learners[name] = MetaLearner(name, model, params, inner_lr=LR)
        except ValueError:  # this algorithm does not train the MLP
            continue
    return learners, batch, hp


def _run_kernels(case_ids, out_path: Path):
    """In the child: every case through core.triton_maml under the interpreter, and core.fast's
    fused step for every learner it applies to."""
    from core import fast, triton_maml
    results = {}
    for case_id in case_ids:
        model, params, batch, lr, steps, first_order = _inputs(case_id)
        loss, grads, extra = triton_maml.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq,
                                                   lr, steps, first_order=first_order)
        results[case_id] = {"loss": loss, "grads": grads, "extra": extra}
    learners, batch, hp = _learners()
    results["learners"] = {name: list(fast.fused_meta_grad(learner, batch, hp))
                           for name, learner in learners.items() if fast.fused_applies(learner)}
    torch.save(results, out_path)


@pytest.fixture(scope="module")
def kernel_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("triton") / "results.pt"
    env = dict(os.environ, TRITON_INTERPRET="1", OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, __file__, str(out), *CASES], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return torch.load(out, weights_only=True)


def _rel(a, b):
    return float((a.double() - b.double()).norm() / b.double().norm().clamp_min(1e-300))


@pytest.mark.parametrize("case_id", list(CASES))
def test_kernels_equal_analytic_and_unrolled_loop(kernel_results, case_id):
    model, params, batch, lr, steps, first_order = _inputs(case_id)
    got = kernel_results[case_id]
    assert got["extra"] is None
    # the references in float64 on the very inputs the kernels saw (float32 ones are exact in float64)
    p64 = {k: v.double() for k, v in params.items()}
    b64 = TaskBatch(*(t.double() for t in (batch.xs, batch.ys, batch.xq, batch.yq, batch.a, batch.b)))
    ref_loss, ref, _ = analytic.meta_grad(model, p64, b64.xs, b64.ys, b64.xq, b64.yq, LR, steps,
                                          first_order=first_order)
    unrolled = loop_meta_grad(model, p64, b64, LR, steps, first_order=first_order)
    tol = 1e-10 if params["0.weight"].dtype == torch.float64 else 1e-5
    for k in params:
        assert got["grads"][k].shape == params[k].shape and got["grads"][k].dtype == params[k].dtype, k
        assert _rel(got["grads"][k], ref[k]) < tol, k
        assert _rel(got["grads"][k], unrolled[k]) < tol, k
    assert got["loss"].dim() == 0
    assert float(got["loss"]) == pytest.approx(float(ref_loss), rel=tol)


def test_fused_step_equals_the_learners_own(kernel_results):
    """core.fast's switch: for every learner it sends to the kernels, the same loss and gradients
    (one per leaf) as the learner's own meta_grad; MAML and FOMAML are among them."""
    fused = kernel_results["learners"]
    assert {"maml", "fomaml"} <= set(fused)
    learners, batch, hp = _learners()
    for name, (loss, grads) in fused.items():
        ref_loss, ref = learners[name].meta_grad(batch, hp)
        assert len(grads) == len(ref), name
        for g, r in zip(grads, ref):
            assert _rel(g, r) < 1e-10, name
        assert float(loss) == pytest.approx(float(ref_loss), rel=1e-10)


def _in_child(code: str, env: dict | None = None) -> None:
    """Run code that imports triton in a child process: triton's nanobind bindings report
    "leaked instances" at interpreter exit, which would end every test run's output."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          env=dict(os.environ, **(env or {})), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]


@pytest.mark.parametrize("dtype", ["fp32", "fp64"])
def test_kernels_compile_for_sm90(tmp_path, dtype):
    """What the interpreter lets through and the compiler may not (it refuses, e.g., a loop variable
    that changes shape): the second-order kernel with K and Q in different tiles, compiled for sm_90
    down to a cubin, no GPU needed. Small widths keep it to seconds; a fresh cache makes it compile."""
    if os.environ.get("TRITON_INTERPRET") == "1":
        pytest.skip("TRITON_INTERPRET=1 for the whole run: interpreted kernels do not compile")
    _in_child(f"""
        from core import triton_maml
        task, total = triton_maml.compile_for(90, {dtype!r}, (16, 12), 20, 3)
        assert task.asm["cubin"] and total.asm["cubin"]
        """, {"TRITON_CACHE_DIR": str(tmp_path), "TRITON_DEFAULT_FP_FUSION": "1"})  # 3.9's default, said aloud
    assert any(tmp_path.iterdir())  # compiled here, not taken from an older cache


def test_unsupported_models_are_refused():
    _in_child("""
        import pytest, torch
        from core import triton_maml
        from core.models import MLP
        from tests.core.test_triton_maml import LR, _inputs
        assert triton_maml.supports(MLP((40, 40))) and triton_maml.supports(MLP((64, 1)))
        assert not triton_maml.supports(MLP((65, 40)))
        assert not triton_maml.supports(MLP((40,)))
        assert not triton_maml.supports(MLP((8, 8, 8)))
        model, params, batch, _, _, _ = _inputs("one-task")
        with pytest.raises(ValueError):
            triton_maml.meta_grad(MLP((8, 8, 8)), MLP((8, 8, 8)).init(), batch.xs, batch.ys, batch.xq, batch.yq,
                                  LR, 1)
        with pytest.raises(ValueError):  # per-entry rates (Meta-SGD, ANIL) are not the kernels' contract
            triton_maml.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq,
                                  {k: torch.full_like(v, LR) for k, v in params.items()}, 1)
        """)


if __name__ == "__main__":  # the child process: python tests/core/test_triton_maml.py OUT CASE...
    os.environ["TRITON_INTERPRET"] = "1"  # before triton is imported
    torch.set_num_threads(1)
    _run_kernels(sys.argv[2:], Path(sys.argv[1]))
