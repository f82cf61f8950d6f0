"""Record the plots to an MP4 or a GIF (the file name's extension chooses).

A frame is taken right after each repaint that showed a new snapshot (the window's
`snapshotDrawn`), at most `max_fps` a second, by copying the central widget's rectangle out of
the window's backing store (half a millisecond, where re-rendering it with `grab()` takes tens).
Frames go through a small bounded queue to a worker thread that encodes and writes them
(`gui.encoders`); when the worker falls behind, frames are dropped and counted, never waited
for. Each frame keeps its real time. Stopping, quitting or closing the window flushes the file.
The red "● REC" sits in the status bar, outside what is recorded.
"""
from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QRect, QTimer, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from gui import style
from gui.encoders import open_writer

QUEUE_FRAMES = 12  # frames waiting for the encoder (about 5 MB each at 1600 px): bounded memory
WRITER_NICE = 5  # the encoder thread yields some CPU to the window and the trainer; behind, it drops frames


@dataclass
class Recording:
    """What a finished recording gave."""
    path: str
    frames: int  # written to the file
    dropped: int  # taken while the encoder was behind: not in the file
    seconds: float
    error: str | None = None

    def summary(self) -> str:
        if self.error:
            return f"Could not write {self.path}: {self.error}"
        if not self.frames:
            return f"Nothing was recorded to {self.path} (no new frame was drawn)"
        dropped = f", {self.dropped} dropped (the encoder fell behind)" if self.dropped else ""
        return f"Recorded {self.frames} frames ({self.seconds:.1f} s) to {self.path}{dropped}"


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
        self._queue: queue.Queue = queue.Queue(QUEUE_FRAMES)
        self._worker: threading.Thread | None = None
        self._writer = None
        self._error: str | None = None
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
        self.indicator.setToolTip("Recording the plots: F9 stops and saves")
        self.indicator.hide()
        window.statusBar().insertPermanentWidget(0, self.indicator)

    @property
    def active(self) -> bool:
        return self.path is not None

    def start(self, path) -> None:
        """Begin recording to `path` (.mp4 or .gif); RecordTargetError, with nothing changed, if
        it cannot be written there."""
        self.finish()  # a previous recording still being written comes first
        writer = open_writer(path)
        self.path, self._writer, self._error = str(writer.path), writer, None
        self.taken = self.dropped = 0
        self._t0, self._last, self._started = None, -1.0, time.perf_counter()
        self._worker = threading.Thread(target=self._write, args=(writer,), name="recording-writer", daemon=True)
        self._worker.start()
        self.window.snapshotDrawn.connect(self._on_drawn)
        self.indicator.setText("● REC 0 s")
        self.indicator.show()
        self.running.emit(True)

    @Slot(object, float)
    def _on_drawn(self, _snapshot, ended: float) -> None:
        """A repaint showed a new snapshot: take it, unless the last frame is more recent than
        the writer's frame rate allows (5% slack for timer jitter)."""
        if ended - self._last < 0.95 / self._writer.max_fps:
            return
        self._last = ended
        self.capture(ended)

    def capture(self, now: float | None = None) -> None:
        """Queue the central widget as it is on screen now; a full queue drops the frame."""
        if not self.active:
            return
        if self._error is not None:  # the writer failed: stop, and say why
            self.stop()
            return
        now = time.perf_counter() if now is None else now
        if self._t0 is None:
            self._t0 = now
        self.taken += 1
        try:
            self._queue.put_nowait((self.frame_image(), now - self._t0))
        except queue.Full:
            self.dropped += 1
        text = f"● REC {now - self._t0:.0f} s"
        if self.indicator.text() != text:
            self.indicator.setText(text)

    def frame_image(self) -> QImage:
        """A copy of the central widget's pixels from the window's backing store, as last painted;
        a render of the widget where the backing store is not an image."""
        central = self.window.centralWidget()
        store = self.window.backingStore()
        device = store.paintDevice() if store is not None else None
        if not isinstance(device, QImage):
            return central.grab().toImage()
        ratio = device.devicePixelRatio()
        top_left = central.mapTo(self.window, central.rect().topLeft())
        r = QRect(top_left, central.size())
        return device.copy(QRect(round(r.x() * ratio), round(r.y() * ratio),
                                 round(r.width() * ratio), round(r.height() * ratio)))

    def _write(self, writer) -> None:
        """The worker: encode frames until the end marker (None, stop time), then close the file."""
        t_end = 0.0
        try:  # Linux: a thread id here lowers this thread only (and the encoder threads it starts)
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WRITER_NICE)
        except (AttributeError, OSError):
            pass  # elsewhere it keeps the window's priority
        try:
            while True:
                image, t = self._queue.get()
                if image is None:
                    t_end = t
                    break
                writer.add(bgra(image), t)
        except Exception as e:  # disk full, encoder failure: said in the window, nothing else breaks
            self._error = f"{type(e).__name__}: {e}"
            while self._queue.get()[0] is not None:  # let stop() finish queueing its end marker
                pass
        finally:
            try:
                writer.close(t_end)
            except Exception as e:
                self._error = self._error or f"{type(e).__name__}: {e}"

    def stop(self) -> str | None:
        """Stop taking frames; the worker writes what is queued and closes the file without
        holding up the window (`finish()` waits for it). Returns the path."""
        if not self.active:
            return None
        self.window.snapshotDrawn.disconnect(self._on_drawn)
        self.indicator.hide()
        self._seconds = max(0.0, time.perf_counter() - (self._t0 if self._t0 is not None else self._started))
        self._queue.put((None, self._seconds))  # waits only while the queue is full (a few frames)
        path, self.path = self.path, None
        self.poll.start()
        self.running.emit(False)
        return path

    def finish(self) -> Recording | None:
        """Stop, and wait until the file is complete (at shutdown: a recording is never lost)."""
        self.stop()
        if self._worker is not None:
            self._worker.join()
        self._check_written()
        return self.last

    @Slot()
    def _check_written(self) -> None:
        if self._worker is None or self._worker.is_alive():
            return
        self.poll.stop()
        writer, self._worker, self._writer = self._writer, None, None
        self.last = Recording(str(writer.path), writer.frames, self.dropped, self._seconds, self._error)
        self.window.show_notice(self.last.summary(), style.ERROR if self._error else style.INFO)
