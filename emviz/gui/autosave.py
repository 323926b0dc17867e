"""Crash recovery: the session autosaved every few seconds while it changes, and on the next
start an offer to restore what an emviz that did not close properly left behind.

Each running emviz writes ``<folder>/session-<pid>.emviz`` (the File → Save session format,
written atomically by ``dataio.save_session``) and deletes it when it closes properly, so a
file whose process is gone is the orphan of a crash (kill -9, a segfault, a power cut). The
offer is a bar at the top of the window, not a dialog: a modal question at start-up would
block scripts and tests. Only the application (``emviz`` on the command line) installs this;
a ``MainWindow()`` built by a script, a test or ``--screenshot`` writes nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..dataio import SESSION_SUFFIX, DataError, EncodedArrays, Session, load_session, save_session
from .files import session_fields
from .jobs import Job, runner_for

#: How often the session is saved if it changed (a crash loses at most this much work).
AUTOSAVE_MS = 5000

_FILE = re.compile(rf"session-(\d+){re.escape(SESSION_SUFFIX)}")
_TEMP = re.compile(rf"\.session-(\d+){re.escape(SESSION_SUFFIX)}\..*\.tmp")  # write_atomic's

#: Fields compared by identity: the model's arrays and mixtures are replaced, never changed.
_BY_IDENTITY = ("points", "labels", "initial_mixture", "true_mixture")


def default_folder() -> Path:
    """``<data home>/emviz/autosave``: ``$XDG_DATA_HOME`` or ``~/.local/share`` on Linux.

    The generic data location plus "emviz", not AppDataLocation, which appends the
    application's name: that name comes from argv[0] and differs between ``emviz`` and
    ``python -m emviz``, which would then not see each other's files."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / "emviz" / "autosave"


def orphans(folder: Path) -> list[Path]:
    """The autosave files of processes that are gone, newest first. Leftover temporary files
    of their interrupted saves are deleted on the way."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for name in names:
        if (temp := _TEMP.fullmatch(name)) and not _alive(int(temp[1])):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)
        elif (match := _FILE.fullmatch(name)) and not _alive(int(match[1])):
            with contextlib.suppress(OSError):
                found.append((os.stat(folder / name).st_mtime, folder / name))
    return [path for _, path in sorted(found, reverse=True)]


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # os.kill(pid, 0) would end the process on Windows: never call a file orphan
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # another user's process
    except (OSError, OverflowError):
        return False
    return True


def _save(path: Path, fields: dict[str, Any], arrays: EncodedArrays) -> Iterator[Exception | None]:
    """One save, as a job of the autosave lane (off the GUI thread: building the Session
    copies the arrays, and encoding a million points takes seconds; EncodedArrays does it
    only when the points changed). Yields None, or the error to report."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_session(path, Session(**fields), arrays)
    except Exception as error:  # noqa: BLE001 (reported in the status bar; the app goes on)
        yield error
    else:
        yield None


class RestoreBar(QFrame):
    """"emviz did not close properly last time (...). [Restore] [Discard]" """

    def __init__(self, text: str, can_restore: bool) -> None:
        super().__init__(objectName="autosaveBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # The text colour goes with the background: the dark theme's light text on this
        # light yellow would be unreadable.
        self.setStyleSheet("#autosaveBar { background: #fff4ce; } #autosaveBar QLabel { color: black; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        self.label = QLabel(text, objectName="autosaveMessage")
        self.label.setWordWrap(True)  # a long message must not widen the window
        self.restore = QPushButton("Restore", objectName="autosaveRestore")
        self.discard = QPushButton("Discard", objectName="autosaveDiscard")
        self.restore.setVisible(can_restore)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.restore)
        layout.addWidget(self.discard)


class Autosave(QObject):
    """Saves ``window``'s session to ``folder`` every ``interval_ms`` if it changed since the
    last save, deletes it when the window closes, and offers orphans (``offer_next``)."""

    def __init__(self, window, folder: str | os.PathLike[str] | None = None,
                 interval_ms: int = AUTOSAVE_MS) -> None:
        super().__init__(window)
        self.setObjectName("autosave")
        self.window = window
        self.folder = Path(folder) if folder is not None else default_folder()
        self.path = self.folder / f"session-{os.getpid()}{SESSION_SUFFIX}"
        self.bar: RestoreBar | None = None
        self._arrays = EncodedArrays()
        self._saved = session_fields(window.model)  # on disk, or the state at start (no save)
        self._saving: dict[str, Any] | None = None  # the fields of the save that runs
        self._generation = 0
        self._reported = ""
        self._closed = False
        jobs = runner_for(window)
        self._lane = jobs.lane("emviz-autosave")
        self._lane.finished.connect(self._finished)
        jobs.at_shutdown(self.close)  # after the lane's thread ended: no save is half-written
        self.timer = QTimer(self, objectName="autosaveTimer", interval=interval_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    # -- saving -----------------------------------------------------------------------------
    def tick(self) -> None:
        """Start a save if the state differs from the last one saved (and none is running)."""
        if self._closed or self._saving is not None:
            return
        fields = session_fields(self.window.model)  # references only: cheap at any size
        if _same(fields, self._saved):
            return
        self._generation += 1
        if self._lane.submit(Job(_save(self.path, fields, self._arrays), self._generation)):
            self._saving = fields

    @property
    def saving(self) -> bool:
        return self._saving is not None

    def _finished(self, generation: int, reason: str) -> None:
        if generation != self._generation or self._saving is None:
            return
        fields, self._saving = self._saving, None
        errors = [error for _, error in self._lane.take()]
        error = errors[-1] if errors else None
        if error is None and not reason.startswith("error"):
            self._saved, self._reported = fields, ""
        elif error is not None and str(error) != self._reported:  # tried each tick, said once
            self._reported = str(error)
            self.window.statusBar().showMessage(f"Autosave failed: {error}", 15000)

    def close(self) -> None:
        """The window closes properly (its job runner shuts down, after the lanes): the
        autosave file goes (there is nothing to recover)."""
        if self._closed:
            return
        self._closed = True
        self.timer.stop()
        self._lane.wait_idle()  # a save still writing would bring the file back
        with contextlib.suppress(OSError):
            self.path.unlink()

    # -- the offer --------------------------------------------------------------------------
    def offer_next(self) -> bool:
        """Show the bar for the newest orphan, if there is one."""
        found = orphans(self.folder)
        if not found:
            return False
        path = found[0]
        when = _saved_at(path)
        try:
            session = load_session(path)
        except Exception as error:  # noqa: BLE001 (a damaged leftover must never stop the start)
            text = f"An autosaved session from {when} cannot be read ({_problem(path, error)})."
            self._show_bar(RestoreBar(text, can_restore=False), path, None)
            return True
        n = len(session.points)
        what = f"{n:,} point{'s' if n != 1 else ''}" + (f", {session.dataset_name}"
                                                          if session.dataset_name else "")
        text = f"emviz did not close properly last time ({when}, {what}). Restore that session?"
        self._show_bar(RestoreBar(text, can_restore=True), path, session)
        return True

    def _show_bar(self, bar: RestoreBar, path: Path, session: Session | None) -> None:
        self.bar = bar
        bar.restore.clicked.connect(lambda: self._restore(path, session))
        bar.discard.clicked.connect(lambda: self._discard(path))
        _above_central_widget(self.window, bar)

    def _restore(self, path: Path, session: Session) -> None:
        self._close_bar()
        self._lane.wait_idle()  # a save still writing would overwrite the restored file
        # The orphan becomes this window's autosave file until the next save replaces it, so a
        # crash before then offers the same session again.
        with contextlib.suppress(OSError):
            os.replace(path, self.path)
        self.window.files.restore_session(session)
        self.window.statusBar().showMessage("Restored the autosaved session", 8000)
        self.offer_next()

    def _discard(self, path: Path) -> None:
        self._close_bar()
        with contextlib.suppress(OSError):
            path.unlink()
        self.offer_next()

    def _close_bar(self) -> None:
        if self.bar is not None:
            self.bar.hide()
            self.bar.deleteLater()
            self.bar = None


def install_autosave(window, folder: str | os.PathLike[str] | None = None,
                     interval_ms: int = AUTOSAVE_MS) -> Autosave:
    """Autosave ``window``'s session and offer to restore a crashed one (the application
    calls this once its window shows the start-up state, which is then not saved)."""
    autosave = Autosave(window, folder, interval_ms)
    autosave.offer_next()
    return autosave


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all((a[k] is b[k]) if k in _BY_IDENTITY else (a[k] == b[k]) for k in a)


def _saved_at(path: Path) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
    except OSError:  # gone meanwhile (another emviz took it): loading it will say so
        return "an unknown time"


def _problem(path: Path, error: Exception) -> str:
    """The error in one line, naming the file by its name (the folder is emviz's own)."""
    if isinstance(error, DataError):
        where = path.name if error.line is None else f"{path.name}, line {error.line}"
        error = f"{where}: {error.problem}"
    return " ".join(str(error).split())


def _above_central_widget(window, bar: QWidget) -> None:
    """Put ``bar`` above the window's central widget (wrapping it in a frame, once)."""
    central = window.centralWidget()
    if central.objectName() != "autosaveFrame":
        frame = QWidget(objectName="autosaveFrame")
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(window.takeCentralWidget())
        window.setCentralWidget(frame)
        central = frame
    central.layout().insertWidget(0, bar)
