"""Record the plots to an animated GIF for slides.

A timer grabs the central widget (plots and controls, not the menu, toolbar or status bar)
at `fps` into memory; stopping writes the GIF with imageio (imported only then). The red
"● REC" sits in the status bar, outside what is recorded.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

MAX_FRAMES = 1500  # about 2.5 minutes at 10 fps; recording stops there by itself
MAX_WIDTH = 1280  # frames are scaled down to this width: GIFs for slides, not for printing


class Recorder(QObject):
    def __init__(self, window, fps: float = 10.0):
        super().__init__(window)
        self.window = window
        self.fps = fps
        self.path: str | None = None
        self.frames: list[np.ndarray] = []
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.capture)
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
        self.frames.append(buf[:, : w * 3].reshape(h, w, 3).copy())
        self.indicator.setText(f"● REC {len(self.frames) / self.fps:.0f} s")
        if len(self.frames) >= MAX_FRAMES:
            self.window.demo.record.setChecked(False)  # stops through the action, so its check mark follows

    def stop(self) -> str | None:
        """Write the GIF; returns its path, or None when nothing was written."""
        self.timer.stop()
        self.indicator.hide()
        path, frames, self.path, self.frames = self.path, self.frames, None, []
        if not path or not frames:
            return None
        try:
            write_gif(path, frames, self.fps)
        except Exception as e:  # disk full, bad path: say so, keep running
            self.window.show_notice(f"Could not write {path}: {e}")
            return None
        self.window.show_notice(f"Recorded {len(frames)} frames to {path}")
        return path


def write_gif(path: str, frames: list[np.ndarray], fps: float) -> None:
    import imageio.v3 as iio

    # Pillow stores a run of identical frames once, with their durations summed: a paused
    # stretch still lasts as long as it did, in a smaller file.
    iio.imwrite(path, np.stack(frames), extension=".gif", duration=round(1000 / fps), loop=0)
