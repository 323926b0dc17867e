"""Colours for maps of a continuous value (the density under the points, the likelihood
landscape): cividis, made for colour-vision deficiency (Nuñez, Anderton & Renslow, PLoS ONE
13(7), 2018): its lightness rises steadily, so it reads the same to every viewer and in grey.

Numpy only; the views put the RGBA arrays into image items.
"""

from __future__ import annotations

import numpy as np

#: cividis at 9 evenly spaced positions (from the published 256-entry table), RGB 0..255.
CIVIDIS = np.array([
    (0, 32, 77), (6, 54, 110), (65, 77, 107), (97, 100, 111), (125, 124, 120),
    (155, 148, 119), (188, 175, 111), (224, 203, 94), (255, 234, 70),
], dtype=float)

#: The density shading is at most this opaque, so the points' colours stay readable on it.
DENSITY_MAX_ALPHA = 0.5


def cividis(t: np.ndarray) -> np.ndarray:
    """RGB colours for values t in [0, 1] (clipped; NaN as 0), shape t.shape + (3,), uint8."""
    t = np.nan_to_num(np.clip(np.asarray(t, dtype=float), 0.0, 1.0), nan=0.0)
    anchors = np.linspace(0.0, 1.0, len(CIVIDIS))
    rgb = np.stack([np.interp(t, anchors, CIVIDIS[:, c]) for c in range(3)], axis=-1)
    return np.round(rgb).astype(np.uint8)


def map_rgba(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """An opaque cividis picture of ``values`` scaled from ``low`` (darkest) to ``high``
    (lightest), values outside clipped: shape values.shape + (4,), uint8."""
    span = high - low
    t = (np.asarray(values, dtype=float) - low) / span if span > 0 else np.zeros(np.shape(values))
    rgb = cividis(t)
    return np.concatenate([rgb, np.full(rgb.shape[:-1] + (1,), 255, np.uint8)], axis=-1)


def density_rgba(log_density: np.ndarray, dark: bool) -> np.ndarray:
    """The shading of p(x | θ) under the points: shape log_density.shape + (4,), uint8.

    t = p / max p on the map (linear in the density); transparent where t = 0 and at most
    DENSITY_MAX_ALPHA opaque at the peak. The colour runs away from the background as p
    rises: cividis from dark blue to yellow on the dark theme; on the light one its dark
    half reversed, grey to dark blue (its yellow end would vanish on white).
    """
    log_density = np.asarray(log_density, dtype=float)
    top = np.max(log_density) if log_density.size else -np.inf
    if not np.isfinite(top):
        return np.zeros(log_density.shape + (4,), np.uint8)
    with np.errstate(under="ignore"):
        t = np.exp(log_density - top)
    rgb = cividis(t if dark else 0.5 * (1.0 - t))
    alpha = np.round(255 * DENSITY_MAX_ALPHA * np.sqrt(t)).astype(np.uint8)  # √: tails show
    return np.concatenate([rgb, alpha[..., None]], axis=-1)
