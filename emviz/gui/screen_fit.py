"""A top-level window placed so that all of it, frame included, lies on its screen.

``resize`` sizes a window's inside; its frame (title bar, borders) comes on top. A window
resized to its screen's free area ran past the screen's edges by its frame: the gallery
presenting at 1280 x 800 was 1284 x 804, and the Sample window's 980 x 760 left its bottom
2 px past a 768 px screen. What lies past the edges a class never sees (the screen audit's
check_fits_screen finds it).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def frame_margins(window: QWidget) -> QMargins:
    """How far the window's frame reaches past its inside on each side (0 before the window
    system has framed it)."""
    frame, inside = window.frameGeometry(), window.geometry()
    return QMargins(inside.left() - frame.left(), inside.top() - frame.top(),
                    frame.right() - inside.right(), frame.bottom() - inside.bottom())


def free_area(window: QWidget) -> QRect | None:
    """The window's screen's available geometry (without task bars), or None off screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else None


def fit_on_screen(window: QWidget, size: QSize | None = None, centre: bool = False) -> None:
    """Resize ``window`` to ``size`` (its own size if None), no larger than its screen's free
    area leaves inside its frame, and move it so that its frame lies inside that area (its
    position kept where it can be; ``centre``: in the area's middle)."""
    area = free_area(window)
    if area is None:
        return
    if window.windowHandle() is None:
        window.winId()  # created, the window system says how large its frame is
    margins = frame_margins(window)
    room = area.marginsRemoved(margins)
    want = (size if size is not None else window.size()).boundedTo(room.size())
    if want != window.size():
        window.resize(want)
    width = want.width() + margins.left() + margins.right()
    height = want.height() + margins.top() + margins.bottom()
    if centre:
        x, y = area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2
    else:
        x, y = window.frameGeometry().x(), window.frameGeometry().y()
    x = max(area.left(), min(x, area.x() + area.width() - width))
    y = max(area.top(), min(y, area.y() + area.height() - height))
    if (x, y) != (window.frameGeometry().x(), window.frameGeometry().y()):
        window.move(x, y)  # (a top-level window's position is its frame's)
