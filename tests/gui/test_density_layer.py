"""The density under the points: D toggles it (a view option), Shift+D adds each component's
lines in its colour; it follows θ and the view range, computed off the GUI thread."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from emviz.core.density_map import MASS_FRACTIONS, density_map, mass_levels, view_grid
from emviz.gui.density_layer import compute_picture
from emviz.look.colormap import density_rgba

from .conftest import loaded, wait_for_history


def layer(w):
    return w.feature("density").layer


def drawn_for(w, mixture, view_range=None) -> bool:
    """The layer shows the picture of ``mixture`` over the points view's current range."""
    feature = w.feature("density")
    key = feature._drawn
    if key is None or key[0] is not mixture or feature.busy:
        return False
    (x0, x1), (y0, y1) = view_range or w.points_view.getViewBox().viewRange()
    return key[1] == (x0, x1) and key[2] == (y0, y1)


def test_d_toggles_the_density_as_a_view_option(window, qtbot):
    w = window
    assert not layer(w).isVisible() and not w.model.options.show_density
    qtbot.keyClick(w, Qt.Key.Key_D)
    assert w.model.options.show_density and w.actions_by_name["actionDensity"].isChecked()
    w.redraw_now()
    qtbot.waitUntil(lambda: drawn_for(w, w.model.current.mixture), timeout=20_000)
    assert layer(w).isVisible()
    qtbot.keyClick(w, Qt.Key.Key_D)
    w.redraw_now()
    assert not w.model.options.show_density and not layer(w).isVisible()
    w.model.set_options(show_density=True)  # the model drives the action, not only the key
    w.redraw_now()
    assert w.actions_by_name["actionDensity"].isChecked()


def test_the_picture_is_cores_density_over_the_view(window, qtbot):
    w = window
    w.actions_by_name["actionStep"].trigger()
    wait_for_history(qtbot, w, 3)
    w.model.set_options(show_density=True)
    w.redraw_now()
    mixture = w.model.current.mixture
    qtbot.waitUntil(lambda: drawn_for(w, mixture), timeout=20_000)
    picture = layer(w).picture
    (x0, x1), (y0, y1) = w.points_view.getViewBox().viewRange()
    grid = view_grid((x0, x1), (y0, y1), 200)
    dm = density_map(mixture, grid)
    np.testing.assert_array_equal(picture.rgba, density_rgba(dm.log_density, dark=False))
    assert picture.rect == pytest.approx((x0, y0, x1 - x0, y1 - y0))
    assert picture.levels == mass_levels(dm.log_density, grid.cell_area, MASS_FRACTIONS)
    assert len(picture.lines) > 0 and len(picture.lines) % 2 == 0  # segment end points
    xs, ys = layer(w).lines.getData()
    np.testing.assert_array_equal(np.c_[xs, ys], picture.lines)
    # the layer lies under the points and takes no part in framing the view
    assert layer(w).zValue() < w.points_view.cloud.zValue()


def grab_rgb(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).copy()


def test_the_shading_is_seen_under_the_points(window, qtbot):
    w = window
    view = w.points_view
    before = grab_rgb(view)
    w.model.set_options(show_density=True)
    w.redraw_now()
    qtbot.waitUntil(lambda: drawn_for(w, w.model.current.mixture), timeout=20_000)
    after = grab_rgb(view)
    changed = np.any(before != after, axis=2)
    assert changed.mean() > 0.3  # a tint over much of the plot, not a few lines
    # the densest part is tinted darker (light theme: the colour runs away from white)
    picture = layer(w).picture
    row, col = np.unravel_index(np.argmax(picture.rgba[..., 3]), picture.rgba.shape[:2])
    assert picture.rgba[row, col, :3].sum() < 3 * 160


def test_it_follows_theta_and_the_view_range(window, qtbot):
    w = window
    w.model.set_options(show_density=True)
    w.redraw_now()
    qtbot.waitUntil(lambda: drawn_for(w, w.model.current.mixture), timeout=20_000)
    first = layer(w).picture
    w.actions_by_name["actionStep"].trigger()
    wait_for_history(qtbot, w, 3)
    qtbot.waitUntil(lambda: drawn_for(w, w.model.current.mixture), timeout=20_000)
    assert layer(w).picture is not first
    w.points_view.getViewBox().setRange(xRange=(-1.0, 0.5), yRange=(-1.0, 0.5), padding=0)
    qtbot.waitUntil(lambda: drawn_for(w, w.model.current.mixture), timeout=20_000)
    x0, y0, width, height = layer(w).picture.rect
    (vx0, vx1), (vy0, vy1) = w.points_view.getViewBox().viewRange()
    assert (x0, x0 + width) == pytest.approx((vx0, vx1)) and (y0, y0 + height) == pytest.approx((vy0, vy1))
    assert width < 3.0  # the zoomed range, not the first one


def test_shift_d_adds_each_components_lines_in_its_identity_colour(window, qtbot):
    w = window
    qtbot.keyClick(w, Qt.Key.Key_D, Qt.KeyboardModifier.ShiftModifier)
    assert w.model.options.show_component_density and w.model.options.show_density
    w.redraw_now()
    qtbot.waitUntil(lambda: drawn_for(w, w.model.current.mixture), timeout=20_000)
    palette = w.model.identity.em_palette(2)
    items = layer(w).component_lines
    for k in range(2):
        assert items[k].isVisible()
        assert items[k].opts["pen"].color().getRgb()[:3] == tuple(int(c) for c in palette[k])
        assert len(items[k].getData()[0]) > 0
    assert not any(item.isVisible() for item in items[2:])
    w.model.set_options(show_component_density=False)
    w.redraw_now()
    assert not any(item.isVisible() for item in items)


def test_compute_picture_does_not_depend_on_the_data(window):
    """The grid is the work: compute_picture never sees X, so 10⁶ points cost what 10 do."""
    mixture = window.model.current.mixture
    picture = compute_picture(mixture, (-3.0, 3.0), (-2.0, 2.0), dark=True)
    assert picture.rgba.shape == (133, 200, 4)
    assert len(picture.component_lines) == 2


def test_a_million_points_draw_the_density(window, qtbot):
    w = window
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(500_000, 2)) - 2, rng.normal(size=(500_000, 2)) + 2])
    w.show_data(X, name="a million points")
    qtbot.waitUntil(lambda: len(w.history) == 1 and not w.controller.busy, timeout=120_000)
    w.model.set_options(show_density=True)
    w.redraw_now()
    qtbot.waitUntil(lambda: drawn_for(w, w.model.current.mixture), timeout=60_000)
    assert layer(w).isVisible() and max(layer(w).picture.rgba.shape[:2]) == 200


def test_a_saved_session_keeps_the_density_switches(window, qtbot, tmp_path):
    w = window
    w.model.set_options(show_density=True, show_component_density=True)
    path = tmp_path / "density.emviz"
    assert w.files.save_session(str(path))
    w.model.set_options(show_density=False, show_component_density=False)
    w.redraw_now()
    assert loaded(qtbot, w, lambda: w.files.open_session(str(path)))
    assert w.model.options.show_density and w.model.options.show_component_density
    w.redraw_now()
    assert w.actions_by_name["actionDensity"].isChecked()
    assert w.actions_by_name["actionComponentDensity"].isChecked()


def test_the_dark_theme_redraws_it_light_on_dark(window, qtbot):
    w = window
    w.model.set_options(show_density=True)
    w.redraw_now()
    qtbot.waitUntil(lambda: drawn_for(w, w.model.current.mixture), timeout=20_000)
    light = layer(w).picture.rgba
    w.presentation.set_theme("dark")
    w.redraw_now()
    feature = w.feature("density")
    qtbot.waitUntil(lambda: feature._drawn is not None and feature._drawn[3] and not feature.busy,
                    timeout=20_000)
    dark = layer(w).picture.rgba
    peak = np.unravel_index(np.argmax(dark[..., 3]), dark.shape[:2])
    assert dark[peak][:3].sum() > light[peak][:3].sum()  # light on dark, dark on white
    assert layer(w).lines.opts["pen"].color().getRgb()[:3] == w.points_view.appearance.foreground
