"""The mixture's density p(x | θ) = Σ_k π_k N(x | μ_k, Σ_k) on a grid over a 2-D view.

What the points view's density layer shades and draws contour lines of. The work is on the
grid, G = nx · ny points, never on the data: its cost is O(G K) whatever N is.

Everything stays in the log domain (``emviz.core.density``): ln π_k N(x | μ_k, Σ_k) from a
Cholesky factor, ln p(x | θ) by log-sum-exp, so a grid reaching far into a tail gives large
negative numbers, never a density that underflowed to 0 and a log of it.

Contour levels are *highest-density levels*: the level t_α of fraction α is the density
whose super-level set {x : p(x | θ) ≥ t_α} holds the probability mass α (the smallest
region with that mass). For one Gaussian that region is the ellipse of squared Mahalanobis
radius r² = −2 ln(1 − α) (the χ² law with 2 degrees of freedom), so
t_α = (1 − α) / (2π |Σ|^½): the closed form the tests check against.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .density import normalise_log, weighted_log_prob
from .mixture import Mixture

#: The fractions of the probability mass the mixture's contour lines enclose.
MASS_FRACTIONS = (0.5, 0.8, 0.95)


class Grid(NamedTuple):
    """Cell centres of a regular grid: xs, shape (nx,), and ys, shape (ny,), increasing."""

    xs: np.ndarray
    ys: np.ndarray

    @property
    def points(self) -> np.ndarray:
        """Every grid point as a row (x, y), shape (ny · nx, 2), row-major: y outer, x inner."""
        gx, gy = np.meshgrid(self.xs, self.ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    @property
    def cell_area(self) -> float:
        """The area of one cell, Δx · Δy."""
        return float(_step(self.xs) * _step(self.ys))

    @property
    def shape(self) -> tuple[int, int]:
        """(ny, nx): the shape of a map over this grid (rows are y)."""
        return len(self.ys), len(self.xs)


def _step(axis: np.ndarray) -> float:
    return float(axis[1] - axis[0]) if len(axis) > 1 else 1.0


def view_grid(x_range: tuple[float, float], y_range: tuple[float, float], cells: int) -> Grid:
    """A grid of cell centres covering the rectangle x_range × y_range with about square
    cells, ``cells`` of them along the longer side.

    ValueError if a range is empty, reversed or not finite, or ``cells`` < 2.
    """
    (x0, x1), (y0, y1) = _checked(x_range, y_range)
    if cells < 2:
        raise ValueError(f"a grid needs at least 2 cells along a side, got {cells}")
    width, height = x1 - x0, y1 - y0
    nx = cells if width >= height else max(2, round(cells * width / height))
    ny = cells if height > width else max(2, round(cells * height / width))
    return regular_grid((x0, x1), (y0, y1), nx, ny)


def regular_grid(x_range: tuple[float, float], y_range: tuple[float, float], nx: int, ny: int) -> Grid:
    """The nx × ny cell centres of the rectangle x_range × y_range.

    ValueError if a range is empty, reversed or not finite, or nx or ny < 1.
    """
    (x0, x1), (y0, y1) = _checked(x_range, y_range)
    if nx < 1 or ny < 1:
        raise ValueError(f"a grid needs at least one cell each way, got {nx} x {ny}")
    dx, dy = (x1 - x0) / nx, (y1 - y0) / ny
    return Grid(x0 + dx * (np.arange(nx) + 0.5), y0 + dy * (np.arange(ny) + 0.5))


def _checked(x_range, y_range) -> tuple[tuple[float, float], tuple[float, float]]:
    out = []
    for name, (lo, hi) in (("x", x_range), ("y", y_range)):
        lo, hi = float(lo), float(hi)
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise ValueError(f"the {name} range must be finite and increasing, got ({lo}, {hi})")
        out.append((lo, hi))
    return out[0], out[1]


class DensityMap(NamedTuple):
    """ln p(x | θ) and each component's ln π_k N(x | μ_k, Σ_k) on a grid.

    log_density : array, shape (ny, nx)
    log_components : array, shape (K, ny, nx)
    """

    grid: Grid
    log_density: np.ndarray
    log_components: np.ndarray


def density_map(mixture: Mixture, grid: Grid) -> DensityMap:
    """p(x | θ) on ``grid``: ln π_k N(x | μ_k, Σ_k) per component (core.density's Cholesky
    path) and their log-sum-exp, ln Σ_k π_k N(x | μ_k, Σ_k). A 2-D mixture only."""
    if mixture.n_features != 2:
        raise ValueError(f"a density map needs a 2-D mixture, got D = {mixture.n_features}")
    wlp = weighted_log_prob(grid.points, mixture)  # (G, K)
    _, log_norm = normalise_log(wlp)
    shape = grid.shape
    return DensityMap(grid, log_norm.reshape(shape),
                      np.ascontiguousarray(wlp.T).reshape((mixture.n_components, *shape)))


def mass_levels(log_density: np.ndarray, cell_area: float,
                fractions: tuple[float, ...] = MASS_FRACTIONS) -> dict[float, float]:
    """The highest-density levels: for each α, ln t_α with ∫_{p ≥ t_α} p(x) dx ≈ α.

    The integral is the grid's Riemann sum, cells taken from the densest down, so the
    answer is exact up to the grid's resolution. Fractions the grid cannot hold (the view
    shows less than α of the mass) are left out of the result.

    log_density : array, any shape, ln p at the cell centres of a regular grid
    cell_area : the area of one cell, > 0
    fractions : each in (0, 1)

    Returns {α: ln t_α}, in the order of ``fractions``.
    """
    if not cell_area > 0:
        raise ValueError(f"cell_area must be > 0, got {cell_area}")
    for alpha in fractions:
        if not 0 < alpha < 1:
            raise ValueError(f"mass fractions must lie in (0, 1), got {alpha}")
    flat = np.sort(np.asarray(log_density, dtype=float).ravel())[::-1]
    if flat.size == 0 or not np.isfinite(flat[0]):
        return {}
    top = flat[0]
    with np.errstate(under="ignore"):
        # mass of the densest cells = exp(top) · A · Σ exp(ln p - top), summed in the log domain
        log_mass = top + np.log(cell_area) + np.log(np.cumsum(np.exp(flat - top)))
    levels = {}
    for alpha in fractions:
        i = int(np.searchsorted(log_mass, np.log(alpha)))
        if i < flat.size:
            levels[alpha] = float(flat[i])
    return levels
