"""What the user may set, and one-line reasons when a value is refused: the window's view of
core/settings.py's table.

The same table serves the widgets (slider ranges, entry checks), `--preset` files, sessions, the
CLI and checkpoints, so a value the window would refuse cannot sneak in any other way.
"""
from __future__ import annotations

import math

from core.claims import parse_claim
from core.controls import Controls
from core.families import FAMILIES
from core.safeio import loads_json
from core.settings import CPU_META_BATCH, SETTINGS, check_controls, setup_error
from core.words import QT_TR_NOOP, TranslatableError

__all__ = ["CPU_META_BATCH", "CHOICES", "FLOAT_LIMITS", "INT_LIMITS", "NAMES", "PresetError", "check",
           "check_combination", "parse_preset"]

MODELS = SETTINGS["model"].choices
DEVICES = SETTINGS["device"].choices
OPTIMIZERS = SETTINGS["outer_optimizer"].choices

# The settings the window holds (Controls fields; an algorithm's construction-only options, such
# as a CLI flag of its own, are not among them). field -> (min, max); floats are learning rates
# (log-scale sliders), ints are counts.
WINDOW = [s for s in SETTINGS.values() if s.name in Controls.__dataclass_fields__]
FLOAT_LIMITS = {s.name: (s.lo, s.hi) for s in WINDOW if s.kind is float}
INT_LIMITS = {s.name: (s.lo, s.hi) for s in WINDOW if s.kind is int}
CHOICES = {s.name: s.choices for s in WINDOW if s.kind is str and not s.optional}
NAMES = {s.name: s.label for s in WINDOW}


def check_combination(algorithm: str, model: str) -> str | None:
    """Pairs core refuses (core.algorithms.setup_error), e.g. ANIL adapts only an MLP's last layer."""
    return setup_error(algorithm, model)


# A preset's own description, not settings: a title, a line of text, and a checkpoint (a path
# relative to resources/) to load at start.
# Its name and description may come in other languages too ("name_zh_CN"), like the tour's captions.
PRESET_META = ("name", "description", "checkpoint", "name_zh_CN", "description_zh_CN")


class PresetError(TranslatableError):
    """A preset file that cannot be used; the message says which field and why (in the window's
    language through `shown(tr)`; a message passed on from elsewhere is shown as it is)."""


def check(name: str, value) -> str | None:
    """None if `value` is acceptable for field `name`, else a short reason."""
    setting = SETTINGS.get(name)
    return f"unknown setting {name!r}" if setting is None else setting.problem(value)


def parse_preset(text: str, where: str = "preset") -> dict:
    """Validate a JSON object of Controls fields; returns the changes (task as (a, b) or None).

    A preset's "task" may be {"a": .., "b": ..} within the family's ranges; the window draws
    its support points.
    """
    try:
        data = loads_json(text, where)  # depth and huge numbers refused before parsing
    except ValueError as e:
        raise PresetError(str(e)) from None
    if not isinstance(data, dict):
        raise PresetError(QT_TR_NOOP('{where}: must be a JSON object of settings, e.g. {{"inner_lr": 0.01}}'),
                          where=where)
    for key in PRESET_META:
        if key in data and not isinstance(data[key], str):
            raise PresetError(QT_TR_NOOP("{where}: {key} must be a string, not {value!r}"), where=where, key=key,
                              value=data[key])
    if "claim" in data:  # what the preset promises (core.claims): checked here, used by its test and the window
        try:
            parse_claim(data["claim"], where)
        except ValueError as e:
            raise PresetError(str(e)) from None
    settings = {k: v for k, v in data.items() if k not in PRESET_META and k not in ("task", "claim")}
    try:
        changes = check_controls(settings, where)
    except ValueError as e:
        raise PresetError(str(e)) from None
    if "task" in data and data["task"] is not None:
        family = FAMILIES[changes.get("family", Controls.family)]
        task = data["task"]
        if not isinstance(task, dict) or set(task) != {"a", "b"}:
            raise PresetError(QT_TR_NOOP('{where}: task must be {{"a": number, "b": number}}, not {task!r}'),
                              where=where, task=task)
        for key, (lo, hi) in (("a", family.a_range), ("b", family.b_range)):
            v = task[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
                raise PresetError(QT_TR_NOOP("{where}: task {key} must be a number in [{lo:g}, {hi:g}] for the "
                                             "{family} family (got {value!r})"),
                                  where=where, key=key, lo=lo, hi=hi, family=family.name, value=v)
        changes["task"] = (float(task["a"]), float(task["b"]))
    return changes
