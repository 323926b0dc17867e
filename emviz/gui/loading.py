"""Loading files off the GUI thread: the window keeps drawing while a file is read and
parsed, a long load shows its progress with a Cancel button, and Cancel (or closing the
window) stops it within a chunk, leaving the window as it was.

The caller waits in a local event loop, so ``Loader.run`` returns the loaded value like a
plain function call (as a modal dialog's ``exec`` does) while the window stays live.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..dataio import Progress

#: A load shorter than this never shows its dialog, so small files do not flash one.
SHOW_AFTER_MS = 500

Job = Callable[[Progress], Any]


class Cancelled(Exception):
    """Raised in the loading thread at its next progress report once Cancel was pressed."""


class _LoadThread(QThread):
    """Runs ``job(progress)`` once; the GUI reads ``result`` or ``error`` after ``finished``."""

    #: (what, done, total), as dataio's Progress reports them.
    progressed = Signal(str, float, float)

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.setObjectName("emviz-loader")
        self._job = job
        self._cancel = threading.Event()
        self.result: Any = None
        self.error: Exception | None = None
        self.ended = False  # run() has returned (``finished`` may still be on its way)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Stop at the next progress report. Safe from any thread."""
        self._cancel.set()

    def _progress(self, what: str, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise Cancelled
        self.progressed.emit(what, float(done), float(total))

    def run(self) -> None:
        try:
            self.result = self._job(self._progress)
        except Cancelled:
            pass
        except Exception as error:  # noqa: BLE001 (raised again in the GUI thread, by run)
            self.error = error
        finally:
            self.ended = True


class Loader(QObject):
    """One load at a time, in a thread of its own, with a progress dialog over ``window``."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: QProgressDialog | None = None
        self._thread: _LoadThread | None = None
        self._loop: QEventLoop | None = None
        self._title = ""

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def run(self, title: str, job: Job) -> Any:
        """``job(progress)``'s value, computed in the loading thread while the window's events
        go on; None if the load was cancelled. The job's exception is raised here. The thread
        has ended by the time this returns, whatever happened."""
        if self._thread is not None:
            raise RuntimeError("a load is already running")
        thread = self._thread = _LoadThread(job)
        loop = self._loop = QEventLoop()
        self._title = title
        self.dialog = dialog = self._make_dialog(title)
        thread.progressed.connect(self._on_progress)  # queued: this object lives in the GUI thread
        thread.finished.connect(loop.quit)
        dialog.canceled.connect(thread.cancel)
        thread.start()
        try:
            loop.exec()
        finally:
            if not thread.ended:  # the loop was left early (the application quit): stop the job
                thread.cancel()
            thread.wait()
            self._thread = self._loop = self.dialog = None
            dialog.canceled.disconnect(thread.cancel)  # closing the dialog emits canceled
            dialog.close()
            dialog.deleteLater()
        if thread.cancelled:
            return None
        if thread.error is not None:
            raise thread.error
        return thread.result

    def shutdown(self) -> None:
        """Cancel a running load and wait for its thread (the window is closing)."""
        if self._thread is not None:
            self._thread.cancel()
            self._thread.wait()
        if self._loop is not None:
            self._loop.quit()

    def _make_dialog(self, title: str) -> QProgressDialog:
        dialog = QProgressDialog(f"Reading {title}…", "Cancel", 0, 1000, self.window)
        dialog.setObjectName("loadProgress")
        dialog.setWindowTitle("emviz")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        dialog.setValue(0)  # starts the dialog's clock: it shows itself after SHOW_AFTER_MS
        return dialog

    @Slot(str, float, float)
    def _on_progress(self, what: str, done: float, total: float) -> None:
        if self.dialog is None or self.sender() is not self._thread:
            return  # a report from a load that has since ended
        share = done / total if total > 0 else 1.0
        if what == "bytes":  # reading is quick next to parsing: the first tenth of the bar
            value, text = 100 * share, f"{done / 1e6:,.0f} of {total / 1e6:,.0f} MB read"
        else:
            value, text = 100 + 900 * share, f"{done:,.0f} of {total:,.0f} lines parsed"
        self.dialog.setLabelText(f"Reading {self._title}…\n{text}")
        self.dialog.setValue(round(value))
