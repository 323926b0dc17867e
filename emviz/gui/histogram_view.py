"""The 1-D mode's main view: the data x_1 … x_N as a density-scaled histogram, each
component's π_k N(x | μ_k, σ_k²) over it in its colour, their sum p(x | θ) in the theme's ink,
and under it a band of each bin's mean responsibilities r_nk stacked in the components'
colours. Passive: it draws a Workbench whose points have one column (shape (N, 1)).

From LAYOUT_IN_BACKGROUND points on, the bins (each point's bin and the heights, when the data
change) and the band's shares (each bin's mean r_nk, at each half-step) are counted in the job
runner, not on the GUI thread (35 ms a half-step at 10⁶ points): the view draws the newest
counts it has and draws again when the counts for what it shows arrive."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF

from ..look import histogram as hist
from ..look.appearance import Appearance
from ..session.model import Workbench
from .jobs import Background
from .point_cloud import LAYOUT_IN_BACKGROUND
from .style import apply_plot_appearance, set_component_pen

#: The band under the histogram, as a fraction of the tallest bar or curve.
BAND_HEIGHT = 0.14


class _DensityAxis(pg.AxisItem):
    """The density axis: no numbers below 0, where the band of responsibilities is drawn."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        strings = super().tickStrings(values, scale, spacing)
        return [s if v >= -1e-12 * max(spacing, 1e-300) else "" for v, s in zip(values, strings, strict=True)]


class HistogramView(pg.PlotWidget):
    """``show_state(model)`` draws the model's 1-D data and θ; ``curves`` (the components'),
    ``total`` (the sum), ``bars`` and ``band`` are the items tests read."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, axisItems={"left": _DensityAxis("left")})
        self.setObjectName("histogramView")
        self.setToolTip("One-dimensional data: the histogram (a density: its area is 1), each "
                        "π_k N(x | μ_k, σ_k²) in its colour and their sum p(x | θ);\n"
                        "the band under it: each bin's mean responsibilities r_nk, stacked. "
                        "Wheel: zoom · Drag: pan")
        self.appearance = Appearance()
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.getAxis("left").enableAutoSIPrefix(False)  # a density reads 0.5, not 500 (×0.001)
        plot.getViewBox().setMouseEnabled(x=True, y=False)  # y follows the tallest bar or curve
        self.bars = pg.PlotDataItem(stepMode="center", fillLevel=0)
        self.addItem(self.bars)
        self.band = pg.ImageItem()  # (B, rows, 4): x along the first axis
        self.addItem(self.band)
        self.curves: list[pg.PlotCurveItem] = []
        self.total = pg.PlotCurveItem()
        self.total.setZValue(6)
        self.addItem(self.total)
        # each bell's top (μ_k, π_k N(μ_k | μ_k, σ_k²)): drag it to move μ_k and change π_k
        self.tops_item = pg.ScatterPlotItem(symbol="o")
        self.tops_item.setZValue(10)
        self.tops_item.setEnabled(False)  # presses reach the drag's event filter, not the item
        self.addItem(self.tops_item)
        self.tops = np.empty((0, 2))
        self._mixture = None
        self._binned: np.ndarray | None = None  # the data the bins below were made for
        self._index = np.empty(0, dtype=np.intp)  # each point's bin
        self._heights = np.empty(0)
        self.hold_range = False  # True while a bell's top is dragged (emviz.gui.histogram_drag)
        self.motion = None  # a Glide: μ_k, σ_k², π_k and the band glide as in the points view
        self.edges = np.array([0.0, 1.0])
        self.grid = np.empty(0)
        self.palette = np.empty((0, 3))
        self._range_key: object = None
        self._axis_shown = ""
        # large data: counted in the job runner; the band's shares are for ``_shares_for``
        self._counting = Background("emviz-histogram", self._counted, parent=self)
        self._shares: np.ndarray | None = None
        self._shares_for: np.ndarray | None = None
        self._last_model: Workbench | None = None
        self.apply_appearance(self.appearance)

    def apply_appearance(self, appearance: Appearance) -> None:
        self.appearance = a = appearance
        apply_plot_appearance(self, a)
        self.getPlotItem().showGrid(x=True, y=True, alpha=a.grid_alpha)
        self.bars.setPen(pg.mkPen(a.muted, width=1))
        self.bars.setBrush(pg.mkBrush(*a.muted, 70))
        # dashed, so each component's own curve shows where it alone makes the sum
        self.total.setPen(pg.mkPen(a.foreground, width=a.curve_width, style=Qt.PenStyle.DashLine))
        for item, color in zip(self.curves, self.palette, strict=False):
            self._colour_curve(item, color)
        if self._axis_shown:
            self._fit_axis_title()

    def _colour_curve(self, item: pg.PlotCurveItem, color) -> None:
        """Component k's curve in its colour, the area under it tinted with the same."""
        rgb = tuple(int(c) for c in color)
        set_component_pen(item, rgb, self.appearance.ellipse_widths[0] * 1.5,
                          self.appearance.background)
        item.setBrush(pg.mkBrush(*rgb, 60))
        item.setFillLevel(0.0)

    # -- drawing -------------------------------------------------------------------------
    def prepare_state(self, model: Workbench) -> None:
        """Nothing costly to do ahead (the glide calls it before each frame)."""

    def show_state(self, model: Workbench) -> None:
        if self.motion is not None:  # a glide between two half-steps (emviz.gui.glide)
            model = self.motion.model_to_draw(model)
        X = model.points
        if X.shape[1] != 1:
            return  # 2-D data are the points view's
        x = X[:, 0]
        state = model.current
        mixture = None if state is None else state.mixture
        self._mixture = mixture
        resp = None if state is None else state.colours
        self._last_model = model
        if len(x) >= LAYOUT_IN_BACKGROUND:
            self._count_in_background(X, resp)
            if self._binned is not X:
                return  # the bins of these data are being counted: drawn when they arrive
        elif self._binned is not X:  # the bins change with the data, not with θ
            self._binned = X
            self.edges = hist.bin_edges(x)
            self._index = hist.bin_index(x, self.edges)
            self._heights = hist.density_heights(x, self.edges, self._index)
        edges, heights = self.edges, self._heights
        self.bars.setData(edges, heights)
        self.grid = grid = hist.curve_grid(edges, mixture)
        k = 0 if mixture is None else mixture.n_components
        self.palette = palette = model.identity.em_palette(k)
        parts = hist.component_curves(grid, mixture) if k else np.empty((0, len(grid)))
        self._show_curves(grid, parts, palette)
        top = max(float(heights.max(initial=0.0)), float(parts.sum(axis=0).max(initial=0.0)), 1e-300)
        self._show_band(model, x, edges, palette, top)
        if model.axes[0] != self._axis_shown:
            self._axis_shown = model.axes[0]
            self.getPlotItem().setLabel("left", "density")
            self._fit_axis_title()
        key = (model.data_serial, len(x) > 0)
        if key != self._range_key:  # new data: frame it once; zooming x stays the user's
            self._range_key = key
            self.getPlotItem().setXRange(float(edges[0]), float(edges[-1]), padding=0.04)
        # every bar and the whole of each curve in sight, the band under them (not while a
        # bell is dragged: the axes would move under the mouse)
        if not self.hold_range:
            self.getPlotItem().setYRange(-BAND_HEIGHT * top * 1.15, top * 1.06, padding=0)

    def _fit_axis_title(self) -> None:
        """The x axis's title (the column's name) whole if it fits the view's width, else cut
        with an ellipsis (presenting, a long name at 28 px would run past the plot)."""
        font = QFont()
        if self.appearance.presenting:
            font.setPointSizeF(self.appearance.label_pt)
        axis = self.getPlotItem().getAxis("bottom").geometry().width()
        room = max((axis if axis > 0 else self.width() - 110) - 64, 40)
        text = QFontMetricsF(font).elidedText(self._axis_shown, Qt.TextElideMode.ElideRight, room)
        if text != self.getPlotItem().getAxis("bottom").labelText:
            self.getPlotItem().setLabel("bottom", text)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if getattr(self, "_axis_shown", ""):  # pyqtgraph resizes before __init__ is done
            self._fit_axis_title()

    def _show_curves(self, grid: np.ndarray, parts: np.ndarray, palette: np.ndarray) -> None:
        while len(self.curves) < len(parts):
            item = pg.PlotCurveItem()
            item.setZValue(5)
            self.addItem(item)
            self.curves.append(item)
        for j, item in enumerate(self.curves):
            item.setVisible(j < len(parts))
            if j < len(parts):
                item.setData(grid, parts[j])
                self._colour_curve(item, palette[j])
        if len(parts):
            self.total.setData(grid, parts.sum(axis=0))
        else:
            self.total.setData([], [])
        self._show_tops(palette[: len(parts)])

    def _show_tops(self, palette: np.ndarray) -> None:
        mixture = self._mixture
        if mixture is None:
            self.tops = np.empty((0, 2))
            self.tops_item.setData([], [])
            return
        height = mixture.weights / np.sqrt(2 * np.pi * mixture.covariances[:, 0, 0])
        self.tops = np.c_[mixture.means[:, 0], height]
        a = self.appearance
        brushes = [pg.mkBrush(*(int(c) for c in rgb)) for rgb in palette]  # K, not N
        self.tops_item.setData(pos=self.tops, size=a.mean_sizes(mixture.weights) * 0.8,
                               brush=brushes, pen=pg.mkPen(a.foreground, width=a.mean_pen_width))

    def _show_band(self, model: Workbench, x: np.ndarray, edges: np.ndarray,
                   palette: np.ndarray, top: float) -> None:
        """Each bin's mean r_nk, stacked, in a strip of height BAND_HEIGHT · top under y = 0
        (grey before the first E-step: no responsibilities yet)."""
        state = model.current
        resp = None if state is None else state.colours
        large = len(x) >= LAYOUT_IN_BACKGROUND
        if large and resp is not None and self._shares is not None and (
                len(self._shares) == len(self._heights) and self._shares.shape[1] == len(palette)):
            shares = self._shares  # the newest counted (those of ``resp`` once they arrive)
        elif resp is None or len(resp) != len(x) or large:
            shares = (self._heights > 0).astype(float)[:, None]
            palette = np.array([self.appearance.muted])
        else:
            shares = hist.bin_responsibilities(x, resp, edges, self._index)
        self.band.setImage(hist.band_image(shares, palette), autoLevels=False)
        height = BAND_HEIGHT * top
        self.band.setRect(QRectF(float(edges[0]), -height * 1.1, float(edges[-1] - edges[0]), height))

    # -- large data: counting in the job runner -------------------------------------------
    def _count_in_background(self, X: np.ndarray, resp: np.ndarray | None) -> None:
        """Ask for what is not counted yet: the bins of X, the band's shares of ``resp``."""
        if self._binned is X and (resp is None or self._shares_for is resp or len(resp) != len(X)):
            return
        binned = (self.edges, self._index, self._heights) if self._binned is X else None

        def count() -> tuple:
            x = X[:, 0]
            edges, index, heights = binned or (None, None, None)
            if binned is None:
                edges = hist.bin_edges(x)
                index = hist.bin_index(x, edges)
                heights = hist.density_heights(x, edges, index)
            shares = None
            if resp is not None and len(resp) == len(x):
                shares = hist.bin_responsibilities(x, resp, edges, index)
            return X, edges, index, heights, resp, shares

        self._counting.request((id(X), id(resp)), count)

    def _counted(self, _key: object, counted: tuple) -> None:
        X, edges, index, heights, resp, shares = counted
        if self._binned is not X:
            self._binned, self.edges, self._index, self._heights = X, edges, index, heights
            self._shares = None
        if shares is not None:
            self._shares, self._shares_for = shares, resp
        if self._last_model is not None and self._last_model.points is X:
            self.show_state(self._last_model)

    def shutdown(self) -> None:
        """Stop counting (the window closes)."""
        self._counting.shutdown()

    # -- for tests -----------------------------------------------------------------------
    def curve_data(self) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        """(x, [π_k N(x | μ_k, σ_k²) for the visible k], p(x | θ)) as drawn."""
        shown = [c for c in self.curves if c.isVisible()]
        ys = [np.asarray(c.getData()[1]) for c in shown]
        x = np.asarray(shown[0].getData()[0]) if shown else np.empty(0)
        total = self.total.getData()[1]
        return x, ys, np.asarray(total if total is not None else [])


