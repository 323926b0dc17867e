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


def test_the_legend_never_covers_the_curves_in_a_short_plot(window, qtbot):
    """Chapter 11 at 1280 x 800 under the lesson (the screen audit's matrix): the ln p plot
    was 409 x 231 px, its title row 96 px high, about 87 px left inside its axes, and the
    legend, 69 px at its bottom right, lay over the plateau of ln p and L. It moves to a
    place with no data under it, or leaves the plot where there is none (the axis title
    names ln p and L), and comes back when there is room."""
    from emviz.gui.audit import check_legends
    from emviz.gui.bound_plot import BoundPlot

    window.lesson.go(10, remember=False)  # chapter 11: K = 4, ln p's jump and plateau
    window.lesson.try_button.click()
    qtbot.waitUntil(lambda: len(window.history) > 50 and not window.controller.busy, timeout=20_000)
    plot = BoundPlot()
    qtbot.addWidget(plot)
    plot.resize(409, 231)
    plot.show()
    qtbot.waitExposed(plot)
    plot.getPlotItem().layout.setRowFixedHeight(0, 104)  # the title row about as it was there
    plot.show_state(window.model)
    qtbot.waitUntil(lambda: plot.getPlotItem().getViewBox().height() < 100)
    qtbot.waitUntil(lambda: check_legends(plot) == [], timeout=2000)
    plot.getPlotItem().layout.setRowFixedHeight(0, 30)
    plot.resize(409, 400)
    qtbot.waitUntil(lambda: plot.getPlotItem().getViewBox().height() > 200)
    plot.show_state(window.model)
    qtbot.waitUntil(lambda: plot.legend.isVisible(), timeout=2000)  # room again: back
    assert check_legends(plot) == []


def test_the_title_row_is_as_high_as_the_title_it_shows(qtbot):
    """The ln p plot's title goes to two lines in a narrow column and back to one when wider;
    once a look had been applied its row stayed two lines high (46 px for a 27 px line), and
    chapter 11 over the k-means split at 1024 x 768 showed a blank band over the plot."""
    import math

    from emviz.gui.bound_plot import TITLE, TWO_LINE_TITLE, BoundPlot
    from emviz.look.appearance import Appearance

    view = BoundPlot()
    qtbot.addWidget(view)
    view.resize(260, 300)
    view.show()
    label = view.getPlotItem().titleLabel
    qtbot.waitUntil(lambda: label.text == TWO_LINE_TITLE)
    # (a look applied fixes the title row at its height: pyqtgraph makes it a fixed row)
    view.apply_appearance(Appearance(presenting=True))
    view.apply_appearance(Appearance(presenting=False))
    view.resize(900, 300)
    qtbot.waitUntil(lambda: label.text == TITLE)
    own = math.ceil(label.item.boundingRect().height())
    row = view.getPlotItem().layout.rowMaximumHeight(0)
    assert row <= own + 2, (own, row)


def curves_named_at_their_ends(plot) -> set[str]:
    """The bound plot's curves a class can tell apart on screen without the legend: those
    with their name ("ln p", "L") written at their right end, a text item shown in the
    curve's pen colour, beginning within 40 px right of its last point and at most a line
    above or below it."""
    from PySide6.QtGui import QColor

    from emviz.gui.legend_room import shown_in_scene

    texts = [item for item in plot.scene().items()
             if isinstance(item, pg.TextItem) and shown_in_scene(item)]
    named = set()
    for curve, name in ((plot.log_likelihood, "ln p"), (plot.lower_bound, "L")):
        x, y = curve.getData()
        end = plot.mapFromScene(curve.mapToScene(pg.QtCore.QPointF(float(x[-1]), float(y[-1]))))
        colour = QColor(curve.opts["pen"].color())
        for item in texts:
            ink = plot.mapFromScene(item.textItem.sceneBoundingRect()).boundingRect()
            if (item.textItem.toPlainText() == name and item.color == colour
                    and 0 <= ink.left() - end.x() <= 40
                    and ink.top() - ink.height() <= end.y() <= ink.bottom() + ink.height()):
                named.add(name)
    return named


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_ln_p_and_l_are_named_at_their_ends_where_the_legend_has_no_room(window, qtbot, theme):
    """Chapter 11 at 1024 x 768 (window and presenting): the ln p plot is too short for its
    legend, which is left out, and ln p and L, both in the foreground colour, are told apart
    only by dash and marker: a class cannot tell which is which. Where the legend is left out,
    "ln p" and "L" are written at the curves' right ends in their colour, inside the plot,
    off the data; with the legend back, they are gone."""
    from emviz.gui.audit import check_legends, check_plot
    from emviz.gui.bound_plot import BoundPlot

    window.lesson.go(10, remember=False)  # chapter 11: K = 4, ln p's jump and plateau
    window.lesson.try_button.click()
    qtbot.waitUntil(lambda: len(window.history) > 50 and not window.controller.busy, timeout=20_000)
    plot = BoundPlot()
    qtbot.addWidget(plot)
    plot.apply_appearance(Appearance(theme=theme))
    plot.resize(409, 231)
    plot.show()
    qtbot.waitExposed(plot)
    plot.getPlotItem().layout.setRowFixedHeight(0, 104)  # the title row as under the lesson
    plot.show_state(window.model)
    qtbot.waitUntil(lambda: plot.getPlotItem().getViewBox().height() < 100)
    qtbot.waitUntil(lambda: not plot.legend.isVisible(), timeout=2000)
    qtbot.waitUntil(lambda: curves_named_at_their_ends(plot) == {"ln p", "L"}, timeout=2000)
    margin = plot.end_names[0].textItem.document().documentMargin()  # around the ink
    ln_p, lower = (plot.mapFromScene(label.textItem.sceneBoundingRect()).boundingRect()
                   for label in plot.end_names)
    assert ln_p.bottom() - margin <= lower.top() + margin + 1  # ln p's over L's, not on it
    assert check_legends(plot) == []
    assert check_plot(plot, False) == []
    # zoomed by hand to the first iterations: the ends are off screen, so are their names
    # (kept inside the plot they would stand on the curves, naming nothing)
    plot.following = False
    plot.getPlotItem().getViewBox().setXRange(0, 10, padding=0)
    plot.show_state(window.model)
    assert curves_named_at_their_ends(plot) == set()
    assert not any(label.isVisible() for label in plot.end_names)
    plot._follow_again()
    plot.show_state(window.model)
    qtbot.waitUntil(lambda: curves_named_at_their_ends(plot) == {"ln p", "L"}, timeout=2000)
    plot.getPlotItem().layout.setRowFixedHeight(0, 30)
    plot.resize(409, 400)
    qtbot.waitUntil(lambda: plot.getPlotItem().getViewBox().height() > 200)
    plot.show_state(window.model)
    qtbot.waitUntil(lambda: plot.legend.isVisible(), timeout=2000)  # room again: the legend
    qtbot.waitUntil(lambda: curves_named_at_their_ends(plot) == set(), timeout=2000)
    assert check_legends(plot) == []
    assert check_plot(plot, False) == []
