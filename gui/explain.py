"""Explain mode: one caption per panel and the algorithm's pseudo-code, its current phase
highlighted while training runs.

A real meta-iteration's phases last microseconds, so the highlight steps through them at
a readable pace (every `PHASE_MS`) while training runs, and rests when paused.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QDockWidget, QLabel

from core.words import QT_TR_NOOP
from gui import style
from gui.i18n import tr
from gui.widgets import CaptionLabel, paint_box

PHASE_MS = 700
DOCK_FROM_WIDTH = 1400  # a narrower window shows the pseudo-code under the controls: the plots keep the width
# A caption's most lines, below and on the init panels (the rest is in its tooltip): the plots keep their height.
CAPTION_LINES = (1, 2)
CAPTIONS = {
    "meta": QT_TR_NOOP("The same new task, fitted from {alg}'s learned starting point: grey before, then after "
                       "each inner step. As meta-training runs, one step already lands close."),
    "random": QT_TR_NOOP("The same task and the same points, fitted from a random starting point with the same "
                         "steps: it barely moves. This is what meta-learning buys."),
    "pretrained": QT_TR_NOOP("One network trained on all tasks at once, then fine-tuned the same way: it learned "
                             "the average task, not how to adapt."),
    "compare": QT_TR_NOOP("A second algorithm, meta-trained beside the first on the same batches of tasks."),
    "loss": QT_TR_NOOP("The meta-loss: error on each task's query points after adapting, averaged over the batch. "
                       "Falling means the starting point adapts better."),
    "eval": QT_TR_NOOP("The paper's Figure 3: error on held-out tasks after 0, 1, ... inner steps, mean and 95% "
                       "band."),
}
# (phase, indent, line); phase None: a line that is never highlighted; indent in steps of two spaces
CODE = ((None, 0, QT_TR_NOOP("<b>Algorithm 1</b> (Finn et al. 2017)")),
        (None, 0, QT_TR_NOOP("θ ← a random initialisation")),
        (None, 0, QT_TR_NOOP("<b>while</b> training:")),
        ("sample", 1, QT_TR_NOOP("sample a batch of tasks T<sub>i</sub>")),
        (None, 1, QT_TR_NOOP("<b>for each</b> T<sub>i</sub>:")),
        ("adapt", 2, QT_TR_NOOP("θ'<sub>i</sub> = θ − α∇L<sub>Ti</sub>(θ) on K support points")),
        ("query", 2, QT_TR_NOOP("loss<sub>i</sub> = L<sub>Ti</sub>(θ'<sub>i</sub>) on query points")),
        ("update", 1, QT_TR_NOOP("θ ← θ − β∇<sub>θ</sub> Σ<sub>i</sub> loss<sub>i</sub>&nbsp;&nbsp;(meta-update)")))
PHASES = ("sample", "adapt", "query", "update")
SAYS = {"sample": QT_TR_NOOP("Draw a batch of new tasks (sine waves) to practise on."),
        "adapt": QT_TR_NOOP("Fit each task from θ with a few gradient steps on its K points: fast adaptation."),
        "query": QT_TR_NOOP("Score each adapted model on fresh points of its own task."),
        "update": QT_TR_NOOP("Move θ so that this quick adaptation works better next time.")}


class Explainer(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.on = False
        self.phase = 0
        self.captions: dict[str, QLabel] = {}
        self.code = _code_label()  # in a dock on the right: the plots narrow, the controls keep their room
        self.dock = QDockWidget(tr("How MAML learns"), window)
        self.dock.setObjectName("explain-dock")
        self.dock.setFeatures(QDockWidget.NoDockWidgetFeatures)
        self.dock.setWidget(self.code)
        window.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.hide()
        # In presenter mode the advanced controls are hidden: the code fills their place instead,
        # and the plots keep the full width.
        self.side = _code_label()
        lay = window.controls.layout()
        lay.insertWidget(lay.count() - 1, self.side)
        self.side.hide()
        self.timer = QTimer(self)
        self.timer.setInterval(PHASE_MS)
        self.timer.timeout.connect(self.advance)
        style.themes.changed.connect(self.refresh)

    def cards(self) -> dict:
        w = self.window
        return {**w.panels, "loss": w.loss, "eval": w.eval}

    @Slot(bool)
    def set_on(self, on: bool) -> None:
        self.on = bool(on)
        for name, card in self.cards().items():
            label = self.captions.get(name)
            if label is None and self.on and name in CAPTIONS:
                label = self.captions[name] = CaptionLabel(CAPTION_LINES[name in self.window.panels])
                label.setObjectName("caption")
                card.body.insertWidget(1, label)
            if label is not None:
                label.setVisible(self.on)
        self.refresh()
        self.place()
        if self.on:
            self.timer.start()
        else:
            self.timer.stop()

    def fit_captions(self) -> None:
        """On a short window the training row's captions give way (their text stays in the
        tooltip of the card's title) so that its readouts, legends and plots keep their room."""
        if not self.on:
            return
        cards = self.cards()
        for name in ("loss", "eval"):
            label, card = self.captions.get(name), cards[name]
            if label is None:
                continue
            need, room = _needed_height(card.layout(), card.width()), card.height()
            if label.isVisible() and need > room:
                label.hide()
            elif label.isHidden() and need + label.height() + card.layout().spacing() <= room:
                label.show()
            card.title.setToolTip("" if label.isVisible() else label.full)

    def place(self) -> None:
        """The dock on a wide window; else (and in presenter mode) under the controls, unless they are collapsed."""
        w = self.window
        presenting = w.demo.presenter.on if hasattr(w, "demo") else False
        beside = (presenting or w.width() < DOCK_FROM_WIDTH) and not w.sidebar.isHidden()
        self.dock.setVisible(self.on and not beside)
        self.side.setVisible(self.on and beside)

    def shown(self) -> QLabel:
        return self.side if self.side.isVisible() else self.code

    @Slot()
    def refresh(self, *_) -> None:
        """Caption texts and colours (the algorithm's name and the theme may have changed)."""
        if not self.on:  # hidden: restyled when shown (set_on refreshes)
            return
        snap = self.window.snapshot
        alg = style.algorithm_label(snap.algorithm) if snap else "MAML"
        for name, label in self.captions.items():  # colours from the window's palette (CaptionLabel)
            label.set_full_text(tr(CAPTIONS[name]).format(alg=alg))
        self._draw_code()

    def training(self) -> bool:
        snap = self.window.snapshot
        return snap is not None and snap.state == "training"

    @Slot()
    def advance(self) -> None:
        if self.training():
            self.phase = (self.phase + 1) % len(PHASES)
        self._draw_code()

    def current(self) -> str | None:
        return PHASES[self.phase] if self.training() else None

    def _draw_code(self) -> None:
        t = style.themes.current
        now = self.current()
        lines = []
        for phase, indent, text in CODE:
            text = "&nbsp;" * (2 * indent) + tr(text)
            if phase is not None and phase == now:
                text = f"<span style='color:{t.accent}'>▶ <b>{text}</b></span>"
            lines.append(text)
        state = (tr("(paused: press Play to watch the phases)") if now is None
                 else f"<span style='color:{t.text}; font-family:sans-serif'>{tr(SAYS[now])}</span>")
        html = (f"<div style='font-family:monospace; font-size:{t.body_pt}pt'>" + "<br>".join(lines)
                + f"<br><br><span style='color:{t.muted}'>{state}</span></div>")
        for label in (self.code, self.side):
            if label.text() != html:
                label.setText(html)


def _needed_height(layout, width: int) -> int:
    """The least height a vertical layout's shown items need at this width (wrapped labels
    their wrapped height), with its spacing and margins."""
    margins = layout.contentsMargins()
    inner = width - margins.left() - margins.right()
    heights = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.isEmpty():  # a hidden widget
            continue
        heights.append(item.heightForWidth(inner) if item.hasHeightForWidth() else item.minimumSize().height())
    return sum(heights) + layout.spacing() * max(len(heights) - 1, 0) + margins.top() + margins.bottom()


class CodeLabel(QLabel):
    """The pseudo-code on the panel colour in a rounded frame, from the window's palette
    (AlternateBase, Dark: see gui.look); the margins are the label's own: its text wraps inside them."""

    def paintEvent(self, event) -> None:
        pal = self.palette()
        paint_box(self, pal.color(QPalette.AlternateBase), pal.color(QPalette.Dark), 6.0)
        super().paintEvent(event)


def _code_label() -> QLabel:
    label = CodeLabel()
    label.setObjectName("pseudocode")
    label.setTextFormat(Qt.RichText)
    label.setWordWrap(True)
    label.setContentsMargins(10, 8, 10, 8)
    label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
    label.setToolTip(tr("Real phases last microseconds: while training runs, the highlight steps "
                        "through them every {0:g} s so you can follow along.").format(PHASE_MS / 1000))
    return label
