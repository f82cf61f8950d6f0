"""The recording's writer in a process of its own, fed through shared memory.

The window copies each frame into a free slot of a shared-memory ring and sends the slot's
number down a pipe; the encoder process writes the frame (`gui.encoders`) and sends the number
back. At most `slots` frames are ever in flight, so sending never blocks; with no free slot the
frame is dropped and counted. A separate process, not a thread: the encoder then never holds
the window's GIL, and it runs at a lower priority without ever making the window wait for it.
Qt-free.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from multiprocessing import shared_memory
from pathlib import Path

import numpy as np

from core.words import QT_TR_NOOP
from gui.encoders import WRITERS

ENCODER_NICE = 5  # the encoder yields the CPU to the window and the trainer; when it falls behind, frames drop


class EncoderProcess:
    """The window's side: `offer()` frames, then `close()` (or `poll()` after `end()`)."""

    def __init__(self, path: Path, max_h: int, max_w: int, slots: int):
        self.path, self.shape, self.slots = Path(path), (max_h, max_w, 4), slots
        self.max_fps = WRITERS[self.path.suffix.lower()].max_fps
        self.shm = shared_memory.SharedMemory(create=True, size=slots * max_h * max_w * 4)
        self.ring = np.ndarray((slots, *self.shape), np.uint8, buffer=self.shm.buf)
        ctx = mp.get_context("spawn")
        frames_in, self._frames = ctx.Pipe(duplex=False)
        self._back, back_out = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=serve, name="recording-encoder", daemon=True,
                                   args=(str(self.path), self.shm.name, self.shape, slots, frames_in, back_out))
        self.process.start()
        frames_in.close()
        back_out.close()
        self.free = list(range(slots))
        self.result: tuple[int, str | None] | None = None  # (frames written, error) once the file is closed
        self.ended = self.closed = False

    def offer(self, pixels: np.ndarray, t: float) -> bool:
        """Hand over an (h, w, 4) BGRA frame taken at `t` s; False (dropped) if no slot is free."""
        self.poll()
        h, w = pixels.shape[:2]
        if self.ended or not self.free or h > self.shape[0] or w > self.shape[1]:
            return False
        slot = self.free.pop()
        np.copyto(self.ring[slot, :h, :w], pixels)
        try:
            self._frames.send((slot, h, w, t))
        except OSError:  # the encoder is gone; its result says why
            return False
        return True

    def poll(self) -> bool:
        """Take back freed slots and the result without waiting; True once the file is closed."""
        try:
            while self.result is None and self._back.poll():
                self._take(self._back.recv())
        except (EOFError, OSError):
            self.result = self.result or (0, QT_TR_NOOP("the encoder process stopped unexpectedly"))
        return self.result is not None

    def _take(self, message) -> None:
        if isinstance(message, int):
            self.free.append(message)
        else:
            self.result = message

    def end(self, t_end: float) -> None:
        """No more frames: the encoder closes the file once it has written those in flight."""
        if not self.ended:
            self.ended = True
            try:
                self._frames.send((None, 0, 0, t_end))
            except OSError:
                pass

    def close(self, t_end: float, timeout: float = 120.0) -> tuple[int, str | None]:
        """End and wait until the file is closed: (frames written, error or None). Idempotent."""
        if self.closed:
            return self.result
        self.closed = True
        self.end(t_end)
        try:
            while not self.poll() and self._back.poll(timeout):
                pass
        except (EOFError, OSError):
            pass
        if self.result is None:
            self.result = (0, QT_TR_NOOP("the encoder did not finish in time"))
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
        self._frames.close()
        self._back.close()
        del self.ring
        self.shm.close()
        self.shm.unlink()
        return self.result


def serve(path: str, shm_name: str, shape, slots: int, frames_in, back_out) -> None:
    """The encoder process: write each frame, give its slot back; at the end marker, or when the
    window's process is gone, close the file (so it plays) and report."""
    try:
        os.nice(ENCODER_NICE)
    except (AttributeError, OSError):
        pass
    shm = shared_memory.SharedMemory(name=shm_name)  # the window's side unlinks it (same resource tracker)
    ring = np.ndarray((slots, *shape), np.uint8, buffer=shm.buf)
    p = Path(path)
    writer, error, t_end = None, None, 0.0
    try:
        writer = WRITERS[p.suffix.lower()](p)
        while True:
            try:
                slot, h, w, t = frames_in.recv()
            except EOFError:  # the window's process ended without saying so
                break
            t_end = t
            if slot is None:
                break
            writer.add(ring[slot, :h, :w], t)
            try:
                back_out.send(slot)
            except OSError:  # the window's process is gone: write what it sent, then close
                pass
    except Exception as e:  # disk full, encoder failure: reported to the window
        error = f"{type(e).__name__}: {e}"
    finally:
        if writer is not None:
            try:
                writer.close(t_end)
            except Exception as e:
                error = error or f"{type(e).__name__}: {e}"
        del ring
        shm.close()
        try:
            back_out.send((writer.frames if writer is not None else 0, error))
        except OSError:
            pass
