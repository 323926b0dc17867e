"""Point edits as undoable commands (Orange's owpaintdata pattern: each command's undo is
its exact inverse). After every edit EM restarts from the current θ on the new data."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core import Mixture
from ..geometry import nearest_within
from ..model import MAX_COORDINATE, Workbench, check_points
from .controller import RunController

#: Bounded so that a session of large data sets cannot pile up memory in the stack.
UNDO_LIMIT = 200


@dataclass(frozen=True, eq=False)
class Data:
    """Everything an edit replaces: points, oracle labels, the true mixture, the name."""

    X: np.ndarray
    labels: np.ndarray | None
    true_mixture: Mixture | None
    name: str
    axes: tuple[str, str] = ("x₁", "x₂")


class _Replace(QUndoCommand):
    def __init__(self, editor: PointsEditor, before: Data, after: Data, text: str) -> None:
        super().__init__(text)
        self._editor, self._before, self._after = editor, before, after

    # Whole new data: EM starts afresh (a θ fitted to other data means little here).
    def redo(self) -> None:
        self._editor._apply(self._after, fresh=True)

    def undo(self) -> None:
        self._editor._apply(self._before, fresh=True)


class _Append(QUndoCommand):
    """Add points at the end; undo drops exactly those from the end."""

    def __init__(self, editor: PointsEditor, new: np.ndarray, text: str) -> None:
        super().__init__(text)
        self._editor, self._new = editor, new

    def redo(self) -> None:
        data = self._editor.data()
        labels = None if data.labels is None else np.r_[data.labels, np.full(len(self._new), -1)]
        self._editor._apply(dataclasses.replace(data, X=np.r_[data.X, self._new], labels=labels))

    def undo(self) -> None:
        data = self._editor.data()
        keep = len(data.X) - len(self._new)
        labels = None if data.labels is None else data.labels[:keep]
        self._editor._apply(dataclasses.replace(data, X=data.X[:keep], labels=labels))


class _Remove(QUndoCommand):
    """Remove point i; undo puts it (and its label) back at i."""

    def __init__(self, editor: PointsEditor, index: int) -> None:
        super().__init__("Remove point")
        data = editor.data()
        self._editor, self._index = editor, index
        self._point = data.X[index].copy()
        self._label = None if data.labels is None else int(data.labels[index])

    def redo(self) -> None:
        data = self._editor.data()
        labels = None if data.labels is None else np.delete(data.labels, self._index)
        X = np.delete(data.X, self._index, axis=0)
        self._editor._apply(dataclasses.replace(data, X=X, labels=labels))

    def undo(self) -> None:
        data = self._editor.data()
        X = np.insert(data.X, self._index, self._point, axis=0)
        labels = None if data.labels is None else np.insert(data.labels, self._index, self._label)
        self._editor._apply(dataclasses.replace(data, X=X, labels=labels))


class PointsEditor(QObject):
    """The one way the window changes the data."""

    message = Signal(str)

    def __init__(self, model: Workbench, controller: RunController, parent=None) -> None:
        super().__init__(parent)
        self.model, self.controller = model, controller
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(UNDO_LIMIT)

    def data(self) -> Data:
        m = self.model
        return Data(m.points, m.labels, m.true_mixture, m.dataset_name, m.axes)

    # Every edit checks its new points before it goes on the stack: a command that failed
    # half-way through redo would leave the stack and the model disagreeing.
    def add(self, x: float, y: float) -> None:
        points = self._checked([[x, y]])
        if points is not None:
            self.stack.push(_Append(self, points, "Add point"))

    def spray(self, points: np.ndarray) -> None:
        points = self._checked(points)
        if points is not None and len(points):
            self.stack.push(_Append(self, points, f"Spray {len(points)} points"))

    def _checked(self, points) -> np.ndarray | None:
        """A click or spray beyond the largest coordinate (on data at that scale) adds
        nothing and says why; it is not an error of the program."""
        try:
            return check_points(points)
        except ValueError:
            self.message.emit(f"Not added: coordinates beyond ±{MAX_COORDINATE:g} are too large "
                              "for emviz.")
            return None

    def remove_nearest(self, x: float, y: float, pixel_size: tuple[float, float],
                       radius_px: float) -> bool:
        """Remove the point nearest to (x, y) if it is within ``radius_px`` screen pixels."""
        i = nearest_within(self.model.points, x, y, pixel_size, radius_px)
        if i is None:
            self.message.emit("No point within reach to remove (shift+click on a point).")
            return False
        self.stack.push(_Remove(self, i))
        return True

    def clear(self) -> None:
        if len(self.model.points):
            before = self.data()
            after = Data(np.empty((0, 2)), None, None, before.name, before.axes)
            self.stack.push(_Replace(self, before, after, "Clear points"))

    def replace(self, X: np.ndarray, labels: np.ndarray | None = None,
                true_mixture: Mixture | None = None, name: str = "",
                axes: tuple[str, str] = ("x₁", "x₂")) -> None:
        """New data as one undoable edit (loading a file, choosing a dataset)."""
        X = check_points(np.array(X, dtype=float))
        after = Data(X, labels, true_mixture, name, axes)
        self.stack.push(_Replace(self, self.data(), after, f"Load {name or 'points'}"))

    # -- applying ------------------------------------------------------------------------
    def _apply(self, data: Data, fresh: bool = False) -> None:
        """Show ``data`` and restart EM: from the current θ after a small edit, so students
        see EM adapt to the new point, or afresh for whole new data."""
        current = self.model.current
        mixture = None if current is None or fresh else current.mixture
        self.model.set_points(data.X, data.labels, data.true_mixture, data.name, data.axes,
                              edit=not fresh)
        n = len(data.X)
        settings = self.model.settings
        if 0 < n < settings.k:
            self.model.set_settings(dataclasses.replace(settings, k=n))
            self.message.emit(f"K lowered to {n}: there are only {n} points.")
            mixture = None
        self.controller.restart_from(mixture)
