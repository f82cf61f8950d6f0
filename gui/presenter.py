"""Presenter mode and the light theme: readable from the back of a room.

Presenter mode (F11) goes full screen, hides the advanced controls (like TensorFlow
Playground's classroom mode: Play, Step, Reset, New task, alpha and K stay) and sets the
theme's scale, which enlarges every font and line. The light theme is the other
`style.Theme`. Both only switch the current theme: every widget restyles itself on
`style.themes.changed`; nothing is rebuilt and training carries on.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFormLayout

from gui import style

SCALE = 1.35  # fonts and line widths in presenter mode
SIDEBAR_SCALE = 1.12  # the controls column grows less than its fonts: the plots need the width
FULL_HD = 1080  # screen height (logical pixels) that gets presenter mode's full SCALE
SMALL_SCREEN = 0.82  # the least share of it a small screen gets
TEXT_STEP = 1.1  # one Ctrl+= step
TEXT_STEPS = (-3, 6)  # the smallest and largest number of steps from normal


class Presenter:
    def __init__(self, window):
        self.window = window
        self.on = False
        self._was_maximized = False
        self.text_steps = 0  # Ctrl+= / Ctrl+- steps from normal

    def set_on(self, on: bool) -> None:
        on = bool(on)
        if on == self.on:
            return
        self.on, w = on, self.window
        self.paint_once()
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
        w.sidebar_scale = SIDEBAR_SCALE if on else 1.0
        self._scale()
        w.fit_layout()
        w.demo.explainer.place()

    def text_size(self, step: int) -> None:
        """Ctrl+= / Ctrl+- one step larger or smaller, Ctrl+0 (step 0) back to normal: the fonts
        (and lines) for the back of the room, on top of presenter mode's own scale."""
        self.text_steps = 0 if step == 0 else min(max(self.text_steps + step, TEXT_STEPS[0]), TEXT_STEPS[1])
        self.paint_once()
        self._scale()

    def _scale(self) -> None:
        style.themes.set_scale(round((self.presenter_scale() if self.on else 1.0) * TEXT_STEP ** self.text_steps, 3))

    def presenter_scale(self) -> float:
        """SCALE on a full-HD screen, less on a smaller one (a 1024x768 projector enlarges its
        pixels already): the plots keep their room. Ctrl+= enlarges further."""
        height = self.window.screen().geometry().height()
        return SCALE * min(max(height / FULL_HD, SMALL_SCREEN), 1.0)

    def set_light(self, on: bool) -> None:
        style.themes.set_light(on)  # (no paint_once: a theme switch changes no size, one turn paints it)

    def paint_once(self) -> None:
        """The window's content without updates until the event loop has run what a new text
        size queues (each FitLabel's refit, the window's text fit, the relayouts they ask for),
        then one repaint: new fonts settle over two turns, and each turn drew every plot's axes
        again (24 axis drawings a text-size step, 5 with this). The central widget, not the
        window: a top-level window re-enabled this way was not repainted at all (offscreen)."""
        w = self.window.centralWidget()
        if w.updatesEnabled():
            w.setUpdatesEnabled(False)
            QTimer.singleShot(0, w, lambda: QTimer.singleShot(0, w, self._thaw))

    def _thaw(self) -> None:
        self.window.centralWidget().setUpdatesEnabled(True)  # (and a repaint of all it holds)

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
