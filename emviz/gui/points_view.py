"""The points view: data, soft colours, covariance ellipses and means. Passive: it draws a
Workbench with ``show_state`` and reports mouse gestures as signals; it changes nothing."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt, Signal

from ..look.appearance import Appearance
from ..look.colors import component_colors
from ..look.geometry import ellipse, ellipses_polyline
from ..session.model import Workbench
from .point_cloud import PointCloudItem
from .style import apply_plot_appearance, set_component_pen

#: A shift+click removes the nearest point within this many screen pixels.
PICK_RADIUS_PX = 8.0


def oracle_resp(labels: np.ndarray, palette: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The oracle's z_nk as one-hot "responsibilities" and the palette to draw them with
    (``palette``: the labels' colours, (K_labels, 3), by default slot k for label k);
    unlabelled points (label -1) get an all-zero row, drawn black."""
    k = int(labels.max()) + 1 if len(labels) else 0
    z = np.zeros((len(labels), max(k, 1)))
    known = labels >= 0
    z[np.flatnonzero(known), labels[known]] = 1.0
    if palette is None or len(palette) != max(k, 1):
        palette = component_colors(max(k, 1))
    return z, palette


class _EditingViewBox(pg.ViewBox):
    """Left click adds, shift+click removes, left drag sprays; wheel zooms, middle or right
    drag pans and zooms as usual in pyqtgraph."""

    def __init__(self, view: PointsView) -> None:
        super().__init__(lockAspect=True, enableMenu=False)
        self._view = view

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 (Qt API)
        if ev.button() != Qt.MouseButton.LeftButton:
            return super().mouseClickEvent(ev)
        ev.accept()
        pos = self.mapSceneToView(ev.scenePos())
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._view.remove_requested.emit(pos.x(), pos.y())
        elif ev.modifiers() & Qt.KeyboardModifier.AltModifier:
            self._view.inspect_requested.emit(pos.x(), pos.y())
        else:
            self._view.add_requested.emit(pos.x(), pos.y())

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 (Qt API)
        if ev.button() != Qt.MouseButton.LeftButton:
            return super().mouseDragEvent(ev, axis)
        ev.accept()
        self._view._spray_at(self.mapSceneToView(ev.scenePos()), ev.isStart(), ev.isFinish())


class PointsView(pg.PlotWidget):
    add_requested = Signal(float, float)
    remove_requested = Signal(float, float)
    inspect_requested = Signal(float, float)
    spray_requested = Signal(object)  # (M, 2) array, one drag stroke

    def __init__(self, parent=None) -> None:
        self._box = _EditingViewBox(self)
        super().__init__(parent, viewBox=self._box)
        self.setObjectName("pointsView")
        self.setToolTip(
            "Click: add a point · Shift+click: remove the nearest · Alt+click: inspect it\n"
            "Drag: spray points · "
            "Wheel: zoom · Right or middle drag: zoom / pan"
        )
        self.appearance = Appearance()
        self._box.setZValue(1)  # the axes' grid (z = 0.5) goes under the points, not over
        self.brush_radius_px = 18.0
        self.spray_per_move = 4
        self._rng = np.random.default_rng()
        self._stroke: list[np.ndarray] = []
        self.cloud = PointCloudItem()
        self.addItem(self.cloud)
        self._spray_preview = pg.ScatterPlotItem(size=6, pen=None)
        self.addItem(self._spray_preview, ignoreBounds=True)
        self.true_ellipses = pg.PlotCurveItem(connect="finite")
        self.addItem(self.true_ellipses, ignoreBounds=True)  # the data alone frame the view
        self._ellipses: list[tuple[pg.PlotCurveItem, pg.PlotCurveItem]] = []
        self._ellipse_pens: dict[int, tuple] = {}  # id(item) -> (colour, width) of its pen
        self._ellipse_colors: dict[int, tuple] = {}  # id(item) -> its component's colour
        self.means = pg.ScatterPlotItem(symbol="o")
        self.means.setZValue(10)
        self.means.setEnabled(False)  # clicks go through the mean markers to the view box
        self.addItem(self.means, ignoreBounds=True)
        self._weights = np.empty(0)  # the π_k the mean markers are sized by
        # Interaction objects installed on the view that draw items of their own (the θ
        # handles): their show_state(model) runs at the end of the view's, in the same paint.
        self.overlays: list = []
        self._range_key: object = None
        self._axes_shown: tuple[str, str] | None = None
        #: A glide (emviz.gui.glide) that may have an in-between state drawn instead of the
        #: model's current one; None: always the model's.
        self.motion = None
        self.apply_appearance(self.appearance)

    def apply_appearance(self, appearance: Appearance) -> None:
        """Draw in this theme and size (presentation mode): pens, sizes and colours of the
        items there are, changed in place."""
        self.appearance = a = appearance
        apply_plot_appearance(self, a)
        self.getPlotItem().showGrid(x=True, y=True, alpha=a.grid_alpha)
        self.cloud.set_dot_size(a.point_size, a.dense_dot_radius)
        self._spray_preview.setBrush(pg.mkBrush(*a.overlay, 160))
        self.true_ellipses.setPen(pg.mkPen(a.overlay, width=a.ellipse_widths[1],
                                           style=Qt.PenStyle.DashLine))
        for pair in self._ellipses:
            for item in pair:
                if id(item) in self._ellipse_colors:
                    self._set_ellipse_pen(item, self._ellipse_colors[id(item)], item is pair[1])
        self.means.setPen(pg.mkPen(a.foreground, width=a.mean_pen_width))
        if len(self._weights):
            self.means.setSize(a.mean_sizes(self._weights))

    # -- drawing -------------------------------------------------------------------------
    def _cloud_inputs(self, model: Workbench) -> tuple:
        """(X, resp, point palette, soft) for the point cloud, and the component palette."""
        X, state = model.points, model.current
        k = 0 if state is None else state.mixture.n_components
        palette = model.identity.em_palette(k)  # one colour per cluster in every view
        resp = None if state is None else state.colours  # θ set by hand: p(Z | X, θ)
        if resp is not None and len(resp) != len(X):
            resp = None  # a state of the previous data, about to be replaced
        point_palette = palette
        if model.options.show_oracle and model.labels is not None:
            k_labels = max(int(model.labels.max()) + 1, 1) if len(model.labels) else 1
            resp, point_palette = oracle_resp(  # the points only; θ keeps its colours
                model.labels, model.identity.oracle_palette(k_labels))
        return (X, resp, point_palette, model.options.soft_colors), palette

    def prepare_state(self, model: Workbench) -> None:
        """The costly half of ``show_state`` (colouring a large point cloud), done ahead in
        a turn of the event loop of its own."""
        if model.points.shape[1] != 2:
            return
        if self.motion is not None:
            model = self.motion.model_to_draw(model)
        self.cloud.prepare(*self._cloud_inputs(model)[0])

    def show_state(self, model: Workbench) -> None:
        if model.points.shape[1] != 2:
            return  # one column: the histogram view (emviz.gui.one_dim) shows it
        if self.motion is not None:
            model = self.motion.model_to_draw(model)
        X, state = model.points, model.current
        mixture = None if state is None else state.mixture
        cloud_inputs, palette = self._cloud_inputs(model)
        self.cloud.set_data(*cloud_inputs)
        self._show_ellipses(mixture, palette)
        true = model.true_mixture if model.options.show_true_mixture else None
        if true is None:
            self.true_ellipses.setData([], [])
        else:
            line = ellipses_polyline(true.means, true.covariances, radii=(2.0,))
            self.true_ellipses.setData(line[:, 0], line[:, 1], connect="finite")
        if model.axes != self._axes_shown:  # only on change: a new label repaints the plot
            self._axes_shown = model.axes
            self.getPlotItem().setLabel("bottom", model.axes[0])
            self.getPlotItem().setLabel("left", model.axes[1])
        key = (model.data_serial, len(X) > 0)
        if key != self._range_key:  # new data: frame it once; later edits keep the zoom
            self._range_key = key
            self.getPlotItem().autoRange(padding=0.08)
        for overlay in self.overlays:
            overlay.show_state(model)

    def _show_ellipses(self, mixture, palette: np.ndarray) -> None:
        k = 0 if mixture is None else mixture.n_components
        while len(self._ellipses) < k:
            pair = (pg.PlotCurveItem(), pg.PlotCurveItem())
            for item in pair:
                item.setZValue(5)
                self.addItem(item, ignoreBounds=True)
            self._ellipses.append(pair)
        for j, (inner, outer) in enumerate(self._ellipses):
            visible = j < k
            inner.setVisible(visible)
            outer.setVisible(visible)
            if not visible:
                continue
            color = tuple(int(c) for c in palette[j])
            for item, radius in ((inner, 1.0), (outer, 2.0)):
                line = ellipse(mixture.means[j], mixture.covariances[j], radius)
                item.setData(line[:, 0], line[:, 1])
                self._set_ellipse_pen(item, color, outer=item is outer)
        self._weights = np.empty(0) if mixture is None else mixture.weights
        if k:
            sizes = self.appearance.mean_sizes(mixture.weights)
            brushes = [pg.mkBrush(*(int(c) for c in rgb)) for rgb in palette[:k]]  # K, not N
            self.means.setData(pos=mixture.means, size=sizes, brush=brushes)
        else:
            self.means.setData([], [])

    def _set_ellipse_pen(self, item: pg.PlotCurveItem, color: tuple, outer: bool) -> None:
        """The 1σ ellipse solid, the 2σ one dashed and thinner; a new pen only on change."""
        width = self.appearance.ellipse_widths[1 if outer else 0]
        self._ellipse_colors[id(item)] = color
        background = self.appearance.background
        if self._ellipse_pens.get(id(item)) != (color, width, background):
            style = Qt.PenStyle.DashLine if outer else Qt.PenStyle.SolidLine
            set_component_pen(item, color, width, background, style)
            self._ellipse_pens[id(item)] = (color, width, background)

    # -- gestures ------------------------------------------------------------------------
    def pixel_size(self) -> tuple[float, float]:
        """Data units per screen pixel along x and y."""
        sx, sy = self._box.viewPixelSize()
        return float(sx), float(sy)

    def data_to_widget(self, x: float, y: float) -> QPoint:
        """Where data point (x, y) is on the viewport, in widget pixels (tests click there)."""
        scene = self._box.mapViewToScene(QPointF(x, y))
        return self.mapFromScene(scene)

    def _spray_at(self, pos: QPointF, start: bool, finish: bool) -> None:
        if start:
            self._stroke = []
        sx, sy = self.pixel_size()
        angle = self._rng.uniform(0, 2 * np.pi, self.spray_per_move)
        radius = self.brush_radius_px * np.sqrt(self._rng.uniform(0, 1, self.spray_per_move))
        dots = np.c_[pos.x() + radius * np.cos(angle) * sx, pos.y() + radius * np.sin(angle) * sy]
        self._stroke.append(dots)
        stroke = np.concatenate(self._stroke)
        if finish:
            self._stroke = []
            self._spray_preview.setData([], [])
            self.spray_requested.emit(stroke)
        else:
            self._spray_preview.setData(pos=stroke)
