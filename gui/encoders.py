"""Files a recording is written to, one frame at a time in the encoder process
(`gui.encoder_process`): an H.264 MP4 through PyAV, an animated GIF through Pillow. Qt-free: a
frame is an (h, w, 4) BGRA uint8 array (Qt's 32-bit image layout) with its time in seconds
since the first frame. Both write as they go, so memory stays flat however long the
recording, and `close()` leaves a playable file.
"""
from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

import numpy as np

from core.words import QT_TR_NOOP, TranslatableError


class RecordTargetError(TranslatableError):
    """A path a recording cannot be written to, with the reason in words (in the window's language
    through `shown(tr)`)."""


def check_target(path) -> Path:
    """The path as a recording target, or RecordTargetError saying why not (before anything opens)."""
    p = Path(path).expanduser()
    kinds = " or ".join(WRITERS)
    if p.suffix.lower() not in WRITERS:
        raise RecordTargetError(QT_TR_NOOP("cannot record to {path}: the name must end in {kinds} "
                                           "(it chooses the format)"), path=p, kinds=kinds)
    if p.is_dir():
        raise RecordTargetError(QT_TR_NOOP("cannot record to {path}: it is a folder"), path=p)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise RecordTargetError(QT_TR_NOOP("cannot record to {path}: the folder {folder} does not exist"),
                                path=p, folder=parent)
    if not os.access(parent, os.W_OK | os.X_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise RecordTargetError(QT_TR_NOOP("cannot record to {path}: not allowed to write there"), path=p)
    return p


def claim_target(path) -> Path:
    """Check the path and create (or empty) the file now, so a failure is said at the start."""
    p = check_target(path)
    try:
        p.open("wb").close()
    except OSError as e:
        raise RecordTargetError(QT_TR_NOOP("cannot record to {path}: {reason}"), path=p,
                                reason=e.strerror or e) from e
    return p


def open_writer(path):
    """The writer its name asks for, its file already open (so a failure shows at once)."""
    p = check_target(path)
    try:
        return WRITERS[p.suffix.lower()](p)
    except OSError as e:
        raise RecordTargetError(QT_TR_NOOP("cannot record to {path}: {reason}"), path=p,
                                reason=e.strerror or e) from e


class Mp4Writer:
    """H.264 in yuv420p at even dimensions, variable frame rate: each frame keeps its real time
    (millisecond pts), so a pause in the window lasts as long in the video."""

    max_fps: ClassVar[float] = 30.0
    max_width: ClassVar[int] = 1920  # a full-HD screen; larger windows are scaled down
    preset: ClassVar[str] = "ultrafast"  # plots are flat colour: the fastest preset costs little in size
    threads: ClassVar[int] = 1  # one encoding thread: the window and the trainer share a small machine

    def __init__(self, path: Path):
        import av

        self.path = path
        self.frames = 0
        path.open("wb").close()  # PyAV opens the file only at the first frame: fail here instead
        self.container = av.open(str(path), mode="w", format="mp4")
        self.stream = None
        self._last_ms = -1

    def _open_stream(self, w: int, h: int) -> None:
        if w > self.max_width:
            w, h = self.max_width, round(h * self.max_width / w)
        s = self.container.add_stream("libx264", rate=round(self.max_fps),
                                      options={"preset": self.preset, "crf": "23"})
        s.width, s.height, s.pix_fmt = w - w % 2, h - h % 2, "yuv420p"
        s.codec_context.time_base = Fraction(1, 1000)
        s.codec_context.thread_count = self.threads
        self.stream = s

    def add(self, bgra: np.ndarray, t: float) -> None:
        import av

        if self.stream is None:
            self._open_stream(bgra.shape[1], bgra.shape[0])
        s = self.stream
        # every frame is scaled to the first one's size (the window may be resized while recording)
        frame = av.VideoFrame.from_ndarray(bgra, format="bgra").reformat(s.width, s.height, format="yuv420p")
        ms = max(round(t * 1000), self._last_ms + 1)  # strictly increasing
        frame.pts, frame.time_base = ms, Fraction(1, 1000)
        self._last_ms = ms
        for packet in s.encode(frame):
            self.container.mux(packet)
        self.frames += 1

    def close(self, t_end: float) -> None:
        """Flush the encoder and write the index: the file plays from here on."""
        try:
            if self.stream is not None:
                for packet in self.stream.encode(None):
                    self.container.mux(packet)
        finally:
            self.container.close()
            if not self.frames:
                self.path.unlink(missing_ok=True)  # nothing was recorded: no file rather than a broken one


class GifWriter:
    """Each frame quantised to its own 256 colours; only the rectangle that changed since the
    previous frame is stored, and a frame identical to the previous one extends its duration."""

    max_fps: ClassVar[float] = 15.0  # GIF delays are in 1/100 s; more frames would only grow the file
    max_width: ClassVar[int] = 1600  # the default window unscaled (scaling costs as much as the rest of a frame)

    def __init__(self, path: Path):
        self.path = path
        self.frames = 0
        self.file = open(path, "wb")  # noqa: SIM115 (held open while recording; closed in close())
        self.size: tuple[int, int] | None = None
        self._previous = None  # the last frame stored, whole (a PIL image)
        self._pending: tuple | None = None  # (P image, offset, start in 1/100 s): written once its end is known

    def add(self, bgra: np.ndarray, t: float) -> None:
        from PIL import Image, ImageChops

        h, w = bgra.shape[:2]
        image = Image.frombytes("RGB", (w, h), np.ascontiguousarray(bgra), "raw", "BGRX")  # a copy
        if self.size is None:
            self.size = (w, h) if w <= self.max_width else (self.max_width, round(h * self.max_width / w))
        if image.size != self.size:
            image = image.resize(self.size, Image.Resampling.BOX)  # half bilinear's time, as sharp for plots
        offset = (0, 0)
        if self._previous is not None:
            box = ImageChops.difference(image, self._previous).getbbox()
            if box is None:
                return  # the pending frame simply lasts longer
            self._previous, image, offset = image, image.crop(box), box[:2]
        else:
            self._previous = image
        cs = round(t * 100)
        self._flush(cs)
        self._pending = (image.quantize(256, method=Image.Quantize.FASTOCTREE), offset, cs)

    def _flush(self, end_cs: int) -> None:
        """Write the pending frame, lasting until `end_cs` (the next frame's start)."""
        from PIL import GifImagePlugin

        if self._pending is None:
            return
        image, offset, start = self._pending
        if self.frames == 0:
            header, _ = GifImagePlugin.getheader(image, info={"loop": 0, "duration": 1})
            self.file.write(b"".join(header))  # screen size is the first frame's (which is whole)
        duration = max(2, end_cs - start) * 10  # ms; delays under 2/100 s are slowed down by viewers
        for chunk in GifImagePlugin.getdata(image, offset, duration=duration, include_color_table=True):
            self.file.write(chunk)
        self.frames += 1
        self._pending = None

    def close(self, t_end: float) -> None:
        """Write the last frame (lasting until the recording stopped) and the GIF trailer."""
        try:
            if self._pending is not None:
                self._flush(max(round(t_end * 100), self._pending[2] + round(100 / self.max_fps)))
            if self.frames:
                self.file.write(b";")
        finally:
            self.file.close()
            if not self.frames:
                self.path.unlink(missing_ok=True)  # nothing was recorded: no file rather than a broken one


WRITERS = {".mp4": Mp4Writer, ".gif": GifWriter}  # the file name's extension chooses the format
