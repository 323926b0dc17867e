"""Contour lines by marching squares, and the map colours (cividis), tested without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.look.appearance import relative_luminance
from emviz.look.colormap import CIVIDIS, DENSITY_MAX_ALPHA, cividis, density_rgba, map_rgba
from emviz.look.contours import contour_lines, contour_segments


def test_a_circle_is_traced_on_its_radius() -> None:
    xs = ys = np.linspace(-2, 2, 81)
    gx, gy = np.meshgrid(xs, ys)
    values = gx**2 + gy**2
    segments = contour_segments(values, xs, ys, 1.0)
    assert len(segments) % 2 == 0 and len(segments) > 0
    radius = np.hypot(segments[:, 0], segments[:, 1])
    assert radius == pytest.approx(1.0, abs=0.01)  # linear interpolation along cell edges
    lengths = np.hypot(*(segments[1::2] - segments[::2]).T)
    assert lengths.sum() == pytest.approx(2 * np.pi, rel=0.01)  # one closed line, no gaps


def test_rows_are_y_and_columns_are_x() -> None:
    xs, ys = np.array([0.0, 1.0, 2.0]), np.array([10.0, 20.0])
    values = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])  # rises with y only
    segments = contour_segments(values, xs, ys, 0.5)
    assert segments[:, 1] == pytest.approx(15.0)  # a horizontal line half way up
    assert sorted(set(segments[:, 0])) == [0.0, 1.0, 2.0]


def test_a_saddle_is_split_by_its_centre() -> None:
    xs = ys = np.array([0.0, 1.0])
    values = np.array([[1.0, 0.0], [0.0, 1.0]])  # a and c high, b and d low
    low_centre = contour_segments(values, xs, ys, 0.6)  # centre 0.5 below: a and c apart
    high_centre = contour_segments(values, xs, ys, 0.4)  # centre above: a joins c
    for segments in (low_centre, high_centre):
        assert len(segments) == 4  # two segments
    # with a and c apart, one segment cuts off corner a = (0, 0): both its ends near a
    near_a = [np.all(np.hypot(*segments_pair.T) < 1.0)
              for segments_pair in low_centre.reshape(2, 2, 2)]
    assert any(near_a)
    near_b = [np.all(np.hypot(segments_pair[:, 0] - 1, segments_pair[:, 1]) < 1.0)
              for segments_pair in high_centre.reshape(2, 2, 2)]
    assert any(near_b)


def test_no_line_outside_the_range_and_non_finite_is_low() -> None:
    xs = ys = np.linspace(0, 1, 5)
    values = np.zeros((5, 5))
    assert contour_segments(values, xs, ys, 1.0).shape == (0, 2)
    values[2, 2] = np.nan
    values[0, 0] = 2.0
    assert len(contour_segments(values, xs, ys, 1.0)) == 2  # only around the corner
    assert contour_lines(values, xs, ys, []).shape == (0, 2)
    with pytest.raises(ValueError, match="shape"):
        contour_segments(np.zeros((4, 5)), xs, ys, 0.5)


def test_cividis_rises_in_lightness_from_end_to_end() -> None:
    colours = cividis(np.linspace(0, 1, 50))
    lightness = [relative_luminance(tuple(int(c) for c in rgb)) for rgb in colours]
    assert np.all(np.diff(lightness) > 0)
    assert tuple(cividis(np.array([0.0]))[0]) == tuple(CIVIDIS[0].astype(int))
    assert tuple(cividis(np.array([2.0, np.nan]))[0]) == tuple(CIVIDIS[-1].astype(int))


def test_map_rgba_is_opaque_and_scaled() -> None:
    rgba = map_rgba(np.array([[0.0, 5.0, 10.0, 20.0]]), 0.0, 10.0)
    assert rgba.shape == (1, 4, 4) and np.all(rgba[..., 3] == 255)
    assert tuple(rgba[0, 0, :3]) == tuple(CIVIDIS[0].astype(int))
    assert tuple(rgba[0, 2, :3]) == tuple(rgba[0, 3, :3])  # clipped above


def test_density_shading_is_clear_where_p_is_zero_and_runs_away_from_the_background() -> None:
    log_p = np.log(np.array([[1e-300, 0.25, 1.0]]))
    for dark in (False, True):
        rgba = density_rgba(log_p, dark)
        assert rgba[0, 0, 3] == 0 and rgba[0, 2, 3] == round(255 * DENSITY_MAX_ALPHA)
        peak = relative_luminance(tuple(int(c) for c in rgba[0, 2, :3]))
        low = relative_luminance(tuple(int(c) for c in rgba[0, 1, :3]))
        assert (peak > low) if dark else (peak < low)  # light on dark, dark on white
    assert np.all(density_rgba(np.full((2, 2), -np.inf), True) == 0)
