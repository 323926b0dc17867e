"""EM against scikit-learn's GaussianMixture, the reference oracle, from the same start.

A ``GaussianMixture(warm_start=True, max_iter=1, tol=0)`` given the start as weights_init,
means_init and precisions_init does exactly one E-step and one M-step per ``fit()``, so the
t-th fit must land on the θ of emviz's t-th "M" state.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _estimate_gaussian_parameters
from threadpoolctl import threadpool_limits

from emviz.core import COVARIANCE_TYPES, Mixture, e_step, m_step, run_em

from .helpers import assert_in_family, faithful, generated_2d, generated_3d, structured_mixture

RTOL = 1e-8
ATOL = 1e-12
ITERATIONS = 12
DATASETS = {"faithful": faithful, "generated-2d": generated_2d, "generated-3d": generated_3d}
N_COMPONENTS = {"faithful": 2, "generated-2d": 3, "generated-3d": 3}


@pytest.fixture(autouse=True, scope="module")
def single_threaded_blas():
    """scikit-learn solves tiny triangular systems through BLAS; on a loaded 2-core machine a
    multithreaded BLAS spends ~10 ms waking its pool for each 2x2 solve. One thread is exact
    and fast here."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def sklearn_precisions(mixture: Mixture, covariance_type: str) -> np.ndarray:
    """precisions_init in scikit-learn's shape for ``covariance_type``."""
    covs = mixture.covariances
    if covariance_type == "full":
        prec = np.linalg.inv(covs)
        return (prec + prec.transpose(0, 2, 1)) / 2
    if covariance_type == "tied":
        prec = np.linalg.inv(covs[0])
        return (prec + prec.T) / 2
    variances = np.diagonal(covs, axis1=1, axis2=2)
    return 1.0 / variances if covariance_type == "diag" else 1.0 / variances[:, 0]


def full_covariances(covariances: np.ndarray, covariance_type: str, k: int, d: int) -> np.ndarray:
    """scikit-learn's covariances_ of any type as a (K, D, D) stack."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (k, d, d))
    if covariance_type == "diag":
        return covariances[:, :, None] * np.eye(d)
    return covariances[:, None, None] * np.eye(d)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("reg_covar", [1e-6, 1e-2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_run_em_matches_sklearn_iteration_by_iteration(dataset, covariance_type, reg_covar):
    X = DATASETS[dataset]()
    n, d = X.shape
    k = N_COMPONENTS[dataset]
    start = structured_mixture(X, k, covariance_type, np.random.default_rng(11))
    gm = GaussianMixture(
        k,
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        tol=0,
        max_iter=1,
        warm_start=True,
        weights_init=start.weights,
        means_init=start.means,
        precisions_init=sklearn_precisions(start, covariance_type),
    )
    states = list(run_em(X, start, covariance_type, reg_covar, tol=0, max_iter=ITERATIONS))
    m_states = [s for s in states if s.phase == "M"]
    e_states = [s for s in states if s.phase == "E"]
    assert [s.iteration for s in m_states] == list(range(1, ITERATIONS + 1))
    assert len(e_states) == ITERATIONS

    # The E-step of iteration 1 is the posterior under the start, as sklearn's predict_proba
    # would give after its own initialisation; check against our own e_step here.
    resp0, ll0 = e_step(X, start)
    np.testing.assert_allclose(e_states[0].resp, resp0, rtol=RTOL, atol=ATOL)
    assert states[0].log_likelihood == pytest.approx(ll0, rel=1e-12)

    for t, state in enumerate(m_states, start=1):
        gm.fit(X)
        theta = state.mixture
        np.testing.assert_allclose(
            theta.weights, gm.weights_, rtol=RTOL, atol=ATOL, err_msg=f"π at iteration {t}"
        )
        np.testing.assert_allclose(
            theta.means, gm.means_, rtol=RTOL, atol=ATOL, err_msg=f"μ at iteration {t}"
        )
        np.testing.assert_allclose(
            theta.covariances,
            full_covariances(gm.covariances_, covariance_type, k, d),
            rtol=RTOL,
            atol=ATOL,
            err_msg=f"Σ at iteration {t}",
        )
        np.testing.assert_allclose(
            state.log_likelihood, gm.score(X) * n, rtol=RTOL, atol=ATOL, err_msg=f"ln p at {t}"
        )
        assert_in_family(theta, covariance_type)
        if t < ITERATIONS:  # the next E-step's q is sklearn's posterior under this θ
            np.testing.assert_allclose(
                e_states[t].resp, gm.predict_proba(X), rtol=1e-7, atol=1e-10
            )


def dirichlet_resp(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return rng.dirichlet(np.full(k, 0.7), size=n)


@pytest.mark.parametrize("reg_covar", [0.0, 1e-6, 1e-2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_m_step_matches_sklearn_estimator(dataset, covariance_type, reg_covar):
    X = DATASETS[dataset]()
    n, d = X.shape
    k = 4
    resp = dirichlet_resp(np.random.default_rng(5), n, k)
    theta = m_step(X, resp, covariance_type, reg_covar)
    nk, means, covs = _estimate_gaussian_parameters(X, resp, reg_covar, covariance_type)
    np.testing.assert_allclose(theta.weights, nk / nk.sum(), rtol=1e-10, atol=ATOL)
    np.testing.assert_allclose(theta.means, means, rtol=1e-10, atol=ATOL)
    np.testing.assert_allclose(
        theta.covariances, full_covariances(covs, covariance_type, k, d), rtol=1e-9, atol=ATOL
    )
    assert_in_family(theta, covariance_type)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_m_step_matches_sklearn_with_an_empty_component(covariance_type):
    """A column of zeros (N_k = 0): both give μ_k = 0, Σ_k = reg_covar · I, π_k ≈ 10 eps / N."""
    X = faithful() + 5.0  # away from the origin, so μ_k = 0 is a visible jump
    n, d = X.shape
    resp = dirichlet_resp(np.random.default_rng(2), n, 3)
    resp = np.c_[resp, np.zeros(n)]
    reg = 1e-3
    theta = m_step(X, resp, covariance_type, reg)
    nk, means, covs = _estimate_gaussian_parameters(X, resp, reg, covariance_type)
    np.testing.assert_allclose(theta.weights, nk / nk.sum(), rtol=1e-10, atol=0)
    np.testing.assert_allclose(theta.means, means, rtol=1e-10, atol=ATOL)
    np.testing.assert_allclose(
        theta.covariances, full_covariances(covs, covariance_type, 4, d), rtol=1e-9, atol=1e-11
    )
    np.testing.assert_array_equal(theta.means[3], np.zeros(d))
    if covariance_type != "tied":
        np.testing.assert_allclose(theta.covariances[3], reg * np.eye(d), rtol=1e-12, atol=0)
    assert theta.weights[3] == pytest.approx(10 * np.finfo(float).eps / n, rel=1e-6)


def test_e_step_matches_sklearn_posterior_and_score():
    X = generated_3d()
    gm = GaussianMixture(3, covariance_type="full", random_state=0).fit(X)
    theta = Mixture(gm.weights_, gm.means_, gm.covariances_)
    resp, ll = e_step(X, theta)
    np.testing.assert_allclose(resp, gm.predict_proba(X), rtol=1e-9, atol=1e-12)
    assert ll == pytest.approx(gm.score(X) * X.shape[0], rel=1e-12)
