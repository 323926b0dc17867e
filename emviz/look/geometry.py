"""Covariance ellipses as polylines in data coordinates (numpy only)."""

from __future__ import annotations

import numpy as np


def ellipse_axes(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half-axis lengths and directions of the unit Mahalanobis ellipse of a 2x2 covariance.

    Σ = V diag(λ) Vᵀ; the set {x : (x - μ)ᵀ Σ⁻¹ (x - μ) = 1} is an ellipse with half-axes
    √λ_i along the eigenvectors v_i.

    Returns (half_lengths (2,), directions (2, 2) with one unit vector per column).
    """
    eigenvalues, eigenvectors = np.linalg.eigh(np.asarray(cov, dtype=float))
    return np.sqrt(np.clip(eigenvalues, 0.0, None)), eigenvectors


def ellipse(mean: np.ndarray, cov: np.ndarray, radius: float = 1.0, n: int = 97) -> np.ndarray:
    """Points on the ellipse at Mahalanobis distance ``radius``, shape (n, 2), closed
    (first point repeated last): x(t) = μ + radius · V diag(√λ) (cos t, sin t)."""
    half, directions = ellipse_axes(cov)
    t = np.linspace(0.0, 2.0 * np.pi, n)
    circle = np.stack([np.cos(t), np.sin(t)])  # (2, n)
    circle[:, -1] = circle[:, 0]  # closed exactly: sin(2π) is -2.4e-16, not 0
    return (np.asarray(mean, dtype=float)[:, None] + radius * directions @ (half[:, None] * circle)).T


def mass_within(radius: float) -> float:
    """The probability a 2-D Gaussian puts inside its ellipse at Mahalanobis distance
    ``radius``: d² = (x − μ)ᵀ Σ⁻¹ (x − μ) is χ² with 2 degrees of freedom, so
    P(d ≤ r) = 1 − exp(−r²/2): 39% at r = 1, 86% at r = 2 (not 1-D's 68% and 95%)."""
    return float(-np.expm1(-0.5 * radius * radius))


def ellipse_label(radius: float) -> str:
    """How the views name the ellipse at Mahalanobis distance ``radius``: "d = 2 (86%)"."""
    return f"d = {radius:g} ({mass_within(radius):.0%})"


def ellipses_polyline(
    means: np.ndarray, covariances: np.ndarray, radii: tuple[float, ...] = (1.0, 2.0), n: int = 97
) -> np.ndarray:
    """All ellipses of a mixture as one polyline with NaN rows between pieces, shape (M, 2),
    for a single curve item drawn with connect="finite"."""
    pieces = []
    for mean, cov in zip(means, covariances, strict=True):
        for r in radii:
            pieces.append(ellipse(mean, cov, r, n))
            pieces.append(np.full((1, 2), np.nan))
    return np.concatenate(pieces) if pieces else np.empty((0, 2))


def nearest_within(X: np.ndarray, x: float, y: float, pixel_size: tuple[float, float],
                   radius_px: float) -> int | None:
    """Index of the point of X (N, 2) nearest to (x, y) in screen pixels, if it lies within
    ``radius_px``; None otherwise, and for a view with no area (a pixel size that is zero,
    infinite or NaN: the view was squeezed to nothing), where no pixel can be picked."""
    sx, sy = (float(v) for v in pixel_size)
    if len(X) == 0 or not (np.isfinite(sx) and np.isfinite(sy) and sx > 0 and sy > 0):
        return None
    d2 = ((X[:, 0] - x) / sx) ** 2 + ((X[:, 1] - y) / sy) ** 2
    i = int(np.argmin(d2))
    return i if d2[i] <= radius_px**2 else None
