"""Smooth motion's numbers (emviz.look.motion), without Qt: θ(t) and r(t) between two
half-steps, every Σ_k(t) positive definite, exact ends, the middle in the middle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emviz.core import Mixture
from emviz.look.colors import UNASSIGNED, blend
from emviz.look.motion import (
    ModelAt,
    can_glide,
    ease,
    glide_state,
    interpolate_covariances,
    interpolate_mixture,
    interpolate_resp,
    pose_between,
)


def test_ease_starts_and_ends_at_rest_and_halves_the_way_at_half_time():
    assert ease(0.0) == 0.0 and ease(1.0) == 1.0 and ease(0.5) == 0.5
    assert ease(-1.0) == 0.0 and ease(2.0) == 1.0
    s = np.linspace(0, 1, 101)
    values = np.array([ease(v) for v in s])
    assert np.all(np.diff(values) >= 0)
    assert values[1] < 0.01 and values[-2] > 0.99  # slow at both ends


def _spd(rng, k: int) -> np.ndarray:
    a = rng.normal(size=(k, 2, 2))
    return a @ np.swapaxes(a, 1, 2) + 0.05 * np.eye(2)


def test_covariances_glide_from_the_old_to_the_new_through_cholesky_factors():
    rng = np.random.default_rng(3)
    a, b = _spd(rng, 3), _spd(rng, 3)
    np.testing.assert_array_equal(interpolate_covariances(a, b, 0.0), a)
    np.testing.assert_array_equal(interpolate_covariances(a, b, 1.0), b)
    mid = interpolate_covariances(a, b, 0.5)
    factor = 0.5 * (np.linalg.cholesky(a) + np.linalg.cholesky(b))
    np.testing.assert_allclose(mid, factor @ np.swapaxes(factor, 1, 2))


def test_a_half_turn_of_a_thin_ellipse_stays_an_ellipse_all_the_way():
    """Σ^a long along x, Σ^b the same long along y: the plain mix (1 - t) Σ^a + t Σ^b is a
    fat circle halfway; the factors' mix is positive definite and its area never blows up."""
    a = np.array([[[4.0, 0.0], [0.0, 0.01]]])
    b = np.array([[[0.01, 0.0], [0.0, 4.0]]])
    for t in np.linspace(0, 1, 21):
        cov = interpolate_covariances(a, b, t)[0]
        np.testing.assert_allclose(cov, cov.T)
        assert np.linalg.eigvalsh(cov).min() > 0
        assert np.sqrt(np.linalg.det(cov)) <= 0.2 + 1e-12 + 2 * t * (1 - t) * 2.0  # bounded area


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), t=st.floats(0, 1))
def test_every_in_between_covariance_is_positive_definite(seed, t):
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-4, 4, size=(2, 1, 1, 1))
    a, b = scale[0] * _spd(rng, 4), scale[1] * _spd(rng, 4)
    cov = interpolate_covariances(a, b, t)
    np.testing.assert_allclose(cov, np.swapaxes(cov, 1, 2), rtol=1e-12, atol=0)
    for c in cov:
        np.linalg.cholesky(c)  # raises if not positive definite


def test_mixture_in_between_keeps_pi_on_the_simplex_and_moves_the_means_linearly():
    rng = np.random.default_rng(0)
    a = Mixture(np.array([0.2, 0.8]), rng.normal(size=(2, 2)), _spd(rng, 2))
    b = Mixture(np.array([0.6, 0.4]), rng.normal(size=(2, 2)), _spd(rng, 2))
    assert interpolate_mixture(a, b, 0.0) is a and interpolate_mixture(a, b, 1.0) is b
    mid = interpolate_mixture(a, b, 0.5)
    np.testing.assert_allclose(mid.weights, [0.4, 0.6])
    np.testing.assert_allclose(mid.means, 0.5 * (a.means + b.means))
    with pytest.raises(ValueError, match="same K"):
        interpolate_mixture(a, Mixture(np.ones(3) / 3, np.zeros((3, 2)), np.tile(np.eye(2), (3, 1, 1))), 0.5)


def test_responsibilities_glide_and_the_colours_with_them():
    palette = np.array([[200, 0, 0], [0, 0, 200]], dtype=np.uint8)
    a = np.array([[1.0, 0.0], [0.5, 0.5]])
    b = np.array([[0.0, 1.0], [0.5, 0.5]])
    resp, colors = interpolate_resp(a, b, palette, 0.5)
    np.testing.assert_allclose(resp, [[0.5, 0.5], [0.5, 0.5]])
    assert colors is palette and not resp.flags.writeable
    np.testing.assert_array_equal(blend(resp, colors)[0], [100, 0, 100])
    assert interpolate_resp(a, b, palette, 0.0)[0] is a
    assert interpolate_resp(a, b, palette, 1.0)[0] is b


def test_points_without_q_glide_from_grey_to_their_colours():
    """θ₀ has no q (points grey): the first E-step's colours fade in from the grey."""
    palette = np.array([[200, 0, 0], [0, 0, 200]], dtype=np.uint8)
    b = np.array([[1.0, 0.0], [0.0, 1.0]])
    resp, colors = interpolate_resp(None, b, palette, 0.5)
    assert resp.shape == (2, 3) and colors.shape == (3, 3)
    np.testing.assert_array_equal(colors[2], UNASSIGNED)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0)
    expected = np.rint(0.5 * palette[0] + 0.5 * UNASSIGNED.astype(float))
    np.testing.assert_array_equal(blend(resp, colors)[0], expected)
    assert interpolate_resp(None, None, palette, 0.5) == (None, palette)


def test_pose_and_state_at_phase_zero_half_and_one(converged_run):
    X, history = converged_run
    a, b = history[2], history[3]  # an E-step, then its M-step: θ moves, q stays
    palette = np.array([[230, 80, 30], [30, 90, 220]], dtype=np.uint8)
    start, end = pose_between(a, b, palette, 0.0), pose_between(a, b, palette, 1.0)
    assert start.mixture is a.mixture and end.mixture is b.mixture
    mid = pose_between(a, b, palette, 0.5)
    np.testing.assert_allclose(mid.mixture.means, 0.5 * (a.mixture.means + b.mixture.means))
    state, colors = glide_state(a, b, palette, 0.5)
    assert state.phase == b.phase and state.log_likelihood == b.log_likelihood
    assert glide_state(a, b, palette, 1.0) == (b, palette)
    assert can_glide(a, b, len(X)) and not can_glide(a, a, len(X)) and not can_glide(a, b, len(X) + 1)


def test_model_at_shows_another_state_and_a_shorter_history(long_run):
    class Model:
        history, index = long_run[1], 40
        points = long_run[0]
        identity = None

    at = ModelAt(Model(), Model.history[3], upto=3)
    assert at.current is Model.history[3] and at.index == 3 and len(at.history) == 4 and at.at_tip
    assert at.points is Model.points


def test_without_colours_only_theta_glides(converged_run):
    X, history = converged_run
    a, b = history[2], history[3]  # an M-step, then the next E-step: q changes
    palette = np.array([[230, 80, 30], [30, 90, 220]], dtype=np.uint8)
    pose = pose_between(a, b, palette, 0.5, colors=False)
    assert pose.resp is b.resp
    assert pose_between(a, b, palette, 0.5).resp is not b.resp


def test_a_theta_set_by_hand_is_drawn_at_once_and_a_glide_from_it_blends_its_colours(converged_run):
    """A drag must follow the mouse (no glide into a "hand" state), and the glide after it
    (its E-step) starts from the colours it showed: p(Z | X, θ) under the hand θ, not q."""
    from emviz.core.em import EMState

    X, history = converged_run
    m, e = history[3], history[4]  # an M-step, then the E-step after it
    shown = np.roll(m.resp, 1, axis=1)  # the posterior of some hand θ: not q
    shown.setflags(write=False)
    hand = EMState("hand", m.iteration, m.mixture, m.resp, m.log_likelihood, m.lower_bound,
                   component_mass=m.component_mass, posterior=shown)
    assert not can_glide(m, hand, len(X))
    assert can_glide(hand, e, len(X))
    palette = np.array([[230, 80, 30], [30, 90, 220]], dtype=np.uint8)
    start = pose_between(hand, e, palette, 0.0)
    np.testing.assert_array_equal(start.resp, shown)
