"""The likelihood landscape of one mean: ln p(X | θ) and L(q, θ) as μ_k alone moves.

For a chosen component k and a candidate mean m, θ[m] is θ with μ_k replaced by m (π, Σ and
the other means kept). Two maps over a grid of m:

- ln p(X | θ[m]) = Σ_n ln [ e^{s_n} + π_k N(x_n | m, Σ_k) ],  s_n = ln Σ_{j≠k} π_j N(x_n | θ_j)
  (s_n is computed once; each m costs one pass over the N points: O(G N) in all);
- L(q, θ[m]) for the q held from the last E-step. Only the k-th term of L depends on m, and
  Σ_n r_nk ‖L_k⁻¹(x_n − m)‖² = S_k + N_k ‖L_k⁻¹(m − x̄_k)‖² with N_k = Σ_n r_nk and
  x̄_k = Σ_n r_nk x_n / N_k, so
      L(q, θ[m]) = L(q, θ) + ½ N_k (‖L_k⁻¹(μ_k − x̄_k)‖² − ‖L_k⁻¹(m − x̄_k)‖²),
  a paraboloid in m whose peak x̄_k is where the M-step puts μ_k (O(G) after one O(N K) pass).

Jensen gives L(q, θ[m]) ≤ ln p(X | θ[m]) everywhere; when q is the posterior at θ (right
after an E-step) the two touch at m = μ_k. So the picture is the lecture's f and b, in the
plane of μ_k: the bound touches, the M-step climbs to the bound's peak, and ln p, above the
bound, climbs at least as far.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np

from .density import normalise_log, weighted_log_prob
from .density_map import Grid, regular_grid
from .em import _check_resp, lower_bound
from .mixture import Mixture, check_compatible, check_points

#: Grid points per block of the ln p map: (block, N) temporaries of about 2 MB each.
_BLOCK_ENTRIES = 1 << 18

#: The progressive refinement: a coarse map first, then the full one.
SIDES = (16, 64)


def _check_k(mixture: Mixture, k: int) -> int:
    if not 0 <= int(k) < mixture.n_components:
        raise ValueError(f"component k must be in 0..{mixture.n_components - 1}, got {k}")
    return int(k)


def _candidates(means_k: np.ndarray, d: int) -> np.ndarray:
    m = np.asarray(means_k, dtype=float).reshape(-1, d)
    if not np.all(np.isfinite(m)):
        raise ValueError("candidate means must be finite")
    return m


def log_likelihood_over_mean(X: np.ndarray, mixture: Mixture, k: int,
                             means_k: np.ndarray) -> np.ndarray:
    """ln p(X | θ with μ_k = m) for each candidate m.

    X : array, shape (N, D); mixture : θ with K components; k : the component that moves
    means_k : array, shape (G, D), the candidate means m
    Returns array, shape (G,).
    """
    X = check_points(X)
    check_compatible(X, mixture)
    k = _check_k(mixture, k)
    m = _candidates(means_k, X.shape[1])
    wlp = weighted_log_prob(X, mixture)  # (N, K): ln π_j N(x_n | θ_j)
    others = np.delete(wlp, k, axis=1)
    if others.shape[1]:
        _, s = normalise_log(others)  # s_n = ln Σ_{j≠k} π_j N(x_n | θ_j)
    else:
        s = np.full(len(X), -np.inf)  # K = 1: component k is the whole mixture
    chol = np.linalg.cholesky(mixture.covariances[k])
    with np.errstate(divide="ignore"):
        const = (np.log(mixture.weights[k]) - 0.5 * X.shape[1] * np.log(2 * np.pi)
                 - np.log(np.diag(chol)).sum())
    # Whitened coordinates y = L⁻¹(x − c) and w = L⁻¹(m − c), c the data's centre (so no
    # digits are lost far from 0). With t_gn = ln π_k N(x_n | m_g, Σ_k) − s_n,
    #   ln p(X | θ[m_g]) = Σ_n s_n + Σ_n ln(1 + e^{t_gn}),
    #   t_gn = y_n · w_g + (const − ½‖w_g‖²) + (−½‖y_n‖² − s_n),
    # one matrix product and two broadcast sums per block, then a softplus.
    centre = X.mean(axis=0)
    y = np.linalg.solve(chol, (X - centre).T)  # (D, N)
    w = np.linalg.solve(chol, (m - centre).T).T  # (G, D)
    by_grid = const - 0.5 * np.einsum("gd,gd->g", w, w)
    if np.isfinite(s).all():
        by_point = -0.5 * np.einsum("dn,dn->n", y, y) - s
        base = float(s.sum())
    else:  # K = 1 (s = −∞): ln p = Σ_n ln π_k N(x_n | m, Σ_k), no softplus
        by_point = -0.5 * np.einsum("dn,dn->n", y, y)
        base = None
    out = np.empty(len(m))
    block = max(1, _BLOCK_ENTRIES // max(1, len(X)))
    t = np.empty((min(block, len(m)), len(X)))
    u = np.empty_like(t)
    for start in range(0, len(m), block):
        stop = min(start + block, len(m))
        tb = t[: stop - start]
        np.matmul(w[start:stop], y, out=tb)
        tb += by_grid[start:stop, None]
        tb += by_point[None, :]
        if base is None:
            out[start:stop] = tb.sum(axis=1)
            continue
        # ln(1 + e^t) = max(t, 0) + ln(1 + e^{−|t|}): nothing overflows. (np.logaddexp gives
        # the same but is not vectorised: 7 times slower, measured here.)
        ub = u[: stop - start]
        np.abs(tb, out=ub)
        np.negative(ub, out=ub)
        with np.errstate(under="ignore"):
            np.exp(ub, out=ub)
        np.log1p(ub, out=ub)
        np.maximum(tb, 0.0, out=tb)
        tb += ub
        out[start:stop] = base + tb.sum(axis=1)
    return out


class BoundParabola(NamedTuple):
    """L(q, θ[m]) = peak − ½ N_k ‖L_k⁻¹(m − x̄_k)‖², for one q, θ and k.

    peak : L at m = x̄_k; mass : N_k = Σ_n r_nk; centre : x̄_k, shape (D,), where the M-step
    puts μ_k; chol : L_k, shape (D, D), the Cholesky factor of Σ_k
    """

    peak: float
    mass: float
    centre: np.ndarray
    chol: np.ndarray

    def at(self, means_k: np.ndarray) -> np.ndarray:
        """L(q, θ[m]) for candidates m, shape (G, D) → (G,)."""
        m = _candidates(means_k, len(self.centre))
        z = np.linalg.solve(self.chol, (m - self.centre).T)  # (D, G)
        return self.peak - 0.5 * self.mass * np.einsum("dg,dg->g", z, z)


def bound_parabola(X: np.ndarray, resp: np.ndarray, mixture: Mixture, k: int) -> BoundParabola:
    """The paraboloid L(q, θ[m]) of the module docstring, from one pass over the data.

    resp : array, shape (N, K), the q held from the last E-step
    ValueError if component k has no responsibility at all (N_k = 0: L does not depend on μ_k).
    """
    X = check_points(X)
    check_compatible(X, mixture)
    resp = _check_resp(X, resp, mixture)
    k = _check_k(mixture, k)
    mass = float(resp[:, k].sum())
    if not mass > 0:
        raise ValueError(f"component {k} has no responsibility (N_k = 0): L does not depend on μ_k")
    centre = resp[:, k] @ X / mass
    chol = np.linalg.cholesky(mixture.covariances[k])
    z = np.linalg.solve(chol, mixture.means[k] - centre)
    peak = lower_bound(X, resp, mixture) + 0.5 * mass * float(z @ z)
    return BoundParabola(peak, mass, centre, chol)


def lower_bound_over_mean(X: np.ndarray, resp: np.ndarray, mixture: Mixture, k: int,
                          means_k: np.ndarray) -> np.ndarray:
    """L(q, θ with μ_k = m) for each candidate m, shape (G, D) → (G,)."""
    return bound_parabola(X, resp, mixture, k).at(means_k)


class Landscape(NamedTuple):
    """The two maps of component k over one grid (rows are y, as ``Grid.shape``).

    log_likelihood : array, shape (ny, nx), ln p(X | θ[m])
    lower_bound : array, shape (ny, nx), L(q, θ[m]), or None when there is no q yet
    target : x̄_k, where the M-step puts μ_k (None without q)
    n_used : how many points the maps were computed on
    """

    k: int
    grid: Grid
    log_likelihood: np.ndarray
    lower_bound: np.ndarray | None
    target: np.ndarray | None
    n_used: int


def landscapes(X: np.ndarray, resp: np.ndarray | None, mixture: Mixture, k: int,
               x_range: tuple[float, float], y_range: tuple[float, float],
               sides: Sequence[int] = SIDES) -> Iterator[Landscape]:
    """The maps of component k over x_range × y_range, refined: one ``Landscape`` per side
    length in ``sides`` (a side × side grid each), coarse first, so a view can show the
    coarse one while the fine one is computed. ``resp``: the q held from the last E-step
    (None before the first, or when component k holds no responsibility at all: then only
    ln p, since L does not depend on μ_k)."""
    if resp is not None and not np.asarray(resp)[:, k].sum() > 0:
        resp = None
    parabola = None if resp is None else bound_parabola(X, resp, mixture, k)
    for side in sides:
        grid = regular_grid(x_range, y_range, side, side)
        means_k = grid.points
        log_p = log_likelihood_over_mean(X, mixture, k, means_k).reshape(grid.shape)
        bound = None if parabola is None else parabola.at(means_k).reshape(grid.shape)
        yield Landscape(k, grid, log_p, bound, None if parabola is None else parabola.centre,
                        len(X))
