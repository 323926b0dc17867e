"""The run controller: turns user intents (step, play, reset, edit) into worker jobs and
puts the states they produce into the Workbench model. It holds no state a view shows."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer, Signal

from ..core import EMState, Mixture, run_em
from ..session.model import Settings, Workbench
from ..session.runs import continued, fresh_run, restored
from .jobs import Job, JobRunner, Lane, runner_for

if TYPE_CHECKING:
    from ..engine import Engine

#: From this many points on, EM runs in a child process (emviz.engine) rather than in the
#: worker thread: a thread shares the GIL with the window, which slows both. Below it,
#: starting a process and copying the responsibilities out cost more than they save.
REMOTE_MIN_POINTS = 100_000

#: Settings whose change re-initialises θ; the others continue from the current θ. A new
#: covariance type re-initialises too: EM only climbs from a θ inside the model family.
REINITIALISING = ("k", "init_method", "seed", "covariance_type")

#: A Step's E-state waits up to this long for its M-state, so that one frame shows the whole
#: step: drawn at once, the E-state's frame made the M-state wait behind it (a Step at 10⁵
#: points reached the screen 80 ms after the key, its E+M taking 12). A slower M-step (10⁶
#: points) still shows its E-state first.
STEP_HOLD_MS = 50


class RunController(QObject):
    """Runs EM in a lane of the window's job runner (``jobs``; by default the one of the
    window ``parent`` belongs to). ``playing`` and ``busy`` are what the actions reflect."""

    playing_changed = Signal(bool)
    busy_changed = Signal(bool)
    message = Signal(str)  # a one-line note for the status bar (errors, why nothing happened)

    def __init__(self, model: Workbench, parent: QObject | None = None,
                 jobs: JobRunner | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.steps_per_second = 0.0  # 0: as fast as possible
        self._generation = 0
        self._running: int | None = None  # generation of the job in the worker, if any
        self._live: Iterator[EMState] | None = None  # continues from the history's tip
        self._restore_index: int | None = None
        self._pending = None  # a step requested while busy, run when the job ends
        self._after_job = None  # what to do once the running job has ended
        self._playing = False
        self._hold_e = False  # the running job is a Step: its E-state may wait for its M-state
        self._held: list[EMState] = []  # that E-state, waiting
        self._hold_timer = QTimer(self, singleShot=True, interval=STEP_HOLD_MS)
        self._hold_timer.timeout.connect(self._release_held)
        # The child process, started by the first large run; if it cannot start, EM stays in
        # the worker thread and the status bar says why. Its module too is imported by the
        # first large run (``_engine``), not at start: 7 ms of every start's CPU time.
        self._engine_made: Engine | None = None
        self._job_iterator: Iterator | None = None
        jobs = jobs or runner_for(self)
        self._lane = jobs.lane("emviz-em-worker")
        self._lane.ready.connect(self._take_states)
        self._lane.finished.connect(self._job_finished)
        jobs.at_shutdown(self._shutdown_engine)  # after the lane: its job may use the child

    @property
    def _engine(self) -> Engine:
        """The engine of the child process (made now if it was not yet; no child starts
        before its first run)."""
        if self._engine_made is None:
            from ..engine import Engine

            self._engine_made = Engine(on_fallback=self.message.emit)
        return self._engine_made

    def _shutdown_engine(self) -> None:
        if self._engine_made is not None:
            self._engine_made.shutdown()

    # -- intents ----------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def busy(self) -> bool:
        return self._running is not None

    @property
    def holding(self) -> bool:
        """A Step's E-state is waiting for its M-state (see STEP_HOLD_MS)."""
        return bool(self._held)

    def reset(self) -> None:
        """Re-initialise θ with the chosen method and seed; shows the "init" state."""
        self._abandon()
        self.model.start_history()
        if len(self.model.points) == 0:
            return
        self._live = self._iterate(fresh_run, self.model.points, self.model.settings)
        self._start(self._live, 1)

    def restart_from(self, mixture: Mixture | None) -> None:
        """New data or settings: a new run from ``mixture`` (θ kept), or a fresh start."""
        n, settings = len(self.model.points), self.model.settings
        if mixture is None or n == 0 or mixture.n_components > n:
            self.reset()
            return
        self._abandon()
        self.model.start_history()
        self._live = self._iterate(run_em, self.model.points, mixture, settings.covariance_type,
                                   settings.reg_covar, settings.tol, settings.max_iter)
        self._start(self._live, 1)

    def step_e(self) -> None:
        """One E-step (only when the next half-step is an E-step)."""
        if self.next_phase() == "E":
            self._advance(1)

    def step_m(self) -> None:
        """One M-step (only right after an E-step)."""
        if self._defer(self.step_m):
            return
        if self.next_phase() == "M":
            self._advance(1)

    def step(self) -> None:
        """Up to and including the next M-step: E then M (or just M after an E-step)."""
        if self._defer(self.step):
            return
        phase = self.next_phase()
        if phase is not None:
            self._advance(1 if phase == "M" else 2)

    def advance(self, half_steps: int, then_index: int | None = None) -> None:
        """Run ``half_steps`` more half-steps (e.g. to rebuild a saved session's history),
        then show history[then_index] if given. Waits for a running job first."""
        if self.busy:
            self._pending = lambda: self.advance(half_steps, then_index)
            return
        if half_steps > 0 and self.next_phase() is not None:
            self._after_job = None if then_index is None else (lambda: self.go_to(then_index))
            self._advance(half_steps)
        elif then_index is not None:
            self.go_to(then_index)

    def play(self) -> None:
        """Run half-steps until paused, converged or at max_iter, paced by steps_per_second."""
        if self._playing or self.busy or self.next_phase() is None:
            self.playing_changed.emit(self._playing)  # keep a checkable action honest
            return
        self._set_playing(True)
        self._advance(None, interval=1.0 / self.steps_per_second if self.steps_per_second else 0.0)

    def stop_for_edit(self) -> None:
        """θ is about to be set by hand (or such an edit undone): stop the running job and
        forget the live run, so the next step goes on from whatever state is then current."""
        self._abandon()

    def pause(self) -> None:
        if self._playing:
            self._abandon(keep_live=True)

    def go_to(self, index: int) -> None:
        """Scrub the history; a state whose q was dropped gets it recomputed in the worker
        (after the running job, if there is one)."""
        if self._playing:
            self.pause()
        self.model.set_index(index)
        self._restore_current()

    def wait_idle(self, timeout_ms: int = 30_000) -> bool:
        """Process events until no job is running (for scripts and tests); False on timeout."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.busy and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return not self.busy

    def apply_settings(self, settings: Settings) -> None:
        """New settings: re-initialise if K, the method, the seed or the covariance type changed,
        else go on from
        the current θ with the new reg_covar, tol or max_iter."""
        old = self.model.settings
        if settings == old:
            return
        self.model.set_settings(settings)
        reinit = any(getattr(old, f) != getattr(settings, f) for f in REINITIALISING)
        current = self.model.current
        self.restart_from(None if reinit or current is None else current.mixture)

    @property
    def lane(self) -> Lane:
        """The lane EM runs in (its ``thread`` is None until the first job)."""
        return self._lane

    def shutdown(self) -> None:
        """Stop the job, the lane's thread and the engine (the window's runner does this at
        close; this is for a controller used on its own)."""
        self._pending = self._after_job = None
        self._lane.shutdown()
        self._shutdown_engine()

    # -- internals ----------------------------------------------------------------------
    def _defer(self, intent) -> bool:
        """A step asked for while a short job (reset, restart, step) runs is done after it,
        so a quick second key press is not lost. Only the latest such request is kept."""
        if self.busy and not self._playing:
            self._pending = intent
            return True
        return False

    def next_phase(self) -> str | None:
        """"E" or "M" for the half-step that Step would run next, None if the run is over."""
        state = self.model.current
        if state is None:
            return None
        if self.model.at_tip and self.model.run_ended:
            return None
        return "M" if state.phase == "E" else "E"

    def _advance(self, half_steps: int | None, interval: float = 0.0) -> None:
        if self.busy:
            return  # one job at a time; the buttons are disabled meanwhile
        if not self.model.at_tip or self._live is None:
            self.model.truncate_after_current()
            s = self.model.settings
            self._discard(self._live)
            self._live = self._iterate(continued, self.model.points, self.model.current,
                                       s.covariance_type, s.reg_covar, s.tol, s.max_iter)
        self._start(self._live, half_steps, interval)

    def _iterate(self, function, *args) -> Iterator[EMState]:
        """``function(*args)``, drained in the child process if the data are large."""
        if len(self.model.points) >= REMOTE_MIN_POINTS:
            from ..engine import available

            if available():
                return self._engine.iterate(function, *args)
        return function(*args)

    @staticmethod
    def _discard(iterator: Iterator | None) -> None:
        """Free an abandoned run's copy in the child process (a local generator is left to
        the garbage collector: closing it from this thread could race the worker)."""
        engine = sys.modules.get("emviz.engine")  # not imported: no run was remote
        if engine is not None and isinstance(iterator, engine.RemoteIterator):
            iterator.close()

    def _start(self, iterator: Iterator, half_steps: int | None, interval: float = 0.0) -> None:
        self._generation += 1
        self._running = self._generation
        self._hold_e = half_steps == 2
        self.busy_changed.emit(True)
        if self._job_iterator is not iterator and self._job_iterator is not self._live:
            self._discard(self._job_iterator)  # a one-off run (a restored state) is over
        self._job_iterator = iterator
        if not self._lane.submit(Job(iterator, self._generation, half_steps, interval)):
            self._running = None  # the window has closed: nothing runs any more
            self._set_playing(False)
            self.busy_changed.emit(False)

    def _abandon(self, keep_live: bool = False) -> None:
        """Stop the current job; its late states are ignored unless ``keep_live``."""
        self._pending = self._after_job = None
        self._lane.stop(self._generation)
        self._hold_timer.stop()
        if keep_live:
            self._release_held()
        else:
            self._held = []  # a held E-state belongs to the run being abandoned
            self._generation += 1  # states still in flight belong to the old run
            self._restore_index = None
            self._discard(self._live)
            self._live = None
            if self._running is not None:
                self._running = None
                self.busy_changed.emit(False)
        self._set_playing(False)

    def _restore_current(self) -> None:
        """Recompute the current state's q if it was dropped (not while a job runs: the job's
        end calls this again)."""
        state, i = self.model.current, self.model.index
        if state is None or state.colours is not None or state.phase == "init" or self.busy:
            return
        self._restore_index = i
        self._start(self._iterate(restored, self.model.points, state, self._q_source(i)), 1)

    def _q_source(self, i: int) -> Mixture | None:
        """The θ whose posterior is history[i]'s q: its own for an E-state, else that of the
        nearest E-state before it (an M-step and a θ set by hand keep q); None if none."""
        for j in range(i, -1, -1):
            if self.model.history[j].phase == "E":
                return self.model.history[j].mixture
        return None

    def _take_states(self, final: bool = False) -> None:
        fresh = [s for g, s in self._lane.take() if g == self._running]
        if self._restore_index is not None:
            if fresh:
                self.model.replace_state(self._restore_index, fresh[-1])
            return
        if (self._hold_e and not final and not self._held and len(fresh) == 1
                and fresh[0].phase == "E"):
            self._held = fresh  # shown with the M-state, or after STEP_HOLD_MS
            self._hold_timer.start()
            return
        self._hold_timer.stop()
        held, self._held = self._held, []
        self.model.append(held + fresh)

    def _release_held(self) -> None:
        """Show a held E-state now (its M-step is slow, or the job was stopped)."""
        self._hold_timer.stop()
        held, self._held = self._held, []
        self._hold_e = False  # what comes next is shown as it comes
        self.model.append(held)

    def _job_finished(self, generation: int, reason: str) -> None:
        if generation != self._running:
            return
        try:
            self._take_states(final=True)
        finally:  # whatever happened, the window is not left busy
            restoring, self._restore_index = self._restore_index is not None, None
            self._running = None
            self._set_playing(False)
            self.busy_changed.emit(False)
        if reason.startswith("error"):
            self._live = None
            self.message.emit(reason.removeprefix("error: "))
        elif reason == "exhausted" and not restoring:
            last = self.model.history[-1] if self.model.history else None
            self.model.end_run("converged" if last is not None and last.converged
                               else "maximum iterations reached")
        after, pending = self._after_job, self._pending
        self._after_job = self._pending = None
        for follow_up in (after, pending):  # a step asked for meanwhile waits again if need be
            if follow_up is not None:
                follow_up()
        self._restore_current()  # a scrub made while the job ran

    def _set_playing(self, playing: bool) -> None:
        if playing != self._playing:
            self._playing = playing
            self.playing_changed.emit(playing)
