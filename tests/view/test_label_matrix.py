"""The z-beside-r matrices' maths: sorting rows by cluster, averaging rows into pixel rows
(against a slow loop), colouring by weight, and laying columns out as one image."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.look.label_matrix import (
    column_order,
    column_widths,
    matrix_image,
    one_hot,
    pixel_bins,
    row_order,
    rows_to_pixels,
    sorted_pixel_rows,
    weight_colours,
)


def slow_rows_to_pixels(matrix: np.ndarray, height: int) -> np.ndarray:
    """Pixel row b: the mean of the rows n with ⌊n·height/N⌋ == b ... written the slow way:
    every row is visited and added to the pixel rows whose span holds it."""
    n, k = matrix.shape
    out = np.zeros((height, k))
    for b in range(height):
        start = b * n // height
        stop = (b + 1) * n // height
        rows = list(range(start, max(stop, start + 1)))  # at least the start row
        if n < height:
            rows = [start]
        total = np.zeros(k)
        for row in rows:
            total += matrix[row]
        out[b] = total / len(rows)
    return out


@pytest.mark.parametrize("n, height", [(1, 1), (7, 3), (10, 10), (3, 7), (1000, 97), (97, 1000),
                                       (12345, 400)])
def test_rows_to_pixels_equals_a_slow_loop(n, height):
    rng = np.random.default_rng(n + height)
    resp = rng.dirichlet(np.ones(3), size=n)
    fast = rows_to_pixels(resp, height)
    assert fast.shape == (height, 3)
    np.testing.assert_allclose(fast, slow_rows_to_pixels(resp, height), rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.sum(axis=1), 1.0)  # each pixel row is still unit mass


def test_every_row_is_counted_once_when_rows_outnumber_pixels():
    starts = pixel_bins(10, 4)
    assert starts.tolist() == [0, 2, 5, 7]
    counts = np.diff(np.r_[starts, 10])
    assert counts.sum() == 10 and counts.min() >= 1


def test_pixel_bins_refuse_empty():
    with pytest.raises(ValueError, match="at least one row"):
        pixel_bins(0, 5)


def test_rows_sort_by_group_then_by_own_weight_with_unlabelled_last():
    groups = np.array([1, 0, -1, 1, 0, 0])
    resp = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5], [0.1, 0.9], [0.9, 0.1], [0.6, 0.4]])
    order = row_order(groups, resp)
    # group 0: rows 4 (0.9), 1 (0.6), 5 (0.6, tie keeps data order); group 1: 3 (0.9), 0 (0.8)
    assert order.tolist() == [4, 1, 5, 3, 0, 2]
    assert row_order(groups).tolist() == [1, 4, 5, 0, 3, 2]


def test_without_labels_rows_go_by_argmax():
    resp = np.array([[0.3, 0.7], [0.9, 0.1], [0.45, 0.55], [0.6, 0.4]])
    z, r = sorted_pixel_rows(resp, None, None, 4)
    assert z is None
    np.testing.assert_array_equal(r, resp[[1, 3, 0, 2]])


def test_labels_sort_rows_in_the_columns_order():
    resp = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    labels = np.array([1, 0, 1])
    # label 1 is matched to component 0 (same colour): it is z's first column
    z, r = sorted_pixel_rows(resp, labels, np.array([1, 0]), 3)
    np.testing.assert_array_equal(z, [[1, 0], [1, 0], [0, 1]])
    np.testing.assert_array_equal(r, resp[[0, 2, 1]])


def test_one_hot_leaves_unlabelled_rows_empty():
    np.testing.assert_array_equal(one_hot(np.array([0, -1, 2]), 3),
                                  [[1, 0, 0], [0, 0, 0], [0, 0, 1]])


def test_label_columns_follow_the_components_colours():
    red, green, blue = (200, 0, 0), (0, 200, 0), (0, 0, 200)
    # components are blue, red; labels red, green, blue: label 2 (blue) first, then label 0
    # (red), then label 1 (no component is green)
    order = column_order(np.array([red, green, blue]), np.array([blue, red]))
    assert order.tolist() == [2, 0, 1]


def test_weight_colours_blend_from_background_to_the_cluster_colour():
    palette = np.array([[0, 114, 178], [230, 159, 0]], dtype=np.uint8)
    cells = weight_colours(np.array([[1.0, 0.0], [0.5, 0.5]]), palette, (255, 255, 255))
    assert cells[0, 0].tolist() == [0, 114, 178]
    assert cells[0, 1].tolist() == [255, 255, 255]
    assert cells[1, 0].tolist() == [128, 184, 216]  # 255 + 0.5 (c - 255), rounded
    assert cells[1, 1].tolist() == [242, 207, 128]


def test_matrix_image_lays_columns_out_with_gaps():
    cells = np.array([[[1, 1, 1], [2, 2, 2]]], dtype=np.uint8)
    widths = column_widths(7, 2, gap=1)
    assert widths.tolist() == [3, 3]
    image = matrix_image(cells, widths, 1, (9, 9, 9))
    assert image[0, :, 0].tolist() == [1, 1, 1, 9, 2, 2, 2]
    assert column_widths(8, 2, gap=1).tolist() == [4, 3]


def test_before_the_first_e_step_only_z_is_sorted():
    z, r = sorted_pixel_rows(None, np.array([1, 0, 1]), np.array([0, 1]), 3)
    assert r is None
    np.testing.assert_array_equal(z, [[1, 0], [0, 1], [0, 1]])
    with pytest.raises(ValueError, match="need oracle labels"):
        sorted_pixel_rows(None, None, None, 3)
