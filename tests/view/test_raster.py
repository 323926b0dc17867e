"""The numpy rasteriser behind the points view's large-data path."""

from __future__ import annotations

import numpy as np

from emviz.raster import dot_offsets, pack_argb, paint_image, pixel_owners


def test_each_point_lands_in_its_pixel_and_the_last_one_wins():
    xy = np.array([[0.05, 0.05], [0.95, 0.05], [0.05, 0.95], [0.06, 0.04], [2.0, 0.5], [-0.1, 0.5]])
    layout = pixel_owners(xy, (0.0, 1.0), (0.0, 1.0), width=10, height=10)
    # row 0 is the smallest y; points 4 and 5 lie outside the view
    assert dict(zip(layout.pixels.tolist(), layout.owners.tolist(), strict=True)) == {0: 3, 9: 1, 90: 2}


def test_pack_argb_is_qimage_argb32():
    assert pack_argb(np.array([[1, 2, 3]], dtype=np.uint8))[0] == 0xFF010203


def test_dots_are_round_and_fill_only_empty_pixels():
    offsets = dot_offsets(2)
    assert (0, 0) not in offsets and (2, 0) in offsets and (2, 2) not in offsets
    xy = np.array([[2.5, 2.5], [3.5, 2.5]])  # two neighbouring pixels
    layout = pixel_owners(xy, (0.0, 10.0), (0.0, 10.0), width=10, height=10)
    image = paint_image(layout, np.array([[255, 0, 0], [0, 0, 255]], dtype=np.uint8), radius=1)
    red, blue = pack_argb(np.array([[255, 0, 0], [0, 0, 255]], dtype=np.uint8))
    assert image[2, 2] == red and image[2, 3] == blue  # centres keep their own colour
    assert image[2, 1] == red and image[2, 4] == blue and image[1, 2] == red
    assert image[1, 1] == red and image[3, 4] == blue  # the diagonal corners of the 3x3 dots
    assert image[0, 0] == 0 and (image != 0).sum() == 12  # two 3x3 dots sharing 6 pixels
