"""ThemedAxis draws what pyqtgraph's own axis draws, and a recolour is the same picture as an
axis made in the new colours (the kept tick places are never stale)."""
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QFont

from gui.axes import ThemedAxis


def _plot(qtbot, axis_class, line: str, text: str, y=(0.0, 10.0)) -> pg.PlotWidget:
    w = pg.PlotWidget(axisItems={n: axis_class(n) for n in ("left", "bottom")})
    qtbot.addWidget(w)
    w.resize(360, 260)
    w.setBackground("#1a1d25")
    w.getPlotItem().showGrid(x=True, y=True, alpha=0.18)
    w.setRange(xRange=(-5, 5), yRange=y, padding=0.02)
    font = QFont()
    font.setPointSize(13)
    for name in ("left", "bottom"):
        ax = w.getAxis(name)
        ax.setTickFont(font)
        ax.setLabel(name)
        ax.setPen(pg.mkPen(line))
        ax.setTextPen(pg.mkPen(text))
    w.show()
    qtbot.waitExposed(w)
    return w


def _pixels(w: pg.PlotWidget) -> bytes:
    image = w.grab().toImage()
    return bytes(image.constBits())


DARK, LIGHT = ("#3a3f4b", "#e9ebf0"), ("#b8bcc4", "#111111")


def test_same_pixels_as_pyqtgraphs_axis(qtbot):
    theirs, ours = _plot(qtbot, pg.AxisItem, *DARK), _plot(qtbot, ThemedAxis, *DARK)
    assert _pixels(ours) == _pixels(theirs)


@pytest.mark.parametrize("start, end", [(DARK, LIGHT), (LIGHT, DARK)])
def test_recolour_is_an_axis_made_in_the_new_colours(qtbot, start, end):
    w = _plot(qtbot, ThemedAxis, *start)
    before = _pixels(w)
    for name in ("left", "bottom"):
        w.getAxis(name).recolour(*end)
    after = _pixels(w)
    assert after != before
    assert after == _pixels(_plot(qtbot, ThemedAxis, *end))


def test_range_change_after_recolour_measures_the_ticks_again(qtbot):
    w = _plot(qtbot, ThemedAxis, *DARK)
    _pixels(w)
    for name in ("left", "bottom"):
        w.getAxis(name).recolour(*LIGHT)
    _pixels(w)
    w.setRange(yRange=(0.0, 1000.0), padding=0.02)
    assert _pixels(w) == _pixels(_plot(qtbot, ThemedAxis, *LIGHT, y=(0.0, 1000.0)))


def _cached(w: pg.PlotWidget) -> pg.PlotWidget:
    from PySide6.QtWidgets import QGraphicsItem

    for name in ("left", "bottom"):
        w.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
    return w


def test_cached_axis_draws_what_pyqtgraphs_cached_axis_draws(qtbot):
    theirs, ours = _cached(_plot(qtbot, pg.AxisItem, *DARK)), _cached(_plot(qtbot, ThemedAxis, *DARK))
    assert _pixels(ours) == _pixels(theirs)
    assert ours.getAxis("left")._layers is not None  # drawn from its layers, not the usual way


@pytest.mark.parametrize("start, end", [(DARK, LIGHT), (LIGHT, DARK)])
def test_cached_recolour_tints_the_layers_into_an_axis_made_in_the_new_colours(qtbot, start, end):
    w = _cached(_plot(qtbot, ThemedAxis, *start))
    before = _pixels(w)
    lines = w.getAxis("left")._layers[2]
    for name in ("left", "bottom"):
        w.getAxis(name).recolour(*end)
    after = _pixels(w)
    assert after != before
    assert w.getAxis("left")._layers[2] is lines  # a new colour, tinted in place: not drawn again
    assert after == _pixels(_cached(_plot(qtbot, pg.AxisItem, *end)))


def _label_rects(w: pg.PlotWidget):
    from PySide6.QtGui import QImage, QPainter

    image = QImage(10, 10, QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = w.getAxis("bottom").generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text) for rect, _, text in texts]


def _touching(rects) -> list:
    rects = sorted(rects, key=lambda r: r[0].left())
    return [(a[1], b[1]) for a, b in zip(rects, rects[1:]) if a[0].right() >= b[0].left()]


def test_horizontal_labels_too_big_for_their_steps_get_wider_steps(qtbot):
    """Presenter mode's large numbers under a narrow plot (meta-iterations 0 to 8,800 in 230 px):
    pyqtgraph's own axis runs them together; ours widens the steps until each has room."""
    font = QFont()
    font.setPointSize(20)
    plots = {}
    for cls in (pg.AxisItem, ThemedAxis):
        w = plots[cls] = _plot(qtbot, cls, *DARK)
        w.resize(300, 200)
        w.getAxis("bottom").setTickFont(font)
        w.setRange(xRange=(-500, 9000), padding=0)
    qtbot.wait(50)
    assert _touching(_label_rects(plots[pg.AxisItem])), "the test needs labels that crowd pyqtgraph's axis"
    ours = _label_rects(plots[ThemedAxis])
    assert len(ours) >= 2 and not _touching(ours), [t for _, t in ours]
    assert {t for _, t in ours} == {"0", "5000"}  # steps of 5000, the next of the 1-2-5 series with room
