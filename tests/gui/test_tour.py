"""The guided tour on the real window: every scene stepped through with the remote's keys from
whichever widget has the focus, its state applied and its caption shown; Esc puts the user's
state back; a bad scene file is a notice; Chinese captions for a Chinese locale."""
import json

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

from core.tour import load_tour
from gui.presets import RESOURCES
from gui.tour import TOUR, language

TWO_MINUTES_MS = 120_000  # a checkpoint load with its held-out evaluation, on a small shared machine


def _rect(widget, window) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _check_scene(w, scene, wait_snapshot, qtbot):
    tour, c, want = w.demo.tour, w.shared.get(), scene.controls()
    assert tour.active and tour.bar.isVisible()
    assert tour.caption() == scene.text(language())[1]
    assert tour.bar.title.text().endswith(scene.text(language())[0])
    for key, value in scene.changes.items():
        assert getattr(c, key) == value, (scene.name, key)
    assert c.task == want.task
    assert w.demo.explain.isChecked() == scene.panels["explain"]
    assert w.controls.pretrained.isChecked() == scene.panels["pretrained"]
    try:
        wait_snapshot(w, lambda s: (s.algorithm, s.family, s.model, s.compare, s.task) == (
            want.algorithm, want.family, want.model, want.compare, want.task)
            and (scene.checkpoint is None or s.iteration >= 70_000), timeout=TWO_MINUTES_MS)
    except Exception:
        s = w.snapshot
        raise AssertionError(f"{scene.name}: drawn {s.algorithm, s.family, s.model, s.compare, s.iteration, s.state}"
                             f" task {s.task.a, s.task.b}; controls {w.shared.get()}") from None
    if want.model == "two-param":  # the picture in parameter space
        qtbot.waitUntil(w.landscape.isVisible, timeout=TWO_MINUTES_MS)
    for panel in (*[p for p in w.panels.values() if p.isVisible()], w.loss, w.eval):
        assert not _rect(tour.bar, w).intersects(_rect(panel, w)), (scene.name, panel)  # never covers a plot


def test_the_tour_steps_through_every_scene_with_the_remotes_keys(open_window, wait_snapshot, qtbot, tmp_path):
    w = open_window(playing=True)
    wait_snapshot(w, lambda s: s.iteration > 0)
    w.shared.update(playing=False, inner_lr=0.03, display_steps=4)
    qtbot.waitUntil(lambda: w.host.last_state is not None and w.host.last_state.iteration > 0
                    and w.snapshot.state != "training", timeout=TWO_MINUTES_MS)
    before, trained = w.shared.get(), w.host.last_state.iteration  # what the tour keeps to put back
    scenes = load_tour(TOUR, RESOURCES)
    start = next(a for a in w.findChildren(QAction) if a.text() == "Guided &tour")  # Help > Tour
    start.trigger()
    tour = w.demo.tour
    # A remote's keys whatever has the focus: a spin box, a slider, a list, a plot.
    targets = (w.controls.seed, w.controls.shots, w.controls.algorithm, w.panels["meta"])
    for i, scene in enumerate(scenes):
        assert tour.index == i
        _check_scene(w, scene, wait_snapshot, qtbot)
        target = targets[i % len(targets)]
        target.setFocus()
        focused = QApplication.focusWidget()  # the widget inside (a slider's spin box, a plot's view)
        target = focused if focused is not None and focused.window() is w else target
        qtbot.keyClick(target, Qt.Key_Right if i % 2 else Qt.Key_PageDown)
    assert tour.index == len(scenes) - 1  # past the last scene: it stays
    assert tour.shown == [s.name for s in scenes]
    # Quick presses back and forth, through a scene that loads a checkpoint (05) and on to one that
    # does not (06): the trainer may read them in one batch, the late load must not win.
    for key, index in ((Qt.Key_Left, 6), (Qt.Key_PageUp, 5), (Qt.Key_Left, 4), (Qt.Key_Right, 5)):
        qtbot.keyClick(w.controls.shots, key)
        assert tour.index == index
    assert scenes[4].checkpoint is not None and scenes[5].checkpoint is None
    _check_scene(w, scenes[5], wait_snapshot, qtbot)

    qtbot.keyClick(w.controls.shots, Qt.Key_Escape)  # leaves the tour, not presenter mode
    assert not tour.active and not tour.bar.isVisible()
    assert w.shared.get() == before  # the user's settings and task, as they were
    assert not w.demo.explain.isChecked()
    wait_snapshot(w, lambda s: s.algorithm == "maml" and s.family == before.family and s.iteration == trained,
                  timeout=TWO_MINUTES_MS)  # and their meta-initialisation, at its iteration
    qtbot.keyClick(w.controls.shots, Qt.Key_Right)  # no tour: the key is the slider's again
    qtbot.waitUntil(lambda: w.shared.get().shots != before.shots)
    assert not tour.active and tour.index == 5

    bad = tmp_path / "tour"
    bad.mkdir()
    (bad / "01.json").write_text(json.dumps({"title": {"en": "x", "zh_CN": "x"}}), encoding="utf-8")
    tour.folder, now = bad, w.shared.get()
    assert not tour.start()
    assert not tour.active and w.shared.get() == now  # equal values (a late write of unchanged ones happens)
    assert w.notice.isVisible() and "01.json" in w.notice.text() and "caption" in w.notice.text()

    tour.folder = TOUR
    from gui import i18n

    assert i18n.install("zh_CN")  # the window's language (--lang, View > Language) picks the captions
    try:
        assert language() == "zh_CN"
        assert tour.start()
        assert tour.caption() == scenes[0].text("zh_CN")[1] and "退出" in tour.bar.keys.text()
        qtbot.keyClick(w.panels["random"], Qt.Key_Escape)
        assert not tour.active
    finally:
        i18n.install("en")
    assert language() == "en"


def test_with_autoplay_the_tour_plays_itself_within_its_time(open_window, qtbot):
    import time

    w = open_window()
    tour = w.demo.tour
    assert tour.start(autoplay=True, until=time.perf_counter() + 4.0)
    qtbot.waitUntil(lambda: tour.index == len(tour.scenes) - 1, timeout=TWO_MINUTES_MS)
    assert tour.shown == [s.name for s in tour.scenes]
    w.demo.present.setChecked(True)  # presenter mode: its own Esc waits until the tour has left
    qtbot.keyClick(w.controls.seed, Qt.Key_Escape)
    assert not tour.active and w.demo.presenter.on
    qtbot.keyClick(w.panels["meta"], Qt.Key_Escape)  # from the plots (in a number box, Esc first reverts it)
    assert not w.demo.presenter.on


def test_a_scene_shown_late_shrinks_the_scenes_after_it(open_window, monkeypatch):
    """Autoplay with a deadline paces the scenes left at every scene: when one is shown late (a
    busy machine), the rest share the time that is left, so every scene is still shown by then."""
    import time

    import gui.tour as tour_module

    w = open_window()
    tour = w.demo.tour
    until = time.perf_counter() + 1000.0  # time enough: every scene its own seconds
    assert tour.start(autoplay=True, until=until)
    tour._first_picture()  # the clock starts now, not at the first drawn snapshot
    assert tour.timer.interval() == round(tour.scenes[0].seconds * 1000)
    monkeypatch.setattr(tour_module.time, "perf_counter", lambda: until - 20.0)  # scene 2 shows very late
    tour.next()
    left = [s.seconds for s in tour.scenes[1:]]
    assert sum(left) > 20.0, "the test needs scenes that no longer fit"
    assert tour.timer.interval() == round(left[0] * 20.0 / sum(left) * 1000)  # shrunk to fit what is left
    tour.leave()


def test_main_tour_autoplay_shows_every_scene_before_quitting(tmp_path):
    """The issue's command: `main.py --tour --autoplay --quit-after 25` exits 0, every scene shown."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    stats = tmp_path / "s.json"
    r = subprocess.run([sys.executable, "main.py", "--tour", "--autoplay", "--quit-after", "25", "--stats",
                        str(stats)], cwd=root, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert json.loads(stats.read_text())["tour_scenes"] == [s.name for s in load_tour(TOUR, RESOURCES)]
