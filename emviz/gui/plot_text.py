"""Text in a plot that is never cut off by its plot's edges.

``shed_plot_text`` leaves out a plot's legend, axis title and title, in that order, when the
plot is too short to hold them, and brings them back when it is tall enough.

``InsideText`` is a pyqtgraph TextItem placed at a point in data coordinates, as near it as it
can be while its text lies wholly inside its view box: moved in from an edge when the point is
near one, and re-placed whenever the view's range or size, the text or its font changes (a
projector's larger font, a narrower window). When the view box is too small to hold the text
at all it is made transparent rather than drawn cut off (the screen audit skips it then).
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF

#: Pixels kept between the text's ink and the view box's edge (anti-aliasing, rounding).
EDGE_PX = 2.0


class InsideText(pg.TextItem):
    """A TextItem that keeps inside its view box. Place it with ``place(x, y)`` (data
    coordinates); ``anchor`` says which point of the text sits there, as in pyqtgraph."""

    def __init__(self, *args, **kwargs) -> None:
        self._wanted: tuple[float, float] | None = None
        self._placing = False
        super().__init__(*args, **kwargs)

    @property
    def wanted(self) -> tuple[float, float] | None:
        """Where the text was asked to be (it may be drawn moved in from an edge)."""
        return self._wanted

    def place(self, x: float, y: float) -> None:
        """Put the anchor at (x, y), or as near as keeps the text inside; an infinite
        coordinate means that edge of the view (``place(1.0, -math.inf)``: at the bottom)."""
        self._wanted = (float(x), float(y))
        self.fit_inside()

    def updateTextPos(self) -> None:  # noqa: N802 (pyqtgraph API): text, font or anchor changed
        super().updateTextPos()
        self.fit_inside()

    def updateTransform(self, force: bool = False) -> None:  # noqa: N802 (pyqtgraph API)
        super().updateTransform(force)  # the view's range or size changed (or a paint is due)
        self.fit_inside()

    def fit_inside(self) -> None:
        """Move the text to the point nearest the wanted one where all of its ink lies inside
        the view box; transparent if the box cannot hold it."""
        if self._wanted is None or self._placing or not hasattr(self, "textItem"):
            return
        box = self.getViewBox()
        if box is None or box.width() <= 0 or box.height() <= 0:
            return
        self._placing = True
        try:
            (x0, x1), (y0, y1) = box.viewRange()
            sx = (x1 - x0) / box.width()  # data units per pixel
            sy = (y1 - y0) / box.height()
            rect = self.textItem.boundingRect()
            m = self.textItem.document().documentMargin()
            w, h = rect.width() - 2 * m, rect.height() - 2 * m  # the ink, in pixels
            ax, ay = self.anchor[0], self.anchor[1]
            # The ink's extent around the anchor point, in pixels (x right, y down).
            left, right = -ax * rect.width() + m, -ax * rect.width() + m + w
            up, down = -ay * rect.height() + m, -ay * rect.height() + m + h
            fits = w + 2 * EDGE_PX <= box.width() and h + 2 * EDGE_PX <= box.height()
            x, y = self._wanted
            # ±inf: at that edge of the view (a label that stays at the bottom, say)
            x = min(max(x, min(x0, x1)), max(x0, x1))
            y = min(max(y, min(y0, y1)), max(y0, y1))
            if fits:
                x = min(max(x, x0 + (EDGE_PX - left) * sx), x1 - (right + EDGE_PX) * sx)
                if box.yInverted():
                    y = min(max(y, y0 + (EDGE_PX - up) * sy), y1 - (down + EDGE_PX) * sy)
                else:
                    y = min(max(y, y0 + (down + EDGE_PX) * sy), y1 - (EDGE_PX - up) * sy)
            self.setOpacity(1.0 if fits else 0.0)
            if (self.pos().x(), self.pos().y()) != (x, y):
                self.setPos(x, y)
        finally:
            self._placing = False


def shed_plot_text(widget: pg.PlotWidget, legend: pg.LegendItem | None = None,
                   reserved: float = 0.0, title: bool = True) -> None:
    """In a plot too short for all its text (a tab squeezed under the lesson while presenting:
    13 to 72 px), leave out what does not fit rather than draw it cut, least needed first: the
    legend, the bottom axis' title, the plot's title; each back when there is room again.

    Decided from the view's height and the texts' own heights only, never from the room the
    others leave, so leaving one out cannot make the room that brings it back (no flicker).
    ``reserved``: pixels of the height the plot's other rows take (a caption under it);
    ``title``: False to leave the title alone (always shown)."""
    plot = widget.getPlotItem()
    if plot is None:  # made, or taken apart
        return
    height = widget.height() - reserved
    axis = plot.getAxis("bottom")
    heading = plot.titleLabel
    tick_font = axis.style["tickFont"]
    tick_h = QFontMetricsF(tick_font if tick_font is not None else widget.font()).height() + 10
    title_h = math.ceil(heading.item.boundingRect().height()) if heading.text else 0
    label_h = axis.label.boundingRect().height() if axis.labelText else 0.0
    curves = 3 * tick_h  # the curves' own room: at least a few tick labels' worth
    show_title = bool(title_h) and (not title or height >= curves + tick_h + title_h)
    show_label = bool(label_h) and height >= curves + tick_h + title_h * show_title + label_h
    if title:
        _show_title(plot, show_title, title_h)
    axis._emviz_left_out = not show_label  # kept out by the title's eliding (emviz.gui.style)
    if axis.label.isVisible() != show_label and axis.labelText:
        axis.showLabel(show_label)
    if legend is not None:
        box_h = height - tick_h - title_h * show_title - 0.8 * label_h * show_label
        box_w = widget.width() - plot.getAxis("left").width()
        rect = legend.boundingRect()
        legend._emviz_fits = rect.height() + 2 * tick_h <= box_h and rect.width() + 20 <= box_w
        legend.setVisible(legend._emviz_fits)


def _show_title(plot: pg.PlotItem, show: bool, height: float) -> None:
    """Show or leave out a plot's title and its row; shown again, the row gets back the
    height it had (the title's own height at least)."""
    label = plot.titleLabel
    if show == label.isVisible() and (not show or plot.layout.rowMaximumHeight(0) >= height):
        return
    if not show:
        label._emviz_row = plot.layout.rowMaximumHeight(0)
        height = 0
    else:
        row = getattr(label, "_emviz_row", 0)
        height = row if 0 < row < 1e4 and row >= height else height
    label.setVisible(show)
    label.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


def wrap_title(html: str, font: QFont, width: float) -> str:
    """A title of short lines (joined by ``<br>``) laid out again for a plot ``width`` px
    wide in ``font``: a line too wide breaks at its " · " first ("k-means · iteration 4"
    over "k-means" and "iteration 4"), then between words; the parts of a line join again
    when they fit. A word wider than ``width`` stays whole (the layout must give the room)."""
    metrics = QFontMetricsF(font)
    out: list[str] = []
    for line in html.split("<br>"):
        if metrics.horizontalAdvance(line) <= width:
            out.append(line)
            continue
        row = ""
        for part in line.split(" · "):
            joined = f"{row} · {part}" if row else part
            if metrics.horizontalAdvance(joined) <= width:
                row = joined
                continue
            if row:
                out.append(row)
            *whole, row = _words_fitting(part, metrics, width)  # the last line may take more
            out.extend(whole)
        out.append(row)
    return "<br>".join(out)


def _words_fitting(part: str, metrics: QFontMetricsF, width: float) -> list[str]:
    """``part`` whole if it fits, else its words in lines that fit (a lone long word whole)."""
    if metrics.horizontalAdvance(part) <= width:
        return [part]
    lines: list[str] = []
    for word in part.split(" "):
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
