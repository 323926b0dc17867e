"""The likelihood landscape: for a chosen component k, ln p(X | θ) as μ_k alone moves over
the data's frame (the other parameters fixed), with EM's path of μ_k through the
history drawn over it; beside it the lower bound L(q, θ) for the q held from the last
E-step. Right after an E-step the bound touches ln p at μ_k (●); the M-step moves μ_k to the
bound's peak (▲), and ln p, never below the bound, rises at least as much. Different starts
climb different hills: the path shows which one this run is on.

The maps come from emviz.core.landscape in a lane of the job runner, coarse (16 × 16) then
fine (64 × 64), the newest request winning; the tab computes nothing while it is hidden.
Above SUBSAMPLE points the maps are computed on a fixed random subsample (each grid point
costs a pass over the points), and the caption says so.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.landscape import Landscape, landscapes
from ...look.appearance import Appearance
from ...look.colormap import map_rgba
from ...look.contours import contour_lines
from ...session.model import Workbench
from ..features import Feature
from ..jobs import Stream
from ..style import apply_plot_appearance, style_plot
from ._shared import current_state
from .why import subsample_indices

#: Above this many points the maps use a fixed random subsample of this size.
SUBSAMPLE = 10_000
#: Contour lines per map, evenly spaced over the ln p map's range (the same on both maps).
N_LEVELS = 10
#: The maps cover the data's bounding box (and EM's path of μ_k) widened by this fraction of
#: its size on each side, as the points view frames new data.
PADDING = 0.08

TITLE_F = "ln p(X | θ)"
TITLE_B = "L(q, θ)"


def _map_plot(name: str, title: str) -> pg.PlotWidget:
    widget = pg.PlotWidget()
    widget.setObjectName(name)
    plot = widget.getPlotItem()
    plot.setTitle(title, size="11pt")
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setAspectLocked(True)
    for axis in ("bottom", "left"):
        plot.getAxis(axis).enableAutoSIPrefix(False)
    style_plot(widget)
    return widget


class _MapItems:
    """One map's items, made once: the image, its contour lines, EM's path of μ_k, the
    current μ_k (●) and the M-step's μ_k (▲)."""

    def __init__(self, widget: pg.PlotWidget) -> None:
        self.widget = widget
        self.image = pg.ImageItem(axisOrder="row-major")
        self.lines = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen((255, 255, 255, 110), width=1))
        self.path_under = pg.PlotCurveItem(pen=pg.mkPen((255, 255, 255), width=4))
        self.path = pg.PlotCurveItem()
        self.steps = pg.ScatterPlotItem(size=6, pen=pg.mkPen((255, 255, 255), width=1))
        self.now = pg.ScatterPlotItem(size=15, symbol="o", pen=pg.mkPen((255, 255, 255), width=2.5))
        self.target = pg.ScatterPlotItem(size=17, symbol="t1", pen=pg.mkPen((0, 0, 0), width=1.5),
                                         brush=pg.mkBrush(255, 255, 255))
        for item in (self.path, self.steps, self.now):
            item.emviz_component = True  # drawn in component k's colour: it is component k
        plot = widget.getPlotItem()
        for z, item in enumerate((self.image, self.lines, self.path_under, self.path, self.steps,
                                  self.now, self.target)):
            item.setZValue(z)
            plot.addItem(item)

    def set_colour(self, rgb: tuple[int, int, int]) -> None:
        self.path.setPen(pg.mkPen(rgb, width=2))
        self.steps.setBrush(pg.mkBrush(*rgb))
        self.now.setBrush(pg.mkBrush(*rgb))


class LandscapeView(QWidget):
    """The tab "Hills" (the likelihood landscape): the component chooser, the two maps side
    by side, a caption."""

    def __init__(self, window) -> None:
        super().__init__()
        self.setObjectName("landscapeView")
        self._window = window
        self.model: Workbench = window.model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        row.addWidget(QLabel("Component"))
        self.chooser = QComboBox()
        self.chooser.setObjectName("landscapeComponent")
        self.chooser.setToolTip("The component k whose mean μ_k moves over the maps "
                                "(the same k as the Equations tab's)")
        self.chooser.activated.connect(lambda i: self.model.select_component(i))
        row.addWidget(self.chooser)
        row.addStretch(1)
        layout.addLayout(row)
        maps = QHBoxLayout()
        self.f_plot = _map_plot("landscapeLogLikelihood", TITLE_F)
        self.b_plot = _map_plot("landscapeBound", TITLE_B)
        maps.addWidget(self.f_plot)
        maps.addWidget(self.b_plot)
        layout.addLayout(maps, 1)
        self.caption = QLabel()
        self.caption.setObjectName("landscapeCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setToolTip(
            "Each map shows the value if μ_k alone moved to that place, every other parameter "
            "kept: ln p(X | θ) on the left, the lower bound L(q, θ) with the q of the last "
            "E-step on the right.\nLight = high, one colour scale for both maps, lines at equal "
            "steps of ln p. ● μ_k now, dots and line: its path through EM's history, "
            "▲ where the M-step puts μ_k (the peak of L).")
        layout.addWidget(self.caption)
        self.f_items, self.b_items = _MapItems(self.f_plot), _MapItems(self.b_plot)
        self.landscape: Landscape | None = None  # the finest map drawn
        self._stream = Stream("emviz-landscape", self._on_maps, self._on_end, self)
        self._wanted: tuple | None = None  # (X, state, k, x range, y range) asked for
        self._sample: tuple[object, np.ndarray | None] = (None, None)
        window.closing.connect(self._stream.shutdown)
        self._n_choices = -1
        self.apply_appearance(Appearance())

    def apply_appearance(self, appearance: Appearance) -> None:
        for plot in (self.f_plot, self.b_plot):
            apply_plot_appearance(plot, appearance)

    @property
    def busy(self) -> bool:
        """Maps are being computed (tests wait for it to end)."""
        return self._stream.busy

    # -- drawing -------------------------------------------------------------------------
    def show_state(self, model: Workbench) -> None:
        state = current_state(model)
        X = model.points
        if X.shape[1] != 2:  # the map is over the plane μ_k moves in (the tab is off in 1-D)
            self._fill_chooser(0, model)
            self._clear("The landscape needs 2-D data: the data have one column.")
            return
        if state is None or len(X) == 0:
            self._fill_chooser(0, model)
            self._clear("No EM run yet: load data and press Reset.")
            return
        K = state.mixture.n_components
        self._fill_chooser(K, model)
        k = min(max(model.selected_component, 0), K - 1)
        colour = tuple(int(c) for c in model.identity.em_palette(K)[k])
        for items in (self.f_items, self.b_items):
            items.set_colour(colour)
        path = self._draw_path(model, k)
        wanted = (X, state, k)
        if self._wanted is not None and all(a is b for a, b in zip(wanted[:2], self._wanted[:2],
                                                                   strict=True)) \
                and k == self._wanted[2]:
            return  # asked for already (drawn, or on its way)
        self._wanted = wanted
        x_range, y_range = frame(X, path)
        Xs, resp = self._used(X, state.resp)
        self._stream.start(landscapes(Xs, resp, state.mixture, k, x_range, y_range))

    def _used(self, X: np.ndarray, resp: np.ndarray | None):
        """The points the maps are computed on (all, or the fixed subsample) and their q."""
        if self._sample[0] is not X:
            self._sample = (X, subsample_indices(len(X), SUBSAMPLE))
        sample = self._sample[1]
        if sample is None:
            return X, resp
        return X[sample], None if resp is None else resp[sample]

    def _fill_chooser(self, K: int, model: Workbench) -> None:
        if K != self._n_choices:
            self._n_choices = K
            self.chooser.blockSignals(True)
            self.chooser.clear()
            for j in range(K):
                self.chooser.addItem(f"k = {j + 1}")
            self.chooser.blockSignals(False)
        if K:
            palette = model.identity.em_palette(K)
            for j in range(K):
                pixmap = QPixmap(12, 12)
                pixmap.fill(QColor(*(int(c) for c in palette[j])))
                self.chooser.setItemIcon(j, QIcon(pixmap))
            k = min(max(model.selected_component, 0), K - 1)
            if self.chooser.currentIndex() != k:
                self.chooser.setCurrentIndex(k)

    def _draw_path(self, model: Workbench, k: int) -> np.ndarray:
        """μ_k at every half-step of the history (the path EM climbed), the current one ●;
        the path, shape (H, 2)."""
        path = np.array([s.mixture.means[k] for s in model.history
                         if s.mixture.n_components > k])
        now = model.current.mixture.means[k]
        for items in (self.f_items, self.b_items):
            items.path_under.setData(path[:, 0], path[:, 1])
            items.path.setData(path[:, 0], path[:, 1])
            items.steps.setData(pos=path)
            items.now.setData(pos=[now])
        return path

    def _on_maps(self, items: list) -> None:
        self._draw(items[-1])

    def _on_end(self, reason: str) -> None:
        if reason.startswith("error"):
            self._wanted = None
            self.caption.setText(f"The landscape could not be computed: "
                                 f"{reason.removeprefix('error: ')}")

    def _draw(self, landscape: Landscape) -> None:
        self.landscape = landscape
        grid = landscape.grid
        f, b = landscape.log_likelihood, landscape.lower_bound
        low, high = float(np.min(f)), float(np.max(f))  # one scale: same colour, same value
        dx, dy = grid.xs[1] - grid.xs[0], grid.ys[1] - grid.ys[0]
        rect = QRectF(grid.xs[0] - dx / 2, grid.ys[0] - dy / 2, dx * len(grid.xs), dy * len(grid.ys))
        levels = np.linspace(low, high, N_LEVELS + 2)[1:-1]
        for items, values in ((self.f_items, f), (self.b_items, b)):
            if values is None:
                items.image.clear()
                items.lines.setData([], [])
                continue
            items.image.setImage(map_rgba(values, low, high), autoLevels=False)
            items.image.setRect(rect)
            segments = contour_lines(values, grid.xs, grid.ys, levels)
            if len(segments):
                items.lines.setData(segments[:, 0], segments[:, 1], connect="pairs")
            else:
                items.lines.setData([], [])
        target = landscape.target
        for items in (self.f_items, self.b_items):
            items.target.setData(pos=[] if target is None else [target])
        for widget in (self.f_plot, self.b_plot):  # the same frame (linked, the two aspect
            widget.getPlotItem().setRange(rect=rect, padding=0)  # locks widened each other)
        self._caption(landscape)

    def _caption(self, landscape: Landscape) -> None:
        model = self.model
        state = current_state(model)
        if state is None:
            return
        name = f"μ_{landscape.k + 1}"
        if landscape.lower_bound is None:
            text = f"● {name} now, its path in EM drawn. Take an E-step (E) to see the bound L."
        elif state.phase == "E":
            text = (f"L touches ln p at ● ({name} now). The M-step moves {name} to L's peak ▲; "
                    "ln p rises at least as much.")
        else:
            text = (f"{name} ● is at L's peak ▲. L lies below ln p (the gap is KL) until the "
                    "next E-step makes it touch.")
        if landscape.n_used < len(model.points):
            text += f" On {landscape.n_used} of {len(model.points)} points."
        self.caption.setText(text)

    def _clear(self, message: str) -> None:
        self.landscape = None
        self._wanted = None
        self._stream.cancel()
        for items in (self.f_items, self.b_items):
            items.image.clear()
            for item in (items.lines, items.path_under, items.path):
                item.setData([], [])
            for item in (items.steps, items.now, items.target):
                item.setData([], [])
        self.caption.setText(message)


def frame(X: np.ndarray, path: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """The maps' x and y ranges: the bounding box of the points and of EM's path of μ_k,
    widened by PADDING on each side (at least a unit square around a single point)."""
    both = np.concatenate([X, path]) if len(path) else X
    low, high = both.min(axis=0), both.max(axis=0)
    pad = np.maximum(PADDING * (high - low), 0.5 * (high - low == 0))
    x_range = (float(low[0] - pad[0]), float(high[0] + pad[0]))
    return x_range, (float(low[1] - pad[1]), float(high[1] + pad[1]))


def install(window) -> Feature:
    view = LandscapeView(window)
    # A short title: an eighth tab fits 1280 x 800 in a slightly smaller font, "Landscape"
    # would have had every title elided.
    window.add_tab(view, "Hills", "The likelihood landscape: ln p(X | θ) and the bound "
                   "L(q, θ) as one mean μ_k moves")
    window.add_view(view, {"points", "history", "index", "selection", "identity"}, view)
    return Feature("landscape", view, views=(view,))
