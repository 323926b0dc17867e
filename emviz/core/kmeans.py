"""K-means, the hard-assignment cousin of EM, as a stepwise iterator and as a function, with
what the k-means view draws from it: one-hot z_nk and the Voronoi cells of the centres."""

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


# -- what the k-means view shows (still numpy only) -----------------------------------------
def voronoi_cells(centers: np.ndarray, rect: tuple[float, float, float, float]) -> list[np.ndarray]:
    """The cell of each centre inside ``rect`` = (x0, x1, y0, y1), as a convex polygon.

    Cell k = {x in rect : ‖x - c_k‖² ≤ ‖x - c_j‖² for every j}: the rectangle clipped by the
    half-planes 2 (c_j - c_k)·x ≤ ‖c_j‖² - ‖c_k‖², one per other centre (each boundary is the
    perpendicular bisector of c_k and c_j). Ties go to the lower index, as argmin does: a
    centre equal to an earlier one has an empty cell.

    centers : array, shape (K, 2)
    Returns a list of K arrays of shape (M_k, 2), the vertices in order (M_k = 0: empty).
    """
    centers = np.asarray(centers, dtype=float)
    x0, x1, y0, y1 = rect
    box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
    sq = np.einsum("kd,kd->k", centers, centers)
    cells = []
    for k, c in enumerate(centers):
        poly = box
        for j, other in enumerate(centers):
            if j == k:
                continue
            normal = 2.0 * (other - c)
            if not normal.any():
                if j < k:  # a duplicate of an earlier centre: argmin never picks it
                    poly = np.empty((0, 2))
                    break
                continue
            poly = _clip_half_plane(poly, normal, sq[j] - sq[k])
            if len(poly) == 0:
                break
        cells.append(poly)
    return cells


def _clip_half_plane(poly: np.ndarray, normal: np.ndarray, offset: float) -> np.ndarray:
    """Sutherland–Hodgman: the part of convex ``poly`` (M, 2) where normal·x ≤ offset."""
    if len(poly) == 0:
        return poly
    side = poly @ normal - offset  # <= 0: inside
    out = []
    for i in range(len(poly)):
        j = (i + 1) % len(poly)
        if side[i] <= 0:
            out.append(poly[i])
        if (side[i] < 0 < side[j]) or (side[j] < 0 < side[i]):
            t = side[i] / (side[i] - side[j])
            out.append(poly[i] + t * (poly[j] - poly[i]))
    return np.array(out, dtype=float).reshape(-1, 2)


def cells_polyline(cells: list[np.ndarray]) -> np.ndarray:
    """Every cell's outline as one polyline with NaN rows between cells, shape (M, 2)."""
    pieces = []
    for poly in cells:
        if len(poly):
            pieces += [poly, poly[:1], np.full((1, 2), np.nan)]
    return np.concatenate(pieces) if pieces else np.empty((0, 2))


def hard_resp(labels: np.ndarray, k: int) -> np.ndarray:
    """z_nk as uint8 one-hot rows, shape (N, K), column-major like the renderer wants: a
    byte per entry, so a million points and K = 20 stay at 20 MB."""
    z = np.zeros((len(labels), k), dtype=np.uint8, order="F")
    z[np.arange(len(labels)), labels] = 1
    return z


def kmeans_states(X: np.ndarray, k: int, seed: int,
                  max_iter: int) -> Iterator[tuple[KMeansState, np.ndarray | None]]:
    """k-means++ seeds from ``default_rng(seed)``, then Lloyd's half-steps, each paired with
    its one-hot z (None before the first assignment). Lazy, so the seeding and the colours
    of a large data set are computed in the worker thread too. With the same seed the seeds
    are those of EM's "kmeans" initialisation."""
    centers = kmeans_plus_plus(X, k, np.random.default_rng(seed))
    labels, z = None, None
    for state in run_kmeans(X, centers, max_iter):
        if state.labels is not labels:
            labels = state.labels
            z = None if labels is None else hard_resp(labels, k)
        yield state, z
