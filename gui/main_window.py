"""The window: controls on the left, the two initialisations side by side, training and
evaluation below, a status bar. One QTimer takes the trainer's latest snapshot from its host
(a child process in the app, a thread in some tests) and redraws; nothing else crosses."""
from __future__ import annotations

import time
import traceback

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStatusBar,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from core.algorithms import REGISTRY
from core.families import get_family
from core.words import QT_TR_NOOP
from gui import style
from gui.controls_panel import ControlsPanel
from gui.frame_stats import FrameStats
from gui.i18n import tr
from gui.landscape_panel import LandscapePanel
from gui.lr_strip import AlphaStrip
from gui.menus import Demo
from gui.panels import EvalPanel, InitPanel, LossPanel, points_text
from gui.task_editor import TaskEditor, TaskTools
from gui.timeline import Timeline
from gui.widgets import ClampedLabel, EntryKeys, WrapLabel

MIN_SIZE = (960, 660)  # fits a 1024x768 or 1280x720 projector with room for a desktop bar and a title bar
FIRST_SIZE = (1600, 900)  # the window's size at start, where the screen has room
TASK_SHARE = 0.5  # the init panels keep at least this share of the window's height
# ... and of what the tour's captions leave (a share that keeps the training row's plots readable at
# 1280x720 in presenter mode, where the captions take a fifth of the height)
TOUR_TASK_SHARE = 0.43
# The preset's description and claim: lines kept on a short window (projectors) and on a taller one; the
# whole text is its tooltip when cut. Four lines at 1280x720 in presenter mode left the loss plot ~30 px.
PRESET_LINES, PRESET_ROOM_H = (2, 3), 900
SIDEBAR_W = (300, 390)  # the controls column's width: narrowest, widest (before presenter mode's scale)
TITLE_SLACK = 48  # a card's margins and the title label's own around its text (px)
PLOT_MIN_H = 32  # the loss and evaluation plots' least height (the window's minimum size still fits)
TRAIN_ROOM_H = 260  # the training row's height, when the window leaves it that much above the init panels' half
PLOT_ROOM_H = 150  # the height they keep, axes included, before the timeline and captions give way
DOCK_W, DOCK_SHARE = (240, 360), 0.22  # Explain's pseudo-code column: narrowest, widest, share of the width
STATUS_SLACK, STATUS_GAP = 30, 8  # the status bar's size grip and margins; its gap between labels (px)
HEAD_GAP = 16  # least room between a card's title and its readout (px)
STATUS_ORDER = ("state", "iteration", "rate", "loss", "device", "fps")  # what a narrow status bar keeps
FRAME_MS = 16  # ~60 Hz; a frame that finds no new snapshot costs almost nothing
NOTICE_S = 8.0  # how long an ordinary notice stays up
STATUS_S = 0.125  # the status bar's numbers refresh this often while training
CHECKPOINT_NAME = "maml.pt"  # the save dialog's suggested file name (a file name: never translated)
STATES = {"training": QT_TR_NOOP("training"), "paused": QT_TR_NOOP("paused"),  # the trainer's states, in words
          "diverged": QT_TR_NOOP("diverged"), "error": QT_TR_NOOP("error")}


def family_ranges(family: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """Fixed axes for a family, so both panels (and every task) share the same frame."""
    fam = get_family(family)
    x = np.linspace(*fam.x_range, 200)
    a = np.linspace(*fam.a_range, 7)[:, None, None]
    b = np.linspace(*fam.b_range, 7)[None, :, None]
    y = fam.f(a, b, x)
    lo, hi = float(y.min()), float(y.max())
    pad = 0.15 * (hi - lo)
    return fam.x_range, (lo - pad, hi + pad)


class MainWindow(QMainWindow):
    snapshotDrawn = Signal(object, float)  # (snapshot, perf_counter time its repaint ended), for benchmarks
    _arrived = Signal()  # a snapshot arrived (emitted from the host's thread; queued to this one)

    def __init__(self, host):
        super().__init__()
        self.setWindowTitle(tr("MAML Playground"))
        self.host = host  # where the trainer runs: controls in (host.shared), snapshots out (host.take)
        self.shared = shared = host.shared
        self.stats = FrameStats()
        self._drawing: tuple | None = None  # (snapshot, frame start) drawn but not yet painted
        self._status_at = 0.0
        self.snapshot = None
        self._family = None
        self._message_id = 0
        self.preset_path = None  # the preset whose line shows (show_preset)
        self.errors: list[str] = []  # every error notice shown, in order (main.py --stats)
        self._notice_until = 0.0
        self._error_shown = False
        self._frame_error = False
        self._closed = False
        self.ask_before_close = False  # the app sets it for interactive runs; scripts and tests quit at once
        self.saved_task = shared.get().task  # the user's task as last saved or opened
        self.screenshot_path: str | None = None
        self.screenshot_failed = False
        self.started_at = time.perf_counter()  # main() sets the process's own start
        self.first_frame_s: float | None = None  # start-up to the first drawn snapshot
        self.shown_s: float | None = None  # start-up to the window's first paint (before training data)

        self.controls = ControlsPanel(shared, np.random.default_rng(shared.get().seed + 7))
        self.sidebar = QScrollArea()  # a short screen scrolls the controls instead of squeezing them
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setWidget(self.controls)
        self.sidebar.setWidgetResizable(True)
        self.sidebar.setFrameShape(QFrame.NoFrame)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.sidebar_scale = 1.0  # presenter mode widens the column with its fonts
        self.sidebar.viewport().setAutoFillBackground(False)  # the window's background shows through
        self.panels = {m: InitPanel(m) for m in style.METHODS}
        self.panels["pretrained"].setVisible(False)
        self.panels["compare"].setVisible(False)  # shown while a second algorithm trains beside the first
        self.loss = LossPanel()
        self.eval = EvalPanel()
        self._landscape: LandscapePanel | None = None  # built on first use (the `landscape` property)
        self.alpha_strip = AlphaStrip()  # Alpha MAML's learned α, under the loss curve
        self.alpha_strip.setVisible(False)
        self.loss.body.addWidget(self.alpha_strip)
        self.timeline = Timeline(shared, self.loss.plot, [self.panels["meta"], self.panels["compare"]])
        self.loss.body.addWidget(self.timeline)  # scrub back to replay a past init (gui/timeline.py)
        rng = np.random.default_rng(shared.get().seed + 11)
        self.editor = TaskEditor(shared, list(self.panels.values()), rng, self)
        self.task_tools = TaskTools(self.editor)
        self.controls.task_form.addRow(self.task_tools)

        self.headline = WrapLabel(tr("Starting…"))
        self.headline.setObjectName("headline")
        self.headline.setTextFormat(Qt.RichText)
        self.headline.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.headline.setWordWrap(True)  # a narrow window reflows it to a second line
        self._measured = (None, True)  # (text, width, font size) last measured, and whether it fitted
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        self.preset_line = ClampedLabel(PRESET_LINES[1])  # the loaded preset's description and claim (show_preset)
        self.preset_line.setVisible(False)
        self.task_area = QWidget()  # the init panels: at least half the window's height, see fit_layout
        inits = QHBoxLayout(self.task_area)
        inits.setContentsMargins(0, 0, 0, 0)
        for p in self.panels.values():
            inits.addWidget(p, 1)
        for card in (*self.panels.values(), self.loss, self.eval):
            card.legend.setWordWrap(True)  # a narrow panel reflows its legend and readout instead of cutting them
            card.readout.setWordWrap(True)
        for card in (self.loss, self.eval):
            card.plot.setMinimumHeight(PLOT_MIN_H)  # on a short screen this row gives way first
        self.narrow = False  # short panel titles: the window is too narrow for the full ones
        self._fit_pending = False  # a _fit_text is queued
        self.train_area = QWidget()  # training and evaluation: what is left below the init panels
        below = QHBoxLayout(self.train_area)
        below.setContentsMargins(0, 0, 0, 0)
        below.addWidget(self.loss, 1)
        below.addWidget(self.eval, 1)
        right = QVBoxLayout()
        right.addLayout(top)
        right.addWidget(self.preset_line)
        right.addWidget(self.task_area, 62)
        right.addWidget(self.train_area, 38)
        self._right = right
        central = QWidget()
        central.setObjectName("central")
        lay = QHBoxLayout(central)
        lay.setContentsMargins(8, 6, 8, 4)
        lay.addWidget(self.sidebar)
        lay.addLayout(right, 1)
        self.setCentralWidget(central)
        self.notice = Toast(central)

        self._build_status_bar()
        self._shortcuts()
        self.controls.message.connect(self.show_notice)
        self.editor.message.connect(self.show_notice)
        self.controls.pretrainedToggled.connect(self.panels["pretrained"].setVisible)
        self.controls.saveRequested.connect(self.save_checkpoint)
        self.controls.loadRequested.connect(self.load_checkpoint)

        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.frame)
        self.demo = Demo(self)  # menus, toolbar, presenter mode, recording, explanations
        style.themes.follow(self.apply_theme)
        self.entry_keys = EntryKeys(self.focus_plots, self)  # Enter / Esc in a number box, then the shortcuts
        self.entry_keys.watch(self)
        self.setMinimumSize(*MIN_SIZE)  # explicit, so changing label texts never re-propagate size hints

    @property
    def landscape(self) -> LandscapePanel:
        """The two-scalar model's parameter space, beside the init panels: built when first needed,
        which most sessions never do (its plot and colour bar are ~75 ms of the start-up)."""
        if self._landscape is None:
            self._landscape = LandscapePanel(self.shared)
            self._landscape.setVisible(False)
            self.task_area.layout().addWidget(self._landscape, 1)
        return self._landscape

    def apply_theme(self, t: style.Theme) -> None:
        """Colours by palette (`gui.look` paints the controls, bars and menus from it) and sizes
        by font: nothing here sets a stylesheet, so no switch re-polishes a widget."""
        self.setPalette(t.palette())  # now, not when the application's change reaches the window
        bar = t.bar_palette()
        for part in (self.menuBar(), *self.findChildren(QToolBar)):
            part.setPalette(bar)
        resized = (self.font().pointSize(), self.headline.font().pointSize()) != (t.body_pt, t.headline_pt)
        if self.font().pointSize() != t.body_pt:  # a new size reaches every widget: only when it changed
            font = self.font()
            font.setPointSize(t.body_pt)
            self.setFont(font)
        if self.statusBar().font().pointSize() != t.body_pt + 1:  # its numbers a point larger
            font = QFont()  # the size alone: the rest follows the window's font
            font.setPointSize(t.body_pt + 1)
            self.statusBar().setFont(font)
        if self.headline.font().pointSize() != t.headline_pt:
            font = self.headline.font()
            font.setPointSize(t.headline_pt)
            self.headline.setFont(font)
        pal = self.preset_line.palette()
        pal.setColor(QPalette.WindowText, QColor(t.muted))
        self.preset_line.setPalette(pal)
        if self.snapshot is not None:  # the status bar's coloured state: a new colour, the same width
            self.status["state"].setText(self._state_text(self.snapshot))
        if resized and self.snapshot is not None:  # new text sizes: the headline's long or short form
            self._headline(self.snapshot)
        # A colour switch: every rich-text label's new text (its colours are in its HTML) or style
        # laid out now, not in its paint (a label laid out while painting asks for a second paint
        # of the window). New text sizes are measured again anyway once the refits have run.
        if not resized:
            for label in self.findChildren(QLabel):
                if label.textFormat() != Qt.PlainText and label.isVisible():
                    label.sizeHint()

    def start(self) -> None:
        """Start the trainer (if its host is not running yet) and the frame timer, after the window is shown."""
        self._arrived.connect(self._on_arrival)
        self.host.on_snapshot = self._arrived.emit  # draw a snapshot when it arrives, not at the next tick
        self.host.start()
        self.installEventFilter(self)  # to time the repaint that shows each snapshot
        self.timer.start()
        self.controls.play.setFocus()

    def eventFilter(self, obj, event) -> bool:
        """Paint the window ourselves on its update request, so the repaint that shows a new
        snapshot is timed to its end (Qt paints every dirty widget of the window in this event)."""
        if obj is self and event.type() == QEvent.UpdateRequest and (self._drawing or self.shown_s is None):
            drawing, self._drawing = self._drawing, None
            QMainWindow.event(self, event)
            ended = time.perf_counter()
            if self.shown_s is None:
                self.shown_s = round(ended - self.started_at, 3)
            if drawing is not None:
                self.stats.painted(drawing[1], ended)
                self.snapshotDrawn.emit(drawing[0], ended)
            return True
        return super().eventFilter(obj, event)

    def restart_training(self) -> None:
        """After the trainer's process died: a new one from the last parameters it sent."""
        self._error_shown = False
        self._message_id = -1  # the new trainer counts its messages from 0 again
        self.host.restart()
        self.notice.hide()
        self._notice_until = 0.0
        self.show_notice(tr("Training restarted from the last parameters received"), style.INFO)

    # ---- layout pieces ----------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = QStatusBar()
        self.setStatusBar(bar)
        self.status = {k: QLabel("") for k in ("state", "device", "iteration", "rate", "loss", "fps")}
        tips = {"state": tr("What the training thread is doing"), "device": tr("Where meta-training runs"),
                "iteration": tr("Meta-iterations so far"), "rate": tr("Meta-iterations per second"),
                "loss": tr("Latest meta-loss (query MSE after adaptation, averaged over the meta-batch)"),
                "fps": tr("Frames drawn per second")}
        for k, label in self.status.items():
            label.setToolTip(tips[k])
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)

    def _shortcuts(self) -> None:
        keys = ((Qt.Key_Space, self.controls.toggle_play), (Qt.Key_S, self.controls.step_once),
                (Qt.Key_R, self.controls.reset_training), (Qt.Key_N, self.controls.draw_new_task),
                (QKeySequence("Ctrl+Q"), self.close))
        self._keys = []
        for key, slot in keys:
            sc = QShortcut(QKeySequence(key), self)
            sc.activated.connect(slot)
            self._keys.append(sc)

    # ---- the frame --------------------------------------------------------------------------
    @Slot()
    def frame(self) -> None:
        """The 60 Hz tick: mirror the controls, expire notices, and draw a snapshot if one waits."""
        self._draw_latest(self.stats.tick())

    @Slot()
    def _on_arrival(self) -> None:
        """A snapshot arrived: draw it now rather than at the next tick (up to 16 ms sooner)."""
        if not self._closed:
            self._draw_latest(time.perf_counter())

    def _draw_latest(self, now: float) -> None:
        """A drawing bug is reported once and never takes the window down."""
        try:
            self._frame(now)
        except Exception as e:
            if not self._frame_error:
                self._frame_error = True
                traceback.print_exc()
                self.show_notice(tr("Drawing failed: {0}: {1}").format(type(e).__name__, e), style.ERROR,
                                 sticky=True)

    def _frame(self, now: float) -> None:
        self.controls.sync(self.shared.get())
        if self.host.error and not self._error_shown:
            self._error_shown = True
            self.show_notice(self.host.error, style.ERROR, sticky=True,
                             action=(tr("Restart training"), self.restart_training))
            # no snapshot will come to say so: the status bar tells the truth now
            stopped = tr("trainer stopped")
            self.status["state"].setText(f"<span style='color:{style.ERROR}'>● {stopped}</span>")
            self.status["fps"].setText(tr("idle"))
        if self._notice_until and now > self._notice_until:
            self.notice.hide()
            self._notice_until = 0.0
        snap = self.host.take()
        if snap is None:
            return
        self.snapshot = snap
        if snap.family != self._family:
            self._family = snap.family
            xr, yr = family_ranges(snap.family)
            for p in self.panels.values():
                p.set_range(xr, yr)
        if self.panels["compare"].isHidden() == bool(snap.compare):
            self.panels["compare"].setVisible(bool(snap.compare))
        self._frame_names(snap)
        for p in self.panels.values():
            if not p.isHidden():
                p.show_snapshot(snap)
        self.loss.show_snapshot(snap)
        self.eval.show_snapshot(snap)
        two = snap.landscape is not None
        if two or self._landscape is not None:
            if self.landscape.isHidden() == two:
                self.landscape.setVisible(two)
            self.landscape.show_snapshot(snap)
        self.alpha_strip.show_snapshot(snap)
        self.timeline.show_snapshot(snap)
        self._status(snap)
        if snap.message_id != self._message_id:
            self._message_id = snap.message_id
            bad = snap.state in ("diverged", "error")
            way_out = (tr("Reset"), self.controls.reset_training) if snap.state == "diverged" else None
            self.show_notice(_friendly(snap), style.ERROR if bad else style.INFO, sticky=bad, action=way_out)
        self.stats.drew()
        self._drawing = (snap, now)  # the plots' updates post the window's update request: timed in eventFilter
        if self.first_frame_s is None:
            self.first_frame_s = round(now - self.started_at, 3)

    def _frame_names(self, snap) -> None:
        """Panel titles after their algorithm; short ones when three panels share the width or
        the window is narrow."""
        label = style.algorithm_label(snap.algorithm)
        compact = (self.narrow or self.panels["pretrained"].isVisible() or bool(snap.compare)
                   or snap.landscape is not None)
        for m, p in self.panels.items():
            if not p.isHidden():
                p.set_names(style.algorithm_label(snap.compare) if m == "compare" else label, compact)

    def _status(self, snap) -> None:
        now = time.perf_counter()
        if snap.state == "training" and now - self._status_at < STATUS_S:
            return  # numbers changing 60 times a second cannot be read; 8 times is plenty
        self._status_at = now
        loss = f"<b>{snap.loss:.3f}</b>" if np.isfinite(snap.loss) else "–"
        texts = {"state": self._state_text(snap),
                 "device": tr("device {0}").format(f"<b>{snap.device}</b>"),
                 "iteration": tr("iteration {0}").format(f"<b>{snap.iteration:,}</b>"),
                 "rate": tr("{0} it/s").format(f"<b>{snap.its_per_s:,.0f}</b>"),
                 "loss": tr("meta-loss {0}").format(loss),
                 "fps": tr("{0} fps").format(f"<b>{self.stats.fps():.0f}</b>") if snap.state == "training"
                 else tr("idle")}
        changed = False
        for k, t in texts.items():
            if self.status[k].text() != t:
                self.status[k].setText(t)
                changed = True
        if changed:
            self._fit_text()
        self._headline(snap)

    def _state_text(self, snap) -> str:
        """The status bar's state, in its theme colour."""
        colour = {"training": style.GOOD, "diverged": style.ERROR, "error": style.ERROR}.get(snap.state, style.MUTED)
        return f"<span style='color:{colour}'>● {tr(STATES.get(snap.state, snap.state))}</span>"

    def _headline(self, snap) -> None:
        """What the panels show, in words: the long form when it fits one line, else the short one."""
        k, lr = points_text(snap), _lr(self.shared.get(), snap)  # the points shown, and the slider's K
        heads = (tr("One new task, {0}, {1}: which initialisation adapts faster?").format(k, lr),
                 tr("{0}, {1}: which init adapts faster?").format(k, lr))
        if snap.task is not None and snap.task.is_user:  # say what is trained on and what is shown
            family = tr(get_family(snap.family).title)
            fam, yours, your_task = f"<b>{family}</b>", tr("your task"), tr("Your task")
            heads = (tr("Trained on {0} tasks · shown: {1}, {2}, {3}").format(fam, f"<b>{yours}</b>", k, lr),
                     tr("{0}, {1}, {2} (trained on {3})").format(f"<b>{your_task}</b>", k, lr, family))
        head = heads[0] if self._one_line(heads[0]) else heads[1]  # the short one wraps if it must
        if self.headline.text() != head:
            self.headline.setText(head)

    def _one_line(self, html: str) -> bool:
        """Whether the headline fits its width on one line."""
        if self._measured[0] != (html, self.headline.width(), self.headline.font().pointSize()):
            doc = QTextDocument()
            doc.setDefaultFont(self.headline.font())
            doc.setHtml(html)
            self._measured = ((html, self.headline.width(), self.headline.font().pointSize()),
                              doc.idealWidth() <= self.headline.contentsRect().width())
        return self._measured[1]

    def show_preset(self, text: str, path=None) -> None:
        """The loaded preset's description and claim, in a line under the headline (none: hidden);
        `path` lets a window rebuilt in another language say it again in that language."""
        self.preset_path = path if text else None
        self.preset_line.set_full_text(tr("Preset: {0}").format(text) if text else "")
        self.preset_line.setVisible(bool(text))
        self.fit_layout()

    @Slot(str)
    def show_notice(self, text: str, colour: str = style.INFO, sticky: bool = False, action=None) -> None:
        """A banner over the bottom of the init panels; errors stay until clicked or replaced.
        action: (button text, slot) for a banner that offers a way out."""
        if style.recolour(colour, style.themes.current) == style.themes.current.error:
            self.errors.append(text)
        self.notice.show_text(text, colour, action)
        self._place_notice()
        self._notice_until = 0.0 if sticky else time.perf_counter() + NOTICE_S

    def _place_notice(self) -> None:
        meta, random = self.panels["meta"], self.panels["random"]
        left = meta.mapTo(self.centralWidget(), meta.rect().topLeft())
        right = random.mapTo(self.centralWidget(), random.rect().bottomRight())
        width = min(right.x() - left.x() - 40, 1000)
        self.notice.setFixedWidth(max(width, 200))
        self.notice.adjustSize()
        self.notice.move(left.x() + (right.x() - left.x() - self.notice.width()) // 2,
                         right.y() - self.notice.height() - 50)
        self.notice.raise_()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_layout()
        if self.notice.isVisible():
            self._place_notice()

    # ---- fitting any screen -----------------------------------------------------------------
    def first_size(self) -> QSize:
        """1600x900, or the whole of a smaller screen (a 1280x720 projector); a screen below the
        minimum cannot hold the window anyway and gets the usual size."""
        room = self.screen().availableGeometry().size()
        if room.width() < MIN_SIZE[0] or room.height() < MIN_SIZE[1]:
            return QSize(*FIRST_SIZE)
        return QSize(min(FIRST_SIZE[0], room.width()), min(FIRST_SIZE[1], room.height()))

    @Slot()
    def focus_plots(self) -> None:
        """The keyboard's home after a number was typed: the plots (so Space, E, N... are shortcuts)."""
        self.panels["meta"].plot.setFocus(Qt.ShortcutFocusReason)

    def set_sidebar(self, shown: bool) -> None:
        """Collapse or bring back the controls column (Ctrl+B): the plots take its width."""
        if self.sidebar.isHidden() == bool(shown):
            if not shown and self.sidebar.isAncestorOf(self.focusWidget()):
                self.focus_plots()
            self.sidebar.setVisible(bool(shown))
            self.demo.explainer.place()

    def fit_layout(self) -> None:
        """Sizes that follow the window's: the controls column's width, and the init panels'
        share of the height (the training and evaluation row gives way first)."""
        if self._closed:
            return
        lo, hi = SIDEBAR_W
        width = max(round(min(max(0.3 * self.width(), lo), hi) * self.sidebar_scale),
                    self.controls.minimumSizeHint().width())  # never cut a control
        width += self.sidebar.verticalScrollBar().sizeHint().width()  # room for it, shown or not
        if self.sidebar.width() != width:
            self.sidebar.setFixedWidth(width)
        dock = self.demo.explainer.dock
        width = round(min(max(DOCK_SHARE * self.width(), DOCK_W[0]), DOCK_W[1]))
        if dock.width() != width:
            dock.setFixedWidth(width)
        below = self._bottom_docks_h()
        share = round(TASK_SHARE * self.height() if not below else TOUR_TASK_SHARE * (self.height() - below))
        self.preset_line.set_lines(PRESET_LINES[self.height() >= PRESET_ROOM_H])
        if self.task_area.minimumHeight() != share:
            self.task_area.setMinimumHeight(share)
        self._fit_rows()  # now, before the layout runs: one layout and one repaint per resize
        self.demo.explainer.place()
        if not self._fit_pending:  # once the layout has given each card its width; once per burst of resizes
            self._fit_pending = True
            QTimer.singleShot(0, self._fit_text)

    def _bottom_docks_h(self) -> int:
        """The height the docks along the bottom edge (the tour's captions) take from the plots: the
        init panels then keep TOUR_TASK_SHARE of what is left, so the training row keeps some too."""
        return sum(d.height() for d in self.findChildren(QDockWidget)
                   if d.isVisible() and self.dockWidgetArea(d) == Qt.BottomDockWidgetArea)

    def _fit_rows(self) -> None:
        """The row below may have only what the init panels leave, and keeps up to TRAIN_ROOM_H of it."""
        margins = self.centralWidget().layout().contentsMargins()
        preset = self.preset_line.height() + self._right.spacing() if self.preset_line.isVisible() else 0
        headline = self.headline.heightForWidth(self.headline.width())  # its text now, laid out or not yet
        room = (self.centralWidget().height() - margins.top() - margins.bottom() - headline
                - 2 * self._right.spacing() - self.task_area.minimumHeight() - preset)
        if self.train_area.maximumHeight() != max(room, 0):
            self.train_area.setMaximumHeight(max(room, 0))
        least = min(max(room, 0), TRAIN_ROOM_H)  # on a short window the init panels' size hints would take it
        if self.train_area.minimumHeight() != least:
            self.train_area.setMinimumHeight(least)

    def _fit_plots(self) -> None:
        """The loss and evaluation plots keep PLOT_ROOM_H, or all their card can give without its
        optional rows: the rewind timeline shows only where the loss plot keeps that height beside
        it (a replay in progress keeps it), and the captions give way next (Explainer.fit_captions)."""
        for card in (self.loss, self.eval):
            m, body = card.body.contentsMargins(), card.body
            inner = card.width() - m.left() - m.right()
            kept = [_height(body.itemAt(0).layout(), inner), _height(card.legend, inner)]
            if card is self.loss and self.alpha_strip.isVisible():
                kept.append(_height(self.alpha_strip, inner))
            room = card.height() - m.top() - m.bottom() - sum(kept) - len(kept) * body.spacing()
            floor = min(PLOT_ROOM_H, max(PLOT_MIN_H, room))
            if card.plot.minimumHeight() != floor:
                card.plot.setMinimumHeight(floor)
            if card is self.loss:
                line = self.timeline
                show = line.replaying() or room >= PLOT_ROOM_H + line.sizeHint().height() + body.spacing()
                if line.isHidden() == show:
                    line.setVisible(show)

    @Slot()
    def _fit_text(self) -> None:
        """Reflow what would be cut: a card's readout goes under its title when both do not fit
        side by side; the status bar drops its least needed numbers rather than cut one."""
        self._fit_pending = False
        if self._closed or not self.isVisible():  # nothing to fit on a closed window (no native handle to paint)
            return
        self._fit_rows()
        narrow = False  # a full title ("Random initialisation") would not fit: short ones everywhere
        for m, card in self.panels.items():
            font = QFont(card.title.font())  # the full title's size (a short title is set smaller)
            font.setPointSize(card.theme.title_pt)
            full = style.method_title(m, card.algorithm_label, False)
            narrow |= not card.isHidden() and QFontMetrics(font).horizontalAdvance(full) > card.width() - TITLE_SLACK
        if narrow != self.narrow:
            self.narrow = narrow
            if self.snapshot is not None:  # titles, readouts and legends at once
                self._frame_names(self.snapshot)
                for p in self.panels.values():
                    if not p.isHidden():
                        p.show_snapshot(self.snapshot)
        # the init panels' row has one arrangement (their titles line up); a training card stacks
        # alone: a line saved there is the plot's, on the short screens that need it
        for row in ([p for p in self.panels.values() if not p.isHidden()], [self.loss], [self.eval]):
            stacked = any(_head_too_wide(card) for card in row)
            for card in row:
                head = card.body.itemAt(0).layout()
                direction = QBoxLayout.TopToBottom if stacked else QBoxLayout.LeftToRight
                if head.direction() != direction:
                    head.setDirection(direction)
        if self.snapshot is not None:
            self._headline(self.snapshot)
            self._fit_rows()  # the headline may have changed its number of lines
        self._fit_plots()
        self.demo.explainer.fit_captions()
        room = self.statusBar().width() - STATUS_SLACK
        for k in STATUS_ORDER:  # most needed first
            label = self.status[k]
            need = label.sizeHint().width()
            if label.minimumWidth() < need:  # a label only grows: the numbers beside it stay put
                label.setMinimumWidth(need)
            fits = label.minimumWidth() + STATUS_GAP <= room
            room -= label.minimumWidth() + STATUS_GAP if fits else 0
            if label.isHidden() == fits:
                label.setVisible(fits)

    # ---- checkpoints ------------------------------------------------------------------------
    @Slot()
    def save_checkpoint(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Save checkpoint"), CHECKPOINT_NAME,
                                              tr("Checkpoints") + " (*.pt)")
        if path:
            self.shared.post("save", path)

    @Slot()
    def load_checkpoint(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Load checkpoint"), "", tr("Checkpoints") + " (*.pt)")
        if not path:
            return
        from core.checkpoint import CheckpointError, load  # torch, on demand: the window starts without it

        try:
            self.shared.post("load", load(path))
        except CheckpointError as e:
            self.show_notice(str(e), style.ERROR)

    # ---- shutting down ----------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the frame timer and join the training thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.timer.stop()
        self.demo.recorder.finish()  # a recording in progress is written, not lost
        self.host.stop()

    def release(self) -> None:
        """Let a new window (View > Language) take the trainer over: this one stops drawing and
        asking, and its shutdown no longer stops the host, which carries on training."""
        self._closed = True
        self.timer.stop()
        self.ask_before_close, self.screenshot_path = False, None
        if self.host.on_snapshot == self._arrived.emit:
            self.host.on_snapshot = None

    def has_unsaved_task(self) -> bool:
        """Points the user placed or a curve they drew, not saved in a session since."""
        task = self.shared.get().task
        return task is not None and task.is_user and task != self.saved_task

    def confirm_discard(self) -> str:
        """Ask what to do with an unsaved task: 'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Question, tr("Unsaved task"),
                          tr("Your points or drawn curve are not saved. Save them as a session before closing?"),
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        box.setDefaultButton(QMessageBox.Save)
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(box.exec(), "cancel")

    def closeEvent(self, event) -> None:
        if self.ask_before_close and not self._closed and self.has_unsaved_task():
            answer = self.confirm_discard()
            if answer == "cancel" or (answer == "save" and not self.demo.ask_save_session()):
                event.ignore()
                return
        self.timer.stop()  # frame timing ends here; the picture below is part of quitting
        try:
            if self.screenshot_path and not self._closed:
                from gui.imagefile import save_pixmap

                self.screenshot_failed = save_pixmap(self.grab(), self.screenshot_path) is not None
        finally:
            self.shutdown()
        event.accept()


class Toast(QFrame):
    """A floating notice: not in any layout, so showing it never moves the plots. A click on the
    text dismisses it; an optional button offers a way out (e.g. "Restart training")."""

    def __init__(self, parent):
        super().__init__(parent)
        self.setObjectName("notice")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignCenter)
        self.label.setToolTip(tr("Click to dismiss"))
        self.button = QPushButton(self)
        self.button.setProperty("look", "banner")  # gui.look: wider padding
        self.button.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 8, 14, 8)
        lay.addWidget(self.label)
        lay.addWidget(self.button, 0, Qt.AlignCenter)
        self._action = None
        self.button.clicked.connect(self._act)
        self.hide()
        self.colour = style.themes.current.info
        style.themes.changed.connect(self.apply_theme)

    def show_text(self, text: str, colour: str, action=None) -> None:
        self.colour = colour
        self._restyle(style.themes.current)
        self.label.setText(text)
        self._action = action[1] if action else None
        self.button.setText(action[0] if action else "")
        self.button.setVisible(action is not None)
        self.show()

    def apply_theme(self, t: style.Theme) -> None:
        """A hidden notice is restyled when next shown (show_text): a switch skips it."""
        if not self.isHidden():
            self._restyle(t)

    def _restyle(self, t: style.Theme) -> None:
        """The notice's colour in its role (text and frame, its button's frame too) on the current
        theme's background: a palette and fonts, no stylesheet (no re-polish on a switch)."""
        pal = QPalette()
        colour = QColor(style.recolour(self.colour, t))
        for role in (QPalette.WindowText, QPalette.Mid):
            pal.setColor(role, colour)
        pal.setColor(QPalette.Window, QColor(t.bg))
        self.setPalette(pal)
        for part, pt in ((self.label, t.body_pt + 2), (self.button, t.body_pt + 1)):
            if part.font().pointSize() != pt:
                font = QFont()  # the size (and the button's weight) alone: the rest is the window's
                font.setPointSize(pt)
                font.setBold(part is self.button)
                part.setFont(font)

    def paintEvent(self, event) -> None:
        """Nearly opaque, so the curves under it do not show through its text."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        pal = self.palette()
        fill = QColor(pal.color(QPalette.Window))
        fill.setAlpha(235)
        painter.setPen(QPen(pal.color(QPalette.WindowText), 2))
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 8, 8)

    def text(self) -> str:
        return self.label.text()

    def _act(self) -> None:
        action, self._action = self._action, None
        self.hide()
        if action is not None:
            action()

    def mousePressEvent(self, event) -> None:
        self.hide()


def _height(part, width: int) -> int:
    """The height a widget or layout takes at this width (wrapped text: its wrapped height)."""
    return part.heightForWidth(width) if part.hasHeightForWidth() else part.sizeHint().height()


def _head_too_wide(card) -> bool:
    """A card's title and readout do not fit side by side, even with the readout's shortest
    version (the one shown is chosen for the room it has, which is wider once stacked)."""
    margins = card.body.contentsMargins()
    readout = min(card.readout.text_width(html) for html in card.readout.options)
    need = card.title.sizeHint().width() + readout + HEAD_GAP
    return need > card.width() - margins.left() - margins.right()


def _friendly(snap) -> str:
    """The trainer's notices, with a reset spelled out for the audience."""
    if snap.message.startswith("Reset"):
        model = tr("two-scalar model") if snap.model == "two-param" else "MLP"
        return tr("Reset: {0} meta-training restarts from a fresh initialisation ({1}, {2})").format(
            style.algorithm_label(snap.algorithm), get_family(snap.family).label, model)
    if not snap.message_values:
        return tr(snap.message_template or snap.message)  # a notice the catalogue holds is shown translated
    try:
        return tr(snap.message_template).format(**snap.message_values)
    except (KeyError, IndexError, ValueError):  # a translation whose fields do not match: English, not nothing
        return snap.message


def _lr(c, snap) -> str:
    """The step size the panels use: an algorithm with its own rate (Meta-SGD's and Alpha MAML's
    learned ones) names it; the other panels adapt with α."""
    if c.display_lr is not None:
        return f"<b>α = {c.display_lr:g}</b>"
    algo = REGISTRY.get(snap.algorithm)
    key = algo.shown_rate if algo is not None else None
    if key and key in snap.inner_lrs:
        return tr("{0} ({1}), {2} (others)").format(f"<b>{tr(algo.rate_words)} {snap.inner_lrs[key]:.3g}</b>",
                                                    style.algorithm_label(snap.algorithm),
                                                    f"<b>α = {c.inner_lr:g}</b>")
    return f"<b>α = {c.inner_lr:g}</b>"
