"""Issue 17, item 6: numbers up to the largest accepted coordinate are shown in a readable
width, and their ellipses are whole (Qt ignores path points beyond 1e128 in size, which drew
the ellipses of data near 1e149 as spikes to the origin)."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.look.geometry import ellipse
from emviz.look.readouts import format_matrix, format_vector
from emviz.session.model import MAX_COORDINATE

#: Qt's QPainterPath drops points with a coordinate of this size or more (qpainterpath.cpp).
QT_PATH_LIMIT = 1e128


@pytest.mark.parametrize("value", [1e15, -1.000000000000001e15, MAX_COORDINATE, 1e-30])
def test_table_numbers_stay_short_up_to_the_limit(value):
    vector = format_vector(np.array([value, 1.0]))
    assert len(vector) <= 30, vector
    for line in format_matrix(np.array([[value, 0.0], [0.0, value]])).split("\n"):
        assert len(line) <= 26, line
    assert float(vector[1:-1].split(",")[0]) == pytest.approx(value, rel=1e-5)


def test_timestamps_keep_their_seconds_in_the_table():
    assert format_vector(np.array([1.7e9 + 0.25, 3.0])) == "(1700000000.250, 3.000)"


def test_ellipses_at_the_limit_are_whole_and_drawable():
    mean = np.array([MAX_COORDINATE, -MAX_COORDINATE]) * 0.9
    cov = np.array([[4.0, 1.0], [1.0, 2.0]]) * (0.05 * MAX_COORDINATE) ** 2
    for radius in (1.0, 2.0):
        line = ellipse(mean, cov, radius)
        assert np.all(np.isfinite(line)) and np.array_equal(line[0], line[-1])  # closed
        # every point at Mahalanobis distance `radius` from μ: no spikes
        d = line - mean
        m2 = np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)
        np.testing.assert_allclose(np.sqrt(m2), radius, rtol=1e-6)
        # and within what Qt draws, with room for a 2σ ellipse as wide as the data
        assert np.abs(line).max() < QT_PATH_LIMIT / 10
    assert 3 * MAX_COORDINATE < QT_PATH_LIMIT
