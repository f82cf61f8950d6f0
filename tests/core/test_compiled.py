"""core.compiled: off until enabled, compiles in the background, falls back silently, and the
inductor-compiled step equals the reference in float64 (1e-10)."""
import shutil

import pytest
import torch

from core import analytic, compiled
from core.algorithms import HParams, MetaLearner
from core.models import MLP
from core.reference import loop_meta_grad
from core.tasks import TaskBatch, get_family, sample_batch


def _batch(seed=0, n=25, k=10):
    b = sample_batch(get_family("sinusoid"), n, k, gen=torch.Generator().manual_seed(seed))
    return TaskBatch(*(t.double() for t in (b.xs, b.ys, b.xq, b.yq, b.a, b.b)))


def _params(model, seed=1):
    return {k: v.double() for k, v in model.init(torch.Generator().manual_seed(seed)).items()}


def _rel(a, b):
    return float((a - b).norm() / b.norm().clamp_min(1e-300))


@pytest.fixture
def compiler(monkeypatch):
    """A fresh, enabled Compiler in place of the process's; `.compile_fn` set by the test."""
    c = compiled.Compiler()
    c.enabled = True
    monkeypatch.setattr(compiled, "COMPILER", c)
    return c


def _learner(algorithm="maml"):
    model = MLP()
    return MetaLearner(algorithm, model, _params(model), 0.01)


def test_off_by_default_starts_nothing():
    c = compiled.Compiler()
    model, batch = MLP(), _batch()
    key = c.key(model, batch.xs, batch.xq, 0.01, 1, False)
    assert c.get(model, key) is None
    assert not c.threads


def test_learner_trains_eagerly_then_on_the_compiled_step(compiler):
    """The first step starts the compile and runs eagerly; once ready, steps go through it, with
    the same gradient (compile_fn = identity: core.fused run as the compiled program would)."""
    compiler.compile_fn = lambda fn, example: fn
    learner, batch, hp = _learner(), _batch(), HParams()
    eager_loss, eager = learner.meta_grad(batch, hp)
    assert compiler.calls == 0 and len(compiler.threads) == 1
    assert compiler.wait(60)
    loss, grads = learner.meta_grad(batch, hp)
    assert compiler.calls == 1
    assert float(loss) == pytest.approx(float(eager_loss), rel=1e-12)
    for g, e in zip(grads, eager):
        assert _rel(g, e) < 1e-10


def _eager_twin(learner):
    """A learner with the same init and optimiser state that never takes a compiled path."""
    twin = _learner(learner.algorithm)
    twin.load(*learner.state())
    return twin


def _same_state(a, b, tol=1e-10):
    """The init, the extras (Meta-SGD's rates, Alpha MAML's alpha and beta), Adam's moments and
    step count or Alpha MAML's previous gradient, learner a against learner b."""
    for k in a.params:
        assert _rel(a.params[k].detach(), b.params[k].detach()) < tol, k
    extras, twin_extras = a.extras() or {}, b.extras() or {}
    assert extras.keys() == twin_extras.keys()
    for k in extras:
        assert _rel(extras[k], twin_extras[k]) < tol, k
    if hasattr(a.opt, "exp_avg"):
        for m, n in zip(a.opt.exp_avg + a.opt.exp_avg_sq, b.opt.exp_avg + b.opt.exp_avg_sq):
            assert _rel(m, n) < tol
        assert float(a.opt.steps[0]) == float(b.opt.steps[0])
    if hasattr(a.algo, "_prev_grad"):
        assert _rel(a.algo._prev_grad, b.algo._prev_grad) < tol
        assert float(a.algo._has_prev) == float(b.algo._has_prev) == 1.0


ALL_WHOLE = ["maml", "fomaml", "metasgd", "anil", "alpha"]


def _eager_step(compiler, monkeypatch, learner, batch, hp):
    with monkeypatch.context() as m:
        m.setattr(compiler, "enabled", False)
        m.setattr(compiler, "ready", {})
        return learner.step(batch, hp)


@pytest.mark.parametrize("algorithm", ALL_WHOLE)
def test_whole_train_step_equals_the_eager_step(compiler, monkeypatch, algorithm):
    """learner.step through the algorithm's compiled whole step (meta-gradient and the update of
    the init and the extras in one call, run as the compiled program would: compile_fn =
    identity) against the eager step (the autograd-checked meta-gradient, then core.optim or
    Alpha MAML's eager hypergradient update): float64, 1e-10, the init, the extras, the
    optimiser's state, over three steps; the compiled meta_grad of the same shape is never
    asked for (one compile per shape)."""
    compiler.compile_fn = lambda fn, example: fn
    learner, hp = _learner(algorithm), HParams(outer_lr=0.01, hyper_lr=1e-3, hyper_beta=0.05)
    twin = _eager_twin(learner)
    learner.step(_batch(0), hp)  # starts the train step's compile, steps eagerly meanwhile
    assert compiler.wait(60) and compiler.calls == 0 and len(compiler.ready) == 1
    assert not compiler.failures, compiler.failures
    _eager_step(compiler, monkeypatch, twin, _batch(0), hp)
    for seed in (1, 2, 3):
        loss = learner.step(_batch(seed), hp)
        twin_loss = _eager_step(compiler, monkeypatch, twin, _batch(seed), hp)
        assert float(loss) == pytest.approx(float(twin_loss), rel=1e-12)
    assert compiler.calls == 3
    _same_state(learner, twin)
    if algorithm == "alpha":  # the hypergradients moved alpha and beta (else the check above is vacuous)
        assert float(learner.alpha) != pytest.approx(0.01) and float(learner.beta) != pytest.approx(0.01)


def test_alpha_new_outer_rate_restarts_beta_on_the_compiled_step(compiler, monkeypatch):
    """A new beta from the user forgets the previous gradient on the compiled path as eagerly:
    its first step leaves beta as set."""
    compiler.compile_fn = lambda fn, example: fn
    learner, hp = _learner("alpha"), HParams(outer_lr=0.01)
    twin = _eager_twin(learner)
    learner.step(_batch(0), hp)
    assert compiler.wait(60)
    _eager_step(compiler, monkeypatch, twin, _batch(0), hp)
    hp2 = HParams(outer_lr=0.02)
    loss = learner.step(_batch(1), hp2)
    twin_loss = _eager_step(compiler, monkeypatch, twin, _batch(1), hp2)
    assert compiler.calls == 1 and float(loss) == pytest.approx(float(twin_loss), rel=1e-12)
    assert float(learner.beta) == float(twin.beta) == float(torch.tensor(0.02))


def test_every_hand_derived_algorithm_has_a_whole_step(compiler):
    """MAML, FOMAML, Meta-SGD, ANIL and Alpha MAML on the MLP; each step's description is its own
    (a distinct compile key) but FOMAML's (MAML's program, first order in the key); the
    algorithms with their own meta-gradients have none."""
    specs = {}
    for algorithm in ALL_WHOLE:
        learner = _learner(algorithm)
        assert learner.algo.whole_step(learner), algorithm
        specs[algorithm] = learner.algo.step_spec(learner)
    assert specs["maml"] == specs["fomaml"]
    assert len({specs[a] for a in ("maml", "metasgd", "anil", "alpha")}) == 4
    for algorithm in ("reptile", "imaml", "cavia"):
        learner = _learner(algorithm)
        assert not learner.algo.whole_step(learner) and learner.algo.step_spec(learner) is None, algorithm


def test_failed_compile_falls_back_silently(compiler):
    def no_compiler(fn, example):
        raise RuntimeError("no C++ compiler here")
    compiler.compile_fn = no_compiler
    learner, batch, hp = _learner(), _batch(), HParams()
    learner.meta_grad(batch, hp)
    assert compiler.wait(60)
    loss, grads = learner.meta_grad(batch, hp)  # eager, no second attempt
    assert compiler.calls == 0 and len(compiler.threads) == 1
    assert "no C++ compiler here" in next(iter(compiler.failures.values()))
    ref_loss, ref, _ = analytic.meta_grad(learner.model, {k: v.detach() for k, v in learner.params.items()},
                                          batch.xs, batch.ys, batch.xq, batch.yq, 0.01, 1)
    assert float(loss) == float(ref_loss)
    for g, k in zip(grads, learner.params):
        assert torch.equal(g, ref[k])


@pytest.mark.parametrize("algorithm", ["metasgd", "anil", "alpha"])
def test_failed_whole_step_compile_falls_back_silently(compiler, monkeypatch, algorithm):
    """No compiler for the whole step: nothing raised, the failure recorded once, and every step
    eager, equal to a learner that never tried (float64, 1e-10)."""
    def no_compiler(fn, example):
        raise RuntimeError("no C++ compiler here")
    compiler.compile_fn = no_compiler
    learner, hp = _learner(algorithm), HParams(outer_lr=0.01, hyper_lr=1e-3)
    twin = _eager_twin(learner)
    for seed in range(3):
        loss = learner.step(_batch(seed), hp)
        assert compiler.wait(60)
        twin_loss = _eager_step(compiler, monkeypatch, twin, _batch(seed), hp)
        assert float(loss) == pytest.approx(float(twin_loss), rel=1e-12)
    assert compiler.calls == 0 and len(compiler.threads) == 1 and not compiler.ready
    assert "no C++ compiler here" in next(iter(compiler.failures.values()))
    _same_state(learner, twin)


def test_shapes_are_capped(compiler):
    compiler.compile_fn = lambda fn, example: fn
    model = MLP()
    for n in range(1, compiled.MAX_SHAPES + 2):
        b = _batch(n=n)
        compiler.get(model, compiler.key(model, b.xs, b.xq, 0.01, 1, False))
    assert len(compiler.threads) == compiled.MAX_SHAPES
    compiler.wait(60)
    assert len(compiler.ready) == compiled.MAX_SHAPES


@pytest.mark.parametrize("algorithm", ["metasgd", "anil", "alpha"])
def test_per_entry_rates_go_through_the_compiled_step_too(compiler, algorithm):
    """Meta-SGD, ANIL, Alpha MAML: the init's and the extras' gradients as core.analytic gives them."""
    compiler.compile_fn = lambda fn, example: fn
    learner, batch, hp = _learner(algorithm), _batch(), HParams()
    eager_loss, eager = learner.meta_grad(batch, hp)
    assert compiler.wait(60) and compiler.calls == 0
    loss, grads = learner.meta_grad(batch, hp)
    assert compiler.calls == 1
    assert float(loss) == pytest.approx(float(eager_loss), rel=1e-12)
    assert len(grads) == len(eager)
    for g, e in zip(grads, eager):
        assert _rel(g, e) < 1e-10


def test_a_tensor_rate_stays_eager(compiler):
    batch = _batch()
    assert compiler.key(MLP(), batch.xs, batch.xq, torch.tensor(0.01), 1, False) is None


@pytest.mark.skipif(shutil.which("g++") is None and shutil.which("clang++") is None,
                    reason="inductor needs a C++ compiler on the CPU")
def test_inductor_step_equals_reference_float64(compiler):
    """The real compile (tens of seconds, less with inductor's warm cache): 1e-10 in float64."""
    model, batch, first_order = MLP(), _batch(4, n=6), False
    params = _params(model, 5)
    assert compiled.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, 0.05, 2, first_order) is None
    assert compiler.wait(600)
    assert not compiler.failures, compiler.failures
    loss, grads, rate_grads = compiled.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, 0.05, 2,
                                                 first_order)
    assert rate_grads is None and compiler.calls == 1
    ref = loop_meta_grad(model, params, batch, 0.05, 2, first_order=first_order)
    for k in params:
        assert grads[k].dtype == torch.float64
        assert _rel(grads[k], ref[k]) < 1e-10, k
    ref_loss, _, _ = analytic.meta_grad(model, params, batch.xs, batch.ys, batch.xq, batch.yq, 0.05, 2,
                                        first_order=first_order)
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)


@pytest.mark.skipif(shutil.which("g++") is None and shutil.which("clang++") is None,
                    reason="inductor needs a C++ compiler on the CPU")
def test_inductor_step_with_per_entry_rates_equals_analytic_float64(compiler):
    """Meta-SGD's rates through the real compile: the init's and the rates' gradients, 1e-10."""
    model, batch = MLP((9, 8)), _batch(6, n=5)
    params = _params(model, 7)
    g = torch.Generator().manual_seed(8)
    rates = {k: torch.rand(v.shape, generator=g, dtype=torch.float64) * 0.1 for k, v in params.items()}
    args = (model, params, batch.xs, batch.ys, batch.xq, batch.yq, rates, 2)
    assert compiled.meta_grad(*args) is None
    assert compiler.wait(600)
    assert not compiler.failures, compiler.failures
    loss, grads, rate_grads = compiled.meta_grad(*args)
    ref_loss, ref, ref_rates = analytic.meta_grad(*args)
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)
    for k in params:
        assert _rel(grads[k], ref[k]) < 1e-10, k
        assert _rel(rate_grads[k], ref_rates[k]) < 1e-10, k


def test_prepare_compiles_and_waits(compiler):
    compiler.compile_fn = lambda fn, example: fn
    seconds = compiled.prepare(MLP(), 30, 10, 1, dtype=torch.float64)
    assert seconds is not None and len(compiler.ready) == 1
    batch = _batch(n=30)
    assert compiled.meta_grad(MLP(), _params(MLP()), batch.xs, batch.ys, batch.xq, batch.yq, 0.01, 1) is not None
    compiler.enabled = False
    assert compiled.prepare(MLP(), 31, 10, 1) is None


@pytest.mark.skipif(shutil.which("g++") is None and shutil.which("clang++") is None,
                    reason="inductor needs a C++ compiler on the CPU")
@pytest.mark.parametrize("algorithm", ["maml", "metasgd", "anil", "alpha"])
def test_inductor_train_step_equals_eager_float64(compiler, monkeypatch, algorithm):
    """The real compile of each whole step (in-place updates inside the program): 1e-10 in float64."""
    learner, hp = _learner(algorithm), HParams(outer_lr=0.01, meta_batch=6, hyper_lr=1e-3, hyper_beta=0.05)
    twin = _eager_twin(learner)
    _eager_step(compiler, monkeypatch, learner, _batch(0, n=6), hp)  # Alpha MAML: a previous gradient
    _eager_step(compiler, monkeypatch, twin, _batch(0, n=6), hp)
    spec = learner.algo.step_spec(learner)
    assert compiled.prepare(learner.model, 6, 10, 1, dtype=torch.float64, whole=spec) is not None
    assert not compiler.failures, compiler.failures
    for seed in (1, 2, 3):
        loss = learner.step(_batch(seed, n=6), hp)
        twin_loss = _eager_step(compiler, monkeypatch, twin, _batch(seed, n=6), hp)
        assert float(loss) == pytest.approx(float(twin_loss), rel=1e-12)
    assert compiler.calls == 3
    _same_state(learner, twin)


def test_enable_keeps_freed_memory_where_glibc_is_the_allocator(monkeypatch):
    """enable() raises glibc's mmap and trim thresholds (mallopt) once compiling is on; without
    glibc (no libc.so.6, or no mallopt) nothing happens and nothing is raised."""
    calls = []

    class Libc:
        def mallopt(self, param, value):
            calls.append((param, value))
            return 1

    assert compiled.keep_freed_memory(lambda: Libc())
    assert calls == [(compiled.M_MMAP_THRESHOLD, compiled.MMAP_THRESHOLD_MAX),
                     (compiled.M_TRIM_THRESHOLD, compiled.TRIM_THRESHOLD)]

    def missing():
        raise OSError("libc.so.6: cannot open shared object file")
    assert compiled.keep_freed_memory(missing) is False
    assert compiled.keep_freed_memory(lambda: object()) is False
    seen = []
    monkeypatch.setattr(compiled, "COMPILER", compiled.Compiler())
    monkeypatch.setattr(compiled, "keep_freed_memory", lambda: seen.append(True))
    compiled.enable(False)
    assert seen == []
    compiled.enable()
    assert seen == [True] and compiled.COMPILER.enabled
