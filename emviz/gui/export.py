"""Images of the window and its plots: PNG at 1x, 2x or 4x (re-rendered, not upscaled) and
SVG (vector, through Qt's SVG painter, with the plots' caches off: every plot element an
SVG element). Both are made in memory and saved through write_atomic, as every file emviz
writes, and name the emviz that made them (a PNG "Software" text chunk, the SVG's <desc>), so
a figure in a handout can be traced back."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

from .. import __version__
from ..dataio import DataError, write_atomic
from ..session.model import Workbench
from .point_cloud import whole_pictures

SCALES = (1, 2, 4)
#: What an exported image says made it (the PNG keyword "Software" is the standard one).
SOFTWARE = f"emviz {__version__}"


class ExportError(Exception):
    """An image that could not be written; the message is one line naming the file and why."""


def render_image(widget: QWidget, scale: int = 1) -> QImage:
    """The widget rendered into an image ``scale`` times its size (text and lines re-drawn
    at that resolution, as for a projector or print)."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale}")
    size = widget.size() * scale
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(QColor("white"))
    painter = QPainter(image)
    with whole_pictures():  # no raster stand-in waiting for the background in a file
        QWidget.render(widget, painter, QPoint(0, 0))  # QWidget's, not QGraphicsView's render
    painter.end()
    return image


def save_png(widget: QWidget, path: str | Path, scale: int = 1) -> None:
    """The widget as a PNG image ``scale`` times its size; see ``save_image``."""
    save_image(render_image(widget, scale), path)


def save_image(image: QImage, path: str | Path) -> None:
    """``image`` as a PNG file, encoded in memory and written atomically (write_atomic): a
    failed save leaves an existing file as it was. Raises ExportError naming the problem."""
    image = QImage(image)  # a shallow copy: the caller's image keeps its own text keys
    image.setText("Software", SOFTWARE)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError(f"{path}: cannot encode the image as PNG")
    buffer.close()
    _write(path, data.data())


def save_svg(widget: QWidget, path: str | Path, title: str = "emviz") -> None:
    """The widget as an SVG drawing: curves, ellipses and text stay vectors. Drawn in memory,
    then written atomically, so a full disk cannot leave half a drawing behind."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(title)
    generator.setDescription(f"Made with {SOFTWARE}")
    painter = QPainter()
    if not painter.begin(generator):
        raise ExportError(f"{path}: cannot draw the SVG")
    with vector_only(widget), whole_pictures():
        QWidget.render(widget, painter, QPoint(0, 0))  # QWidget's, not QGraphicsView's render
    painter.end()
    buffer.close()
    _write(path, data.data())


@contextmanager
def vector_only(widget: QWidget) -> Iterator[None]:
    """While drawing into an SVG, every plot in ``widget`` paints itself, not a cached image:
    the views' background cache (a blank full-page PNG in every file), the axes' device
    cache (ticks, grid and tick labels as one PNG) and pyqtgraph's marker atlas (each mean
    marker a 20 px PNG; in export mode a scatter draws each symbol as a path). All put back
    after, so the screen keeps its caches."""
    views = widget.findChildren(QGraphicsView)
    if isinstance(widget, QGraphicsView):
        views.append(widget)
    undo: list[Callable[[], None]] = []
    try:
        for view in views:
            undo.append(partial(view.setCacheMode, view.cacheMode()))
            view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
            view.resetCachedContent()
            for item in view.scene().items() if view.scene() is not None else ():
                if item.cacheMode() != QGraphicsItem.CacheMode.NoCache:
                    undo.append(partial(item.setCacheMode, item.cacheMode()))
                    item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
                if isinstance(item, pg.GraphicsItem):
                    item.setExportMode(True, {"antialias": True})
                    undo.append(partial(item.setExportMode, False))
        yield
    finally:
        for step in reversed(undo):
            step()


def _write(path: str | Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except DataError as error:
        raise ExportError(str(error)) from None


def default_name(model: Workbench, view: str, suffix: str = "png") -> str:
    """e.g. "emviz-old-faithful-standardised-K2-iter5-points.png"."""
    slug = re.sub(r"[^a-z0-9]+", "-", (model.dataset_name or "points").lower()).strip("-")
    state = model.current
    iteration = f"-iter{state.iteration}{'' if state.phase != 'E' else 'E'}" if state else ""
    return f"emviz-{slug}-K{model.settings.k}{iteration}-{view}.{suffix}"
