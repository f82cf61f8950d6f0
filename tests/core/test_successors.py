"""MAML's successors from the article: ANIL, Alpha MAML, iMAML."""
import pytest
import torch

from core import imaml
from core.algorithms import HParams, MetaLearner
from core.models import MLP, TwoParam, expand
from core.tasks import TaskBatch, get_family, sample_batch


def _batch(family="sinusoid", seed=0, n=5, k=10):
    b = sample_batch(get_family(family), n, k, 8, gen=torch.Generator().manual_seed(seed))
    return TaskBatch(*(t.double() for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))


def _mlp_params(model, seed=1):
    return {k: v.double() for k, v in model.init(torch.Generator().manual_seed(seed)).items()}


def _rel(a, b):
    return float((a - b).norm() / b.norm().clamp_min(1e-300))


# ---- ANIL ---------------------------------------------------------------------------------------
def _anil_reference(model, params, batch, lr, steps):
    """Per task, autograd with create_graph, adapting only the last layer."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    head = list(model.names[-1])
    losses = []
    for t in range(len(batch)):
        fast = dict(leaves)
        for _ in range(steps):
            pred = model.forward({k: v[None] for k, v in fast.items()}, batch.xs[t][None])[0]
            inner = ((pred - batch.ys[t]) ** 2).mean()
            gs = torch.autograd.grad(inner, [fast[k] for k in head], create_graph=True)
            fast.update({k: fast[k] - lr * g for k, g in zip(head, gs)})
        pred = model.forward({k: v[None] for k, v in fast.items()}, batch.xq[t][None])[0]
        losses.append(((pred - batch.yq[t]) ** 2).mean())
    return torch.autograd.grad(torch.stack(losses).mean(), list(leaves.values()))


@pytest.mark.parametrize("steps", [1, 3])
def test_anil_meta_gradient_equals_head_only_reference(steps):
    model, batch = MLP(), _batch()
    params = _mlp_params(model)
    learner = MetaLearner("anil", model, params)
    _, fast = learner.meta_grad(batch, HParams(inner_lr=0.05, inner_steps=steps))
    ref = _anil_reference(model, params, batch, 0.05, steps)
    for a, b in zip(fast, ref):
        assert _rel(a, b) < 1e-10


def test_anil_leaves_the_body_in_place_during_adaptation():
    model = MLP()
    learner = MetaLearner("anil", model, _mlp_params(model))
    rule = learner.inner_lr(HParams(inner_lr=0.1))
    assert float(rule["0.weight"].abs().max()) == 0 and float(rule["4.weight"].min()) == pytest.approx(0.1)


def test_anil_refuses_the_two_parameter_model():
    with pytest.raises(ValueError, match="MLP"):
        MetaLearner("anil", TwoParam(get_family("sine-ab")), {"a": torch.tensor(0.0), "b": torch.tensor(0.0)})


# ---- Alpha MAML ---------------------------------------------------------------------------------
@pytest.mark.parametrize("family,model_name", [("sinusoid", "mlp"), ("sine-ab", "two-param"),
                                               ("linear", "two-param")])
def test_alpha_maml_learning_rate_gradient_equals_finite_differences(family, model_name):
    fam = get_family(family)
    model = MLP() if model_name == "mlp" else TwoParam(fam)
    params = {k: v.double() for k, v in model.init(torch.Generator().manual_seed(3)).items()}
    batch = _batch(family, seed=4)
    hp = HParams(inner_lr=0.02, inner_steps=2)
    learner = MetaLearner("alpha", model, params, inner_lr=0.02)
    learner.alpha = learner.alpha.double().detach().requires_grad_(True)
    _, grads = learner.meta_grad(batch, hp)
    d_alpha = float(grads[-1])

    def loss_at(a):
        with torch.no_grad():
            learner.alpha.fill_(a)
        return float(learner.meta_loss(batch, hp).detach())

    eps = 1e-6
    fd = (loss_at(0.02 + eps) - loss_at(0.02 - eps)) / (2 * eps)
    assert d_alpha == pytest.approx(fd, rel=1e-5, abs=1e-9)


def test_alpha_maml_moves_alpha_against_its_hypergradient_and_keeps_it_nonnegative():
    model, fam = TwoParam(get_family("linear")), get_family("linear")
    learner = MetaLearner("alpha", model, {"a": torch.tensor(0.0), "b": torch.tensor(0.0)}, inner_lr=0.01)
    hp = HParams(inner_lr=0.01, outer_lr=1e-3, hyper_lr=1e-3)
    batch = sample_batch(fam, 25, 10, gen=torch.Generator().manual_seed(0))
    _, grads = learner.meta_grad(batch, hp)
    expected = max(0.01 - 1e-3 * float(grads[-1]), 0.0)
    learner.step(batch, hp)
    assert float(learner.alpha.detach()) == pytest.approx(expected, rel=1e-5)
    hp_big = HParams(inner_lr=0.01, hyper_lr=1e6)
    for _ in range(3):
        learner.step(batch, hp_big)
    assert float(learner.alpha.detach()) >= 0


def test_alpha_maml_outer_rate_grows_when_successive_gradients_agree():
    """Baydin's multiplicative rule: the same batch twice gives aligned gradients, so beta grows."""
    fam = get_family("linear")
    learner = MetaLearner("alpha", TwoParam(fam), {"a": torch.tensor(0.0), "b": torch.tensor(0.0)})
    batch = sample_batch(fam, 25, 10, gen=torch.Generator().manual_seed(1))
    hp = HParams(inner_lr=0.01, outer_lr=1e-3, hyper_lr=0.0, hyper_beta=0.1)
    learner.step(batch, hp)
    assert float(learner.beta.detach()) == pytest.approx(1e-3)
    learner.step(batch, hp)
    assert float(learner.beta.detach()) > 1e-3 * 1.05


# ---- iMAML --------------------------------------------------------------------------------------
def _unrolled_prox_grad(model, params, batch, lr, steps, lam):
    """Autograd through `steps` gradient steps on the proximal objective (the unrolled meta-gradient)."""
    theta = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    tb = expand(theta, len(batch))
    phi = dict(tb)
    for _ in range(steps):
        _, g = model.loss_grad(phi, batch.xs, batch.ys)
        phi = {k: v - lr * (g[k] + lam * (v - tb[k])) for k, v in phi.items()}
    loss = model.loss_grad(phi, batch.xq, batch.yq)[0].mean()
    return torch.autograd.grad(loss, list(theta.values()))


@pytest.mark.parametrize("family", ["linear", "sine-ab"])
def test_imaml_implicit_gradient_equals_unrolled_when_inner_problem_converges(family):
    fam = get_family(family)
    model = TwoParam(fam)
    params = {"a": torch.tensor(0.7, dtype=torch.float64), "b": torch.tensor(0.4, dtype=torch.float64)}
    batch = _batch(family, seed=5)
    lam, lr, steps = 2.0, 0.02, 3000  # many small steps: the inner problem is solved
    _, implicit = imaml.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, lr, steps, lam)
    unrolled = _unrolled_prox_grad(model, params, batch, lr, steps, lam)
    for k, u in zip(params, unrolled):
        assert float(implicit[k]) == pytest.approx(float(u), rel=1e-4, abs=1e-8)


def test_imaml_implicit_gradient_differs_from_unrolled_before_convergence():
    """With one inner step the two are different objects: the check above is not vacuous."""
    fam = get_family("sine-ab")
    model = TwoParam(fam)
    params = {"a": torch.tensor(0.7, dtype=torch.float64), "b": torch.tensor(0.4, dtype=torch.float64)}
    batch = _batch("sine-ab", seed=5)
    _, implicit = imaml.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, 0.02, 1, 2.0)
    unrolled = _unrolled_prox_grad(model, params, batch, 0.02, 1, 2.0)
    assert max(abs(float(implicit[k]) - float(u)) for k, u in zip(params, unrolled)) > 1e-3


def test_imaml_conjugate_gradient_solves_the_linear_system_for_the_mlp():
    model, batch = MLP((8, 8)), _batch(n=3)
    phi = expand(_mlp_params(model), 3)
    b = {k: torch.randn(v.shape, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
         for k, v in phi.items()}
    lam = 50.0  # large lambda: I + H/lam is positive definite, CG converges
    x = imaml.solve(model, phi, batch.xs, batch.ys, b, lam, iterations=200)
    hx = imaml.hvp(model, phi, batch.xs, batch.ys, x)
    for k in b:
        assert _rel(x[k] + hx[k] / lam, b[k]) < 1e-6


def test_imaml_mlp_fast_hvp_equals_autograd_hvp():
    model, batch = MLP(), _batch(n=4)
    phi = expand(_mlp_params(model), 4)
    v = {k: torch.randn(t.shape, generator=torch.Generator().manual_seed(9), dtype=torch.float64)
         for k, t in phi.items()}
    fast = imaml.hvp_at(model, phi, batch.xs, batch.ys)(v)
    ref = imaml.hvp(model, phi, batch.xs, batch.ys, v)
    for k in v:
        assert _rel(fast[k], ref[k]) < 1e-10


def test_anil_with_a_tensor_learning_rate_equals_the_float_one():
    """Inside a CUDA graph alpha is a device tensor; the ANIL rule must not compare it on the host."""
    model, batch = MLP(), _batch(seed=11)
    learner = MetaLearner("anil", model, _mlp_params(model))
    _, a = learner.meta_grad(batch, HParams(inner_lr=0.03, inner_steps=2))
    _, b = learner.meta_grad(batch, HParams(inner_lr=torch.tensor(0.03, dtype=torch.float64), inner_steps=2))
    for x, y in zip(a, b):
        assert _rel(x, y) < 1e-12
