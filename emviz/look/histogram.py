"""The 1-D mode's picture as arrays: a density-scaled histogram of x_1 … x_N, each component's
π_k N(x | μ_k, σ_k²) and their sum p(x | θ) on a grid, and the responsibilities r_nk of each
bin's points as a stacked colour band. Plain numpy, drawn by emviz.gui.histogram_view."""

from __future__ import annotations

import numpy as np

from ..core import Mixture

#: Bins at most (a Freedman–Diaconis width below range / MAX_BINS is widened to it).
MAX_BINS = 120
#: At least √N bins, but this floor never above this many.
MIN_BINS_CAP = 40
#: The curves are drawn through this many x values.
CURVE_POINTS = 400


def bin_edges(x: np.ndarray) -> np.ndarray:
    """Equal bins over the data's range, shape (B + 1,): the Freedman–Diaconis width
    h = 2 · IQR · N^(−1/3) (Sturges' count, log₂ N + 1, when that gives more bins, as numpy's
    "auto"), but at least √N bins up to MIN_BINS_CAP (the rule's few wide bins hide the shape
    a class should see) and at most MAX_BINS. ``x``: shape (N,)."""
    x = np.asarray(x, dtype=float).reshape(-1)
    if len(x) == 0:
        return np.array([0.0, 1.0])
    lo, hi = float(x.min()), float(x.max())
    if hi <= lo:
        return np.array([lo - 0.5, hi + 0.5])
    q75, q25 = np.percentile(x, [75, 25])
    width = 2.0 * (q75 - q25) * len(x) ** (-1.0 / 3.0)
    n_fd = int(np.ceil((hi - lo) / width)) if width > 0 else 1
    n_sturges = int(np.ceil(np.log2(len(x)) + 1))
    n_bins = max(n_fd, n_sturges, min(int(np.ceil(np.sqrt(len(x)))), MIN_BINS_CAP))
    return np.linspace(lo, hi, min(n_bins, MAX_BINS) + 1)


def bin_index(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The bin of each x_n among the equal bins ``edges`` (the last one closed), shape (N,):
    arithmetic, O(N), where a search among the edges is O(N log B) and ten times slower."""
    x = np.asarray(x, dtype=float).reshape(-1)
    n_bins = len(edges) - 1
    width = (edges[-1] - edges[0]) / n_bins
    return np.clip(((x - edges[0]) / width).astype(np.intp), 0, n_bins - 1)


def density_heights(x: np.ndarray, edges: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
    """Each bin's count / (N · width): the histogram as a density (its area is 1), shape (B,).
    ``index``: ``bin_index(x, edges)``, if known."""
    x = np.asarray(x, dtype=float).reshape(-1)
    b = bin_index(x, edges) if index is None else index
    counts = np.bincount(b, minlength=len(edges) - 1)
    return counts / max(len(x), 1) / np.diff(edges)


def curve_grid(edges: np.ndarray, mixture: Mixture | None) -> np.ndarray:
    """x values for the curves: the histogram's range widened to hold every component's
    μ_k ± 3σ_k, shape (CURVE_POINTS,)."""
    lo, hi = float(edges[0]), float(edges[-1])
    pad = 0.05 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    if mixture is not None:
        mu, sd = mixture.means[:, 0], np.sqrt(mixture.covariances[:, 0, 0])
        span = max(hi - lo, 1e-300)
        # but never so wide that the data shrink to a sliver (a far-off μ_k is cut off)
        lo = max(min(lo, float((mu - 3 * sd).min())), lo - span)
        hi = min(max(hi, float((mu + 3 * sd).max())), hi + span)
    return np.linspace(lo, hi, CURVE_POINTS)


def component_curves(grid: np.ndarray, mixture: Mixture) -> np.ndarray:
    """π_k N(x | μ_k, σ_k²) at each x of ``grid``, shape (K, G), for a 1-D mixture."""
    if mixture.n_features != 1:
        raise ValueError(f"component curves need a 1-D mixture, got D = {mixture.n_features}")
    mu = mixture.means[:, 0][:, None]
    var = mixture.covariances[:, 0, 0][:, None]
    z = (np.asarray(grid, dtype=float)[None, :] - mu) ** 2 / var
    return mixture.weights[:, None] * np.exp(-0.5 * z) / np.sqrt(2 * np.pi * var)


def bin_responsibilities(x: np.ndarray, resp: np.ndarray, edges: np.ndarray,
                         index: np.ndarray | None = None) -> np.ndarray:
    """Each bin's mean r_nk over the points in it, shape (B, K) (rows of empty bins are 0).
    ``index``: ``bin_index(x, edges)``, if known (it changes with the data, not with θ)."""
    b = bin_index(x, edges) if index is None else index
    n_bins = len(edges) - 1
    # bincount per component: np.add.at over N rows is ten times slower
    sums = np.stack([np.bincount(b, weights=resp[:, k], minlength=n_bins)
                     for k in range(resp.shape[1])], axis=1).reshape(n_bins, resp.shape[1])
    counts = np.bincount(b, minlength=n_bins)
    return sums / np.maximum(counts, 1)[:, None]


def band_image(shares: np.ndarray, palette: np.ndarray, rows: int = 48,
               empty: tuple[int, int, int, int] = (0, 0, 0, 0)) -> np.ndarray:
    """The responsibility band as an RGBA image, shape (B, rows, 4) (x along the first axis,
    as pyqtgraph's ImageItem takes it): column b stacks the K colours of ``palette`` (K, 3)
    from the bottom, colour k taking the share ``shares[b, k]`` of the height; an empty bin
    (shares 0) is ``empty``."""
    shares = np.asarray(shares, dtype=float)
    n_bins, k = shares.shape
    total = shares.sum(axis=1, keepdims=True)
    cum = np.cumsum(shares / np.where(total > 0, total, 1.0), axis=1)  # (B, K)
    level = (np.arange(rows) + 0.5) / rows  # the height of each pixel row, 0 … 1
    which = (level[None, :, None] > cum[:, None, :]).sum(axis=2)  # (B, rows): the colour k
    which = np.minimum(which, k - 1)
    image = np.empty((n_bins, rows, 4), dtype=np.ubyte)
    image[..., :3] = np.asarray(palette, dtype=np.ubyte)[which]
    image[..., 3] = 255
    image[total[:, 0] <= 0] = empty
    return image
