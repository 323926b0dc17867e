"""Frames: which views draw, and when.

A view is registered with the model aspects it draws ("points", "index", ...; None: every
aspect) and the widget whose visibility decides whether it is on screen (None: always). A
change of the model marks the views that draw one of the changed aspects stale; a frame draws
only the stale views on screen, and a hidden view stays stale (no work at all) until its
widget is shown (its tab chosen, its dock or window opened, its splitter pane widened), which
starts a frame that catches it up. So a view hidden in a tab costs nothing however fast EM
runs, and a frame holds only what changed.

Frames are started by changes: a change after a quiet spell is drawn on the next turn of the
event loop (a Step or a history move is not held back by what an earlier frame cost), and a
change while a frame draws, EM not playing, starts the frame over (a Step's M-step does not
wait for the turns that draw its E-step in the views after the points). Only
while changes keep coming (EM playing) does a frame leave a rest after itself, FRAME_MS or
REST_FACTOR times what it cost if longer, so a burst of states is drawn once, in its newest
state, and drawing large data leaves the GUI thread time for input and for taking in the
states. Within a frame each view draws in a turn of the event loop of its own (a view's
costly ``prepare_state`` in the turn before its ``show_state``), so even a million points'
frame never holds the event loop for more than one view's drawing at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

#: Frames start at most this many milliseconds apart (a 60 Hz screen shows no more) ...
FRAME_MS = 16
#: ... and while EM plays the next frame waits at least this many times what the last one
#: cost, counted from its end: at most a third of the GUI thread goes to frames.
REST_FACTOR = 2.0
#: Turns of a frame are this many milliseconds apart, so clicks, keys and timers get in
#: between (Qt repaints the view before the next turn).
TURN_MS = 1


@dataclass(eq=False)
class _Entry:
    view: object
    aspects: frozenset[str] | None  # None: every aspect
    widget: QWidget | None  # whose visibility decides; None: always on screen
    stale: bool = True


class Frames(QObject):
    """The frame scheduler of one window. ``chrome(model)`` ends every frame (the status line
    and the history slider: cheap, and always on screen); ``streaming()``: whether changes
    keep coming (EM playing), when frames rest between them."""

    def __init__(self, window: QWidget, model, chrome: Callable[[object], None],
                 streaming: Callable[[], bool] = lambda: False) -> None:
        super().__init__(window)
        self._window, self._model, self._chrome = window, model, chrome
        self._streaming = streaming
        self._entries: list[_Entry] = []
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._start_frame)
        self._turn = QTimer(self, singleShot=True, interval=TURN_MS)
        self._turn.timeout.connect(self._frame_turn)
        self._turns: list[tuple[_Entry | None, str]] = []  # (view, method); (None, ""): chrome
        self._again = False  # the model changed while a frame was drawing
        self._last_start = self._last_end = -1.0
        self._last_cost = 0.0  # seconds the last frame held the GUI thread, paints included
        self._window_shown = window.isVisible()
        #: Frames dropped part-way for a newer state (see ``_request``).
        self.restarted_frames = 0
        window.installEventFilter(self)

    # -- registering ------------------------------------------------------------------------
    def add(self, view, aspects: Iterable[str] | None = None, widget: QWidget | None = None) -> None:
        entry = _Entry(view, None if aspects is None else frozenset(aspects), widget)
        self._entries.append(entry)
        if widget is not None:
            widget.installEventFilter(self)
        self.schedule()

    @property
    def views(self) -> list:
        return [e.view for e in self._entries]

    # -- state ------------------------------------------------------------------------------
    def is_stale(self, view) -> bool:
        """Whether ``view`` has not drawn the newest of what it shows (hidden views wait)."""
        return any(e.stale for e in self._entries if e.view is view)

    @property
    def pending(self) -> bool:
        """A frame is due or being drawn (scripts and tests wait for this to end)."""
        return self._timer.isActive() or bool(self._turns)

    def on_screen(self, entry: _Entry) -> bool:
        w = entry.widget
        if w is None:
            return True
        # Relative to the window, so a script's window that was never shown still draws its
        # current tab; a collapsed splitter pane is visible but has no room.
        return w.isVisibleTo(self._window) and w.width() > 0 and w.height() > 0

    # -- changes ----------------------------------------------------------------------------
    def on_model_change(self, aspects: frozenset[str]) -> None:
        for e in self._entries:
            if e.aspects is None or e.aspects & aspects:
                e.stale = True
        self._request()

    def _request(self) -> None:
        if self._turns and self._streaming():
            self._again = True  # the frame being drawn may have drawn these views already
        elif self._turns:
            # A newer state while a frame draws, EM not playing (a Step's M-step right after
            # its E-step): the turns left would draw a state already superseded, and the new
            # one would wait behind them. Start over with every stale view, in order.
            self._turn.stop()
            self._turns, self._again = [], False
            self.restarted_frames += 1
            self.schedule()
        else:
            self.schedule()

    def schedule(self) -> None:
        """A frame on the next turn of the event loop, or after the last frame's pause."""
        if self._turns or self._timer.isActive():
            return
        now = time.perf_counter()
        due = self._last_start + FRAME_MS / 1000
        if self._streaming():
            due = max(due, self._last_end + REST_FACTOR * self._last_cost)
        self._timer.start(max(0, int(1000 * (due - now))))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if watched is self._window and kind in (QEvent.Type.Show, QEvent.Type.Hide):
            # The window's own Show comes after its children's: until then, a child's Show
            # is the window opening, not a tab or dock being opened in it.
            self._window_shown = kind == QEvent.Type.Show
            return False
        if kind not in (QEvent.Type.Show, QEvent.Type.Resize):
            return False
        stale = [e for e in self._entries if e.stale and e.widget is watched]
        if (stale and kind == QEvent.Type.Show and self._window_shown
                and not watched.isWindow()):
            # A tab chosen or a pane opened in the open window: the view catches up before
            # its first paint (never a flash of old numbers), and before its own showEvent,
            # which may act on what it shows (start fitting the data it was last given).
            for e in stale:
                if self.on_screen(e):
                    self._draw(e)
        elif stale:
            self._request()  # a window of its own (it draws itself when built), or a resize
        return False

    # -- drawing ----------------------------------------------------------------------------
    def draw_now(self) -> None:
        """Every view on screen draws the newest state now, stale or not (scripts, tests,
        a screenshot); hidden views stay stale. A frame due or under way is dropped: it would
        draw the same again."""
        self._timer.stop()
        self._turn.stop()
        self._turns, self._again = [], False
        for e in self._entries:
            if self.on_screen(e):
                self._draw(e)
        self._chrome(self._model)

    def _draw(self, e: _Entry) -> None:
        e.stale = False
        prepare = getattr(e.view, "prepare_state", None)
        if prepare is not None:
            prepare(self._model)
        e.view.show_state(self._model)

    def _start_frame(self) -> None:
        self._last_start = time.perf_counter()
        self._turn_count = 0
        self._again = False
        turns: list[tuple[_Entry | None, str]] = []
        for e in self._entries:
            if e.stale and self.on_screen(e):
                if hasattr(e.view, "prepare_state"):
                    turns.append((e, "prepare_state"))
                turns.append((e, "show_state"))
        turns.append((None, ""))  # the chrome
        self._turns = turns
        self._frame_turn()

    def _frame_turn(self) -> None:
        entry, method = self._turns.pop(0)
        self._turn_count += 1
        try:
            if entry is None:
                self._chrome(self._model)
            else:
                if method == "show_state":
                    entry.stale = False  # first: a change while it draws makes it stale again
                getattr(entry.view, method)(self._model)  # looked up now, as the view is now
        finally:  # a view that failed does not stop the frames
            self._after_turn()

    def _after_turn(self) -> None:
        if self._turns:
            self._turn.start()
            return
        self._last_end = time.perf_counter()  # the gaps between turns are not its cost
        self._last_cost = max(0.0, self._last_end - self._last_start
                              - (self._turn_count - 1) * TURN_MS / 1000)
        if self._again:
            self._again = False
            self.schedule()
