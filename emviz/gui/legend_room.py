"""A plot's legend kept off its data: a legend over a curve hides the very values a class is
reading (Choose K at K = 1 presenting at 1024 x 768: BIC and AIC of K = 1 under it; the ln p
plot in a short page under the lesson: the plateau of ln p and L under it).

``data_under`` counts the points of a view's curves and scatters (and points along a curve's
segments) that lie in a rectangle: the screen audit's check and ``keep_off_data`` both use it.
``keep_off_data`` moves a legend to the first of its places where nothing lies under it, and
leaves it out where there is none (the axis title names the curves).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

#: Points a quarter, half and three quarters along each segment of a curve count too: a
#: line between two points can cross a box that neither is in.
SEGMENT_STEPS = (0.25, 0.5, 0.75)

#: A legend place: (itemPos, parentPos, offset) as pyqtgraph's ``anchor`` takes them.
Place = tuple[tuple[float, float], tuple[float, float], tuple[float, float]]


def in_legend(item) -> bool:
    """Whether a graphics item is part of a legend (its samples)."""
    parent = item.parentItem()
    while parent is not None:
        if isinstance(parent, pg.LegendItem):
            return True
        parent = parent.parentItem()
    return False


def unseen(item) -> bool:
    """A scatter drawn with neither pen nor brush (click targets over a curve's points)."""
    if not isinstance(item, pg.ScatterPlotItem):
        return False
    pen, brush = item.opts.get("pen"), item.opts.get("brush")
    no_pen = pen is None or pen.style() == Qt.PenStyle.NoPen or pen.color().alpha() == 0
    no_brush = brush is None or brush.style() == Qt.BrushStyle.NoBrush or brush.color().alpha() == 0
    return no_pen and no_brush


def item_name(item) -> str:
    """The name a legend gives a curve or scatter (its own, or its PlotDataItem's)."""
    for candidate in (item, item.parentItem()):
        name = getattr(candidate, "name", None)
        if callable(name) and name():
            return str(name())
    return type(item).__name__


def shown_in_scene(item) -> bool:
    """Whether ``item`` and every item it lies in are visible and not transparent."""
    while item is not None:
        if not item.isVisible() or item.opacity() == 0:
            return False
        item = item.parentItem()
    return True


def data_items(view: pg.GraphicsView) -> list:
    """The curves and scatters drawn in a view (not a legend's samples, not click targets)."""
    return [item for item in view.scene().items()
            if isinstance(item, pg.PlotCurveItem | pg.ScatterPlotItem) and shown_in_scene(item)
            and not in_legend(item) and not unseen(item)]


def points_in_view(view: pg.GraphicsView, item) -> tuple[np.ndarray, np.ndarray]:
    """An item's data points, and points along a curve's segments, in the view's pixels:
    x, y arrays (M,)."""
    x, y = item.getData()[:2]
    x = np.asarray(x if x is not None else [], dtype=float)
    y = np.asarray(y if y is not None else [], dtype=float)
    if isinstance(item, pg.PlotCurveItem) and len(x) > 1:
        starts = np.arange(len(x) - 1)
        if item.opts.get("connect") == "pairs":
            starts = starts[::2]
        t = np.array(SEGMENT_STEPS)[:, None]
        x = np.r_[x, (x[starts] + t * (x[starts + 1] - x[starts])).ravel()]
        y = np.r_[y, (y[starts] + t * (y[starts + 1] - y[starts])).ravel()]
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    m = item.sceneTransform() * view.viewportTransform()  # data -> scene -> view pixels
    return m.m11() * x + m.m21() * y + m.dx(), m.m12() * x + m.m22() * y + m.dy()


def legend_box(view: pg.GraphicsView, legend: pg.LegendItem, inset: float = 1.0) -> QRectF:
    """A legend's box in the view's pixels, ``inset`` px in from its edges."""
    box = QRectF(view.mapFromScene(legend.sceneBoundingRect()).boundingRect())
    return box.adjusted(inset, inset, -inset, -inset)


def data_under(view: pg.GraphicsView, box: QRectF) -> dict[str, int]:
    """{name: how many of its points lie inside ``box``} (view pixels), for the names with any."""
    under: dict[str, int] = {}
    for item in data_items(view):
        x, y = points_in_view(view, item)
        n = int(np.count_nonzero((x > box.left()) & (x < box.right())
                                 & (y > box.top()) & (y < box.bottom())))
        if n:
            under[item_name(item)] = under.get(item_name(item), 0) + n
    return under


def keep_off_data(view: pg.GraphicsView, legend: pg.LegendItem, places: list[Place],
                  allowed: bool = True) -> None:
    """Put ``legend`` at the first of ``places`` with no data under it (its place now first:
    it moves only when the data come under it), or leave it out where every place has
    some; ``allowed`` False: left out anyway (a plot too short for it)."""
    if not allowed:
        legend.setVisible(False)
        return
    current = getattr(legend, "_emviz_place", places[0])
    for place in [current, *[p for p in places if p != current]]:
        if place != getattr(legend, "_emviz_place", None):
            legend.anchor(*place)
            legend._emviz_place = place
        if not data_under(view, legend_box(view, legend)):
            legend.setVisible(True)
            return
    legend.setVisible(False)
