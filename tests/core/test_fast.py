"""core/fast.py's recipe and `main.py train --fast` (no timing is asserted)."""
import torch

from core import engine
from core.algorithms import HParams
from core.cli import main
from core.fast import FAST


def test_fast_recipe_changes_only_meta_batch_and_outer_lr():
    hp = HParams()
    fast = FAST.apply(hp)
    assert (fast.meta_batch, fast.outer_lr) == (FAST.meta_batch, FAST.outer_lr) != (hp.meta_batch, hp.outer_lr)
    assert (fast.inner_lr, fast.inner_steps, fast.shots) == (hp.inner_lr, hp.inner_steps, hp.shots)
    assert (hp.meta_batch, hp.outer_lr) == (HParams().meta_batch, HParams().outer_lr)  # not changed in place
    assert fast.meta_batch >= engine.MIN_TASKS  # the recipe's meta-batch goes through core.engine


def test_train_fast_saves_the_recipes_settings(tmp_path, capsys):
    ckpt = tmp_path / "f.pt"
    code = main(["train", "--fast", "--iterations", "3", "--device", "cpu", "--save", str(ckpt), "--quiet"])
    assert code == 0 and "trained 3 meta-iterations" in capsys.readouterr().out
    config = torch.load(ckpt, weights_only=True)["config"]
    assert (config["meta_batch"], config["outer_lr"]) == (FAST.meta_batch, FAST.outer_lr)
