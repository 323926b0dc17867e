"""The oracle: labelled vs unlabelled data.

The lecture: "Suppose some oracle told us which point comes from which Gaussian", by giving
z_nk = 1 if point n comes from component k. With those labels the complete log-likelihood

    ln p(X, Z | θ) = Σ_n Σ_k z_nk [ln π_k + ln N(x_n | μ_k, Σ_k)]

has no log of a sum, so each Gaussian is fitted to its own points separately and
π_k = N_k / N (``fit_labelled``). Without labels EM must assign the colours itself.

Three actions on the Teach toolbar:

- Show oracle labels: colour the points by z (the points view draws ``options.show_oracle``;
  unlabelled points, z = -1, are black).
- Fit with oracle labels: the complete-data fit as black dashed ellipses beside EM's θ, and
  a readout of ln p(X, Z | θ) and ln p(X | θ) for both.
- Paint labels: a click on a point (or a drag over points) gives it the label chosen in the
  Oracle tab; each click or stroke is one undoable edit.
"""

from __future__ import annotations

import weakref

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFontMetrics, QIcon, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import Mixture
from ...core.oracle import (  # noqa: F401 (moved there; names kept for importers)
    FitNumbers,
    Scores,
    em_scores,
    fit_numbers,
    labelled_subset,
    match_components,
    oracle_fit,
)
from ...look.appearance import Appearance
from ...look.colors import component_colors
from ...look.geometry import ellipse, ellipse_label, nearest_within
from ...session.model import K_MAX, Workbench
from ..editing import EditCommand, arrays_bytes
from ..features import Feature
from ..jobs import Background, same_key
from ..plot_text import InsideText
from ..style import BASE_POINT_SIZE

#: From this many points on, the oracle's fit and EM's scores (an E-step's worth of work
#: each) are computed in a lane of the window's job runner and drawn when they arrive.
BACKGROUND_MIN_POINTS = 10_000
#: A click labels the nearest point within this many screen pixels.
PAINT_RADIUS_PX = 10.0
#: The oracle's ellipses: black, so they never pass for one of EM's coloured components.
ORACLE_PEN = {1.0: dict(width=2.5, dash=[5, 3]), 2.0: dict(width=2.0, dash=[1, 3])}

POINTS_TIP_PAINTING = ("Painting labels: click a point (or drag over points) to give it the "
                       "label chosen in the Oracle tab\nShift+click: remove the nearest point")


# -- the edit ---------------------------------------------------------------------------------


def set_labels(model: Workbench, labels: np.ndarray | None) -> None:
    """New oracle labels for the same points; EM's history stays (it does not use them).

    Uses ``Workbench.set_labels`` when the model has it. Until then the labels are set in
    place and listeners told of a "labels" change: ``set_points`` would throw the run away.
    """
    setter = getattr(model, "set_labels", None)
    if setter is not None:
        setter(labels)
        return
    if labels is not None:
        labels = np.array(labels, dtype=int, copy=True)
        labels.setflags(write=False)
    model.labels = labels
    model._changed("labels")


class PaintLabels(EditCommand):
    """Give points new labels; undo puts the old labels (or none) back exactly.

    ``before``: the labels (N,) or None, ``after``: the labels (N,). The command keeps only
    the changed points' indices and their old and new labels (M,) each, not two label
    arrays of N: a paint at 10⁵ points costs bytes per painted point on the undo stack."""

    def __init__(self, model: Workbench, before: np.ndarray | None, after: np.ndarray,
                 text: str) -> None:
        super().__init__(text)
        after = np.asarray(after, dtype=int)
        old = np.full(len(after), -1) if before is None else np.asarray(before, dtype=int)
        self._model, self._none_before = model, before is None
        self._indices = np.flatnonzero(old != after)
        self._old, self._new = old[self._indices], after[self._indices]

    def _labels_with(self, values: np.ndarray) -> np.ndarray:
        current = self._model.labels
        labels = np.full(len(self._model.points), -1) if current is None else np.array(current)
        labels[self._indices] = values
        return labels

    def apply(self) -> None:
        set_labels(self._model, self._labels_with(self._new))

    def revert(self) -> None:
        set_labels(self._model, None if self._none_before else self._labels_with(self._old))

    def nbytes(self) -> int:
        return arrays_bytes(self._indices, self._old, self._new)


# -- the views --------------------------------------------------------------------------------


#: The "oracle z = k" tags' size (points) at the normal application font.
TAG_PT = 12.0


class OracleOverlay:
    """The oracle's fit on the points view: black dashed 1σ and dotted 2σ ellipses, a cross
    at each mean and a tag "oracle z = k" with the label's colour swatch."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self._plot = plot
        self.ellipses: list[tuple[pg.PlotCurveItem, pg.PlotCurveItem]] = []
        self.tags: list[pg.TextItem] = []
        self.means = pg.ScatterPlotItem(symbol="x", size=18, pen=pg.mkPen("k", width=1),
                                        brush=pg.mkBrush("k"))
        self.means.setZValue(11)
        self.means.setEnabled(False)  # clicks go through to the view box
        plot.addItem(self.means)
        self.mixture: Mixture | None = None
        self._palette = component_colors(0)
        self.appearance = Appearance()
        # The tags' size follows the application's font (presentation mode enlarges it).
        me = weakref.ref(self)
        QApplication.instance().fontChanged.connect(lambda _font: (o := me()) and o._write_tags())

    def apply_theme(self, a: Appearance) -> None:
        """The oracle's ellipses, crosses and tags in the theme's foreground colour (black on
        a light plot, near-white on a dark one)."""
        self.appearance = a
        for pair in self.ellipses:
            for item, radius in zip(pair, (1.0, 2.0), strict=True):
                item.setPen(self._pen(radius))
        self.means.setPen(pg.mkPen(a.foreground, width=1))
        self.means.setBrush(pg.mkBrush(*a.foreground))
        self._write_tags()

    def _pen(self, radius: float) -> QPen:
        opts = ORACLE_PEN[radius]
        pen = pg.mkPen(self.appearance.foreground, width=opts["width"])
        pen.setDashPattern(opts["dash"])
        return pen

    def show(self, mixture: Mixture | None, palette: np.ndarray | None = None) -> None:
        """Draw the oracle's fit; ``palette``: the labels' colours (K, 3), by default slot k
        for label k (the session model's identity gives each the colour of its EM component)."""
        k = 0 if mixture is None else mixture.n_components
        if palette is None or len(palette) != k:
            palette = component_colors(k)
        if mixture is self.mixture and np.array_equal(palette, self._palette):
            return
        self.mixture, self._palette = mixture, np.array(palette)
        while len(self.ellipses) < k:
            pair = []
            for radius in (1.0, 2.0):
                item = pg.PlotCurveItem(pen=self._pen(radius))
                item.setZValue(6)  # over EM's ellipses (5), under the mean markers
                self._plot.addItem(item)
                pair.append(item)
            self.ellipses.append((pair[0], pair[1]))
            # over the 2σ ellipse's top, or as near as keeps it inside the plot
            tag = InsideText(anchor=(0.5, 1.0))
            tag.setZValue(12)
            self._plot.addItem(tag)
            self.tags.append(tag)
        for j, ((inner, outer), tag) in enumerate(zip(self.ellipses, self.tags, strict=True)):
            visible = j < k
            for item in (inner, outer, tag):
                item.setVisible(visible)
            if not visible:
                continue
            for item, radius in ((inner, 1.0), (outer, 2.0)):
                line = ellipse(mixture.means[j], mixture.covariances[j], radius)
                item.setData(line[:, 0], line[:, 1])
            top = ellipse(mixture.means[j], mixture.covariances[j], 2.0)
            tag.place(*top[np.argmax(top[:, 1])])
        self._write_tags()
        if k:
            self.means.setData(pos=mixture.means)
        else:
            self.means.setData([], [])

    def _write_tags(self) -> None:
        """The tags' text, TAG_PT at the normal font and as much larger as the application's
        font is (19.6 pt presenting: a class reads them)."""
        if self.mixture is None or not shiboken6.isValid(self._plot):
            return
        pt = TAG_PT * max(1.0, QApplication.font().pointSizeF() / BASE_POINT_SIZE)
        palette = self._palette  # the identity's colours of the labels
        a = self.appearance
        # The label's colour as the tag's frame, its words in the foreground colour on the
        # background's: text that reads on any theme (orange words on white had 2.2:1).
        text = QColor(*a.foreground).name()
        for j, tag in enumerate(self.tags[: self.mixture.n_components]):
            tag.border = pg.mkPen(QColor(*(int(c) for c in palette[j])), width=3)
            tag.fill = pg.mkBrush(*a.background, 235)
            tag.setHtml(f'<span style="font-size:{pt:g}pt; color:{text}">'
                        f'&nbsp;oracle z = {j + 1}&nbsp;</span>')


class OraclePanel(QScrollArea):
    """The Oracle tab: what the oracle is, the two likelihoods for both θ, the label chooser.
    It scrolls rather than squeezes when the tab is short."""

    # columns; each header on two lines, so a column need only be as wide as "it. 19, M"
    THETAS = ("oracle's\nfit", "EM's θ\n")
    QUANTITIES = ("ln p(X, Z | θ)", "ln p(X | θ)")  # rows

    def __init__(self, paint_action, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("oraclePanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        self.setWidget(content)
        layout = QVBoxLayout(content)
        intro = QLabel(
            "Suppose an oracle told us z<sub>nk</sub>: which Gaussian made each point. "
            "<b>Labelled</b>: fit each Gaussian to its own points, π<sub>k</sub> = N<sub>k</sub>/N "
            "(easy). <b>Unlabelled</b>: EM has to assign the colours (hard).")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        paint = QToolButton()
        paint.setDefaultAction(paint_action)
        paint.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        row.addWidget(paint)
        self.chooser = QComboBox()
        self.chooser.setObjectName("paintLabelCombo")
        self.chooser.setToolTip("The label a click gives a point while painting")
        row.addWidget(self.chooser, 1)
        layout.addLayout(row)
        self.counts = QLabel()
        self.counts.setObjectName("oracleCounts")
        self.counts.setWordWrap(True)
        layout.addWidget(self.counts)
        self.table = QTableWidget(len(self.QUANTITIES), len(self.THETAS))
        self.table.setObjectName("oracleTable")
        self.table.setHorizontalHeaderLabels(self.THETAS)
        self.table.setVerticalHeaderLabels(self.QUANTITIES)
        self.table.verticalHeaderItem(0).setToolTip("The complete-data log-likelihood, on the labelled "
                                                    "points: what the oracle's fit maximises")
        self.table.verticalHeaderItem(1).setToolTip("The log-likelihood of all the points, labels "
                                                    "unseen: what EM climbs")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for row in range(len(self.QUANTITIES)):
            for column in range(len(self.THETAS)):
                item = QTableWidgetItem("–")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        self._values: dict[tuple[int, int], float] = {}  # (quantity, theta): the value shown
        # a column narrower than its numbers shows them with fewer decimals (never cut)
        # (the width from the signal: while it is emitted, columnWidth still gives the old one)
        self._widths: dict[int, int] = {}
        self.table.horizontalHeader().sectionResized.connect(self._column_resized)
        self.fit_table_height()
        layout.addWidget(self.table)
        self.note = QLabel()
        self.note.setObjectName("oracleNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        legend = QLabel(f"On the points: EM's θ in the component colours (solid {ellipse_label(1)}, "
                        f"dashed {ellipse_label(2)}: Mahalanobis distance d, the share of "
                        "points inside); the oracle's fit in the text's colour (d = 1 dashes, d = 2 dots, "
                        "× at the mean).")
        legend.setWordWrap(True)
        layout.addWidget(legend)
        layout.addStretch(1)
        self.on_theme = lambda appearance: None  # set by the feature: the overlay follows

    def apply_theme(self, a: Appearance) -> None:
        self.on_theme(a)

    def set_label_choices(self, k: int, palette: np.ndarray | None = None) -> None:
        """Labels z = 1..k (with their colours, ``palette`` (k, 3)) and "unlabelled"; keeps
        the chosen one."""
        palette = component_colors(k) if palette is None or len(palette) != k else palette
        if self.chooser.count() == k + 1 and np.array_equal(palette, getattr(self, "_swatches", None)):
            return
        self._swatches = np.array(palette)
        chosen = self.chooser.currentData()
        self.chooser.clear()
        for j, rgb in enumerate(palette):
            swatch = QPixmap(14, 14)
            swatch.fill(QColor(*(int(c) for c in rgb)))
            self.chooser.addItem(QIcon(swatch), f"z = {j + 1}", j)
        swatch = QPixmap(14, 14)
        swatch.fill(QColor(0, 0, 0))
        self.chooser.addItem(QIcon(swatch), "unlabelled", -1)
        index = self.chooser.findData(0 if chosen is None else chosen)
        self.chooser.setCurrentIndex(max(index, 0))

    def fit_table_height(self) -> None:
        """The table exactly as tall as its header and rows, in its present font (it never
        scrolls: a class cannot scroll it)."""
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(len(self.QUANTITIES)))
        self.table.setFixedHeight(height + 2)

    def set_em_header(self, iteration: int | None, phase: str = "") -> None:
        """EM's column: "EM's θ" over the state it shows ("it. 3, M")."""
        text = "EM's θ\n" + ("" if iteration is None else f"it. {iteration}, {phase}")
        if self.table.horizontalHeaderItem(1).text() != text:
            self.table.horizontalHeaderItem(1).setText(text)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "table"):
            self.fit_table_height()  # presenting's larger font: taller header and rows
            self._show_values()  # and wider numbers

    def set_value(self, theta: int, quantity: int, value: float | None) -> None:
        """Show ``value`` for θ number ``theta`` (0: oracle, 1: EM) and ``quantity``
        (0: ln p(X, Z | θ), 1: ln p(X | θ))."""
        if value is None:
            self._values.pop((quantity, theta), None)
            self.table.item(quantity, theta).setText("–")
            self.table.item(quantity, theta).setToolTip("")
        else:
            self._values[(quantity, theta)] = value
        self._show_values()

    def _column_resized(self, column: int, _old: int, new: int) -> None:
        self._widths[column] = new
        self._show_values()

    def _show_values(self) -> None:
        """Each column's numbers with three decimals, or as many as its width holds (at
        1024 x 768 beside the lesson "-1266.001" needed 83 px in a 75 px column); the
        tooltip keeps all three."""
        table = self.table
        metrics = QFontMetrics(table.font())
        margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
        for theta in range(len(self.THETAS)):
            values = {q: v for (q, t), v in self._values.items() if t == theta}
            room = self._widths.get(theta, table.columnWidth(theta)) - margin
            for decimals in (3, 2, 1, 0):
                texts = {q: f"{v:.{decimals}f}" for q, v in values.items()}
                if all(metrics.horizontalAdvance(t) <= room for t in texts.values()):
                    break
            for quantity, text in texts.items():
                item = table.item(quantity, theta)
                if item.text() != text:
                    item.setText(text)
                item.setToolTip(f"{values[quantity]:.3f}")


# -- the feature ------------------------------------------------------------------------------


class OracleFeature(QObject):
    """Owns the oracle's fit (for the data it was made from) and the painting mode."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("oracleFeature")
        self.window, self.model = window, window.model
        self._painting = False
        self._scores_key: tuple = (object(),) * 4  # what the readout shows the numbers of
        self._em: tuple[tuple, Scores] | None = None  # EM's scores and what they are for
        self._background = Background("emviz-oracle", self._computed, parent=self)
        self._pending_fit: tuple | None = None  # (X, labels, ...) of a fit being computed
        self.show_action = window.add_action(
            "actionShowOracle", "Oracle labels", "O",
            "Colour the points by the oracle's labels z (unlabelled points black)", checkable=True)
        self.fit_action = window.add_action(
            "actionFitOracle", "Fit with oracle labels", "Shift+O",
            "The complete-data fit: each Gaussian fitted to its own labelled points, "
            "π_k = N_k / N (black dashed ellipses)", checkable=True)
        self.paint_action = window.add_action(
            "actionPaintLabels", "Paint labels", "Ctrl+L",
            "Click a point (or drag over points) to give it the label chosen in the Oracle tab",
            checkable=True)
        self.panel = OraclePanel(self.paint_action)
        self.tab_index = window.tabs.addTab(self.panel, "Oracle")
        self.overlay = OracleOverlay(window.points_view)
        self.panel.on_theme = self.overlay.apply_theme
        self.show_action.toggled.connect(self._on_show_toggled)
        self.fit_action.toggled.connect(self._on_fit_toggled)
        self.paint_action.toggled.connect(self.set_painting)
        self.model.subscribe(self._on_model_change, {"points", "labels", "settings", "oracle"})
        window.add_view(self)

    # -- the fit lives in the session model (model.oracle) ----------------------------------
    @property
    def fit(self) -> Mixture | None:
        return self.model.oracle.fit

    @property
    def fit_error(self) -> str:
        return self.model.oracle.error

    @property
    def fit_log_likelihood(self) -> float:
        return self.model.oracle.log_likelihood

    @property
    def fit_complete(self) -> float:
        return self.model.oracle.complete

    @property
    def _fit_data(self) -> tuple | None:
        """What the fit is (or, while large data are fitted in the background, will be) for."""
        return self.model.oracle.data if self.model.oracle.data is not None else self._pending_fit

    # -- intents ----------------------------------------------------------------------------
    def _on_show_toggled(self, on: bool) -> None:
        self.model.set_options(show_oracle=on)

    def _on_fit_toggled(self, on: bool) -> None:
        if on:
            if not self.refit(announce=True):
                return  # computed in the background: _computed finishes the toggle
            if self.fit is None:
                self._refuse()
                return
            self.window.tabs.setCurrentIndex(self.tab_index)
        else:
            self.clear_fit()

    def refit(self, announce: bool = False) -> bool:
        """The complete-data fit of the labelled points, with the run's covariance type. True
        if done now; False if large data are fitted in the background (``fit`` follows)."""
        m = self.model
        s = m.settings
        data = self._pending_fit = (m.points, m.labels, s.covariance_type, s.reg_covar)
        if len(m.points) >= BACKGROUND_MIN_POINTS:
            self._background.request(("fit", announce, *data), lambda: fit_numbers(*data))
            return False
        self._use_fit(data, fit_numbers(*data))
        return True

    def _use_fit(self, data: tuple, numbers: FitNumbers) -> None:
        """Record the fit (or why there is none) in the session model's part."""
        self._pending_fit = None
        fit, error, log_lik, complete = numbers
        if fit is None:
            self.model.oracle.set_fit(data, None, error=error)
        else:
            self.model.oracle.set_fit(data, fit, log_lik, complete)

    def _refuse(self) -> None:
        self._say(f"No oracle fit: {self.fit_error}")
        self.clear_fit()
        self._uncheck(self.fit_action)

    def _computed(self, key: tuple, value) -> None:
        """A fit or EM's scores, computed in the background, arrive on the GUI thread."""
        if key[0] == "fit":
            data = self._pending_fit
            if data is None or not same_key(key[2:4], data[:2]):
                return  # cleared, or made for data since replaced
            self._use_fit(data, value)
            if self.fit is None and key[1]:
                self._refuse()
                return
            if key[1]:
                self.window.tabs.setCurrentIndex(self.tab_index)
        else:
            self._em = (key, value)
        self._scores_key = (object(),) * 4  # the readout shows the new numbers
        self.show_state(self.model)

    def clear_fit(self) -> None:
        self._pending_fit = None
        if self.model.oracle.wanted or self.model.oracle.data is not None:
            self.model.oracle.clear()
        # Off the points view now, not at this view's turn in the next frame: the points view
        # draws first, and frames new data with every item it holds (the old fit's ellipses).
        self.overlay.show(None)

    def set_painting(self, on: bool) -> None:
        """While on, a click labels the nearest point and a drag labels the points it passes,
        instead of adding points (the view's add and spray requests are rerouted)."""
        if on == self._painting:
            return
        pv, editor = self.window.points_view, self.window.editor
        if on:
            pv.add_requested.disconnect(editor.add)
            pv.spray_requested.disconnect(editor.spray)
            pv.add_requested.connect(self.paint_at)
            pv.spray_requested.connect(self.paint_stroke)
            self._points_tip = pv.toolTip()
            pv.setToolTip(POINTS_TIP_PAINTING)
            self.model.set_options(show_oracle=True)
            self.window.tabs.setCurrentIndex(self.tab_index)
        else:
            pv.add_requested.disconnect(self.paint_at)
            pv.spray_requested.disconnect(self.paint_stroke)
            pv.add_requested.connect(editor.add)
            pv.spray_requested.connect(editor.spray)
            pv.setToolTip(self._points_tip)
        self._painting = on
        self.paint_action.setChecked(on)

    @property
    def paint_label(self) -> int:
        label = self.panel.chooser.currentData()
        return 0 if label is None else int(label)

    def paint_at(self, x: float, y: float) -> None:
        """Give the nearest point within PAINT_RADIUS_PX of (x, y) the chosen label."""
        i = nearest_within(self.model.points, x, y, self.window.points_view.pixel_size(),
                           PAINT_RADIUS_PX)
        if i is not None:
            self.paint(np.array([i]))
            return
        self._say(f"No point within {PAINT_RADIUS_PX:.0f} px to label: click on a point.")

    def paint_stroke(self, dots: np.ndarray) -> None:
        """Label every point the brush passed over: within the spray radius of a dot of the
        drag stroke (M, 2), the same disc the spray preview fills around the cursor."""
        X = self.model.points
        dots = np.asarray(dots, dtype=float).reshape(-1, 2)
        if not len(X) or not len(dots):
            return
        pv = self.window.points_view
        radius = max(PAINT_RADIUS_PX, float(getattr(pv, "brush_radius_px", PAINT_RADIUS_PX)))
        scale = np.array(pv.pixel_size())
        if not (np.all(np.isfinite(scale)) and np.all(scale > 0)):
            return  # a view squeezed to nothing: no pixel to paint under
        lo, hi = dots.min(axis=0) - radius * scale, dots.max(axis=0) + radius * scale
        near = np.flatnonzero(np.all((X >= lo) & (X <= hi), axis=1))
        hit = np.zeros(len(near), dtype=bool)
        for start in range(0, len(near), 4096):  # bounded memory: 4096 × M distances at a time
            chunk = X[near[start:start + 4096]] / scale
            d2 = ((chunk[:, None, :] - dots[None, :, :] / scale) ** 2).sum(axis=2)
            hit[start:start + 4096] = (d2 <= radius**2).any(axis=1)
        self.paint(near[hit])

    def paint(self, indices: np.ndarray) -> None:
        """Give points ``indices`` the chosen label, as one undoable edit."""
        m = self.model
        before = m.labels
        after = np.full(len(m.points), -1) if before is None else np.array(before)
        label = self.paint_label
        after[indices] = label
        if before is not None and np.array_equal(before, after):
            return
        what = "unlabelled" if label < 0 else f"z = {label + 1}"
        text = (f"Label point {int(indices[0])} {what}" if len(indices) == 1
                else f"Label {len(indices)} points {what}")
        self.window.editor.stack.push(PaintLabels(m, before, after, text))

    # -- observing --------------------------------------------------------------------------
    def _on_model_change(self, aspects: frozenset[str]) -> None:
        oracle = self.model.oracle
        if oracle.wanted and oracle.data is None and self._pending_fit is None:
            # a restored session asks for the fit (large data: it arrives in _computed)
            if self.refit() and self.fit is None:
                self.clear_fit()
        elif self._fit_data is not None and aspects & {"points", "labels", "settings"}:
            self._follow_data()
        if oracle.data is None:
            self.overlay.show(None)  # off the points view now (see clear_fit)
        self._sync_actions(self.model)

    def _follow_data(self) -> None:
        m, (X, labels, covariance_type, reg_covar) = self.model, self._fit_data
        same_points = m.points is X or np.array_equal(m.points, X)
        if not same_points:  # new data: the fit belonged to the old data
            self.clear_fit()
            self._uncheck(self.fit_action)
            return
        s = m.settings
        if labels is not m.labels or (covariance_type, reg_covar) != (s.covariance_type, s.reg_covar):
            self.refit()  # new labels (painting, undo) or model family: the fit follows them

    def show_state(self, model: Workbench) -> None:
        self._sync_actions(model)
        fit = self.fit
        self.overlay.show(fit, None if fit is None else model.identity.oracle_palette(fit.n_components))
        labelled = self._labelled(model)
        k_labels = int(model.labels.max()) + 1 if labelled else 0
        k_choices = min(max(model.settings.k, k_labels, 2), K_MAX)
        self.panel.set_label_choices(k_choices, model.identity.oracle_palette(k_choices))
        if self.window.tabs.currentWidget() is self.panel:
            self._show_readout(model, labelled, k_labels)

    @staticmethod
    def _labelled(model: Workbench) -> int:
        return 0 if model.labels is None else int((model.labels >= 0).sum())

    def _sync_actions(self, model: Workbench) -> None:
        """Enabled, checked and tooltips from the model (also right after a change, so that a
        shortcut pressed before the next frame already sees the new data)."""
        has_labels = model.labels is not None
        self._sync(self.show_action, has_labels, has_labels and model.options.show_oracle,
                   "Colour the points by the oracle's labels z (unlabelled points black)",
                   "These data have no oracle labels: generate data (Ctrl+G) or paint labels")
        self._sync(self.fit_action, self._labelled(model) > 0, self._fit_data is not None,
                   "The complete-data fit: each Gaussian fitted to its own labelled points, "
                   "π_k = N_k / N (black dashed ellipses)",
                   "No point has an oracle label: generate data (Ctrl+G) or paint labels")

    def _show_readout(self, model: Workbench, labelled: int, k_labels: int) -> None:
        state = model.current
        key = (self.fit, model.labels, model.points, None if state is None else state.mixture)
        if all(a is b for a, b in zip(key, self._scores_key, strict=True)):
            return
        self._scores_key = key
        n = len(model.points)
        self.panel.counts.setText(
            f"{labelled} of {n} points labelled ({k_labels} labels): ln p(X, Z | θ) sums over "
            f"those, ln p(X | θ) over all {n}"
            if model.labels is not None else f"{n} points, none labelled: paint some labels")
        panel = self.panel
        panel.set_value(0, 0, None if self.fit is None else self.fit_complete)
        panel.set_value(0, 1, None if self.fit is None else self.fit_log_likelihood)
        em = None
        if state is not None and model.labels is not None:
            args = (model.points, model.labels, state.mixture, state.log_likelihood)
            em_key = ("em", *args[:3])
            if len(model.points) < BACKGROUND_MIN_POINTS:
                em = em_scores(*args)
            elif self._em is not None and same_key(self._em[0], em_key):
                em = self._em[1]
            else:  # drawn when it arrives (_computed)
                self._background.request(em_key, lambda: em_scores(*args))
        panel.set_value(1, 0, None if em is None else em.complete)
        panel.set_value(1, 1, None if state is None else state.log_likelihood)
        panel.set_em_header(None if state is None else state.iteration,
                            "" if state is None else state.phase)
        panel.note.setText(self._note(em))

    def _note(self, em: Scores | None) -> str:
        if self.fit is None:
            hint = self.fit_error or "Press “Fit with oracle labels” (Shift+O) to compare."
            return hint if em is None else f"{hint}\nEM's components {em.note}."
        if em is None:
            return ""
        lines = [f"EM's components {em.note}."]
        if em.complete is not None:
            if _same(self.fit_complete, em.complete) and _same(self.fit_log_likelihood, em.incomplete):
                lines.append("Both θ agree to 3 decimals: EM found the oracle's answer without "
                             "seeing the labels.")
                return "\n".join(lines)
            if self.fit_complete > em.complete:
                lines.append("The oracle's fit has the larger ln p(X, Z | θ): with the labels known, "
                             "it is the maximum.")
        if _same(em.incomplete, self.fit_log_likelihood):
            pass
        elif em.incomplete > self.fit_log_likelihood:
            lines.append("EM's θ has the larger ln p(X | θ): that is what EM climbs, labels unseen.")
        else:
            lines.append("The oracle's fit still has the larger ln p(X | θ) too: EM has not climbed "
                         "that far (yet, or it is stuck at a local maximum).")
        return "\n".join(lines)

    # -- helpers ----------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    @staticmethod
    def _uncheck(action) -> None:
        action.blockSignals(True)
        action.setChecked(False)
        action.blockSignals(False)

    @staticmethod
    def _sync(action, enabled: bool, checked: bool, tip: str, reason: str) -> None:
        action.setEnabled(enabled)
        shortcut = action.shortcut().toString()
        action.setToolTip(f"{tip if enabled else reason} ({shortcut})")
        if action.isChecked() != checked:
            action.blockSignals(True)
            action.setChecked(checked)
            action.blockSignals(False)


class _Readout:
    """The Oracle tab as a view of its own: the readout is computed only while the tab is
    shown (OracleFeature.show_state), so choosing the tab must draw it."""

    def __init__(self, oracle: OracleFeature) -> None:
        self.show_state = oracle.show_state  # cheap when nothing changed: its numbers are keyed


def install(window) -> Feature:
    oracle = OracleFeature(window)
    readout = _Readout(oracle)
    window.add_view(readout, widget=oracle.panel)
    return Feature("oracle", oracle,
                   actions=(oracle.show_action, oracle.fit_action, oracle.paint_action),
                   views=(oracle, readout))


def _same(a: float, b: float) -> bool:
    """Equal as the readout shows them (3 decimals)."""
    return f"{a:.3f}" == f"{b:.3f}"
