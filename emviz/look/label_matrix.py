"""The N × K label matrices as images: the oracle's one-hot z_nk beside EM's soft r_nk =
γ(z_nk) (the lecture's "insight": each point has unit mass and the soft labels split it across
the K components). Plain numpy, no Qt: the view paints the RGB arrays these return.

Rows are sorted by cluster (the oracle's label z_n, or argmax_k r_nk without labels), so each
matrix reads as blocks; within a block the points most certainly owned by the block's cluster
come first. More rows than the image has pixel rows are averaged, block of rows by block of
rows (``rows_to_pixels``), so 10⁶ points fit a few hundred pixels and the mass a pixel row
shows is still the mean of its points' r_nk.
"""

from __future__ import annotations

import numpy as np


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    """z_nk from the labels z_n: 1 in column z_n, 0 elsewhere; a row of zeros for an unlabelled
    point (label -1) or a label ≥ k. labels : int (N,); returns float (N, k)."""
    labels = np.asarray(labels, dtype=int)
    z = np.zeros((len(labels), k))
    known = (labels >= 0) & (labels < k)
    z[np.flatnonzero(known), labels[known]] = 1.0
    return z


def column_order(label_colours: np.ndarray, component_colours: np.ndarray) -> np.ndarray:
    """The oracle's labels in the order of EM's components of the same colour (the Identity
    part gives a label the colour of the component whose mean is nearest its points' mean), so
    z's column j and r's column j share a colour; labels of a colour no component has follow
    in their own order.

    label_colours : uint8 (K_labels, 3); component_colours : uint8 (K, 3); returns a
    permutation of range(K_labels): column j of the z image shows label ``order[j]``."""
    by_colour = {tuple(int(c) for c in rgb): j for j, rgb in enumerate(component_colours)}
    position = [by_colour.get(tuple(int(c) for c in rgb), len(by_colour) + i)
                for i, rgb in enumerate(label_colours)]
    return np.argsort(position, kind="stable")


def row_order(groups: np.ndarray, resp: np.ndarray | None = None) -> np.ndarray:
    """The order of the N rows: by group (ascending; a negative group, an unlabelled point,
    last), then, with ``resp``, by r_n,group (the weight EM gives the row's own group's
    column), largest first; ties keep the data's order.

    groups : int (N,), the column each row belongs to (the oracle label's column in the image,
    or argmax_k r_nk); resp : (N, K) or None; returns int (N,), a permutation."""
    groups = np.asarray(groups, dtype=np.int64)
    n = len(groups)
    key_group = np.where(groups < 0, np.iinfo(np.int64).max, groups)
    if resp is None or n == 0:
        return np.argsort(key_group, kind="stable")
    resp = np.asarray(resp)
    inside = (groups >= 0) & (groups < resp.shape[1])  # a label no component has: weight 0
    own = np.where(inside, resp[np.arange(n), np.clip(groups, 0, resp.shape[1] - 1)], 0.0)
    return np.lexsort((-own, key_group))  # the last key sorts first


def sorted_pixel_rows(resp: np.ndarray | None, labels: np.ndarray | None,
                      label_columns: np.ndarray | None,
                      height: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Both matrices, rows sorted by cluster and brought to ``height`` pixel rows: (z, r).

    With oracle labels the rows go by the label's column in the z image (``label_columns``, see
    ``column_order``), else by argmax_k r_nk; z is then None. resp : (N, K), or None before the
    first E-step (then r is None, and labels are needed); labels : int (N,), -1 unlabelled;
    returns z (height, K_labels) or None, r (height, K) or None. O(N log N): run it off the GUI
    thread for large N."""
    if resp is None and (labels is None or label_columns is None):
        raise ValueError("without responsibilities the rows need oracle labels to sort by")
    resp = None if resp is None else np.asarray(resp, dtype=float)
    if labels is None or label_columns is None:
        order = row_order(resp.argmax(axis=1), resp)
        return None, rows_to_pixels(resp[order], height)
    labels = np.asarray(labels, dtype=int)
    k_labels = len(label_columns)
    position = np.empty(k_labels, dtype=np.int64)
    position[np.asarray(label_columns, dtype=int)] = np.arange(k_labels)
    known = (labels >= 0) & (labels < k_labels)
    groups = np.where(known, position[np.clip(labels, 0, k_labels - 1)], -1)
    order = row_order(groups, resp)
    z = one_hot(groups[order], k_labels)  # the columns in image order already
    return rows_to_pixels(z, height), None if resp is None else rows_to_pixels(resp[order], height)


def pixel_bins(n: int, height: int) -> np.ndarray:
    """Where each of ``height`` pixel rows starts among n rows: starts[b] = ⌊b·n / height⌋,
    int (height,). With n ≥ height each pixel row averages the rows from its start to the next
    (⌊n/height⌋ or one more); with fewer rows than pixels a row spans several pixel rows."""
    if n < 1 or height < 1:
        raise ValueError(f"need at least one row and one pixel row, got n={n}, height={height}")
    return (np.arange(height, dtype=np.int64) * n) // height


def rows_to_pixels(matrix: np.ndarray, height: int) -> np.ndarray:
    """``matrix`` (N, K) as ``height`` pixel rows, (height, K): pixel row b is the mean of rows
    ⌊b·N/height⌋ … ⌊(b+1)·N/height⌋ − 1 (N ≥ height: every row counted once), or the one row
    ⌊b·N/height⌋ (N < height: rows repeated). Row sums stay 1 where each row's sums to 1."""
    matrix = np.asarray(matrix, dtype=float)
    n = len(matrix)
    starts = pixel_bins(n, height)
    if n < height:
        return matrix[starts]
    counts = np.diff(np.r_[starts, n])
    return np.add.reduceat(matrix, starts, axis=0) / counts[:, None]


def weight_colours(weights: np.ndarray, palette: np.ndarray, background) -> np.ndarray:
    """Each cell's colour: the background blended toward its column's colour by the weight,
    c = background + w · (colour_k − background), so a weight of 1 is the cluster's colour and
    0 the plot's background. weights : (H, K) in [0, 1]; palette : uint8 (K, 3);
    background : 3 ints; returns uint8 (H, K, 3)."""
    weights = np.clip(np.asarray(weights, dtype=float), 0.0, 1.0)
    palette = np.asarray(palette, dtype=float)
    if palette.shape != (weights.shape[1], 3):
        raise ValueError(f"palette must have shape ({weights.shape[1]}, 3), got {palette.shape}")
    back = np.asarray(background, dtype=float).reshape(1, 1, 3)
    rgb = back + weights[:, :, None] * (palette[None, :, :] - back)
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def column_widths(width: int, k: int, gap: int) -> np.ndarray:
    """The pixel width of each of k columns sharing ``width`` pixels with ``gap`` pixels between
    neighbours (the first columns take the pixels left over), int (k,)."""
    room = max(width - gap * (k - 1), k)
    widths = np.full(k, room // k)
    widths[: room - widths.sum()] += 1
    return widths


def matrix_image(cells: np.ndarray, widths: np.ndarray, gap: int, gap_rgb) -> np.ndarray:
    """The image of a (H, K, 3) grid of cell colours: column k ``widths[k]`` pixels wide, a
    ``gap``-pixel line of ``gap_rgb`` between columns. Returns uint8 (H, Σ widths + gap·(K−1), 3)
    (one numpy gather, not one call per cell)."""
    h, k, _ = cells.shape
    column_of = np.concatenate([np.r_[np.full(w, j), np.full(gap if j < k - 1 else 0, -1)]
                                for j, w in enumerate(np.asarray(widths, dtype=int))]).astype(int)
    image = cells[:, np.clip(column_of, 0, k - 1), :]
    image[:, column_of < 0, :] = np.asarray(gap_rgb, dtype=np.uint8)
    return np.ascontiguousarray(image)
