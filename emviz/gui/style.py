"""Look and feel for a projector: white plots, dark text, fonts readable from the back row."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QGraphicsItem

BASE_POINT_SIZE = 11
PLOT_LABEL_STYLE = {"font-size": "12pt"}


def apply_pyqtgraph_style() -> None:
    pg.setConfigOptions(background="w", foreground="k", antialias=True)


def apply_app_font(app: QApplication) -> None:
    font = app.font()
    if font.pointSizeF() < BASE_POINT_SIZE:
        font.setPointSizeF(BASE_POINT_SIZE)
        app.setFont(font)


def style_plot(widget: pg.PlotWidget, cache_axes: bool = True) -> None:
    """Larger tick labels and axis titles on a pyqtgraph plot. With ``cache_axes`` each axis
    (with its grid lines) is cached as a pixmap: right for a plot whose range rarely changes
    but whose contents do (a new frame of the points repaints the whole view, and replaying
    the axes' drawing cost more than everything else in it); wrong for one whose range
    changes often (the cache is redrawn as well as the axes: 14 ms a frame instead of 9)."""
    plot = widget.getPlotItem()
    tick_font = QFont()
    tick_font.setPointSize(BASE_POINT_SIZE)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        if cache_axes:
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        axis.setStyle(tickFont=tick_font)
        axis.setTextPen("k")
        label = axis.labelText
        if label:
            axis.setLabel(label, **PLOT_LABEL_STYLE)
    if plot.getViewBox().state["aspectLocked"]:
        _steady_left_axis(plot)


def _steady_left_axis(plot: pg.PlotItem) -> None:
    """In an aspect-locked plot, let the left axis widen at any time but narrow only when the
    plot is asked for another region (zoom, pan, new data, the other view followed), not when
    its size changes.

    pyqtgraph fits the left axis to its tick labels both ways. With the aspect locked the y
    range depends on the view's width, so wider labels -> a narrower view -> a larger y range
    -> other ticks -> narrower labels -> a wider view -> a smaller y range -> wider labels ...
    which could go round for ever (issue #11: 52.6 and 37.5 px, the y range ±4.19 and ±3.98,
    50 times a second, the GUI thread never idle). Only widening, it settles in a step or two.
    """
    axis = plot.getAxis("left")
    axis.setStyle(autoReduceTextSpace=False)
    box = plot.getViewBox()
    asked = [box.targetRect()]

    def on_range_changed(*_args) -> None:
        target = box.targetRect()  # the region asked for; the aspect lock widens it to fit
        if target != asked[0]:
            asked[0] = target
            axis.textWidth = 0  # pyqtgraph's widest label so far: measured afresh at the next paint

    box.sigRangeChanged.connect(on_range_changed)
