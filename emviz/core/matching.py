"""Exact matching of clusters to clusters: the linear assignment problem.

EM numbers its components arbitrarily, and so do k-means and the oracle's labels. To say
"this cluster is that component" (one colour for one cluster in every view, the oracle's
ln p(X, Z | θ_EM) under the best relabelling) we pick the one-to-one assignment σ of rows to
columns that maximises the total gain

    σ* = argmax_σ Σ_i G[i, σ(i)],  σ injective, rows i = 0..R-1 into columns j = 0..C-1, R ≤ C.

This is the linear assignment problem, solved exactly for every size by the Hungarian
algorithm (Kuhn 1955; Munkres 1957) in O(R² C): shortest augmenting paths with dual
potentials u_i, v_j kept so that cost[i, j] - u_i - v_j ≥ 0 everywhere and = 0 on the
matching (Jonker & Volgenant's formulation, as in scipy.optimize.linear_sum_assignment,
which emviz does not depend on).
"""

from __future__ import annotations

import numpy as np


def linear_assignment(cost: np.ndarray) -> np.ndarray:
    """The assignment of minimal total cost: σ with Σ_i cost[i, σ(i)] smallest.

    cost : array, shape (R, C) with R ≤ C, finite
    Returns int array σ, shape (R,), distinct column indices.
    """
    cost = np.asarray(cost, dtype=float)
    n_rows, n_cols = cost.shape
    if n_rows > n_cols:
        raise ValueError(f"more rows than columns ({n_rows} > {n_cols}): transpose the cost")
    if not np.all(np.isfinite(cost)):
        raise ValueError("the cost must be finite")
    # 1-based arrays with a dummy row/column 0, as the textbook algorithm is written.
    u = np.zeros(n_rows + 1)
    v = np.zeros(n_cols + 1)
    owner = np.zeros(n_cols + 1, dtype=int)  # owner[j]: the row matched to column j (0: none)
    way = np.zeros(n_cols + 1, dtype=int)
    for i in range(1, n_rows + 1):
        owner[0] = i
        j0 = 0
        min_slack = np.full(n_cols + 1, np.inf)
        used = np.zeros(n_cols + 1, dtype=bool)
        while True:  # grow the alternating tree until it reaches a free column
            used[j0] = True
            i0 = owner[j0]
            free = ~used[1:]
            slack = cost[i0 - 1] - u[i0] - v[1:]
            better = free & (slack < min_slack[1:])
            min_slack[1:][better] = slack[better]
            way[1:][better] = j0
            candidates = np.where(free, min_slack[1:], np.inf)
            j1 = int(np.argmin(candidates)) + 1
            delta = candidates[j1 - 1]
            u[owner[used]] += delta
            v[used] -= delta
            min_slack[1:][free] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:  # flip the augmenting path
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    sigma = np.empty(n_rows, dtype=int)
    for j in range(1, n_cols + 1):
        if owner[j]:
            sigma[owner[j] - 1] = j - 1
    return sigma


def best_assignment(gain: np.ndarray) -> np.ndarray:
    """σ maximising Σ_i gain[i, σ(i)], shape (R,), for gain of shape (R, C), R ≤ C.

    Entries of -inf (or NaN: a pairing that is impossible, e.g. a zero-density component)
    are treated as worse than any finite pairing, so they are used only when unavoidable.
    """
    gain = np.asarray(gain, dtype=float)
    finite = np.isfinite(gain)
    if not finite.all():
        ok = gain[finite]
        span = float(ok.max() - ok.min()) if ok.size else 0.0
        floor = (float(ok.min()) if ok.size else 0.0) - (span + 1.0) * (gain.shape[0] + 1)
        gain = np.where(finite, gain, floor)
    return linear_assignment(-gain)


def match_points(previous: np.ndarray, current: np.ndarray) -> np.ndarray:
    """Which of ``current``'s points each of ``previous``'s points becomes: σ minimising
    Σ_i ‖previous_i - current_σ(i)‖² (centres, means), shape (len(previous),).

    previous : array (R, D); current : array (C, D), R ≤ C.
    """
    previous, current = np.asarray(previous, dtype=float), np.asarray(current, dtype=float)
    d2 = ((previous[:, None, :] - current[None, :, :]) ** 2).sum(axis=2)
    return best_assignment(-d2)
