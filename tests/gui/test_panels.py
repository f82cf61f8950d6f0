"""The panels on their own, fed made-up snapshots: diverged held-out tasks are counted in the
header, readouts shorten instead of running out of it, the dashed curve is named for what it
is, and the headline's K names meta-training's K when the points shown differ."""
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtGui import QPalette

from core.controls import DisplayTask, EvalCurves
from core.display import as_user_task, new_display_task
from gui import style
from gui.panels import EvalPanel, InitPanel, points_text, truth_name

pytestmark = pytest.mark.usefixtures("dark_again")  # tests/gui/conftest.py


SERIAL = iter(range(1, 1000))  # each made-up evaluation is a new one, as the trainer numbers them


def evaluation(diverged: dict[str, list[int]]) -> EvalCurves:
    steps = np.arange(11)
    mean = {m: np.linspace(1.0, 0.2, 11) for m in ("meta", "random")}
    ci = {m: np.full(11, 0.05) for m in mean}
    return EvalCurves(steps, mean, ci, 100, 100, serial=next(SERIAL), diverged={
        m: np.array(v) for m, v in diverged.items()})


def eval_snap(diverged):
    return SimpleNamespace(evaluation=evaluation(diverged), algorithm="maml", compare=None)


def test_heldout_header_counts_diverged_tasks_and_fits(qtbot):
    panel = EvalPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 300)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_snapshot(eval_snap({"meta": [0] * 11, "random": [0] * 10 + [2]}))
    shown = panel.readout.text()
    assert "random init: 2 of 100 diverged, excluded" in shown
    assert style.themes.current.warn in shown and panel.readout.fits()
    # nothing diverged: the ordinary readout, no warning
    panel.show_snapshot(eval_snap({"meta": [0] * 11, "random": [0] * 11}))
    assert "diverged" not in panel.readout.text() and "100 tasks" in panel.readout.text()
    # narrow: a shorter version that still says it, and still fits
    panel.show_snapshot(eval_snap({"meta": [0] * 11, "random": [0] * 9 + [1, 3]}))
    panel.resize(330, 300)
    qtbot.waitUntil(lambda: panel.readout.width() < 250)
    assert "3" in panel.readout.text() and "diverged" in panel.readout.text()
    assert panel.readout.fits()


def init_snap(mse_last: float, task=None):
    x = np.linspace(-5, 5, 200)
    curves = np.vstack([np.sin(x)] * 11)
    return SimpleNamespace(curves={"meta": curves}, grid_x=x, true_y=np.sin(x), task=task,
                           support_x=np.array([0.0, 1.0]), support_y=np.array([0.0, 0.8]),
                           display_mse={"meta": np.array([2.5] + [1.0] * 9 + [mse_last])},
                           curve_steps={"meta": tuple(range(len(curves)))})


@pytest.mark.parametrize("width, compact", [(700, False), (480, False), (300, True)])
def test_a_diverged_fit_never_overflows_the_panel_header(qtbot, width, compact):
    panel = InitPanel("meta")
    qtbot.addWidget(panel)
    panel.set_names("MAML", compact)
    panel.resize(width, 400)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_snapshot(init_snap(np.inf))
    qtbot.waitUntil(lambda: abs(panel.width() - width) <= 2)
    assert ("diverged" in panel.readout.text() or "⚠" in panel.readout.text()) and panel.readout.fits()
    assert style.themes.current.warn in panel.readout.text()
    assert panel.readout.geometry().right() <= panel.contentsRect().right()
    panel.show_snapshot(init_snap(0.26))
    assert "0.26" in panel.readout.text() and panel.readout.fits()


def test_the_dashed_curve_is_named_for_what_it_is():
    rng = np.random.default_rng(0)
    family = new_display_task("sinusoid", 5, rng)
    assert truth_name(family) == "true"
    edited = as_user_task(family, "sinusoid")
    assert edited.origin == (family.a, family.b)
    assert truth_name(edited) == "true"  # same points, still on the family's curve
    assert truth_name(replace(edited, xs=edited.xs[1:], ys=edited.ys[1:])) == "true"  # one removed
    moved = replace(edited, ys=(edited.ys[0] + 1.0, *edited.ys[1:]))
    assert truth_name(moved) == "family's curve"
    added = replace(edited, xs=(*edited.xs, 0.0), ys=(*edited.ys, 9.0))
    assert truth_name(added) == "family's curve"
    drawn = DisplayTask("sinusoid", None, None, (0.0,), (1.0,), (-1.0, 1.0), (0.0, 2.0))
    assert truth_name(drawn) == "target"
    assert truth_name(DisplayTask("sinusoid", None, None, (0.0,), (1.0,))) == ""


def test_the_init_panel_legend_says_family_s_curve_after_an_edit(qtbot):
    panel = InitPanel("meta")
    qtbot.addWidget(panel)
    family = new_display_task("sinusoid", 2, np.random.default_rng(1))
    panel.show_snapshot(init_snap(0.3, family))
    assert "true" in panel.legend.text() and "family" not in panel.legend.text()
    edited = as_user_task(family, "sinusoid")
    moved = replace(edited, ys=(edited.ys[0] + 2.0, *edited.ys[1:]))
    panel.show_snapshot(init_snap(0.3, moved))
    assert "family's curve" in panel.legend.text()
    assert "no longer their truth" in panel.legend.toolTip()
    assert "family's curve" in panel.readout.toolTip()


def test_headline_k_is_the_points_shown_and_names_training_k_when_they_differ():
    snap = SimpleNamespace(support_x=np.zeros(4), shots=4)
    assert points_text(snap) == "<b>K = 4</b> points"
    snap.support_x = np.zeros(5)
    assert points_text(snap) == "<b>5</b> points (meta-training's <b>K = 4</b>)"
    snap.support_x = np.zeros(1)
    assert points_text(snap).startswith("<b>1</b> point (")


def contrast(c1: str, c2: str) -> float:
    """WCAG contrast ratio of two colours."""
    def lum(c):
        v = np.array([int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)])
        v = np.where(v <= 0.03928, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
        return float(v @ [0.2126, 0.7152, 0.0722])
    hi, lo = sorted((lum(c1), lum(c2)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_adding_a_point_updates_headline_k_and_names_the_family_curve(qtbot, open_window, wait_snapshot):
    from PySide6.QtCore import Qt

    w = open_window()
    k = w.shared.get().shots
    wait_snapshot(w, lambda s: len(s.support_x) == k)
    assert f"K = {k}</b> points" in w.headline.text()
    meta = w.panels["meta"]
    qtbot.mouseClick(meta.plot.viewport(), Qt.LeftButton, pos=w.editor.to_pixel(meta, 0.0, 4.5).toPoint())
    wait_snapshot(w, lambda s: len(s.support_x) == k + 1)
    qtbot.waitUntil(lambda: f"<b>{k + 1}</b> points (meta-training's <b>K = {k}</b>)" in w.headline.text())
    assert w.controls.shots.value() == k  # the slider is meta-training's K, and the headline names it
    assert "family's curve" in meta.legend.text() and "family's curve" in w.panels["random"].legend.text()
    assert meta.legend.fits() and w.panels["random"].legend.fits()


def test_notices_follow_the_theme_and_stay_readable(open_window):
    w = open_window()
    w.demo.light.trigger()
    t = style.themes.current
    assert t.name == "light"
    w.controls.message.emit("a notice from the controls")  # the default colour, as the controls send it
    def text_colour():
        return w.notice.label.palette().color(QPalette.WindowText).name()

    assert text_colour() == t.info and contrast(t.info, t.bg) >= 4.5
    assert w.notice.palette().color(QPalette.Window).name() == t.bg  # what it is painted on
    w.show_notice("an error", style.ERROR)
    assert text_colour() == t.error and contrast(t.error, t.bg) >= 4.5


def test_the_window_s_held_out_panel_counts_what_diverged_at_a_large_alpha(open_window, wait_snapshot):
    w = open_window(inner_lr=0.3)  # the random init blows up on many held-out tasks at this step size
    wait_snapshot(w, lambda s: s.evaluation is not None and "random" in s.evaluation.diverged)
    ev = w.eval._shown  # the evaluation the panel drew
    left_out = int(ev.diverged["random"].max())
    assert 0 < left_out < ev.n_tasks
    text = w.eval.readout.text()
    worst = max(int(d.max()) for d in ev.diverged.values())  # the shortest readout names the worst method's
    assert (f"{left_out} of {ev.n_tasks}" in text or f"{worst} of {ev.n_tasks}" in text) and "diverged" in text
    assert w.eval.readout.fits()
    assert np.isfinite(ev.mean["random"]).all()  # the rest still make a mean
