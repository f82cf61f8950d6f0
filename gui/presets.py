"""Presets (resources/presets/*.json) and session files, turned into Controls for the window.

A preset is a JSON object of Controls fields plus "name", "description" and an optional
"checkpoint" (relative to resources/) to load at start; gui.validation checks every value.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
PRESETS = RESOURCES / "presets"
TRAINED = RESOURCES / "checkpoints" / "maml-sinusoid-mlp.pt"  # MAML, the paper's sinusoid, 70,000 iterations


def shipped() -> list[tuple[str, Path]]:
    """(title, path) of every shipped preset, sorted by file name."""
    out = []
    for path in sorted(PRESETS.glob("*.json")):
        try:
            title = json.loads(path.read_text(encoding="utf-8")).get("name") or path.stem
        except (OSError, ValueError, AttributeError):
            title = path.stem
        out.append((str(title), path))
    return out


def read_preset(path, playing: bool = False):
    """(Controls with a display task, checkpoint path or None, description); PresetError if bad."""
    import numpy as np

    from core.controls import Controls
    from core.display import new_display_task, with_params
    from gui.validation import PresetError, parse_preset

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PresetError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from None
    changes = parse_preset(text, str(path))
    meta = json.loads(text)
    checkpoint = None
    if meta.get("checkpoint"):
        checkpoint = (RESOURCES / meta["checkpoint"]).resolve()
        if not checkpoint.is_file():
            raise PresetError(f"{path}: checkpoint {meta['checkpoint']!r} not found under {RESOURCES}")
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


def read_session(path):
    """(Controls, checkpoint path or None); core.session.SessionError if bad."""
    from core import session
    from gui.validation import parse_preset

    return session.read(path, parse_preset)
