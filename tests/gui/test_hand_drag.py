"""Dragging θ by hand with real mouse presses, moves and releases on the points view: μ_k
moves by the dragged amount, ln p and L(q, θ) follow with q held, KL > 0, a "θ set by hand"
entry that Step continues from and Ctrl+Z takes back; Σ_k from an axis handle; π_k typed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from emviz.core import axis_handles, evaluate_held, principal_axes

from .conftest import data_point, wait_for_history


def data_at(w, p: QPoint) -> np.ndarray:
    """The data coordinates under viewport pixel ``p`` (what the view maps a press to)."""
    view = w.points_view
    q = view.getPlotItem().getViewBox().mapSceneToView(view.mapToScene(p))
    return np.array([q.x(), q.y()])


def editor(w):
    return w.features["hand_drag"].parts["editor"]


def drag(w, qtbot, start: QPoint, end: QPoint, steps: int = 8) -> None:
    vp = w.points_view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        QTest.mouseMove(vp, QPoint(round(p.x()), round(p.y())))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    qtbot.waitUntil(lambda: not editor(w).dragging, timeout=20_000)
    w.redraw_now()


def after_first_m_step(w, qtbot):
    w.findChild(QAction, "actionStep").trigger()
    wait_for_history(qtbot, w, 3)
    assert w.model.current.phase == "M"
    return w.model.current


def test_dragging_a_mean_moves_it_and_the_bound_comes_away_from_ln_p(window, qtbot):
    m_state = after_first_m_step(window, qtbot)
    mu = m_state.mixture.means[0]
    start = data_point(window, *mu)
    end = start + QPoint(40, -25)
    drag(window, qtbot, start, end)
    hand = window.model.current
    assert hand.phase == "hand" and window.model.index == 3 and len(window.history) == 4
    moved = data_at(window, end) - data_at(window, start)
    np.testing.assert_allclose(hand.mixture.means[0], mu + moved, atol=1e-9)
    np.testing.assert_array_equal(hand.mixture.means[1], m_state.mixture.means[1])
    expected = evaluate_held(window.points, m_state.resp, hand.mixture)
    assert hand.log_likelihood == pytest.approx(expected.log_likelihood, rel=1e-12)
    assert hand.lower_bound == pytest.approx(expected.lower_bound, rel=1e-12)
    assert hand.resp is m_state.resp  # q held from the last E-step
    assert hand.gap >= 0 and hand.gap > 1.0  # the bound came away from ln p
    assert hand.log_likelihood < m_state.log_likelihood  # away from the M-step's θ
    np.testing.assert_allclose(hand.colours, expected.posterior)  # the colours follow θ
    assert window.editor.stack.undoText() == "Set θ by hand"
    marks = window.bound_plot.hand_marks.data
    assert len(marks) == 2 and set(np.round(marks["y"], 6)) == {
        round(hand.log_likelihood, 6), round(hand.lower_bound, 6)}
    assert "θ set by hand" in window.status.full_text
    names = [label.text for _, label in window.bound_plot.legend.items]
    assert names.count("θ set by hand") == 1  # listed once, however many frames drew it


def test_step_goes_on_from_the_hand_entry_and_the_e_step_closes_the_gap(window, qtbot):
    after_first_m_step(window, qtbot)
    start = data_point(window, *window.model.current.mixture.means[1])
    drag(window, qtbot, start, start + QPoint(-30, 30))
    hand = window.model.current
    window.findChild(QAction, "actionEStep").trigger()
    wait_for_history(qtbot, window, 5)
    e_state = window.model.current
    assert e_state.phase == "E" and e_state.iteration == hand.iteration + 1
    np.testing.assert_array_equal(e_state.mixture.means, hand.mixture.means)
    assert e_state.gap == pytest.approx(0.0, abs=1e-8)  # the E-step touches ln p again
    assert e_state.log_likelihood == pytest.approx(hand.log_likelihood, rel=1e-12)
    window.findChild(QAction, "actionMStep").trigger()
    wait_for_history(qtbot, window, 6)
    assert window.model.current.log_likelihood >= e_state.log_likelihood - 1e-9


def test_ctrl_z_restores_the_theta_before_the_drag_and_redo_brings_it_back(window, qtbot):
    m_state = after_first_m_step(window, qtbot)
    start = data_point(window, *m_state.mixture.means[0])
    drag(window, qtbot, start, start + QPoint(35, 10))
    hand = window.model.current
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.model.current is m_state)
    assert len(window.history) == 3 and window.model.current.mixture is m_state.mixture
    QTest.keyClick(window, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.model.current is hand)


def test_an_axis_handle_stretches_and_turns_sigma_and_keeps_it_positive_definite(window, qtbot):
    m_state = after_first_m_step(window, qtbot)
    tip = axis_handles(m_state.mixture, 0)[0]  # the end of Σ_1's major axis
    start = data_point(window, *tip)
    mu = m_state.mixture.means[0]
    outward = data_point(window, *(mu + 2.0 * (tip - mu)))
    drag(window, qtbot, start, outward)
    sigma = window.model.current.mixture.covariances[0]
    lengths, _ = principal_axes(sigma)
    old_lengths, _ = principal_axes(m_state.mixture.covariances[0])
    assert lengths[0] == pytest.approx(2 * old_lengths[0], rel=0.05)
    assert lengths[1] == pytest.approx(old_lengths[1], rel=1e-9)
    np.testing.assert_array_equal(window.model.current.mixture.means, m_state.mixture.means)
    # squashed onto the mean: Σ stays positive definite, no variance below reg_covar
    window.findChild(QAction, "actionUndo").trigger()
    drag(window, qtbot, start, data_point(window, *mu))
    variances = np.linalg.eigvalsh(window.model.current.mixture.covariances[0])
    assert variances.min() >= window.model.settings.reg_covar


@pytest.mark.parametrize("target", ["mean", "handle"])
def test_a_click_on_a_mean_or_a_handle_without_moving_still_adds_a_point(window, qtbot, target):
    m_state = after_first_m_step(window, qtbot)
    n = len(window.points)
    where = (m_state.mixture.means[0] if target == "mean"
             else axis_handles(m_state.mixture, 1)[0])
    qtbot.mouseClick(window.points_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=data_point(window, *where))
    qtbot.waitUntil(lambda: len(window.points) == n + 1)
    assert all(s.phase != "hand" for s in window.history)
    np.testing.assert_allclose(window.points[-1], where, atol=2 * max(window.points_view.pixel_size()))


def test_a_drag_the_editor_refuses_changes_nothing_and_adds_no_point(window, qtbot, monkeypatch):
    """The editor refuses a drag while the q it would hold is being recomputed (large data
    whose r_nk the history does not keep): the moves and the release then do nothing."""
    m_state = after_first_m_step(window, qtbot)
    n, history = len(window.points), list(window.history)
    monkeypatch.setattr(editor(window), "begin", lambda: False)
    start = data_point(window, *m_state.mixture.means[0])
    drag(window, qtbot, start, start + QPoint(40, -25))
    assert len(window.points) == n and list(window.history) == history
    assert window.model.current is m_state and window.editor.stack.count() == 0
    assert window.points_view.viewport().cursor().shape() != Qt.CursorShape.ClosedHandCursor


def test_dragging_theta_zero_before_any_e_step(window, qtbot):
    init = window.model.current
    assert init.phase == "init"
    start = data_point(window, *init.mixture.means[0])
    drag(window, qtbot, start, start + QPoint(20, 20))
    hand = window.model.current
    assert hand.phase == "hand" and hand.resp is None and math.isnan(hand.lower_bound)
    window.findChild(QAction, "actionEStep").trigger()
    wait_for_history(qtbot, window, 3)
    assert window.model.current.phase == "E" and window.model.current.gap == pytest.approx(0, abs=1e-8)


def edit_weight(window, qtbot, row: int, text: str) -> None:
    """Click π_k's cell, F2 to edit, type, Return: as a user does."""
    table = window.params_table
    rect = table.visualItemRect(table.item(row, 1))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rect.center())
    QTest.keyClick(table.viewport(), Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState)
    field = QApplication.focusWidget()
    field.selectAll()
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)


def test_typing_pi_renormalises_the_others_and_bad_input_changes_nothing(window, qtbot):
    m_state = after_first_m_step(window, qtbot)
    edit_weight(window, qtbot, 0, "0.8")
    qtbot.waitUntil(lambda: window.model.current.phase == "hand")
    np.testing.assert_allclose(window.model.current.mixture.weights, [0.8, 0.2])
    assert window.editor.stack.undoText() == "Set θ by hand"
    hand = window.model.current
    edit_weight(window, qtbot, 1, "1.5")
    qtbot.waitUntil(lambda: "from 0.001 to 0.999, not 1.5" in window.statusBar().currentMessage())
    assert window.model.current is hand
    assert window.params_table.item(1, 1).text() == "0.200"  # the table shows θ again
    edit_weight(window, qtbot, 1, "lots")
    qtbot.waitUntil(lambda: 'not "lots"' in window.statusBar().currentMessage())
    assert window.model.current is hand
    window.findChild(QAction, "actionUndo").trigger()
    qtbot.waitUntil(lambda: window.model.current is m_state)


def test_play_goes_on_from_the_hand_entry_to_convergence(window, qtbot):
    after_first_m_step(window, qtbot)
    start = data_point(window, *window.model.current.mixture.means[0])
    drag(window, qtbot, start, start + QPoint(25, 25))
    hand_index = window.model.index
    window.findChild(QAction, "actionPlay").trigger()
    qtbot.waitUntil(lambda: window.model.run_ended == "converged", timeout=30_000)
    after = window.history[hand_index + 1 :]
    assert [s.phase for s in after[:2]] == ["E", "M"]
    lls = [s.log_likelihood for s in after]
    assert all(b >= a - 1e-9 for a, b in zip(lls, lls[1:], strict=False))  # EM climbs from it
    assert window.history[hand_index].phase == "hand"


def test_a_saved_session_comes_back_at_the_theta_set_by_hand(window, qtbot):
    after_first_m_step(window, qtbot)
    start = data_point(window, *window.model.current.mixture.means[1])
    drag(window, qtbot, start, start + QPoint(-20, 15))
    window.findChild(QAction, "actionStep").trigger()
    wait_for_history(qtbot, window, 6)
    shown = window.model.current
    session = window.files.current_session()
    assert session.n_half_steps == 3 and session.index == 2  # hand (as θ₀), E, M
    window.files.restore_session(session)
    qtbot.waitUntil(lambda: len(window.history) == 3 and not window.controller.busy, timeout=20_000)
    restored = window.model.current
    np.testing.assert_allclose(restored.mixture.means, shown.mixture.means, rtol=1e-12)
    assert restored.log_likelihood == pytest.approx(shown.log_likelihood, rel=1e-12)


def test_the_pi_handle_grows_pi_and_the_others_keep_their_proportions(window, qtbot):
    m_state = after_first_m_step(window, qtbot)
    hand_drag = window.features["hand_drag"].main
    handle = hand_drag.weight_handles(m_state.mixture)[0]
    start = data_point(window, *handle)
    end = start + QPoint(25, 0)
    drag(window, qtbot, start, end)
    weights = window.model.current.mixture.weights
    expected = hand_drag.weight_at(m_state.mixture, 0, handle + data_at(window, end)
                                   - data_at(window, start))
    assert weights[0] == pytest.approx(expected, rel=1e-12)
    assert weights[0] > m_state.mixture.weights[0] + 0.05
    assert weights.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_array_equal(window.model.current.mixture.means, m_state.mixture.means)
