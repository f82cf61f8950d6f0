"""core.snapshots: the curves on a step schedule, computed at once or in slices over snapshots,
and the held-out evaluation in slices, give the same numbers; the evaluation says how many tasks
diverged, per method and step, as core.evaluate counts them."""
import time
from dataclasses import replace

import numpy as np
import pytest
import torch

from core.curves import fit_slices
from core.display import new_display_task
from core.evaluate import DIVERGED, heldout_tasks, mse_by_step
from core.models import expand, make_model
from core.snapshots import EVAL_STEPS, EVAL_TASKS, Init, SnapshotParts, finish
from core.tasks import get_family


def parts_for(family: str, model: str):
    fam = get_family(family)
    m = make_model(model, fam)
    return SnapshotParts(m, fam, torch.device("cpu")), m, new_display_task(family, 10, np.random.default_rng(0))


@pytest.mark.parametrize("family, model", [("sinusoid", "mlp"), ("sine-ab", "two-param")])
def test_the_sliced_fit_equals_the_models_fast_path(family, model):
    parts, m, task = parts_for(family, model)
    x = parts.inputs(task)
    init = Init(m.init(torch.Generator().manual_seed(0)), 0.02)
    schedule = (0, 1, 10, 100)
    fast = parts._adapt(init, schedule, x)
    sliced = finish(parts._adapt_slices(init, schedule, x, fast[2] is not None))
    assert fast[0].shape == sliced[0].shape == (4, len(x.grid_np))
    np.testing.assert_allclose(sliced[0], fast[0], atol=1e-5)
    np.testing.assert_allclose(sliced[1], fast[1], rtol=1e-4, atol=1e-7)
    if fast[2] is not None:  # the two-scalar model's path: every step, for the parameter-space panel
        assert sliced[2].shape == fast[2].shape == (101, 2)
        np.testing.assert_allclose(sliced[2], fast[2], atol=1e-6)


def test_a_playing_trainers_curves_catch_up_with_the_init_in_slices():
    parts, m, task = parts_for("sine-ab", "two-param")
    params = m.init(torch.Generator().manual_seed(0))
    first = parts.curves(task, {"meta": Init(params, 0.02)}, 500)[1]["meta"]
    moved = {k: v + 0.3 for k, v in params.items()}
    expected = parts._adapt(Init(moved, 0.02), (0, 1, 10, 100, 500), parts.inputs(task))[0]
    shown, calls, end = first, 0, time.monotonic() + 60
    while np.array_equal(shown, first) and time.monotonic() < end:
        # the last curves until a refresh is due, then a slice per call, the old curves shown meanwhile
        shown = parts.curves(task, {"meta": Init(moved, 0.02)}, 500, throttle=True)[1]["meta"]
        calls += 1
    np.testing.assert_allclose(shown, expected, atol=1e-5)
    assert calls > 2


def test_the_sliced_evaluation_equals_the_whole_one():
    parts, m, _ = parts_for("sinusoid", "mlp")
    inits = {"meta": Init(m.init(torch.Generator().manual_seed(0)), 0.01),
             "random": Init(m.init(torch.Generator().manual_seed(1)), 0.01)}
    whole = parts.evaluation(10, inits, 0, 20)
    job = parts.evaluation_job(10, inits, 0, 20, chunk=3)
    sliced = finish(job)
    assert tuple(whole.steps) == tuple(sliced.steps) == (*range(11), 20)
    for name in inits:
        np.testing.assert_allclose(sliced.mean[name], whole.mean[name], rtol=1e-5)


def test_evaluation_counts_the_held_out_tasks_that_diverged():
    family = get_family("sinusoid")
    model = make_model("mlp", family, (40, 40))
    params = model.init(torch.Generator().manual_seed(0), "cpu")
    parts = SnapshotParts(model, family, torch.device("cpu"))
    inits = {"meta": Init(params, 0.01), "random": Init(params, 3.0, fixed=True)}  # alpha 3 blows up
    ev = parts.evaluation(10, inits, iteration=0)
    assert set(ev.diverged) == {"meta", "random"}
    assert ev.diverged["meta"].shape == (EVAL_STEPS + 1,) and not ev.diverged["meta"].any()
    errors = mse_by_step(model, params, heldout_tasks(family, EVAL_TASKS, 10), 3.0, EVAL_STEPS).numpy()
    expected = (~(np.isfinite(errors) & (errors <= DIVERGED))).sum(1)
    assert expected[-1] > 0, "the test needs some tasks to diverge"
    assert ev.diverged["random"].tolist() == expected.tolist()
    again = parts.evaluation(10, inits, iteration=1)  # the fixed init's result comes from the cache
    assert again.diverged["random"].tolist() == expected.tolist()
    assert np.isfinite(ev.mean["random"][-1]) or expected[-1] == EVAL_TASKS  # the mean leaves them out


def autograd_fit(model, params, lr, xs, ys, grid, schedule):
    """The reference: SGD by autograd's gradient of the support MSE, the grid predicted at each
    scheduled step count (float64 throughout)."""
    p = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    preds = []
    for s in range(schedule[-1] + 1):
        if s in schedule:
            with torch.no_grad():
                preds.append(model.forward(expand(p, 1), grid[None])[0])
        if s == schedule[-1]:
            break
        loss = ((model.forward(expand(p, 1), xs[None])[0] - ys) ** 2).mean()
        grads = torch.autograd.grad(loss, list(p.values()))
        with torch.no_grad():
            p = {k: (v - (lr[k] if isinstance(lr, dict) else lr) * g).requires_grad_(True)
                 for (k, v), g in zip(p.items(), grads)}
    return torch.stack(preds).numpy()


@pytest.mark.parametrize("per_entry", [False, True])
@pytest.mark.parametrize("schedule, chunk", [(tuple(range(11)), 1000), ((0, 1, 10, 100), 5)])
def test_the_mlps_fit_by_hand_equals_autograds_in_float64(per_entry, schedule, chunk):
    fam = get_family("sinusoid")
    model = make_model("mlp", fam, (40, 40))
    params = {k: v.double() for k, v in model.init(torch.Generator().manual_seed(3)).items()}
    gen = torch.Generator().manual_seed(4)
    lr = ({k: 0.005 + 0.01 * torch.rand(v.shape, generator=gen, dtype=torch.float64) for k, v in params.items()}
          if per_entry else 0.01)
    task = new_display_task("sinusoid", 10, np.random.default_rng(5))
    xs, ys = np.array(task.xs), np.array(task.ys)
    grid = np.linspace(-5, 5, 200)
    got = finish(fit_slices(model, params, lr, xs, ys, grid, schedule, chunk))
    want = autograd_fit(model, params, lr, *(torch.tensor(a) for a in (xs, ys, grid)), schedule)
    assert got.dtype == np.float64 and got.shape == (len(schedule), 200)
    assert np.abs(want[-1] - want[0]).max() > 0.1, "the fit should move"
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def test_the_snapshots_mlp_curves_follow_the_fit_by_hand_in_float32_and_without_support():
    parts, m, task = parts_for("sinusoid", "mlp")
    params = m.init(torch.Generator().manual_seed(0))
    x = parts.inputs(task)
    preds, errors, points, schedule = parts._adapt(Init(params, 0.01), (0, 1, 10), x)
    want = autograd_fit(m, {k: v.double() for k, v in params.items()}, 0.01,
                        *(torch.tensor(a, dtype=torch.float64) for a in (x.xs_np, x.ys_np, x.grid_np)), (0, 1, 10))
    assert preds.dtype == np.float32 and points is None and schedule == (0, 1, 10)
    np.testing.assert_allclose(preds, want, atol=1e-5)
    np.testing.assert_allclose(errors, ((want - x.true_np) ** 2).mean(-1), rtol=1e-4)
    bare = replace(task, xs=(), ys=())  # no support points: nothing to adapt to, the init drawn at every count
    alone = parts._adapt(Init(params, 0.01), (0, 1, 10), parts.inputs(bare))[0]
    assert alone.shape == (3, len(x.grid_np)) and (alone == alone[0]).all()
