"""Component colours and per-point colour blending (numpy only; the views draw the result)."""

from __future__ import annotations

import colorsys

import numpy as np

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with any common colour-vision
#: deficiency. Black is left out (it is the text colour) and yellow moved last (weak on white).
OKABE_ITO = np.array(
    [
        (0, 114, 178),  # blue
        (230, 159, 0),  # orange
        (0, 158, 115),  # bluish green
        (204, 121, 167),  # reddish purple
        (86, 180, 233),  # sky blue
        (213, 94, 0),  # vermillion
        (240, 228, 66),  # yellow
        (120, 120, 120),  # grey (stands in for Okabe-Ito's black)
    ],
    dtype=np.uint8,
)

#: Points with no responsibilities yet (before the first E-step) are drawn in this grey.
UNASSIGNED = np.array((110, 110, 110), dtype=np.uint8)

# -- what is not a component ----------------------------------------------------------------
# ln p, L, Q, H, KL, BIC, AIC and the restarts' ln p are not clusters, so they take none of
# the component colours (which are hues, and the greys (120, 120, 120) and, for K > 15,
# (38, 38, 38)): black and three other greys, told apart by dashes, hatching and markers.
# ln p and L in the bound plot take the theme's foreground (black on white, near-white on
# the dark theme) with ln p solid and L dashed. tests/gui/test_colour_identity.py checks
# that no curve or bar that is not a component takes a component's colour.
INK = (0, 0, 0)
DARK_GREY = (85, 85, 85)
MID_GREY = (150, 150, 150)
LIGHT_GREY = (205, 205, 205)
#: The curves and bars, by what they show: (RGB on a light plot, dashed).
LOG_LIKELIHOOD_STYLE = (INK, False)
LOWER_BOUND_STYLE = (DARK_GREY, True)
Q_STYLE = (MID_GREY, False)
BIC_STYLE = (INK, False)
AIC_STYLE = (DARK_GREY, True)


def component_colors(k: int) -> np.ndarray:
    """K distinct RGB colours, shape (k, 3) uint8.

    Okabe-Ito for k <= 8. Beyond that, the palette is extended with darker and lighter
    variants of the same eight hues (a distinct lightness per round), so neighbouring
    components stay distinguishable by hue and the extra ones by lightness.
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    colors = []
    for i in range(k):
        base, round_ = OKABE_ITO[i % 8] / 255.0, i // 8
        if round_ == 0:
            colors.append(base)
            continue
        h, lightness, s = colorsys.rgb_to_hls(*base)
        lightness = np.clip(lightness + (-0.32 if round_ % 2 else 0.18) * ((round_ + 1) // 2), 0.12, 0.88)
        colors.append(colorsys.hls_to_rgb(h, lightness, s))
    return np.round(np.array(colors).reshape(k, 3) * 255).astype(np.uint8)


def blend(resp: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Each point's colour as the responsibility-weighted mix of the component colours.

    c_n = Σ_k r_nk · colour_k: a point owned by one component gets its colour; a point split
    50/50 gets the midpoint (the "soft label").

    resp : array (N, K), rows summing to 1; palette : uint8 array (K, 3)
    Returns uint8 array (N, 3).
    """
    resp = np.asarray(resp)
    channels = blend_channels([resp[:, k] for k in range(resp.shape[1])], palette, resp.shape[0])
    return np.stack([to_uint8(c) for c in channels], axis=1)


def blend_channels(columns: list[np.ndarray], palette: np.ndarray, n: int) -> list[np.ndarray]:
    """The red, green and blue of c_n = Σ_k r_nk · colour_k, each float (n,), from the K
    columns r_·k (each (n,)). Column by column on purpose: with K and 3 this small, resp @
    palette goes to BLAS, whose thread pool stalls when the EM worker keeps the other core
    busy, and a (n, K) temporary would cost a pass over memory for nothing."""
    weights = palette.astype(np.float64)
    channels = []
    for c in range(3):
        total = np.zeros(n, dtype=np.float64)
        for k, column in enumerate(columns):
            total += weights[k, c] * column
        channels.append(total)
    return channels


def to_uint8(channel: np.ndarray) -> np.ndarray:
    """A float colour channel rounded and clipped to 0..255, uint8."""
    return np.clip(np.rint(channel), 0, 255).astype(np.uint8)


def point_colors(resp: np.ndarray | None, palette: np.ndarray, soft: bool = True,
                 n: int | None = None) -> np.ndarray:
    """The colour of each point, uint8 (N, 3): the blend of the component colours by r_nk
    (soft), the colour of argmax_k r_nk (hard), or UNASSIGNED grey when there is no q yet
    (``resp`` None; then ``n`` says how many points)."""
    if resp is None:
        return np.broadcast_to(UNASSIGNED, (n or 0, 3))
    return blend(resp, palette) if soft else palette[hard_labels(resp)]


def hard_labels(resp: np.ndarray) -> np.ndarray:
    """argmax_k r_nk, shape (N,): the hard (k-means style) assignment."""
    return np.asarray(resp).argmax(axis=1)


#: Levels per RGB channel when blended colours are binned for drawing (16³ = 4096 bins).
LEVELS = 16


def quantise(rgb: np.ndarray, levels: int = LEVELS) -> np.ndarray:
    """Bin RGB colours into ``levels``³ codes, shape (N,) uint16, so a renderer can draw each
    bin with one brush. Bin centres are returned by ``code_colors``."""
    q = (rgb.astype(np.uint16) * levels) >> 8  # 0..levels-1 per channel
    return (q[:, 0] * levels + q[:, 1]) * levels + q[:, 2]


def code_colors(codes: np.ndarray, levels: int = LEVELS) -> np.ndarray:
    """The RGB colour (bin centre) of each quantised code, shape (len(codes), 3) uint8."""
    codes = np.asarray(codes, dtype=np.int64)
    channels = np.stack([codes // (levels * levels), (codes // levels) % levels, codes % levels], 1)
    return np.round((channels + 0.5) * 256 / levels - 0.5).clip(0, 255).astype(np.uint8)


def hex_color(rgb: np.ndarray) -> str:
    """'#rrggbb' for an RGB triple."""
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb[:3]))
