"""The one job runner: every piece of background work (EM, k-means, Choose K, restarts, the
costly teaching views, file loads, autosave) is a generator drained in a *lane*.

superqt's GeneratorWorker pattern: the lane's worker checks its stop flag, calls ``next()``,
publishes what the generator yielded, repeats. What crosses threads is immutable (EM's
states hold read-only arrays never written again) or a copy, so nothing is shared while a
worker writes it. The GUI is signalled at most once per drain: items wait in a buffer and
the GUI takes them all at once and uses only what it needs (usually the newest), so a slow
frame never builds an unbounded queue.

Why named lanes, one thread each, and not a pool: every kind of work wants only its newest
job (a new Step supersedes nothing else, a new Choose K fit supersedes the old one), and a
lane runs its jobs in order, one at a time, so the newest-wins rule and the order of EM's
states need no locking beyond the lane's own. Different lanes never wait for each other
(a file load does not queue behind a Choose K fit). A lane's thread starts with its first
job, so a window that never opens the gallery has no gallery thread.

Cancel by generation: each job carries a generation; ``stop(g)`` ends the running job after
its current item and drops every queued job up to ``g``; the owner ignores items of a
generation it has abandoned. Every failure is reported twice: to the owner, as the job's
end reason ``"error: ..."``, and to the runner's ``failed`` signal, which the window shows
in its status line.

One shutdown: ``JobRunner.shutdown`` stops every lane, waits for their threads, then runs the
hooks owners registered (the EM engine's child process, the autosave file). The window's
``closeEvent``, the application's ``aboutToQuit`` and ``atexit`` all call it (idempotent).
Qt aborts the whole process when a running QThread is destroyed, which is why even a script
that never closes its window must reach it.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot


@dataclass(frozen=True, eq=False)
class Job:
    """Run ``iterator`` for ``half_steps`` items (None: until it ends), at most one item per
    ``interval`` seconds (0: as fast as possible). ``generation`` tags the items so the owner
    can ignore a job it has since abandoned."""

    iterator: Iterator
    generation: int
    half_steps: int | None = None
    interval: float = 0.0
    #: Called (from any thread) when the job is stopped: for work that blocks inside one
    #: ``next()`` (a file load) and has its own way to end early.
    on_stop: Callable[[], None] | None = None


def _from_engine(error: Exception) -> bool:
    """Whether ``error`` is the engine's (its child process failed or could not start). The
    engine's module is imported by the first large run, not at start: before it, no error
    can be one of its own."""
    engine = sys.modules.get("emviz.engine")
    return engine is not None and isinstance(error, engine.EngineError)


class _Worker(QObject):
    """Lives in a lane's QThread; ``run`` is invoked there through a queued signal."""

    ready = Signal()
    finished = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._buffer: list[tuple[int, object]] = []
        self._signalled = False
        self._cancelled_upto = -1  # jobs with generation <= this never start
        self._queued = 0  # submitted and not yet ended (under _lock)
        self._idle = threading.Condition(self._lock)
        self._current: Job | None = None  # the job being drained (under _lock)

    # -- any thread ------------------------------------------------------------------------
    def stop(self, generation: int) -> None:
        self._cancelled_upto = max(self._cancelled_upto, generation)
        self._stop.set()
        with self._lock:
            job = self._current
        if job is not None and job.generation <= generation and job.on_stop is not None:
            job.on_stop()

    def take(self) -> list[tuple[int, object]]:
        with self._lock:
            items, self._buffer, self._signalled = self._buffer, [], False
        return items

    def queued(self) -> None:
        with self._lock:
            self._queued += 1

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every submitted job has ended (no event loop runs meanwhile)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._queued == 0, timeout)

    # -- the lane's thread -----------------------------------------------------------------
    @Slot(object)
    def run(self, job: Job) -> None:
        """Drain ``job``; ``finished`` is emitted whatever happens, so no owner stays busy:
        an exception the work is expected to raise (bad numbers) is reported by its message,
        any other one with its type too."""
        reason = "stopped"
        try:
            if job.generation > self._cancelled_upto:
                self._stop.clear()
                with self._lock:
                    self._current = job
                reason = self._drain(job)
        except (ValueError, ArithmeticError, MemoryError) as error:
            reason = f"error: {error}"
        except Exception as error:  # noqa: BLE001 (a bug: still reported, never swallowed)
            expected = _from_engine(error)  # the child's failures say what went wrong
            reason = f"error: {error}" if expected else f"error: {type(error).__name__}: {error}"
        finally:
            self.finished.emit(job.generation, reason)
            with self._idle:
                self._current = None
                self._queued -= 1
                self._idle.notify_all()

    def _drain(self, job: Job) -> str:
        produced = 0
        while job.half_steps is None or produced < job.half_steps:
            if self._stop.is_set():
                return "stopped"
            started = time.perf_counter()
            try:
                item = next(job.iterator)
            except StopIteration:
                return "exhausted"
            produced += 1
            self._publish(job.generation, item)
            if job.interval > 0:  # pace Play; a slow step is not followed by a burst
                self._stop.wait(max(0.0, job.interval - (time.perf_counter() - started)))
        return "done"

    def _publish(self, generation: int, item: object) -> None:
        with self._lock:
            self._buffer.append((generation, item))
            signal_now, self._signalled = not self._signalled, True
        if signal_now:
            self.ready.emit()


class Lane(QObject):
    """One thread (started with the first job) that drains one job at a time, in order.

    The low-level interface the EM and k-means runs use: ``submit(Job)``, ``stop(g)``,
    ``take()`` and the ``ready`` / ``finished(generation, reason)`` signals, delivered on
    the GUI thread. ``Stream`` below is the convenient one."""

    ready = Signal()
    finished = Signal(int, str)
    _submit = Signal(object)

    def __init__(self, runner: JobRunner, name: str) -> None:
        super().__init__(runner)
        self.setObjectName(name)
        self._runner = runner
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._last = -1  # the newest generation submitted

    @property
    def thread_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    @property
    def thread(self) -> QThread | None:
        """The lane's thread, None before the first job and after ``shutdown``."""
        return self._thread

    def submit(self, job: Job) -> bool:
        """Queue ``job`` behind the lane's running one; False (and nothing runs) once the
        runner has shut down: a window that closed starts no more work."""
        if self._runner.closed:
            return False
        if self._thread is None:
            self._thread = QThread()
            self._thread.setObjectName(self.objectName())
            self._worker = _Worker()
            self._worker.moveToThread(self._thread)
            self._submit.connect(self._worker.run)
            self._worker.ready.connect(self.ready)
            self._worker.finished.connect(self._on_finished)
            self._thread.start()
        self._last = max(self._last, job.generation)
        self._worker.queued()
        self._submit.emit(job)
        return True

    def stop(self, generation: int) -> None:
        """End the running job after its current item, and every queued job up to
        ``generation``. Safe to call before the first job."""
        if self._worker is not None:
            self._worker.stop(generation)

    def take(self) -> list[tuple[int, object]]:
        """Everything yielded since the last call, oldest first, as (generation, item)."""
        return self._worker.take() if self._worker is not None else []

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block (no event loop) until the lane's jobs have ended; their ``finished`` signals
        still arrive through the event loop afterwards."""
        return self._worker is None or self._worker.wait_idle(timeout)

    def shutdown(self) -> None:
        """Stop every job and end the thread (idempotent; the next job starts a new one)."""
        if self._thread is None:
            return
        self._worker.stop(self._last)
        self._thread.quit()
        self._thread.wait()
        self._submit.disconnect(self._worker.run)
        self._thread = self._worker = None

    def _on_finished(self, generation: int, reason: str) -> None:
        if reason.startswith("error"):
            self._runner.report(self.objectName(), reason.removeprefix("error: "))
        self.finished.emit(generation, reason)


class JobRunner(QObject):
    """The lanes of one window (or of the process, see ``runner_for``) and their shutdown."""

    #: (lane name, error text): a job failed. The window shows the text in its status line.
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobs")
        self.closed = False
        self._lanes: list[Lane] = []
        self._hooks: list[Callable[[], None]] = []
        _register(self)

    def lane(self, name: str) -> Lane:
        """A new lane (thread name ``name``) owned by this runner."""
        lane = Lane(self, name)
        self._lanes.append(lane)
        return lane

    def at_shutdown(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` at shutdown, after every lane's thread has ended."""
        self._hooks.append(hook)

    def report(self, lane: str, text: str) -> None:
        self.failed.emit(lane, text)

    @property
    def running_threads(self) -> list[str]:
        """Names of the lanes whose thread runs (for tests and diagnostics)."""
        return [lane.objectName() for lane in self._lanes if lane.thread_running]

    def shutdown(self) -> None:
        """Stop every lane, wait for their threads, then run the hooks (idempotent). No lane
        starts a job afterwards."""
        if self.closed:
            return
        self.closed = True
        for lane in self._lanes:  # every job told to stop first, so they end together
            lane.stop(lane._last)
        for lane in self._lanes:
            lane.shutdown()
        hooks, self._hooks = self._hooks, []
        for hook in hooks:
            try:
                hook()
            except RuntimeError:  # its Qt objects are gone already (interpreter exit)
                pass


# -- finding a runner, and the process-wide shutdown ---------------------------------------------
_runners: weakref.WeakSet[JobRunner] = weakref.WeakSet()  # weak: a closed window is freed
_hooked_apps: weakref.WeakSet = weakref.WeakSet()
_default: JobRunner | None = None


def _register(runner: JobRunner) -> None:
    _runners.add(runner)
    app = QCoreApplication.instance()
    if app is not None and app not in _hooked_apps:
        _hooked_apps.add(app)
        app.aboutToQuit.connect(shutdown_all)


def shutdown_all() -> None:
    """Shut every runner down (the application quits, or the interpreter exits)."""
    for runner in list(_runners):
        try:
            runner.shutdown()
        except RuntimeError:  # its C++ object is gone, and its threads with it
            pass


atexit.register(shutdown_all)


def runner_for(owner: QObject | None) -> JobRunner:
    """The runner of the window ``owner`` belongs to (its nearest ancestor with a child
    runner), or the process-wide one for an owner outside any window."""
    global _default
    node = owner
    while node is not None:
        found = node.findChild(JobRunner, "jobs", Qt.FindChildOption.FindDirectChildrenOnly)
        if found is not None:
            return found
        node = node.parent()
    if _default is None or _default.closed:
        _default = JobRunner()
    return _default


# -- the convenient interfaces ----------------------------------------------------------------
class Stream(QObject):
    """Drains one generator at a time in a lane and hands what it yields to
    ``on_items(items)`` on the GUI thread, a list at a time (everything yielded since the last
    call), then calls ``on_end(reason)`` ("exhausted", "stopped" or "error: ..."). ``start``
    stops the generator being drained (after its current item) and drops what it still
    yields: only the newest job matters."""

    def __init__(self, name: str, on_items: Callable[[list], None],
                 on_end: Callable[[str], None] | None = None, parent: QObject | None = None,
                 runner: JobRunner | None = None) -> None:
        super().__init__(parent)
        self._name, self._on_items, self._on_end = name, on_items, on_end
        self._runner = runner
        self._lane: Lane | None = None
        self._generation = 0
        self._running: int | None = None  # the generation being drained, if any
        self._handing = 0  # on_items calls under way (one may run events: a modal dialog)
        self._end_after: tuple[int, str] | None = None  # an end heard meanwhile

    @property
    def busy(self) -> bool:
        return self._running is not None

    def start(self, iterator: Iterator) -> None:
        self.cancel()
        if self._lane is None:
            runner = self._runner or runner_for(self)
            self._lane = runner.lane(self._name)
            self._lane.ready.connect(self._take)
            self._lane.finished.connect(self._finished)
        self._generation += 1
        if self._lane.submit(Job(iterator, self._generation)):
            self._running = self._generation

    def cancel(self) -> None:
        """Stop draining (``on_end`` is not called for a cancelled generator)."""
        self._end_after = None
        if self._running is not None:
            self._lane.stop(self._running)
            self._running = None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block (no event loop) until the generator has ended (scripts, tests)."""
        return self._lane is None or self._lane.wait_idle(timeout)

    def shutdown(self) -> None:
        """Stop the generator and the lane's thread (idempotent)."""
        self.cancel()
        if self._lane is not None:
            self._lane.shutdown()

    def _take(self) -> None:
        if self._lane is None:
            return
        items = [item for g, item in self._lane.take() if g == self._running]
        if not items:
            return
        self._handing += 1
        try:
            self._on_items(items)
        finally:
            self._handing -= 1
        if not self._handing and self._end_after is not None:
            generation, reason = self._end_after
            self._end_after = None
            self._finished(generation, reason)

    def _finished(self, generation: int, reason: str) -> None:
        if generation != self._running:
            return
        if self._handing:
            # heard inside on_items (a modal dialog's setValue runs events): the end comes
            # after the items in hand (an export ended without the bytes still in them)
            self._end_after = (generation, reason)
            return
        self._take()
        self._running = None
        if self._on_end is not None:
            self._on_end(reason)


class Background(QObject):
    """Computes one value at a time in a lane, for a view whose numbers cost too much for the
    GUI thread. ``request(key, compute)`` runs ``compute()`` there and then calls
    ``on_done(key, value)`` (or ``on_error(text)``) on the GUI thread; a request made while
    one runs waits, and only the newest waiting one is kept."""

    def __init__(self, name: str, on_done: Callable[[Any, Any], None],
                 on_error: Callable[[str], None] | None = None,
                 parent: QObject | None = None, runner: JobRunner | None = None) -> None:
        super().__init__(parent)
        self._on_done, self._on_error = on_done, on_error
        self._stream = Stream(name, self._computed, self._ended, self, runner)
        self._key: object = None  # what the running computation is for
        self._values: list = []
        self._waiting: tuple[object, object] | None = None  # (key, compute)

    @property
    def busy(self) -> bool:
        return self._stream.busy

    def request(self, key: object, compute: Callable[[], Any]) -> None:
        if self.busy:
            if not same_key(self._key, key):
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


def same_key(a: object, b: object) -> bool:
    """Keys are tuples of the objects a value was computed from: the same objects, the same key."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))
    return a is b
