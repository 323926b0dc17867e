"""Rasterising a scatter plot in numpy, for when points outnumber pixels (no Qt here).

Two stages, so a new frame costs little when only the colours change:
``pixel_owners`` (when the data or the view change) maps every point to a pixel and keeps one
point per occupied pixel, the last drawn, as a scatter plot's overdraw would; ``paint_image``
(every frame) colours only those owners and spreads each into a round dot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class PixelOwners:
    """For an image of ``height`` x ``width`` pixels: ``pixels`` (M,) flat indices of the
    occupied pixels and ``owners`` (M,) the index of the point drawn there. Row 0 is the
    bottom of the view (smallest y), as data coordinates have it."""

    width: int
    height: int
    pixels: np.ndarray
    owners: np.ndarray


def pixel_owners(xy: np.ndarray, x_range: tuple[float, float], y_range: tuple[float, float],
                 width: int, height: int) -> PixelOwners:
    """Which point owns each pixel of the view (the last point that falls in it).

    xy : array (N, 2) in data coordinates; x_range, y_range : the view's extent in data units.
    """
    (x0, x1), (y0, y1) = x_range, y_range
    sx = width / (x1 - x0) if x1 > x0 else 0.0
    sy = height / (y1 - y0) if y1 > y0 else 0.0
    col = np.floor((xy[:, 0] - x0) * sx)
    row = np.floor((xy[:, 1] - y0) * sy)
    inside = (col >= 0) & (col < width) & (row >= 0) & (row < height)
    index = np.flatnonzero(inside)
    flat = row[index].astype(np.int64) * width + col[index].astype(np.int64)
    owner = np.full(width * height, -1, dtype=np.int64)
    owner[flat] = index  # fancy assignment: the last point in a pixel wins
    pixels = np.flatnonzero(owner >= 0)
    return PixelOwners(width, height, pixels, owner[pixels])


def dot_offsets(radius: int) -> list[tuple[int, int]]:
    """Pixel offsets of a round dot of the given radius, excluding the centre, nearest first
    (so a pixel between two dots takes the colour of the nearer point)."""
    r = int(radius)
    offsets = [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)
               if (dy or dx) and dy * dy + dx * dx <= r * r + r]
    return sorted(offsets, key=lambda o: o[0] * o[0] + o[1] * o[1])


def pack_argb(rgb: np.ndarray) -> np.ndarray:
    """Opaque colours as 0xAARRGGBB words, uint32 (M,): QImage's ARGB32 pixel, which is
    defined on the word's value, so byte order does not matter."""
    c = rgb.astype(np.uint32)
    return (c[:, 0] << 16) | (c[:, 1] << 8) | c[:, 2] | np.uint32(0xFF000000)


def paint_image(layout: PixelOwners, rgb: np.ndarray, radius: int = 1) -> np.ndarray:
    """An ARGB32 image, uint32 (height, width): each owner's colour ``rgb`` (M, 3) at its
    pixel, spread into a dot of ``radius`` pixels over empty neighbours (0, transparent,
    elsewhere)."""
    h, w = layout.height, layout.width
    image = np.zeros(h * w, dtype=np.uint32)
    image[layout.pixels] = pack_argb(rgb)
    image = image.reshape(h, w)
    if radius > 0 and len(layout.pixels):
        centres = image.copy()
        for dy, dx in dot_offsets(radius):
            dst = image[max(dy, 0): h + min(dy, 0), max(dx, 0): w + min(dx, 0)]
            src = centres[max(-dy, 0): h + min(-dy, 0), max(-dx, 0): w + min(-dx, 0)]
            np.copyto(dst, src, where=dst == 0)  # fill empty pixels only; an empty src copies 0
    return image
