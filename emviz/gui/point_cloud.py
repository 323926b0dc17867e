"""A point renderer built for numbers: colours binned into a bounded palette, each bin drawn
with one QPainter.drawPoints over a QPolygonF filled straight from a numpy buffer.

No per-point Python object or call: the cost per frame is a few numpy passes plus one
drawPoints per colour bin. Positions are in data coordinates, so pan and zoom stay exact;
the dot size is in screen pixels (a cosmetic pen), like a scatter plot's markers.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.functions as fn
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from ..colors import LEVELS, code_colors, quantise

#: Below this many points each dot gets a dark rim (drawn first, one pixel wider), which
#: keeps light colours visible on white; above it the rim would only cost time.
OUTLINE_MAX_POINTS = 20_000


class PointCloudItem(pg.GraphicsObject):
    def __init__(self, size: float = 7.0) -> None:
        super().__init__()
        self._size = size
        self._groups: list[tuple[QColor, object]] = []  # (colour, QPolygonF) per colour bin
        self._n = 0
        self._bounds = QRectF()

    @property
    def size(self) -> float:
        return self._size

    def set_size(self, size: float) -> None:
        self._size = size
        self.update()

    def set_points(self, xy: np.ndarray, rgb: np.ndarray) -> None:
        """Show points ``xy`` (N, 2) in colours ``rgb`` (N, 3) uint8 (binned to LEVELS³)."""
        xy = np.asarray(xy, dtype=float)
        codes = quantise(rgb) if len(xy) else np.empty(0, dtype=np.uint16)
        counts = np.bincount(codes, minlength=LEVELS**3)
        present = np.flatnonzero(counts)
        order = np.argsort(codes, kind="stable")  # radix sort for uint16 codes
        ordered = xy[order]
        ends = np.cumsum(counts[present])
        groups = []
        for rgb_bin, start, end in zip(code_colors(present), ends - counts[present], ends,
                                       strict=True):
            polygon = fn.create_qpolygonf(int(end - start))
            fn.ndarray_from_qpolygonf(polygon)[:] = ordered[start:end]
            groups.append((QColor(*(int(c) for c in rgb_bin)), polygon))
        self._groups, self._n = groups, len(xy)
        self.prepareGeometryChange()
        if len(xy):
            lo, hi = xy.min(axis=0), xy.max(axis=0)
            self._bounds = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        else:
            self._bounds = QRectF()
        self.update()

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802 (pyqtgraph API)
        if self._n == 0:
            return None
        r = self._bounds
        return (r.left(), r.right()) if ax == 0 else (r.top(), r.bottom())

    def pixelPadding(self) -> float:  # noqa: N802 (pyqtgraph API)
        return self._size

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        if self._n == 0:
            return QRectF()
        # Pad by the dot radius in data units so dots at the edge are repainted too.
        px = self.pixelVectors()[0]
        pad = 0.0 if px is None else self._size * max(px.length(), 1e-300)
        return self._bounds.adjusted(-pad, -pad, pad, pad)

    def paint(self, painter: QPainter, *args) -> None:
        if not self._groups:
            return
        small = self._n <= OUTLINE_MAX_POINTS
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, small)
        pen = QPen()
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap if small else Qt.PenCapStyle.SquareCap)
        if small:
            pen.setColor(QColor(40, 40, 40))
            pen.setWidthF(self._size + 1.5)
            painter.setPen(pen)
            for _, polygon in self._groups:
                painter.drawPoints(polygon)
        pen.setWidthF(self._size)
        for color, polygon in self._groups:
            pen.setColor(color)
            painter.setPen(pen)
            painter.drawPoints(polygon)
