"""The QThread that runs core's Trainer; the GUI only ever talks to it through
SharedControls (in) and the Mailbox (out), so nothing here is called per iteration."""
from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QThread

from core.controls import Mailbox, SharedControls
from core.trainer import Trainer


class TrainingThread(QThread):
    """Owns the Trainer. `stop()` is idempotent and returns once the thread has ended."""

    def __init__(self, shared: SharedControls, mailbox: Mailbox, parent=None):
        super().__init__(parent)
        self.shared, self.mailbox = shared, mailbox
        self.stop_event = threading.Event()
        self.trainer = None
        self.error = ""  # set if the trainer itself could not start or died
        self.error_detail = ""

    def run(self) -> None:
        try:
            self.trainer = Trainer(self.shared, self.mailbox)
            self.trainer.run(self.stop_event)
        except Exception as e:  # never let an exception escape a QThread; the window shows it
            self.error = f"The training thread stopped: {type(e).__name__}: {e}"
            self.error_detail = traceback.format_exc()

    @property
    def iterations(self) -> int:
        return self.trainer.iteration if self.trainer is not None else 0

    def stop(self) -> None:
        self.stop_event.set()
        self.shared.wake()
        self.quit()
        self.wait()
