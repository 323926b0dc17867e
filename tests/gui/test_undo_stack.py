"""The undo stack keeps inverse edits, not copies of the data, and is bounded by bytes.

An editor on a real ``Workbench`` with a controller that only records its restarts: these
tests are about what the stack holds and gives back, not about EM."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.gui.editing import ENTRY_BYTES, UNDO_BUDGET, PointsEditor
from emviz.gui.teaching.oracle import PaintLabels
from emviz.session.model import Workbench


class RecordingController:
    def __init__(self) -> None:
        self.restarts: list[object] = []

    def restart_from(self, mixture) -> None:
        self.restarts.append(mixture)


@pytest.fixture
def editor(qapp):
    model = Workbench()
    ed = PointsEditor(model, RecordingController())
    yield ed
    ed.deleteLater()


def paint(editor: PointsEditor, indices, label: int) -> None:
    """What the oracle's paint does: one PaintLabels edit on the editor's stack."""
    m = editor.model
    before = m.labels
    after = np.full(len(m.points), -1) if before is None else np.array(before)
    after[np.asarray(indices, dtype=int)] = label
    editor.stack.push(PaintLabels(m, before, after, "paint"))


def test_the_budget_is_bytes_and_holds_a_load_at_a_million_points():
    # one load at 10⁶ keeps X (16 MB) and labels (8 MB), before and after
    assert UNDO_BUDGET >= 2 * (10**6 * 2 * 8 + 10**6 * 8)


def test_200_clicks_paints_and_removals_at_1e5_points_cost_bytes_per_point(editor):
    n = 10**5
    rng = np.random.default_rng(0)
    editor.model.set_points(rng.normal(size=(n, 2)), rng.integers(0, 3, n))
    for i in range(200):
        editor.add(float(i), 0.5)
    clicks = editor.undo_bytes()
    # each click keeps its point (16 bytes), not the N + i points before it (1.6 MB)
    assert clicks <= 200 * (ENTRY_BYTES + 16)
    for i in range(200):
        paint(editor, [i], 5)
    paints = editor.undo_bytes() - clicks
    assert paints <= 200 * (ENTRY_BYTES + 3 * 8)  # index, old and new label: not 2 × N labels
    for i in range(200):
        editor.remove([2 * i])
    removals = editor.undo_bytes() - clicks - paints
    assert removals <= 200 * (ENTRY_BYTES + 8 + 16 + 8)  # index, row, label
    assert editor.stack.count() == 600
    # and all of it undoes
    for _ in range(400):
        editor.stack.undo()
    assert len(editor.model.points) == n + 200
    for _ in range(200):
        editor.stack.undo()
    assert len(editor.model.points) == n


def test_a_load_keeps_and_counts_the_old_and_new_arrays(editor):
    n = 10**4
    editor.model.set_points(np.zeros((n, 2)), np.zeros(n, int))
    editor.replace(np.ones((2 * n, 2)), np.ones(2 * n, int), name="bigger")
    arrays = (n * 16 + n * 8) + (2 * n * 16 + 2 * n * 8)
    assert editor.undo_bytes() == arrays + ENTRY_BYTES


def test_the_oldest_entries_are_dropped_when_the_stack_holds_more_than_its_budget(editor):
    m = editor.model
    editor.stack.budget = 10 * 16 * 1000  # room for the arrays of five loads of 1000 points
    loads = [np.full((1000, 2), float(i)) for i in range(8)]  # each load: 2 × 16 kB
    serials, heard = [], []
    m.subscribe(heard.append, {"points"})
    for X in loads:
        editor.replace(X, name="load")
        serials.append(m.data_serial)
    assert len(heard) == len(loads)  # one "points" announcement a load, none from dropping
    assert editor.undo_bytes() <= editor.stack.budget
    kept = editor.stack.count()
    assert kept == 4  # the 5th newest would bring it over the budget (the entries' own bytes)
    assert serials == sorted(set(serials))  # dropping re-applied nothing
    np.testing.assert_array_equal(m.points, loads[-1])
    restarts = len(editor.controller.restarts)
    # the oldest went: undo goes back as far as the oldest load kept
    while editor.stack.canUndo():
        editor.stack.undo()
    np.testing.assert_array_equal(m.points, loads[-1 - kept])
    assert len(editor.controller.restarts) == restarts + kept
    for _ in range(kept):
        editor.stack.redo()
    np.testing.assert_array_equal(m.points, loads[-1])
    assert not editor.stack.canRedo()


def test_the_newest_entry_stays_however_large(editor):
    editor.stack.budget = 1000
    editor.model.set_points(np.zeros((10, 2)))
    editor.add(1.0, 1.0)
    editor.replace(np.ones((500, 2)), name="large")  # 8 kB: over the budget alone
    assert editor.stack.count() == 1 and editor.stack.undoText() == "Load large"
    editor.stack.undo()
    np.testing.assert_array_equal(editor.model.points, np.r_[np.zeros((10, 2)), [[1.0, 1.0]]])
    assert not editor.stack.canUndo()


class Reference:
    """The data as Python lists, and undo as a list of whole snapshots: a model too simple to
    be wrong, to compare the inverse edits against."""

    def __init__(self, X: np.ndarray, labels: np.ndarray | None) -> None:
        self.states = [self._snapshot(X.tolist(), None if labels is None else labels.tolist())]
        self.index = 0

    @staticmethod
    def _snapshot(points, labels):
        return (list(points), None if labels is None else list(labels))

    @property
    def state(self):
        return self.states[self.index]

    def push(self, points, labels) -> None:
        del self.states[self.index + 1:]
        self.states.append(self._snapshot(points, labels))
        self.index += 1

    def check(self, model: Workbench) -> None:
        points, labels = self.state
        assert model.points.shape == (len(points), 2)
        assert model.points.tolist() == points
        if labels is None:
            assert model.labels is None
        else:
            assert model.labels is not None and model.labels.tolist() == labels


def random_step(editor: PointsEditor, ref: Reference, rng: np.random.Generator) -> str:
    points, labels = ref.state
    n = len(points)
    op = rng.choice(["add", "spray", "remove", "paint", "replace", "clear", "undo", "undo",
                     "redo", "redo"])
    if op == "add":
        x, y = rng.normal(size=2).round(3)
        editor.add(float(x), float(y))
        ref.push(points + [[float(x), float(y)]], None if labels is None else labels + [-1])
    elif op == "spray":
        new = rng.normal(size=(int(rng.integers(1, 6)), 2))
        editor.spray(new)
        ref.push(points + new.tolist(),
                 None if labels is None else labels + [-1] * len(new))
    elif op == "remove" and n:
        chosen = rng.integers(0, n, size=int(rng.integers(1, 4)))  # repeats count once
        editor.remove(chosen)
        gone = set(chosen.tolist())
        ref.push([p for i, p in enumerate(points) if i not in gone],
                 None if labels is None else [z for i, z in enumerate(labels) if i not in gone])
    elif op == "paint" and n:
        chosen = rng.integers(0, n, size=int(rng.integers(1, 4)))
        label = int(rng.integers(-1, 3))
        new_labels = [-1] * n if labels is None else list(labels)
        for i in chosen:
            new_labels[i] = label
        if labels is None or new_labels != labels:  # the oracle's paint skips a no-change
            paint(editor, chosen, label)
            ref.push(points, new_labels)
    elif op == "replace":
        size = int(rng.integers(0, 12))
        X = rng.normal(size=(size, 2))
        new_labels = rng.integers(-1, 3, size) if rng.random() < 0.5 else None
        editor.replace(X, new_labels, name="random")
        ref.push(X.tolist(), None if new_labels is None else new_labels.tolist())
    elif op == "clear" and n:
        editor.clear()
        ref.push([], None)
    elif op == "undo" and ref.index > 0:
        assert editor.stack.canUndo()
        editor.stack.undo()
        ref.index -= 1
    elif op == "redo" and ref.index < len(ref.states) - 1:
        assert editor.stack.canRedo()
        editor.stack.redo()
        ref.index += 1
    else:
        return "skip"
    return str(op)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("budget", [UNDO_BUDGET, 3000])
def test_random_edits_undo_and_redo_exactly_like_a_list_model(editor, seed, budget):
    """With the small budget the stack drops its oldest entries as it goes; the reference
    then forgets as many of its oldest snapshots."""
    editor.stack.budget = budget
    rng = np.random.default_rng(seed)
    X0 = rng.normal(size=(20, 2))
    X0[0, 0] = -0.0  # the sign of zero comes back too
    labels0 = rng.integers(-1, 3, 20) if seed % 2 else None
    editor.model.set_points(X0, labels0)
    original_points = editor.model.points.copy()
    ref = Reference(X0, labels0)
    done, trimmed = [], 0
    for _ in range(150):
        done.append(random_step(editor, ref, rng))
        dropped = ref.index - editor.stack.index()
        if budget == UNDO_BUDGET:
            assert dropped == 0
        elif dropped > 0:
            trimmed += dropped
            del ref.states[:dropped]
            ref.index -= dropped
        ref.check(editor.model)
        assert editor.stack.index() == ref.index and editor.stack.canRedo() == (
            ref.index < len(ref.states) - 1)
    assert {"add", "spray", "remove", "paint", "replace", "undo", "redo"} <= set(done)
    assert budget == UNDO_BUDGET or editor.undo_bytes() <= budget or editor.stack.count() == 1
    assert (trimmed > 0) == (budget != UNDO_BUDGET)
    while editor.stack.canUndo():
        editor.stack.undo()
        ref.index -= 1
    if budget != UNDO_BUDGET:
        assert ref.index == 0
        ref.check(editor.model)  # the oldest state kept
        return
    back = editor.model.points
    assert back.dtype == original_points.dtype and back.shape == original_points.shape
    assert back.tobytes() == original_points.tobytes()  # bit for bit
    if labels0 is None:
        assert editor.model.labels is None
    else:
        assert editor.model.labels.tobytes() == np.asarray(labels0, dtype=int).tobytes()


def test_the_stack_refuses_a_command_it_could_not_count(editor):
    from PySide6.QtGui import QUndoCommand

    with pytest.raises(TypeError, match="EditCommand"):
        editor.stack.push(QUndoCommand("opaque"))
    assert editor.stack.count() == 0
