"""The 1-D mode's picture as arrays (emviz.look.histogram): bins, density heights, the
components' curves against the core's densities, and the responsibility band's pixels."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.core import Mixture, old_faithful
from emviz.core.density import weighted_log_prob
from emviz.look import histogram as hist


def test_bins_follow_freedman_diaconis_with_a_floor_of_sqrt_n():
    rng = np.random.default_rng(0)
    x = rng.normal(size=10_000)
    edges = hist.bin_edges(x)
    iqr = np.subtract(*np.percentile(x, [75, 25]))
    width = 2 * iqr * len(x) ** (-1 / 3)
    assert len(edges) - 1 == int(np.ceil((x.max() - x.min()) / width))  # FD: more than √N's cap
    assert edges[0] == x.min() and edges[-1] == x.max()
    small = old_faithful().X[:, 0]  # 272 points: FD gives 7 bins, √N 17
    assert len(hist.bin_edges(small)) - 1 == 17
    assert len(hist.bin_edges(np.full(5, 2.0))) == 2  # all equal: one bin around the value
    assert len(hist.bin_edges(np.empty(0))) == 2


def test_the_histogram_is_a_density():
    x = old_faithful().X[:, 0]
    edges = hist.bin_edges(x)
    heights = hist.density_heights(x, edges)
    assert np.sum(heights * np.diff(edges)) == pytest.approx(1.0)


def test_component_curves_are_the_cores_weighted_densities():
    mixture = Mixture([0.3, 0.7], [[-1.0], [0.8]], [[[0.2]], [[0.5]]])
    grid = np.linspace(-3, 3, 101)
    curves = hist.component_curves(grid, mixture)
    np.testing.assert_allclose(curves, np.exp(weighted_log_prob(grid[:, None], mixture)).T,
                               rtol=1e-12)
    with pytest.raises(ValueError, match="1-D mixture"):
        hist.component_curves(grid, Mixture([1.0], [[0.0, 0.0]], [np.eye(2)]))


def test_the_curve_grid_holds_each_bell_but_never_dwarfs_the_data():
    edges = np.array([0.0, 1.0, 2.0])
    near = Mixture([0.5, 0.5], [[0.5], [2.5]], [[[0.04]], [[0.04]]])
    grid = hist.curve_grid(edges, near)
    assert grid[-1] == pytest.approx(2.5 + 3 * 0.2)
    far = Mixture([0.5, 0.5], [[1.0], [1e6]], [[[1.0]], [[1.0]]])
    assert hist.curve_grid(edges, far)[-1] <= 2.1 + 2.2  # at most one span beyond the data


def test_the_band_stacks_each_bins_mean_responsibilities_in_its_colours():
    x = np.array([0.1, 0.2, 0.9, 1.9])
    edges = np.array([0.0, 1.0, 2.0, 3.0])
    resp = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [0.25, 0.75]])
    shares = hist.bin_responsibilities(x, resp, edges)
    np.testing.assert_allclose(shares, [[0.5, 0.5], [0.25, 0.75], [0.0, 0.0]])
    palette = np.array([[0, 114, 178], [230, 159, 0]])
    image = hist.band_image(shares, palette, rows=8)
    assert image.shape == (3, 8, 4)
    np.testing.assert_array_equal(image[0, :4, :3], np.tile(palette[0], (4, 1)))  # bottom half
    np.testing.assert_array_equal(image[0, 4:, :3], np.tile(palette[1], (4, 1)))
    assert np.all(image[1, :2, :3] == palette[0]) and np.all(image[1, 2:, :3] == palette[1])
    assert np.all(image[2] == 0)  # an empty bin is transparent


def test_the_bin_index_counts_as_numpys_histogram_does():
    rng = np.random.default_rng(3)
    for x in (rng.normal(size=5000), old_faithful().X[:, 0], np.array([0.0, 1.0, 1.0, 2.0])):
        edges = hist.bin_edges(x)
        counts = np.bincount(hist.bin_index(x, edges), minlength=len(edges) - 1)
        np.testing.assert_array_equal(counts, np.histogram(x, bins=edges)[0])
