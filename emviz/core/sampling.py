"""The lecture's two generating procedures for a Gaussian mixture."""

from __future__ import annotations

from typing import Literal

import numpy as np

from .mixture import Mixture

Procedure = Literal["per-point", "per-component"]


def component_counts(weights: np.ndarray, n: int) -> np.ndarray:
    """n_k = round(n · π_k), rounding halves up, shape (K,). The total may differ from n."""
    return np.floor(np.asarray(weights) * n + 0.5).astype(int)


def sample(
    mixture: Mixture, n: int, rng: np.random.Generator, procedure: Procedure = "per-point"
) -> tuple[np.ndarray, np.ndarray]:
    """Draw points from the mixture by one of the lecture's two procedures.

    ``"per-point"`` (procedure 1): for n = 1..N draw u ~ U(0, 1), pick the component k with
    Σ_{j<k} π_j <= u < Σ_{j<=k} π_j, then draw x ~ N(μ_k, Σ_k). Returns exactly n points;
    the count from component k is Binomial(n, π_k).

    ``"per-component"`` (procedure 2): for k = 1..K draw n_k = round(n · π_k) points from
    N(μ_k, Σ_k), component after component. Each n_k is within ½ of n · π_k, so the total
    Σ_k n_k can differ from n by at most K/2 (e.g. n = 3, π = (½, ½) gives 2 + 2 = 4).

    Returns
    -------
    X : array, shape (M, D) with M = n (per-point) or Σ_k n_k (per-component)
    labels : int array, shape (M,), the component each point came from (the oracle's z)
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if procedure == "per-point":
        # Scaled to end at exactly 1 (the weights may sum to 1 ± 1e-6), so every u < 1 picks a
        # component with π_k > 0, never a trailing weight-0 one.
        cumulative = np.cumsum(mixture.weights)
        cumulative /= cumulative[-1]
        u = rng.uniform(size=n)
        labels = np.searchsorted(cumulative, u, side="right")
    elif procedure == "per-component":
        counts = component_counts(mixture.weights, n)
        labels = np.repeat(np.arange(mixture.n_components), counts)
    else:
        raise ValueError(f"procedure must be 'per-point' or 'per-component', got {procedure!r}")
    chol = mixture.cholesky()
    X = rng.standard_normal((labels.size, mixture.n_features))
    for k in range(mixture.n_components):
        mine = labels == k
        X[mine] = X[mine] @ chol[k].T + mixture.means[k]  # x = μ_k + L_k z
    return X, labels.astype(int)
