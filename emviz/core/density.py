"""Log-densities and the E-step quantities, always in the log domain.

Nothing here forms an explicit pdf: ln N(x | μ, Σ) comes from a Cholesky factor, so a point
1e3 standard deviations away gives a large negative number rather than an underflow to 0.

Layout and speed. The loops work on the transposed layout, one contiguous row of N values per
component, shape (K, N), or per coordinate, shape (D, N), and walk the points in blocks of
``BLOCK``. A block's temporaries are scratch arrays of a ``Workspace`` that lives as long as the
EM run, so they are allocated once and stay in cache. (At N = 1e6, whole-array passes stream
every operand through main memory and page-fault fresh (N,) temporaries in: the same arithmetic
measured about three times slower.) The public functions keep the lecture's (N, K) shapes;
their results are transposed views of (K, N) arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np

from .mixture import Mixture

LOG_2PI = np.log(2.0 * np.pi)

#: Points per block: big enough that numpy's per-call overhead (about 1 µs) is small next to
#: the work, small enough that a block's (K, BLOCK) arrays stay in the CPU caches.
BLOCK = 16384


#: Makes the (K, N) float64 arrays that E-steps write the responsibilities into: np.empty, or
#: in the EM engine's child process blocks of shared memory the window maps, so that r_nk is
#: written once where both processes read it and never copied (see ``set_resp_allocator``).
_allocate_resp: Callable[[tuple[int, int]], np.ndarray] = np.empty


def set_resp_allocator(allocate: Callable[[tuple[int, int]], np.ndarray]) -> None:
    """Use ``allocate(shape)`` (a writable, C-contiguous float64 array of that shape) for the
    responsibilities of every later E-step in this process; ``np.empty`` is the default."""
    global _allocate_resp
    _allocate_resp = allocate


def _blocks(n: int) -> Iterator[slice]:
    """Consecutive slices of at most BLOCK points covering 0..n-1."""
    for start in range(0, n, BLOCK):
        yield slice(start, min(start + BLOCK, n))


class Workspace:
    """Data in the layouts the blocked loops want, and their scratch arrays, for one EM run.

    X_t : array, shape (D, N), C-contiguous: the points X, one row per coordinate

    The scratch arrays hold one block of points and are overwritten by every call that takes
    the workspace; the results those calls return are fresh arrays.
    """

    def __init__(self, X: np.ndarray, n_components: int) -> None:
        self.X_t = np.ascontiguousarray(np.asarray(X, dtype=float).T)
        d, n = self.X_t.shape
        self.n_points = n
        size = min(n, BLOCK)
        self.by_component = np.empty((n_components, size))  # wlp, then ln r, of a block
        self.by_coordinate = np.empty((2, d, size))  # y = L⁻¹(x - μ), or x - μ and r (x - μ)
        self.by_point = np.empty((2, size))  # the per-point max and ln p(x_n | θ)

    def blocks(self) -> Iterator[slice]:
        """Consecutive slices of at most BLOCK points covering all N points."""
        return _blocks(self.n_points)


def _gaussian_terms(
    log_weights: np.ndarray, covariances: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cholesky factors and the point-independent part of ln π_k N(x | μ_k, Σ_k).

    With Σ_k = L_k L_kᵀ, ln|Σ_k| = 2 Σ_i ln (L_k)_ii, so
    ln π_k N(x | μ_k, Σ_k) = c_k - ½ ‖L_k⁻¹(x - μ_k)‖²,  c_k = ln π_k - ½ D ln 2π - Σ_i ln (L_k)_ii.

    log_weights : array, shape (K,), ln π_k (zeros for the bare log-density)
    covariances : array, shape (K, D, D)

    Returns chol, shape (K, D, D), and c, shape (K,).
    """
    d = covariances.shape[1]
    chol = np.linalg.cholesky(covariances)
    half_log_det = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    return chol, log_weights - 0.5 * d * LOG_2PI - half_log_det


def _block_log_prob(
    x_t: np.ndarray,
    means: np.ndarray,
    chol: np.ndarray,
    const: np.ndarray,
    out: np.ndarray,
    y: np.ndarray,
) -> None:
    """out[k] = c_k - ½ ‖L_k⁻¹(x_n - μ_k)‖² for one block of points.

    x_t : array, shape (D, B), the block's points as coordinate rows
    means : array, shape (K, D); chol, const : from ``_gaussian_terms``
    out : array, shape (K, B), written
    y : array, shape (D, B), scratch

    The points are centred on μ_k before anything else, so data far from the origin lose no
    digits. For D = 2 the triangular solve L y = x - μ is written out (forward substitution,
    L = [[a, 0], [b, c]]): y₀ = (x₀ - μ₀) / a, y₁ = ((x₁ - μ₁) - b y₀) / c.
    """
    d = x_t.shape[0]
    for k, row in enumerate(out):
        if d == 2:
            a, b, c = chol[k, 0, 0], chol[k, 1, 0], chol[k, 1, 1]
            y0, y1 = y
            np.subtract(x_t[0], means[k, 0], out=y0)
            y0 *= 1.0 / a
            np.subtract(x_t[1], means[k, 1], out=y1)
            np.multiply(y0, b, out=row)  # row as scratch for b y₀ until it gets its value
            y1 -= row
            y1 *= 1.0 / c
            np.multiply(y0, y0, out=row)
            y1 *= y1
            row += y1
        else:
            np.subtract(x_t, means[k][:, None], out=y)
            solved = np.linalg.solve(chol[k], y)
            np.einsum("dn,dn->n", solved, solved, out=row)
    out *= -0.5  # out held the squared Mahalanobis distances ‖y‖²
    out += const[:, None]


def _normalise_block(
    wlp: np.ndarray, resp: np.ndarray, point_max: np.ndarray, log_norm: np.ndarray
) -> None:
    """Log-sum-exp over the components for one block of points.

    r_nk = exp(w_nk - m_n) / Σ_j exp(w_nj - m_n) and ln p(x_n | θ) = m_n + ln Σ_j exp(w_nj - m_n),
    with w_nk = ln π_k N(x_n | θ_k) and m_n = max_k w_nk: the largest term is exp(0) = 1, so
    nothing overflows and the sum lies in [1, K].

    wlp : array, shape (K, B); resp : array, shape (K, B), written
    point_max : array, shape (B,), scratch; log_norm : array, shape (B,), written
    """
    np.max(wlp, axis=0, out=point_max)
    np.subtract(wlp, point_max, out=resp)
    with np.errstate(under="ignore"):
        np.exp(resp, out=resp)
    np.sum(resp, axis=0, out=log_norm)
    resp /= log_norm
    np.log(log_norm, out=log_norm)
    log_norm += point_max


def _sum_products(r: np.ndarray, w: np.ndarray) -> float:
    """Σ_k Σ_n r_kn w_kn over arrays of shape (K, B), with r_kn = 0 terms counted as 0 even
    where w_kn = -inf (a component of weight 0).

    numpy's einsum rather than a BLAS dot: these are many short sums, and a multithreaded
    BLAS hands sums this long to its thread pool, whose wake-up can cost milliseconds when
    another process holds the cores.
    """
    with np.errstate(invalid="ignore"):
        rows = np.einsum("kn,kn->k", r, w)
    for k in np.flatnonzero(~np.isfinite(rows)):  # 0 · (-inf) is NaN: no responsibility,
        live = r[k] > 0  # no contribution
        rows[k] = np.einsum("n,n->", r[k][live], w[k][live])
    return float(rows.sum())


class Moments(NamedTuple):
    """The sums of the responsibilities the M-step needs.

    mass : array, shape (K,), N_k = Σ_n r_nk (the effective number of points of component k)
    weighted_sums : array, shape (K, D), Σ_n r_nk x_n
    """

    mass: np.ndarray
    weighted_sums: np.ndarray


def _add_moments(resp: np.ndarray, x_t: np.ndarray, moments: Moments) -> None:
    """Add one block's Σ_n r_nk and Σ_n r_nk x_n; resp (K, B), x_t (D, B)."""
    mass, weighted_sums = moments  # updated in place
    mass += resp.sum(axis=1)
    weighted_sums += np.einsum("kn,dn->kd", resp, x_t)  # not BLAS: see _sum_products


def responsibility_moments(workspace: Workspace, resp_t: np.ndarray) -> Moments:
    """N_k = Σ_n r_nk and Σ_n r_nk x_n for responsibilities resp_t, shape (K, N)."""
    moments = Moments(np.zeros(resp_t.shape[0]), np.zeros((resp_t.shape[0], workspace.X_t.shape[0])))
    for block in workspace.blocks():
        _add_moments(resp_t[:, block], workspace.X_t[:, block], moments)
    return moments


class EStep(NamedTuple):
    """What one blocked pass over the data computes for a mixture θ.

    resp_t : array, shape (K, N), r_nk = p(z_nk = 1 | x_n, θ) (transposed)
    moments : N_k and Σ_n r_nk x_n of these responsibilities, for the next M-step
    log_likelihood : ln p(X | θ) = Σ_n ln Σ_k π_k N(x_n | μ_k, Σ_k)
    expected_log_joint : Σ_n Σ_k r_nk ln π_k N(x_n | θ_k), with these r_nk
    old_expected_log_joint : the same sum with the responsibilities ``old_resp_t`` passed in
        (the Q(θ, θ_old) of an M-step), NaN if none were
    entropy : H(q) = -Σ_n Σ_k r_nk ln r_nk of these responsibilities, with ln r_nk taken in
        the log domain, ln π_k N(x_n | θ_k) - ln p(x_n | θ), while the block is in cache
    """

    resp_t: np.ndarray
    moments: Moments
    log_likelihood: float
    expected_log_joint: float
    old_expected_log_joint: float
    entropy: float


def e_step_pass(
    workspace: Workspace, mixture: Mixture, old_resp_t: np.ndarray | None = None
) -> EStep:
    """The E-step for θ = ``mixture`` in one pass over the points, block by block.

    Each block's ln π_k N(x_n | θ_k) is used while it is in cache, for the responsibilities,
    ln p(x_n | θ) and the sums Σ r_nk ln π_k N(x_n | θ_k), and is never stored whole; the
    new responsibilities are summed for the M-step while they are in cache too.

    old_resp_t : array, shape (K, N), optional; responsibilities from before θ was updated
    """
    with np.errstate(divide="ignore"):
        log_weights = np.log(mixture.weights)
    chol, const = _gaussian_terms(log_weights, mixture.covariances)
    k, d = mixture.means.shape
    resp_t = _allocate_resp((k, workspace.n_points))
    moments = Moments(np.zeros(k), np.zeros((k, d)))
    log_likelihood = expected = old_expected = entropy = 0.0
    for block in workspace.blocks():
        size = block.stop - block.start
        x_t = workspace.X_t[:, block]
        wlp = workspace.by_component[:, :size]
        point_max, log_norm = workspace.by_point[:, :size]
        _block_log_prob(x_t, mixture.means, chol, const, wlp, workspace.by_coordinate[0, :, :size])
        if old_resp_t is not None:
            old_expected += _sum_products(old_resp_t[:, block], wlp)
        resp = resp_t[:, block]
        _normalise_block(wlp, resp, point_max, log_norm)
        log_likelihood += float(log_norm.sum())
        expected += _sum_products(resp, wlp)
        _add_moments(resp, x_t, moments)
        wlp -= log_norm  # now ln r_nk (an underflowed r_nk = 0 meets a finite log here)
        entropy -= _sum_products(resp, wlp)
    if old_resp_t is None:
        old_expected = float("nan")
    return EStep(resp_t, moments, log_likelihood, expected, old_expected, entropy)


def entropy_t(resp_t: np.ndarray, workspace: Workspace | None = None) -> float:
    """H(q) = -Σ_n Σ_k r_nk ln r_nk, with 0 ln 0 = 0, from the responsibilities themselves.

    resp_t : array, shape (K, N) (transposed responsibilities)
    workspace : optional, for its scratch arrays
    """
    k, n = resp_t.shape
    if workspace is None:
        log_r_block = np.empty((k, min(n, BLOCK)))
    else:
        log_r_block = workspace.by_component
    total = 0.0
    for block in _blocks(n):
        r = resp_t[:, block]
        log_r = log_r_block[:, : r.shape[1]]
        with np.errstate(divide="ignore"):
            np.log(r, out=log_r)
        total -= _sum_products(r, log_r)
    return total


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
    means = np.asarray(means, dtype=float)
    chol, const = _gaussian_terms(np.zeros(means.shape[0]), np.asarray(covariances, dtype=float))
    return _log_prob_t(np.asarray(X, dtype=float), means, chol, const).T


def _log_prob_t(X: np.ndarray, means: np.ndarray, chol: np.ndarray, const: np.ndarray) -> np.ndarray:
    """c_k - ½ ‖L_k⁻¹(x_n - μ_k)‖² for all points, shape (K, N); X has shape (N, D)."""
    workspace = Workspace(X, means.shape[0])
    out = np.empty((means.shape[0], workspace.n_points))
    for block in workspace.blocks():
        y = workspace.by_coordinate[0, :, : block.stop - block.start]
        _block_log_prob(workspace.X_t[:, block], means, chol, const, out[:, block], y)
    return out


def weighted_log_prob(X: np.ndarray, mixture: Mixture) -> np.ndarray:
    """ln π_k + ln N(x_n | μ_k, Σ_k), shape (N, K), Fortran-ordered. A zero weight gives -inf."""
    with np.errstate(divide="ignore"):
        log_weights = np.log(mixture.weights)
    chol, const = _gaussian_terms(log_weights, mixture.covariances)
    return _log_prob_t(np.asarray(X, dtype=float), mixture.means, chol, const).T


def normalise_log(wlp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Responsibilities and per-point log-normalisers from ln π_k N(x_n | θ_k).

    r_nk = π_k N_k(x_n) / Σ_j π_j N_j(x_n), computed by log-sum-exp: subtract each point's
    maximum before exponentiating, so the largest term is exp(0) = 1 and nothing overflows.

    Parameters
    ----------
    wlp : array, shape (N, K)

    Returns
    -------
    resp : array, shape (N, K), rows summing to 1 (Fortran-ordered: the work runs over
        contiguous (K, N) rows)
    log_norm : array, shape (N,), ln Σ_k π_k N(x_n | μ_k, Σ_k) = ln p(x_n | θ)
    """
    by_component = np.asarray(wlp, dtype=float).T  # (K, N)
    k, n = by_component.shape
    resp_t = np.empty((k, n))
    log_norm = np.empty(n)
    point_max = np.empty(min(n, BLOCK))
    for block in _blocks(n):
        size = block.stop - block.start
        _normalise_block(by_component[:, block], resp_t[:, block], point_max[:size], log_norm[block])
    return resp_t.T, log_norm


def expected_log_joint(resp: np.ndarray, wlp: np.ndarray) -> float:
    """Σ_n Σ_k r_nk [ln π_k + ln N(x_n | μ_k, Σ_k)], with r_nk = 0 terms counted as 0.

    resp, wlp : arrays, shape (N, K)
    """
    resp, wlp = np.asarray(resp, dtype=float), np.asarray(wlp, dtype=float)
    if resp.shape != wlp.shape:
        raise ValueError(f"resp and wlp must have the same shape, got {resp.shape} and {wlp.shape}")
    return sum(_sum_products(resp[block].T, wlp[block].T) for block in _blocks(resp.shape[0]))


def entropy(resp: np.ndarray) -> float:
    """H(q) = -Σ_n Σ_k r_nk ln r_nk, with 0 ln 0 = 0.

    resp : array, shape (N, K)
    """
    return entropy_t(np.asarray(resp, dtype=float).T)
