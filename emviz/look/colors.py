"""Component colours and per-point colour blending (numpy only; the views draw the result).

The palette has a variant per theme (``component_colors(k, theme)``): the dark theme's is the
same hues, the two that fall short of 4.5:1 on its near-black plots (blue, 3.6:1, and grey,
4.2:1) made lighter, so the same cluster keeps its hue in every view and every theme. The
views draw in the theme the window shows (``use_theme``, set by the window's presentation),
which is why the session model's palettes (``Identity``) need no theme of their own."""

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

#: The dark theme's palette: Okabe-Ito's hues, blue and grey lighter, to 4.5:1 or more on the
#: dark plot background (18, 18, 18); the others already have 4.8:1 (vermillion) to 14:1
#: (yellow). Blue is lifted at full saturation with its hue turned 3.6° (1% of the turn)
#: away from sky blue, whose hue it shares: lifted at its own hue and saturation it came
#: within ΔE 22.6 of sky blue (CIELAB), at 5.7:1 it is ΔE 34 from every other colour.
OKABE_ITO_DARK = OKABE_ITO.copy()
OKABE_ITO_DARK[0] = (0, 145, 250)  # blue (3.6:1 before)
OKABE_ITO_DARK[7] = (128, 128, 128)  # grey (4.2:1 before)
_PALETTES = {"light": OKABE_ITO, "dark": OKABE_ITO_DARK}
#: The plot background each theme's palette is drawn on (emviz.look.appearance.PLOT_COLORS).
_BACKGROUNDS = {"light": (255, 255, 255), "dark": (18, 18, 18)}
#: Contrast every dark-theme component colour has at least on the dark plot background.
DARK_MIN_CONTRAST = 4.5

_theme = "light"


def use_theme(theme: str) -> None:
    """Draw components in this theme's palette from now on ("light" or "dark"): the window's
    presentation calls it when the theme changes, and puts "light" back when it closes."""
    global _theme
    if theme not in _PALETTES:
        raise ValueError(f"theme must be one of {', '.join(_PALETTES)}, got {theme!r}")
    _theme = theme


def current_theme() -> str:
    """The theme component colours are drawn in (``use_theme``)."""
    return _theme


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
#: The same four on the dark theme's plots: light on dark, in the same order of strength
#: (ink the strongest), each at least 4.5:1 on the dark plot background but the faint one.
DARK_NEUTRALS = {INK: (240, 240, 240), DARK_GREY: (190, 190, 190), MID_GREY: (150, 150, 150),
                 LIGHT_GREY: (75, 75, 75)}


def neutral(rgb: tuple[int, int, int], theme: str | None = None) -> tuple[int, int, int]:
    """One of the non-component greys above (named by its light-plot RGB) in ``theme``
    (None: the theme the window shows): itself on a light plot, DARK_NEUTRALS' on a dark one."""
    theme = _theme if theme is None else theme
    rgb = tuple(int(c) for c in rgb)
    return DARK_NEUTRALS.get(rgb, rgb) if theme == "dark" else rgb


#: The curves and bars, by what they show: (RGB on a light plot, dashed).
LOG_LIKELIHOOD_STYLE = (INK, False)
LOWER_BOUND_STYLE = (DARK_GREY, True)
Q_STYLE = (MID_GREY, False)
BIC_STYLE = (INK, False)
AIC_STYLE = (DARK_GREY, True)


def component_colors(k: int, theme: str | None = None) -> np.ndarray:
    """K distinct RGB colours, shape (k, 3) uint8, in ``theme``'s palette (None: the theme
    the window shows, ``use_theme``).

    Okabe-Ito for k <= 8. Beyond that, the palette is extended with darker and lighter
    variants of the same eight hues (a distinct lightness per round), so neighbouring
    components stay distinguishable by hue and the extra ones by lightness. In the dark
    theme the variants are lighter or paler ones, none under 4.5:1 on its background.
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    theme = _theme if theme is None else theme
    if theme not in _PALETTES:
        raise ValueError(f"theme must be one of {', '.join(_PALETTES)}, got {theme!r}")
    dark = theme == "dark"
    colors = []
    for i in range(k):
        base, round_ = _PALETTES[theme][i % 8] / 255.0, i // 8
        if round_ == 0:
            colors.append(base)
            continue
        h, lightness, s = colorsys.rgb_to_hls(*base)
        if not dark:
            step = -0.32 if round_ % 2 else 0.18
            lightness = np.clip(lightness + step * ((round_ + 1) // 2), 0.12, 0.88)
            colors.append(colorsys.hls_to_rgb(h, lightness, s))
            continue
        # No darker variants on the dark plots (lifted back to 4.5:1 they came back to
        # their base colour): lighter ones, and paler ones of the base's lightness.
        if round_ % 2:
            lightness = min(lightness + 0.16 * ((round_ + 1) // 2), 0.88)
        else:
            s *= 0.45 ** (round_ // 2)
        colors.append(_lifted(h, lightness, s, _BACKGROUNDS[theme]))
    return np.round(np.array(colors).reshape(k, 3) * 255).astype(np.uint8)


def in_theme(palette: np.ndarray, theme: str | None = None, slots: int = 64) -> np.ndarray:
    """The same components' colours in ``theme`` (None: the theme shown), uint8 (K, 3): each
    colour of one theme's palette (among its first ``slots``) becomes that slot's colour in
    ``theme``; any other colour is kept. For a view that keeps a palette it was given."""
    palette = np.asarray(palette, dtype=np.uint8).reshape(-1, 3)
    theme = _theme if theme is None else theme
    target = component_colors(slots, theme)
    out = palette.copy()
    for other in _PALETTES:
        source = component_colors(slots, other)
        for i, rgb in enumerate(palette):
            hit = np.flatnonzero((source == rgb).all(axis=1))
            if len(hit):
                out[i] = target[hit[0]]
    return out


#: WCAG 2.1's 1.4.11 (non-text contrast): an ellipse or a curve needs 3:1 against what is next
#: to it. On the white plots Okabe-Ito's orange has 2.25:1, sky blue 2.31:1 and yellow 1.32:1.
#: Darkened to 3:1 they lose what makes the palette colour-blind safe (all three end at one
#: luminance: orange and yellow ΔE 2.8 for a protanope, 4.6 for a deuteranope, against 10.8
#: at least for Okabe-Ito's own; blue and sky blue ΔE 16.7 instead of 26), so they keep their
#: colour and are drawn with a casing, an edge that has 3:1 on the plot and on the colour.
MIN_GRAPHIC_CONTRAST = 3.0
def casing(rgb, background) -> tuple[int, int, int] | None:
    """The colour of the edge a line of colour ``rgb`` needs on ``background`` (RGB triples)
    for MIN_GRAPHIC_CONTRAST: None if the colour has that contrast itself, else the colour's
    own hue and saturation, darker (lighter on a dark background) until the edge has that
    contrast on both the background and the colour: a dark orange along orange, not black
    (a black edge round the thin dashed 2σ ellipses read as a black line)."""
    from .appearance import contrast_ratio, relative_luminance  # (appearance imports nothing from here)

    rgb, background = tuple(int(c) for c in rgb), tuple(int(c) for c in background)
    if contrast_ratio(rgb, background) >= MIN_GRAPHIC_CONTRAST:
        return None
    h, lightness, s = colorsys.rgb_to_hls(*(np.array(rgb) / 255.0))
    step = -0.01 if relative_luminance(background) > relative_luminance(rgb) else 0.01
    while 0.0 <= lightness <= 1.0:
        edge = tuple(int(v) for v in np.round(np.array(colorsys.hls_to_rgb(h, lightness, s)) * 255))
        if min(contrast_ratio(edge, background), contrast_ratio(edge, rgb)) >= MIN_GRAPHIC_CONTRAST + 0.05:
            return edge
        lightness += step
    return (0, 0, 0) if step < 0 else (255, 255, 255)


def _lifted(h: float, lightness: float, s: float, background: tuple[int, int, int]) -> tuple:
    """The colour of hue h and saturation s, lightness raised from ``lightness`` in small
    steps until it has DARK_MIN_CONTRAST (plus a margin for rounding) on ``background``."""
    from .appearance import contrast_ratio  # (appearance imports nothing from here)

    while True:
        rgb = colorsys.hls_to_rgb(h, lightness, s)
        if contrast_ratio(np.round(np.array(rgb) * 255), background) >= DARK_MIN_CONTRAST + 0.05 \
                or lightness >= 0.95:
            return rgb
        lightness += 0.01


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
