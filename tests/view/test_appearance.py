"""The numbers of an appearance (theme, presentation mode) and the contrast of its colours,
without Qt."""

import numpy as np
import pytest

from emviz.look.appearance import (
    PRESENT_FONT_MIN_PT,
    TEXT_PAIRS,
    Appearance,
    contrast_ratio,
    relative_luminance,
)
from emviz.look.colors import UNASSIGNED, component_colors

from .test_colors import srgb_to_lab

NORMAL, PRESENT = Appearance(), Appearance(presenting=True)
ALL = [Appearance(t, p) for t in ("light", "dark") for p in (False, True)]

#: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of
#: color vision deficiency", severity 1.0 (dichromacy); applied to linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def simulate(rgb: np.ndarray, matrix) -> np.ndarray:
    c = np.asarray(rgb, dtype=float) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    out = np.clip(linear @ np.array(matrix).T, 0, 1)
    return 255 * np.where(out <= 0.0031308, 12.92 * out, 1.055 * out ** (1 / 2.4) - 0.055)


def test_normal_numbers_are_what_the_views_always_drew():
    """Choosing nothing changes nothing: the window looks as it did before themes existed."""
    assert NORMAL.ellipse_widths == (3.0, 2.0)
    assert NORMAL.point_size == 7.0 and NORMAL.dense_dot_radius == 1
    np.testing.assert_allclose(NORMAL.mean_sizes([0.25, 1.0]), [10 + 26 * 0.5, 36])
    assert NORMAL.mean_pen_width == 2.0 and NORMAL.tick_pt == 11.0
    assert NORMAL.font_pt(9.0) == 9.0 and NORMAL.font_scale == 1.0
    assert NORMAL.palette is None  # the platform's palette
    assert (NORMAL.background, NORMAL.foreground) == ((255, 255, 255), (0, 0, 0))


@pytest.mark.parametrize("base, expected", [(9.0, 18.0), (11.0, 18.0), (12.0, 19.0), (14.0, 22.0)])
def test_presentation_font_is_1_6_times_larger_and_at_least_18_pt(base, expected):
    assert PRESENT.font_pt(base) == expected >= PRESENT_FONT_MIN_PT


def test_presentation_draws_everything_larger():
    assert min(PRESENT.ellipse_widths) >= 4.0
    assert all(p >= 2 * n for p, n in zip(PRESENT.ellipse_widths, NORMAL.ellipse_widths, strict=True))
    assert PRESENT.point_size > NORMAL.point_size
    assert PRESENT.dense_dot_radius > NORMAL.dense_dot_radius
    weights = np.linspace(0.0, 1.0, 11)
    assert np.all(PRESENT.mean_sizes(weights) > NORMAL.mean_sizes(weights))
    for name in ("tick_pt", "label_pt", "title_pt", "mean_pen_width", "curve_width", "grid_alpha"):
        assert getattr(PRESENT, name) > getattr(NORMAL, name), name
    assert PRESENT.curve_symbol_sizes > NORMAL.curve_symbol_sizes
    assert PRESENT.cursor_mark > NORMAL.cursor_mark


def test_the_mean_marker_area_grows_with_the_weight():
    sizes = PRESENT.mean_sizes(np.linspace(0, 1, 5))
    assert np.all(np.diff(sizes) > 0)


def test_an_unknown_theme_is_one_clear_error():
    with pytest.raises(ValueError, match="theme must be one of light, dark, got 'purple'"):
        Appearance("purple")


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)  # symmetric
    assert contrast_ratio((120, 30, 200), (120, 30, 200)) == pytest.approx(1.0)
    # #767676 on white is the classic "just passes AA" grey: 4.54:1
    assert contrast_ratio((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    assert relative_luminance((255, 0, 0)) == pytest.approx(0.2126)


@pytest.mark.parametrize("appearance", ALL, ids=str)
def test_plot_text_contrast_is_at_least_7_to_1(appearance):
    assert contrast_ratio(appearance.foreground, appearance.background) >= 7.0


@pytest.mark.parametrize("appearance", [a for a in ALL if a.palette is not None], ids=str)
def test_window_text_contrast_is_at_least_7_to_1(appearance):
    """WCAG AAA for every text-on-background pair of the palette (presentation mode and the
    dark theme); disabled text stays legible (3:1) but visibly weaker than enabled text."""
    colours = appearance.palette
    for text, background in TEXT_PAIRS:
        ratio = contrast_ratio(colours[text], colours[background])
        assert ratio >= 7.0, f"{text} on {background}: {ratio:.2f}"
    disabled = contrast_ratio(colours["DisabledText"], colours["Window"])
    assert 3.0 <= disabled < contrast_ratio(colours["WindowText"], colours["Window"])


def test_dark_plots_keep_every_component_colour_visible():
    """WCAG's 3:1 for graphics: the eight Okabe-Ito colours, the grey of points before the
    first E-step and the overlays, against the dark plot background."""
    dark = Appearance("dark")
    for k, rgb in enumerate(component_colors(8)):
        assert contrast_ratio(rgb, dark.background) >= 3.0, f"component {k + 1}"
    assert contrast_ratio(UNASSIGNED, dark.background) >= 3.0
    assert contrast_ratio(dark.overlay, dark.background) >= 7.0


@pytest.mark.parametrize("deficiency", CVD)
def test_dark_background_stays_far_from_every_component_colour_for_colour_blind_viewers(deficiency):
    """Under a simulated dichromacy each component colour stays at least ΔE 40 from the dark
    background (normal vision sees them at least ΔE 47 from white)."""
    dark = Appearance("dark")
    colours = np.r_[component_colors(8), [dark.background]].astype(float)
    lab = srgb_to_lab(simulate(colours, CVD[deficiency]))
    distances = np.linalg.norm(lab[:-1] - lab[-1], axis=1)
    assert distances.min() >= 40.0, f"component {distances.argmin() + 1}: ΔE {distances.min():.1f}"


def test_light_presentation_and_dark_palettes_name_real_roles():
    roles = {"Window", "WindowText", "Base", "Text", "Button", "ButtonText", "Highlight",
             "HighlightedText", "ToolTipBase", "ToolTipText"}
    for appearance in (Appearance("dark"), PRESENT):
        assert roles <= set(appearance.palette)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_colour_of_the_plots_and_boxes_reads_at_7_to_1(theme):
    """The colours every view takes from the appearance: text on the plot background, muted
    text (θ lines, notes, the gallery's legend), the text on the amber of what just ran, text
    in the equations' boxes and on the fill behind tags and legends: 7:1 or more, the limit
    for text while presenting."""
    a = Appearance(theme)
    fill = np.array(a.label_fill[:3]) * a.label_fill[3] / 255  # over the worst case: black
    pairs = {
        "foreground on background": (a.foreground, a.background),
        "muted on background": (a.muted, a.background),
        "highlight text on highlight": (a.highlight_text, a.highlight),
        "foreground on box": (a.foreground, a.box),
        "foreground on label fill": (a.foreground, fill),
        # the light window keeps the platform's palette: Qt's Fusion grey, 240
        "error text on the window": (a.error_text, (a.palette or {"Window": (240, 240, 240)})["Window"]),
    }
    for name, (text, background) in pairs.items():
        assert contrast_ratio(text, background) >= 7.0, f"{name}: {contrast_ratio(text, background):.2f}"
    assert contrast_ratio(a.border, a.background) >= 3.0  # a frame: WCAG's 3:1 for graphics


def test_the_dark_theme_draws_every_component_at_4_5_to_1():
    from emviz.look.colors import component_colors
    from emviz.session.model import K_MAX

    dark = Appearance("dark")
    assert min(contrast_ratio(c, dark.background) for c in component_colors(K_MAX, "dark")) >= 4.5
