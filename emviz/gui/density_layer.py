"""The density layer of the points view: p(x | θ) shaded under the points, its contour
lines, and each component's own lines in the component's colour.

One item added to the points view once; its children (an image and the line items) are
made once too and only updated (``show_picture``, ``clear``). The numbers come ready from
``compute_picture``, which the density feature runs in the job runner.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from ..core import Mixture
from ..core.density_map import MASS_FRACTIONS, density_map, mass_levels, view_grid
from ..look.colormap import density_rgba
from ..look.contours import contour_lines
from ..session.schema import K_MAX
from .style import set_component_pen

#: Grid cells along the view's longer side: about 3 screen pixels a cell at 1280 x 800, and
#: 200 x 130 grid points cost K · 26,000 log-densities (milliseconds), whatever N is.
GRID_CELLS = 200
#: The density layer lies under everything else the points view draws.
LAYER_Z = -20


class DensityPicture(NamedTuple):
    """What the layer draws for one θ and view range.

    rgba : array, shape (ny, nx, 4), uint8, the shading; rect : (x, y, width, height) it covers
    lines : array, shape (2 S, 2), segments of the mixture's contour lines (see look.contours)
    component_lines : one such array per component, π_k N(x | μ_k, Σ_k) at the same levels
    levels : {α: ln t_α}, the highest-density levels drawn (core.density_map.mass_levels)
    """

    rgba: np.ndarray
    rect: tuple[float, float, float, float]
    lines: np.ndarray
    component_lines: tuple[np.ndarray, ...]
    levels: dict[float, float]


def compute_picture(mixture: Mixture, x_range: tuple[float, float], y_range: tuple[float, float],
                    dark: bool, cells: int = GRID_CELLS) -> DensityPicture:
    """The layer's picture of p(x | θ) over the view: O(cells² K), independent of N."""
    grid = view_grid(x_range, y_range, cells)
    dm = density_map(mixture, grid)
    levels = mass_levels(dm.log_density, grid.cell_area, MASS_FRACTIONS)
    lines = contour_lines(dm.log_density, grid.xs, grid.ys, levels.values())
    components = tuple(contour_lines(c, grid.xs, grid.ys, levels.values())
                       for c in dm.log_components)
    (x0, x1), (y0, y1) = x_range, y_range
    return DensityPicture(density_rgba(dm.log_density, dark), (x0, y0, x1 - x0, y1 - y0),
                          lines, components, levels)


class DensityLayer(pg.ItemGroup):
    """The shading, the mixture's contour lines (the theme's foreground colour) and K_MAX
    component line items (identity colours, dotted: the ellipses are solid and dashed),
    all children of this one item."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(LAYER_Z)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.lines = pg.PlotCurveItem(connect="pairs")
        self.component_lines = [pg.PlotCurveItem(connect="pairs") for _ in range(K_MAX)]
        for item in (self.image, self.lines, *self.component_lines):
            self.addItem(item)
        self.picture: DensityPicture | None = None
        self._component_pens: list[tuple | None] = [None] * K_MAX
        self.setVisible(False)

    def set_line_colour(self, rgb: tuple[int, int, int], width: float) -> None:
        self.lines.setPen(pg.mkPen((*rgb, 210), width=width))

    def show_picture(self, picture: DensityPicture, palette: np.ndarray, components: bool,
                     width: float, background: tuple[int, int, int] = (255, 255, 255)) -> None:
        """Draw ``picture``; the component lines in ``palette``'s colours if ``components``
        (cased where a colour has under 3:1 on the plot's ``background``)."""
        self.picture = picture
        self.image.setImage(picture.rgba, autoLevels=False, levels=None)
        self.image.setRect(QRectF(*picture.rect))
        self._set(self.lines, picture.lines)
        for k, item in enumerate(self.component_lines):
            on = components and k < len(picture.component_lines) and k < len(palette)
            item.setVisible(on)
            if not on:
                continue
            pen = (tuple(int(c) for c in palette[k]), width, tuple(background))
            if self._component_pens[k] != pen:  # a new pen only when the colour changes
                set_component_pen(item, pen[0], width, background, Qt.PenStyle.DotLine)
                self._component_pens[k] = pen
            self._set(item, picture.component_lines[k])
        self.setVisible(True)

    def clear(self) -> None:
        self.picture = None
        self.setVisible(False)

    @staticmethod
    def _set(item: pg.PlotCurveItem, segments: np.ndarray) -> None:
        if len(segments):
            item.setData(segments[:, 0], segments[:, 1], connect="pairs")
        else:
            item.setData([], [])
