"""The device rule, one place for the CLI, the trainer and the window: 'auto' is CUDA when present."""
from __future__ import annotations

import torch


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was asked for but is not available")
    return torch.device(name)


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameters


def tune_allocator() -> bool:
    """Keep the step's temporaries on the heap (glibc only; elsewhere nothing to do).

    glibc serves allocations above a moving threshold with fresh mmapped pages and returns them
    on free: some runs of the same training fell into that and paid a page fault per page of
    every temporary (measured, `main.py train --seconds 5`: 1.48 million page faults and 666
    it/s against 48 thousand and 1,200 it/s). A fixed 32 MB threshold ends that."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024)) and bool(
            libc.mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
