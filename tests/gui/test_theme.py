"""Theme and presenter switches on the real window: every widget takes the new theme, seen
through what it shows (pixels, pens, fonts, texts), and nothing keeps the old one's colours."""
import re
from dataclasses import astuple

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from gui import style

pytestmark = pytest.mark.usefixtures("dark_again")  # tests/gui/conftest.py


ROLES = [r for r in QPalette.ColorRole if r != QPalette.NColorRoles]


def _hexes(text: str) -> set[str]:
    return set(re.findall(r"#[0-9a-f]{6}\b", text.lower()))


def pixel(widget: QWidget, x: int, y: int) -> str:
    return QColor(widget.grab().toImage().pixel(x, y)).name()


def colours(t: style.Theme) -> set[str]:
    fields = {v for v in astuple(t) if isinstance(v, str) and v.startswith("#")}
    painted = {pal.color(r).name() for pal in (t.palette(), t.play_palette()) for r in ROLES if pal.isBrushSet(
        QPalette.Active, r)}  # the colours the widgets paint with
    return {c.lower() for c in fields | set(t.methods.values()) | painted}


def only_in(a: style.Theme, b: style.Theme) -> set[str]:
    """Colours theme a uses and theme b does not."""
    return colours(a) - colours(b)


def texts(w) -> str:
    """Every stylesheet, label text and palette colour set on a widget in the window: where a
    colour could be left behind."""
    parts = [x.styleSheet() for x in w.findChildren(QWidget)] + [x.text() for x in w.findChildren(QLabel)]
    for x in [w, *w.findChildren(QWidget)]:
        if x.isVisible():
            pal = x.palette()
            parts.append(" ".join(pal.color(r).name() for r in ROLES if pal.isBrushSet(QPalette.Active, r)))
    return "\n".join([w.styleSheet(), *parts]).lower()


def assert_took(w, t: style.Theme) -> None:
    meta = w.panels["meta"]
    assert pixel(w.centralWidget(), 2, 2) == t.bg  # the window's background
    assert pixel(meta, 3, meta.height() // 2) == t.panel  # the card around the plot
    for plot in (meta.plot, w.loss.plot, w.eval.plot):
        assert plot.backgroundBrush().color().name() == t.panel
        assert plot.getPlotItem().getAxis("left").textPen().color().name() == t.text
    assert meta.pens()[-1].color().name() == t.methods["meta"]  # the last step, in the method colour
    assert w.panels["random"].pens()[-1].color().name() == t.methods["random"]
    assert w.eval.lines["meta"].opts["pen"].color().name() == t.methods["meta"]
    assert w.loss.smooth.opts["pen"].color().name() == t.accent
    assert meta.title.palette().color(QPalette.WindowText).name() == t.methods["meta"]
    assert w.loss.title.palette().color(QPalette.WindowText).name() == t.text
    assert meta.title.font().pointSize() == meta.title_pt() and t.title_pt - meta.title_pt() in (0, 3)  # 3: compact


def test_the_light_theme_reaches_every_widget_and_back(open_window):
    w = open_window()
    w.show_notice("an error", style.themes.current.error)
    w.demo.explain.trigger()  # captions and pseudo-code too
    assert_took(w, style.DARK)
    w.demo.light.trigger()
    assert_took(w, style.LIGHT)
    left = only_in(style.DARK, style.LIGHT) & _hexes(texts(w))
    assert not left, f"dark colours left in the light theme: {sorted(left)}"
    assert w.notice.label.palette().color(QPalette.WindowText).name() == style.LIGHT.error  # its role, new colour
    w.demo.light.trigger()
    assert_took(w, style.DARK)
    left = only_in(style.LIGHT, style.DARK) & _hexes(texts(w))
    assert not left, f"light colours left in the dark theme: {sorted(left)}"


def test_presenter_mode_scales_fonts_and_lines_in_either_theme(open_window):
    w = open_window()
    width = w.panels["meta"].pens()[-1].widthF()
    body = w.font().pointSize()
    w.demo.light.trigger()
    w.demo.present.trigger()
    t = style.themes.current
    assert t.name == "light" and t.scale > 1
    assert_took(w, t)
    assert w.panels["meta"].pens()[-1].widthF() == pytest.approx(width * t.scale)
    for widget in (w, w.controls.play, w.controls.alpha.entry, w.demo.toolbar.widgetForAction(w.demo.light)):
        assert widget.font().pointSize() == t.body_pt > body
    assert w.loss.plot.getPlotItem().getAxis("bottom").label.font().pointSize() == t.axis_pt
    w.demo.present.trigger()
    w.demo.light.trigger()
    assert style.themes.current == style.DARK
    assert_took(w, style.DARK)
    assert w.font().pointSize() == w.controls.play.font().pointSize() == body


