"""The window's menus, toolbar and shortcuts for demos: presets, sessions, checkpoints, the
shipped trained model, export, recording, presenter mode, themes, explanations.

`Demo` holds the actions; each file action has a path-taking method (what tests call) and
a dialog wrapper. Every refusal is a notice in the window and leaves the state unchanged.
"""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QToolBar

from core.controls import Controls
from gui import presets, style

# (keys, what) for the "?" sheet; the window's own keys first.
SHORTCUTS = (("Space", "Play / pause meta-training"), ("S", "One meta-iteration"),
             ("R", "Reset meta-training"), ("N", "New task"),
             ("F11", "Presenter mode (Esc leaves)"), ("Ctrl+T", "Light / dark theme"),
             ("E", "Explain: captions and the algorithm"), ("F9", "Start / stop recording a GIF"),
             ("Ctrl+L", "Load the trained model (shipped)"), ("Ctrl+O", "Open session"),
             ("Ctrl+S", "Save session"), ("Ctrl+E", "Export the window as PNG"),
             ("F1 or ?", "This sheet"), ("Ctrl+Q", "Quit"),
             ("Click", "On a task panel: add a support point"), ("Drag", "Move a point (in draw mode: sketch the curve)"),
             ("Right click", "Remove a point (or select it and press Delete)"))


class Demo(QObject):
    def __init__(self, window):
        super().__init__(window)
        from gui.explain import Explainer
        from gui.presenter import Presenter
        from gui.recorder import Recorder

        self.window = window
        self.presenter = Presenter(window)
        self.recorder = Recorder(window)
        self.explainer = Explainer(window)
        self._build_menus()
        self._build_toolbar()

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
        w, bar = self.window, self.window.menuBar()
        file = bar.addMenu("&File")
        menu = file.addMenu("Open &preset")
        for title, path in presets.shipped():
            menu.addAction(title, lambda p=path: self.open_preset(p))
        menu.addSeparator()
        menu.addAction("Other preset file…", self._ask_preset)
        file.addAction(self._action("&Open session…", self._ask_open_session, "Ctrl+O"))
        file.addAction(self._action("&Save session…", self._ask_save_session, "Ctrl+S"))
        file.addSeparator()
        self.trained = self._action("Load &trained model", self.load_trained_model, "Ctrl+L",
                                    "MAML meta-trained for 70,000 iterations on the paper's sinusoids: "
                                    "the finished result at once")
        file.addAction(self.trained)
        file.addAction(self._action("Load checkpoint…", w.load_checkpoint))
        file.addAction(self._action("Save checkpoint…", w.save_checkpoint))
        file.addSeparator()
        file.addAction(self._action("&Export window as PNG…", self._ask_export_window, "Ctrl+E"))
        panel_menu = file.addMenu("Export one &panel (PNG or SVG)")
        for name, title in self.panel_titles().items():
            panel_menu.addAction(title + "…", lambda n=name: self._ask_export_panel(n))
        self.record = self._action("&Record GIF", self._toggle_record, "F9",
                                   "Record the plots to an animated GIF for slides (F9 again stops)", True)
        file.addAction(self.record)
        file.addSeparator()
        file.addAction("&Quit", w.close)  # Ctrl+Q is the window's own shortcut

        view = bar.addMenu("&View")
        self.present = self._action("&Presenter mode", self.presenter.set_on, "F11",
                                    "Full screen, larger text and lines, advanced controls hidden", True)
        self.light = self._action("&Light theme (high contrast)", self.presenter.set_light, "Ctrl+T",
                                  "White background, dark text, saturated lines", True)
        self.explain = self._action("E&xplain", self.explainer.set_on, "E",
                                    "Say what each panel shows; the algorithm with its current phase", True)
        for a in (self.present, self.light, self.explain):
            view.addAction(a)
        self._action("Leave presenter mode", lambda: self.present.setChecked(False), "Esc")
        help_ = bar.addMenu("&Help")
        help_.addAction(self._action("Keyboard shortcuts (?)", self.show_shortcuts, ("F1", "?")))

    def _build_toolbar(self) -> None:
        tb = QToolBar("Demo")
        tb.setObjectName("demo-toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for a in (self.trained, self.present, self.light, self.explain, self.record):
            tb.addAction(a)
        self.window.addToolBar(Qt.TopToolBarArea, tb)
        self.toolbar = tb

    def panel_titles(self) -> dict[str, str]:
        w = self.window
        out = {m: p.title.text() for m, p in w.panels.items()}
        out.update(loss="Meta-training loss", eval="Held-out MSE")
        return out

    def panel_widget(self, name: str):
        w = self.window
        return {"loss": w.loss, "eval": w.eval}.get(name) or w.panels[name]

    def notice(self, text: str, error: bool = False) -> None:
        self.window.show_notice(text, style.ERROR if error else style.INFO)

    # ---- presets and sessions --------------------------------------------------------------
    def apply(self, c: Controls, checkpoint=None, reset: bool = True) -> None:
        """Replace every control (and the task) at once; a reset starts training from the
        preset's seed, a checkpoint then replaces the initialisation."""
        w = self.window
        w.shared.update(**{f.name: getattr(c, f.name) for f in fields(Controls)})
        if reset:
            w.shared.post("reset")
        if checkpoint:
            self.load_checkpoint_from(checkpoint)

    def open_preset(self, path) -> bool:
        from gui.validation import PresetError

        try:
            c, checkpoint, text = presets.read_preset(path, playing=self.window.shared.get().playing)
        except PresetError as e:
            self.notice(str(e), error=True)
            return False
        self.apply(c, checkpoint)
        self.notice(f"Preset: {text}")
        return True

    def open_session(self, path) -> bool:
        from core.session import SessionError

        try:
            c, checkpoint = presets.read_session(path)
            if checkpoint:
                from core.checkpoint import load

                loaded = load(Path(path).parent / checkpoint)
        except (SessionError, ValueError) as e:
            self.notice(str(e), error=True)
            return False
        self.apply(c, reset=True)
        if checkpoint:
            self.window.shared.post("load", loaded)
        self.window.saved_task = self.window.shared.get().task
        self.notice(f"Opened session {Path(path).name}")
        return True

    def save_session(self, path) -> bool:
        from core import session

        try:
            session.write(path, self.window.shared.get())
        except OSError as e:
            self.notice(f"Could not save {path}: {e.strerror}", error=True)
            return False
        self.window.saved_task = self.window.shared.get().task
        self.notice(f"Saved session to {path}")
        return True

    # ---- checkpoints -----------------------------------------------------------------------
    def load_checkpoint_from(self, path) -> bool:
        from core.checkpoint import CheckpointError, load

        try:
            loaded = load(path)
        except CheckpointError as e:
            self.notice(str(e), error=True)
            return False
        self.window.shared.post("load", loaded)
        return True

    def save_checkpoint_to(self, path) -> None:
        self.window.shared.post("save", str(path))

    @Slot()
    def load_trained_model(self) -> bool:
        """The shipped checkpoint with its own settings (alpha, K, ...), so the panels show what it learned."""
        from core.checkpoint import CheckpointError, load

        try:
            loaded = load(presets.TRAINED)
        except CheckpointError as e:
            self.notice(str(e), error=True)
            return False
        cfg, c = loaded.config, self.window.shared.get()
        keep = {k: cfg[k] for k in ("inner_lr", "outer_lr", "inner_steps", "shots", "meta_batch",
                                    "outer_optimizer", "seed") if k in cfg}
        if cfg["task"] != c.family or cfg["shots"] != c.shots:
            import numpy as np

            from core.display import new_display_task

            keep["task"] = new_display_task(cfg["task"], cfg["shots"], np.random.default_rng(cfg.get("seed", 0)))
        self.window.shared.update(**keep)
        self.window.shared.post("load", loaded)
        self.notice(f"Loaded the trained model: MAML after {cfg.get('iterations', 0):,} meta-iterations")
        return True

    # ---- export and recording --------------------------------------------------------------
    def export_window(self, path) -> bool:
        ok = self.window.centralWidget().grab().save(str(path))
        self.notice(f"Saved {path}" if ok else f"Could not write {path}", error=not ok)
        return ok

    def export_panel(self, name: str, path) -> bool:
        """One plot as PNG (pyqtgraph's ImageExporter, at least 1200 px wide) or as vector SVG."""
        panel = self.panel_widget(name)
        path = str(path)
        try:
            if path.lower().endswith(".svg"):
                svg_of_plot(panel.plot, path, panel.title.text())
            else:
                import pyqtgraph.exporters as ex

                exporter = ex.ImageExporter(panel.plot.getPlotItem())
                exporter.parameters()["width"] = max(1200, int(panel.plot.width() * 2))
                exporter.export(path)
        except Exception as e:  # pyqtgraph raises plain Exceptions for odd sizes and paths
            self.notice(f"Could not export {path}: {e}", error=True)
            return False
        ok = Path(path).is_file()
        self.notice(f"Saved {path}" if ok else f"Could not write {path}", error=not ok)
        return ok

    @Slot(bool)
    def _toggle_record(self, on: bool) -> None:
        if on and not self.recorder.active:
            path, _ = QFileDialog.getSaveFileName(self.window, "Record to GIF", "maml-demo.gif", "GIF (*.gif)")
            if not path:
                self.record.setChecked(False)
                return
            self.recorder.start(path)
        elif not on and self.recorder.active:
            self.recorder.stop()

    # ---- dialogs ---------------------------------------------------------------------------
    def _ask_preset(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open preset", str(presets.PRESETS), "Presets (*.json)")
        if path:
            self.open_preset(path)

    def _ask_open_session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", "", "Sessions (*.maml.json *.json)")
        if path:
            self.open_session(path)

    def _ask_save_session(self) -> None:
        self.ask_save_session()

    def ask_save_session(self) -> bool:
        """A file dialog, then save; False if the user cancelled or the save failed."""
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session", "demo.maml.json", "Sessions (*.maml.json)")
        return bool(path) and self.save_session(path)

    def _ask_export_window(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export window", "maml-window.png", "PNG (*.png)")
        if path:
            self.export_window(path)

    def _ask_export_panel(self, name: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export panel", f"maml-{name}.png",
                                              "PNG (*.png);;SVG (*.svg)")
        if path:
            self.export_panel(name, path)

    @Slot()
    def show_shortcuts(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        box = QMessageBox(self.window)
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.RichText)
        box.setText(f"<table>{rows}</table>")
        box.setModal(False)
        box.setAttribute(Qt.WA_DeleteOnClose)
        self.sheet = box
        box.show()


def svg_of_plot(view, path: str, title: str = "") -> None:
    """The plot's scene through Qt's SVG painter, item caches off so axes and text stay vectors.
    (pyqtgraph 0.14's SVGExporter cannot parse the paths Qt 6.11 writes.)"""
    from PySide6.QtCore import QRect, QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator
    from PySide6.QtWidgets import QGraphicsItem

    items = view.scene().items()
    modes = [i.cacheMode() for i in items]
    for i in items:
        i.setCacheMode(QGraphicsItem.NoCache)
    gen = QSvgGenerator()
    gen.setFileName(path)
    gen.setSize(view.size())
    gen.setViewBox(QRect(0, 0, view.width(), view.height()))
    gen.setTitle(title)
    painter = QPainter(gen)
    try:
        view.scene().render(painter, QRectF(0, 0, view.width(), view.height()),
                            view.mapToScene(view.viewport().rect()).boundingRect())
    finally:
        painter.end()
        for i, m in zip(items, modes):
            i.setCacheMode(m)
