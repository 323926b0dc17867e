"""Degenerate data and starts: each asserts the exact behaviour, and no state is ever NaN/inf."""

from __future__ import annotations

import math

import numpy as np
import pytest

from emviz.core import (
    COVARIANCE_TYPES,
    INIT_METHODS,
    Mixture,
    continue_em,
    e_step,
    initialize,
    kmeans,
    lower_bound,
    m_step,
    run_em,
)

from .helpers import assert_finite_state

EPS = np.finfo(float).eps


def run_all(X, start, covariance_type="full", reg_covar=1e-6, max_iter=20):
    states = list(run_em(X, start, covariance_type, reg_covar, tol=0, max_iter=max_iter))
    for state in states:
        assert_finite_state(state)
    return states


# --- a component whose points all leave ------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_component_whose_points_all_leave(covariance_type):
    """Component 1 starts 100 σ from every point: its responsibilities underflow to exactly 0.

    Then, as in scikit-learn, N_1 = 10 eps, so π_1 ≈ 10 eps / N, μ_1 = 0 (the origin: Σ r x / N_1
    with r = 0) and Σ_1 = reg_covar · I; the run goes on with finite numbers throughout and
    every state from the first E-step on names component 1 as degenerate.
    """
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 2)) + [3.0, -2.0]
    start = Mixture([0.5, 0.5], [[3.0, -2.0], [100.0, 100.0]], np.array([np.eye(2)] * 2))
    reg = 1e-4
    states = run_all(X, start, covariance_type, reg)
    first_e, first_m = states[1], states[2]
    assert np.all(first_e.resp[:, 1] == 0.0)
    for state in states[1:]:
        assert 1 in state.degenerate
        assert 0 not in state.degenerate
    theta = first_m.mixture
    np.testing.assert_array_equal(theta.means[1], [0.0, 0.0])
    assert theta.weights[1] == pytest.approx(10 * EPS / 80, rel=1e-6)
    if covariance_type != "tied":
        np.testing.assert_allclose(theta.covariances[1], reg * np.eye(2), rtol=1e-12, atol=0)
    # the surviving component is the plain fit to all the points
    np.testing.assert_allclose(theta.means[0], X.mean(axis=0), rtol=1e-12)


def test_degenerate_names_a_component_with_under_one_point_of_mass():
    """N_k < 1 point's worth of responsibility is degenerate; 1 or more is not."""
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [5.0, 5.0]])
    start = Mixture([0.75, 0.25], [[0.03, 0.03], [5.0, 5.0]], [0.01 * np.eye(2), 0.01 * np.eye(2)])
    e = run_all(X, start, max_iter=1)[1]
    assert e.resp[:, 1].sum() == pytest.approx(1.0, abs=1e-9)  # just the point at (5, 5)
    assert e.degenerate == ()
    # a broad component 0 now takes a sliver of the point at (5, 5) from component 1
    broad = Mixture([0.75, 0.25], [[0.03, 0.03], [5.0, 5.0]], [20.0 * np.eye(2), 0.01 * np.eye(2)])
    e = run_all(X, broad, max_iter=1)[1]
    assert 0.99 < e.resp[:, 1].sum() < 1.0
    assert e.degenerate == (1,)


# --- all points identical -------------------------------------------------------------------


@pytest.mark.parametrize("method", INIT_METHODS)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_all_points_identical(method, covariance_type):
    """Every component sits on the point with Σ = reg_covar · I (the data have no spread), and
    ln p(X | θ) = N ln N(x | x, reg_covar I) = -N (ln 2π + ln reg_covar) for D = 2."""
    point = np.array([3.0, -2.0])
    X = np.tile(point, (10, 1))
    reg = 1e-6
    start = initialize(X, 2, method, np.random.default_rng(1), covariance_type, reg)
    np.testing.assert_allclose(start.means, [point, point], rtol=1e-12)
    np.testing.assert_allclose(start.weights.sum(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(
        start.covariances, np.array([reg * np.eye(2)] * 2), rtol=1e-9, atol=1e-20
    )
    states = run_all(X, start, covariance_type, reg, max_iter=5)
    expected = -10 * (math.log(2 * math.pi) + math.log(reg))
    for state in states[2:]:
        assert state.log_likelihood == pytest.approx(expected, rel=1e-9)
        np.testing.assert_allclose(state.mixture.means, [point, point], rtol=1e-12)
        np.testing.assert_allclose(
            state.mixture.covariances, np.array([reg * np.eye(2)] * 2), rtol=1e-6, atol=1e-20
        )


def test_all_points_identical_kmeans_puts_every_centre_on_the_point():
    X = np.tile([7.0, 7.0], (6, 1))
    centers, labels = kmeans(X, 3, np.random.default_rng(0))
    np.testing.assert_array_equal(centers, np.tile([7.0, 7.0], (3, 1)))
    assert labels.shape == (6,)


# --- collinear points --------------------------------------------------------------------------


@pytest.mark.parametrize("method", INIT_METHODS)
def test_collinear_points_full_covariance_is_singular_but_for_reg_covar(method):
    """Points exactly on y = 2x + 1: every full Σ_k is flat across the line, its smallest
    eigenvalue exactly reg_covar (up to rounding), the other one data-scaled; all finite."""
    x = np.linspace(-3, 3, 49)
    X = np.c_[x, 2 * x + 1]
    reg = 1e-6
    start = initialize(X, 2, method, np.random.default_rng(2), "full", reg)
    states = run_all(X, start, "full", reg, max_iter=15)
    for state in states[2::2]:
        eigenvalues = np.linalg.eigvalsh(state.mixture.covariances)
        np.testing.assert_allclose(eigenvalues[:, 0], reg, rtol=1e-6)
        assert np.all(eigenvalues[:, 1] > 0.1)
    # ln p grows because each Gaussian is a needle along the line: far above a round fit
    assert states[-1].log_likelihood > 0


@pytest.mark.parametrize("covariance_type", ["diag", "spherical", "tied"])
def test_collinear_points_other_covariance_types_stay_finite(covariance_type):
    x = np.linspace(-3, 3, 49)
    X = np.c_[x, 2 * x + 1]
    start = initialize(X, 2, "kmeans", np.random.default_rng(2), covariance_type, 1e-6)
    states = run_all(X, start, covariance_type, 1e-6)
    assert states[-1].log_likelihood >= states[2].log_likelihood - 1e-9 * abs(
        states[2].log_likelihood
    )


# --- K > N, N = 1 ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", INIT_METHODS)
def test_more_components_than_points_is_refused(method):
    X = np.arange(6.0).reshape(3, 2)
    with pytest.raises(ValueError, match=r"choose K <= 3") as info:
        initialize(X, 4, method, np.random.default_rng(0))
    assert "K = 4" in str(info.value) and "only 3 points" in str(info.value)


def test_zero_components_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        initialize(np.ones((3, 2)), 0, "kmeans", np.random.default_rng(0))


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("method", INIT_METHODS)
def test_one_point_one_component(method, d):
    x = np.array([1.5, -0.5, 2.0][:d])
    X = x[None]
    reg = 1e-6
    start = initialize(X, 1, method, np.random.default_rng(0), "full", reg)
    np.testing.assert_allclose(start.means, X, rtol=1e-12)
    assert start.weights.tolist() == [1.0]
    np.testing.assert_allclose(start.covariances[0], reg * np.eye(d), rtol=1e-9, atol=1e-20)
    states = run_all(X, start, "full", reg, max_iter=3)
    expected = -0.5 * d * (math.log(2 * math.pi) + math.log(reg))
    for state in states:
        assert state.log_likelihood == pytest.approx(expected, rel=1e-9)
        np.testing.assert_allclose(state.mixture.means, X, rtol=1e-12)
    assert states[-1].resp.tolist() == [[1.0]]


# --- bad X -------------------------------------------------------------------------------------

GOOD = Mixture([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], np.array([np.eye(2)] * 2))

BAD_POINTS = [
    pytest.param(np.array([[0.0, 1.0], [np.nan, 2.0]]), r"NaN or infinity \(first at point 1", id="nan"),
    pytest.param(np.array([[0.0, 1.0], [1.0, -np.inf]]), r"NaN or infinity \(first at point 1", id="inf"),
    pytest.param(np.array([0.0, 1.0, 2.0]), r"2-D array of shape \(N, D\), got 1-D", id="1-d"),
    pytest.param(np.zeros((2, 2, 2)), r"2-D array of shape \(N, D\), got 3-D", id="3-d"),
    pytest.param(np.zeros((0, 2)), "is empty: there are no points", id="empty"),
    pytest.param(np.zeros((3, 0)), "has no columns", id="no-columns"),
]


@pytest.mark.parametrize(("X", "message"), BAD_POINTS)
def test_bad_points_are_refused_everywhere(X, message):
    resp = np.full((max(X.shape[0], 1), 2), 0.5)
    calls = {
        "e_step": lambda: e_step(X, GOOD),
        "run_em": lambda: next(run_em(X, GOOD)),
        "m_step": lambda: m_step(X, resp),
        "initialize": lambda: initialize(X, 1, "kmeans", np.random.default_rng(0)),
        "kmeans": lambda: kmeans(X, 1, np.random.default_rng(0)),
        "lower_bound": lambda: lower_bound(X, resp, GOOD),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError, match=message):
            call()
        assert name  # (the name shows in the traceback if a call does not raise)


def test_points_with_the_wrong_dimension_for_the_mixture():
    with pytest.raises(ValueError, match="D = 3 coordinates but the mixture has D = 2"):
        e_step(np.zeros((4, 3)), GOOD)
    with pytest.raises(ValueError, match="D = 3 coordinates but the mixture has D = 2"):
        next(run_em(np.zeros((4, 3)), GOOD))


def test_bad_settings_are_refused():
    X = np.random.default_rng(0).standard_normal((20, 2))
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        next(run_em(X, GOOD, "banded"))
    with pytest.raises(ValueError, match="reg_covar must be a finite number >= 0"):
        m_step(X, np.full((20, 2), 0.5), "full", -1e-3)
    with pytest.raises(ValueError, match="max_iter must be at least 1"):
        list(run_em(X, GOOD, max_iter=0))
    with pytest.raises(ValueError, match="tol must be >= 0"):
        list(run_em(X, GOOD, tol=-1.0))
    with pytest.raises(ValueError, match=r"resp must hold probabilities in \[0, 1\]"):
        m_step(X, np.full((20, 2), 1.5))
    with pytest.raises(ValueError, match="resp has K = 3 columns but the mixture has K = 2"):
        lower_bound(X, np.full((20, 3), 1 / 3), GOOD)
    with pytest.raises(ValueError, match="init method must be one of"):
        initialize(X, 2, "k-medoids", np.random.default_rng(0))


def test_zero_reg_covar_on_a_collapse_raises_a_helpful_error():
    """reg_covar = 0 and a component owning a single point: its Σ_k = 0 is refused, with advice."""
    X = np.array([[0.0, 0.0], [0.2, 0.1], [-0.1, 0.3], [10.0, 10.0]])
    resp = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="Σ_1 is not positive definite.*increase reg_covar"):
        m_step(X, resp, "full", 0.0)
    # and with the default reg_covar it is fine: Σ_1 = reg_covar · I
    theta = m_step(X, resp, "full")
    np.testing.assert_allclose(theta.covariances[1], 1e-6 * np.eye(2), rtol=1e-9, atol=1e-20)


@pytest.mark.parametrize("n_new", [60, 110])
def test_resuming_with_points_that_do_not_match_the_state_names_both_sizes(n_new):
    X = np.random.default_rng(0).standard_normal((100, 2))
    states = list(run_em(X, GOOD, max_iter=3, tol=0))
    e_state = states[3]
    assert e_state.phase == "E" and e_state.resp.shape == (100, 2)
    other = np.random.default_rng(1).standard_normal((n_new, 2))
    names_both = rf"(?s)(?=.*\b{n_new}\b)(?=.*\b100\b)(?=.*(points|resp))"
    with pytest.raises(ValueError, match=names_both):
        list(continue_em(other, e_state, max_iter=5))
