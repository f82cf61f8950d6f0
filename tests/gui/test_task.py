"""Editing the displayed task with the mouse on the real window, with the real training thread.

Clicks land on the pixel that maps to known data coordinates; each test then waits for a
snapshot computed from the edited task and checks that both panels draw it.
"""
import numpy as np
from PySide6.QtCore import Qt

from core.display import stroke_to_target
from gui.task_editor import TaskEditor

TOL = 0.12  # data units: a pixel is about 0.02 in x and 0.04 in y on these panels


def pixel(panel, x, y):
    return TaskEditor.to_pixel(panel, x, y).toPoint()


def click_at(qtbot, panel, x, y, button=Qt.LeftButton):
    qtbot.mouseClick(panel.plot.viewport(), button, pos=pixel(panel, x, y))


def both_panels_show(w, wait_snapshot):
    """Wait for a snapshot of the shared task, then check that both panels drew it."""
    task = w.shared.get().task
    snap = wait_snapshot(w, lambda s: s.task == task)
    for name in ("meta", "random"):
        curves, sx, sy = w.panels[name].drawn
        np.testing.assert_allclose(sx, task.xs, atol=1e-5)
        np.testing.assert_allclose(sy, task.ys, atol=1e-5)
        assert curves is not None and curves.shape[1] == len(snap.grid_x)
        np.testing.assert_array_equal(curves, np.clip(snap.curves[name], curves.min(), curves.max()))
    return snap


def test_click_adds_one_point_drag_moves_it_right_click_and_delete_remove(qtbot, open_window, wait_snapshot):
    w = open_window()
    maml, random = w.panels["meta"], w.panels["random"]
    before = w.shared.get().task
    n = len(before.xs)
    click_at(qtbot, maml, 1.5, -4.0)  # far from the curve and from every point
    t = w.shared.get().task
    assert len(t.xs) == n + 1, "exactly one point added"
    assert abs(t.xs[-1] - 1.5) < TOL and abs(t.ys[-1] + 4.0) < TOL
    assert t.is_user and t.target_x is not None, "the family curve stays as the true curve"
    np.testing.assert_allclose(t.xs[:n], before.xs)
    both_panels_show(w, wait_snapshot)
    curves_before = w.panels["random"].drawn[0]

    # Drag it, on the other panel: the press grabs the point, the release lands it.
    vp = random.plot.viewport()
    qtbot.mousePress(vp, Qt.LeftButton, pos=pixel(random, t.xs[-1], t.ys[-1]))
    for k in range(1, 6):
        qtbot.mouseMove(vp, pixel(random, 1.5 + 0.4 * k, -4.0 + 1.0 * k))
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=pixel(random, 3.5, 1.0))
    t = w.shared.get().task
    assert len(t.xs) == n + 1, "a drag moves, it does not add"
    assert abs(t.xs[-1] - 3.5) < TOL and abs(t.ys[-1] - 1.0) < TOL
    both_panels_show(w, wait_snapshot)
    assert not np.allclose(w.panels["random"].drawn[0], curves_before), "the random init refits the moved point"

    # Right click removes the point under the cursor.
    click_at(qtbot, maml, 3.5, 1.0, Qt.RightButton)
    t = w.shared.get().task
    assert len(t.xs) == n and not any(abs(x - 3.5) < 1e-6 for x in t.xs)
    both_panels_show(w, wait_snapshot)

    # Select by clicking a point, then Delete.
    x0, y0 = t.xs[0], t.ys[0]
    click_at(qtbot, random, x0, y0)
    assert len(w.shared.get().task.xs) == n, "clicking a point selects it, adds nothing"
    qtbot.keyClick(random.plot, Qt.Key_Delete)
    t = w.shared.get().task
    assert len(t.xs) == n - 1 and (x0, y0) not in zip(t.xs, t.ys)
    both_panels_show(w, wait_snapshot)


def test_clear_then_points_only_task_has_no_true_curve(qtbot, open_window, wait_snapshot):
    w = open_window()
    qtbot.mouseClick(w.task_tools.clear, Qt.LeftButton)
    assert w.shared.get().task.xs == ()
    for x, y in ((-3.0, 1.0), (0.0, -1.0), (3.0, 2.0)):
        click_at(qtbot, w.panels["meta"], x, y)
    assert len(w.shared.get().task.xs) == 3
    snap = both_panels_show(w, wait_snapshot)
    assert w.controls.family.currentData() == "user"
    assert "your task" in w.headline.text()
    qtbot.mouseClick(w.task_tools.reset, Qt.LeftButton)  # back to a family task
    t = w.shared.get().task
    assert not t.is_user and len(t.xs) == w.shared.get().shots
    assert snap.true_y is not None  # the cleared family task kept its curve as the target


def test_draw_mode_sketch_becomes_the_target_and_k_points_are_sampled_from_it(qtbot, open_window, wait_snapshot):
    w = open_window()
    panel = w.panels["random"]
    qtbot.mouseClick(w.task_tools.draw, Qt.LeftButton)
    assert w.editor.draw_mode
    xs = np.linspace(-4.5, 4.5, 40)
    ys = 2.0 * np.cos(xs)
    vp = panel.plot.viewport()
    qtbot.mousePress(vp, Qt.LeftButton, pos=pixel(panel, xs[0], ys[0]))
    for x, y in zip(xs[1:], ys[1:]):
        qtbot.mouseMove(vp, pixel(panel, x, y))
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=pixel(panel, xs[-1], ys[-1]))
    assert not w.editor.draw_mode and not w.task_tools.draw.isChecked()
    t = w.shared.get().task
    assert t.is_user and t.target_x is not None
    assert abs(t.target_x[0] + 4.5) < TOL and abs(t.target_x[-1] - 4.5) < TOL
    np.testing.assert_allclose(t.target_y, 2.0 * np.cos(t.target_x), atol=0.25)
    K = w.shared.get().shots
    assert len(t.xs) == K
    np.testing.assert_allclose(t.ys, np.interp(t.xs, t.target_x, t.target_y), atol=1e-9)
    snap = both_panels_show(w, wait_snapshot)
    assert snap.true_y is not None

    qtbot.mouseClick(w.task_tools.sample, Qt.LeftButton)  # K fresh points on the same curve
    t2 = w.shared.get().task
    assert len(t2.xs) == K and t2.xs != t.xs and t2.target_x == t.target_x
    np.testing.assert_allclose(t2.ys, np.interp(t2.xs, t.target_x, t.target_y), atol=1e-9)
    both_panels_show(w, wait_snapshot)


def test_stroke_to_target_sorts_and_averages_duplicates():
    tx, ty = stroke_to_target([2.0, 0.0, 1.0, 1.0], [4.0, 0.0, 1.0, 3.0])
    assert tx[0] == 0.0 and tx[-1] == 2.0 and np.all(np.diff(tx) > 0)
    assert abs(np.interp(1.0, tx, ty) - 2.0) < 1e-9
    assert stroke_to_target([1.0, 1.0], [0.0, 5.0]) is None
