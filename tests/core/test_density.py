"""log_gaussian and the E-step against a slow one-point-one-component reference.

The code has a closed-form path for D = 2 (a 2x2 forward substitution) and a general path
(a triangular solve) for other D; both are checked, at ordinary and at far-away points.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emviz.core import (
    Mixture,
    e_step,
    expected_complete_log_likelihood,
    kl_divergence,
    log_gaussian,
    log_likelihood,
    lower_bound,
    run_em,
    weighted_log_prob,
)
from emviz.core import density as density_module

from .helpers import (
    assert_finite_state,
    log_sum_exp_rows,
    naive_log_density,
    naive_weighted_log_prob,
    random_spd,
    vector_log_prob,
)


def random_mixture(rng: np.random.Generator, k: int, d: int, spread: float = 3.0) -> Mixture:
    covs = np.array([random_spd(rng, d, 0.05, 3.0) for _ in range(k)])
    return Mixture(rng.dirichlet(np.ones(k)), spread * rng.standard_normal((k, d)), covs)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    d=st.sampled_from([1, 2, 3, 4]),
    k=st.integers(1, 4),
    n=st.integers(1, 25),
)
def test_log_gaussian_matches_naive_formula(seed, d, k, n):
    rng = np.random.default_rng(seed)
    theta = random_mixture(rng, k, d)
    X = 4.0 * rng.standard_normal((n, d))
    got = log_gaussian(X, theta.means, theta.covariances)
    assert got.shape == (n, k)
    expected = np.array(
        [[naive_log_density(x, theta.means[j], theta.covariances[j]) for j in range(k)] for x in X]
    )
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("d", [2, 3])
def test_log_gaussian_by_hand(d):
    """One value worked by hand: N(x | 0, diag(σ²)) at x = (1, ..., 1)."""
    variances = np.array([0.5, 2.0, 4.0][:d])
    x = np.ones((1, d))
    expected = -0.5 * (d * math.log(2 * math.pi) + np.log(variances).sum() + (1 / variances).sum())
    got = log_gaussian(x, np.zeros((1, d)), np.diag(variances)[None])
    assert got[0, 0] == pytest.approx(expected, rel=1e-14)


def test_log_gaussian_2x2_path_agrees_with_general_path():
    """Embed the 2-D problem in 3-D with an independent third coordinate at its mean: the
    log-density gains exactly the third coordinate's normalising constant."""
    rng = np.random.default_rng(4)
    theta = random_mixture(rng, 3, 2)
    X = 3.0 * rng.standard_normal((50, 2))
    covs3 = np.zeros((3, 3, 3))
    covs3[:, :2, :2] = theta.covariances
    covs3[:, 2, 2] = 0.7
    means3 = np.c_[theta.means, np.full(3, 1.5)]
    X3 = np.c_[X, np.full(50, 1.5)]
    third = -0.5 * (math.log(2 * math.pi) + math.log(0.7))
    np.testing.assert_allclose(
        log_gaussian(X3, means3, covs3),
        log_gaussian(X, theta.means, theta.covariances) + third,
        rtol=1e-12,
    )


@pytest.mark.parametrize("d", [2, 3])
def test_e_step_matches_naive_reference(d):
    rng = np.random.default_rng(10 + d)
    theta = random_mixture(rng, 4, d, spread=2.0)
    X = 2.5 * rng.standard_normal((60, d))
    wlp = naive_weighted_log_prob(X, theta)
    log_norm = log_sum_exp_rows(wlp)
    resp, ll = e_step(X, theta)
    np.testing.assert_allclose(resp, np.exp(wlp - log_norm[:, None]), rtol=1e-9, atol=1e-14)
    assert ll == pytest.approx(log_norm.sum(), rel=1e-11)
    np.testing.assert_allclose(weighted_log_prob(X, theta), wlp, rtol=1e-10, atol=1e-10)
    assert log_likelihood(X, theta) == ll


@pytest.mark.parametrize("d", [2, 3])
def test_far_away_point_has_finite_responsibilities(d):
    """1e3 standard deviations from every component: ln N ≈ -5e5, yet r is a distribution."""
    theta = Mixture(
        [0.3, 0.7],
        [np.zeros(d), np.ones(d)],
        [0.1 * np.eye(d), 0.2 * np.eye(d)],
    )
    far = np.full(d, 1e3 * math.sqrt(0.2) * 10)  # > 1e3 σ from both components
    X = np.array([far, 0.5 * np.ones(d), -far])
    resp, ll = e_step(X, theta)
    assert np.all(np.isfinite(resp))
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert math.isfinite(ll)
    expected = naive_weighted_log_prob(X, theta)
    assert np.all(expected[0] < -1e5)  # a pdf would have underflowed to 0 long ago
    assert ll == pytest.approx(log_sum_exp_rows(expected).sum(), rel=1e-10)
    # the far point belongs (almost) entirely to the broader / nearer component
    np.testing.assert_allclose(resp[0], np.exp(expected[0] - log_sum_exp_rows(expected[:1])))


@pytest.mark.parametrize("d", [2, 3])
def test_far_away_from_tight_components_and_data_far_from_origin(d):
    """Data far from the origin (1e4) with small spread: no digits lost to cancellation."""
    rng = np.random.default_rng(0)
    offset = 1e4
    theta = random_mixture(rng, 3, d, spread=1.0)
    shifted = Mixture(theta.weights, theta.means + offset, theta.covariances)
    X = rng.standard_normal((40, d))
    resp, ll = e_step(X, theta)
    resp_shifted, ll_shifted = e_step(X + offset, shifted)
    np.testing.assert_allclose(resp_shifted, resp, rtol=1e-7, atol=1e-10)
    assert ll_shifted == pytest.approx(ll, rel=1e-9)


def test_zero_weight_component_gets_no_responsibility():
    theta = Mixture([0.6, 0.0, 0.4], [[0, 0], [0.5, 0.5], [2, 2]], np.array([np.eye(2)] * 3))
    X = np.random.default_rng(1).standard_normal((30, 2))
    resp, ll = e_step(X, theta)
    assert np.all(resp[:, 1] == 0.0)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(np.isneginf(weighted_log_prob(X, theta)[:, 1]))
    two = Mixture([0.6, 0.4], [[0, 0], [2, 2]], np.array([np.eye(2)] * 2))
    assert ll == pytest.approx(log_likelihood(X, two), rel=1e-13)
    # 0 · ln 0 and 0 · (-inf) count as 0 (and raise no warning: warnings are errors here)
    two_resp = resp[:, [0, 2]]
    assert lower_bound(X, resp, theta) == pytest.approx(ll, rel=1e-12)
    assert kl_divergence(X, resp, theta) == pytest.approx(0.0, abs=1e-10)
    assert expected_complete_log_likelihood(X, resp, theta) == pytest.approx(
        expected_complete_log_likelihood(X, two_resp, two), rel=1e-12
    )
    # a q that gives the weight-0 component mass is infinitely far from the posterior
    uniform = np.full((30, 3), 1 / 3)
    assert lower_bound(X, uniform, theta) == -math.inf
    assert kl_divergence(X, uniform, theta) == math.inf
    assert expected_complete_log_likelihood(X, uniform, theta) == -math.inf
    # EM from this start: the weight-0 component is revived at π = 10 eps / N, all finite
    states = list(run_em(X, theta, max_iter=3, tol=0))
    assert states[2].mixture.weights[1] == pytest.approx(10 * np.finfo(float).eps / 30, rel=1e-6)
    for state in states:
        assert_finite_state(state)


def large_sizes() -> list[int]:
    """Point counts that straddle the blocked loops' block size, whatever it currently is."""
    block = getattr(density_module, "BLOCK", 16384)
    return [block - 1, block, block + 1, 2 * block + 7]


@pytest.mark.parametrize("n", large_sizes())
@pytest.mark.parametrize("d", [2, 3])
def test_e_step_over_many_points_matches_vectorised_reference(n, d):
    rng = np.random.default_rng(n + d)
    theta = random_mixture(rng, 3, d, spread=2.0)
    X = 2.0 * rng.standard_normal((n, d))
    wlp = vector_log_prob(X, theta)
    log_norm = log_sum_exp_rows(wlp)
    resp, ll = e_step(X, theta)
    np.testing.assert_allclose(resp, np.exp(wlp - log_norm[:, None]), rtol=1e-8, atol=1e-13)
    assert ll == pytest.approx(log_norm.sum(), rel=1e-11)
    np.testing.assert_allclose(
        log_gaussian(X, theta.means, theta.covariances),
        wlp - np.log(theta.weights),
        rtol=1e-10,
        atol=1e-10,
    )
