"""The plots. Every plot item is created once; a frame only calls `setData` on them.

- `InitPanel`: one initialisation (meta-learned, random or pretrained) adapting to the display task.
- `LossPanel`: meta-loss against iteration, raw and smoothed, log scale.
- `EvalPanel`: the paper's Figure 3, MSE against inner steps with 95% bands.
"""
from __future__ import annotations

import re
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen, QTextDocument
from PySide6.QtWidgets import QFrame, QGraphicsItem, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from core.display import off_origin
from core.words import QT_TR_NOOP
from gui import style
from gui.axes import ThemedAxis
from gui.i18n import tr
from gui.widgets import WrapLabel


def steps_text(i: int) -> str:
    return tr("before") if i == 0 else (tr("after {0} step") if i == 1 else tr("after {0} steps")).format(i)


def step_count(i: int) -> str:
    """'1 step', '5 steps': the legend's count, without the 'after'."""
    return (tr("{0} step") if i == 1 else tr("{0} steps")).format(i)


def every_step(schedule: tuple[int, ...]) -> bool:
    """Whether a schedule draws every step 0..N (N <= 10) rather than a few counts on a log scale."""
    return list(schedule) == list(range(len(schedule)))


def _plot() -> pg.PlotWidget:
    w = pg.PlotWidget(axisItems={name: ThemedAxis(name) for name in ("left", "bottom")})
    w.setMenuEnabled(False)
    w.hideButtons()
    w.getPlotItem().showGrid(x=True, y=True, alpha=0.18)
    return w


def style_plot(plot: pg.PlotWidget, t: style.Theme) -> None:
    """Background, axes and their labels in theme `t`."""
    plot.setBackground(t.panel)
    item = plot.getPlotItem()
    font = t.axis_font()
    for name in ("left", "bottom"):
        ax = item.getAxis(name)
        ax.recolour(t.grid, t.text)
        if ax.style["tickFont"] != font:  # a theme switch keeps the size: no new geometry, no relayout
            ax.setTickFont(font)
            ax.label.setFont(font)
        ax.label.setDefaultTextColor(QColor(t.text))


class Card(style.WhenShown, QFrame):
    """A titled frame: big title on the left, a readout on the right, content below.

    Its title takes the method's colour (`method`, or the text colour), at the large title
    size when `big` (3 points less when `compact`), else the headline size."""

    def __init__(self, title: str, method: str | None = None, big: bool = False, compact: bool = False):
        super().__init__()
        self.setObjectName("card")
        self.method, self.big, self.compact = method, big, compact
        self.theme = style.themes.current
        self.title = QLabel(title)
        self.readout = FitLabel()
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.readout, 1)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(10, 6, 10, 8)
        self.body.setSpacing(4)
        self.body.addLayout(head)
        self._readout_text = ""

    def set_readout(self, html: str, *shorter: str) -> None:
        """The readout, or the first of the shorter versions that fits beside the title."""
        options = (html, *shorter)
        if options != self._readout_text:  # a QLabel relayout per frame is wasted work
            self._readout_text = options
            self.readout.set_options(options)

    def title_pt(self) -> int:
        t = self.theme
        return (t.title_pt - (3 if self.compact else 0)) if self.big else t.headline_pt

    def apply_theme(self, t: style.Theme) -> None:
        """Background, title and plot in theme `t`; subclasses add their items and redraw."""
        self.theme = t
        f = QFont(self.title.font())
        f.setPointSize(self.title_pt())
        f.setBold(True)
        self.title.setFont(f)
        pal = self.title.palette()
        pal.setColor(QPalette.WindowText, QColor(t.methods.get(self.method, t.text)))
        self.title.setPalette(pal)
        if hasattr(self, "plot"):
            style_plot(self.plot, t)
        self.update()

    def paintEvent(self, event) -> None:
        """The rounded panel, painted: a stylesheet would re-polish every child on a switch."""
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, True)
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(self.theme.panel))
        p.drawRoundedRect(QRectF(self.rect()), 8, 8)


_DIGITS = re.compile(r"\d")
_SIZES = re.compile(r"font-size:\s*\d+pt")
_TEXT = re.compile(r"(?<=>)[^<]+")  # the text between tags (the tags hold font sizes)
FIT_SLACK_PX = 2.0  # room kept for figures that are not quite as wide as a zero


class FitLabel(WrapLabel):
    """A right-aligned rich-text label showing the longest of its versions that fits its width
    (refit on resize): a long readout gives way to a short one instead of running out of the
    panel's header."""

    def __init__(self):
        super().__init__("")
        self.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.setTextFormat(Qt.RichText)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # never widens the window
        self.options: tuple[str, ...] = ("",)
        self._widths: dict[str, float] = {}
        self._shape, self._choice = None, 0  # the last fit: (width, option lengths) -> chosen option
        self._refit_queued = False

    def set_options(self, options: tuple[str, ...]) -> None:
        self.options = options
        self._fit()

    def text_width(self, html: str) -> float:
        """Laid-out width of the html, measured once per shape: digits count as zeros (the
        fonts' figures are tabular), so a value changing every frame costs a lookup, not a layout."""
        key = _TEXT.sub(lambda m: _DIGITS.sub("0", m.group(0)), html)
        if key not in self._widths:
            doc = QTextDocument()
            doc.setDefaultFont(self.font())
            doc.setDocumentMargin(0)
            doc.setHtml(key)
            if len(self._widths) > 256:
                self._widths.clear()
            self._widths[key] = doc.idealWidth() + FIT_SLACK_PX
        return self._widths[key]

    def _fit(self) -> None:
        room = self.contentsRect().width()
        # a new value of the same length, at the same font sizes, fits the same: no layout needed
        shape = (room, tuple(len(h) for h in self.options), tuple(_SIZES.findall("".join(self.options))))
        if shape != self._shape:
            self._shape = shape
            self._choice = next((i for i, h in enumerate(self.options) if self.text_width(h) <= room),
                                len(self.options) - 1)
        chosen = self.options[self._choice]
        if chosen != self.text():
            self.setText(chosen)

    def fits(self) -> bool:
        """Whether the text shown fits (what the tests check)."""
        return self.text_width(self.text()) <= self.contentsRect().width()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if len(self.options) > 1:
            self._fit()

    def changeEvent(self, event) -> None:
        """A new font (a presenter switch) measures anew, after the switch: its panel sets new
        options at the new sizes in the same switch, and measuring the old ones first is wasted."""
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self._widths.clear()
            self._shape = None
            if not self._refit_queued:
                self._refit_queued = True
                QTimer.singleShot(0, self, self._refit)

    def _refit(self) -> None:
        self._refit_queued = False
        self._fit()


class CurveBundle(QGraphicsItem):
    """All of one panel's curves and support points in a single item.

    One Python `paint` call per frame draws every path, instead of a pyqtgraph item (with
    its per-item bounds and checks) per curve: on a 2-core machine the GUI thread's Python
    time is what competes with the training thread for the interpreter lock. The bounding
    rectangle is the fixed view range, so a repaint never spills onto the axes.
    """

    def __init__(self):
        super().__init__()
        self._rect = QRectF(0, 0, 1, 1)
        self._paths: list[tuple[QPainterPath, QPen]] = []
        self._points: list[QPointF] = []
        self._point_pen = pg.mkPen("#111111", width=2)
        self._point_brush = pg.mkBrush("#ffd43b")
        self.radius = 8.5

    def set_point_style(self, colour: str, radius: float) -> None:
        """Fill colour and pixel radius of the support points."""
        self._point_brush = pg.mkBrush(colour)
        self.radius = radius
        self.update()

    def point_colour(self) -> QColor:
        return self._point_brush.color()

    def set_bounds(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = rect
        self.update()

    def set_content(self, curves: list[tuple[np.ndarray, np.ndarray, QPen]], sx: np.ndarray, sy: np.ndarray):
        self._paths = [(pg.arrayToQPath(x, y, connect="finite"), pen) for x, y, pen in curves]
        self._points = [QPointF(float(a), float(b)) for a, b in zip(sx, sy)]
        self.update()

    def restyle(self, pens: list[QPen]) -> None:
        """New pens for the paths drawn (a theme switch): the paths stay, only the look changes."""
        self._paths = [(path, pen) for (path, _), pen in zip(self._paths, pens)]
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, p, *_):
        p.setRenderHint(QPainter.Antialiasing, True)
        p.setBrush(Qt.NoBrush)
        for path, pen in self._paths:
            p.setPen(pen)
            p.drawPath(path)
        if self._points:  # circles of a fixed pixel size, drawn in device coordinates
            t = p.transform()
            pts = [t.map(q) for q in self._points]
            p.resetTransform()
            p.setPen(self._point_pen)
            p.setBrush(self._point_brush)
            for q in pts:
                p.drawEllipse(q, self.radius, self.radius)
            p.setTransform(t)


def _same(a, b) -> bool:
    """Equal arrays (or both None): a panel redraws only what changed."""
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


class InitPanel(Card):
    """The display task fitted from one initialisation: true curve, support points, and the
    prediction before adaptation and after 1..N inner steps, fading from grey to the
    method's colour. The readout shows the MSE after the last step, large."""

    # while training, the readout's number changes at most this often: one changing 50 times a
    # second cannot be read, and each change repainted the card's header (and its neighbours,
    # ~20% of the window's paint time); a new task, a schedule or a pause shows at once
    READOUT_S = 0.125

    def __init__(self, method: str):
        super().__init__(style.method_title(method), method, big=True)
        self.algorithm_label = "MAML"
        self.legend = FitLabel()
        self.legend.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.body.addWidget(self.legend)
        self.plot = _plot()
        self.plot.setMouseEnabled(False, False)
        for name, text in (("bottom", "x"), ("left", "y")):
            ax = self.plot.getPlotItem().getAxis(name)
            ax.setLabel(text)  # the coordinates' names: x and y in every language
            ax.setCacheMode(QGraphicsItem.DeviceCoordinateCache)  # axes and grid: a bitmap, repainted on resize only
        self.body.addWidget(self.plot, 1)
        # the true curve changes with the task only: its own layer, kept as a bitmap between changes
        # (a wide dashed antialiased stroke costs ~0.5 ms a repaint); the fits are drawn above it
        self.truth = CurveBundle()
        self.truth.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.plot.addItem(self.truth)
        self.bundle = CurveBundle()
        self.plot.addItem(self.bundle)
        self._content = None  # what the layers show (arrays and pens), to skip unchanged repaints
        self.waiting = pg.TextItem("", anchor=(0.5, 0.5))
        self.plot.addItem(self.waiting)
        self._steps: tuple[int, ...] = ()  # the step counts drawn (the snapshot's schedule)
        self._pens: list[QPen] = []
        self._n = -1
        self._y = (-1.0, 1.0)
        self.drawn: tuple = (None, None, None)
        self._readout_at = -1.0  # when the readout's number was last set (perf_counter)
        self.truth_name = "true"  # what the dashed curve is, in the legend (see truth_name)
        self._truth_task = None
        self.snapshot = None  # the last one shown, redrawn after a theme switch
        self.follow_theme()

    def apply_theme(self, t: style.Theme) -> None:
        super().apply_theme(t)
        self.true_pen = pg.mkPen(t.true, width=3 * t.scale, style=Qt.DashLine)
        self.bundle.set_point_style(t.support, 8.5 * t.scale)
        self.waiting.setColor(QColor(t.muted))
        self.waiting.setFont(t.axis_font())
        self._readout_text = None  # the readout's html is rebuilt below
        if self._n >= 0:
            self._set_steps(self._steps)
        if self._content is not None:  # the curves drawn keep their paths and take the new pens
            self.bundle.restyle(self._pens)
            self.truth.restyle([self.true_pen])
            self._content = (*self._content[:5], self._pens, self.true_pen)
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)

    def pens(self) -> list[QPen]:
        """The pens of the shown steps, before first, the last step last."""
        return list(self._pens)

    def set_range(self, x_range: tuple[float, float], y_range: tuple[float, float]) -> None:
        self.plot.setRange(xRange=x_range, yRange=y_range, padding=0.02)
        self._y = y_range
        span_x, span_y = x_range[1] - x_range[0], y_range[1] - y_range[0]
        bounds = QRectF(x_range[0] - 0.05 * span_x, y_range[0] - 0.05 * span_y, 1.1 * span_x, 1.1 * span_y)
        self.bundle.set_bounds(bounds)
        self.truth.set_bounds(bounds)
        self.waiting.setPos((x_range[0] + x_range[1]) / 2, (y_range[0] + y_range[1]) / 2)

    def set_names(self, algorithm_label: str, compact: bool) -> None:
        """Title after the meta-learning algorithm; short titles and legend when three panels
        share the width."""
        if (algorithm_label, compact) == (self.algorithm_label, self.compact):
            return
        self.algorithm_label, self.compact = algorithm_label, compact
        self.title.setText(style.method_title(self.method, algorithm_label, compact))
        font = self.title.font()
        font.setPointSize(self.title_pt())
        self.title.setFont(font)
        if self._n >= 0:
            self._set_steps(self._steps)

    def _set_steps(self, schedule: tuple[int, ...]) -> None:
        """A new step schedule (or a new theme): new pens and legend (rare, not per frame). Every
        step up to 10 fades from grey to the method's colour; a log schedule (0, 1, 10, 100, ...)
        draws each count as a clear line and names it in the legend."""
        t = self.theme
        schedule = tuple(schedule)
        n = schedule[-1]
        self._n, self._steps = n, schedule
        last = len(schedule) - 1
        fade = every_step(schedule)
        self._pens = [pg.mkPen(t.step_colour(self.method, j, last),
                               width=t.step_width(j, last) if fade or j in (0, last) else 2.0 * t.scale)
                      for j in range(len(schedule))]
        bar = "━" if self.compact else "━━"
        colour = lambda j: t.step_colour(self.method, j, last).name()  # noqa: E731
        truth, support, before = tr(self.truth_name), tr("support"), tr("before")
        parts = [f"<span style='color:{t.true}'>╍╍</span> {truth}"] if self.truth_name else []
        parts += [f"<span style='color:{t.support}'>●</span> {support}",
                  f"<span style='color:{t.before}'>{bar}</span> {before}"]
        one = len(parts)  # where the "1 step" entry goes: the first to go when the row is narrow
        if not fade:  # the counts drawn, each in its colour: "━1 ━10 ━100 steps"
            counts = [f"<span style='color:{colour(j)}'>━</span>{'<b>' if j == last else ''}{s:,}"
                      f"{'</b>' if j == last else ''}" for j, s in enumerate(schedule) if j]
            parts.append(tr("{0} steps").format("&nbsp;".join(counts)))
        elif last >= 1 and not self.compact:
            parts.append(f"<span style='color:{colour(1)}'>{bar}</span> {step_count(self._steps[1])}")
        if fade and (last >= 2 or (last == 1 and self.compact)):
            first = 1 if self.compact else 2
            picks = sorted(set(np.linspace(first, last - 1, 4).round().astype(int))) if last - 1 >= first else []
            mids = "".join(f"<span style='color:{colour(j)}'>━</span>" for j in picks)  # a short fade
            parts.append(f"{mids}<span style='color:{colour(last)}'>{bar}</span> <b>{step_count(n)}</b>")
        size, gap = (t.body_pt, "&nbsp;") if self.compact else (t.body_pt + 1, "&nbsp;&nbsp;")
        fewer = parts[:one] + parts[one + 1:] if fade and len(parts) > one + 1 else parts  # a schedule keeps its counts
        self.legend.set_options(tuple(f"<span style='font-size:{pt}pt'>" + g.join(p) + "</span>" for pt, g, p in (
            (size, gap, parts), (size, "&nbsp;", parts), (size, "&nbsp;", fewer), (t.body_pt, "&nbsp;", fewer))))
        drawn = (tr("each inner gradient step") if fade
                 else tr("the steps named ({0})").format(", ".join(map(str, schedule[1:]))))
        self.legend.setToolTip(tr("Dashed: {0} Dots: its support points, the only data the fit sees. Grey: the "
                                  "prediction before adaptation; then after {1}, brighter up to the last.")
                               .format(tr(TRUTH_TIPS[self.truth_name]), drawn))

    def show_snapshot(self, snap) -> None:
        self.snapshot = snap
        key = self.method
        curves = snap.curves.get(key)
        schedule = snap.curve_steps.get(key) if curves is not None else None
        renamed = False
        new_task = snap.task != self._truth_task
        if new_task:  # a new or edited task (snapshots arrive pickled: compare values)
            self._truth_task = snap.task
            name = truth_name(snap.task)
            if name != self.truth_name:
                self.truth_name, renamed = name, True  # the legend is rebuilt below
        new_steps = schedule is not None and tuple(schedule) != self._steps
        if schedule is not None and (renamed or new_steps):
            self._set_steps(schedule)
        elif renamed and self._steps:
            self._set_steps(self._steps)
        n = self._n
        x = snap.grid_x
        lines = []
        if curves is not None:
            lo, hi = self._y
            span = hi - lo
            curves = np.clip(curves, lo - span, hi + span)  # a diverging fit stays drawable
            lines = list(zip([x] * len(self._pens), curves, self._pens))
        true_y = snap.true_y
        if true_y is not None:
            task = snap.task
            if task is not None and task.is_user and task.target_x is not None:  # a drawn curve ends where it was drawn
                true_y = np.where((x >= task.target_x[0]) & (x <= task.target_x[-1]), true_y, np.nan)
        content = (x, curves, true_y, snap.support_x, snap.support_y, self._pens, self.true_pen)
        old = self._content
        # a random or pretrained init's fit changes only with the task: most frames leave it alone
        if old is None or old[5] is not content[5] or not all(_same(a, b) for a, b in zip(old[:5], content[:5])):
            self.bundle.set_content(lines, snap.support_x, snap.support_y)
        if old is None or old[6] is not content[6] or not (_same(old[0], x) and _same(old[2], true_y)):
            self.truth.set_content([] if true_y is None else [(x, true_y, self.true_pen)], (), ())
        self._content = content
        self.drawn = (curves, snap.support_x, snap.support_y)  # what is on screen, for tests
        if curves is None:  # the pretrained baseline is still being fitted
            self.waiting.setText(tr("pretraining the baseline…"))
            self.set_readout("")
            return
        self.waiting.setText("")
        now = time.perf_counter()
        training = getattr(snap, "state", None) == "training"
        if not training or new_task or new_steps or renamed or now - self._readout_at >= self.READOUT_S:
            self._readout_at = now
            self.set_readout(*self._mse_html(snap.display_mse.get(key), n))

    def _mse_html(self, mse, n: int) -> list[str]:
        """The readout, long to short: 'MSE before → after', then the result alone, then smaller."""
        if mse is None or len(mse) == 0:
            return [""]
        t = self.theme
        against = {"true": tr("the true curve"), "family's curve": tr("the family's curve (the points were edited)"),
                   "target": tr("the target curve"), "": tr("nothing")}[self.truth_name]
        self.readout.setToolTip(tr("Mean squared error against {0}: {1} before adaptation, {2} {3}")
                                .format(against, _num(mse[0]), _num(mse[-1]), steps_text(n)))
        colour = t.methods[self.method] if np.isfinite(mse[-1]) else t.warn
        result = lambda pt: (f"<span style='color:{colour}; font-size:{pt}pt; font-weight:bold'>"  # noqa: E731
                             f"{_num(mse[-1])}</span>")
        before = lambda label: (f"<span style='color:{t.muted}; font-size:{t.body_pt + 1}pt'>"  # noqa: E731
                                f"{label}{_num(mse[0])} → </span>")
        big = result(self.title_pt())
        options = [before("" if self.compact else "MSE ") + big, before("") + big, big, result(t.body_pt + 1)]
        if not np.isfinite(mse[-1]):  # the last resort, when not even the word fits: a warning sign
            options.append(f"<span style='color:{t.warn}; font-size:{self.title_pt()}pt; font-weight:bold'>⚠</span>")
        return options


def points_text(snap) -> str:
    """The headline's K: the points on screen, and meta-training's K (the slider's) beside it
    when an edit made them differ, so the headline and the slider never disagree unexplained."""
    shown = len(snap.support_x)
    if snap.shots is None or shown == snap.shots:
        return tr("{0} points").format(f"<b>K = {shown}</b>")
    return (tr("{0} point (meta-training's {1})") if shown == 1 else tr("{0} points (meta-training's {1})")).format(
        f"<b>{shown}</b>", f"<b>K = {snap.shots}</b>")


TRUTH_TIPS = {"true": QT_TR_NOOP("the task's true curve."),
              "family's curve": QT_TR_NOOP("the curve of the family task you edited: the edited points do not lie "
                                           "on it, so it is no longer their truth; the MSE still measures against it."),
              "target": QT_TR_NOOP("the curve you drew, the MSE's target."),
              "": QT_TR_NOOP("none: only points were placed.")}  # shown through tr()


def truth_name(task) -> str:
    """What the dashed curve is for this task: the family task's truth, the family's curve that
    edited points left, or a drawn target."""
    if task is None or not task.is_user:
        return QT_TR_NOOP("true")
    if task.origin is not None:
        return QT_TR_NOOP("family's curve") if off_origin(task) else QT_TR_NOOP("true")
    return QT_TR_NOOP("target") if task.target_x is not None else ""


def _num(v: float) -> str:
    if not np.isfinite(v):
        return tr("diverged")
    if v >= 1000:  # a diverging fit: short enough for the readout
        return f"{v:.1e}".replace("e+0", "e").replace("e+", "e")
    return f"{v:.2f}" if v >= 0.01 else f"{v:.2g}"


def peak_decimate(x: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """At most 2*bins points keeping each bin's min and max, so spikes survive (pyqtgraph's
    'peak' mode, done once here instead of on every paint)."""
    n = len(x)
    if n <= 2 * bins:
        return x, y
    k = -(-n // bins)
    m = n // k
    yb = y[: m * k].reshape(m, k)
    xs = np.repeat(x[: m * k: k], 2)
    ys = np.column_stack([yb.min(1), yb.max(1)]).ravel()
    return xs, ys


def nice_ceiling(v: float) -> float:
    """The next of 100, 150, 200, 300, 400, 500, 600, 800, 1000, ... at or above v: the x axis
    grows in steps."""
    mag = 10 ** max(2, int(np.floor(np.log10(max(v, 1.0)))))
    for m in (1, 1.5, 2, 3, 4, 5, 6, 8, 10):
        if m * mag >= v:
            return float(m * mag)
    return float(10 * mag)


def log_ticks(lo: float, hi: float) -> list[list[tuple[float, str]]]:
    """Ticks for a log10 axis from lo to hi (in decades): each decade labelled, 2 and 5 too
    when the range is short, so the axis reads 0.2, 0.5, 1, 2, 5 rather than a crowded 0.6 0.7 0.8."""
    major, minor = [], []
    for d in range(int(np.floor(lo)), int(np.ceil(hi)) + 1):
        for m in range(1, 10):
            v = float(d + np.log10(m))
            if lo - 1e-9 <= v <= hi + 1e-9:
                if m == 1:
                    major.append((v, f"{10.0 ** d:g}"))
                else:
                    minor.append((v, f"{m * 10.0 ** d:g}" if m in (2, 5) and hi - lo <= 2 else ""))
    return [major, minor]


class LossPanel(Card):
    """Meta-loss against iteration: each iteration (faint) and smoothed, log y.

    Cheap for long runs: redrawn a few times a second, the history decimated to about two
    points per pixel column, the faint line drawn without antialiasing, and the axes
    rescaled in steps (so their labels are re-rendered rarely, not every frame)."""

    REDRAW_S = 0.25
    BINS = 500

    def __init__(self):
        super().__init__(tr("Meta-training loss"))
        self.legend = FitLabel()  # one line, the longest version that fits (a wrapped one took the plot's room)
        self.legend.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.body.addWidget(self.legend)
        self.plot = _plot()
        item = self.plot.getPlotItem()
        item.setMouseEnabled(False, False)
        item.disableAutoRange()
        item.getAxis("bottom").setLabel(tr("meta-iteration"))
        for name in ("left", "bottom"):
            item.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.body.addWidget(self.plot, 1)
        self.raw = pg.PlotCurveItem(antialias=False)
        self.smooth = pg.PlotCurveItem(antialias=True)
        self.rival = pg.PlotCurveItem(antialias=True)
        self.plot.addItem(self.raw)
        self.plot.addItem(self.smooth)
        self.plot.addItem(self.rival)  # the compared algorithm's smoothed loss, when one trains
        self._n, self._iteration, self._drawn = -1, -1, 0.0
        self._range = None
        self.snapshot = None  # the last one shown, redrawn after a theme switch
        self._set_range(100.0, (-1.0, 1.0))
        style.themes.follow(self.apply_theme)

    def apply_theme(self, t: style.Theme) -> None:
        super().apply_theme(t)
        faint = style.blend(t.panel, t.accent, 0.4)
        self.raw.setPen(pg.mkPen(faint, width=1))
        self.smooth.setPen(pg.mkPen(t.accent, width=3 * t.scale))
        self.rival.setPen(pg.mkPen(t.methods["compare"], width=3 * t.scale, style=style.MARKS["compare"].dash))
        smoothed, each, query = tr("smoothed"), tr("per iteration"), tr("query MSE after adaptation")
        line, faint_bar = f"<span style='font-size:{t.body_pt + 1}pt; color:{t.accent}'>", \
            f"<span style='color:{faint.name()}'>━━</span>"
        pair = f"━━ {smoothed}&nbsp;&nbsp;&nbsp;{faint_bar} {each}</span>"
        self.legend.set_options((line + pair + f"<span style='color:{t.muted}; font-size:{t.body_pt}pt'>"
                                 f"&nbsp;&nbsp;&nbsp;{query}</span>",
                                 line + pair,  # one line always: the plot below keeps its height
                                 f"<span style='font-size:{t.body_pt}pt; color:{t.accent}'>━ {smoothed} "
                                 f"<span style='color:{faint.name()}'>━</span> {each}</span>"))
        self.legend.setToolTip(query)
        self._iteration = -2  # the readout is rebuilt below
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)
        elif self._n <= 0:
            self.set_readout(f"<span style='color:{t.muted}'>" + tr("press Play to meta-train") + "</span>")

    def _set_range(self, xmax: float, ylog: tuple[float, float]) -> None:
        if self._range != (xmax, ylog):
            self._range = (xmax, ylog)
            self.plot.setRange(xRange=(0, xmax), yRange=ylog, padding=0.02)
            self.plot.getPlotItem().getAxis("left").setTicks(log_ticks(*ylog))

    def show_snapshot(self, snap) -> None:
        """At most a few times a second while training: a long history is not worth 30 redraws
        a second. A step, pause or reset is drawn at once."""
        self.snapshot = snap
        t = self.theme
        n, it = len(snap.loss_iters), snap.iteration
        now = time.perf_counter()
        if it == self._iteration and n == self._n:
            return
        if snap.state == "training" and it > self._iteration and now - self._drawn < self.REDRAW_S:
            return
        self._n, self._iteration, self._drawn = n, snap.iteration, now
        if not n:
            self.raw.setData([], [])
            self.smooth.setData([], [])
            self._set_range(100.0, (-1.0, 1.0))
            self.set_readout(f"<span style='color:{t.muted}'>" + tr("press Play to meta-train") + "</span>")
            return
        raw = np.log10(np.maximum(snap.loss_raw, 1e-12))  # plain curve items: the log is ours
        x, y = peak_decimate(snap.loss_iters, raw, self.BINS)
        self.raw.setData(x, y)
        step = max(1, n // self.BINS)
        self.smooth.setData(snap.loss_iters[::step], np.log10(np.maximum(snap.loss_smooth[::step], 1e-12)))
        rival = snap.compare_loss_smooth
        if rival is not None and len(rival) == n:
            self.rival.setData(snap.loss_iters[::step], np.log10(np.maximum(rival[::step], 1e-12)))
        else:
            self.rival.setData([], [])
        lo, hi = np.percentile(raw, 0.5), raw.max()
        if rival is not None and len(rival) == n:
            lo = min(lo, float(np.log10(max(np.nanmin(rival), 1e-12))))
        self._set_range(nice_ceiling(snap.loss_iters[-1] * 1.02),
                        (np.floor(lo * 2) / 2, np.ceil(hi * 2) / 2))  # half-decade steps
        smoothed = _num(snap.loss_smooth[-1])
        size = f"<span style='font-size:{t.body_pt + 2}pt'>"
        if rival is not None and len(rival):  # the compared algorithm, in its own colour and dash
            name, value = style.algorithm_label(snap.compare), _num(rival[-1])
            rival_span = f"<span style='color:{t.methods['compare']}'>"
            self.set_readout(size + tr("smoothed {0}").format(smoothed) + f"&nbsp;&nbsp;{rival_span}"
                             f"{style.MARKS['compare'].bar} {name} {value}</span></span>",
                             f"{size}{smoothed}&nbsp;&nbsp;{rival_span}{name} {value}</span></span>",
                             f"<span style='font-size:{t.body_pt}pt'>{smoothed} {rival_span}{value}</span></span>")
        else:  # the bare value when the title leaves little room: the header stays one line
            self.set_readout(size + tr("smoothed {0}").format(smoothed) + "</span>", f"{size}{smoothed}</span>")


EVAL_LINEAR = 10  # the held-out panel's x axis is linear up to this many steps, logarithmic past it


class EvalPanel(Card):
    """MSE against inner steps on fixed held-out tasks, mean and 95% band per method.
    Computed by the trainer every few seconds; redrawn only when a new one arrives. The
    legend is a label row above the plot, so it never hides a curve."""

    METHODS = style.METHODS

    def __init__(self):
        super().__init__(tr("Held-out MSE"))
        self.algorithm_label = "MAML"
        self.compare_label = None  # the second algorithm's name, when one trains
        self.legend = FitLabel()
        self.legend.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.body.addWidget(self.legend)
        self.plot = _plot()
        item = self.plot.getPlotItem()
        item.setMouseEnabled(False, False)
        item.getAxis("bottom").setLabel(tr("inner gradient steps"))
        for name in ("left", "bottom"):
            item.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.body.addWidget(self.plot, 1)
        self.lines, self.fills = {}, {}
        for m in self.METHODS:
            lo = pg.PlotCurveItem(pen=QPen(Qt.NoPen))
            hi = pg.PlotCurveItem(pen=QPen(Qt.NoPen))
            fill = pg.FillBetweenItem(lo, hi)
            self.plot.addItem(fill)
            line = self.plot.plot(symbol=style.MARKS[m].symbol)
            line.setZValue(10 if m == "meta" else 5)  # the meta-learned init on top
            self.lines[m], self.fills[m] = line, (fill, lo, hi)
        self._shown = None
        self._values: dict = {}
        self.snapshot = None  # the last one shown, redrawn after a theme switch
        style.themes.follow(self.apply_theme)

    def apply_theme(self, t: style.Theme) -> None:
        super().apply_theme(t)
        for m, line in self.lines.items():  # the data stays: one setData per line takes the new look
            colour = QColor(t.methods[m])
            x, y = (line.xData, line.yData) if line.xData is not None else ([], [])
            line.setData(x, y, pen=pg.mkPen(colour, width=3 * t.scale, style=style.MARKS[m].dash),
                         symbolBrush=colour, symbolPen=pg.mkPen(t.panel, width=1), symbolSize=9 * t.scale)
            band = QColor(colour)
            band.setAlpha(55)
            self.fills[m][0].setBrush(pg.mkBrush(band))
        self.legend.set_options(self._legend(self._values))
        if self._shown is not None:
            self.set_readout(*self._readout(self._shown))

    def _legend(self, values: dict) -> tuple[str, ...]:
        """Long to short: marker and dash, name and value; then tighter; then without the dash;
        last the markers and values only (the panel titles carry the same markers)."""
        t = self.theme
        full, short, tiny, marks = [], [], [], []
        for m in self.METHODS:
            if m == "compare" and not self.compare_label:
                continue
            v = values.get(m)
            fitting = tr(" (fitting…)")
            value = f" <b>{_num(v)}</b>" if v is not None else (fitting if values else "")
            name = {"meta": self.algorithm_label, "compare": self.compare_label}.get(m) or tr(style.METHOD_SHORT[m])
            mark, span = style.MARKS[m], f"<span style='color:{t.methods[m]}'>"
            brief = tr("random") if m == "random" else name
            full.append(f"{span}{mark.glyph}{mark.bar} {name}{value}</span>")
            short.append(f"{span}{mark.glyph} {brief}{value}</span>")
            tiny.append(f"{span}{mark.glyph} {brief}{value.replace(fitting, ' …')}</span>")
            marks.append(f"{span}{mark.glyph}{value.replace(fitting, ' …')}</span>")  # the marker names it
        size = t.body_pt if self.compare_label else t.body_pt + 1
        line = f"<span style='font-size:{size}pt'>%s</span>"
        return (line % "&nbsp;&nbsp;&nbsp;".join(full), line % "&nbsp;".join(full), line % "&nbsp;".join(short),
                f"<span style='font-size:{t.body_pt - 1}pt'>{'&nbsp;'.join(tiny)}</span>",
                f"<span style='font-size:{t.body_pt - 1}pt'>{'&nbsp;'.join(marks)}</span>")

    def _x(self, steps: np.ndarray) -> np.ndarray:
        """Where the steps sit on the x axis: as they are up to 10, on log10(1 + steps) past 10
        (with ticks that name the steps), so 0..10 and 500 share one readable axis."""
        axis = self.plot.getPlotItem().getAxis("bottom")
        last = int(steps[-1])
        if last <= EVAL_LINEAR:
            axis.setTicks(None)
            axis.setLabel(tr("inner gradient steps"))
            return steps.astype(float)
        marks = [s for s in (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if s < last] + [last]
        axis.setTicks([[(float(np.log10(1 + s)), f"{s:g}") for s in marks], []])
        axis.setLabel(tr("inner gradient steps (log scale)"))
        return np.log10(1 + steps.astype(float))

    def show_snapshot(self, snap) -> None:
        self.snapshot = snap
        ev = snap.evaluation
        if ev is None or (self._shown is not None and ev.serial == self._shown.serial):
            return
        self._shown = ev
        xs = self._x(np.asarray(ev.steps))
        top = 0.0
        for m in self.METHODS:
            line, (_, lo, hi) = self.lines[m], self.fills[m]
            mean, ci = ev.mean.get(m), ev.ci95.get(m)
            if mean is None:
                line.setData([], [])
                lo.setData([], [])
                hi.setData([], [])
                continue
            line.setData(xs, mean, connect="finite")
            ok = np.isfinite(mean) & np.isfinite(ci)
            lo.setData(xs[ok], (mean - ci)[ok])
            hi.setData(xs[ok], (mean + ci)[ok])
            upper = (mean + np.where(np.isfinite(ci), ci, 0))[np.isfinite(mean)]
            if upper.size:
                top = max(top, float(upper.max()))
        if top > 0:
            right = float(xs[-1]) * (1.04 if ev.steps[-1] > EVAL_LINEAR else 1.0)  # room for the last tick label
            self.plot.setRange(xRange=(0, right), yRange=(0, top * 1.08), padding=0.03)
        self.algorithm_label = style.algorithm_label(snap.algorithm)
        self.compare_label = style.algorithm_label(snap.compare) if snap.compare else None
        # the value at its last measured step (a learned step rule stops at the steps it trained with)
        self._values = {m: ev.mean[m][np.isfinite(ev.mean[m])][-1] if np.isfinite(ev.mean[m]).any() else np.nan
                        for m in self.METHODS if m in ev.mean}
        self.legend.set_options(self._legend(self._values))
        self.set_readout(*self._readout(ev))

    def _readout(self, ev) -> list[str]:
        """Long to short; how many held-out tasks diverged (and were left out of the means),
        per method, whenever any did: a blow-up is never dropped silently."""
        t = self.theme
        worst = {m: int(np.max(d)) for m, d in ev.diverged.items() if len(d) and np.max(d) > 0}
        names = {"meta": self.algorithm_label, "compare": self.compare_label}
        name = {m: names.get(m) or tr(style.METHOD_SHORT[m]) for m in worst}
        said = [tr("{0}: {1} of {2}").format(name[m], k, ev.n_tasks) for m, k in worst.items()]
        self.readout.setToolTip(tr("Diverged at some step, and left out of that step's mean and band (MSE "
                                   "non-finite or above 100): {0} (the most at any step)").format("; ".join(said))
                                if worst else tr("Mean over {0} fixed held-out tasks; band: 95% CI").format(ev.n_tasks))
        muted = f"<span style='color:{t.muted}; font-size:{t.body_pt}pt'>"
        if not worst:
            return [muted + tr("after {0} steps · mean ± 95% CI · {1} tasks").format(int(ev.steps[-1]), ev.n_tasks)
                    + "</span>",
                    muted + tr("mean ± 95% CI · {0} tasks").format(ev.n_tasks) + "</span>",
                    muted + tr("{0} tasks").format(ev.n_tasks) + "</span>"]
        warn = f"<span style='color:{t.warn}; font-size:{t.body_pt}pt'>"
        random = tr("random")
        brief = ", ".join(f"{random if m == 'random' else name[m]} {k}" for m, k in worst.items())
        most, said = max(worst.values()), "; ".join(said)
        upto = tr("up to {0} of {1} diverged, excluded") if len(worst) > 1 else tr("{0} of {1} diverged, excluded")
        upto_short = tr("up to {0}/{1} diverged") if len(worst) > 1 else tr("{0}/{1} diverged")
        excluded = tr("{0} diverged, excluded").format(said)
        return [muted + tr("mean ± 95% CI") + f" · </span>{warn}{excluded}</span>",
                f"{warn}{excluded}</span>",
                warn + tr("diverged, excluded: {0} of {1}").format(brief, ev.n_tasks) + "</span>",
                warn + tr("{0} of {1} diverged").format(brief, ev.n_tasks) + "</span>",
                f"{warn}{upto.format(most, ev.n_tasks)}</span>",
                f"{warn}{upto_short.format(most, ev.n_tasks)}</span>"]

