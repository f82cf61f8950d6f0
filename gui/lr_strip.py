"""Alpha MAML's learned inner learning rate over training: a short strip under the loss plot.

A separate small plot (not a second axis on the loss plot) so that the loss keeps its log
scale and the audience reads one number per plot; it is shown only for an algorithm that
records its learned rate's history (Alpha MAML).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QLabel, QWidget

from core.algorithms import REGISTRY
from gui import style
from gui.i18n import tr
from gui.panels import _plot, style_plot


class AlphaStrip(style.WhenShown, QWidget):
    """Learned α against meta-iteration, with its current value large on the left (hidden
    for every algorithm but Alpha MAML: restyled when next shown)."""

    def __init__(self):
        super().__init__()
        self.value = QLabel("")
        self.value.setTextFormat(Qt.RichText)
        self.value.setFixedWidth(120)
        self.plot = _plot()
        self.plot.setMouseEnabled(False, False)
        self.plot.setFixedHeight(72)
        item = self.plot.getPlotItem()
        item.getAxis("bottom").setStyle(showValues=False)
        item.getAxis("left").setWidth(48)
        for name in ("left", "bottom"):
            item.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.curve = pg.PlotCurveItem()
        self.plot.addItem(self.curve)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.value)
        lay.addWidget(self.plot, 1)
        self.setToolTip(tr("Alpha MAML learns the inner learning rate α by hypergradient descent: "
                           "here is α over meta-training"))
        self.shown: tuple | None = None  # (iters, alpha) on screen, for tests
        self.snapshot = None  # the last one shown, redrawn after a theme switch
        self.theme = style.themes.current
        self.follow_theme()

    def apply_theme(self, t: style.Theme) -> None:
        """α in the support points' yellow: a learning rate, not a method."""
        self.theme = t
        style_plot(self.plot, t)
        self.curve.setPen(pg.mkPen(t.support, width=3 * t.scale))
        self.shown = None
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)

    def show_snapshot(self, snap) -> None:
        self.snapshot = snap
        hist = snap.lr_history
        algo = REGISTRY.get(snap.algorithm)
        key = algo.shown_rate if algo is not None else None  # the learned rate, when its history is recorded
        visible = key is not None and key in hist
        if self.isVisible() != visible:
            self.setVisible(visible)
        if not visible or len(hist[key]) == 0:
            return
        iters, alpha = hist["iters"], hist[key]
        if self.shown is not None and len(self.shown[0]) == len(iters) and self.shown[0][-1] == iters[-1]:
            return
        self.shown = (iters, alpha)
        self.curve.setData(iters, alpha)
        ok = np.isfinite(alpha)
        if ok.any():
            lo, hi = float(alpha[ok].min()), float(alpha[ok].max())
            pad = 0.1 * (hi - lo) or 0.1 * abs(hi) or 1e-3
            self.plot.setRange(xRange=(float(iters[0]), float(iters[-1]) + 1), yRange=(lo - pad, hi + pad),
                               padding=0)
        t, learned = self.theme, tr("learned α")
        self.value.setText(f"<span style='color:{t.muted}; font-size:{t.body_pt}pt'>{learned}</span><br>"
                           f"<span style='color:{t.support}; font-size:{t.title_pt - 4}pt; font-weight:bold'>"
                           f"{alpha[-1]:.3g}</span>")
