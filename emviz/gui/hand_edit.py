"""θ set by hand: the edit behind dragging a mean or an axis handle and typing a π_k.

While a drag goes on, each new θ is evaluated with q held (``emviz.core.evaluate_held``:
ln p(X | θ), L(q, θ), KL and the posterior for the colours) in the "emviz-hand" lane of the
window's job runner; a position that arrives while one is evaluated waits, and only the
newest waiting one is kept, so the shown θ is always the newest one that could be finished.
Each result replaces the history's tail by one "hand" state after the state the drag started
from, so every view (points, bound plot, table, Why, Eqns, L + KL) follows it as it would a
half-step. Releasing turns that state into an undoable entry on the edit stack ("Set θ by
hand"): undo puts back the states it replaced, exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent

from ..core import EMState, Mixture, evaluate_held, hand_state, held_q, with_weight
from ..session import schema
from ..session.model import Workbench
from .controller import RunController
from .editing import EditCommand, UndoStack, arrays_bytes
from .jobs import Background, JobRunner


def data_at(view, event: QMouseEvent) -> np.ndarray:
    """Where ``event`` is in ``view``'s data coordinates (x, y): a pyqtgraph PlotWidget's."""
    scene = view.mapToScene(event.position().toPoint())
    point = view.getPlotItem().getViewBox().mapSceneToView(scene)
    return np.array([point.x(), point.y()])


class Gesture:
    """One press, moves and release on something grabbed in a view, shared by the points
    view's and the histogram's drags. The edit of θ begins at the first move that moves, so
    a press released where it began stays a click; a drag the editor refuses (its q is being
    recomputed) does nothing until its release."""

    def __init__(self, editor: HandEditor, view) -> None:
        self.editor, self.view = editor, view
        self.grab: object | None = None  # what was pressed on; None between gestures
        self.start: Mixture | None = None  # θ when the edit began
        self.moved = self.refused = False
        self._press = np.zeros(2)

    def press(self, what: object, event: QMouseEvent) -> None:
        self.grab, self._press, self.start = what, data_at(self.view, event), None
        self.moved = self.refused = False

    @property
    def press_point(self) -> np.ndarray:
        """Where the press was, in data coordinates (x, y)."""
        return self._press

    def shift(self, event: QMouseEvent) -> np.ndarray | None:
        """How far the mouse is from the press (data units), or None while there is nothing
        to edit: no move yet, or the editor refused this drag."""
        if self.refused:
            return None
        shift = data_at(self.view, event) - self._press
        if not self.moved:
            if not shift.any():
                return None
            self.moved = True
            if not self.editor.begin():
                self.refused = True
                return None
            self.start = self.editor.drag.base.mixture
            self.view.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        return shift

    def release(self) -> bool:
        """Ends the gesture: True if it was a click (released without moving); a drag's
        edit is finished (it goes on the edit stack once its last θ is shown)."""
        self.grab = None
        if self.moved and not self.refused:
            self.editor.finish()
        return not self.moved


@dataclass(eq=False)
class Drag:
    """One drag (or one typed π_k): where it started and what it has shown."""

    base_index: int
    base: EMState
    tail: list[EMState]  # the states after base that the drag replaces (undo puts them back)
    run_ended: str
    q: np.ndarray | None
    requested: Mixture | None = None  # the newest θ asked for
    shown: EMState | None = None  # the newest hand state in the model
    released: bool = False


class SetTheta(EditCommand):
    """θ set by hand, as one entry of the edit stack. Undo puts the replaced states back (or,
    if the run has since been replaced, restarts from the θ before the edit); redo puts the
    hand state back (or restarts from its θ)."""

    def __init__(self, editor: HandEditor, drag: Drag, hand: EMState) -> None:
        super().__init__("Set θ by hand")
        self._editor, self._drag, self.hand = editor, drag, hand
        self._applied = True  # pushed after the drag put it in the model

    def apply(self) -> None:
        self._editor.redo_hand(self._drag, self.hand)

    def revert(self) -> None:
        self._editor.undo_hand(self._drag, self.hand)

    def nbytes(self) -> int:
        arrays = {id(a): a for s in [*self._drag.tail, self.hand]
                  for a in (s.resp, s.posterior) if a is not None}
        return arrays_bytes(*arrays.values())


class HandEditor(QObject):
    """Starts, feeds and ends hand edits of θ; ``message`` says why one was refused."""

    message = Signal(str)
    #: A hand edit was refused (a bad π_k): views that show the typed value show θ again.
    refused = Signal()

    def __init__(self, model: Workbench, controller: RunController, stack: UndoStack,
                 parent: QObject | None = None, runner: JobRunner | None = None) -> None:
        super().__init__(parent)
        self.model, self.controller, self.stack = model, controller, stack
        self._background = Background("emviz-hand", self._evaluated, self._failed, self, runner)
        self.drag: Drag | None = None

    # -- a drag ------------------------------------------------------------------------------
    @property
    def dragging(self) -> bool:
        return self.drag is not None

    def begin(self) -> bool:
        """Start editing θ from the current state; False (and why, in ``message``) if there
        is none, or its q is still being recomputed."""
        model, state = self.model, self.model.current
        if state is None or len(model.points) == 0:
            return False
        if state.phase != "init" and state.resp is None:
            self.message.emit("q of this half-step is being recomputed: try again in a moment.")
            return False
        self.controller.stop_for_edit()
        i = model.index
        self.drag = Drag(i, state, list(model.history[i + 1 :]), model.run_ended, held_q(state))
        return True

    def move(self, mixture: Mixture) -> None:
        """The newest θ of the drag: evaluated in the background, newest wins."""
        drag = self.drag
        if drag is None:
            return
        drag.requested = mixture
        X, q = self.model.points, drag.q
        self._background.request((mixture,), lambda: evaluate_held(X, q, mixture))

    def finish(self) -> None:
        """The mouse was released: the entry goes on the stack once the last θ is shown."""
        drag = self.drag
        if drag is None:
            return
        drag.released = True
        if drag.requested is None:  # nothing moved
            self.drag = None
        elif drag.shown is not None and drag.shown.mixture is drag.requested:
            self._commit(drag)

    def cancel(self) -> None:
        """Abandon the drag and show what was there before it."""
        drag, self.drag = self.drag, None
        if drag is not None and drag.shown is not None and self._intact(drag):
            self.model.replace_after(drag.base_index, drag.tail, drag.base_index, drag.run_ended)

    def set_weight(self, k: int, text: str) -> bool:
        """π_k typed into the parameter table: validated here, the other weights rescaled
        proportionally, and applied as one "Set θ by hand" entry; False (and the message)
        for a bad value, which changes nothing."""
        state = self.model.current
        if state is None or self.dragging:
            self.refused.emit()
            return False
        try:
            weight = schema.parse_float(schema.WEIGHT, text, f"π_{k + 1}")
            mixture = with_weight(state.mixture, k, weight)
        except ValueError as error:  # SchemaError is one
            self.message.emit(f"π_{k + 1} not changed: {error}.")
            self.refused.emit()
            return False
        if self.begin():
            self.move(mixture)
            self.finish()
        return True

    # -- results -----------------------------------------------------------------------------
    def _intact(self, drag: Drag) -> bool:
        history = self.model.history
        return drag.base_index < len(history) and history[drag.base_index] is drag.base

    def _evaluated(self, key: tuple, evaluation) -> None:
        drag = self.drag
        if drag is None:
            return
        if not self._intact(drag):  # the run was replaced meanwhile (new data, a reset)
            self.drag = None
            return
        hand = hand_state(drag.base, evaluation)
        drag.shown = hand
        self.model.replace_after(drag.base_index, [hand], drag.base_index + 1)
        if drag.released and evaluation.mixture is drag.requested:
            self._commit(drag)

    def _failed(self, text: str) -> None:
        self.message.emit(f"θ not set: {text}")
        self.cancel()

    def _commit(self, drag: Drag) -> None:
        self.drag = None
        self.stack.push(SetTheta(self, drag, drag.shown))

    # -- undo and redo -----------------------------------------------------------------------
    def undo_hand(self, drag: Drag, hand: EMState) -> None:
        self.controller.stop_for_edit()
        history = self.model.history
        if self._intact(drag) and drag.base_index + 1 < len(history) \
                and history[drag.base_index + 1] is hand:
            self.model.replace_after(drag.base_index, drag.tail, drag.base_index, drag.run_ended)
        else:  # the run has changed since (new points): go on from the θ before the edit
            self.controller.restart_from(drag.base.mixture)

    def redo_hand(self, drag: Drag, hand: EMState) -> None:
        self.controller.stop_for_edit()
        if self._intact(drag):
            self.model.replace_after(drag.base_index, [hand], drag.base_index + 1)
        else:
            self.controller.restart_from(hand.mixture)

