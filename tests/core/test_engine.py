"""core.engine against the unrolled autograd reference, core.analytic, autograd through
`meta_loss` and finite differences: float64, 1e-10."""
import pytest
import torch

from core import analytic, engine
from core.algorithms import HParams, MetaLearner
from core.models import MLP
from core.reference import loop_meta_grad
from core.tasks import TaskBatch, get_family, sample_batch


def _batch(seed=0, n=6, k=10, q=7, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    b = sample_batch(get_family("sinusoid"), n, k, q, gen=g)
    return TaskBatch(*(t.to(dtype) for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))


def _params(model, seed=1):
    return {k: v.double() for k, v in model.init(torch.Generator().manual_seed(seed)).items()}


def _rates(params, seed=4):
    g = torch.Generator().manual_seed(seed)
    return {k: torch.rand(v.shape, generator=g, dtype=torch.float64) * 0.1 for k, v in params.items()}


def _rel(a, b):
    return float((a - b).norm() / b.norm().clamp_min(1e-300))


def _args(batch):
    return batch.xs, batch.ys, batch.xq, batch.yq


@pytest.mark.parametrize("hidden", [(40, 40), (7, 5, 3), (6,)])
@pytest.mark.parametrize("steps", [0, 1, 3])
@pytest.mark.parametrize("first_order", [False, True])
def test_engine_equals_unrolled_loop(hidden, steps, first_order):
    model, batch = MLP(hidden), _batch()
    params = _params(model)
    loss, grads, rate_grads = engine.meta_grad(model, params, *_args(batch), 0.05, steps, first_order=first_order)
    ref = loop_meta_grad(model, params, batch, 0.05, steps, first_order=first_order)
    assert rate_grads is None
    for k in params:
        assert grads[k].shape == params[k].shape
        assert _rel(grads[k], ref[k]) < 1e-10, k
    ref_loss, _, _ = analytic.meta_grad(model, params, *_args(batch), 0.05, steps, first_order=first_order)
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)


@pytest.mark.parametrize("steps", [1, 2])
@pytest.mark.parametrize("first_order", [False, True])
def test_per_entry_rates_equal_analytic(steps, first_order):
    """Meta-SGD's rates: the init's and the rates' gradients, as core.analytic computes them."""
    model, batch = MLP((9, 8)), _batch(3)
    params, rates = _params(model), _rates(_params(model))
    _, grads, rate_grads = engine.meta_grad(model, params, *_args(batch), rates, steps, first_order=first_order)
    _, ref, ref_rates = analytic.meta_grad(model, params, *_args(batch), rates, steps, first_order=first_order)
    for k in params:
        assert _rel(grads[k], ref[k]) < 1e-10, k
        assert _rel(rate_grads[k], ref_rates[k]) < 1e-10, k


def test_tensor_rate_equals_float():
    """The CUDA graph feeds alpha as a 0-d tensor; it must give the float path's result."""
    model, batch = MLP(), _batch(5)
    params = _params(model)
    _, a, _ = engine.meta_grad(model, params, *_args(batch), 0.03, 2)
    _, b, _ = engine.meta_grad(model, params, *_args(batch), torch.tensor(0.03, dtype=torch.float64), 2)
    for k in a:
        assert _rel(b[k], a[k]) < 1e-12


def test_finite_differences():
    """The second-order meta-gradient against central differences of the meta-loss itself."""
    model, batch = MLP((5, 4)), _batch(7, n=3)
    params = _params(model)
    _, grads, _ = engine.meta_grad(model, params, *_args(batch), 0.1, 2)
    eps, checked = 1e-6, 0
    for name, p in params.items():
        for i in range(p.numel()):
            plus = {k: v.clone() for k, v in params.items()}
            minus = {k: v.clone() for k, v in params.items()}
            plus[name].view(-1)[i] += eps
            minus[name].view(-1)[i] -= eps
            fd = (float(engine.meta_grad(model, plus, *_args(batch), 0.1, 2)[0])
                  - float(engine.meta_grad(model, minus, *_args(batch), 0.1, 2)[0])) / (2 * eps)
            g = float(grads[name].view(-1)[i])
            assert abs(fd - g) <= 1e-6 * max(1.0, abs(g)), (name, i, fd, g)
            checked += abs(g) > 1e-4
    assert checked > 10


def test_buffers_do_not_leak_between_calls():
    """Two calls on different batches, then the first again: the same result (the activation
    buffers are reused, their constant columns must survive)."""
    model = MLP()
    params = _params(model)
    a, b = _batch(8), _batch(9)
    first = engine.meta_grad(model, params, *_args(a), 0.05, 2)[1]
    engine.meta_grad(model, params, *_args(b), 0.05, 2)
    again = engine.meta_grad(model, params, *_args(a), 0.05, 2)[1]
    for k in first:
        assert torch.equal(first[k], again[k])


@pytest.mark.parametrize("algorithm", ["maml", "fomaml", "metasgd", "anil", "alpha"])
def test_learner_routes_large_meta_batches_through_the_engine(algorithm):
    """From engine.MIN_TASKS tasks, MetaLearner.meta_grad's hand-derived gradient (the engine)
    equals autograd through the algorithm's own meta_loss, for every algorithm routed to it."""
    model = MLP((8, 6))
    batch = _batch(10, n=engine.MIN_TASKS, k=5, q=4)
    learner = MetaLearner(algorithm, model, _params(model), inner_lr=0.05)
    if learner.lrs is not None:
        with torch.no_grad():
            for v in learner.lrs.values():
                v.uniform_(0.01, 0.1, generator=torch.Generator().manual_seed(4))
    if hasattr(learner, "alpha"):  # Alpha MAML's alpha is float32: float64 for a 1e-10 check
        learner.alpha = learner.alpha.detach().double().requires_grad_(True)
    hp = HParams(inner_lr=0.05, inner_steps=2)
    loss = learner.meta_loss(batch, hp)
    ref = torch.autograd.grad(loss, learner.algo.autograd_leaves(learner))
    calls = []
    original = engine.meta_grad

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    engine.meta_grad = spy
    try:
        fast_loss, fast = learner.meta_grad(batch, hp)
    finally:
        engine.meta_grad = original
    assert calls, "the engine was not used"
    assert float(fast_loss) == pytest.approx(float(loss.detach()), rel=1e-12)
    assert len(fast) == len(ref)
    for a, b in zip(fast, ref):
        assert _rel(a, b) < 1e-10


def test_no_host_reads_with_a_tensor_rate():
    """What a CUDA graph needs: with alpha a 0-d tensor (as GraphStepper feeds it) the engine
    never reads a value back to the host (no aten._local_scalar_dense, the op behind .item())."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class NoHostReads(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            assert func is not torch.ops.aten._local_scalar_dense.default, "a host read"
            return func(*args, **(kwargs or {}))

    model, batch = MLP(), _batch(11)
    params = _params(model)
    rate = torch.tensor(0.02, dtype=torch.float64)
    with NoHostReads():
        _, got, _ = engine.meta_grad(model, params, *_args(batch), rate, 2)
    _, want, _ = engine.meta_grad(model, params, *_args(batch), 0.02, 2)
    for k in got:
        assert _rel(got[k], want[k]) < 1e-12


def test_cpu_buffers_follow_the_latest_shapes():
    """A moving meta-batch must not pile up buffers on the CPU: only the latest shapes' stay."""
    model = MLP((6, 5))
    params = _params(model)
    for n in (3, 4, 5, 6):
        engine.meta_grad(model, params, *_args(_batch(12, n=n)), 0.05, 1)
    shapes = {key[1][0] for key in engine._BUFFERS.store}
    assert shapes == {6}
