"""A theme switch changes the colours the widgets paint with, both ways: read back from painted
pixels (a button's fill, a group box, a number box, a label's text, a notice, a plot's
background, the status and menu bars, an axis's text), so a move from stylesheets to palettes,
or any cheaper restyle (axes tinted in place, curves keeping their paths), cannot silently drop
a colour."""
import pytest
from PySide6.QtWidgets import QLabel

from gui import style
from tests.gui.pixels import both_ways, colour_at, count, image

pytestmark = pytest.mark.usefixtures("dark_again")  # tests/gui/conftest.py


def _painted(w, t: style.Theme, other: style.Theme) -> None:
    c = w.controls
    box = c.step.parentWidget()
    assert colour_at(c.step, 4, c.step.height() // 2) == t.button  # inside its 1 px border
    assert colour_at(box, box.width() // 2, box.height() - 4) == t.panel  # below its last row, inside the frame
    assert colour_at(c.seed, 2, c.seed.height() // 2) == t.button
    assert colour_at(w.statusBar(), 2, 2) == t.status
    assert colour_at(w.menuBar(), w.menuBar().width() - 2, w.menuBar().height() // 2) == t.status
    axis = w.panels["meta"].plot.getAxis("left")
    rect = axis.mapRectToScene(axis.boundingRect()).toAlignedRect()
    left = image(w.panels["meta"].plot.viewport()).copy(rect.x(), rect.y(), 40, rect.height())  # the tick labels
    assert count(left, t.text) > 0 and count(left, other.text) == 0
    entry = c.alpha.entry  # a number box of its own kind (not a spin box)
    assert colour_at(entry, 2, entry.height() // 2) == t.button
    label = c.alpha.parentWidget().layout().labelForField(c.alpha)  # "Inner lr α", a form label
    assert isinstance(label, QLabel)
    assert count(image(label), t.text) > 0 and count(image(label), other.text) == 0
    for plot in (w.panels["meta"].plot, w.eval.plot):  # most of a plot is its background
        picture = image(plot.viewport())
        assert count(picture, t.panel) > picture.width() * picture.height() // 2
        assert count(picture, other.panel) == 0
    meta = w.panels["meta"]  # the steps drawn: the last one in the method's colour, the old one gone
    curves = image(meta.plot.viewport())
    assert count(curves, t.methods["meta"]) > 0 and count(curves, other.methods["meta"]) == 0


def _notice(w, t: style.Theme, other: style.Theme) -> None:
    notice = w.notice
    assert notice.isVisible()
    text = image(notice.label)
    assert count(text, t.info) > 0 and count(text, other.info) == 0
    assert colour_at(notice, notice.width() // 2, 1) == t.info  # its border


def test_a_theme_switch_changes_the_painted_colours_both_ways(open_window, wait_snapshot):
    w = open_window()
    wait_snapshot(w, lambda s: s.curves.get("meta") is not None)  # curves on screen
    both_ways(w, _painted)


def test_a_shown_notice_takes_the_new_colours_both_ways(open_window):
    w = open_window()
    w.show_notice("a notice", style.themes.current.info, sticky=True)
    both_ways(w, _notice)
