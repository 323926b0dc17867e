"""Tab titles in rows: when the explanation tabs cannot all show side by side (the split
views' narrow column, presentation mode's 18 pt titles at 1280 x 800), their titles wrap
onto a second row of buttons instead of being elided to "l…" (unreadable from the back of
the room) or hidden behind scroll arrows (a class cannot see that they exist).

Why rows and not a side list or icons: a list beside the pages takes the width the plots
need in that very column, icons must be learnt, and shorter titles than "ln p, L" or
"Choose K" say nothing; a second row costs one line of height, and only when needed.

``TabRows(tabs)`` stands above a QTabWidget whose bar is a SnugTabBar: while the bar fits
(``SnugTabBar.fits``) the bar shows and the rows hide; when it does not, the bar hides and
one checkable button per tab, in rows as wide as the column, switches the pages. The
QTabWidget stays the one place of the titles, tooltips and current page."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionTabWidgetFrame,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class FlowLayout(QLayout):
    """Items left to right, wrapping onto the next row when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 2) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt API)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt API)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt API)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt API)
        return Qt.Orientation(0)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt API)
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt API)
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _place(self, rect: QRect, move: bool) -> int:
        x, y, row_height = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, row_height = rect.x(), y + row_height + self.spacing(), 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self.spacing()
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y()


class TabRows(QWidget):
    """The titles of ``tabs`` as buttons in rows (see the module's docstring)."""

    def __init__(self, tabs: QTabWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explainTabRows")
        self.tabs = tabs
        self._flow = FlowLayout(self)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._group.idClicked.connect(tabs.setCurrentIndex)
        self._buttons: list[QToolButton] = []
        # Its height set for its width (resizeEvent), not a height-for-width layout: Qt's main
        # window asked that for a narrow width and grew the window past its screen.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        tabs.currentChanged.connect(self._show_current)
        bar = tabs.tabBar()
        bar.fitted.connect(self.sync)
        self.hide()

    @property
    def buttons(self) -> list[QToolButton]:
        return list(self._buttons)

    def sync(self) -> None:
        """The bar when it fits, else the rows (rebuilt if the titles changed)."""
        bar = self.tabs.tabBar()
        rows = not bar.fits
        if rows:
            self._rebuild()
        bar.setVisible(not rows)
        self.setVisible(rows)
        if rows:
            self._fit_height()

    def _rebuild(self) -> None:
        tabs = self.tabs
        titles = [(tabs.tabText(i), tabs.tabToolTip(i)) for i in range(tabs.count())]
        if titles == [(b.text(), b.toolTip()) for b in self._buttons]:
            self._show_current(tabs.currentIndex())
            return
        for button in self._buttons:
            self._group.removeButton(button)
            self._flow.removeWidget(button)
            # Off the screen now, not when the event loop gets round to deleting it (until
            # then each old button sat under its successor, its text on top of the new one's).
            button.hide()
            button.deleteLater()
        self._buttons = []
        for i, (title, tip) in enumerate(titles):
            button = QToolButton(self)
            button.setObjectName(f"tabRow{i}")
            button.setText(title)
            button.setToolTip(tip)
            button.setCheckable(True)  # the page shown: drawn pressed
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self._group.addButton(button, i)
            self._flow.addWidget(button)
            self._buttons.append(button)
        self._show_current(tabs.currentIndex())
        self._fit_height()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        height = self._flow.heightForWidth(self.width())
        if height > 0 and self.height() != height:
            self.setFixedHeight(height)

    def _show_current(self, index: int) -> None:
        for i, button in enumerate(self._buttons):
            button.setChecked(i == index)
            button.setEnabled(self.tabs.isTabEnabled(i))  # a tab that is off (1-D) is off here too


#: A page is never squeezed below this (px): a plot's labels need the room (the Why plot at
#: 80 px put its θ_old and θ_new under its axis). Below it, the parameter table under the page
#: folds away (split_room.TableRoom). 240 held the window at 1024 x 768 with the lesson open
#: 40 px taller than its screen.
MIN_PAGE_HEIGHT = 200


class ExplanationTabs(QTabWidget):
    """A QTabWidget whose minimum height is its current page's, not its tallest page's: the
    Point tab's wrapped text (305 px) held every other page, and with them the lesson's band
    under the views, to its height (at 1280 x 800 the band's title and "What to click next"
    box were cut to 22 and 35 px); and whose minimum width is its pages' when its bar is
    hidden."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(lambda _: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = super().minimumSizeHint()
        page = self.currentWidget()
        if page is None:
            return hint
        bar = self.tabBar()
        bar_height = bar.sizeHint().height() if bar.isVisibleTo(self) else 0
        frame = 2 * self.style().pixelMetric(self.style().PixelMetric.PM_DefaultFrameWidth, None, self)
        page_height = max(page.minimumSizeHint().height(), MIN_PAGE_HEIGHT)
        # The bar hidden (its titles in TabRows), its width is no minimum: Qt counts it
        # all the same (presenting at 1024 x 768 the column took the 514 px the eight titles
        # need at 18 pt, and the window was 73 px wider than its screen).
        width = hint.width() if bar.isVisibleTo(self) else (
            self.findChild(QStackedWidget).minimumSizeHint().width() + frame)
        return QSize(width, min(hint.height(), page_height + bar_height + self._pane_margins()))

    def _pane_margins(self) -> int:
        """The height (px) the pane's frame and margins take around the page, as the style
        lays it out (Fusion: 4). Counted as twice the default frame width (2), the tabs at their
        least height gave their page 198 px of its 200 (MIN_PAGE_HEIGHT), and the parameter
        table under it folded away (split_room.TableRoom) at 1024 x 768 with the lesson open."""
        option = QStyleOptionTabWidgetFrame()
        self.initStyleOption(option)
        around = self.style().sizeFromContents(QStyle.ContentsType.CT_TabWidget, option, QSize(0, 0), self)
        return around.height()


def with_tab_rows(tabs: QTabWidget) -> tuple[QWidget, TabRows]:
    """A widget holding ``TabRows(tabs)`` over ``tabs``, to put where ``tabs`` would go."""
    holder = QWidget()
    holder.setObjectName("explainTabsHolder")
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    rows = TabRows(tabs, holder)
    layout.addWidget(rows)
    layout.addWidget(tabs, 1)
    return holder, rows
