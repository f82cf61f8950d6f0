"""Record the plots to an MP4 or a GIF (the file name's extension chooses).

A frame is taken right after each repaint that showed a new snapshot (the window's
`snapshotDrawn`), at most `max_fps` a second, by copying the central widget's rectangle out of
the window's backing store (about a millisecond, where re-rendering it with `grab()` takes
tens) into shared memory for the encoder process (`gui.encoder_process`). When the encoder
falls behind, frames are dropped and counted, never waited for. Each frame keeps its real
time. Stopping, quitting or closing the window closes the file. The red "● REC" sits in the
status bar, outside what is recorded.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QRect, QTimer, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from gui import style
from gui.encoder_process import EncoderProcess
from gui.encoders import claim_target
from gui.i18n import tr

QUEUE_FRAMES = 8  # shared-memory slots for frames in flight (about 8 MB each on a full-HD screen)
BGRA_FORMATS = (QImage.Format_RGB32, QImage.Format_ARGB32, QImage.Format_ARGB32_Premultiplied)  # B, G, R, A bytes


@dataclass
class Recording:
    """What a finished recording gave."""
    path: str
    frames: int  # written to the file
    dropped: int  # taken while the encoder was behind: not in the file
    seconds: float
    error: str | None = None

    def summary(self) -> str:
        if self.error:  # the encoder's own words are translated; an exception's text stays as it is
            return tr("Could not write {0}: {1}").format(self.path, tr(self.error))
        if not self.frames:
            return tr("Nothing was recorded to {0} (no new frame was drawn)").format(self.path)
        if self.dropped:
            return tr("Recorded {0} frames ({1:.1f} s) to {2}, {3} dropped (the encoder fell behind)").format(
                self.frames, self.seconds, self.path, self.dropped)
        return tr("Recorded {0} frames ({1:.1f} s) to {2}").format(self.frames, self.seconds, self.path)


def bgra(image: QImage) -> np.ndarray:
    """The image's pixels as an (h, w, 4) array (Qt's 32-bit formats are B, G, R, A in memory)."""
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return rows[:, : w * 4].reshape(h, w, 4)


class Recorder(QObject):
    running = Signal(bool)  # a recording started or stopped (for the Record action's check mark)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.path: str | None = None
        self.last: Recording | None = None  # the latest finished recording
        self.taken = self.dropped = 0
        self._encoder: EncoderProcess | None = None  # the current or the last still being written
        self._t0: float | None = None  # time of the first frame
        self._last = -1.0  # time of the last frame taken
        self._started = 0.0
        self._seconds = 0.0  # from the first frame to the stop
        self.poll = QTimer(self)  # tells the window when a stopped recording is written
        self.poll.setInterval(100)
        self.poll.timeout.connect(self._check_written)
        self.indicator = QLabel("")
        self.indicator.setObjectName("rec")
        self.indicator.setStyleSheet("QLabel#rec { color: white; background: #d7263d; font-weight: bold; "
                                     "border-radius: 4px; padding: 2px 10px; }")
        self.indicator.setToolTip(tr("Recording the plots: F9 stops and saves"))
        self.indicator.hide()
        window.statusBar().insertPermanentWidget(0, self.indicator)

    @property
    def active(self) -> bool:
        return self.path is not None

    def start(self, path) -> None:
        """Begin recording to `path` (.mp4 or .gif); RecordTargetError, with nothing changed, if
        it cannot be written there."""
        self.finish()  # a previous recording still being written comes first
        target = claim_target(path)
        central, screen = self.window.centralWidget(), self.window.screen()
        ratio = self.window.devicePixelRatioF()
        h = max(central.height(), screen.size().height() if screen else 0)
        w = max(central.width(), screen.size().width() if screen else 0)
        self._encoder = EncoderProcess(target, round(h * ratio), round(w * ratio), QUEUE_FRAMES)
        self.path = str(target)
        self.taken = self.dropped = 0
        self._t0, self._last, self._started = None, -1.0, time.perf_counter()
        self.window.snapshotDrawn.connect(self._on_drawn)
        self.indicator.setText(tr("● REC {0:.0f} s").format(0))
        self.indicator.show()
        self.running.emit(True)

    @Slot(object, float)
    def _on_drawn(self, _snapshot, ended: float) -> None:
        """A repaint showed a new snapshot: take it, unless the last frame is more recent than
        the writer's frame rate allows (5% slack for timer jitter)."""
        if ended - self._last < 0.95 / self._encoder.max_fps:
            return
        self._last = ended
        self.capture(ended)

    def capture(self, now: float | None = None) -> None:
        """Hand the central widget, as last painted, to the encoder; dropped if it is behind."""
        if not self.active:
            return
        if self._encoder.poll():  # the encoder stopped on an error: stop, and say why
            self.stop()
            return
        now = time.perf_counter() if now is None else now
        if self._t0 is None:
            self._t0 = now
        self.taken += 1
        if not self._encoder.offer(self.frame_pixels(), now - self._t0):
            self.dropped += 1
        text = tr("● REC {0:.0f} s").format(now - self._t0)
        if self.indicator.text() != text:
            self.indicator.setText(text)

    def frame_pixels(self) -> np.ndarray:
        """The central widget's pixels in the window's backing store (a view, no copy); a render
        of the widget where the backing store is not an image."""
        central = self.window.centralWidget()
        store = self.window.backingStore()
        device = store.paintDevice() if store is not None else None
        if not isinstance(device, QImage) or device.format() not in BGRA_FORMATS:
            return bgra(central.grab().toImage().convertToFormat(QImage.Format_RGB32)).copy()  # outlives the image
        ratio = device.devicePixelRatio()
        top_left = central.mapTo(self.window, central.rect().topLeft())
        r = QRect(round(top_left.x() * ratio), round(top_left.y() * ratio),
                  round(central.width() * ratio), round(central.height() * ratio)) & device.rect()
        return bgra(device)[r.y(): r.y() + r.height(), r.x(): r.x() + r.width()]

    def stop(self) -> str | None:
        """Stop taking frames; the encoder writes those in flight and closes the file without
        holding up the window (`finish()` waits for it). Returns the path."""
        if not self.active:
            return None
        self.window.snapshotDrawn.disconnect(self._on_drawn)
        self.indicator.hide()
        self._seconds = max(0.0, time.perf_counter() - (self._t0 if self._t0 is not None else self._started))
        self._encoder.end(self._seconds)
        path, self.path = self.path, None
        self.poll.start()
        self.running.emit(False)
        return path

    def finish(self) -> Recording | None:
        """Stop, and wait until the file is complete (at shutdown: a recording is never lost)."""
        self.stop()
        if self._encoder is not None:
            self._encoder.close(self._seconds)
        self._check_written()
        return self.last

    @Slot()
    def _check_written(self) -> None:
        encoder = self._encoder
        if encoder is None or not encoder.poll():
            return
        encoder.close(self._seconds)  # at once: its result is in
        self.poll.stop()
        self._encoder = None
        frames, error = encoder.result
        self.last = Recording(str(encoder.path), frames, self.dropped, self._seconds, error)
        self.window.show_notice(self.last.summary(), style.ERROR if error else style.INFO)
