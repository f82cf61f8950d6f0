"""Presenter mode and the light theme: readable from the back of a room.

Presenter mode (F11) goes full screen, hides the advanced controls (like TensorFlow
Playground's classroom mode: Play, Step, Reset, New task, alpha and K stay) and sets the
theme's scale, which enlarges every font and line. The light theme is the other
`style.Theme`. Both only switch the current theme: every widget restyles itself on
`style.themes.changed`; nothing is rebuilt and training carries on.
"""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout

from gui import style

SCALE = 1.35  # fonts and line widths in presenter mode
CONTROLS_WIDTH = 390


class Presenter:
    def __init__(self, window):
        self.window = window
        self.on = False
        self._was_maximized = False

    def set_on(self, on: bool) -> None:
        on = bool(on)
        if on == self.on:
            return
        self.on, w = on, self.window
        if on:
            self._was_maximized, self._geometry = w.isMaximized(), w.geometry()
            w.setGeometry(w.screen().geometry())  # without a window manager full screen is only a hint
            w.showFullScreen()
        elif self._was_maximized:
            w.showMaximized()
        else:
            w.showNormal()
            w.setGeometry(self._geometry)
        w.menuBar().setVisible(not on)  # the toolbar stays: the speaker can still click out
        for widget in self.advanced():
            widget.setVisible(not on)
        self._rows()
        w.controls.setFixedWidth(round(CONTROLS_WIDTH * (1.12 if on else 1.0)))
        style.themes.set_scale(SCALE if on else 1.0)
        w.demo.explainer.place()

    def set_light(self, on: bool) -> None:
        style.themes.set_light(on)

    def advanced(self) -> list:
        """Widgets hidden in presenter mode (whole form rows go with their field)."""
        c = self.window.controls
        names = ("beta", "inner_steps", "meta_batch", "display_steps", "pretrained", "save", "load")
        out = [c.algorithm.parentWidget()]  # the whole "Setup" group: algorithm, family, model, seed, device
        out += [getattr(c, n) for n in names if hasattr(c, n)]
        return out

    def _rows(self) -> None:
        """Form rows hide with their field (labels included)."""
        for widget in self.advanced():
            form = widget.parentWidget().layout() if widget.parentWidget() else None
            if isinstance(form, QFormLayout) and form.indexOf(widget) >= 0:
                form.setRowVisible(widget, not self.on)
