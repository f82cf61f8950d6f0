"""core/algorithms.py: meta-gradients against finite differences, the unrolled references, and
hand-derived updates for Reptile and Meta-SGD."""
import numpy as np
import pytest
import torch

from core.algorithms import ALGORITHMS, HParams, MetaLearner, adapt, adapt_path
from core.models import MLP, TwoParam, expand, mse
from core.reference import loop_meta_grad, vmap_meta_grad
from core.tasks import TaskBatch, get_family, sample_batch


def batch64(family, n=4, k=10, seed=0):
    b = sample_batch(get_family(family), n, k, gen=torch.Generator().manual_seed(seed))
    return TaskBatch(*(t.double() for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))


def init64(model, seed=0):
    return {k: v.double() for k, v in model.init(torch.Generator().manual_seed(seed)).items()}


def meta_grad(algorithm, model, params, batch, hp):
    """The gradient `step` applies to the init (the MLP's hand-derived path, else autograd)."""
    learner = MetaLearner(algorithm, model, params)
    _, grads = learner.meta_grad(batch, hp)
    return dict(zip(learner.params, grads))


def autograd_meta_grad(algorithm, model, params, batch, hp):
    """The same by autograd through `meta_loss`."""
    learner = MetaLearner(algorithm, model, params)
    loss = learner.meta_loss(batch, hp)
    return dict(zip(learner.params, torch.autograd.grad(loss, list(learner.params.values()))))


def meta_loss_at(model, params, batch, hp, algorithm="maml", lrs=None):
    learner = MetaLearner(algorithm, model, params)
    if lrs is not None:
        learner.load(params, lrs)
    with torch.no_grad():
        return float(learner.meta_loss(batch, hp))


def nudge(value, i, delta):
    flat = value.detach().flatten().clone()
    flat[i] += delta
    return flat.view_as(value)


def opt_lr(opt):
    """The outer optimiser's current step size (torch.optim keeps it in param_groups)."""
    return opt.lr if hasattr(opt, "lr") else opt.param_groups[0]["lr"]


def rel_diff(g, r):
    num = sum(float(((g[k] - r[k]) ** 2).sum()) for k in r) ** 0.5
    den = sum(float((r[k] ** 2).sum()) for k in r) ** 0.5
    return num / den


# (model, family): the MLP on the paper's sinusoid, the two-parameter model on the article's tasks
CASES = {
    "mlp-sinusoid": (lambda: MLP(), "sinusoid"),
    "mlp-small": (lambda: MLP((8, 5, 3)), "sinusoid"),
    "two-param-sine-ab": (lambda: TwoParam(get_family("sine-ab")), "sine-ab"),
    "two-param-sinusoid": (lambda: TwoParam(get_family("sinusoid")), "sinusoid"),
    "two-param-linear": (lambda: TwoParam(get_family("linear")), "linear"),
}


@pytest.mark.parametrize("steps", [1, 3])
@pytest.mark.parametrize("case", ["mlp-sinusoid", "two-param-sine-ab", "two-param-linear"])
def test_maml_meta_grad_equals_finite_differences(case, steps):
    make, family = CASES[case]
    model = make()
    params = init64(model, seed=1)
    batch = batch64(family, 4, 10, seed=2)
    hp = HParams(inner_lr=0.01, inner_steps=steps)
    g = meta_grad("maml", model, params, batch, hp)
    eps = 1e-6  # float64; small enough that no ReLU kink is crossed
    pick = torch.Generator().manual_seed(3)
    checked = 0
    for name, value in params.items():
        n = value.numel()
        for i in (torch.randperm(n, generator=pick)[:4].tolist() if n > 4 else range(n)):
            plus, minus = dict(params), dict(params)
            plus[name], minus[name] = nudge(value, i, eps), nudge(value, i, -eps)
            fd = (meta_loss_at(model, plus, batch, hp) - meta_loss_at(model, minus, batch, hp)) / (2 * eps)
            analytic = float(g[name].flatten()[i])
            assert abs(fd - analytic) <= 1e-4 * abs(analytic) + 1e-7, (name, i, fd, analytic)
            checked += abs(analytic) > 1e-4
    assert checked >= 2  # the sample had entries with a real gradient


@pytest.mark.parametrize("steps", [1, 3])
@pytest.mark.parametrize("case", list(CASES))
def test_maml_meta_grad_equals_unrolled_references(case, steps):
    make, family = CASES[case]
    model = make()
    params = init64(model, seed=4)
    batch = batch64(family, 5, 10, seed=5)
    hp = HParams(inner_lr=0.01, inner_steps=steps)
    g = meta_grad("maml", model, params, batch, hp)
    auto = autograd_meta_grad("maml", model, params, batch, hp)
    loop = loop_meta_grad(model, params, batch, hp.inner_lr, steps)
    vm = vmap_meta_grad(model, params, batch, hp.inner_lr, steps)
    assert rel_diff(g, loop) < 1e-4
    assert rel_diff(g, vm) < 1e-4
    assert rel_diff(auto, loop) < 1e-4
    # and MAML is not first-order: the references' first-order variant differs
    fo = loop_meta_grad(model, params, batch, hp.inner_lr, steps, first_order=True)
    assert rel_diff(fo, loop) > 1e-3


@pytest.mark.parametrize("steps", [1, 3])
@pytest.mark.parametrize("case", ["mlp-sinusoid", "two-param-sine-ab", "two-param-sinusoid"])
def test_fomaml_differs_from_maml_and_equals_first_order_reference(case, steps):
    make, family = CASES[case]
    model = make()
    params = init64(model, seed=6)
    batch = batch64(family, 5, 10, seed=7)
    hp = HParams(inner_lr=0.01, inner_steps=steps)
    fo = meta_grad("fomaml", model, params, batch, hp)
    so = meta_grad("maml", model, params, batch, hp)
    assert rel_diff(fo, so) > 1e-3
    ref = loop_meta_grad(model, params, batch, hp.inner_lr, steps, first_order=True)
    assert rel_diff(fo, ref) < 1e-4
    assert rel_diff(autograd_meta_grad("fomaml", model, params, batch, hp), ref) < 1e-4


def test_fomaml_one_step_is_query_grad_at_adapted_params_mlp():
    """By hand with autograd on the plain forward: phi_t = theta - alpha grad L_s(theta);
    the FOMAML meta-gradient is mean_t grad L_q(phi_t), taken at phi_t."""
    model = MLP((8, 5, 3))
    params = init64(model, seed=8)
    batch = batch64("sinusoid", 3, 10, seed=9)
    alpha = 0.05
    g = meta_grad("fomaml", model, params, batch, HParams(inner_lr=alpha, inner_steps=1))
    total = {k: torch.zeros_like(v) for k, v in params.items()}
    for t in range(len(batch)):
        theta = {k: v.clone().requires_grad_(True) for k, v in params.items()}
        support = ((model.forward(expand(theta, 1), batch.xs[t:t + 1]) - batch.ys[t:t + 1]) ** 2).mean()
        gs = torch.autograd.grad(support, list(theta.values()))
        phi = {k: (theta[k] - alpha * d).detach().requires_grad_(True) for k, d in zip(theta, gs)}
        query = ((model.forward(expand(phi, 1), batch.xq[t:t + 1]) - batch.yq[t:t + 1]) ** 2).mean()
        for k, d in zip(phi, torch.autograd.grad(query, list(phi.values()))):
            total[k] += d / len(batch)
    assert rel_diff(g, total) < 1e-10


def ab(d):
    return [float(d["a"].detach()), float(d["b"].detach())]


def linear_grad(a, b, x, y):
    """d/d(a, b) of mean((a x + b - y)^2), per task (rows)."""
    r = a[:, None] * x + b[:, None] - y
    return (2 * r * x).mean(1), (2 * r).mean(1)


def test_fomaml_one_step_linear_by_formula():
    family = get_family("linear")
    model = TwoParam(family)
    batch = batch64("linear", 6, 5, seed=10)
    a0, b0, alpha = 0.3, -0.7, 0.02
    params = {"a": torch.tensor(a0, dtype=torch.float64), "b": torch.tensor(b0, dtype=torch.float64)}
    g = meta_grad("fomaml", model, params, batch, HParams(inner_lr=alpha, inner_steps=1))
    xs, ys, xq, yq = (t.numpy() for t in (batch.xs, batch.ys, batch.xq, batch.yq))
    n = len(batch)
    ga, gb = linear_grad(np.full(n, a0), np.full(n, b0), xs, ys)
    pa, pb = a0 - alpha * ga, b0 - alpha * gb
    qa, qb = linear_grad(pa, pb, xq, yq)
    np.testing.assert_allclose([float(g["a"]), float(g["b"])], [qa.mean(), qb.mean()], rtol=1e-10)


@pytest.mark.parametrize("steps", [1, 3])
def test_reptile_step_linear_by_hand(steps):
    model = TwoParam(get_family("linear"))
    batch = batch64("linear", 5, 10, seed=11)
    a0, b0, alpha, beta = 0.4, -1.1, 0.01, 0.5
    params = {"a": torch.tensor(a0, dtype=torch.float64), "b": torch.tensor(b0, dtype=torch.float64)}
    learner = MetaLearner("reptile", model, params, outer_optimizer="sgd")
    learner.step(batch, HParams(inner_lr=alpha, outer_lr=beta, inner_steps=steps))
    xs, ys = batch.xs.numpy(), batch.ys.numpy()
    a, b = np.full(len(batch), a0), np.full(len(batch), b0)
    for _ in range(steps):
        ga, gb = linear_grad(a, b, xs, ys)
        a, b = a - alpha * ga, b - alpha * gb
    want_a = a0 - beta * (a0 - a.mean())
    want_b = b0 - beta * (b0 - b.mean())
    assert abs(want_a - a0) > 1e-3  # the step actually moves
    np.testing.assert_allclose(ab(learner.params), [want_a, want_b], rtol=1e-10)


def test_reptile_step_sine_ab_by_hand():
    model = TwoParam(get_family("sine-ab"))
    batch = batch64("sine-ab", 5, 10, seed=12)
    a0, b0, alpha, beta, steps = 0.2, 1.5, 0.1, 0.3, 2
    params = {"a": torch.tensor(a0, dtype=torch.float64), "b": torch.tensor(b0, dtype=torch.float64)}
    learner = MetaLearner("reptile", model, params, outer_optimizer="sgd")
    learner.step(batch, HParams(inner_lr=alpha, outer_lr=beta, inner_steps=steps))
    xs, ys = batch.xs.numpy(), batch.ys.numpy()
    a, b = np.full(len(batch), a0), np.full(len(batch), b0)
    for _ in range(steps):
        s, c = np.sin(xs + b[:, None]), np.cos(xs + b[:, None])
        r = a[:, None] * s - ys
        ga, gb = (2 * r * s).mean(1), (2 * r * a[:, None] * c).mean(1)
        a, b = a - alpha * ga, b - alpha * gb
    want = [a0 - beta * (a0 - a.mean()), b0 - beta * (b0 - b.mean())]
    assert abs(want[0] - a0) > 1e-3 and abs(want[1] - b0) > 1e-3
    np.testing.assert_allclose(ab(learner.params), want, rtol=1e-10)


def test_metasgd_step_linear_by_hand():
    """One inner step, phi = theta - lr * g(theta); both theta and the learned lr take an SGD step.

    d Lq(phi)/d lr = -gq(phi) * g(theta);  d Lq(phi)/d theta = (I - diag(lr) H)^T gq(phi),
    with the linear model's support Hessian H = mean over points of 2 [[x^2, x], [x, 1]].
    """
    model = TwoParam(get_family("linear"))
    batch = batch64("linear", 4, 6, seed=13)
    theta = np.array([0.5, -0.3])
    lr = np.array([0.02, 0.05])  # different per entry, so a transposed or swapped rule shows
    beta = 0.1
    params = {"a": torch.tensor(theta[0]), "b": torch.tensor(theta[1])}
    learner = MetaLearner("metasgd", model, params, inner_lr=0.01, outer_optimizer="sgd")
    learner.load(params, {"a": torch.tensor(lr[0]), "b": torch.tensor(lr[1])})
    learner.step(batch, HParams(inner_lr=0.01, outer_lr=beta, inner_steps=1))

    xs, ys, xq, yq = (t.numpy() for t in (batch.xs, batch.ys, batch.xq, batch.yq))
    d_theta, d_lr = np.zeros(2), np.zeros(2)
    for t in range(len(batch)):
        x, y = xs[t], ys[t]
        r = theta[0] * x + theta[1] - y
        g = np.array([np.mean(2 * r * x), np.mean(2 * r)])
        phi = theta - lr * g
        rq = phi[0] * xq[t] + phi[1] - yq[t]
        gq = np.array([np.mean(2 * rq * xq[t]), np.mean(2 * rq)])
        H = np.array([[np.mean(2 * x * x), np.mean(2 * x)], [np.mean(2 * x), 2.0]])
        d_theta += (np.eye(2) - np.diag(lr) @ H).T @ gq / len(batch)
        d_lr += -gq * g / len(batch)
    want_theta = theta - beta * d_theta
    want_lr = lr - beta * d_lr
    assert np.abs(want_lr - lr).min() > 1e-4  # the rates really move
    np.testing.assert_allclose(ab(learner.params), want_theta, rtol=1e-10)
    np.testing.assert_allclose(ab(learner.lrs), want_lr, rtol=1e-10)


@pytest.mark.parametrize("steps", [1, 2])
def test_metasgd_mlp_grads_equal_finite_differences(steps):
    model = MLP((8, 5, 3))
    params = init64(model, seed=19)
    gen = torch.Generator().manual_seed(20)
    lrs = {k: 0.01 + 0.04 * torch.rand(v.shape, generator=gen, dtype=torch.float64)
           for k, v in params.items()}
    batch = batch64("sinusoid", 4, 10, seed=21)
    hp = HParams(inner_steps=steps)
    learner = MetaLearner("metasgd", model, params)
    learner.load(params, lrs)
    _, grads = learner.meta_grad(batch, hp)
    assert len(grads) == 2 * len(params)
    g_theta = dict(zip(params, grads[:len(params)]))
    g_lr = dict(zip(params, grads[len(params):]))
    eps = 1e-6
    pick = torch.Generator().manual_seed(22)
    for name in params:
        n = params[name].numel()
        for i in torch.randperm(n, generator=pick)[:3].tolist():
            for which, grad in (("lr", g_lr), ("theta", g_theta)):
                p_plus, p_minus, l_plus, l_minus = dict(params), dict(params), dict(lrs), dict(lrs)
                if which == "lr":
                    l_plus[name], l_minus[name] = nudge(lrs[name], i, eps), nudge(lrs[name], i, -eps)
                else:
                    p_plus[name], p_minus[name] = nudge(params[name], i, eps), nudge(params[name], i, -eps)
                fd = (meta_loss_at(model, p_plus, batch, hp, "metasgd", l_plus)
                      - meta_loss_at(model, p_minus, batch, hp, "metasgd", l_minus)) / (2 * eps)
                analytic = float(grad[name].flatten()[i])
                assert abs(fd - analytic) <= 1e-4 * abs(analytic) + 1e-7, (which, name, i, fd, analytic)


def test_hyperparameters_change_between_steps_without_rebuilding():
    model = MLP((8, 5, 3))
    learner = MetaLearner("maml", model, init64(model, seed=14), outer_optimizer="sgd")
    opt = learner.opt
    hp1 = HParams(inner_lr=0.01, outer_lr=0.01, inner_steps=1, shots=5, meta_batch=3)
    gen = torch.Generator().manual_seed(15)
    b1 = sample_batch(get_family("sinusoid"), hp1.meta_batch, hp1.shots, gen=gen)
    learner.step(TaskBatch(*(t.double() for t in vars(b1).values())), hp1)
    assert opt_lr(opt) == 0.01

    hp2 = HParams(inner_lr=0.05, outer_lr=0.1, inner_steps=3, shots=10, meta_batch=7)
    b2 = sample_batch(get_family("sinusoid"), hp2.meta_batch, hp2.shots, gen=gen)
    b2 = TaskBatch(*(t.double() for t in vars(b2).values()))
    before, _ = learner.state()
    learner.step(b2, hp2)
    after, _ = learner.state()
    assert learner.opt is opt  # the same optimiser, not a rebuilt learner
    assert opt_lr(opt) == 0.1
    # the update is -beta * meta-gradient with the new alpha, steps and batch
    ref = loop_meta_grad(model, before, b2, hp2.inner_lr, hp2.inner_steps)
    delta = {k: after[k] - before[k] for k in after}
    assert rel_diff(delta, {k: -hp2.outer_lr * v for k, v in ref.items()}) < 1e-6


def test_adam_outer_lr_changes_live():
    model = TwoParam(get_family("sine-ab"))
    learner = MetaLearner("maml", model, {"a": torch.tensor(0.1), "b": torch.tensor(0.2)})
    gen = torch.Generator().manual_seed(16)
    fam = get_family("sine-ab")
    first = learner.state()[0]
    learner.step(sample_batch(fam, 10, 10, gen=gen), HParams(outer_lr=1e-2))
    second = learner.state()[0]
    # Adam's first step moves each entry by about lr (m / sqrt(v) = sign(g))
    for k in first:
        assert abs(float(second[k] - first[k])) == pytest.approx(1e-2, rel=1e-3)
    learner.step(sample_batch(fam, 10, 10, gen=gen), HParams(outer_lr=0.0))
    assert opt_lr(learner.opt) == 0.0
    third = learner.state()[0]
    for k in first:
        assert torch.equal(third[k], second[k])  # lr 0: no move


def test_adapt_and_adapt_path_agree():
    model = MLP((8,))
    params = expand(init64(model, seed=17), 3)
    b = batch64("sinusoid", 3, 10, seed=18)
    path = adapt_path(model, params, b.xs, b.ys, 0.1, 4)
    assert len(path) == 5 and path[0] is params
    end = adapt(model, params, b.xs, b.ys, 0.1, 4)
    for k in end:
        torch.testing.assert_close(path[-1][k], end[k])
    # each step lowers the support loss with a small lr on this smooth problem
    losses = [float(mse(model, p, b.xs, b.ys).mean()) for p in path]
    assert losses[-1] < losses[0]
    # a dict of per-entry rates: zero rate for one tensor leaves it alone
    rates = {k: torch.full_like(v, 0.1) for k, v in init64(model).items()}
    rates["0.weight"] = torch.zeros_like(rates["0.weight"])
    moved = adapt(model, params, b.xs, b.ys, rates, 2)
    assert torch.equal(moved["0.weight"], params["0.weight"])
    assert not torch.equal(moved["2.weight"], params["2.weight"])


def test_unknown_algorithm_and_optimizer_are_refused():
    model = TwoParam(get_family("linear"))
    p = {"a": torch.tensor(0.0), "b": torch.tensor(0.0)}
    assert {"maml", "fomaml", "reptile", "metasgd"} <= set(ALGORITHMS)
    with pytest.raises(ValueError, match="unknown algorithm"):
        MetaLearner("imaml-x", model, p)
    with pytest.raises(ValueError, match="unknown outer optimiser"):
        MetaLearner("maml", model, p, outer_optimizer="rmsprop")


def test_a_step_rule_object_adapts_its_own_way_in_training_plots_and_evaluation():
    """The hook for algorithms that adapt something else than the weights (CAVIA's context)."""
    from core.evaluate import mse_by_step

    class Halve:  # a rule: every step halves the parameters, whatever the data
        def adapt(self, model, params, x, y, steps):
            return {k: v / 2 ** steps for k, v in params.items()}

    fam, model = get_family("sinusoid"), MLP()
    params = model.init(torch.Generator().manual_seed(0))
    batch = sample_batch(fam, 3, 5, gen=torch.Generator().manual_seed(1))
    theta = expand(params, 3)
    got = adapt(model, theta, batch.xs, batch.ys, Halve(), 2)
    assert all(torch.equal(got[k], theta[k] / 4) for k in theta)
    path = adapt_path(model, theta, batch.xs, batch.ys, Halve(), 2)
    assert all(torch.equal(path[2][k], theta[k] / 4) for k in theta)
    errors = mse_by_step(model, params, batch, Halve(), 1)
    assert torch.allclose(errors[1], mse(model, {k: v / 2 for k, v in theta.items()}, batch.xq, batch.yq))
