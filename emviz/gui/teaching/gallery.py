"""The iteration gallery: the lecture's "Start, after 1st, 2nd, ... 20th iteration" slides as
one figure (Bishop's Figure 9.8: the start, then after iterations 1, 2, 5, 20; titled
"after iteration n", not "L = n": L is the lower bound in every other view).

A grid of small points views, one per chosen iteration n, all with the same data range and
equal aspect: the points in the colours of the responsibilities q that the n-th M-step used
and the ellipses of θ after it (n = 0: the initial θ, grey points). Iterations the run has
not reached are computed through the window's run controller (in its worker thread).

Every panel has the same range, wide enough for the data and every shown 2σ ellipse (none is
cut by a panel's border); a note ("converged at iteration 18") is a line under its panel,
never on the data, and the panel is titled with the iteration it shows. The gallery draws in
the window's theme and, while presenting, with presentation-sized text in a window sized from
the screen (``GalleryFigure.apply_appearance``).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
)

from ...core import EMState, e_step
from ...look.appearance import PRESENT_FONT_MIN_PT, Appearance
from ...look.colors import component_colors
from ...look.geometry import ellipse, ellipse_label
from ...session.model import Workbench
from ...session.parts import Identity
from ..features import Feature
from ..jobs import Background
from ..point_cloud import LAYOUT_IN_BACKGROUND, PointCloudItem, data_bounds, whole_pictures
from ..screen_fit import fit_on_screen
from ..style import set_component_pen
from .why import WrappingLabel

DEFAULT_ITERATIONS = (0, 1, 2, 5, 20)
MAX_PANELS = 12
#: Panels per row: at most this many, and rows as even as possible (5 panels: 3 + 2).
MAX_COLUMNS = 4
TITLE_PT = 16.0
CAPTION_PT = 13.0
LEGEND_PT = 11.0
NOTE_PT = 11.0
#: The gallery window's size when the screen has room for it, and the share of the screen's
#: free area it takes at most; while presenting it takes all of it (the class reads it).
WINDOW_SIZE = (1100, 720)
SCREEN_SHARE = 0.9
POINT_SIZE = 5.0  # dot diameter in screen pixels (the main view's are 7)
LEGEND = ("colours: the responsibilities r_nk the n-th M-step used (grey: no q yet)<br>"
          f"ellipses: θ after it, solid {ellipse_label(1)}, dashed {ellipse_label(2)} "
          "(Mahalanobis distance d: the share of a component's points inside)")
#: Space around the data in every panel, as a fraction of its extent.
PADDING = 0.08


# -- what each panel shows (no Qt) ------------------------------------------------------------


def parse_iterations(text: str) -> tuple[int, ...]:
    """"0, 1, 2, 5, 20" -> (0, 1, 2, 5, 20): whole numbers >= 0, sorted, without repeats.

    Raises ValueError saying what is wrong.
    """
    words = [w for w in re.split(r"[\s,;]+", text.strip()) if w]
    if not words:
        raise ValueError("list at least one iteration, e.g. 0, 1, 2, 5, 20")
    bad = [w for w in words if not w.isdigit()]
    if bad:
        raise ValueError(f"{bad[0]!r} is not an iteration: use whole numbers ≥ 0, e.g. 0, 1, 2, 5, 20")
    iterations = tuple(sorted({int(w) for w in words}))
    if len(iterations) > MAX_PANELS:
        raise ValueError(f"at most {MAX_PANELS} iterations, got {len(iterations)}")
    return iterations


def grid_shape(n: int, room: tuple[float, float] | None = None, aspect: float = 1.0,
               overhead: float = 0.0, min_width: float = 0.0) -> tuple[int, int]:
    """(rows, columns) for n panels: at most MAX_COLUMNS per row, rows filled evenly. With
    ``room`` (width, height in pixels for the whole grid; each row loses ``overhead`` to its
    titles and notes; no panel narrower than ``min_width``, its title's), the shape that
    draws the data (``aspect``: its height / width) at least 10% larger than that one's, if
    any: five panels in a row rather than 3 + 2 tiny ones when presenting's large titles
    take the height."""
    rows = max(1, math.ceil(n / MAX_COLUMNS))
    default = (rows, max(1, math.ceil(n / rows)))
    if room is None or n <= 1:
        return default

    def scale(shape: tuple[int, int]) -> float:
        r, c = shape
        if shape != default and room[0] / c < min_width:
            return 0.0
        return min(room[0] / c, max(room[1] / r - overhead, 0.0) / max(aspect, 1e-9))

    shapes = {(r, math.ceil(n / r)) for r in range(1, n + 1)}
    best = max(sorted(shapes), key=scale)
    return best if scale(best) > 1.1 * scale(default) else default


@dataclass(frozen=True)
class Shown:
    """What one panel shows: the state (None: nothing yet), its history index, and a note."""

    state: EMState | None
    index: int
    note: str = ""


def shown_at(model: Workbench, iteration: int) -> Shown:
    """The half-step that ends EM iteration n = ``iteration``: the "init" state for n = 0,
    else the n-th M-step; if the run stopped before n, its last M-step, with the reason."""
    history = model.history
    if not history:
        return Shown(None, -1, "no data" if len(model.points) == 0 else "no run yet")
    if iteration == 0:
        return Shown(history[0], 0)
    last_m = -1
    for i, state in enumerate(history):
        if state.phase == "M":
            if state.iteration == iteration:
                return Shown(state, i)
            last_m = i
    if last_m >= 0 and last_m == len(history) - 1:
        last = history[last_m]
        if last.converged:
            return Shown(last, last_m, f"converged at iteration {last.iteration}")
        if model.run_ended:
            return Shown(last, last_m, f"{model.run_ended} at iteration {last.iteration}")
    return Shown(None, -1, "not reached yet")


def half_steps_to(state: EMState, iteration: int) -> int:
    """How many half-steps after ``state`` the M-step of ``iteration`` comes."""
    return 2 * (iteration - state.iteration) + (1 if state.phase == "E" else 0)


def reached(model: Workbench, iteration: int) -> bool:
    """Whether the gallery can show iteration L without running EM further."""
    return shown_at(model, iteration).state is not None or not model.history


# -- the figure -------------------------------------------------------------------------------


def text_pt(points: float, a: Appearance) -> float:
    """A size of the gallery's text in this appearance: as set while not presenting, else
    presentation mode's larger size (never under its minimum)."""
    return points if not a.presenting else max(points * a.font_scale, PRESENT_FONT_MIN_PT)


def ellipse_bounds(mixture, radius: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) corners, each (2,), of the box holding every component's ellipse at
    Mahalanobis distance ``radius``: μ_k ± radius · sqrt(diag Σ_k) (exact: the ellipse's
    extent along axis i is radius · sqrt(Σ_ii))."""
    means = np.asarray(mixture.means, dtype=float)
    half = radius * np.sqrt(np.maximum(np.diagonal(mixture.covariances, axis1=1, axis2=2), 0.0))
    return (means - half).min(axis=0), (means + half).max(axis=0)


def panel_range(data: tuple[np.ndarray, np.ndarray] | None, mixtures: list,
                padding: float = PADDING) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The x and y ranges every panel shares: the data's bounds (lower, upper), widened to
    hold every shown mixture's 2σ ellipses, with ``padding`` of the extent around. None
    without data or mixtures."""
    boxes = [] if data is None else [data]
    boxes += [ellipse_bounds(m) for m in mixtures if m is not None and m.n_components]
    boxes = [(lo, hi) for lo, hi in boxes if np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))]
    if not boxes:
        return None
    lo = np.min([b[0] for b in boxes], axis=0)
    hi = np.max([b[1] for b in boxes], axis=0)
    pad = padding * np.maximum(hi - lo, 1e-9)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1]))


class Panel:
    """One small points view: a title "after iteration n" (n the iteration it shows), the
    points and the ellipses of one state, and under it a note when the run ended before the
    iteration asked for."""

    def __init__(self, plot: pg.PlotItem, iteration: int, appearance: Appearance | None = None) -> None:
        self.plot, self.iteration = plot, iteration
        self.appearance = appearance or Appearance()
        for name in ("left", "bottom"):
            plot.hideAxis(name)
        box = plot.getViewBox()
        box.setAspectLocked(True, ratio=1.0)
        box.setMouseEnabled(False, False)
        box.setMenuEnabled(False)
        box.setBorder(pg.mkPen(self.appearance.border, width=1))
        plot.hideButtons()
        # One size hint for all: otherwise the grid gives wider columns to longer titles.
        plot.setMinimumSize(120, 100)
        plot.setPreferredSize(320, 260)
        plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.cloud = PointCloudItem(size=POINT_SIZE)
        plot.addItem(self.cloud)
        self.ellipses: list[tuple[pg.PlotCurveItem, pg.PlotCurveItem]] = []
        self.means = pg.ScatterPlotItem(symbol="o", pen=pg.mkPen(self.appearance.foreground, width=1.5))
        self.means.setZValue(10)
        plot.addItem(self.means)
        # A line under the view (not in the title, so that every column keeps its width; not
        # over the view, where it hid points): every panel has the row, empty or not.
        self.note = pg.LabelItem("", justify="center")
        plot.layout.addItem(self.note, 4, 1)
        self.title = ""
        self.title_room = 0.0  # the width (px) the title may take; 0: any
        self.shared_title_pt: float | None = None  # the size all the titles take
        self.shown: Shown | None = None
        self._drawn: tuple = ()
        self._palette = component_colors(0)
        self._sizes = np.empty(0)
        self._scale = 1.0

    def show(self, shown: Shown, X: np.ndarray, resp: np.ndarray | None, soft: bool,
             identity: Identity | None = None) -> None:
        """Draw ``shown`` on X; ``identity``: the model's colours (by default slot k for k)."""
        state = shown.state
        mixture = None if state is None else state.mixture
        k = 0 if mixture is None else mixture.n_components
        palette = component_colors(k) if identity is None else identity.em_palette(k)
        key = (shown.state, shown.note, X, soft)
        if (len(key) == len(self._drawn) and all(a is b for a, b in zip(key, self._drawn, strict=True))
                and np.array_equal(palette, self._palette)):
            return
        self._drawn, self.shown = key, shown
        self.cloud.set_data(X, resp, palette, soft)
        while len(self.ellipses) < k:
            pair = (pg.PlotCurveItem(), pg.PlotCurveItem())
            for item in pair:
                item.setZValue(5)
                self.plot.addItem(item)
            self.ellipses.append(pair)
        for j, (inner, outer) in enumerate(self.ellipses):
            inner.setVisible(j < k)
            outer.setVisible(j < k)
            if j < k:
                for item, radius in ((inner, 1.0), (outer, 2.0)):
                    line = ellipse(mixture.means[j], mixture.covariances[j], radius)
                    item.setData(line[:, 0], line[:, 1])
        self._sizes = np.empty(0) if k == 0 else 8 + 14 * np.sqrt(mixture.weights)  # area ~ π_k
        if k:
            brushes = [pg.mkBrush(*(int(c) for c in rgb)) for rgb in palette]
            self.means.setData(pos=mixture.means, size=self._sizes, brush=brushes)
        else:
            self.means.setData([], [])
        self._palette = palette
        self.set_line_scale(self._scale)
        # The iteration shown: the one asked for, or the last one of a run that ended before
        # it ("after iteration 20" over "converged at iteration 18" contradicted itself).
        n = self.iteration if state is None or state.phase != "M" else state.iteration
        self.title = f"after iteration {n}" if n else "start"
        self._write_text()

    def title_pt(self) -> float:
        """The title's size: the one every panel shares (``shared_title_pt``), or the one
        that fits this panel's title (``fitting_title_pt``)."""
        return self.shared_title_pt or self.fitting_title_pt()

    def fitting_title_pt(self) -> float:
        """The appearance's title size, smaller if the panel is too narrow for this title,
        but never under presentation mode's minimum while presenting."""
        a = self.appearance
        pt = text_pt(TITLE_PT, a)
        if self.title_room > 0:
            font = QFont(self.plot.titleLabel.item.font())
            font.setPointSizeF(pt)
            width = QFontMetricsF(font).horizontalAdvance(self.title)
            if width > self.title_room:
                pt = max(PRESENT_FONT_MIN_PT if a.presenting else 8.0, pt * self.title_room / width)
        return round(pt, 1)

    def set_title_room(self, room: float) -> None:
        if abs(room - self.title_room) >= 1:
            self.title_room = room
            if self.title:
                self._write_text()

    def share_title_pt(self, pt: float) -> None:
        if pt != self.shared_title_pt:
            self.shared_title_pt = pt
            if self.title:
                self._write_text()

    def note_height(self) -> float:
        return self.note.item.boundingRect().height()

    def set_note_height(self, height: float) -> None:
        """Every panel's note row as high as the highest note (a note may wrap)."""
        self.note.setMaximumHeight(height)
        self.plot.layout.setRowFixedHeight(4, height)

    def _write_text(self) -> None:
        """Title and note in the panel's appearance (their sizes and colour)."""
        a = self.appearance
        color = QColor(*a.foreground).name()
        self.plot.setTitle(self.title, size=f"{self.title_pt():g}pt", color=color)
        # pyqtgraph gives the title a 30 px row; in the emviz command's larger font the text is
        # taller and hung over the view, on top of a "converged" note (a one-image gallery)
        height = math.ceil(self.plot.titleLabel.item.boundingRect().height())
        self.plot.titleLabel.setMaximumHeight(height)
        self.plot.layout.setRowFixedHeight(0, height)
        note = "" if self.shown is None else self.shown.note
        if self.title_room > 0:
            self.note.item.setTextWidth(self.title_room)  # a long note wraps
        self.note.setText(note or "&nbsp;", size=f"{text_pt(NOTE_PT, a):g}pt", color=QColor(*a.muted).name())
        self.set_note_height(math.ceil(self.note_height()))

    def apply_appearance(self, a: Appearance) -> None:
        self.appearance = a
        self.shared_title_pt = None  # the gallery shares out the new size
        self.plot.getViewBox().setBorder(pg.mkPen(a.border, width=1))
        self.set_line_scale(self._scale)
        if self.title:
            self._write_text()

    def set_line_scale(self, scale: float) -> None:
        """Widths of lines and dots times ``scale``: they are in screen pixels (cosmetic), so an
        image drawn ``scale`` times larger needs them that much wider to look the same."""
        self._scale = scale
        self.cloud.size = POINT_SIZE * scale
        self.cloud.update()
        for j, (inner, outer) in enumerate(self.ellipses[: len(self._palette)]):
            color = tuple(int(c) for c in self._palette[j])
            back = self.appearance.background
            set_component_pen(inner, color, 2.5 * scale, back)
            set_component_pen(outer, color, 1.5 * scale, back, Qt.PenStyle.DashLine)
        self.means.setPen(pg.mkPen(self.appearance.foreground, width=1.5 * scale))
        if len(self._sizes):
            self.means.setSize(self._sizes * scale)

    def set_range(self, x_range: tuple[float, float], y_range: tuple[float, float]) -> None:
        self.plot.getViewBox().setRange(xRange=x_range, yRange=y_range, padding=0)


class GalleryFigure(pg.GraphicsLayoutWidget):
    """The gallery's figure: it draws the window's appearance itself (``apply_appearance``,
    called by the window's presentation: theme colours and presentation sizes), and its
    caption and legend wrap at its width."""

    def __init__(self, gallery: GalleryView) -> None:
        super().__init__()
        self._gallery = gallery

    def apply_appearance(self, appearance: Appearance) -> None:
        self._gallery.apply_appearance(appearance)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        # The wrap width first: the layout cannot be narrower than its widest line.
        gallery = self.__dict__.get("_gallery")  # pyqtgraph resizes before __init__ ends
        if gallery is not None:
            gallery._wrap_text(self.viewport().width())
        super().resizeEvent(event)


class GalleryView(QDialog):
    """The gallery window; a passive view (``show_state``) that can also ask the controller
    to run EM on until the largest chosen iteration."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("galleryView")
        self.setWindowTitle("emviz: EM iterations, as in the lecture's slides")
        self._window, self._model, self._controller = window, window.model, window.controller
        self.panels: list[Panel] = []
        self._target: int | None = None  # run EM until this iteration, then stop
        self._driven_length = -1  # history length when the gallery last asked for a step
        self._range_key: object = None
        # q of shown states whose resp the history dropped: {index: (state, resp)}, only for
        # states still in the history; recomputed in a lane of the window's job runner.
        self._resp_cache: dict[int, tuple[EMState, np.ndarray]] = {}
        self._background = Background("emviz-gallery", self._resp_computed, parent=self)

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Iterations:"))
        self.edit = QLineEdit(", ".join(map(str, self.iterations)))
        self.edit.setObjectName("galleryIterations")
        self.edit.setToolTip("The iterations to show, e.g. 0, 1, 2, 5, 20 (0 is the start). "
                             "Press Enter to apply.")
        self.edit.editingFinished.connect(self._on_iterations_edited)
        bar.addWidget(self.edit, 1)
        self.run_button = QPushButton()
        self.run_button.setObjectName("galleryRun")
        self.run_button.setToolTip("Run EM (in the background) until the last iteration shown")
        self.run_button.clicked.connect(self.run_to_last)
        bar.addWidget(self.run_button)
        self.export_button = QPushButton("Export…")
        self.export_button.setObjectName("galleryExport")
        self.export_button.setToolTip("Save the figure as one PNG image (twice the screen "
                                      "resolution) or as SVG (vector), by the file's name")
        self.export_button.clicked.connect(self._export_dialog)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.status = QLabel()
        self.status.setObjectName("galleryStatus")
        layout.addWidget(self.status)
        self.appearance = Appearance()
        self.figure = GalleryFigure(self)
        self.figure.setObjectName("galleryFigure")
        self.figure.setBackground(self.appearance.background)
        layout.addWidget(self.figure, 1)
        self.caption: WrappingLabel | None = None
        self.legend: WrappingLabel | None = None
        self._sized = False  # sized from the screen when first shown
        self._shape = (0, 0)  # the panels' (rows, columns)
        self._ranges: tuple | None = None  # the panels' x and y ranges
        self._reshape = QTimer(self, singleShot=True, interval=0)
        self._reshape.timeout.connect(self._rebuild)
        self._kick = QTimer(self, singleShot=True, interval=0)
        self._kick.timeout.connect(self._drive)
        self._controller.busy_changed.connect(lambda busy: busy or self._kick.start())
        self._staging: QTimer | None = None  # see _open_in_turns
        self._grid = None  # the panels' grid in the figure
        self._built = False  # the figure's plots are made when the gallery is first shown:
        self.run_button.setText(f"Run EM to iteration {max(self.iterations)}")  # most windows never are
        self.resize(*WINDOW_SIZE)
        self._model.subscribe(self._on_model_change, {"gallery"})

    @property
    def iterations(self) -> tuple[int, ...]:
        """The chosen iterations, held by the session model (``model.gallery``)."""
        return self._model.gallery.iterations

    def _on_model_change(self, _aspects: frozenset[str]) -> None:
        """New iterations (typed here, or a restored session): the line and the panels."""
        text = ", ".join(map(str, self.iterations))
        if self.edit.text() != text:
            self.edit.setText(text)
        if self._built:
            self._build()
        else:
            self.run_button.setText(f"Run EM to L = {max(self.iterations)}")

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        """The figure: caption, legend and one panel per chosen iteration, at once. A build
        in turns that was under way ends here, and the gallery shows, as it was to."""
        was_building = self.building
        self._stop_staging()
        self._begin_build()
        for i in range(len(self.iterations)):
            self._add_panel(i)
        self._end_build()
        if was_building:
            self._show_raised()

    def _begin_build(self) -> None:
        self._built = True
        self.figure.clear()
        self.panels = []
        self.caption = WrappingLabel(justify="left")
        self.legend = WrappingLabel(LEGEND, justify="left")
        self.figure.addItem(self.caption, row=0, col=0)
        self.figure.addItem(self.legend, row=1, col=0)
        self._write_captions(getattr(self, "_caption_text", ""))
        self._wrap_text(self.figure.viewport().width())
        self._shape = self._best_shape()
        self._grid = self.figure.addLayout(row=2, col=0)  # its own grid: the caption spans no column

    def _add_panel(self, i: int) -> Panel:
        columns = self._shape[1]
        panel = Panel(self._grid.addPlot(row=i // columns, col=i % columns), self.iterations[i],
                      self.appearance)
        self.panels.append(panel)
        return panel

    def _end_build(self) -> None:
        rows, columns = self._shape
        self._fit_panel_text()
        for column in range(columns):
            self._grid.layout.setColumnStretchFactor(column, 1)
        for row in range(rows):
            self._grid.layout.setRowStretchFactor(row, 1)
        self._range_key = None
        self.run_button.setText(f"Run EM to iteration {max(self.iterations)}")

    def _open_in_turns(self) -> None:
        """Build the figure of a large data set a panel per turn of the event loop, hidden,
        each panel drawn as it is made, then show the gallery: built and drawn at once it took
        126-184 ms of the GUI thread at 10⁶ points (most of it pyqtgraph's plots and items,
        whatever N); the window shows the same figure, a few turns later."""
        self._sized = True
        self._size_from_screen()
        self.layout().activate()  # the figure at the size it will show at
        self._begin_build()
        model = self._model

        def step() -> None:
            i = next(steps)
            if i == "lay out":  # the figure laid out, then shown, each on a turn of its own
                self._end_build()
                self.figure.ci.layout.activate()
            elif i == "show":
                self._stop_staging()
                self._show_raised()  # as the action's own turn would have
                return
            else:
                self._draw_panel(self._add_panel(i), model)  # (framed when shown, at its size)
            self._staging.start()

        steps = chain(range(len(self.iterations)), ["lay out", "show"])

        self._staging = QTimer(self, singleShot=True, interval=0)
        self._staging.timeout.connect(step)
        self._staging.start()

    def _stop_staging(self) -> None:
        """A build in turns ends here (the figure is built or rebuilt at once instead)."""
        if self._staging is not None:
            self._staging.stop()
            self._staging.deleteLater()
            self._staging = None

    @property
    def building(self) -> bool:
        """The figure is being built a panel per turn, before the gallery shows."""
        return self._staging is not None

    def _wrap_text(self, width: int) -> None:
        """The caption and the legend wrap at the figure's width (they were one line each,
        wider than the figure when presenting, and cut off at its right); the panels' shape
        and titles follow the figure's size."""
        for label in (self.caption, self.legend):
            if label is not None and shiboken6.isValid(label):
                label.set_wrap_width(width - 24)
        if self._built and self.panels:
            if self._best_shape() != self._shape:
                self._reshape.start()  # not inside a resize: rebuilt on the next turn
            else:
                self._fit_panel_text()

    def _best_shape(self) -> tuple[int, int]:
        """The panels' grid for the figure's size now (``grid_shape``)."""
        view = self.figure.viewport()
        used = sum(label.item.boundingRect().height() + 8 for label in (self.caption, self.legend)
                   if label is not None and shiboken6.isValid(label))
        a = self.appearance
        overhead = 1.7 * (text_pt(TITLE_PT, a) + text_pt(NOTE_PT, a)) * view.logicalDpiY() / 72 + 12
        aspect = 1.0
        if self._ranges is not None:
            (x0, x1), (y0, y1) = self._ranges
            aspect = (y1 - y0) / max(x1 - x0, 1e-12)
        room = (view.width() - 20, view.height() - used - 20)
        font = QFont()
        font.setPointSizeF(PRESENT_FONT_MIN_PT if a.presenting else 8.0)
        widest = QFontMetricsF(font).horizontalAdvance(f"after iteration {max(self.iterations)}")
        return grid_shape(len(self.iterations), room, aspect, overhead, widest + 40)

    def _rebuild(self) -> None:
        if self._built and self._best_shape() != self._shape:
            self._build()
            if self.isVisible():
                self.show_state(self._model)
            self.figure.ci.layout.activate()  # the figure's own layout only, now

    def _fit_panel_text(self) -> None:
        """Each title within its panel's width, and every note row as high as the highest."""
        if not self.panels:
            return
        columns = self._shape[1]
        room = self.figure.viewport().width() / columns - 36  # less the layout's margins and spacing
        for panel in self.panels:
            panel.set_title_room(room)
        titled = [panel.fitting_title_pt() for panel in self.panels if panel.title]
        for panel in self.panels:  # one size for all: the titles and the views in line
            panel.share_title_pt(min(titled) if titled else None)
        height = math.ceil(max(panel.note_height() for panel in self.panels))
        for panel in self.panels:
            panel.set_note_height(height)
        # New panels' first, wider titles stretch the figure's central item beyond the view,
        # and it does not shrink back by itself: give it the view's rectangle again.
        figure = self.figure
        if figure.centralWidget is not None and figure.centralWidget.geometry() != figure.range:
            pg.GraphicsView.setRange(figure, figure.range, padding=0, disableAutoPixel=False)

    def _write_captions(self, caption: str | None = None) -> None:
        a = self.appearance
        if caption is not None:
            self._caption_text = caption
        # their whole texts (set_full_text): a wrapping label told its width before it had one
        # laid itself out as an empty row, 0 px high, and the caption, the legend and the
        # panels' titles were drawn over each other
        self.caption.set_full_text(self._caption_text, size=f"{text_pt(CAPTION_PT, a):g}pt",
                                   color=QColor(*a.foreground).name())
        self.legend.set_full_text(LEGEND, size=f"{text_pt(LEGEND_PT, a):g}pt",
                                  color=QColor(*a.muted).name())

    def apply_appearance(self, a: Appearance) -> None:
        """The window's theme and presentation mode: colours and text sizes, and a window
        sized from the screen (the whole figure readable from the back while presenting)."""
        presenting_changed = a.presenting != self.appearance.presenting
        self.appearance = a
        self.figure.setBackground(a.background)
        if self._built:
            self._write_captions()
            for panel in self.panels:
                panel.apply_appearance(a)
            self._fit_panel_text()
            self._range_key = None
            if self.isVisible():
                self.show_state(self._model)
        if presenting_changed and self._sized:
            if self.isVisible():
                self._size_from_screen()
                self._rebuild()
            else:
                self._sized = False  # a hidden window does no work: sized when shown

    def _size_from_screen(self) -> None:
        """WINDOW_SIZE where the screen has room for it, never more than SCREEN_SHARE of the
        screen's free area; while presenting, all of it."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        free = screen.availableGeometry()
        most = (int(free.width() * SCREEN_SHARE), int(free.height() * SCREEN_SHARE))
        if self.appearance.presenting:
            size = (free.width(), free.height())
        else:
            size = (min(WINDOW_SIZE[0], most[0]), min(WINDOW_SIZE[1], most[1]))
        # its frame on the screen too (presenting at 1280 x 800 it was 1284 x 804)
        fit_on_screen(self, QSize(*size), centre=True)

    def set_iterations(self, iterations: tuple[int, ...]) -> None:
        """Show these iterations (and run EM on until the largest, if the run has not)."""
        self._model.gallery.set_iterations(tuple(iterations))  # the panels follow the model
        self.show_state(self._model)
        self.run_to_last()

    def _on_iterations_edited(self) -> None:
        try:
            iterations = parse_iterations(self.edit.text())
        except ValueError as error:
            self.status.setText(f"<span style='color:#b00'>{error}</span>")
            return
        self.set_iterations(iterations)

    # -- running EM on ----------------------------------------------------------------------
    def open_and_run(self) -> None:
        """Open the gallery (raised) and run EM on to its last iteration. From
        LAYOUT_IN_BACKGROUND points on, its figure is first built in turns (``building``)."""
        if self.building:
            return
        if not self._built and not self.isVisible() and len(self._model.points) >= LAYOUT_IN_BACKGROUND:
            self._open_in_turns()
            self.run_to_last()
            return
        self._show_raised()
        self.run_to_last()

    def _show_raised(self) -> None:
        self.show()
        if QGuiApplication.platformName() != "offscreen":  # which warns it cannot raise
            self.raise_()
            self.activateWindow()

    def run_to_last(self) -> None:
        """Ask the controller for full iterations until the largest chosen L is recorded (or the
        run stops); one step at a time, each in the worker thread."""
        self._target = max(self.iterations)
        self._driven_length = -1
        self._drive()

    def _drive(self) -> None:
        target, m, c = self._target, self._model, self._controller
        if target is None:
            return
        if reached(m, target):
            self._target = None
        elif len(m.history) < self._driven_length:
            self._target = None  # the run was reset or the data changed: the request is void
        elif c.busy or c.playing:
            return  # busy_changed brings us back when the job ends
        elif len(m.history) == self._driven_length or c.next_phase() is None:
            self._target = None  # the last step added nothing: EM cannot go on
        else:
            if not m.at_tip:
                c.go_to(len(m.history) - 1)
            self._driven_length = len(m.history)
            c.advance(half_steps_to(m.history[-1], target))  # one job: one redraw, not one per step
        self._show_status()

    @property
    def running(self) -> bool:
        """EM is run on for the gallery, or its figure is being built (``building``)."""
        return self._target is not None or self.building

    # -- drawing ----------------------------------------------------------------------------
    def show_state(self, model: Workbench) -> None:
        if not self.isVisible():
            return
        X = model.points
        history = model.history
        self._resp_cache = {i: c for i, c in self._resp_cache.items()
                            if i < len(history) and history[i] is c[0]}
        s = model.settings
        self._write_captions(f"{model.dataset_name} · N = {len(X)} · K = {s.k} · "
                             f"{s.covariance_type} covariances · start: {s.init_method}, seed {s.seed}")
        shown_states = [self._draw_panel(panel, model) for panel in self.panels]
        self._fit_panel_text()
        self._frame_data(X, shown_states)
        # Keep only the q of states still in the history (a new run or new data would leave
        # the old ones here for good).
        history = model.history
        self._resp_cache = {i: v for i, v in self._resp_cache.items()
                            if i < len(history) and history[i] is v[0]}
        self._show_status()

    def _draw_panel(self, panel: Panel, model: Workbench) -> EMState | None:
        """Draw in ``panel`` the state of its iteration; returns that state (None: none yet)."""
        shown = shown_at(model, panel.iteration)
        if shown.state is None and self._target is not None:
            shown = Shown(None, -1, "running EM…")
        panel.show(shown, model.points, self._resp(model, shown), model.options.soft_colors,
                   model.identity)
        return shown.state

    def _frame_data(self, X: np.ndarray, states: list) -> None:
        """The same range in every panel: the data and every shown state's 2σ ellipses
        (``panel_range``), set again only when the data or a shown state changed."""
        mixtures = [None if state is None else state.mixture for state in states]
        key = (X, *mixtures)
        if self._range_key is not None and len(key) == len(self._range_key) and all(
                a is b for a, b in zip(key, self._range_key, strict=True)):
            return
        self._range_key = key
        # the data's bounds are shared with the panels' point clouds: once per data set
        ranges = panel_range(data_bounds(X) if len(X) else None, mixtures)
        if ranges is not None:
            self._ranges = ranges
            for panel in self.panels:
                panel.set_range(*ranges)

    def _resp(self, model: Workbench, shown: Shown) -> np.ndarray | None:
        """The q the shown M-step used (None for "init": grey points). Recomputed from the
        E-step's θ when the history dropped it to bound memory."""
        state = shown.state
        if state is None or state.phase == "init":
            return None
        if state.resp is not None:
            return state.resp if len(state.resp) == len(model.points) else None
        cached = self._resp_cache.get(shown.index)
        if cached is not None and cached[0] is state:
            return cached[1]
        source = model.history[shown.index - 1].mixture if state.phase == "M" else state.mixture
        X = model.points
        # Grey meanwhile; drawn when it arrives (an E-step on all N points: not for the GUI
        # thread). One request at a time: each arrival redraws, which asks for the next one.
        self._background.request((state, X), lambda: e_step(X, source)[0])
        return None

    def _resp_computed(self, key: tuple[EMState, np.ndarray], resp: np.ndarray) -> None:
        state, X = key
        history = self._model.history
        index = next((i for i, s in enumerate(history) if s is state), None)
        if X is not self._model.points or index is None:
            return  # the data or the history changed meanwhile
        self._resp_cache[index] = (state, resp)
        self.show_state(self._model)

    def _show_status(self) -> None:
        if self.running:
            self.status.setText(f"Running EM to iteration {self._target}…")
        elif self.status.text().startswith("Running"):
            self.status.setText("")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.building:  # shown before its build in turns ended: the rest at once
            self._stop_staging()
            self._built = False
        if not self._built:
            self._build()
        if not self._sized:
            self._sized = True
            self._size_from_screen()
            self._rebuild()
        super().showEvent(event)
        self._range_key = None
        self.show_state(self._model)

    # -- export -----------------------------------------------------------------------------
    def export_png(self, path: str, scale: float = 1) -> None:
        """Save the figure (caption and panels, not the controls) as one PNG image, ``scale``
        times its size on screen, drawn at that resolution. Raises ExportError naming the
        problem (the old file, if any, is kept)."""
        self.show_state(self._model)
        # A panel that changed just now (its title's row, its note) is laid out on the next
        # event loop pass; the picture must not be drawn before that
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        view = QRectF(self.figure.viewport().rect())
        image = QImage(max(1, round(view.width() * scale)), max(1, round(view.height() * scale)),
                       QImage.Format.Format_RGB32)
        image.fill(QColor(*self.appearance.background))
        for panel in self.panels:
            panel.set_line_scale(scale)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            with whole_pictures():  # every panel whole, none waiting for the background
                self.figure.scene().render(painter, QRectF(image.rect()), view)
        finally:
            painter.end()
            for panel in self.panels:
                panel.set_line_scale(1.0)
        from ..export import save_image

        save_image(image, path)  # atomic, as every save: a failure keeps the old file

    def export_svg(self, path: str) -> None:
        """Save the figure as an SVG drawing, every element a vector one (export.save_svg).
        Raises ExportError naming the problem (the old file, if any, is kept)."""
        from ..export import save_svg

        self.show_state(self._model)
        save_svg(self.figure, path, "emviz: EM iterations")

    def _export_dialog(self) -> None:
        from ..export import ExportError

        path, chosen = QFileDialog.getSaveFileName(self, "Export the gallery", "em-iterations.png",
                                                   "PNG (*.png);;SVG (*.svg)")
        if path:
            svg = path.lower().endswith(".svg") or (chosen.startswith("SVG")
                                                    and not path.lower().endswith(".png"))
            try:
                if svg:
                    self.export_svg(path)
                else:
                    self.export_png(path, scale=2)
            except ExportError as error:
                self.status.setText(f"Not saved: {error}")
            else:
                self.status.setText(f"Saved {path}")


def export_gallery(window, iterations: tuple[int, ...], path: str, scale: int = 1,
                   svg: bool = False, timeout_s: float = 120.0) -> None:
    """The gallery at ``iterations`` as one image file, running EM on as far as needed (for
    the command line). Raises ExportError naming the problem if the file cannot be written."""
    from PySide6.QtCore import QCoreApplication, QEventLoop


    gallery: GalleryView = window.feature("gallery")
    gallery.set_iterations(tuple(iterations))
    gallery.show()
    gallery.resize(*WINDOW_SIZE)  # an exported figure has one size, whatever the screen
    gallery.run_to_last()
    deadline = time.monotonic() + timeout_s
    while (gallery.running or window.controller.busy) and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    gallery.show_state(window.model)
    if svg:
        gallery.export_svg(path)
    else:
        gallery.export_png(path, scale)


def install(window, action: QAction) -> Feature:
    """The gallery's window, built the first time it is opened or asked for; ``action``
    (Ctrl+I, made at start by emviz.gui.teaching) opens it with ``open_and_run``."""
    gallery = GalleryView(window)
    window.add_view(gallery)  # a window of its own: drawn only while open
    return Feature("gallery", gallery, actions=(action,), views=(gallery,))
