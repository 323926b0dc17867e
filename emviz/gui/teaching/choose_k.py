"""The tab "Choose K": which K, and which of EM's local optima.

Top: BIC and AIC against K = 1 .. 8 for the current data, each point the best of a few EM
runs, fitted in a thread of its own while the tab is on screen; the window's K is shaded and
the K with the lowest BIC ringed. Click a point to use that K.

Bottom: "Run from N random starts" runs EM to its end from N seeds at the window's K and
shows each start's final ln p(X | θ) as a dot; starts that end in the same local optimum
pile up. Click a dot to load that start (its seed), then Play to watch EM climb to it.

One tab for both (not two): they answer the two questions a fitted mixture leaves, and at
1280 x 800 the tab bar has room for one more title, not two.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...look.appearance import Appearance
from ...look.colors import AIC_STYLE, BIC_STYLE, INK, MID_GREY, neutral
from ...session.choose_k_runs import (
    DEFAULT_RESTARTS,
    STARTS_PER_K,
    CriterionPoint,
    Fit,
    Progress,
    criteria_curve,
    curve_key,
    curve_ks,
    lowest,
    restarts,
    restarts_key,
    same_key,
    stack,
)
from ...session.model import Settings, Workbench
from ...session.parts import ChooseKPart
from ..end_names import NAMES_MAX_SHARE, end_name, name_ends, names_share
from ..features import Feature
from ..jobs import Stream
from ..plot_text import InsideText
from ..style import fit_legend, style_plot, whole_axis_title_or_none
from ._shared import HIGHLIGHT, TEXT_PT, font, num

TITLE = "Choose K"
TOOLTIP = "Choose K: BIC and AIC against K, and EM from many random starts"
# Criteria and restarts are not clusters: black and greys (emviz.look.colors), told apart by
# dashes and markers, never a component's colour.
BIC_RGB = BIC_STYLE[0]  # solid, circles
AIC_RGB = AIC_STYLE[0]  # dashed, triangles
DOT_RGB = MID_GREY
BEST_RGB = INK  # and a larger dot with a ring: not colour alone
CAPTION_PT = 11
#: New data or settings are fitted this long after the last change (a spray of points is
#: one change, not twenty).
SETTLE_MS = 150
#: Room above the highest point for the legend, as a fraction of the values' range: at
#: least this, and at least the legend's own height in pixels (and LEGEND_GAP_PX for the
#: ring of the lowest BIC): a share alone left a 53 px legend over the curves' first
#: points in a plot of about 100 px (K = 1 presenting at 1024 x 768).
LEGEND_HEADROOM = 0.45
LEGEND_GAP_PX = 14
#: The legend leaves the plot when it would take more than this share of its height; then
#: each curve's name is written at its right end (emviz.gui.end_names; the K axis runs on
#: past the last K to hold them).
LEGEND_MAX_SHARE = 0.6
#: Final ln p values closer than this fraction of the strip's range share a pile (about a
#: dot's width).
PILE_FRACTION = 1 / 40
#: Piles are squeezed alike once the tallest has more dots than this (then counts are
#: written over them), and the y range has room for this many rows and the counts above.
PILE_ROWS = 3
PILE_HEADROOM = 2.3
#: Counts closer than this on screen are left out (the bigger pile keeps its count).
LABEL_GAP_PX = 30
MAX_RESTARTS = 200
#: "iteration 17…" is redrawn at most this often (a new fitted K or start at once).
PROGRESS_S = 0.1


def pile_width(values: np.ndarray, n_points: int, tol: float) -> float:
    """Final ln p values this close count as one ending on the strip: about a dot's width
    of the plotted range, and never less than what EM's stopping rule leaves undecided."""
    finite = values[np.isfinite(values)]
    span = float(np.ptp(finite)) if len(finite) else 0.0
    return max(span * PILE_FRACTION, 10.0 * tol * n_points, 1e-9)


#: Presenting, each plot keeps at least this much height inside its axes (the criteria curve
#: had 53 px under its 18 pt axes and legend at 1280 x 800, too short for a class to read):
#: the plots' least heights grow with the fonts, and the tab scrolls rather than squeeze them.
PRESENT_PLOT_AREA_PX = 100


class Throttle:
    """``due()`` is True at most once per PROGRESS_S: an iteration count that changes a
    thousand times a second is shown ten times a second."""

    def __init__(self) -> None:
        self._last = -math.inf

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last < PROGRESS_S:
            return False
        self._last = now
        return True


class _Plot(pg.PlotWidget):
    """A fixed plot (as ``fixed_plot``: no menu, no mouse zoom or pan, no buttons) whose
    size hint is its minimum height: it takes the height that is left, and the tab's page
    knows how tall it must be (pyqtgraph's hint, 640 x 480, would make it scroll always)."""

    def __init__(self, name: str, min_height: int) -> None:
        super().__init__()
        self.setObjectName(name)
        self.base_height = min_height  # its least height at the normal font size
        self.setMinimumHeight(min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(200, self.minimumHeight())

    def scale_height(self, a: Appearance) -> None:
        """Its least height grows with the fonts: its axes and legend take that much more of
        it, and the plot area inside keeps PRESENT_PLOT_AREA_PX or more when presenting."""
        height = round(self.base_height * a.font_scale)
        if self.minimumHeight() != height:
            self.setMinimumHeight(height)
            self.updateGeometry()


def _caption(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setFont(font(CAPTION_PT))
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class CriteriaView(QWidget):
    """BIC and AIC against K. The fits run in a thread, only while this view is on screen
    (hidden, it stops after the current EM iteration and keeps the Ks it has)."""

    def __init__(self, apply_settings: Callable[[Settings], None], message: Callable[[str], None],
                 parent=None, part: ChooseKPart | None = None) -> None:
        super().__init__(parent)
        self._apply_settings, self._message = apply_settings, message
        self._part = part if part is not None else ChooseKPart()  # the curve: model.choose_k
        self._model: Workbench | None = None
        self._ks: list[int] = []  # the Ks to fit
        self._drawn: tuple = ()  # the curve drawn (see _stamp)
        self._progress: Progress | None = None
        self._error = ""
        self._shown_k: int | None = None
        self._stream = Stream("emviz-criteria", self._items, self._end, self)
        self._progress_due = Throttle()
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._ensure)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.plot = _Plot("criteriaPlot", 110)
        plot = self.plot.getPlotItem()
        plot.setLabel("bottom", "K")
        plot.setLabel("left", "BIC, AIC")
        plot.showGrid(x=False, y=True, alpha=0.15)
        plot.getAxis("left").enableAutoSIPrefix(False)
        # One row along the top, over headroom the y range keeps free (see _draw).
        self.legend = plot.addLegend(offset=None, labelTextSize="10pt", colCount=3)
        self.legend.anchor(itemPos=(0.5, 0), parentPos=(0.5, 0), offset=(0, 2))
        self.bic_curve = plot.plot(name="BIC", pen=pg.mkPen(BIC_RGB, width=2.5), symbol="o",
                                   symbolSize=9, symbolBrush=BIC_RGB, symbolPen=None,
                                   connect="finite")
        self.aic_curve = plot.plot(
            name="AIC", pen=pg.mkPen(AIC_RGB, width=2.5, style=Qt.PenStyle.DashLine),
            symbol="t1", symbolSize=10, symbolBrush=AIC_RGB, symbolPen=None, connect="finite")
        self.best_bic = pg.ScatterPlotItem(size=20, symbol="o", pen=pg.mkPen("k", width=2),
                                           brush=None, name="lowest BIC")
        plot.addItem(self.best_bic)  # named: the legend lists it
        # Where the legend has no room: "BIC" and "AIC" at the curves' right ends (end_names)
        self.end_names: dict[str, InsideText] = {
            curve.name(): end_name(plot, curve.name(), rgb, font(10),
                                   f"{curve.name()}EndName")
            for curve, rgb in ((self.bic_curve, BIC_RGB), (self.aic_curve, AIC_RGB))}
        # The window's K: a shaded column behind both curves (the amber of the teaching tabs).
        self.k_band = pg.LinearRegionItem(orientation="vertical", movable=False,
                                          brush=pg.mkBrush(HIGHLIGHT), pen=pg.mkPen(None))
        self.k_band.setZValue(-10)
        plot.addItem(self.k_band)
        # Invisible, generous click targets over both curves' points.
        self.targets = pg.ScatterPlotItem(size=20, pen=None, brush=pg.mkBrush(0, 0, 0, 0),
                                          hoverable=True, tip=lambda x, y, data: data[1])
        self.targets.setZValue(10)
        self.targets.sigClicked.connect(self._clicked)
        plot.addItem(self.targets)
        self._values: tuple[float, float] | None = None  # (lowest, highest) value drawn
        plot.getViewBox().sigResized.connect(self._fit_range)
        style_plot(self.plot)
        whole_axis_title_or_none(plot.getAxis("left"))  # the legend names BIC and AIC
        layout.addWidget(self.plot, 1)
        self.caption = _caption("criteriaCaption")
        self.caption.setToolTip(
            f"Each K is fitted {STARTS_PER_K} times, from seeds 0 to {STARTS_PER_K - 1} with your "
            "initialisation, covariance type, reg_covar, tolerance and max iterations. The run "
            "with the highest ln p(X | θ) gives BIC = −2 ln p + p ln N and AIC = −2 ln p + 2p "
            "(p: the free parameters of π, μ and Σ).")
        layout.addWidget(self.caption)
        self._draw()
        self._drawn = ()  # built after a session filled the part: the first frame draws it

    def apply_theme(self, a: Appearance) -> None:
        """BIC solid and AIC dashed in the theme's foreground and dark grey, the ring of the
        lowest BIC in the foreground, the band of the window's K in the theme's amber."""
        self.plot.scale_height(a)
        bic, aic = neutral(BIC_RGB, a.theme), neutral(AIC_RGB, a.theme)
        self.bic_curve.setPen(pg.mkPen(bic, width=2.5))
        self.bic_curve.setSymbolBrush(bic)
        self.aic_curve.setPen(pg.mkPen(aic, width=2.5, style=Qt.PenStyle.DashLine))
        self.aic_curve.setSymbolBrush(aic)
        self.end_names["BIC"].setColor(bic)
        self.end_names["AIC"].setColor(aic)
        self.best_bic.setPen(pg.mkPen(a.foreground, width=2))
        self.k_band.setBrush(pg.mkBrush(*a.highlight))
        self.k_band.update()
        self._fit_range()  # the legend's new size

    @property
    def curve(self) -> dict[int, CriterionPoint]:
        """The fitted Ks (held by the session model, ``model.choose_k.curve``)."""
        return self._part.curve

    @property
    def _key(self) -> tuple | None:
        return self._part.curve_key

    @property
    def busy(self) -> bool:
        return self._stream.busy or self._settle.isActive()

    def show_state(self, model: Workbench) -> None:
        self._model = model
        key = curve_key(model.points, model.settings)
        if not same_key(self._key, key):
            self._stream.cancel()
            self._part.set_curve(key, {})
            self._progress, self._error = None, ""
            self._ks = curve_ks(len(model.points))
            self._settle.start()
            self._draw()
        elif self._drawn != self._stamp():  # the curve came from elsewhere (a session)
            self._ks = curve_ks(len(model.points))
            self._draw()
        if model.settings.k != self._shown_k:
            self._shown_k = model.settings.k
            self._draw_k()
            self._draw_caption()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self._ensure()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().hideEvent(event)
        if self._stream.busy:  # EM may be playing: the rest waits for the tab
            self._stream.cancel()
            self._progress = None
            self._draw_caption()

    def shutdown(self) -> None:
        self._settle.stop()
        self._stream.shutdown()

    def _ensure(self) -> None:
        """Fit the Ks not fitted yet, in the thread, if this view is on screen."""
        model = self._model
        if model is None:
            return
        self.show_state(model)  # the data may have changed since the last frame: never fit old ones
        if not self.isVisible() or self.busy or self._error:
            return
        missing = [k for k in self._ks if k not in self.curve]
        if missing:
            self._stream.start(criteria_curve(model.points, model.settings, missing,
                                              STARTS_PER_K, progress=True))

    def _items(self, items: list) -> None:
        fitted = False
        for item in items:
            if isinstance(item, CriterionPoint):
                self._part.add_curve_point(item.k, item)
                fitted = True
            else:
                self._progress = item
        if fitted:
            self._draw()
        elif self._progress_due.due():
            self._draw_caption()

    def _end(self, reason: str) -> None:
        self._progress = None
        if reason.startswith("error"):
            self._error = reason.removeprefix("error: ")
        self._draw()

    # -- drawing -----------------------------------------------------------------------
    def _stamp(self) -> tuple:
        return id(self.curve), len(self.curve)

    def _draw(self) -> None:
        self._drawn = self._stamp()
        ks = [k for k in self._ks if k in self.curve]
        x = np.array(ks, dtype=float)
        bics = np.array([self.curve[k].bic for k in ks], dtype=float)
        aics = np.array([self.curve[k].aic for k in ks], dtype=float)
        self.bic_curve.setData(x, bics)
        self.aic_curve.setData(x, aics)
        best = lowest(bics)
        self.best_bic.setData([] if best is None else [x[best]], [] if best is None else [bics[best]])
        self.targets.setData([{"pos": (k, value), "data": (k, self._tip(self.curve[k]))}
                              for k in ks for value in (self.curve[k].bic, self.curve[k].aic)
                              if np.isfinite(value)])
        plot = self.plot.getPlotItem()
        k_max = max(self._ks, default=1)
        plot.setXRange(0.5, k_max + 0.5, padding=0)
        plot.getAxis("bottom").setTicks([[(k, str(k)) for k in range(1, k_max + 1)]])
        finite = np.r_[bics[np.isfinite(bics)], aics[np.isfinite(aics)]]
        self._values = (float(finite.min()), float(finite.max())) if len(finite) else None
        self._fit_range()
        plot.getAxis("left").setStyle(showValues=bool(len(finite)))
        self._draw_k()
        self._draw_caption()

    def _fit_range(self) -> None:
        """The legend in as few rows as the plot's width allows, and the y range with room
        above the highest point for it (LEGEND_HEADROOM, or its height in pixels if more);
        in a plot too short for that, no legend, and each curve's name at its right end."""
        box = self.plot.getPlotItem().getViewBox()
        width, height = box.width(), box.height()
        if width <= 0 or height <= 0:
            return
        for columns in (3, 2, 1):
            if self.legend.columnCount != columns:
                self.legend.setColumnCount(columns)
                fit_legend(self.legend)
            if self.legend.boundingRect().width() <= width - 4:
                break
        need = (self.legend.boundingRect().height() + LEGEND_GAP_PX) / height
        self.legend.setVisible(need <= LEGEND_MAX_SHARE and self.legend.boundingRect().width() <= width)
        named = self._fit_k_axis(width, not self.legend.isVisible() and self._values is not None)
        if self._values is None:
            self._name_ends(False)
            return
        lo, hi = self._values
        span = hi - lo if hi > lo else max(1.0, 0.01 * abs(hi))
        bottom = lo - 0.08 * span
        share = LEGEND_HEADROOM / (hi + LEGEND_HEADROOM * span - bottom) * span  # of the height
        if self.legend.isVisible():
            share = max(share, need)
        top = (hi - share * bottom) / (1 - share)  # hi at (1 - share) of the height
        self.plot.getPlotItem().setYRange(bottom, top, padding=0)
        self._name_ends(named)

    def _fit_k_axis(self, width: float, names: bool) -> bool:
        """The K axis from 0.5 to the largest K + 0.5, and, with ``names``, on past it by the
        width the curves' names take at their right ends; returns whether they are written
        (not when they would take more than NAMES_MAX_SHARE of the plot's width)."""
        k_max = max(self._ks, default=1)
        right = k_max + 0.5
        if names:
            share = names_share(list(self.end_names.values()), width)
            names = share <= NAMES_MAX_SHARE
            if names:  # the names' px are ``share`` of the axis: right - 0.5 = k_max / (1 - share)
                right = 0.5 + k_max / (1 - share)
        self.plot.getPlotItem().setXRange(0.5, right, padding=0)
        return names

    def _name_ends(self, names: bool) -> None:
        """Each curve's name in its colour just right of its last point (end_names.name_ends):
        presenting at 1024 x 768 the plot had no room for the legend, and nothing told BIC
        from AIC."""
        name_ends(self.plot.getPlotItem().getViewBox(),
                  [(self.end_names[c.name()], c) for c in (self.bic_curve, self.aic_curve)], names)

    def _draw_k(self) -> None:
        k = self._shown_k
        self.k_band.setVisible(k is not None and k <= max(self._ks, default=0))
        if k is not None:
            self.k_band.setRegion((k - 0.4, k + 0.4))

    @staticmethod
    def _tip(c: CriterionPoint) -> str:
        if c.best is None:
            return f"K = {c.k}: every run failed ({c.error})"
        return (f"K = {c.k}: BIC {num(c.bic, 1)}, AIC {num(c.aic, 1)}\n"
                f"ln p = {num(c.best.log_likelihood, 2)}, the best of {len(c.starts)} runs "
                f"(seed {c.best.seed})\nclick: use this K with that seed")

    def _draw_caption(self) -> None:
        model = self._model
        if model is None or len(model.points) == 0:
            self.caption.setText("No points: add some to compare K.")
            return
        if self._error:
            self.caption.setText(f"Cannot fit: {self._error}")
            return
        done = [k for k in self._ks if k in self.curve]
        lines = []
        if len(done) < len(self._ks):
            p = self._progress
            if p is not None:
                lines.append(f"Fitting K = {p.k} (run {p.seed + 1} of {STARTS_PER_K}), "
                             f"iteration {p.iteration}…")
            else:
                lines.append(f"Fitted K = 1 … {max(done)} of {max(self._ks)}." if done
                             else "K = 1 … is fitted while this tab is on screen.")
        else:
            b = lowest([self.curve[k].bic for k in done])
            a = lowest([self.curve[k].aic for k in done])
            if b is not None:
                lines.append(f"Lower is better: BIC is lowest at <b>K = {done[b]}</b>, "
                             f"AIC at K = {done[a]}.")
        failed = [k for k in done if self.curve[k].best is None]
        if failed:
            lines.append(f"K = {', '.join(map(str, failed))}: every run failed "
                         f"({self.curve[failed[0]].error})")
        k = self._shown_k
        beyond = k is not None and bool(self._ks) and k > max(self._ks)
        lines.append(f"Your K = {k} is beyond the plot." if beyond
                     else "Shaded: your K. Click a point to use that K.")
        self.caption.setText("<br>".join(lines))

    def _clicked(self, _item, points, _event) -> None:
        if self._model is None or not len(points):
            return
        k = int(points[0].data()[0])
        c = self.curve.get(k)
        settings = self._model.settings
        seed = c.best.seed if c is not None and c.best is not None else settings.seed
        self._apply_settings(dataclasses.replace(settings, k=k, seed=seed))
        if c is not None and c.best is not None:
            self._message(f"K = {k}, seed {seed}: Play (P) runs EM to ln p = "
                          f"{num(c.best.log_likelihood, 2)}")


class RestartsView(QWidget):
    """EM from N random starts at the window's K, drawn as a dot plot of final ln p."""

    def __init__(self, apply_settings: Callable[[Settings], None], message: Callable[[str], None],
                 parent=None, part: ChooseKPart | None = None) -> None:
        super().__init__(parent)
        self._apply_settings, self._message = apply_settings, message
        self._part = part if part is not None else ChooseKPart()  # the fits: model.choose_k
        self._model: Workbench | None = None
        self._asked = 0
        self._drawn: tuple = ()  # the fits drawn (see _stamp)
        self._progress: Progress | None = None
        self._shown_seed: int | None = None
        self._stream = Stream("emviz-restarts", self._items, self._end, self)
        self._progress_due = Throttle()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        self.button = QPushButton()
        self.button.setObjectName("restartsButton")
        self.button.clicked.connect(self._button_clicked)
        self.n_starts = QSpinBox()
        self.n_starts.setObjectName("restartsSpinBox")
        self.n_starts.setRange(1, MAX_RESTARTS)
        self.n_starts.setValue(DEFAULT_RESTARTS)
        self.n_starts.setPrefix("N = ")
        self.n_starts.setToolTip("How many random starts: your seed and the seeds after it")
        self.n_starts.valueChanged.connect(lambda _: self._label_button())
        self.status = QLabel()
        self.status.setObjectName("restartsStatus")
        self.status.setFont(font(10))
        # Its width never widens the tab: in a narrow one it wraps instead.
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.button)
        row.addWidget(self.n_starts)
        row.addStretch(1)
        self._row = row
        # Its width never widens the tab: the spin box goes under the button instead (_fit_row).
        buttons = QWidget(objectName="restartsButtons")
        buttons.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        buttons.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(buttons)
        layout.addWidget(self.status)  # a line of its own: beside the button it got 0 px at 18 pt
        self.plot = _Plot("restartsPlot", 90)
        plot = self.plot.getPlotItem()
        plot.hideAxis("left")
        plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.dots = pg.ScatterPlotItem(hoverable=True, tip=lambda x, y, data: data[1],
                                       hoverPen=pg.mkPen("k", width=2))
        self.dots.setZValue(10)
        self.dots.sigClicked.connect(self._clicked)
        plot.addItem(self.dots)
        self.ring = pg.ScatterPlotItem(size=24, symbol="o", pen=pg.mkPen("k", width=2), brush=None)
        self.ring.setZValue(5)
        plot.addItem(self.ring)
        self.pile_labels: list[InsideText] = []  # "×9" over a pile of nine
        style_plot(self.plot)
        whole_axis_title_or_none(plot.getAxis("left"))  # the legend names BIC and AIC
        layout.addWidget(self.plot, 1)
        # The axis' title under the strip as a label of its own, which wraps: the strip is
        # too short for a title in the plot (at 18 pt it fell below the plot's bottom).
        self.axis_title = QLabel("final ln p(X | θ), higher is better →")
        self.axis_title.setObjectName("restartsAxisTitle")
        self.axis_title.setFont(font(TEXT_PT))
        self.axis_title.setWordWrap(True)
        self.axis_title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.axis_title)
        self.caption = _caption("restartsCaption")
        layout.addWidget(self.caption)
        self._appearance = Appearance()
        self._label_button()
        self._draw()
        self._drawn = ()  # built after a session filled the part: the first frame draws it

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        # after the resize: laying the row out again inside it crashed in the plot's resize
        QTimer.singleShot(0, self, self._fit_row)

    def _fit_row(self) -> None:
        """The spin box beside the button where both fit the tab's width, else under it:
        presenting at 1280 x 800, "Run from 10 random starts" and "N = 10" side by side made
        the page wider than the tab, and its captions ran off its right edge."""
        need = (self.button.sizeHint().width() + self._row.spacing()
                + self.n_starts.sizeHint().width())
        direction = (QBoxLayout.Direction.LeftToRight if need <= self.width()
                     else QBoxLayout.Direction.TopToBottom)
        if self._row.direction() != direction:
            self._row.setDirection(direction)

    def apply_theme(self, a: Appearance) -> None:
        """The dots (the best ending a star in the foreground colour, the others mid grey
        rimmed in the background's), the ring and the pile counts in the theme's colours."""
        self._appearance = a
        self.plot.scale_height(a)
        self.dots.opts["hoverPen"] = pg.mkPen(a.foreground, width=2)
        self.ring.setPen(pg.mkPen(a.foreground, width=2))
        for label in self.pile_labels:
            label.setColor(a.foreground)
        self._draw()

    @property
    def fits(self) -> list[Fit]:
        """The restarts' fits (held by the session model, ``model.choose_k.restarts``)."""
        return self._part.restarts

    @property
    def _key(self) -> tuple | None:
        return self._part.restarts_key

    @property
    def busy(self) -> bool:
        return self._stream.busy

    def show_state(self, model: Workbench) -> None:
        self._model = model
        if self._key is not None and not same_key(self._key, restarts_key(model.points, model.settings)):
            self._stream.cancel()
            self._part.set_restarts(None, [])
            self._asked, self._progress = 0, None
            self._label_button()
            self._draw("The data, K or a setting changed: run the starts again.")
        elif self._drawn != self._stamp() and not self._stream.busy:  # from a session
            self._asked = max(self._asked, len(self.fits))
            self._label_button()
            self._draw()
        if model.settings.seed != self._shown_seed:
            self._shown_seed = model.settings.seed
            self._draw_ring()
        self.button.setEnabled(self._stream.busy or 0 < model.settings.k <= len(model.points))

    def shutdown(self) -> None:
        self._stream.shutdown()

    def run(self, n: int) -> None:
        """EM from n random starts (seeds: the window's and the n − 1 after it), in the thread."""
        model = self._model
        if model is None or len(model.points) == 0:
            return
        self._part.set_restarts(restarts_key(model.points, model.settings), [])
        self._asked, self._progress = n, None
        self._stream.start(restarts(model.points, model.settings, n, progress=True))
        self._label_button()
        self._draw()

    def _button_clicked(self) -> None:
        if self._stream.busy:
            self._stream.cancel()
            self._progress = None
            self._label_button()
            self._draw()
        else:
            self.run(self.n_starts.value())

    def _items(self, items: list) -> None:
        fitted = False
        for item in items:
            if isinstance(item, Fit):
                self._part.add_restart(item)
                self._progress, fitted = None, True
            else:
                self._progress = item
        if fitted:
            self._draw()
        elif self._progress_due.due():
            self.status.setText(self._status(self.dot_positions()[2]))

    def _end(self, reason: str) -> None:
        self._progress = None
        self._label_button()
        self._draw(reason.removeprefix("error: ") if reason.startswith("error") else "")

    def _label_button(self) -> None:
        if self._stream.busy:
            self.button.setText("Stop")
            self.button.setToolTip("Stop the random starts")
        else:
            n = self.n_starts.value()
            self.button.setText(f"Run from {n} random start{'s' if n != 1 else ''}")
            self.button.setToolTip("Run EM to its end from N seeds at your K: where does each "
                                   "start end up?")

    # -- drawing -----------------------------------------------------------------------
    def dot_positions(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, y, pile) of each start's dot, in the order of ``fits``: x its final ln p, y
        its height in its pile (0, 1, ...; all piles squeezed alike when the tallest has more
        than PILE_ROWS dots, so heights stay proportional to counts), pile 0 the best ending
        (NaN, NaN, -1 for a failed start)."""
        lls = np.array([f.log_likelihood for f in self.fits], dtype=float)
        model = self._model
        n, tol = (len(model.points), model.settings.tol) if model is not None else (0, 0.0)
        pile, height = stack(lls, pile_width(lls, n, tol))
        y = height * min(1.0, (PILE_ROWS - 1) / max(1, int(height.max(initial=0))))
        return lls, np.where(pile >= 0, y, np.nan), pile

    def _stamp(self) -> tuple:
        return id(self.fits), len(self.fits)

    def _draw(self, note: str = "") -> None:
        self._drawn = self._stamp()
        x, y, pile = self.dot_positions()
        ok = np.isfinite(x)
        a = self._appearance
        spots = []
        for i, fit in enumerate(self.fits):
            if ok[i]:
                top = pile[i] == 0
                spots.append({
                    "pos": (x[i], y[i]), "data": (fit.seed, self._tip(fit)),
                    "symbol": "star" if top else "o", "size": 17 if top else 11,
                    "brush": pg.mkBrush(*neutral(BEST_RGB if top else DOT_RGB, a.theme)),
                    "pen": pg.mkPen(a.foreground if top else a.background, width=1)})
        self.dots.setData(spots)
        self._draw_ring()
        plot = self.plot.getPlotItem()
        x_range = (0.0, 1.0)
        if ok.any():
            lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
            pad = 0.08 * (hi - lo) if hi > lo else max(0.5, 1e-4 * abs(hi))
            x_range = (lo - pad, hi + pad)
            plot.setXRange(*x_range, padding=0)
        plot.setYRange(-0.7, PILE_ROWS - 1 + PILE_HEADROOM, padding=0)
        plot.getAxis("bottom").setStyle(showValues=bool(ok.any()))
        self._label_piles(x, y, pile, x_range)
        self.status.setText(self._status(pile))
        self.caption.setText(note or self._caption_text(x, pile))

    def _label_piles(self, x: np.ndarray, y: np.ndarray, pile: np.ndarray,
                     x_range: tuple[float, float]) -> None:
        """Once piles are squeezed (their dots overlap), a count over each pile of two or
        more, the biggest first, leaving out one that would crowd a label already placed."""
        piles = sorted((np.flatnonzero(pile == p) for p in range(int(pile.max(initial=-1)) + 1)),
                       key=len, reverse=True)
        squeezed = bool(piles) and len(piles[0]) > PILE_ROWS
        width_px = max(1.0, self.plot.getPlotItem().getViewBox().width())
        placed: list[tuple[float, np.ndarray]] = []
        for members in piles if squeezed else []:
            px = (np.mean(x[members]) - x_range[0]) / (x_range[1] - x_range[0]) * width_px
            if len(members) > 1 and all(abs(px - other) >= LABEL_GAP_PX for other, _ in placed):
                placed.append((px, members))
        plot = self.plot.getPlotItem()
        while len(self.pile_labels) < len(placed):
            label = InsideText(color=self._appearance.foreground, anchor=(0.5, 1.0))
            label.setFont(font(10))
            plot.addItem(label)
            self.pile_labels.append(label)
        for j, label in enumerate(self.pile_labels):
            label.setVisible(j < len(placed))
            if j < len(placed):
                members = placed[j][1]
                label.setText(f"×{len(members)}")
                # over the pile, or as near it as the strip's top and ends allow
                label.place(float(np.mean(x[members])), float(y[members].max()) + 0.55)

    def _draw_ring(self) -> None:
        x, y, _ = self.dot_positions()
        at = [i for i, f in enumerate(self.fits) if f.seed == self._shown_seed and np.isfinite(x[i])]
        self.ring.setData([x[i] for i in at], [y[i] for i in at])

    @staticmethod
    def _tip(fit: Fit) -> str:
        how = "converged" if fit.converged else "stopped at max iterations"
        return (f"seed {fit.seed}: ln p = {num(fit.log_likelihood, 2)}\n"
                f"{fit.iterations} iterations ({how})\nclick: load this start")

    def _status(self, pile: np.ndarray) -> str:
        n, asked = len(self.fits), self._asked
        if self._stream.busy:
            p = self._progress
            return f"start {n + 1} of {asked}" + (f", iteration {p.iteration}…" if p else "…")
        if asked == 0:
            return ""
        done = f"{n} of {asked} (stopped)" if n < asked else f"{n} starts"
        endings = int(pile.max(initial=-1)) + 1
        return f"{done} · {endings} ending{'s' if endings != 1 else ''}"

    def _caption_text(self, x: np.ndarray, pile: np.ndarray) -> str:
        if self._asked == 0:
            return ("Each dot: where EM from one seed ends, at your K. "
                    "Click a dot to load that start.")
        lines = []
        if np.isfinite(x).any():
            lines.append(f"★ best: ln p = {num(float(np.nanmax(x)), 2)} ({int((pile == 0).sum())} "
                         f"of {len(self.fits)}). Ringed: your seed.")
        failed = [f for f in self.fits if f.mixture is None]
        if failed:
            lines.append(f"{len(failed)} failed: {failed[0].error}")
        lines.append("Click a dot to load that start.")
        return "<br>".join(lines)

    def _clicked(self, _item, points, _event) -> None:
        if self._model is None or not len(points):
            return
        seed = int(points[0].data()[0])
        fit = next((f for f in self.fits if f.seed == seed), None)
        self._apply_settings(dataclasses.replace(self._model.settings, seed=seed))
        if fit is not None:
            self._message(f"Seed {seed} loaded: Play (P) runs EM to ln p = "
                          f"{num(fit.log_likelihood, 2)} in {fit.iterations} iterations")


class ModelChoiceTab(QWidget):
    """The two views, stacked. ``apply_settings(settings)``: the window's (K or seed chosen
    here); ``message(text)``: a note for the status bar."""

    def __init__(self, apply_settings: Callable[[Settings], None] = lambda s: None,
                 message: Callable[[str], None] = lambda text: None, parent=None,
                 part: ChooseKPart | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelChoiceTab")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        part = part if part is not None else ChooseKPart()
        self.criteria = CriteriaView(apply_settings, message, part=part)
        self.restarts = RestartsView(apply_settings, message, part=part)
        # In a window too small for both plots and their captions, the tab scrolls rather
        # than letting them overlap (a layout, unlike a splitter, knows how tall wrapped
        # captions are at a given width).
        scroll = QScrollArea()
        scroll.setObjectName("modelChoiceScroll")
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(4, 4, 4, 4)
        page_layout.addWidget(self.criteria, 3)  # the curve needs height; the strip, width
        page_layout.addWidget(self.restarts, 2)
        scroll.setWidget(page)
        layout.addWidget(scroll)

    @property
    def busy(self) -> bool:
        """Whether a thread is fitting or about to (scripts and tests wait on this)."""
        return self.criteria.busy or self.restarts.busy

    def show_state(self, model: Workbench) -> None:
        """Runs every frame: only comparisons unless the data or the settings changed."""
        self.criteria.show_state(model)
        self.restarts.show_state(model)

    def shutdown(self) -> None:
        self.criteria.shutdown()
        self.restarts.shutdown()


def install(window) -> Feature:
    view = ModelChoiceTab(apply_settings=window.controller.apply_settings,
                          message=window.show_status, part=window.model.choose_k)
    window.add_tab(view, TITLE, TOOLTIP)
    # curve_key and restarts_key read points and settings; choose_k: fits from a session
    window.add_view(view, {"points", "settings", "choose_k"})
    window.closing.connect(view.shutdown)
    return Feature("choose_k", view, views=(view,))
