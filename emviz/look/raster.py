"""Rasterising a scatter plot in numpy, for when points outnumber pixels (no Qt here).

Two stages, so a new frame costs little when only the colours change. When the data or the
view change, ``pixel_owners`` maps every point to a pixel and keeps one point per occupied
pixel (the last drawn, as a scatter plot's overdraw would), and ``dot_layout`` spreads each
owner into a round dot and records which owner paints each pixel. Every frame,
``owner_argb`` colours only the owners and ``paint_dots`` copies those colours into place:
a cost set by the pixels, not by N.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .colors import UNASSIGNED, blend_channels, to_uint8


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


@dataclass(frozen=True, eq=False)
class DotLayout:
    """Which point paints each pixel of a ``height`` x ``width`` image in screen order (row 0
    at the top): pixel ``pixels[i]`` (flat index) takes the colour of point
    ``owners[source[i]]``. ``owners`` (M,) is ascending, so gathering their responsibilities
    walks memory in order."""

    width: int
    height: int
    owners: np.ndarray
    pixels: np.ndarray
    source: np.ndarray


def dot_layout(layout: PixelOwners, radius: int = 1) -> DotLayout:
    """Spread each owner of ``layout`` into a round dot of ``radius`` pixels over empty
    neighbours (the nearer owner wins where dots meet; an owner's own pixel is never taken),
    and flip the rows to screen order."""
    h, w = layout.height, layout.width
    index = np.full(h * w, -1, dtype=np.int64)
    index[layout.pixels] = np.arange(len(layout.pixels))
    index = index.reshape(h, w)
    if radius > 0 and len(layout.pixels):
        centres = index.copy()
        for dy, dx in dot_offsets(radius):
            dst = index[max(dy, 0): h + min(dy, 0), max(dx, 0): w + min(dx, 0)]
            src = centres[max(-dy, 0): h + min(-dy, 0), max(-dx, 0): w + min(-dx, 0)]
            np.copyto(dst, src, where=dst < 0)  # fill empty pixels only; an empty src copies -1
    screen = index[::-1].ravel()
    pixels = np.flatnonzero(screen >= 0)
    order = np.argsort(layout.owners, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return DotLayout(w, h, layout.owners[order], pixels, rank[screen[pixels]])


def pack_argb(rgb: np.ndarray) -> np.ndarray:
    """Opaque colours as 0xAARRGGBB words, uint32 (M,): QImage's ARGB32 pixel, which is
    defined on the word's value, so byte order does not matter."""
    c = rgb.astype(np.uint32)
    return (c[:, 0] << 16) | (c[:, 1] << 8) | c[:, 2] | np.uint32(0xFF000000)


def owner_argb(resp: np.ndarray | None, owners: np.ndarray, palette: np.ndarray,
               soft: bool = True) -> np.ndarray:
    """The ARGB32 colour of each owner, uint32 (M,): the blend of the component colours
    ``palette`` (K, 3) by its responsibilities (soft), the colour of its argmax (hard), or
    UNASSIGNED grey when ``resp`` (N, K) is None."""
    if resp is None:
        return np.full(len(owners), pack_argb(UNASSIGNED[None])[0], dtype=np.uint32)
    columns = [np.asarray(column)[owners] for column in resp.T]  # contiguous if resp is F-ordered
    if not soft:
        return pack_argb(palette)[np.argmax(np.stack(columns), axis=0)]
    word = np.full(len(owners), 0xFF000000, dtype=np.uint32)
    for shift, channel in zip((16, 8, 0), blend_channels(columns, palette, len(owners)), strict=True):
        word |= to_uint8(channel).astype(np.uint32) << np.uint32(shift)
    return word


def paint_dots(dots: DotLayout, argb: np.ndarray) -> np.ndarray:
    """The ARGB32 image, uint32 (height, width) in screen order: each owner's colour
    ``argb`` (M,) over its dot, 0 (transparent) elsewhere."""
    image = np.zeros(dots.height * dots.width, dtype=np.uint32)
    image[dots.pixels] = argb[dots.source]
    return image.reshape(dots.height, dots.width)
