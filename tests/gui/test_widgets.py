"""The number boxes' keys on the real window, and the label that keeps to a few lines."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics

from gui.widgets import clamp_lines, number_boxes


def shown_boxes(w):
    return [b for b in number_boxes(w) if b.isVisibleTo(w) and b.isEnabled()]


def play(qtbot, w):
    if not w.shared.get().playing:
        w.controls.play.click()
    qtbot.waitUntil(lambda: w.shared.get().playing and w.snapshot.state == "training", timeout=30_000)


def test_enter_in_each_number_box_applies_and_space_pauses_again(qtbot, open_window):
    w = open_window()
    boxes = shown_boxes(w)
    assert len(boxes) >= 8  # α, β, the slider boxes, the seed...
    for box in boxes:
        play(qtbot, w)
        box.setFocus()
        qtbot.waitUntil(box.hasFocus)
        text = box.text()  # its own value: applied, nothing else changes
        box.selectAll()
        qtbot.keyClicks(box, text)
        qtbot.keyClick(box, Qt.Key_Return)
        qtbot.waitUntil(lambda: w.focusWidget() is w.panels["meta"].plot)  # the plots have the keys again
        qtbot.keyClick(w.focusWidget(), Qt.Key_Space)
        qtbot.waitUntil(lambda: not w.shared.get().playing and w.snapshot.state == "paused", timeout=30_000)
        assert box.text() == text, f"{box!r} kept a typed key: {box.text()!r}"


def test_letters_are_shortcuts_unless_a_box_is_being_edited(qtbot, open_window):
    w = open_window()
    alpha = w.controls.alpha.entry
    alpha.setFocus()
    alpha.selectAll()
    qtbot.keyClicks(alpha, "0.3")
    qtbot.keyClick(alpha, Qt.Key_Return)
    qtbot.waitUntil(lambda: w.shared.get().inner_lr == 0.3)
    qtbot.keyClick(alpha, Qt.Key_E)  # straight to the box that had the focus: still a shortcut
    assert w.demo.explain.isChecked() and alpha.text() == "0.3"
    alpha.setFocus()
    alpha.selectAll()
    qtbot.keyClicks(alpha, "1e-3")  # while being edited, "e" is part of the number
    assert alpha.text() == "1e-3" and w.demo.explain.isChecked()
    qtbot.keyClick(alpha, Qt.Key_Escape)  # reverts, and does not leave anything else
    assert alpha.text() == "0.3" and w.shared.get().inner_lr == 0.3
    qtbot.waitUntil(lambda: w.focusWidget() is w.panels["meta"].plot)
    qtbot.keyClick(alpha, Qt.Key_Space)
    assert w.shared.get().playing


@pytest.mark.parametrize("width, lines", [(60, 1), (120, 2), (400, 3)])
def test_clamp_lines_wraps_then_elides_within_the_width(qapp, width, lines):
    metrics = QFontMetrics(QFont())
    text = "The same task and the same points, fitted from a random starting point with the same steps"
    shown = clamp_lines(text, QFont(), width, lines).split("\n")
    assert 1 <= len(shown) <= lines
    assert all(metrics.horizontalAdvance(line) <= width for line in shown)
    if " ".join(shown) != text:
        assert shown[-1].endswith("…")
    assert clamp_lines("short", QFont(), 400, 2) == "short"


def test_clamp_lines_breaks_chinese_between_characters(qapp):
    """Chinese has no spaces: the lines break between characters and fill the width, not one
    elided run per line."""
    metrics = QFontMetrics(QFont())
    text = "同一个任务和同样的点，从随机初始化出发，用同样的步数拟合：随机初始化远远没有拟合好。" * 2
    width = metrics.horizontalAdvance(text) // 3 + 5
    shown = clamp_lines(text, QFont(), width, 4).split("\n")
    assert len(shown) in (3, 4), shown
    assert all(metrics.horizontalAdvance(line) <= width for line in shown)
    assert "".join(shown) == text  # all of it, nothing elided
    two = clamp_lines(text, QFont(), width, 2).split("\n")
    assert len(two) == 2 and two[0] == shown[0] and two[1].endswith("…")
