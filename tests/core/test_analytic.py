"""The hand-derived fast path (core.analytic) against autograd and the per-task reference."""
import pytest
import torch

from core import analytic
from core.algorithms import HParams, MetaLearner
from core.models import MLP, detach
from core.reference import loop_meta_grad
from core.tasks import TaskBatch, get_family, sample_batch


def _batch(seed=0, n=6, k=10, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    b = sample_batch(get_family("sinusoid"), n, k, 7, gen=g)
    return TaskBatch(*(t.to(dtype) for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))


def _params(model, seed=1):
    return {k: v.double() for k, v in model.init(torch.Generator().manual_seed(seed)).items()}


def _rel(a, b):
    return float((a - b).norm() / b.norm().clamp_min(1e-300))


@pytest.mark.parametrize("hidden", [(40, 40), (7, 5, 3)])
@pytest.mark.parametrize("steps", [1, 3])
def test_maml_fast_path_equals_unrolled_loop(hidden, steps):
    model, batch = MLP(hidden), _batch()
    params = _params(model)
    loss, grads, _ = analytic.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, 0.05, steps)
    ref = loop_meta_grad(model, params, batch, 0.05, steps)
    for k in params:
        assert _rel(grads[k], ref[k]) < 1e-10, k


def test_fomaml_fast_path_equals_first_order_loop():
    model, batch = MLP(), _batch(2)
    params = _params(model)
    _, grads, _ = analytic.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, 0.05, 2,
                                     first_order=True)
    ref = loop_meta_grad(model, params, batch, 0.05, 2, first_order=True)
    for k in params:
        assert _rel(grads[k], ref[k]) < 1e-10, k


@pytest.mark.parametrize("steps", [1, 2])
def test_metasgd_fast_path_equals_autograd(steps):
    model, batch = MLP(), _batch(3)
    learner = MetaLearner("metasgd", model, _params(model))
    with torch.no_grad():
        for v in learner.lrs.values():
            v.uniform_(0.005, 0.1, generator=torch.Generator().manual_seed(4))
    hp = HParams(inner_steps=steps)
    loss = learner.meta_loss(batch, hp)
    ref = torch.autograd.grad(loss, learner.leaves)
    fast_loss, fast = learner.meta_grad(batch, hp)  # the MLP path goes through core.analytic
    assert float(fast_loss) == pytest.approx(float(loss.detach()), rel=1e-12)
    assert len(fast) == len(ref) == 12
    for a, b in zip(fast, ref):
        assert _rel(a, b) < 1e-10


def test_tensor_learning_rate_equals_float():
    """The CUDA graph feeds alpha as a 0-d tensor; it must give the float path's result."""
    model, batch = MLP(), _batch(5)
    params = _params(model)
    args = (batch.xs, batch.ys, batch.xq, batch.yq)
    _, a, _ = analytic.meta_grad(model, params, *args, 0.03, 2)
    _, b, _ = analytic.meta_grad(model, params, *args, torch.tensor(0.03, dtype=torch.float64), 2)
    for k in a:
        assert _rel(a[k], b[k]) < 1e-12


def test_step_uses_fast_path_and_matches_reference_update():
    """One SGD meta-step through MetaLearner.step equals theta - beta * reference meta-gradient."""
    model, batch = MLP(), _batch(6)
    params = _params(model)
    learner = MetaLearner("maml", model, params, outer_optimizer="sgd")
    learner.step(batch, HParams(inner_lr=0.02, outer_lr=0.1, inner_steps=2))
    ref = loop_meta_grad(model, params, batch, 0.02, 2)
    new, _ = learner.state()
    for k in params:
        assert _rel(new[k], params[k] - 0.1 * ref[k]) < 1e-10


def test_float32_fast_path_close_to_float64():
    model, batch = MLP(), _batch(7)
    params = _params(model)
    _, g64, _ = analytic.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, 0.01, 1)
    b32 = TaskBatch(*(t.float() for t in (batch.xs, batch.ys, batch.xq, batch.yq, batch.a, batch.b)))
    p32 = {k: v.float() for k, v in detach(params).items()}
    _, g32, _ = analytic.meta_grad(model, p32, b32.xs, b32.ys, b32.xq, b32.yq, 0.01, 1)
    for k in g64:
        assert _rel(g32[k].double(), g64[k]) < 1e-4


cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@cuda
@pytest.mark.parametrize("steps", [1, 3])
def test_fast_path_on_cuda_equals_the_cpu_reference(steps):
    model, batch = MLP(), _batch(8)
    params = _params(model)
    ref = loop_meta_grad(model, params, batch, 0.02, steps)
    dev = torch.device("cuda")
    on = [t.to(dev) for t in (batch.xs, batch.ys, batch.xq, batch.yq)]
    _, fast, _ = analytic.meta_grad(model, {k: v.to(dev) for k, v in params.items()}, *on, 0.02, steps)
    for k in params:
        assert _rel(fast[k].cpu(), ref[k]) < 1e-10


@cuda
@pytest.mark.parametrize("algorithm", ["maml", "metasgd", "anil", "reptile"])
def test_cuda_graph_replay_equals_eager_on_the_same_batch(algorithm):
    """meta_grad captured in a CUDA graph on static buffers gives eager's gradients for new data."""
    from core.fast import GRAPHABLE

    assert algorithm in GRAPHABLE
    dev = torch.device("cuda")
    g = torch.Generator(device=dev).manual_seed(1)
    model = MLP()
    learner = MetaLearner(algorithm, model, model.init(g, dev))
    hp = HParams(inner_lr=torch.tensor(0.01, device=dev), inner_steps=2)
    fam = get_family("sinusoid")
    static = sample_batch(fam, 25, 10, gen=g, device=dev)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            learner.meta_grad(static, hp)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        _, captured = learner.meta_grad(static, hp)
    fresh = sample_batch(fam, 25, 10, gen=g, device=dev)
    for name in ("xs", "ys", "xq", "yq"):
        getattr(static, name).copy_(getattr(fresh, name))
    graph.replay()
    _, eager = learner.meta_grad(fresh, HParams(inner_lr=0.01, inner_steps=2))
    for a, b in zip(captured, eager):
        assert _rel(a.double(), b.double()) < 1e-5
