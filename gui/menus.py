"""The window's menus, toolbar and shortcut sheet for demos. What they do lives elsewhere:
files in `Documents`, pictures and recording in `Exports`, presenter mode and themes in
`Presenter`, explanations in `Explainer`; `Demo` holds them and wires the actions.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import QMessageBox, QToolBar
from superqt.utils import signals_blocked

from core.words import QT_TR_NOOP
from gui import language, presets, style
from gui.documents import Documents
from gui.explain import Explainer
from gui.export import Exports
from gui.i18n import tr
from gui.presenter import Presenter
from gui.recorder import Recorder
from gui.tour import Tour

# (keys, what) for the "?" sheet; the window's own keys first. Both are shown through tr: key
# names are written in words where the keyboard has none (Space, Click...).
SHORTCUTS = ((QT_TR_NOOP("Space"), QT_TR_NOOP("Play / pause meta-training")),
             ("S", QT_TR_NOOP("One meta-iteration")),
             ("R", QT_TR_NOOP("Reset meta-training")), ("N", QT_TR_NOOP("New task")),
             ("F11", QT_TR_NOOP("Presenter mode (Esc leaves)")), ("Ctrl+T", QT_TR_NOOP("Light / dark theme")),
             ("E", QT_TR_NOOP("Explain: captions and the algorithm")),
             ("Ctrl+B", QT_TR_NOOP("Hide / show the controls")),
             ("Ctrl+= / Ctrl+- / Ctrl+0", QT_TR_NOOP("Text larger / smaller / normal")),
             ("F9", QT_TR_NOOP("Start / stop recording (MP4 or GIF)")),
             ("Ctrl+L", QT_TR_NOOP("Load the trained model (shipped)")), ("Ctrl+O", QT_TR_NOOP("Open session")),
             ("Ctrl+S", QT_TR_NOOP("Save session")), ("Ctrl+E", QT_TR_NOOP("Export the window as PNG")),
             (QT_TR_NOOP("F1 or ?"), QT_TR_NOOP("This sheet")), ("Ctrl+Q", QT_TR_NOOP("Quit")),
             (QT_TR_NOOP("Click"), QT_TR_NOOP("On a task panel: add a support point")),
             (QT_TR_NOOP("Drag"), QT_TR_NOOP("Move a point (in draw mode: sketch the curve)")),
             (QT_TR_NOOP("Right click"), QT_TR_NOOP("Remove a point (or select it and press Delete)")))


class FlatToolBar(QToolBar):
    """A toolbar flat on its palette's Window colour (Theme.bar_palette), like the menu bar above it,
    over a 1 px line in the theme's grid colour (Dark): Fusion shades a main window's toolbar with a
    gradient of its own."""

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.Window))
        painter.fillRect(0, self.height() - 1, self.width(), 1, pal.color(QPalette.Dark))


class Demo(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.presenter = Presenter(window)
        self.recorder = Recorder(window)
        self.explainer = Explainer(window)
        self.documents = Documents(window, self.notice)
        self.tour = Tour(window)  # Help > Tour and --tour: the article's story, scene by scene
        self.exports = Exports(window, self.recorder, self.notice)
        self._build_menus()
        self._build_toolbar()

    def notice(self, text: str, error: bool = False) -> None:
        t = style.themes.current
        self.window.show_notice(text, t.error if error else t.info)

    # Kept for callers outside the GUI's modules: app.py loads a preset's checkpoint, the
    # window's close asks to save the user's task.
    def load_checkpoint_from(self, path) -> bool:
        return self.documents.load_checkpoint_from(path)

    def ask_save_session(self) -> bool:
        return self.documents.ask_save_session()

    # ---- building --------------------------------------------------------------------------
    def _action(self, text, slot, keys=None, tip=None, checkable=False) -> QAction:
        a = QAction(text, self.window)
        if keys:
            a.setShortcuts([QKeySequence(k) for k in (keys if isinstance(keys, tuple) else (keys,))])
            a.setShortcutContext(Qt.WindowShortcut)
        if tip:
            a.setToolTip(tip)
        a.setCheckable(checkable)
        (a.toggled if checkable else a.triggered).connect(slot)
        self.window.addAction(a)  # shortcuts work in full screen, with the menu bar hidden
        return a

    def _build_menus(self) -> None:
        w, bar, docs, out = self.window, self.window.menuBar(), self.documents, self.exports
        file = bar.addMenu(tr("&File"))
        menu = file.addMenu(tr("Open &preset"))
        for title, path in presets.shipped():
            menu.addAction(title, lambda p=path: docs.open_preset(p))
        menu.addSeparator()
        menu.addAction(tr("Other preset file…"), docs.ask_preset)
        file.addAction(self._action(tr("&Open session…"), docs.ask_open_session, "Ctrl+O"))
        file.addAction(self._action(tr("&Save session…"), docs.ask_save_session, "Ctrl+S"))
        file.addSeparator()
        self.trained = self._action(tr("Load &trained model"), docs.load_trained_model, "Ctrl+L",
                                    tr("MAML meta-trained for 70,000 iterations on the paper's sinusoids: "
                                       "the finished result at once"))
        file.addAction(self.trained)
        file.addAction(self._action(tr("Load checkpoint…"), w.load_checkpoint))
        file.addAction(self._action(tr("Save checkpoint…"), w.save_checkpoint))
        file.addSeparator()
        file.addAction(self._action(tr("&Export window as PNG…"), out.ask_export_window, "Ctrl+E"))
        panel_menu = file.addMenu(tr("Export one &panel (PNG or SVG)"))
        for name, title in out.panel_titles().items():
            panel_menu.addAction(title + "…", lambda n=name: out.ask_export_panel(n))
        self.record = self._action(tr("&Record…"), self._record, "F9",
                                   tr("Record the plots to an MP4 video or an animated GIF (F9 again stops)"), True)
        self.recorder.running.connect(self._recording)  # also started from the command line
        file.addAction(self.record)
        file.addSeparator()
        file.addAction(tr("&Quit"), w.close)  # Ctrl+Q is the window's own shortcut

        view = bar.addMenu(tr("&View"))
        self.present = self._action(tr("&Presenter mode"), self.presenter.set_on, "F11",
                                    tr("Full screen, larger text and lines, advanced controls hidden"), True)
        self.light = self._action(tr("&Light theme (high contrast)"), self.presenter.set_light, "Ctrl+T",
                                  tr("White background, dark text, saturated lines"), True)
        self.explain = self._action(tr("E&xplain"), self.explainer.set_on, "E",
                                    tr("Say what each panel shows; the algorithm with its current phase"), True)
        self.sidebar = self._action("◧ " + tr("&Controls"), self.window.set_sidebar, "Ctrl+B",
                                    tr("Show or hide the controls column (Ctrl+B): the plots take its width"), True)
        self.sidebar.setChecked(True)
        for a in (self.present, self.light, self.explain, self.sidebar):
            view.addAction(a)
        language.add_menu(self, view)
        size = view.addMenu(tr("&Text size"))
        for text, step, keys in ((tr("&Larger"), 1, ("Ctrl+=", "Ctrl++")), (tr("&Smaller"), -1, "Ctrl+-"),
                                 (tr("&Normal"), 0, "Ctrl+0")):
            size.addAction(self._action(text, lambda _=False, s=step: self.presenter.text_size(s), keys))
        self._action(tr("Leave presenter mode"), lambda: self.present.setChecked(False), "Esc")
        help_ = bar.addMenu(tr("&Help"))
        help_.addAction(self._action(tr("Keyboard shortcuts (?)"), self.show_shortcuts, ("F1", "?")))
        help_.addAction(self._action(tr("Guided &tour"), lambda: self.tour.start(), tip=tr(
            "The article's story told with the live app: → / PageDown next, ← / PageUp back, Esc leaves")))

    def _build_toolbar(self) -> None:
        tb = FlatToolBar(tr("Demo"))
        tb.setObjectName("demo-toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for a in (self.sidebar, self.trained, self.present, self.light, self.explain, self.record):
            tb.addAction(a)
        self.window.addToolBar(Qt.TopToolBarArea, tb)
        self.toolbar = tb

    def start_as(self, presenter: bool = False, explain: bool = False, light: bool = False) -> None:
        """The window as the command line asks (--presenter, --explain, --theme light)."""
        for action, on in ((self.light, light), (self.explain, explain), (self.present, presenter)):
            if on:
                action.setChecked(True)

    @Slot(bool)
    def _record(self, on: bool) -> None:
        if not self.exports.toggle_record(on) and self.record.isChecked():  # the dialog was cancelled
            self.record.setChecked(False)

    @Slot(bool)
    def _recording(self, on: bool) -> None:
        with signals_blocked(self.record):
            self.record.setChecked(on)

    @Slot()
    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{tr(k)}</b>&nbsp;&nbsp;&nbsp;</td><td>{tr(v)}</td></tr>" for k, v in SHORTCUTS)
        box = QMessageBox(self.window)
        box.setWindowTitle(tr("Keyboard shortcuts"))
        box.setTextFormat(Qt.RichText)
        box.setText(f"<table>{rows}</table>")
        box.setModal(False)
        box.setAttribute(Qt.WA_DeleteOnClose)
        self.sheet = box
        box.show()
