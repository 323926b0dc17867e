"""K-means first: the lecture's hard-assignment starting point, beside EM on the same data.

A second points view (``kmeansView``) runs Lloyd's algorithm with the same K. Its points take
the colour of their cluster (hard labels z_n, the one-hot r_nk), the centres c_k are stars,
and the faint polygons are the cells {x : ‖x - c_k‖ ≤ ‖x - c_j‖ for all j} of the centres
(Voronoi cells), bounded by perpendicular bisectors: where the next assignment will put a
point. "assign" is the hard E-step, "update" the hard M-step; "Gaussians from these clusters"
turns the partition into θ₀ for EM (π_k = N_k / N, μ_k and Σ_k of each cluster's points).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QCoreApplication,
    QDeadlineTimer,
    QEvent,
    QEventLoop,
    QObject,
    QPoint,
    QPointF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsPolygonItem, QLabel, QToolBar

from ...core import KMeansState, kmeans_mixture
from ...core.kmeans import cells_polyline, hard_resp, kmeans_states, voronoi_cells  # noqa: F401 (moved there)
from ...look.appearance import Appearance
from ...look.colors import component_colors
from ...session.parts import KMeansPart
from ..features import Feature
from ..jobs import Job, Lane, runner_for
from ..plot_text import wrap_title
from ..point_cloud import PointCloudItem
from ..style import PLOT_LABEL_STYLE, apply_plot_appearance, style_plot

#: Above this many points the k-means half-steps run in a worker thread.
THREAD_MIN_POINTS = 20_000
#: Opacity (0..255) of the cell tints: enough to see the cells, faint enough for the points.
CELL_ALPHA = 46
TITLE_ROW_PX = 24  # per line of a title at the normal size (Appearance().title_pt)
#: Pixels of a view's width a title leaves free on each side (the layout's margins).
TITLE_SLACK_PX = 10
#: Sizes (px) of the centres' stars and their white halos at the normal point size.
STAR_PX, HALO_PX = 28, 36

PHASE_TEXT = {"init": "k-means++ centres", "assign": "after assign", "update": "after update"}
EM_PHASE_TEXT = {"init": "θ₀", "E": "after E-step", "M": "after M-step"}


def kmeans_title(state: KMeansState | None, ended: str) -> str:
    """Short lines (the view is half a window wide, and pyqtgraph widens a plot to its title):
    the iteration, the half-step with the distortion J = Σ_n ‖x_n - c_(z_n)‖², why it ended."""
    if state is None:
        return "k-means"
    lines = [f"k-means · iteration {state.iteration}", PHASE_TEXT[state.phase]]
    if state.labels is not None:
        lines[1] += f" · J = {state.inertia:.4g}"
    if ended:
        lines.append(ended)
    return "<br>".join(lines)


def em_title(model, seeded=None) -> str:
    """EM's iteration and half-step; θ₀ says where it came from if it is ``seeded``, the
    mixture "Gaussians from these clusters" made."""
    state = model.current
    if state is None:
        return "EM"
    phase = EM_PHASE_TEXT.get(state.phase, state.phase)
    if state.phase == "init" and seeded is not None and state.mixture is seeded:
        phase = "θ₀ from k-means clusters"
    return f"EM · iteration {state.iteration}<br>{phase}"


def fit_title(widget: pg.PlotWidget, html: str) -> str:
    """``html`` in lines that fit the view's width, in the title's font (a view of a split
    window at 1024 x 768 presenting is about 290 px wide: "k-means · iteration 4" at 18 pt
    is wider than its plot area). The title spans the left axis' column too (``set_title``):
    the width is the view's own, settled when the title is fitted (beside the axis, fitted
    to an axis of 29 px that became 61 once its ticks were drawn, it ran out of the view)."""
    appearance = getattr(widget, "appearance", None) or Appearance()
    font = QFont(widget.font())
    font.setPointSizeF(appearance.title_pt)
    width = widget.width() - 2 * TITLE_SLACK_PX
    return wrap_title(html, font, width) if width > 0 else html


def set_title(widget: pg.PlotWidget, html: str | None, rows: int = 1) -> None:
    """A title of several lines, in a row at least ``rows`` lines high (so two plots side by
    side keep their plot areas level; pyqtgraph fixes the title row at one line's 30 px)."""
    plot = widget.getPlotItem()
    if html is None:
        plot.setTitle(None)
        return
    appearance = getattr(widget, "appearance", None) or Appearance()  # presentation: larger
    if not getattr(plot, "_emviz_title_spans", False):
        # over the left axis' column too (pyqtgraph puts it over the plot area's only): a
        # title of two lines where it had four, beside an axis as wide as its tick labels
        plot.layout.removeItem(plot.titleLabel)
        plot.layout.addItem(plot.titleLabel, 0, 0, 1, 3)
        plot._emviz_title_spans = True
    plot.setTitle(html, size=f"{appearance.title_pt:g}pt", color=QColor(*appearance.foreground))
    lines = max(rows, html.count("<br>") + 1)
    height = round(TITLE_ROW_PX * lines * appearance.title_pt / Appearance().title_pt)
    plot.titleLabel.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


# -- the run ----------------------------------------------------------------------------------
class KMeansRun(QObject):
    """k-means's own history of half-steps. Inline for small data; above THREAD_MIN_POINTS
    each request is a Job in a lane of the window's job runner."""

    changed = Signal()
    message = Signal(str)

    def __init__(self, parent: QObject | None = None, part: KMeansPart | None = None) -> None:
        super().__init__(parent)
        # The run's half-steps, one-hot z, end and key live in the session model's part
        # (model.kmeans): saved with the session, observed by the views.
        self.part = part if part is not None else KMeansPart()
        self._iterator: Iterator | None = None
        self._max_iter = 100
        self._generation = 0
        self._running: int | None = None
        self._pending = None
        self._lane: Lane | None = None  # of the window's job runner, made by the first job

    @property
    def history(self) -> list[KMeansState]:
        return self.part.history

    @property
    def hard(self) -> list[np.ndarray | None]:
        """The one-hot z of each state."""
        return self.part.hard

    @property
    def ended(self) -> str:
        """"converged", "max. iterations reached", or "" while the run can go on."""
        return self.part.ended

    @property
    def X(self) -> np.ndarray:  # noqa: N802 (the lecture's X)
        return self.part.X

    @property
    def k(self) -> int:
        return self.part.k

    @property
    def key(self) -> tuple | None:
        """(X, K, seed) the run belongs to."""
        return self.part.key

    @property
    def current(self) -> KMeansState | None:
        return self.part.current

    @property
    def busy(self) -> bool:
        return self._running is not None

    @property
    def threaded(self) -> bool:
        return len(self.X) > THREAD_MIN_POINTS

    def next_phase(self) -> str | None:
        """"assign" or "update" for the next half-step, None if the run is over."""
        state = self.current
        if state is None or self.ended or self._iterator is None:
            return None
        return "update" if state.phase == "assign" else "assign"

    # -- intents --------------------------------------------------------------------------
    def reset(self, X: np.ndarray, k: int, seed: int, max_iter: int) -> None:
        """New k-means++ centres from ``default_rng(seed)`` on X; shows the "init" state."""
        self._abandon()
        self._max_iter = max_iter
        self._iterator = None
        self.part.start(X, k, seed)
        if len(X) == 0 or k > len(X):
            self.changed.emit()
            if len(X):
                self.message.emit(f"k-means needs at least K = {k} points")
            return
        self._iterator = kmeans_states(X, k, seed, max_iter)
        self._run(1)

    def assign(self) -> None:
        if not self._defer(self.assign) and self.next_phase() == "assign":
            self._run(1)

    def update(self) -> None:
        if not self._defer(self.update) and self.next_phase() == "update":
            self._run(1)

    def advance_to(self, half_steps: int) -> None:
        """On until the run holds ``half_steps`` half-steps (a restored session's run)."""
        if self._defer(lambda: self.advance_to(half_steps)):
            return
        missing = half_steps - len(self.history)
        if missing > 0 and self.next_phase() is not None:
            self._run(missing)

    def step(self) -> None:
        """Up to and including the next update (assign then update)."""
        if self._defer(self.step):
            return
        phase = self.next_phase()
        if phase is not None:
            self._run(1 if phase == "update" else 2)

    def wait_idle(self, timeout_ms: int = 30_000) -> bool:
        """Process events until no job runs (tests and scripts)."""
        deadline = QDeadlineTimer(timeout_ms)
        while self.busy and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return not self.busy

    @property
    def lane(self) -> Lane | None:
        return self._lane

    def shutdown(self) -> None:
        """Stop the job and the lane's thread (the window's runner does this at close)."""
        self._abandon()
        if self._lane is not None:
            self._lane.shutdown()

    # -- internals ------------------------------------------------------------------------
    def _defer(self, intent) -> bool:
        """A request while a job runs is done after it (only the latest is kept)."""
        if self.busy:
            self._pending = intent
            return True
        return False

    def _run(self, half_steps: int) -> None:
        if self.threaded:
            self._ensure_lane()
            self._generation += 1
            if self._lane.submit(Job(self._iterator, self._generation, half_steps)):
                self._running = self._generation
            self.changed.emit()
            return
        produced = []
        reason = "done"
        for _ in range(half_steps):
            try:
                produced.append(next(self._iterator))
            except StopIteration:
                reason = "exhausted"
                break
            except (ValueError, ArithmeticError) as error:
                reason = f"error: {error}"
                break
        self._take(produced, reason)

    def _take(self, produced: list, reason: str = "done") -> None:
        last = produced[-1][0] if produced else self.current
        ended = ""
        if reason.startswith("error"):
            self._iterator = None
            self.message.emit(reason.removeprefix("error: "))
        elif last is not None and last.phase == "update" and last.converged:
            ended = "converged"
        elif reason == "exhausted" or (
                last is not None and last.phase == "update" and last.iteration >= self._max_iter):
            ended = "max. iterations reached"
        self.part.extend(produced, ended)
        self.changed.emit()

    def _ensure_lane(self) -> None:
        if self._lane is None:
            self._lane = runner_for(self).lane("emviz-kmeans-worker")
            self._lane.ready.connect(self._on_ready)
            self._lane.finished.connect(self._on_finished)

    def _on_ready(self) -> None:
        if self._lane is None:
            return
        fresh = [item for g, item in self._lane.take() if g == self._running]
        if fresh:
            self._take(fresh)

    def _on_finished(self, generation: int, reason: str) -> None:
        if generation != self._running:
            return
        fresh = [item for g, item in self._lane.take() if g == self._running]
        self._running = None
        self._take(fresh, reason)
        pending, self._pending = self._pending, None
        if pending is not None:
            pending()

    def _abandon(self) -> None:
        self._pending = None
        if self._lane is not None:
            self._lane.stop(self._generation)
        self._generation += 1
        self._running = None


# -- the view ---------------------------------------------------------------------------------
class KMeansView(pg.PlotWidget):
    """Passive: draws one k-means state (points by cluster, centres, cells)."""

    appearance_changed = Signal()  # its title's font with it: the titles are laid out again

    def __init__(self, parent=None) -> None:
        self._box = pg.ViewBox(lockAspect=True, enableMenu=False)
        super().__init__(parent, viewBox=self._box)
        self.setObjectName("kmeansView")
        self.setToolTip(
            "k-means on the same data and K: points in their cluster's colour (hard z_n),\n"
            "centres c_k as stars, faint cells = where each centre is the nearest one\n"
            "(bounded by the perpendicular bisectors between centres)")
        self._box.setZValue(1)  # the grid goes under the cells and points
        self._cells: list[QGraphicsPolygonItem] = []
        self.boundaries = pg.PlotCurveItem(connect="finite")
        self.boundaries.setZValue(2)
        self._box.addItem(self.boundaries, ignoreBounds=True)  # spans the view: no autorange
        self.cloud = PointCloudItem()
        self.cloud.setZValue(3)
        self.addItem(self.cloud)
        self.moves = pg.PlotCurveItem(connect="finite")
        self.moves.setZValue(4)
        self.addItem(self.moves)
        # A white halo keeps each star visible on top of its own cluster's points.
        self.halos = pg.ScatterPlotItem(symbol="star", size=HALO_PX, pen=None, brush=pg.mkBrush("w"))
        self.halos.setZValue(9)
        self.addItem(self.halos)
        self.centers = pg.ScatterPlotItem(symbol="star", size=STAR_PX, pen=pg.mkPen("k", width=2))
        self.centers.setZValue(10)
        self.addItem(self.centers)
        self._centers_xy = np.empty((0, 2))
        self._palette = component_colors(0)
        self._box.sigRangeChanged.connect(self._draw_cells)
        self.appearance = Appearance()
        self.apply_appearance(self.appearance)

    def apply_appearance(self, appearance: Appearance) -> None:
        """Draw in this theme and size, as the points view beside it does (presentation mode:
        larger dots and stars, thicker lines, larger text)."""
        self.appearance = a = appearance
        apply_plot_appearance(self, a)
        self.appearance_changed.emit()
        self.getPlotItem().showGrid(x=True, y=True, alpha=a.grid_alpha)
        self.cloud.set_dot_size(a.point_size, a.dense_dot_radius)
        grow = a.point_size / Appearance(a.theme).point_size
        self.centers.setSize(STAR_PX * grow)
        self.centers.setPen(pg.mkPen("k", width=a.mean_pen_width))
        self.halos.setSize(HALO_PX * grow)
        line = a.ellipse_widths[1]
        self.boundaries.setPen(pg.mkPen(a.foreground, width=line))
        self.moves.setPen(pg.mkPen(a.foreground, width=line, style=Qt.PenStyle.DashLine))

    def show_run(self, X: np.ndarray, state: KMeansState | None, z: np.ndarray | None,
                 previous: KMeansState | None, title: str, title_rows: int = 1,
                 palette: np.ndarray | None = None) -> None:
        """Draw ``state`` of a k-means run on X; ``previous`` is the state before it;
        ``palette``: the clusters' colours, (K, 3) (the session model's identity: cluster i
        in the colour of the EM component it matches), by default slot k for cluster k."""
        k = 0 if state is None else len(state.centers)
        if palette is None or len(palette) != k:
            palette = component_colors(k)
        self.cloud.set_data(X, z, palette, soft=False)
        self._palette = palette
        self._centers_xy = np.empty((0, 2)) if state is None else np.asarray(state.centers)
        if k:
            self.centers.setData(pos=self._centers_xy, brush=[pg.mkBrush(*map(int, c)) for c in palette])
            self.halos.setData(pos=self._centers_xy)
        else:
            self.centers.setData([], [])
            self.halos.setData([], [])
        if state is not None and state.phase == "update" and previous is not None:
            moved = np.stack([previous.centers, state.centers, np.full_like(state.centers, np.nan)], 1)
            moved = moved.reshape(-1, 2)
            self.moves.setData(moved[:, 0], moved[:, 1], connect="finite")
        else:
            self.moves.setData([], [])
        set_title(self, title, title_rows)
        self._draw_cells()

    def _draw_cells(self, *_args) -> None:
        view = self._box.viewRect()
        pad_x, pad_y = 0.05 * view.width() + 1e-9, 0.05 * view.height() + 1e-9
        rect = (view.left() - pad_x, view.right() + pad_x, view.top() - pad_y, view.bottom() + pad_y)
        cells = voronoi_cells(self._centers_xy, rect) if len(self._centers_xy) else []
        while len(self._cells) < len(cells):
            item = QGraphicsPolygonItem()
            item.setPen(QPen(Qt.PenStyle.NoPen))
            item.setZValue(0.5)
            self._box.addItem(item, ignoreBounds=True)
            self._cells.append(item)
        for j, item in enumerate(self._cells):
            visible = j < len(cells) and len(cells[j]) > 0
            item.setVisible(visible)
            if visible:
                item.setPolygon(QPolygonF([QPointF(x, y) for x, y in cells[j]]))
                item.setBrush(QBrush(QColor(*(int(c) for c in self._palette[j]), CELL_ALPHA)))
        line = cells_polyline(cells)
        self.boundaries.setData(line[:, 0], line[:, 1], connect="finite")

    def data_to_widget(self, x: float, y: float) -> QPoint:
        """Where data point (x, y) is, in widget pixels (tests look there)."""
        return self.mapFromScene(self._box.mapViewToScene(QPointF(x, y)))


# -- the feature ------------------------------------------------------------------------------
ACTIONS = (  # objectName, text, toolbar text, shortcut, tooltip, checkable
    ("actionKMeansMode", "K-means first", "K-means first", "Ctrl+K",
     "Show k-means beside EM: the same data and K, hard assignments", True),
    ("actionKMeansAssign", "k-means: assign", "Assign", "Shift+A",
     "k-means: assign each point to its nearest centre (the hard E-step)", False),
    ("actionKMeansUpdate", "k-means: update", "Update", "Shift+U",
     "k-means: move each centre to the mean of its points (the hard M-step)", False),
    ("actionKMeansStep", "k-means step", "Step", "Shift+Space",
     "One k-means iteration: assign, then update", False),
    ("actionKMeansReset", "k-means: reset", "Reset", "Shift+R",
     "k-means: new k-means++ centres from the seed in the settings (same seed, same run)", False),
    ("actionKMeansLockstep", "Lockstep", "Lockstep with EM", "Shift+L",
     "EM's Step also runs one k-means iteration (E-step assigns, M-step updates, Reset resets both)",
     True),
    ("actionKMeansGaussians", "Gaussians from these clusters", "Gaussians from these clusters ▶ EM",
     "Shift+G", "Start EM from the clusters: π_k = N_k / N, μ_k and Σ_k of each cluster's points",
     False),
)
GAUSSIANS_TIP = ACTIONS[-1][4] + " (Shift+G)"


class KMeansMode(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("kmeansMode")
        self.window = window
        self.model = window.model
        self.run = KMeansRun(self, window.model.kmeans)
        # The k-means view is built when the mode is first turned on or it is asked for
        # (``view``): a plot cost 10 ms of the start-up, for a mode most sessions never use.
        self.page = window.add_lazy_side_view(self._build_view)
        window.points_view.installEventFilter(self)  # the titles' lines follow its width
        self._drawn: tuple | None = None
        self._em_title: tuple | None = None
        self._seeded = None  # the θ₀ "Gaussians from these clusters" gave EM
        self._axes: tuple[str, str] | None = None
        self.actions = {}
        self.toolbar = QToolBar("k-means", window)
        self.toolbar.setObjectName("kmeansToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.addWidget(QLabel(" k-means: "))
        for name, text, short_text, shortcut, tip, checkable in ACTIONS:
            action = window.add_action(name, text, shortcut, tip, checkable)
            action.setIconText(short_text)
            if name != "actionKMeansMode":  # the steps get their own row, shown with the mode
                window.teach_toolbar.removeAction(action)
                self.toolbar.addAction(action)
            if name in ("actionKMeansReset", "actionKMeansLockstep"):
                self.toolbar.addSeparator()
            self.actions[name] = action
        window.addToolBarBreak()
        window.addToolBar(self.toolbar)
        self.toolbar.hide()
        self._syncing = False
        window.points_view.getViewBox().sigRangeChanged.connect(self._follow_em)
        self._connect()
        self._show_actions(False)
        window.add_view(self, widget=self.page)  # nothing to draw while the mode is off
        self._laid_out = False  # the split view is shown (follows model.kmeans.on)
        window.model.subscribe(self._on_model_change, {"points", "settings", "kmeans"})

    @property
    def on(self) -> bool:
        return self.model.kmeans.on

    @property
    def view(self) -> KMeansView:
        """The k-means view beside the points view (built now if it was not yet)."""
        view = self.page.ensure_view()
        assert isinstance(view, KMeansView)
        return view

    def _build_view(self, page) -> None:
        view = KMeansView()
        style_plot(view)
        page.put(view)
        view.installEventFilter(self)  # the titles' lines follow the views' widths
        # and their font: laid out again once every view has the new appearance
        view.appearance_changed.connect(lambda: QTimer.singleShot(0, self, self._retitle))
        view.getViewBox().sigRangeChangedManually.connect(self._lead_em)
        presentation = getattr(self.window, "presentation", None)
        if presentation is not None:
            presentation.adopt(view)  # the look the window has now (dark, presenting)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Resize and getattr(self, "_laid_out", False):
            self.show_state(self.window.model)  # the titles in lines of the new width
        return False

    def _retitle(self) -> None:
        if self._laid_out:
            self._em_title = None
            self.show_state(self.window.model)

    def _connect(self) -> None:
        a, run, w = self.actions, self.run, self.window.actions_by_name
        # The switches write the model; the mode follows the model (a restored session, too).
        a["actionKMeansMode"].toggled.connect(self.model.kmeans.set_on)
        a["actionKMeansLockstep"].toggled.connect(self.model.kmeans.set_lockstep)
        a["actionKMeansAssign"].triggered.connect(run.assign)
        a["actionKMeansUpdate"].triggered.connect(run.update)
        a["actionKMeansStep"].triggered.connect(run.step)
        a["actionKMeansReset"].triggered.connect(self._reset)
        a["actionKMeansGaussians"].triggered.connect(self._gaussians)
        for em, follow in (("actionStep", run.step), ("actionEStep", run.assign),
                           ("actionMStep", run.update), ("actionReset", self._reset)):
            w[em].triggered.connect(lambda *_, f=follow: self._lockstep(f))
        run.changed.connect(self._on_run_change)
        run.message.connect(lambda text: self.window.statusBar().showMessage(text, 8000))

    # -- slots ------------------------------------------------------------------------------
    def _follow_part(self) -> None:
        """Show what model.kmeans says: the switches, the split view, a restored run."""
        part = self.model.kmeans
        for name, on in (("actionKMeansMode", part.on), ("actionKMeansLockstep", part.lockstep)):
            action = self.actions[name]
            if action.isChecked() != on:
                action.blockSignals(True)
                action.setChecked(on)
                action.blockSignals(False)
        # Taken before the layout, whose reset notifies again (and must not replay too).
        wanted, part.wanted_half_steps = part.wanted_half_steps, 0
        if part.on != self._laid_out:
            self._set_on(part.on)
        if part.on and wanted:
            if self._stale():
                self._reset()
            self.run.advance_to(wanted)

    def _set_on(self, on: bool) -> None:
        if on:
            self.page.ensure_view()  # built before its page is shown (as it was from the start)
        self.window.show_side_view(self.page, on)
        self._laid_out = on
        if on:
            self._follow_em()
            if self._stale():
                self._reset()
        else:
            set_title(self.window.points_view, None)
            self._em_title = None
        self.toolbar.setVisible(on)
        self._show_actions(on)
        self._drawn = None
        self.show_state(self.window.model)

    def _show_actions(self, on: bool) -> None:
        for name, action in self.actions.items():
            if name != "actionKMeansMode":
                action.setVisible(on)  # a hidden action's shortcut is off too
        self._update_enabled()

    def _stale(self) -> bool:
        m = self.window.model
        key = self.run.key
        return key is None or key[0] is not m.points or key[1:] != (m.settings.k, m.settings.seed)

    def _follow_em(self, *_args) -> None:
        """Show the region the EM view shows (both views keep their aspect ratio locked)."""
        if self._syncing or not self.on:
            return
        self._syncing = True
        self.view.getViewBox().setRange(rect=self.window.points_view.getViewBox().targetRect(),
                                        padding=0)
        self._syncing = False

    def _lead_em(self, *_args) -> None:
        """A zoom or pan in the k-means view moves the EM view too."""
        if self._syncing:
            return
        self._syncing = True
        self.window.points_view.getViewBox().setRange(rect=self.view.getViewBox().targetRect(),
                                                      padding=0)
        self._syncing = False

    def _reset(self) -> None:
        m = self.window.model
        self.run.reset(m.points, m.settings.k, m.settings.seed, m.settings.max_iter)

    def _lockstep(self, follow) -> None:
        if self.on and self.model.kmeans.lockstep:
            follow()

    def _gaussians(self) -> None:
        state, run = self.run.current, self.run
        if state is None or state.labels is None:
            return
        s = self.window.model.settings
        mixture = kmeans_mixture(run.X, state.labels, run.k, s.covariance_type, s.reg_covar,
                                 drop_empty=True)
        if mixture.n_components < run.k:
            empty = sorted(set(range(run.k)) - set(np.unique(state.labels).tolist()))
            self.window.statusBar().showMessage(
                f"Cluster(s) {', '.join(str(e + 1) for e in empty)} had no points: "
                f"EM starts with {mixture.n_components} components", 8000)
        self._seeded = mixture
        self.window.controller.restart_from(mixture)

    def _on_model_change(self, aspects: frozenset[str]) -> None:
        if "kmeans" in aspects:
            self._follow_part()
        if self.on and aspects & {"points", "settings"} and self._stale():
            self._reset()

    def _on_run_change(self) -> None:
        self._update_enabled()
        self.show_state(self.window.model)

    def _update_enabled(self) -> None:
        a, run = self.actions, self.run
        phase = run.next_phase()
        pending = run.busy  # a request while busy is done after the job
        a["actionKMeansAssign"].setEnabled(pending or phase == "assign")
        a["actionKMeansUpdate"].setEnabled(pending or phase == "update")
        a["actionKMeansStep"].setEnabled(pending or phase is not None)
        a["actionKMeansReset"].setEnabled(len(self.window.model.points) > 0)
        state = run.current
        ready = not run.busy and state is not None and state.labels is not None
        a["actionKMeansGaussians"].setEnabled(ready)
        a["actionKMeansGaussians"].setToolTip(
            GAUSSIANS_TIP if ready else
            "Gaussians from these clusters (Shift+G): first assign the points to centres (Shift+A)")

    # -- passive view, called every frame ----------------------------------------------------
    def show_state(self, model) -> None:
        if not self.on:
            return
        if model.axes != self._axes:  # the same axis titles: both plots get the same geometry
            self._axes = model.axes
            plot = self.view.getPlotItem()
            plot.setLabel("bottom", model.axes[0], **PLOT_LABEL_STYLE)
            plot.setLabel("left", model.axes[1], **PLOT_LABEL_STYLE)
        run = self.run
        km = kmeans_title(run.current, run.ended)
        if run.busy:  # a worker is computing the next half-step (large data)
            km = km.replace("<br>", " …<br>", 1) if "<br>" in km else km + " …"
        km = fit_title(self.view, km)
        em = fit_title(self.window.points_view, em_title(model, self._seeded))
        rows = max(km.count("<br>"), em.count("<br>")) + 1
        if (em, rows) != self._em_title:
            self._em_title = (em, rows)
            set_title(self.window.points_view, em, rows)
        # The state itself, compared by identity and kept alive here: by its id alone, a new
        # run's first state could take the id of the old run's, just freed, and not be drawn.
        k = 0 if run.current is None else len(run.current.centers)
        palette = model.identity.kmeans_palette(k)
        key = (len(run.history), km, rows, palette.tobytes())
        if self._drawn is not None and self._drawn[0] == key and self._drawn[1] is run.current:
            return
        self._drawn = (key, run.current)
        previous = run.history[-2] if len(run.history) > 1 else None
        self.view.show_run(run.X, run.current, run.hard[-1] if run.hard else None, previous, km, rows,
                           palette)


def install(window) -> Feature:
    mode = KMeansMode(window)
    return Feature("kmeans_mode", mode, actions=tuple(mode.actions.values()), views=(mode,),
                   state=mode.run)
