"""The look as an object: a `Theme` (colours, font sizes, line scale), two of them, and the
one `themes` manager whose `changed` signal every widget restyles itself on.

Method colours come from Okabe and Ito's colour-blind-safe set (tests/gui/test_palette.py checks
them under simulated protanopia, deuteranopia and tritanopia) and are used everywhere a method
appears (panel titles, adaptation curves, evaluation lines), so "blue = the meta-learned init"
carries from one plot to the next. Colour is never the only cue: each method also has its own
marker and line style (`MARKS`), shown in titles, legends and the shared plots.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette

from core.words import QT_TR_NOOP
from gui.i18n import tr

# The GUI's method keys. "meta" is whichever meta-learned initialisation is training (MAML,
# Reptile, ...); "compare" the second algorithm training beside it.
METHODS = ("meta", "random", "pretrained", "compare")
METHOD_SHORT = {"meta": "MAML", "random": QT_TR_NOOP("random init"), "pretrained": QT_TR_NOOP("pretrained"),
                "compare": QT_TR_NOOP("compared")}  # shown through tr()


@dataclass(frozen=True)
class Mark:
    """A method's cue besides colour: pyqtgraph symbol, the same shape as text, and a dash style."""

    symbol: str
    glyph: str
    dash: Qt.PenStyle
    bar: str  # the dash style as legend text


MARKS = {"meta": Mark("o", "●", Qt.SolidLine, "━━"), "random": Mark("s", "■", Qt.DashLine, "╺╸╺╸"),
         "pretrained": Mark("t", "▼", Qt.DotLine, "┅┅"), "compare": Mark("d", "◆", Qt.DashDotLine, "╺╸━")}


def algorithm_label(algorithm: str) -> str:
    from core.algorithms import ALGORITHM_LABELS

    return ALGORITHM_LABELS.get(algorithm, algorithm)


def method_title(method: str, algorithm_label: str = "MAML", compact: bool = False) -> str:
    """Panel titles: the meta-learned init (and the compared one) after their algorithm, behind
    the method's marker (the same shape its line carries in the shared plots)."""
    if method in ("meta", "compare"):
        name = (tr("{0} init") if compact else tr("{0} initialisation")).format(algorithm_label)
    elif method == "random":
        name = tr("Random init") if compact else tr("Random initialisation")
    else:
        name = tr("Pretrained") if compact else tr("Pretrained baseline")
    return f"{MARKS[method].glyph} {name}"


@dataclass(frozen=True)
class Theme:
    """One look: every colour the window uses, and the scale presenter mode puts on fonts and
    lines. Widgets read it in their `apply_theme(theme)`."""

    name: str
    bg: str  # window
    panel: str  # plot backgrounds, cards and group boxes
    grid: str
    text: str
    muted: str
    accent: str
    methods: dict  # method key -> colour
    before: str = "#767d8a"  # the prediction before any inner step
    true: str = "#f2f2f2"
    support: str = "#ffd43b"
    info: str = "#8fd3ff"
    error: str = "#ff5c5c"
    warn: str = "#ffb020"
    good: str = "#5be38c"  # the status bar's "training"
    button: str = "#2a2f3a"  # buttons and inputs
    border: str = "#444b59"
    select: str = "#33507a"
    status: str = "#0d0f13"  # status bar, menus and toolbar
    go: str = "#1f6f4a"  # the Play button
    stop: str = "#7a4b12"  # ... while checked (it reads Pause)
    go_text: str = "#ffffff"  # its text on either
    trail: str = "#ffffff"  # the meta-initialisation's training trail on the parameter-space map
    contour: str = "#c8d7f08c"  # its contour lines (#rrggbbaa)
    heat: tuple = ("#06070b", "#17203a", "#34476f", "#7d8cad")  # its colour map, low loss first
    scale: float = 1.0  # presenter mode enlarges every font and line

    # Font sizes in points: titles readable from the back row, grown half as much as the rest
    # in presenter mode (they are large already; the readouts need the room).
    @property
    def title_pt(self) -> int:
        return round(22 * (1 + (self.scale - 1) / 2))

    @property
    def headline_pt(self) -> int:
        return round(17 * self.scale)

    @property
    def body_pt(self) -> int:
        return round(12 * self.scale)

    @property
    def axis_pt(self) -> int:
        return round(13 * self.scale)

    def axis_font(self) -> QFont:
        f = QFont()
        f.setPointSize(self.axis_pt)
        return f

    def step_colour(self, method: str, i: int, n: int) -> QColor:
        """The curve after i of n shown steps: fades from grey (before) to the method colour."""
        t = 0.0 if n <= 0 else i / n
        c = blend(self.before, self.methods[method], 0.35 + 0.65 * t if i else 0.0)
        c.setAlpha(255 if i in (0, n) else round(120 + 100 * t))
        return c

    def step_width(self, i: int, n: int) -> float:
        """Wide strokes for 'before' and the last step only; the fading steps between are 1 px
        hairlines, which Qt antialiases ~15x faster than 2 px lines (12 curves: 0.35 ms against
        5.9 ms): with ~20 curves on screen, wide ones cost the window half its repaint rate."""
        if i == n and n:
            return self.scale * 5.0
        return self.scale * 2.5 if i == 0 else 1.0

    def palette(self) -> QPalette:
        """Every colour the window's widgets paint with: Fusion's roles, and the ones `gui.look`
        reads (Accent, Mid, Dark, Shadow: see there). A switch is a `setPalette`, never a restyle."""
        pal = QPalette()
        for role, colour in ((QPalette.Window, self.bg), (QPalette.Base, self.button),
                             (QPalette.AlternateBase, self.panel), (QPalette.Button, self.button),
                             (QPalette.Text, self.text), (QPalette.WindowText, self.text),
                             (QPalette.ButtonText, self.text), (QPalette.Highlight, self.select),
                             (QPalette.HighlightedText, self.text), (QPalette.PlaceholderText, self.muted),
                             (QPalette.ToolTipBase, self.button), (QPalette.ToolTipText, self.text),
                             (QPalette.Accent, self.accent), (QPalette.Mid, self.border),
                             (QPalette.Dark, self.grid), (QPalette.Shadow, self.status)):
            pal.setColor(role, QColor(colour))
        return pal

    def bar_palette(self) -> QPalette:
        """The menu bar's and toolbar's own Window colour (over the window's palette)."""
        pal = QPalette()
        pal.setColor(QPalette.Window, QColor(self.status))
        return pal

    def play_palette(self) -> QPalette:
        """The Play button's own roles (over the window's): green to start, orange while it pauses."""
        pal = QPalette()
        for role, colour in ((QPalette.Button, self.go), (QPalette.Highlight, self.stop),
                             (QPalette.ButtonText, self.go_text)):
            pal.setColor(role, QColor(colour))
        return pal


# Okabe-Ito: sky blue, orange, reddish purple, bluish green on the dark panels; the greys that
# fade into them are darker (dark) or lighter (light) than the purple, so the pretrained panel's
# "before" and "after" stay apart for red-green viewers too.
DARK = Theme("dark", "#121419", "#1a1d25", "#3a3f4b", "#e9ebf0", "#9aa1ad", "#56b4e9",
             {"meta": "#56b4e9", "random": "#e69f00", "pretrained": "#cc79a7", "compare": "#009e73"},
             before="#5f6673", support="#f0e442", info="#56b4e9", warn="#e69f00", good="#3fc28f")
# High contrast on white for bright rooms and projectors: dark text; Okabe-Ito's blue and
# vermillion, which hold their own on white, for the two main methods.
LIGHT = Theme("light", "#ffffff", "#ffffff", "#b8bcc4", "#111111", "#4a4f59", "#0057b8",
              {"meta": "#0072b2", "random": "#d55e00", "pretrained": "#cc79a7", "compare": "#009e73"},
              before="#6b7079", true="#111111", support="#e69f00", info="#0057b8", error="#c8102e",
              warn="#a34f00", good="#007a33", button="#eef0f4", border="#7d8591", select="#b9d4f5",
              status="#e9ebef", go="#2e9e5e", trail="#111111", contour="#2a334d8c",
              heat=("#fbfcfe", "#dfe6f1", "#b2c0d6", "#7f90ad"))


class ThemeManager(QObject):
    """Holds the current theme; `changed(theme)` after each switch. The app has one (`themes`):
    like the application palette, the look is the whole app's."""

    changed = Signal(object)

    def __init__(self, theme: Theme = DARK):
        super().__init__()
        self.current = theme

    def set(self, theme: Theme) -> None:
        if theme != self.current:
            self.current = theme
            self.changed.emit(theme)

    def set_light(self, on: bool) -> None:
        self.set(replace(LIGHT if on else DARK, scale=self.current.scale))

    def set_scale(self, scale: float) -> None:
        self.set(replace(self.current, scale=scale))

    def follow(self, apply_theme) -> None:
        """Call `apply_theme(theme)` now and after every switch (a widget's own method)."""
        self.changed.connect(apply_theme)
        apply_theme(self.current)


themes = ThemeManager()


class WhenShown:
    """Mixin for a widget: `apply_theme(theme)` now and on every switch, but while hidden (the
    pretrained or compared panel, Alpha MAML's strip: most of the time) only when next shown,
    so a switch costs what is on screen."""

    _pending = None  # a theme seen while hidden
    _themed = False  # styled once (a widget is styled at creation, shown or not)

    def follow_theme(self) -> None:
        themes.follow(self._theme_changed)

    def _theme_changed(self, t: Theme) -> None:
        if self.isHidden() and self._themed:
            self._pending = t
        else:
            self._pending, self._themed = None, True
            self.apply_theme(t)

    def showEvent(self, event) -> None:
        if self._pending is not None:
            t, self._pending = self._pending, None
            self.apply_theme(t)
        super().showEvent(event)


_look = None


def apply(app) -> None:
    """The app's style once (`gui.look`: Fusion, with the controls painted from the palette);
    the application palette (the window's background and text, menus, dialogs, tooltips), font
    and pyqtgraph's defaults follow the theme. No stylesheet anywhere a switch reaches: setting
    one re-polishes the widget's subtree (the controls panel alone: 30-50 ms)."""
    import pyqtgraph as pg

    from gui.look import Look

    def follow(t: Theme) -> None:
        app.setPalette(t.palette())  # tooltips and dialogs outside the window
        font = app.font()
        if font.pointSize() != t.body_pt:
            font.setPointSize(t.body_pt)
            app.setFont(font)
        pg.setConfigOptions(antialias=True, background=t.panel, foreground=t.text)

    if app.property("maml-themed"):  # once per application: a second window shares it
        return
    app.setProperty("maml-themed", True)
    global _look
    _look = Look()  # kept: the application holds it by pointer
    app.setStyle(_look)
    themes.follow(follow)


def blend(c0: str, c1: str, t: float) -> QColor:
    """Linear mix of two colours, t in [0, 1]."""
    a, b = QColor(c0), QColor(c1)
    return QColor(round(a.red() + (b.red() - a.red()) * t), round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def recolour(colour: str, t: Theme) -> str:
    """The colour playing, in theme `t`, the role `colour` plays in either theme (a notice's
    error red, say); other colours as they are."""
    for role in ("error", "info", "warn", "good", "muted", "text", "accent"):
        if colour.lower() in (getattr(DARK, role), getattr(LIGHT, role)):
            return getattr(t, role)
    return colour


_FRAME_NAMES = {"ERROR": "error", "INFO": "info", "GOOD": "good", "MUTED": "muted", "BG": "bg"}


def __getattr__(name: str):
    """`style.ERROR` and friends, read-only, for MainWindow's frame code (being rewritten by
    the lead): the current theme's colour at the time it is read."""
    if name in _FRAME_NAMES:
        return getattr(themes.current, _FRAME_NAMES[name])
    raise AttributeError(f"module 'gui.style' has no attribute {name!r}")
