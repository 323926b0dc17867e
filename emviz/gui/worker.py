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

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..remote import EngineError
from .threads import stop_at_exit


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
        """Drain ``job``; ``finished`` is emitted whatever happens, so the window never stays
        busy: an exception EM is expected to raise (bad numbers) is reported by its message,
        any other one with its type too."""
        reason = "stopped"
        try:
            if job.generation > self._cancelled_upto:
                self._stop.clear()
                reason = self._drain(job)
        except (ValueError, ArithmeticError, MemoryError, EngineError) as error:
            reason = f"error: {error}"
        except Exception as error:  # noqa: BLE001 (a bug: still reported, never swallowed)
            reason = f"error: {type(error).__name__}: {error}"
        finally:
            self.finished.emit(job.generation, reason)

    def _drain(self, job: Job) -> str:
        produced = 0
        while job.half_steps is None or produced < job.half_steps:
            if self._stop.is_set():
                return "stopped"
            started = time.perf_counter()
            try:
                state = next(job.iterator)
            except StopIteration:
                return "exhausted"
            produced += 1
            self._publish(job.generation, state)
            if job.interval > 0:  # pace Play; a slow step is not followed by a burst
                self._stop.wait(max(0.0, job.interval - (time.perf_counter() - started)))
        return "done"

    def _publish(self, generation: int, state: object) -> None:
        with self._lock:
            self._buffer.append((generation, state))
            signal_now, self._signalled = not self._signalled, True
        if signal_now:
            self.ready.emit()


class Background(QObject):
    """Computes one value at a time in a thread of its own, for a view whose numbers cost
    too much for the GUI thread while EM plays. ``request(key, compute)`` runs ``compute()``
    there and then calls ``on_done(key, value)`` (or ``on_error(text)``) on the GUI thread;
    a request made while one runs waits, and only the newest waiting one is kept."""

    def __init__(self, name: str, on_done, on_error=None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_done, self._on_error = on_done, on_error
        self._stream = Stream(name, self._computed, self._ended, self)
        self._key: object = None  # what the running computation is for
        self._values: list = []
        self._waiting: tuple[object, object] | None = None  # (key, compute)

    @property
    def busy(self) -> bool:
        return self._stream.busy

    def request(self, key: object, compute) -> None:
        if self.busy:
            if not _same_key(self._key, key):
                self._waiting = (key, compute)
            return
        self._key, self._values = key, []
        self._stream.start(compute() for _ in range(1))

    def shutdown(self) -> None:
        self._waiting = None
        self._stream.shutdown()

    def _computed(self, values: list) -> None:
        self._values = values

    def _ended(self, reason: str) -> None:
        if self._values:
            self._on_done(self._key, self._values[-1])
        elif reason.startswith("error") and self._on_error is not None:
            self._on_error(reason.removeprefix("error: "))
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.request(*waiting)


def _same_key(a: object, b: object) -> bool:
    """Keys are tuples of the objects a value was computed from: the same objects, the same key."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))
    return a is b


class Stream(QObject):
    """Drains one generator at a time in a thread of its own (started on first use) and hands
    what it yields to ``on_items(items)`` on the GUI thread, a list at a time (everything
    yielded since the last call), then calls ``on_end(reason)`` ("exhausted", "stopped" or
    "error: ..."). ``start`` stops the generator being drained (after its current item: a
    generator that yields often stops soon) and drops whatever it still yields."""

    _submit = Signal(object)

    def __init__(self, name: str, on_items, on_end=None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name, self._on_items, self._on_end = name, on_items, on_end
        self._thread: QThread | None = None
        self._worker: EMWorker | None = None
        self._generation = 0
        self._running: int | None = None  # the generation being drained, if any

    @property
    def busy(self) -> bool:
        return self._running is not None

    def start(self, iterator: Iterator) -> None:
        self.cancel()
        if self._thread is None:
            self._thread = QThread()
            self._thread.setObjectName(self._name)
            self._worker = EMWorker()
            self._worker.moveToThread(self._thread)
            self._submit.connect(self._worker.run)
            self._worker.ready.connect(self._take)
            self._worker.finished.connect(self._finished)
            self._thread.start()
            stop_at_exit(self.shutdown)
        self._generation += 1
        self._running = self._generation
        self._submit.emit(Job(iterator, self._generation))

    def cancel(self) -> None:
        """Stop draining (``on_end`` is not called for a cancelled generator)."""
        if self._running is not None:
            self._worker.stop(self._running)
            self._running = None

    def shutdown(self) -> None:
        """Stop the generator and the thread (idempotent; the window calls it on close)."""
        self.cancel()
        if self._thread is not None:
            self._worker.stop(self._generation)
            self._thread.quit()
            self._thread.wait()
            self._thread = self._worker = None

    def _take(self) -> None:
        if self._worker is None:
            return
        items = [item for g, item in self._worker.take() if g == self._running]
        if items:
            self._on_items(items)

    def _finished(self, generation: int, reason: str) -> None:
        if generation != self._running:
            return
        self._take()
        self._running = None
        if self._on_end is not None:
            self._on_end(reason)
