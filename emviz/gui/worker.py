"""The EM worker: drains an EM iterator in a QThread and hands states to the GUI thread.

superqt's GeneratorWorker pattern: check the stop flag, ``next()``, publish, repeat. States
are immutable (read-only arrays never written again), so they cross threads without copies.
The GUI is signalled at most once per drain: states wait in a buffer, and the GUI takes all
of them at once and draws only the newest, so a slow frame never builds an unbounded queue.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from ..remote import EngineError


@dataclass(frozen=True, eq=False)
class Job:
    """Run ``iterator`` for ``half_steps`` states (None: until it ends), at most one state per
    ``interval`` seconds (0: as fast as possible). ``generation`` tags the states so the GUI
    can ignore a job it has since abandoned."""

    iterator: Iterator
    generation: int
    half_steps: int | None = None
    interval: float = 0.0


class EMWorker(QObject):
    """Lives in a QThread; ``run`` is invoked there through a queued signal."""

    #: New states are waiting in the buffer (emitted once until ``take`` empties it).
    ready = Signal()
    #: (generation, reason): the job stopped: "done", "stopped", "exhausted" or an error text.
    finished = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._buffer: list[tuple[int, object]] = []
        self._signalled = False
        self._cancelled_upto = -1  # jobs with generation <= this never start

    # -- called from the GUI thread ------------------------------------------------------
    def stop(self, generation: int) -> None:
        """Stop the running job (after its current step) and any queued job up to
        ``generation``. Safe to call from any thread."""
        self._cancelled_upto = max(self._cancelled_upto, generation)
        self._stop.set()

    def take(self) -> list[tuple[int, object]]:
        """Everything produced since the last call, oldest first, as (generation, state)."""
        with self._lock:
            items, self._buffer, self._signalled = self._buffer, [], False
        return items

    # -- runs in the worker thread -------------------------------------------------------
    @Slot(object)
    def run(self, job: Job) -> None:
        if job.generation <= self._cancelled_upto:
            self.finished.emit(job.generation, "stopped")
            return
        self._stop.clear()
        produced, reason = 0, "done"
        while job.half_steps is None or produced < job.half_steps:
            if self._stop.is_set():
                reason = "stopped"
                break
            started = time.perf_counter()
            try:
                state = next(job.iterator)
            except StopIteration:
                reason = "exhausted"
                break
            except (ValueError, ArithmeticError, MemoryError, TypeError, EngineError) as error:
                reason = f"error: {error}"
                break
            produced += 1
            self._publish(job.generation, state)
            if job.interval > 0:  # pace Play; a slow step is not followed by a burst
                self._stop.wait(max(0.0, job.interval - (time.perf_counter() - started)))
        self.finished.emit(job.generation, reason)

    def _publish(self, generation: int, state: object) -> None:
        with self._lock:
            self._buffer.append((generation, state))
            signal_now, self._signalled = not self._signalled, True
        if signal_now:
            self.ready.emit()
