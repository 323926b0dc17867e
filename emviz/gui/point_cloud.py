"""A point renderer built for numbers, with two paths and nothing per point in Python.

- Vector (up to RASTER_MIN_POINTS points): colours binned into a bounded palette, each bin
  drawn with one QPainter.drawPoints over a QPolygonF filled straight from a numpy buffer;
  round, antialiased dots with a dark rim when there are few points.
- Raster (more points): the view is rasterised in numpy (emviz.look.raster): one owner point per
  pixel, recoloured per frame at a cost that depends on the pixels, not on N, then drawn as
  one image. Positions are mapped for the current view, so pan and zoom stay exact; the
  mapping is recomputed when the view changes. From LAYOUT_IN_BACKGROUND points on, that
  mapping (O(N)) runs in the job runner, not in paint, when the picture is for the screen:
  until it arrives the last image is drawn stretched to where its points now are (a
  resize, a pan, a zoom or the change of layout when presentation mode is entered never
  stops the event loop for it), and a new data set's first picture (a loaded file, the
  gallery's panels) comes a moment after its axes. Exports lay out at once.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
import pyqtgraph.functions as fn
import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTransform

from ..look.colors import LEVELS, code_colors, point_colors, quantise
from ..look.raster import dot_layout, owner_argb, paint_dots, pixel_owners
from .jobs import Background, runner_for

#: Up to this many points each dot is antialiased with a dark rim (keeps light colours
#: visible on white); above it both would cost more than they show.
OUTLINE_MAX_POINTS = 3_000
#: Above this many points the view is rasterised instead of drawn point by point.
RASTER_MIN_POINTS = 20_000
#: From this many points a new view extent or size is mapped to pixels in the background
#: (about 40 ms at 10⁶ points on a laptop's core): the last image stands in meanwhile.
LAYOUT_IN_BACKGROUND = 200_000


_whole_pictures = 0  # > 0 while an export draws: every raster is laid out at once


@contextmanager
def whole_pictures() -> Iterator[None]:
    """While this holds, raster views lay out at once in paint (an exported image or the
    clipboard's must be whole, not a stand-in waiting for the background)."""
    global _whole_pictures
    _whole_pictures += 1
    try:
        yield
    finally:
        _whole_pictures -= 1


class _ByArray:
    """A few values computed from an array, remembered by the array's identity (arrays are
    not hashable; the data's arrays are replaced, never changed in place). Views that show
    the same points (the gallery's panels) then compute them once per data set, not once
    each. Entries die with their array; at most ``size`` are kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: list[tuple[weakref.ref, object, object]] = []

    def get(self, array: np.ndarray, key: object, compute):
        self._entries = [e for e in self._entries if e[0]() is not None]
        for ref, k, value in self._entries:
            if ref() is array and k == key:
                return value
        value = compute()
        self.put(array, key, value)
        return value

    def peek(self, array: np.ndarray, key: object):
        """The value kept for (array, key), or None."""
        for ref, k, value in self._entries:
            if ref() is array and k == key:
                return value
        return None

    def put(self, array: np.ndarray, key: object, value: object) -> None:
        self._entries = [e for e in self._entries if e[0]() is not None
                         and not (e[0]() is array and e[1] == key)]
        self._entries = [(weakref.ref(array), key, value), *self._entries][: self.size]


#: (lo, hi) of each data set's points; the raster layouts of recent (points, view) pairs.
_BOUNDS = _ByArray(4)
_LAYOUTS = _ByArray(8)
#: Layouts being made in the background: (id of the points, view key, radius) -> (the view
#: that asked, the views waiting for the same). The gallery's panels show the same points in
#: views of one size: one of them has the layout made, the others wait for it (five threads
#: mapping the same 10⁶ points at once cost more than the one map they replaced).
_IN_FLIGHT: dict[tuple, tuple[weakref.ref, weakref.WeakSet]] = {}


def extent(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest x and y of ``xy`` (N, 2), N > 0, each (2,). Column by column:
    numpy's reduction along axis 0 of an (N, 2) array took 50 ms at 10⁶ points, these 3 ms."""
    return (np.array([xy[:, 0].min(), xy[:, 1].min()]),
            np.array([xy[:, 0].max(), xy[:, 1].max()]))


def data_bounds(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``extent(xy)``, computed once per array however many views show it."""
    return _BOUNDS.get(xy, None, lambda: extent(xy))


def _same(a: tuple, b: tuple) -> bool:
    """Equal raster inputs: the same responsibilities object, and equal palette, mode, view."""
    return a[0] is b[0] and a[1:] == b[1:]


class PointCloudItem(pg.GraphicsObject):
    def __init__(self, size: float = 7.0, dense_radius: int = 1) -> None:
        super().__init__()
        self.size = size  # vector dots' diameter in screen pixels
        self.dense_radius = dense_radius  # raster dots' radius when points are many
        self.mode = "auto"  # "vector", "raster" or "auto" (by the number of points)
        self._xy = np.empty((0, 2))
        self._resp: np.ndarray | None = None
        self._palette = np.empty((0, 3), dtype=np.uint8)
        self._soft = True
        self._groups: list[tuple[QColor, object]] = []  # vector path: (colour, QPolygonF)
        self._layout = None  # raster path: the DotLayout for _layout_key
        self._layout_key: object = None
        self._image: tuple[np.ndarray, QImage] | None = None
        self._prepared: tuple[tuple, tuple[np.ndarray, QImage]] | None = None  # see prepare
        self._bounds = QRectF()
        # The last image painted and the (points, view key) it was laid out for: drawn
        # stretched while the layout for a new view is computed in the background.
        self._shown: tuple[np.ndarray, tuple, tuple[np.ndarray, QImage]] | None = None
        self._layouts: Background | None = None  # made on the first background layout
        self._requested: tuple | None = None  # the _IN_FLIGHT key of its newest request
        self.background_layouts = 0  # how many layouts were computed off the GUI thread

    @property
    def laid_out(self) -> bool:
        """The raster layout fits the view as it is now (its next paint is the whole picture)."""
        return self._layout_key is not None and self._layout_key == self._view_key()

    @property
    def layout_pending(self) -> bool:
        """A layout for the current view is being computed in the background."""
        return self._layouts is not None and self._layouts.busy

    def set_dot_size(self, size: float, dense_radius: int) -> None:
        """Draw the dots this large (presentation mode): the same points, laid out again."""
        if (size, dense_radius) == (self.size, self.dense_radius):
            return
        self.prepareGeometryChange()  # the bounding rect is padded by the dot size
        self.size, self.dense_radius = size, dense_radius
        self._layout_key, self._image, self._prepared = None, None, None
        # _shown stays: the old dots stand in for a frame while the new size is laid out.
        self.update()

    @property
    def n_points(self) -> int:
        return len(self._xy)

    @property
    def raster(self) -> bool:
        return self.mode == "raster" or (self.mode == "auto" and self.n_points > RASTER_MIN_POINTS)

    def set_data(self, xy: np.ndarray, resp: np.ndarray | None, palette: np.ndarray,
                 soft: bool = True) -> None:
        """Points ``xy`` (N, 2) coloured by responsibilities ``resp`` (N, K) and ``palette``
        (K, 3) uint8, blended (soft) or by argmax; grey where resp is None."""
        if xy is not self._xy:
            self._xy = np.asarray(xy, dtype=float)
            self._layout_key = None
            self.prepareGeometryChange()
            if len(self._xy):
                lo, hi = data_bounds(self._xy)
                self._bounds = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
            else:
                self._bounds = QRectF()
        self._resp, self._palette, self._soft = resp, palette, soft
        self._image = None
        self._groups = [] if self.raster else self._vector_groups()
        inputs = self._raster_inputs(resp, palette, soft)
        if inputs is not None:  # colour now, not in paint: paint then only blits
            prepared = self._prepared
            self._image = prepared[1] if prepared and _same(prepared[0], inputs) else self._raster_image()
        self._prepared = None
        self.update()

    def prepare(self, xy: np.ndarray, resp: np.ndarray | None, palette: np.ndarray,
                soft: bool = True) -> None:
        """Colour the raster image for these arguments now, so that ``set_data`` with the
        same ones only swaps it in: a frame can colour a million points in one turn of the
        event loop and repaint in the next. Does nothing unless the points and the view
        are the ones already laid out."""
        inputs = self._raster_inputs(resp, palette, soft) if xy is self._xy else None
        if inputs is None or (self._prepared is not None and _same(self._prepared[0], inputs)):
            return
        self._prepared = (inputs, self._raster_image(resp, palette, soft))

    def _raster_inputs(self, resp, palette: np.ndarray, soft: bool) -> tuple | None:
        """What the raster image depends on, or None if it cannot be drawn before paint."""
        if not self.raster or self._layout_key is None or self._layout_key != self._view_key():
            return None
        return (resp, palette.tobytes(), soft, self._layout_key)

    # -- vector path ----------------------------------------------------------------------
    def _vector_groups(self) -> list[tuple[QColor, object]]:
        rgb = point_colors(self._resp, self._palette, self._soft, self.n_points)
        codes = quantise(rgb) if self.n_points else np.empty(0, dtype=np.uint16)
        counts = np.bincount(codes, minlength=LEVELS**3)
        present = np.flatnonzero(counts)
        ordered = self._xy[np.argsort(codes, kind="stable")]  # radix sort for uint16 codes
        ends = np.cumsum(counts[present])
        groups = []
        for colour, start, end in zip(code_colors(present), ends - counts[present], ends, strict=True):
            polygon = fn.create_qpolygonf(int(end - start))
            fn.ndarray_from_qpolygonf(polygon)[:] = ordered[start:end]
            groups.append((QColor(*(int(c) for c in colour)), polygon))
        return groups

    def _paint_vector(self, painter: QPainter) -> None:
        # Qt draws a wide point under a scaling transform as an oval (9 x 8 px for a 7 px dot,
        # cosmetic pen or not): map the points to device pixels and draw them there, round.
        to_device = painter.transform()
        painter.resetTransform()
        groups = [(colour, to_device.map(polygon)) for colour, polygon in self._groups]
        small = self.n_points <= OUTLINE_MAX_POINTS
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, small)
        pen = QPen()
        pen.setCosmetic(True)  # the dot size is in screen pixels, like a scatter marker
        pen.setCapStyle(Qt.PenCapStyle.RoundCap if small else Qt.PenCapStyle.SquareCap)
        if small:
            pen.setColor(QColor(40, 40, 40))
            pen.setWidthF(self.size + 1.5)
            painter.setPen(pen)
            for _, polygon in groups:
                painter.drawPoints(polygon)
        pen.setWidthF(self.size)
        for colour, polygon in groups:
            pen.setColor(colour)
            painter.setPen(pen)
            painter.drawPoints(polygon)

    # -- raster path ----------------------------------------------------------------------
    def raster_radius(self) -> int:
        """Dot radius in pixels: as large as the vector dots when forced on small data."""
        if self.n_points > RASTER_MIN_POINTS:
            return self.dense_radius
        return max(1, round((self.size + 1.5) / 2))

    def _view_key(self) -> tuple | None:
        """The view's extent and size in pixels: the raster layout is valid while it holds."""
        box = self.getViewBox()
        if box is None:
            return None
        view = box.viewRect()
        width, height = int(round(box.width())), int(round(box.height()))
        if width < 1 or height < 1:
            return None
        return (view.left(), view.right(), view.top(), view.bottom(), width, height)

    def _raster_image(self, resp=None, palette=None, soft=None) -> tuple[np.ndarray, QImage]:
        """The image for the given colouring (by default the item's own)."""
        if palette is None:
            resp, palette, soft = self._resp, self._palette, self._soft
        dots = self._layout
        argb = owner_argb(resp, dots.owners, palette, soft)
        pixels = paint_dots(dots, argb)  # rows already in screen order: paint blits it 1:1
        image = QImage(pixels.data, dots.width, dots.height, 4 * dots.width,
                       QImage.Format.Format_ARGB32)
        return pixels, image  # the array must outlive the QImage that views it

    def _paint_raster(self, painter: QPainter) -> None:
        key = self._view_key()
        if key is None:
            return
        if key != self._layout_key and not self._take_layout(key):
            if self._stand_in(painter, key):
                return
            left, right, bottom, top, width, height = key
            # Panels showing the same points in views of one extent and size (the gallery)
            # share one layout: mapping 10⁶ points to pixels is the costly part.
            radius = self.raster_radius()
            self._layout = _LAYOUTS.get(self._xy, (key, radius), lambda: dot_layout(
                pixel_owners(self._xy, (left, right), (bottom, top), width, height), radius))
            self._layout_key, self._image = key, None
        if self._image is None:
            self._image = self._raster_image()
        self._shown = (self._xy, key, self._image)
        self._draw_image(painter, key, self._image[1])

    def _take_layout(self, key: tuple) -> bool:
        """Use a layout for ``key`` another view (or the background) has made already."""
        layout = _LAYOUTS.peek(self._xy, (key, self.raster_radius()))
        if layout is None:
            return False
        self._layout, self._layout_key, self._image = layout, key, None
        return True

    def _stand_in(self, painter: QPainter, key: tuple) -> bool:
        """For many points drawn on screen: have the layout of the view ``key`` made in the
        background (or wait for another view's, of the same points and size) and meanwhile
        draw the last image where its extent now lies (nothing, for a data set's first
        picture). False: lay out now (few points, or an export, whose picture must be
        whole: see ``whole_pictures``)."""
        if self.n_points < LAYOUT_IN_BACKGROUND or _whole_pictures:
            return False
        xy, radius = self._xy, self.raster_radius()
        flight = (id(xy), key, radius)
        self._drop_request(flight)
        entry = _IN_FLIGHT.get(flight)
        asker = entry[0]() if entry is not None else None
        if asker is not None and asker is not self and asker.layout_pending:
            entry[1].add(self)  # painted again when that one arrives
        elif asker is not self or not self.layout_pending:
            if self._layouts is None:
                self._layouts = Background("raster layout", self._layout_done,
                                           runner=runner_for(self.getViewWidget()))
            _IN_FLIGHT[flight] = (weakref.ref(self), weakref.WeakSet())
            self._requested = flight
            left, right, bottom, top, width, height = key
            self._layouts.request((xy, key, radius), lambda: dot_layout(
                pixel_owners(xy, (left, right), (bottom, top), width, height), radius))
        shown = self._shown
        if shown is not None and shown[0] is xy:
            self._draw_image(painter, shown[1], shown[2][1])
        return True

    def _drop_request(self, new: tuple) -> None:
        """The view asked for another layout before: the one it asked for may never be made
        (a busy lane keeps only the newest request), so the views waiting for it ask again."""
        old, self._requested = self._requested, None
        if old is None or old == new:
            self._requested = old
            return
        entry = _IN_FLIGHT.get(old)
        if entry is not None and entry[0]() is self:
            del _IN_FLIGHT[old]
            for waiting in list(entry[1]):
                if shiboken6.isValid(waiting):
                    waiting.update()

    def _layout_done(self, request: tuple, layout) -> None:
        xy, key, radius = request
        _LAYOUTS.put(xy, (key, radius), layout)
        flight = (id(xy), key, radius)
        entry = _IN_FLIGHT.get(flight)
        waiting = []
        if entry is not None and entry[0]() is self:
            del _IN_FLIGHT[flight]
            waiting = list(entry[1])
        if self._requested == flight:
            self._requested = None
        for view in (self, *waiting):  # paint takes it if the view is still there
            if shiboken6.isValid(view) and view._xy is xy:
                view.update()
        if shiboken6.isValid(self):
            self.background_layouts += 1

    def _draw_image(self, painter: QPainter, key: tuple, image: QImage) -> None:
        """Draw ``image``, laid out for the view ``key``, over the data extent it covers."""
        left, right, bottom, top, width, height = key
        target = QRectF(left, bottom, right - left, top - bottom)
        device = painter.transform().mapRect(target)
        painter.save()
        if device.width() > 0 and abs(device.width() - width) < 1.5 and abs(device.height() - height) < 1.5:
            # A plain blit in device pixels: drawing through the data-to-screen transform
            # would resample the whole image every frame.
            painter.resetTransform()
            painter.drawImage(device.topLeft().toPoint(), image)
        else:  # an export at another scale, or a stand-in: let the painter scale the image
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            flip = QTransform(1, 0, 0, -1, 0, target.top() + target.bottom())  # rows run top-down
            painter.setTransform(flip, True)
            painter.drawImage(target, image)
        painter.restore()

    # -- QGraphicsItem --------------------------------------------------------------------
    def paint(self, painter: QPainter, *args) -> None:
        if self.n_points == 0:
            return
        if self.raster:
            self._paint_raster(painter)
        elif self._groups:
            self._paint_vector(painter)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802 (pyqtgraph API)
        if self.n_points == 0:
            return None
        r = self._bounds
        return (r.left(), r.right()) if ax == 0 else (r.top(), r.bottom())

    def pixelPadding(self) -> float:  # noqa: N802 (pyqtgraph API)
        return self.size

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        if self.n_points == 0:
            return QRectF()
        if self.raster:  # the image covers the whole view
            box = self.getViewBox()
            return self._bounds.united(box.viewRect()) if box is not None else self._bounds
        px = self.pixelVectors()[0]  # pad by the dot radius so edge dots are repainted
        pad = 0.0 if px is None else self.size * max(px.length(), 1e-300)
        return self._bounds.adjusted(-pad, -pad, pad, pad)
