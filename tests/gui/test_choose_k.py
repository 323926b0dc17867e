"""The "Choose K" tab: BIC and AIC against K, fitted in a thread while the tab is on screen,
and EM from N random starts, each start a dot that loads its seed when clicked."""

from __future__ import annotations

import dataclasses
import importlib
import threading

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSpinBox

from emviz.core import aic, bic, generate
from emviz.gui.teaching import choose_k as tab_module
from emviz.session.choose_k_runs import K_MAX_CURVE, criteria_curve

from .conftest import wait_for_history, wait_steady

TIMEOUT = 20_000
# The module (its package exports a class of the same name over it).
graphics_scene = importlib.import_module("pyqtgraph.GraphicsScene.GraphicsScene")


def show_tab(w):
    w.tabs.setCurrentWidget(w.feature("choose_k"))
    return w.feature("choose_k")


def wait_curve(qtbot, tab, n: int = K_MAX_CURVE) -> None:
    qtbot.waitUntil(lambda: len(tab.criteria.curve) == n and not tab.criteria.busy, timeout=TIMEOUT)


def widget_pos(plot, x: float, y: float):
    box = plot.getPlotItem().getViewBox()
    return plot.mapFromScene(box.mapViewToScene(QPointF(x, y)))


def click(qtbot, plot, x: float, y: float) -> None:
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos(plot, x, y))


def run_to_end(qtbot, w) -> None:
    """Reset has shown θ₀ of the new settings; run EM to its end."""
    wait_for_history(qtbot, w, 1)
    w.controller.advance(100_000)
    qtbot.waitUntil(lambda: bool(w.model.run_ended) and not w.controller.busy, timeout=TIMEOUT)


def slow_settings(w):
    """20,000 points and tol = 0 (every fit runs max_iter iterations): seconds of fitting."""
    w.show_data(generate(3, 20_000, separation=2.0, seed=1).X)
    w.controller.apply_settings(dataclasses.replace(w.model.settings, tol=0.0))
    w.controller.wait_idle()


def test_a_tab_that_is_a_registered_view(window):
    assert "choose_k" in window.features
    tab = window.feature("choose_k")
    assert window.features["choose_k"].views == (tab,)
    i = window.tabs.indexOf(tab)
    assert i >= 0 and window.tabs.tabText(i) == "Choose K"
    assert "BIC" in window.tabs.tabToolTip(i)
    assert tab in window.views


def test_the_curve_is_fitted_in_a_thread_only_once_the_tab_is_shown(window, qtbot, monkeypatch):
    threads = []

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        yield from criteria_curve(*args, **kwargs)

    monkeypatch.setattr(tab_module, "criteria_curve", recording)
    tab = window.feature("choose_k")
    qtbot.wait(tab_module.SETTLE_MS + 100)
    assert tab.criteria.curve == {} and not tab.busy and threads == []  # hidden: nothing
    show_tab(window)
    wait_curve(qtbot, tab)
    assert threads and all(t is not threading.main_thread() for t in threads)
    X, settings = window.points, window.model.settings
    expected = list(criteria_curve(X, settings))
    plot = tab.criteria
    np.testing.assert_array_equal(plot.bic_curve.xData, np.arange(1, K_MAX_CURVE + 1))
    np.testing.assert_array_equal(plot.bic_curve.yData, [c.bic for c in expected])
    np.testing.assert_array_equal(plot.aic_curve.yData, [c.aic for c in expected])
    for c, shown in zip(expected, plot.bic_curve.yData, strict=True):  # the core's BIC
        assert shown == pytest.approx(bic(X, c.best.mixture), rel=1e-12)
        assert c.aic == pytest.approx(aic(X, c.best.mixture), rel=1e-12)
    # The lowest BIC is ringed (K = 2 on Old Faithful) and the caption says so.
    assert list(plot.best_bic.getData()[0]) == [2.0]
    assert plot.best_bic.getData()[1][0] == min(c.bic for c in expected)
    assert "BIC is lowest at <b>K = 2</b>" in plot.caption.text()
    assert "Lower is better" in plot.caption.text()
    assert {label.text for _, label in plot.legend.items} == {"BIC", "AIC", "lowest BIC"}


def test_the_shaded_k_follows_the_k_spin_box(window, qtbot):
    tab = show_tab(window)
    wait_curve(qtbot, tab)
    band = tab.criteria.k_band
    assert band.getRegion() == pytest.approx((1.6, 2.4))
    box = window.findChild(QSpinBox, "kSpinBox")
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: band.getRegion() == pytest.approx((2.6, 3.4)), timeout=TIMEOUT)
    assert window.model.settings.k == 3 and band.isVisible()
    assert not tab.criteria.busy and len(tab.criteria.curve) == K_MAX_CURVE  # not refitted


def test_clicking_a_k_uses_it_with_its_best_seed(window, qtbot):
    tab = show_tab(window)
    wait_curve(qtbot, tab)
    point = tab.criteria.curve[3]
    click(qtbot, tab.criteria.plot, 3, point.bic)
    s = window.model.settings
    assert (s.k, s.seed) == (3, point.best.seed)
    run_to_end(qtbot, window)
    assert window.history[-1].log_likelihood == point.log_likelihood  # the plotted run


def test_new_data_refit_the_curve(window, qtbot):
    tab = show_tab(window)
    wait_curve(qtbot, tab)
    X = generate(3, 40, separation=3.0, seed=2).X[:6]  # six points: K = 1 .. 6
    window.set_points(X)
    wait_curve(qtbot, tab, 6)
    expected = list(criteria_curve(window.points, window.model.settings))
    np.testing.assert_array_equal(tab.criteria.bic_curve.xData, np.arange(1, 7))
    np.testing.assert_array_equal(tab.criteria.bic_curve.yData, [c.bic for c in expected])


def test_restarts_give_n_dots_and_a_click_loads_that_start(window, qtbot, monkeypatch):
    # pyqtgraph drops a pointer move that comes within 1/100 s of the one before it: freeze
    # its clock, as on a machine fast enough that every move lands in one millisecond, so
    # the hover below must not depend on how long the moves took.
    monkeypatch.setattr(graphics_scene, "getMillis", lambda: 1_000)
    tab = show_tab(window)
    window.controller.apply_settings(dataclasses.replace(window.model.settings, k=3))
    restarts = tab.restarts
    spin = restarts.n_starts
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "7")
    assert restarts.button.text() == "Run from 7 random starts"
    qtbot.mouseClick(restarts.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not restarts.busy and len(restarts.fits) == 7, timeout=TIMEOUT)
    seeds = [f.seed for f in restarts.fits]
    assert seeds == list(range(7))  # the window's seed (0) and the six after it
    x, y, pile = restarts.dot_positions()
    assert len(restarts.dots.points()) == 7
    np.testing.assert_array_equal(sorted(restarts.dots.getData()[0]), sorted(x))
    assert np.all(np.isfinite(x)) and (pile == 0).any()
    assert "7 starts" in restarts.status.text()
    # The window's own run (seed 0) is ringed.
    np.testing.assert_array_equal(restarts.ring.getData()[0], [x[0]])
    # Click the dot furthest from every other one (no neighbour can take the click).
    plot = restarts.plot
    pixels = np.array([[widget_pos(plot, a, b).x(), widget_pos(plot, a, b).y()]
                       for a, b in zip(x, y, strict=True)], dtype=float)
    gaps = np.linalg.norm(pixels[:, None] - pixels[None], axis=2) + np.eye(7) * 1e9
    chosen = int(np.argmax(np.where(np.arange(7) == 0, -1, gaps.min(axis=1))))  # not seed 0
    fit = restarts.fits[chosen]
    # Move away first: a move to the pixel an earlier test left the pointer on sends no event.
    qtbot.mouseMove(plot.viewport(), QPoint(1, 1))
    qtbot.mouseMove(plot.viewport(), widget_pos(plot, x[chosen], y[chosen]))  # the tooltip
    tip = plot.getPlotItem().getViewBox().toolTip()
    assert f"seed {fit.seed}: ln p = " in tip and f"{fit.iterations} iterations" in tip
    click(qtbot, plot, x[chosen], y[chosen])
    assert window.model.settings.seed == fit.seed and window.model.settings.k == 3
    run_to_end(qtbot, window)
    assert window.history[0].phase == "init" and window.history[-1].log_likelihood == fit.log_likelihood
    window.redraw_now()
    assert len(restarts.fits) == 7  # a new seed keeps the starts, and rings the loaded one
    np.testing.assert_array_equal(restarts.ring.getData()[0], [x[chosen]])
    # A new K makes them stale.
    window.controller.apply_settings(dataclasses.replace(window.model.settings, k=2))
    window.redraw_now()
    assert restarts.fits == [] and "run the starts again" in restarts.caption.text()


def test_hiding_the_tab_pauses_the_curve_and_showing_it_fits_only_the_rest(window, qtbot, monkeypatch):
    asked = []

    def recording(X, settings, ks, *args, **kwargs):
        asked.append(list(ks))
        yield from criteria_curve(X, settings, ks, *args, **kwargs)

    monkeypatch.setattr(tab_module, "criteria_curve", recording)
    slow_settings(window)
    tab = show_tab(window)
    criteria = tab.criteria
    qtbot.waitUntil(lambda: len(criteria.curve) >= 1, timeout=TIMEOUT)
    window.tabs.setCurrentIndex(0)
    assert not criteria._stream.busy  # stopped with the tab hidden
    fitted = set(criteria.curve)
    assert 1 <= len(fitted) < K_MAX_CURVE
    qtbot.wait(200)
    assert set(criteria.curve) == fitted
    show_tab(window)
    assert criteria._stream.busy
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=TIMEOUT)  # (recorded at the first next())
    assert asked == [list(range(1, K_MAX_CURVE + 1)),
                     [k for k in range(1, K_MAX_CURVE + 1) if k not in fitted]]
    window.tabs.setCurrentIndex(0)  # and leave nothing running


def test_closing_the_window_mid_fit_leaves_no_thread(window, qtbot):
    slow_settings(window)
    tab = show_tab(window)
    qtbot.waitUntil(lambda: tab.criteria._progress is not None, timeout=TIMEOUT)
    tab.restarts.run(5)
    qtbot.waitUntil(lambda: tab.restarts._progress is not None, timeout=TIMEOUT)
    assert tab.criteria.busy and tab.restarts.busy
    window.close()
    assert not tab.criteria.busy and not tab.restarts.busy
    # (the autouse guard in conftest fails the test if a QThread still runs)


def test_the_tab_stops_repainting_once_its_fits_are_done(window, qtbot):
    """No feedback loop (a caption that re-lays out the plots that resize the caption ...)."""
    from PySide6.QtWidgets import QApplication

    from .monkey import IDLE_MAX_PAINTS, IDLE_PROBE_MS, PaintCounter

    tab = show_tab(window)
    wait_curve(qtbot, tab)
    tab.restarts.run(4)
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT)
    for size in ((1280, 800), (640, 480), (1600, 900)):
        window.resize(*size)
        wait_steady(qtbot, lambda: (tab.criteria.plot.size(), tab.restarts.plot.size(),
                                    tab.criteria.caption.size(), tab.restarts.caption.size()))
        counter = PaintCounter(window)
        QApplication.instance().installEventFilter(counter)
        try:
            qtbot.wait(IDLE_PROBE_MS)
        finally:
            QApplication.instance().removeEventFilter(counter)
        assert max(counter.painted.values(), default=0) <= IDLE_MAX_PAINTS, counter.painted


@pytest.mark.parametrize("size", [(1280, 800), (900, 700), (1600, 900)])
def test_captions_never_overlap_the_plots(window, qtbot, size):
    """Wrapped captions get their height; a window too small for all of it scrolls the tab."""
    window.resize(*size)
    tab = show_tab(window)
    wait_curve(qtbot, tab)
    tab.restarts.run(10)
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT)
    window.redraw_now()

    def rows():
        return [tuple(view.layout().itemAt(i).geometry().getRect())
                for view in (tab.criteria, tab.restarts) for i in range(view.layout().count())]

    wait_steady(qtbot, rows)  # the captions' new heights are laid out
    for view in (tab.criteria, tab.restarts):
        rows = [view.layout().itemAt(i).geometry() for i in range(view.layout().count())]
        for upper, lower in zip(rows, rows[1:], strict=False):
            assert upper.bottom() < lower.top(), (upper, lower)
        assert view.plot.height() >= view.plot.minimumHeight()
        caption = view.caption
        assert caption.height() >= caption.heightForWidth(caption.width())
    assert tab.restarts.geometry().top() > tab.criteria.geometry().bottom()


def test_progress_is_redrawn_at_most_ten_times_a_second(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(tab_module.time, "monotonic", lambda: clock[0])
    throttle = tab_module.Throttle()
    assert throttle.due() and not throttle.due()
    clock[0] = tab_module.PROGRESS_S / 2
    assert not throttle.due()
    clock[0] = tab_module.PROGRESS_S
    assert throttle.due()


def test_showing_the_tab_before_a_frame_never_fits_the_old_data(window, qtbot):
    """New data, then the tab shown before the window's next frame: the fit waits for the
    new data to settle instead of starting on the old ones."""
    qtbot.waitUntil(lambda: not window.feature("choose_k").busy, timeout=TIMEOUT)  # (hidden: no fit)
    X = generate(2, 30, separation=3.0, seed=5).X
    window.model.set_points(X)  # no event processed: no frame has drawn it yet
    tab = show_tab(window)
    assert not tab.criteria._stream.busy and tab.criteria._settle.isActive()
    wait_curve(qtbot, tab)
    expected = list(criteria_curve(X, window.model.settings))
    np.testing.assert_array_equal(tab.criteria.bic_curve.yData, [c.bic for c in expected])


def test_presenting_the_plots_keep_a_readable_plot_area_and_nothing_runs_off_the_right(window, qtbot):
    """Presenting at 1280 x 800 the criteria curve had 53 px of plot area under its 18 pt
    axes and legend (the restarts strip 64), too short for a class to read the curve; and
    "Run from 10 random starts" beside "N = 10" made the page wider than the tab, its
    captions cut at the right ("BIC is lowest at K ="). Presenting, the plots keep at least
    PRESENT_PLOT_AREA_PX of plot area (the tab scrolls instead) and the page is as wide as
    the tab, the spin box under the button where they do not fit side by side."""
    tab = show_tab(window)
    wait_curve(qtbot, tab)
    window.lesson.hide()
    window.presentation.set_presenting(True)
    window.redraw_now()
    scroll = tab.findChild(object, "modelChoiceScroll")

    def areas() -> list[float]:
        return [view.plot.getPlotItem().getViewBox().sceneBoundingRect().height()
                for view in (tab.criteria, tab.restarts)]

    wait_steady(qtbot, lambda: (areas(), scroll.widget().width(), scroll.viewport().width()))
    assert min(areas()) >= tab_module.PRESENT_PLOT_AREA_PX, areas()
    assert scroll.widget().width() <= scroll.viewport().width()
    for label in (tab.criteria.caption, tab.restarts.caption):
        assert label.mapTo(scroll.viewport(), label.rect().topRight()).x() <= scroll.viewport().width()
    window.presentation.set_presenting(False)
    qtbot.waitUntil(lambda: tab.criteria.plot.minimumHeight() == 110)


def test_the_legend_never_covers_the_curves_however_short_or_narrow_the_plot(window, qtbot):
    """Choose K at K = 1 presenting at 1024 x 768: the criteria plot had about 100 px inside
    its axes, the headroom kept above the curves was a share of the values' range (0.45 of
    it), and the legend, 53 px of 18 pt text, covered the curves' first points (BIC and AIC
    of K = 1, the highest); "lowest BIC" stood past the plot's right edge. The headroom is
    the legend's own height in pixels now, and its labels take fewer columns when the row
    is wider than the plot."""
    from emviz.gui.audit import check_legends, check_plot

    tab = show_tab(window)
    window.controller.apply_settings(dataclasses.replace(window.model.settings, k=1))
    wait_curve(qtbot, tab)
    plot = tab.criteria.plot
    window.presentation.set_presenting(True)
    for width, height in ((400, 176), (300, 176), (500, 300)):
        plot.setMinimumSize(width, height)
        plot.setMaximumSize(width, height)
        wait_steady(qtbot, lambda: (plot.size(), tab.criteria.legend.boundingRect()))
        window.redraw_now()
        assert check_legends(plot) == [], (width, height)
        assert [f for f in check_plot(plot, True) if "lowest BIC" in f.where] == [], (width, height)
    window.presentation.set_presenting(False)


def curves_named_on_screen(view) -> set[str]:
    """The criteria curves a class can tell apart on screen: those the shown legend names, and
    those with their name written at their right end (a text item in the curve's colour,
    beginning within 30 px right of its last point and level with it)."""
    from PySide6.QtGui import QColor

    from emviz.gui.legend_room import shown_in_scene

    plot = view.plot
    named = {label.text for _, label in view.legend.items} if shown_in_scene(view.legend) else set()
    texts = [item for item in plot.scene().items()
             if isinstance(item, tab_module.pg.TextItem) and shown_in_scene(item)]
    for curve in (view.bic_curve, view.aic_curve):
        x, y = curve.getData()
        finite = np.isfinite(y)
        if not finite.any():
            continue
        end = widget_pos(plot, float(x[finite][-1]), float(y[finite][-1]))
        colour = QColor(curve.opts["pen"].color())
        for item in texts:
            ink = plot.mapFromScene(item.textItem.sceneBoundingRect()).boundingRect()
            if (item.textItem.toPlainText() == curve.name() and item.color == colour
                    and 0 <= ink.left() - end.x() <= 30 and ink.top() <= end.y() <= ink.bottom()):
                named.add(curve.name())
    return named


def test_bic_and_aic_are_named_on_screen_where_the_legend_has_no_room(window, qtbot):
    """Presenting at 1024 x 768 (and in the window at that size) the criteria plot is too
    short for its legend, which is left out so as not to cover the curves, and a class could
    not tell BIC from AIC: the axis title "BIC, AIC" says which are drawn, not which is
    which. Where the legend has no room, each curve's name is written at its right end in its
    colour, inside the plot and off the other curve's data; with room, the legend names them."""
    from emviz.gui.audit import check_legends, check_plot

    tab = show_tab(window)
    window.controller.apply_settings(dataclasses.replace(window.model.settings, k=1))
    wait_curve(qtbot, tab)
    plot = tab.criteria.plot
    for presenting, sizes in ((True, ((400, 176), (300, 176))), (False, ((300, 130), (600, 300)))):
        window.presentation.set_presenting(presenting)
        for width, height in sizes:
            plot.setMinimumSize(width, height)
            plot.setMaximumSize(width, height)
            wait_steady(qtbot, lambda: (plot.size(), tab.criteria.legend.boundingRect(),
                                        plot.getPlotItem().getViewBox().viewRange()))
            window.redraw_now()
            assert {"BIC", "AIC"} <= curves_named_on_screen(tab.criteria), (presenting, width, height)
            assert check_legends(plot) == [], (presenting, width, height)
            assert check_plot(plot, presenting) == [], (presenting, width, height)
    window.presentation.set_presenting(False)
