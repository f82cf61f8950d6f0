"""What a theme or presenter switch restyles: only what is on screen now (a hidden card takes
the theme when shown), and a font change refits FitLabels once, with the new font."""
import pytest
from PySide6.QtGui import QFont, QPalette

from gui import style
from gui.panels import FitLabel

pytestmark = pytest.mark.usefixtures("dark_again")  # tests/gui/conftest.py


def test_a_hidden_panel_takes_the_theme_when_shown(qtbot, open_window):
    w = open_window()
    hidden = w.panels["pretrained"]
    assert hidden.isHidden()
    w.demo.light.trigger()
    assert w.panels["meta"].plot.backgroundBrush().color().name() == style.LIGHT.panel
    assert hidden.plot.backgroundBrush().color().name() == style.DARK.panel  # not restyled while hidden
    hidden.setVisible(True)
    assert hidden.plot.backgroundBrush().color().name() == style.LIGHT.panel
    assert hidden.title.palette().color(QPalette.WindowText).name() == style.LIGHT.methods["pretrained"]
    hidden.setVisible(False)
    w.demo.light.trigger()  # and back, hidden again: dark when shown next
    hidden.setVisible(True)
    assert hidden.plot.backgroundBrush().color().name() == style.DARK.panel


def test_a_fit_label_refits_after_a_font_change(qtbot):
    label = FitLabel()
    qtbot.addWidget(label)
    long, short = "a rather long readout that needs room", "short"
    font = QFont(label.font())
    font.setPointSize(10)
    label.setFont(font)
    label.resize(round(label.text_width(long)) + 4, 30)
    label.show()
    label.set_options((long, short))
    assert label.text() == long and label.fits()
    font.setPointSize(20)  # the same width no longer holds the long one
    label.setFont(font)
    qtbot.waitUntil(lambda: label.text() == short)
    assert label.fits()


def test_the_hidden_parameter_space_takes_the_theme_when_shown(qtbot, open_window):
    w = open_window()
    panel = w.landscape  # built hidden: the default model is not the two-scalar one
    assert panel.isHidden()
    w.demo.light.trigger()
    assert panel.plot.backgroundBrush().color().name() == style.DARK.panel  # a switch skips it
    panel.setVisible(True)
    assert panel.plot.backgroundBrush().color().name() == style.LIGHT.panel
    assert panel.colour_bar.axis.textPen().color().name() == style.LIGHT.text


def _paints_of(widget, qtbot, act, settle_ms=400) -> int:
    """Paint events the widget receives from `act()` until the event loop has settled."""
    from PySide6.QtCore import QEvent, QObject

    class Count(QObject):
        n = 0

        def eventFilter(self, obj, event):
            if obj is widget and event.type() == QEvent.Paint:
                self.n += 1
            return False

    count = Count()
    widget.installEventFilter(count)
    act()
    qtbot.wait(settle_ms)
    widget.removeEventFilter(count)
    return count.n


def test_a_theme_switch_paints_the_central_widget_once(qtbot, open_window):
    w = open_window()
    w.controls.set_playing(False)  # no new snapshot is drawn inside the count
    qtbot.wait(1000)
    central = w.centralWidget()
    assert _paints_of(central, qtbot, central.update) == 1  # the counter sees a plain repaint
    assert _paints_of(central, qtbot, w.demo.light.trigger) == 1  # the first switch to light
    assert _paints_of(central, qtbot, w.demo.light.trigger) == 1  # and back


def test_a_wrap_label_measures_again_after_a_font_change_and_not_for_a_colour(qtbot):
    from gui.widgets import WrapLabel

    label = WrapLabel()
    qtbot.addWidget(label)
    label.setWordWrap(True)
    words = "a readout long enough to wrap onto several lines at this width " * 3
    label.setText(f"<span style='color:#111111'>{words}</span>")
    small = label.heightForWidth(200)
    label.setText(f"<span style='color:#eeeeee'>{words}</span>")
    assert label.heightForWidth(200) == small  # the same words in another colour: the same height
    font = QFont(label.font())
    font.setPointSize(font.pointSize() * 2)
    label.setFont(font)
    assert label.heightForWidth(200) > small  # a bigger font is measured again, not remembered
    label.setText(f"<span style='color:#eeeeee'>{words} and more</span>")
    assert label.heightForWidth(200) == _qt_height(label, 200)


def _qt_height(label, width: int) -> int:
    """What Qt itself measures (no remembered heights)."""
    from PySide6.QtWidgets import QLabel

    return QLabel.heightForWidth(label, width)
