"""The four teaching tabs: "Why EM works" (f and its bound b along an M-step), ln p = L + KL,
the E/M equations with their numbers, and the point inspector (alt+click, hover)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QAction, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QWidget

from emviz.core import bound_slice, decomposition, responsibility_breakdown
from emviz.gui.teaching import decomposition as decomposition_module
from emviz.gui.teaching._shared import HIGHLIGHT
from emviz.gui.teaching.inspector import CAPTION
from emviz.gui.teaching.why import CURVE_B, CURVE_F, SUBSAMPLE, compute_slice, subsample_indices
from emviz.look.colors import component_colors

from .conftest import blobs, data_point, wait_for_history

VIEWS = ("whyPlot", "decompositionView", "equationsPanel", "pointInspector")


def action(w, name: str) -> QAction:
    return w.findChild(QAction, name)


def view(w, name: str) -> QWidget:
    """The view called ``name``, on screen (a tab page: its tab chosen), so it draws: views
    draw only when seen."""
    widget = w.findChild(QWidget, name)
    if widget is not None and w.tabs.indexOf(widget) >= 0:
        w.tabs.setCurrentWidget(widget)
    return widget


def step(w, qtbot, name: str) -> None:
    n = len(w.history)
    action(w, name).trigger()
    wait_for_history(qtbot, w, n + (2 if name == "actionStep" and w.history[-1].phase != "E" else 1))


def why_curves(w):
    """(ts, f, b) as given to the curves (getData() would return the display-clipped copy)."""
    plot = view(w, "whyPlot")
    data = plot.f_curve.xData, plot.f_curve.yData, plot.b_curve.yData
    return tuple(np.empty(0) if a is None else a for a in data)  # no data: None in pyqtgraph


def expected_slice(w, m_index: int, sample=None):
    X, m, e = w.points, w.history[m_index], w.history[m_index - 1]
    ts = w.findChild(QWidget, "whyPlot").f_curve.xData  # as drawn (not showing the tab)
    if sample is not None:
        return bound_slice(X[sample], m.resp[sample], e.mixture, m.mixture, ts)
    return bound_slice(X, m.resp, e.mixture, m.mixture, ts)


def grab_rgb(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)


# -- installation ------------------------------------------------------------------------------


def test_each_view_is_a_tab_page_and_a_registered_view(window):
    assert {"why", "decomposition", "equations", "inspector"} <= set(window.features)
    pages = [window.tabs.widget(i) for i in range(window.tabs.count())]
    for name in VIEWS:
        v = view(window, name)
        assert v is not None and v in pages, name
        assert v in window.views
    assert isinstance(view(window, "whyPlot"), pg.PlotWidget)


# -- why EM works --------------------------------------------------------------------------------


def test_why_plot_has_the_two_named_curves_a_legend_and_labelled_axes(window):
    plot = view(window, "whyPlot")
    names = sorted(item.name() for item in plot.getPlotItem().listDataItems() if item.name())
    assert names == sorted([CURVE_F, CURVE_B]) == sorted(["ln p(X | θ(t))", "L(q, θ(t))"])
    assert {label.text for _, label in plot.legend.items} == {CURVE_F, CURVE_B}
    item = plot.getPlotItem()
    assert item.getAxis("bottom").labelText == "t along θ_old → θ_new"
    assert item.getAxis("left").labelText


def test_why_plot_says_so_before_the_first_m_step(window, qtbot):
    plot = view(window, "whyPlot")
    assert len(why_curves(window)[0]) == 0 and "No M-step yet" in plot.caption.text
    step(window, qtbot, "actionEStep")
    assert len(why_curves(window)[0]) == 0 and plot.slice is None


def test_why_plot_draws_the_bound_touching_at_0_and_maximal_at_1(window, qtbot):
    step(window, qtbot, "actionEStep")
    step(window, qtbot, "actionMStep")
    ts, f, b = why_curves(window)
    assert len(ts) == 61 and np.all(np.diff(ts) > 0)
    i0, i1 = int(np.flatnonzero(ts == 0.0)[0]), int(np.flatnonzero(ts == 1.0)[0])
    assert ts[0] < 0 and ts[-1] > 1  # "a little beyond" the M-step on both sides
    f_ref, b_ref = expected_slice(window, 2)
    np.testing.assert_allclose(f, f_ref, rtol=1e-12)
    np.testing.assert_allclose(b, b_ref, rtol=1e-12)
    scale = abs(f[i0])
    assert b[i0] == pytest.approx(f[i0], abs=1e-9 * scale)  # touches at θ_old
    assert np.all(b <= f + 1e-9 * scale)  # a lower bound everywhere
    assert b[i1] >= b.max() - 1e-6 * scale  # the M-step maximised it
    assert f[i1] == pytest.approx(window.history[2].log_likelihood, rel=1e-10)
    assert b[i1] == pytest.approx(window.history[2].lower_bound, rel=1e-10)
    plot = view(window, "whyPlot")
    np.testing.assert_allclose(plot.touch.getData(), ([0.0], [f[i0]]))
    np.testing.assert_allclose(plot.b_max.getData(), ([1.0], [b[i1]]))
    caption = plot.caption.text.replace("−", "-")
    assert "f(1) ≥ b(1) ≥ b(0) = f(0)" in caption
    assert f"{f[i1]:.3f} ≥ {b[i1]:.3f} ≥ {b[i0]:.3f} = {f[i0]:.3f}" in caption


def test_why_plot_follows_the_history_slider(window, qtbot):
    step(window, qtbot, "actionStep")
    step(window, qtbot, "actionStep")
    step(window, qtbot, "actionStep")
    assert [s.phase for s in window.history] == ["init"] + ["E", "M"] * 3
    latest = why_curves(window)[2].copy()
    np.testing.assert_allclose(latest, expected_slice(window, 6)[1], rtol=1e-12)
    slider = window.history_slider
    slider.setValue(2)  # the M-step of iteration 1
    window.redraw_now()
    ts, f, b = why_curves(window)
    f_ref, b_ref = expected_slice(window, 2)
    np.testing.assert_allclose(b, b_ref, rtol=1e-12)
    np.testing.assert_allclose(f, f_ref, rtol=1e-12)
    assert not np.allclose(b[: len(latest)], latest[: len(b)])
    assert "iteration 1" in view(window, "whyPlot").getPlotItem().titleLabel.text
    slider.setValue(3)  # the E-step of iteration 2: still the slice of the M-step before it
    window.redraw_now()
    np.testing.assert_allclose(why_curves(window)[2], b_ref, rtol=1e-12)
    assert "made a new bound touch" in view(window, "whyPlot").caption.text
    slider.setValue(0)
    window.redraw_now()
    assert len(why_curves(window)[0]) == 0


def test_why_plot_uses_a_fixed_subsample_of_large_data_and_says_so(window, qtbot):
    n = SUBSAMPLE + 1000
    window.set_points(blobs(n, seed=3))
    wait_for_history(qtbot, window, 1)
    step(window, qtbot, "actionEStep")
    step(window, qtbot, "actionMStep")
    plot = view(window, "whyPlot")
    # Costly numbers are computed in the view's lane once its tab is shown, then drawn.
    window.tabs.setCurrentWidget(plot)
    qtbot.waitUntil(lambda: f"{SUBSAMPLE} of {n} points" in plot.getPlotItem().titleLabel.text,
                    timeout=10_000)
    sample = subsample_indices(n)
    assert len(sample) == SUBSAMPLE and np.array_equal(sample, subsample_indices(n))
    ts, f, b = why_curves(window)
    f_ref, b_ref = expected_slice(window, 2, sample)
    np.testing.assert_allclose(f, f_ref, rtol=1e-12)
    np.testing.assert_allclose(b, b_ref, rtol=1e-12)
    assert f"all {n} points" in plot.caption.text


def test_why_plot_waits_while_playing_hidden_and_catches_up(window, qtbot):
    step(window, qtbot, "actionStep")
    plot = view(window, "whyPlot")
    window.tabs.setCurrentIndex(0)  # another tab: the why plot is hidden
    assert not plot.isVisible()
    plot._playing = lambda: True
    step(window, qtbot, "actionStep")
    assert len(window.history) == 5
    np.testing.assert_allclose(plot.b_curve.yData, expected_slice(window, 2)[1], rtol=1e-12)
    plot._playing = lambda: False
    window.controller.playing_changed.emit(False)  # play stopped: draw what was skipped
    np.testing.assert_allclose(why_curves(window)[2], expected_slice(window, 4)[1], rtol=1e-12)


def test_playing_with_the_teaching_tabs_hidden_ends_on_the_newest_state(window, qtbot):
    window.controller.apply_settings(dataclasses.replace(window.model.settings, max_iter=4))
    wait_for_history(qtbot, window, 1)
    window.tabs.setCurrentIndex(0)
    action(window, "actionPlay").trigger()
    qtbot.waitUntil(lambda: not window.controller.playing and not window.controller.busy, timeout=30_000)
    window.redraw_now()
    tip = len(window.history) - 1
    assert window.model.index == tip and window.history[tip].phase == "M"
    np.testing.assert_allclose(why_curves(window)[2], expected_slice(window, tip)[1], rtol=1e-12)
    m = window.history[tip]
    assert view(window, "decompositionView").values == decomposition(window.points, m.resp, m.mixture)


def test_a_dropped_q_is_recomputed_from_theta_old_for_the_slice(window, qtbot):
    step(window, qtbot, "actionStep")
    X, e, m = window.points, window.history[1], window.history[2]
    with_q = compute_slice(X, m.resp, e.mixture, m.mixture, None)
    without_q = compute_slice(X, None, e.mixture, m.mixture, None)  # as after the model dropped it
    np.testing.assert_allclose(without_q.b, with_q.b, rtol=1e-12)
    np.testing.assert_allclose(without_q.f, with_q.f, rtol=1e-12)
    sample = subsample_indices(len(X), size=100)
    part = compute_slice(X, None, e.mixture, m.mixture, sample)
    assert part.n_used == 100 and part.n_points == len(X)
    assert part.b[part.i0] == pytest.approx(part.f[part.i0], rel=1e-12)  # b(0) = f(0) on any subset
    assert np.all(part.b <= part.f + 1e-9 * abs(part.f[part.i0]))  # and b <= f


# -- ln p = L + KL --------------------------------------------------------------------------------


def test_decomposition_shows_ln_p_as_l_plus_kl_and_l_as_q_plus_h(window, qtbot):
    v = view(window, "decompositionView")
    assert v.values is None and "No q yet" in v.readout.text()
    step(window, qtbot, "actionEStep")
    X, e = window.points, window.history[-1]
    expected = decomposition(X, e.resp, e.mixture)
    assert v.values == expected
    assert expected.kl == pytest.approx(0.0, abs=1e-9)
    assert "0 (q is the posterior)" in v.readout.text()
    step(window, qtbot, "actionMStep")
    m = window.history[-1]
    expected = decomposition(X, m.resp, m.mixture)
    assert v.values == expected and expected.kl > 0
    text = v.readout.text().replace("−", "-")
    for value in (expected.log_likelihood, expected.lower_bound, expected.kl, expected.q_term,
                  expected.entropy):
        assert f"{value:.3f}" in text
    assert "ln p rose by Δ" in text and "≥ ΔL" in text
    # The bars: L plus the KL segment reach exactly as far as ln p; Q plus H reach L.
    seg = {name: (item.opts["x0"][0], item.opts["x1"][0]) for name, item in v.segments.items()}
    assert seg["ln p"][1] == pytest.approx(expected.log_likelihood)
    assert seg["L"][1] == pytest.approx(expected.lower_bound)
    assert seg["KL"] == pytest.approx((expected.lower_bound, expected.lower_bound + expected.kl))
    assert seg["KL"][1] == pytest.approx(seg["ln p"][1])
    assert seg["Q"][1] == pytest.approx(expected.q_term) and seg["H"][1] == pytest.approx(seg["L"][1])
    assert seg["ln p"][0] == seg["L"][0] == seg["Q"][0]  # one common left edge
    assert v.segments["KL"].isVisible()


def test_with_very_many_points_the_decomposition_reads_ln_p_and_l_from_the_run(window, qtbot, monkeypatch):
    monkeypatch.setattr(decomposition_module, "EXACT_MAX_POINTS", 100)  # Old Faithful has 272
    step(window, qtbot, "actionStep")
    m = window.history[-1]
    exact = decomposition(window.points, m.resp, m.mixture)
    shown = view(window, "decompositionView").values
    for name in ("log_likelihood", "lower_bound", "kl", "q_term", "entropy"):
        assert getattr(shown, name) == pytest.approx(getattr(exact, name), rel=1e-9, abs=1e-9)
    assert "from the run" in view(window, "decompositionView").readout.text()


# -- equations ------------------------------------------------------------------------------------


def test_equations_highlight_the_half_step_that_just_ran(window, qtbot):
    panel = view(window, "equationsPanel")
    e_text, m_text = panel.e_label.text(), panel.m_label.text()
    assert "r<sub>nk</sub>" in e_text and "N<sub>k</sub> / N" in m_text
    assert panel.highlighted is None and HIGHLIGHT not in panel.e_label.styleSheet()
    step(window, qtbot, "actionEStep")
    assert panel.highlighted == "E"
    assert HIGHLIGHT in panel.e_label.styleSheet() and HIGHLIGHT not in panel.m_label.styleSheet()
    assert "just ran" in panel.e_label.text() and "just ran" not in panel.m_label.text()
    step(window, qtbot, "actionMStep")
    assert panel.highlighted == "M"
    assert HIGHLIGHT in panel.m_label.styleSheet() and HIGHLIGHT not in panel.e_label.styleSheet()


def test_equations_show_the_chosen_components_numbers(window, qtbot):
    step(window, qtbot, "actionEStep")
    step(window, qtbot, "actionMStep")
    panel = view(window, "equationsPanel")
    state = window.history[-1]
    nk = state.resp.sum(axis=0)
    assert panel.component.count() == 2
    assert f"N<sub>k</sub> = {nk[0]:.2f}" in panel.numbers.text()
    panel.component.setCurrentIndex(1)
    panel.component.activated.emit(1)  # what choosing the item in the list does
    assert window.model.selected_component == 1
    window.redraw_now()
    text = panel.numbers.text().replace("−", "-")
    assert f"N<sub>k</sub> = {nk[1]:.2f}" in text
    assert f"{state.mixture.weights[1]:.3f}" in text
    assert f"{state.mixture.means[1][0]:.3f}" in text and f"{state.mixture.covariances[1][0, 1]:.3f}" in text
    window.controller.apply_settings(dataclasses.replace(window.model.settings, k=3))
    wait_for_history(qtbot, window, 1)
    assert panel.component.count() == 3 and panel.component.currentIndex() == 1


# -- point inspector ------------------------------------------------------------------------------


def alt_click(w, qtbot, x: float, y: float) -> None:
    qtbot.mouseClick(w.points_view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.AltModifier, data_point(w, x, y))


def test_alt_click_selects_the_nearest_point_and_shows_its_responsibilities(window, qtbot):
    step(window, qtbot, "actionEStep")
    X, state = window.points, window.history[-1]
    i = int(np.argmax(np.minimum(state.resp[:, 0], state.resp[:, 1])))  # a point split between both
    sx, sy = window.points_view.pixel_size()
    n_points = len(X)
    alt_click(window, qtbot, X[i, 0] + 2 * sx, X[i, 1] - 2 * sy)  # a little off the point
    qtbot.waitUntil(lambda: window.model.selected_point is not None)
    window.redraw_now()
    assert len(window.points) == n_points  # alt+click adds no point
    nearest = int(np.argmin(np.hypot((X[:, 0] - X[i, 0] - 2 * sx) / sx, (X[:, 1] - X[i, 1] + 2 * sy) / sy)))
    assert window.model.selected_point == nearest
    inspector = view(window, "pointInspector")
    assert window.tabs.currentWidget() is inspector
    heights = np.asarray(inspector.bars.opts["height"])
    assert heights.sum() == pytest.approx(1.0)
    expected = responsibility_breakdown(X[nearest], state.mixture)
    np.testing.assert_allclose(heights, expected.resp)
    np.testing.assert_allclose(heights, state.resp[nearest], rtol=1e-9)
    colors = [brush.color().getRgb()[:3] for brush in inspector.bars.opts["brushes"]]
    assert colors == [tuple(int(c) for c in rgb) for rgb in component_colors(2)]
    table = inspector.table.text()
    for k in range(2):
        assert f"{expected.resp[k]:.4f}" in table
    assert inspector.caption.text() == CAPTION
    rings = [ring.getData() for ring in inspector.ring]
    for rx, ry in rings:
        np.testing.assert_allclose([rx[0], ry[0]], X[nearest])
    # What the projector shows: each bar is drawn in its component's colour.
    pixels = grab_rgb(inspector.plot)
    box = inspector.plot.getPlotItem().getViewBox()
    for k, rgb in enumerate(component_colors(2)):
        if heights[k] < 0.1:
            continue
        p = inspector.plot.mapFromScene(box.mapViewToScene(QPointF(k + 1, heights[k] / 2)))
        # the commonest colour around the bar's middle (a grid line may cross the very pixel)
        patch = pixels[p.y() - 4:p.y() + 5, p.x() - 4:p.x() + 5].reshape(-1, 3)
        colours, counts = np.unique(patch, axis=0, return_counts=True)
        assert np.abs(colours[np.argmax(counts)] - rgb.astype(int)).max() <= 3


def test_after_an_m_step_the_bars_are_the_e_steps_q_and_dashed_the_next(window, qtbot):
    step(window, qtbot, "actionEStep")
    step(window, qtbot, "actionMStep")
    window.model.select_point(5)
    window.redraw_now()
    inspector = view(window, "pointInspector")
    m = window.history[-1]
    np.testing.assert_allclose(inspector.bars.opts["height"], m.resp[5], rtol=1e-9)
    np.testing.assert_allclose(inspector.next_bars.opts["height"],
                               responsibility_breakdown(window.points[5], m.mixture).resp)


def test_alt_click_on_empty_space_clears_the_selection(window, qtbot):
    window.model.select_point(3)
    window.redraw_now()
    box = window.points_view.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = box.viewRange()
    X = window.points
    # The emptiest corner of the view: no point within the pick radius there.
    corners = [(x0 + 0.03 * (x1 - x0), y, ) for y in (y0 + 0.03 * (y1 - y0), y1 - 0.03 * (y1 - y0))]
    far = max(corners, key=lambda c: np.min(np.hypot(X[:, 0] - c[0], X[:, 1] - c[1])))
    alt_click(window, qtbot, *far)
    qtbot.waitUntil(lambda: window.model.selected_point is None)
    window.redraw_now()
    inspector = view(window, "pointInspector")
    assert inspector.breakdown is None and len(inspector.bars.opts["height"]) == 0
    assert all(len(ring.getData()[0]) == 0 for ring in inspector.ring)


def test_hovering_over_a_point_shows_its_responsibilities_as_a_tooltip(window, qtbot):
    step(window, qtbot, "actionEStep")
    X = window.points
    vp = window.points_view.viewport()
    shown = []  # the offscreen platform cannot raise a tooltip window, so record what is shown
    tips = window.features["inspector"].parts["hover_tips"]
    tips.show_text = lambda where, text, widget: shown.append(text)
    pos = data_point(window, *X[7])
    event = QHelpEvent(QEvent.Type.ToolTip, pos, vp.mapToGlobal(pos))
    assert QApplication.sendEvent(vp, event)
    r = window.history[-1].resp[7]
    assert len(shown) == 1
    assert "Alt+click" in shown[0] and f"{r[0]:.2f}" in shown[0] and f"{r[1]:.2f}" in shown[0]
    # Away from every point the view's own tooltip (its instructions) is left to Qt.
    box = window.points_view.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = box.viewRange()
    corner = data_point(window, x0 + 0.02 * (x1 - x0), y1 - 0.02 * (y1 - y0))
    if tips.point_at(corner) is None:
        assert not tips.eventFilter(
            vp, QHelpEvent(QEvent.Type.ToolTip, corner, vp.mapToGlobal(corner)))
        assert len(shown) == 1


# -- screenshots ----------------------------------------------------------------------------------


def test_each_tab_fits_at_1280_by_800(window, qtbot, tmp_path):
    step(window, qtbot, "actionEStep")
    step(window, qtbot, "actionMStep")
    window.model.select_point(0)
    window.resize(1280, 800)
    for name in VIEWS:
        v = view(window, name)
        window.tabs.setCurrentWidget(v)
        window.redraw_now()
        qtbot.wait(10)
        assert window.grab().save(str(tmp_path / f"{name}.png"))
    panel = view(window, "equationsPanel")
    assert panel.verticalScrollBar().maximum() == 0  # both steps and the numbers, no scrolling
    inspector = view(window, "pointInspector")
    assert inspector.table_scroll.verticalScrollBar().maximum() == 0


def test_on_screen_while_playing_a_costly_slice_is_computed_off_the_gui_thread(window, qtbot, monkeypatch):
    import threading

    from emviz.gui.teaching import why as why_module

    threads: list[str] = []
    original = why_module.compute_slice

    def recording(*args):
        threads.append(threading.current_thread().name)
        return original(*args)

    monkeypatch.setattr(why_module, "compute_slice", recording)
    window.set_points(blobs(3_000, seed=4))  # above BACKGROUND_MIN_POINTS
    wait_for_history(qtbot, window, 1)
    plot = view(window, "whyPlot")
    window.tabs.setCurrentWidget(plot)
    step(window, qtbot, "actionStep")
    # Not playing, costly: in its thread too (it used to be computed at once on the GUI thread).
    qtbot.waitUntil(lambda: len(threads) == 1 and not plot._compute_thread.busy, timeout=10_000)
    assert threads[0] != "MainThread"
    plot._playing = lambda: True
    step(window, qtbot, "actionStep")  # the M-step of iteration 2, "while playing"
    qtbot.waitUntil(lambda: len(threads) >= 2 and not plot._compute_thread.busy, timeout=10_000)
    assert threads[1:] == [threads[1]] and threads[1] != "MainThread"  # once, in its thread
    qtbot.waitUntil(lambda: plot.slice is not None and "iteration 2" in plot.getPlotItem().titleLabel.text,
                    timeout=10_000)  # drawn once ready
    np.testing.assert_allclose(why_curves(window)[2], expected_slice(window, 4, plot._sample)[1], rtol=1e-12)


def test_the_why_plot_fills_its_tab_after_it_narrows(qtbot):
    """Its wrapped caption is part of the plot's layout: the caption's wrap width must follow
    the view before the layout does, or the plot keeps the old, wider layout and its right
    part (θ_new, the end of the title) is cut off (seen in the lesson's chapter 9)."""
    from emviz.gui.teaching.why import WhyPlot

    view = WhyPlot(playing=lambda: False)
    qtbot.addWidget(view)
    view.resize(640, 400)
    view.show()
    qtbot.waitExposed(view)
    view.caption.setText("−531.941 ≥ −535.650 ≥ −538.196 = −538.196 " * 3)
    view.resize(432, 400)
    qtbot.waitUntil(lambda: view.getPlotItem().size().width()
                    == pytest.approx(view.viewport().width(), abs=1))


def test_the_point_table_is_never_cut_at_the_right_of_a_narrow_tab(window, qtbot):
    """Beside the lesson at 1024 x 768 the table (k, π_k N(x_n | μ_k, Σ_k), r_nk) was 278 px
    wide in a 269 px view with no scroll bar: the r_nk column was cut. It is narrower now
    (it fits there), and in a narrower column still it scrolls, its last row not under the
    scroll bar."""
    from emviz.gui.audit import check_scroll_width

    step(window, qtbot, "actionEStep")
    window.model.select_point(0)
    inspector = view(window, "pointInspector")
    window.redraw_now()
    qtbot.waitUntil(lambda: inspector.breakdown is not None)
    assert inspector.table.sizeHint().width() <= 269
    scroll = inspector.table_scroll
    window.splitter.setSizes([1000] * (window.splitter.count() - 1) + [150])  # a narrow column
    qtbot.waitUntil(lambda: scroll.viewport().width() < inspector.table.sizeHint().width())
    window.redraw_now()
    assert check_scroll_width(scroll) == []
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() == 0)


def test_the_point_page_in_a_short_tab_keeps_every_part_inside_and_apart(window, qtbot):
    """Presenting beside the lesson the Point tab's page is 144-186 px high: the bars kept
    their 175 px, the page's parts were laid over each other and the caption was cut to
    30-44 px of its 62-93. In a page that short the bars give way (down to a least height)
    and every text is whole or in a scroll area: no part reaches out of the page, none lies
    on another, the caption is as tall as its lines."""
    from emviz.gui.teaching.inspector import PointInspector

    step(window, qtbot, "actionEStep")
    window.model.select_point(0)
    host = QWidget()  # a tab's page: its size set from outside, whatever its minimum
    qtbot.addWidget(host)
    host.resize(430, 160)
    page = PointInspector(parent=host)
    page.setGeometry(0, 0, 430, 160)
    host.show()
    qtbot.waitExposed(host)
    page.show_state(window.model)
    parts = [page.header_scroll, page.plot, page.table_scroll]
    qtbot.waitUntil(lambda: all(part.geometry().bottom() <= page.rect().bottom() for part in parts))
    for upper, lower in zip(parts, parts[1:], strict=False):
        assert upper.geometry().bottom() < lower.geometry().top()
    caption = page.caption
    assert caption.isVisibleTo(page) and caption.height() >= caption.heightForWidth(caption.width())
    assert page.table_scroll.isAncestorOf(caption)  # scrolled to with the table, never cut
