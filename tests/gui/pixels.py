"""Reading colours back from painted widgets, for the tests that check a theme switch reaches
every pixel (tests/gui/test_look.py, test_style_colours.py)."""
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget


def image(widget: QWidget) -> QImage:
    return widget.grab().toImage()


def colour_at(widget: QWidget, x: int, y: int) -> str:
    return QColor(image(widget).pixel(x, y)).name()


def count(picture: QImage, colour: str) -> int:
    """How many pixels of the image are exactly `colour`."""
    want = QColor(colour).rgb()
    return sum(picture.pixel(x, y) == want for y in range(picture.height()) for x in range(picture.width()))


def both_ways(window, check) -> None:
    """`check(window, theme, other)` in dark, after Ctrl+T's action (light), and after it again
    (dark): a switch must reach the pixels each way, not only the first time."""
    from gui import style

    check(window, style.DARK, style.LIGHT)
    window.demo.light.trigger()
    check(window, style.LIGHT, style.DARK)
    window.demo.light.trigger()
    check(window, style.DARK, style.LIGHT)
