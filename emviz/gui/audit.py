"""A screen audit: what a class would see cut off, hidden, too small or too faint, found by
walking the visible widgets of a window (and of its other visible windows: the gallery, the
Sample window) and the text items of its plots.

Each check is a plain function from widgets to ``Finding``s; ``audit(windows, presenting)``
runs them all. The limits are the issue's: no text needing more room than its widget has
(wrapping, or eliding with the full text in a tooltip, is fine), no tab behind the tab bar's
scroll arrows nor a tab title elided to a stub ("l…"), no toolbar action behind the toolbar's
extension button, no window larger than its screen or partly off it (at its minimum size or
as it is: it cannot be shown whole on a teacher's 1024 x 768 laptop), no two sibling text
widgets on top of each other, no left or right axis title on its tick labels, no text under
18 pt while presenting (a dock's own title measured as drawn), a contrast of at least 4.5:1
for text and component colours (7:1 for text while presenting), by WCAG 2's relative
luminance (emviz.look.appearance.contrast_ratio), 3:1 for a curve in a component colour on
its plot (WCAG's non-text contrast) or a casing that outlines it, and, in the dark theme, no
large light block (a page or plot left white glares on a projector).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPicture
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QMenu,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStatusBar,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QStyleOptionGroupBox,
    QTabBar,
    QTableView,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)

from ..look.appearance import contrast_ratio, relative_luminance
from .dock_title import drawn_title_rows, qt_draws_title, text_rows, title_strip
from .elided_label import ElidedLabel
from .legend_room import data_under, legend_box, shown_in_scene

#: While presenting, no text smaller than this (points).
PRESENT_MIN_PT = 18.0
#: Contrast limits (WCAG 2): text and component colours; text while presenting (AAA).
MIN_CONTRAST = 4.5
MIN_CONTRAST_PRESENTING = 7.0
#: WCAG 2.1's 1.4.11 (non-text contrast): a graphical object (a curve, an ellipse) needs
#: 3:1 against what is next to it: the plot, or a casing drawn along it.
MIN_GRAPHIC_CONTRAST = 3.0
#: In the dark theme (a window colour darker than DARK_WINDOW in relative luminance), a
#: background lighter than LIGHT_BLOCK over at least LIGHT_BLOCK_AREA px² glares on a projector.
DARK_WINDOW = 0.2
LIGHT_BLOCK = 0.4
LIGHT_BLOCK_AREA = 150 * 100
#: Pixels of slack: anti-aliasing and Qt's rounding put a glyph a pixel over now and then.
SLACK = 1


@dataclass(frozen=True)
class Finding:
    """``kind``: "clipped" (also a scroll area's page wider than its view), "tab arrows",
    "elided tab", "toolbar overflow", "too large",
    "overlap", "small text", "contrast", "plot text" or "light block";
    ``where``: the widget (its class, objectName and text); ``detail``: the numbers."""

    kind: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.detail}"


# -- colours ---------------------------------------------------------------------------------
def rgb(color: QColor) -> tuple[int, int, int]:
    return color.red(), color.green(), color.blue()


def blend(front: QColor, back: QColor) -> QColor:
    """``front`` painted over the opaque ``back`` (its alpha applied)."""
    a = front.alphaF()
    return QColor.fromRgbF(*(a * f + (1 - a) * b for f, b in zip(
        (front.redF(), front.greenF(), front.blueF()), (back.redF(), back.greenF(), back.blueF()),
        strict=True)))


_CSS_COLOR = r"(#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)|[a-zA-Z]+)"


def stylesheet_color(sheet: str, prop: str) -> QColor | None:
    """The colour a style sheet gives ``prop`` ("color" or "background") for the widget
    itself (the first declaration; "background-color" counts as "background")."""
    names = ("background", "background-color") if prop == "background" else ("color",)
    for name in names:
        match = re.search(rf"(?<![-\w]){name}\s*:\s*{_CSS_COLOR}", sheet)
        if match:
            color = QColor(match[1]) if not match[1].startswith("rgb") else _css_rgb(match[1])
            if color.isValid():
                return color
    return None


def _css_rgb(text: str) -> QColor:
    numbers = [float(v) for v in re.findall(r"[\d.]+", text)]
    color = QColor(*[int(v) for v in numbers[:3]])
    if len(numbers) > 3:
        color.setAlphaF(numbers[3] if numbers[3] <= 1 else numbers[3] / 255)
    return color


def background_of(widget: QWidget) -> QColor:
    """The colour behind a widget's text: its own or the nearest ancestor's style-sheet
    background, filled background, or the window's."""
    w: QWidget | None = widget
    while w is not None:
        sheet_bg = stylesheet_color(w.styleSheet(), "background")
        if sheet_bg is not None and sheet_bg.alpha() > 0:
            return sheet_bg
        if w.autoFillBackground() or w.isWindow():
            return QWidget.palette(w).color(w.backgroundRole())
        if isinstance(w, QAbstractScrollArea) and w.viewport().autoFillBackground():
            return QWidget.palette(w.viewport()).color(w.viewport().backgroundRole())
        w = w.parentWidget()
    return QApplication.palette().color(QPalette.ColorRole.Window)


def text_colors(widget: QWidget) -> list[QColor]:
    """The colours a widget's text is drawn in: its style sheet's or palette's foreground,
    and any colour a rich text names inline."""
    sheet = stylesheet_color(widget.styleSheet(), "color")
    colors = [sheet if sheet is not None else QWidget.palette(widget).color(widget.foregroundRole())]
    text = widget.text() if isinstance(widget, QLabel) else ""
    for match in re.finditer(r"color\s*[:=]\s*['\"]?(#[0-9a-fA-F]{6})", text):
        colors.append(QColor(match[1]))
    return colors


# -- fonts -----------------------------------------------------------------------------------
def font_pt(font: QFont, widget: QWidget | None = None) -> float:
    """A font's size in points (a size in pixels converted at the widget's logical DPI)."""
    if font.pointSizeF() > 0:
        return font.pointSizeF()
    dpi = widget.logicalDpiY() if widget is not None else 96
    return font.pixelSize() * 72.0 / dpi


def css_size_pt(size: object, dpi: float = 96.0) -> float | None:
    match = re.fullmatch(r"\s*([\d.]+)\s*(pt|px)\s*", str(size or ""))
    if not match:
        return None
    return float(match[1]) * (1.0 if match[2] == "pt" else 72.0 / dpi)


# -- what a widget says ----------------------------------------------------------------------
def describe(widget: QWidget) -> str:
    name = widget.objectName() or "-"
    text = _text(widget)
    text = f" {text[:40]!r}" if text else ""
    return f"{type(widget).__name__}#{name}{text}"


def _text(widget: QWidget) -> str:
    if isinstance(widget, QLabel | QAbstractButton):
        return widget.text()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QGroupBox):
        return widget.title()
    return ""


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def shows_text(widget: QWidget) -> bool:
    if isinstance(widget, QLabel):
        return bool(widget.text().strip()) and widget.pixmap().isNull()
    if isinstance(widget, QAbstractButton | QComboBox | QGroupBox):
        return bool(_text(widget).strip())
    return isinstance(widget, QTabBar | QTableView | QTextEdit)


def visible_widgets(root: QWidget) -> Iterator[QWidget]:
    """``root`` and its descendants that are shown on screen (visible, not in a hidden parent,
    with an area, and not scrolled wholly out of a scroll area's view)."""
    if not root.isVisible():
        return
    yield root
    for child in root.findChildren(QWidget):
        if child.isVisible() and not child.isWindow() and child.width() > 0 and child.height() > 0:
            if _on_screen(child):
                yield child


def _on_screen(widget: QWidget) -> bool:
    """Whether some of it lies inside every ancestor up to its window."""
    rect = QRect(widget.mapTo(widget.window(), widget.rect().topLeft()), widget.size())
    w = widget.parentWidget()
    while w is not None and not w.isWindow():
        if not rect.intersects(QRect(w.mapTo(w.window(), w.rect().topLeft()), w.size())):
            return False
        w = w.parentWidget()
    return True


def _in_scroll_area(widget: QWidget) -> bool:
    w = widget.parentWidget()
    while w is not None and not w.isWindow():
        if isinstance(w, QAbstractScrollArea):
            return True
        w = w.parentWidget()
    return False


# -- checks ----------------------------------------------------------------------------------
def check_clipped(widget: QWidget) -> list[Finding]:
    """Text that needs more room than the widget gives it."""
    if isinstance(widget, QLabel):
        return _clipped_label(widget)
    if isinstance(widget, QPushButton | QCheckBox | QRadioButton | QToolButton):
        return _clipped_button(widget)
    if isinstance(widget, QComboBox):
        return _clipped_combo(widget)
    if isinstance(widget, QGroupBox):
        return _clipped_group(widget)
    if isinstance(widget, QTabBar):
        return _clipped_tabs(widget)
    if isinstance(widget, QTableView):
        return _clipped_table(widget)
    return []


#: A text that must be scrolled shows at least this many lines (the lesson's, on a projector).
MIN_SCROLLED_LINES = 8


def check_scrolled_text(edit: QTextEdit, presenting: bool) -> list[Finding]:
    """A text taller than its view may scroll, but while presenting a class must see a good
    part of it at once."""
    if not presenting:
        return []
    document, viewport = edit.document(), edit.viewport()
    if document.isEmpty() or document.size().height() <= viewport.height() + SLACK:
        return []
    lines = viewport.height() / QFontMetrics(edit.font()).lineSpacing()
    if lines < MIN_SCROLLED_LINES:
        return [Finding("clipped", describe(edit),
                        f"{lines:.1f} lines in view of a text that scrolls "
                        f"({document.size().height():.0f} px in {viewport.height()} px)")]
    return []


def _elided_with_tip(widget: QWidget, shown: str) -> bool:
    """Elided text, the whole of it in the tooltip: already elided (an "…" in it), or drawn
    elided by a widget marked so (the "emvizElides" property) whose tooltip holds it."""
    if widget.property("emvizElides"):
        return bool(shown) and shown in widget.toolTip()
    return "…" in shown and bool(widget.toolTip())


def _clipped_label(label: QLabel) -> list[Finding]:
    if not shows_text(label) or _elided_with_tip(label, label.text()):
        return []
    rect = label.contentsRect()
    margin = 2 * label.margin()
    width, height = rect.width() - margin, rect.height() - margin
    if label.wordWrap():
        need_h = label.heightForWidth(label.width())
        need_w = label.minimumSizeHint().width()  # its longest word
        avail_w, avail_h = label.width(), label.height()
    else:
        hint = label.sizeHint()
        need_w, need_h = hint.width(), hint.height()
        avail_w, avail_h = label.width(), label.height()
        if isinstance(label, ElidedLabel):  # it may show a shorter form: what is drawn counts
            margins = label.contentsMargins()
            need_w = (label.fontMetrics().horizontalAdvance(label.text()) + margins.left()
                      + margins.right() + margin)
    del width, height
    problems = []
    if need_w > avail_w + SLACK:
        problems.append(f"needs {need_w} px wide, has {avail_w}")
    if need_h > avail_h + SLACK:
        problems.append(f"needs {need_h} px high, has {avail_h}")
    return [Finding("clipped", describe(label), "; ".join(problems))] if problems else []


def _clipped_button(button: QAbstractButton) -> list[Finding]:
    text = _plain(button.text())
    if not text.strip() or _elided_with_tip(button, text):
        return []
    if isinstance(button, QToolButton) and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly \
            and not button.icon().isNull():
        return []
    fm = QFontMetrics(button.font())
    need = max(fm.horizontalAdvance(line) for line in text.split("\n"))
    style = button.style()
    if isinstance(button, QPushButton):
        option = QStyleOptionButton()
        option.initFrom(button)
        rect = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
        avail = rect.width() - (0 if button.icon().isNull() else button.iconSize().width() + 4)
    elif isinstance(button, QCheckBox | QRadioButton):
        option = QStyleOptionButton()
        option.initFrom(button)
        element = (QStyle.SubElement.SE_CheckBoxContents if isinstance(button, QCheckBox)
                   else QStyle.SubElement.SE_RadioButtonContents)
        avail = style.subElementRect(element, option, button).width() - 2
    else:
        avail = button.width() - 4
        beside = button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        if beside and not button.icon().isNull():
            avail -= button.iconSize().width()
    if need > avail + SLACK:
        return [Finding("clipped", describe(button), f"text {need} px, room {avail} px")]
    return []


def _clipped_combo(combo: QComboBox) -> list[Finding]:
    text = combo.currentText()
    if not text or combo.isEditable() or _elided_with_tip(combo, text):
        return []
    option = QStyleOptionComboBox()
    combo.initStyleOption(option) if hasattr(combo, "initStyleOption") else option.initFrom(combo)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    need = QFontMetrics(combo.font()).horizontalAdvance(text)
    if need > field.width() + SLACK:
        return [Finding("clipped", describe(combo), f"text {need} px, field {field.width()} px")]
    return []


def _clipped_group(box: QGroupBox) -> list[Finding]:
    title = _plain(box.title())
    if not title:
        return []
    option = QStyleOptionGroupBox()
    box.initStyleOption(option)
    label = box.style().subControlRect(QStyle.ComplexControl.CC_GroupBox, option,
                                       QStyle.SubControl.SC_GroupBoxLabel, box)
    need = QFontMetrics(box.font()).horizontalAdvance(title)
    right = label.left() + need
    if right > box.width() + SLACK:
        return [Finding("clipped", describe(box), f"title ends at {right} px, box {box.width()} px")]
    return []


def _clipped_tabs(bar: QTabBar) -> list[Finding]:
    found = []
    arrows = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
    if arrows:
        hidden = [bar.tabText(i) for i in range(bar.count())
                  if bar.isTabVisible(i) and not bar.rect().contains(bar.tabRect(i))]
        found.append(Finding("tab arrows", describe(bar),
                             f"scroll arrows shown; tabs not wholly in view: {hidden}"))
    fm = QFontMetrics(bar.font())
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        text = _plain(bar.tabText(i))
        # A SnugTabBar lays a title out in its tab's unsqueezed width (see tab_bar.py).
        room = bar.tabRect(i).width() + getattr(bar, "_squeeze", 0)
        elided = bar.elideMode() != Qt.TextElideMode.ElideNone and bar.tabToolTip(i)
        if fm.horizontalAdvance(text) > room + SLACK and not elided:
            found.append(Finding("clipped", f"{describe(bar)} tab {text!r}",
                                 f"title {fm.horizontalAdvance(text)} px, tab {room} px"))
    return found


#: A tab title elided to fewer than this many characters of its own ("l…", "…") says nothing.
MIN_TAB_CHARS = 4


def check_elided_tabs(bar: QTabBar) -> list[Finding]:
    """Tab titles elided past reading: a tooltip excuses an elided label, but a tab showing
    "l…" or "…" cannot be found by a class at all."""
    if bar.elideMode() == Qt.TextElideMode.ElideNone:
        return []
    fm = QFontMetrics(bar.font())
    found = []
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        text = _plain(bar.tabText(i))
        room = bar.tabRect(i).width() + getattr(bar, "_squeeze", 0) - 2 * MIN_TAB_PADDING
        shown = fm.elidedText(text, bar.elideMode(), max(room, 0))
        kept = len(shown.replace("…", ""))
        if shown != text and kept < min(MIN_TAB_CHARS, len(text)):
            found.append(Finding("elided tab", f"{describe(bar)} tab {text!r}",
                                 f"shown as {shown!r} in {bar.tabRect(i).width()} px"))
    return found


#: Padding QTabBar keeps each side of an elided title (the fusion style's, about).
MIN_TAB_PADDING = 6


def check_toolbar_overflow(toolbar: QToolBar) -> list[Finding]:
    """A toolbar whose actions do not all fit shows its extension button ("»"): what is
    behind it, a class never sees and a teacher must hunt for."""
    extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    if extension is None or not extension.isVisible():
        return []
    hidden = [_plain(a.text()) for a in toolbar.actions() if not a.isSeparator() and a.isVisible()
              and ((widget := toolbar.widgetForAction(a)) is None or not widget.isVisible())]
    if not hidden:
        return []  # (Qt leaves the button shown now and then with nothing behind it)
    return [Finding("toolbar overflow", f"QToolBar#{toolbar.objectName() or '-'}",
                    f"{toolbar.width()} px wide; behind its » button: {hidden}")]


def check_fits_screen(window: QWidget) -> list[Finding]:
    """A window must fit its screen's available area (the whole screen when full screen),
    frame included: at its minimum size, larger, it runs past the screen's edges however it
    is placed (at 1024 x 768, presenting the k-means split view, the window was 1097 px
    wide: the right column cut off); and as it is, since Qt grows a window to a minimum that
    grew but never shrinks it back (presenting at 1024 x 768 the window was 1024 x 816: its
    bottom 48 px, the status line among them, off the screen). What lies past the edges a
    class never sees."""
    screen = window.screen()
    if screen is None or not window.isWindow():
        return []
    room = screen.availableGeometry().size()
    frame = window.frameGeometry().size() - window.geometry().size()
    need = window.minimumSize().expandedTo(window.minimumSizeHint()) + frame
    if need.width() > room.width() or need.height() > room.height():
        return [Finding("too large", describe(window),
                        f"at least {need.width()} x {need.height()} px on a screen of "
                        f"{room.width()} x {room.height()} px")]
    area = screen.geometry() if window.isFullScreen() else screen.availableGeometry()
    shown = window.frameGeometry()
    if area.contains(shown):
        return []
    inside = shown.intersected(area)
    return [Finding("too large", describe(window),
                    f"its frame, {shown.width()} x {shown.height()} px at ({shown.x()}, "
                    f"{shown.y()}), has {shown.width() - inside.width()} x "
                    f"{shown.height() - inside.height()} px off the screen's "
                    f"{area.width()} x {area.height()} px at ({area.x()}, {area.y()})")]


def _clipped_table(table: QTableView) -> list[Finding]:
    """Cells whose text needs more than the cell, and a table that must scroll to show all
    its cells (a class cannot scroll)."""
    found = []
    model = table.model()
    if model is None:
        return found
    if table.verticalScrollBar().isVisible() or table.horizontalScrollBar().isVisible():
        found.append(Finding("clipped", describe(table),
                             f"scrolls: {model.rowCount()} rows x {model.columnCount()} columns "
                             f"in {table.viewport().width()} x {table.viewport().height()} px"))
    fm = QFontMetrics(table.font())
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if text is None or str(text) == "":
                continue
            rect = table.visualRect(index)
            if not rect.isValid() or not table.viewport().rect().intersects(rect):
                continue
            item_font = index.data(Qt.ItemDataRole.FontRole)
            metrics = QFontMetrics(item_font) if item_font is not None else fm
            lines = str(text).split("\n")
            need_w = max(metrics.horizontalAdvance(line) for line in lines) + margin
            need_h = len(lines) * metrics.lineSpacing()
            if need_w > rect.width() + SLACK or need_h > rect.height() + SLACK:
                cell = f"{describe(table)} cell ({row}, {column}) {str(text)[:30]!r}"
                found.append(Finding("clipped", cell,
                                     f"needs {need_w} x {need_h} px, has {rect.width()} x {rect.height()}"))
    for header, orientation in ((table.horizontalHeader(), Qt.Orientation.Horizontal),
                                (table.verticalHeader(), Qt.Orientation.Vertical)):
        if not header.isVisible():
            continue
        hfm = QFontMetrics(header.font())
        count = model.columnCount() if orientation == Qt.Orientation.Horizontal else model.rowCount()
        for section in range(count):
            text = model.headerData(section, orientation, Qt.ItemDataRole.DisplayRole)
            if not text:
                continue
            size = header.sectionSize(section)
            lines = str(text).split("\n")
            if orientation == Qt.Orientation.Horizontal:
                need, room = max(hfm.horizontalAdvance(x) for x in lines) + margin, size
            else:
                need, room = len(lines) * hfm.lineSpacing(), size
            if need > room + SLACK:
                found.append(Finding("clipped", f"{describe(table)} header {str(text)[:30]!r}",
                                     f"needs {need} px, section {room} px"))
    return found


def check_inside_parent(widget: QWidget) -> list[Finding]:
    """A text widget that reaches out of its parent is cut by it (a scroll area's page may be
    larger than its view: it scrolls)."""
    parent = widget.parentWidget()
    if parent is None or widget.isWindow() or not shows_text(widget) or _in_scroll_area(widget):
        return []
    if isinstance(parent, QStatusBar | QMenu):
        return []
    geometry = widget.geometry()
    if parent.rect().contains(geometry):
        return []
    cut = geometry.intersected(parent.rect())
    if cut.width() >= geometry.width() - SLACK and cut.height() >= geometry.height() - SLACK:
        return []
    return [Finding("clipped", describe(widget),
                    f"{geometry.width()} x {geometry.height()} px at ({geometry.x()}, {geometry.y()}) "
                    f"in a parent of {parent.width()} x {parent.height()} px")]


def check_scroll_width(area: QScrollArea) -> list[Finding]:
    """A scroll area without a horizontal scroll bar whose page is wider than its view: the
    page's right part is cut off, out of reach (the Equations tab presenting at 1280 x 800:
    "M-step ◀ just ran: new θ fro"), which check_inside_parent takes for scrolling."""
    page = area.widget()
    if (page is None or not page.isVisible()
            or area.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff):
        return []
    view = area.viewport().width()
    if page.width() <= view + SLACK:
        return []
    return [Finding("clipped", describe(area),
                    f"its page is {page.width()} px wide in a view of {view} px, with no "
                    "scroll bar: its right part is cut off")]


def check_overlap(widgets: Iterable[QWidget]) -> list[Finding]:
    """Sibling text widgets drawn on top of one another."""
    by_parent: dict[int, list[QWidget]] = {}
    for w in widgets:
        if shows_text(w) and w.parentWidget() is not None and not w.isWindow():
            by_parent.setdefault(id(w.parentWidget()), []).append(w)
    found = []
    for siblings in by_parent.values():
        for i, a in enumerate(siblings):
            for b in siblings[i + 1:]:
                both = a.geometry().intersected(b.geometry())
                if both.width() > 2 * SLACK and both.height() > 2 * SLACK:
                    found.append(Finding("overlap", f"{describe(a)} and {describe(b)}",
                                         f"{both.width()} x {both.height()} px in common"))
    return found


def check_status_bar(bar: QStatusBar) -> list[Finding]:
    """A status bar draws a temporary message across its whole width: no text widget of its
    own may show under it."""
    message = bar.currentMessage()
    if not message:
        return []
    under = [w for w in bar.findChildren(QWidget) if w.isVisible() and shows_text(w)
             and w.parentWidget() is bar]
    return [Finding("overlap", f"status bar message {message[:40]!r}",
                    f"drawn over {describe(w)}") for w in under]


def check_font(widget: QWidget, presenting: bool) -> list[Finding]:
    if not presenting or not shows_text(widget):
        return []
    fonts = [("text", widget.font())]
    if isinstance(widget, QTableView):
        fonts = [("cells", widget.font())]
        for header in (widget.horizontalHeader(), widget.verticalHeader()):
            if header.isVisible():
                fonts.append(("header", header.font()))
    found = []
    for what, font in fonts:
        pt = font_pt(font, widget)
        if pt < PRESENT_MIN_PT - 0.01:
            found.append(Finding("small text", describe(widget), f"{what} at {pt:.1f} pt"))
    return found


def check_dock_title(dock: QDockWidget, presenting: bool) -> list[Finding]:
    """A dock's title that Qt draws (no widget's text: its font is not always the dock's,
    see gui/dock_title.py), measured as drawn: its rows of ink against those of the same text
    at PRESENT_MIN_PT in the dock's font, elided to the same room."""
    if not presenting or not qt_draws_title(dock) or not dock.windowTitle().strip():
        return []
    large = QFont(dock.font())
    large.setPointSizeF(PRESENT_MIN_PT)
    strip = title_strip(dock)
    margin = dock.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetTitleMargin, None, dock)
    shown = QFontMetrics(large).elidedText(dock.windowTitle(), Qt.TextElideMode.ElideRight,
                                           strip.width() - 2 * margin)
    drawn, wanted = drawn_title_rows(dock), text_rows(large, shown)
    if drawn >= wanted - 1:  # (one row: where anti-aliasing falls)
        return []
    return [Finding("small text", f"{describe(dock)} title {dock.windowTitle()[:40]!r}",
                    f"drawn {drawn} px high, {wanted} px at {PRESENT_MIN_PT:.0f} pt")]


def check_contrast(widget: QWidget, presenting: bool) -> list[Finding]:
    if not shows_text(widget) or isinstance(widget, QTableView | QTextEdit):
        return []
    limit = MIN_CONTRAST_PRESENTING if presenting else MIN_CONTRAST
    if not widget.isEnabled():
        return []  # WCAG exempts inactive controls
    back = background_of(widget)
    found = []
    for color in text_colors(widget):
        ratio = contrast_ratio(rgb(blend(color, back)), rgb(back))
        if ratio < limit - 0.005:
            found.append(Finding("contrast", describe(widget),
                                 f"{color.name()} on {back.name()}: {ratio:.2f}:1 < {limit}:1"))
    return found


def own_background(widget: QWidget) -> QColor | None:
    """The colour a widget paints behind its contents itself, or None if it shows its
    parent's: a style sheet's background, a filled background, a scroll area's filled
    viewport, a pyqtgraph view's background brush."""
    sheet_bg = stylesheet_color(widget.styleSheet(), "background")
    if sheet_bg is not None and sheet_bg.alpha() > 0:
        return sheet_bg
    if isinstance(widget, pg.GraphicsView):
        brush = widget.backgroundBrush()
        return brush.color() if brush.style() != Qt.BrushStyle.NoBrush else None
    if widget.autoFillBackground():
        return QWidget.palette(widget).color(widget.backgroundRole())
    if isinstance(widget, QAbstractScrollArea) and widget.viewport().autoFillBackground():
        return QWidget.palette(widget.viewport()).color(widget.viewport().backgroundRole())
    return None


def check_light_blocks(window: QWidget) -> list[Finding]:
    """In a dark window, no widget paints a large light block (a page left white)."""
    window_bg = QWidget.palette(window).color(QPalette.ColorRole.Window)
    if relative_luminance(rgb(window_bg)) >= DARK_WINDOW:
        return []
    found = []
    for widget in visible_widgets(window):
        if widget is window or widget.width() * widget.height() < LIGHT_BLOCK_AREA:
            continue
        back = own_background(widget)
        if back is not None and back.alpha() > 127 and relative_luminance(rgb(back)) > LIGHT_BLOCK:
            found.append(Finding("light block", describe(widget),
                                 f"{back.name()} over {widget.width()} x {widget.height()} px "
                                 f"in a dark window ({window_bg.name()})"))
    return found


# -- plots -----------------------------------------------------------------------------------
def check_plot(view: pg.GraphicsView, presenting: bool) -> list[Finding]:
    """Text items of a pyqtgraph view: inside the view (and inside their plot area for text
    placed in data coordinates), large enough while presenting, and readable on the view's
    background; curves drawn in component colours readable on it too."""
    found = []
    where = f"{type(view).__name__}#{view.objectName() or '-'}"
    scene = view.scene()
    view_rect = QRectF(view.viewport().rect())
    back = view.backgroundBrush().color()
    grabbed: list = []

    def pixels():  # what is under each text (a bar, a band, the background): drawn once, if asked
        if not grabbed:
            grabbed.append(view.grab().toImage())
        return grabbed[0]
    limit = MIN_CONTRAST_PRESENTING if presenting else MIN_CONTRAST
    for item in scene.items():
        if not item.isVisible() or not shown_in_scene(item):
            continue
        if isinstance(item, pg.AxisItem):
            found += _check_axis(item, view, where, presenting, back, limit)
        elif isinstance(item, pg.TextItem):
            text = item.textItem.toPlainText().strip()
            if not text:
                continue
            rect = _ink_rect(view, item.textItem)
            box = item.getViewBox()
            bounds = (view.mapFromScene(box.sceneBoundingRect()).boundingRect() if box is not None
                      else view_rect)
            if not _rect_inside(QRectF(rect), QRectF(bounds)) and QRectF(rect).intersects(QRectF(bounds)):
                found.append(Finding("plot text", f"{where} TextItem {text[:30]!r}",
                                     f"{_r(rect)} not inside its plot {_r(bounds)}"))
            under = _colour_under(pixels(), rect, back)
            if item.fill.style() != Qt.BrushStyle.NoBrush:
                under = blend(item.fill.color(), under)
            for pt, color in _fragments(item.textItem, view):
                if presenting and pt < PRESENT_MIN_PT - 0.01:
                    found.append(Finding("small text", f"{where} TextItem {text[:30]!r}", f"{pt:.1f} pt"))
                ratio = contrast_ratio(rgb(blend(color, under)), rgb(under))
                if ratio < limit - 0.005:
                    found.append(Finding("contrast", f"{where} TextItem {text[:30]!r}",
                                         f"{color.name()} on {under.name()}: {ratio:.2f}:1"))
        elif isinstance(item, pg.PlotCurveItem):
            found += _check_curve(item, where, back)
        elif isinstance(item, pg.LabelItem):
            text = re.sub(r"<[^>]+>", "", item.text or "").strip()
            if not text:
                continue
            rect = _ink_rect(view, item.item)
            if not _rect_inside(QRectF(rect), view_rect):
                found.append(Finding("plot text", f"{where} label {text[:30]!r}",
                                     f"{_r(rect)} not inside the view {_r(view_rect)}"))
            pt = css_size_pt(item.opts.get("size"), view.logicalDpiY())
            pt = pt if pt is not None else font_pt(item.item.font(), view)
            if presenting and pt < PRESENT_MIN_PT - 0.01:
                found.append(Finding("small text", f"{where} label {text[:30]!r}", f"{pt:.1f} pt"))
    found += check_legends(view)
    return found


def check_legends(view: pg.GraphicsView) -> list[Finding]:
    """A legend drawn over a curve's or a scatter's data hides it: Choose K at K = 1 while
    presenting at 1024 x 768, the legend covered the curves' first points. Each point, and
    points along each segment of a curve, must lie outside every legend's box
    (emviz.gui.legend_room.data_under)."""
    where = f"{type(view).__name__}#{view.objectName() or '-'}"
    legends = [item for item in view.scene().items()
               if isinstance(item, pg.LegendItem) and item.items and shown_in_scene(item)]
    found = []
    for legend in legends:
        box = legend_box(view, legend, SLACK)
        found += [Finding("overlap", f"{where} legend over {name}",
                          f"{n} of its points under the legend at {_r(box)}")
                  for name, n in data_under(view, box).items()]
    return found


@functools.cache
def _component_rgbs() -> frozenset[tuple[int, int, int]]:
    """Every component colour of every theme's palette (K_MAX of each)."""
    from ..look.colors import component_colors
    from ..session.schema import K_MAX

    return frozenset(tuple(int(c) for c in rgb) for theme in ("light", "dark")
                     for rgb in component_colors(K_MAX, theme))


def _check_curve(curve: pg.PlotCurveItem, where: str, back: QColor) -> list[Finding]:
    """A curve in a component colour with under MIN_GRAPHIC_CONTRAST on its plot is found,
    unless a casing outlines it: a shadow pen wider than the line, with that contrast on the
    plot and on the line's colour (the light plots' orange, sky blue and yellow)."""
    pen = curve.opts.get("pen")
    if pen is None or pen.style() == Qt.PenStyle.NoPen:
        return []
    color = pen.color()
    if rgb(color) not in _component_rgbs() or color.alpha() == 0:
        return []
    line = blend(color, back)
    ratio = contrast_ratio(rgb(line), rgb(back))
    if ratio >= MIN_GRAPHIC_CONTRAST - 0.005:
        return []
    casing = curve.opts.get("shadowPen")
    if casing is not None and casing.style() != Qt.PenStyle.NoPen \
            and casing.widthF() > max(pen.widthF(), 1.0):
        edge = blend(casing.color(), back)
        if min(contrast_ratio(rgb(edge), rgb(back)),
               contrast_ratio(rgb(edge), rgb(line))) >= MIN_GRAPHIC_CONTRAST - 0.005:
            return []
    name = curve.name() or curve.objectName() or "-"
    return [Finding("contrast", f"{where} curve {name}",
                    f"component colour {color.name()} on {back.name()}: {ratio:.2f}:1 < "
                    f"{MIN_GRAPHIC_CONTRAST}:1, and no casing")]


def _check_axis(axis: pg.AxisItem, view, where: str, presenting: bool, back: QColor,
                limit: float) -> list[Finding]:
    found = []
    if not axis.style.get("showValues", True) and not axis.labelText:
        return found
    name = f"{where} axis {axis.orientation}"
    if axis.labelText and axis.label.isVisible():
        rect = _ink_rect(view, axis.label)
        # the title's own box is as wide as its text: it must lie within the axis' length
        text_rect = QRectF(rect)
        if not _rect_inside(text_rect, QRectF(view.viewport().rect())):
            found.append(Finding("plot text", f"{name} title {axis.labelText[:30]!r}",
                                 f"{_r(rect)} not inside the view"))
        along = (text_rect.width(), axis.size().width()) if axis.orientation in ("top", "bottom") \
            else (text_rect.height(), axis.size().height())
        if along[0] > along[1] + SLACK:
            found.append(Finding("plot text", f"{name} title {axis.labelText[:30]!r}",
                                 f"{along[0]:.0f} px along an axis of {along[1]:.0f} px"))
        if presenting:
            pt = css_size_pt(axis.labelStyle.get("font-size"), view.logicalDpiY())
            pt = pt if pt is not None else font_pt(axis.label.font(), view)
            if pt < PRESENT_MIN_PT - 0.01:
                found.append(Finding("small text", f"{name} title {axis.labelText[:30]!r}", f"{pt:.1f} pt"))
        found += _check_title_beside_ticks(axis, name)
    if presenting and axis.style.get("showValues", True):
        tick = axis.style["tickFont"]
        pt = font_pt(tick, view) if tick is not None else font_pt(QApplication.font(), view)
        if pt < PRESENT_MIN_PT - 0.01:
            found.append(Finding("small text", f"{name} ticks", f"{pt:.1f} pt"))
    color = axis.textPen().color()
    ratio = contrast_ratio(rgb(blend(color, back)), rgb(back))
    if ratio < limit - 0.005:
        found.append(Finding("contrast", f"{name} text", f"{color.name()} on {back.name()}: {ratio:.2f}:1"))
    return found


#: Clear space a left or right axis title keeps from its tick labels' column: closer, the
#: title reads as part of them (the Point tab's "r_nk" 1 px from "0.5": "10.5").
MIN_TITLE_GAP = 2.0


def _check_title_beside_ticks(axis: pg.AxisItem, name: str) -> list[Finding]:
    """A left (right) axis title's text, its box less the document's blank margin, must end
    MIN_TITLE_GAP px before (begin after) the column its tick labels are drawn in: the labels'
    boxes as pyqtgraph lays them out for its next paint, in the axis' coordinates."""
    if axis.orientation not in ("left", "right") or not axis.style.get("showValues", True):
        return []
    picture = QPicture()
    painter = QPainter(picture)
    try:
        specs = axis.generateDrawSpecs(painter)  # as its paint does
    finally:
        painter.end()
    labels = [rect for rect, _flags, _text in (specs[2] if specs else [])]
    if not labels:
        return []
    m = axis.label.document().documentMargin()
    title = axis.label.mapRectToParent(axis.label.boundingRect().adjusted(m, m, -m, -m))
    if axis.orientation == "left":
        gap = min(r.left() for r in labels) - title.right()
    else:
        gap = title.left() - max(r.right() for r in labels)
    if gap >= MIN_TITLE_GAP - 0.01:
        return []
    return [Finding("overlap", f"{name} title {axis.labelText[:30]!r}",
                    f"{gap:.1f} px from its tick labels (at least {MIN_TITLE_GAP:g})")]


def _fragments(text_item, view) -> list[tuple[float, QColor]]:
    """(size in points, colour) of each run of visible text in a QGraphicsTextItem: a rich
    text's own sizes and colours (an HTML tag's "font-size:12pt; color:#000") or the item's."""
    out = set()
    default_pt = font_pt(text_item.font(), view)
    default_color = text_item.defaultTextColor()
    block = text_item.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.isValid() and fragment.text().strip():
                fmt = fragment.charFormat()
                pt = fmt.fontPointSize() or default_pt
                brush = fmt.foreground()
                color = brush.color() if brush.style() != Qt.BrushStyle.NoBrush else default_color
                out.add((round(pt, 2), QColor(color).rgba()))
            it += 1
        block = block.next()
    return [(pt, QColor.fromRgba(c)) for pt, c in sorted(out)] or [(default_pt, default_color)]


def _colour_under(image, rect: QRect, default: QColor) -> QColor:
    """The commonest colour of the pixels in ``rect`` (the text's glyphs cover less of it than
    what lies under them)."""
    rect = rect.intersected(image.rect())
    if rect.isEmpty():
        return default
    counts: dict[int, int] = {}
    step = max(1, min(rect.width(), rect.height()) // 12)
    for y in range(rect.top(), rect.bottom() + 1, step):
        for x in range(rect.left(), rect.right() + 1, step):
            value = image.pixel(x, y) & 0xFFFFFF
            counts[value] = counts.get(value, 0) + 1
    return QColor(max(counts, key=counts.get))


def _ink_rect(view: pg.GraphicsView, text_item) -> QRect:
    """Where a QGraphicsTextItem's text lies in the view (its box without the document's
    margin, which is blank)."""
    m = text_item.document().documentMargin()
    rect = text_item.boundingRect().adjusted(m, m, -m, -m)
    return view.mapFromScene(text_item.mapToScene(rect)).boundingRect()


def _rect_inside(inner: QRectF, outer: QRectF) -> bool:
    return inner.adjusted(SLACK, SLACK, -SLACK, -SLACK).intersected(outer) == \
        inner.adjusted(SLACK, SLACK, -SLACK, -SLACK)


def _r(rect) -> str:
    return f"[{rect.x():.0f}, {rect.y():.0f}, {rect.width():.0f} x {rect.height():.0f}]"


# -- everything ------------------------------------------------------------------------------
def audit(windows: Iterable[QWidget], presenting: bool) -> list[Finding]:
    """Every check on every visible widget and plot of these windows."""
    found: list[Finding] = []
    for window in windows:
        widgets = list(visible_widgets(window))
        for widget in widgets:
            found += check_clipped(widget)
            found += check_inside_parent(widget)
            if isinstance(widget, QTextEdit):
                found += check_scrolled_text(widget, presenting)
            if isinstance(widget, QScrollArea):
                found += check_scroll_width(widget)
            found += check_font(widget, presenting)
            found += check_contrast(widget, presenting)
            if isinstance(widget, QStatusBar):
                found += check_status_bar(widget)
            if isinstance(widget, QTabBar):
                found += check_elided_tabs(widget)
            if isinstance(widget, QToolBar):
                found += check_toolbar_overflow(widget)
            if isinstance(widget, QDockWidget):
                found += check_dock_title(widget, presenting)
            if isinstance(widget, pg.GraphicsView):
                found += check_plot(widget, presenting)
        found += check_overlap(widgets)
        found += check_light_blocks(window)
        found += check_fits_screen(window)
    return _unique(found)


def _unique(found: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in found:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out
