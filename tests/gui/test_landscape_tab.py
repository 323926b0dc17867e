"""The Landscape tab: ln p(X | θ) and L(q, θ) as μ_k moves, computed only while shown, coarse
then fine, equal to the core's numbers; EM's path of μ_k; the bound's peak where the M-step
puts μ_k."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from emviz.core import Mixture, log_likelihood, lower_bound
from emviz.gui.teaching.landscape import frame

from .conftest import wait_for_history


def view(w):
    return w.feature("landscape")


def fine_for(w, state, k) -> bool:
    v = view(w)
    return (not v.busy and v.landscape is not None and v.landscape.k == k
            and v.landscape.grid.shape == (64, 64) and v._wanted is not None
            and v._wanted[1] is state)


def moved(mixture: Mixture, k: int, m) -> Mixture:
    means = np.array(mixture.means)
    means[k] = m
    return Mixture(mixture.weights, means, mixture.covariances)


def step_e(w, qtbot) -> None:
    n = len(w.history)
    w.actions_by_name["actionEStep"].trigger()
    wait_for_history(qtbot, w, n + 1)


def test_hidden_it_computes_nothing(window, qtbot):
    w = window
    for _ in range(2):
        w.actions_by_name["actionStep"].trigger()
        wait_for_history(qtbot, w, len(w.history) + 1)
    w.redraw_now()
    assert view(w).landscape is None and not view(w).busy and w.view_is_stale(view(w))


def test_maps_equal_cores_log_likelihood_and_lower_bound(window, qtbot):
    w = window
    step_e(w, qtbot)
    w.show_tab(view(w))
    w.redraw_now()
    state = w.model.current
    qtbot.waitUntil(lambda: fine_for(w, state, 0), timeout=30_000)
    land = view(w).landscape
    X, resp, mixture = w.points, state.resp, state.mixture
    for row, col in ((0, 0), (63, 63), (20, 41), (40, 12)):
        m = (land.grid.xs[col], land.grid.ys[row])
        assert land.log_likelihood[row, col] == pytest.approx(
            log_likelihood(X, moved(mixture, 0, m)), rel=1e-11)
        assert land.lower_bound[row, col] == pytest.approx(
            lower_bound(X, resp, moved(mixture, 0, m)), rel=1e-11)
    # over the data's frame, padded as the points view frames new data
    (x0, x1), (y0, y1) = frame(X, np.array([s.mixture.means[0] for s in w.history]))
    assert land.grid.xs[0] - (x1 - x0) / 128 == pytest.approx(x0)
    assert land.grid.ys[-1] + (y1 - y0) / 128 == pytest.approx(y1)
    assert x0 < X[:, 0].min() and y1 > X[:, 1].max()


def test_the_bound_peaks_where_the_m_step_puts_the_mean(window, qtbot):
    w = window
    step_e(w, qtbot)
    w.show_tab(view(w))
    w.model.select_component(1)
    w.redraw_now()
    state = w.model.current
    qtbot.waitUntil(lambda: fine_for(w, state, 1), timeout=30_000)
    target = view(w).landscape.target
    xs, ys = view(w).b_items.target.getData()
    assert (xs[0], ys[0]) == (target[0], target[1])  # ▲ drawn there
    n = len(w.history)
    w.actions_by_name["actionMStep"].trigger()
    wait_for_history(qtbot, w, n + 1)
    np.testing.assert_allclose(w.model.current.mixture.means[1], target, rtol=1e-12, atol=1e-12)
    w.redraw_now()
    state = w.model.current
    qtbot.waitUntil(lambda: fine_for(w, state, 1), timeout=30_000)
    assert "is at L's peak" in view(w).caption.text()  # now after the M-step
    np.testing.assert_allclose(view(w).landscape.target, target, rtol=1e-12, atol=1e-12)


def test_path_of_the_mean_through_the_history(window, qtbot):
    w = window
    for _ in range(3):
        w.actions_by_name["actionStep"].trigger()
        wait_for_history(qtbot, w, len(w.history) + 1)
    w.show_tab(view(w))
    w.redraw_now()
    xs, ys = view(w).f_items.path.getData()
    expected = np.array([s.mixture.means[0] for s in w.history])
    np.testing.assert_array_equal(np.c_[xs, ys], expected)
    now = view(w).f_items.now.getData()
    assert (now[0][0], now[1][0]) == tuple(w.model.current.mixture.means[0])
    palette = w.model.identity.em_palette(2)
    assert view(w).f_items.path.opts["pen"].color().getRgb()[:3] == tuple(int(c) for c in palette[0])


def test_refines_from_16_to_64(window, qtbot, monkeypatch):
    w = window
    step_e(w, qtbot)
    shapes = []
    original = type(view(w))._draw
    monkeypatch.setattr(type(view(w)), "_draw",
                        lambda self, land: (shapes.append(land.grid.shape), original(self, land)))
    monkeypatch.setattr("emviz.gui.jobs._Worker._publish", _publish_each(monkeypatch))
    w.show_tab(view(w))
    w.redraw_now()
    state = w.model.current
    qtbot.waitUntil(lambda: fine_for(w, state, 0), timeout=30_000)
    assert shapes == [(16, 16), (64, 64)]


def _publish_each(monkeypatch):
    """A worker that waits until the GUI took each item before the next (so both arrive)."""
    import threading

    from emviz.gui.jobs import _Worker

    original = _Worker._publish

    def publish(self, generation, item):
        original(self, generation, item)
        taken = threading.Event()
        while not taken.wait(0.005):
            with self._lock:
                if not self._buffer:
                    taken.set()
            if self._stop.is_set():
                return

    return publish


def test_the_chooser_picks_the_component(window, qtbot):
    w = window
    step_e(w, qtbot)
    w.show_tab(view(w))
    w.redraw_now()
    chooser = view(w).chooser
    assert chooser.count() == 2
    chooser.setFocus()
    qtbot.keyClick(chooser, Qt.Key.Key_Down)  # a real key on the real combo box
    assert w.model.selected_component == 1
    w.redraw_now()
    state = w.model.current
    qtbot.waitUntil(lambda: fine_for(w, state, 1), timeout=30_000)


def test_before_the_first_e_step_only_ln_p(window, qtbot):
    w = window
    w.show_tab(view(w))
    w.redraw_now()
    state = w.model.current
    qtbot.waitUntil(lambda: fine_for(w, state, 0), timeout=30_000)
    assert view(w).landscape.lower_bound is None
    assert "Take an E-step" in view(w).caption.text()
