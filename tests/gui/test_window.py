"""The real window and the real training thread, driven through the widgets offscreen.

Everything waits with qtbot.waitUntil and generous timeouts; nothing asserts on speed.
"""
import numpy as np
import pytest
from PySide6.QtCore import Qt


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.LeftButton)


def type_into(qtbot, entry, text):
    entry.setFocus()
    entry.selectAll()
    qtbot.keyClicks(entry, text)
    qtbot.keyClick(entry, Qt.Key_Return)


def test_starts_paused_on_a_fresh_task_with_play_focused(open_window):
    w = open_window()
    snap = w.snapshot
    assert snap.state == "paused" and snap.iteration == 0
    assert not w.shared.get().playing and not w.controls.play.isChecked()
    assert w.focusWidget() is w.controls.play
    assert snap.task is not None and len(snap.support_x) == w.shared.get().shots


def test_play_advances_and_the_panels_follow_pause_stops(qtbot, open_window, wait_snapshot):
    w = open_window()
    maml0, sx0, sy0 = w.panels["meta"].drawn
    random0 = w.panels["random"].drawn[0]
    click(qtbot, w.controls.play)
    assert w.shared.get().playing and w.controls.play.text() == "Pause"
    wait_snapshot(w, lambda s: s.iteration >= 30 and s.state == "training")
    maml1, sx1, _ = w.panels["meta"].drawn
    random1 = w.panels["random"].drawn[0]
    assert maml1.shape == maml0.shape and not np.allclose(maml1, maml0), "the MAML init moved"
    for name in ("meta", "random"):  # each panel shows the latest snapshot's curves, live
        drawn, latest = w.panels[name].drawn[0], w.snapshot.curves[name]
        np.testing.assert_array_equal(drawn, np.clip(latest, drawn.min(), drawn.max()))
    # Both panels are redrawn from every snapshot: same task, same support points on both sides.
    # The random init is not meta-trained, so its fit of an unchanged task stays put.
    np.testing.assert_array_equal(w.panels["random"].drawn[1], sx1)
    np.testing.assert_array_equal(sx1, sx0)
    np.testing.assert_allclose(random1, random0)
    qtbot.waitUntil(lambda: w.loss._n > 0, timeout=10_000)  # the loss curve redraws a few times a second

    click(qtbot, w.controls.play)
    assert not w.shared.get().playing
    wait_snapshot(w, lambda s: s.state == "paused")
    stopped = w.host.iterations
    qtbot.wait(600)
    assert w.host.iterations == stopped
    assert w.snapshot.iteration == stopped


def test_step_advances_exactly_one(qtbot, open_window, wait_snapshot):
    w = open_window()
    start = w.snapshot.iteration
    click(qtbot, w.controls.step)
    wait_snapshot(w, lambda s: s.iteration == start + 1)
    qtbot.wait(500)
    assert w.host.iterations == start + 1 and w.snapshot.iteration == start + 1
    qtbot.keyClick(w, Qt.Key_S)  # the keyboard shortcut does the same
    wait_snapshot(w, lambda s: s.iteration == start + 2)
    qtbot.wait(300)
    assert w.host.iterations == start + 2


def test_new_alpha_is_used_by_the_next_iteration_without_reset(qtbot, open_window, wait_snapshot):
    w = open_window()
    click(qtbot, w.controls.play)
    before = wait_snapshot(w, lambda s: s.iteration >= 20 and s.hparams.inner_lr == 0.01).iteration
    type_into(qtbot, w.controls.alpha.entry, "0.02")
    assert w.shared.get().inner_lr == 0.02
    snap = wait_snapshot(w, lambda s: s.hparams.inner_lr == 0.02)
    assert snap.iteration > before, "no reset: the iteration count went on"
    assert snap.loss_iters[0] == 1 and snap.loss_iters[-1] <= snap.iteration  # one history, from the start
    assert w.controls.alpha.slider.value() == w.controls.alpha._tick(0.02)


def test_bad_learning_rate_is_refused_with_a_message(qtbot, open_window):
    w = open_window()
    before = w.shared.get()
    for text in ("-1", "5", "0"):
        type_into(qtbot, w.controls.alpha.entry, text)
        assert w.notice.isVisible() and "inner lr α" in w.notice.text()
        assert w.controls.alpha.entry.text() == "0.01"
    # while editing (a character typed), letters go to the box, whose validator never lets "nan" in;
    # an untouched box hands N to the window (New task), so the test starts with a digit
    qtbot.keyClicks(w.controls.beta.entry, "1nan")
    assert "nan" not in w.controls.beta.entry.text()
    qtbot.keyClick(w.controls.beta.entry, Qt.Key_Escape)  # revert
    assert w.shared.get() == before


def test_new_task_gives_both_panels_the_same_support_points(qtbot, open_window, wait_snapshot):
    w = open_window(display_steps=5)
    click(qtbot, w.controls.pretrained)  # the optional third panel shares them too
    old = w.snapshot.task
    click(qtbot, w.controls.new_task)
    snap = wait_snapshot(w, lambda s: s.task != old)
    qtbot.waitUntil(lambda: w.panels["pretrained"].drawn[0] is not None, timeout=30_000)
    qtbot.waitUntil(lambda: w.panels["meta"].drawn[1] is snap.support_x or w.snapshot is not snap, timeout=5000)
    snap = w.snapshot
    shown = [p for p in w.panels.values() if not p.isHidden()]  # the compare panel shows only while one trains
    for panel in shown:
        _, sx, sy = panel.drawn
        np.testing.assert_array_equal(sx, snap.support_x)
        np.testing.assert_array_equal(sy, snap.support_y)
    assert w.panels["meta"].drawn[0].shape[0] == 6  # before + 5 steps
    assert [p.title.text() for p in shown] == ["● MAML init", "■ Random init", "▼ Pretrained"]  # marker, name
    assert not np.allclose(snap.support_y, np.array(old.ys))
    a, b = snap.task.a, snap.task.b
    assert w.controls.param_a.value() == pytest.approx(a, abs=0.01)
    assert w.controls.param_b.value() == pytest.approx(b, abs=0.01)


def test_task_sliders_and_k_change_the_task_live(qtbot, open_window, wait_snapshot):
    w = open_window()
    xs = w.snapshot.task.xs
    w.controls.param_a.setValue(1.5)
    snap = wait_snapshot(w, lambda s: s.task.a == pytest.approx(1.5))
    assert snap.task.xs == xs, "moving the amplitude keeps the support x"
    w.controls.shots.setValue(5)
    snap = wait_snapshot(w, lambda s: len(s.support_x) == 5)
    assert snap.task.a == pytest.approx(1.5) and snap.iteration == 0


def test_changing_the_family_resets_and_says_so(qtbot, open_window, wait_snapshot):
    w = open_window()
    click(qtbot, w.controls.step)
    wait_snapshot(w, lambda s: s.iteration == 1)
    w.controls.family.setCurrentIndex(w.controls.family.findData("linear"))
    snap = wait_snapshot(w, lambda s: s.family == "linear" and "Reset" in s.message)
    assert snap.iteration == 0 and snap.task.family == "linear"
    assert w.notice.isVisible() and "Reset" in w.notice.text()
    assert w.controls.label_a.text().startswith("Slope")


def test_a_combination_core_refuses_is_refused_with_a_message(qtbot, open_window, wait_snapshot):
    w = open_window()
    w.controls.model.setCurrentIndex(w.controls.model.findData("two-param"))
    wait_snapshot(w, lambda s: s.model == "two-param")
    w.controls.algorithm.setCurrentIndex(w.controls.algorithm.findData("anil"))
    assert w.notice.isVisible() and "ANIL" in w.notice.text()
    assert w.shared.get().algorithm == "maml" and w.controls.algorithm.currentData() == "maml"


def test_keyboard_shortcuts(qtbot, open_window, wait_snapshot):
    w = open_window()
    qtbot.keyClick(w, Qt.Key_Space)
    assert w.shared.get().playing and w.controls.play.isChecked()
    wait_snapshot(w, lambda s: s.iteration > 5)
    qtbot.keyClick(w, Qt.Key_Space)
    assert not w.shared.get().playing
    old = w.shared.get().task
    qtbot.keyClick(w, Qt.Key_N)
    assert w.shared.get().task != old
    qtbot.keyClick(w, Qt.Key_R)
    wait_snapshot(w, lambda s: s.iteration == 0 and s.message == "Reset")


def test_divergence_pauses_and_is_shown(qtbot, open_window, wait_snapshot):
    w = open_window(inner_lr=1.0, outer_lr=0.1, inner_steps=5)
    click(qtbot, w.controls.play)
    snap = wait_snapshot(w, lambda s: s.state == "diverged")
    qtbot.waitUntil(lambda: not w.controls.play.isChecked(), timeout=5000)
    assert w.notice.isVisible() and "Diverged" in w.notice.text()
    assert w.controls.play.text() == "Play" and not w.shared.get().playing
    # the fresh init already diverges with these rates: going back cannot help, and the notice says so
    assert snap.message.startswith("Diverged at once from iteration 0") and "Reset" in snap.message
    assert w.notice.button.isVisible() and w.notice.button.text() == "Reset"  # the way out, on the notice
    w.shared.update(inner_lr=0.01, outer_lr=0.001, inner_steps=1)
    click(qtbot, w.notice.button)
    wait_snapshot(w, lambda s: s.message == "Reset" and s.state != "diverged")
    assert not w.notice.isVisible() or "Reset" in w.notice.text()
    click(qtbot, w.controls.play)
    wait_snapshot(w, lambda s: s.iteration > 3 and s.state == "training")


def test_closing_while_training_joins_the_thread(qtbot, open_window, wait_snapshot):
    w = open_window()
    click(qtbot, w.controls.play)
    wait_snapshot(w, lambda s: s.iteration > 5)
    w.close()
    assert not w.host.alive() and w.host.exitcode == 0
    assert not w.timer.isActive()
