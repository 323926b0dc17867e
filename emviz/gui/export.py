"""Images of the window and its plots: PNG at 1x, 2x or 4x (re-rendered, not upscaled) and
SVG (vector, through Qt's SVG painter)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from ..model import Workbench

SCALES = (1, 2, 4)


class ExportError(Exception):
    """A file that could not be written; the message is one line naming it."""


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
    QWidget.render(widget, painter, QPoint(0, 0))  # QWidget's, not QGraphicsView's render
    painter.end()
    return image


def save_png(widget: QWidget, path: str | Path, scale: int = 1) -> None:
    if not render_image(widget, scale).save(str(path), "PNG"):
        raise ExportError(f"cannot write {path}")


def save_svg(widget: QWidget, path: str | Path, title: str = "emviz") -> None:
    """The widget as an SVG drawing: curves, ellipses and text stay vectors."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder does not exist")
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(title)
    painter = QPainter()
    if not painter.begin(generator):
        raise ExportError(f"cannot write {path}")
    QWidget.render(widget, painter, QPoint(0, 0))  # QWidget's, not QGraphicsView's render
    painter.end()
    if not path.is_file() or path.stat().st_size == 0:
        raise ExportError(f"cannot write {path}")


def default_name(model: Workbench, view: str, suffix: str = "png") -> str:
    """e.g. "emviz-old-faithful-standardised-K2-iter5-points.png"."""
    slug = re.sub(r"[^a-z0-9]+", "-", (model.dataset_name or "points").lower()).strip("-")
    state = model.current
    iteration = f"-iter{state.iteration}{'' if state.phase != 'E' else 'E'}" if state else ""
    return f"emviz-{slug}-K{model.settings.k}{iteration}-{view}.{suffix}"
