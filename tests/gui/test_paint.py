"""A real paint of pyqtgraph plots in a shown window.

PySide6 6.12.0 with pyqtgraph 0.14.0 aborted the process ("Fatal Python error: none_dealloc")
on the first paint of a plot axis; this test exists so that an upgrade cannot slip through.
"""
from PySide6.QtGui import QColor

from gui import style


def test_window_paints_its_plots(qtbot, open_window):
    w = open_window()
    image = w.grab().toImage()  # paints every widget, axes included
    assert image.width() >= 1280 and image.height() >= 700
    plot = w.panels["meta"].plot
    pic = plot.grab().toImage()
    assert pic.width() > 100 and pic.height() > 100
    background = QColor(style.themes.current.panel).rgb()
    drawn = sum(pic.pixel(x, y) != background for x in range(0, pic.width(), 7) for y in range(0, pic.height(), 7))
    assert drawn > 50, "the plot shows axes, curves and points, not a blank panel"
    for panel in (w.loss, w.eval):  # axes and grid at least: not a blank card
        pic = panel.plot.grab().toImage()
        assert sum(pic.pixel(x, y) != background for x in range(0, pic.width(), 7)
                   for y in range(0, pic.height(), 7)) > 50
