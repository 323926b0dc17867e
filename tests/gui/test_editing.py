"""Real mouse clicks on the points view add, remove and spray points; edits undo and redo."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

from .conftest import blobs, data_point, wait_for_history, wait_steady


def viewport(w):
    return w.points_view.viewport()


def test_left_click_adds_a_point_where_clicked(window, qtbot):
    n = len(window.points)
    target = (1.25, -0.75)
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=data_point(window, *target))
    qtbot.waitUntil(lambda: len(window.points) == n + 1)
    sx, sy = window.points_view.pixel_size()
    added = window.points[-1]
    assert abs(added[0] - target[0]) <= 1.5 * sx and abs(added[1] - target[1]) <= 1.5 * sy
    # EM restarts on the new data from the current θ: a fresh "init" state on N + 1 points.
    wait_for_history(qtbot, window, 1)
    assert window.history[0].phase == "init"
    np.testing.assert_allclose(window.history[0].mixture.means, window.history[0].mixture.means)


def test_shift_click_removes_the_nearest_point_within_reach(window, qtbot):
    window.set_points(np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5]]))
    wait_for_history(qtbot, window, 1)
    window.points_view.getPlotItem().autoRange()
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier, data_point(window, 1.0, 1.0))
    qtbot.waitUntil(lambda: len(window.points) == 2)
    np.testing.assert_allclose(window.points, [[0.0, 0.0], [-1.0, 0.5]])


def test_shift_click_far_from_every_point_removes_nothing(window, qtbot):
    window.set_points(np.array([[0.0, 0.0], [1.0, 1.0]]))
    wait_for_history(qtbot, window, 1)
    window.points_view.getPlotItem().setRange(xRange=(-3, 3), yRange=(-3, 3), padding=0)
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier, data_point(window, -2.0, 2.0))
    qtbot.waitUntil(lambda: "No point" in window.statusBar().currentMessage())
    assert len(window.points) == 2


def test_drag_sprays_points_around_the_path_as_one_undoable_edit(window, qtbot):
    window.set_points(np.empty((0, 2)))
    qtbot.waitUntil(lambda: not window.controller.busy)
    window.redraw_now()  # frame the new (empty) data now, not in the middle of the drag
    window.points_view.getPlotItem().setRange(xRange=(-5, 5), yRange=(-5, 5), padding=0)
    wait_steady(qtbot, lambda: data_point(window, -2.0, 0.0))  # the new range is on screen
    vp = viewport(window)
    start, end = data_point(window, -2.0, 0.0), data_point(window, 2.0, 0.0)
    # the brush's reach in data units, measured before the new points re-frame the view
    radius = (window.points_view.brush_radius_px + 2) * max(window.points_view.pixel_size())
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    steps = 10
    for i in range(1, steps + 1):
        p = start + (end - start) * i / steps
        QTest.mouseMove(vp, QPoint(int(p.x()), int(p.y())))
        qtbot.wait(5)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    qtbot.waitUntil(lambda: len(window.points) > 0)
    sprayed = window.points.copy()
    assert len(sprayed) >= 5 * window.points_view.spray_per_move  # a few moves pass the drag threshold
    assert sprayed[:, 0].min() > -2.0 - radius and sprayed[:, 0].max() < 2.0 + radius
    assert np.abs(sprayed[:, 1]).max() < radius
    assert sprayed[:, 0].max() - sprayed[:, 0].min() > 2.0  # spread along the stroke
    window.findChild(QAction, "actionUndo").trigger()
    assert len(window.points) == 0  # the whole stroke is one edit
    window.findChild(QAction, "actionRedo").trigger()
    np.testing.assert_array_equal(window.points, sprayed)


def test_undo_redo_round_trip_of_add_remove_clear(window, qtbot):
    original = window.points.copy()
    window.editor.add(5.0, 5.0)
    window.editor.remove_nearest(*original[3], window.points_view.pixel_size(), 8.0)
    window.findChild(QAction, "actionClearPoints").trigger()
    assert len(window.points) == 0
    undo, redo = (window.findChild(QAction, n) for n in ("actionUndo", "actionRedo"))
    undo.trigger()
    expected = np.r_[np.delete(original, 3, axis=0), [[5.0, 5.0]]]
    np.testing.assert_array_equal(window.points, expected)
    undo.trigger()
    np.testing.assert_array_equal(window.points, np.r_[original, [[5.0, 5.0]]])
    undo.trigger()
    np.testing.assert_array_equal(window.points, original)
    assert not undo.isEnabled()
    for _ in range(3):
        redo.trigger()
    assert len(window.points) == 0
    wait_for_history(qtbot, window, 0)


def test_keyboard_undo_redo(window, qtbot):
    window.editor.add(4.0, 4.0)
    n = len(window.points)
    window.points_view.setFocus()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.points) == n - 1
    QTest.keyClick(window, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.points) == n


def test_set_points_is_one_undoable_edit_that_restarts_em(window, qtbot):
    X = blobs(100)
    labels = np.r_[np.zeros(50, int), np.ones(50, int)]
    window.set_points(X, labels)
    wait_for_history(qtbot, window, 1)
    np.testing.assert_array_equal(window.points, X)
    np.testing.assert_array_equal(window.model.labels, labels)
    assert window.history[0].phase == "init" and window.history[0].resp is None
    window.editor.stack.undo()
    assert len(window.points) == 272


def test_no_edit_brings_in_coordinates_too_large_for_em(window, qtbot):
    before = window.points.copy()
    with pytest.raises(ValueError, match="at most 1e\\+120 in size"):
        window.editor.replace(np.array([[0.0, 1.0], [1e300, 2.0]]), None, None, "huge")
    said: list[str] = []
    window.editor.message.connect(said.append)
    window.editor.spray(np.array([[0.0, -1e200]]))  # gestures say why, they do not raise
    window.editor.add(np.nan, 0.0)
    assert len(said) == 2 and all("too large" in text for text in said)
    assert not window.editor.stack.canUndo()  # nothing half-done on the undo stack
    np.testing.assert_array_equal(window.points, before)


def test_k_is_clamped_to_the_number_of_points_and_says_why(window, qtbot):
    window.set_points(np.array([[0.0, 0.0], [1.0, 0.0]]))
    wait_for_history(qtbot, window, 1)
    k_box = window.controls.k
    k_box.setFocus()
    k_box.setValue(5)  # the control cannot go past N
    assert k_box.value() == 2 and k_box.maximum() == 2
    assert window.controls.k_note.isVisible()
    assert "only 2 points" in window.controls.k_note.text()
    window.editor.remove_nearest(1.0, 0.0, (0.01, 0.01), 8.0)
    wait_for_history(qtbot, window, 1)
    assert window.model.settings.k == 1
    assert "K lowered to 1" in window.statusBar().currentMessage()


def test_clicks_and_sprays_beyond_the_largest_coordinate_are_refused_with_a_message(window, qtbot):
    """Points at the limit: the view's margin lies beyond it, where a click cannot add."""
    from emviz.session.model import MAX_COORDINATE

    window.set_points(np.array([[-1, -1], [1, 1], [1, -1], [-1, 1]]) * MAX_COORDINATE)
    wait_for_history(qtbot, window, 1)
    window.redraw_now()
    said: list[str] = []
    window.editor.message.connect(said.append)
    before = window.points.copy()
    corner = QPoint(2, 2)  # in the view's padding, beyond -1e120 and +1e120
    view = window.points_view
    at = view.getViewBox().mapSceneToView(view.mapToScene(corner))
    x, y = at.x(), at.y()
    assert abs(x) > MAX_COORDINATE or abs(y) > MAX_COORDINATE
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=corner)
    vp = viewport(window)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, corner)
    QTest.mouseMove(vp, QPoint(4, 4))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(4, 4))
    np.testing.assert_array_equal(window.points, before)
    assert said and all("too large" in text for text in said)
    assert not window.editor.stack.canUndo() or window.editor.stack.undoText().startswith("Load")


@pytest.mark.parametrize("pixel_size", [(0.0, 0.0), (0.0, 0.01), (np.inf, np.inf), (np.nan, 0.01)])
def test_a_view_with_no_area_removes_nothing_and_says_so(window, pixel_size):
    """A points view squeezed to nothing (a tall dock, a tiny window) has no pixel size."""
    said: list[str] = []
    window.editor.message.connect(said.append)
    n = len(window.points)
    x, y = window.points[0]
    assert not window.editor.remove_nearest(x, y, pixel_size, 8.0)
    assert len(window.points) == n and len(said) == 1


def test_a_click_on_large_data_puts_only_its_point_on_the_undo_stack(window, qtbot):
    """The stack keeps inverse edits: a click at 10⁵ points costs one point, not the data."""
    from emviz.gui.editing import ENTRY_BYTES

    window.set_points(blobs(10**5))
    wait_for_history(qtbot, window, 1)
    window.redraw_now()
    held = window.editor.undo_bytes()
    n = len(window.points)
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=data_point(window, 0.5, 0.5))
    qtbot.waitUntil(lambda: len(window.points) == n + 1)
    assert window.editor.undo_bytes() - held == ENTRY_BYTES + 16  # one point (2 float64)
    window.findChild(QAction, "actionUndo").trigger()
    assert len(window.points) == n
    wait_for_history(qtbot, window, 1)
