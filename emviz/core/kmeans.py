"""K-means, the hard-assignment cousin of EM, as a stepwise iterator and as a function."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .mixture import check_points


def squared_distances(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """‖x_n - c_k‖², shape (N, K). Centred per component to avoid cancellation."""
    out = np.empty((centers.shape[0], X.shape[0]))
    for k, c in enumerate(centers):
        diff = X - c
        np.einsum("nd,nd->n", diff, diff, out=out[k])
    return out.T


def kmeans_plus_plus(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeds (Arthur & Vassilvitskii 2007), shape (k, D).

    The first seed is a uniformly random point; each next one is a point drawn with
    probability proportional to its squared distance to the nearest seed so far.
    """
    X = check_points(X)
    _check_k(X, k)
    seeds = [X[rng.integers(X.shape[0])]]
    nearest = squared_distances(X, seeds[0][None])[:, 0]
    for _ in range(1, k):
        total = nearest.sum()
        # All remaining points coincide with a seed: any point is as good as another.
        probs = nearest / total if total > 0 else None
        seed = X[rng.choice(X.shape[0], p=probs)]
        seeds.append(seed)
        np.minimum(nearest, squared_distances(X, seed[None])[:, 0], out=nearest)
    return np.array(seeds)


@dataclass(frozen=True, eq=False)
class KMeansState:
    """One half-step of k-means.

    phase : "init" (centres chosen), "assign" (each point to its nearest centre),
        "update" (each centre moved to the mean of its points)
    centers : array (K, D); labels : int array (N,) (None for "init");
    inertia : Σ_n ‖x_n - c_{label n}‖² (NaN for "init"); converged : no label changed
    """

    phase: Literal["init", "assign", "update"]
    iteration: int
    centers: np.ndarray
    labels: np.ndarray | None
    inertia: float
    converged: bool = False


def run_kmeans(X: np.ndarray, centers: np.ndarray, max_iter: int = 100) -> Iterator[KMeansState]:
    """Lloyd's algorithm from ``centers``, one state per half-step (init, assign, update, ...).

    A centre that loses all its points stays where it was. Stops after the update that
    follows an assignment which changed no label, or after ``max_iter`` iterations.
    """
    X = check_points(X)
    centers = np.array(centers, dtype=float)
    if centers.ndim != 2 or centers.shape[1] != X.shape[1]:
        raise ValueError(f"centers must have shape (K, {X.shape[1]}), got {centers.shape}")
    _freeze(centers)
    yield KMeansState("init", 0, centers, None, float("nan"))
    labels = None
    for iteration in range(1, max_iter + 1):
        dist = squared_distances(X, centers)
        new_labels = dist.argmin(axis=1)
        converged = labels is not None and np.array_equal(labels, new_labels)
        labels = _freeze(new_labels)
        inertia = float(dist[np.arange(X.shape[0]), labels].sum())
        yield KMeansState("assign", iteration, centers, labels, inertia)
        centers = _freeze(_cluster_means(X, labels, centers))
        inertia = float(((X - centers[labels]) ** 2).sum())
        yield KMeansState("update", iteration, centers, labels, inertia, converged)
        if converged:
            return


def _cluster_means(X: np.ndarray, labels: np.ndarray, old: np.ndarray) -> np.ndarray:
    k = old.shape[0]
    counts = np.bincount(labels, minlength=k)
    sums = np.empty_like(old)
    for d in range(X.shape[1]):
        sums[:, d] = np.bincount(labels, weights=X[:, d], minlength=k)
    return np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], old)


def kmeans(
    X: np.ndarray,
    k: int,
    rng: np.random.Generator,
    init: Literal["k-means++", "random"] = "k-means++",
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """K-means clustering: returns (centers (k, D), labels (N,)) at convergence or max_iter."""
    X = check_points(X)
    _check_k(X, k)
    if init == "k-means++":
        centers = kmeans_plus_plus(X, k, rng)
    elif init == "random":
        centers = X[rng.choice(X.shape[0], size=k, replace=False)]
    else:
        raise ValueError(f"init must be 'k-means++' or 'random', got {init!r}")
    (last,) = deque(run_kmeans(X, centers, max_iter), maxlen=1)
    return np.array(last.centers), np.array(last.labels)


def _check_k(X: np.ndarray, k: int) -> None:
    if k < 1:
        raise ValueError(f"the number of components K must be at least 1, got {k}")
    if k > X.shape[0]:
        raise ValueError(
            f"K = {k} components but only {X.shape[0]} points: choose K <= {X.shape[0]} "
            "or add points"
        )


def _freeze(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a
