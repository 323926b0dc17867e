"""K-means first: the split view, its own half-steps, lockstep with EM, and the hand-over to EM."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QThread
from PySide6.QtGui import QAction

from emviz.core import kmeans_mixture, kmeans_plus_plus, run_kmeans
from emviz.gui.teaching import kmeans_mode
from emviz.gui.teaching.kmeans_mode import cells_polyline, voronoi_cells
from emviz.look.colors import component_colors

from .conftest import blobs, wait_for_history, wait_steady
from .test_views import grab_rgb


def action(w, name: str) -> QAction:
    return w.findChild(QAction, name)


def kmeans_view(w) -> pg.PlotWidget:
    return w.findChild(pg.PlotWidget, "kmeansView")


def reference_states(w, k: int | None = None):
    """What run_kmeans yields from the k-means++ seeds of the settings' seed."""
    s = w.model.settings
    k = s.k if k is None else k
    X = w.points
    return list(run_kmeans(X, kmeans_plus_plus(X, k, np.random.default_rng(s.seed)), s.max_iter))


def set_k(w, qtbot, k: int) -> None:
    w.controller.apply_settings(dataclasses.replace(w.model.settings, k=k))
    wait_for_history(qtbot, w, 1)


def mode_on(w):
    action(w, "actionKMeansMode").trigger()
    w.redraw_now()
    return w.feature("kmeans_mode")


def shown_centers(w) -> np.ndarray:
    x, y = w.feature("kmeans_mode").view.centers.getData()
    return np.c_[x, y]


def test_mode_splits_the_view_and_hides_it_again(window):
    view = kmeans_view(window)
    splitter = window.centralWidget()
    # in the page that stood for it beside the points view until it was first needed
    assert splitter.indexOf(view.parentWidget()) == splitter.indexOf(window.points_view) + 1
    assert not view.isVisible()
    assert not action(window, "actionKMeansStep").isVisible()  # no stray shortcuts while off
    mode_on(window)
    assert view.isVisible() and view.width() > 200 and window.points_view.width() > 200
    assert action(window, "actionKMeansStep").isVisible()
    assert window.feature("kmeans_mode").run.current.phase == "init"
    assert "k-means · iteration 0" in view.getPlotItem().titleLabel.text
    assert "EM · iteration 0" in window.points_view.getPlotItem().titleLabel.text
    action(window, "actionKMeansMode").trigger()
    assert not view.isVisible()
    assert not action(window, "actionKMeansStep").isVisible()


@pytest.mark.parametrize("name, shortcut", [
    ("actionKMeansMode", "Ctrl+K"), ("actionKMeansAssign", "Shift+A"), ("actionKMeansUpdate", "Shift+U"),
    ("actionKMeansStep", "Shift+Space"), ("actionKMeansReset", "Shift+R"),
    ("actionKMeansLockstep", "Shift+L"), ("actionKMeansGaussians", "Shift+G"),
])
def test_actions_name_their_shortcuts(window, name, shortcut):
    a = action(window, name)
    assert a.shortcut().toString() == shortcut and shortcut in a.toolTip()
    assert action(window, "actionKMeansMode").isCheckable()
    assert action(window, "actionKMeansLockstep").isCheckable()


def test_centres_follow_run_kmeans_half_step_by_half_step_and_j_never_increases(window, qtbot):
    set_k(window, qtbot, 3)
    mode = mode_on(window)
    expected = reference_states(window)
    assert len(expected) > 5
    np.testing.assert_array_equal(shown_centers(window), expected[0].centers)
    for i, state in enumerate(expected[1:], start=1):
        name = "actionKMeansAssign" if state.phase == "assign" else "actionKMeansUpdate"
        other = "actionKMeansUpdate" if state.phase == "assign" else "actionKMeansAssign"
        assert action(window, name).isEnabled() and not action(window, other).isEnabled()
        action(window, name).trigger()
        window.redraw_now()
        got = mode.run.history[i]
        assert (got.phase, got.iteration) == (state.phase, state.iteration)
        np.testing.assert_array_equal(got.labels, state.labels)
        np.testing.assert_array_equal(shown_centers(window), state.centers)
        title = kmeans_view(window).getPlotItem().titleLabel.text
        assert f"iteration {state.iteration}" in title and f"{state.inertia:.4g}" in title
    inertia = [s.inertia for s in mode.run.history[1:]]
    assert np.all(np.diff(inertia) <= 1e-9 * np.abs(inertia[:-1]))
    assert mode.run.ended == "converged"
    assert not action(window, "actionKMeansStep").isEnabled()
    assert "converged" in kmeans_view(window).getPlotItem().titleLabel.text


def test_points_take_their_cluster_colour_and_the_cells_their_centre_tint(window, qtbot):
    rng = np.random.default_rng(2)
    window.set_points(np.r_[rng.normal(-2, 0.9, (40, 2)), rng.normal(2, 0.9, (40, 2))])
    wait_for_history(qtbot, window, 1)
    mode = mode_on(window)
    view = kmeans_view(window)
    view.getPlotItem().setRange(xRange=(-5, 5), yRange=(-5, 5), padding=0)
    action(window, "actionKMeansStep").trigger()
    action(window, "actionKMeansAssign").trigger()  # (after an update, dashed moves cross points)
    window.redraw_now()
    state = mode.run.current
    assert (state.phase, state.iteration) == ("assign", 2)
    pixels = grab_rgb(view)
    c0, c1 = state.centers
    px = view.getViewBox().viewPixelSize()[0]
    palette = component_colors(2).astype(int)
    stars = np.array([[q.x(), q.y()] for q in (view.data_to_widget(*c) for c in state.centers)])
    checked = 0
    for (x, y), k in zip(window.points, state.labels, strict=True):
        p = view.data_to_widget(x, y)
        if np.min(np.hypot(*(stars - (p.x(), p.y())).T)) <= 19:
            continue  # under a centre's star (halo 36 px across)
        to_bisector = abs(np.dot((x, y) - (c0 + c1) / 2, c1 - c0)) / np.linalg.norm(c1 - c0)
        if to_bisector < 5 * px:
            continue  # under the cell boundary
        assert np.abs(pixels[p.y(), p.x()] - palette[k]).max() <= 12  # colour binning + AA
        checked += 1
    assert checked > 40
    # Away from the points, the background is the faint tint of the nearest centre's cell.
    tint = np.round(255 + (palette - 255) * kmeans_mode.CELL_ALPHA / 255)
    for x, y in ((-4.37, 2.43), (4.43, -2.37), (-4.63, -0.37), (4.63, 0.13), (-0.37, -4.63)):
        assert np.min(np.hypot(*(window.points - (x, y)).T)) > 0.5
        assert abs(np.dot((x, y) - (c0 + c1) / 2, c1 - c0)) / np.linalg.norm(c1 - c0) > 10 * px
        k = int(np.argmin(np.hypot(*(state.centers - (x, y)).T)))
        p = view.data_to_widget(x, y)
        assert np.abs(pixels[p.y(), p.x()] - tint[k]).max() <= 8


def test_reset_draws_the_same_kmeans_plus_plus_seeds(window, qtbot):
    mode = mode_on(window)
    seeds = kmeans_plus_plus(window.points, 2, np.random.default_rng(window.model.settings.seed))
    action(window, "actionKMeansStep").trigger()
    action(window, "actionKMeansStep").trigger()
    first = [s.centers for s in mode.run.history]
    action(window, "actionKMeansReset").trigger()
    assert len(mode.run.history) == 1
    np.testing.assert_array_equal(mode.run.current.centers, seeds)
    action(window, "actionKMeansStep").trigger()
    action(window, "actionKMeansStep").trigger()
    for a, b in zip(first, [s.centers for s in mode.run.history], strict=True):
        np.testing.assert_array_equal(a, b)


def test_lockstep_advances_both_views_by_one_iteration(window, qtbot):
    mode = mode_on(window)
    action(window, "actionKMeansLockstep").trigger()
    action(window, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    assert (window.history[-1].phase, window.history[-1].iteration) == ("M", 1)
    assert (mode.run.current.phase, mode.run.current.iteration) == ("update", 1)
    action(window, "actionEStep").trigger()  # the E-step's hard cousin is the assignment
    wait_for_history(qtbot, window, 4)
    assert (mode.run.current.phase, mode.run.current.iteration) == ("assign", 2)
    action(window, "actionMStep").trigger()
    wait_for_history(qtbot, window, 5)
    assert (mode.run.current.phase, mode.run.current.iteration) == ("update", 2)
    assert "EM · iteration 2" in window.points_view.getPlotItem().titleLabel.text
    assert "k-means · iteration 2" in kmeans_view(window).getPlotItem().titleLabel.text
    action(window, "actionKMeansLockstep").trigger()  # off: EM steps alone
    action(window, "actionStep").trigger()
    wait_for_history(qtbot, window, 7)
    assert mode.run.current.iteration == 2


def test_gaussians_from_these_clusters_start_em(window, qtbot):
    set_k(window, qtbot, 3)
    mode = mode_on(window)
    assert not action(window, "actionKMeansGaussians").isEnabled()  # no partition yet
    for _ in range(2):
        action(window, "actionKMeansStep").trigger()
    labels, X = mode.run.current.labels, window.points
    before = window.history[0]
    action(window, "actionKMeansGaussians").trigger()
    qtbot.waitUntil(lambda: bool(window.history) and window.history[0] is not before
                    and not window.controller.busy, timeout=20_000)
    window.redraw_now()
    init = window.history[0]
    expected = kmeans_mixture(X, labels, 3)
    assert init.phase == "init"
    np.testing.assert_allclose(init.mixture.weights, expected.weights)
    np.testing.assert_allclose(init.mixture.means, expected.means)
    np.testing.assert_allclose(init.mixture.covariances, expected.covariances)
    x, y = window.points_view.means.getData()  # the points view shows that θ₀
    np.testing.assert_allclose(np.c_[x, y], expected.means)
    assert len(mode.run.history) == 5  # k-means keeps its own history
    action(window, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    assert window.history[-1].log_likelihood >= init.log_likelihood


def test_new_data_or_k_restarts_kmeans(window, qtbot):
    mode = mode_on(window)
    action(window, "actionKMeansStep").trigger()
    window.set_points(blobs(80))
    wait_for_history(qtbot, window, 1)
    assert mode.run.X is window.points and len(mode.run.history) == 1
    set_k(window, qtbot, 4)
    assert len(mode.run.current.centers) == 4
    np.testing.assert_array_equal(mode.run.current.centers, reference_states(window)[0].centers)


def test_zooming_either_view_shows_the_same_region_in_both(window, qtbot):
    mode_on(window)
    em_box = window.points_view.getViewBox()
    km_box = kmeans_view(window).getViewBox()
    em_box.setRange(xRange=(-1.0, 1.0), yRange=(-1.0, 1.0), padding=0)
    np.testing.assert_allclose(km_box.targetRect().getCoords(), em_box.targetRect().getCoords())
    km_box.scaleBy((2.0, 2.0))
    km_box.sigRangeChangedManually.emit([True, True])
    np.testing.assert_allclose(em_box.targetRect().getCoords(), km_box.targetRect().getCoords())


#: More range changes than this in one view after a resize is a feedback loop, not a layout.
RANGE_CHANGES_LIMIT = 40


def _settle_after_resizes(window, qtbot, sizes) -> dict:
    """Resize to each size; after a short settle, count each view's range changes for 0.4 s.

    An aspect-locked view whose y tick labels change width with the range can feed back (label
    width -> view width -> y range -> labels) for ever, so that the event loop never idles and
    qtbot.wait never returns. A guard stops such a loop by fixing the axis widths (the test then
    fails on the count instead of hanging the suite)."""
    views = {"EM": window.points_view, "k-means": kmeans_view(window)}
    counts = dict.fromkeys(views, 0)
    worst: dict = {}

    def counter(name):
        def count(*_args) -> None:
            counts[name] += 1
            if counts[name] > RANGE_CHANGES_LIMIT:
                for view in views.values():
                    view.getPlotItem().getAxis("left").setWidth(80)

        return count

    for name, view in views.items():
        view.getViewBox().sigRangeChanged.connect(counter(name))
    for size in sizes:
        window.resize(*size)
        qtbot.wait(250)
        counts.update(dict.fromkeys(views, 0))
        qtbot.wait(400)
        worst[size] = dict(counts)
        for view in views.values():
            view.getPlotItem().getAxis("left").setWidth(None)  # undo the guard, if it acted
    return worst


@pytest.mark.parametrize("zoom", [None, 1.0], ids=["framed data", "zoomed to the unit square"])
def test_both_views_go_idle_after_resizes_to_tall_windows(window, qtbot, zoom):
    """Issue #11: at 1195x1311 the GUI thread repainted axes for ever. Seen here on the old code
    with the EM view zoomed to [-1, 1]² in windows about 1226 px wide: the left axis went 52.6 ->
    37.5 -> 52.6 px wide and the y range ±4.19 -> ±3.98 -> ±4.19, 50 times a second."""
    mode_on(window)
    if zoom is not None:
        window.points_view.getViewBox().setRange(xRange=(-zoom, zoom), yRange=(-zoom, zoom),
                                                 padding=0)
    sizes = [(1195, 1311), (800, 1400), (1000, 1600), (1280, 800)]
    if zoom is not None:
        sizes += [(width, 1311) for width in range(1222, 1238, 3)]
    counts = _settle_after_resizes(window, qtbot, sizes)
    looping = {size: c for size, c in counts.items() if max(c.values()) > 2}
    assert looping == {}
    em = window.points_view.getViewBox()
    np.testing.assert_allclose(kmeans_view(window).getViewBox().targetRect().getCoords(),
                               em.targetRect().getCoords())


def test_the_left_axis_narrows_again_when_the_view_is_zoomed_back(window, qtbot):
    """The aspect-locked views' left axis only widens while their size changes (above), but a
    new region asked for still fits it to its labels, narrower ones too."""
    box, axis = window.points_view.getViewBox(), window.points_view.getPlotItem().getAxis("left")
    box.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    narrow = wait_steady(qtbot, axis.width)
    box.setRange(xRange=(-1, 1), yRange=(-12345.6, -12345.0), padding=0)  # labels like -12345.2
    qtbot.waitUntil(lambda: axis.width() > narrow + 20, timeout=5000)
    box.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    qtbot.waitUntil(lambda: axis.width() == pytest.approx(narrow, abs=1), timeout=5000)


def test_large_data_steps_in_a_worker_thread_that_stops_with_the_window(window, qtbot):
    rng = np.random.default_rng(3)
    X = np.r_[rng.normal(-2, 0.6, (13_000, 2)), rng.normal(2, 0.6, (13_000, 2))]
    window.set_points(X)
    wait_for_history(qtbot, window, 1)
    mode = mode_on(window)
    assert mode.run.threaded
    assert mode.run.wait_idle()
    thread = mode.run.lane.thread
    assert isinstance(thread, QThread) and thread.isRunning()
    assert thread is not QThread.currentThread()
    expected = reference_states(window)
    action(window, "actionKMeansStep").trigger()
    assert mode.run.busy  # the GUI thread did not compute it
    assert mode.run.wait_idle()
    window.redraw_now()
    for got, want in zip(mode.run.history, expected[:3], strict=True):
        np.testing.assert_array_equal(got.centers, want.centers)
    np.testing.assert_array_equal(shown_centers(window), expected[2].centers)
    window.close()
    assert not thread.isRunning()


# -- Qt-free maths ---------------------------------------------------------------------------
def _inside(poly: np.ndarray, p: np.ndarray, eps: float = 1e-9) -> bool:
    edges = np.roll(poly, -1, axis=0) - poly
    cross = edges[:, 0] * (p[1] - poly[:, 1]) - edges[:, 1] * (p[0] - poly[:, 0])
    return bool(np.all(cross >= -eps) or np.all(cross <= eps))


def _area(poly: np.ndarray) -> float:
    x, y = poly.T
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


@pytest.mark.parametrize("seed", range(5))
def test_voronoi_cells_are_where_argmin_puts_the_points(seed):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-3, 3, (int(rng.integers(1, 9)), 2))
    rect = (-4.0, 5.0, -3.5, 4.0)
    cells = voronoi_cells(centers, rect)
    assert sum(_area(c) for c in cells if len(c)) == pytest.approx(9.0 * 7.5)
    grid = np.c_[rng.uniform(rect[0], rect[1], 400), rng.uniform(rect[2], rect[3], 400)]
    nearest = np.argmin(((grid[:, None, :] - centers[None]) ** 2).sum(-1), axis=1)
    for p, k in zip(grid, nearest, strict=True):
        assert _inside(cells[k], p)


def test_a_duplicate_centre_has_an_empty_cell_and_outlines_are_one_polyline():
    cells = voronoi_cells(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]), (-2, 2, -2, 2))
    assert len(cells[2]) == 0
    np.testing.assert_allclose(sorted(set(np.round(cells[0][:, 0], 12))), [-2.0, 0.5])
    line = cells_polyline(cells)
    assert np.isnan(line).any(axis=1).sum() == 2  # two non-empty cells, a break after each


def test_the_kmeans_view_shows_each_new_dataset(window, qtbot):
    """With the mode on, choosing dataset after dataset redraws the k-means view on each one's
    points. (Its redraw was skipped when the new run's first state happened to get the id of
    the old run's, just freed: the view kept the old data.)"""
    mode = mode_on(window)
    for key in ("separated", "faithful", "ring", "moons", "overlapping", "faithful", "elongated"):
        window.load_dataset(key)
        wait_for_history(qtbot, window, 1)
        window.redraw_now()
        shown = mode.view.cloud._xy
        assert shown.shape == window.points.shape and np.array_equal(shown, window.points), key


def test_the_titles_stay_inside_their_views_when_a_left_axis_widens_after_the_fit(window, qtbot):
    """A left axis takes the width of its tick labels only when drawn: presenting at 1024 x 768
    the k-means title was fitted beside an axis 29 px wide that became 61 px, and ran 27 px
    out of its view. The title spans the axis' column too and is fitted to the view's own
    width: an axis widened after the fit moves nothing out of the view."""
    from emviz.gui.audit import check_plot

    window.resize(1024, 768)
    window.actions_by_name["actionKMeansMode"].setChecked(True)
    view = window.feature("kmeans_mode").view
    label = view.getPlotItem().titleLabel
    qtbot.waitUntil(lambda: view.isVisible() and label.text != "")
    wait_steady(qtbot, lambda: (view.size(), label.text), polls=10)
    axis = view.getPlotItem().getAxis("left")
    # as wide as leaves the plot area only the room of the title's longest word
    axis.setWidth(view.width() - label.item.boundingRect().width() * 0.75)

    def label_findings() -> list[str]:
        return [str(f) for f in check_plot(view, False) if " label " in f.where]

    wait_steady(qtbot, lambda: (label.item.mapRectToScene(label.item.boundingRect()), axis.width()))
    assert label_findings() == []
