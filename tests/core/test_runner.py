"""core/runner.py: checked chunks of meta-iterations, the rule the window and the CLI share."""
import math

import torch

from core.algorithms import HParams, MetaLearner
from core.models import make_model
from core.runner import StepRunner
from core.tasks import get_family

torch.set_num_threads(1)


def _runner(algorithm="maml", rival=None):
    family = get_family("linear")
    model = make_model("two-param", family)
    gen = torch.Generator().manual_seed(0)
    init = model.init(gen)
    learner = MetaLearner(algorithm, model, init)
    other = MetaLearner(rival, model, init) if rival else None
    return StepRunner(learner, family, gen, torch.device("cpu"), other), learner


def test_a_good_chunk_counts_every_step_and_moves_the_init():
    runner, learner = _runner()
    before = learner.state()[0]
    chunk = runner.run(HParams(inner_lr=0.01, outer_lr=0.01), 7)
    assert len(chunk.losses) == 7 and chunk.diverged_at is None and runner.iteration == 7
    assert all(math.isfinite(v) for v in chunk.losses)
    assert any(not torch.equal(before[k], v) for k, v in learner.state()[0].items())


def test_divergence_mid_chunk_rolls_back_to_the_chunk_start():
    runner, learner = _runner()
    runner.run(HParams(inner_lr=0.01, outer_lr=0.01), 5)
    start = learner.state()[0]
    chunk = runner.run(HParams(inner_lr=1e3, outer_lr=0.01, inner_steps=10), 5)  # overflows float32
    assert chunk.diverged_at is not None and chunk.rolled_back_to <= 5 and not chunk.losses
    assert runner.iteration == chunk.rolled_back_to
    if chunk.rolled_back_to == 5:  # the chunk's first loss was finite: its start is kept
        assert all(torch.equal(start[k], v) for k, v in learner.state()[0].items())
    assert all(torch.isfinite(v).all() for v in learner.state()[0].values())


def test_a_bad_first_loss_goes_back_to_the_previous_proven_point():
    runner, learner = _runner()
    runner.run(HParams(inner_lr=0.01, outer_lr=0.01), 3)  # its finite first loss proves iteration 0's parameters
    at_3 = learner.state()[0]
    runner.run(HParams(inner_lr=0.01, outer_lr=0.01), 3)  # proves iteration 3's
    with torch.no_grad():
        learner.params["a"].fill_(float("nan"))  # iteration 6's parameters are broken
    chunk = runner.run(HParams(inner_lr=0.01, outer_lr=0.01), 3)
    assert chunk.diverged_at == 7 and chunk.rolled_back_to == 3 and runner.iteration == 3
    assert all(torch.isfinite(v).all() for v in learner.state()[0].values())
    assert all(torch.equal(at_3[k], v) for k, v in learner.state()[0].items())


def test_a_proven_point_that_diverges_at_once_is_called_stuck():
    """Rolling back goes one proven point at a time; when the last one itself diverges at its first
    step with these settings, going further back cannot help and the chunk says so."""
    runner, learner = _runner()
    gentle, wild = HParams(inner_lr=0.01, outer_lr=0.01), HParams(inner_lr=1e3, outer_lr=0.01, inner_steps=10)
    at_0 = learner.state()[0]
    runner.run(gentle, 3)  # proves iteration 0's parameters
    first = runner.run(wild, 3)  # iteration 3's first loss is already bad: back to iteration 0
    assert first.diverged_at == 4 and first.rolled_back_to == 0 and not first.stuck
    again = runner.run(wild, 3)  # iteration 0 is the last proven point, and it diverges at once too
    assert again.diverged_at == 1 and again.rolled_back_to == 0 and again.stuck
    assert all(torch.equal(at_0[k], v) for k, v in learner.state()[0].items())
    ok = runner.run(gentle, 3)  # smaller rates train on from there
    assert len(ok.losses) == 3 and not ok.stuck and runner.iteration == 3


def test_a_rival_steps_on_the_same_tasks_and_its_losses_are_reported():
    runner, _ = _runner("maml", rival="fomaml")
    chunk = runner.run(HParams(inner_lr=0.01, outer_lr=0.01), 4)
    assert len(chunk.rival_losses) == 4 and chunk.rival_losses != chunk.losses
