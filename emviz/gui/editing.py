"""Point edits as undoable commands (Orange's owpaintdata pattern: each command's undo is
its exact inverse and each command keeps only what its undo needs: the added points, the
removed rows and where they were, the repainted labels' old values; only a whole new data
set keeps the old arrays). The stack is bounded by the bytes its commands hold, not by their
number. After every edit EM restarts from the current θ on the new data."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core import Mixture
from ..look.geometry import nearest_within
from ..session.model import (
    MAX_COORDINATE,
    BothColumns,
    Workbench,
    check_points,
    check_points_once,
)
from .controller import RunController

#: The undo stack's memory budget in bytes. A whole new data set (a file, Generate, Clear)
#: must keep the arrays it replaced: at 10⁶ points that is 16 MB of X and 8 MB of labels,
#: before and after, 48 MB in one entry. 64 MiB keeps such a load undoable while clicks,
#: sprays and paints cost a few bytes per point, and stays small beside the ~0.5 GiB the
#: window needs at 10⁶ points. A count limit could not do both: 200 loads at 10⁶ are 9.6 GB.
UNDO_BUDGET = 64 * 2**20

#: What an entry costs beyond its arrays (the command objects, their text), so that many
#: tiny edits count too.
ENTRY_BYTES = 256


def arrays_bytes(*arrays: np.ndarray | None) -> int:
    """The bytes the given arrays hold (None holds none)."""
    return sum(a.nbytes for a in arrays if a is not None)


class EditCommand(QUndoCommand):
    """An undoable edit that knows the bytes it holds (``nbytes``) and can be put on the stack
    again without being applied again (``clone``: see ``UndoStack``). Subclasses implement
    ``apply``, ``revert`` and ``nbytes``."""

    _applied = False

    def redo(self) -> None:
        if self._applied:  # a clone of an edit whose result is in the model already
            self._applied = False
            return
        self.apply()

    def undo(self) -> None:
        self.revert()

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def nbytes(self) -> int:
        raise NotImplementedError

    def clone(self) -> EditCommand:
        """A new command holding the same arrays (not copies), whose first redo does nothing."""
        twin = type(self).__new__(type(self))
        QUndoCommand.__init__(twin, self.text())
        twin.__dict__.update(self.__dict__)
        twin._applied = True
        return twin


def entry_bytes(command: EditCommand) -> int:
    return ENTRY_BYTES + command.nbytes()


class UndoStack(QUndoStack):
    """A QUndoStack bounded by bytes: after a push the oldest entries are dropped while the
    entries hold more than ``budget`` bytes (the newest one always stays, so the last edit can
    be undone however large it is)."""

    def __init__(self, budget: int = UNDO_BUDGET, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.budget = budget

    def held_bytes(self) -> int:
        """The bytes the entries hold: their arrays (also those shared with the model) plus
        ``ENTRY_BYTES`` each."""
        return sum(entry_bytes(self.command(i)) for i in range(self.count()))

    def push(self, command: EditCommand) -> None:
        if not isinstance(command, EditCommand):  # it could be neither counted nor kept
            raise TypeError(f"the undo stack takes EditCommands, not {type(command).__name__}")
        super().push(command)
        sizes = [entry_bytes(self.command(i)) for i in range(self.count())]
        total, drop = sum(sizes), 0
        while total > self.budget and drop < len(sizes) - 1:
            total -= sizes[drop]
            drop += 1
        if drop:
            self._drop_oldest(drop)

    def _drop_oldest(self, drop: int) -> None:
        # QUndoStack forgets old entries only through its undo limit, which can be set on an
        # empty stack only. So the kept entries go onto the cleared stack again as clones,
        # whose push does not apply them a second time. Right after a push nothing lies above
        # the index, so the kept entries are all undoable ones.
        kept = [self.command(i).clone() for i in range(drop, self.count())]
        self.clear()
        for command in kept:
            super().push(command)


@dataclass(frozen=True, eq=False)
class Data:
    """Everything an edit replaces: points, oracle labels, the true mixture, the name."""

    X: np.ndarray
    labels: np.ndarray | None
    true_mixture: Mixture | None
    name: str
    axes: tuple[str, str] = ("x₁", "x₂")
    both_columns: BothColumns | None = None  # X is one column of these 2-D data

    def nbytes(self) -> int:
        m = self.true_mixture
        mixture = () if m is None else (m.weights, m.means, m.covariances)
        both = () if self.both_columns is None else (self.both_columns.points,)
        return arrays_bytes(self.X, self.labels, *mixture, *both)


def remove_rows(a: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``a`` without rows ``indices`` (sorted, distinct)."""
    return np.delete(a, indices, axis=0)


def insert_rows(a: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The inverse of ``remove_rows``: ``rows`` back at ``indices`` (sorted, distinct, as
    they were before the removal). Row j goes before the row that followed it, which after
    the removal of the j rows before it sits at ``indices[j] - j``."""
    return np.insert(a, indices - np.arange(len(indices)), rows, axis=0)


class _Replace(EditCommand):
    """Whole new data; it keeps both data sets (and counts them)."""

    def __init__(self, editor: PointsEditor, before: Data, after: Data, text: str) -> None:
        super().__init__(text)
        self._editor, self._before, self._after = editor, before, after

    # Whole new data: EM starts afresh (a θ fitted to other data means little here).
    def apply(self) -> None:
        self._editor._apply(self._after, fresh=True)

    def revert(self) -> None:
        self._editor._apply(self._before, fresh=True)

    def nbytes(self) -> int:
        return self._before.nbytes() + self._after.nbytes()


class _Append(EditCommand):
    """Add points (M, 2) at the end (unlabelled, -1, when the data have labels); it keeps
    only those points, and undo drops exactly that many from the end."""

    def __init__(self, editor: PointsEditor, new: np.ndarray, text: str) -> None:
        super().__init__(text)
        self._editor, self._new = editor, new

    def apply(self) -> None:
        data = self._editor.data()
        labels = None if data.labels is None else np.r_[data.labels, np.full(len(self._new), -1)]
        self._editor._apply(dataclasses.replace(data, X=np.r_[data.X, self._new], labels=labels))

    def revert(self) -> None:
        data = self._editor.data()
        keep = len(data.X) - len(self._new)
        labels = None if data.labels is None else data.labels[:keep]
        self._editor._apply(dataclasses.replace(data, X=data.X[:keep], labels=labels))

    def nbytes(self) -> int:
        return self._new.nbytes


class _Remove(EditCommand):
    """Remove the points at ``indices``; it keeps those rows (M, 2), their labels (M,) and
    the indices (M,), and undo puts them back where they were."""

    def __init__(self, editor: PointsEditor, indices: np.ndarray) -> None:
        n = len(indices)
        super().__init__("Remove point" if n == 1 else f"Remove {n} points")
        data = editor.data()
        self._editor, self._indices = editor, indices
        self._rows = data.X[indices].copy()
        self._labels = None if data.labels is None else data.labels[indices].copy()

    def apply(self) -> None:
        data = self._editor.data()
        labels = None if data.labels is None else remove_rows(data.labels, self._indices)
        X = remove_rows(data.X, self._indices)
        self._editor._apply(dataclasses.replace(data, X=X, labels=labels))

    def revert(self) -> None:
        data = self._editor.data()
        X = insert_rows(data.X, self._indices, self._rows)
        labels = (None if data.labels is None
                  else insert_rows(data.labels, self._indices, self._labels))
        self._editor._apply(dataclasses.replace(data, X=X, labels=labels))

    def nbytes(self) -> int:
        return arrays_bytes(self._indices, self._rows, self._labels)


class PointsEditor(QObject):
    """The one way the window changes the data."""

    message = Signal(str)
    #: Data with this many columns are about to be shown (before the model hears of them:
    #: the 1-D mode turns the plane's modes off while their data are still 2-D).
    replacing = Signal(int)

    def __init__(self, model: Workbench, controller: RunController, parent=None) -> None:
        super().__init__(parent)
        self.model, self.controller = model, controller
        self.stack = UndoStack(UNDO_BUDGET, self)

    def data(self) -> Data:
        m = self.model
        return Data(m.points, m.labels, m.true_mixture, m.dataset_name, m.axes, m.both_columns)

    def undo_bytes(self) -> int:
        """The bytes the undo stack holds (see ``UndoStack.held_bytes``)."""
        return self.stack.held_bytes()

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
            return np.array(check_points(points))  # a copy: the stack keeps it
        except ValueError:
            self.message.emit(f"Not added: coordinates beyond ±{MAX_COORDINATE:g} are too large "
                              "for emviz.")
            return None

    def remove(self, indices) -> None:
        """Remove the points at ``indices`` (any order; repeats count once) as one edit."""
        n = len(self.model.points)
        indices = np.unique(np.asarray(indices, dtype=np.intp).reshape(-1))
        if len(indices) and not (0 <= indices[0] and indices[-1] < n):
            raise IndexError(f"point indices must lie in [0, {n}), got {indices.tolist()}")
        if len(indices):
            self.stack.push(_Remove(self, indices))

    def remove_nearest(self, x: float, y: float, pixel_size: tuple[float, float],
                       radius_px: float) -> bool:
        """Remove the point nearest to (x, y) if it is within ``radius_px`` screen pixels."""
        i = nearest_within(self.model.points, x, y, pixel_size, radius_px)
        if i is None:
            self.message.emit("No point within reach to remove (shift+click on a point).")
            return False
        self.remove([i])
        return True

    def clear(self) -> None:
        if len(self.model.points):
            before = self.data()
            after = Data(np.empty((0, before.X.shape[1])), None, None, before.name, before.axes)
            self.stack.push(_Replace(self, before, after, "Clear points"))

    def replace(self, X: np.ndarray, labels: np.ndarray | None = None,
                true_mixture: Mixture | None = None, name: str = "",
                axes: tuple[str, str] = ("x₁", "x₂"), owned: bool = False) -> None:
        """New data as one undoable edit (loading a file, choosing a dataset). ``owned``: X
        is the caller's to give away (a file's points, made for this): not copied."""
        X = check_points_once(X) if owned else check_points(np.array(X, dtype=float))
        labels = None if labels is None else np.array(labels)  # the stack keeps its own
        after = Data(X, labels, true_mixture, name, axes)
        self.stack.push(_Replace(self, self.data(), after, f"Load {name or 'points'}"))

    def use_column(self, column: int) -> None:
        """Column ``column`` (0 or 1) of the 2-D data alone (the 1-D mode), as one undoable
        edit that keeps the 2-D data for ``use_both_columns``."""
        m = self.model
        if m.points.shape[1] != 2 or column not in (0, 1):
            raise ValueError(f"one column of 2-D data: column 0 or 1 of shape (N, 2) data, got "
                             f"column {column!r} of shape {m.points.shape}")
        self.replace_one_column(m.points, column, m.labels, m.true_mixture, m.dataset_name, m.axes)

    def replace_one_column(self, X: np.ndarray, column: int, labels: np.ndarray | None = None,
                           true_mixture: Mixture | None = None, name: str = "",
                           axes: tuple[str, str] = ("x₁", "x₂")) -> None:
        """Column ``column`` of the 2-D data ``X`` (N, 2) alone, as one undoable edit that
        keeps ``X`` for ``use_both_columns`` (a session saved in the 1-D mode comes back so)."""
        both = BothColumns(np.array(X, dtype=float), axes, column, name, true_mixture)
        labels = None if labels is None else np.array(labels)
        after = Data(both.shown(), labels, None, name, (both.axes[column], "density"), both)
        self.stack.push(_Replace(self, self.data(), after, f"Use column {both.axes[column]}"))

    def use_both_columns(self) -> None:
        """Back to the 2-D data the shown column came from, as one undoable edit."""
        both = self.model.both_columns
        if both is None:
            return
        after = Data(both.points, self.model.labels, both.true_mixture, both.name, both.axes)
        self.stack.push(_Replace(self, self.data(), after, "Use both columns"))

    # -- applying ------------------------------------------------------------------------
    def _apply(self, data: Data, fresh: bool = False) -> None:
        """Show ``data`` and restart EM: from the current θ after a small edit, so students
        see EM adapt to the new point, or afresh for whole new data."""
        current = self.model.current
        mixture = None if current is None or fresh else current.mixture
        self.replacing.emit(data.X.shape[1])
        self.model.set_points(data.X, data.labels, data.true_mixture, data.name, data.axes,
                              edit=not fresh, both_columns=data.both_columns)
        n = len(data.X)
        settings = self.model.settings
        if 0 < n < settings.k:
            self.model.set_settings(dataclasses.replace(settings, k=n))
            self.message.emit(f"K lowered to {n}: there are only {n} points.")
            mixture = None
        self.controller.restart_from(mixture)
