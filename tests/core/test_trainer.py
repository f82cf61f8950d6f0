"""core/trainer.py: the live loop in a plain thread, driven through SharedControls and read
through the Mailbox, as the GUI does. Waits poll with generous timeouts and never assert on
speed: the machine is small and shared."""
import re
import threading
import time

import numpy as np
import pytest
import torch

from core import checkpoint as ckpt
from core.controls import Controls, SharedControls
from core.display import new_display_task
from core.models import TwoParam
from core.tasks import get_family
from core.trainer import Trainer
from tests.conftest import reading_mailbox

TIMEOUT = 20.0


class Running:
    def __init__(self, controls: Controls, before=None):
        self.shared = SharedControls(controls)
        if before is not None:  # writes the trainer finds queued at its first read
            before(self.shared)
        self.mailbox = reading_mailbox()
        self.trainer = Trainer(self.shared, self.mailbox)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.trainer.run, args=(self.stop,), daemon=True)
        self.thread.start()

    def wait_for(self, what, pred, timeout=TIMEOUT):
        """The first snapshot satisfying pred, polling the mailbox."""
        deadline = time.monotonic() + timeout
        snap = None
        while time.monotonic() < deadline:
            snap = self.mailbox.latest()
            if snap is not None and pred(snap):
                return snap
            time.sleep(0.01)
        last = None if snap is None else (snap.iteration, snap.state, snap.algorithm, snap.message)
        pytest.fail(f"timed out waiting for {what}; "
                    f"last snapshot (iteration, state, algorithm, message) = {last}")

    def settle(self, quiet=0.3, timeout=TIMEOUT) -> int:
        """Wait until the iteration count stops changing (for `quiet` seconds); return it."""
        deadline = time.monotonic() + timeout
        last, since = self.trainer.iteration, time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.02)
            now = self.trainer.iteration
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return now
        pytest.fail(f"iterations never stopped (at {last})")


@pytest.fixture
def start():
    torch.set_num_threads(1)
    runs = []

    def _start(before=None, **controls):
        run = Running(Controls(**controls), before)
        runs.append(run)
        return run

    yield _start
    for run in runs:
        run.stop.set()
    for run in runs:
        run.thread.join(10)


def test_first_snapshot_is_paused_at_zero(start):
    run = start()
    snap = run.wait_for("a first snapshot", lambda s: True)
    assert snap.iteration == 0 and snap.state == "paused"
    assert snap.algorithm == "maml" and snap.family == "sinusoid" and snap.model == "mlp"
    assert set(snap.curves) >= {"meta", "random"}
    steps = Controls().display_steps
    assert snap.curves["meta"].shape == (steps + 1, len(snap.grid_x))
    # the first snapshot is the window's first frame: it goes without the held-out evaluation,
    # which the next one brings although nothing plays
    assert snap.evaluation is None
    snap = run.wait_for("the held-out evaluation, paused", lambda s: s.evaluation is not None, timeout=5)
    assert len(snap.evaluation.steps) == 11 and snap.iteration == 0 and snap.state == "paused"
    # owed since the first snapshot (~0.15 s), not carried by the pretrained baseline's (~1 s) later
    assert "pretrained" not in snap.evaluation.mean
    assert run.settle(quiet=0.5) == 0  # nothing trains until asked


def test_playing_advances_and_pausing_stops(start):
    run = start()
    run.wait_for("a first snapshot", lambda s: True)
    run.shared.update(playing=True)
    snap = run.wait_for("iterations while playing", lambda s: s.iteration >= 5)
    assert snap.state == "training"
    assert np.all(np.diff(snap.loss_iters) > 0) and len(snap.loss_raw) == len(snap.loss_iters)
    run.shared.update(playing=False)
    stopped = run.settle()
    time.sleep(1.0)
    assert run.trainer.iteration == stopped
    run.wait_for("the final iteration published", lambda s: s.iteration == stopped)


def test_pause_is_reported_in_the_snapshot(start):
    """After Pause the published state must say so (the window shows it)."""
    run = start()
    run.shared.update(playing=True)
    run.wait_for("iterations while playing", lambda s: s.iteration >= 3)
    run.shared.update(playing=False)
    run.settle()
    # the loop has stopped stepping; a publish is due at once, so a short wait is plenty
    run.wait_for("state 'paused' after Pause", lambda s: s.state == "paused", timeout=5)


def test_pretrained_baseline_appears_while_paused(start):
    """The pretrained baseline is fitted in the background; once done it must reach the panels
    even if the user never presses Play."""
    run = start()
    run.wait_for("a first snapshot", lambda s: True)
    deadline = time.monotonic() + TIMEOUT
    while run.trainer._pretrain_left > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.trainer._pretrain_left == 0 and run.trainer.pretrained is not None, "pretraining never ended"
    # it is fitted; a publish is due at once, so a short wait is plenty
    run.wait_for("the pretrained curve",
                 lambda s: "pretrained" in s.curves and "pretrained" in s.evaluation.mean, timeout=5)


def test_step_advances_exactly_one(start):
    run = start()
    run.wait_for("a first snapshot", lambda s: True)
    assert run.settle() == 0
    run.shared.post("step")
    run.wait_for("iteration 1", lambda s: s.iteration == 1)
    time.sleep(0.5)
    assert run.trainer.iteration == 1
    for _ in range(3):
        run.shared.post("step")
    run.wait_for("iteration 4", lambda s: s.iteration == 4)
    time.sleep(0.5)
    assert run.trainer.iteration == 4 and run.mailbox.latest().iteration == 4


def test_inner_lr_change_is_live_without_reset(start):
    run = start(inner_lr=0.01)
    run.wait_for("a first snapshot", lambda s: True)
    for _ in range(2):
        run.shared.post("step")
    snap = run.wait_for("iteration 2", lambda s: s.iteration == 2)
    assert snap.hparams.inner_lr == 0.01
    first_id = snap.message_id
    run.shared.update(inner_lr=0.02, inner_steps=2, shots=5, meta_batch=7)
    run.shared.post("step")
    snap = run.wait_for("iteration 3", lambda s: s.iteration == 3)
    assert snap.hparams.inner_lr == 0.02
    assert (snap.hparams.inner_steps, snap.hparams.shots, snap.hparams.meta_batch) == (2, 5, 7)
    assert snap.message_id == first_id  # no "Reset" notice
    assert snap.loss_iters.tolist() == [1.0, 2.0, 3.0]  # the history was kept
    # and while playing
    run.shared.update(playing=True)
    run.wait_for("iterations while playing", lambda s: s.iteration >= 5)
    run.shared.update(inner_lr=0.03)
    snap = run.wait_for("inner_lr 0.03", lambda s: s.hparams.inner_lr == 0.03)
    assert snap.iteration >= 5 and snap.algorithm == "maml"


def test_changing_algorithm_resets(start):
    run = start()
    for _ in range(3):
        run.shared.post("step")
    before = run.wait_for("iteration 3", lambda s: s.iteration == 3)
    run.shared.update(algorithm="reptile")
    snap = run.wait_for("the reptile learner", lambda s: s.algorithm == "reptile")
    assert snap.iteration == 0
    assert snap.message_id > before.message_id and "Reset" in snap.message
    assert len(snap.loss_raw) == 0
    run.shared.post("step")
    assert run.wait_for("a reptile step", lambda s: s.iteration == 1).algorithm == "reptile"


def test_divergence_pauses_and_rolls_back(start):
    run = start(model="two-param", family="linear", inner_lr=0.01)
    run.shared.update(playing=True)
    run.wait_for("iterations while playing", lambda s: s.iteration >= 3)
    # ten steps of size 1000 on x in [-5, 5] overflow float32: the meta-loss is not finite
    run.shared.update(inner_lr=1e3, inner_steps=10)
    snap = run.wait_for("state 'diverged'", lambda s: s.state == "diverged")
    assert run.shared.get().playing is False
    # iterations run in chunks of a few ms: the rollback point is the last chunk start a finite loss proved
    m = re.search(r"Diverged at iteration (\d+) .*rolled back to iteration (\d+)", snap.message)
    assert m, snap.message
    at, back = int(m.group(1)), int(m.group(2))
    assert back == snap.iteration and back < at and snap.iteration >= 3
    # the same notice as words the window can translate: the template and its values
    assert snap.message_template.startswith("Diverged at iteration {iteration}")
    assert snap.message_template.format(**snap.message_values) == snap.message
    assert snap.message_values["iteration"] == at and snap.message_values["rolled_back"] == back
    params, _ = run.trainer.learner.state()
    assert all(torch.isfinite(v).all() for v in params.values())
    assert set(snap.meta_params) == {"a", "b"}
    assert all(np.isfinite(v).all() for v in snap.meta_params.values())
    assert np.isfinite(snap.curves["meta"][0]).all()  # the init itself (fine-tuning at lr 1e3 may blow up)
    stopped = run.settle()
    time.sleep(0.5)
    assert run.trainer.iteration == stopped == snap.iteration


def test_a_proven_point_that_diverges_at_once_says_reset_or_smaller_rates(start):
    """Play again with the same wild rates: each divergence goes back one proven point, until the
    last one diverges at its first step too; then the notice stops promising that a rollback helps."""
    run = start(model="two-param", family="linear", inner_lr=0.01)
    run.shared.update(playing=True)
    run.wait_for("iterations while playing", lambda s: s.iteration >= 3)
    run.shared.update(inner_lr=1e3, inner_steps=10)
    snap = run.wait_for("state 'diverged'", lambda s: s.state == "diverged")
    for _ in range(3):  # the first rollback may land on the chunk's own start, proven by its first loss
        if snap.message_template.startswith("Diverged at once"):
            break
        run.shared.update(playing=True)
        snap = run.wait_for("the next divergence", lambda s, m=snap.message_id: s.state == "diverged"
                            and s.message_id > m)
    assert snap.message_template.startswith("Diverged at once from iteration {rolled_back}"), snap.message
    assert snap.message_values["rolled_back"] == snap.iteration and "Reset" in snap.message
    assert run.shared.get().playing is False
    run.shared.update(inner_lr=0.01, inner_steps=1, playing=True)  # smaller rates train on from there
    after = run.wait_for("steps at the smaller rates", lambda s: s.iteration > snap.iteration + 2)
    assert after.state == "training"


def test_training_resumes_after_divergence_with_a_small_lr(start):
    """A huge outer step leaves finite but useless (~1e30) weights; the next step diverges.
    The rollback must land on weights from which a sane learning rate trains again."""
    run = start(outer_lr=1e-3)
    run.shared.post("step")
    run.wait_for("iteration 1", lambda s: s.iteration == 1)
    run.shared.update(outer_lr=1e30)
    run.shared.post("step")  # finite loss, then an Adam step of ~1e30 per weight
    run.wait_for("iteration 2", lambda s: s.iteration == 2)
    run.shared.post("step")  # the loss at those weights overflows
    diverged = run.wait_for("state 'diverged'", lambda s: s.state == "diverged")
    run.shared.update(outer_lr=1e-3)
    run.shared.post("step")
    snap = run.wait_for("a step after divergence", lambda s: s.message_id > diverged.message_id
                        or s.iteration > diverged.iteration)
    assert snap.state != "diverged", snap.message
    assert snap.iteration == diverged.iteration + 1
    assert np.isfinite(snap.curves["meta"][0]).all()


def test_save_and_load_commands(start, tmp_path):
    run = start()
    for _ in range(2):
        run.shared.post("step")
    run.wait_for("iteration 2", lambda s: s.iteration == 2)
    path = tmp_path / "live.pt"
    run.shared.post("save", str(path))
    run.wait_for("the save notice", lambda s: "Saved checkpoint" in s.message)
    saved = ckpt.load(path)
    assert saved.config["iterations"] == 2 and saved.config["algorithm"] == "maml"

    other = tmp_path / "two.pt"
    model = TwoParam(get_family("sine-ab"))
    cfg = ckpt.config_from_controls(Controls(algorithm="metasgd", family="sine-ab", model="two-param"), 77)
    ckpt.save(other, model, {"a": torch.tensor(1.25), "b": torch.tensor(0.5)}, cfg,
              {"a": torch.tensor(0.02), "b": torch.tensor(0.03)})
    run.shared.post("load", ckpt.load(other))
    snap = run.wait_for("the loaded checkpoint", lambda s: s.algorithm == "metasgd")
    assert snap.iteration == 77 and snap.family == "sine-ab" and snap.model == "two-param"
    assert snap.meta_params["a"] == pytest.approx(1.25) and snap.meta_params["b"] == pytest.approx(0.5)
    assert snap.inner_lrs["min"] == pytest.approx(0.02) and snap.inner_lrs["max"] == pytest.approx(0.03)
    time.sleep(0.3)
    assert run.trainer.iteration == 77  # loading did not reset, nor start training


def _two_scalar_checkpoint(path):
    cfg = ckpt.config_from_controls(Controls(algorithm="maml", family="sine-ab", model="two-param"), 40)
    ckpt.save(path, TwoParam(get_family("sine-ab")), {"a": torch.tensor(1.25), "b": torch.tensor(0.5)}, cfg)
    return ckpt.load(path)


def test_a_load_asked_for_before_a_change_of_setup_does_not_undo_it(start, tmp_path):
    """A tour steps from a scene that loads a checkpoint to one with another family faster than
    the trainer reads: the commands come in a batch with the later controls, and the later setup
    (and its task) must win, as if they had been read one by one."""
    loaded = _two_scalar_checkpoint(tmp_path / "two.pt")
    task = new_display_task("linear", 5, np.random.default_rng(9))

    def load_then_change(shared):
        shared.post("load", loaded)
        shared.update(family="linear", task=task)

    run = start(before=load_then_change)
    snap = run.wait_for("a snapshot after the batch", lambda s: "not loaded" in s.message)
    assert (snap.family, snap.model, snap.iteration) == ("linear", "mlp", 0)
    assert run.shared.get().task == task  # not replaced by a random task of the checkpoint's family


def test_a_load_after_an_unrelated_change_still_loads(start, tmp_path):
    loaded = _two_scalar_checkpoint(tmp_path / "two.pt")

    def load_then_tweak(shared):
        shared.post("load", loaded)
        shared.update(inner_lr=0.02, family="sine-ab")  # written later, but what the checkpoint wants anyway

    run = start(before=load_then_tweak)
    snap = run.wait_for("the loaded checkpoint", lambda s: s.model == "two-param")
    assert snap.family == "sine-ab" and snap.iteration == 40 and run.shared.get().inner_lr == 0.02
    assert snap.meta_params["a"] == pytest.approx(1.25)


def test_stop_event_joins_promptly(start):
    run = start()
    run.shared.update(playing=True)
    run.wait_for("iterations while playing", lambda s: s.iteration >= 2)
    run.stop.set()
    run.thread.join(2.0)
    assert not run.thread.is_alive()
