"""k-means (against scikit-learn's KMeans) and the four ways to start EM."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from emviz.core import (
    COVARIANCE_TYPES,
    INIT_METHODS,
    Mixture,
    generate,
    initialize,
    kmeans,
    kmeans_plus_plus,
    run_em,
    run_kmeans,
    spread_covariance,
)
from emviz.core.datasets import well_separated

from .helpers import assert_finite_state, assert_in_family


def inertia(X: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> float:
    return float(((X - centers[labels]) ** 2).sum())


# --- k-means -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_kmeans_matches_sklearn_on_well_separated_blobs(seed):
    X = well_separated(n=400, seed=seed).X
    centers, labels = kmeans(X, 3, np.random.default_rng(seed))
    with threadpool_limits(limits=1):
        reference = KMeans(3, n_init=10, random_state=seed).fit(X)
    ours = inertia(X, centers, labels)
    assert ours <= reference.inertia_ * (1 + 1e-9)
    assert ours == pytest.approx(reference.inertia_, rel=1e-9)  # the same optimum
    np.testing.assert_allclose(
        np.sort(centers, axis=0), np.sort(reference.cluster_centers_, axis=0), rtol=1e-9, atol=1e-9
    )


@pytest.mark.parametrize("seed", range(4))
def test_run_kmeans_phases_and_non_increasing_inertia(seed):
    X = generate(4, 300, separation=2.0, seed=seed).X
    rng = np.random.default_rng(seed)
    start = X[rng.choice(300, size=4, replace=False)]
    states = list(run_kmeans(X, start, max_iter=100))
    assert states[0].phase == "init" and states[0].labels is None
    assert np.isnan(states[0].inertia)
    np.testing.assert_array_equal(states[0].centers, start)
    phases = [s.phase for s in states[1:]]
    assert phases == ["assign", "update"] * (len(phases) // 2)
    assert [s.iteration for s in states[1:]] == [i for i in range(1, len(phases) // 2 + 1) for _ in "au"]
    inertias = [s.inertia for s in states[1:]]
    for before, after in zip(inertias, inertias[1:], strict=False):
        assert after <= before * (1 + 1e-12)
    for state in states[1:]:
        assert state.inertia == pytest.approx(inertia(X, state.centers, state.labels), rel=1e-12)
        if state.phase == "assign":  # every point to its nearest centre
            d2 = ((X[:, None, :] - state.centers[None]) ** 2).sum(axis=2)
            np.testing.assert_array_equal(state.labels, d2.argmin(axis=1))
        else:  # every centre to the mean of its points
            for k in range(4):
                mine = X[state.labels == k]
                if len(mine):
                    np.testing.assert_allclose(state.centers[k], mine.mean(axis=0), rtol=1e-12)
    last = states[-1]
    assert last.phase == "update" and last.converged
    assert not any(s.converged for s in states[:-1])
    np.testing.assert_array_equal(states[-2].labels, states[-4].labels)  # no label changed


def test_run_kmeans_leaves_an_empty_centre_where_it_was():
    X = np.array([[0.0, 0.0], [0.2, 0.0], [5.0, 5.0], [5.2, 5.0]])
    start = np.array([[0.0, 0.0], [5.0, 5.0], [100.0, 100.0]])
    states = list(run_kmeans(X, start))
    np.testing.assert_array_equal(states[-1].centers[2], [100.0, 100.0])
    np.testing.assert_allclose(states[-1].centers[:2], [[0.1, 0.0], [5.1, 5.0]])
    with pytest.raises(ValueError, match=r"centers must have shape \(K, 2\)"):
        next(run_kmeans(X, np.zeros((2, 3))))


def test_run_kmeans_stops_at_max_iter():
    X = generate(3, 200, separation=1.0, seed=0).X
    states = list(run_kmeans(X, X[:3], max_iter=1))
    assert [s.phase for s in states] == ["init", "assign", "update"]


def test_kmeans_plus_plus_seeds_are_distinct_data_points():
    X = generate(3, 100, seed=2).X
    seeds = kmeans_plus_plus(X, 5, np.random.default_rng(0))
    assert seeds.shape == (5, 2)
    rows = {tuple(x) for x in X}
    assert all(tuple(s) in rows for s in seeds)
    assert len({tuple(s) for s in seeds}) == 5
    np.testing.assert_array_equal(seeds, kmeans_plus_plus(X, 5, np.random.default_rng(0)))


def test_kmeans_plus_plus_never_repeats_a_seed_while_distinct_points_remain():
    """Copies of a chosen point have distance 0, so probability 0 of being chosen again."""
    X = np.vstack([np.tile([0.0, 0.0], (50, 1)), [[1.0, 0.0]], [[0.0, 1.0]]])
    for seed in range(20):
        seeds = kmeans_plus_plus(X, 3, np.random.default_rng(seed))
        assert len({tuple(s) for s in seeds}) == 3


def test_kmeans_random_init_and_bad_init():
    X = well_separated(n=300, seed=1).X
    centers, labels = kmeans(X, 3, np.random.default_rng(0), init="random")
    assert centers.shape == (3, 2) and labels.shape == (300,)
    with pytest.raises(ValueError, match="init must be 'k-means\\+\\+' or 'random'"):
        kmeans(X, 3, np.random.default_rng(0), init="forgy")  # type: ignore[arg-type]


# --- initialize -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return generate(3, 300, separation=3.0, seed=5).X


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("method", INIT_METHODS)
def test_initialize_gives_simplex_weights_and_data_scaled_covariances(data, method, covariance_type):
    reg = 1e-6
    theta = initialize(data, 3, method, np.random.default_rng(0), covariance_type, reg)
    assert isinstance(theta, Mixture) and theta.n_components == 3
    assert theta.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(theta.weights > 0)
    variance = np.trace(np.cov(data, rowvar=False))  # the data's total variance
    traces = np.trace(theta.covariances, axis1=1, axis2=2)
    assert variance / 100 < traces.mean() < variance * 100
    assert np.all(traces > 1e4 * reg * 2)  # never ≈ reg_covar
    lo, hi = data.min(axis=0), data.max(axis=0)
    assert np.all((theta.means >= lo) & (theta.means <= hi))
    again = initialize(data, 3, method, np.random.default_rng(0), covariance_type, reg)
    for a, b in ((theta.weights, again.weights), (theta.means, again.means),
                 (theta.covariances, again.covariances)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("method", INIT_METHODS)
def test_initialize_gives_a_start_in_the_covariance_family(data, method, covariance_type):
    """diag: diagonal Σ_k; spherical: multiples of I; tied: one shared Σ. A start outside the
    family would make the first E-step use a model the M-steps can never return to."""
    theta = initialize(data, 3, method, np.random.default_rng(1), covariance_type)
    assert_in_family(theta, covariance_type)


def test_initialize_kmeans_is_the_gaussian_fit_to_each_cluster(data):
    rng_a, rng_b = np.random.default_rng(4), np.random.default_rng(4)
    theta = initialize(data, 3, "kmeans", rng_a, "full", 1e-6)
    _, labels = kmeans(data, 3, rng_b)
    for k in range(3):
        mine = data[labels == k]
        assert theta.weights[k] == pytest.approx(len(mine) / len(data), rel=1e-12)
        np.testing.assert_allclose(theta.means[k], mine.mean(axis=0), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(
            theta.covariances[k], np.cov(mine.T, bias=True) + 1e-6 * np.eye(2), rtol=1e-10
        )


@pytest.mark.parametrize("method", ["kmeans++", "random-points"])
def test_initialize_seeded_methods_use_equal_weights_and_the_spread_covariance(data, method):
    theta = initialize(data, 4, method, np.random.default_rng(2), "full", 1e-6)
    np.testing.assert_array_equal(theta.weights, np.full(4, 0.25))
    spread = np.cov(data, rowvar=False, bias=True) / 4 + 1e-6 * np.trace(
        np.cov(data, rowvar=False, bias=True)
    ) / 2 * np.eye(2)
    np.testing.assert_allclose(theta.covariances, np.broadcast_to(spread, (4, 2, 2)), rtol=1e-12)
    np.testing.assert_allclose(spread_covariance(data, 4, 1e-6), spread, rtol=1e-12)
    rows = {tuple(x) for x in data}
    assert all(tuple(m) in rows for m in theta.means)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("copies", [1, 5])
@pytest.mark.parametrize("reg_covar", [1e-6, 0.0])
def test_initialize_kmeans_gives_a_lone_cluster_the_spread_covariance(copies, covariance_type, reg_covar):
    """A cluster of fewer than two distinct points (a lone outlier, or copies of one point) has
    no spread of its own: it keeps its point as mean and gets the spread covariance, in the
    covariance family, never reg_covar · I (invisible) nor 0 (an error with reg_covar = 0)."""
    blob = np.random.default_rng(0).standard_normal((200, 2))
    X = np.vstack([blob, np.tile([40.0, 40.0], (copies, 1))])
    theta = initialize(X, 2, "kmeans", np.random.default_rng(0), covariance_type, reg_covar)
    lone = int(np.argmin(theta.weights))
    np.testing.assert_allclose(theta.means[lone], [40.0, 40.0], rtol=1e-12)
    assert theta.weights[lone] == pytest.approx(copies / X.shape[0], rel=1e-9)
    assert_in_family(theta, covariance_type)
    assert np.trace(theta.covariances[lone]) > 0.1  # data-scaled
    states = list(run_em(X, theta, covariance_type, max(reg_covar, 1e-6), tol=0, max_iter=3))
    for state in states:
        assert_finite_state(state)


def test_initialize_random_resp_is_an_m_step_from_random_responsibilities(data):
    theta = initialize(data, 3, "random-resp", np.random.default_rng(0), "full")
    # uniform random responsibilities: each component is a slightly reweighted whole-data fit
    np.testing.assert_allclose(theta.means, np.tile(data.mean(axis=0), (3, 1)), atol=0.5)
    assert np.all(np.abs(theta.weights - 1 / 3) < 0.05)


def test_initialize_without_rng_still_works(data):
    theta = initialize(data, 2)
    assert theta.n_components == 2
