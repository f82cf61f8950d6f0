"""Record the plots to an animated GIF for slides.

A timer grabs the central widget (plots and controls, not the menu, toolbar or status bar)
at `fps`; each frame is kept zlib-compressed in memory (flat plot backgrounds shrink 10x or
more). Stopping hands them to a background thread that quantises and writes the GIF with
Pillow (imported only then), so the window stays live. The red "● REC" sits in the status
bar, outside what is recorded.
"""
from __future__ import annotations

import threading
import zlib

import numpy as np
from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

MAX_FRAMES = 1200  # 2 minutes at 10 fps (about 200 MB compressed); recording stops there by itself
MAX_WIDTH = 1280  # frames are scaled down to this width: GIFs for slides, not for printing


class Recorder(QObject):
    def __init__(self, window, fps: float = 10.0):
        super().__init__(window)
        self.window = window
        self.fps = fps
        self.path: str | None = None
        self.frames: list[tuple[int, int, bytes]] = []  # (height, width, zlib-compressed RGB)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.capture)
        self.saving: threading.Thread | None = None
        self._saved: tuple[str, int, str | None] | None = None  # (path, frames, error) from the writer
        self.poll = QTimer(self)
        self.poll.setInterval(200)
        self.poll.timeout.connect(self._check_saved)
        self.indicator = QLabel("")
        self.indicator.setObjectName("rec")
        self.indicator.setStyleSheet("QLabel#rec { color: white; background: #d7263d; font-weight: bold; "
                                     "border-radius: 4px; padding: 2px 10px; }")
        self.indicator.setToolTip("Recording the plots to a GIF: F9 stops and saves")
        self.indicator.hide()
        window.statusBar().insertPermanentWidget(0, self.indicator)

    @property
    def active(self) -> bool:
        return self.path is not None

    def start(self, path, fps: float | None = None, timed: bool = True) -> None:
        """Begin a recording; `timed=False` captures only when `capture()` is called (tests)."""
        self.path, self.frames = str(path), []
        self.fps = fps or self.fps
        self.indicator.setText("● REC 0 s")
        self.indicator.show()
        if timed:
            self.timer.start(round(1000 / self.fps))

    @Slot()
    def capture(self) -> None:
        if not self.active:
            return
        image = self.window.centralWidget().grab().toImage()
        if image.width() > MAX_WIDTH:
            image = image.scaledToWidth(MAX_WIDTH)
        image = image.convertToFormat(QImage.Format_RGB888)
        w, h, stride = image.width(), image.height(), image.bytesPerLine()
        buf = np.frombuffer(image.constBits(), np.uint8, count=stride * h).reshape(h, stride)
        self.frames.append((h, w, zlib.compress(np.ascontiguousarray(buf[:, : w * 3]).tobytes(), 1)))
        self.indicator.setText(f"● REC {len(self.frames) / self.fps:.0f} s")
        if len(self.frames) >= MAX_FRAMES:
            self.window.demo.record.setChecked(False)  # stops through the action, so its check mark follows

    def stop(self) -> str | None:
        """Stop capturing and write the GIF in the background; returns its path (None if no frames).
        `wait()` blocks until it is written."""
        self.timer.stop()
        self.indicator.hide()
        path, frames, self.path, self.frames = self.path, self.frames, None, []
        if not path or not frames:
            return None
        self.wait()  # one writer at a time
        self.window.show_notice(f"Saving {len(frames)} frames to {path}…")
        self.saving = threading.Thread(target=self._write, args=(path, frames), name="gif-writer", daemon=True)
        self.saving.start()
        self.poll.start()
        return path

    def _write(self, path: str, frames) -> None:
        try:
            write_gif(path, frames, self.fps)
            self._saved = (path, len(frames), None)
        except Exception as e:  # disk full, bad path: said in the window, nothing else breaks
            self._saved = (path, len(frames), str(e))

    def finish(self) -> None:
        """At shutdown: write what is being recorded and wait for the writer."""
        if self.active:
            self.stop()
        self.wait()
        self.poll.stop()

    def wait(self) -> None:
        if self.saving is not None:
            self.saving.join()
            self.saving = None

    @Slot()
    def _check_saved(self) -> None:
        if self.saving is not None and self.saving.is_alive():
            return
        self.poll.stop()
        self.saving = None
        if self._saved:
            path, n, error = self._saved
            self._saved = None
            self.window.show_notice(f"Could not write {path}: {error}" if error else f"Recorded {n} frames to {path}")


def write_gif(path: str, frames: list[tuple[int, int, bytes]], fps: float) -> None:
    """Each frame is decompressed and quantised (fast octree, 256 colours) as Pillow asks for it.
    Pillow stores a run of identical frames once with their durations summed: a paused stretch
    lasts as long as it did."""
    from PIL import Image

    def image(f):
        h, w, data = f
        return Image.frombytes("RGB", (w, h), zlib.decompress(data)).quantize(256, method=Image.Quantize.FASTOCTREE)

    from core import safeio

    rest = (image(f) for f in frames[1:])
    safeio.atomic_write(path, lambda out: image(frames[0]).save(out, format="GIF", save_all=True, append_images=rest,
                                                                duration=round(1000 / fps), loop=0), "GIF")
