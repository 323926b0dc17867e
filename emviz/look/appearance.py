"""How the window looks: a light or dark theme, and presentation mode for a lecture hall.
Qt-free: an ``Appearance`` says the numbers (font sizes, pen widths, point sizes, colours) and
the views turn them into pens and fonts, so the numbers and their contrast are tested directly.

Presentation mode is read from the back of a room on a projector that washes colours out:
fonts about 1.6 times larger (at least 18 pt), ellipses twice as thick, larger points and
mean markers, and a slightly stronger grid. The normal numbers are the ones the views have
always drawn with, so the window looks as it did until a theme or presentation is chosen.

Every view takes its plot colours from here (``Appearance.background``, ``foreground``,
``muted``, ``grid_alpha``, ``label_fill``, ``highlight``, ``box``, ``border``): the window's
presentation re-applies them to every view when the theme changes at run time.

The component palette (emviz.look.colors, Okabe-Ito) has the same hues in both themes, so
component k has one hue in every view, export and lecture slide. It was designed for
colour-vision deficiencies, not for one background: on the dark plot background Okabe-Ito's
blue has 3.6:1 and its grey 4.2:1, so the dark theme draws those two lighter (5.7:1 and
4.6:1; the others have 4.8:1 to 14:1). On white, yellow, orange and sky blue have under
2.5:1 (only blue and grey reach 4.5:1): the points have a dark rim, and a line in one of them
has a casing, a darker edge of its own colour with 3:1 on the plot and on the line
(emviz.look.colors.casing; darkened instead, they lost their colour-blind safety); text never
takes a component's colour: a tag or a table shows it as a frame or a swatch, the words in
the foreground colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THEMES = ("light", "dark")
RGB = tuple[int, int, int]

#: Presentation fonts: this many times the application's font, and never below MIN pt.
PRESENT_FONT_SCALE = 1.6
PRESENT_FONT_MIN_PT = 18.0

#: Plot backgrounds and the text, axes and outlines drawn on them.
PLOT_COLORS: dict[str, tuple[RGB, RGB]] = {  # theme -> (background, foreground)
    "light": ((255, 255, 255), (0, 0, 0)),
    "dark": ((18, 18, 18), (240, 240, 240)),
}

#: More colours of each theme's plots and boxes (see the Appearance properties of these names).
PLOT_COLORS_MORE: dict[str, dict[str, RGB]] = {
    "light": {"muted": (60, 60, 60), "highlight": (255, 224, 138), "highlight_text": (0, 0, 0),
              "box": (255, 255, 255), "border": (140, 140, 140), "error": (160, 0, 0)},
    "dark": {"muted": (200, 200, 200), "highlight": (90, 69, 0), "highlight_text": (255, 255, 255),
             "box": (30, 30, 30), "border": (120, 120, 120), "error": (255, 150, 150)},
}

#: The window's colours by QPalette role (names as in QPalette.ColorRole). The light theme
#: outside presentation mode keeps the platform's palette (None): nothing changes for
#: someone who never asks for a theme. "Disabled*" are the disabled group's colours.
_DARK_PALETTE: dict[str, RGB] = {
    "Window": (37, 37, 38), "WindowText": (240, 240, 240),
    "Base": (24, 24, 24), "AlternateBase": (44, 44, 46), "Text": (240, 240, 240),
    "Button": (52, 52, 54), "ButtonText": (240, 240, 240),
    "ToolTipBase": (60, 60, 62), "ToolTipText": (240, 240, 240),
    "Highlight": (86, 180, 233), "HighlightedText": (0, 0, 0),  # Okabe-Ito sky blue
    "Link": (86, 180, 233), "LinkVisited": (204, 121, 167), "BrightText": (255, 255, 255),
    "PlaceholderText": (170, 170, 170),
    "Light": (80, 80, 82), "Midlight": (64, 64, 66), "Mid": (46, 46, 48),
    "Dark": (20, 20, 20), "Shadow": (0, 0, 0),
    "DisabledWindowText": (135, 135, 135), "DisabledText": (135, 135, 135),
    "DisabledButtonText": (135, 135, 135),
}
_LIGHT_HIGH_CONTRAST_PALETTE: dict[str, RGB] = {
    "Window": (240, 240, 240), "WindowText": (0, 0, 0),
    "Base": (255, 255, 255), "AlternateBase": (245, 245, 245), "Text": (0, 0, 0),
    "Button": (228, 228, 228), "ButtonText": (0, 0, 0),
    "ToolTipBase": (255, 255, 225), "ToolTipText": (0, 0, 0),
    "Highlight": (0, 84, 147), "HighlightedText": (255, 255, 255),  # a darkened Okabe-Ito blue
    "Link": (0, 84, 147), "LinkVisited": (125, 50, 105), "BrightText": (255, 255, 255),
    "PlaceholderText": (90, 90, 90),
    "Light": (255, 255, 255), "Midlight": (235, 235, 235), "Mid": (160, 160, 160),
    "Dark": (110, 110, 110), "Shadow": (0, 0, 0),
    "DisabledWindowText": (120, 120, 120), "DisabledText": (120, 120, 120),
    "DisabledButtonText": (120, 120, 120),
}
#: (text role, background role) pairs of the palette that carry text to be read.
TEXT_PAIRS = (("WindowText", "Window"), ("Text", "Base"), ("Text", "AlternateBase"),
              ("ButtonText", "Button"), ("ToolTipText", "ToolTipBase"),
              ("HighlightedText", "Highlight"), ("Link", "Base"))


@dataclass(frozen=True)
class Appearance:
    """``theme`` "light" or "dark"; ``presenting``: presentation mode (large and thick)."""

    theme: str = "light"
    presenting: bool = False

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {self.theme!r}")

    def _pick(self, normal: float, presenting: float) -> float:
        return presenting if self.presenting else normal

    # -- text ---------------------------------------------------------------------------
    def font_pt(self, base_pt: float) -> float:
        """The application's font size, given its normal size ``base_pt``."""
        if not self.presenting:
            return base_pt
        return max(PRESENT_FONT_MIN_PT, round(PRESENT_FONT_SCALE * base_pt))

    @property
    def font_scale(self) -> float:
        """Factor for fonts set explicitly in points (teaching panels, plot axes)."""
        return self._pick(1.0, PRESENT_FONT_SCALE)

    @property
    def tick_pt(self) -> float:
        return self._pick(11.0, 18.0)

    @property
    def label_pt(self) -> float:
        """Axis titles."""
        return self._pick(12.0, 20.0)

    @property
    def title_pt(self) -> float:
        """Plot titles (long ones, such as "ln p(X | θ) and its lower bound L(q, θ)")."""
        return self._pick(12.0, 18.0)

    # -- lines and marks ----------------------------------------------------------------
    @property
    def ellipse_widths(self) -> tuple[float, float]:
        """Pen widths (px) of the Mahalanobis-distance 1 and 2 ellipses."""
        return (3.0, 2.0) if not self.presenting else (6.0, 4.0)

    @property
    def point_size(self) -> float:
        """Diameter (px) of a data point drawn as a vector dot."""
        return self._pick(7.0, 11.0)

    @property
    def dense_dot_radius(self) -> int:
        """Radius (px) of a point's dot when many points are rasterised."""
        return int(self._pick(1, 2))

    def mean_sizes(self, weights: np.ndarray) -> np.ndarray:
        """Diameters (px) of the μ_k markers: the marker's area grows with π_k."""
        base, per_sqrt_weight = (10.0, 26.0) if not self.presenting else (16.0, 40.0)
        return base + per_sqrt_weight * np.sqrt(np.asarray(weights, dtype=float))

    @property
    def mean_pen_width(self) -> float:
        return self._pick(2.0, 3.0)

    @property
    def curve_width(self) -> float:
        """The bound plot's ln p and L curves."""
        return self._pick(2.5, 5.0)

    @property
    def curve_symbol_sizes(self) -> tuple[float, float]:
        """Marker sizes (px) of the ln p and L curves' half-steps."""
        return (7.0, 9.0) if not self.presenting else (12.0, 15.0)

    @property
    def cursor_mark(self) -> tuple[float, float]:
        """Size (px) and pen width of the ring around the current half-step's values."""
        return (16.0, 2.0) if not self.presenting else (26.0, 3.5)

    @property
    def grid_alpha(self) -> float:
        """Opacity of the grid lines (stronger on a projector, which washes them out)."""
        return self._pick(0.15, 0.3)

    # -- colours ------------------------------------------------------------------------
    @property
    def background(self) -> RGB:
        return PLOT_COLORS[self.theme][0]

    @property
    def foreground(self) -> RGB:
        """Axes, tick labels, titles, the ln p curve and the outline of the mean markers."""
        return PLOT_COLORS[self.theme][1]

    @property
    def overlay(self) -> RGB:
        """The dashed true-mixture ellipses and the spray preview: muted foreground."""
        return self.muted

    @property
    def muted(self) -> RGB:
        """Secondary lines and their labels (θ_old / θ_new markers, panel borders' text)."""
        return PLOT_COLORS_MORE[self.theme]["muted"]

    @property
    def label_fill(self) -> tuple[int, int, int, int]:
        """RGBA behind text drawn over data (legends, tags): the background, mostly opaque."""
        return (*self.background, 220)

    @property
    def highlight(self) -> RGB:
        """Background of what just ran / what was chosen (amber, readable on a projector)."""
        return PLOT_COLORS_MORE[self.theme]["highlight"]

    @property
    def highlight_text(self) -> RGB:
        return PLOT_COLORS_MORE[self.theme]["highlight_text"]

    @property
    def box(self) -> RGB:
        """Background of a framed box of text (the equations) on a page of the window."""
        return PLOT_COLORS_MORE[self.theme]["box"]

    @property
    def border(self) -> RGB:
        """Frames of boxes and of the gallery's panels."""
        return PLOT_COLORS_MORE[self.theme]["border"]

    @property
    def error_text(self) -> RGB:
        return PLOT_COLORS_MORE[self.theme]["error"]

    @property
    def palette(self) -> dict[str, RGB] | None:
        """The window's colours by QPalette role, or None for the platform's own palette."""
        if self.theme == "dark":
            return dict(_DARK_PALETTE)
        return dict(_LIGHT_HIGH_CONTRAST_PALETTE) if self.presenting else None


def relative_luminance(rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    c = np.asarray(rgb, dtype=float)[:3] / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(a, b) -> float:
    """WCAG 2 contrast ratio of two colours, 1 (none) .. 21 (black on white); text needs
    4.5 (AA) or 7 (AAA), graphics 3."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
