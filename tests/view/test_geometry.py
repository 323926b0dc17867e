"""Covariance ellipses (emviz.look.geometry): orientation, the Mahalanobis contour, the polyline."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emviz.look.geometry import ellipse, ellipse_axes, ellipses_polyline


def rotation(degrees: float) -> np.ndarray:
    a = np.radians(degrees)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def axis_angle(v: np.ndarray) -> float:
    """Direction of a vector in degrees modulo 180 (an axis has no sign)."""
    return float(np.degrees(np.arctan2(v[1], v[0])) % 180.0)


R30 = rotation(30.0)
SIGMA_30 = R30 @ np.diag([9.0, 1.0]) @ R30.T
MU = np.array([2.0, -1.0])


@st.composite
def spd_matrices(draw) -> np.ndarray:
    """Every 2x2 SPD matrix is R(θ) diag(λ₁, λ₂) R(θ)ᵀ; eigenvalues log-uniform over six decades."""
    angle = draw(st.floats(0.0, 180.0))
    eigenvalues = [10.0 ** draw(st.floats(-3.0, 3.0)) for _ in range(2)]
    r = rotation(angle)
    cov = r @ np.diag(eigenvalues) @ r.T
    return (cov + cov.T) / 2


def test_axes_of_a_rotated_covariance():
    half, directions = ellipse_axes(SIGMA_30)
    np.testing.assert_allclose(half, [1.0, 3.0])  # ascending, as eigh orders them
    np.testing.assert_allclose(directions.T @ directions, np.eye(2), atol=1e-12)
    assert axis_angle(directions[:, 1]) == pytest.approx(30.0)
    assert axis_angle(directions[:, 0]) == pytest.approx(120.0)


def test_unit_ellipse_is_farthest_along_the_major_axis_and_nearest_along_the_minor():
    points = ellipse(MU, SIGMA_30)
    offsets = points - MU
    distances = np.linalg.norm(offsets, axis=1)
    far, near = distances.argmax(), distances.argmin()
    assert distances[far] == pytest.approx(3.0, abs=1e-12)
    assert axis_angle(offsets[far]) == pytest.approx(30.0, abs=1e-9)
    assert distances[near] == pytest.approx(1.0, abs=1e-12)
    assert axis_angle(offsets[near]) == pytest.approx(120.0, abs=1e-9)
    assert distances.min() >= 1.0 - 1e-12 and distances.max() <= 3.0 + 1e-12


def test_radius_scales_the_ellipse_about_the_mean():
    unit = ellipse(MU, SIGMA_30) - MU
    np.testing.assert_allclose(ellipse(MU, SIGMA_30, 2.5) - MU, 2.5 * unit, atol=1e-12)


@pytest.mark.parametrize("n", [5, 97, 400])
def test_ellipse_is_closed_with_n_points(n):
    points = ellipse(MU, SIGMA_30, 1.0, n)
    assert points.shape == (n, 2)
    np.testing.assert_allclose(points[0], points[-1], atol=1e-12)
    assert len(np.unique(points[:-1].round(9), axis=0)) == n - 1


@settings(max_examples=100, deadline=None)
@given(
    cov=spd_matrices(),
    mean=st.tuples(st.floats(-100, 100), st.floats(-100, 100)).map(np.array),
    radius=st.floats(0.1, 5.0),
)
def test_every_point_is_at_mahalanobis_distance_radius(cov, mean, radius):
    points = ellipse(mean, cov, radius)
    diff = points - mean
    squared = np.einsum("nd,nd->n", diff, np.linalg.solve(cov, diff.T).T)
    np.testing.assert_allclose(squared, radius**2, rtol=1e-7)


@settings(max_examples=100, deadline=None)
@given(cov=spd_matrices(), radius=st.floats(0.1, 5.0), direction=st.floats(0.0, 360.0))
def test_extent_in_every_direction_is_the_support_function(cov, radius, direction):
    # The ellipse {x : xᵀ Σ⁻¹ x = r²} reaches exactly r √(uᵀ Σ u) along a unit vector u; this fails
    # for an ellipse drawn with Σ⁻¹ in place of Σ or with the axes swapped.
    n = 97
    u = rotation(direction)[:, 0]
    projections = ellipse(np.zeros(2), cov, radius, n) @ u
    reach = radius * np.sqrt(u @ cov @ u)
    assert projections.max() <= reach * (1 + 1e-9)
    # the maximum falls between two samples at most half a parameter step 2π / (n - 1) away
    assert projections.max() >= reach * np.cos(np.pi / (n - 1)) * (1 - 1e-9)


def test_singular_and_slightly_indefinite_covariances_give_finite_segments():
    # the second has det = -1e-12: an eigenvalue just below 0, as rounding can leave one
    for cov in (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 1.0], [1.0, 1.0 - 1e-12]])):
        points = ellipse(np.zeros(2), cov)
        assert np.all(np.isfinite(points))
        np.testing.assert_allclose(points[:, 0], points[:, 1], atol=1e-7)  # on the line x₁ = x₂
        assert np.abs(points).max() == pytest.approx(1.0, abs=1e-7)  # half-length √2 along (1, 1)/√2


def split_at_nan(polyline: np.ndarray) -> list[np.ndarray]:
    breaks = np.flatnonzero(np.isnan(polyline).any(axis=1))
    starts = np.r_[0, breaks[:-1] + 1]
    return [polyline[s:b] for s, b in zip(starts, breaks, strict=True)]


@pytest.mark.parametrize("k", [1, 2, 5])
def test_polyline_has_2k_pieces_separated_by_nan_rows(k):
    rng = np.random.default_rng(k)
    means = rng.normal(size=(k, 2))
    covs = np.stack([rotation(a) @ np.diag([s, 1.0]) @ rotation(a).T for a, s in zip(
        rng.uniform(0, 180, k), rng.uniform(0.5, 4, k), strict=True)])
    n = 50
    line = ellipses_polyline(means, covs, n=n)
    assert line.shape == (2 * k * (n + 1), 2)
    nan_rows = np.isnan(line).any(axis=1)
    assert nan_rows.sum() == 2 * k
    assert np.all(np.isnan(line[nan_rows]))  # whole rows, so both coordinates break the curve
    assert nan_rows[-1] and not nan_rows[0]
    pieces = split_at_nan(line)
    assert len(pieces) == 2 * k
    # component by component, radius 1 then 2
    for piece, (j, r) in zip(pieces, [(j, r) for j in range(k) for r in (1.0, 2.0)], strict=True):
        np.testing.assert_array_equal(piece, ellipse(means[j], covs[j], r, n))


def test_polyline_with_other_radii_and_no_components():
    line = ellipses_polyline(np.zeros((2, 2)), np.stack([np.eye(2), SIGMA_30]), radii=(1.0, 2.0, 3.0))
    assert len(split_at_nan(line)) == 6
    assert ellipses_polyline(np.empty((0, 2)), np.empty((0, 2, 2))).shape == (0, 2)
    with pytest.raises(ValueError):  # means and covariances of different K
        ellipses_polyline(np.zeros((2, 2)), np.stack([np.eye(2)]))


def test_nearest_within_measures_in_screen_pixels_and_refuses_a_view_with_no_area():
    from emviz.look.geometry import nearest_within

    X = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 1.0]])
    # 1 data unit in x is 1 px, in y 100 px: (0, 1) is 100 px from the origin, (10, 0) is 10.
    assert nearest_within(X, 0.0, 0.05, (1.0, 0.01), 8.0) == 0
    assert nearest_within(X, 9.0, 0.0, (1.0, 0.01), 8.0) == 1
    assert nearest_within(X, 0.0, 0.5, (1.0, 0.01), 8.0) is None  # 50 px from both
    assert nearest_within(np.empty((0, 2)), 0.0, 0.0, (1.0, 1.0), 8.0) is None
    for degenerate in [(0.0, 0.01), (np.inf, 1.0), (np.nan, 1.0), (-1.0, 1.0)]:
        assert nearest_within(X, 0.0, 0.0, degenerate, 8.0) is None


def test_the_mass_an_ellipse_holds_in_2d():
    """In 2-D, d² = (x − μ)ᵀ Σ⁻¹ (x − μ) is χ² with 2 degrees of freedom: P(d ≤ r) = 1 − e^{−r²/2}
    (39% at r = 1, 86% at r = 2; not the 1-D 68% / 95% that "1σ / 2σ" suggests)."""
    from emviz.look.geometry import ellipse_label, mass_within

    assert mass_within(1.0) == pytest.approx(0.3935, abs=1e-4)
    assert mass_within(2.0) == pytest.approx(0.8647, abs=1e-4)
    rng = np.random.default_rng(0)
    cov = np.array([[2.0, 0.8], [0.8, 0.5]])
    x = rng.multivariate_normal([1.0, -1.0], cov, size=200_000) - [1.0, -1.0]
    d2 = np.einsum("ni,ij,nj->n", x, np.linalg.inv(cov), x)
    for r in (1.0, 2.0):
        assert np.mean(d2 <= r * r) == pytest.approx(mass_within(r), abs=0.005)
    assert ellipse_label(1.0) == "d = 1 (39%)" and ellipse_label(2.0) == "d = 2 (86%)"
