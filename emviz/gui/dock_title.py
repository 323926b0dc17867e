"""A dock's own title drawn in the dock's font (Qt's title bar, its float and close buttons).

QDockWidget keeps a font for its title from when it was made (``QApplication.font(
"QDockWidgetTitle")``, which is the application's font of that moment when no platform theme
names one) and draws the title with it whenever the dock's font is the application's font for
docks. Presentation mode sets a larger application font, so the dock's font is the
application's again and the title stayed at the window's size: 11 pt in a strip Qt had made
high enough for 18 pt (its height follows the dock's font). Drawing the title here with the
dock's own font keeps the title bar Qt's, its height and buttons unchanged.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import (
    QAbstractButton,
    QDockWidget,
    QStyle,
    QStyleOptionDockWidget,
    QStyleOptionFrame,
    QStylePainter,
)


def qt_draws_title(dock: QDockWidget) -> bool:
    """Whether the dock's title is Qt's to draw: no title bar widget of its own, and docked
    or floating where the window manager gives no frame (X11 and Wayland; elsewhere a floating
    dock's title is in the system's window frame)."""
    if dock.titleBarWidget() is not None:
        return False
    if not dock.isFloating():
        return True
    return QGuiApplication.platformName().lower().startswith(("xcb", "wayland"))


def paint_title(dock: QDockWidget) -> None:
    """Draw what QDockWidget.paintEvent draws (a floating dock's frame, the title in the
    style's way) with the painter in the dock's font, which QStylePainter starts with."""
    painter = QStylePainter(dock)
    if dock.isFloating():
        frame = QStyleOptionFrame()
        frame.initFrom(dock)
        painter.drawPrimitive(QStyle.PrimitiveElement.PE_FrameDockWidget, frame)
    title = QStyleOptionDockWidget()
    dock.initStyleOption(title)  # its fontMetrics are the dock's font's (initFrom)
    painter.drawControl(QStyle.ControlElement.CE_DockWidgetTitle, title)
    painter.end()


# -- the title as drawn (the screen audit and the tests measure it) --------------------------
def title_strip(dock: QDockWidget) -> QRect:
    """Where Qt draws the title's text: the strip above the dock's widget, left of its float
    and close buttons."""
    own = Qt.FindChildOption.FindDirectChildrenOnly
    buttons = [b.x() for b in dock.findChildren(QAbstractButton, options=own)
               if b.objectName().startswith("qt_dockwidget_") and b.isVisible()]
    return QRect(0, 0, min(buttons, default=dock.width()) - 2, dock.widget().y())


def ink_rows(image: QImage) -> int:
    """How many rows of ``image`` hold ink: pixels far (> 60 of 255 in grey) from its
    commonest grey, the ground; the first to the last such row."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(gray.constBits(), np.uint8).reshape(gray.height(), gray.bytesPerLine())
    pixels = rows[:, : gray.width()].astype(int)
    ground = np.bincount(pixels.ravel()).argmax()
    inked = np.flatnonzero((np.abs(pixels - ground) > 60).any(axis=1))
    return int(inked[-1] - inked[0] + 1) if inked.size else 0


def drawn_title_rows(dock: QDockWidget) -> int:
    """Rows of ink of the dock's title as drawn on screen."""
    return ink_rows(dock.grab(title_strip(dock)).toImage())


def text_rows(font: QFont, text: str) -> int:
    """Rows of ink of ``text`` drawn in ``font``, black on white."""
    metrics = QFontMetrics(font)
    image = QImage(metrics.horizontalAdvance(text) + 8, metrics.height() + 8,
                   QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setFont(font)
    painter.drawText(4, 4 + metrics.ascent(), text)
    painter.end()
    return ink_rows(image)
