"""Curves named at their right ends where a plot's legend has no room.

A plot too short for its legend leaves it out (``legend_room``, ``plot_text.shed_plot_text``),
and then nothing tells its curves apart: BIC and AIC in Choose K, ln p and L (both in the
foreground colour, told apart by dash and marker only) in the bound plot, presenting chapter
11 at 1024 x 768. There each curve's name is written in its colour just right of its last
point, level with it, the two a line apart where their ends are closer than that; the plot
keeps room for them right of the data (``names_share`` says how much), and they are left out
again when the legend shows.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont

from .plot_text import EDGE_PX, InsideText

#: Pixels between a curve's last point and its name.
NAME_GAP_PX = 6
#: The names are written only where they take at most this share of the plot's width.
NAMES_MAX_SHARE = 0.4


def ink_size(label: pg.TextItem) -> tuple[float, float]:
    """The px a TextItem's text takes (its box without the document's margins)."""
    rect, margin = label.textItem.boundingRect(), label.textItem.document().documentMargin()
    return rect.width() - 2 * margin, rect.height() - 2 * margin


def end_name(plot: pg.PlotItem, text: str, color, font: QFont, object_name: str) -> InsideText:
    """A curve's name for its right end, added to ``plot`` hidden (``name_ends`` shows it):
    its left edge, halfway up, is the point it is placed at."""
    label = InsideText(text, color=color, anchor=(0, 0.5))
    label.setObjectName(object_name)
    label.setFont(font)
    label.setVisible(False)
    plot.addItem(label)
    return label


def names_share(labels: list[InsideText], width: float, gap_px: float = NAME_GAP_PX) -> float:
    """The share of a plot ``width`` px wide that the widest name takes right of its curve's
    end (with the gap and InsideText's edges): the x axis must run on past the data by that
    share; over NAMES_MAX_SHARE the names are not written."""
    ink = max(ink_size(label)[0] for label in labels)
    return (ink + gap_px + 2 * EDGE_PX) / width if width > 0 else float("inf")


def name_ends(box: pg.ViewBox, ends: list[tuple[InsideText, pg.PlotDataItem]], shown: bool,
              gap_px: float = NAME_GAP_PX) -> None:
    """Each label (``shown``, and its curve has a finite point) ``gap_px`` right of its
    curve's last finite point, level with it; two whose ends are closer than a line are
    moved apart to a line (both kept inside the plot), the higher end's name above (the
    first given where the ends are level on screen). Hidden otherwise."""
    placed = []
    for label, curve in ends:
        x, y = curve.getData()
        finite = np.isfinite(y) if y is not None else np.zeros(0, bool)
        visible = shown and bool(finite.any())
        label.setVisible(visible)
        if visible:
            placed.append([label, float(x[finite][-1]), float(y[finite][-1])])
    if not placed or box.width() <= 0 or box.height() <= 0:
        return
    (x0, x1), (y0, y1) = box.viewRange()
    per_px_x, per_px_y = (x1 - x0) / box.width(), (y1 - y0) / box.height()
    if len(placed) == 2:
        upper, lower = sorted(placed, key=lambda end: -end[2])
        if upper[2] - lower[2] < per_px_y / 2:  # level on screen: the order given (ln p over L)
            upper, lower = placed
        line = max(ink_size(end[0])[1] for end in placed) * per_px_y
        if upper[2] - lower[2] < line:
            middle = (upper[2] + lower[2]) / 2
            upper[2], lower[2] = middle + line / 2, middle - line / 2
            # both inside the plot, one under the other (an end at the top: InsideText
            # would move the upper name down alone, onto the lower one)
            room = line / 2 + EDGE_PX * per_px_y
            shift = min(0.0, y1 - room - upper[2]) or max(0.0, y0 + room - lower[2])
            upper[2], lower[2] = upper[2] + shift, lower[2] + shift
    for label, x, y in placed:
        label.place(x + gap_px * per_px_x, y)
