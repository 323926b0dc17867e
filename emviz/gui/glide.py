"""Smooth motion: the points view glides between half-steps (about 200 ms: means, ellipses
and the points' colours move from where they were to where they are, emviz.look.motion), so
a class can follow what moved.

The glide sits between the model and the points view: ``PointsView.show_state`` asks
``Glide.model_to_draw(model)`` what to draw. A new state after one drawn in full starts a
glide; while it lasts, a timer redraws the view at the glide's phase (the clock is
injectable, so tests set the phase); at phase 1 the view draws the model itself. A new state
during a glide jumps there at once (no queue), so Play faster than the glide never glides.

Off: in a window built by a script, a test or ``emviz --screenshot`` (``install`` leaves it
off; the interactive app turns it on from the preferences), with View → Reduce motion, while
EM plays faster than a glide, and during exports (``still``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction

from ..core import EMState
from ..look.motion import COLOR_GLIDE_MAX_POINTS, GLIDE_SECONDS, ModelAt, can_glide, glide_state
from .features import Feature
from .presentation import view_menu

#: Milliseconds between the glide's redraws (a 60 Hz screen shows no more).
TICK_MS = 16


class Glide(QObject):
    """Times the points view's glides. ``enabled``: the user wants motion (View → Reduce
    motion unchecked); ``allowed()``: motion fits now (not playing faster than a glide);
    ``clock()``: seconds, monotonic (tests give a fake one)."""

    def __init__(self, view, seconds: float = GLIDE_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 allowed: Callable[[], bool] = lambda: True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view, self.seconds, self.clock, self.allowed = view, seconds, clock, allowed
        self.enabled = False
        self._shown: EMState | None = None  # the state last drawn in full
        self._points = None  # the data it was drawn on
        self._from: EMState | None = None
        self._to: EMState | None = None  # while gliding: the state it glides to
        self._start = 0.0
        self._model = None
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self.tick)

    @property
    def gliding(self) -> bool:
        return self._to is not None

    def phase(self) -> float:
        """Where the glide is, from 0 (the old state) to 1 (the new one; also when idle)."""
        if self._to is None:
            return 1.0
        if self.seconds <= 0:
            return 1.0
        s = (self.clock() - self._start) / self.seconds
        return 1.0 if s > 1.0 - 1e-9 else max(s, 0.0)  # a clock's rounding does not hold it short

    def model_to_draw(self, model):
        """What the view draws for ``model`` now: the model itself, or the model at the
        glide's in-between state (emviz.look.motion.ModelAt)."""
        target = model.current
        same_data = model.points is self._points
        if self._to is not None:
            if target is self._to and same_data:
                s = self.phase()
                if s < 1.0:
                    return self._at(model, s)
            self._stop()  # arrived, or a new state mid-glide: jump to it
        elif (self.enabled and self.allowed() and same_data
              and can_glide(self._shown, target, len(model.points))):
            self._from, self._to, self._start, self._model = self._shown, target, self.clock(), model
            self._timer.start()
            self._shown = target
            return self._at(model, 0.0)
        self._shown, self._points = target, model.points
        return model

    def _at(self, model, s: float) -> ModelAt:
        k = self._to.mixture.n_components
        state, palette = glide_state(self._from, self._to, model.identity.em_palette(k), s,
                                     colors=len(model.points) <= COLOR_GLIDE_MAX_POINTS)
        return ModelAt(model, state, palette)

    def tick(self) -> None:
        """Redraw the view at the glide's phase now (the timer calls this; so can tests)."""
        if self._model is None:
            self._timer.stop()
            return
        model = self._model
        self.view.prepare_state(model)
        self.view.show_state(model)  # at phase 1 this ends the glide

    def settle(self) -> None:
        """End a glide now, the view drawing the newest state."""
        if self._to is not None:
            model = self._model
            self._stop()
            self.view.prepare_state(model)
            self.view.show_state(model)

    def _stop(self) -> None:
        self._timer.stop()
        self._shown = self._to
        self._from = self._to = self._model = None


@contextmanager
def still(window) -> Iterator[None]:
    """No motion while exporting: a glide under way ends (the view shows the newest state)
    and none starts until the block ends; the 1-D mode's histogram's glide too."""
    glides = [getattr(view, "motion", None) for view in (window.points_view, _histogram(window))]
    glides = [glide for glide in glides if glide is not None]
    enabled = [glide.enabled for glide in glides]
    for glide in glides:
        glide.enabled = False
        glide.settle()
    try:
        yield
    finally:
        for glide, on in zip(glides, enabled, strict=True):
            glide.enabled = on


def _histogram(window):
    """The 1-D mode's view, if the window has built it (emviz.gui.one_dim)."""
    try:
        return window.feature("one_dim").built_view
    except (KeyError, AttributeError):
        return None


def install(window) -> Feature:
    """The glide on the window's points view, off until ``set_reduce_motion(False)`` (the
    interactive app's preferences do that), and View → Reduce motion."""
    controller = window.controller

    def fits() -> bool:  # playing at most as fast as a glide lasts (half-steps per second)
        if not controller.playing:
            return True
        speed = controller.steps_per_second
        return speed > 0 and 1.0 / speed >= glide.seconds

    glide = Glide(window.points_view, allowed=fits, parent=window)
    window.points_view.motion = glide
    action = QAction("Reduce motion", window)
    action.setObjectName("actionReduceMotion")
    action.setCheckable(True)
    action.setChecked(True)
    action.setToolTip("Draw each half-step at once, without gliding from the last one")
    action.toggled.connect(lambda on: _set_enabled(glide, not on))
    view_menu(window, "&View").addAction(action)
    window.actions_by_name["actionReduceMotion"] = action
    return Feature("glide", glide, (action,))


def _set_enabled(glide: Glide, on: bool) -> None:
    glide.enabled = on
    if not on:
        glide.settle()


def set_reduce_motion(window, reduce: bool) -> None:
    """Turn the glide off (``reduce``) or on, as View → Reduce motion does."""
    window.actions_by_name["actionReduceMotion"].setChecked(reduce)
    _set_enabled(window.feature("glide"), not reduce)
