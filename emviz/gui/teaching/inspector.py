"""The point inspector: how the E-step splits one point's unit mass over the K components,

    r_nk = π_k N(x_n | μ_k, Σ_k) / Σ_j π_j N(x_n | μ_j, Σ_j),

one bar per component in its colour. Alt+click on the points view picks the point (a ring
marks it there); hovering over a point shows the same numbers briefly as a tooltip.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from ...core import Breakdown, Mixture, nearest_index, responsibility_breakdown
from ...look.appearance import Appearance
from ...session.model import Workbench
from ..features import Feature
from ..style import style_plot
from ._shared import (
    TEXT_PT,
    TextScroll,
    current_state,
    fixed_plot,
    font,
    num,
    q_mixture,
    sci,
    swatch_html,
)

#: Alt+click picks the nearest point within this many screen pixels; hovering, within HOVER_PX.
PICK_PX = 10.0
HOVER_PX = 6.0
#: The bars' plot is never shorter (pixels) while the page has room for it and its texts
#: whole. In a shorter page it gives way to the texts down to BARS_GIVE_WAY_TO (text read
#: whole beats a taller plot; 150 px presenting, its axes' text 1.5 times larger), then to
#: the texts' first lines down to BARS_LEAST_HEIGHT
#: (presenting beside the lesson the page is 144-186 px high: the texts scroll there; the
#: bars' fixed 175 px had laid the page's parts over each other and cut the caption).
BARS_MIN_HEIGHT = 175
BARS_GIVE_WAY_TO = 100
BARS_LEAST_HEIGHT = 60
#: The bars' y axis ends here: room over a bar of r_nk = 1 for its value.
Y_TOP = 1.25
#: Its ticks, the most that fit apart (a short plot: fewer).
TICKS = ((0, 0.25, 0.5, 0.75, 1.0), (0, 0.5, 1.0), (0, 1.0), (1.0,))
CAPTION = "each point has unit mass and splits it across the K components"
_N = "𝒩"


def nearest_on_screen(points_view, X: np.ndarray, x: float, y: float, radius_px: float) -> int | None:
    """The index of the point nearest to (x, y) in screen distance, if within radius_px."""
    if len(X) == 0:
        return None
    sx, sy = points_view.pixel_size()
    if not (sx > 0 and sy > 0):
        return None
    scale = np.array([sx, sy])
    return nearest_index(X / scale, np.array([x, y]) / scale, radius_px)


def _weighted_text(b: Breakdown, k: int) -> str:
    """π_k N(x_n | μ_k, Σ_k), or exp(its log) where it underflows to 0."""
    if b.weighted[k] > 0 or not np.isfinite(b.log_weighted[k]):
        return sci(float(b.weighted[k]))
    return f"exp({num(float(b.log_weighted[k]), 1)})"


def _normaliser_text(b: Breakdown) -> str:
    total = float(np.exp(b.log_normaliser)) if b.log_normaliser > -700 else 0.0
    return sci(total) if total > 0 else f"exp({num(b.log_normaliser, 1)})"


class _PlotRoom(QWidget):
    """Where the bars' plot goes, until it is built: its sizes (fixed_plot's least height,
    a PlotWidget's size hints and policy), nothing drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumHeight(BARS_MIN_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(600, 480)  # pyqtgraph's GraphicsView's

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(68, 68)


class PointInspector(QWidget):
    def __init__(self, points_view=None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("pointInspector")
        self.breakdown: Breakdown | None = None  # what the bars show
        self.next_breakdown: Breakdown | None = None  # after an M-step: the next E-step's r
        self.header = QLabel()
        self.header.setObjectName("inspectorHeader")
        self.header.setFont(font(TEXT_PT))
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        # The bars' plot is built when the tab is first shown or it is asked for (``plot``,
        # ``bars``): at start the tab is hidden, and a plot cost 12 ms of the start-up. Until
        # then what the bars would show is kept (``_bars_state``) and drawn when it is built,
        # and a stand-in of the plot's sizes holds its place: the page asks the tab widget
        # (and so the window) for the same room as when it is built.
        self._plot: pg.PlotWidget | None = None
        self._stand_in: QWidget | None = _PlotRoom()
        self._bars_state: tuple | None = None  # (ks, r_nk, palette, next r_nk or None)
        self.values: list[pg.TextItem] = []
        self.table = QLabel()
        self.table.setObjectName("inspectorTable")
        self.table.setFont(font(TEXT_PT))
        self.table.setTextFormat(Qt.TextFormat.RichText)
        self.table.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table.setToolTip("Last row: the normaliser Σ_j π_j N(x_n | μ_j, Σ_j) = p(x_n | θ), "
                              "and the r_nk summing to one")
        self.table.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.caption = QLabel(CAPTION)
        self.caption.setObjectName("inspectorCaption")
        caption_font = font(TEXT_PT)
        caption_font.setItalic(True)
        self.caption.setFont(caption_font)
        self.caption.setWordWrap(True)
        # the caption under the table, in its scroll area: in a short page both scroll, whole,
        # rather than a label squeezed under the bars
        self.table_text = QWidget(objectName="inspectorTableText")
        text_layout = QVBoxLayout(self.table_text)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.setSpacing(4)
        text_layout.addWidget(self.table)
        text_layout.addWidget(self.caption)
        text_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("inspectorTableScroll")
        scroll.setWidget(self.table_text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # in a column narrower than the table it scrolls sideways (_fit_table leaves room for
        # the bar) rather than cut the r_nk column off at the right
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.table_scroll = scroll
        # the header scrolls when the tab is too short for it (presenting under the lesson:
        # 101 px for 155 of text), the bars keeping their least height
        self.header_scroll = TextScroll(self.header, "inspectorHeaderScroll")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.header_scroll)
        layout.addWidget(self._stand_in, 1)
        layout.addWidget(scroll, 0)  # as tall as the table needs (show_state), the plot the rest
        self.ring: list[pg.ScatterPlotItem] = []
        if points_view is not None:
            # A white halo under a black ring: visible on any point colour and on white.
            for width, size, color in ((6, 26, "w"), (3, 26, "k")):
                ring = pg.ScatterPlotItem(size=size, symbol="o", brush=pg.mkBrush(None),
                                          pen=pg.mkPen(color, width=width), pxMode=True)
                ring.setZValue(20)
                ring.setEnabled(False)  # clicks go through to the view box
                points_view.addItem(ring)
                self.ring.append(ring)
        self._shown: tuple | None = None
        self._appearance = Appearance()

    # -- the bars' plot, built when first needed ------------------------------------------
    @property
    def plot(self) -> pg.PlotWidget:
        """The bars' plot (built now if it was not yet)."""
        if self._plot is None:
            self._build_plot()
        assert self._plot is not None
        return self._plot

    @property
    def bars(self) -> pg.BarGraphItem:
        """r_nk of the chosen point, a bar per component in its colour."""
        if self._plot is None:
            self._build_plot()
        return self._bars

    @property
    def next_bars(self) -> pg.BarGraphItem:
        """Dashed: the r_nk the next E-step will give (after an M-step or a hand edit)."""
        if self._plot is None:
            self._build_plot()
        return self._next_bars

    def _build_plot(self) -> None:
        self._plot = widget = fixed_plot("inspectorBars", BARS_MIN_HEIGHT)
        plot = widget.getPlotItem()
        plot.setLabel("left", "r_nk")
        plot.setLabel("bottom", "component k")
        plot.setYRange(0, Y_TOP, padding=0)
        self._ticks: tuple[float, ...] = ()
        plot.showGrid(x=False, y=True, alpha=0.2)
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.7, pen=pg.mkPen("k", width=1.2))
        plot.addItem(self._bars)
        self._next_bars = pg.BarGraphItem(
            x=[], height=[], width=0.86, brush=pg.mkBrush(None),
            pen=pg.mkPen("k", width=2, style=Qt.PenStyle.DashLine))
        self._next_bars.setZValue(2)
        plot.addItem(self._next_bars)
        plot.getViewBox().sigResized.connect(lambda _box: self._fit_values())
        style_plot(widget)
        stand_in, self._stand_in = self._stand_in, None
        layout = self.layout()
        layout.removeWidget(stand_in)
        stand_in.deleteLater()
        layout.insertWidget(1, widget, 1)  # under the header, the table under it
        window = self.window()
        presentation = getattr(window, "presentation", None)
        if presentation is not None:
            presentation.adopt(widget)  # the look the window has now (dark, presenting)
        self.apply_theme(self._appearance)
        self._draw_bars()
        self._fit_table()  # the bars' least height for this page's room
        self._fit_values()  # the y axis's ticks

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._plot is None:
            self._build_plot()  # before the tab's first paint
        super().showEvent(event)

    def apply_theme(self, a: Appearance) -> None:
        """The bars' outlines, the dashed next r_nk and the values in the foreground colour
        (the ring on the points view is a light halo under a dark ring: seen on any theme)."""
        self._appearance = a
        if self._plot is None:
            return  # the plot takes it when it is built
        self.bars.setOpts(pen=pg.mkPen(a.foreground, width=1.2))
        self.next_bars.setOpts(pen=pg.mkPen(a.foreground, width=2, style=Qt.PenStyle.DashLine))
        for label in self.values:
            label.setColor(a.foreground)

    # -- drawing -----------------------------------------------------------------------
    def show_state(self, model: Workbench) -> None:
        state, i, X = current_state(model), model.selected_point, model.points
        shown = self._shown
        if shown is not None and shown[0] is state and shown[1] is X and shown[2] == i:
            return
        if shown is None or shown[1] is not X or shown[2] != i:
            # Only when the point moves: touching the ring repaints the whole points view.
            for ring in self.ring:
                ring.setData(pos=X[i : i + 1] if i is not None else np.empty((0, 2)))
        self._shown = (state, X, i)
        if i is None or state is None:
            self._clear("<b>Alt+click a point</b> in the points view to see how it splits its unit "
                        "mass across the K components (hover over a point for a quick look).")
            return
        x = X[i]
        theta_q = q_mixture(model)
        b = responsibility_breakdown(x, theta_q)
        self.breakdown = b
        k = len(b.resp)
        palette = model.identity.em_palette(k)
        ks = np.arange(1, k + 1, dtype=float)
        if state.phase in ("M", "hand"):
            self.next_breakdown = responsibility_breakdown(x, state.mixture)
        else:
            self.next_breakdown = None
        nxt = None if self.next_breakdown is None else self.next_breakdown.resp
        self._bars_state = (ks, b.resp, palette, nxt)
        if self._plot is not None:
            self._draw_bars()
        where = ", ".join(num(c) for c in x)
        source = {
            "init": "θ₀: what the first E-step will give",
            "E": f"E-step {state.iteration}",
            "M": f"E-step {state.iteration} (θ_old); dashed: the next E-step",
            "hand": "the last E-step (held); dashed: the next E-step, from θ set by hand",
        }[state.phase]
        self.header.setText(
            f"<b>Point n = {i + 1}</b> at x<sub>n</sub> = ({where})<br>r<sub>nk</sub> from {source}<br>"
            f"Σ<sub>j</sub> π<sub>j</sub> {_N}(x<sub>n</sub> | μ<sub>j</sub>, Σ<sub>j</sub>) = "
            f"p(x<sub>n</sub> | θ) = {_normaliser_text(b)}")
        self.header_scroll.fit()
        self.table.setText(self._table_html(b, palette))
        self._fit_table()

    def _draw_bars(self) -> None:
        """What ``_bars_state`` says: one bar per component in its colour, the dashed next
        r_nk, the values over the bars; none while no point is chosen."""
        if self._bars_state is None:
            self.bars.setOpts(x=[], height=[])
            self.next_bars.setOpts(x=[], height=[])
            for label in self.values:
                label.setVisible(False)
            return
        ks, resp, palette, nxt = self._bars_state
        k = len(ks)
        self.bars.setOpts(x=ks, height=resp, width=0.7,
                          brushes=[pg.mkBrush(*(int(c) for c in rgb)) for rgb in palette])
        if nxt is not None:
            self.next_bars.setOpts(x=ks, height=nxt, width=0.86)
        else:
            self.next_bars.setOpts(x=[], height=[])
        self._show_values(ks, resp)
        plot = self.plot.getPlotItem()
        plot.setXRange(0.4, k + 0.6, padding=0)
        plot.getAxis("bottom").setTicks([[(j, str(j)) for j in range(1, k + 1)]])

    def _fit_table(self) -> None:
        """The table and the caption as tall as they need, the bars the rest (a QScrollArea
        alone would ask for a fixed, smaller height). The bars' least height follows the
        page's room (see BARS_MIN_HEIGHT): the page's parts never ask for more than the
        page, whose layout would lay them over each other."""
        width = max(self.width() - 12, 100)
        text = self.table_text.layout()
        inner = max(width, self.table.sizeHint().width())  # the caption wraps at the table's width
        need = (text.totalHeightForWidth(inner) if text.hasHeightForWidth()
                else self.table_text.sizeHint().height()) + 2
        scroll_bar = 0
        if self.table.sizeHint().width() > width:  # the sideways scroll bar under the rows
            scroll_bar = self.table_scroll.horizontalScrollBar().sizeHint().height()
        need += scroll_bar
        line = self.table.fontMetrics().lineSpacing() + 2 + scroll_bar  # the table's first row
        room = self.height() - 12 - 2 * self.layout().spacing()  # for the three parts
        header_line = self.header_scroll.minimumSizeHint().height()
        header = self.header.heightForWidth(width)
        bars = min(BARS_MIN_HEIGHT, max(self._give_way_px(), room - header - need))
        bars = max(BARS_LEAST_HEIGHT, min(bars, room - header_line - line))
        self._set_bars_min_height(bars)
        used = header + bars
        self.table_scroll.setMaximumHeight(need)
        self.table_scroll.setMinimumHeight(max(min(line, need), min(need, room - used)))

    def _set_bars_min_height(self, height: int) -> None:
        """The bars' plot (or the stand-in for it) no shorter than ``height``."""
        plot = self._plot if self._plot is not None else self._stand_in
        if plot is not None and plot.minimumHeight() != height:
            plot.setMinimumHeight(height)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit_table()

    def _show_values(self, ks: np.ndarray, resp: np.ndarray) -> None:
        plot = self.plot.getPlotItem()
        while len(self.values) < len(ks):
            label = pg.TextItem(color=self._appearance.foreground, anchor=(0.5, 1.0))
            label.setFont(font(10 if len(ks) > 6 else 12))
            plot.addItem(label)
            self.values.append(label)
        for j, label in enumerate(self.values):
            if j < len(ks):
                label.setText(f"{resp[j]:.2f}")
                label.setPos(ks[j], resp[j] + 0.01)
        self._fit_values()

    def _give_way_px(self) -> int:
        """BARS_GIVE_WAY_TO at the texts' size (presenting: 1.5 times)."""
        return round(BARS_GIVE_WAY_TO * max(1.0, self.header.font().pointSizeF() / TEXT_PT))

    def _fit_values(self) -> None:
        """A plot shorter than BARS_GIVE_WAY_TO (presenting beside the lesson: 60-98 px)
        without its bottom axis: its ticks and "component k" took 54 of 98 px, the bars 44
        (they are in their components' colours, as the table's rows under them). The y
        axis's ticks as many as fit apart (0.25 apart, else 0.5, else 0 and 1: in a short
        plot their labels lay over each other), and the r_nk over the bars if they fit over
        the tallest bar, else left out (the table prints the same r_nk), never drawn out of
        the plot."""
        if self._plot is None:
            return
        plot = self._plot.getPlotItem()
        short = self._plot.height() < self._give_way_px()
        if plot.getAxis("bottom").isVisible() == short:
            plot.showAxis("bottom", not short)  # (the view box's resize calls this again)
        box = plot.getViewBox()
        axis = plot.getAxis("left")
        tick_px = QFontMetrics(axis.style["tickFont"] or axis.font()).height() * 1.1
        ticks = next((t for t in TICKS if len(t) < 2 or (t[1] - t[0]) / Y_TOP * box.height() >= tick_px),
                     ())
        if ticks != self._ticks:
            self._ticks = ticks
            axis.setTicks([[(v, f"{v:g}") for v in ticks]])
        state = self._bars_state
        if state is None:
            return
        ks, resp = state[0], state[1]
        tallest = max((label.boundingRect().height() for label in self.values[:len(ks)]), default=0.0)
        room = box.height() * (1.0 - (float(np.max(resp)) + 0.01) / Y_TOP) if len(ks) else 0.0
        fits = box.height() <= 0 or tallest <= room
        for j, label in enumerate(self.values):
            label.setVisible(fits and j < len(ks) and len(ks) <= 12)

    def _table_html(self, b: Breakdown, palette: np.ndarray) -> str:
        cell = "style='padding: 1px 4px'"  # 8 px made it 278 px wide: 9 px too wide at 1024 x 768
        rows = [f"<tr><th {cell}>k</th><th {cell}>π<sub>k</sub> {_N}(x<sub>n</sub> | μ<sub>k</sub>,"
                f" Σ<sub>k</sub>)</th><th {cell}>r<sub>nk</sub></th></tr>"]
        for k, rgb in enumerate(palette):
            swatch = swatch_html(rgb)
            rows.append(f"<tr><td {cell}>{swatch} {k + 1}</td><td align='right' {cell}>"
                        f"{_weighted_text(b, k)}</td><td align='right' {cell}>{b.resp[k]:.4f}</td></tr>")
        rows.append(f"<tr><td {cell}>Σ<sub>j</sub></td><td align='right' {cell}>{_normaliser_text(b)}</td>"
                    f"<td align='right' {cell}>{b.resp.sum():.4f}</td></tr>")
        return "<table cellspacing='0'>" + "".join(rows) + "</table>"

    def _clear(self, message: str) -> None:
        self.breakdown = self.next_breakdown = None
        self._bars_state = None
        if self._plot is not None:
            self._draw_bars()
        self.header.setText(message)
        self.header_scroll.fit()
        self.table.setText("")
        self._fit_table()


def hover_text(model: Workbench, i: int) -> str:
    """The tooltip for point i: its r_nk, one coloured entry per component."""
    mixture: Mixture | None = q_mixture(model)
    if mixture is None:
        return f"point n = {i + 1}"
    b = responsibility_breakdown(model.points[i], mixture)
    palette = model.identity.em_palette(len(b.resp))
    parts = [f"{swatch_html(rgb)} {r:.2f}" for rgb, r in zip(palette, b.resp, strict=True)]
    note = "" if model.current is not None and model.current.phase != "init" else " (θ₀)"
    return (f"<b>point n = {i + 1}</b>: r<sub>nk</sub>{note} = " + " · ".join(parts)
            + "<br>Alt+click to inspect")


class HoverTips(QObject):
    """Shows a point's r_nk as the tooltip when the mouse rests on it (Qt's tooltip event,
    so nothing is computed while the mouse moves); elsewhere the view's own tooltip shows."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.show_text = QToolTip.showText  # (global position, text, widget); a seam for tests

    def point_at(self, pos) -> int | None:
        pv = self._window.points_view
        scene = pv.mapToScene(pos)
        data = pv.getPlotItem().getViewBox().mapSceneToView(QPointF(scene))
        return nearest_on_screen(pv, self._window.model.points, data.x(), data.y(), HOVER_PX)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() != QEvent.Type.ToolTip:
            return False
        i = self.point_at(event.pos())
        if i is None:
            return False
        self.show_text(event.globalPos(), hover_text(self._window.model, i), watched)
        return True


def install(window) -> Feature:
    pv = window.points_view
    view = PointInspector(points_view=pv)
    window.add_tab(view, "Point")
    # Drawn with the points view, not with its tab: it rings the chosen point there too.
    window.add_view(view, {"points", "history", "index", "selection", "identity"}, widget=pv)

    def inspect(x: float, y: float) -> None:
        i = nearest_on_screen(pv, window.model.points, x, y, PICK_PX)
        window.model.select_point(i)
        if i is not None:
            window.show_tab(view)

    pv.inspect_requested.connect(inspect)
    tips = HoverTips(window)
    pv.viewport().installEventFilter(tips)
    return Feature("inspector", view, views=(view,), parts={"hover_tips": tips})
