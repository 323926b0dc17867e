"""Stepping, playing, scrubbing and the bound plot, driven through actions and keys."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

from emviz.core import e_step, lower_bound

from .conftest import wait_for_history


def action(w, name: str) -> QAction:
    return w.findChild(QAction, name)


def curves(w):
    """The data given to the two curves (getData() would return the display-clipped copy)."""
    plot = w.bound_plot
    return ((plot.log_likelihood.xData, plot.log_likelihood.yData),
            (plot.lower_bound.xData, plot.lower_bound.yData))


def test_bound_plot_has_the_two_named_curves_and_labelled_axes(window):
    items = window.bound_plot.getPlotItem().listDataItems()
    assert sorted(item.name() for item in items if item.name()) == ["log-likelihood", "lower bound"]
    legend_names = {label.text for _, label in window.bound_plot.legend.items}
    assert legend_names == {"log-likelihood", "lower bound"}
    plot = window.bound_plot.getPlotItem()
    assert plot.getAxis("bottom").labelText and plot.getAxis("left").labelText


def test_e_step_makes_the_bound_touch_then_m_step_leaves_it_below(window, qtbot):
    X = window.points
    action(window, "actionEStep").trigger()
    wait_for_history(qtbot, window, 2)
    e = window.history[-1]
    assert e.phase == "E" and e.iteration == 1
    resp, ll = e_step(X, window.history[0].mixture)
    np.testing.assert_allclose(e.resp, resp)
    (x_ll, y_ll), (x_lb, y_lb) = curves(window)
    assert x_ll.tolist() == [0.0, 0.5] and x_lb.tolist() == [0.5]  # init has no q, so no L
    assert y_lb[-1] == pytest.approx(y_ll[-1], rel=1e-10)  # touches after the E-step
    assert y_ll[-1] == pytest.approx(ll)
    assert not action(window, "actionEStep").isEnabled()  # next is an M-step
    action(window, "actionMStep").trigger()
    wait_for_history(qtbot, window, 3)
    m = window.history[-1]
    assert m.phase == "M" and m.resp is e.resp  # L(q_old, θ_new) uses the E-step's q
    (x_ll, y_ll), (x_lb, y_lb) = curves(window)
    assert x_ll.tolist() == [0.0, 0.5, 1.0]
    assert y_lb[-1] <= y_ll[-1] and y_ll[-1] > y_ll[-2]
    assert y_lb[-1] == pytest.approx(lower_bound(X, e.resp, m.mixture), rel=1e-10)
    status = window.status.text()
    assert "iteration 1, after M-step" in status and f"{m.log_likelihood:.3f}" in status


def test_keys_drive_the_run(window, qtbot):
    window.points_view.setFocus()
    QTest.keyClick(window, Qt.Key.Key_E)
    wait_for_history(qtbot, window, 2)
    QTest.keyClick(window, Qt.Key.Key_M)
    wait_for_history(qtbot, window, 3)
    QTest.keyClick(window, Qt.Key.Key_Space)
    wait_for_history(qtbot, window, 5)
    assert [s.phase for s in window.history] == ["init", "E", "M", "E", "M"]
    QTest.keyClick(window, Qt.Key.Key_Left)
    assert window.model.index == 3
    QTest.keyClick(window, Qt.Key.Key_Right)
    assert window.model.index == 4
    QTest.keyClick(window, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    assert window.history[0].phase == "init"


def test_play_runs_to_convergence_and_ln_p_never_decreases(window, qtbot):
    window.controls.speed.setValue(0)  # as fast as possible
    action(window, "actionPlay").trigger()
    qtbot.waitUntil(lambda: not window.controller.playing, timeout=20_000)
    ll = np.array([s.log_likelihood for s in window.history[1:]])
    assert len(ll) > 10
    assert np.all(np.diff(ll) >= -1e-9 * np.abs(ll[:-1]))
    last = window.history[-1]
    assert last.converged and last.phase == "M"
    window.redraw_now()
    assert "converged" in window.status.text()
    assert not action(window, "actionStep").isEnabled()
    assert not action(window, "actionPlay").isChecked()
    lb = np.array([s.lower_bound for s in window.history[1:]])
    assert np.all(lb <= ll + 1e-9 * np.abs(ll))


def test_play_then_pause_stops_within_one_step(window, qtbot):
    window.controls.speed.setValue(20)
    play = action(window, "actionPlay")
    play.trigger()
    qtbot.waitUntil(lambda: len(window.history) >= 4)
    play.trigger()  # pause
    assert not window.controller.playing
    at_pause = len(window.history)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=20_000)
    assert len(window.history) <= at_pause + 1
    qtbot.wait(300)  # 20 steps/s would have made ~6 more by now
    assert len(window.history) <= at_pause + 1
    assert not play.isChecked()


def test_scrubbing_moves_the_mark_and_stepping_from_the_past_drops_later_history(window, qtbot):
    action(window, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    action(window, "actionStep").trigger()
    wait_for_history(qtbot, window, 5)
    old_m1 = window.history[2]
    slider = window.history_slider
    assert slider.maximum() == 4 and slider.value() == 4
    slider.setValue(1)
    assert window.model.index == 1
    window.redraw_now()
    assert window.bound_plot.cursor.value() == 0.5
    marks = window.bound_plot.current.getData()
    assert marks[0].tolist() == [0.5, 0.5]
    assert "viewing half-step 1 of 4" in window.status.text()
    action(window, "actionMStep").trigger()
    qtbot.waitUntil(lambda: not window.controller.busy)
    assert len(window.history) == 3  # the later E and M were dropped
    np.testing.assert_allclose(window.history[2].mixture.means, old_m1.mixture.means)


def test_changing_the_covariance_type_restarts_with_diagonal_covariances(window, qtbot):
    combo = window.controls.covariance
    combo.setCurrentIndex(combo.findData("diag"))
    combo.activated.emit(combo.currentIndex())
    assert window.model.settings.covariance_type == "diag"
    action(window, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    covs = window.history[-1].mixture.covariances
    assert np.all(covs[:, 0, 1] == 0) and np.all(covs[:, 1, 0] == 0)


def test_reset_with_the_same_seed_repeats_the_run(window, qtbot):
    action(window, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    first = [s.log_likelihood for s in window.history]
    action(window, "actionReset").trigger()
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    action(window, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    assert [s.log_likelihood for s in window.history] == first
    window.controls.seed.setValue(7)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    assert window.model.settings.seed == 7
    assert window.history[0].log_likelihood != first[0]


def test_closing_while_playing_200k_points_ends_the_thread(qtbot):
    """close() returns with the EM thread joined, mid-play (how fast is `make bench`'s
    business: a wall-clock bound here fails on a machine busy with other work)."""
    from emviz.gui import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    rng = np.random.default_rng(0)
    w.set_points(np.r_[rng.normal(-2, 1, (100_000, 2)), rng.normal(2, 1, (100_000, 2))])
    qtbot.waitUntil(lambda: len(w.history) == 1 and not w.controller.busy, timeout=20_000)
    w.controls.speed.setValue(0)
    action(w, "actionPlay").trigger()
    qtbot.waitUntil(lambda: len(w.history) >= 3, timeout=20_000)
    thread = w.controller.lane.thread
    w.close()
    assert not thread.isRunning()


def view_contains(plot, xs, ys) -> bool:
    (x0, x1), (y0, y1) = plot.getPlotItem().getViewBox().viewRange()
    return bool((xs >= x0).all() and (xs <= x1).all() and (ys >= y0).all() and (ys <= y1).all())


def test_the_bound_plot_follows_the_run_until_the_user_zooms_and_its_a_button_resumes(window, qtbot):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    plot = window.bound_plot
    for _ in range(4):
        action(window, "actionStep").trigger()
        wait_for_history(qtbot, window, 1)
    wait_for_history(qtbot, window, 9)
    (x, ll), _ = curves(window)
    assert plot.following and view_contains(plot, x, ll)
    before = plot.getPlotItem().getViewBox().viewRange()
    action(window, "actionStep").trigger()  # one more iteration fits in the headroom
    wait_for_history(qtbot, window, 11)
    assert plot.getPlotItem().getViewBox().viewRange() == before  # no new axes to draw
    # The user zooms in with the wheel: the plot stops following.
    centre = plot.viewport().rect().center()
    wheel = QWheelEvent(QPointF(centre), QPointF(plot.viewport().mapToGlobal(centre)), QPoint(0, 0),
                        QPoint(0, 480), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(plot.viewport(), wheel)
    zoomed = plot.getPlotItem().getViewBox().viewRange()
    assert not plot.following and zoomed[0][1] - zoomed[0][0] < before[0][1] - before[0][0]
    for _ in range(3):
        action(window, "actionStep").trigger()
        wait_for_history(qtbot, window, 1)
    wait_for_history(qtbot, window, 17)
    assert plot.getPlotItem().getViewBox().viewRange() == zoomed  # the user's zoom is kept
    # The "A" button in the corner: follow again, and show the whole run.
    button = plot.getPlotItem().autoBtn
    qtbot.mouseMove(plot.viewport(), centre)  # pyqtgraph shows the button on hover
    qtbot.waitUntil(button.isVisible, timeout=20_000)
    where = plot.mapFromScene(button.sceneBoundingRect().center())
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=where)
    (x, ll), _ = curves(window)
    assert plot.following and view_contains(plot, x, ll)


def test_a_frame_draws_one_view_per_turn_of_the_event_loop(window, qtbot, monkeypatch):
    """Between the points view and the bound plot, the event loop gets to run (here: a
    zero-delay call queued by the points view runs before the bound plot draws)."""
    from PySide6.QtCore import QTimer

    order: list[str] = []
    points_show, bound_show = window.points_view.show_state, window.bound_plot.show_state

    def points(model):
        points_show(model)
        order.append("points")
        QTimer.singleShot(0, lambda: order.append("event loop"))

    def bound(model):
        bound_show(model)
        order.append("bound")

    monkeypatch.setattr(window.points_view, "show_state", points)
    monkeypatch.setattr(window.bound_plot, "show_state", bound)
    action(window, "actionEStep").trigger()
    qtbot.waitUntil(lambda: "bound" in order, timeout=5_000)
    assert order[:3] == ["points", "event loop", "bound"]


@pytest.mark.parametrize("width", [290, 700])
def test_the_bound_plot_fits_its_column_with_a_shorter_title_when_narrow(qtbot, width):
    """Beside the k-means view at 1280 x 800 its column is about 290 px: the full title
    held the plot at its own width, so the newest iterations and the legend were cut off
    on the right. Narrow, the title is the short one and the plot fills the view."""
    from emviz.gui.bound_plot import BoundPlot

    plot = BoundPlot()
    qtbot.addWidget(plot)
    plot.resize(width, 300)
    plot.show()
    qtbot.waitExposed(plot)
    item = plot.getPlotItem()
    assert item.size().width() == pytest.approx(plot.viewport().width(), abs=1)
    short = width < 400
    assert item.titleLabel.text == ("ln p(X | θ) and L(q, θ)" if short
                                    else "ln p(X | θ) and its lower bound L(q, θ)")


def test_a_step_reaches_the_views_as_one_change_holding_its_e_and_m_states(qtbot, monkeypatch):
    """A Step's E-state waits for its M-state (up to STEP_HOLD_MS, here longer than the
    test), so the views draw the step once instead of drawing the E-state first and making
    the M-state wait for that frame; both half-steps are in the history."""
    import threading

    from emviz.gui import MainWindow, controller

    release = threading.Event()
    real = controller.fresh_run

    def m_waits(*args):  # the run, its M-step held back until the test says
        for state in real(*args):
            yield state
            if state.phase == "E":
                release.wait(60)

    monkeypatch.setattr(controller, "STEP_HOLD_MS", 600_000, raising=False)
    monkeypatch.setattr(controller, "fresh_run", m_waits)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    try:
        qtbot.waitUntil(lambda: len(w.history) == 1 and not w.controller.busy, timeout=20_000)
        changes: list[int] = []
        w.model.subscribe(lambda _aspects: changes.append(len(w.history)), {"history"})
        w.findChild(QAction, "actionStep").trigger()
        qtbot.waitUntil(lambda: w.controller.holding, timeout=20_000)
        assert len(w.history) == 1 and changes == []  # the E-state waits for its M-state
    finally:
        release.set()
    wait_for_history(qtbot, w, 3)
    assert changes == [3]
    assert [s.phase for s in w.history] == ["init", "E", "M"] and w.model.index == 2
    w.close()
