"""The EM workbench window. It only wires views, controls, actions and the run controller
together; the state lives in the Workbench model, the numbers in emviz.core."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QScrollArea,
    QSlider,
    QSplitter,
    QTabWidget,
    QToolBar,
)

from ..core import load_builtin
from ..model import Workbench
from ..readouts import status_text
from .bound_plot import BoundPlot
from .collector import collect_in_gui_thread
from .controller import RunController
from .controls import ControlPanel
from .editing import PointsEditor
from .elided_label import ElidedLabel
from .files import install as install_files
from .generate_dialog import GenerateDialog
from .help import install_help
from .lesson_panel import install_lesson
from .params_table import ParamsTable
from .points_view import PICK_RADIUS_PX, PointsView
from .presentation import install_presentation
from .style import apply_pyqtgraph_style, style_plot
from .tab_bar import SnugTabBar
from .teaching import install_teaching

#: Redraws are coalesced: at most one per this many milliseconds, always of the newest state.
FRAME_MS = 16
#: ... and a frame waits this many times what the last one cost, so drawing large data takes
#: at most a third of the GUI thread and input is never queued behind frame after frame.
FRAME_COST_FACTOR = 2.0
#: A frame draws one view per turn of the event loop, this many milliseconds apart, so that
#: clicks, keys and timers get in between (Qt repaints the view before the next turn).
TURN_MS = 1

ACTIONS = (  # objectName, text, shortcut, tooltip
    ("actionEStep", "E-step", "E", "E-step: r_nk = γ(z_nk) from the current θ"),
    ("actionMStep", "M-step", "M", "M-step: π_k, μ_k, Σ_k from the responsibilities"),
    ("actionStep", "Step", "Space", "One EM iteration: E-step then M-step"),
    ("actionPlay", "Play", "P", "Play / pause EM"),
    ("actionReset", "Reset", "R", "Re-initialise θ with the chosen method and seed"),
    ("actionBack", "◀ Back", "Left", "Previous half-step in the history"),
    ("actionForward", "Forward ▶", "Right", "Next half-step in the history"),
    ("actionUndo", "Undo", "Ctrl+Z", "Undo the last edit of the points"),
    ("actionRedo", "Redo", "Ctrl+Shift+Z", "Redo the edit"),
    ("actionClearPoints", "Clear points", "Ctrl+Shift+Del", "Remove every point (undoable)"),
    ("actionGenerate", "Generate…", "Ctrl+G", "Draw points from a Gaussian mixture you set"),
    ("actionExportImage", "Export image…", "Ctrl+E", "Save the window or a plot as PNG or SVG"),
)


class MainWindow(QMainWindow):
    """``MainWindow()`` opens on Old Faithful (standardised), K = 2, initialised."""

    #: The window is closing: views with threads of their own stop them.
    closing = Signal()

    def __init__(self, dataset: str = "faithful", settings=None) -> None:
        super().__init__()
        apply_pyqtgraph_style()
        self.setWindowTitle("emviz: EM for Gaussian mixtures")
        self.model = Workbench()
        if settings is not None:
            self.model.set_settings(settings)
        self.controller = RunController(self.model, self)
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
        style_plot(self.points_view)
        self._build_layout()
        self._connect()
        self._views = [self.points_view, self.bound_plot, self.params_table, self.controls]
        self.files = install_files(self)
        install_teaching(self)
        self.lesson = install_lesson(self)
        self._fit_tab_titles()
        self.presentation = install_presentation(self)
        install_help(self)
        self._frame = QTimer(self, singleShot=True, interval=FRAME_MS)
        self._frame.timeout.connect(self._start_frame)
        self._turn = QTimer(self, singleShot=True, interval=TURN_MS)
        self._turn.timeout.connect(self._frame_turn)
        self._turns: list = []  # what the frame in progress has still to do: f(model)
        self._turn_count = 0
        self._frame_started = 0.0
        self._changed_during_frame = False
        self.model.subscribe(self._on_model_change)
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
        toolbar = QToolBar("Run", self)
        toolbar.setObjectName("runToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(16, 16))
        for name in ("actionEStep", "actionMStep", "actionStep", "actionPlay", "actionReset"):
            toolbar.addAction(a[name])
        toolbar.addSeparator()
        toolbar.addAction(a["actionBack"])
        self.history_slider = QSlider(Qt.Orientation.Horizontal)
        self.history_slider.setObjectName("historySlider")
        self.history_slider.setToolTip("Scrub through every recorded half-step (Left/Right)")
        self.history_slider.setMinimumWidth(240)
        toolbar.addWidget(self.history_slider)
        toolbar.addAction(a["actionForward"])
        self.history_label = QLabel()
        self.history_label.setObjectName("historyLabel")
        self.history_label.setMinimumWidth(150)
        toolbar.addWidget(self.history_label)
        toolbar.addSeparator()
        for name in ("actionUndo", "actionRedo", "actionExportImage"):
            toolbar.addAction(a[name])
        self.addToolBar(toolbar)
        self.addToolBarBreak()
        self.teach_toolbar = QToolBar("Teach", self)
        self.teach_toolbar.setObjectName("teachToolbar")
        self.teach_toolbar.setMovable(False)
        self.addToolBar(self.teach_toolbar)

        panel = QScrollArea()
        panel.setObjectName("controlScroll")
        panel.setWidget(self.controls)
        panel.setWidgetResizable(True)
        panel.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        panel.setMinimumWidth(self.controls.minimumSizeHint().width() + 24)
        panel.setMaximumWidth(self.controls.sizeHint().width() + 60)
        self.tabs = QTabWidget()
        self.tabs.setTabBar(SnugTabBar())
        self.tabs.setObjectName("explainTabs")
        self.tabs.addTab(self.bound_plot, "ln p, L")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.tabs)
        right.addWidget(self.params_table)
        right.setSizes([420, 260])
        center = QSplitter(Qt.Orientation.Horizontal)
        center.addWidget(panel)
        center.addWidget(self.points_view)
        center.addWidget(right)
        center.setStretchFactor(1, 3)
        center.setStretchFactor(2, 2)
        center.setSizes([290, 540, 450])
        center.setCollapsible(1, False)
        self.setCentralWidget(center)
        self._center = center
        self.status = ElidedLabel()  # elided, whole in its tooltip: presenting, it is 1300 px
        self.status.setObjectName("statusText")
        self.statusBar().addWidget(self.status, 1)
        # One status line: a message (the lesson's, a run's) replaces it while it shows. Qt
        # hides it too, but not for good: a status bar shown again (full screen) re-showed it
        # under the message. An explicit hide stays.
        self.statusBar().messageChanged.connect(lambda text: self.status.setVisible(not text))

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
            source.connect(lambda text: self.statusBar().showMessage(text, 8000))
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
            self.editor.replace(data.X, data.labels, data.true_mixture, data.name, data.axes)

    def _set_speed(self, steps_per_second: float) -> None:
        self.controller.steps_per_second = steps_per_second

    def _show_playing(self, playing: bool) -> None:
        play = self.actions_by_name["actionPlay"]
        play.setChecked(playing)
        play.setText("Pause" if playing else "Play")

    def _on_model_change(self, _aspects: frozenset[str]) -> None:
        self._update_enabled()  # cheap, and shortcuts must see it before the next frame
        if self._turns:
            self._changed_during_frame = True
        elif not self._frame.isActive():
            self._frame.start()

    def _redraw(self) -> None:
        """Draw the newest state in every view, now (scripts and tests call this)."""
        self._draw_views()

    def _start_frame(self) -> None:
        """A frame: each view draws the newest state in a turn of its own (a view's costly
        ``prepare_state``, if it has one, in the turn before; the chrome, i.e. status line
        and history slider, last), so even a million points' frame never holds the event
        loop for more than one view's drawing and repainting at a time."""
        self._turns = [step for view in self._views
                       for step in (getattr(view, "prepare_state", None), view.show_state) if step]
        self._turns.append(lambda _model: self._draw_chrome())
        self._turn_count = len(self._turns)
        self._frame_started = time.perf_counter()
        self._changed_during_frame = False
        self._frame_turn()

    def _frame_turn(self) -> None:
        self._turns.pop(0)(self.model)
        if self._turns:
            self._turn.start()
            return
        # Pace the next frame by what this one cost, paints included (not the gaps between turns).
        cost = time.perf_counter() - self._frame_started - self._turn_count * TURN_MS / 1000
        self._frame.setInterval(max(FRAME_MS, int(FRAME_COST_FACTOR * 1000 * cost)))
        if self._changed_during_frame:
            self._frame.start()

    def _fit_tab_titles(self) -> None:
        """Short tab titles, so all the explanations fit side by side at 1280 x 800; the full
        title stays in the tab's tooltip."""
        short = {"Equations": "Eqns", "L + KL": "L+KL", "Why EM": "Why"}
        for i in range(self.tabs.count()):
            title = self.tabs.tabText(i)
            if not self.tabs.tabToolTip(i):
                self.tabs.setTabToolTip(i, title)
            self.tabs.setTabText(i, short.get(title, title))

    def add_view(self, view) -> None:
        """Register a passive view: its ``show_state(model)`` runs on every frame."""
        self._views.append(view)

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

    def _draw_views(self) -> None:
        for view in self._views:
            view.show_state(self.model)
        self._draw_chrome()

    def _draw_chrome(self) -> None:
        m = self.model
        self.status.set_full_text(status_text(m))
        slider = self.history_slider
        slider.blockSignals(True)
        slider.setRange(0, max(0, len(m.history) - 1))
        slider.setValue(max(0, m.index))
        slider.blockSignals(False)
        self.history_label.setText(
            f"half-step {m.index} / {len(m.history) - 1}" if m.history else "no run")

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
        self.controller.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.shutdown()
        super().closeEvent(event)
