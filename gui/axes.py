"""A plot axis that a theme switch only recolours.

pyqtgraph's `setPen` / `setTextPen` throw away the axis's drawing and, with it, every tick's
place and label size: measuring them again (tick spacing, text rectangles) is ~1.5 ms an axis,
and a switch repaints eight (~12 ms of the GUI thread on the loaded 2-core box). The places do
not depend on the colours, so `ThemedAxis.recolour` keeps them and repaints them with the new
pens.

Replaying the axis's lines and labels is itself 2-4 ms an axis (its grid lines cross the whole
plot), so an axis cached as a bitmap (`DeviceCoordinateCache`, as every panel's are) keeps two
layers instead: its lines, and its labels, each drawn in its colour on a transparent bitmap. A
new colour is one fill of each layer that keeps every pixel's alpha (~0.2 ms), not a new drawing:
the same pixels as drawing in that colour onto the transparent cache. Uncached, scaled or vector
painting (SVG export) draws the usual way.
"""
from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem


class ThemedAxis(pg.AxisItem):
    """An `AxisItem` that remembers its last measured ticks until something other than a
    colour changes (range, size, font, ticks, label: pyqtgraph drops its `picture` for each)."""

    _specs = None  # (axis, ticks, texts) as generateDrawSpecs last measured them
    _keep = False  # True while recolour drops the picture: the measured ticks stay valid
    _picture = None
    _layers = None  # (where and alphas, colours, lines, (corner, labels)) for the specs above

    @property
    def picture(self):
        return self._picture

    @picture.setter
    def picture(self, value) -> None:
        self._picture = value
        if value is None and not self._keep:
            self._specs = self._layers = None

    def recolour(self, line: str, text: str) -> None:
        """New axis and grid colour and text colour, the ticks where they were."""
        self._keep = True
        try:
            self.setPen(pg.mkPen(line))
            self.setTextPen(pg.mkPen(text))
        finally:
            self._keep = False

    def tickSpacing(self, minVal: float, maxVal: float, size: float):
        """pyqtgraph's spacing, widened along a horizontal axis until its labels have room: it picks
        2-5 steps whatever the text size, so presenter mode's large numbers ("2000" to "8000" under
        a narrow plot) would run into one another. The steps it chose stay as unlabelled minor ticks."""
        levels = super().tickSpacing(minVal, maxVal, size)
        if self.orientation not in ("bottom", "top") or not levels or self._tickSpacing is not None or size <= 0:
            return levels
        major, offset = levels[0]
        metrics = QFontMetrics(self.style["tickFont"] or self.font())
        gap = metrics.horizontalAdvance("  ")
        per_px = size / abs(maxVal - minVal)
        step = major
        while True:
            ends = self.tickStrings([minVal / self.scale, maxVal / self.scale], self.scale, step)
            if step * per_px >= max(metrics.horizontalAdvance(t) for t in ends) + gap:
                break
            step = _wider(step)
        if step == major:
            return levels
        return [(step, 0.0), (major, offset)]

    def generateDrawSpecs(self, p):
        if self._specs is None:
            self._specs = super().generateDrawSpecs(p)
            return self._specs
        (_, a, b), ticks, texts = self._specs
        colour = self.pen().color()
        return (self.pen(), a, b), [(_recoloured(pen, colour), p1, p2) for pen, p1, p2 in ticks], texts

    def paint(self, p, opt, widget):
        where = self._layer_origin(p)
        if where is None:
            super().paint(p, opt, widget)
            return
        line, text = self.pen().color(), self.textPen().color()
        if self._layers is None or self._layers[0] != (where, line.alpha(), text.alpha()):
            self._draw_layers(p, where)
        elif self._layers[1] != (line.rgb(), text.rgb()):  # a recolour: the alphas are in the layers
            key, _, lines, (corner, texts) = self._layers
            _tint(lines, line)
            _tint(texts, text)
            self._layers = (key, (line.rgb(), text.rgb()), lines, (corner, texts))
        _, _, lines, (corner, texts) = self._layers
        p.save()
        p.setWorldTransform(QTransform())
        p.drawImage(0, 0, lines)
        p.drawImage(corner, texts)
        p.restore()

    def _layer_origin(self, p) -> tuple[float, float, int, int] | None:
        """Where the painter puts the item on its bitmap, and the bitmap's size, when the layers
        can stand in for drawing: painting into the item's own bitmap cache at 1:1, moved only."""
        if self.cacheMode() != QGraphicsItem.DeviceCoordinateCache:  # (export turns caches off)
            return None
        t = p.deviceTransform()  # (p.device() is not asked: its wrapper may free Qt's cache pixmap)
        if t.type().value > QTransform.TxTranslate.value or t != p.worldTransform():  # scaled, or high DPI
            return None
        room = p.viewport()
        return t.dx(), t.dy(), room.right() + 1, room.bottom() + 1

    def _draw_layers(self, p, where) -> None:
        """The lines, and the labels (over the rectangle they cover), each in its own layer, in the
        current colours, drawn as pyqtgraph's `drawPicture` draws them."""
        dx, dy, width, height = where
        lines = QImage(width, height, QImage.Format_ARGB32_Premultiplied)
        lines.fill(Qt.transparent)
        painter = QPainter(lines)
        try:
            painter.translate(dx, dy)
            if self.style["tickFont"]:
                painter.setFont(self.style["tickFont"])
            (pen, a, b), ticks, labels = self.generateDrawSpecs(painter)
            painter.setRenderHint(QPainter.Antialiasing, False)
            painter.setPen(pen)
            painter.drawLine(a, b)
            for pen, a, b in ticks:
                painter.setPen(pen)
                painter.drawLine(a, b)
        finally:
            painter.end()
        clip = self.boundingRect().toAlignedRect()
        area = QRectF()
        for rect, _, _ in labels:
            area = area.united(rect)
        area = area.translated(dx, dy).toAlignedRect().adjusted(-2, -2, 2, 2).intersected(
            clip.translated(round(dx), round(dy)).adjusted(-1, -1, 1, 1))
        texts = QImage(max(area.width(), 1), max(area.height(), 1), QImage.Format_ARGB32_Premultiplied)
        texts.fill(Qt.transparent)
        painter = QPainter(texts)
        try:
            painter.translate(dx - area.x(), dy - area.y())
            painter.setRenderHint(QPainter.Antialiasing, False)
            painter.setRenderHint(QPainter.TextAntialiasing, True)
            if self.style["tickFont"] is not None:
                painter.setFont(self.style["tickFont"])
            painter.setPen(self.textPen())
            painter.setClipRect(clip)
            for rect, flags, text in labels:
                painter.drawText(rect, int(flags), text)
        finally:
            painter.end()
        line, text = self.pen().color(), self.textPen().color()
        self._layers = ((where, line.alpha(), text.alpha()), (line.rgb(), text.rgb()), lines,
                        (area.topLeft(), texts))


def _wider(step: float) -> float:
    """The next tick step of the 1-2-5 series above `step`."""
    unit = 10 ** math.floor(math.log10(step) + 1e-9)
    return next(m * unit for m in (2, 5, 10, 20) if m * unit > step * (1 + 1e-9))


def _tint(layer: QImage, colour: QColor) -> None:
    """The layer in `colour`, in place: each pixel keeps its alpha (what drawing in the colour
    at that coverage leaves on a transparent bitmap)."""
    p = QPainter(layer)
    p.setCompositionMode(QPainter.CompositionMode_SourceIn)
    p.fillRect(layer.rect(), QColor(colour.red(), colour.green(), colour.blue()))
    p.end()


def _recoloured(pen: QPen, colour: QColor) -> QPen:
    """The pen in the new colour, keeping its alpha (tick level and grid fade)."""
    c = QColor(colour)
    c.setAlpha(pen.color().alpha())
    out = QPen(pen)
    out.setColor(c)
    return out
