"""core/fast.py's recipe and `main.py train --fast` (no timing is asserted)."""
import pytest
import torch

from core import compiled, engine
from core.algorithms import HParams, MetaLearner
from core.cli import main
from core.fast import FAST, compile_first
from core.models import MLP
from core.tasks import get_family, sample_batch


def test_fast_recipe_changes_only_meta_batch_and_outer_lr():
    hp = HParams()
    fast = FAST.apply(hp)
    assert (fast.meta_batch, fast.outer_lr) == (FAST.meta_batch, FAST.outer_lr) != (hp.meta_batch, hp.outer_lr)
    assert (fast.inner_lr, fast.inner_steps, fast.shots) == (hp.inner_lr, hp.inner_steps, hp.shots)
    assert (hp.meta_batch, hp.outer_lr) == (HParams().meta_batch, HParams().outer_lr)  # not changed in place
    assert fast.meta_batch >= engine.MIN_TASKS  # the recipe's meta-batch goes through core.engine


@pytest.fixture
def compiler(monkeypatch):
    """A fresh Compiler in place of the process's (compile_fn = identity: no real compile)."""
    c = compiled.Compiler(compile_fn=lambda fn, example: fn)
    monkeypatch.setattr(compiled, "COMPILER", c)
    return c


def test_train_fast_compiles_the_step_first_and_says_so(compiler, capsys):
    code = main(["train", "--fast", "--iterations", "3", "--device", "cpu"])
    out = capsys.readouterr().out
    assert code == 0 and "compiled the step for meta-batch 100 in" in out and "trained 3 meta-iterations" in out
    assert compiler.enabled and len(compiler.ready) == 1 and compiler.calls == 3  # every step compiled


def test_compile_first_leaves_other_algorithms_eager(compiler):
    hp = HParams(meta_batch=5)
    for algorithm in ("reptile", "imaml"):
        learner = MetaLearner(algorithm, MLP(), MLP().init(torch.Generator().manual_seed(0)), 0.01)
        assert compile_first(learner, hp, "cpu") is None, algorithm
    assert not compiler.threads and not compiler.enabled
    maml = MetaLearner("fomaml", MLP(), MLP().init(torch.Generator().manual_seed(0)), 0.01)
    assert compile_first(maml, hp, "cpu") is not None and len(compiler.ready) == 1


def test_compile_first_compiles_each_algorithms_own_whole_step(compiler):
    """Meta-SGD, ANIL and Alpha MAML compile their own whole step (its own key), and their first
    step then goes through it."""
    hp = HParams(meta_batch=5)
    for n, algorithm in enumerate(("metasgd", "anil", "alpha"), start=1):
        learner = MetaLearner(algorithm, MLP(), MLP().init(torch.Generator().manual_seed(0)), 0.01)
        assert compile_first(learner, hp, "cpu") is not None, algorithm
        assert len(compiler.ready) == n and not compiler.failures
        calls = compiler.calls
        learner.step(sample_batch(get_family("sinusoid"), 5, 10, gen=torch.Generator().manual_seed(n)), hp)
        assert compiler.calls == calls + 1, algorithm


def test_train_fast_saves_the_recipes_settings(tmp_path, capsys, compiler):
    ckpt = tmp_path / "f.pt"
    code = main(["train", "--fast", "--iterations", "3", "--device", "cpu", "--save", str(ckpt), "--quiet"])
    assert code == 0 and "trained 3 meta-iterations" in capsys.readouterr().out
    config = torch.load(ckpt, weights_only=True)["config"]
    assert (config["meta_batch"], config["outer_lr"]) == (FAST.meta_batch, FAST.outer_lr)
