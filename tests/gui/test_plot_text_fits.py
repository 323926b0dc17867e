"""Text in the plots stays inside them at any size (issue #18, item 3): axis titles, captions,
legends and text items of the points, k-means, bound, Why, L+KL and restarts plots, checked
with the screen audit's own plot check (emviz.gui.audit.check_plot)."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QApplication

from emviz.gui.audit import check_plot
from emviz.gui.style import style_plot


def plot_text(view: pg.GraphicsView, presenting: bool = False) -> list[str]:
    return [str(f) for f in check_plot(view, presenting) if f.kind == "plot text"]


def test_an_axis_title_elided_as_its_plot_narrows_is_drawn_over_its_axis(qtbot):
    """Eliding set the shorter title but left it where the whole one had been placed (pyqtgraph
    places a title only when its axis is resized): "eruption dura…" began left of the view."""
    view = pg.PlotWidget()
    qtbot.addWidget(view)
    view.getPlotItem().setLabel("bottom", "eruption duration (standardised)")
    style_plot(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    for width in (600, 180, 600, 150):
        view.resize(width, 400)
        QApplication.processEvents()
        assert plot_text(view) == [], width
    # presenting's 18 pt (the document lays it out wider than QFontMetrics measures it)
    axis = view.getPlotItem().getAxis("bottom")
    axis.setLabel("eruption duration (standardised)", **{"font-size": "18pt"})
    for width in range(200, 340, 7):
        view.resize(width, 400)
        QApplication.processEvents()
        assert plot_text(view, presenting=True) == [], width
        assert axis.label.boundingRect().width() - 8 <= axis.width() - 8, width


def _run_restarts(window, qtbot, n: int = 10):
    from .test_choose_k import TIMEOUT, show_tab

    tab = show_tab(window)
    tab.restarts.run(n)
    qtbot.waitUntil(lambda: not tab.restarts.busy and len(tab.restarts.fits) == n, timeout=TIMEOUT)
    window.redraw_now()
    return tab.restarts


def _settled(window) -> None:
    window.redraw_now()
    for _ in range(5):
        QApplication.processEvents()


def test_the_restarts_strip_keeps_its_title_counts_and_status_in_view(window, qtbot):
    """The strip's axis title ("final ln p(X | θ), higher is better") fell below its 90 px
    plot, the "×9" over the biggest pile stood above the plot's top, and "10 starts · 2
    endings" was cut to "10 starts · 2 e" beside the button."""
    from emviz.gui.audit import check_clipped

    restarts = _run_restarts(window, qtbot)
    for presenting in (False, True):
        window.presentation.set_presenting(presenting)
        _settled(window)
        assert any(label.isVisible() for label in restarts.pile_labels)
        assert plot_text(restarts.plot, presenting) == [], presenting
        assert check_clipped(restarts.status) == [], presenting
        assert "higher is better" in restarts.axis_title.text()
    window.presentation.set_presenting(False)


def test_the_oracle_tables_headers_fit_their_columns_at_any_font(qtbot):
    """"EM's θ (it. 3, M)" needed 192 px at 18 pt in a column of 121 px (the tab 450 px wide,
    presenting at 1280 x 800), 132 px in 76 at 11 pt (295 px, a 1024 x 768 window)."""
    from PySide6.QtGui import QAction, QFont

    from emviz.gui.audit import check_clipped
    from emviz.gui.teaching.oracle import OraclePanel

    panel = OraclePanel(QAction("Paint labels"))
    qtbot.addWidget(panel)
    panel.set_em_header(19, "M")
    panel.show()
    for width, points in ((295, 11), (450, 18)):
        font = QFont(panel.font())
        font.setPointSizeF(points)
        panel.setFont(font)
        panel.resize(width, 600)
        for _ in range(3):
            QApplication.processEvents()
        assert panel.table.horizontalHeaderItem(1).text() == "EM's θ\nit. 19, M"
        assert check_clipped(panel.table) == [], (width, points)


def test_the_why_plots_theta_labels_stay_inside_the_plot(window, qtbot):
    """"θ_old" and "θ_new" were the lines' own labels at 8 % of their height: in a short plot
    (presenting at 1280 x 800, 48 px) they stood out of its bottom."""
    from .test_frames import step_times

    why = window.feature("why")
    window.show_tab(why)
    step_times(window, qtbot, 2)
    for height in (300, 80):
        why.setFixedHeight(height)
        _settled(window)
        assert [f for f in plot_text(why) if "TextItem" in f] == [], height
        labels = why.line_labels
        assert [label.textItem.toPlainText() for label in labels] == ["θ_old", "θ_new"]
        assert all(label.isVisible() and label.opacity() == 1.0 for label in labels), height
        # at the lines' feet: t = 0 and t = 1
        assert [round(label.pos().x(), 6) for label in labels] == [0.0, 1.0]


def test_a_bottom_axis_title_ends_within_its_axis(qtbot):
    """pyqtgraph drew the title's ink a pixel below its axis: a view whose bottom edge the
    axis meets (the points view, presenting) cut it."""
    from emviz.gui.audit import _ink_rect

    view = pg.PlotWidget()
    qtbot.addWidget(view)
    view.getPlotItem().setLabel("bottom", "eruption duration", **{"font-size": "18pt"})
    style_plot(view)
    view.getPlotItem().getAxis("bottom").setLabel("eruption duration", **{"font-size": "18pt"})
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    axis = view.getPlotItem().getAxis("bottom")
    bottom = view.mapFromScene(axis.sceneBoundingRect()).boundingRect().bottom()
    assert _ink_rect(view, axis.label).bottom() <= bottom
    assert plot_text(view, presenting=True) == []


def test_an_axis_title_keeps_to_the_part_of_its_axis_in_view(qtbot):
    """A plot laid out wider than its view (the points view in a split view presenting: an
    axis of 191 px in a view showing 151 of it) elided its title to the whole axis' length and
    centred it there: its right end was off the view."""
    view = pg.PlotWidget()
    qtbot.addWidget(view)
    plot = view.getPlotItem()
    plot.setLabel("bottom", "eruption duration (standardised)")
    style_plot(view)
    plot.getAxis("left").setWidth(60)
    plot.getViewBox().setMinimumWidth(200)  # the plot cannot be narrower than 260 px
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    for width in (600, 220, 180, 600, 200):
        view.resize(width, 300)
        QApplication.processEvents()
        assert plot_text(view) == [], width
    assert plot.getAxis("bottom").labelText not in ("", "…")  # still says something


def test_a_plot_too_short_for_its_text_leaves_it_out_instead_of_cutting_it(window, qtbot):
    """Squeezed under the lesson while presenting (13 to 72 px), the bound plot drew its title,
    legend and axis title cut by its edges; tall again, it shows them all."""
    from emviz.gui.bound_plot import BoundPlot

    plot = BoundPlot()
    qtbot.addWidget(plot)
    plot.show_state(window.model)
    plot.resize(450, 400)
    plot.show()
    qtbot.waitExposed(plot)
    item = plot.getPlotItem()
    for height in (400, 72, 29, 13, 150, 400):
        plot.resize(450, height)
        QApplication.processEvents()
        assert plot_text(plot) == [], height
    assert item.titleLabel.isVisible() and plot.legend.isVisible()
    assert item.getAxis("bottom").label.isVisible()


def test_the_oracle_tags_stay_inside_the_points_view(window, qtbot):
    """"■ oracle z = 3" sat over its 2σ ellipse's top even when that was near the plot's
    edge (presenting chapter 2 at 1280 x 800: 8 px above the plot, the others out at its
    sides)."""
    window.lesson.go(1, remember=False)  # chapter 2: the oracle's fit on labelled data
    window.lesson.try_it()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=20_000)
    view = window.points_view
    for width in (260, 330):
        view.setFixedWidth(width)
        _settled(window)
        tags = [f for f in plot_text(view) if "oracle z" in f]
        assert tags == [], width
    overlay = window.feature("oracle").overlay
    assert all(tag.opacity() == 1.0 for tag in overlay.tags if tag.isVisible())


@pytest.mark.parametrize("tab", ["decomposition", "inspector"])
def test_a_short_explanation_tab_scrolls_rather_than_cutting_its_text(window, qtbot, tab):
    """Presenting under the lesson, the L + KL tab gave its readout 188 px of the 372 it
    needs and the Point tab its header 101 of 155: the rest was cut off."""
    from emviz.gui.audit import check_clipped

    from .test_frames import step_times

    page = window.feature(tab)
    window.show_tab(page)
    step_times(window, qtbot, 2)
    label = page.readout if tab == "decomposition" else page.header
    font = label.font()
    font.setPointSizeF(20)
    label.setFont(font)
    page.setFixedHeight(300)
    _settled(window)
    assert check_clipped(label) == []
    assert label.isVisible()
    if tab == "decomposition":  # the bars stay in view, at their least height
        bars = page.bars
        assert bars.height() >= bars.minimumHeight()
        top_left = bars.mapTo(page, bars.rect().topLeft())
        assert page.rect().contains(bars.rect().translated(top_left))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_presenting_left_axis_title_keeps_clear_of_its_tick_labels(qtbot, theme):
    """Presenting, the Point tab's "r_nk" (19.2 pt) ended 1.2 px before its tick label "0.5"
    and the points view's "waiting time (standardised)" (20 pt) 1.0 px before "1": pyqtgraph
    reserves 0.8 of the title's box height but draws the box whole, 5 px out. A plot styled by
    the house keeps an eighth of the title's line (about 5 px) between them; a window's 12 pt
    title keeps pyqtgraph's width."""
    from emviz.gui.audit import MIN_TITLE_GAP, _check_title_beside_ticks
    from emviz.gui.style import apply_plot_appearance
    from emviz.look.appearance import Appearance

    view = pg.PlotWidget()
    qtbot.addWidget(view)
    item = view.getPlotItem()
    item.setLabel("left", "r_nk")
    item.setYRange(0, 1.1, padding=0)
    style_plot(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    axis = item.getAxis("left")

    def gap() -> float:
        view.grab()  # the axis measures its tick labels when painted
        QApplication.processEvents()
        found = _check_title_beside_ticks(axis, "left")
        assert found == [], found
        m = axis.label.document().documentMargin()
        title = axis.label.mapRectToParent(axis.label.boundingRect().adjusted(m, m, -m, -m))
        return axis.width() - room_beside() - axis.textWidth - title.right()

    def room_beside() -> float:  # between the tick labels' column and the axis line
        return axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"])

    def pyqtgraphs_own() -> float:
        return axis.textWidth + room_beside() + 0.8 * axis.label.boundingRect().height()

    gap()
    assert axis.width() == pytest.approx(pyqtgraphs_own())  # a 12 pt title is clear
    apply_plot_appearance(view, Appearance(theme, presenting=True))
    assert gap() >= axis.label.boundingRect().height() / 8 - 0.01 > MIN_TITLE_GAP
    assert axis.width() > pyqtgraphs_own()
    apply_plot_appearance(view, Appearance(theme, presenting=False))
    gap()
    assert axis.width() == pytest.approx(pyqtgraphs_own())
