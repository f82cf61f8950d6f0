"""The window's trainer process: it trains behind the real window, dies with it however the
window ends, and a killed trainer is shown and restarted."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.conftest import GUI_WAIT_MS
from tests.core.test_host import running

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc")


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def test_the_window_trains_in_a_child_process(open_window, qtbot, wait_snapshot):
    w = open_window()
    assert w.host.pid != os.getpid() and w.host.pid in children(os.getpid())
    w.controls.set_playing(True)
    snap = wait_snapshot(w, lambda s: s.iteration > 20 and s.state == "training")
    assert snap.device == "cpu" and w.stats.draws > 0


@pytest.mark.parametrize("state", ["training", "paused", "diverged", "recording"])
def test_closing_in_any_state_leaves_no_trainer_process(open_window, qtbot, wait_snapshot, state, tmp_path):
    w = open_window()
    pid = w.host.pid
    if state != "paused":
        w.controls.set_playing(True)
        wait_snapshot(w, lambda s: s.iteration > 2)
    if state == "diverged":
        w.shared.update(outer_lr=5.0, inner_lr=5.0)
        wait_snapshot(w, lambda s: s.state == "diverged")
    if state == "recording":
        w.demo.recorder.start(str(tmp_path / "r.gif"))
        qtbot.wait(300)
    w.close()  # how fast is a benchmark's question (benchmarks/shutdown.py): here, that it ends cleanly
    assert not running(pid) and w.host.exitcode == 0


def test_a_killed_trainer_shows_a_banner_and_restart_carries_on(open_window, qtbot, wait_snapshot):
    w = open_window()
    w.controls.set_playing(True)
    wait_snapshot(w, lambda s: s.iteration > 30)
    qtbot.waitUntil(lambda: w.host.last_state is not None, timeout=GUI_WAIT_MS)
    pid, last = w.host.pid, w.host.last_state.iteration
    before = w.snapshot
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: w.notice.isVisible() and w.notice.button.isVisible(), timeout=GUI_WAIT_MS)
    assert "stopped unexpectedly" in w.notice.text() and w.notice.button.text() == "Restart training"
    kept = w.snapshot  # the last picture stays: the one shown at the kill, or one the trainer wrote just before it
    assert kept is not None and kept.iteration >= before.iteration and not running(pid)
    qtbot.wait(300)
    assert w.snapshot is kept  # and nothing replaces it while the trainer is down
    qtbot.mouseClick(w.notice.button, Qt.LeftButton)
    snap = wait_snapshot(w, lambda s: s.iteration > last and "Restarted" in s.message)
    assert w.host.pid not in (None, pid) and running(w.host.pid)
    assert snap.state == "training"


@pytest.mark.parametrize("after_s", [3.0, 0.0], ids=["training", "starting"])
def test_killing_the_window_process_leaves_no_orphan(tmp_path, after_s):
    """After 3 s the trainer trains (on a quiet machine); at 0 s it is still importing torch, when
    only the kernel (Linux's parent-death signal) can tell it the window is gone."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    p = subprocess.Popen([sys.executable, "main.py", "--autoplay", "--quit-after", "120"], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        kids = []
        while not kids and time.monotonic() < deadline:
            time.sleep(0.05)
            kids = children(p.pid)
        assert kids, "the window never started its trainer"
        time.sleep(after_s)
        p.send_signal(signal.SIGKILL)
        p.wait(10)
        deadline = time.monotonic() + 2.0
        while any(running(k) for k in kids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(running(k) for k in kids), "the trainer outlived its window by 2 s"
    finally:
        if p.poll() is None:
            p.kill()
        for k in children(p.pid):
            os.kill(k, signal.SIGKILL)
