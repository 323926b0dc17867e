"""The numpy rasteriser behind the points view's large-data path."""

from __future__ import annotations

import numpy as np

from emviz.look.colors import blend, component_colors, hard_labels
from emviz.look.raster import dot_layout, dot_offsets, owner_argb, pack_argb, paint_dots, pixel_owners


def paint_image(layout, rgb, radius):
    """The picture of ``layout`` with owner colours ``rgb`` (M, 3), rows bottom-up as in
    data coordinates (the layout's own order)."""
    dots = dot_layout(layout, radius)
    argb = pack_argb(rgb)[np.argsort(layout.owners, kind="stable")]  # as dots.owners are ordered
    return paint_dots(dots, argb)[::-1]


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


def slow_paint(layout, rgb, radius):
    """Loop reference: every empty pixel takes the colour of the nearest owner within the
    dot's reach (ties: the first offset in dot_offsets' order); rows bottom-up."""
    h, w = layout.height, layout.width
    colour_at = dict(zip(layout.pixels.tolist(), pack_argb(rgb).tolist(), strict=True))
    image = np.zeros((h, w), dtype=np.uint32)
    for row in range(h):
        for col in range(w):
            if row * w + col in colour_at:
                image[row, col] = colour_at[row * w + col]
                continue
            for dy, dx in dot_offsets(radius):  # the owner at (row - dy, col - dx) reaches here
                r, c = row - dy, col - dx
                if 0 <= r < h and 0 <= c < w and r * w + c in colour_at:
                    image[row, col] = colour_at[r * w + c]
                    break
    return image


def test_dots_match_a_loop_reference_on_random_points():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 1, size=(300, 2))
    for radius in (0, 1, 2, 3):
        layout = pixel_owners(xy, (0.0, 1.0), (0.0, 1.0), width=37, height=23)
        rgb = rng.integers(0, 256, size=(len(layout.owners), 3)).astype(np.uint8)
        np.testing.assert_array_equal(paint_image(layout, rgb, radius), slow_paint(layout, rgb, radius))


def test_dot_layout_gathers_owners_in_memory_order_and_flips_rows_to_the_screen():
    xy = np.array([[0.5, 9.5], [9.5, 0.5], [0.5, 0.5]])  # top left, bottom right, bottom left
    dots = dot_layout(pixel_owners(xy, (0.0, 10.0), (0.0, 10.0), width=10, height=10), radius=0)
    assert dots.owners.tolist() == [0, 1, 2]
    painted = dict(zip(dots.pixels.tolist(), dots.owners[dots.source].tolist(), strict=True))
    assert painted == {0: 0, 99: 1, 90: 2}  # screen row 0 is the top of the view


def test_owner_colours_are_the_blend_or_the_argmax_of_their_responsibilities():
    rng = np.random.default_rng(4)
    resp = np.asfortranarray(rng.dirichlet(np.ones(4), size=500))
    owners = np.sort(rng.choice(500, 60, replace=False))
    palette = component_colors(4)
    np.testing.assert_array_equal(owner_argb(resp, owners, palette), pack_argb(blend(resp[owners], palette)))
    np.testing.assert_array_equal(owner_argb(resp, owners, palette, soft=False),
                                  pack_argb(palette[hard_labels(resp[owners])]))
    grey = owner_argb(None, owners, palette)
    assert grey.shape == (60,) and (grey == pack_argb(np.array([[110, 110, 110]]))[0]).all()
