"""Smooth motion in the window: the points view glides between half-steps, driven here by a
fake clock (never by waiting), and is off where it must be."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QAction

from emviz.gui.glide import set_reduce_motion, still
from emviz.gui.preferences import REDUCE_MOTION_KEY, app_settings, install_preferences, read_preferences
from emviz.look.colors import point_colors
from emviz.look.geometry import ellipse
from emviz.look.motion import ease, interpolate_covariances

from .conftest import wait_for_history


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def gliding(window):
    """The window with motion on and a clock the test moves."""
    glide = window.feature("glide")
    clock = FakeClock()
    glide.clock = clock
    set_reduce_motion(window, False)
    return window, glide, clock


def drawn(view) -> dict:
    """What the points view has drawn: mean markers, 1σ ellipses, point colours."""
    means = np.c_[view.means.getData()]
    ellipses = [np.c_[pair[0].getData()] for pair in view._ellipses if pair[0].isVisible()]
    cloud = view.cloud
    colors = point_colors(cloud._resp, cloud._palette, cloud._soft, cloud.n_points)
    return {"means": means, "ellipses": ellipses, "colors": np.asarray(colors, dtype=int)}


def step_and_draw(window, qtbot, n: int) -> None:
    window.controller.step_m() if window.controller.next_phase() == "M" else window.controller.step_e()
    wait_for_history(qtbot, window, n)
    window.redraw_now()


def test_an_m_step_glides_means_and_ellipses_from_old_to_new(gliding, qtbot):
    window, glide, clock = gliding
    view = window.points_view
    step_and_draw(window, qtbot, 2)  # E-step: the colours glide in from grey
    clock.now += 1.0
    glide.tick()
    assert not glide.gliding
    old = window.model.current
    before = drawn(view)
    step_and_draw(window, qtbot, 3)  # M-step: θ moves
    new = window.model.current
    assert glide.gliding
    at_0 = drawn(view)
    np.testing.assert_allclose(at_0["means"], old.mixture.means)
    for a, b in zip(at_0["ellipses"], before["ellipses"], strict=True):
        np.testing.assert_allclose(a, b)

    clock.now += glide.seconds / 2
    glide.tick()
    at_half = drawn(view)
    np.testing.assert_allclose(at_half["means"], 0.5 * (old.mixture.means + new.mixture.means))
    halfway = interpolate_covariances(old.mixture.covariances, new.mixture.covariances, 0.5)
    for j, line in enumerate(at_half["ellipses"]):  # the 1σ ellipse of Σ_k(½) around μ_k(½)
        np.testing.assert_allclose(line, ellipse(at_half["means"][j], halfway[j], 1.0), atol=1e-12)
    assert glide.gliding

    clock.now += glide.seconds / 2
    glide.tick()
    assert not glide.gliding
    at_1 = drawn(view)
    np.testing.assert_allclose(at_1["means"], new.mixture.means)
    window.redraw_now()  # the real drawing of the new state: the same
    np.testing.assert_allclose(drawn(view)["means"], at_1["means"])
    for a, b in zip(drawn(view)["ellipses"], at_1["ellipses"], strict=True):
        np.testing.assert_allclose(a, b)


def test_the_first_e_step_fades_the_points_from_grey_to_their_colours(gliding, qtbot):
    window, glide, clock = gliding
    view = window.points_view
    grey = drawn(view)["colors"]
    assert len(np.unique(grey, axis=0)) == 1  # θ₀: no q, every point grey
    step_and_draw(window, qtbot, 2)
    np.testing.assert_array_equal(drawn(view)["colors"], grey)  # phase 0
    clock.now += glide.seconds / 2
    glide.tick()
    half = drawn(view)["colors"]
    clock.now += glide.seconds
    glide.tick()
    final = drawn(view)["colors"]
    assert ease(0.5) == 0.5
    np.testing.assert_allclose(half, 0.5 * (grey + final), atol=1.0)  # rounding
    assert np.abs(final - grey).max() > 50


def test_a_step_during_a_glide_jumps_to_the_new_state(gliding, qtbot):
    window, glide, clock = gliding
    step_and_draw(window, qtbot, 2)
    assert glide.gliding
    clock.now += glide.seconds / 4
    step_and_draw(window, qtbot, 3)  # mid-glide: no queue, straight to the M-step's θ
    assert not glide.gliding
    np.testing.assert_allclose(drawn(window.points_view)["means"], window.model.current.mixture.means)


def test_reduce_motion_and_exports_draw_each_state_at_once(gliding, qtbot):
    window, glide, clock = gliding
    action = window.findChild(QAction, "actionReduceMotion")
    action.trigger()
    assert action.isChecked() and not glide.enabled
    step_and_draw(window, qtbot, 2)
    assert not glide.gliding
    action.trigger()
    step_and_draw(window, qtbot, 3)
    assert glide.gliding
    with still(window):  # an export: the newest state, and no glide starts meanwhile
        np.testing.assert_allclose(drawn(window.points_view)["means"], window.model.current.mixture.means)
        step_and_draw(window, qtbot, 4)
        assert not glide.gliding
    assert glide.enabled


def test_playing_faster_than_a_glide_does_not_glide(gliding, qtbot):
    window, glide, clock = gliding
    window.controller.steps_per_second = 2.0  # a half-step every 500 ms: room for a glide
    assert glide.allowed()
    window.controller._playing = True
    try:
        window.controller.steps_per_second = 20.0  # every 50 ms: faster than 200 ms
        assert not glide.allowed()
        window.controller.steps_per_second = 0.0  # as fast as possible
        assert not glide.allowed()
    finally:
        window.controller._playing = False
    assert glide.allowed()


def test_reduce_motion_is_a_preference(qtbot, window):
    install_preferences(window)
    assert window.feature("glide").enabled  # the interactive app glides by default
    window.findChild(QAction, "actionReduceMotion").trigger()
    window.close()
    assert app_settings().value(REDUCE_MOTION_KEY) == "true"
    assert read_preferences().reduce_motion


def test_a_scripted_window_never_glides(window, qtbot):
    assert not window.feature("glide").enabled
    window.controller.step()
    wait_for_history(qtbot, window, 3)
    window.redraw_now()
    assert not window.feature("glide").gliding
