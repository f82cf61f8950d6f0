"""Load and faults on the real window: rapid control changes, property-based control values,
shutdown while training, paused or diverged."""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from tests.conftest import GUI_WAIT_MS

_WINDOWS = {}


def test_a_thousand_rapid_control_changes_while_training_end_in_the_last_values(open_window, qtbot):
    window = open_window()
    panel = window.controls
    panel.set_playing(True)
    qtbot.waitUntil(lambda: window.snapshot.iteration > 0, timeout=GUI_WAIT_MS)
    rng = np.random.default_rng(0)
    for i in range(1000):
        which = i % 5
        if which == 0:
            panel.alpha.slider.setValue(int(rng.integers(0, 1001)))
        elif which == 1:
            panel.beta.slider.setValue(int(rng.integers(0, 1001)))
        elif which == 2:
            panel.shots.setValue(int(rng.integers(panel.shots.minimum(), panel.shots.maximum() + 1)))
        elif which == 3:
            panel.meta_batch.setValue(int(rng.integers(panel.meta_batch.minimum(), 101)))
        else:
            panel.inner_steps.setValue(int(rng.integers(1, 4)))
        if i % 100 == 0:
            qtbot.wait(1)  # let a frame or two happen in between, as a user's drags would
    panel.alpha.slider.setValue(500)  # gentle final values, so the run stays finite
    panel.beta.slider.setValue(300)
    want = {"inner_lr": panel.alpha.value(), "outer_lr": panel.beta.value(), "shots": panel.shots.value(),
            "meta_batch": panel.meta_batch.value(), "inner_steps": panel.inner_steps.value()}
    c = window.shared.get()
    assert {k: getattr(c, k) for k in want} == want  # the shared controls hold the last values set
    panel.set_playing(True)  # random extremes may have diverged (and paused) on the way: resume
    start = window.snapshot.iteration

    def last_values(s) -> bool:
        hp = s.hparams
        return (hp.inner_lr, hp.outer_lr, hp.shots, hp.meta_batch, hp.inner_steps) == tuple(want.values())

    def used_last_values():
        s = window.snapshot
        if not window.shared.get().playing and not (last_values(s) and s.state == "diverged"):
            panel.set_playing(True)  # a divergence from the random extremes landed late: resume
        # steps with the last values, or one that diverged with them (it ran with them all the same)
        return last_values(s) and (s.iteration > start or s.state == "diverged")
    qtbot.waitUntil(used_last_values, timeout=GUI_WAIT_MS)  # and the trainer trains with them
    if window.snapshot.state == "diverged":
        # the extremes left weights that diverge even at these rates (the proven point too, at times):
        # the notice offers the way out, and after it the trainer trains with the last values
        assert window.notice.isVisible() and window.notice.button.isVisible()
        qtbot.mouseClick(window.notice.button, Qt.LeftButton)
        panel.set_playing(True)
        qtbot.waitUntil(lambda: window.snapshot.state == "training" and window.snapshot.iteration > 0
                        and last_values(window.snapshot), timeout=GUI_WAIT_MS)
    assert window.host.alive() and not window.host.error


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.sampled_from(["", "-", "1e", "abc", "0x10", "1e999", "-0.01", "nan"])))
def test_any_typed_learning_rate_is_refused_or_applied_exactly(open_window, qtbot, value):
    # hypothesis reuses the function-scoped fixture across examples: one window for all of them
    window = _WINDOWS.get(id(open_window))
    if window is None:
        window = _WINDOWS[id(open_window)] = open_window()
    entry = window.controls.alpha.entry
    before = window.shared.get()
    text = value if isinstance(value, str) else repr(value)
    entry.setText(text)
    entry._commit()  # what Return or leaving the field does
    after = window.shared.get()
    lo, hi = entry.lo, entry.hi
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if math.isfinite(number) and lo <= number <= hi:
        assert after.inner_lr == number
    else:  # refused: nothing else changes either
        assert after == before and entry.value() == before.inner_lr


@pytest.mark.parametrize("state", ["training", "paused", "diverged"])
def test_closing_in_every_state_stops_and_joins_the_thread(open_window, qtbot, state):
    window = open_window()
    if state in ("training", "diverged"):
        window.controls.set_playing(True)
        qtbot.waitUntil(lambda: window.snapshot.iteration > 2, timeout=GUI_WAIT_MS)
    if state == "diverged":
        window.shared.update(outer_lr=5.0, inner_lr=5.0)
        qtbot.waitUntil(lambda: window.snapshot.state == "diverged", timeout=GUI_WAIT_MS)
    window.close()
    assert not window.host.alive()


def test_closing_with_an_unsaved_user_task_asks_first(open_window, qtbot, tmp_path, monkeypatch):
    from dataclasses import replace

    window = open_window()
    window.ask_before_close = True
    c = window.shared.get()
    window.shared.update(task=replace(c.task, a=None, b=None, xs=(0.0, 1.0), ys=(1.0, -1.0)))  # the user's points
    assert window.has_unsaved_task()
    asked = []
    monkeypatch.setattr(window, "confirm_discard", lambda: asked.append(1) or "cancel")
    window.close()
    assert asked and window.isVisible() and window.host.alive()  # Cancel keeps everything
    path = tmp_path / "s.maml.json"
    monkeypatch.setattr(window, "confirm_discard", lambda: "save")
    monkeypatch.setattr(window.demo, "ask_save_session", lambda: window.demo.documents.save_session(path))
    window.close()
    assert path.exists() and not window.host.alive()  # saved, then closed
    from core import session
    assert session.read(path)[0].task == window.shared.get().task


def test_no_question_when_nothing_was_made(open_window, monkeypatch):
    window = open_window()
    window.ask_before_close = True
    monkeypatch.setattr(window, "confirm_discard", lambda: (_ for _ in ()).throw(AssertionError("asked")))
    window.close()
    assert not window.host.alive()
