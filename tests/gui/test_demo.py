"""Demo features in the real window: checkpoints both ways with the CLI, the shipped trained
model, presenter mode, the light theme, export, explain mode and the shortcuts sheet."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.checkpoint import load
from gui import style

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")


pytestmark = pytest.mark.usefixtures("dark_again")  # tests/gui/conftest.py


def cli(*args):
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=ENV, capture_output=True, text=True,
                          timeout=180)


def test_a_checkpoint_saved_in_the_window_evaluates_in_the_cli(tmp_path, qtbot, open_window, wait_snapshot):
    w = open_window(algorithm="fomaml", seed=3)
    w.controls.step_once()
    wait_snapshot(w, lambda s: s.iteration >= 1)
    path = tmp_path / "window.pt"
    w.demo.documents.save_checkpoint_to(path)
    qtbot.waitUntil(path.exists, timeout=30_000)
    assert load(path).config["algorithm"] == "fomaml"
    out = tmp_path / "e.json"
    r = cli("evaluate", str(path), "--tasks", "20", "--json", str(out))
    assert r.returncode == 0, r.stderr
    assert out.exists() and json.loads(out.read_text())


def test_a_cli_checkpoint_loads_into_the_window(tmp_path, open_window, wait_snapshot):
    path = tmp_path / "cli.pt"
    r = cli("train", "--iterations", "50", "--algorithm", "reptile", "--device", "cpu", "--quiet",
            "--save", str(path))
    assert r.returncode == 0, r.stderr
    w = open_window()
    assert w.demo.documents.load_checkpoint_from(path)
    # (the trainer may publish one frame with the old name before it re-reads the controls)
    snap = wait_snapshot(w, lambda s: s.iteration == 50 and s.algorithm == "reptile")
    assert w.shared.get().algorithm == "reptile" and snap.model == "mlp"


def test_a_bad_checkpoint_changes_nothing(tmp_path, open_window):
    w = open_window()
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    before = w.shared.get()
    assert not w.demo.documents.load_checkpoint_from(bad)
    assert w.shared.get() is before and w.notice.isVisible()


def test_load_trained_model_shows_the_finished_result(open_window, wait_snapshot):
    w = open_window(family="linear", model="two-param")
    w.demo.trained.trigger()
    snap = wait_snapshot(w, lambda s: s.iteration == 70_000 and s.family == "sinusoid")
    assert snap.algorithm == "maml" and snap.model == "mlp"
    # the finished result: one step from the trained init fits far better than from a random init
    assert snap.display_mse["meta"][-1] < snap.display_mse["random"][-1]


def test_presenter_mode_hides_advanced_controls_and_enlarges_and_comes_back(qtbot, open_window):
    w = open_window()
    c = w.controls
    title_pt = w.panels["meta"].title.font().pointSize()
    width = w.panels["meta"].pens()[-1].widthF()
    assert c.beta.isVisibleTo(w) and c.algorithm.isVisibleTo(w)
    w.demo.present.trigger()
    assert w.isFullScreen() or w.windowState() & w.windowState().WindowFullScreen
    assert w.demo.presenter.on and not w.menuBar().isVisible()
    for hidden in (c.beta, c.algorithm, c.seed, c.meta_batch):
        assert not hidden.isVisibleTo(w)
    for shown in (c.play, c.step, c.reset, c.new_task, c.alpha, c.shots):
        assert shown.isVisibleTo(w)
    assert w.panels["meta"].title.font().pointSize() > title_pt
    assert w.panels["meta"].pens()[-1].widthF() > width
    w.demo.present.trigger()  # F11 again (Esc does the same)
    assert not w.isFullScreen() and not w.demo.presenter.on
    assert c.beta.isVisibleTo(w) and c.algorithm.isVisibleTo(w)
    assert w.panels["meta"].title.font().pointSize() == title_pt


def test_light_theme_is_a_second_palette(open_window):
    w = open_window()
    w.demo.light.trigger()
    assert style.themes.current.panel == "#ffffff" and style.themes.current.text == "#111111"
    assert w.panels["meta"].plot.backgroundBrush().color().name() == "#ffffff"
    w.demo.light.trigger()
    assert style.themes.current == style.DARK
    assert w.panels["meta"].plot.backgroundBrush().color().name() == style.DARK.panel


def test_export_window_and_panels(tmp_path, open_window):
    w = open_window()
    assert w.demo.exports.export_window(tmp_path / "w.png")
    assert (tmp_path / "w.png").stat().st_size > 10_000
    assert w.demo.exports.export_panel("meta", tmp_path / "maml.png") and (tmp_path / "maml.png").stat().st_size > 5_000
    assert w.demo.exports.export_panel("eval", tmp_path / "eval.svg")
    assert "<svg" in (tmp_path / "eval.svg").read_text()


def test_explain_mode_captions_and_the_phase_highlight(qtbot, open_window, wait_snapshot):
    w = open_window()
    w.demo.explain.trigger()
    ex = w.demo.explainer
    assert ex.code.isVisible() and ex.captions["meta"].isVisible() and ex.captions["loss"].isVisible()
    assert not any(label.isHidden() for label in ex.captions.values())
    assert "meta-update" in ex.code.text() and ex.current() is None  # paused: nothing highlighted
    w.controls.play.click()
    wait_snapshot(w, lambda s: s.state == "training")
    seen = set()
    qtbot.waitUntil(lambda: seen.add(ex.current()) or len(seen - {None}) >= 2, timeout=30_000)
    assert "▶" in ex.code.text()
    w.demo.present.trigger()  # presenter mode: the code moves into the controls column
    assert ex.side.isVisible() and not ex.code.isVisible() and ex.shown() is ex.side
    w.demo.present.trigger()
    assert ex.code.isVisible() and not ex.side.isVisible()
    w.demo.explain.trigger()
    assert not ex.code.isVisible() and not ex.side.isVisible()


def test_the_shortcut_sheet_lists_the_keys_that_are_bound(open_window):
    """Every key the sheet names is bound to an action or shortcut of the window, and the sheet shows it."""
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    from gui.menus import SHORTCUTS

    w = open_window()
    bound = {QKeySequence(s.key()).toString() for s in w.findChildren(QShortcut)}
    for action in w.findChildren(QAction):
        bound |= {k.toString() for k in action.shortcuts()}
    named = [k for keys, _ in SHORTCUTS for alt in keys.split(" or ") for k in alt.split(" / ")
             if k not in ("Click", "Drag", "Right click")]
    assert named and all(QKeySequence(k).toString() in bound for k in named), sorted(
        k for k in named if QKeySequence(k).toString() not in bound)
    w.demo.show_shortcuts()
    text = w.demo.sheet.text()
    assert all(k in text for k in named)
    w.demo.sheet.close()
