"""gui/timeline.py in the real window (its trainer in a child process): scrubbing back makes the
meta-learned panel draw the archived init adapting to the current task, marked as a replay;
Play returns to live."""
import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from core.models import make_model
from core.snapshots import Init, SnapshotParts
from core.tasks import get_family
from gui.timeline import replay_text


def curves_of(c, params, task) -> np.ndarray:
    """The init `params` adapting (MAML's plain SGD at alpha) to `task`, computed in the test."""
    model, family = make_model(c.model, get_family(c.family), c.hidden), get_family(c.family)
    params = {k: torch.from_numpy(v) for k, v in params.items()}
    _, curves, _, _ = SnapshotParts(model, family, torch.device("cpu")).curves(
        task, {"meta": Init(params, c.inner_lr)}, c.display_steps)
    return curves["meta"]


def drawn_as(panel, curves):
    lo, hi = panel._y  # the panel clips a diverging fit the same way
    return np.clip(curves, lo - (hi - lo), hi + (hi - lo))


def test_scrub_back_shows_the_old_init_marked_as_a_replay_and_play_returns_to_live(qtbot, open_window, wait_snapshot):
    w = open_window()
    meta = w.panels["meta"]
    qtbot.mouseClick(w.controls.play, Qt.LeftButton)
    wait_snapshot(w, lambda s: s.iteration >= 200)
    qtbot.mouseClick(w.controls.play, Qt.LeftButton)
    live = wait_snapshot(w, lambda s: s.state == "paused")
    assert not w.timeline.live.isEnabled() and w.timeline.badge_text() == ""
    live_drawn = meta.drawn[0].copy()

    w.timeline.slider.setFocus()
    qtbot.keyClick(w.timeline.slider, Qt.Key_Home)  # the slider's left end: the first kept init
    snap = wait_snapshot(w, lambda s: s.rewind is not None and s.rewind.showing == 0)
    c = w.shared.get()
    # the replayed init is the seed's own starting init (the article's "before meta-training")
    fresh = make_model(c.model, get_family(c.family), c.hidden).init(torch.Generator().manual_seed(c.seed))
    for k, v in fresh.items():
        np.testing.assert_allclose(snap.rewind.params[k], v.numpy(), atol=1e-6)
    # the panel draws that init adapting to the current task, not the live init
    np.testing.assert_allclose(meta.drawn[0], drawn_as(meta, curves_of(c, snap.rewind.params, snap.task)), atol=1e-5)
    assert np.abs(meta.drawn[0][0] - live_drawn[0]).max() > 1e-3  # before adaptation: another init
    text = replay_text(0, live.iteration)
    assert w.timeline.badge_text() == text and text in w.timeline.readout.text()
    assert w.timeline.line.isVisible() and w.timeline.live.isEnabled()

    # a new task while replaying: the old init adapts to it
    qtbot.mouseClick(w.controls.new_task, Qt.LeftButton)
    moved = wait_snapshot(w, lambda s: s.task != snap.task and s.rewind.showing == 0)
    np.testing.assert_allclose(meta.drawn[0], drawn_as(meta, curves_of(c, moved.rewind.params, moved.task)),
                               atol=1e-5)

    qtbot.mouseClick(w.timeline.live, Qt.LeftButton)  # Live returns, training still paused
    wait_snapshot(w, lambda s: s.rewind.showing is None and s.state == "paused")
    qtbot.waitUntil(lambda: w.timeline.badge_text() == "" and not w.timeline.live.isEnabled(), timeout=10_000)
    qtbot.keyClick(w.timeline.slider, Qt.Key_Home)
    wait_snapshot(w, lambda s: s.rewind.showing == 0)

    qtbot.mouseClick(w.controls.play, Qt.LeftButton)  # Play returns to live
    wait_snapshot(w, lambda s: s.rewind.showing is None and s.iteration > live.iteration)
    qtbot.waitUntil(lambda: w.timeline.badge_text() == "" and not w.timeline.line.isVisible(), timeout=10_000)
    qtbot.mouseClick(w.controls.play, Qt.LeftButton)
    paused = wait_snapshot(w, lambda s: s.state == "paused")
    assert paused.rewind.showing is None and "live" in w.timeline.readout.text()
    np.testing.assert_allclose(meta.drawn[0], drawn_as(meta, paused.curves["meta"]))
    old = curves_of(c, snap.rewind.params, paused.task)
    assert np.abs(meta.drawn[0][0] - drawn_as(meta, old)[0]).max() > 1e-3
    assert w.timeline.slider.value() == w.timeline.slider.maximum()


def test_two_scalar_parameter_space_rings_the_replayed_init(qtbot, open_window, wait_snapshot):
    w = open_window(family="sine-ab", model="two-param")
    for i in range(1, 4):  # one at a time: a step asked for while one runs may be cut short
        qtbot.mouseClick(w.controls.step, Qt.LeftButton)
        wait_snapshot(w, lambda s, i=i: s.iteration >= i and s.landscape is not None)
    assert len(w.landscape.replay_dot.data) == 0
    w.timeline.slider.setFocus()
    qtbot.keyClick(w.timeline.slider, Qt.Key_Home)
    snap = wait_snapshot(w, lambda s: s.rewind.showing == 0 and s.landscape is not None)
    ring = w.landscape.replay_dot.data
    assert len(ring) == 1
    ab = (float(snap.rewind.params["a"]), float(snap.rewind.params["b"]))
    assert (ring[0]["x"], ring[0]["y"]) == pytest.approx(ab, abs=1e-6)
    assert "replayed" in w.landscape.readout.text()
