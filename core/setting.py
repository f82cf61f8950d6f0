"""One typed setting: its limits, its words, and the one check every entry point uses.

The CLI, the window, presets, sessions and checkpoints all call `Setting.problem`, so a value
one of them accepts the others accept too. The table of settings is core/settings.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """A value the user may set: type, default, inclusive limits, words for people."""

    name: str  # the Controls / HParams field, and the CLI flag with '-' for '_'
    kind: type  # float, int, str (one of `choices`), tuple (layer sizes) or bool
    default: object
    label: str
    help: str = ""
    lo: float | None = None  # inclusive limits of a number (of each layer size for `tuple`)
    hi: float | None = None
    unit: str = ""
    live: bool = True  # False: changing it restarts meta-training from a fresh initialisation
    choices: tuple = ()
    log: bool = False  # shown on a log-scale slider
    slider_lo: float | None = None  # a log slider cannot show 0: its left end when lo is 0
    max_layers: int = 0  # for layer sizes: at most this many
    algorithms: tuple[str, ...] = ()  # the algorithms it belongs to; empty: all of them
    cli: bool = True  # a flag of `main.py train`
    optional: bool = False  # None (null) is accepted too
    alias: str = ""  # its name outside the program (CLI flag, checkpoint config key), if not `name`

    @property
    def flag(self) -> str:
        return "--" + (self.alias or self.name).replace("_", "-")

    def problem(self, value) -> str | None:
        """None if `value` is acceptable, else one line saying why (also the CLI's message)."""
        if value is None and self.optional:
            return None
        if self.kind is float or self.kind is int:
            return self._number(value)
        if self.kind is str:
            return None if value in self.choices else (f"{self.label} must be {'null or ' * self.optional}one of "
                                                       f"{', '.join(self.choices)} (got {value!r})")
        if self.kind is bool:
            return None if isinstance(value, bool) else f"{self.label} must be true or false, not {value!r}"
        ok = isinstance(value, (list, tuple)) and 0 < len(value) <= self.max_layers and all(
            isinstance(v, int) and not isinstance(v, bool) and self.lo <= v <= self.hi for v in value)
        return None if ok else (f"{self.label} must be a list of 1 to {self.max_layers} layer sizes in "
                                f"{self.lo}..{self.hi}, not {value!r}")

    def _number(self, v) -> str | None:
        whole = self.kind is int
        if isinstance(v, bool) or not isinstance(v, int if whole else (int, float)):
            return f"{self.label} must be {'a whole number' if whole else 'a number'}, not {v!r}"
        if not math.isfinite(v):
            return f"{self.label} must be a finite number, not {v}"
        if self.lo <= v <= self.hi:
            return None
        why = ("too large" if v > self.hi else "it must be non-negative" if v < 0
               else "it must be positive" if v == 0 else "too small")
        lo, hi = self._text(self.lo), self._text(self.hi)
        return f"{self.label} must be between {lo} and {hi} (got {self._text(v)}: {why})"

    def _text(self, v) -> str:
        """A whole number in full (up to 15 digits; 2147483647, not 2.14748e+09), others as %g."""
        return f"{int(v)}" if self.kind is int and abs(v) < 1e15 else f"{v:g}"

    def parse(self, text: str):
        """The CLI's reading of a flag's text; ValueError with the same reason as `problem`."""
        if self.kind is tuple:
            try:
                value = tuple(int(s) for s in text.split(","))
            except ValueError:
                raise ValueError(f"{text!r} is not a comma-separated list of layer sizes") from None
        else:
            try:
                value = self.kind(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a valid {self.kind.__name__}") from None
        reason = self.problem(value)
        if reason:
            raise ValueError(reason)
        return value
