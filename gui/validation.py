"""What the user may set, and one-line reasons when a value is refused.

The same limits serve the widgets (slider ranges, entry checks) and `--preset` files, so
a value the window would refuse cannot sneak in through a preset either.
"""
from __future__ import annotations

import json
import math
from dataclasses import fields

from core.algorithms import setup_error, ALGORITHMS
from core.controls import Controls
from core.tasks import FAMILIES

MODELS = ("mlp", "two-param")
DEVICES = ("auto", "cpu", "cuda")
OPTIMIZERS = ("adam", "sgd")

# field -> (min, max); floats are learning rates (log-scale sliders), ints are counts.
# A meta-batch of 10,000 is for a GPU (about 500 it/s on an H100); the CPU slider stops at CPU_META_BATCH.
CPU_META_BATCH = 1000
FLOAT_LIMITS = {"inner_lr": (1e-4, 1.0), "outer_lr": (1e-5, 0.1), "display_lr": (1e-4, 1.0),
                "lam": (1e-3, 1e3), "hyper_lr": (0.0, 1e-2)}
INT_LIMITS = {"inner_steps": (1, 10), "shots": (1, 50), "meta_batch": (1, 10_000), "display_steps": (1, 50),
              "seed": (0, 2**31 - 1)}
CHOICES = {"algorithm": ALGORITHMS, "family": tuple(FAMILIES), "model": MODELS, "device": DEVICES,
           "outer_optimizer": OPTIMIZERS}
NAMES = {"inner_lr": "inner lr α", "outer_lr": "outer lr β", "display_lr": "display α",
         "lam": "iMAML λ", "hyper_lr": "Alpha MAML hypergradient lr",
         "inner_steps": "inner steps", "shots": "K (support points)", "meta_batch": "meta-batch",
         "display_steps": "display steps", "seed": "seed"}


def check_combination(algorithm: str, model: str) -> str | None:
    """Pairs core refuses (core.algorithms.setup_error): ANIL adapts only an MLP's last layer."""
    return setup_error(algorithm, model)


# A preset's own description, not settings: a title, a line of text, and a checkpoint (a path
# relative to resources/) to load at start.
PRESET_META = ("name", "description", "checkpoint")


class PresetError(ValueError):
    """A preset file that cannot be used; the message says which field and why."""


def check(name: str, value) -> str | None:
    """None if `value` is acceptable for field `name`, else a short reason."""
    label = NAMES.get(name, name)
    if name in FLOAT_LIMITS:
        lo, hi = FLOAT_LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{label} must be a number, not {value!r}"
        if not math.isfinite(value):
            return f"{label} must be a finite number, not {value}"
        if not lo <= value <= hi:
            return f"{label} must be between {lo:g} and {hi:g} (got {value:g})"
        return None
    if name in INT_LIMITS:
        lo, hi = INT_LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{label} must be a whole number, not {value!r}"
        if not lo <= value <= hi:
            return f"{label} must be between {lo} and {hi} (got {value})"
        return None
    if name in CHOICES:
        if value not in CHOICES[name]:
            return f"{label} must be one of {', '.join(CHOICES[name])} (got {value!r})"
        return None
    if name == "compare":
        if value is None:
            return None
        if value not in ALGORITHMS:
            return f"compare must be null or one of {', '.join(ALGORITHMS)} (got {value!r})"
        return None
    if name == "playing":
        return None if isinstance(value, bool) else f"playing must be true or false, not {value!r}"
    if name == "hidden":
        ok = isinstance(value, (list, tuple)) and 0 < len(value) <= 4 and all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 256 for v in value)
        return None if ok else f"hidden must be a list of 1 to 4 layer sizes in 1..256, not {value!r}"
    return f"unknown setting {name!r}"


def parse_preset(text: str, where: str = "preset") -> dict:
    """Validate a JSON object of Controls fields; returns the changes (task as (a, b) or None).

    A preset's "task" may be {"a": .., "b": ..} within the family's ranges; the window draws
    its support points.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise PresetError(f"{where}: not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise PresetError(f"{where}: must be a JSON object of settings, e.g. {{\"inner_lr\": 0.01}}")
    known = {f.name for f in fields(Controls)}
    changes = {}
    for key, value in data.items():
        if key in PRESET_META:
            if not isinstance(value, str):
                raise PresetError(f"{where}: {key} must be a string, not {value!r}")
            continue
        if key not in known:
            raise PresetError(f"{where}: unknown setting {key!r}; known: {', '.join(sorted(known))}")
        if key == "task":
            continue
        if key == "display_lr" and value is None:
            changes[key] = None
            continue
        if key in FLOAT_LIMITS and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        reason = check(key, value)
        if reason:
            raise PresetError(f"{where}: {reason}")
        changes[key] = tuple(value) if key == "hidden" else value
    reason = check_combination(changes.get("algorithm", Controls.algorithm), changes.get("model", Controls.model))
    if not reason and changes.get("compare"):
        reason = check_combination(changes["compare"], changes.get("model", Controls.model))
    if reason:
        raise PresetError(f"{where}: {reason}")
    if "task" in data and data["task"] is not None:
        family = FAMILIES[changes.get("family", Controls.family)]
        task = data["task"]
        if not isinstance(task, dict) or set(task) != {"a", "b"}:
            raise PresetError(f"{where}: task must be {{\"a\": number, \"b\": number}}, not {task!r}")
        for key, (lo, hi) in (("a", family.a_range), ("b", family.b_range)):
            v = task[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
                raise PresetError(f"{where}: task {key} must be a number in [{lo:g}, {hi:g}] for the "
                                  f"{family.name} family (got {v!r})")
        changes["task"] = (float(task["a"]), float(task["b"]))
    return changes
