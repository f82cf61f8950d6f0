"""core.fused (the step core.compiled compiles), run eagerly, against the unrolled autograd
reference and core.analytic: float64, 1e-10."""
from contextlib import contextmanager

import pytest
import torch

from core import analytic, fused
from core.models import MLP
from core.reference import loop_meta_grad
from core.tasks import TaskBatch, get_family, sample_batch


def _batch(seed=0, n=6, k=10, q=7):
    b = sample_batch(get_family("sinusoid"), n, k, q, gen=torch.Generator().manual_seed(seed))
    return TaskBatch(*(t.double() for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))


def _params(model, seed=1):
    return {k: v.double() for k, v in model.init(torch.Generator().manual_seed(seed)).items()}


@contextmanager
def _loops(on: bool):
    """core.fused's products as traced for the compiler (on) or as run eagerly (off)."""
    token = fused.LOOPS.set(on)
    try:
        yield
    finally:
        fused.LOOPS.reset(token)


def _rel(a, b):
    return float((a - b).norm() / b.norm().clamp_min(1e-300))


def _grads(model, params, batch, lr, steps, first_order):
    ws = [params[w] for w, _ in model.names]
    bs = [params[b] for _, b in model.names]
    loss, vw, vb, _, _ = fused.meta_grad(ws, bs, batch.xs, batch.ys, batch.xq, batch.yq,
                                         torch.tensor(lr, dtype=torch.float64), steps, first_order)
    grads = {}
    for (w, b), gw, gb in zip(model.names, vw, vb):
        grads[w], grads[b] = gw, gb
    return loss, grads


@pytest.mark.parametrize("hidden", [(40, 40), (7, 5, 3), (6,)])
@pytest.mark.parametrize("steps", [0, 1, 3])
@pytest.mark.parametrize("first_order", [False, True])
def test_fused_equals_unrolled_loop(hidden, steps, first_order):
    model, batch = MLP(hidden), _batch()
    params = _params(model)
    loss, grads = _grads(model, params, batch, 0.05, steps, first_order)
    ref = loop_meta_grad(model, params, batch, 0.05, steps, first_order=first_order)
    for k in params:
        assert grads[k].shape == params[k].shape
        assert _rel(grads[k], ref[k]) < 1e-10, k
    ref_loss, _, _ = analytic.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, 0.05, steps,
                                        first_order=first_order)
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)


def test_fused_equals_analytic_at_the_paper_setup():
    """25 tasks, K = 10, one step, second order: the shape the window trains."""
    model, batch = MLP(), _batch(2, n=25, k=10, q=10)
    params = _params(model, 3)
    _, grads = _grads(model, params, batch, 0.01, 1, False)
    _, ref, _ = analytic.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, 0.01, 1)
    for k in params:
        assert _rel(grads[k], ref[k]) < 1e-10, k


@pytest.mark.parametrize("hidden", [(40, 40), (9, 8), (6,)])
@pytest.mark.parametrize("steps", [0, 1, 2])
@pytest.mark.parametrize("first_order", [False, True])
@pytest.mark.parametrize("loops", [False, True])
def test_per_entry_rates_equal_analytic(hidden, steps, first_order, loops):
    """Meta-SGD's rates: the init's and the rates' gradients, as core.analytic computes them,
    eagerly and with the per-task dense products as traced for the compiler (fused.LOOPS)."""
    model, batch = MLP(hidden), _batch(3)
    params = _params(model)
    g = torch.Generator().manual_seed(4)
    rates = {k: torch.rand(v.shape, generator=g, dtype=torch.float64) * 0.1 for k, v in params.items()}
    ws, bs = [params[w] for w, _ in model.names], [params[b] for _, b in model.names]
    rate_lists = ([rates[w] for w, _ in model.names], [rates[b] for _, b in model.names])
    with _loops(loops):
        loss, vw, vb, rw, rb = fused.meta_grad(ws, bs, batch.xs, batch.ys, batch.xq, batch.yq, None, steps,
                                               first_order, rates=rate_lists)
    ref_loss, ref, ref_rates = analytic.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, rates,
                                                  steps, first_order=first_order)
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)
    for (w, b), gw, gb, r_w, r_b in zip(model.names, vw, vb, rw, rb):
        assert _rel(gw, ref[w]) < 1e-10 and _rel(gb, ref[b]) < 1e-10, w
        if steps:
            assert _rel(r_w, ref_rates[w]) < 1e-10 and _rel(r_b, ref_rates[b]) < 1e-10, w
        else:
            assert not r_w.any() and not ref_rates[w].any()


@pytest.mark.parametrize("steps", [1, 2])
@pytest.mark.parametrize("first_order", [False, True])
def test_fused_with_loops_as_traced_for_the_compiler(steps, first_order):
    """The broadcast-sum products core.compiled traces (fused.LOOPS) against the reference."""
    model, batch = MLP(), _batch(5, n=4)
    params = _params(model, 6)
    with _loops(True):
        loss, grads = _grads(model, params, batch, 0.05, steps, first_order)
    ref = loop_meta_grad(model, params, batch, 0.05, steps, first_order=first_order)
    for k in params:
        assert _rel(grads[k], ref[k]) < 1e-10, k


@pytest.mark.parametrize("hidden", [(40, 40), (7, 5, 3), (6,)])
@pytest.mark.parametrize("steps", [0, 1, 3])
@pytest.mark.parametrize("first_order", [False, True])
@pytest.mark.parametrize("loops", [False, True])
def test_frozen_body_equals_masked_rates(hidden, steps, first_order, loops):
    """ANIL's path (frozen = all but the last layer: the body never adapts and has no H v rows
    of its own) against core.analytic with per-entry rates alpha on the head and 0 elsewhere."""
    model, batch = MLP(hidden), _batch(7)
    params = _params(model, 8)
    ws, bs = [params[w] for w, _ in model.names], [params[b] for _, b in model.names]
    with _loops(loops):
        loss, vw, vb, rw, rb = fused.meta_grad(ws, bs, batch.xs, batch.ys, batch.xq, batch.yq,
                                               torch.tensor(0.05, dtype=torch.float64), steps, first_order,
                                               frozen=len(ws) - 1)
    head = set(model.names[-1])
    rates = {k: torch.full_like(v, 0.05 if k in head else 0.0) for k, v in params.items()}
    ref_loss, ref, _ = analytic.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, rates, steps,
                                          first_order=first_order)
    assert rw is None and rb is None
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)
    for (w, b), gw, gb in zip(model.names, vw, vb):
        assert gw.shape == params[w].shape and gb.shape == params[b].shape
        assert _rel(gw, ref[w]) < 1e-10 and _rel(gb, ref[b]) < 1e-10, w


@pytest.mark.parametrize("hidden", [(40, 40), (7, 5, 3), (6,)])
@pytest.mark.parametrize("steps", [0, 1, 3])
@pytest.mark.parametrize("first_order", [False, True])
@pytest.mark.parametrize("loops", [False, True])
def test_scalar_rate_gradient_equals_summed_per_entry(hidden, steps, first_order, loops):
    """Alpha MAML's d loss / d alpha through the factors (rate_grad) against core.analytic's
    per-entry rate gradients summed, and the init's gradient against the unrolled loop."""
    model, batch = MLP(hidden), _batch(9)
    params = _params(model, 10)
    ws, bs = [params[w] for w, _ in model.names], [params[b] for _, b in model.names]
    with _loops(loops):
        loss, vw, vb, d_rate, none = fused.meta_grad(ws, bs, batch.xs, batch.ys, batch.xq, batch.yq,
                                                     torch.tensor(0.05, dtype=torch.float64), steps, first_order,
                                                     rate_grad=True)
    rates = {k: torch.full_like(v, 0.05) for k, v in params.items()}
    _, _, ref_rates = analytic.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, rates, steps,
                                         first_order=first_order)
    ref = loop_meta_grad(model, params, batch, 0.05, steps, first_order=first_order)
    expected = sum(v.sum() for v in ref_rates.values())
    assert none is None and d_rate.dim() == 0
    if steps:
        assert abs(float(d_rate - expected)) < 1e-10 * abs(float(expected))
    else:
        assert float(d_rate) == 0.0
    for (w, b), gw, gb in zip(model.names, vw, vb):
        assert _rel(gw, ref[w]) < 1e-10 and _rel(gb, ref[b]) < 1e-10, w
