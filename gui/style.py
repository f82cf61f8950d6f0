"""Dark, high-contrast look for projectors: one place for colours, fonts and pens.

Method colours are a colour-blind-safe blue/orange pair and are used everywhere a method
appears (panel titles, adaptation curves, evaluation lines), so "blue = MAML" carries
from one plot to the next.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BG = "#121419"  # window
PANEL = "#1a1d25"  # plot backgrounds and group boxes
GRID = "#3a3f4b"
TEXT = "#e9ebf0"
MUTED = "#9aa1ad"
ACCENT = "#4cc9f0"

METHOD_COLOURS = {"maml": "#4cc9f0", "random": "#ff8c42", "pretrained": "#c77dff", "compare": "#5be38c"}
METHOD_SHORT = {"maml": "MAML", "random": "random init", "pretrained": "pretrained", "compare": "compared"}


def algorithm_label(algorithm: str) -> str:
    from core.algorithms import ALGORITHM_LABELS

    return ALGORITHM_LABELS.get(algorithm, algorithm)


def method_title(method: str, algorithm_label: str = "MAML", compact: bool = False) -> str:
    """Panel titles. 'maml' is whichever meta-learned initialisation is training (Reptile, ...)."""
    if method in ("maml", "compare"):  # 'compare': the second algorithm training beside the first
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
GOOD = "#5be38c"

TITLE_PT = 22  # panel titles: readable from the back row
HEADLINE_PT = 17
BODY_PT = 12
AXIS_PT = 13

@dataclass(frozen=True)
class Theme:
    """One look: every colour the window uses. `use()` makes it current."""

    name: str
    bg: str
    panel: str
    grid: str
    text: str
    muted: str
    accent: str
    methods: dict
    before: str
    true: str
    support: str
    info: str
    error: str
    button: str  # buttons and inputs
    border: str
    select: str
    status: str
    good: str = "#5be38c"  # the status bar's "training"


DARK = Theme("dark", BG, PANEL, GRID, TEXT, MUTED, ACCENT, dict(METHOD_COLOURS), BEFORE, TRUE, SUPPORT, INFO,
             ERROR, "#2a2f3a", "#444b59", "#33507a", "#0d0f13")
# High contrast on white for bright rooms and projectors: dark text, saturated lines.
LIGHT = Theme("light", "#ffffff", "#ffffff", "#b8bcc4", "#111111", "#4a4f59", "#0057b8",
              {"maml": "#0061c2", "random": "#d94400", "pretrained": "#7b2cbf", "compare": "#008a3e"},
              "#8a8f99", "#111111", "#e0a000", "#0057b8", "#c8102e", "#eef0f4", "#7d8591", "#b9d4f5", "#e9ebef", "#007a33")
THEME = DARK
SCALE = 1.0  # presenter mode enlarges every font and line


def use(theme: Theme, scale: float = 1.0) -> None:
    """Make `theme` and `scale` current for everything styled from now on (module globals,
    read at the time each widget styles itself)."""
    global BG, PANEL, GRID, TEXT, MUTED, ACCENT, BEFORE, TRUE, SUPPORT, INFO, ERROR, GOOD, THEME, SCALE
    global TITLE_PT, HEADLINE_PT, BODY_PT, AXIS_PT, STYLESHEET
    THEME, SCALE = theme, scale
    BG, PANEL, GRID, TEXT, MUTED, ACCENT = theme.bg, theme.panel, theme.grid, theme.text, theme.muted, theme.accent
    BEFORE, TRUE, SUPPORT, INFO, ERROR = theme.before, theme.true, theme.support, theme.info, theme.error
    GOOD = theme.good
    METHOD_COLOURS.clear()
    METHOD_COLOURS.update(theme.methods)
    TITLE_PT, HEADLINE_PT, BODY_PT, AXIS_PT = (round(v * scale) for v in _POINTS)
    TITLE_PT = round(_POINTS[0] * (1 + (scale - 1) / 2))  # titles are large already: the readouts need room
    STYLESHEET = stylesheet(theme)


def stylesheet(t: Theme) -> str:
    return f"""
QWidget {{ color: {t.text}; }}
QMainWindow, QWidget#central {{ background: {t.bg}; }}
QGroupBox {{ border: 1px solid {t.grid}; border-radius: 6px; margin-top: 14px; padding: 8px 6px 6px 6px;
            background: {t.panel}; font-weight: bold; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {t.accent}; }}
QPushButton {{ background: {t.button}; border: 1px solid {t.border}; border-radius: 5px; padding: 6px 10px; }}
QPushButton:hover {{ background: {t.select}; }}
QPushButton:focus {{ border: 2px solid {t.accent}; }}
QPushButton#play {{ background: {"#1f6f4a" if t.name == "dark" else "#2e9e5e"}; font-weight: bold;
            color: {"#ffffff" if t.name == "light" else t.text}; }}
QPushButton#play:checked {{ background: #7a4b12; color: #ffffff; }}
QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox {{ background: {t.button}; border: 1px solid {t.border};
            border-radius: 4px; padding: 2px 4px; }}
QComboBox QAbstractItemView {{ background: {t.button}; selection-background-color: {t.select}; }}
QToolTip {{ background: {t.button}; color: {t.text}; border: 1px solid {t.accent}; padding: 4px; }}
QStatusBar {{ background: {t.status}; }}
QStatusBar QLabel {{ font-size: {BODY_PT + 1}pt; padding: 0 8px; }}
QLabel#notice {{ font-size: {BODY_PT + 2}pt; }}
QLabel#headline {{ font-size: {HEADLINE_PT}pt; }}
QMenuBar, QMenu, QToolBar {{ background: {t.status}; color: {t.text}; }}
QMenu::item:selected, QMenuBar::item:selected {{ background: {t.select}; }}
QToolBar QToolButton {{ padding: 3px 8px; }}
QToolBar QToolButton:checked {{ background: {t.select}; border-radius: 4px; }}
QCheckBox::indicator {{ width: 16px; height: 16px; border: 2px solid {t.border}; border-radius: 3px;
            background: {t.button}; }}
QCheckBox::indicator:checked {{ background: {t.accent}; border-color: {t.accent}; }}
"""


_POINTS = (TITLE_PT, HEADLINE_PT, BODY_PT, AXIS_PT)
STYLESHEET = stylesheet(DARK)


def apply(app: QApplication) -> None:
    """Fusion style with a dark palette and the stylesheet; also pyqtgraph's defaults."""
    import pyqtgraph as pg

    app.setStyle("Fusion")
    pal = QPalette()
    t = THEME
    for role, colour in ((QPalette.Window, BG), (QPalette.Base, t.button), (QPalette.AlternateBase, PANEL),
                         (QPalette.Button, t.button), (QPalette.Text, TEXT), (QPalette.WindowText, TEXT),
                         (QPalette.ButtonText, TEXT), (QPalette.Highlight, t.select),
                         (QPalette.ToolTipBase, t.button), (QPalette.ToolTipText, TEXT)):
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
    """Wide strokes for 'before' and the last step only; the fading steps between are 1 px
    hairlines, which Qt antialiases ~15x faster than 2 px lines (12 curves: 0.35 ms against
    5.9 ms): with ~20 curves on screen, wide ones cost the window half its repaint rate."""
    if i == n and n:
        return SCALE * 5.0
    return SCALE * 2.5 if i == 0 else 1.0
