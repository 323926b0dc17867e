"""The lecture's two generating procedures, and the oracle's complete-data fit (fit_labelled)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emviz.core import Mixture, component_counts, fit_labelled, m_step, one_hot, sample

# Statistical checks: fixed examples (derandomize), so a 5-sigma band cannot flake in CI.
STATISTICAL = settings(max_examples=25, deadline=None, derandomize=True)


def mixture_with(weights) -> Mixture:
    k = len(weights)
    means = np.c_[np.arange(k) * 3.0, np.zeros(k)]
    return Mixture(weights, means, np.array([0.5 * np.eye(2)] * k))


simplex_weights = (
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6)
    .filter(lambda w: sum(w) > 0.1)
    .map(lambda w: (np.array(w) / sum(w)).tolist())
)


@settings(max_examples=60, deadline=None)
@given(weights=simplex_weights, n=st.integers(0, 500), seed=st.integers(0, 2**32 - 1))
def test_per_component_counts_are_rounded_exactly(weights, n, seed):
    """n_k = round(n π_k) with halves up, for every k, so |Σ n_k - n| <= K / 2."""
    theta = mixture_with(weights)
    k = theta.n_components
    X, labels = sample(theta, n, np.random.default_rng(seed), "per-component")
    counts = np.bincount(labels, minlength=k)
    expected = [math.floor(n * w + 0.5) for w in theta.weights]
    assert counts.tolist() == expected
    assert component_counts(theta.weights, n).tolist() == expected
    assert abs(counts.sum() - n) <= k / 2
    assert X.shape == (counts.sum(), 2)
    assert np.all(np.diff(labels) >= 0)  # component after component


def test_per_component_total_can_exceed_n():
    """The docstring's example: n = 3, π = (½, ½) gives 2 + 2 = 4 points."""
    X, labels = sample(mixture_with([0.5, 0.5]), 3, np.random.default_rng(0), "per-component")
    assert X.shape == (4, 2)
    assert labels.tolist() == [0, 0, 1, 1]


@STATISTICAL
@given(weights=simplex_weights, n=st.integers(1000, 20000), seed=st.integers(0, 2**32 - 1))
def test_per_point_counts_are_binomial(weights, n, seed):
    """Exactly n points; each n_k ~ Binomial(n, π_k), so within 5 standard deviations (plus
    one count for the discreteness) of n π_k, and never a point from a weight-0 component."""
    theta = mixture_with(weights)
    X, labels = sample(theta, n, np.random.default_rng(seed), "per-point")
    assert X.shape == (n, 2) and labels.shape == (n,)
    counts = np.bincount(labels, minlength=theta.n_components)
    assert counts.size == theta.n_components
    for count, p in zip(counts, theta.weights, strict=True):
        sigma = math.sqrt(n * p * (1 - p))
        assert abs(count - n * p) <= 5 * sigma + 1, (count, n * p, sigma)
        if p == 0:
            assert count == 0


class FixedUniform:
    """A stand-in Generator whose uniform draws are given; normal draws are zeros."""

    def __init__(self, u: list[float]) -> None:
        self.u = np.array(u)

    def uniform(self, size: int) -> np.ndarray:
        assert size == self.u.size
        return self.u

    def standard_normal(self, shape: tuple[int, int]) -> np.ndarray:
        return np.zeros(shape)


def test_per_point_picks_by_cumulative_weights():
    """Σ_{j<k} π_j <= u < Σ_{j<=k} π_j picks k (u on a boundary goes to the next one)."""
    theta = mixture_with([0.25, 0.5, 0.25])
    u = [0.0, 0.2499, 0.25, 0.74, 0.75, 0.99999]
    X, labels = sample(theta, len(u), FixedUniform(u), "per-point")
    assert labels.tolist() == [0, 0, 1, 1, 2, 2]
    np.testing.assert_array_equal(X, theta.means[labels])  # zero noise: x = μ_k


def test_per_point_never_picks_a_zero_weight_component():
    """Weights may sum to 1 - 1e-6 (Mixture's tolerance). A draw u above Σπ must still go to
    a component with π_k > 0, not to the trailing zero-weight one."""
    theta = mixture_with([0.5, 0.4999992, 0.0])
    _, labels = sample(theta, 2, FixedUniform([0.3, 0.9999995]), "per-point")
    assert labels.tolist() == [0, 1]


def test_points_come_from_their_own_component():
    """x = μ_k + L_k z: with a fixed z the point is exactly the mean plus L_k z."""
    theta = Mixture(
        [0.5, 0.5], [[0.0, 0.0], [10.0, -5.0]], [[[4.0, 1.0], [1.0, 2.0]], [[1.0, 0.0], [0.0, 9.0]]]
    )
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    X, labels = sample(theta, 50, rng_a, "per-point")
    rng_b.uniform(size=50)
    z = rng_b.standard_normal((50, 2))
    chol = np.linalg.cholesky(theta.covariances)
    expected = np.einsum("nij,nj->ni", chol[labels], z) + theta.means[labels]
    np.testing.assert_allclose(X, expected, rtol=1e-14, atol=1e-14)


def test_sampling_is_reproducible_and_checks_its_arguments():
    theta = mixture_with([0.3, 0.7])
    a = sample(theta, 100, np.random.default_rng(9))
    b = sample(theta, 100, np.random.default_rng(9))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    X, labels = sample(theta, 0, np.random.default_rng(9))
    assert X.shape == (0, 2) and labels.shape == (0,)
    with pytest.raises(ValueError, match="n must be >= 0"):
        sample(theta, -1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="procedure must be 'per-point' or 'per-component'"):
        sample(theta, 5, np.random.default_rng(0), "per-cluster")  # type: ignore[arg-type]


TRUE = Mixture(
    [0.5, 0.3, 0.2],
    [[0.0, 0.0], [4.0, 1.0], [-2.0, 3.0]],
    [[[1.0, 0.4], [0.4, 0.6]], [[0.3, -0.1], [-0.1, 0.8]], [[2.0, 0.0], [0.0, 0.2]]],
)


@settings(max_examples=4, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1))
def test_fit_labelled_recovers_a_known_mixture(seed):
    """20 000 points; each estimate within 5 standard errors of the truth:
    π_k: sqrt(π(1-π)/n); μ_k,i: sqrt(Σ_ii / n_k); Σ_k,ij: sqrt((Σ_ii Σ_jj + Σ_ij²) / n_k)."""
    n = 20_000
    X, labels = sample(TRUE, n, np.random.default_rng(seed), "per-point")
    fitted = fit_labelled(X, labels, 3)
    counts = np.bincount(labels, minlength=3)
    p = TRUE.weights
    assert np.all(np.abs(fitted.weights - p) <= 5 * np.sqrt(p * (1 - p) / n))
    np.testing.assert_allclose(fitted.weights, counts / n, rtol=1e-12)
    for k in range(3):
        cov = TRUE.covariances[k]
        var = np.diag(cov)
        assert np.all(np.abs(fitted.means[k] - TRUE.means[k]) <= 5 * np.sqrt(var / counts[k]))
        se = np.sqrt((np.outer(var, var) + cov**2) / counts[k])
        assert np.all(np.abs(fitted.covariances[k] - cov) <= 5 * se), k


def test_fit_labelled_is_the_m_step_with_one_hot_responsibilities():
    X, labels = sample(TRUE, 300, np.random.default_rng(1), "per-component")
    for covariance_type in ("full", "diag", "spherical", "tied"):
        fitted = fit_labelled(X, labels, 3, covariance_type, 1e-3)
        direct = m_step(X, one_hot(labels, 3), covariance_type, 1e-3)
        np.testing.assert_array_equal(fitted.covariances, direct.covariances)
        np.testing.assert_array_equal(fitted.means, direct.means)
    # per-component counts are exact, so π̂ is exactly n_k / Σ n_k
    fitted = fit_labelled(X, labels, 3)
    np.testing.assert_allclose(fitted.weights, [150 / 300, 90 / 300, 60 / 300], rtol=1e-12)
    for k in range(3):
        mine = X[labels == k]
        np.testing.assert_allclose(fitted.means[k], mine.mean(axis=0), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(
            fitted.covariances[k], np.cov(mine.T, bias=True) + 1e-6 * np.eye(2), rtol=1e-10
        )


def test_one_hot():
    z = one_hot(np.array([2, 0, 1, 2]), 3)
    np.testing.assert_array_equal(z, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])


@pytest.mark.parametrize(
    ("labels", "k", "message"),
    [
        pytest.param([0, 1, 1, 0], 3, r"no points are labelled with component\(s\) \[2\]", id="missing"),
        pytest.param([0, 1, 3, 0], 3, r"labels must lie in 0..2, found 0..3", id="too big"),
        pytest.param([0, -1, 1, 2], 3, r"labels must lie in 0..2", id="negative"),
        pytest.param([0.0, 1.0, 1.0, 2.0], 3, "labels must be integers", id="floats"),
        pytest.param([0, 1, 2], 3, r"labels must have shape \(4,\)", id="wrong length"),
    ],
)
def test_fit_labelled_refuses_bad_labels(labels, k, message):
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError, match=message):
        fit_labelled(X, np.array(labels), k)
