"""The timeline under the loss plot: scrub to any past iteration and the panels replay the
meta-initialisation of that moment adapting to the current task; Live (or Play) returns.

The widget only asks: it posts 'replay' with an iteration (None: live) and shows what the
snapshots say is replayed. The trainer keeps the past inits (core.rewind) and computes the
replayed curves, in its own process. While replaying, a badge on the meta-learned panels and a
line on the loss plot say which iteration is shown, so nobody mistakes a replay for live.
"""
from __future__ import annotations

import re
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget
from superqt.utils import qthrottled, signals_blocked

from gui import style
from gui.i18n import tr
from gui.widgets import paint_box

ASK_MS = 80  # a drag asks the trainer at most this often (each replay costs it an evaluation)
STALE_S = 1.0  # after asking, snapshots that do not show the answer yet leave the slider alone this long
TEXT_S = 0.125  # while training, the timeline's end and numbers move 8 times a second (the status bar's pace)


def replay_text(showing: int, latest: int) -> str:
    return tr("Replay: iteration {0:,} of {1:,}").format(showing, latest)


class Badge(QLabel):
    """"Replay: iteration N" over a panel's plot: text and 2 px frame in its palette's WindowText,
    on its Window colour, painted here (a stylesheet would be re-set on every theme switch)."""

    BORDER, RADIUS = 2, 6.0

    def __init__(self, parent):
        super().__init__(parent)
        self.setTextFormat(Qt.RichText)  # its size and weight inline: the label then measures what it draws
        b = self.BORDER
        self.setContentsMargins(b + 6, b + 2, b + 6, b + 2)

    def paintEvent(self, event) -> None:
        pal = self.palette()
        paint_box(self, pal.color(QPalette.Window), pal.color(QPalette.WindowText), self.RADIUS, self.BORDER)
        super().paintEvent(event)


class Timeline(QWidget):
    """A slider over the iterations trained so far, what is shown, and a Live button."""

    def __init__(self, shared, loss_plot: pg.PlotWidget, marked: list):
        """marked: the panels (with a `.plot`) that show the replayed init and get its badge."""
        super().__init__()
        self.shared = shared
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setProperty("look", "timeline")  # gui.look: a thick groove, filled up to a round handle
        self.slider.setToolTip(tr("Drag back to replay the meta-initialisation of an earlier iteration on "
                                  "the current task; Live (or Play) returns to the training init"))
        self.readout = QLabel("")
        self.readout.setTextFormat(Qt.RichText)
        self.live = QPushButton(tr("Live"))
        self.live.setToolTip(tr("Back to the init training has now"))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 0)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.readout)
        lay.addWidget(self.live)
        self.line = pg.InfiniteLine(angle=90, movable=False)  # the replayed iteration on the loss plot
        self.line.setVisible(False)
        loss_plot.addItem(self.line)
        self.badges = []
        for panel in marked:
            badge = Badge(panel.plot)  # over the plot, in no layout: it never moves the curves
            badge.hide()
            self.badges.append(badge)
        self._asked: tuple[float, int | None] = (-1.0, None)  # (when, what) the window last asked
        self._ask = qthrottled(self._send, timeout=ASK_MS)
        self.slider.valueChanged.connect(self._moved)
        self.live.clicked.connect(self.go_live)
        self.state = None  # the last RewindState shown
        self._at = 0.0  # when it was shown
        self._fitted: dict[int, tuple] = {}  # badge -> (text, plot width) it was last sized for
        self.theme = style.themes.current
        style.themes.follow(self.apply_theme)

    def apply_theme(self, t: style.Theme) -> None:
        """The slider follows the window's palette and font (gui.look); the badges get theirs."""
        self.theme = t
        self.line.setPen(pg.mkPen(t.warn, width=2 * t.scale, style=Qt.DashLine))
        pal = QPalette()
        pal.setColor(QPalette.WindowText, QColor(t.warn))
        pal.setColor(QPalette.Window, QColor(t.panel))
        for badge in self.badges:
            badge.setPalette(pal)
        if self.state is not None:
            self._show(self.state)

    # ---- asking -----------------------------------------------------------------------------
    @Slot(int)
    def _moved(self, value: int) -> None:
        """The user moved the slider: its right end is live, anywhere else a replay."""
        self._ask(None if value >= self.slider.maximum() else int(value))

    def _send(self, iteration: int | None) -> None:
        self._asked = (time.perf_counter(), iteration)
        self.shared.post("replay", iteration)

    @Slot()
    def go_live(self) -> None:
        self._send(None)
        with signals_blocked(self.slider):
            self.slider.setValue(self.slider.maximum())

    def replaying(self) -> bool:
        """Whether the panels show a past init (the window keeps this control on screen then)."""
        return self.state is not None and self.state.showing is not None

    # ---- showing ----------------------------------------------------------------------------
    def show_snapshot(self, snap) -> None:
        state = snap.rewind
        if state is None or state is self.state:
            return
        asked_at, asked = self._asked
        now = time.perf_counter()
        if now - asked_at < STALE_S and state.showing != self._answer(state, asked):
            return  # made before the trainer saw the request: the slider stays where the user put it
        old = self.state
        if snap.state == "training" and old is not None and old.showing == state.showing and now - self._at < TEXT_S:
            return
        self._at = now
        self._show(state)

    @staticmethod
    def _answer(state, asked: int | None) -> int | None:
        """What the trainer shows for `asked`: the nearest kept iteration, or live."""
        if asked is None or asked >= state.latest or len(state.kept) == 0:
            return None
        return int(state.kept[np.argmin(np.abs(state.kept - asked))])

    def _show(self, state) -> None:
        self.state = state
        t = self.theme
        with signals_blocked(self.slider):
            self.slider.setMaximum(max(state.latest, 1))
            self.slider.setSingleStep(max(1, state.latest // 200))
            self.slider.setPageStep(max(1, state.latest // 10))
            if not self.slider.isSliderDown():
                self.slider.setValue(self.slider.maximum() if state.showing is None else state.showing)
        self.live.setEnabled(state.replaying)
        self.line.setVisible(state.replaying)
        self.setToolTip(tr("{0} past initialisations kept, {1:.1f} MB (at most {2:.1f} MB)")
                        .format(len(state.kept), state.nbytes / 2**20, state.bound_bytes / 2**20))
        if not state.replaying:
            self._fitted.clear()
            self.readout.setText(f"<span style='color:{t.muted}'>" + tr("live · iteration {0:,}").format(state.latest)
                                 + "</span>")
            for badge in self.badges:
                badge.hide()
            return
        text = replay_text(state.showing, state.latest)
        self.readout.setText(f"<b style='color:{t.warn}'>{text}</b>")
        self.line.setValue(state.showing)
        for badge in self.badges:
            plot = badge.parent()
            if self._fitted.get(id(badge)) == (text, plot.width(), t) and not badge.isHidden():
                continue
            self._fitted[id(badge)] = (text, plot.width(), t)
            x = plot.getPlotItem().getAxis("left").width() + 10
            short = tr("Replay: iteration {0:,}").format(state.showing)
            for words in (text, short):  # the short one when a panel is narrow
                badge.setText(f"<span style='font-size:{t.body_pt}pt; font-weight:bold'>{words}</span>")
                badge.adjustSize()
                if x + badge.width() <= plot.width() - 6:
                    break
            badge.move(x, 8)
            badge.show()
            badge.raise_()

    def badge_text(self) -> str:
        """What the badges say (empty when live), for tests."""
        shown = [b.text() for b in self.badges if not b.isHidden()]
        return re.sub("<[^>]+>", "", shown[0]) if shown else ""
