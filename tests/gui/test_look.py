"""gui.look: a theme or text-size switch sets no stylesheet anywhere (the re-polish it costs is
what the proxy style removes), and the controls it paints show the new theme's colours, read
back from painted pixels."""
import pytest
from PySide6.QtWidgets import QLineEdit, QStyle, QStyleOptionButton, QToolBar, QWidget

from gui import style
from tests.gui.pixels import both_ways, colour_at, count, image

pytestmark = pytest.mark.usefixtures("dark_again")  # tests/gui/conftest.py


def test_no_switch_sets_a_stylesheet(open_window, monkeypatch):
    w = open_window()
    w.show_notice("a notice", style.themes.current.info, sticky=True)
    w.demo.explain.trigger()  # captions and pseudo-code too
    calls = []
    real = QWidget.setStyleSheet

    def spy(widget, sheet):
        calls.append((type(widget).__name__, widget.objectName()))
        real(widget, sheet)

    monkeypatch.setattr(QWidget, "setStyleSheet", spy)
    w.demo.light.trigger()
    w.demo.light.trigger()
    style.themes.set_scale(1.5)  # presenter mode's fonts, and back
    style.themes.set_scale(1.0)
    assert style.themes.current == style.DARK
    w.demo.explain.trigger()
    assert calls == []


def _value_box(slider) -> QLineEdit:
    """superqt's value box beside a slider (it ships with a stylesheet of its own, removed)."""
    (box,) = [b for b in slider.findChildren(QLineEdit)]
    return box


def _painted(w, t: style.Theme, other: style.Theme) -> None:
    c = w.controls
    play = c.play
    assert colour_at(play, 6, play.height() // 2) == (t.stop if play.isChecked() else t.go)
    assert colour_at(play, 6, play.height() // 2) not in (other.go, other.stop) or t.stop == other.stop
    clear = w.task_tools.clear  # a button under the form, no stylesheet of its own any more
    assert colour_at(clear, 4, clear.height() // 2) == t.button
    assert colour_at(clear, 0, clear.height() // 2) in (t.border, t.accent)  # its 1 px border (or focus ring)
    entry = c.alpha.entry  # an input's border
    assert count(image(entry), t.border) > 0 and count(image(entry), other.border) == 0
    box = c.step.parentWidget()  # a group box: its frame, its fill, its accent title
    picture = image(box)
    assert count(picture, t.grid) > 0 and count(picture, other.grid) == 0
    assert count(picture.copy(0, 0, picture.width(), box.fontMetrics().height()), t.accent) > 0
    assert count(picture, other.accent) == 0
    value = _value_box(c.inner_steps)  # a slider's value, in the text colour on what is behind it
    text = image(value)
    assert count(text, t.text) > 0 and count(text, other.text) == 0
    check = c.pretrained  # the check box's indicator: its border unchecked, accent checked
    opt = QStyleOptionButton()
    opt.initFrom(check)
    r = check.style().subElementRect(QStyle.SE_CheckBoxIndicator, opt, check)
    colour = colour_at(check, r.left() + 1, r.center().y())
    assert colour == (t.accent if check.isChecked() else t.border)
    bar = w.findChild(QToolBar)
    assert colour_at(bar, bar.width() - 2, bar.height() // 2) == t.status
    assert colour_at(w.statusBar(), w.statusBar().width() // 2, 2) == t.status


def test_the_controls_paint_each_theme_s_colours_both_ways(open_window):
    w = open_window()
    both_ways(w, _painted)


def test_fonts_follow_the_window_without_stylesheets(open_window):
    w = open_window()
    style.themes.set_scale(1.5)
    t = style.themes.current
    c = w.controls
    for widget in (c.play, _value_box(c.inner_steps), c.seed, w.task_tools.clear, w.menuBar()):
        assert widget.font().pointSize() == t.body_pt
    assert c.play.font().bold()  # its own weight kept over the window's size
    assert w.status["iteration"].font().pointSize() == t.body_pt + 1
