"""core/rewind.py: the archive of past inits stays bounded over a long run and covers all of it;
the trainer replays a kept init on the current task (curves checked against the archived init's
own), in a thread and through the process host, and Play returns to live."""
import threading
import time

import numpy as np
import pytest
import torch

from core.algorithms import MetaLearner
from core.controls import SharedControls
from core.host import ProcessHost
from core.models import make_model
from core.rewind import MAX_KEPT, MIN_KEPT, Frozen, InitArchive, Kept
from core.snapshots import Init, SnapshotParts, init_steps
from core.tasks import get_family
from core.trainer import Trainer
from tests.conftest import fresh_controls, reading_mailbox

TIMEOUT = 30.0


def fake_kept(iteration: int, floats: int = 1761) -> Kept:
    return Kept(iteration, {"meta": Frozen("maml", {"w": np.zeros(floats, np.float32)}, None)})


def test_archive_stays_bounded_and_covers_a_long_run():
    archive, rng, it = InitArchive(), np.random.default_rng(0), 0
    bound, seen, first = None, 0, None
    while it < 2_000_000:  # hours of training at a few hundred iterations a second
        it += int(rng.integers(1, 600))  # chunks of 1..600 iterations, as the trainer runs them
        if archive.due(it):
            archive.keep(fake_kept(it))
            first, seen = first or it, seen + 1
        bound = archive.bound_bytes
        assert len(archive.entries) <= archive.capacity
        assert archive.nbytes <= bound
    kept = archive.iterations()
    assert archive.capacity == MAX_KEPT and bound == MAX_KEPT * 1761 * 4  # 1.8 MB for the 40-40 MLP
    assert seen > 2 * MAX_KEPT, "old inits were thinned, not merely never kept"
    assert np.all(np.diff(kept) > 0)
    assert len(kept) >= MAX_KEPT // 2  # chunks shorter than a slot: every slot holds an init
    assert kept[0] == first, "the first init kept is never dropped"
    # the whole run stays covered: no gap wider than two slots and a chunk, the end as recent
    assert np.diff(kept).max() <= 2 * archive.every + 600
    assert it - kept[-1] <= archive.every + 600


def test_archive_capacity_follows_the_byte_budget_and_keeps_the_first():
    archive = InitArchive(budget=10 * 4000)
    for it in range(0, 100_000, 7):
        if archive.due(it):
            archive.keep(fake_kept(it, floats=1000))  # 4000 bytes an entry: 10 fit
    assert archive.capacity == 10 and archive.nbytes <= 10 * 4000
    assert archive.entries[0].iteration == 0, "the init before meta-training is never dropped"
    tiny = InitArchive(budget=100)
    tiny.keep(fake_kept(0, floats=1000))
    assert tiny.capacity == MIN_KEPT
    assert archive.nearest(-5).iteration == 0 and archive.nearest(10**9).iteration == archive.entries[-1].iteration
    archive.drop_after(50_000)
    assert archive.iterations().max() <= 50_000


class Running:
    def __init__(self, controls):
        self.shared = SharedControls(controls)
        self.mailbox = reading_mailbox()
        self.trainer = Trainer(self.shared, self.mailbox)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.trainer.run, args=(self.stop,), daemon=True)
        self.thread.start()

    def wait_for(self, pred, timeout=TIMEOUT):
        deadline, snap = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            snap = self.mailbox.latest()
            if snap is not None and pred(snap):
                return snap
            time.sleep(0.01)
        pytest.fail(f"timed out; last snapshot {None if snap is None else (snap.iteration, snap.state)}")

    def close(self):
        self.stop.set()
        self.shared.wake()
        self.thread.join(10)


@pytest.fixture
def running():
    torch.set_num_threads(1)
    runs = []

    def make(**changes):
        r = Running(fresh_controls(**changes))
        runs.append(r)
        return r

    yield make
    for r in runs:
        r.close()


def expected_curves(c, kept: Kept, snap, name="meta") -> np.ndarray:
    """The archived init adapting to the snapshot's task, computed here from the archive alone."""
    model, family = make_model(c.model, get_family(c.family), c.hidden), get_family(c.family)
    s = kept.states[name]
    params = {k: torch.from_numpy(v) for k, v in s.params.items()}
    learner = MetaLearner(s.algorithm, model, params, c.inner_lr)
    if s.extras is not None:
        learner.load(params, {k: torch.from_numpy(v) for k, v in s.extras.items()})
    parts = SnapshotParts(model, family, torch.device("cpu"))
    hp = c.hparams()  # drawn as the trainer draws it: a learned rule for the steps it trained with
    init = Init(params, learner.inner_lr(hp), steps=init_steps(learner, hp, c.display_steps))
    _, curves, _, _ = parts.curves(snap.task, {name: init}, c.display_steps)
    return curves[name]


def train_then_pause(r, iterations):
    r.shared.update(playing=True)
    r.wait_for(lambda s: s.iteration >= iterations)
    r.shared.update(playing=False)
    return r.wait_for(lambda s: s.state == "paused")


@pytest.mark.parametrize("algorithm", ["maml", "metasgd"])
def test_scrub_back_shows_the_archived_init_on_the_current_task_and_play_returns_to_live(running, algorithm):
    r = running(algorithm=algorithm, compare="fomaml" if algorithm == "maml" else None)
    live = train_then_pause(r, 300)
    assert live.rewind is not None and not live.rewind.replaying and live.rewind.kept[0] == 0
    r.shared.post("replay", 0)
    snap = r.wait_for(lambda s: s.rewind.showing == 0)
    kept = r.trainer.rewind.archive.entries[0]
    # the curves come at once, the held-out evaluation of that init in a later snapshot
    evaluated = r.wait_for(lambda s: s.evaluation.iteration == 0 and s.evaluation.serial > live.evaluation.serial)
    assert evaluated.rewind.showing == 0
    c = r.shared.get()
    np.testing.assert_allclose(snap.curves["meta"], expected_curves(c, kept, snap), atol=1e-5)
    # before adaptation (finite even where a learned rule's 10 steps diverge): the old init is not the live one
    assert np.abs(snap.curves["meta"][0] - live.curves["meta"][0]).max() > 1e-3
    # the archived iteration-0 init is the seed's own initialisation
    fresh = make_model(c.model, get_family(c.family), c.hidden).init(torch.Generator().manual_seed(c.seed))
    for k, v in fresh.items():
        np.testing.assert_allclose(kept.states["meta"].params[k], v.numpy(), atol=1e-6)
    assert snap.rewind.latest == live.iteration
    if algorithm == "maml":  # the compared algorithm is replayed too
        np.testing.assert_allclose(snap.curves["compare"], expected_curves(c, kept, snap, "compare"), atol=1e-5)
    else:  # Meta-SGD adapts with the rates it had learned then, not the live ones
        lrs = r.trainer.learner.lrs["0.weight"].detach().numpy()
        assert not np.allclose(kept.states["meta"].extras["0.weight"], lrs)
    # a middle iteration: the nearest kept init
    want = live.iteration // 2
    r.shared.post("replay", want)
    mid = r.wait_for(lambda s: s.rewind.showing not in (None, 0))
    near = r.trainer.rewind.archive.nearest(want)
    assert mid.rewind.showing == near.iteration
    np.testing.assert_allclose(mid.curves["meta"], expected_curves(c, near, mid), atol=1e-5)
    # Play returns to live (and training carries on)
    r.shared.update(playing=True)
    back = r.wait_for(lambda s: s.rewind.showing is None and s.iteration > live.iteration)
    assert back.evaluation is not None
    r.shared.update(playing=False)
    paused = r.wait_for(lambda s: s.state == "paused")
    now = Kept(paused.iteration, {"meta": Frozen.of(r.trainer.learner)})  # the trainer is paused: it holds still
    np.testing.assert_allclose(paused.curves["meta"], expected_curves(c, now, paused), atol=1e-5)


def test_replay_survives_training_on_and_marks_the_two_scalar_point(running):
    r = running(family="sine-ab", model="two-param")
    train_then_pause(r, 200)
    r.shared.post("replay", 0)
    snap = r.wait_for(lambda s: s.rewind.showing == 0 and s.landscape is not None)
    kept = r.trainer.rewind.archive.entries[0].states["meta"].params
    ab = (float(kept["a"]), float(kept["b"]))
    assert snap.landscape.replay == pytest.approx(ab)
    assert snap.landscape.paths["meta"][0] == pytest.approx(ab, abs=1e-5)  # the adaptation starts there
    assert not np.allclose(snap.landscape.init_trail[-1], ab), "the trail still ends at the live init"
    assert snap.rewind.params["a"] == pytest.approx(ab[0])
    # training on while replaying (a step here): the replay stays, the timeline's end moves on
    r.shared.post("step")
    stepped = r.wait_for(lambda s: s.iteration > snap.iteration)
    assert stepped.rewind.showing == 0 and stepped.rewind.latest == stepped.iteration
    r.shared.post("replay", None)
    live = r.wait_for(lambda s: s.rewind.showing is None)
    assert live.landscape.replay is None


def test_replay_through_the_process_host():
    """The archive lives in the trainer's process; the window's side only posts and reads snapshots."""
    host = ProcessHost(fresh_controls())
    host.start()
    try:
        def take_until(pred):
            deadline, snap = time.monotonic() + 60, None
            while time.monotonic() < deadline:
                snap = host.take() or snap
                if snap is not None and snap.rewind is not None and pred(snap):
                    return snap
                time.sleep(0.01)
            pytest.fail(f"timed out; error {host.error!r}")

        host.shared.update(playing=True)
        take_until(lambda s: s.iteration >= 100)
        host.shared.update(playing=False)
        live = take_until(lambda s: s.state == "paused")
        host.shared.post("replay", 0)
        snap = take_until(lambda s: s.rewind.showing == 0)
        c = host.shared.get()
        kept = Kept(0, {"meta": Frozen("maml", snap.rewind.params, None)})
        np.testing.assert_allclose(snap.curves["meta"], expected_curves(c, kept, snap), atol=1e-5)
        assert np.abs(snap.curves["meta"][0] - live.curves["meta"][0]).max() > 1e-3
        host.shared.post("replay", None)
        take_until(lambda s: s.rewind.showing is None)
    finally:
        host.stop()
