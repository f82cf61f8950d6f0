"""gui.look: a theme or text-size switch sets no stylesheet anywhere (the re-polish it costs is
what the proxy style removes), and the controls it paints show the new theme's colours, read
back from painted pixels."""
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLineEdit, QStyle, QStyleOptionButton, QToolBar, QWidget

from gui import style


@pytest.fixture(autouse=True)
def dark_again():
    yield  # the app has one theme: leave it as found
    style.themes.set(style.DARK)


def _image(widget: QWidget) -> QImage:
    return widget.grab().toImage()


def _at(widget: QWidget, x: int, y: int) -> str:
    return QColor(_image(widget).pixel(x, y)).name()


def _count(image: QImage, colour: str) -> int:
    want = QColor(colour).rgb()
    return sum(image.pixel(x, y) == want for y in range(image.height()) for x in range(image.width()))


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
    assert _at(play, 6, play.height() // 2) == (t.stop if play.isChecked() else t.go)
    assert _at(play, 6, play.height() // 2) not in (other.go, other.stop) or t.stop == other.stop
    clear = w.task_tools.clear  # a button under the form, no stylesheet of its own any more
    assert _at(clear, 4, clear.height() // 2) == t.button
    assert _at(clear, 0, clear.height() // 2) in (t.border, t.accent)  # its 1 px border (or focus ring)
    entry = c.alpha.entry  # an input's border
    assert _count(_image(entry), t.border) > 0 and _count(_image(entry), other.border) == 0
    box = c.step.parentWidget()  # a group box: its frame, its fill, its accent title
    image = _image(box)
    assert _count(image, t.grid) > 0 and _count(image, other.grid) == 0
    assert _count(image.copy(0, 0, image.width(), box.fontMetrics().height()), t.accent) > 0
    assert _count(image, other.accent) == 0
    value = _value_box(c.inner_steps)  # a slider's value, in the text colour on what is behind it
    text = _image(value)
    assert _count(text, t.text) > 0 and _count(text, other.text) == 0
    check = c.pretrained  # the check box's indicator: its border unchecked, accent checked
    opt = QStyleOptionButton()
    opt.initFrom(check)
    r = check.style().subElementRect(QStyle.SE_CheckBoxIndicator, opt, check)
    colour = _at(check, r.left() + 1, r.center().y())
    assert colour == (t.accent if check.isChecked() else t.border)
    bar = w.findChild(QToolBar)
    assert _at(bar, bar.width() - 2, bar.height() // 2) == t.status
    assert _at(w.statusBar(), w.statusBar().width() // 2, 2) == t.status


def test_the_controls_paint_each_theme_s_colours_both_ways(open_window):
    w = open_window()
    _painted(w, style.DARK, style.LIGHT)
    w.demo.light.trigger()
    _painted(w, style.LIGHT, style.DARK)
    w.demo.light.trigger()
    _painted(w, style.DARK, style.LIGHT)


def test_fonts_follow_the_window_without_stylesheets(open_window):
    w = open_window()
    style.themes.set_scale(1.5)
    t = style.themes.current
    c = w.controls
    for widget in (c.play, _value_box(c.inner_steps), c.seed, w.task_tools.clear, w.menuBar()):
        assert widget.font().pointSize() == t.body_pt
    assert c.play.font().bold()  # its own weight kept over the window's size
    assert w.status["iteration"].font().pointSize() == t.body_pt + 1
