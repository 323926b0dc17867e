"""A tab bar that shows every title when it can. Before the last tabs hide behind scroll
arrows, the tabs give up some of their padding, then their titles take a slightly smaller
font: at 1280 x 800 the seven explanation tabs are about 60 px wider than their column, and
in presentation mode at 1920 x 1080 about 40 px."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QStyle, QStyleOptionTab, QStylePainter, QTabBar, QWidget

#: Padding (px) a tab keeps around its title, however narrow the bar.
MIN_PADDING = 12
#: The smallest font the titles take, as a fraction of the tab widget's; narrower than that,
#: the scroll arrows come back.
MIN_FONT_SCALE = 0.8
#: ... but never below this (points) from a font at least this large (presentation mode's).
PRESENT_MIN_PT = 18.0
#: Marks a widget that sizes its own font (presentation mode leaves it alone).
FITS_OWN_FONT = "emvizFitsOwnFont"


class SnugTabBar(QTabBar):
    """Tabs narrowed by the same number of pixels each (keeping MIN_PADDING around the title),
    then titles in a smaller font (down to MIN_FONT_SCALE of the tab widget's), so that every
    tab fits the tab widget's width. ``fitted`` is emitted after each fit; ``fits``: whether
    every title shows whole."""

    fitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty(FITS_OWN_FONT, True)
        self.fits = True
        self._squeeze = 0  # px taken off each tab's natural width
        self._eliding = False  # the last resort: titles elided (whole in their tooltips)
        self._fitting = False

    # -- what Qt asks -------------------------------------------------------------------
    def tabSizeHint(self, index: int) -> QSize:  # noqa: N802 (Qt API)
        hint = super().tabSizeHint(index)
        hint.setWidth(hint.width() - self._squeeze)
        return hint

    def minimumTabSizeHint(self, index: int) -> QSize:  # noqa: N802 (Qt API)
        if self._eliding:
            return super().minimumTabSizeHint(index)  # Qt's: room for an elided title
        return self.tabSizeHint(index)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """As QTabBar draws its tabs (the current one last, on top), except that each title
        is laid out in the tab's unsqueezed width: the style would otherwise clip it to the
        text rect it keeps inside its full padding."""
        if self._squeeze == 0:
            super().paintEvent(event)
            return
        painter = QStylePainter(self)
        current = self.currentIndex()
        for i in [i for i in range(self.count()) if i != current] + ([current] if current >= 0 else []):
            if not self.isTabVisible(i):
                continue
            option = QStyleOptionTab()
            self.initStyleOption(option, i)
            painter.drawControl(QStyle.ControlElement.CE_TabBarTabShape, option)
            left = self._squeeze // 2
            option.rect = option.rect.adjusted(-left, 0, self._squeeze - left, 0)
            painter.drawControl(QStyle.ControlElement.CE_TabBarTabLabel, option)

    # -- when to fit --------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ParentChange and self.parentWidget() is not None:
            self.parentWidget().installEventFilter(self)  # its size and font set the bar's
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.parentWidget() and event.type() in (
                QEvent.Type.Resize, QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.fit()
        return False

    def tabInserted(self, index: int) -> None:  # noqa: N802 (Qt API)
        super().tabInserted(index)
        self.fit()

    def tabRemoved(self, index: int) -> None:  # noqa: N802 (Qt API)
        super().tabRemoved(index)
        self.fit()

    def fit(self) -> None:
        """Choose the squeeze and the titles' font for the tab widget's width and font."""
        parent = self.parentWidget()
        if parent is None or self._fitting or self.count() == 0:
            return
        self._fitting = True
        try:
            self._squeeze = 0
            self._elide(False)
            self.setFont(QFont())  # no size of its own: the tab widget's font
            natural = [super(SnugTabBar, self).tabSizeHint(i).width() for i in range(self.count())]
            titles = [self.fontMetrics().horizontalAdvance(self.tabText(i)) for i in range(self.count())]
            padding = min(n - t for n, t in zip(natural, titles, strict=True))
            available = parent.contentsRect().width()
            excess = sum(natural) - available
            self._squeeze = max(0, min(math.ceil(excess / self.count()), padding - MIN_PADDING))
            if excess > self._squeeze * self.count():
                fits = self._shrink_font(QFont(parent.font()), available, sum(natural) - sum(titles))
                self._elide(not fits)
            self.setElideMode(self.elideMode())  # Qt's way to lay the tabs out again
            self.update()
            self.fits = not self._eliding
        finally:
            self._fitting = False
        self.fitted.emit()

    def _shrink_font(self, base: QFont, available: int, padding: int) -> bool:
        """The largest point size, in quarter points below ``base``'s down to MIN_FONT_SCALE
        of it (and never below PRESENT_MIN_PT from a font at least that large: presentation
        mode's text is read from the back of the room), at which the titles and the squeezed
        padding fit ``available``. Whether they fit."""
        size = base.pointSizeF()
        if size <= 0:
            return True  # a font in pixels: leave it
        titles = [self.tabText(i) for i in range(self.count())]
        rest = padding - self._squeeze * self.count()

        def fits(points: float) -> bool:
            font = QFont(base)
            font.setPointSizeF(points)
            return rest + sum(QFontMetrics(font).horizontalAdvance(t) for t in titles) <= available

        smallest = size * MIN_FONT_SCALE
        if size >= PRESENT_MIN_PT:
            smallest = max(smallest, PRESENT_MIN_PT)
        while size - 0.25 >= smallest - 1e-9 and not fits(size):
            size -= 0.25
        font = QFont(base)
        font.setPointSizeF(size)
        self.setFont(font)
        return fits(size)

    def _elide(self, on: bool) -> None:
        """Titles elided (each whole in its tab's tooltip) instead of tabs behind scroll
        arrows, where a class cannot see that they exist."""
        self._eliding = on
        self.setUsesScrollButtons(not on)
        self.setElideMode(Qt.TextElideMode.ElideRight if on else Qt.TextElideMode.ElideNone)
