"""The oracle: the complete-data fit from labels z_n, and EM's θ scored against it.

The lecture: "Suppose some oracle told us which point comes from which Gaussian", giving
z_nk = 1 if point n comes from component k. With those labels the complete log-likelihood

    ln p(X, Z | θ) = Σ_n Σ_k z_nk [ln π_k + ln N(x_n | μ_k, Σ_k)]

has no log of a sum: each Gaussian is fitted to its own points, π_k = N_k / N. Labels are
int arrays z of shape (N,), z_n = -1 for an unlabelled point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .density import weighted_log_prob
from .em import log_likelihood
from .init import fit_labelled
from .matching import best_assignment
from .mixture import Mixture
from .quantities import complete_log_likelihood


def labelled_subset(X: np.ndarray, labels: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The points that have a label (z_n >= 0) and their labels: (X_l (M, 2), z_l (M,))."""
    if labels is None:
        return np.empty((0, X.shape[1])), np.empty(0, dtype=int)
    known = labels >= 0
    return X[known], np.asarray(labels[known], dtype=int)


def oracle_fit(X: np.ndarray, labels: np.ndarray | None, covariance_type: str,
               reg_covar: float) -> Mixture:
    """The complete-data maximum-likelihood θ from the labelled points, K = max z + 1.

    X : (N, 2); labels : int (N,) or None. Raises ValueError (saying what to do) when no
    point is labelled or a label in 0..K-1 has no points.
    """
    X_l, z_l = labelled_subset(X, labels)
    if len(z_l) == 0:
        raise ValueError("no point has a label: paint some labels, or generate data")
    return fit_labelled(X_l, z_l, int(z_l.max()) + 1, covariance_type, reg_covar)


def match_components(X_l: np.ndarray, z_l: np.ndarray, mixture: Mixture) -> np.ndarray | None:
    """EM's component for each oracle label, shape (K_labels,), or None if K_EM < K_labels.

    EM numbers its components arbitrarily, so label k goes to component σ(k), the injective
    σ maximising Σ_k Σ_{n: z_n = k} ln π_σ(k) N(x_n | μ_σ(k), Σ_σ(k)): that is
    ln p(X_l, Z_l | θ_EM) under its best relabelling. Exact for every K (the Hungarian
    algorithm on the gain matrix G[k, j] = Σ_{n: z_n = k} ln π_j N(x_n | θ_j), (K_labels, K_EM)).

    X_l : (M, 2) labelled points; z_l : int (M,) their labels, at least one.
    """
    k_labels, k_em = int(z_l.max()) + 1, mixture.n_components
    if k_labels > k_em:
        return None
    wlp = weighted_log_prob(X_l, mixture)  # (M, K_EM)
    gain = np.stack([np.bincount(z_l, weights=wlp[:, j], minlength=k_labels) for j in range(k_em)], 1)
    return best_assignment(gain)


@dataclass(frozen=True)
class Scores:
    """ln p(X_l, Z_l | θ) on the labelled points and ln p(X | θ) on all points, for one θ."""

    complete: float | None  # None: not defined for this θ (say why in ``note``)
    incomplete: float
    note: str = ""
    matching: tuple[int, ...] = ()  # σ: EM's component of each label (empty if none)


def em_scores(X: np.ndarray, labels: np.ndarray, mixture: Mixture, log_lik: float) -> Scores:
    """EM's θ scored like the oracle's: its components relabelled to match the labels first.

    X : (N, 2); labels : int (N,); ``log_lik`` = ln p(X | θ_EM), already known.
    """
    X_l, z_l = labelled_subset(X, labels)
    if len(z_l) == 0:
        return Scores(None, log_lik, "no labelled points")
    sigma = match_components(X_l, z_l, mixture)
    if sigma is None:
        return Scores(None, log_lik, f"EM has K = {mixture.n_components} components, fewer than "
                                     f"the {int(z_l.max()) + 1} labels")
    pairs = ", ".join(f"z={k + 1}→k={j + 1}" for k, j in enumerate(sigma))
    return Scores(complete_log_likelihood(X_l, sigma[z_l], mixture), log_lik, f"matched {pairs}",
                  tuple(int(j) for j in sigma))


#: (fit or None, why not, ln p(X | fit), ln p(X_l, Z_l | fit))
FitNumbers = tuple[Mixture | None, str, float, float]


def fit_numbers(X: np.ndarray, labels: np.ndarray | None, covariance_type: str,
                reg_covar: float) -> FitNumbers:
    """The oracle's fit with its two scores, or None and what went wrong.

    X : (N, 2); labels : int (N,) with -1 for unlabelled points, or None.
    """
    try:
        fit = oracle_fit(X, labels, covariance_type, reg_covar)
        X_l, z_l = labelled_subset(X, labels)
        return fit, "", log_likelihood(X, fit), complete_log_likelihood(X_l, z_l, fit)
    except (ValueError, np.linalg.LinAlgError) as error:
        return None, str(error), float("nan"), float("nan")
