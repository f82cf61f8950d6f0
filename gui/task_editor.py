"""Direct manipulation of the displayed task on the init panels.

Left click adds a support point, press on a point and drag moves it, right click (or
select + Delete) removes it; in draw mode a drag sketches the task's true curve. Every
panel edits the one shared `DisplayTask`, so the MAML and random panels stay in sync; the
trainer refits both from it. While dragging, the controls are written at most once per
frame (a throttled flush writes the latest pending task), never per mouse event.

An edited family task becomes a *user* task whose target is the family curve sampled on a
grid: the dashed true curve stays visible and the panels' MSE still measures against it,
while the points are free to leave it (a noisy observation is a lesson too).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget
from superqt.utils import qthrottled, signals_blocked

from core.controls import DisplayTask, SharedControls
from core.display import as_user_task, new_display_task, stroke_to_target, with_support
from core.settings import MAX_POINTS
from gui import style
from gui.i18n import tr

HIT_PX = 12  # how close (in pixels) a press must be to a point to grab it


class TaskEditor(QObject):
    """Mouse and Delete-key editing on the given init panels (an event filter on each)."""

    drawModeChanged = Signal(bool)
    message = Signal(str)

    def __init__(self, shared: SharedControls, panels: list, rng: np.random.Generator | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.shared, self.panels = shared, panels
        self.rng = rng or np.random.default_rng()
        self.draw_mode = False
        self.selected: int | None = None
        self._drag: int | None = None
        self._stroke: list[tuple[float, float]] = []
        self._pending: DisplayTask | None = None
        # one write per frame while dragging; the first move of a drag is written at once (leading edge)
        self._throttled_flush = qthrottled(self.flush, timeout=16, leading=True, parent=self)
        self._strokes, self._rings = [], []
        for p in panels:
            p.plot.viewport().installEventFilter(self)
            p.plot.installEventFilter(self)
            p.plot.setFocusPolicy(Qt.ClickFocus)
            p.plot.setToolTip(tr("Click: add a support point · drag a point: move it · right-click: remove it "
                                 "(or select it and press Delete) · ✎ Draw: sketch the true curve"))
            stroke = pg.PlotCurveItem()
            ring = pg.ScatterPlotItem(size=30, brush=None)
            for item in (stroke, ring):
                item.setZValue(20)
                p.plot.addItem(item)
            self._strokes.append(stroke)
            self._rings.append(ring)
        style.themes.follow(self.apply_theme)

    def apply_theme(self, t: style.Theme) -> None:
        """The sketch and the selection ring in the support points' colour."""
        for stroke, ring in zip(self._strokes, self._rings):
            stroke.setPen(pg.mkPen(t.support, width=4 * t.scale))
            ring.setPen(pg.mkPen(t.support, width=3 * t.scale))

    # ---- the task -------------------------------------------------------------------------
    def task(self) -> DisplayTask:
        """The task being edited: the pending one while dragging, else the shared one."""
        if self._pending is not None:
            return self._pending
        c = self.shared.get()
        return as_user_task(c.task, c.family)

    def _write(self, task: DisplayTask, now: bool = True) -> None:
        self._pending = task
        self._show_ring(task)
        if now:
            self.flush()
        else:
            self._throttled_flush()

    def flush(self) -> None:
        if self._pending is not None:
            task, self._pending = self._pending, None
            self.shared.update(task=task)

    def add_point(self, x: float, y: float) -> int | None:
        """The new point's index; None at MAX_POINTS (what a session can hold)."""
        t = self.task()
        if len(t.xs) >= MAX_POINTS:
            self.message.emit(tr("At most {0} support points (what a saved session can hold)").format(MAX_POINTS))
            return None
        self.selected = len(t.xs)
        self._write(replace(t, xs=(*t.xs, float(x)), ys=(*t.ys, float(y))))
        return self.selected

    def move_point(self, i: int, x: float, y: float, now: bool = True) -> None:
        t = self.task()
        xs, ys = list(t.xs), list(t.ys)
        xs[i], ys[i] = float(x), float(y)
        self._write(replace(t, xs=tuple(xs), ys=tuple(ys)), now)

    def remove_point(self, i: int) -> None:
        t = self.task()
        if not 0 <= i < len(t.xs):
            return
        self.selected = None
        self._write(replace(t, xs=t.xs[:i] + t.xs[i + 1:], ys=t.ys[:i] + t.ys[i + 1:]))

    def remove_selected(self) -> None:
        if self.selected is not None:
            self.remove_point(self.selected)

    def clear_points(self) -> None:
        self.selected = None
        self._write(replace(self.task(), xs=(), ys=()))

    def sample_points(self) -> None:
        """K support points from the true curve (drawn or the family's)."""
        c = self.shared.get()
        t = self.task()
        if t.target_x is None:
            self.message.emit(tr("Nothing to sample from: draw a target curve first (✎ Draw)"))
            return
        self.selected = None
        self._write(with_support(t, c.shots, self.rng))

    def reset_task(self) -> None:
        """Back to a fresh task from the training family."""
        c = self.shared.get()
        self.selected = None
        self.set_draw_mode(False)
        self._write(new_display_task(c.family, c.shots, self.rng))

    def set_draw_mode(self, on: bool) -> None:
        if on != self.draw_mode:
            self.draw_mode = bool(on)
            self.drawModeChanged.emit(self.draw_mode)
            if on:
                self.message.emit(tr("Draw mode: drag across a panel to sketch the true curve"))

    def set_target(self, tx, ty) -> None:
        """The sketched curve becomes the user task's ground truth, with K points sampled from it."""
        c = self.shared.get()
        t = DisplayTask(c.family, None, None, (), (), tuple(tx), tuple(ty))
        self.selected = None
        self._write(with_support(t, c.shots, self.rng))

    # ---- mouse ----------------------------------------------------------------------------
    def _panel_of(self, obj):
        for i, p in enumerate(self.panels):
            if obj is p.plot.viewport() or obj is p.plot:
                return i, p
        return None, None

    @staticmethod
    def to_data(panel, pos) -> QPointF | None:
        """Viewport pixel -> data coordinates, or None outside the plotting area (on an axis)."""
        vb = panel.plot.getPlotItem().getViewBox()
        scene = panel.plot.mapToScene(pos.toPoint() if hasattr(pos, "toPoint") else pos)
        if not vb.sceneBoundingRect().contains(scene):
            return None
        return vb.mapSceneToView(scene)

    @staticmethod
    def to_pixel(panel, x: float, y: float) -> QPointF:
        """Data coordinates -> viewport pixel (also what tests click on)."""
        vb = panel.plot.getPlotItem().getViewBox()
        return QPointF(panel.plot.mapFromScene(vb.mapViewToScene(QPointF(x, y))))

    def hit(self, panel, pos) -> int | None:
        t = self.task()
        best, best_d = None, HIT_PX
        for i, (x, y) in enumerate(zip(t.xs, t.ys)):
            q = self.to_pixel(panel, x, y)
            d = ((q.x() - pos.x()) ** 2 + (q.y() - pos.y()) ** 2) ** 0.5
            if d <= best_d:
                best, best_d = i, d
        return best

    def eventFilter(self, obj, ev) -> bool:
        kind = ev.type()
        if kind == QEvent.KeyPress and ev.key() in (Qt.Key_Delete, Qt.Key_Backspace):
            if self._panel_of(obj)[1] is not None and self.selected is not None:
                self.remove_selected()
                return True
            return False
        if kind not in (QEvent.MouseButtonPress, QEvent.MouseMove, QEvent.MouseButtonRelease,
                        QEvent.MouseButtonDblClick):
            return False
        _, panel = self._panel_of(obj)
        if panel is None or not panel.isVisible():
            return False
        pos = ev.position()
        if kind == QEvent.MouseButtonDblClick:
            return True  # a fast second click is just a click: never two points
        if kind == QEvent.MouseButtonPress:
            panel.plot.setFocus(Qt.MouseFocusReason)
            return self._press(panel, pos, ev.button())
        if kind == QEvent.MouseMove:
            return self._move(panel, pos)
        return self._release(panel, pos)

    def _press(self, panel, pos, button) -> bool:
        at = self.to_data(panel, pos)
        if at is None:
            return False
        if self.draw_mode and button == Qt.LeftButton:
            self._stroke = [(at.x(), at.y())]
            self._show_stroke()
            return True
        i = self.hit(panel, pos)
        if button == Qt.RightButton:
            if i is not None:
                self.remove_point(i)
            return True
        if button != Qt.LeftButton:
            return False
        if i is None:
            i = self.add_point(at.x(), at.y())
            if i is None:
                return True
        self.selected = self._drag = i
        self._show_ring(self.task())
        return True

    def _move(self, panel, pos) -> bool:
        if self._stroke:
            at = self.to_data(panel, pos)
            if at is not None:
                self._stroke.append((at.x(), at.y()))
                self._show_stroke()
            return True
        if self._drag is None:
            return False
        vb = panel.plot.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        at = vb.mapSceneToView(panel.plot.mapToScene(pos.toPoint()))
        x, y = min(max(at.x(), x0), x1), min(max(at.y(), y0), y1)  # a point dragged off stays on screen
        self.move_point(self._drag, x, y, now=False)
        return True

    def _release(self, panel, pos) -> bool:
        if self._stroke:
            stroke, self._stroke = self._stroke, []
            self._show_stroke()
            target = stroke_to_target(*zip(*stroke)) if len(stroke) > 1 else None
            if target is None:
                self.message.emit(tr("Drag left to right across the panel to draw a curve"))
            else:
                self.set_target(*target)
                self.set_draw_mode(False)
            return True
        if self._drag is not None:
            self._drag = None
            self.flush()
            return True
        return False

    # ---- feedback drawn on the panels ------------------------------------------------------
    def _show_stroke(self) -> None:
        x = np.array([p[0] for p in self._stroke], float)
        y = np.array([p[1] for p in self._stroke], float)
        for s in self._strokes:
            s.setData(x, y)

    def _show_ring(self, task: DisplayTask) -> None:
        i = self.selected
        spots = ([task.xs[i]], [task.ys[i]]) if i is not None and i < len(task.xs) else ([], [])
        for r in self._rings:
            r.setData(*spots)


class TaskTools(QWidget):
    """The buttons that go with the editor: draw, sample K, clear, reset."""

    def __init__(self, editor: TaskEditor):
        super().__init__()
        self.editor = editor
        self.draw = QPushButton("✎ " + tr("Draw"))
        self.draw.setCheckable(True)
        self.draw.setToolTip(tr("Draw mode: drag across a panel to sketch the task's true curve "
                                "(K support points are then sampled from it)"))
        self.sample = QPushButton(tr("Sample K"))
        self.sample.setToolTip(tr("K new support points from the true curve (drawn or the family's)"))
        self.clear = QPushButton(tr("Clear"))
        self.clear.setToolTip(tr("Remove every support point; click on a panel to place your own"))
        self.reset = QPushButton(tr("Reset task"))
        self.reset.setToolTip(tr("Back to a fresh random task from the training family"))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        for b in (self.draw, self.sample, self.clear, self.reset):
            b.setProperty("look", "compact")  # gui.look: 4 px padding across
            b.setMinimumHeight(b.sizeHint().height())  # a tight column must not clip their text
            lay.addWidget(b)
        self.draw.toggled.connect(editor.set_draw_mode)
        editor.drawModeChanged.connect(self._draw_shown)
        self.sample.clicked.connect(editor.sample_points)
        self.clear.clicked.connect(editor.clear_points)
        self.reset.clicked.connect(editor.reset_task)

    def _draw_shown(self, on: bool) -> None:
        with signals_blocked(self.draw):
            self.draw.setChecked(on)
