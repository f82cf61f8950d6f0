"""Small reusable widgets: a checked number entry and a log-scale slider built on it."""
from __future__ import annotations

import math

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QSlider, QWidget
from superqt.utils import signals_blocked

NUMBER = QRegularExpression(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def nice(v: float) -> float:
    """Two significant digits: slider positions land on 0.01, 0.012, 0.015 ... not 0.0104713."""
    if v <= 0 or not math.isfinite(v):
        return v
    return round(v, 1 - math.floor(math.log10(v)))


def fmt(v: float) -> str:
    return f"{v:.3g}"


class NumberEntry(QLineEdit):
    """A line edit for one number in [lo, hi]: the validator admits only number syntax; a
    value out of range (or half-typed on leaving) is refused with a message and reverted."""

    committed = Signal(float)
    rejected = Signal(str)

    def __init__(self, lo: float, hi: float, label: str, parent=None):
        super().__init__(parent)
        self.lo, self.hi, self.label = lo, hi, label
        self._value = lo
        self.setValidator(QRegularExpressionValidator(NUMBER, self))
        self.setAlignment(Qt.AlignRight)
        self.setFixedWidth(82)
        self.returnPressed.connect(self._commit)
        self.inputRejected.connect(lambda: self.rejected.emit(
            f"{self.label}: type a number between {self.lo:g} and {self.hi:g}, e.g. {fmt(self._value)}"))

    def value(self) -> float:
        return self._value

    def set_value(self, v: float) -> None:
        self._value = v
        self.setText(fmt(v))

    def _commit(self) -> None:
        try:
            v = float(self.text())
        except ValueError:
            v = math.nan
        if not math.isfinite(v) or not self.lo <= v <= self.hi:
            self.rejected.emit(f"{self.label} must be between {self.lo:g} and {self.hi:g}; "
                               f"'{self.text()}' refused, kept {fmt(self._value)}")
            self.set_value(self._value)
            return
        self.set_value(v)
        self.committed.emit(v)

    def focusOutEvent(self, event) -> None:  # a half-typed "1e" is put back, not left dangling
        if self.text() != fmt(self._value):
            self._commit()
        super().focusOutEvent(event)


class LogSlider(QWidget):
    """A learning-rate control: log-scale slider plus numeric entry, both in [lo, hi]."""

    valueChanged = Signal(float)
    rejected = Signal(str)
    TICKS = 1000

    def __init__(self, lo: float, hi: float, value: float, label: str, parent=None):
        super().__init__(parent)
        self.lo, self.hi = lo, hi
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, self.TICKS)
        self.entry = NumberEntry(lo, hi, label)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.entry)
        self.set_value(value)
        self.slider.valueChanged.connect(self._slid)
        self.entry.committed.connect(self._typed)
        self.entry.rejected.connect(self.rejected)

    def value(self) -> float:
        return self.entry.value()

    def set_value(self, v: float) -> None:
        """Show v without emitting valueChanged (used to mirror the shared controls)."""
        with signals_blocked(self.slider):
            self.slider.setValue(self._tick(v))
        self.entry.set_value(v)

    def _tick(self, v: float) -> int:
        t = (math.log10(v) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        return round(min(max(t, 0.0), 1.0) * self.TICKS)

    def _slid(self, tick: int) -> None:
        lg0, lg1 = math.log10(self.lo), math.log10(self.hi)
        v = min(max(nice(10 ** (lg0 + (lg1 - lg0) * tick / self.TICKS)), self.lo), self.hi)
        self.entry.set_value(v)
        self.valueChanged.emit(v)

    def _typed(self, v: float) -> None:
        with signals_blocked(self.slider):
            self.slider.setValue(self._tick(v))
        self.valueChanged.emit(v)
