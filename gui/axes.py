"""A plot axis that a theme switch only recolours.

pyqtgraph's `setPen` / `setTextPen` throw away the axis's drawing and, with it, every tick's
place and label size: measuring them again (tick spacing, text rectangles) is ~1.5 ms an axis,
and a switch repaints eight (~12 ms of the GUI thread on the loaded 2-core box). The places do
not depend on the colours, so `ThemedAxis.recolour` keeps them and repaints them with the new
pens. (Drawing straight onto the painter instead of pyqtgraph's recorded QPicture was tried:
~1 ms less for eight axes alone, no difference the switch benchmark could tell from noise.)
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPen


class ThemedAxis(pg.AxisItem):
    """An `AxisItem` that remembers its last measured ticks until something other than a
    colour changes (range, size, font, ticks, label: pyqtgraph drops its `picture` for each)."""

    _specs = None  # (axis, ticks, texts) as generateDrawSpecs last measured them
    _keep = False  # True while recolour drops the picture: the measured ticks stay valid
    _picture = None

    @property
    def picture(self):
        return self._picture

    @picture.setter
    def picture(self, value) -> None:
        self._picture = value
        if value is None and not self._keep:
            self._specs = None

    def recolour(self, line: str, text: str) -> None:
        """New axis and grid colour and text colour, the ticks where they were."""
        self._keep = True
        try:
            self.setPen(pg.mkPen(line))
            self.setTextPen(pg.mkPen(text))
        finally:
            self._keep = False

    def generateDrawSpecs(self, p):
        if self._specs is None:
            self._specs = super().generateDrawSpecs(p)
            return self._specs
        (_, a, b), ticks, texts = self._specs
        colour = self.pen().color()
        return (self.pen(), a, b), [(_recoloured(pen, colour), p1, p2) for pen, p1, p2 in ticks], texts


def _recoloured(pen: QPen, colour: QColor) -> QPen:
    """The pen in the new colour, keeping its alpha (tick level and grid fade)."""
    c = QColor(colour)
    c.setAlpha(pen.color().alpha())
    out = QPen(pen)
    out.setColor(c)
    return out
