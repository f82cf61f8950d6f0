"""CAVIA: the meta-gradient against finite differences and an unrolled per-task loop, its
extras in a checkpoint, and its place in the CLI and the window's list (nothing else edited)."""
import torch

from core import checkpoint as ckpt
from core.algorithms import ALGORITHM_LABELS, HParams, MetaLearner, adapt
from core.cli import build_parser, main
from core.controls import Controls
from core.models import MLP, expand
from core.tasks import TaskBatch, get_family, sample_batch
from gui import validation

HP = HParams(inner_steps=2)


def setup64(hidden=(8, 8), n=3, seed=0, options=None):
    model = MLP(hidden)
    params = {k: v.double() for k, v in model.init(torch.Generator().manual_seed(seed)).items()}
    torch.manual_seed(seed)
    learner = MetaLearner("cavia", model, params, options=options)
    b = sample_batch(get_family("sinusoid"), n, 5, gen=torch.Generator().manual_seed(seed + 1))
    return model, learner, TaskBatch(*(t.double() for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))


def test_meta_gradient_matches_central_finite_differences():
    _, learner, batch = setup64(options={"context_lr": 0.5})
    _, grads = learner.meta_grad(batch, HP)
    eps = 1e-6
    for leaf, g in zip(learner.leaves, grads):
        flat = leaf.detach().view(-1)
        for i in range(flat.numel()):
            old = float(flat[i])
            with torch.no_grad():
                flat[i] = old + eps
                up = float(learner.meta_loss(batch, HP))
                flat[i] = old - eps
                down = float(learner.meta_loss(batch, HP))
                flat[i] = old
            assert abs((up - down) / (2 * eps) - float(g.view(-1)[i])) < 1e-6 * (1 + abs(float(g.view(-1)[i])))


def _unrolled(model, params, weight, batch, lr, steps):
    """Zintgraf et al.'s algorithm as written: per task, [x, c] into the first layer, c adapted."""
    total = 0.0
    for t in range(len(batch)):
        c = torch.zeros(weight.shape[1], dtype=weight.dtype, requires_grad=True)

        def loss(x, y, c):
            h = x[:, None]
            inp = torch.cat([h, c.expand(len(x), -1)], 1)
            w0 = torch.cat([params["0.weight"], weight], 1)
            h = torch.relu(inp @ w0.T + params["0.bias"])
            for i, (w, b) in enumerate(model.names[1:], 1):
                h = h @ params[w].T + params[b]
                if i < len(model.names) - 1:
                    h = torch.relu(h)
            return ((h[:, 0] - y) ** 2).mean()

        for _ in range(steps):
            (g,) = torch.autograd.grad(loss(batch.xs[t], batch.ys[t], c), c, create_graph=True)
            c = c - lr * g
        total = total + loss(batch.xq[t], batch.yq[t], c)
    return total / len(batch)


def test_meta_gradient_matches_an_unrolled_per_task_loop():
    model, learner, batch = setup64(hidden=(40, 40), n=4, options={"context_params": 4, "context_lr": 1.0})
    loss, grads = learner.meta_grad(batch, HP)
    params = {k: v.detach().clone().requires_grad_(True) for k, v in learner.params.items()}
    weight = learner.context_weight.detach().clone().requires_grad_(True)
    ref_loss = _unrolled(model, params, weight, batch, 1.0, HP.inner_steps)
    ref = torch.autograd.grad(ref_loss, list(params.values()) + [weight])
    assert abs(float(loss) - float(ref_loss.detach())) < 1e-12
    for g, r in zip(grads, ref):
        assert torch.allclose(g, r, rtol=1e-10, atol=1e-12)


def test_evaluation_adapts_the_context_only():
    model, learner, batch = setup64()
    rule = learner.inner_lr(HParams())
    theta = expand({k: v.detach() for k, v in learner.params.items()}, len(batch))
    phi = adapt(model, theta, batch.xs, batch.ys, rule, 3)
    moved = {k for k in theta if not torch.equal(phi[k], theta[k])}
    assert moved == {"0.bias"}  # b + W_c c: the context, seen through the first layer's bias


def test_context_weights_round_trip_through_a_checkpoint(tmp_path):
    model = MLP()
    learner = MetaLearner("cavia", model, model.init(torch.Generator().manual_seed(0)), options={"context_params": 6})
    params, extras = learner.state()
    cfg = dict(ckpt.config_from_controls(Controls(algorithm="cavia"), 5), context_params=6)
    ckpt.save(tmp_path / "c.pt", model, params, cfg, extras)
    loaded = ckpt.load(tmp_path / "c.pt")
    assert loaded.lrs["weight"].shape == (40, 6) and torch.equal(loaded.lrs["weight"], extras["weight"])
    again = MetaLearner("cavia", model, loaded.params, options=loaded.config)
    again.load(loaded.params, loaded.lrs)
    assert torch.equal(again.context_weight, extras["weight"])


def test_listed_in_the_cli_and_the_window_with_its_own_settings(tmp_path, capsys):
    assert "cavia" in validation.CHOICES["algorithm"] and ALGORITHM_LABELS["cavia"] == "CAVIA"
    args = build_parser().parse_args(["train", "--algorithm", "cavia", "--context-params", "2"])
    assert (args.algorithm, args.context_params, args.context_lr) == ("cavia", 2, 1.0)
    path = tmp_path / "c.pt"
    assert main(["train", "--algorithm", "cavia", "--iterations", "20", "--save", str(path), "--quiet"]) == 0
    report = tmp_path / "r.json"
    assert main(["evaluate", str(path), "--tasks", "10", "--steps", "1", "--json", str(report)]) == 0
    assert "context only, lr 1 (CAVIA)" in report.read_text()
    assert "adapts with context only" in capsys.readouterr().out


def test_the_window_is_told_its_context_rate():
    model = MLP()
    learner = MetaLearner("cavia", model, model.init(), options={"context_lr": 0.5})
    algo = learner.algo
    assert learner.summary()[algo.shown_rate] == 0.5 and algo.rate_words == "context lr"
