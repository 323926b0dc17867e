"""The bound plot's legend before the first E-step (no L yet)."""

from __future__ import annotations

import pyqtgraph as pg
import pytest

from emviz.look.appearance import Appearance


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_lower_bound_legend_marker_has_its_colour_before_there_is_any_l(qtbot, theme):
    """Before the first E-step the L curve has no points, and pyqtgraph passes a curve's
    symbol style on to its markers only with data: the legend's triangle was drawn in
    pyqtgraph's default blue-grey (100, 100, 150), not the foreground colour as after the
    first E-step (so frame 0 of an animation could not match a screenshot of θ₀)."""
    from emviz.gui.bound_plot import BoundPlot

    plot = BoundPlot()
    qtbot.addWidget(plot)
    appearance = Appearance(theme=theme)
    plot.apply_appearance(appearance)
    expected = tuple(appearance.foreground[:3])
    for curve in (plot.log_likelihood, plot.lower_bound):
        brush = curve.scatter.opts["brush"].color()
        assert (brush.red(), brush.green(), brush.blue()) == expected
        assert curve.scatter.opts["size"] == curve.opts["symbolSize"]
        assert curve.scatter.opts["pen"].style() == pg.QtCore.Qt.PenStyle.NoPen  # as with data
