"""EM on one-dimensional data (D = 1): the core is D-general, so the histogram mode of the
window runs the same E- and M-steps. Checked against scikit-learn's GaussianMixture from the
same θ₀ (in 1-D a full covariance Σ_k is the variance σ_k², a 1×1 matrix) and against a
slow loop over the points written from the lecture's formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from emviz.core import COVARIANCE_TYPES, Mixture, initialize, old_faithful, run_em

ITERATIONS = 15


@pytest.fixture(autouse=True, scope="module")
def single_threaded_blas():
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def eruptions() -> np.ndarray:
    """Old Faithful's eruption durations alone (standardised), shape (272, 1)."""
    return old_faithful().X[:, :1].copy()


def start(covariance_type: str = "full") -> Mixture:
    """θ₀ in the family of ``covariance_type`` (tied: one σ² shared by both components)."""
    variances = [0.6, 0.6] if covariance_type == "tied" else [0.4, 0.9]
    return Mixture([0.3, 0.7], [[-1.0], [0.5]], np.reshape(variances, (2, 1, 1)))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_one_dimensional_em_matches_sklearn_iteration_by_iteration(covariance_type):
    X = eruptions()
    theta0 = start(covariance_type)
    gm = GaussianMixture(2, covariance_type=covariance_type, reg_covar=1e-6, tol=0, max_iter=1,
                         warm_start=True, weights_init=theta0.weights, means_init=theta0.means,
                         precisions_init=_precisions(theta0, covariance_type))
    states = [s for s in run_em(X, theta0, covariance_type, 1e-6, tol=0, max_iter=ITERATIONS)
              if s.phase == "M"]
    assert len(states) == ITERATIONS
    for t, state in enumerate(states, start=1):
        gm.fit(X)
        theta = state.mixture
        np.testing.assert_allclose(theta.weights, gm.weights_, rtol=1e-8, err_msg=f"π at {t}")
        np.testing.assert_allclose(theta.means, gm.means_, rtol=1e-8, err_msg=f"μ at {t}")
        np.testing.assert_allclose(theta.covariances.reshape(2), _variances(gm),
                                   rtol=1e-8, err_msg=f"σ² at {t}")
        assert state.log_likelihood == pytest.approx(gm.score(X) * len(X), rel=1e-10)


def _precisions(theta: Mixture, covariance_type: str) -> np.ndarray:
    var = theta.covariances.reshape(-1)
    if covariance_type == "full":
        return (1 / var)[:, None, None]
    if covariance_type == "tied":
        return np.array([[1 / var[0]]])
    return (1 / var)[:, None] if covariance_type == "diag" else 1 / var


def _variances(gm: GaussianMixture) -> np.ndarray:
    """σ_k² of every covariance type as a vector of length K."""
    return np.broadcast_to(np.asarray(gm.covariances_, dtype=float).reshape(-1), (2,))


def test_one_dimensional_em_matches_a_loop_over_the_points():
    """E: r_nk = π_k N(x_n | μ_k, σ_k²) / Σ_j π_j N(x_n | μ_j, σ_j²); M: N_k = Σ_n r_nk,
    μ_k = Σ_n r_nk x_n / N_k, σ_k² = Σ_n r_nk (x_n − μ_k)² / N_k + reg, π_k = N_k / N."""
    X = eruptions()[::4]
    theta0 = start()
    pi, mu, var = list(theta0.weights), list(theta0.means[:, 0]), list(theta0.covariances.reshape(2))
    states = [s for s in run_em(X, theta0, "full", 1e-6, tol=0, max_iter=5) if s.phase == "M"]
    for state in states:
        resp, log_p = [], 0.0
        for x in X[:, 0]:
            joint = [pi[k] * math.exp(-(x - mu[k]) ** 2 / (2 * var[k])) / math.sqrt(2 * math.pi * var[k])
                     for k in range(2)]
            resp.append([j / sum(joint) for j in joint])
            log_p += math.log(sum(joint))
        for k in range(2):
            nk = sum(r[k] for r in resp)
            mu[k] = sum(r[k] * x for r, x in zip(resp, X[:, 0], strict=True)) / nk
            var[k] = sum(r[k] * (x - mu[k]) ** 2 for r, x in zip(resp, X[:, 0], strict=True)) / nk + 1e-6
            pi[k] = nk / len(X)
        np.testing.assert_allclose(state.mixture.weights, pi, rtol=1e-10)
        np.testing.assert_allclose(state.mixture.means[:, 0], mu, rtol=1e-10)
        np.testing.assert_allclose(state.mixture.covariances.reshape(2), var, rtol=1e-10)


@pytest.mark.parametrize("method", ["random-points", "kmeans", "kmeans++", "random-resp"])
def test_every_initialisation_works_in_one_dimension(method):
    X = eruptions()
    theta = initialize(X, 3, method, np.random.default_rng(0), covariance_type="full", reg_covar=1e-6)
    assert theta.means.shape == (3, 1) and theta.covariances.shape == (3, 1, 1)
    assert np.all(theta.covariances > 0)
