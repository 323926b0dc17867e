"""BIC, AIC and the parameter counts against scikit-learn's fitted GaussianMixture."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from emviz.core import COVARIANCE_TYPES, Mixture, aic, bic, log_likelihood, n_parameters

from .helpers import generated_2d, generated_3d
from .test_em_vs_sklearn import full_covariances


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return generated_3d(300)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_bic_and_aic_match_sklearn(data, covariance_type):
    k, d = 3, data.shape[1]
    with threadpool_limits(limits=1, user_api="blas"):
        gm = GaussianMixture(k, covariance_type=covariance_type, random_state=0).fit(data)
        expected_bic, expected_aic = gm.bic(data), gm.aic(data)
    theta = Mixture(gm.weights_, gm.means_, full_covariances(gm.covariances_, covariance_type, k, d))
    assert bic(data, theta, covariance_type) == pytest.approx(expected_bic, rel=1e-10)
    assert aic(data, theta, covariance_type) == pytest.approx(expected_aic, rel=1e-10)
    assert n_parameters(k, d, covariance_type) == gm._n_parameters()


@pytest.mark.parametrize(
    ("k", "d", "covariance_type", "expected"),
    [
        # (K - 1) weights + K·D means + the covariance parameters
        (3, 2, "full", 2 + 6 + 3 * 3),
        (3, 2, "diag", 2 + 6 + 3 * 2),
        (3, 2, "spherical", 2 + 6 + 3),
        (3, 2, "tied", 2 + 6 + 3),
        (1, 1, "full", 0 + 1 + 1),
        (4, 3, "full", 3 + 12 + 4 * 6),
        (4, 3, "tied", 3 + 12 + 6),
    ],
)
def test_n_parameters_by_hand(k, d, covariance_type, expected):
    assert n_parameters(k, d, covariance_type) == expected


def test_bic_and_aic_from_their_definitions():
    X = generated_2d()
    theta = Mixture(
        [0.3, 0.7], [[0.0, 1.0], [1.0, -1.0]], [np.eye(2), [[2.0, 0.5], [0.5, 1.0]]]
    )
    ll = log_likelihood(X, theta)
    n = X.shape[0]
    assert bic(X, theta) == pytest.approx(-2 * ll + 11 * math.log(n), rel=1e-12)
    assert aic(X, theta) == pytest.approx(-2 * ll + 2 * 11, rel=1e-12)
    assert bic(X, theta, "spherical") == pytest.approx(-2 * ll + 7 * math.log(n), rel=1e-12)


def test_n_parameters_rejects_unknown_covariance_type():
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        n_parameters(2, 2, "banded")
