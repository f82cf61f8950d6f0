"""Pictures of the window for slides: the window or one plot as PNG, a plot as SVG, and
recordings to MP4 or GIF (the `Recorder` does the capturing, `gui.encoders` the writing)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog

from core.words import QT_TR_NOOP
from gui.encoders import RecordTargetError
from gui.i18n import tr

RECORD_FILTERS = {QT_TR_NOOP("MP4 video (*.mp4)"): ".mp4", QT_TR_NOOP("Animated GIF (*.gif)"): ".gif"}  # first: default
# Suggested file names stay as they are in every language.
RECORD_NAME, WINDOW_NAME, PANEL_NAME = "maml-demo.mp4", "maml-window.png", "maml-{0}.png"


class Exports(QObject):
    def __init__(self, window, recorder, notice):
        super().__init__(window)
        self.window, self.recorder = window, recorder
        self.notice = notice  # notice(text, error=False)

    def panel_titles(self) -> dict[str, str]:
        w = self.window
        out = {m: p.title.text() for m, p in w.panels.items()}
        out.update(loss=tr("Meta-training loss"), eval=tr("Held-out MSE"))
        return out

    def panel_widget(self, name: str):
        w = self.window
        return {"loss": w.loss, "eval": w.eval}.get(name) or w.panels[name]

    def export_window(self, path) -> bool:
        from gui.imagefile import save_pixmap

        problem = save_pixmap(self.window.centralWidget().grab(), path)
        self.notice(tr("Could not write {0}").format(problem) if problem else tr("Saved {0}").format(path),
                    error=bool(problem))
        return problem is None

    def export_panel(self, name: str, path) -> bool:
        """One plot as PNG (pyqtgraph's ImageExporter, at least 1200 px wide) or as vector SVG,
        encoded in memory and written like every file (gui.imagefile): whole or not at all."""
        from gui.imagefile import save_bytes, save_pixmap

        panel = self.panel_widget(name)
        path = str(path)
        try:
            if path.lower().endswith(".svg"):
                problem = save_bytes(svg_of_plot(panel.plot, panel.title.text()), path)
            else:
                import pyqtgraph.exporters as ex

                exporter = ex.ImageExporter(panel.plot.getPlotItem())
                exporter.parameters()["width"] = max(1200, int(panel.plot.width() * 2))
                problem = save_pixmap(exporter.export(toBytes=True), path, "PNG")
        except Exception as e:  # pyqtgraph raises plain Exceptions for odd sizes
            problem = f"{path}: {e}"
        self.notice(tr("Could not write {0}").format(problem) if problem else tr("Saved {0}").format(path),
                    error=bool(problem))
        return problem is None

    def toggle_record(self, on: bool) -> bool:
        """Start (asking where to) or stop a recording; True while one runs."""
        if on and not self.recorder.active:
            filters = {tr(shown): suffix for shown, suffix in RECORD_FILTERS.items()}
            path, chosen = QFileDialog.getSaveFileName(self.window, tr("Record the plots"), RECORD_NAME,
                                                       ";;".join(filters))
            if path:
                self.start_recording(path, filters.get(chosen, ".mp4"))
        elif not on and self.recorder.active:
            self.recorder.stop()
        return self.recorder.active

    def start_recording(self, path, default_suffix: str = ".mp4") -> bool:
        """Record to `path`, its extension choosing the format (none: `default_suffix`); a path
        that cannot be written says why and changes nothing."""
        p = Path(path)
        if not p.suffix:
            p = p.with_suffix(default_suffix)
        try:
            self.recorder.start(p)
        except RecordTargetError as e:
            text = e.shown(tr)
            self.notice(text[:1].upper() + text[1:], error=True)
            return False
        return True

    @Slot()
    def ask_export_window(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, tr("Export window"), WINDOW_NAME, tr("PNG (*.png)"))
        if path:
            self.export_window(path)

    def ask_export_panel(self, name: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, tr("Export panel"), PANEL_NAME.format(name),
                                              tr("PNG (*.png);;SVG (*.svg)"))
        if path:
            self.export_panel(name, path)


def svg_of_plot(view, title: str = "") -> bytes:
    """The plot's scene through Qt's SVG painter into memory, item caches off so axes and text
    stay vectors. (pyqtgraph 0.14's SVGExporter cannot parse the paths Qt 6.11 writes.)"""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator
    from PySide6.QtWidgets import QGraphicsItem

    items = view.scene().items()
    modes = [i.cacheMode() for i in items]
    for i in items:
        i.setCacheMode(QGraphicsItem.NoCache)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buffer)
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
    buffer.close()
    return bytes(data)
