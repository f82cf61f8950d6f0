"""Pictures written like every other file (core.safeio): whole or not at all, never through a
planted link or over a device. Qt encodes into memory; safeio writes the bytes."""
from __future__ import annotations

import os

from PySide6.QtCore import QBuffer, QByteArray, QIODevice

from core import safeio
from gui.i18n import tr


def save_pixmap(pixmap, path, fmt: str | None = None) -> str | None:
    """None when written, else one line saying why not. The format follows the suffix (PNG if
    none). A QImage does as well as a QPixmap: both encode into a buffer."""
    fmt = fmt or os.path.splitext(os.fspath(path))[1].lstrip(".").upper() or "PNG"
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    if not pixmap.save(buffer, fmt):
        return tr("{0}: the picture could not be encoded as {1}").format(path, fmt)
    buffer.close()
    return save_bytes(bytes(data), path)


def save_bytes(data: bytes, path) -> str | None:
    """Encoded picture bytes to `path` through safeio's atomic writer: None, or why not."""
    try:
        safeio.atomic_write(path, lambda f: f.write(data), "picture")
    except (OSError, ValueError) as e:
        return str(e) if isinstance(e, ValueError) else f"{path}: {e.strerror or e}"
    return None
