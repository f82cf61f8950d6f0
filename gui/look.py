"""The window's look drawn at paint time: a proxy over Fusion that paints buttons, inputs, group
boxes, check boxes, bars, menus and tooltips from the widget's palette alone.

Why not a stylesheet: setting one re-polishes the widget's whole subtree (the controls panel:
30-50 ms per theme switch), while a new palette only repaints. Here a colour switch is a
`setPalette`; the geometry below is fixed and fonts follow `setFont`, so no switch restyles.
Every method overridden here is a Python call for each time Qt asks it, paint after paint: so
only the few that must be (no pixelMetric, asked hundreds of times a paint; no drawControl,
asked for every label), and each hands what it does not draw straight to Fusion.

Palette roles beyond Fusion's (set in `Theme.palette()`):
    Accent     focus ring, group box titles, a checked box
    Mid        the 1 px border of buttons and inputs
    Dark       group box frames
    Shadow     menus and the status bar (the menu bar and toolbar: Window, in their own palette)
    AlternateBase  the group boxes' fill
A push button with the property `look` set to "play" is filled with its own palette's Button
colour, and its Highlight colour while checked (`Theme.play_palette()`); a slider with `look`
"timeline" is a thick Dark groove filled with Accent up to a round Text handle, sized by its font.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QMenu,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QStyleOptionGroupBox,
    QStyleOptionSlider,
    QStyleOptionSpinBox,
    QToolBar,
)

BUTTON_PAD = (10, 6)  # a push button's padding around its text (x, y), inside its 1 px border
PAD_X = {"banner": 18, "compact": 4}  # ... across, for buttons whose `look` property asks for more or less
TOOL_PAD = (8, 4)  # a toolbar button's
BUTTON_RADIUS, INPUT_RADIUS, GROUP_RADIUS, TOOL_RADIUS = 5.0, 4.0, 6.0, 4.0
GROUP_PAD = (6, 8, 6, 6)  # a group box's padding inside its frame (left, top, right, bottom)
GROUP_TITLE_X = 13  # the title's left edge, from the group box's
INDICATOR = 20  # a check box's box, its 2 px border included
FUSION_INDICATOR = 14  # ... where Fusion has room for this much (its PM_IndicatorWidth)


def _rounded(painter: QPainter, rect: QRect, radius: float, fill: QColor | None, border: QColor | None,
             width: float = 1.0) -> None:
    """A rounded rectangle whose `width` px border lies inside `rect` (crisp at 1 px)."""
    r = QRectF(rect).adjusted(width / 2, width / 2, -width / 2, -width / 2)
    painter.setPen(QPen(border, width) if border is not None else Qt.NoPen)
    painter.setBrush(fill if fill is not None else Qt.NoBrush)
    painter.drawRoundedRect(r, radius, radius)


def _chevron(painter: QPainter, rect: QRect, colour: QColor, up: bool) -> None:
    """A small open arrow (^ or v) centred in `rect`."""
    s = max(3.0, min(rect.width(), rect.height()) / 4)
    c = QRectF(rect).center()
    dy = -s / 2 if up else s / 2
    path = QPainterPath(QPointF(c.x() - s, c.y() - dy))
    path.lineTo(c.x(), c.y() + dy)
    path.lineTo(c.x() + s, c.y() - dy)
    painter.setPen(QPen(colour, 1.6, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
    painter.setBrush(Qt.NoBrush)
    painter.drawPath(path)


def _in_toolbar(widget) -> bool:
    return widget is not None and isinstance(widget.parentWidget(), QToolBar)


def _title_font(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


class Look(QProxyStyle):
    """Fusion, with the app's own flat controls painted over it from the palette."""

    def __init__(self):
        super().__init__(QStyleFactory.create("Fusion"))

    # ---- sizes ----------------------------------------------------------------------------
    @staticmethod
    def _timeline(widget) -> tuple[int, int] | None:
        """A timeline slider's handle diameter and groove height (from its font), or None for other widgets."""
        if widget is None or widget.property("look") != "timeline":
            return None
        d = round(0.85 * QFontMetrics(widget.font()).height())  # 16 px at the 12 pt body text
        return d, max(4, round(d * 0.375))

    def sizeFromContents(self, kind, option, size: QSize, widget=None) -> QSize:
        if kind == QStyle.CT_PushButton:
            pad_x = PAD_X.get(widget.property("look"), BUTTON_PAD[0]) if widget is not None else BUTTON_PAD[0]
            return QSize(size.width() + 2 * (pad_x + 1), size.height() + 2 * (BUTTON_PAD[1] + 1))
        if kind == QStyle.CT_ToolButton and _in_toolbar(widget):
            return QSize(size.width() + 2 * (TOOL_PAD[0] + 1), size.height() + 2 * (TOOL_PAD[1] + 1))
        if kind == QStyle.CT_CheckBox:  # Fusion's room for its indicator, made room for ours
            grown = super().sizeFromContents(kind, option, size, widget)
            return QSize(grown.width() + INDICATOR - FUSION_INDICATOR, max(grown.height(), INDICATOR))
        timeline = self._timeline(widget)
        if kind == QStyle.CT_Slider and timeline is not None:
            return QSize(size.width(), timeline[0] + 2)
        if kind == QStyle.CT_GroupBox and isinstance(option, QStyleOptionGroupBox):
            fm = option.fontMetrics if widget is None else QFontMetrics(_title_font(widget.font()))
            return QSize(fm.horizontalAdvance(option.text) + GROUP_TITLE_X + 8 + 2 * GROUP_PAD[0],
                         self._frame_top(fm) + GROUP_PAD[1] + GROUP_PAD[3] + 2)
        return super().sizeFromContents(kind, option, size, widget)

    @staticmethod
    def _frame_top(fm: QFontMetrics) -> int:
        """The group box frame's top edge: the title sits in the margin above, its lower part over the line."""
        return round(fm.height() * 0.72)

    def subElementRect(self, element, option, widget=None) -> QRect:
        if element in (QStyle.SE_CheckBoxIndicator, QStyle.SE_CheckBoxContents, QStyle.SE_CheckBoxFocusRect):
            r = super().subElementRect(element, option, widget)
            if element == QStyle.SE_CheckBoxIndicator:  # ours is larger, centred on the row
                return QRect(r.left(), option.rect.center().y() - INDICATOR // 2 + 1, INDICATOR, INDICATOR)
            return r.translated(INDICATOR - FUSION_INDICATOR, 0)
        return super().subElementRect(element, option, widget)

    def subControlRect(self, control, option, sub, widget=None) -> QRect:
        timeline = self._timeline(widget)
        if control == QStyle.CC_Slider and timeline is not None and isinstance(option, QStyleOptionSlider) \
                and sub in (QStyle.SC_SliderGroove, QStyle.SC_SliderHandle):
            d, r = timeline[0], option.rect
            if sub == QStyle.SC_SliderGroove:  # the whole width: QSlider maps pixels to values by it
                return QRect(r.left(), r.center().y() - d // 2, r.width(), d)
            x = self.sliderPositionFromValue(option.minimum, option.maximum, option.sliderPosition,
                                             r.width() - d, option.upsideDown)
            return QRect(r.left() + x, r.center().y() - d // 2, d, d)
        if control == QStyle.CC_GroupBox and isinstance(option, QStyleOptionGroupBox) \
                and sub in (QStyle.SC_GroupBoxFrame, QStyle.SC_GroupBoxLabel, QStyle.SC_GroupBoxContents):
            frame, label, contents = self._group_rects(option, widget)
            return frame if sub == QStyle.SC_GroupBoxFrame else label if sub == QStyle.SC_GroupBoxLabel else contents
        return super().subControlRect(control, option, sub, widget)

    def _group_rects(self, option: QStyleOptionGroupBox, widget) -> tuple[QRect, QRect, QRect]:
        """A group box's frame (below the top of its title), title and contents."""
        fm = option.fontMetrics if widget is None else QFontMetrics(_title_font(widget.font()))
        r = option.rect
        frame = r.adjusted(0, self._frame_top(fm), 0, 0)
        label = QRect(r.left() + GROUP_TITLE_X, r.top(), fm.horizontalAdvance(option.text) + 8, fm.height())
        left, top, right, bottom = GROUP_PAD
        return frame, label, frame.adjusted(left + 1, top + 1, -right - 1, -bottom - 1)

    # ---- painting ---------------------------------------------------------------------------
    def drawPrimitive(self, element, option, painter: QPainter, widget=None) -> None:
        pal, state = option.palette, option.state
        if element == QStyle.PE_PanelButtonCommand:
            self._button(option, painter, widget)
        elif element == QStyle.PE_FrameFocusRect and isinstance(option, QStyleOptionButton) \
                and widget is not None and widget.inherits("QPushButton"):
            pass  # a button shows its focus as its accent border
        elif element == QStyle.PE_PanelLineEdit:
            if widget is not None and isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox)):
                return  # the spin box or combo box draws the frame around it
            if getattr(option, "lineWidth", 1) <= 0:
                return  # a frameless box (a slider's value) is text on what is behind it
            painter.save()
            painter.setRenderHint(QPainter.Antialiasing)
            border = pal.color(QPalette.Accent) if state & QStyle.State_HasFocus else pal.color(QPalette.Mid)
            _rounded(painter, option.rect, INPUT_RADIUS, pal.color(QPalette.Base), border)
            painter.restore()
        elif element == QStyle.PE_FrameLineEdit:
            pass  # drawn with the panel
        elif element == QStyle.PE_IndicatorCheckBox:
            self._check_box(option, painter)
        elif element == QStyle.PE_PanelTipLabel:
            painter.save()
            painter.fillRect(option.rect, pal.color(QPalette.ToolTipBase))
            painter.setPen(pal.color(QPalette.Accent))
            painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
            painter.restore()
        elif element == QStyle.PE_PanelStatusBar:
            painter.fillRect(option.rect, pal.color(QPalette.Shadow))
        elif element == QStyle.PE_PanelMenu:
            bar = widget is None or isinstance(widget, QMenu)  # a combo box's list keeps its input colour
            painter.fillRect(option.rect, pal.color(QPalette.Shadow if bar else QPalette.Base))
        elif element == QStyle.PE_PanelButtonTool and _in_toolbar(widget):
            self._tool_button(option, painter)
        else:
            super().drawPrimitive(element, option, painter, widget)

    def drawComplexControl(self, control, option, painter: QPainter, widget=None) -> None:
        if control == QStyle.CC_GroupBox and isinstance(option, QStyleOptionGroupBox):
            self._group_box(option, painter, widget)
        elif control == QStyle.CC_Slider and self._timeline(widget) is not None:
            self._timeline_slider(option, painter, widget)
        elif control == QStyle.CC_ComboBox and isinstance(option, QStyleOptionComboBox):
            self._input_frame(option, painter)
            arrow = self.subControlRect(control, option, QStyle.SC_ComboBoxArrow, widget)
            painter.save()
            painter.setRenderHint(QPainter.Antialiasing)
            _chevron(painter, arrow, option.palette.color(QPalette.ButtonText), up=False)
            painter.restore()
        elif control == QStyle.CC_SpinBox and isinstance(option, QStyleOptionSpinBox):
            if option.frame:
                self._input_frame(option, painter)
            if option.buttonSymbols != QAbstractSpinBox.NoButtons:
                painter.save()
                painter.setRenderHint(QPainter.Antialiasing)
                for sub, step, up in ((QStyle.SC_SpinBoxUp, QAbstractSpinBox.StepUpEnabled, True),
                                      (QStyle.SC_SpinBoxDown, QAbstractSpinBox.StepDownEnabled, False)):
                    colour = QColor(option.palette.color(QPalette.ButtonText))
                    if not option.stepEnabled & step:
                        colour.setAlpha(90)
                    _chevron(painter, self.subControlRect(control, option, sub, widget), colour, up)
                painter.restore()
        else:
            super().drawComplexControl(control, option, painter, widget)

    # ---- the pieces -------------------------------------------------------------------------
    def _button(self, option, painter: QPainter, widget) -> None:
        pal, state = option.palette, option.state
        play = widget is not None and widget.property("look") == "play"
        down = bool(state & (QStyle.State_On | QStyle.State_Sunken))
        if play:
            fill = pal.color(QPalette.Highlight if down else QPalette.Button)
            if state & QStyle.State_MouseOver:
                fill = fill.lighter(112)
        elif down or state & QStyle.State_MouseOver:
            fill = pal.color(QPalette.Highlight)
        else:
            fill = pal.color(QPalette.Button)
        focus = bool(state & QStyle.State_HasFocus)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        _rounded(painter, option.rect, BUTTON_RADIUS, fill, pal.color(QPalette.Accent if focus else QPalette.Mid),
                 2.0 if focus else 1.0)
        painter.restore()

    def _input_frame(self, option, painter: QPainter) -> None:
        pal = option.palette
        border = pal.color(QPalette.Accent) if option.state & QStyle.State_HasFocus else pal.color(QPalette.Mid)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        _rounded(painter, option.rect, INPUT_RADIUS, pal.color(QPalette.Base), border)
        painter.restore()

    def _tool_button(self, option, painter: QPainter) -> None:
        state, pal = option.state, option.palette
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        if state & (QStyle.State_On | QStyle.State_Sunken):
            _rounded(painter, option.rect, TOOL_RADIUS, pal.color(QPalette.Highlight), None)
        elif state & QStyle.State_MouseOver and state & QStyle.State_Enabled:
            _rounded(painter, option.rect, TOOL_RADIUS, None, pal.color(QPalette.Mid))
        painter.restore()

    def _check_box(self, option, painter: QPainter) -> None:
        pal, state = option.palette, option.state
        on = bool(state & QStyle.State_On)
        accent = pal.color(QPalette.Accent)
        side = min(option.rect.width(), option.rect.height(), INDICATOR)
        box = QRect(0, 0, side, side)
        box.moveCenter(option.rect.center())
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        _rounded(painter, box, 3.0, accent if on else pal.color(QPalette.Base),
                 accent if on or state & QStyle.State_HasFocus else pal.color(QPalette.Mid), 2.0)
        if on or state & QStyle.State_NoChange:
            r = QRectF(box).adjusted(side * 0.25, side * 0.25, -side * 0.25, -side * 0.25)
            painter.setPen(QPen(pal.color(QPalette.Base), max(2.0, side / 8), Qt.SolidLine, Qt.RoundCap,
                                Qt.RoundJoin))
            path = QPainterPath()
            if on:  # a tick
                path.moveTo(r.left(), r.center().y())
                path.lineTo(r.left() + r.width() * 0.38, r.bottom())
                path.lineTo(r.right(), r.top())
            else:  # partly: a bar
                path.moveTo(r.left(), r.center().y())
                path.lineTo(r.right(), r.center().y())
            painter.drawPath(path)
        painter.restore()

    def _group_box(self, option: QStyleOptionGroupBox, painter: QPainter, widget) -> None:
        pal = option.palette
        frame, label, _ = self._group_rects(option, widget)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        _rounded(painter, frame, GROUP_RADIUS, pal.color(QPalette.AlternateBase), pal.color(QPalette.Dark))
        if option.text:  # the frame breaks for its title, which stands on the window's colour
            painter.fillRect(label, pal.color(QPalette.Window))
            painter.setFont(_title_font(painter.font() if widget is None else widget.font()))
            painter.setPen(pal.color(QPalette.Accent))
            painter.drawText(label.adjusted(4, 0, -4, 0), Qt.AlignLeft | Qt.AlignVCenter | Qt.TextShowMnemonic,
                             option.text)
        painter.restore()

    def _timeline_slider(self, option, painter: QPainter, widget) -> None:
        pal, (d, g) = option.palette, self._timeline(widget)
        handle = self.subControlRect(QStyle.CC_Slider, option, QStyle.SC_SliderHandle, widget)
        groove = QRect(option.rect.left(), option.rect.center().y() - g // 2, option.rect.width(), g)
        done = QRect(groove.left(), groove.top(), handle.center().x() - groove.left(), g)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        _rounded(painter, groove, g / 2, pal.color(QPalette.Dark), None)
        _rounded(painter, done, g / 2, pal.color(QPalette.Accent), None)
        _rounded(painter, handle, d / 2, pal.color(QPalette.Text), None)
        painter.restore()
