"""Starting points for EM, and the oracle's complete-data fit."""

from __future__ import annotations

from typing import Literal

import numpy as np

from .em import m_step
from .kmeans import _check_k, kmeans, kmeans_plus_plus
from .mixture import Mixture, check_covariance_type, check_points

InitMethod = Literal["kmeans", "kmeans++", "random-points", "random-resp"]
INIT_METHODS: tuple[str, ...] = ("kmeans", "kmeans++", "random-points", "random-resp")


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    """z_nk = 1 if point n has label k else 0, shape (N, k)."""
    labels = np.asarray(labels)
    z = np.zeros((labels.shape[0], k))
    z[np.arange(labels.shape[0]), labels] = 1.0
    return z


def fit_labelled(
    X: np.ndarray,
    labels: np.ndarray,
    k: int,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
) -> Mixture:
    """Complete-data maximum likelihood, as if an oracle told us z_nk.

    With hard labels the log-likelihood splits into one term per component, so each
    Gaussian is fitted to its own points separately and π_k = N_k / N. This is the M-step
    with r_nk = z_nk.

    X : array (N, D); labels : int array (N,) with values in 0..k-1, every one present.
    """
    X = check_points(X)
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError("labels must be integers 0..K-1")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, found {labels.min()}..{labels.max()}")
    missing = np.setdiff1d(np.arange(k), labels)
    if missing.size:
        raise ValueError(
            f"no points are labelled with component(s) {missing.tolist()}: label at least one "
            "point for every component, or lower K"
        )
    return m_step(X, one_hot(labels, k), covariance_type, reg_covar)


def spread_covariance(X: np.ndarray, k: int, reg_covar: float,
                      covariance_type: str = "full") -> np.ndarray:
    """A data-scaled starting covariance, shape (D, D): cov(X) shrunk so K ellipses share the
    data's area (Σ_data / K^(2/D)), with reg_covar on the diagonal so it is never singular.

    Projected onto the covariance type (its diagonal for "diag", the mean variance times I
    for "spherical"): EM's likelihood only climbs from a θ inside the model family.
    """
    d = X.shape[1]
    cov = np.atleast_2d(np.cov(X, rowvar=False, bias=True))
    cov = cov / k ** (2.0 / d) + max(reg_covar, 1e-6 * np.trace(cov) / d, 1e-12) * np.eye(d)
    if covariance_type == "diag":
        return np.diag(np.diag(cov))
    if covariance_type == "spherical":
        return np.trace(cov) / d * np.eye(d)
    return cov


def initialize(
    X: np.ndarray,
    k: int,
    method: InitMethod = "kmeans",
    rng: np.random.Generator | None = None,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
) -> Mixture:
    """θ₀ for EM. Every method gives weights summing to 1 and data-scaled covariances.

    - ``kmeans``: run k-means, then fit one Gaussian to each cluster (the lecture's start).
      A cluster with fewer than two distinct points keeps its k-means centre and gets the
      spread covariance instead (with ``tied``, the covariance pooled over the other clusters).
    - ``kmeans++``: means at k-means++ seeds, equal weights, the spread covariance.
    - ``random-points``: means at k distinct random data points, equal weights, the spread
      covariance.
    - ``random-resp``: random responsibilities (uniform, normalised per point), then an M-step.

    The spread covariance is ``spread_covariance(X, k, reg_covar)``. (scikit-learn's
    k-means++ start gives reg_covar · I, invisibly small; that is deliberately not copied.)
    """
    X = check_points(X)
    _check_k(X, k)
    check_covariance_type(covariance_type)
    rng = np.random.default_rng() if rng is None else rng
    n, d = X.shape
    spread = spread_covariance(X, k, reg_covar, covariance_type)
    if method == "kmeans":
        centers, labels = kmeans(X, k, rng)
        counts = np.bincount(labels, minlength=k)
        # A cluster of fewer than two distinct points (empty, one point, or copies of one) has
        # no spread to fit: it keeps its k-means centre and gets the spread covariance. Fitted
        # anyway, an empty cluster's mean would be 0 (the origin), a one-point cluster's Σ_k
        # reg_covar · I (invisible; singular, and refused, for reg_covar = 0).
        flat = np.array([counts[j] == 0 or not np.ptp(X[labels == j], axis=0).any()
                         for j in range(k)])
        if not flat.any():
            return m_step(X, one_hot(labels, k), covariance_type, reg_covar)
        means = np.array(centers)
        covs = np.array(np.broadcast_to(spread, (k, d, d)))
        if not flat.all():
            fitted = m_step(X, one_hot(labels, k)[:, ~flat], covariance_type, reg_covar)
            means[~flat] = fitted.means
            if covariance_type == "tied":  # one Σ for all, pooled over the clusters with spread
                covs[:] = fitted.covariances[0]
            else:
                covs[~flat] = fitted.covariances
        weights = np.maximum(counts, 1) / np.maximum(counts, 1).sum()
        return Mixture(weights, means, covs)
    if method == "kmeans++":
        means = kmeans_plus_plus(X, k, rng)
    elif method == "random-points":
        means = X[rng.choice(n, size=k, replace=False)]
    elif method == "random-resp":
        resp = rng.uniform(size=(n, k))
        resp /= resp.sum(axis=1, keepdims=True)
        return m_step(X, resp, covariance_type, reg_covar)
    else:
        raise ValueError(f"init method must be one of {', '.join(INIT_METHODS)}; got {method!r}")
    return Mixture(np.full(k, 1.0 / k), means, np.broadcast_to(spread, (k, d, d)))
