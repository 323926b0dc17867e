"""The EM workbench window. It only wires views, controls, actions and the run controller
together; the state lives in the Workbench model, the numbers in emviz.core."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QScrollArea,
    QSlider,
    QSplitter,
    QToolBar,
    QWidget,
)

from ..core import load_builtin
from ..look.readouts import status_text
from ..session.model import Workbench
from .bound_plot import BoundPlot
from .collector import collect_in_gui_thread
from .controller import RunController
from .controls import ControlPanel
from .editing import PointsEditor
from .elided_label import ElidedLabel
from .features import Feature, FeatureRegistry
from .files import install as install_files
from .frames import Frames
from .generate_dialog import GenerateDialog, generated_settings, generated_status
from .glide import install as install_glide
from .hand_drag import install as install_hand_drag
from .help import install_help
from .icon import app_icon
from .jobs import JobRunner
from .lazy_tabs import LazyPage, LazyTabs
from .lesson_panel import install_lesson
from .one_dim import install as install_one_dim
from .params_table import ParamsTable
from .points_view import PICK_RADIUS_PX, PointsView
from .present_toolbar import COMPACT
from .presentation import install_presentation
from .split_room import RowSplitter, SplitRoom, TableRoom
from .style import apply_pyqtgraph_style, style_plot
from .tab_bar import SnugTabBar
from .tab_rows import with_tab_rows
from .teaching import install_teaching
from .toolbar_rows import ToolbarRows

ACTIONS = (  # objectName, text, shortcut, tooltip
    ("actionEStep", "E-step", "E", "E-step: r_nk = γ(z_nk) from the current θ"),
    ("actionMStep", "M-step", "M", "M-step: π_k, μ_k, Σ_k from the responsibilities"),
    ("actionStep", "Step", "Space", "One EM iteration: E-step then M-step"),
    ("actionPlay", "Play", "P", "Play / pause EM"),
    ("actionReset", "Reset", "R", "Re-initialise θ with the chosen method and seed"),
    ("actionBack", "◀ Back", "Left", "Previous half-step in the history"),
    ("actionForward", "Forward ▶", "Right", "Next half-step in the history"),
    ("actionUndo", "Undo", "Ctrl+Z", "Undo the last edit of the points or of θ set by hand"),
    ("actionRedo", "Redo", "Ctrl+Shift+Z", "Redo the edit"),
    ("actionClearPoints", "Clear points", "Ctrl+Shift+Del", "Remove every point (undoable)"),
    ("actionGenerate", "Generate…", "Ctrl+G", "Draw points from a Gaussian mixture you set"),
    ("actionExportImage", "Export image…", "Ctrl+E", "Save the window or a plot as PNG or SVG"),
)


#: The model's aspects after whose change every view is drawn again (the next frame).
FRAME_ASPECTS = frozenset({"points", "labels", "settings", "options", "history", "index",
                           "selection", "oracle", "identity"})


class MainWindow(QMainWindow):
    """``MainWindow()`` opens on Old Faithful (standardised), K = 2, initialised."""

    #: The window is closing (its job runner, ``jobs``, shuts down right after).
    closing = Signal()

    def __init__(self, dataset: str = "faithful", settings=None) -> None:
        super().__init__()
        apply_pyqtgraph_style()
        self.setWindowTitle("emviz: EM for Gaussian mixtures")
        self.setWindowIcon(app_icon())  # also when a script, not the emviz command, made the app
        self.model = Workbench()
        if settings is not None:
            self.model.set_settings(settings)
        # Every thread the window's parts start is a lane of this runner; its shutdown (at
        # close, aboutToQuit or exit) stops them all.
        self.jobs = JobRunner(self)
        self.jobs.failed.connect(lambda _lane, text: self.statusBar().showMessage(text, 8000))
        self.controller = RunController(self.model, self, self.jobs)
        try:
            self._build(dataset)
        except BaseException:
            self.shutdown()  # no thread may outlive a window that never came to be
            raise

    def _build(self, dataset: str) -> None:
        self.editor = PointsEditor(self.model, self.controller, self)
        self.actions_by_name = self._make_actions()
        self.points_view = PointsView()
        self.bound_plot = BoundPlot()
        self.params_table = ParamsTable()
        self.controls = ControlPanel(self.actions_by_name)
        self._filling: LazyPage | None = None  # the lazy tab whose feature is being built
        self._lazy_side_pages: list[LazyPage] = []  # side views built when first shown
        style_plot(self.points_view)
        self._build_layout()
        self._connect()
        self.features = FeatureRegistry()
        self._frames = Frames(self, self.model, lambda _model: self._draw_chrome(),
                              streaming=lambda: self.controller.playing)
        # What each view draws: a change of anything else does not redraw it.
        self.add_view(self.points_view, {"points", "labels", "options", "index", "identity"})
        self.add_view(self.bound_plot, {"points", "history", "index"})
        self.add_view(self.params_table, {"points", "history", "index", "identity"})
        self.add_view(self.controls, {"points", "settings"})
        self.files = install_files(self)
        install_teaching(self)
        install_hand_drag(self)
        self.lesson = install_lesson(self)
        self.add_feature(Feature("lesson", self.lesson, (self.actions_by_name["actionLesson"],)))
        self._fit_tab_titles()
        self.presentation = install_presentation(self)
        # presenting, the points view alone keeps its share of the row; leaving, the panel
        # comes back before the window is laid out at its own size
        self.presentation.changed.connect(lambda _appearance: self._split_room.apply())
        self.add_feature(install_glide(self))
        self.add_feature(install_one_dim(self))  # after the features it turns off or follows
        install_help(self)
        # Not "kmeans", "choose_k", "gallery", "lesson": those views draw themselves when their
        # part changes (a whole frame for each k-means half-step or fitted K would be waste).
        self.model.subscribe(self._on_model_change, FRAME_ASPECTS)
        self._load_initial(dataset)
        self.resize(1280, 800)
        collect_in_gui_thread()  # never in the worker threads: see emviz.gui.collector

    # -- public contract ----------------------------------------------------------------
    @property
    def points(self) -> np.ndarray:
        """The data X, read-only, shape (N, 2)."""
        return self.model.points

    @property
    def history(self):
        """The recorded half-steps (EMState: phase, iteration, mixture, resp, ln p, L)."""
        return self.model.history

    def set_points(self, X: np.ndarray, labels: np.ndarray | None = None) -> None:
        """Replace the data as one undoable edit, as loading a file would."""
        self.editor.replace(X, labels, name="Custom points")

    def show_data(self, X: np.ndarray, labels: np.ndarray | None = None, name: str = "",
                  axes: tuple[str, str] = ("x₁", "x₂")) -> None:
        """Start on these data (not an edit: nothing to undo), initialised and ready to step."""
        self.model.set_points(X, labels, None, name, axes)
        self.controller.reset()

    # -- building -----------------------------------------------------------------------
    def _make_actions(self) -> dict[str, QAction]:
        actions = {}
        for name, text, shortcut, tip in ACTIONS:
            action = QAction(text, self)
            action.setObjectName(name)
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
            self.addAction(action)  # shortcuts work wherever the focus is in the window
            actions[name] = action
        actions["actionPlay"].setCheckable(True)
        return actions

    def _build_layout(self) -> None:
        a = self.actions_by_name
        # Three toolbars, not one: each row of toolbars fits the window (ToolbarRows).
        toolbar = self._toolbar("Run", "runToolbar")
        for name in ("actionEStep", "actionMStep", "actionStep", "actionPlay", "actionReset"):
            toolbar.addAction(a[name])
        history = self._toolbar("History", "historyToolbar")
        history.addAction(a["actionBack"])
        self.history_slider = QSlider(Qt.Orientation.Horizontal)
        self.history_slider.setObjectName("historySlider")
        self.history_slider.setToolTip("Scrub through every recorded half-step (Left/Right)")
        self.history_slider.setMinimumWidth(160)
        history.addWidget(self.history_slider)
        history.addAction(a["actionForward"])
        self.history_label = QLabel()
        self.history_label.setObjectName("historyLabel")
        self.history_label.setToolTip("The half-step shown / the last one recorded "
                                      "(an E-step and an M-step are a half-step each)")
        self.history_label.setMinimumWidth(150)  # the toolbars' rows do not move as it counts
        history.addWidget(self.history_label)
        edit = self._toolbar("Edit", "editToolbar")
        for name in ("actionUndo", "actionRedo", "actionExportImage"):
            edit.addAction(a[name])
        self.teach_toolbar = self._toolbar("Teach", "teachToolbar")
        self.toolbar_rows = ToolbarRows(self)

        panel = QScrollArea()
        panel.setObjectName("controlScroll")
        panel.setWidget(self.controls)
        panel.setWidgetResizable(True)
        panel.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        panel.setMinimumWidth(self.controls.minimumSizeHint().width() + 24)
        panel.setMaximumWidth(self.controls.sizeHint().width() + 60)
        self.tabs = LazyTabs()  # the teaching tabs' views are built when first shown
        self.tabs.setTabBar(SnugTabBar())
        self.tabs.setObjectName("explainTabs")
        self.tabs.addTab(self.bound_plot, "ln p, L")
        right = QSplitter(Qt.Orientation.Vertical)
        tabs_holder, self.tab_rows = with_tab_rows(self.tabs)  # titles in rows when too many
        right.addWidget(tabs_holder)
        right.addWidget(self.params_table)
        right.setSizes([420, 260])
        self._table_room = TableRoom(right, self.tabs, self)  # a short page: the table gives way
        center = RowSplitter(Qt.Orientation.Horizontal)  # a folded pane asks for no width
        center.addWidget(panel)
        center.addWidget(self.points_view)
        center.addWidget(right)
        center.setStretchFactor(1, 3)
        center.setStretchFactor(2, 2)
        center.setSizes([290, 540, 450])
        center.setCollapsible(1, False)
        self.setCentralWidget(center)
        self._splitter = center  # the central widget, until a bar (autosave's Restore) wraps it
        self._sizes_before_side: list[int] | None = None
        self._split_room = SplitRoom(self, panel)  # a split view's data views: half the row
        self.status = ElidedLabel()  # elided, whole in its tooltip: presenting, it is 1300 px
        self.status.setObjectName("statusText")
        self.statusBar().addWidget(self.status, 1)
        # One status line: a message (the lesson's, a run's) replaces it while it shows. Qt
        # hides it too, but not for good: a status bar shown again (full screen) re-showed it
        # under the message. An explicit hide stays.
        self.statusBar().messageChanged.connect(lambda text: self.status.setVisible(not text))

    def _toolbar(self, title: str, name: str) -> QToolBar:
        toolbar = QToolBar(title, self)
        toolbar.setObjectName(name)
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(16, 16))
        self.addToolBar(toolbar)
        return toolbar

    def _connect(self) -> None:
        a, c, ed = self.actions_by_name, self.controller, self.editor
        a["actionEStep"].triggered.connect(c.step_e)
        a["actionMStep"].triggered.connect(c.step_m)
        a["actionStep"].triggered.connect(c.step)
        a["actionPlay"].triggered.connect(lambda on: c.play() if on else c.pause())
        c.playing_changed.connect(self._show_playing)
        a["actionReset"].triggered.connect(c.reset)
        a["actionBack"].triggered.connect(lambda: c.go_to(self.model.index - 1))
        a["actionForward"].triggered.connect(lambda: c.go_to(self.model.index + 1))
        a["actionUndo"].triggered.connect(ed.stack.undo)
        a["actionRedo"].triggered.connect(ed.stack.redo)
        ed.stack.canUndoChanged.connect(a["actionUndo"].setEnabled)
        ed.stack.canRedoChanged.connect(a["actionRedo"].setEnabled)
        a["actionUndo"].setEnabled(False)
        a["actionRedo"].setEnabled(False)
        a["actionClearPoints"].triggered.connect(ed.clear)
        a["actionGenerate"].triggered.connect(self._generate)
        self.history_slider.valueChanged.connect(c.go_to)
        c.busy_changed.connect(lambda _: self._update_enabled())
        c.playing_changed.connect(lambda _: self._update_enabled())
        for source in (c.message, ed.message):
            source.connect(self.show_status)
        pv = self.points_view
        pv.add_requested.connect(ed.add)
        pv.spray_requested.connect(ed.spray)
        pv.remove_requested.connect(
            lambda x, y: ed.remove_nearest(x, y, pv.pixel_size(), PICK_RADIUS_PX))
        ctl = self.controls
        ctl.settings_requested.connect(c.apply_settings)
        ctl.dataset_requested.connect(self._load_dataset)
        ctl.option_changed.connect(lambda name, on: self.model.set_options(**{name: on}))
        ctl.speed_changed.connect(self._set_speed)
        ctl.brush_changed.connect(lambda r: setattr(pv, "brush_radius_px", r))
        self._set_speed(float(ctl.speed.value()))

    def _load_initial(self, key: str) -> None:
        data = load_builtin(key)
        self.model.set_points(data.X, data.labels, data.true_mixture, data.name, data.axes)
        self.controller.reset()

    # -- slots ----------------------------------------------------------------------------
    def _load_dataset(self, key: str) -> None:
        data = load_builtin(key, seed=self.model.settings.seed)
        self.editor.replace(data.X, data.labels, data.true_mixture, data.name, data.axes)

    def _generate(self) -> None:
        dialog = GenerateDialog(self)
        if dialog.exec():
            data = dialog.dataset()
            settings = generated_settings(self.model.settings, data)
            self.model.set_settings(settings)  # the load below starts the one fresh run
            self.editor.replace(data.X, data.labels, data.true_mixture, data.name, data.axes)
            self.statusBar().showMessage(generated_status(data, settings), 15000)

    def _set_speed(self, steps_per_second: float) -> None:
        self.controller.steps_per_second = steps_per_second

    def _show_playing(self, playing: bool) -> None:
        play = self.actions_by_name["actionPlay"]
        play.setChecked(playing)
        play.setText("Pause" if playing else "Play")

    def _on_model_change(self, aspects: frozenset[str]) -> None:
        self._update_enabled()  # cheap, and shortcuts must see it before the next frame
        self._frames.on_model_change(aspects)

    def _fit_tab_titles(self) -> None:
        """Short tab titles, so all the explanations fit side by side at 1280 x 800; the full
        title stays in the tab's tooltip."""
        short = {"Equations": "Eqns", "L + KL": "L+KL", "Why EM": "Why"}
        for i in range(self.tabs.count()):
            title = self.tabs.tabText(i)
            if not self.tabs.tabToolTip(i):
                self.tabs.setTabToolTip(i, title)
            self.tabs.setTabText(i, short.get(title, title))

    # -- the host API: what features, scripts and tests use ------------------------------
    def add_view(self, view, aspects: set[str] | None = None, widget: QWidget | None = None) -> None:
        """Register a passive view: its ``show_state(model)`` (after ``prepare_state(model)``,
        if it has one) runs in the next frame after one of ``aspects`` of the model changed
        (None: any), if ``widget`` is on screen; a hidden view catches up when shown.
        ``widget``: the view itself if it is a widget, else None (always on screen)."""
        if widget is None and isinstance(view, QWidget):
            widget = view
        self._frames.add(view, aspects, widget)

    @property
    def views(self) -> list:
        """The registered views, in drawing order."""
        return self._frames.views

    def view_is_stale(self, view) -> bool:
        """Whether ``view`` has yet to draw the newest of what it shows (a hidden one waits)."""
        return self._frames.is_stale(view)

    @property
    def frame_pending(self) -> bool:
        """A frame is due or being drawn."""
        return self._frames.pending

    def redraw_now(self) -> None:
        """Draw the newest state in every view on screen, now (scripts, tests, a screenshot)."""
        self._frames.draw_now()

    def redraw_all(self) -> None:
        """Every view draws its state again in the next frame, whatever changed (the theme:
        colours the views drew are not part of the model)."""
        self._frames.on_model_change(FRAME_ASPECTS)

    def add_tab(self, view: QWidget, title: str, tooltip: str = "") -> int:
        """A tab of the explanations beside the points view; its index. (A lazy tab's feature,
        being built, puts its view in the tab that stood for it, whose title it keeps.)"""
        if self._filling is not None:
            page, self._filling = self._filling, None
            page.put(view)
            return self.tabs.indexOf(view)
        index = self.tabs.addTab(view, title)
        if tooltip:
            self.tabs.setTabToolTip(index, tooltip)
        return index

    def add_lazy_tab(self, name: str, title: str, tooltip: str, install) -> None:
        """The tab of feature ``name``, whose ``install(window) -> Feature`` (which adds its
        view with ``add_tab``) runs when the tab is first shown or the feature is first asked
        for (``feature(name)``): until then it costs nothing. ``title``, ``tooltip``: those
        the installed feature gives its tab."""
        page = LazyPage(lambda: self.features[name])

        def fill(window) -> Feature:
            self._filling = page
            try:
                return install(window)
            finally:
                self._filling = None

        index = self.tabs.addTab(page, title)
        if tooltip:
            self.tabs.setTabToolTip(index, tooltip)
        self.add_lazy_feature(name, fill)

    def add_lazy_feature(self, name: str, install) -> None:
        """Feature ``name``, installed by ``install(window) -> Feature`` when it is first
        asked for (``feature(name)``); its views then take the window's appearance."""

        def build() -> Feature:
            feature = install(self)
            presentation = getattr(self, "presentation", None)  # (None while being built)
            for view in feature.views:
                if isinstance(view, QWidget) and presentation is not None:
                    presentation.adopt(view)  # the look the window has now (dark, presenting)
            return feature

        self.features.add_pending(name, build)

    def show_tab(self, view: QWidget) -> None:
        self.tabs.setCurrentWidget(view)

    @property
    def splitter(self) -> QSplitter:
        """The row of control panel, points view (and side views) and explanations."""
        return self._splitter

    def add_side_view(self, view: QWidget) -> None:
        """A view beside the points view, hidden until ``show_side_view``, sharing its room."""
        splitter = self.splitter
        sizes = splitter.sizes()
        at = splitter.indexOf(self.points_view) + 1
        splitter.insertWidget(at, view)
        splitter.setStretchFactor(at, 3)
        splitter.setCollapsible(at, False)
        view.hide()
        if splitter.isVisible() and sum(sizes):  # laid out: the hidden view takes no room
            splitter.setSizes(sizes[:at] + [0] + sizes[at:])

    def add_lazy_side_view(self, build) -> LazyPage:
        """A side view (as ``add_side_view``) built when first shown or asked for: the page
        that stands for it, whose ``ensure_view()`` runs ``build(page)`` (which puts the view
        in with ``page.put(view)``) once. Show and hide the page with ``show_side_view``."""
        page = LazyPage(lambda: build(page))
        page.setObjectName("sideViewPage")
        self._lazy_side_pages.append(page)
        self.add_side_view(page)
        return page

    def show_side_view(self, view: QWidget, on: bool) -> None:
        """Show a side view in half the points view's room plus a third of the right column's,
        or hide it and give the room back."""
        splitter = self.splitter
        if not on:
            view.hide()
            if self._sizes_before_side is not None:
                splitter.setSizes(self._sizes_before_side)
                self._sizes_before_side = None
            self._split_room.apply()
            return
        if view.isVisibleTo(self):
            return
        # a hidden widget has no room (one just inserted may still report some)
        self._sizes_before_side = [size if splitter.widget(n).isVisibleTo(self) else 0
                                   for n, size in enumerate(splitter.sizes())]
        view.show()
        i, j = splitter.indexOf(self.points_view), splitter.indexOf(view)
        sizes = list(self._sizes_before_side)
        right = len(sizes) - 1  # the right column gives a third, keeping what its tables need
        spare = sizes[right] - splitter.widget(right).minimumSizeHint().width()
        take = max(0, min(sizes[right] // 3, spare)) if right > j else 0
        total = sizes[i] + take
        sizes[i], sizes[j] = total - total // 2, total // 2
        sizes[right] -= take
        splitter.setSizes(sizes)
        self._split_room.apply()

    def show_status(self, text: str, ms: int = 8000) -> None:
        """A one-line note in the status bar for ``ms`` milliseconds."""
        self.statusBar().showMessage(text, ms)

    def add_feature(self, feature: Feature) -> None:
        self.features.add(feature)

    def feature(self, name: str):
        """The object of the feature called ``name`` (its view or its controller), installed
        now if it was waiting for its tab to be shown."""
        return self.features[name].main

    def build_all_views(self) -> None:
        """Build every view still waiting for its tab or pane to be shown (its feature
        installed)."""
        for name in list(self.features):
            self.features[name]
        for page in self._lazy_side_pages:
            page.ensure_view()

    def _all_built(self) -> bool:
        return (all(map(self.features.is_built, self.features))
                and all(page.built for page in self._lazy_side_pages))

    def findChild(self, *args, **kwargs):  # noqa: N802 (Qt API)
        """As QObject.findChild, also among the views not built yet (building them): a
        script or test finds a tab's view by its name whether or not it was shown."""
        found = super().findChild(*args, **kwargs)
        if found is None and not self._all_built():
            self.build_all_views()
            found = super().findChild(*args, **kwargs)
        return found

    def load_dataset(self, key: str) -> None:
        """A built-in dataset, as one undoable edit (as the dataset chooser loads it)."""
        self._load_dataset(key)

    def add_action(self, name: str, text: str, shortcut: str, tip: str,
                   checkable: bool = False, teach_toolbar: bool = True) -> QAction:
        """A window action with its shortcut named in the tooltip (working wherever the focus
        is in the window), on the Teach toolbar unless ``teach_toolbar`` is False."""
        action = QAction(text, self)
        action.setObjectName(name)
        action.setCheckable(checkable)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            tip = f"{tip} ({QKeySequence(shortcut).toString()})"
        action.setToolTip(tip)
        self.addAction(action)
        if teach_toolbar:
            self.teach_toolbar.addAction(action)
        self.actions_by_name[name] = action
        return action

    def _draw_chrome(self) -> None:
        m = self.model
        self.status.set_full_text(status_text(m), shorter=(status_text(m, short=True),))
        slider = self.history_slider
        slider.blockSignals(True)
        slider.setRange(0, max(0, len(m.history) - 1))
        slider.setValue(max(0, m.index))
        slider.blockSignals(False)
        self.show_history_position()

    def show_history_position(self) -> None:
        """"half-step 3 / 12" beside the history slider; "3 / 12" when the presenting toolbar
        asks for it (a row too narrow for the whole words, emviz.gui.present_toolbar)."""
        m, label = self.model, self.history_label
        compact = bool(label.property(COMPACT))
        text = f"half-step {m.index} / {len(m.history) - 1}" if m.history else "no run"
        label.setText(text.removeprefix("half-step ") if compact else text)
        # its text whole in any font (presenting: 166 px for "half-step 0 / 0")
        label.setMinimumWidth(max(0 if compact else 150, label.sizeHint().width()))

    def _update_enabled(self) -> None:
        a, c, m = self.actions_by_name, self.controller, self.model
        # While a short job runs, a step request waits for it (RunController._defer).
        pending = c.busy and not c.playing
        next_phase = c.next_phase()
        a["actionEStep"].setEnabled(pending or (not c.busy and next_phase == "E"))
        a["actionMStep"].setEnabled(pending or (not c.busy and next_phase == "M"))
        a["actionStep"].setEnabled(pending or (not c.busy and next_phase is not None))
        a["actionPlay"].setEnabled(c.playing or (not c.busy and next_phase is not None))
        a["actionReset"].setEnabled(len(m.points) > 0)
        a["actionBack"].setEnabled(m.index > 0)
        a["actionForward"].setEnabled(0 <= m.index < len(m.history) - 1)
        a["actionClearPoints"].setEnabled(len(m.points) > 0)

    def shutdown(self) -> None:
        """Stop every thread and process the window started (idempotent)."""
        self.closing.emit()
        self.jobs.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.shutdown()
        super().closeEvent(event)
