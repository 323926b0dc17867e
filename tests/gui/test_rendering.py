"""The fast point renderer: same picture as the simple path, exact under zoom and pan, and a
million points that load, play and close."""

from __future__ import annotations

import threading

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QImage, QWheelEvent

from emviz.engine import available as remote_available
from emviz.gui.point_cloud import RASTER_MIN_POINTS, PointCloudItem
from emviz.look.colors import blend, component_colors

from .conftest import wait_for_history
from .test_views import grab_rgb

WHITE = np.array([255, 255, 255])


def plot_with(qtbot, X, resp, palette, mode) -> tuple[pg.PlotWidget, PointCloudItem]:
    widget = pg.PlotWidget(background="w")
    qtbot.addWidget(widget)
    widget.resize(500, 400)
    item = PointCloudItem()
    item.mode = mode
    widget.addItem(item)
    widget.getPlotItem().hideAxis("left")
    widget.getPlotItem().hideAxis("bottom")
    widget.getPlotItem().setRange(xRange=(-3, 3), yRange=(-3, 3), padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    item.set_data(X, resp, palette)
    return widget, item


def centre_pixel(widget, pixels, x, y) -> np.ndarray:
    box = widget.getPlotItem().getViewBox()
    p = widget.mapFromScene(box.mapViewToScene(QPointF(x, y)))
    return pixels[p.y(), p.x()]


def test_raster_path_draws_the_same_picture_as_the_vector_path(qtbot):
    rng = np.random.default_rng(3)
    X = rng.uniform(-2.7, 2.7, size=(150, 2))
    resp = rng.dirichlet(np.full(3, 0.4), size=150)
    palette = component_colors(3)
    vector_widget, _ = plot_with(qtbot, X, resp, palette, "vector")
    raster_widget, raster_item = plot_with(qtbot, X, resp, palette, "raster")
    assert raster_item.raster
    a, b = grab_rgb(vector_widget), grab_rgb(raster_widget)
    assert a.shape == b.shape
    ink_a, ink_b = (np.abs(img - WHITE).sum(axis=2) > 60 for img in (a, b))
    overlap = (ink_a & ink_b).sum() / (ink_a | ink_b).sum()
    assert overlap > 0.7, overlap  # the same places inked, not shifted
    assert (ink_a & ink_b).sum() > 0.9 * ink_b.sum()
    expected = blend(resp, palette).astype(int)
    # Where points overlap, either renderer may draw another point on top: judge the
    # isolated points, whose colour is unambiguous.
    d = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1)) + np.eye(len(X)) * 9
    isolated = d.min(axis=1) > 0.15
    assert isolated.sum() > 50
    for (x, y), colour in zip(X[isolated], expected[isolated], strict=True):
        assert np.abs(centre_pixel(vector_widget, a, x, y) - colour).max() <= 12
        assert np.abs(centre_pixel(raster_widget, b, x, y) - colour).max() <= 12
    assert ink_b.sum() > 150 * 20  # dots, not single pixels


@pytest.mark.parametrize("size", [7.0, 14.0])
def test_a_vector_dot_is_round_on_screen(qtbot, size):
    """Qt draws a wide cosmetic point under a scaling transform as an oval (11 x 8 px for
    a 7 px dot): the dots are drawn in device pixels, where they are round."""
    widget, item = plot_with(qtbot, np.array([[0.0, 0.0]]), None, np.zeros((0, 3), np.uint8),
                             "vector")
    item.set_dot_size(size, 1)
    qtbot.wait(1)
    ink = np.abs(grab_rgb(widget) - WHITE).sum(axis=2) > 300  # the dot's grey, not the AA rim
    rows, cols = np.nonzero(ink)
    width, height = np.ptp(cols) + 1, np.ptp(rows) + 1
    assert width == height, (width, height)
    assert abs(width - size) <= 2, (width, size)


@pytest.mark.parametrize("n", [500, RASTER_MIN_POINTS + 30_000])
def test_zoom_and_pan_keep_points_under_the_cursor(qtbot, n):
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(-1.5, 0.3, size=(n - 1, 2)), [[1.5, 1.0]]]  # one point on its own
    resp = np.zeros((n, 2))
    resp[:, 0] = 1.0
    resp[-1] = (0.0, 1.0)
    palette = component_colors(2)
    widget, item = plot_with(qtbot, X, resp, palette, "auto")
    assert item.raster == (n > RASTER_MIN_POINTS)
    box = widget.getPlotItem().getViewBox()
    target = np.array([1.5, 1.0])
    cursor = widget.mapFromScene(box.mapViewToScene(QPointF(*target)))
    before = box.viewRect()
    wheel = QWheelEvent(QPointF(cursor), QPointF(widget.mapToGlobal(cursor)), QPoint(0, 0),
                        QPoint(0, 360), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    qtbot.wait(20)
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(widget.viewport(), wheel)
    after = box.viewRect()
    assert after.width() < 0.8 * before.width()  # zoomed in
    moved = widget.mapFromScene(box.mapViewToScene(QPointF(*target)))
    assert abs(moved.x() - cursor.x()) <= 2 and abs(moved.y() - cursor.y()) <= 2
    pixels = grab_rgb(widget)
    assert np.abs(pixels[moved.y(), moved.x()] - palette[1].astype(int)).max() <= 12
    box.translateBy(x=-0.4, y=0.3)  # pan: the point moves on screen, its colour with it
    panned = widget.mapFromScene(box.mapViewToScene(QPointF(*target)))
    assert (panned.x(), panned.y()) != (moved.x(), moved.y())
    pixels = grab_rgb(widget)
    assert np.abs(pixels[panned.y(), panned.x()] - palette[1].astype(int)).max() <= 12
    assert np.abs(pixels[moved.y(), moved.x()] - WHITE).max() <= 12  # nothing left behind


def test_a_million_points_load_play_and_close(qtbot):
    from emviz.gui import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    rng = np.random.default_rng(5)
    X = np.r_[rng.normal(-2, 1, (500_000, 2)), rng.normal(2, 1, (500_000, 2))]
    w.set_points(X)
    qtbot.waitUntil(lambda: len(w.history) == 1 and not w.controller.busy, timeout=60_000)
    assert w.points_view.cloud.raster
    w.controls.speed.setValue(0)
    play = w.findChild(QAction, "actionPlay")
    play.trigger()
    qtbot.waitUntil(lambda: len(w.history) >= 3, timeout=60_000)
    play.trigger()
    wait_for_history(qtbot, w, 3)
    assert w.history[2].phase == "M" and w.history[2].log_likelihood > w.history[0].log_likelihood
    assert w.controller._engine.running == remote_available()  # EM ran in the child process
    pixels = grab_rgb(w.points_view)
    assert len(np.unique(pixels.reshape(-1, 3)[::13], axis=0)) > 10
    w.close()
    assert not w.controller._engine.running


@pytest.mark.parametrize("scale", [1, 2])
def test_raster_points_stay_the_right_way_up_on_screen_and_in_exports(qtbot, scale):
    from emviz.gui.export import render_image

    rng = np.random.default_rng(1)
    X = rng.normal([0.0, 2.0], 0.3, size=(RASTER_MIN_POINTS + 5_000, 2))  # all in the top half
    widget, item = plot_with(qtbot, X, None, component_colors(1), "auto")
    assert item.raster
    image = render_image(widget, scale).convertToFormat(render_image(widget, 1).Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    pixels = rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)
    inked = np.nonzero(np.abs(pixels - WHITE).sum(axis=2) > 60)[0] / image.height()
    assert len(inked) > 1000
    assert np.median(inked) < 0.3  # y = 2 of a -3..3 view is near the top, at 1/6 of the height


def test_colours_prepared_a_turn_ahead_are_the_ones_set_data_would_draw(qtbot):
    rng = np.random.default_rng(8)
    X = rng.uniform(-3, 3, size=(30_000, 2))
    first, second = (np.asfortranarray(rng.dirichlet(np.ones(3), size=len(X))) for _ in range(2))
    palette = component_colors(3)
    prepared_widget, prepared = plot_with(qtbot, X, first, palette, "auto")
    fresh_widget, fresh = plot_with(qtbot, X, first, palette, "auto")
    for widget in (prepared_widget, fresh_widget):
        grab_rgb(widget)  # the first paint lays the points out for this view
    assert prepared.raster
    prepared.prepare(X, second, palette)
    image = prepared._prepared[1]
    prepared.set_data(X, second, palette)
    assert prepared._image is image  # swapped in, not coloured again
    fresh.set_data(X, second, palette)
    np.testing.assert_array_equal(grab_rgb(prepared_widget), grab_rgb(fresh_widget))
    prepared.prepare(X, second, palette)
    prepared.set_data(X, first, palette)  # other colours than prepared: coloured afresh
    fresh.set_data(X, first, palette)
    np.testing.assert_array_equal(grab_rgb(prepared_widget), grab_rgb(fresh_widget))


def test_views_of_the_same_points_compute_bounds_and_raster_layout_once(qtbot, monkeypatch):
    """Two views showing one data set at one extent and size (the gallery's panels) find the
    data's extent and map the points to pixels once between them, and draw the same picture."""
    from emviz.gui import point_cloud

    calls = {"extent": 0, "pixel_owners": 0}

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(point_cloud, "extent", counted("extent", point_cloud.extent))
    monkeypatch.setattr(point_cloud, "pixel_owners", counted("pixel_owners", point_cloud.pixel_owners))
    rng = np.random.default_rng(5)
    X = rng.uniform(-2.7, 2.7, size=(RASTER_MIN_POINTS + 1000, 2))
    resp = rng.dirichlet(np.full(3, 0.4), size=len(X))
    palette = component_colors(3)
    first, a = plot_with(qtbot, X, resp, palette, "auto")
    second, b = plot_with(qtbot, X, resp, palette, "auto")
    assert a.raster and b.raster
    assert a.dataBounds(0) == b.dataBounds(0) == (X[:, 0].min(), X[:, 0].max())
    assert a.dataBounds(1) == (X[:, 1].min(), X[:, 1].max())
    pictures = grab_rgb(first), grab_rgb(second)
    np.testing.assert_array_equal(*pictures)
    assert calls == {"extent": 1, "pixel_owners": 1}
    # Other points (a new data set) are measured and mapped again.
    Y = X + 0.1
    a.set_data(Y, resp, palette)
    grab_rgb(first)
    assert calls == {"extent": 2, "pixel_owners": 2}
    assert a.dataBounds(0) == (Y[:, 0].min(), Y[:, 0].max())


def large_layout_case(monkeypatch, seed: int) -> tuple[list[bool], tuple]:
    """Points enough to be laid out in the background, with soft r_nk and K = 3 colours, and
    the list that records, for each mapping of points to pixels, whether the GUI thread ran it."""
    from emviz.gui import point_cloud

    threads: list[bool] = []
    pixel_owners = point_cloud.pixel_owners

    def counted(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return pixel_owners(*args, **kwargs)

    monkeypatch.setattr(point_cloud, "pixel_owners", counted)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.7, 2.7, size=(point_cloud.LAYOUT_IN_BACKGROUND + 1000, 2))
    resp = rng.dirichlet(np.full(3, 0.4), size=len(X))
    return threads, (X, resp, component_colors(3))


def test_a_large_raster_view_maps_points_to_pixels_off_the_gui_thread(qtbot, monkeypatch, request):
    """From LAYOUT_IN_BACKGROUND points on, a view on screen maps its points to pixels in the
    job runner: its first picture comes when that arrives, and after a change of size
    (presentation mode, a resize, a zoom) the last image stands in, stretched, meanwhile.
    Each time the picture it settles on is the one a view laid out at that size draws; an
    export (a painter on an image) lays out at once."""
    from emviz.gui.export import render_image
    from emviz.gui.jobs import runner_for

    threads, (X, resp, palette) = large_layout_case(monkeypatch, seed=6)

    def settled_picture(widget, item) -> np.ndarray:
        grab_rgb(widget)  # a paint: asks for the layout
        qtbot.waitUntil(lambda: item.laid_out)
        return grab_rgb(widget)

    widget, item = plot_with(qtbot, X, resp, palette, "auto")
    request.addfinalizer(runner_for(widget).shutdown)  # the lanes of views outside any window
    first = settled_picture(widget, item)
    assert (first != 255).any() and item.background_layouts >= 1 and threads and not any(threads)
    widget.resize(420, 330)
    qtbot.waitUntil(lambda: widget.width() == 420)
    assert (grab_rgb(widget) != 255).any()  # the old image, stretched, meanwhile
    resized = settled_picture(widget, item)
    assert item.background_layouts >= 2
    fresh, fresh_item = plot_with(qtbot, X, resp, palette, "auto")
    fresh.resize(420, 330)
    qtbot.waitUntil(lambda: fresh.width() == 420)
    np.testing.assert_array_equal(resized, settled_picture(fresh, fresh_item))
    assert not any(threads)
    fresh.resize(380, 300)  # an export right after a change of size: laid out at once
    qtbot.waitUntil(lambda: fresh.width() == 380)
    exported = render_image(fresh, 1).convertToFormat(QImage.Format.Format_RGB888)
    assert threads[-1] and fresh_item.laid_out
    rows = np.frombuffer(exported.constBits(), np.uint8).reshape(exported.height(), -1)
    np.testing.assert_array_equal(rows[:, : 3 * exported.width()].reshape(300, 380, 3),
                                  grab_rgb(fresh))


def test_large_views_of_the_same_points_and_size_wait_for_one_background_layout(
        qtbot, monkeypatch, request):
    """The gallery's panels: views of the same 200,000+ points at one extent and size have
    one layout made in the background between them, and all draw it when it arrives."""
    from emviz.gui.jobs import runner_for

    threads, (X, resp, palette) = large_layout_case(monkeypatch, seed=7)
    views = [plot_with(qtbot, X, resp, palette, "auto") for _ in range(3)]
    request.addfinalizer(runner_for(views[0][0]).shutdown)
    for widget, _ in views:
        grab_rgb(widget)  # each paint would ask for the layout
    qtbot.waitUntil(lambda: all(item.laid_out for _, item in views) or
                    not any(item.layout_pending for _, item in views))
    pictures = [grab_rgb(widget) for widget, _ in views]
    assert all(item.laid_out for _, item in views)
    assert threads == [False]
    assert (pictures[0] != 255).any()
    for picture in pictures[1:]:
        np.testing.assert_array_equal(picture, pictures[0])
