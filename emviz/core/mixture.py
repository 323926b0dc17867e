"""The Gaussian mixture θ = {π_k, μ_k, Σ_k} and the checks on the data X it is fitted to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")

#: How far the mixing weights π may be from summing to one.
WEIGHT_SUM_TOL = 1e-6


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Mixture:
    """A Gaussian mixture p(x | θ) = Σ_k π_k N(x | μ_k, Σ_k).

    Parameters
    ----------
    weights : array, shape (K,)
        Mixing weights π_k, on the simplex (non-negative, summing to 1).
    means : array, shape (K, D)
        Component means μ_k.
    covariances : array, shape (K, D, D)
        Component covariances Σ_k, symmetric positive definite. Always stored as full
        matrices, whatever covariance type produced them.

    The arrays are copied and made read-only, so a Mixture can be shared between threads.
    Bad shapes, weights off the simplex or a covariance that is not symmetric positive
    definite raise ``ValueError`` saying which component and why.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray

    def __post_init__(self) -> None:
        weights, means, covs = (_frozen(a) for a in (self.weights, self.means, self.covariances))
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "covariances", covs)
        _check_shapes(weights, means, covs)
        _check_weights(weights)
        _check_covariances(covs)

    @property
    def n_components(self) -> int:
        """K, the number of components."""
        return self.weights.shape[0]

    @property
    def n_features(self) -> int:
        """D, the dimension of each point."""
        return self.means.shape[1]

    def cholesky(self) -> np.ndarray:
        """Lower Cholesky factors L_k with Σ_k = L_k L_kᵀ, shape (K, D, D)."""
        return np.linalg.cholesky(self.covariances)


def _check_shapes(weights: np.ndarray, means: np.ndarray, covs: np.ndarray) -> None:
    if weights.ndim != 1 or weights.shape[0] < 1:
        raise ValueError(f"weights must have shape (K,) with K >= 1, got shape {weights.shape}")
    k = weights.shape[0]
    if means.ndim != 2 or means.shape[0] != k or means.shape[1] < 1:
        raise ValueError(f"means must have shape (K, D) = ({k}, D), got shape {means.shape}")
    d = means.shape[1]
    if covs.shape != (k, d, d):
        raise ValueError(
            f"covariances must have shape (K, D, D) = ({k}, {d}, {d}), got shape {covs.shape}"
        )
    for name, a in (("weights", weights), ("means", means), ("covariances", covs)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contain NaN or infinity")


def _check_weights(weights: np.ndarray) -> None:
    if np.any(weights < 0):
        k = int(np.argmax(weights < 0))
        raise ValueError(f"weights must be non-negative, but π_{k} = {weights[k]:g}")
    total = weights.sum()
    if abs(total - 1.0) > WEIGHT_SUM_TOL:
        raise ValueError(f"weights must sum to 1 (the simplex), but they sum to {total:.8g}")


def _check_covariances(covs: np.ndarray) -> None:
    for k, cov in enumerate(covs):
        scale = max(np.abs(cov).max(), np.finfo(float).tiny)
        if np.abs(cov - cov.T).max() > 1e-9 * scale:
            raise ValueError(f"covariance Σ_{k} is not symmetric: {cov.tolist()}")
        try:
            np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            raise ValueError(
                f"covariance Σ_{k} is not positive definite (eigenvalues "
                f"{np.linalg.eigvalsh(cov).tolist()}); increase reg_covar or use fewer components"
            ) from None


def check_points(X: np.ndarray, name: str = "X") -> np.ndarray:
    """Return X as a float array of shape (N, D), or raise ValueError naming the problem."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (N, D), got {X.ndim}-D shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty: there are no points to fit")
    if X.shape[1] == 0:
        raise ValueError(f"{name} has no columns: each point needs at least one coordinate")
    bad = ~np.isfinite(X)
    if bad.any():
        row = int(np.argmax(bad.any(axis=1)))
        raise ValueError(f"{name} contains NaN or infinity (first at point {row}: {X[row].tolist()})")
    return X


def check_covariance_type(covariance_type: str) -> None:
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}; got {covariance_type!r}"
        )


def check_compatible(X: np.ndarray, mixture: Mixture) -> None:
    if X.shape[1] != mixture.n_features:
        raise ValueError(
            f"points have D = {X.shape[1]} coordinates but the mixture has D = {mixture.n_features}"
        )
