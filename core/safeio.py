"""Files the user names: checked before they are opened, read with limits, written atomically.

Reading refuses what would hang or flood us before any byte is read: a FIFO or device opens
without blocking (O_NONBLOCK) and is refused by its fstat, a file over the size limit by its
length, a NUL by the path check. JSON is refused for size before parsing, for huge integers
before they are converted, and for nesting depth before any value is used. Writing goes to a
fresh temporary file created exclusively (mkstemp: a random name, O_EXCL, so a symlink planted
anywhere is never followed) in the target's own directory, is fsynced, then renamed over the
target: a crash leaves the old file or the new one, never half of either, and a special file
at the target is refused, not replaced.
"""
from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable

MAX_JSON_BYTES = 8 * 2**20  # presets and sessions are kilobytes; a drawn target is < 1 MB
MAX_JSON_DEPTH = 32  # the deepest real session nests 3 levels
MAX_INT_DIGITS = 30  # a seed needs 10
MAX_CHECKPOINT_BYTES = 256 * 2**20  # 4 layers of 1024 plus per-parameter rates: about 30 MB


class FileRefused(ValueError):
    """A path or file we will not read or write; the message is one line for people."""


def check_path(path, what: str = "file") -> str:
    """The path as text, or FileRefused for an empty name, a NUL or a non-path."""
    try:
        text = os.fspath(path)
    except TypeError:
        raise FileRefused(f"{what}: not a path ({path!r})") from None
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text:
        raise FileRefused(f"the {what}'s file name is empty")
    if "\0" in text:
        raise FileRefused(f"{what}: the path {text!r} contains a NUL character")
    return text


def _kind(mode: int) -> str:
    return ("a directory" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "not a regular file")


def read_bytes(path, limit: int, what: str = "file") -> bytes:
    """The whole of a regular file of at most `limit` bytes; FileRefused otherwise. Never blocks."""
    text = check_path(path, what)
    try:
        fd = os.open(text, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileRefused(f"{text}: no such file") from None
    except OSError as e:
        raise FileRefused(f"{text}: cannot open ({e.strerror or e})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"{text}: is {_kind(info.st_mode)}, not a {what}")
        if info.st_size > limit:
            raise FileRefused(f"{text}: {info.st_size:,} bytes is too large for a {what} (at most {limit:,})")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while we read
                raise FileRefused(f"{text}: too large for a {what} (at most {limit:,} bytes)")
        return b"".join(chunks)
    except OSError as e:
        raise FileRefused(f"{text}: cannot read ({e.strerror or e})") from None
    finally:
        os.close(fd)


def read_text(path, what: str = "file", limit: int = MAX_JSON_BYTES) -> str:
    data = read_bytes(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileRefused(f"{check_path(path)}: not UTF-8 text, so not a {what}") from None


def _depth(value) -> int:
    """Nesting depth of parsed JSON, without recursion (a stack of (value, depth))."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            deepest = max(deepest, d)
            stack.extend((c, d + 1) for c in (v.values() if isinstance(v, dict) else v))
    return deepest


def _refuse_int(text: str):
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise FileRefused(f"a number with {len(text)} digits")
    return int(text)


def loads_json(text: str, where: str):
    """json.loads with limits: size first, integer length while parsing (before int() runs),
    nesting by json's recursion guard and a depth walk before the data is used. FileRefused
    (a ValueError) with one line, for JSON errors too."""
    if len(text) > MAX_JSON_BYTES:
        raise FileRefused(f"{where}: too large ({len(text):,} characters; at most {MAX_JSON_BYTES:,})")
    try:
        data = json.loads(text, parse_int=_refuse_int)
    except FileRefused as e:
        raise FileRefused(f"{where}: holds {e}") from None
    except RecursionError:  # json's own guard, at about 1,000 levels: no stack is exhausted
        raise FileRefused(f"{where}: nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as e:  # JSONDecodeError is one
        raise FileRefused(f"{where}: not valid JSON ({str(e).splitlines()[0][:200]})") from None
    if _depth(data) > MAX_JSON_DEPTH:  # before any of it is used
        raise FileRefused(f"{where}: nested more than {MAX_JSON_DEPTH} levels deep")
    return data


def check_target(path, what: str = "file") -> str:
    """Refuse a save target now, before any work: an empty name, a NUL, a missing or unwritable
    folder, a directory or a special file at the path. Returns the path as text."""
    text = check_path(path, what)
    parent = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(parent):
        raise FileRefused(f"{text}: cannot save the {what} there: the folder {parent} does not exist")
    try:
        info = os.stat(text)
    except FileNotFoundError:
        info = None
    except OSError as e:
        raise FileRefused(f"{text}: cannot save the {what} there ({e.strerror or e})") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"{text}: is {_kind(info.st_mode)}; the {what} would replace it, so it is not saved")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FileRefused(f"{text}: cannot save the {what} there: no permission to write in {parent}")
    return text


def atomic_write(path, write: Callable, what: str = "file", binary: bool = True) -> None:
    """Call `write(f)` on a fresh exclusive temporary file beside `path`, fsync, rename over `path`.
    Raises FileRefused for a refused target and OSError when the disk says no; the target is
    then as it was, and the temporary file is gone."""
    text = check_target(path, what)
    folder, name = os.path.split(os.path.abspath(text))
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    try:
        try:
            mode = stat.S_IMODE(os.stat(text).st_mode)
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as f:
            fd = -1
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, text)
        tmp = None
        _sync_folder(folder)
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def write_text(path, text: str, what: str = "file") -> None:
    atomic_write(path, lambda f: f.write(text), what, binary=False)


def _sync_folder(folder: str) -> None:
    """The rename itself survives a power cut once the folder is synced (where the OS allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def finite_or_null(value):
    """A copy of a JSON-able structure with NaN and infinities as None (JSON's null)."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        return {k: finite_or_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_null(v) for v in value]
    return value


def dumps_json(value, indent: int | None = 1) -> str:
    """Strict JSON: non-finite numbers written as null, never as bare NaN."""
    return json.dumps(finite_or_null(value), indent=indent, allow_nan=False) + "\n"
