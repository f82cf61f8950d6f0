"""The guided tour: resources/tour/*.json scenes played on the live window, a caption bar under
the plots, and the keys a presenter's remote sends.

Each scene goes through the same path as a preset (`Documents.apply`): its settings, task,
reset or checkpoint; then its panels (Explain, the pretrained baseline). The caption sits in a
bar under the plots, like subtitles: it takes its own room in the plots' column (the controls
keep their height), so it never covers a curve.
→ / PageDown and ← / PageUp move between scenes, Esc leaves, whatever widget has the focus (an
application-wide event filter claims those keys while the tour runs). Leaving puts back what
the user had: settings, task, panels, and the meta-initialisation as the trainer last sent it.
While a scene shows, its setup (algorithm, family, model, ...) is held; its live settings are free.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.controls import RESET_KEYS, Controls
from core.tour import Scene, TourError, load_tour, pace
from gui import style
from gui.i18n import tr
from gui.presets import RESOURCES

TOUR = RESOURCES / "tour"
NEXT = (Qt.Key_Right, Qt.Key_PageDown)
BACK = (Qt.Key_Left, Qt.Key_PageUp)
MARGIN = 18  # the caption bar's left and right margins
LAST_CALL_S = 3.0  # autoplay with a deadline starts this long before it, even without a picture yet


def language() -> str:
    """The captions' language: the window's (gui.i18n: --lang, View > Language, else the system's)."""
    from gui import i18n

    return i18n.current()


class CaptionBar(QFrame):
    """Scene number and title on one line, the caption large below, the keys on the right. Its
    height fits the longest caption of the tour at the current width, so the plots keep one size
    from scene to scene."""

    heightChanged = Signal()  # shown, hidden or resized: the window gives the plots what is left

    def __init__(self):
        super().__init__()
        self.setObjectName("tour-caption")
        self.title = QLabel()
        self.keys = QLabel()
        self.keys.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.texts: list[str] = []  # every caption of the tour, for the height
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.keys)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(MARGIN, 8 + 3, MARGIN, 10)  # under the 3 px accent line (paintEvent)
        lay.setSpacing(4)
        lay.addLayout(head)
        lay.addWidget(self.text, 1)
        style.themes.follow(self.apply_theme)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.heightChanged.emit()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.heightChanged.emit()

    def set_scene(self, number: int, count: int, title: str, caption: str, hint: str) -> None:
        self.title.setText(f"{number} / {count} · {title}")
        self.text.setText(caption)
        self.keys.setText(hint)
        self.fit()

    def apply_theme(self, t: style.Theme) -> None:
        """Large enough for the back of a room: the headline's size and more, in presenter mode too.
        Colours by palette (painted below), sizes by font: no stylesheet, so a switch re-polishes nothing."""
        pal = QPalette()
        pal.setColor(QPalette.Window, QColor(t.panel))
        pal.setColor(QPalette.Accent, QColor(t.accent))
        self.setPalette(pal)
        for label, pt, colour, bold in ((self.title, t.headline_pt, t.accent, True),
                                        (self.keys, t.body_pt, t.muted, False),
                                        (self.text, t.headline_pt + 1, t.text, False)):
            font = QFont(label.font())
            font.setPointSize(pt)
            font.setBold(bold)
            if font != label.font():
                label.setFont(font)
            pal = QPalette()
            pal.setColor(QPalette.WindowText, QColor(colour))
            label.setPalette(pal)
        self.fit()

    def paintEvent(self, event) -> None:
        """The panel colour under a 3 px accent line along the top."""
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.Window))
        painter.fillRect(0, 0, self.width(), 3, pal.color(QPalette.Accent))

    def fit(self) -> None:
        """The height the longest caption needs at this width, plus the title line."""
        width = max(self.width() - 2 * MARGIN, 200)
        metrics = QFontMetrics(self.text.font())
        text_h = max([metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextWordWrap, s).height()
                      for s in self.texts or [self.text.text()]])
        height = QFontMetrics(self.title.font()).height() + text_h + 8 + 10 + 4 + 6
        if self.height() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()
        if event.size().height() != event.oldSize().height():
            self.heightChanged.emit()


class Tour(QObject):
    """Plays the scenes on the window; `shown` lists the scenes shown, in order (for --stats)."""

    HINT = {"en": "→ next   ← back   Esc leaves", "zh_CN": "→ 下一页   ← 上一页   Esc 退出"}

    def __init__(self, window, folder=TOUR):
        super().__init__(window)
        self.window = window
        self.folder = folder
        self.scenes: list[Scene] = []
        self.index = -1
        self.shown: list[str] = []
        self.active = False
        self.error = ""  # why the last start failed
        self._saved = None
        self._autoplay = False
        self._waiting = False  # autoplay waits for the window's first picture
        self._until: float | None = None  # autoplay: every scene shown by then (perf_counter)
        self._times: list[float] | None = None  # seconds per scene when the tour plays itself
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._auto)
        self.bar = CaptionBar()
        self.bar.heightChanged.connect(window.fit_layout)
        self.frame = self.bar  # what shows and hides with the tour
        column = _plot_column(window)
        if column is not None:  # under the plots, beside the controls: the controls keep their height
            column.addWidget(self.bar)
        else:  # a window laid out otherwise: a bar along its bottom edge
            self.frame = QDockWidget(tr("Tour"), window)
            self.frame.setObjectName("tour-dock")
            self.frame.setFeatures(QDockWidget.NoDockWidgetFeatures)
            self.frame.setTitleBarWidget(QWidget())
            self.frame.setWidget(self.bar)
            window.addDockWidget(Qt.BottomDockWidgetArea, self.frame)
        self.frame.hide()
        self._held: Controls | None = None  # the settings the trainer must end up with (see _hold)
        window.snapshotDrawn.connect(self._hold)

    # ---- starting and leaving ---------------------------------------------------------------
    def start(self, autoplay: bool = False, until: float | None = None) -> bool:
        """Load the scenes and show the first. autoplay: advance by the scenes' own times, from the
        window's first drawn picture on, shrunk so that all are shown by `until` (a perf_counter
        time) if given. A bad scene file: a notice, and nothing changes."""
        try:
            scenes = load_tour(self.folder, RESOURCES)
        except TourError as e:
            self.error = str(e)
            self.window.demo.notice(tr("Tour: {0}").format(e), error=True)
            return False
        if not self.active:
            self._saved = self._user_state()
            QApplication.instance().installEventFilter(self)
        self.scenes, self.active = scenes, True
        self._autoplay, self._until, self._times = autoplay, until, None
        self.bar.texts = [s.text(language())[1] for s in scenes]
        self.frame.show()
        self.go(0)
        if autoplay and self.window.first_frame_s is None and not self._waiting:
            self._waiting = True
            self.window.snapshotDrawn.connect(self._first_picture)
            if until is not None:  # a very slow start: begin anyway, so every scene is shown by then
                QTimer.singleShot(max(round((until - time.perf_counter() - LAST_CALL_S) * 1000), 0),
                                  self._first_picture)
        return True

    @Slot()
    def _first_picture(self) -> None:
        """Autoplay's clock starts when the window shows training data, not while it starts up."""
        if self._waiting:
            self._waiting = False
            self.window.snapshotDrawn.disconnect(self._first_picture)
            self._arm()

    def _arm(self) -> None:
        """Start the current scene's clock when the tour plays itself."""
        if not (self.active and self._autoplay) or self.index + 1 >= len(self.scenes):
            return
        if self._times is None or self._until is not None:
            # with a deadline, paced again at every scene: one shown late (a busy machine, a slow
            # reset) shrinks the scenes after it, so all are still shown by then
            within = None if self._until is None else self._until - time.perf_counter()
            self._times = [0.0] * self.index + pace(self.scenes[self.index:], within)
        self.timer.start(round(self._times[self.index] * 1000))

    @Slot()
    def leave(self) -> None:
        """End the tour and put back the user's settings, task, panels and meta-initialisation."""
        if not self.active:
            return
        self.active = False
        self.timer.stop()
        QApplication.instance().removeEventFilter(self)
        self.frame.hide()
        self._restore(self._saved)
        self._saved = None

    # ---- a new window (View > Language) carries the tour on ------------------------------------
    def handover(self) -> dict:
        """End the tour here without putting anything back; `take_over` goes on in another window."""
        state = dict(scenes=self.scenes, index=self.index, saved=self._saved, shown=self.shown,
                     autoplay=self._autoplay, until=self._until, times=self._times, held=self._held)
        self.active, self._saved = False, None
        self.timer.stop()
        QApplication.instance().removeEventFilter(self)
        self.frame.hide()
        return state

    def take_over(self, state: dict) -> None:
        """Show the scene another window's tour was on, in the current language, without applying
        it again (the trainer already has it); Esc still puts back what the user had before."""
        self.scenes, self.index, self._saved, self.shown = (state[k] for k in ("scenes", "index", "saved", "shown"))
        self._autoplay, self._until, self._times, self._held = (state[k] for k in ("autoplay", "until", "times",
                                                                                  "held"))
        self.active = True
        QApplication.instance().installEventFilter(self)
        lang = language()
        self.bar.texts = [s.text(lang)[1] for s in self.scenes]
        title, caption = self.scenes[self.index].text(lang)
        self.bar.set_scene(self.index + 1, len(self.scenes), title, caption, self.HINT.get(lang, self.HINT["en"]))
        self.frame.show()
        self._arm()

    # ---- moving -----------------------------------------------------------------------------
    def go(self, index: int) -> None:
        """Show scene `index`: its state through the preset path, its panels, its caption."""
        index = max(0, min(index, len(self.scenes) - 1))
        scene, w = self.scenes[index], self.window
        self.index = index
        self._held = scene.controls()
        loaded = None
        if scene.checkpoint is not None:  # Documents.apply takes a loaded, validated checkpoint, not a path
            from core.checkpoint import CheckpointError, load

            try:
                loaded = load(scene.checkpoint)
            except CheckpointError as e:
                w.demo.notice(tr("Tour: {0}").format(e), error=True)
        w.demo.documents.apply(self._held, loaded, reset=scene.reset)
        for name, on in scene.panels.items():
            switch = self._switches()[name]
            if switch.isChecked() != on:
                switch.setChecked(on)
        lang = language()
        title, caption = scene.text(lang)
        self.bar.set_scene(index + 1, len(self.scenes), title, caption, self.HINT.get(lang, self.HINT["en"]))
        self.shown.append(scene.name)
        if not self._waiting:
            self._arm()

    @Slot()
    def next(self) -> None:
        if self.index + 1 < len(self.scenes):
            self.go(self.index + 1)

    @Slot()
    def back(self) -> None:
        if self.index > 0:
            self.go(self.index - 1)

    @Slot()
    def _auto(self) -> None:
        if self.active:
            self.next()

    @Slot(object, float)
    def _hold(self, snap, _painted: float) -> None:
        """A second guard on the scene's setup: the trainer already lets a later setup win over a
        checkpoint an earlier scene asked for (core.controls.Command.later), and if anything still
        brings back another algorithm, family or model, put the current scene's setup and task (or,
        after the tour, the user's) back. Its live settings (α, K, steps, the task's points) stay
        free to change."""
        want = self._held
        if want is None:
            return
        have = self.window.shared.get()
        if have.reset_key() != want.reset_key():
            self.window.shared.update(task=want.task, **{k: getattr(want, k) for k in RESET_KEYS})
        elif not self.active and (snap.algorithm, snap.family, snap.model, snap.compare) == (
                want.algorithm, want.family, want.model, want.compare):
            self._held = None  # after the tour: the user's setup is back, stop watching

    def caption(self) -> str:
        return self.bar.text.text() if self.active else ""

    # ---- keys -------------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        """A remote's keys reach the tour before any widget or shortcut: the override claims
        the key (so Esc does not also leave presenter mode), the press acts."""
        kind = event.type()
        if kind not in (QEvent.ShortcutOverride, QEvent.KeyPress) or not isinstance(obj, QWidget):
            return False
        if obj.window() is not self.window or event.modifiers() & ~Qt.KeypadModifier:
            return False
        key = event.key()
        act = self.next if key in NEXT else self.back if key in BACK else self.leave if key == Qt.Key_Escape else None
        if act is None:
            return False
        event.accept()
        if kind == QEvent.KeyPress:
            act()
        return True

    # ---- the user's state -------------------------------------------------------------------
    def _switches(self) -> dict:
        """The checkable parts a scene turns on or off, by the name scenes use."""
        return {"explain": self.window.demo.explain, "pretrained": self.window.controls.pretrained}

    def _user_state(self) -> tuple:
        w = self.window
        panels = {name: s.isChecked() for name, s in self._switches().items()}
        return w.shared.get(), panels, getattr(w.host, "last_state", None)

    def _restore(self, saved) -> None:
        from core.checkpoint import CheckpointError, validate

        controls, panels, state = saved
        w = self.window
        loaded = None
        if state is not None:
            try:
                loaded = validate(_checkpoint_data(controls, state), "the init before the tour")
            except CheckpointError:
                loaded = None  # settings changed since the trainer last sent it: start afresh
        self._held = controls
        w.demo.documents.apply(controls, reset=loaded is None)
        if loaded is not None:
            w.shared.post("load", loaded)
        for name, on in panels.items():
            switch = self._switches()[name]
            if switch.isChecked() != on:
                switch.setChecked(on)
        w.demo.notice(tr("Tour ended: your settings, task and meta-initialisation are back")
                      if loaded is not None else
                      tr("Tour ended: your settings and task are back (meta-training restarts)"))


def _plot_column(window):
    """The layout that stacks the plots (the one holding the loss panel's row), or None."""
    def search(layout):
        for i in range(layout.count()):
            child = layout.itemAt(i).layout()
            if child is None:
                continue
            if child.indexOf(window.loss) >= 0:
                return layout
            found = search(child)
            if found is not None:
                return found
        return None

    central = window.centralWidget()
    return search(central.layout()) if central is not None and central.layout() is not None else None


def _checkpoint_data(controls, state) -> dict:
    """What core.checkpoint.validate reads, from the trainer's last sent parameters."""
    import torch

    from core.algorithms import get_algorithm
    from core.checkpoint import config_from_controls

    data = {"state_dict": {k: torch.as_tensor(v) for k, v in state.params.items()},
            "config": config_from_controls(controls, state.iteration)}
    key = get_algorithm(controls.algorithm).extras_key
    if key and state.extras is not None:
        data["extras"] = {key: {k: torch.as_tensor(v) for k, v in state.extras.items()}}
    return data
