"""Presets (resources/presets/*.json) and session files, turned into Controls for the window.

A preset is a JSON object of Controls fields plus "name", "description" and an optional
"checkpoint" (relative to resources/, and only inside it: a preset someone sends you cannot
make the app read other files) to load at start; gui.validation checks every value, and the
checkpoint is read and validated too, so a preset either applies whole or not at all.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
PRESETS = RESOURCES / "presets"
TRAINED = RESOURCES / "checkpoints" / "maml-sinusoid-mlp.pt"  # MAML, the paper's sinusoid, 70,000 iterations


def localized(meta: dict, key: str, lang: str):
    """A preset's own words in `lang` ("name_zh_CN", "description_zh_CN"), else its English ones."""
    return meta.get(f"{key}_{lang}") or meta.get(key)


def shipped() -> list[tuple[str, Path]]:
    """(title, path) of every shipped preset, sorted by file name, titled in the window's language."""
    from gui.i18n import current

    out = []
    for path in sorted(PRESETS.glob("*.json")):
        try:
            title = localized(json.loads(path.read_text(encoding="utf-8")), "name", current()) or path.stem
        except (OSError, ValueError, AttributeError):
            title = path.stem
        out.append((str(title), path))
    return out


def description(path, c) -> str:
    """The preset's description and claim in the window's language (read_preset's text is
    English, for the command line and the claim tests); "" when the file cannot be read now."""
    from core import safeio
    from core.algorithms import get_algorithm
    from core.claims import parse_claim
    from gui.i18n import current, tr

    try:
        meta = json.loads(safeio.read_text(path, "preset"))
    except (ValueError, OSError):
        return ""
    text = str(localized(meta, "description", current()) or localized(meta, "name", current()) or Path(path).stem)
    if meta.get("claim") is not None:
        names = [get_algorithm(a).label for a in (c.algorithm, c.compare) if a]
        trained = tr("{0} and {1}").format(*names) if len(names) == 2 else names[0]
        text += " " + parse_claim(meta["claim"]).text(trained, tr=tr)
    return text


def read_preset(path, playing: bool = False):
    """(Controls with a display task, checkpoint path or None, description); PresetError if bad."""
    import numpy as np

    from core import safeio
    from core.controls import Controls
    from core.display import new_display_task, with_params
    from gui.validation import PresetError, parse_preset

    try:
        text = safeio.read_text(path, "preset")
    except safeio.FileRefused as e:
        raise PresetError(str(e)) from None
    changes = parse_preset(text, str(path))
    meta = json.loads(text)
    checkpoint = None
    if meta.get("checkpoint"):
        checkpoint = resource(meta["checkpoint"], str(path))
    ab = changes.pop("task", None)
    c = replace(Controls(), **changes)
    task = new_display_task(c.family, c.shots, np.random.default_rng(c.seed))
    if ab is not None:
        task = with_params(task, *ab)
    c = replace(c, task=task, playing=bool(playing or c.playing))
    text = str(meta.get("description") or meta.get("name") or Path(path).stem)
    if meta.get("claim") is not None:  # the promise, in words (core.claims; validated by parse_preset)
        from core.algorithms import get_algorithm
        from core.claims import parse_claim

        trained = " and ".join(get_algorithm(a).label for a in (c.algorithm, c.compare) if a)
        text += " " + parse_claim(meta["claim"]).text(trained)
    return c, checkpoint, text


def resource(name: str, where: str) -> Path:
    """A preset's checkpoint: a relative path that stays inside resources/, to a checkpoint that
    loads and validates (core.checkpoint). PresetError otherwise."""
    from core.checkpoint import CheckpointError, load
    from gui.validation import PresetError

    root = RESOURCES.resolve()
    if "\0" in name or Path(name).is_absolute():
        raise PresetError(f"{where}: checkpoint {name!r} must be a path relative to {root}")
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise PresetError(f"{where}: checkpoint {name!r} is outside {root}; a preset may only name files there")
    try:
        load(path)
    except CheckpointError as e:
        raise PresetError(f"{where}: checkpoint refused: {e}") from None
    return path


def read_session(path, with_language: bool = False):
    """(Controls, checkpoint path or None[, saved language or None]); core.session.SessionError if bad."""
    from core import session
    from gui.validation import parse_preset

    return session.read(path, parse_preset, with_language)
