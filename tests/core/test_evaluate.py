"""core/evaluate.py: the paper's protocol (held-out tasks, MSE by step, mean and 95% CI) and
the pretrained baseline."""
import math

import numpy as np
import pytest
import torch

from core.evaluate import Z95, evaluate, heldout_tasks, mse_by_step, pretrain, summarize
from core.models import MLP, TwoParam, expand, mse
from core.tasks import get_family


def hand_ci(values):
    v = np.asarray(values, dtype=np.float64)
    mean = v.sum() / len(v)
    std = math.sqrt(((v - mean) ** 2).sum() / (len(v) - 1))
    return 1.959963984540054 * std / math.sqrt(len(v))


def test_z95_is_the_normal_quantile():
    assert Z95 == pytest.approx(1.959963984540054, abs=1e-15)


def test_summarize_mean_ci_median_by_hand():
    errors = np.array([[1.0, 2.0, 4.0, 7.0],
                       [0.5, 0.5, 0.5, 0.5],
                       [3.0, 1.0, 2.0, 10.0]])
    r = summarize(errors)
    assert r.steps == [0, 1, 2]
    assert r.mean == pytest.approx([3.5, 0.5, 4.0], abs=1e-12)
    # row 0: deviations -2.5, -1.5, 0.5, 3.5 -> sum of squares 21, variance 7
    assert r.ci95[0] == pytest.approx(1.959963984540054 * math.sqrt(7) / 2, rel=1e-12)
    assert r.ci95 == pytest.approx([hand_ci(row) for row in errors], rel=1e-12)
    assert r.ci95[1] == 0.0
    assert r.median == pytest.approx([3.0, 0.5, 2.5], abs=1e-12)
    assert r.diverged == [0, 0, 0]
    assert r.as_dict() == {"mean": r.mean, "ci95": r.ci95, "median": r.median, "diverged": r.diverged}


def test_summarize_leaves_out_and_counts_diverged():
    errors = np.array([[1.0, 3.0, 150.0, np.nan, np.inf, 2.0, 100.0],
                       [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -np.inf]])
    r = summarize(errors)
    kept0 = [1.0, 3.0, 2.0, 100.0]  # 100 itself is not above the threshold
    assert r.diverged == [3, 1]
    assert r.mean[0] == pytest.approx(np.mean(kept0), abs=1e-12)
    assert r.median[0] == pytest.approx(2.5, abs=1e-12)
    assert r.ci95[0] == pytest.approx(hand_ci(kept0), rel=1e-12)
    assert r.mean[1] == pytest.approx(3.5, abs=1e-12)
    assert r.ci95[1] == pytest.approx(hand_ci([1, 2, 3, 4, 5, 6]), rel=1e-12)


def test_summarize_all_diverged_or_single_value():
    r = summarize(np.array([[np.nan, 1e9], [5.0, 1e9]]))
    assert math.isnan(r.mean[0]) and math.isnan(r.median[0]) and math.isnan(r.ci95[0])
    assert r.diverged == [2, 1]
    assert r.mean[1] == 5.0 and r.median[1] == 5.0 and math.isnan(r.ci95[1])  # no interval from one value


@pytest.mark.parametrize("family, grid", [
    ("sinusoid", np.linspace(-5, 5, 100)),
    ("linear", np.linspace(-5, 5, 100)),
    ("sine-ab", np.arange(100) * 2 * np.pi / 100),
])
def test_heldout_tasks_deterministic_on_the_grid(family, grid):
    fam = get_family(family)
    one = heldout_tasks(fam, 20, 5, seed=42)
    two = heldout_tasks(fam, 20, 5, seed=42)
    other = heldout_tasks(fam, 20, 5, seed=43)
    for f in ("xs", "ys", "xq", "yq", "a", "b"):
        assert torch.equal(getattr(one, f), getattr(two, f)), f
    assert not torch.equal(one.a, other.a)
    assert one.xs.shape == (20, 5) and one.xq.shape == (20, 100)
    for row in one.xq.numpy():
        np.testing.assert_allclose(row, grid, atol=1e-6)
    a, b = one.a[:, None], one.b[:, None]
    torch.testing.assert_close(one.yq, fam.f(a, b, one.xq))
    torch.testing.assert_close(one.ys, fam.f(a, b, one.xs))


def test_mse_by_step_step0_is_plain_mse_on_grid():
    fam = get_family("sinusoid")
    model = MLP()
    params = model.init(torch.Generator().manual_seed(0))
    tasks = heldout_tasks(fam, 30, 10, seed=1)
    err = mse_by_step(model, params, tasks, 0.01, 3)
    assert err.shape == (4, 30)
    x = torch.linspace(-5, 5, 100)
    pred = model.forward(expand(params, 1), x[None])[0].detach().numpy().astype(np.float64)
    a, b = tasks.a.numpy().astype(np.float64), tasks.b.numpy().astype(np.float64)
    truth = a[:, None] * np.sin(x.numpy()[None].astype(np.float64) - b[:, None])
    want = ((pred[None] - truth) ** 2).mean(1)
    np.testing.assert_allclose(err[0].numpy(), want, rtol=1e-4)
    assert (err[3].mean() < err[0].mean())  # fine-tuning helps on average


def test_mse_by_step_one_sgd_step_linear_by_hand():
    fam = get_family("linear")
    model = TwoParam(fam)
    tasks = heldout_tasks(fam, 4, 5, seed=2)
    a0, b0, lr = 0.5, -0.5, 0.01
    err = mse_by_step(model, {"a": torch.tensor(a0), "b": torch.tensor(b0)}, tasks, lr, 1).numpy()
    xs, ys = tasks.xs.numpy().astype(np.float64), tasks.ys.numpy().astype(np.float64)
    r = a0 * xs + b0 - ys
    a1, b1 = a0 - lr * (2 * r * xs).mean(1), b0 - lr * (2 * r).mean(1)
    grid = np.linspace(-5, 5, 100)
    ta, tb = tasks.a.numpy()[:, None], tasks.b.numpy()[:, None]
    want = ((a1[:, None] * grid + b1[:, None] - (ta * grid + tb)) ** 2).mean(1)
    np.testing.assert_allclose(err[1], want, rtol=1e-4)


def test_evaluate_is_summarize_of_mse_by_step():
    fam = get_family("sine-ab")
    model = TwoParam(fam)
    params = {"a": torch.tensor(1.0), "b": torch.tensor(0.5)}
    tasks = heldout_tasks(fam, 25, 10, seed=3)
    r = evaluate(model, params, tasks, 0.1, 5)
    s = summarize(mse_by_step(model, params, tasks, 0.1, 5).numpy())
    assert r.steps == list(range(6))
    assert r.mean == pytest.approx(s.mean) and r.ci95 == pytest.approx(s.ci95)


def test_pretrain_reaches_the_average_function():
    torch.set_num_threads(1)
    fam = get_family("sinusoid")
    model = MLP()
    tasks = heldout_tasks(fam, 200, 10, seed=5)
    init = model.init(torch.Generator().manual_seed(0))
    random_mse = float(mse(model, expand(init, len(tasks)), tasks.xq, tasks.yq).mean())
    params = pretrain(model, fam, iterations=1000, gen=torch.Generator().manual_seed(0),
                      params=init)
    pre_mse = float(mse(model, expand(params, len(tasks)), tasks.xq, tasks.yq).mean())
    assert random_mse > 3.5  # predicting ~0 on A sin(x - phi) costs about E[A^2]/2
    assert pre_mse < 3.3
    assert set(params) == set(init) and all(not v.requires_grad for v in params.values())
    # pretrain copies: the given init is left untouched
    assert torch.equal(init["0.weight"], model.init(torch.Generator().manual_seed(0))["0.weight"])
