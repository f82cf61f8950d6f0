"""Parameter space of the two-scalar model: the whole learning problem in one picture.

The displayed task's support loss over (a, b) as a log-scaled heatmap with contours, the
task's true (a, b) as a star, the meta-initialisation with the trail training left, and the
inner-step paths from the meta-learned and the random initialisation. The heatmap and contours are
rebuilt only when the trainer sends a new surface (it recomputes one only when the task or
the view changes); a frame otherwise just moves a few points. Clicking places the random
initialisation there.

Markers sit on the steps the init panels draw curves for (all up to 10, then about 10 spread
on a log scale), the line through every step. At a small α the inner steps are shorter than a
pixel: a path whose steps would be drawn closer than `MIN_STEP_PX` apart is stretched from its
start by a round factor (x2, x5, x10, ...) and a note under the map says so, so the steps can
be seen and never pass for their true length.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from core.controls import SharedControls
from core.families import get_family
from core.schedules import step_schedule
from core.words import QT_TR_NOOP
from gui import style
from gui.i18n import tr
from gui.panels import Card, FitLabel, _plot, log_ticks

PARAM_NAMES = {"sinusoid": (QT_TR_NOOP("amplitude A"), QT_TR_NOOP("phase φ")),
               "sine-ab": (QT_TR_NOOP("amplitude a"), QT_TR_NOOP("phase b")),
               "linear": (QT_TR_NOOP("slope a"), QT_TR_NOOP("intercept b"))}  # shown through tr()
CONTOURS = (0.15, 0.35, 0.6)  # contour levels, as fractions of the log-loss range
MIN_STEP_PX = 8.0  # inner steps drawn closer than this (on average) are stretched to be seen
MAX_STRETCH_OF_VIEW = 0.3  # a stretched path spans at most this fraction of the view's diagonal
PATHS = ("meta", "random")
ROUND = [m * 10 ** d for d in range(7) for m in (1, 2, 5)]  # the stretch factors offered


def stretch_factor(path: np.ndarray, view: tuple, size_px: tuple[float, float]) -> int:
    """How much to lengthen a path of inner steps (rows of (a, b)) so its steps are at least
    MIN_STEP_PX apart on average, as a round number (1, 2, 5, 10, 20, ...), but never so much
    that it spans more than MAX_STRETCH_OF_VIEW of the view ((a0, a1), (b0, b1)), `size_px`
    pixels big, or leaves it. 1 when the steps are far enough apart or the path does not move."""
    if len(path) < 2:
        return 1
    (a0, a1), (b0, b1) = view
    pixel = np.array([(a1 - a0) / size_px[0], (b1 - b0) / size_px[1]])  # data units per pixel
    seg = np.diff(path, axis=0) / pixel
    total = float(np.hypot(seg[:, 0], seg[:, 1]).sum())  # the path's length in pixels
    mean = total / (len(path) - 1)
    if not np.isfinite(total) or mean >= MIN_STEP_PX or total <= 1e-9:
        return 1
    need, room = MIN_STEP_PX / mean, MAX_STRETCH_OF_VIEW * float(np.hypot(*size_px)) / total
    k = min(next((r for r in ROUND if r >= need), ROUND[-1]), max((r for r in ROUND if r <= room), default=1))
    while k > 1:  # within the view: a stretched path pointing off the map would show nothing
        s = stretched(path, k)
        if np.all((s[:, 0] >= a0) & (s[:, 0] <= a1) & (s[:, 1] >= b0) & (s[:, 1] <= b1)):
            break
        k = max((r for r in ROUND if r < k), default=1)
    return k


def stretched(path: np.ndarray, k: int) -> np.ndarray:
    """The path drawn k times longer from its start (its first point, the init, stays put)."""
    return path[:1] + k * (path - path[:1])


class LandscapePanel(Card):
    """Heatmap of log10 support MSE over (a, b) with the meta-init's trail and both paths."""

    def __init__(self, shared: SharedControls):
        super().__init__(tr("Parameter space"), big=True, compact=True)
        self.shared = shared
        self.legend = FitLabel()  # a narrow panel: a shorter legend rather than a clipped one
        self.legend.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.body.addWidget(self.legend)
        self.plot = _plot()
        self.plot.getPlotItem().getViewBox().sigResized.connect(self._resized)
        self.plot.getPlotItem().getViewBox().sigRangeChanged.connect(self._resized)  # a re-frame, too
        self._redrawing = False
        self.plot.setMouseEnabled(False, False)
        item = self.plot.getPlotItem()
        item.showGrid(x=False, y=False)
        for name in ("left", "bottom"):
            item.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.body.addWidget(self.plot, 1)
        self.note = FitLabel()  # says when the steps are drawn longer than they are
        self.note.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.body.addWidget(self.note)
        self.image = pg.ImageItem(axisOrder="col-major")  # image[i, j] at (a[i], b[j]): x = a, y = b
        self.plot.addItem(self.image)
        # the colour scale, in MSE (the image holds log10 MSE): not draggable, it only reads
        self.colour_bar = pg.ColorBarItem(width=14, interactive=False, colorMapMenu=False,
                                         label=tr("support MSE"))
        self.colour_bar.setImageItem(self.image, insert_in=item)
        self.contours = [pg.IsocurveItem() for _ in CONTOURS]
        for c in self.contours:
            c.setParentItem(self.image)
        self.trail = pg.PlotCurveItem()
        self.paths = {m: pg.PlotDataItem(symbol=style.MARKS[m].symbol, symbolSize=9) for m in PATHS}
        self.random_start = pg.ScatterPlotItem(size=16, symbol=style.MARKS["random"].symbol)
        self.init_dot = pg.ScatterPlotItem(size=22, symbol=style.MARKS["meta"].symbol)
        self.replay_dot = pg.ScatterPlotItem(size=30, symbol="o", brush=None)  # a replayed past init (a ring)
        self.star = pg.ScatterPlotItem(size=30, symbol="star")
        for z, it in enumerate((self.trail, *self.paths.values(), self.random_start, self.init_dot, self.replay_dot,
                                self.star)):
            it.setZValue(10 + z)
            self.plot.addItem(it)
        self.plot.setToolTip(tr("Colour: the task's support loss (log scale, see the bar). Line: the path the "
                                "meta-initialisation took while training. Markers: each inner step from the "
                                "meta-learned and the random init (stretched, and the readout says so, when they "
                                "are too short to see). Click anywhere to place the random initialisation there."))
        self.stretch = {m: 1 for m in PATHS}  # how much each path is lengthened on screen
        self.plot.viewport().installEventFilter(self)
        self.surface = None  # the loss array on screen
        self._surface_id = None  # and its version (snapshots come pickled from another process)
        self.family = None
        self.minimum: tuple[float, float] | None = None  # (a, b) of the lowest cell shown, for tests
        self.snapshot = None  # the last one shown, redrawn after a theme switch
        self.follow_theme()  # hidden (any model but the two-scalar one): restyled when next shown

    def apply_theme(self, t: style.Theme) -> None:
        """Map, contours, trail, paths, bar and legend in theme `t` (light map on white, dark on dark)."""
        super().apply_theme(t)
        cmap = pg.ColorMap(np.linspace(0, 1, len(t.heat)), list(t.heat))
        self.image.setColorMap(cmap)
        self.colour_bar.setColorMap(cmap)
        for name in ("left", "right", "top", "bottom"):
            ax = self.colour_bar.getAxis(name)
            ax.setPen(pg.mkPen(t.grid))
            ax.setTextPen(pg.mkPen(t.text))
            ax.setTickFont(t.axis_font())
            ax.label.setFont(t.axis_font())
            ax.label.setDefaultTextColor(QColor(t.text))
        for c in self.contours:
            c.setPen(pg.mkPen(t.contour, width=2))
        meta, rand = t.methods["meta"], t.methods["random"]
        self.trail.setPen(pg.mkPen(t.trail, width=2.5 * t.scale))
        for m, col in (("meta", meta), ("random", rand)):
            self.paths[m].setPen(pg.mkPen(col, width=3 * t.scale, style=style.MARKS[m].dash))
            self.paths[m].setSymbolBrush(col)
            self.paths[m].setSymbolPen(None)  # overlapping markers read as one band, not a dark smear
        self.random_start.setPen(pg.mkPen(t.bg, width=2))
        self.random_start.setBrush(pg.mkBrush(rand))
        self.init_dot.setPen(pg.mkPen(t.trail, width=2.5))
        self.init_dot.setBrush(pg.mkBrush(meta))
        self.star.setPen(pg.mkPen(t.true, width=1.5))
        self.star.setBrush(pg.mkBrush(t.support))
        self.replay_dot.setPen(pg.mkPen(t.warn, width=4 * t.scale))
        mark = {m: style.MARKS[m] for m in PATHS}
        entries = [(t.support, "★", tr("true")),
                   (t.trail, f"━<span style='color:{meta}'>{mark['meta'].glyph}</span>", tr("meta-init, trail")),
                   (meta, f"{mark['meta'].glyph}━{mark['meta'].glyph}", "MAML"),
                   (rand, f"{mark['random'].glyph}╺╸{mark['random'].glyph}", tr("random"))]
        items = [f"<span style='color:{c}'>{g}</span> {w}" for c, g, w in entries]
        line = f"<span style='font-size:{t.body_pt}pt'>%s</span>"
        self.legend.set_options((line % "&nbsp;&nbsp;".join(items), line % "&nbsp;".join(items),
                                 line % ("&nbsp;".join(items[:2]) + "<br>" + "&nbsp;".join(items[2:]))))
        self._readout_text = None  # rebuilt below
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)

    def set_family(self, family: str) -> None:
        if family == self.family:
            return
        self.family = family
        na, nb = PARAM_NAMES.get(family, ("a", "b"))
        self.plot.getPlotItem().getAxis("bottom").setLabel(tr(na))
        self.plot.getPlotItem().getAxis("left").setLabel(tr(nb))

    def _resized(self, *_) -> None:
        """The steps' stretch depends on the view's size and range: redo it when either changes."""
        if self.snapshot is not None and not self._redrawing:
            self._redrawing = True
            try:
                self.show_snapshot(self.snapshot)
            finally:
                self._redrawing = False

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
        self._follow(land)
        t = self.theme
        vb = self.plot.getPlotItem().getViewBox()
        view, (px, py) = vb.viewRange(), vb.viewPixelSize()  # the mapping as drawn (aspect and all)
        size_px = (max((view[0][1] - view[0][0]) / px, 1.0), max((view[1][1] - view[1][0]) / py, 1.0))
        for m, item in self.paths.items():
            p = land.paths.get(m)
            if p is None:
                item.setData([], [])
                self.stretch[m] = 1
                continue
            ok = np.all(np.isfinite(p), axis=1)
            p = p[ok]
            k = stretch_factor(p, view, size_px) if len(p) else 1
            self.stretch[m] = k
            shown = stretched(p, k) if len(p) else p
            sizes = np.zeros(len(p))
            sizes[[i for i in step_schedule(len(p) - 1) if i < len(p)]] = 9 * t.scale  # the steps the panels draw
            item.setData(shown[:, 0], shown[:, 1], symbolSize=sizes)
            if m == "random" and len(p):
                self.random_start.setData([p[0, 0]], [p[0, 1]])
        self.star.setData(*(([land.true_ab[0]], [land.true_ab[1]]) if land.true_ab else ([], [])))
        self.replay_dot.setData(*(([land.replay[0]], [land.replay[1]]) if land.replay else ([], [])))
        end = trail[-1]
        (a0, a1), (b0, b1) = self._range
        off = not (a0 <= end[0] <= a1 and b0 <= end[1] <= b1)
        warn = f"<span style='color:{t.warn}; font-size:{t.body_pt}pt'>"
        off_map = warn + tr("init off the map") + "</span>"
        replay = warn + "○ " + tr("replayed init") + "</span>" if land.replay else ""
        self.set_readout(off_map if off else replay)
        grown = [(tr(style.METHOD_SHORT[m]).split()[0], k) for m, k in self.stretch.items() if k > 1]
        span = f"<span style='color:{t.muted}; font-size:{t.body_pt}pt'>"
        names = ", ".join(f"{name} ×{k}" for name, k in grown)
        notes = ((span + tr("Inner steps too short to see at this α: drawn longer ({0})").format(names) + "</span>",
                  span + tr("Steps drawn longer to be seen: {0}").format(names) + "</span>",
                  span + tr("Steps drawn longer: {0}").format(names) + "</span>",
                  span + tr("Steps {0}").format(", ".join(f"×{k} {name}" for name, k in grown)) + "</span>")
                 if grown else ("&nbsp;",))  # always one line high: the note never resizes the map
        if notes != self.note.options:
            self.note.set_options(notes)

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
        hi = hi if hi > lo else lo + 1
        self.image.setImage(log, levels=(lo, hi))
        self.colour_bar.setLevels((lo, hi))
        self.colour_bar.axis.setTicks(log_ticks(lo, hi))  # labelled in MSE, not in its log
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
        return self.plot.viewportTransform().map(vb.mapViewToScene(QPointF(a, b)))  # float: mapFromScene rounds

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
