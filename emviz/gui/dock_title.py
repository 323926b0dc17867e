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

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
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
