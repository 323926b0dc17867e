"""The File menu: data in and out (CSV, clipboard, drag and drop), run and mixture JSON,
sessions, and images. Every failure is one clear message; the window keeps what it had.
Every load is a job of the window's runner (see loading.Loader), so a large file does not
freeze the window, and Cancel stops it; what was loaded is used when it arrives, and
``load_ended`` says whether the window took it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QMessageBox,
)

from .. import dataio
from ..dataio import DataError, Session, Table
from ..dataio._layout import plural
from ..dataio.session import apply_teaching, teaching_state
from ..session.model import ViewOptions, Workbench, frozen_checked_points
from ..session.runs import replayable_span
from .controller import REMOTE_MIN_POINTS
from .export import SCALES, ExportError, default_name, render_image, save_png, save_svg
from .glide import still
from .loading import Job, Loader
from .point_cloud import data_bounds
from .preferences import app_settings

DATA_FILTER = "Data (*.csv *.tsv *.txt *.dat);;All files (*)"
SESSION_FILTER = f"emviz session (*{dataio.SESSION_SUFFIX})"
VIEWS = {"window": "Whole window", "points": "Points view", "bound": "ln p and L plot"}


def ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    """OK and Cancel buttons that accept or reject ``dialog``."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class ColumnDialog(QDialog):
    """Pick the two numeric columns to use as x and y."""

    def __init__(self, table: Table, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("columnDialog")
        self.setWindowTitle(f"Choose two columns of {table.source}")
        form = QFormLayout(self)
        self.x, self.y = QComboBox(objectName="columnX"), QComboBox(objectName="columnY")
        for combo in (self.x, self.y):
            combo.addItems(list(table.numeric_names))
        self.y.setCurrentIndex(1)
        form.addRow("x", self.x)
        form.addRow("y", self.y)
        form.addRow(ok_cancel(self))


class ExportDialog(QDialog):
    """Which view, and at what scale (PNG) — SVG is chosen by the file name."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export image")
        form = QFormLayout(self)
        self.view = QComboBox(objectName="exportView")
        for key, text in VIEWS.items():
            self.view.addItem(text, key)
        self.scale = QComboBox(objectName="exportScale")
        for s in SCALES:
            self.scale.addItem(f"{s}×", s)
        form.addRow("What", self.view)
        form.addRow("PNG scale", self.scale)
        form.addRow(ok_cancel(self))


def session_fields(model: Workbench) -> dict[str, Any]:
    """``Session(**fields)`` is the model's state. Cheap: the arrays are the model's own, by
    reference (they are read-only and replaced, never changed, so a snapshot needs no copy)."""
    m = model
    start, end = replayable_span(m.history, m.index)  # θ set by hand: re-run from that θ
    both = m.both_columns  # one column of 2-D data: the 2-D data and which column, kept
    data = (dict(points=m.points, dataset_name=m.dataset_name, axes=m.axes,
                 true_mixture=m.true_mixture, column=None) if both is None else
            dict(points=both.points, dataset_name=both.name, axes=both.axes,
                 true_mixture=both.true_mixture, column=both.column))
    return dict(
        labels=m.labels, settings=m.settings, view_options=dataclasses.asdict(m.options),
        index=m.index - start if m.history else m.index,
        n_half_steps=end - start,
        initial_mixture=m.history[start].mixture if m.history else None,
        teaching=teaching_state(m),
        **data,
    )


class FileActions(QObject):
    """Owns the File menu's actions; ``install(window)`` builds it."""

    #: A load started by open_data, paste, import_mixture or open_session has ended: True if
    #: the window took what was loaded, False after an error, a cancel, or a refusal.
    load_ended = Signal(bool)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.model = window.model
        self.settings = app_settings(self)
        self.loader = Loader(window)
        #: A scripted run (``emviz FILE --screenshot``) has nobody to answer a dialog: refusals
        #: are only recorded (``last_refusal``) and a table's first two columns are taken.
        self.unattended = False
        self.last_refusal = ""
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    # -- helpers ----------------------------------------------------------------------------
    def report(self, text: str) -> None:
        """A problem the user must read: a dialog, and the status bar."""
        self.last_refusal = text
        self.window.statusBar().showMessage(text, 15000)
        if not self.unattended:
            QMessageBox.warning(self.window, "emviz", text)

    def _folder(self) -> str:
        return str(self.settings.value("lastFolder", str(Path.home())))

    def _remember(self, path: str) -> None:
        self.settings.setValue("lastFolder", str(Path(path).parent))

    def _ask_open(self, title: str, filters: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self.window, title, self._folder(), filters)
        if path:
            self._remember(path)
        return path

    def _ask_save(self, title: str, name: str, filters: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self.window, title, str(Path(self._folder()) / name),
                                              filters)
        if path:
            self._remember(path)
        return path

    def open_file(self, path: str) -> bool:
        """Open ``path`` by what it holds, as the File menu's matching action would: an
        ``.emviz`` session, a ``.json`` mixture (θ₀ of a new run), else a table of points.
        What a drop, ``emviz FILE`` and "Open with" do."""
        suffix = Path(path).suffix.lower()
        if suffix == dataio.SESSION_SUFFIX:
            return self.open_session(path)
        if suffix == ".json":
            return self.import_mixture(path)
        return self.open_data(path)

    def open_file_and_wait(self, path: str) -> bool:
        """``open_file``, then wait (processing events, as ``controller.wait_idle`` does) for
        the load to end: True if the window took the file. For scripts and the command line,
        which have no event loop of their own yet."""
        ended: list[bool] = []
        self.load_ended.connect(ended.append)
        try:
            started = self.open_file(path)
            while started and not ended:
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        finally:
            self.load_ended.disconnect(ended.append)
        return started and ended[0]

    # -- data -------------------------------------------------------------------------------
    def open_data(self, path: str | None = None, columns: tuple[str, str] | None = None) -> bool:
        """Load points (and labels) from a CSV/TSV/text file as one undoable edit. True if
        the load started (``load_ended`` follows)."""
        path = path or self._ask_open("Open data", DATA_FILTER)
        if not path:
            return False
        return self._load(Path(path).name,
                          lambda progress: self._with_points(
                              dataio.read_table(path, progress=progress), columns),
                          lambda loaded: self._use_table(*loaded, Path(path).stem))

    def paste(self) -> bool:
        """Points copied from a spreadsheet or a text editor (True: the parse started)."""
        text = QApplication.clipboard().text()
        return self._load("the clipboard",
                          lambda progress: self._with_points(
                              dataio.parse_table(text, "clipboard", progress=progress), None),
                          lambda loaded: self._use_table(*loaded, "Pasted points"))

    def _with_points(self, table: Table, columns: tuple[str, str] | None) -> tuple:
        """(table, columns, X): in the loading job, the points of the two columns and their
        check (copying and checking 10⁶ rows on the GUI thread held it for 60 ms), unless
        the user is to choose the columns first (X None)."""
        names = table.numeric_names
        if len(names) == 1:  # one column of numbers: 1-D data, shown as a histogram
            columns, X = (names[0], "density"), table.data[:, :1]
        elif columns is None and len(names) > 2 and not self.unattended:
            return table, None, None
        else:
            columns = columns or (names[0], names[1])
            X = table.points(*columns)
        X = frozen_checked_points(X)  # the model takes it as it is, unchecked and uncopied
        if X.shape[1] == 2:  # the extent the points view frames them by, ready (8-140 ms at 10⁶)
            data_bounds(X)
        if len(X) >= REMOTE_MIN_POINTS:  # their EM runs in the child process: its modules are
            import emviz.engine  # noqa: F401 (imported here, not by the run on the GUI thread: 8 ms)
        return table, columns, X

    def _use_table(self, table: Table, columns: tuple[str, str] | None, X,
                   name: str) -> bool | None:
        """The loaded points become the window's, as one undoable edit: True. With columns
        to choose (X None), the user chooses them; their points are taken in a second job
        (None: it ends the load), or nothing changes (False: declined)."""
        if X is None:
            dialog = ColumnDialog(table, self.window)
            if not dialog.exec():
                return False
            chosen = (dialog.x.currentText(), dialog.y.currentText())
            title = "the clipboard" if table.source == "clipboard" else Path(table.source).name
            started = self._load(title,
                                 lambda _progress: self._with_points(table, chosen),
                                 lambda loaded: self._use_table(*loaded, name))
            return None if started else False
        self.window.editor.replace(X, table.labels, None, name, (str(columns[0]), str(columns[1])),
                                   owned=True)
        if table.note:  # a count line skipped, values beyond double precision: said, not hidden
            self.window.statusBar().showMessage(f"{Path(table.source).name}: {table.note}", 20000)
        return True

    def save_points(self, path: str | None = None) -> bool:
        path = path or self._ask_save("Save points", default_name(self.model, "points", "csv"),
                                      "CSV (*.csv)")
        return bool(path) and self._try(dataio.save_points_csv, path, self.model.points,
                                        self.model.labels)

    # -- run and mixture ----------------------------------------------------------------------
    def export_run(self, path: str | None = None) -> bool:
        path = path or self._ask_save("Export run", default_name(self.model, "run", "json"),
                                      "JSON (*.json)")
        return bool(path) and self._try(dataio.save_run_json, path, self.model.history,
                                        self.model.settings, self.model.dataset_name)

    def import_mixture(self, path: str | None = None) -> bool:
        """A mixture from JSON becomes θ₀ of a new run (K follows the file). True if the
        load started (``load_ended`` follows)."""
        path = path or self._ask_open("Import mixture", "JSON (*.json)")
        if not path:
            return False
        return self._load(Path(path).name, lambda _progress: dataio.load_mixture_json(path),
                          lambda mixture: self._use_mixture(mixture, path))

    def _use_mixture(self, mixture, path: str) -> bool:
        n, d = self.model.points.shape
        if mixture.n_features != d:  # a 1-D mixture for 2-D data, or the other way round
            self.report(f"{Path(path).name}: the mixture is {mixture.n_features}-D but the data "
                        f"have {plural(d, 'column')}; nothing changed")
            return False
        if mixture.n_components > n:
            self.report(f"{Path(path).name}: the mixture has K = {mixture.n_components} components "
                        f"but there {'is' if n == 1 else 'are'} only {plural(n, 'point')}")
            return False
        self.model.set_settings(dataclasses.replace(self.model.settings, k=mixture.n_components))
        self.window.controller.restart_from(mixture)
        return True

    # -- sessions ----------------------------------------------------------------------------
    def current_session(self) -> Session:
        return Session(**session_fields(self.model))

    def save_session(self, path: str | None = None) -> bool:
        path = path or self._ask_save("Save session", default_name(self.model, "session", "emviz"),
                                      SESSION_FILTER)
        return bool(path) and self._try(dataio.save_session, path, self.current_session())

    def open_session(self, path: str | None = None) -> bool:
        """Restore points, labels, settings, options and the history position: the history is
        recomputed (deterministically) from θ₀ in the worker thread. True if the load
        started (``load_ended`` follows)."""
        path = path or self._ask_open("Open session", SESSION_FILTER)
        if not path:
            return False
        return self._load(Path(path).name,
                          lambda progress: dataio.load_session(path, progress=progress),
                          self._use_session)

    def _use_session(self, session: Session) -> bool:
        self.restore_session(session)
        return True

    def restore_session(self, session: Session) -> None:
        """Make ``session`` the window's state (the points as one undoable edit)."""
        w, m = self.window, self.model
        known = {f.name for f in dataclasses.fields(ViewOptions)}
        m.set_options(**{k: v for k, v in session.view_options.items() if k in known})
        m.set_settings(session.settings)
        if session.column is None:
            w.editor.replace(session.points, session.labels, session.true_mixture,
                             session.dataset_name, session.axes)
        else:  # one column of the 2-D points (the 1-D mode), with the way back to both
            w.editor.replace_one_column(session.points, session.column, session.labels,
                                        session.true_mixture, session.dataset_name, session.axes)
        restored_run = session.initial_mixture is not None and len(session.points)
        if restored_run and session.teaching.em_colors:
            m.identity.pin(session.teaching.em_colors)  # before θ₀ comes back: its colours
        if restored_run:
            w.controller.restart_from(session.initial_mixture)
            w.controller.advance(session.n_half_steps - 1, then_index=session.index)
        apply_teaching(m, session.teaching)  # k-means, oracle, lesson, gallery

    # -- images ------------------------------------------------------------------------------
    def view_widget(self, view: str):
        """The widget of ``view``; "points" is the histogram while the data have one column."""
        points = (self.window.points_view if self.model.points.shape[1] == 2
                  else self.window.feature("one_dim").view)
        return {"window": self.window, "points": points,
                "bound": self.window.bound_plot}[view]

    def export_image(self, path: str | None = None, view: str = "window", scale: int = 1) -> bool:
        """PNG (at ``scale``) or SVG, by the file's suffix."""
        if path is None:
            dialog = ExportDialog(self.window)
            if not dialog.exec():
                return False
            view, scale = dialog.view.currentData(), dialog.scale.currentData()
            path = self._ask_save("Export image", default_name(self.model, view),
                                  "PNG (*.png);;SVG (*.svg)")
            if not path:
                return False
        widget = self.view_widget(view)
        saver = save_svg if str(path).lower().endswith(".svg") else save_png
        args = (widget, path) if saver is save_svg else (widget, path, scale)
        try:
            with still(self.window):  # the newest state, not a glide's in-between one
                saver(*args)
        except ExportError as error:
            self.report(str(error))
            return False
        self.window.statusBar().showMessage(f"Saved {path}", 8000)
        return True

    def copy_image(self) -> None:
        with still(self.window):
            QApplication.clipboard().setImage(render_image(self.view_widget("points"), 1))
        self.window.statusBar().showMessage("Copied the points view to the clipboard", 5000)

    def export_animation(self, path: str | None = None, fps: int | None = None, glides: int = 0,
                         view: str = "slide"):
        """File → Export animation…: the run from θ₀, one frame per half-step (and ``glides``
        in-between frames), as GIF, WebP, APNG (.png) or MP4 (emviz.gui.animation), with a
        progress bar and Cancel. Returns the export under way (None if refused or declined)."""
        from .animation import DEFAULT_FPS, AnimationDialog, AnimationExport, show_progress

        if path is None:
            dialog = AnimationDialog(self.window)
            if not dialog.exec():
                return None
            view, glides, fps = (dialog.view.currentData(), dialog.glides.value(),
                                 dialog.fps.value())
            path = self._ask_save("Export animation", default_name(self.model, "run", "gif"),
                                  "GIF (*.gif);;WebP (*.webp);;Animated PNG (*.png);;MP4 video (*.mp4)")
            if not path:
                return None
        try:
            export = AnimationExport(self.window, path, fps or DEFAULT_FPS * (glides + 1), glides, view)
        except ValueError as error:
            self.report(f"{path}: {error}")
            return None

        def ended(error: str) -> None:
            if error == "cancelled":
                self.window.statusBar().showMessage("Animation export cancelled: nothing written", 8000)
            elif error:
                self.report(error)
            else:
                self.window.statusBar().showMessage(f"Saved {path}", 8000)

        export.ended.connect(ended)
        if not self.unattended:
            show_progress(export)
        export.start()
        return export

    def _load(self, title: str, job: Job, use: Callable[[Any], bool | None]) -> bool:
        """Start ``job(progress)`` in the loading lane; when its value arrives, ``use(value)``
        (True if the window took it; None if it started another load, whose end is told).
        A cancel or an error (reported) leaves the window as it was. False if the load could not start."""
        if self.loader.busy:  # a drop or a shortcut while a load runs (its dialog not yet up)
            self.window.statusBar().showMessage("Still loading a file: wait, or cancel it", 5000)
            return False

        def done(value: Any) -> None:
            taken = use(value)
            if taken is not None:  # None: a load that ``use`` started ends it instead
                self.load_ended.emit(taken)

        def failed(error: Exception) -> None:
            self.report(str(error))
            self.load_ended.emit(False)

        def cancelled() -> None:
            self.window.statusBar().showMessage(f"Cancelled: {title} was not loaded", 5000)
            self.load_ended.emit(False)

        return self.loader.start(title, job, done, failed, cancelled)

    def _try(self, save, path, *args) -> bool:
        try:
            save(path, *args)
        except DataError as error:
            self.report(str(error))
            return False
        self.window.statusBar().showMessage(f"Saved {path}", 8000)
        return True

    # -- drag and drop -----------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if event.mimeData().hasUrls() and event.mimeData().urls()[0].isLocalFile():
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop and event.mimeData().hasUrls():
            path = event.mimeData().urls()[0].toLocalFile()
            event.acceptProposedAction()
            self.open_file(path)
            return True
        return super().eventFilter(watched, event)


MENU = (  # objectName, text, shortcut, method
    ("actionOpenData", "Open data…", "Ctrl+O", "open_data"),
    ("actionPaste", "Paste points", "Ctrl+V", "paste"),
    ("actionSavePoints", "Save points as CSV…", "Ctrl+S", "save_points"),
    None,
    ("actionOpenSession", "Open session…", "Ctrl+Shift+O", "open_session"),
    ("actionSaveSession", "Save session…", "Ctrl+Shift+S", "save_session"),
    None,
    ("actionExportRun", "Export run as JSON…", "", "export_run"),
    ("actionImportMixture", "Import mixture JSON as θ₀…", "", "import_mixture"),
    None,
    ("actionExportImage", "Export image…", "Ctrl+E", "export_image"),
    ("actionExportAnimation", "Export animation…", "", "export_animation"),
    ("actionCopyImage", "Copy points view", "Ctrl+C", "copy_image"),
)


def install(window) -> FileActions:
    files = FileActions(window)
    menu = window.menuBar().addMenu("&File")
    for entry in MENU:
        if entry is None:
            menu.addSeparator()
            continue
        name, text, shortcut, method = entry
        action = window.actions_by_name.get(name) or QAction(text, window)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text.rstrip('…')} ({QKeySequence(shortcut).toString()})")
        else:
            action.setToolTip(text.rstrip("…"))
        action.triggered.connect(lambda _=False, m=method: getattr(files, m)())
        if name not in window.actions_by_name:
            window.addAction(action)
            window.actions_by_name[name] = action
        menu.addAction(action)
    return files
