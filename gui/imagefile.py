"""Pictures written like every other file (core.safeio): whole or not at all, never through a
planted link or over a device. Qt encodes into memory; safeio writes the bytes."""
from __future__ import annotations

import os

from PySide6.QtCore import QBuffer, QByteArray, QIODevice

from core import safeio
from gui.i18n import tr


def save_pixmap(pixmap, path, fmt: str | None = None) -> str | None:
    """None when written, else one line saying why not. The format follows the suffix (PNG if none)."""
    fmt = fmt or os.path.splitext(os.fspath(path))[1].lstrip(".").upper() or "PNG"
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    if not pixmap.save(buffer, fmt):
        return tr("{0}: the picture could not be encoded as {1}").format(path, fmt)
    buffer.close()
    try:
        safeio.atomic_write(path, lambda f: f.write(bytes(data)), "picture")
    except (OSError, ValueError) as e:
        return str(e) if isinstance(e, ValueError) else f"{path}: {e.strerror or e}"
    return None
