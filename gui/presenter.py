"""Presenter mode and the light theme: readable from the back of a room.

Presenter mode (F11) goes full screen, scales every font and line by `SCALE`, and hides the
advanced controls (like TensorFlow Playground's classroom mode): Play, Step, Reset, New task,
alpha and K stay. The light theme is a second `style.Theme`. Both restyle the live widgets
in place; nothing is rebuilt and training carries on.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QApplication, QFormLayout, QWidget

from gui import style

SCALE = 1.35  # fonts and line widths in presenter mode
CONTROLS_WIDTH = 390


class Presenter:
    def __init__(self, window):
        self.window = window
        self.on = False
        self.light = False
        self._was_maximized = False

    def set_on(self, on: bool) -> None:
        on = bool(on)
        if on == self.on:
            return
        self.on, w = on, self.window
        if on:
            self._was_maximized, self._geometry = w.isMaximized(), w.geometry()
            w.setGeometry(w.screen().geometry())  # without a window manager full screen is only a hint
            w.showFullScreen()
        elif self._was_maximized:
            w.showMaximized()
        else:
            w.showNormal()
            w.setGeometry(self._geometry)
        w.menuBar().setVisible(not on)  # the toolbar stays: the speaker can still click out
        for widget in self.advanced():
            widget.setVisible(not on)
        self.restyle()

    def set_light(self, on: bool) -> None:
        self.light = bool(on)
        self.restyle()

    def advanced(self) -> list:
        """Widgets hidden in presenter mode (whole form rows go with their field)."""
        c = self.window.controls
        names = ("beta", "inner_steps", "meta_batch", "display_steps", "pretrained", "save", "load")
        out = [c.algorithm.parentWidget()]  # the whole "Setup" group: algorithm, family, model, seed, device
        out += [getattr(c, n) for n in names if hasattr(c, n)]
        return out

    def restyle(self) -> None:
        style.use(style.LIGHT if self.light else style.DARK, SCALE if self.on else 1.0)
        style.apply(QApplication.instance())
        restyle_window(self.window)
        demo = getattr(self.window, "demo", None)
        if demo is not None:
            demo.explainer.refresh()
            demo.explainer.place()
        self._rows()
        self.window.controls.setFixedWidth(round(CONTROLS_WIDTH * (1.12 if self.on else 1.0)))
        QTimer.singleShot(200, self.window, self._resize_labels)  # after the new font has reached the widgets

    def _resize_labels(self) -> None:
        for label in self.window.controls.findChildren(QWidget):  # (a class filter misses superqt's)
            if hasattr(label, "_update_size"):  # superqt's slider value labels size themselves to the font
                label._update_size()

    def _rows(self) -> None:
        """Form rows hide with their field (labels included)."""
        for widget in self.advanced():
            form = widget.parentWidget().layout() if widget.parentWidget() else None
            if isinstance(form, QFormLayout) and form.indexOf(widget) >= 0:
                form.setRowVisible(widget, not self.on)


def restyle_window(w) -> None:
    """Apply the current style globals to the plots and cards that styled themselves at start."""
    from gui.panels import Card, EvalPanel, InitPanel, LossPanel

    for plot in w.findChildren(pg.PlotWidget):
        plot.setBackground(style.PANEL)
        item = plot.getPlotItem()
        for name in ("left", "bottom"):
            ax = item.getAxis(name)
            ax.setPen(pg.mkPen(style.GRID))
            ax.setTextPen(pg.mkPen(style.TEXT))
            ax.setTickFont(style.axis_font())
            ax.label.setFont(style.axis_font())
            ax.label.setDefaultTextColor(QColor(style.TEXT))
            ax.update()
    for card in w.findChildren(Card):
        card.setStyleSheet(f"QFrame#card {{ background: {style.PANEL}; border-radius: 8px; }}")
        f = QFont(card.title.font())
        method = getattr(card, "method", None)
        compact = getattr(card, "compact", False)
        f.setPointSize((style.TITLE_PT - (3 if compact else 0)) if method else style.HEADLINE_PT)
        card.title.setFont(f)
        card.title.setStyleSheet(f"color: {style.METHOD_COLOURS.get(method, style.TEXT)};")
        card._readout_text = None  # the readout's html is rebuilt on the next snapshot
    snap = w.snapshot
    for card in w.findChildren(InitPanel):
        card.true_pen = pg.mkPen(style.TRUE, width=3 * style.SCALE, style=Qt.DashLine)
        card.bundle._point_brush = pg.mkBrush(style.SUPPORT)
        card.bundle.radius = 8.5 * style.SCALE
        card.waiting.setColor(QColor(style.MUTED))
        if card._n >= 0:
            card._restyle(card._n)
        if snap is not None and card.isVisible():
            card.show_snapshot(snap)
    for card in w.findChildren(LossPanel):
        faint = style.blend(style.PANEL, style.ACCENT, 0.4)
        card.raw.setPen(pg.mkPen(faint, width=1))
        card.smooth.setPen(pg.mkPen(style.ACCENT, width=3 * style.SCALE))
        card.legend.setText(f"<span style='font-size:{style.BODY_PT + 1}pt; color:{style.ACCENT}'>━━ smoothed"
                            f"&nbsp;&nbsp;&nbsp;<span style='color:{faint.name()}'>━━</span> per iteration</span>"
                            f"<span style='color:{style.MUTED}; font-size:{style.BODY_PT}pt'>&nbsp;&nbsp;&nbsp;"
                            f"query MSE after adaptation</span>")
        if hasattr(card, "restyle_extra"):
            card.restyle_extra()
        card._iteration = -2
        if snap is not None:
            card.show_snapshot(snap)
    for card in w.findChildren(EvalPanel):
        for m, line in card.lines.items():
            colour = QColor(style.METHOD_COLOURS[m])
            line.setPen(pg.mkPen(colour, width=3 * style.SCALE))
            line.setSymbolBrush(colour)
            line.setSymbolSize(8 * style.SCALE)
            band = QColor(colour)
            band.setAlpha(55)
            card.fills[m][0].setBrush(pg.mkBrush(band))
            for edge in card.fills[m][1:]:
                edge.setPen(QPen(Qt.NoPen))
        card._shown = None
        card.legend.setText(card._legend({}))
        if snap is not None:
            card.show_snapshot(snap)
