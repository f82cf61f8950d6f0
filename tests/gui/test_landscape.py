"""The two-scalar model's parameter-space panel, Alpha MAML's α strip and the iMAML λ control."""
import numpy as np
from PySide6.QtCore import Qt


def type_into(qtbot, entry, text):
    entry.setFocus()
    entry.selectAll()
    qtbot.keyClicks(entry, text)
    qtbot.keyClick(entry, Qt.Key_Return)


def test_surface_minimum_is_the_true_ab_and_a_click_places_the_random_init(qtbot, open_window, wait_snapshot):
    w = open_window(family="linear", model="two-param")
    snap = wait_snapshot(w, lambda s: s.landscape is not None and w.landscape.surface is not None)
    assert w.landscape.isVisible() and w.eval.isVisible()
    land = snap.landscape
    cell = max(np.diff(land.a).max(), np.diff(land.b).max())
    i, j = np.unravel_index(np.argmin(land.loss), land.loss.shape)
    ta, tb = land.true_ab
    assert abs(land.a[i] - ta) <= cell and abs(land.b[j] - tb) <= cell
    # the panel's image shows that same surface: its lowest cell is there too
    ma, mb = w.landscape.minimum
    assert abs(ma - ta) <= cell and abs(mb - tb) <= cell
    assert len(w.landscape.star.data) == 1

    a, b = 0.4, 1.6
    pos = w.landscape.to_pixel(a, b).toPoint()
    qtbot.mouseClick(w.landscape.plot.viewport(), Qt.LeftButton, pos=pos)
    snap = wait_snapshot(w, lambda s: s.landscape is not None
                         and np.allclose(s.landscape.paths["random"][0], (a, b), atol=0.06))
    steps = w.shared.get().display_steps
    assert snap.landscape.paths["random"].shape == (steps + 1, 2)


def test_sine_ab_surface_is_lowest_at_the_true_ab(open_window, wait_snapshot):
    w = open_window(family="sine-ab", model="two-param")
    land = wait_snapshot(w, lambda s: s.landscape is not None).landscape
    i = np.argmin(abs(land.a - land.true_ab[0]))
    j = np.argmin(abs(land.b - land.true_ab[1]))
    assert land.loss[i, j] <= land.loss.min() + 0.02 * (land.loss.max() - land.loss.min())


def test_alpha_maml_shows_its_learned_alpha_changing(qtbot, open_window, wait_snapshot):
    w = open_window(algorithm="alpha")
    assert w.controls.hyper_lr.isVisibleTo(w.controls) and not w.controls.lam.isVisibleTo(w.controls)
    qtbot.mouseClick(w.controls.play, Qt.LeftButton)
    wait_snapshot(w, lambda s: len(s.lr_history.get("alpha", ())) >= 20)
    qtbot.waitUntil(lambda: w.alpha_strip.shown is not None and len(w.alpha_strip.shown[1]) >= 20, timeout=30_000)
    assert w.alpha_strip.isVisible()
    alpha = w.alpha_strip.shown[1]
    assert np.ptp(alpha) > 0, "alpha is learned, so it moves"
    assert "learned α" in w.alpha_strip.value.text()
    qtbot.mouseClick(w.controls.play, Qt.LeftButton)


def test_imaml_lambda_is_live_and_validated(qtbot, open_window, wait_snapshot):
    w = open_window(algorithm="imaml")
    lam = w.controls.lam
    assert lam.isVisibleTo(w.controls) and not w.controls.hyper_lr.isVisibleTo(w.controls)
    type_into(qtbot, lam.entry, "5")
    assert w.shared.get().lam == 5.0
    qtbot.mouseClick(w.controls.step, Qt.LeftButton)
    wait_snapshot(w, lambda s: s.hparams.lam == 5.0 and s.iteration >= 1)
    messages = []
    w.controls.message.connect(messages.append)
    type_into(qtbot, lam.entry, "-1")
    assert w.shared.get().lam == 5.0 and lam.entry.text() == "5"
    assert messages and "λ" in messages[-1]
    # the row is only shown for iMAML
    w.controls.algorithm.setCurrentIndex(w.controls.algorithm.findData("maml"))
    qtbot.waitUntil(lambda: not lam.isVisibleTo(w.controls), timeout=5_000)


def test_two_param_surface_follows_edited_points_and_survives_no_points(qtbot, open_window, wait_snapshot):
    w = open_window(family="linear", model="two-param")
    wait_snapshot(w, lambda s: s.landscape is not None)
    qtbot.mouseClick(w.task_tools.clear, Qt.LeftButton)
    wait_snapshot(w, lambda s: s.task is not None and s.task.xs == () and s.landscape is not None)
    qtbot.waitUntil(lambda: w.landscape.minimum is None, timeout=30_000)
    for x in (-3.0, 3.0):  # the line y = 0.5 x + 1 through two clicked points
        qtbot.mouseClick(w.panels["meta"].plot.viewport(), Qt.LeftButton,
                         pos=w.editor.to_pixel(w.panels["meta"], x, 0.5 * x + 1.0).toPoint())
    t = w.shared.get().task
    snap = wait_snapshot(w, lambda s: s.task == t and s.landscape is not None)
    land = snap.landscape
    assert land.true_ab is None  # a user task has no true (a, b); the surface is its support loss
    i, j = np.unravel_index(np.argmin(land.loss), land.loss.shape)
    cell = max(np.diff(land.a).max(), np.diff(land.b).max())
    assert abs(land.a[i] - 0.5) <= 2 * cell and abs(land.b[j] - 1.0) <= 2 * cell
    assert not w._frame_error


def test_stretch_factor_makes_steps_visible_in_round_factors_and_says_one_when_it_need_not():
    from gui.landscape_panel import MIN_STEP_PX, ROUND, stretch_factor, stretched

    view, size = ((0.0, 6.0), (-6.0, 6.0)), (600.0, 600.0)  # 0.01 a, 0.02 b per pixel
    pixel = (0.01, 0.02)
    tiny = np.column_stack([np.linspace(1.0, 1.0 + 10 * 0.0005, 11), np.full(11, 0.5)])  # 0.05 px a step
    k = stretch_factor(tiny, view, size)
    assert k in ROUND and k > 1
    shown = stretched(tiny, k)
    assert np.allclose(shown[0], tiny[0])  # the init stays where it is
    gaps = np.hypot(*(np.diff(shown, axis=0) / pixel).T)
    assert gaps.mean() >= MIN_STEP_PX and gaps.mean() < 2.5 * MIN_STEP_PX  # the smallest round factor that does
    wide = np.column_stack([np.linspace(0, 1, 11), np.zeros(11)])  # 10 px a step
    assert stretch_factor(wide, view, size) == 1
    assert stretch_factor(np.zeros((11, 2)), view, size) == 1  # at the minimum: nothing to stretch
    assert stretch_factor(tiny[:1], view, size) == 1
    # never past MAX_STRETCH_OF_VIEW of a small view, nor off the view's edge
    assert stretch_factor(tiny, ((0.0, 0.4), (0.0, 0.8)), (40.0, 40.0)) < k
    edge = tiny + [5.99 - tiny[-1, 0], 0]  # ends 1 px from the right edge, heading right
    assert 1 <= stretch_factor(edge, view, size) < k
    assert np.all(stretched(edge, stretch_factor(edge, view, size))[:, 0] <= 6.0)


def test_parameter_space_shows_steps_at_default_alpha_a_colour_bar_and_a_trail_entry(qtbot, open_window,
                                                                                     wait_snapshot):
    from gui import style
    from gui.landscape_panel import MAX_STRETCH_OF_VIEW, MIN_STEP_PX, ROUND

    w = open_window(family="sine-ab", model="two-param")
    assert w.shared.get().inner_lr == 0.01
    panel = w.landscape
    snap = wait_snapshot(w, lambda s: s.landscape is not None and panel.surface is not None)
    qtbot.waitUntil(lambda: panel.stretch["meta"] > 1, timeout=30_000)
    true_path = snap.landscape.paths["meta"]
    px = [panel.to_pixel(a, b) for a, b in true_path]
    true_gaps = [np.hypot(p.x() - q.x(), p.y() - q.y()) for p, q in zip(px, px[1:])]
    assert np.mean(true_gaps) < MIN_STEP_PX  # too close to tell apart as drawn
    xs, ys = panel.paths["meta"].getData()
    shown = [panel.to_pixel(a, b) for a, b in zip(xs, ys)]
    gaps = [np.hypot(p.x() - q.x(), p.y() - q.y()) for p, q in zip(shown, shown[1:])]
    # at least MIN_STEP_PX apart, unless the next round factor would pass the cap on a path's span
    # (MAX_STRETCH_OF_VIEW of the view's diagonal): then the steps are as long as allowed
    vb = panel.plot.getPlotItem().getViewBox()
    diagonal = float(np.hypot(vb.width(), vb.height()))
    k = panel.stretch["meta"]
    larger = next(r for r in ROUND if r > k)
    capped = larger * sum(true_gaps) > MAX_STRETCH_OF_VIEW * diagonal
    assert np.mean(gaps) >= MIN_STEP_PX - 0.5 or capped, (np.mean(gaps), k, sum(true_gaps), diagonal)
    assert f"×{panel.stretch['meta']}" in panel.note.text() and panel.note.fits()
    assert "trail" in panel.legend.options[0] and panel.legend.fits()  # the entry, shortened when narrow
    bar = panel.colour_bar
    assert bar.isVisible() and np.allclose(bar.levels(), panel.image.getLevels())
    assert [label for _, label in bar.axis._tickLevels[0]]  # labelled ticks, in MSE
    w.demo.light.trigger()
    t = style.themes.current
    try:
        assert t.name == "light"
        assert panel.trail.opts["pen"].color().name() == t.trail
        assert panel.image.getColorMap().getColors()[0][:3].tolist() == list(bytes.fromhex(t.heat[0][1:]))
        assert bar.axis.textPen().color().name() == t.text
        assert t.trail in panel.legend.text() and t.muted in panel.note.text()
    finally:
        style.themes.set(style.DARK)
