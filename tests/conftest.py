"""Shared test set-up. Qt runs offscreen (set before anything imports Qt); GUI fixtures import
Qt lazily, so core tests never load it."""
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GUI_WAIT_MS = 30_000  # generous: the machine is small and shared; no test asserts on speed


def fresh_controls(**changes):
    """Default controls with a drawn display task, as the app starts."""
    from dataclasses import replace

    import numpy as np

    from core.controls import Controls
    from core.display import new_display_task

    c = replace(Controls(), **changes)
    return replace(c, task=new_display_task(c.family, c.shots, np.random.default_rng(c.seed)))


@pytest.fixture
def open_window(qtbot):
    """Factory: the real main window with its real training thread, shown offscreen. The
    fixture holds each window until teardown, then closes it and joins its thread."""
    import torch

    from gui.app import create_window

    torch.set_num_threads(1)
    windows = []

    def make(**changes):
        window = create_window(fresh_controls(**changes))
        windows.append(window)
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.snapshot is not None, timeout=GUI_WAIT_MS)
        return window

    yield make
    import shiboken6

    for window in windows:
        host = window.host if shiboken6.isValid(window) else None
        if host is None:  # rebuilt in another language (gui/language.py): the test closed the new one
            continue
        window.close()  # closeEvent stops the timer and ends the trainer (its process, or thread)
        assert not host.alive()


@pytest.fixture
def wait_snapshot(qtbot):
    """wait_snapshot(window, pred): wait until the snapshot the window drew satisfies pred."""
    def wait(window, pred, timeout=GUI_WAIT_MS):
        qtbot.waitUntil(lambda: window.snapshot is not None and bool(pred(window.snapshot)), timeout=timeout)
        return window.snapshot

    return wait


def reading_mailbox():
    """A Mailbox read as the window reads it: `latest()` takes each new snapshot (which lets the
    trainer publish the next) and returns the newest seen."""
    from core.controls import Mailbox

    class Reading(Mailbox):
        seen = None

        def latest(self):
            taken = self.take()
            if taken is not None:
                self.seen = taken
            return self.seen

    return Reading()
