"""The bound plot: ln p(X | θ) and L(q, θ) per half-step, the lecture's picture of EM as
maximising a lower bound that touches the function after every E-step."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF

from ..look.appearance import Appearance
from ..look.colors import DARK_GREY, INK, MID_GREY
from ..look.readouts import bound_series, follow_range
from ..session.model import Workbench
from .end_names import NAMES_MAX_SHARE, end_name, name_ends, names_share
from .legend_room import keep_off_data
from .plot_text import shed_plot_text
from .style import apply_plot_appearance, css_pt, fit_legend, style_plot

#: The plot's title, and the ones it takes when it is wider than the plot area (a title's
#: width is the least pyqtgraph lays its plot out at, so it would be cut off).
TITLE = "ln p(X | θ) and its lower bound L(q, θ)"
SHORT_TITLE = "ln p(X | θ) and L(q, θ)"
TWO_LINE_TITLE = "ln p(X | θ)<br>and L(q, θ)"
#: Pixels the title leaves free in its row (the layout's margins, rounding).
TITLE_SLACK_PX = 12
LOG_LIKELIHOOD_COLOR = INK
LOWER_BOUND_COLOR = DARK_GREY  # not a component: no component colour (emviz.look.colors)
#: Where the legend may stand, in this order (pyqtgraph anchors: itemPos, parentPos, offset).
LEGEND_PLACES = [((1, 1), (1, 1), (-10, -10)), ((0, 0), (0, 0), (10, 10)),
                 ((1, 0), (1, 0), (-10, 10)), ((0, 1), (0, 1), (10, -10))]


class BoundPlot(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("boundPlot")
        plot = self.getPlotItem()
        plot.setTitle(TITLE)
        plot.setLabel("bottom", "iteration (E-steps at ½)")
        plot.setLabel("left", "ln p(X | θ)  and  L(q, θ)")
        self.legend = plot.addLegend(offset=(-10, -10))
        self.log_likelihood = plot.plot(name="log-likelihood", symbol="o", symbolPen=None)
        self.lower_bound = plot.plot(name="lower bound", symbol="t1", symbolPen=None)
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen(MID_GREY, width=1.5))
        self.cursor.setVisible(False)
        plot.addItem(self.cursor)
        self.current = pg.ScatterPlotItem(symbol="o", brush=None)
        plot.addItem(self.current)
        # θ set by hand: a star on ln p and on L at each such entry (legend only while any)
        self.hand_marks = pg.ScatterPlotItem(symbol="star")
        self.hand_marks.setZValue(5)
        plot.addItem(self.hand_marks)
        # Where the legend is left out: "ln p" and "L" at the curves' right ends (_name_ends)
        self.end_names = [end_name(plot, text, INK, QFont(), name) for text, name in
                          (("ln p", "logLikelihoodEndName"), ("L", "lowerBoundEndName"))]
        self.appearance = Appearance()
        self.apply_appearance(self.appearance)
        style_plot(self, cache_axes=False)  # its range follows the run
        # The view follows the curves with headroom (not pyqtgraph's auto-range, which
        # moves the axes, and so redraws them, on every half-step) until the user zooms or
        # pans; the "A" button in the corner goes back to following.
        self.following = True
        self._shown = (np.empty(0), np.empty(0))
        box = plot.getViewBox()
        box.disableAutoRange()
        box.sigRangeChangedManually.connect(lambda *_: setattr(self, "following", False))
        plot.autoBtn.clicked.connect(self._follow_again)
        # The tick labels' width is set per run, from the size of ln p: if the axis grew
        # with its labels, a new magnitude in mid-run would re-lay-out and repaint the plot.
        self._tick_metrics = QFontMetrics(plot.getAxis("left").style["tickFont"] or QFont())
        self._magnitude = 1000.0  # of the ln p values the tick labels have room for
        self._fit_tick_labels(self._magnitude)
        # the title's room is right of the left axis, whose width is known once laid out
        plot.getAxis("left").geometryChanged.connect(self._fit_title)
        # after a resize, once the legend has followed its corner (on the next turn)
        self._legend_later = QTimer(self, singleShot=True, interval=0)
        self._legend_later.timeout.connect(self._legend_off_curves)
        box.sigResized.connect(self._legend_later.start)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self._fit_title()  # before the layout, which cannot be narrower than the title
        if hasattr(self, "legend"):  # pyqtgraph resizes the view before __init__ made it
            shed_plot_text(self, self.legend)  # before the layout too: a title left out is no row
        super().resizeEvent(event)

    def _fit_title(self) -> None:
        plot = self.getPlotItem()
        if plot is None:  # pyqtgraph resizes the view before it makes the plot
            return
        label = plot.titleLabel
        font = QFont(label.item.font())
        size = css_pt(label.opts.get("size"))
        if size:
            font.setPointSizeF(size)
        # The title stands over the plot area only, right of the left axis (presenting at
        # 1024 x 768 the axis takes 130 of 510 px, and the whole title, 449 px, pushed the
        # plot past the view's right edge, the legend with it).
        room = self.viewport().width() - plot.getAxis("left").width() - TITLE_SLACK_PX
        metrics = QFontMetricsF(font)
        title = next((t for t in (TITLE, SHORT_TITLE) if metrics.horizontalAdvance(t) <= room),
                     TWO_LINE_TITLE)
        if label.text != title:
            label.setText(title)
            row = plot.layout.rowMaximumHeight(0)
            if 0 < row < 1e4:  # a fixed title row (a look applied fixes it) as high as the text
                height = math.ceil(label.item.boundingRect().height())
                plot.layout.setRowFixedHeight(0, height)
                label.setMaximumHeight(height)
            # A longer title had widened the plot past the view (its width is the least the
            # plot is laid out at); only a resize sets it back: fit it to the view again.
            QTimer.singleShot(0, self, self._fit_plot_to_view)

    def _fit_plot_to_view(self) -> None:
        plot = self.getPlotItem()
        if plot is not None and shiboken6.isValid(plot):
            plot.setGeometry(QRectF(self.range))

    def apply_appearance(self, appearance: Appearance) -> None:
        """Draw in this theme and size: curves, markers, axes and legend changed in place.
        ln p and L are drawn in the foreground colour (black on white, light on dark), ln p
        solid and L dashed: neither is a component, so neither takes a component's colour."""
        self.appearance = a = appearance
        apply_plot_appearance(self, a)
        plot = self.getPlotItem()
        plot.showGrid(x=True, y=True, alpha=a.grid_alpha + 0.05)
        ll_size, lb_size = a.curve_symbol_sizes
        self.log_likelihood.setPen(pg.mkPen(a.foreground, width=a.curve_width))
        self.log_likelihood.setSymbolBrush(a.foreground)
        self.log_likelihood.setSymbolSize(ll_size)
        self.lower_bound.setPen(pg.mkPen(a.foreground, width=a.curve_width,
                                         style=Qt.PenStyle.DashLine))
        self.lower_bound.setSymbolBrush(a.foreground)
        self.lower_bound.setSymbolSize(lb_size)
        for curve, size in ((self.log_likelihood, ll_size), (self.lower_bound, lb_size)):
            # pyqtgraph passes a curve's symbol style on to its markers only with data; the
            # legend draws the markers' own, so before the first E-step (no L yet) its
            # triangle kept pyqtgraph's default blue-grey. Set it on the markers too.
            curve.scatter.setBrush(pg.mkBrush(a.foreground))
            curve.scatter.setPen(pg.mkPen(curve.opts["symbolPen"]))
            curve.scatter.setSize(size)
        size, width = a.cursor_mark
        self.hand_marks.setSize(size)
        self.hand_marks.setPen(pg.mkPen(a.foreground, width=max(1.0, width / 2)))
        self.hand_marks.setBrush(pg.mkBrush(*a.overlay, 255))
        self.current.setSize(size)
        self.current.setPen(pg.mkPen(a.foreground, width=width))
        self.legend.setLabelTextColor(a.foreground)
        self.legend.setLabelTextSize(f"{a.tick_pt:g}pt")
        for _, label in self.legend.items:  # pyqtgraph keeps the new style for new labels only
            label.setText(label.text)
        fit_legend(self.legend)
        self.legend.setBrush(pg.mkBrush(*a.background, 200))
        for label in self.end_names:  # in the curves' colour, as large as the legend's text
            label.setColor(a.foreground)
            name_font = QFont(label.textItem.font())
            name_font.setPointSizeF(a.tick_pt)
            label.setFont(name_font)
        self._fit_title()
        shed_plot_text(self, self.legend)  # in this appearance's sizes
        if hasattr(self, "_tick_metrics"):  # not while __init__ builds the plot
            self._tick_metrics = QFontMetrics(plot.getAxis("left").style["tickFont"] or QFont())
            self._fit_tick_labels(self._magnitude)

    def show_state(self, model: Workbench) -> None:
        x, ll, lb = bound_series(model.history)
        known = np.isfinite(lb)  # the init state has no q, so no L
        if len(x) <= 1:
            self.following = True  # a new run
        finite = np.abs(ll[np.isfinite(ll)])
        if len(finite):
            self._magnitude = float(finite.max())
            self._fit_tick_labels(self._magnitude)
        self._shown = (np.r_[x, x], np.r_[ll, lb])
        if self.following:
            self._fit(self.getPlotItem().getViewBox().viewRange())
        self.log_likelihood.setData(x, ll)
        self.lower_bound.setData(x[known], lb[known])
        self._mark_hand(model, x, ll, lb)
        i = model.index
        if 0 <= i < len(x):
            self.cursor.setValue(x[i])
            self.cursor.setVisible(True)
            marks = [(x[i], ll[i])] + ([(x[i], lb[i])] if known[i] else [])
            self.current.setData(pos=np.array(marks))
        else:
            self.cursor.setVisible(False)
            self.current.setData([], [])
        self._legend_off_curves()

    def _legend_off_curves(self) -> None:
        """The legend where no curve lies under it (bottom right, where a climbing ln p
        usually leaves room; else a corner that has room), or out of the plot (in a short
        plot under the lesson it lay over the plateau of ln p and L)."""
        if hasattr(self, "legend"):
            keep_off_data(self, self.legend, LEGEND_PLACES, getattr(self.legend, "_emviz_fits", True))
            self._name_ends(not self.legend.isVisible())

    def _name_ends(self, names: bool) -> None:
        """With ``names`` (the legend left out), "ln p" and "L" in the curves' colour just
        right of their last points (end_names.name_ends), clear of the current half-step's
        ring: ln p and L are both in the foreground colour, told apart by dash and marker
        only, and without the legend (chapter 11 at 1024 x 768) a class could not tell which
        is which. While the view follows the run, its x range runs on past the last point to
        hold them; they are not written where they would take more than NAMES_MAX_SHARE of
        the width, nor where the user's zoom leaves no room right of the ends."""
        box = self.getPlotItem().getViewBox()
        gap = self.current.opts["size"] / 2 + self.current.opts["pen"].widthF() + 3
        width = box.width()
        if names:
            share = names_share(self.end_names, width, gap)
            names = share <= NAMES_MAX_SHARE
        if names:
            (x0, x1), _ = box.viewRange()
            xs = self._shown[0]
            last = float(xs.max()) if len(xs) else x0
            if last + share * (x1 - x0) > x1:  # no room right of the ends
                if self.following:  # x1 - last = share (x1 - x0)
                    box.setXRange(x0, (last - share * x0) / (1 - share), padding=0)
                else:  # zoomed by hand: moved in, the names would stand on the curves
                    names = False
        curves = (self.log_likelihood, self.lower_bound)
        name_ends(box, list(zip(self.end_names, curves, strict=True)), names, gap)

    def _mark_hand(self, model: Workbench, x: np.ndarray, ll: np.ndarray, lb: np.ndarray) -> None:
        """Stars at the "θ set by hand" entries (on ln p, and on L where there is a q)."""
        hand = np.array([s.phase == "hand" for s in model.history], dtype=bool)
        on_l = hand & np.isfinite(lb)
        self.hand_marks.setData(np.r_[x[hand], x[on_l]], np.r_[ll[hand], lb[on_l]])
        listed = any(sample.item is self.hand_marks for sample, _ in self.legend.items)
        if hand.any() and not listed:
            self.legend.addItem(self.hand_marks, "θ set by hand")
            fit_legend(self.legend)
        elif not hand.any() and listed:
            self.legend.removeItem(self.hand_marks)
            fit_legend(self.legend)

    def _fit_tick_labels(self, size: float) -> None:
        """Room for the tick labels of values up to ``size`` in magnitude: the widest label
        of that order ("-888.88", or "-8.88e+06" from 10⁵ on, as pyqtgraph writes them), so
        the width changes only with the order of magnitude."""
        digits = int(np.floor(np.log10(max(size, 1.0)))) + 1
        widest = "-8.88e+08" if digits > 5 else "-" + "8" * digits + ".88"
        width = self._tick_metrics.horizontalAdvance(widest) + 4
        axis = self.getPlotItem().getAxis("left")
        if axis.style["tickTextWidth"] != width or axis.style["autoExpandTextSpace"]:
            axis.setStyle(autoExpandTextSpace=False, tickTextWidth=width)

    def _follow_again(self) -> None:
        """The "A" button: pyqtgraph has just re-enabled its auto-range; follow instead."""
        self.getPlotItem().getViewBox().disableAutoRange()
        self.following = True
        self._fit(((0.0, 0.0), (0.0, 0.0)))  # an empty view: always refit

    def _fit(self, view) -> None:
        new = follow_range(view, *self._shown)
        if new is not None:
            self.getPlotItem().getViewBox().setRange(xRange=new[0], yRange=new[1], padding=0)
            # Let the items see the new range now: left to the paint, they would change
            # their geometry there and have the plot painted a second time.
            self.scene().prepareForPaint()
