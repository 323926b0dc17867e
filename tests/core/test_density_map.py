"""The density map p(x | θ) on a grid, against a slow loop reference and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from emviz.core import Mixture
from emviz.core.density_map import (
    MASS_FRACTIONS,
    density_map,
    mass_levels,
    regular_grid,
    view_grid,
)

from .helpers import naive_log_density, random_spd


def test_grid_cells_are_centred_and_about_square() -> None:
    grid = view_grid((0.0, 4.0), (-1.0, 1.0), 40)
    assert grid.shape == (20, 40)
    assert grid.xs[0] == pytest.approx(0.05) and grid.xs[-1] == pytest.approx(3.95)
    assert grid.ys[0] == pytest.approx(-0.95) and grid.ys[-1] == pytest.approx(0.95)
    assert grid.cell_area == pytest.approx(0.1 * 0.1)
    points = grid.points
    assert points.shape == (800, 2)
    assert tuple(points[1]) == (grid.xs[1], grid.ys[0])  # x inner, y outer: row-major maps


@pytest.mark.parametrize("bad", [((1.0, 1.0), (0, 1)), ((0, 1), (2.0, -2.0)), ((0, np.nan), (0, 1))])
def test_bad_ranges_are_refused_by_name(bad) -> None:
    with pytest.raises(ValueError, match="range must be finite and increasing"):
        view_grid(*bad, 10)


def test_map_equals_a_slow_loop_reference() -> None:
    rng = np.random.default_rng(3)
    mixture = Mixture([0.2, 0.5, 0.3], rng.normal(scale=2, size=(3, 2)),
                      np.array([random_spd(rng, 2, 0.1, 3.0) for _ in range(3)]))
    grid = regular_grid((-5, 5), (-4, 6), 9, 7)
    dm = density_map(mixture, grid)
    assert dm.log_density.shape == (7, 9) and dm.log_components.shape == (3, 7, 9)
    for row, y in enumerate(grid.ys):
        for col, x in enumerate(grid.xs):
            terms = [math.log(mixture.weights[k]) + naive_log_density(
                np.array([x, y]), mixture.means[k], mixture.covariances[k]) for k in range(3)]
            assert dm.log_components[:, row, col] == pytest.approx(terms, rel=1e-12)
            p = sum(math.exp(t) for t in terms)
            assert dm.log_density[row, col] == pytest.approx(math.log(p), rel=1e-12)


def test_far_tails_stay_finite_in_the_log_domain() -> None:
    mixture = Mixture([1.0], [[0.0, 0.0]], [np.eye(2) * 1e-4])
    dm = density_map(mixture, regular_grid((50, 60), (50, 60), 4, 4))
    assert np.all(np.isfinite(dm.log_density))  # exp of it underflows; the log does not
    assert dm.log_density.max() < -1e6


def test_single_gaussian_levels_match_the_chi_square_closed_form() -> None:
    """{p ≥ t_α} of N(μ, Σ) is the ellipse r² = −2 ln(1 − α): t_α = (1 − α) / (2π |Σ|^½)."""
    cov = np.array([[2.0, 0.6], [0.6, 0.5]])
    mixture = Mixture([1.0], [[1.0, -2.0]], [cov])
    grid = view_grid((-9.0, 11.0), (-12.0, 8.0), 600)  # ±7 standard deviations
    dm = density_map(mixture, grid)
    levels = mass_levels(dm.log_density, grid.cell_area, MASS_FRACTIONS)
    assert list(levels) == list(MASS_FRACTIONS)
    for alpha, log_level in levels.items():
        closed = (1 - alpha) / (2 * math.pi * math.sqrt(np.linalg.det(cov)))
        assert math.exp(log_level) == pytest.approx(closed, rel=0.01)


def test_levels_the_view_cannot_hold_are_left_out() -> None:
    mixture = Mixture([1.0], [[0.0, 0.0]], [np.eye(2)])
    # x ≥ −0.5 holds Φ(0.5) ≈ 69 % of the mass: the 50 % line is in view, the others not
    grid = view_grid((-0.5, 6.0), (-6.0, 6.0), 200)
    levels = mass_levels(density_map(mixture, grid).log_density, grid.cell_area)
    assert 0.5 in levels and 0.8 not in levels and 0.95 not in levels


def test_two_far_apart_equal_components_each_hold_half() -> None:
    """Two equal, separated components: the α-level of the mixture is the level of one
    component holding α of *its* mass, halved in weight: (1 − α) / (2π) / 2 with Σ = I."""
    mixture = Mixture([0.5, 0.5], [[-20.0, 0.0], [20.0, 0.0]], [np.eye(2), np.eye(2)])
    grid = view_grid((-30.0, 30.0), (-10.0, 10.0), 1200)
    levels = mass_levels(density_map(mixture, grid).log_density, grid.cell_area)
    for alpha, log_level in levels.items():
        assert math.exp(log_level) == pytest.approx((1 - alpha) / (2 * math.pi) / 2, rel=0.01)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="cell_area"):
        mass_levels(np.zeros((2, 2)), 0.0)
    with pytest.raises(ValueError, match="mass fractions"):
        mass_levels(np.zeros((2, 2)), 1.0, (1.0,))
    with pytest.raises(ValueError, match="2-D mixture"):
        density_map(Mixture([1.0], [[0.0]], [[[1.0]]]), view_grid((0, 1), (0, 1), 4))
