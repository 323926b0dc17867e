"""Log-densities and the E-step quantities, always in the log domain.

Nothing here forms an explicit pdf: ln N(x | μ, Σ) comes from a Cholesky factor, so a point
1e3 standard deviations away gives a large negative number rather than an underflow to 0.
"""

from __future__ import annotations

import numpy as np

from .mixture import Mixture

LOG_2PI = np.log(2.0 * np.pi)


def log_gaussian(X: np.ndarray, means: np.ndarray, covariances: np.ndarray) -> np.ndarray:
    """ln N(x_n | μ_k, Σ_k) for every point and component.

    ln N = -½ [D ln 2π + ln|Σ_k| + (x - μ_k)ᵀ Σ_k⁻¹ (x - μ_k)], with Σ_k = L Lᵀ so that
    ln|Σ_k| = 2 Σ_i ln L_ii and the Mahalanobis term is ‖L⁻¹(x - μ_k)‖².

    Parameters
    ----------
    X : array, shape (N, D)
    means : array, shape (K, D)
    covariances : array, shape (K, D, D), symmetric positive definite

    Returns
    -------
    log_prob : array, shape (N, K), Fortran-ordered so each component's column is contiguous.
    """
    n, d = X.shape
    k = means.shape[0]
    chol = np.linalg.cholesky(covariances)
    log_det = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    out = np.empty((k, n))
    if d == 2:
        _mahalanobis_2d(X, means, chol, out)
    else:
        for j in range(k):
            # Solve L y = (x - μ)ᵀ for all points at once; D is small, so this is cheap.
            y = np.linalg.solve(chol[j], (X - means[j]).T)
            np.einsum("dn,dn->n", y, y, out=out[j])
    out += d * LOG_2PI + log_det[:, None]
    out *= -0.5
    return out.T


def _mahalanobis_2d(X: np.ndarray, means: np.ndarray, chol: np.ndarray, out: np.ndarray) -> None:
    """Closed-form 2x2 forward substitution: out[k] = ‖L_k⁻¹(x - μ_k)‖², shape (K, N).

    With L = [[a, 0], [b, c]]: y₀ = (x₀ - μ₀) / a and y₁ = ((x₁ - μ₁) - b y₀) / c.
    In-place arithmetic keeps the temporaries to two N-vectors per component.
    """
    x0, x1 = X[:, 0], X[:, 1]
    y0 = np.empty(X.shape[0])
    y1 = np.empty(X.shape[0])
    for j in range(means.shape[0]):
        a, b, c = chol[j, 0, 0], chol[j, 1, 0], chol[j, 1, 1]
        np.subtract(x0, means[j, 0], out=y0)
        y0 *= 1.0 / a
        np.subtract(x1, means[j, 1], out=y1)
        y1 -= b * y0  # allocates one temporary; still cheaper than a matmul for D = 2
        y1 *= 1.0 / c
        np.multiply(y0, y0, out=out[j])
        y1 *= y1
        out[j] += y1


def weighted_log_prob(X: np.ndarray, mixture: Mixture) -> np.ndarray:
    """ln π_k + ln N(x_n | μ_k, Σ_k), shape (N, K). A zero weight gives -inf."""
    with np.errstate(divide="ignore"):
        log_weights = np.log(mixture.weights)
    wlp = log_gaussian(X, mixture.means, mixture.covariances)
    wlp += log_weights
    return wlp


def normalise_log(wlp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Responsibilities and per-point log-normalisers from ln π_k N(x_n | θ_k).

    r_nk = π_k N_k(x_n) / Σ_j π_j N_j(x_n), computed by log-sum-exp: subtract each point's
    maximum before exponentiating, so the largest term is exp(0) = 1 and nothing overflows.

    Parameters
    ----------
    wlp : array, shape (N, K)

    Returns
    -------
    resp : array, shape (N, K), rows summing to 1 (Fortran-ordered, like ``wlp`` from
        ``weighted_log_prob``: the work runs over contiguous (K, N) rows)
    log_norm : array, shape (N,), ln Σ_k π_k N(x_n | μ_k, Σ_k) = ln p(x_n | θ)
    """
    by_component = wlp.T  # (K, N), C-contiguous for the wlp of weighted_log_prob
    point_max = by_component.max(axis=0)
    resp_t = by_component - point_max
    with np.errstate(under="ignore"):
        np.exp(resp_t, out=resp_t)
    total = resp_t.sum(axis=0)
    resp_t /= total
    log_norm = np.log(total)
    log_norm += point_max
    return resp_t.T, log_norm


def expected_log_joint(resp: np.ndarray, wlp: np.ndarray) -> float:
    """Σ_n Σ_k r_nk [ln π_k + ln N(x_n | μ_k, Σ_k)], with r_nk = 0 terms counted as 0.

    resp, wlp : arrays, shape (N, K)
    """
    total = 0.0
    for r, w in zip(resp.T, wlp.T, strict=True):  # one contiguous column per component
        if np.isfinite(w).all():
            total += float(r @ w)
        else:  # 0 · (-inf) would be NaN: no responsibility means no contribution
            live = r > 0
            total += float(r[live] @ w[live])
    return total


def entropy(resp: np.ndarray) -> float:
    """H(q) = -Σ_n Σ_k r_nk ln r_nk, with 0 ln 0 = 0.

    resp : array, shape (N, K)
    """
    total = 0.0
    log_r = np.empty(resp.shape[0])
    for r in resp.T:
        log_r.fill(0.0)
        np.log(r, out=log_r, where=r > 0)
        total -= float(r @ log_r)
    return total
