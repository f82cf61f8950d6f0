"""Small reusable widgets: a checked number entry, a log-scale slider built on it, the keys
of the number boxes, and a label that keeps to a few lines."""
from __future__ import annotations

import math
import re

from PySide6.QtCore import QEvent, QObject, QRectF, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QPen,
    QRegularExpressionValidator,
    QTextLayout,
)
from PySide6.QtWidgets import QAbstractSpinBox, QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QSlider, QWidget
from superqt.utils import signals_blocked

from gui.i18n import tr

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
            tr("{0}: type a number between {1:g} and {2:g}, e.g. {3}").format(
                self.label, self.lo, self.hi, fmt(self._value))))

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
            self.rejected.emit(tr("{0} must be between {1:g} and {2:g}; '{3}' refused, kept {4}").format(
                self.label, self.lo, self.hi, self.text(), fmt(self._value)))
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


class EntryKeys(QObject):
    """Keys in the window's number boxes: Enter applies and Esc reverts, both handing focus back
    to the plots (`home`); a space or letter goes into a box only while it is being edited
    (after a character was typed there), so Space, E, N, R, S stay the window's shortcuts after
    a value was typed and applied."""

    def __init__(self, home, parent=None):
        super().__init__(parent)
        self.home = home  # () -> None: give the focus back to the plots
        self.editing: set[QWidget] = set()

    def watch(self, root: QWidget) -> None:
        for box in number_boxes(root):
            box.installEventFilter(self)  # once: Qt keeps one filter per object

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == QEvent.FocusOut:
            self.editing.discard(obj)
            return False
        if kind not in (QEvent.ShortcutOverride, QEvent.KeyPress):
            return False
        key = event.key()
        if key in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Escape):
            if kind == QEvent.ShortcutOverride:
                event.accept()  # the box's own: Esc here reverts, it does not leave presenter mode
                return True
            if key == Qt.Key_Escape:
                revert(obj)
            self.editing.discard(obj)
            QTimer.singleShot(0, self.home)  # after the box has applied its value
            return key == Qt.Key_Escape
        if kind == QEvent.KeyPress:
            if event.text() and (event.text().isprintable() or key == Qt.Key_Backspace):
                self.editing.add(obj)
            return False
        if obj not in self.editing and event.text() and (event.text().isalpha() or event.text() == " "):
            return True  # not accepted: the window's shortcut runs, the box stays as it is
        return False


def number_boxes(root: QWidget) -> list[QWidget]:
    """The boxes a value is typed into under `root`: spin boxes (which hold the focus, not their
    inner line edit) and every other line edit (entries, superqt's slider labels)."""
    spins = root.findChildren(QAbstractSpinBox)
    return [*spins, *(e for e in root.findChildren(QLineEdit) if not isinstance(e.parentWidget(), QAbstractSpinBox))]


def revert(box: QWidget) -> None:
    """Put the box's applied value back (a spin box's or slider label's `value()`), or undo."""
    if isinstance(box, NumberEntry):
        box.set_value(box.value())
    elif callable(getattr(box, "value", None)) and callable(getattr(box, "setValue", None)):
        box.setValue(box.value())  # also rewrites a half-typed text
    elif isinstance(box, QLineEdit):
        while box.isUndoAvailable():
            box.undo()


class ClampedLabel(QLabel):
    """Plain text wrapped to at most `lines` lines of its width, the last one elided with "…";
    the whole text is its tooltip when cut. It never asks for more width than it is given."""

    def __init__(self, lines: int = 2, parent=None):
        super().__init__(parent)
        self.lines = lines
        self.full = ""
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)

    def set_full_text(self, text: str) -> None:
        if text != self.full:
            self.full = text
            self._fit()

    def set_lines(self, lines: int) -> None:
        if lines != self.lines:
            self.lines = lines
            self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):
            self._fit()

    def _fit(self) -> None:
        shown = clamp_lines(self.full, self.font(), max(self.contentsRect().width(), 40), self.lines)
        self.setToolTip(self.full if "".join(shown.split()) != "".join(self.full.split()) else "")
        if shown != self.text():
            self.setText(shown)
        # the label's height: its lines, plus what margins, border and a stylesheet's padding add
        height = self.fontMetrics().lineSpacing() * (shown.count("\n") + 1) + self.height() \
            - self.contentsRect().height()
        if height != self.height():
            self.setFixedHeight(height)


def paint_box(widget: QWidget, fill: QColor, border: QColor | None = None, radius: float = 4.0,
              width: float = 1.0) -> None:
    """A label's rounded box (fill, and a border inside its edge), painted from its palette's
    colours before its text: what a stylesheet's background and border did, without the
    re-polish that setting one costs on every theme switch."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setPen(QPen(border, width) if border is not None else Qt.NoPen)
    painter.setBrush(fill)
    inset = width / 2 if border is not None else 0.0
    painter.drawRoundedRect(QRectF(widget.rect()).adjusted(inset, inset, -inset, -inset), radius, radius)
    painter.end()


class CaptionLabel(ClampedLabel):
    """Explain mode's caption on a card: its text on the Highlight colour, in a rounded box."""

    def __init__(self, lines: int = 2, parent=None):
        super().__init__(lines, parent)
        self.setContentsMargins(10, 3, 10, 3)

    def paintEvent(self, event) -> None:
        paint_box(self, self.palette().color(QPalette.Highlight))
        super().paintEvent(event)


def clamp_lines(text: str, font: QFont, width: int, lines: int) -> str:
    """`text` wrapped to `width` pixels in at most `lines` lines, the last elided. Qt's own line
    breaking (QTextLayout) breaks where Unicode allows: between words, and between the characters
    of Chinese text, which has no spaces to break at."""
    metrics = QFontMetrics(font)
    layout = QTextLayout(text, font)
    layout.beginLayout()
    out = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        start, length = line.textStart(), line.textLength()
        if len(out) == lines - 1 and start + length < len(text.rstrip()):  # the last line: the rest, elided
            out.append(metrics.elidedText(text[start:].strip(), Qt.ElideRight, width))
            break
        out.append(metrics.elidedText(text[start:start + length].strip(), Qt.ElideRight, width))
    layout.endLayout()
    return "\n".join(part for part in out if part)


_COLOURS = re.compile(r"color:\s*#[0-9a-fA-F]{3,8};?")


class WrapLabel(QLabel):
    """A QLabel whose height for a width is remembered per text: Qt measures a word-wrapped
    rich-text label by laying its text out again, which repaints it, and every relayout around
    it asks again (a theme switch relays out one nesting level per event-loop pass, so the
    window's headline and the cards' header rows were repainted at each: 4 paints a switch)."""

    _heights: dict | None = None  # (width, text) -> height, in the current font

    def heightForWidth(self, width: int) -> int:
        if self._heights is None:
            self._heights = {}
        key = (width, _COLOURS.sub("", self.text()))  # a colour takes no room: a theme switch reuses them
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) > 64:
                self._heights.clear()
            height = self._heights[key] = super().heightForWidth(width)
        return height

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.FontChange, QEvent.StyleChange, QEvent.ContentsRectChange) and self._heights:
            self._heights.clear()  # another font, style or margin: other heights
        super().changeEvent(event)
