"""Model selection: BIC and AIC with scikit-learn's parameter counts."""

from __future__ import annotations

import math

import numpy as np

from .em import log_likelihood
from .mixture import Mixture, check_covariance_type, check_points


def n_parameters(k: int, d: int, covariance_type: str) -> int:
    """Free parameters of a K-component, D-dimensional mixture (as scikit-learn counts them)."""
    check_covariance_type(covariance_type)
    cov_params = {
        "full": k * d * (d + 1) // 2,
        "diag": k * d,
        "tied": d * (d + 1) // 2,
        "spherical": k,
    }[covariance_type]
    return cov_params + k * d + (k - 1)


def bic(X: np.ndarray, mixture: Mixture, covariance_type: str = "full") -> float:
    """Bayesian information criterion: -2 ln p(X | θ) + p ln N (lower is better)."""
    X = check_points(X)
    p = n_parameters(mixture.n_components, X.shape[1], covariance_type)
    return -2.0 * log_likelihood(X, mixture) + p * math.log(X.shape[0])


def aic(X: np.ndarray, mixture: Mixture, covariance_type: str = "full") -> float:
    """Akaike information criterion: -2 ln p(X | θ) + 2p (lower is better)."""
    X = check_points(X)
    p = n_parameters(mixture.n_components, X.shape[1], covariance_type)
    return -2.0 * log_likelihood(X, mixture) + 2.0 * p
