"""core/bench.py: every baseline's meta-gradient equals core's for the same order, and each row's
ratio is to the baseline of its own order. No timing is asserted."""
import pytest
import torch
from torch.utils._pytree import tree_leaves, tree_map

from core import analytic, bench, compiled
from core.algorithms import ALGORITHMS, HParams, MetaLearner, get_algorithm
from core.algorithms.maml import MAML
from core.fast import make_stepper
from core.models import MLP
from core.optim import Adam
from core.reference import loop_meta_grad
from core.tasks import TaskBatch, get_family, sample_batch


def _batch(seed=0, n=5, k=10, dtype=torch.float64):
    b = sample_batch(get_family("sinusoid"), n, k, gen=torch.Generator().manual_seed(seed))
    return TaskBatch(*(t.to(dtype) for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))


def _params(model, seed=1, dtype=torch.float64):
    return {k: v.to(dtype).requires_grad_(True) for k, v in model.init(torch.Generator().manual_seed(seed)).items()}


def _rel(a, b):
    return float((a - b).norm() / b.norm().clamp_min(1e-300))


def _learner_grad(algorithm, model, params, batch, hp):
    """The gradient core's `step` applies to the init, with its meta-loss."""
    loss, grads = MetaLearner(algorithm, model, params, hp.inner_lr).meta_grad(batch, hp)
    return loss, grads


@pytest.mark.parametrize("hidden", [(40, 40), (7, 5, 3)])
@pytest.mark.parametrize("steps", [1, 3])
def test_second_order_loop_equals_the_reference_and_the_analytic_path(hidden, steps):
    model, batch = MLP(hidden), _batch()
    params, hp = _params(model), HParams(inner_lr=0.05, inner_steps=steps)
    loss, grads = bench.loop_grad(model, params, batch, hp)
    ref = loop_meta_grad(model, params, batch, 0.05, steps)
    _, fast, _ = analytic.meta_grad(model, {k: v.detach() for k, v in params.items()},
                                    batch.xs, batch.ys, batch.xq, batch.yq, 0.05, steps)
    for g, k in zip(grads, params):
        assert _rel(g, ref[k]) < 1e-10, k
        assert _rel(g, fast[k]) < 1e-10, k


def test_second_order_loop_in_float32_is_close_to_float64():
    model = MLP()
    hp = HParams(inner_lr=0.05, inner_steps=2)
    _, g32 = bench.loop_grad(model, _params(model, dtype=torch.float32), _batch(3, dtype=torch.float32), hp)
    _, g64 = bench.loop_grad(model, _params(model), _batch(3), hp)
    for a, b in zip(g32, g64):
        assert _rel(a.double(), b) < 1e-4


@pytest.mark.parametrize("steps", [1, 2])
def test_first_order_loop_equals_fomaml(steps):
    model, batch = MLP(), _batch(4)
    params, hp = _params(model), HParams(inner_lr=0.05, inner_steps=steps)
    loss, grads = bench.loop_grad(model, params, batch, hp, first_order=True)
    ref_loss, ref = _learner_grad("fomaml", model, params, batch, hp)
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)
    for a, b in zip(grads, ref):
        assert _rel(a, b) < 1e-10
    _, second = bench.loop_grad(model, params, batch, hp)
    assert max(_rel(a, b) for a, b in zip(grads, second)) > 1e-3  # first order really is another gradient


@pytest.mark.parametrize("steps", [1, 3])
def test_reptile_loop_equals_reptiles_pseudo_gradient(steps):
    model, batch = MLP(), _batch(5)
    params, hp = _params(model), HParams(inner_lr=0.05, inner_steps=steps)
    loss, grads = bench.loop_reptile_grad(model, params, batch, hp)
    ref_loss, ref = _learner_grad("reptile", model, params, batch, hp)
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)
    for a, b in zip(grads, ref):
        assert _rel(a, b) < 1e-10


def _func_maml_grad(model, params, batch, hp):
    return bench.reference_grad(bench.FUNC_REFERENCES[MAML], params, model, batch, hp)


@pytest.mark.parametrize("meta_grad", [bench.vmap_grad, _func_maml_grad])
def test_torch_func_rows_equal_the_reference(meta_grad):
    model, batch = MLP(), _batch(6)
    params, hp = _params(model), HParams(inner_lr=0.05, inner_steps=2)
    _, grads = meta_grad(model, params, batch, hp)
    ref = loop_meta_grad(model, params, batch, 0.05, 2)
    for g, k in zip(grads, params):
        assert _rel(g, ref[k]) < 1e-10, k


def _learner_and_leaves(algorithm, model, params, hp, seed=7):
    """A float64 learner and the same leaves for its torch.func reference. Meta-SGD's rates are
    drawn apart (so a rate mixed up between entries shows); Alpha MAML's alpha and beta, 0-d
    float32 tensors in the project whatever the params' dtype, are made float64 too."""
    learner = MetaLearner(algorithm, model, params, hp.inner_lr)
    leaves = bench.FUNC_REFERENCES[get_algorithm(algorithm)].leaves({k: v.detach() for k, v in params.items()}, hp)
    if learner.lrs is not None:
        gen = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for rate in learner.lrs.values():
                rate.copy_(0.02 + 0.08 * torch.rand(rate.shape, generator=gen, dtype=rate.dtype))
        leaves = (leaves[0], {k: v.detach().clone() for k, v in learner.lrs.items()})
    if hasattr(learner, "alpha"):
        learner.alpha = leaves[1].clone().requires_grad_(True)
        learner.beta = learner.beta.to(torch.float64)
    return learner, leaves


@pytest.mark.parametrize("algorithm", ["maml", "metasgd", "anil", "alpha"])
@pytest.mark.parametrize("hidden", [(40, 40), (7, 5, 3)])
@pytest.mark.parametrize("steps", [1, 2])
def test_each_torch_func_reference_equals_the_projects_eager_meta_grad(algorithm, hidden, steps):
    """The gradient of every leaf (init, then Meta-SGD's rates or Alpha MAML's alpha) and the
    meta-loss, eager torch.func against MetaLearner.meta_grad (core.analytic), float64."""
    model, batch = MLP(hidden), _batch(8)
    hp = HParams(inner_lr=0.05, inner_steps=steps)
    learner, leaves = _learner_and_leaves(algorithm, model, _params(model), hp)
    ref = bench.FUNC_REFERENCES[get_algorithm(algorithm)]
    loss, grads = bench.reference_grad(ref, leaves, model, batch, hp)
    ref_loss, ref_grads = learner.meta_grad(batch, hp)
    assert len(grads) == len(ref_grads) == len(learner.leaves) + (algorithm == "alpha")
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)
    for i, (g, r) in enumerate(zip(grads, ref_grads)):
        assert g.shape == r.shape and _rel(g, r) < 1e-10, i


def test_anils_reference_is_not_maml():
    """ANIL's reference adapts the head alone: its body gradient is not MAML's."""
    model, batch = MLP(), _batch(9)
    params, hp = _params(model), HParams(inner_lr=0.05)
    _, anil = bench.reference_grad(bench.FUNC_REFERENCES[get_algorithm("anil")], params, model, batch, hp)
    _, maml = bench.reference_grad(bench.FUNC_REFERENCES[MAML], params, model, batch, hp)
    assert _rel(anil[0], maml[0]) > 1e-3 and _rel(anil[-1], maml[-1]) > 1e-6


@pytest.mark.parametrize("algorithm", ["maml", "metasgd", "anil", "alpha"])
def test_each_torch_func_reference_updates_as_the_projects_eager_step(algorithm, monkeypatch):
    """Three steps of the reference's update (Adam over the init and Meta-SGD's rates; Alpha
    MAML's hypergradient SGD on theta, beta and alpha) equal three eager MetaLearner steps."""
    monkeypatch.setattr(compiled, "COMPILER", compiled.Compiler())  # not enabled: the eager step
    model = MLP((8, 6))
    hp = HParams(inner_lr=0.05, outer_lr=1e-2, hyper_lr=1e-2, hyper_beta=0.5)
    learner, leaves = _learner_and_leaves(algorithm, model, _params(model), hp)
    leaves = tree_map(lambda v: v.clone().requires_grad_(True), leaves)
    ref = bench.FUNC_REFERENCES[get_algorithm(algorithm)]
    flat = tree_leaves(leaves)
    update = ref.update(flat, hp)
    for seed in range(3):
        batch = _batch(20 + seed)
        _, grads = bench.reference_grad(ref, leaves, model, batch, hp)
        update(grads)
        learner.step(batch, hp)
    ours = list(learner.params.values()) + (list(learner.lrs.values()) if learner.lrs else [])
    ours += [learner.alpha] if hasattr(learner, "alpha") else []
    assert len(ours) == len(flat)
    for i, (a, b) in enumerate(zip(flat, ours)):
        assert a.dtype == b.dtype == torch.float64 and _rel(a.detach(), b.detach()) < 1e-10, i
    assert _rel(flat[0].detach(), _params(model)["0.weight"].detach()) > 1e-4  # it moved


def test_every_row_but_alpha_updates_with_core_optim_adam():
    model = MLP()
    for alg in ALGORITHMS:
        learner = MetaLearner(alg, model, model.init(torch.Generator().manual_seed(0)))
        declared = get_algorithm(alg).optimiser_label
        assert (declared == "core.optim.Adam") == isinstance(learner.opt, Adam), alg


def test_a_baseline_step_moves_the_init_by_adams_first_step():
    """Adam's first step is lr * sign(gradient) per entry: the stepper uses core.optim.Adam."""
    model, family, hp = MLP((8,)), get_family("sinusoid"), HParams(outer_lr=1e-3, meta_batch=3)
    seen = {}

    def spy(model, params, batch, hp):
        seen["before"] = {k: v.detach().clone() for k, v in params.items()}
        seen["params"] = params
        seen["loss"], seen["grads"] = bench.loop_grad(model, params, batch, hp)
        return seen["loss"], seen["grads"]

    bench.baseline_stepper(spy, model, family, hp, torch.Generator().manual_seed(0), torch.device("cpu"))()
    for (k, v), g in zip(seen["params"].items(), seen["grads"]):
        moved = (seen["before"][k] - v.detach())[g.abs() > 1e-5]  # eps=1e-8 shortens steps of tinier ones
        assert moved.numel() > 0 and torch.allclose(moved, 1e-3 * g[g.abs() > 1e-5].sign(), rtol=1e-3), k


def test_ratios_are_to_the_baseline_of_the_same_order(capsys):
    rows = [{"name": label, "it_s": rate, "tasks_s": 0.0, "against": against, "optimiser": "x"}
            for (label, _, against), rate in zip(bench.BASELINES.values(), (10.0, 20.0, 40.0, 50.0))]
    rows.append({"name": "FOMAML", "it_s": 100.0, "tasks_s": 0.0, "against": "loop-fo", "optimiser": "x"})
    rows.append({"name": "Reptile", "it_s": 100.0, "tasks_s": 0.0, "against": "loop-reptile", "optimiser": "x"})
    bench._print_table(rows)
    assert [r["ratio"] for r in rows] == [1.0, 1.0, 1.0, 5.0, 5.0, 2.5]
    assert "plain loop, 1st order" in capsys.readouterr().out
    assert "x compile" not in capsys.readouterr().out and "x_compile" not in rows[0]


def test_every_row_is_also_set_against_the_torch_compile_row(capsys):
    rows = [{"name": label, "it_s": rate, "tasks_s": 0.0, "against": against, "optimiser": "x"}
            for (label, _, against), rate in zip(bench.BASELINES.values(), (10.0, 20.0, 40.0, 50.0))]
    rows.append({"name": bench.COMPILE_ROW, "it_s": 400.0, "tasks_s": 0.0, "against": "loop", "optimiser": "x"})
    rows.append({"name": "Meta-SGD", "it_s": 600.0, "tasks_s": 0.0, "against": "loop", "optimiser": "x"})
    bench._print_table(rows)
    assert [r["x_compile"] for r in rows[-2:]] == [1.0, 1.5] and rows[0]["x_compile"] == 10.0 / 400.0
    out = capsys.readouterr().out
    assert "x compile" in out and "Meta-SGD" in out and "1.50" in out
    assert "x own" not in out and all("x_own_compile" not in r for r in rows)  # no algorithm's own row


def test_each_algorithm_is_set_against_its_own_torch_compile_row(capsys):
    """x own: each row over the torch.compile row it names (its algorithm's), beside x compile
    (MAML's); a row without one (FOMAML here) shows '-'."""
    metasgd = bench.FUNC_REFERENCES[get_algorithm("metasgd")].label
    rows = [{"name": label, "it_s": rate, "tasks_s": 0.0, "against": against, "optimiser": "x"}
            for (label, _, against), rate in zip(bench.BASELINES.values(), (10.0, 20.0, 40.0, 50.0))]
    rows += [{"name": bench.COMPILE_ROW, "it_s": 400.0, "tasks_s": 0.0, "against": "loop", "optimiser": "x",
              "own_compile": bench.COMPILE_ROW},
             {"name": metasgd, "it_s": 200.0, "tasks_s": 0.0, "against": "loop", "optimiser": "x",
              "own_compile": metasgd},
             {"name": "MAML (ours)", "it_s": 800.0, "tasks_s": 0.0, "against": "loop", "optimiser": "x",
              "own_compile": bench.COMPILE_ROW},
             {"name": "Meta-SGD (ours)", "it_s": 500.0, "tasks_s": 0.0, "against": "loop", "optimiser": "x",
              "own_compile": metasgd},
             {"name": "FOMAML (ours)", "it_s": 900.0, "tasks_s": 0.0, "against": "loop-fo", "optimiser": "x",
              "own_compile": None}]
    bench._print_table(rows)
    assert [r.get("x_own_compile") for r in rows[-5:]] == [1.0, 1.0, 2.0, 2.5, None]
    assert [r["x_compile"] for r in rows[-5:]] == [1.0, 0.5, 2.0, 1.25, 2.25]
    out = capsys.readouterr().out
    assert "x own" in out and f"Meta-SGD: `{metasgd}`" in out
    line = next(row for row in out.splitlines() if "FOMAML (ours)" in row)
    assert "2.25" in line and "       -" in line


def test_compile_failure_skips_the_row_with_its_reason(monkeypatch, capsys):
    def broken(fn):
        raise RuntimeError("no C++ compiler here")

    monkeypatch.setattr(torch, "compile", broken)
    recorded = []
    model, family = MLP(), get_family("sinusoid")
    for cls in bench.FUNC_REFERENCES:
        info = bench._compiled_row(model, family, HParams(), torch.Generator().manual_seed(0), torch.device("cpu"),
                                   lambda *a, **k: recorded.append(a), cls)
        assert recorded == [] and info == {"skipped": "RuntimeError: no C++ compiler here"}
        out = capsys.readouterr().out
        assert "torch.compile row skipped: RuntimeError: no C++ compiler here" in out
        assert bench.FUNC_REFERENCES[cls].label in out


def test_a_compiled_row_is_recorded_against_its_own_algorithm(monkeypatch, capsys):
    """With a compile that works (here: none, the eager function), each algorithm's row is recorded
    with its own label, baseline and optimiser, and names itself as its own yardstick."""
    monkeypatch.setattr(torch, "compile", lambda fn: fn)
    model, family = MLP((6,)), get_family("sinusoid")
    for cls in bench.FUNC_REFERENCES:
        recorded = []

        def record(*args, recorded=recorded, **kwargs):
            recorded.append((args, kwargs))
        info = bench._compiled_row(model, family, HParams(meta_batch=3), torch.Generator().manual_seed(0),
                                   torch.device("cpu"), record, cls)
        assert info["rel_diff_to_eager"] == 0.0 and info["compile_s"] >= 0
        (label, against, step, optimiser), kwargs = recorded[0]
        assert label == bench.FUNC_REFERENCES[cls].label == kwargs["own"]
        assert (against, optimiser) == (cls.baseline, cls.optimiser_label)
        assert torch.isfinite(step()), cls.label


def test_scale_probe_reports_rate_and_memory_per_task():
    for kernel in bench.KERNELS:
        row = bench.scale_probe(kernel, 30, seconds=0.01)
        assert row["kernel"] == kernel and row["meta_batch"] == 30
        assert row["it_s"] > 0 and row["tasks_s"] == pytest.approx(30 * row["it_s"])
        assert row["kib_per_task"] >= 0


def test_scaling_prints_one_row_per_size_and_kernel(capsys):
    rows = bench.scaling(0.01, 1, sizes=(12,), kernels=tuple(bench.KERNELS))
    assert [(r["meta_batch"], r["kernel"]) for r in rows] == [(12, k) for k in bench.KERNELS]
    out = capsys.readouterr().out
    assert "tasks/s" in out and "KiB/task" in out and "RSS/task" in out
    assert all(r["rss_kib_per_task"] >= 0 for r in rows)


def test_scale_probe_of_the_compiled_step(monkeypatch):
    """The scaling table's compiled row goes through core.compiled.train_step (compile_fn =
    identity: core.fused run as the program would) and reports its compile apart."""
    c = compiled.Compiler(compile_fn=lambda fn, example: fn)
    monkeypatch.setattr(compiled, "COMPILER", c)
    row = bench.scale_probe(bench.COMPILED, 9, seconds=0.01)
    assert row["kernel"] == bench.COMPILED and row["compile_s"] is not None and row["it_s"] > 0
    assert c.calls >= 3 and len(c.ready) == 1 and "kib_per_task" not in row



def test_rows_are_timed_in_interleaved_rounds_in_their_order():
    """Every round visits every row in order (a load spike hits one round of each row)."""
    order = []
    pending = [({"name": n, "against": "loop", "optimiser": "x"}, lambda n=n: order.append(n)) for n in "ab"]
    rows = bench._time_rows(pending, torch.device("cpu"), seconds=0.003, meta_batch=4, rounds=2)
    assert [r["name"] for r in rows] == ["a", "b"]
    assert all(r["tasks_s"] == r["it_s"] * 4 and r["it_s"] > 0 for r in rows)
    changes = [i for i in range(1, len(order)) if order[i] != order[i - 1]]
    assert len(changes) == 3  # a, b, a, b


def test_wait_compiled_says_whether_the_step_went_through_the_compiled_path(monkeypatch):
    c = compiled.Compiler(compile_fn=lambda fn, example: fn)
    c.enabled = True
    monkeypatch.setattr(compiled, "COMPILER", c)
    model, family, gen = MLP(), get_family("sinusoid"), torch.Generator().manual_seed(0)
    hp = HParams(meta_batch=7)
    maml = MetaLearner("maml", model, model.init(gen), hp.inner_lr)
    reptile = MetaLearner("reptile", model, model.init(gen), hp.inner_lr)  # its own meta_grad: never compiled
    cpu = torch.device("cpu")
    assert bench._wait_compiled(make_stepper(maml, family, hp, gen, cpu)) is not None
    assert bench._wait_compiled(make_stepper(reptile, family, hp, gen, cpu)) is None


def test_fused_kernel_of_the_scaling_table_equals_analytic_float64():
    model = MLP()
    params = {k: v.double() for k, v in model.init(torch.Generator().manual_seed(3)).items()}
    b = sample_batch(get_family("sinusoid"), 25, 10, gen=torch.Generator().manual_seed(4))
    xs, ys, xq, yq = (t.double() for t in (b.xs, b.ys, b.xq, b.yq))
    loss, grads, _ = bench.fused_meta_grad(model, params, xs, ys, xq, yq, 0.01, 1)
    ref_loss, ref, _ = analytic.meta_grad(model, params, xs, ys, xq, yq, 0.01, 1)
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)
    for k in params:
        assert float((grads[k] - ref[k]).norm() / ref[k].norm()) < 1e-10, k
