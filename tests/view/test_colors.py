"""Component palette, responsibility blending and colour binning (emviz.look.colors), without Qt."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from emviz.look.colors import (
    UNASSIGNED,
    blend,
    code_colors,
    component_colors,
    hard_labels,
    hex_color,
    point_colors,
    quantise,
)
from emviz.session.model import K_MAX

# The published Okabe & Ito (2008) values, written out here rather than read from the module,
# in emviz's order; grey stands in for Okabe-Ito's black, which is the text colour.
OKABE_ITO_PUBLISHED = [
    (0, 114, 178),  # blue
    (230, 159, 0),  # orange
    (0, 158, 115),  # bluish green
    (204, 121, 167),  # reddish purple
    (86, 180, 233),  # sky blue
    (213, 94, 0),  # vermillion
    (240, 228, 66),  # yellow
    (120, 120, 120),  # grey
]

# Colour distances are CIE76 ΔE in CIELAB, where Euclidean distance roughly follows perceived
# difference (RGB distance does not: it overrates differences in green, underrates them in blue).
# ΔE ≈ 2.3 is one just-noticeable difference for large patches side by side; points in a scatter
# plot are small and rarely adjacent, and small marks need several times that to be told apart
# (Stone, Szafir & Setlur 2014, "An engineering model for color difference as a function of size").
# - K <= 8, the case the lecture uses: the eight base colours should differ at a glance, so at
#   least ten JNDs (ΔE 23); Okabe-Ito's closest pair (blue / sky blue) is at about 26.
# - up to K_MAX = 20: at least ΔE 10 (four JNDs), so no two components of one fit look alike.
MIN_DELTA_E_FIRST_8 = 23.0
MIN_DELTA_E_ALL = 10.0


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65 white) of sRGB colours, shape (N, 3) -> (N, 3)."""
    c = np.asarray(rgb, dtype=float) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    to_xyz = np.array([[0.4124564, 0.3575761, 0.1804375],
                       [0.2126729, 0.7151522, 0.0721750],
                       [0.0193339, 0.1191920, 0.9503041]])
    xyz = linear @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    delta = 6 / 29
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


def min_delta_e(rgb: np.ndarray) -> tuple[float, int, int]:
    lab = srgb_to_lab(rgb)
    pairs = itertools.combinations(range(len(lab)), 2)
    return min((float(np.linalg.norm(lab[i] - lab[j])), i, j) for i, j in pairs)


def test_lab_conversion_matches_reference_values():
    # Reference values for sRGB white, red and a mid grey (e.g. Bruce Lindbloom's calculator).
    lab = srgb_to_lab(np.array([(255, 255, 255), (255, 0, 0), (119, 119, 119)]))
    np.testing.assert_allclose(lab[0], (100.0, 0.0, 0.0), atol=0.01)
    np.testing.assert_allclose(lab[1], (53.24, 80.09, 67.20), atol=0.05)
    np.testing.assert_allclose(lab[2], (50.03, 0.0, 0.0), atol=0.05)


def test_first_eight_colours_are_okabe_ito_in_order():
    np.testing.assert_array_equal(component_colors(8), np.array(OKABE_ITO_PUBLISHED, dtype=np.uint8))


@pytest.mark.parametrize("k", range(K_MAX + 1))
def test_palette_shape_and_prefix_stability(k):
    colors = component_colors(k)
    assert colors.shape == (k, 3) and colors.dtype == np.uint8
    # adding a component must not recolour the ones already drawn
    np.testing.assert_array_equal(colors, component_colors(K_MAX)[:k])


def test_negative_k_is_rejected():
    with pytest.raises(ValueError, match="k must be >= 0"):
        component_colors(-1)


@pytest.mark.parametrize("k", range(1, K_MAX + 1))
def test_k_distinct_colours(k):
    assert len({tuple(c) for c in component_colors(k)}) == k


def test_first_eight_colours_are_far_apart():
    distance, i, j = min_delta_e(component_colors(8))
    assert distance >= MIN_DELTA_E_FIRST_8, f"components {i + 1} and {j + 1}: ΔE = {distance:.1f}"


def test_twenty_colours_are_pairwise_distinguishable():
    distance, i, j = min_delta_e(component_colors(K_MAX))
    assert distance >= MIN_DELTA_E_ALL, f"components {i + 1} and {j + 1}: ΔE = {distance:.1f}"


@pytest.mark.parametrize("k", [1, 2, 3, 8, 9, 20])
def test_blend_of_one_hot_responsibilities_is_the_palette_colour_exactly(k):
    palette = component_colors(k)
    resp = np.eye(k)[np.arange(3 * k) % k]  # every component owns three points outright
    for dtype in (np.float64, np.float32):
        mixed = blend(resp.astype(dtype), palette)
        assert mixed.dtype == np.uint8
        np.testing.assert_array_equal(mixed, palette[np.arange(3 * k) % k])


def test_blend_half_and_half_is_the_midpoint():
    palette = component_colors(20)
    pairs = list(itertools.combinations(range(20), 2))
    resp = np.zeros((len(pairs), 20))
    for n, (i, j) in enumerate(pairs):
        resp[n, [i, j]] = 0.5
    midpoints = np.array([(palette[i].astype(float) + palette[j]) / 2 for i, j in pairs])
    # rounded to the nearest integer; an exact .5 may go either way
    assert np.abs(blend(resp, palette) - midpoints).max() <= 0.5
    # a case worked by hand: blue (0, 114, 178) and orange (230, 159, 0)
    np.testing.assert_array_equal(blend(np.array([[0.5, 0.5]]), palette[:2])[0], (115, 136, 89))


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(1, K_MAX),
    raw=arrays(np.float64, (7, K_MAX), elements=st.floats(0.0, 1.0)),
    single=st.booleans(),
)
def test_blend_is_the_rounded_weighted_mean(k, raw, single):
    raw = raw[:, :k] + 1e-3
    resp = raw / raw.sum(axis=1, keepdims=True)
    palette = component_colors(k)
    mixed = blend(resp.astype(np.float32) if single else resp, palette).astype(float)
    exact = resp @ palette.astype(float)
    assert np.abs(mixed - exact).max() <= 0.5 + (1e-3 if single else 1e-9)
    # a convex combination stays inside the palette's per-channel range
    assert np.all(mixed >= palette.min(axis=0)) and np.all(mixed <= palette.max(axis=0))


def test_hard_labels_are_the_argmax():
    resp = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5], [0.3, 0.4, 0.3], [0.5, 0.5, 0.0]])
    np.testing.assert_array_equal(hard_labels(resp), [0, 2, 1, 0])  # a tie goes to the first


def test_point_colors_soft_hard_and_before_the_first_e_step():
    palette = component_colors(3)
    resp = np.array([[0.5, 0.5, 0.0], [0.1, 0.2, 0.7], [1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(point_colors(resp, palette), blend(resp, palette))
    np.testing.assert_array_equal(point_colors(resp, palette, soft=False), palette[[0, 2, 0]])
    grey = point_colors(None, palette, n=4)
    assert grey.shape == (4, 3) and grey.dtype == np.uint8
    np.testing.assert_array_equal(grey, np.tile(UNASSIGNED, (4, 1)))
    assert point_colors(None, palette).shape == (0, 3)


@pytest.mark.parametrize("levels", [2, 4, 8, 10, 16, 32])
def test_quantised_colour_is_within_half_a_bin_of_the_original(levels):
    # Bins are 256 / levels values wide. When levels divides 256 the centre colour is within half
    # a bin of every value in it; otherwise a bin holds a whole number of values either side of a
    # fractional centre and rounding the centre to an integer can add up to half a level.
    tolerance = 256 / levels / 2 + (0.0 if 256 % levels == 0 else 0.5)
    values = np.arange(256)
    rng = np.random.default_rng(levels)
    # every value in every channel, plus random triples
    rgb = np.concatenate([np.stack([values, values[::-1], np.roll(values, 77)], axis=1),
                          rng.integers(0, 256, size=(2000, 3))]).astype(np.uint8)
    codes = quantise(rgb, levels)
    assert codes.min() >= 0 and codes.max() < levels**3
    back = code_colors(codes, levels).astype(float)
    assert np.abs(back - rgb).max() <= tolerance


@pytest.mark.parametrize("levels", [2, 4, 8, 10, 16, 32])
def test_every_bin_centre_lies_in_its_own_bin(levels):
    codes = np.arange(levels**3)
    np.testing.assert_array_equal(quantise(code_colors(codes, levels), levels), codes)


def test_quantise_default_has_4096_bins_and_bins_palette_colours_apart():
    codes = quantise(np.array([(0, 0, 0), (255, 255, 255), (15, 16, 31)], dtype=np.uint8))
    np.testing.assert_array_equal(codes, [0, 4095, 0 * 256 + 1 * 16 + 1])
    # at the default 16 levels, no two of the 20 component colours share a bin
    assert len(set(quantise(component_colors(K_MAX)).tolist())) == K_MAX


def test_hex_color():
    assert hex_color(np.array([0, 114, 178], dtype=np.uint8)) == "#0072b2"
    assert hex_color(np.array([255, 255, 255, 128])) == "#ffffff"  # alpha ignored
    assert hex_color(component_colors(2)[1]) == "#e69f00"


# -- the dark theme's palette -----------------------------------------------------------------
def test_the_dark_palette_has_at_least_4_5_to_1_on_the_dark_plots_for_every_k():
    """Okabe-Ito's blue had 3.6:1 and its grey 4.2:1 on the dark plot background (18, 18, 18):
    the dark theme draws every component, up to K_MAX, at 4.5:1 or more."""
    from emviz.look.appearance import Appearance, contrast_ratio

    dark = Appearance("dark").background
    ratios = [contrast_ratio(rgb, dark) for rgb in component_colors(K_MAX, "dark")]
    assert min(ratios) >= 4.5, [f"{k + 1}: {r:.2f}" for k, r in enumerate(ratios) if r < 4.5]
    # ... which Okabe-Ito itself does not have: this is why the dark theme has its own
    assert contrast_ratio(component_colors(1, "light")[0], dark) < 4.5


def test_the_dark_palette_keeps_each_components_hue():
    """The same cluster keeps its hue in every theme: the colours that were too dark get
    lighter (HLS hue within 1% of the turn, 1.2% after rounding to 8 bits; a grey stays a grey)."""
    import colorsys

    light, dark = component_colors(K_MAX, "light") / 255.0, component_colors(K_MAX, "dark") / 255.0
    for k, (a, b) in enumerate(zip(light, dark, strict=True)):
        (ha, _, sa), (hb, _, sb) = colorsys.rgb_to_hls(*a), colorsys.rgb_to_hls(*b)
        if sa < 0.05:
            assert sb < 0.05, f"component {k + 1}: a grey stays a grey"
        else:
            turn = abs(ha - hb)
            assert min(turn, 1 - turn) <= 0.012, f"component {k + 1}: hue {ha:.3f} -> {hb:.3f}"
    np.testing.assert_array_equal(component_colors(8, "dark")[1:7], component_colors(8, "light")[1:7])


def test_the_dark_palette_is_as_distinguishable_as_the_light_one():
    distance, i, j = min_delta_e(component_colors(8, "dark"))
    assert distance >= MIN_DELTA_E_FIRST_8, f"components {i + 1} and {j + 1}: ΔE = {distance:.1f}"
    distance, i, j = min_delta_e(component_colors(K_MAX, "dark"))
    assert distance >= MIN_DELTA_E_ALL, f"components {i + 1} and {j + 1}: ΔE = {distance:.1f}"


def test_the_palette_follows_the_theme_in_use_and_in_theme_maps_kept_palettes():
    from emviz.look.colors import current_theme, in_theme, use_theme

    assert current_theme() == "light"
    try:
        use_theme("dark")
        np.testing.assert_array_equal(component_colors(3), component_colors(3, "dark"))
        # a palette kept from before (slots 2, 0 in the light theme) becomes the same slots' dark colours
        kept = component_colors(3, "light")[[2, 0]]
        np.testing.assert_array_equal(in_theme(kept), component_colors(3, "dark")[[2, 0]])
        np.testing.assert_array_equal(in_theme(in_theme(kept), "light"), kept)
        np.testing.assert_array_equal(in_theme(np.array([[1, 2, 3]])), [[1, 2, 3]])  # not a component's
    finally:
        use_theme("light")
    with pytest.raises(ValueError, match="theme must be one of light, dark, got 'sepia'"):
        use_theme("sepia")
    with pytest.raises(ValueError, match="theme must be one of"):
        component_colors(2, "sepia")


def test_the_non_component_greys_have_dark_counterparts_in_the_same_order():
    """ln p, L, Q, BIC, AIC: the foreground colour and greys, strongest first, in both themes;
    on the dark plots each but the faint one at 4.5:1 or more."""
    from emviz.look.appearance import Appearance, contrast_ratio
    from emviz.look.colors import DARK_GREY, INK, LIGHT_GREY, MID_GREY, neutral

    for theme in ("light", "dark"):
        background = Appearance(theme).background
        greys = (INK, DARK_GREY, MID_GREY, LIGHT_GREY)
        ratios = [contrast_ratio(neutral(c, theme), background) for c in greys]
        assert ratios == sorted(ratios, reverse=True), (theme, ratios)
    dark = Appearance("dark").background
    assert min(contrast_ratio(neutral(c, "dark"), dark) for c in (INK, DARK_GREY, MID_GREY)) >= 4.5
    assert neutral(INK, "dark") == Appearance("dark").foreground
    assert neutral((1, 2, 3), "dark") == (1, 2, 3)


def test_every_component_colour_has_3_to_1_on_its_plot_or_a_casing_that_has():
    """WCAG 2.1's non-text contrast (3:1) for the ellipses and curves: on the light plots
    Okabe-Ito's orange has 2.25:1, sky blue 2.31:1, yellow 1.32:1 (and the lighter extra
    colours beyond K = 8 down to 1.37:1). Darker, at 3:1 they would have lost what makes the
    palette colour-blind safe (orange and yellow ΔE 2.8 for a protanope, blue and sky blue
    ΔE 16.7): they keep their colour and take a casing, an edge of 3:1 on the plot and on
    the colour; colours that have 3:1 take none."""
    from emviz.look.appearance import PLOT_COLORS, contrast_ratio
    from emviz.look.colors import MIN_GRAPHIC_CONTRAST, casing

    for theme in ("light", "dark"):
        background = PLOT_COLORS[theme][0]
        for rgb in component_colors(K_MAX, theme):
            rgb = tuple(int(c) for c in rgb)
            edge = casing(rgb, background)
            if contrast_ratio(rgb, background) >= MIN_GRAPHIC_CONTRAST:
                assert edge is None, (theme, rgb)
            else:
                assert edge is not None, (theme, rgb)
                assert contrast_ratio(edge, background) >= MIN_GRAPHIC_CONTRAST
                assert contrast_ratio(edge, rgb) >= MIN_GRAPHIC_CONTRAST
    white = PLOT_COLORS["light"][0]
    orange, yellow = (tuple(int(c) for c in component_colors(7, "light")[i]) for i in (1, 6))
    assert casing(orange, white) is not None and casing(yellow, white) is not None
    assert all(casing(tuple(int(c) for c in rgb), PLOT_COLORS["dark"][0]) is None
               for rgb in component_colors(K_MAX, "dark"))  # 4.5:1 there already
