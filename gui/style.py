"""Dark, high-contrast look for projectors: one place for colours, fonts and pens.

Method colours are a colour-blind-safe blue/orange pair and are used everywhere a method
appears (panel titles, adaptation curves, evaluation lines), so "blue = MAML" carries
from one plot to the next.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BG = "#121419"  # window
PANEL = "#1a1d25"  # plot backgrounds and group boxes
GRID = "#3a3f4b"
TEXT = "#e9ebf0"
MUTED = "#9aa1ad"
ACCENT = "#4cc9f0"

METHOD_COLOURS = {"maml": "#4cc9f0", "random": "#ff8c42", "pretrained": "#c77dff"}
METHOD_SHORT = {"maml": "MAML", "random": "random init", "pretrained": "pretrained"}


def algorithm_label(algorithm: str) -> str:
    from core.algorithms import ALGORITHM_LABELS

    return ALGORITHM_LABELS.get(algorithm, algorithm)


def method_title(method: str, algorithm_label: str = "MAML", compact: bool = False) -> str:
    """Panel titles. 'maml' is whichever meta-learned initialisation is training (Reptile, ...)."""
    if method == "maml":
        return f"{algorithm_label} init" if compact else f"{algorithm_label} initialisation"
    if method == "random":
        return "Random init" if compact else "Random initialisation"
    return "Pretrained" if compact else "Pretrained baseline"
BEFORE = "#767d8a"  # the prediction before any inner step
TRUE = "#f2f2f2"
SUPPORT = "#ffd43b"
WARN = "#ffb020"
ERROR = "#ff5c5c"
INFO = "#8fd3ff"

TITLE_PT = 22  # panel titles: readable from the back row
HEADLINE_PT = 17
BODY_PT = 12
AXIS_PT = 13

STYLESHEET = f"""
QWidget {{ color: {TEXT}; }}
QMainWindow, QWidget#central {{ background: {BG}; }}
QGroupBox {{ border: 1px solid {GRID}; border-radius: 6px; margin-top: 14px; padding: 8px 6px 6px 6px;
            background: {PANEL}; font-weight: bold; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {ACCENT}; }}
QPushButton {{ background: #2a2f3a; border: 1px solid #444b59; border-radius: 5px; padding: 6px 10px; }}
QPushButton:hover {{ background: #343a48; }}
QPushButton:focus {{ border: 2px solid {ACCENT}; }}
QPushButton#play {{ background: #1f6f4a; font-weight: bold; }}
QPushButton#play:checked {{ background: #7a4b12; }}
QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox {{ background: #242833; border: 1px solid #444b59;
            border-radius: 4px; padding: 2px 4px; }}
QComboBox QAbstractItemView {{ background: #242833; selection-background-color: #33507a; }}
QToolTip {{ background: #242833; color: {TEXT}; border: 1px solid {ACCENT}; padding: 4px; }}
QStatusBar {{ background: #0d0f13; }}
QStatusBar QLabel {{ font-size: {BODY_PT + 1}pt; padding: 0 8px; }}
QLabel#notice {{ font-size: {BODY_PT + 2}pt; }}
QLabel#headline {{ font-size: {HEADLINE_PT}pt; }}
QCheckBox::indicator {{ width: 16px; height: 16px; border: 2px solid #7a8394; border-radius: 3px;
            background: #242833; }}
QCheckBox::indicator:checked {{ background: {ACCENT}; border-color: {ACCENT}; }}
"""


def apply(app: QApplication) -> None:
    """Fusion style with a dark palette and the stylesheet; also pyqtgraph's defaults."""
    import pyqtgraph as pg

    app.setStyle("Fusion")
    pal = QPalette()
    for role, colour in ((QPalette.Window, BG), (QPalette.Base, "#242833"), (QPalette.AlternateBase, PANEL),
                         (QPalette.Button, "#2a2f3a"), (QPalette.Text, TEXT), (QPalette.WindowText, TEXT),
                         (QPalette.ButtonText, TEXT), (QPalette.Highlight, "#33507a"),
                         (QPalette.ToolTipBase, "#242833"), (QPalette.ToolTipText, TEXT)):
        pal.setColor(role, QColor(colour))
    app.setPalette(pal)
    font = app.font()
    font.setPointSize(BODY_PT)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
    pg.setConfigOptions(antialias=True, background=PANEL, foreground=TEXT)


def axis_font() -> QFont:
    f = QFont()
    f.setPointSize(AXIS_PT)
    return f


def blend(c0: str, c1: str, t: float) -> QColor:
    """Linear mix of two colours, t in [0, 1]."""
    a, b = QColor(c0), QColor(c1)
    return QColor(round(a.red() + (b.red() - a.red()) * t), round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def step_colour(method: str, i: int, n: int) -> QColor:
    """Colour of the curve after i of n shown steps: fades from grey (before) to the method colour."""
    t = 0.0 if n <= 0 else i / n
    c = blend(BEFORE, METHOD_COLOURS[method], 0.35 + 0.65 * t if i else 0.0)
    c.setAlpha(255 if i in (0, n) else round(120 + 100 * t))
    return c


def step_width(i: int, n: int) -> float:
    return 5.0 if i == n and n else (2.5 if i == 0 else 2.0)
