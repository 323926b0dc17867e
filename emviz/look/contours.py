"""Contour lines of a map on a regular grid, by marching squares, as line segments.

Plain numpy, no Python loop over cells: every cell's crossings are found at once and each
cell contributes zero, one or two segments. The result is an array of segment end points,
(2 S, 2), consecutive rows paired, which one pyqtgraph curve draws with ``connect="pairs"``
(one item for all the lines of a level, or of every level).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def contour_segments(values: np.ndarray, xs: np.ndarray, ys: np.ndarray, level: float) -> np.ndarray:
    """The segments of the line values = level, linearly interpolated along cell edges.

    values : array, shape (ny, nx), the map at the grid points (rows are y)
    xs : array, shape (nx,); ys : array, shape (ny,), the grid's coordinates, increasing

    Returns array, shape (2 S, 2): rows 2s and 2s + 1 are the ends of segment s. A cell whose
    four corners straddle the level diagonally (a saddle) is split by its centre's mean value.
    Non-finite values count as below every level.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 2 or v.shape != (len(ys), len(xs)):
        raise ValueError(f"values must have shape (len(ys), len(xs)) = ({len(ys)}, {len(xs)}), "
                         f"got {v.shape}")
    if v.shape[0] < 2 or v.shape[1] < 2:
        return np.empty((0, 2))
    v = np.where(np.isfinite(v), v, -np.inf)
    above = v >= level
    # corners of each cell: a = (i, j), b = (i, j+1), c = (i+1, j+1), d = (i+1, j)
    a, b, c, d = v[:-1, :-1], v[:-1, 1:], v[1:, 1:], v[1:, :-1]
    ua, ub, uc, ud = above[:-1, :-1], above[:-1, 1:], above[1:, 1:], above[1:, :-1]
    x0, x1 = np.meshgrid(xs[:-1], ys[:-1])[0], np.meshgrid(xs[1:], ys[:-1])[0]
    y0, y1 = np.meshgrid(xs[:-1], ys[:-1])[1], np.meshgrid(xs[:-1], ys[1:])[1]

    def frac(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            t = (level - p) / (q - p)
        return np.clip(np.where(np.isfinite(t), t, 0.5), 0.0, 1.0)

    # the four edges: bottom a→b, right b→c, top d→c, left a→d; a crossing where they differ
    crossed = np.stack([ua != ub, ub != uc, ud != uc, ua != ud])  # (4, ny-1, nx-1)
    ex = np.stack([x0 + frac(a, b) * (x1 - x0), x1, x0 + frac(d, c) * (x1 - x0), x0])
    ey = np.stack([y0, y0 + frac(b, c) * (y1 - y0), y1, y0 + frac(a, d) * (y1 - y0)])
    count = crossed.sum(axis=0)
    pieces = []
    two = count == 2
    if two.any():
        order = np.argsort(~crossed[:, two], axis=0, kind="stable")[:2]  # the two crossed edges
        cols = np.arange(order.shape[1])
        px, py = ex[:, two], ey[:, two]
        pieces.append(np.stack([px[order[0], cols], py[order[0], cols],
                                px[order[1], cols], py[order[1], cols]], axis=1))
    four = count == 4
    if four.any():
        px, py = ex[:, four], ey[:, four]
        centre_above = (a[four] + b[four] + c[four] + d[four]) / 4 >= level
        # a saddle: a and c on one side, b and d on the other. With the centre on a's side,
        # a's region joins c's and the lines cut off b (bottom, right) and d (top, left);
        # otherwise they cut off a (bottom, left) and c (right, top).
        joined = centre_above == ua[four]
        first, second = np.zeros_like(joined, dtype=int), np.where(joined, 1, 3)
        third, fourth = np.where(joined, 2, 1), np.where(joined, 3, 2)
        cols = np.arange(px.shape[1])
        for e1, e2 in ((first, second), (third, fourth)):
            pieces.append(np.stack([px[e1, cols], py[e1, cols], px[e2, cols], py[e2, cols]], axis=1))
    if not pieces:
        return np.empty((0, 2))
    return np.concatenate(pieces).reshape(-1, 2)


def contour_lines(values: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                  levels: Iterable[float]) -> np.ndarray:
    """The segments of every level in one array, shape (2 S, 2) (see ``contour_segments``)."""
    parts = [contour_segments(values, xs, ys, level) for level in levels]
    return np.concatenate(parts) if parts else np.empty((0, 2))
