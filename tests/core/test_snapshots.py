"""The snapshot's held-out evaluation says how many tasks diverged, per method and step, as
core.evaluate counts them (and the cached baseline's count comes back with its curve)."""
import numpy as np
import torch

from core.evaluate import DIVERGED, heldout_tasks, mse_by_step
from core.models import make_model
from core.snapshots import EVAL_STEPS, EVAL_TASKS, Init, SnapshotParts
from core.tasks import get_family


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
