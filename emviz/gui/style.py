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
