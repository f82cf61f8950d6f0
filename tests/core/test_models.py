"""core/models.py: closed-form gradients against autograd, and the MLP against nn.Sequential."""
import pytest
import torch
from torch import nn

from core.models import MLP, TwoParam, expand, make_model, mse
from core.tasks import FAMILIES, get_family, sample_batch


def float64_batch(family, n=5, k=10, seed=0):
    b = sample_batch(get_family(family), n, k, gen=torch.Generator().manual_seed(seed))
    return b.xs.double(), b.ys.double()


def per_task_params(model, n, seed):
    """n different parameter sets (one per task), float64, as leaves."""
    g = torch.Generator().manual_seed(seed)
    sets = [model.init(g) for _ in range(n)]
    return {k: torch.stack([s[k] for s in sets]).double().requires_grad_(True) for k in sets[0]}


def assert_grad_matches_autograd(model, params, x, y):
    loss, grads = model.loss_grad(params, x, y)
    ref_loss = mse(model, params, x, y)
    torch.testing.assert_close(loss, ref_loss, rtol=1e-12, atol=1e-12)
    # the per-task losses are independent, so the gradient of their sum is each task's gradient
    ref = torch.autograd.grad(ref_loss.sum(), list(params.values()))
    assert set(grads) == set(params)
    for (name, _), r in zip(params.items(), ref):
        assert grads[name].shape == r.shape, name
        assert r.abs().max() > 0, name  # a zero gradient would make the comparison vacuous
        torch.testing.assert_close(grads[name], r, rtol=1e-10, atol=1e-12, msg=name)


@pytest.mark.parametrize("hidden", [(40, 40), (8, 5, 3)])
def test_mlp_loss_grad_equals_autograd(hidden):
    model = MLP(hidden)
    params = per_task_params(model, 5, seed=1)
    x, y = float64_batch("sinusoid", 5, 10, seed=2)
    assert_grad_matches_autograd(model, params, x, y)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_two_param_loss_grad_equals_autograd(family):
    model = TwoParam(get_family(family))
    params = per_task_params(model, 6, seed=3)
    x, y = float64_batch(family, 6, 10, seed=4)
    assert_grad_matches_autograd(model, params, x, y)


def test_two_param_forward_is_the_family_formula():
    for family in FAMILIES:
        fam = get_family(family)
        model = TwoParam(fam)
        p = {"a": torch.tensor([1.3, -0.4], dtype=torch.float64),
             "b": torch.tensor([0.2, 0.9], dtype=torch.float64)}
        x = torch.linspace(-2, 2, 7, dtype=torch.float64).expand(2, 7)
        torch.testing.assert_close(model.forward(p, x), fam.f(p["a"][:, None], p["b"][:, None], x))


def sequential(hidden=(40, 40)):
    sizes = [1, *hidden, 1]
    layers = []
    for i, (fi, fo) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fi, fo))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers).double()


def test_mlp_params_load_into_nn_sequential():
    model = MLP()
    params = {k: v.double() for k, v in model.init(torch.Generator().manual_seed(5)).items()}
    net = nn.Sequential(nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1))
    net = net.double()
    expected = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    assert {k: tuple(v.shape) for k, v in params.items()} == expected
    net.load_state_dict(params)  # strict: names and shapes must match exactly
    x = torch.linspace(-5, 5, 33, dtype=torch.float64)
    ours = model.forward(expand(params, 1), x[None])[0]
    theirs = net(x[:, None])[:, 0]
    torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)


def test_mlp_other_hidden_matches_its_sequential():
    model = MLP((8, 5, 3))
    params = {k: v.double() for k, v in model.init(torch.Generator().manual_seed(6)).items()}
    net = sequential((8, 5, 3))
    net.load_state_dict(params)
    x = torch.linspace(-5, 5, 21, dtype=torch.float64)
    torch.testing.assert_close(model.forward(expand(params, 1), x[None])[0], net(x[:, None])[:, 0])


def test_mlp_init_is_nn_linear_default_range_and_seedable():
    model = MLP()
    p = model.init(torch.Generator().manual_seed(0))
    q = model.init(torch.Generator().manual_seed(0))
    for k in p:
        assert torch.equal(p[k], q[k])
    fan_in = {"0": 1, "2": 40, "4": 40}
    for k, v in p.items():
        bound = 1 / fan_in[k.split(".")[0]] ** 0.5
        assert v.abs().max() <= bound
        if v.numel() >= 10:  # enough draws to span most of the range
            assert v.abs().max() > 0.5 * bound


def test_make_model():
    assert isinstance(make_model("mlp", "sinusoid", (8,)), MLP)
    assert make_model("mlp", "sinusoid", (8,)).hidden == (8,)
    two = make_model("two-param", "linear")
    assert isinstance(two, TwoParam) and two.family.name == "linear"
    with pytest.raises(ValueError, match="unknown model"):
        make_model("cnn", "sinusoid")
