"""Issue 13's file attacks through the window and the start-up path: each refused with a message,
the state untouched, no traceback, no hang; and the loads that used to crash the trainer."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt

from core import checkpoint as ckpt
from core.controls import Controls
from core.models import MLP
from gui import presets
from tests.conftest import GUI_WAIT_MS

ROOT = Path(__file__).resolve().parents[2]


def crafted(path, tensor=None, **cfg):
    """A checkpoint with one hostile tensor or config value (torch.save, as an attacker would)."""
    params = MLP().init(torch.Generator().manual_seed(0))
    if tensor is not None:
        params["0.weight"] = tensor
    config = dict(ckpt.config_from_controls(Controls(), 7), **cfg)
    torch.save({"state_dict": params, "config": config}, path)
    return path


CRAFTED = [("meta.pt", torch.empty(40, 1, device="meta"), {}), ("sparse.pt", torch.zeros(40, 1).to_sparse(), {}),
           ("bools.pt", None, {"hidden": [True, True]}), ("iters.pt", None, {"iterations": "abc"})]


# ---- without a window: presets ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["/etc/passwd", "../../../etc/passwd", "checkpoints/../../main.py", "a\0b"])
def test_a_preset_checkpoint_outside_resources_is_refused(tmp_path, name):
    from gui.validation import PresetError

    preset = tmp_path / "p.json"
    preset.write_text(json.dumps({"name": "x", "checkpoint": name}))
    with pytest.raises(PresetError, match="relative|outside|NUL"):
        presets.read_preset(preset)


@pytest.mark.parametrize("name, tensor, cfg", CRAFTED)
def test_a_preset_with_a_crafted_checkpoint_is_refused_whole(tmp_path, monkeypatch, name, tensor, cfg):
    from gui.validation import PresetError

    monkeypatch.setattr(presets, "RESOURCES", tmp_path)
    crafted(tmp_path / name, tensor, **cfg)
    preset = tmp_path / "p.json"
    preset.write_text(json.dumps({"name": "x", "seed": 77, "checkpoint": name}))
    with pytest.raises(PresetError, match="checkpoint refused"):
        presets.read_preset(preset)


def test_hostile_presets_are_refused_before_reading(tmp_path):
    from gui.validation import PresetError

    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 1000 + "]" * 1000)
    huge = tmp_path / "huge.json"
    huge.write_text('{"seed": ' + "9" * 5000 + "}")
    for path, needle in ((fifo, "FIFO"), (deep, "nested"), (huge, "digits"), (str(tmp_path) + "/x\0.json", "NUL")):
        t0 = time.monotonic()
        with pytest.raises(PresetError, match=needle):
            presets.read_preset(path)
        assert time.monotonic() - t0 < 20  # a hang would be minutes (the FIFO used to block for ever)


@pytest.mark.parametrize("name, tensor, cfg", CRAFTED[:2])
def test_a_crafted_preset_checkpoint_through_main_is_one_line_and_exit_2(tmp_path, name, tensor, cfg):
    """It used to abort (exit 134, "QThread: Destroyed while thread still running")."""
    resources = ROOT / "resources"
    path = crafted(resources / "checkpoints" / f"test-crafted-{os.getpid()}-{name}", tensor, **cfg)
    preset = tmp_path / "p.json"
    preset.write_text(json.dumps({"name": "x", "checkpoint": str(path.relative_to(resources))}))
    try:
        r = subprocess.run([sys.executable, "main.py", "--preset", str(preset), "--quit-after", "5"], cwd=ROOT,
                           env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), capture_output=True, text=True,
                           timeout=120)
    finally:
        path.unlink()
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "checkpoint refused" in r.stderr, r.stderr


def test_the_editor_stops_at_the_limit_sessions_hold(qtbot):
    from dataclasses import replace

    from core.controls import DisplayTask, SharedControls
    from core.settings import MAX_POINTS
    from gui.task_editor import TaskEditor

    xs = tuple(float(i % 10) - 5 for i in range(MAX_POINTS - 1))
    shared = SharedControls(replace(Controls(), task=DisplayTask("sinusoid", None, None, xs, xs)))
    editor = TaskEditor(shared, [])
    assert editor.add_point(0.5, 0.5) == MAX_POINTS - 1
    with qtbot.waitSignal(editor.message, timeout=1000) as said:
        assert editor.add_point(0.0, 0.0) is None
    assert str(MAX_POINTS) in said.args[0] and len(shared.get().task.xs) == MAX_POINTS


# ---- the real window ----------------------------------------------------------------------------
def _trained_for(w, qtbot, iterations):
    w.shared.update(playing=True)
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.iteration >= iterations, timeout=GUI_WAIT_MS)


def test_linear_preset_autoplay_then_ctrl_l_shows_no_error(qtbot):
    """Issue 13's must-show: `main.py --preset resources/presets/linear.json --autoplay`, Ctrl+L,
    and --stats' errors is empty (it was "Training stopped: KeyError: 'a'")."""
    from gui.app import create_window, initial_controls, parse_args, run_stats

    args = parse_args(["--preset", str(presets.PRESETS / "linear.json"), "--autoplay"])
    controls, checkpoint, _ = initial_controls(args)
    assert controls.model == "two-param" and controls.playing and checkpoint is None
    w = create_window(controls)
    try:
        qtbot.waitExposed(w)
        qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.iteration > 20, timeout=GUI_WAIT_MS)
        w.activateWindow()
        qtbot.keyClick(w, Qt.Key_L, Qt.ControlModifier)
        qtbot.waitUntil(lambda: w.snapshot.model == "mlp" and w.snapshot.iteration >= 70_000, timeout=GUI_WAIT_MS)
        qtbot.waitUntil(lambda: w.snapshot.iteration > 70_050, timeout=GUI_WAIT_MS)  # and it trains on
        stats = run_stats(w)
        assert stats["errors"] == [] and stats["state"] == "training", stats
    finally:
        w.close()
    assert not w.host.alive()


def test_a_metasgd_checkpoint_under_alpha_maml_loads(tmp_path, open_window, qtbot):
    """It was "Training stopped: ValueError: only one element tensors can be converted"."""
    path = tmp_path / "m.pt"
    model = MLP()
    ckpt.save(path, model, model.init(torch.Generator().manual_seed(1)),
              ckpt.config_from_controls(Controls(algorithm="metasgd"), 40),
              {k: torch.full_like(v, 0.01) for k, v in model.init().items()})
    w = open_window(algorithm="alpha")
    _trained_for(w, qtbot, 5)
    assert w.demo.documents.load_checkpoint_from(path)
    qtbot.waitUntil(lambda: w.snapshot.algorithm == "metasgd" and w.snapshot.iteration > 45, timeout=GUI_WAIT_MS)
    assert w.errors == [] and w.snapshot.state == "training"


@pytest.mark.parametrize("name, tensor, cfg", CRAFTED)
def test_file_open_of_a_crafted_checkpoint_is_a_notice_and_nothing_changes(tmp_path, open_window, qtbot,
                                                                          name, tensor, cfg):
    w = open_window()
    w.shared.post("step")
    qtbot.waitUntil(lambda: w.snapshot.iteration == 1, timeout=GUI_WAIT_MS)
    before = w.shared.get()
    assert not w.demo.documents.load_checkpoint_from(crafted(tmp_path / name, tensor, **cfg))
    assert w.shared.get() is before and len(w.errors) == 1 and w.notice.isVisible()
    assert "\n" not in w.errors[0]


def test_a_preset_whose_checkpoint_is_refused_changes_nothing(tmp_path, monkeypatch, open_window, qtbot):
    """It used to apply the settings and reset training before the checkpoint was refused."""
    monkeypatch.setattr(presets, "RESOURCES", tmp_path)
    crafted(tmp_path / "meta.pt", torch.empty(40, 1, device="meta"))
    preset = tmp_path / "p.json"
    preset.write_text(json.dumps({"name": "x", "seed": 77, "inner_lr": 0.3, "checkpoint": "meta.pt"}))
    w = open_window()
    w.shared.post("step")
    w.shared.post("step")
    qtbot.waitUntil(lambda: w.snapshot.iteration == 2, timeout=GUI_WAIT_MS)
    before = w.shared.get()
    assert not w.demo.documents.open_preset(preset)
    assert w.shared.get() is before and len(w.errors) == 1 and "meta" in w.errors[0]
    w.shared.post("step")
    qtbot.waitUntil(lambda: w.snapshot.iteration == 3, timeout=GUI_WAIT_MS)  # not reset


def test_a_session_whose_checkpoint_is_refused_changes_nothing(tmp_path, open_window, qtbot):
    from core import session

    crafted(tmp_path / "sparse.pt", torch.zeros(40, 1).to_sparse())
    path = tmp_path / "s.maml.json"
    path.write_text(session.dumps(Controls(seed=5), checkpoint="sparse.pt"))
    w = open_window()
    before = w.shared.get()
    assert not w.demo.documents.open_session(path)
    assert w.shared.get() is before and len(w.errors) == 1 and "sparse" in w.errors[0]
    fifo = tmp_path / "f.maml.json"
    os.mkfifo(fifo)
    assert not w.demo.documents.open_session(fifo)  # refused at once, not a hung window
    assert w.shared.get() is before and len(w.errors) == 2


@pytest.mark.parametrize("argv, unset, needle", [
    (["--quit-after", "1"], {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}, "DISPLAY is not set"),
    (["--quit-after", "3000000"], set(), "quit after must be between"),
    (["--stats", "/nonexistent-dir/s.json", "--quit-after", "1"], set(), "does not exist"),
    (["--screenshot", "/", "--quit-after", "1"], set(), "directory"),
])
def test_window_start_refusals_are_one_line_and_exit_2(argv, unset, needle):
    """No display used to be Qt's abort ("reinstalling the application may fix this problem");
    --quit-after 3000000 aborted (exit 134); an unwritable --stats was a traceback at exit."""
    full = {k: v for k, v in dict(os.environ, QT_QPA_PLATFORM="offscreen").items() if k not in unset}
    r = subprocess.run([sys.executable, "main.py", *argv], cwd=ROOT, env=full, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr, r.stderr


def test_display_problem_names_what_is_missing(tmp_path, monkeypatch):
    import shutil

    from gui.app import XcbCheck, display_problem

    assert "DISPLAY" in display_problem({})
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert display_problem({"DISPLAY": ":1"}) is None
    fake = tmp_path / "ldd"  # a system without libxcb-cursor0, as ldd reports it
    fake.write_text("#!/bin/sh\necho '\tlibxcb-cursor.so.0 => not found'\necho '\tlibc.so.6 => /lib/libc.so.6'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name: str(fake) if name == "ldd" else None)
    problem = XcbCheck({"DISPLAY": ":1"}).problem()
    assert "libxcb-cursor.so.0" in problem and "libc" not in problem
    assert XcbCheck({"QT_QPA_PLATFORM": "offscreen"}).problem() is None


def test_pictures_are_written_whole_and_never_over_a_folder_or_device(qtbot, tmp_path):
    from PySide6.QtGui import QPixmap

    from gui.imagefile import save_pixmap

    pixmap = QPixmap(12, 8)
    assert save_pixmap(pixmap, tmp_path / "a.png") is None
    assert (tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")
    assert save_pixmap(pixmap, tmp_path / "b.jpg") is None and (tmp_path / "b.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert "directory" in save_pixmap(pixmap, tmp_path)
    assert "does not exist" in save_pixmap(pixmap, tmp_path / "no" / "c.png")
    assert sorted(os.listdir(tmp_path)) == ["a.png", "b.jpg"]  # no temporary files left
