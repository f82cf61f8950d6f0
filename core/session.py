"""Session files: the whole state a demo needs to come back exactly (no Qt here).

    {"format": "maml-playground-session/1",
     "controls": {every Controls field but the task},
     "task": {"family", "a", "b", "xs", "ys", "target_x", "target_y", optional "origin"} or null,
     "checkpoint": optional path of meta-parameters to load with it,
     "language": optional, the window's language when it was saved (core.words.LANGUAGES)}

The learned weights are a checkpoint (core/checkpoint.py), not part of a session. Reading
checks everything before returning, so a corrupt or foreign file changes nothing.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, fields, replace

from core import safeio
from core.controls import Controls, DisplayTask
from core.families import FAMILIES
from core.settings import MAX_POINTS, check_controls
from core.words import LANGUAGES

FORMAT = "maml-playground-session/1"
MAX_TARGET = 10_000  # samples of a drawn target


class SessionError(ValueError):
    """A file that is not a usable session; the message says why."""


def to_dict(c: Controls, checkpoint: str | None = None, language: str | None = None) -> dict:
    settings = {f.name: getattr(c, f.name) for f in fields(Controls) if f.name != "task"}
    settings["hidden"] = list(c.hidden)
    data = {"format": FORMAT, "controls": settings, "task": None if c.task is None else _task_dict(c.task)}
    if checkpoint:
        data["checkpoint"] = checkpoint
    if language:
        data["language"] = language
    return data


def _task_dict(t: DisplayTask) -> dict:
    d = asdict(t)
    for k in ("xs", "ys", "target_x", "target_y", "origin"):
        d[k] = None if d[k] is None else [float(v) for v in d[k]]
    return d


def dumps(c: Controls, checkpoint: str | None = None, language: str | None = None) -> str:
    return json.dumps(to_dict(c, checkpoint, language), indent=1) + "\n"


def write(path, c: Controls, checkpoint: str | None = None, language: str | None = None) -> None:
    """Atomic (core.safeio): a fresh exclusive temporary file, fsynced, renamed over the target.
    safeio.FileRefused (a ValueError) for a target that is a folder or a special file."""
    safeio.write_text(path, dumps(c, checkpoint, language), "session")


def loads(text: str, where: str = "session",
          check_settings: Callable[[str, str], dict] | None = None) -> tuple[Controls, str | None]:
    """Parse and validate; returns (controls, checkpoint path or None). The controls are checked
    against core/settings.py's table, or by `check_settings(json_text, where)` when given (the
    window passes gui.validation.parse_preset, which reads the same table)."""
    try:
        data = safeio.loads_json(text, where)  # depth and huge numbers refused before parsing
    except ValueError as e:
        raise SessionError(str(e)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise SessionError(f"{where}: not a MAML Playground session (format {found!r}, expected {FORMAT!r})")
    unknown = set(data) - {"format", "controls", "task", "checkpoint", "language"}
    if unknown:
        raise SessionError(f"{where}: unknown entries {sorted(unknown)}")
    settings = data.get("controls")
    if not isinstance(settings, dict):
        raise SessionError(f"{where}: 'controls' must be an object of settings")
    if "task" in settings:
        raise SessionError(f"{where}: the task belongs in 'task', not in 'controls'")
    try:
        changes = (check_settings(json.dumps(settings), where) if check_settings
                   else check_controls(settings, where))
    except ValueError as e:
        raise SessionError(str(e)) from None
    try:
        c = replace(Controls(), **changes)
    except TypeError as e:
        raise SessionError(f"{where}: {e}") from None
    task = None if data.get("task") is None else _task(data["task"], c.family, where)
    checkpoint = data.get("checkpoint")
    if checkpoint is not None and (not isinstance(checkpoint, str) or not checkpoint or "\0" in checkpoint):
        raise SessionError(f"{where}: checkpoint must be a path, not {checkpoint!r}")
    language = data.get("language")
    if language is not None and language not in LANGUAGES:
        raise SessionError(f"{where}: language must be one of {sorted(LANGUAGES)}, not {language!r}")
    return replace(c, task=task), checkpoint


def language_of(text: str) -> str | None:
    """The language a valid session (already read with `loads`) was saved in, if it says."""
    data = json.loads(text)
    return data.get("language") if isinstance(data, dict) else None


def read(path, check_settings=None, with_language: bool = False):
    """(controls, checkpoint), and the saved language when `with_language`. A FIFO, a device, a
    huge file or a NUL in the path is refused before a byte is read."""
    try:
        text = safeio.read_text(path, "session")
    except safeio.FileRefused as e:
        raise SessionError(str(e)) from None
    c, checkpoint = loads(text, str(path), check_settings)
    return (c, checkpoint, language_of(text)) if with_language else (c, checkpoint)


def _numbers(v, name: str, where: str, limit: int) -> tuple[float, ...]:
    if not isinstance(v, list) or len(v) > limit or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v):
        raise SessionError(f"{where}: task {name} must be a list of at most {limit} finite numbers")
    return tuple(float(x) for x in v)


def _task(d, family: str, where: str) -> DisplayTask:
    keys = {"family", "a", "b", "xs", "ys", "target_x", "target_y"}  # and "origin", an edited family task's (a, b)
    if not isinstance(d, dict) or not keys <= set(d) <= keys | {"origin"}:
        raise SessionError(f"{where}: task must be an object with {', '.join(sorted(keys))}")
    if d["family"] != family:
        raise SessionError(f"{where}: task family {d['family']!r} differs from the controls' {family!r}")
    fam = FAMILIES[family]
    a, b = d["a"], d["b"]
    if (a is None) != (b is None):
        raise SessionError(f"{where}: task a and b must both be numbers or both be null")
    if a is not None:
        for name, v, (lo, hi) in (("a", a, fam.a_range), ("b", b, fam.b_range)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) and lo <= v <= hi):
                raise SessionError(f"{where}: task {name} must be a number in [{lo:g}, {hi:g}] (got {v!r})")
        a, b = float(a), float(b)
    xs = _numbers(d["xs"], "xs", where, MAX_POINTS)
    ys = _numbers(d["ys"], "ys", where, MAX_POINTS)
    if len(xs) != len(ys):
        raise SessionError(f"{where}: task xs and ys differ in length ({len(xs)} and {len(ys)})")
    tx, ty = d["target_x"], d["target_y"]
    if (tx is None) != (ty is None):
        raise SessionError(f"{where}: target_x and target_y must both be lists or both be null")
    if tx is not None:
        tx = _numbers(tx, "target_x", where, MAX_TARGET)
        ty = _numbers(ty, "target_y", where, MAX_TARGET)
        if len(tx) != len(ty) or len(tx) < 2:
            raise SessionError(f"{where}: a drawn target needs at least 2 points and equal-length x and y")
        if any(x1 < x0 for x0, x1 in zip(tx, tx[1:])):
            raise SessionError(f"{where}: target_x must be in increasing order")
    origin = d.get("origin")
    if origin is not None:
        origin = _numbers(origin, "origin", where, 2)
        if len(origin) != 2 or a is not None or tx is None:
            raise SessionError(f"{where}: task origin is the (a, b) an edited task's target came from: "
                               f"two numbers, only with a target and no a, b of its own")
    return DisplayTask(family, a, b, xs, ys, tx, ty, origin)
