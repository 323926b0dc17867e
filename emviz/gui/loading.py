"""Loading files off the GUI thread: the window keeps drawing while a file is read and
parsed, a long load shows its progress with a Cancel button, and Cancel (or closing the
window) stops it within a chunk, leaving the window as it was.

A load is a job in the window's job runner (a lane of its own, so it never waits behind EM
or Choose K); its value arrives by callback, on the GUI thread. No local event loop runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from time import monotonic
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from ..dataio import Progress
from .jobs import Job as RunnerJob
from .jobs import Lane, runner_for
from .progress import ProgressDialog

#: A load shorter than this never shows its dialog, so small files do not flash one.
SHOW_AFTER_MS = 500

#: The loading thread tells the GUI thread how far it got at most this often (seconds).
#: Each report the GUI thread takes needs the GIL, which the loading thread holds between its
#: calls, and waits for it (up to the interpreter's switch interval, 5 ms): with a report per
#: chunk (every 3-4 ms at 10⁶ rows) the GUI thread went from one wait to the next and its
#: own events (a timer, a paint) came 30-100 ms late. 20 a second still move the bar smoothly.
PROGRESS_EVERY_S = 0.05

Job = Callable[[Progress], Any]


class Cancelled(Exception):
    """Raised in the loading thread at its next progress report once Cancel was pressed."""


class _LoadJob(QObject):
    """``job(progress)`` as a generator of one outcome: ("done", value), ("cancelled", None)
    or ("error", exception). Lives in the GUI thread, so ``progressed`` (emitted from the
    loading thread) is queued to it."""

    #: (what, done, total), as dataio's Progress reports them.
    progressed = Signal(str, float, float)

    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job = job
        self._cancel = threading.Event()
        self._reported = -PROGRESS_EVERY_S  # when progress was last told (monotonic s)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Stop at the next progress report. Safe from any thread."""
        self._cancel.set()

    def _progress(self, what: str, done: int, total: int) -> None:
        """Called by the job at every chunk: a cancel is heard at once; the GUI thread is
        told at most once a PROGRESS_EVERY_S, and of every phase's end."""
        if self._cancel.is_set():
            raise Cancelled
        now = monotonic()
        if done < total and now - self._reported < PROGRESS_EVERY_S:
            return
        self._reported = now
        self.progressed.emit(what, float(done), float(total))

    def outcome(self) -> Iterator[tuple[str, Any]]:
        try:
            value = self._job(self._progress)
        except Cancelled:
            yield "cancelled", None
        except Exception as error:  # noqa: BLE001 (handed to the GUI thread's callback)
            yield "error", error
        else:
            yield ("cancelled", None) if self._cancel.is_set() else ("done", value)


class Loader(QObject):
    """One load at a time, in a lane of the window's runner, with a progress dialog over
    ``window`` that shows only once a load has taken ``SHOW_AFTER_MS``."""

    #: The load that was running has ended (whatever happened); the dialog is gone.
    ended = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: ProgressDialog | None = None
        #: Shows the dialog when it fires; stopped when the load ends first.
        self.show_timer = QTimer(self, singleShot=True)
        self.show_timer.timeout.connect(self._show_dialog)
        self._lane: Lane | None = None
        self._load: _LoadJob | None = None
        self._generation = 0
        self._title = ""
        self._progress = (0, "")  # (dialog value, text) of the latest report
        self._callbacks: tuple[Callable, Callable, Callable] | None = None

    @property
    def busy(self) -> bool:
        return self._load is not None

    def start(self, title: str, job: Job, on_done: Callable[[Any], None],
              on_error: Callable[[Exception], None], on_cancel: Callable[[], None]) -> bool:
        """Run ``job(progress)`` in the loading lane; then, on the GUI thread, call
        ``on_done(value)``, ``on_error(exception)`` or ``on_cancel()``. False (and nothing
        runs) if a load is already running or the window has closed."""
        if self._load is not None:
            return False
        if self._lane is None:
            runner = runner_for(self)
            self._lane = runner.lane("emviz-loader")
            self._lane.finished.connect(self._finished)
            runner.at_shutdown(self._abandon)
        load = _LoadJob(job)
        load.progressed.connect(self._on_progress)
        self._generation += 1
        if not self._lane.submit(RunnerJob(load.outcome(), self._generation, on_stop=load.cancel)):
            return False
        self._load, self._title, self._progress = load, title, (0, f"Reading {title}…")
        self._callbacks = (on_done, on_error, on_cancel)
        self.show_timer.start(SHOW_AFTER_MS)
        return True

    def cancel(self) -> None:
        """Stop the running load at its next progress report (``on_cancel`` follows)."""
        if self._load is not None:
            self._load.cancel()

    def _finished(self, generation: int, reason: str) -> None:
        if generation != self._generation or self._load is None:
            return
        items = [item for g, item in self._lane.take() if g == generation]
        load, callbacks = self._load, self._callbacks
        self._end()
        on_done, on_error, on_cancel = callbacks
        if reason.startswith("error"):  # a bug in the loading code itself
            on_error(RuntimeError(reason.removeprefix("error: ")))
        elif not items or items[-1][0] == "cancelled" or load.cancelled:
            on_cancel()
        elif items[-1][0] == "error":
            on_error(items[-1][1])
        else:
            on_done(items[-1][1])
        self.ended.emit()

    def _abandon(self) -> None:
        """The window closed (its runner shut the lane down): no callback follows."""
        if self._load is not None:
            self._end()
            self.ended.emit()

    def _end(self) -> None:
        self.show_timer.stop()
        self._load = self._callbacks = None
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.canceled.disconnect(self.cancel)  # closing the dialog emits canceled
            dialog.dispose()  # (the load may end inside the dialog's own setValue)

    def _show_dialog(self) -> None:
        if self._load is None or self.dialog is not None:
            return
        value, text = self._progress
        dialog = self.dialog = ProgressDialog(text, "Cancel", 0, 1000, self.window)
        dialog.setObjectName("loadProgress")
        dialog.setWindowTitle("emviz")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self.cancel)
        dialog.setValue(value)
        if self.dialog is dialog:  # the load did not end in setValue's events
            dialog.show()

    @Slot(str, float, float)
    def _on_progress(self, what: str, done: float, total: float) -> None:
        if self._load is None or self.sender() is not self._load:
            return  # a report from a load that has since ended
        share = done / total if total > 0 else 1.0
        if what == "bytes":  # reading is quick next to parsing: the first tenth of the bar
            value, text = 100 * share, f"{done / 1e6:,.0f} of {total / 1e6:,.0f} MB read"
        else:
            value, text = 100 + 900 * share, f"{done:,.0f} of {total:,.0f} lines parsed"
        self._progress = (round(value), f"Reading {self._title}…\n{text}")
        if self.dialog is not None:
            self.dialog.setLabelText(self._progress[1])
            self.dialog.setValue(self._progress[0])
