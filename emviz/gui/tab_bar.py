"""A tab bar that shows every title when it can: its titles take a slightly smaller font
before the last tabs hide behind scroll arrows (in presentation mode at 1920 x 1080 the seven
explanation tabs are about 40 px wider than their column)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QTabBar, QWidget

#: The smallest font the titles take, as a fraction of the tab widget's; narrower than that,
#: the scroll arrows come back.
MIN_FONT_SCALE = 0.8
#: Marks a widget that sizes its own font (presentation mode leaves it alone).
FITS_OWN_FONT = "emvizFitsOwnFont"


class SnugTabBar(QTabBar):
    """Titles in the tab widget's font, or the largest smaller one (down to MIN_FONT_SCALE of
    it) with which every tab fits the tab widget's width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty(FITS_OWN_FONT, True)
        self._fitting = False

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
        """Choose the titles' font for the tab widget's current width and font."""
        parent = self.parentWidget()
        if parent is None or self._fitting or self.count() == 0:
            return
        base = QFont(parent.font())
        size = self._largest_fitting_size(base, parent.contentsRect().width())
        self._fitting = True
        try:
            if size >= base.pointSizeF():
                self.setFont(QFont())  # no size of its own: the tab widget's font
            else:
                font = QFont(base)
                font.setPointSizeF(size)
                self.setFont(font)
        finally:
            self._fitting = False

    def _largest_fitting_size(self, base: QFont, available: int) -> float:
        """The largest point size, in quarter points from ``base``'s down to MIN_FONT_SCALE of
        it, at which the tabs' natural widths add up to no more than ``available``."""
        titles = [self.tabText(i) for i in range(self.count())]
        metrics = self.fontMetrics()  # the font the size hints below were measured in
        padding = sum(self.tabSizeHint(i).width() - metrics.horizontalAdvance(t)
                      for i, t in enumerate(titles))
        size = base.pointSizeF()
        if size <= 0:
            return size  # a font in pixels: leave it
        smallest = size * MIN_FONT_SCALE
        while size > smallest:
            font = QFont(base)
            font.setPointSizeF(size)
            fm = QFontMetrics(font)
            if padding + sum(fm.horizontalAdvance(t) for t in titles) <= available:
                return size
            size -= 0.25
        return smallest
