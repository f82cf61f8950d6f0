"""Parameter space of the two-scalar model: the whole learning problem in one picture.

The displayed task's support loss over (a, b) as a log-scaled heatmap with contours, the
task's true (a, b) as a star, the meta-initialisation with the trail training left, and the
inner-step paths from the meta-learned and the random initialisation. The heatmap and contours are
rebuilt only when the trainer sends a new surface (it recomputes one only when the task or
the view changes); a frame otherwise just moves a few points. Clicking places the random
initialisation there.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF
from PySide6.QtWidgets import QGraphicsItem

from core.controls import SharedControls
from core.tasks import get_family
from gui import style
from gui.panels import Card, _legend_label, _plot

PARAM_NAMES = {"sinusoid": ("amplitude A", "phase φ"), "sine-ab": ("amplitude a", "phase b"),
               "linear": ("slope a", "intercept b")}
CONTOURS = (0.15, 0.35, 0.6)  # contour levels, as fractions of the log-loss range
# Dark = low loss, in muted blues, so the method-coloured paths, the white trail and the
# yellow star stand out on it wherever they are.
COLORMAP = pg.ColorMap([0.0, 0.3, 0.6, 1.0], ["#06070b", "#17203a", "#34476f", "#7d8cad"])


class LandscapePanel(Card):
    """Heatmap of log10 support MSE over (a, b) with the meta-init's trail and both paths."""

    def __init__(self, shared: SharedControls):
        super().__init__("Parameter space", big=True, compact=True)
        self.shared = shared
        self.legend = _legend_label()
        self.body.addWidget(self.legend)
        self.plot = _plot()
        self.plot.setMouseEnabled(False, False)
        item = self.plot.getPlotItem()
        item.showGrid(x=False, y=False)
        for name in ("left", "bottom"):
            item.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.body.addWidget(self.plot, 1)
        self.image = pg.ImageItem(axisOrder="col-major")  # image[i, j] at (a[i], b[j]): x = a, y = b
        self.image.setColorMap(COLORMAP)
        self.plot.addItem(self.image)
        self.contours = [pg.IsocurveItem(pen=pg.mkPen((200, 215, 240, 140), width=2)) for _ in CONTOURS]
        for c in self.contours:
            c.setParentItem(self.image)
        self.trail = pg.PlotCurveItem(pen=pg.mkPen("#ffffff", width=2.5))
        self.paths = {m: pg.PlotDataItem(symbol="o", symbolSize=9, symbolPen=pg.mkPen("#111111", width=1))
                      for m in ("meta", "random")}
        self.random_start = pg.ScatterPlotItem(size=16, symbol="s", pen=pg.mkPen("#111111", width=2))
        self.init_dot = pg.ScatterPlotItem(size=22, pen=pg.mkPen("#ffffff", width=2.5))
        self.replay_dot = pg.ScatterPlotItem(size=30, symbol="o", brush=None)  # a replayed past init (a ring)
        self.star = pg.ScatterPlotItem(size=30, symbol="star", pen=pg.mkPen("#111111", width=1.5))
        for z, it in enumerate((self.trail, *self.paths.values(), self.random_start, self.init_dot, self.replay_dot,
                                  self.star)):
            it.setZValue(10 + z)
            self.plot.addItem(it)
        self.plot.setToolTip("Colour: the task's support loss (log scale; dark = low). White line: the path the "
                             "meta-initialisation took while training. Click anywhere to place the random "
                             "initialisation there.")
        self.plot.viewport().installEventFilter(self)
        self.surface = None  # the loss array on screen
        self._surface_id = None  # and its version (snapshots come pickled from another process)
        self.family = None
        self.minimum: tuple[float, float] | None = None  # (a, b) of the lowest cell shown, for tests
        self.snapshot = None  # the last one shown, redrawn after a theme switch
        style.themes.follow(self.apply_theme)

    def apply_theme(self, t: style.Theme) -> None:
        """The map's own colours stay (dark = low loss, in either theme); the methods' change."""
        super().apply_theme(t)
        meta, rand = t.methods["meta"], t.methods["random"]
        for m, col in (("meta", meta), ("random", rand)):
            self.paths[m].setPen(pg.mkPen(col, width=3 * t.scale))
            self.paths[m].setSymbolBrush(col)
        self.random_start.setBrush(pg.mkBrush(rand))
        self.init_dot.setBrush(pg.mkBrush(meta))
        self.star.setBrush(pg.mkBrush(t.support))
        self.replay_dot.setPen(pg.mkPen(t.warn, width=4 * t.scale))
        self.legend.setText(
            f"<span style='font-size:{t.body_pt}pt'>"
            f"<span style='color:{t.support}'>★</span> true&nbsp;&nbsp;"
            f"<span style='color:{meta}'>●</span> meta-init&nbsp;&nbsp;"
            f"<span style='color:{meta}'>●━●</span> MAML&nbsp;&nbsp;"
            f"<span style='color:{rand}'>■━●</span> random</span>")
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)

    def set_family(self, family: str) -> None:
        if family == self.family:
            return
        self.family = family
        na, nb = PARAM_NAMES.get(family, ("a", "b"))
        self.plot.getPlotItem().getAxis("bottom").setLabel(na)
        self.plot.getPlotItem().getAxis("left").setLabel(nb)

    def show_snapshot(self, snap) -> None:
        self.snapshot = snap
        land = snap.landscape
        if land is None:
            return
        self.set_family(snap.family)
        if land.surface_id != self._surface_id or self.surface is None:
            self._show_surface(land)
        trail = land.init_trail
        self.trail.setData(trail[:, 0], trail[:, 1])
        self.init_dot.setData([trail[-1, 0]], [trail[-1, 1]])
        for m, item in self.paths.items():
            p = land.paths.get(m)
            if p is None:
                item.setData([], [])
                continue
            ok = np.all(np.isfinite(p), axis=1)
            item.setData(p[ok, 0], p[ok, 1])
            if m == "random" and ok.any():
                self.random_start.setData([p[0, 0]], [p[0, 1]])
        self.star.setData(*(([land.true_ab[0]], [land.true_ab[1]]) if land.true_ab else ([], [])))
        self.replay_dot.setData(*(([land.replay[0]], [land.replay[1]]) if land.replay else ([], [])))
        end = trail[-1]
        self._follow(land)
        (a0, a1), (b0, b1) = self._range
        off = not (a0 <= end[0] <= a1 and b0 <= end[1] <= b1)
        t = self.theme
        off_map = f"<span style='color:{t.warn}; font-size:{t.body_pt}pt'>init off the map</span>"
        replay = f"<span style='color:{t.warn}; font-size:{t.body_pt}pt'>○ replayed init</span>" if land.replay else ""
        self.set_readout(off_map if off else replay)

    def _show_surface(self, land) -> None:
        """A new surface: image, contours and view (rare; never per frame while training)."""
        self.surface, self._surface_id = land.loss, land.surface_id
        a, b = np.asarray(land.a, float), np.asarray(land.b, float)  # float32 ranges overflow pyqtgraph's limits
        da, db = float(a[-1] - a[0]) / max(len(a) - 1, 1), float(b[-1] - b[0]) / max(len(b) - 1, 1)
        self._range = ((float(a[0]) - da / 2, float(a[-1]) + da / 2), (float(b[0]) - db / 2, float(b[-1]) + db / 2))
        loss = np.asarray(land.loss, float)
        if not np.isfinite(loss).any():  # no support points: nothing to measure
            self.image.clear()
            for c in self.contours:
                c.setData(None)
            self.minimum = None
            self.plot.setRange(xRange=self._range[0], yRange=self._range[1], padding=0)
            return
        log = np.log10(np.where(np.isfinite(loss), loss, np.nanmax(loss[np.isfinite(loss)])) + 1e-4)
        lo, hi = float(log.min()), float(log.max())
        self.image.setImage(log, levels=(lo, hi if hi > lo else lo + 1))
        self.image.setRect(QRectF(self._range[0][0], self._range[1][0], da * len(a), db * len(b)))
        for c, f in zip(self.contours, CONTOURS):
            c.setData(log, lo + f * (hi - lo))
        i, j = np.unravel_index(np.argmin(log), log.shape)
        self.minimum = (float(a[i]), float(b[j]))
        self._zoom(land)

    def _follow(self, land) -> None:
        """Re-frame only when something left the view or the view is far too big: the axes are
        redrawn rarely, not every frame."""
        (a0, a1), (b0, b1) = self.plot.getPlotItem().getViewBox().viewRange()
        (x0, x1), (y0, y1) = self._view(land)
        outside = x0 < a0 - 1e-9 or x1 > a1 + 1e-9 or y0 < b0 - 1e-9 or y1 > b1 + 1e-9
        if outside or (x1 - x0) * (y1 - y0) < 0.5 * (a1 - a0) * (b1 - b0):
            mx, my = 0.1 * (x1 - x0), 0.1 * (y1 - y0)  # room to move before the next re-frame
            full = self._range
            self.plot.setRange(xRange=(max(x0 - mx, full[0][0]), min(x1 + mx, full[0][1])),
                               yRange=(max(y0 - my, full[1][0]), min(y1 + my, full[1][1])), padding=0)

    def _zoom(self, land) -> None:
        xr, yr = self._view(land)
        self.plot.setRange(xRange=xr, yRange=yr, padding=0)

    def _view(self, land) -> tuple:
        """The family's parameter box and every point shown now, within the computed surface:
        the trainer's surface has room to spare, the view zooms to where things happen."""
        fam = get_family(self.family)
        paths = [land.paths.get(m, ()) for m in self.paths]
        pts = [land.init_trail[-1], *[p for path in paths for p in path]]
        if land.true_ab:
            pts.append(land.true_ab)
        pts = np.array([p for p in pts if np.all(np.isfinite(p))], float).reshape(-1, 2)
        view = []
        for k, (lo, hi) in enumerate((fam.a_range, fam.b_range)):
            if len(pts):
                lo, hi = min(lo, pts[:, k].min()), max(hi, pts[:, k].max())
            pad = 0.12 * (hi - lo)
            full = self._range[k]
            view.append((max(lo - pad, full[0]), min(hi + pad, full[1])))
        return view

    # ---- clicking places the random init ----------------------------------------------------
    def to_pixel(self, a: float, b: float) -> QPointF:
        vb = self.plot.getPlotItem().getViewBox()
        return QPointF(self.plot.mapFromScene(vb.mapViewToScene(QPointF(a, b))))

    def eventFilter(self, obj, ev) -> bool:
        if ev.type() != QEvent.MouseButtonPress or self.surface is None:
            return False
        vb = self.plot.getPlotItem().getViewBox()
        scene = self.plot.mapToScene(ev.position().toPoint())
        if not vb.sceneBoundingRect().contains(scene):
            return False
        at = vb.mapSceneToView(scene)
        self.shared.post("random_init", {"a": float(at.x()), "b": float(at.y())})
        return True
