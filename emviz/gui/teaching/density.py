"""The density p(x | θ) under the points: View → Density (D) shades Σ_k π_k N(x | μ_k, Σ_k)
over the points view with the lines that enclose 50 %, 80 % and 95 % of its mass, and
View → Component densities (Shift+D) adds each π_k N(x | μ_k, Σ_k)'s lines at the same
heights in the component's colour: where the sum rises above each of its terms.

The switches are the session's view options (``show_density``, ``show_component_density``).
The grid is computed in a lane of the job runner (newest request wins) whenever θ or the
points view's range changes; its cost does not depend on N, so a million points draw the
density as fast as a hundred.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from ...session.model import Workbench
from ..density_layer import LAYER_Z, DensityLayer, DensityPicture, compute_picture
from ..features import Feature
from ..jobs import Background
from ..presentation import view_menu


class DensityFeature(QObject):
    """Keeps the points view's density layer in step with θ, the view range and the theme."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.model: Workbench = window.model
        self.points_view = window.points_view
        self.layer = DensityLayer()
        self.points_view.addItem(self.layer, ignoreBounds=True)  # the data alone frame the view
        self.layer.setZValue(LAYER_Z)  # addItem raised it over the view box: under the points
        self._background = Background("emviz-density", self._computed, self._failed, self)
        self._wanted: tuple | None = None  # (mixture, x range, y range, dark) last requested
        self._drawn: tuple | None = None  # the same, of the picture on screen
        self.show_action = window.add_action(
            "actionDensity", "Density", "D",
            "Shade the mixture's density p(x | θ) under the points, with the lines holding "
            "50 %, 80 % and 95 % of its mass", checkable=True)
        self.components_action = window.add_action(
            "actionComponentDensity", "Component densities", "Shift+D",
            "Each component's π_k N(x | μ_k, Σ_k) as dotted lines in its colour, at the "
            "heights of the density's lines", checkable=True, teach_toolbar=False)
        self.show_action.toggled.connect(lambda on: self.model.set_options(show_density=on))
        self.components_action.toggled.connect(self._set_components)
        menu = view_menu(window, "&View")
        menu.addAction(self.show_action)
        menu.addAction(self.components_action)
        self.points_view.getViewBox().sigRangeChanged.connect(self._on_range_change)
        window.closing.connect(self._background.shutdown)
        # The theme: the points view learns it first (presentation.py), then this redraws.
        QTimer.singleShot(0, self._follow_theme)

    def _follow_theme(self) -> None:
        presentation = getattr(self._window, "presentation", None)
        if presentation is not None:
            presentation.changed.connect(lambda _appearance: self.show_state(self.model))

    def _set_components(self, on: bool) -> None:
        # Lines of the components mean nothing without the density's: the first turns it on.
        self.model.set_options(show_component_density=on, **({"show_density": True} if on else {}))

    # -- drawing -------------------------------------------------------------------------
    def show_state(self, model: Workbench) -> None:
        options = model.options
        for action, on in ((self.show_action, options.show_density),
                           (self.components_action, options.show_component_density)):
            if action.isChecked() != on:
                action.blockSignals(True)
                action.setChecked(on)
                action.blockSignals(False)
        state = model.current
        if not options.show_density or state is None or len(model.points) == 0:
            self._wanted = self._drawn = None
            self.layer.clear()
            return
        if self.layer.picture is not None and self._drawn is not None:
            self._draw(self.layer.picture)  # the colours or the component switch may be new
        self._request(state.mixture)

    def _on_range_change(self, *_args) -> None:
        state = self.model.current
        if self.model.options.show_density and state is not None:
            self._request(state.mixture)

    def _request(self, mixture) -> None:
        (x0, x1), (y0, y1) = self.points_view.getViewBox().viewRange()
        dark = self.points_view.appearance.theme == "dark"
        wanted = (mixture, (x0, x1), (y0, y1), dark)
        if self._same(wanted, self._wanted):
            return
        self._wanted = wanted
        self._background.request(wanted, lambda: compute_picture(mixture, (x0, x1), (y0, y1), dark))

    @staticmethod
    def _same(a: tuple | None, b: tuple | None) -> bool:
        return a is not None and b is not None and a[0] is b[0] and a[1:] == b[1:]

    def _computed(self, key: tuple, picture: DensityPicture) -> None:
        if not self.model.options.show_density or not self._same(key, self._wanted):
            return  # switched off, or a newer request is on its way
        self._drawn = key
        self._draw(picture)

    def _draw(self, picture: DensityPicture) -> None:
        model, appearance = self.model, self.points_view.appearance
        k = len(picture.component_lines)
        self.layer.set_line_colour(appearance.foreground, appearance.ellipse_widths[1])
        self.layer.show_picture(picture, model.identity.em_palette(k),
                                model.options.show_component_density, appearance.ellipse_widths[1],
                                appearance.background)

    def _failed(self, text: str) -> None:
        self._wanted = None
        self._window.show_status(f"Density not drawn: {text}")

    @property
    def busy(self) -> bool:
        """A picture is being computed (tests wait for it to end)."""
        return self._background.busy


def install(window) -> Feature:
    feature = DensityFeature(window)
    window.add_view(feature, {"points", "options", "index", "identity"}, window.points_view)
    return Feature("density", feature, actions=(feature.show_action, feature.components_action),
                   views=(feature,), parts={"layer": feature.layer})
