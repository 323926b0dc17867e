"""Views given the room their text needs. A split view (k-means beside EM) gives its two data
views the room: at 1024 x 768 they had 172 px each (68 px presenting) while the control panel
and the explanations kept theirs, and their corner titles stood outside them."""

from __future__ import annotations

from emviz.gui.audit import check_plot
from emviz.gui.bound_plot import SHORT_TITLE, BoundPlot
from emviz.look.appearance import Appearance

from .conftest import wait_for_history
from .test_teaching_kmeans import kmeans_view, mode_on
from .test_teaching_panels import view


def label_findings(w) -> list[str]:
    """The screen audit's findings on the two views' own texts (their titles)."""
    views = (w.points_view, kmeans_view(w))
    return [str(f) for view in views for f in check_plot(view, False) if " label " in f.where]


def test_the_split_views_are_the_widest_things_in_the_row_at_1024(window, qtbot):
    w = window
    w.resize(1024, 768)
    qtbot.waitUntil(lambda: w.width() == 1024)
    panel = w.splitter.widget(0)
    before = w.splitter.sizes()[0]
    assert before > 300
    mode_on(w)
    right = w.splitter.widget(w.splitter.count() - 1)
    views = (w.points_view, kmeans_view(w))
    qtbot.waitUntil(lambda: min(v.width() for v in views) >= max(300, right.width(), panel.width()))
    assert sum(v.width() for v in views) >= w.splitter.width() / 2
    w.feature("kmeans_mode").actions["actionKMeansMode"].trigger()  # off: the panel comes back
    qtbot.waitUntil(lambda: w.splitter.sizes()[0] == before)


def test_the_panel_comes_back_when_the_window_has_room_again(window, qtbot):
    w = window
    w.resize(1024, 768)
    mode_on(w)
    qtbot.waitUntil(lambda: w.splitter.sizes()[0] == 0)
    w.resize(2400, 900)
    qtbot.waitUntil(lambda: w.splitter.sizes()[0] > 0)
    views = (w.points_view, kmeans_view(w))
    assert sum(v.width() for v in views) >= w.splitter.width() / 2


def test_the_corner_titles_wrap_inside_narrow_split_views(window, qtbot):
    w = window
    w.resize(1024, 768)
    mode = mode_on(w)
    for _ in range(6):
        mode.actions["actionKMeansStep"].trigger()
    w.redraw_now()
    qtbot.waitUntil(lambda: "J = " in kmeans_view(w).getPlotItem().titleLabel.text)
    qtbot.waitUntil(lambda: label_findings(w) == [])
    w.resize(640, 768)  # as narrow as the toolbars let it: views of about 220 px
    qtbot.waitUntil(lambda: kmeans_view(w).width() < 240)
    w.redraw_now()
    qtbot.waitUntil(lambda: label_findings(w) == [])
    view = kmeans_view(w)
    title = view.getPlotItem().titleLabel.text
    assert title.count("<br>") >= 2  # in lines, each as wide as the view (it spans the axis)
    assert view.getPlotItem().titleLabel.item.boundingRect().width() <= view.width()


def test_the_bound_plot_title_and_legend_stay_inside_a_narrow_plot_presenting(qtbot):
    """Presenting, the tab ln p, L at 1024 x 768 is 510 px wide and its left axis 130 px: the
    whole title (449 px) pushed the plot area, and the legend at its right, past the edge."""
    plot = BoundPlot()
    qtbot.addWidget(plot)
    plot.apply_appearance(Appearance(presenting=True))
    plot.resize(510, 302)
    plot.show()
    qtbot.waitExposed(plot)
    qtbot.waitUntil(lambda: [str(f) for f in check_plot(plot, True) if " label " in f.where] == [])
    assert plot.getPlotItem().titleLabel.text == SHORT_TITLE


def why_label_findings(plot) -> list[str]:
    return [str(f) for f in check_plot(plot, False) if " label " in f.where or " axis " in f.where]


def test_a_short_why_plot_leaves_caption_lines_out_whole_and_the_table_gives_way(window, qtbot):
    """Presenting under the lesson at 1280 x 800 the Why plot was 38 px high under a 148 px
    parameter table, its five-line caption drawn down over the table."""
    w = window
    for name in ("actionEStep", "actionMStep"):
        n = len(w.history)
        w.actions_by_name[name].trigger()
        qtbot.waitUntil(lambda n=n: len(w.history) == n + 1)
    plot = view(w, "whyPlot")
    w.redraw_now()
    qtbot.waitUntil(lambda: "f(1) ≥ b(1)" in plot.caption.text)
    whole = plot.caption.full
    column = w.splitter.widget(w.splitter.count() - 1)
    assert column.sizes()[1] > 0 and not plot.caption.left_out
    w.lesson.show()
    w.presentation.set_presenting(True)  # the lesson band takes much of the (800 px) screen
    qtbot.waitUntil(lambda: column.sizes()[1] == 0)  # the page short: the table folds away
    qtbot.waitUntil(lambda: plot.caption.left_out and why_label_findings(plot) == [])
    assert plot.caption.full == whole and whole.startswith(plot.caption.text)
    assert "f(1) ≥ b(1) ≥ b(0) = f(0)" in plot.toolTip()  # the whole caption, on hovering
    w.presentation.set_presenting(False)
    w.lesson.hide()
    qtbot.waitUntil(lambda: plot.caption.text == whole and column.sizes()[1] > 0)
    assert plot.toolTip() == ""


def test_presenting_the_points_view_alone_is_never_a_sliver_of_the_row(window, qtbot):
    """Presenting at 1024 x 768 the control panel (at 18 pt) and the explanations left the
    points view 68-164 px of the row: the class saw a sliver of the data (the screen audit's
    1024 x 768 presenting screens). Here a panel as wide as an 18 pt one on that screen: the
    points view keeps at least SINGLE_VIEW_SHARE of the row (the panel folds away, its handle
    kept), and leaving presentation mode gives the panel back the width it had."""
    from emviz.gui.split_room import SINGLE_VIEW_SHARE

    w = window
    w.resize(1024, 768)
    qtbot.waitUntil(lambda: w.width() == 1024 and w.splitter.sizes()[0] > 0)
    before = w.splitter.sizes()[0]
    w.splitter.widget(0).widget().setMinimumWidth(560)  # the panel's contents at 18 pt
    w.presentation.set_presenting(True)
    qtbot.waitUntil(lambda: w.splitter.sizes()[0] == 0)
    assert w.points_view.width() >= SINGLE_VIEW_SHARE * w.splitter.width()
    w.splitter.widget(0).widget().setMinimumWidth(0)
    w.presentation.set_presenting(False)
    qtbot.waitUntil(lambda: w.splitter.sizes()[0] == before)


def test_a_folded_parameter_table_comes_back_when_the_page_keeps_its_least_height(window, qtbot):
    """The table folded away while the page was short came back only when the page could
    keep its least height beside the table's whole height at the fold: folded at 260 px while
    the window was set up at 1024 x 768, it never came back beside a page with room for its
    rows. Now it comes back as tall as the page leaves, if that holds its rows."""
    from emviz.gui.split_room import PAGE_MIN_PX

    from .conftest import wait_steady

    w = window
    w.resize(1280, 800)
    column = w.splitter.widget(w.splitter.count() - 1)
    height = wait_steady(qtbot, lambda: column.height())
    # as a fold while the window was set up leaves it: the table folded at a height the
    # column cannot give beside the page's least height now
    column.setSizes([height, 0])
    w._table_room.folded_at = height - PAGE_MIN_PX + 50
    w.resize(1280, 790)
    table = column.widget(1)
    need = table.rows_height()
    assert column.height() - PAGE_MIN_PX >= need  # room for the page and the table's rows
    qtbot.waitUntil(lambda: column.sizes()[1] >= need)
    assert w.tabs.currentWidget().height() >= PAGE_MIN_PX


def test_presenting_the_parameter_table_is_no_taller_than_its_rows(window, qtbot):
    """Presenting at 1280 x 800 the table kept 246 px for rows that need 148, under a Choose K
    page that scrolled: presenting, the table gives what its rows do not need to the page."""
    from .conftest import wait_steady

    w = window
    column = w.splitter.widget(w.splitter.count() - 1)
    table = column.widget(1)
    w.presentation.set_presenting(True)
    wait_steady(qtbot, lambda: (column.sizes(), table.rows_height()))
    assert 0 < column.sizes()[1] <= table.rows_height() + 2
    w.presentation.set_presenting(False)
    qtbot.waitUntil(lambda: column.sizes()[1] >= table.rows_height())


def test_the_parameter_table_asks_for_no_height_and_knows_what_its_rows_need(window, qtbot):
    """Folded away, the table is not drawn, so its rows may be the previous data's: presenting
    chapter 3 after chapter 1, its three rows of K = 3 (205 px) held the window 27 px taller
    than its 800 px screen. Shown, its rows' minimum made the window grow past its screen
    (chapter 11 at 1024 x 768, then the k-means split). It asks for no height, shown or
    folded (TableRoom gives it its rows' height), and still knows what its rows need."""
    w = window
    column = w.splitter.widget(w.splitter.count() - 1)
    table = column.widget(1)
    rows = table.rows_height()
    assert rows > 0
    assert table.height() >= rows and table.minimumSizeHint().height() == 0
    column.setSizes([column.height(), 0])
    qtbot.waitUntil(lambda: table.height() == 0)
    assert table.minimumSizeHint().height() == 0
    assert table.rows_height() == rows


def test_the_why_title_takes_a_shorter_form_where_the_whole_one_is_wider_than_the_plot(qtbot):
    """Presenting at 1280 x 800 "The M-step of iteration 19" at 18 pt was 338 px over a plot
    area of 304 and stood out of the view: the title takes the longest of its forms that fits
    ("M-step of iteration 19", "M-step 19"), again whenever the plot area is resized."""
    from emviz.gui.teaching import why
    from emviz.gui.teaching.why import WhyPlot

    plot = WhyPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 400)
    plot.show()
    qtbot.waitExposed(plot)
    label, box = plot.getPlotItem().titleLabel, plot.getPlotItem().vb
    forms = ("The M-step of iteration 19", "M-step of iteration 19", "M-step 19")
    plot._set_title(*forms)
    qtbot.waitUntil(lambda: label.text == forms[0])
    whole = label.item.boundingRect().width()
    axis = plot.getPlotItem().getAxis("left")
    # the view 10 px too narrow for the whole title beside its left axis
    plot.resize(round(axis.width() + why.TITLE_SLACK_PX + whole - 10), 400)
    qtbot.waitUntil(lambda: label.text == forms[1])
    assert label.item.boundingRect().width() <= box.width()
    assert why_label_findings(plot) == []
    plot.resize(600, 400)
    qtbot.waitUntil(lambda: label.text == forms[0])


def table_cut(table) -> str:
    """What of the parameter table a class cannot see: a scroll bar, or rows past its view."""
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    if table.verticalScrollBar().isVisible() or table.viewport().height() < rows:
        return f"{table.rowCount()} rows of {rows} px in a view of {table.viewport().height()} px"
    return ""


def test_four_components_show_whole_in_the_parameter_table_at_its_least_height(window, qtbot):
    """The table claimed room for 3 rows (ROOM_FOR_ROWS): at K = 4 (chapter 11, the "z beside
    r" data) a short column left it 3 rows and a scroll bar. Given only its least height, its
    4 rows show whole."""
    from .conftest import wait_steady
    from .test_teaching_kmeans import set_k

    w = window
    set_k(w, qtbot, 4)
    table = w.params_table
    qtbot.waitUntil(lambda: table.rowCount() == 4)
    column = table.parentWidget()
    column.setSizes([column.height(), table.rows_height()])
    qtbot.waitUntil(lambda: 0 < table.height() <= table.rows_height() + 1)
    wait_steady(qtbot, lambda: column.sizes())
    assert 0 < table.height() <= table.rows_height() + 1
    assert table_cut(table) == ""


def test_more_components_than_the_table_claims_get_the_room_the_page_can_give(window, qtbot):
    """Past ROOM_FOR_ROWS the table's rows scrolled whatever room the column had: at K = 6 in
    a tall window they show whole, the page keeping its least height."""
    from emviz.gui.split_room import PAGE_MIN_PX

    from .conftest import wait_steady
    from .test_teaching_kmeans import set_k

    w = window
    w.resize(1280, 1000)
    table = w.params_table
    column = table.parentWidget()
    wait_steady(qtbot, lambda: column.sizes())
    set_k(w, qtbot, 6)
    qtbot.waitUntil(lambda: table.rowCount() == 6)
    wait_steady(qtbot, lambda: column.sizes())
    assert column.height() - table.all_rows_height() > PAGE_MIN_PX + 60  # room for both
    assert table_cut(table) == ""
    assert w.tabs.currentWidget().height() >= PAGE_MIN_PX


def test_a_folded_parameter_table_comes_back_when_a_shorter_page_is_chosen(window, qtbot):
    """At 1024 x 768 beside the lesson, in emviz's own font, chapter 7's Point page (a point's
    bars: 280 px at least) left the table less than its rows, and the table folded away;
    choosing a page that asks less (ln p, L, as chapter 11 does) left room for its rows again
    in a column of the same height, but the table was looked at again only when the column
    was resized, so it stayed folded. Now it is looked at again when a page's least height
    changes too (and on the Point page it is folded or whole, never cut)."""
    from PySide6.QtWidgets import QApplication

    from emviz.gui.split_room import PAGE_MIN_PX
    from emviz.gui.style import apply_app_font

    from .conftest import wait_steady

    app = QApplication.instance()
    font = app.font()
    apply_app_font(app)
    try:
        w = window
        w.resize(1024, 768)
        qtbot.waitUntil(lambda: w.width() == 1024)
        w.lesson.show()
        w.lesson.go(6, remember=False)  # chapter 7: a point's responsibilities, the Point tab
        w.lesson.try_button.click()
        wait_for_history(qtbot, w, 2)
        table = w.params_table
        column = table.parentWidget()
        titles = [w.tabs.tabText(n) for n in range(w.tabs.count())]
        qtbot.waitUntil(lambda: w.tabs.currentIndex() == titles.index("Point"))
        w.redraw_now()
        height = wait_steady(qtbot, lambda: (column.height(), column.sizes()))[0]
        assert column.sizes()[1] == 0 or table_cut(table) == ""  # folded or whole, never cut
        w.tabs.setCurrentIndex(titles.index("ln p, L"))
        wait_steady(qtbot, lambda: (column.sizes(), w.tabs.currentWidget().height()))
        assert column.height() == height  # the same column: only the page's least height changed
        assert table_cut(table) == ""
        assert w.tabs.currentWidget().height() >= PAGE_MIN_PX
    finally:
        app.setFont(font)


def test_chapter_11s_four_components_show_whole_in_the_parameter_table_at_1024(window, qtbot):
    """Chapter 11 (K = 4, one component collapsing: "the table shows N_k = 1.0") at 1024 x 768
    after chapter 7, in emviz's own font, showed 3 of its 4 rows in 111 px and a scroll bar: the
    table claimed room for 3 rows. Its 4 rows show whole, and the page above keeps its least
    height."""
    from PySide6.QtWidgets import QApplication

    from emviz.gui.split_room import PAGE_MIN_PX
    from emviz.gui.style import apply_app_font

    from .conftest import wait_steady

    app = QApplication.instance()
    font = app.font()
    apply_app_font(app)  # as the emviz command does (its rows are taller than the default's)
    try:
        w = window
        w.resize(1024, 768)
        qtbot.waitUntil(lambda: w.width() == 1024)
        w.lesson.show()
        for chapter in (6, 10):  # chapter 7, then 11 (K = 4)
            w.lesson.go(chapter, remember=False)
            w.lesson.try_button.click()
            wait_for_history(qtbot, w, 2)
        qtbot.waitUntil(lambda: w.model.settings.k == 4 and not w.controller.busy, timeout=20_000)
        w.redraw_now()
        table = w.params_table
        qtbot.waitUntil(lambda: table.rowCount() == 4)
        wait_steady(qtbot, lambda: (table.height(), w.tabs.currentWidget().height()))
        assert table.height() > 0
        assert table_cut(table) == ""
        assert w.tabs.currentWidget().height() >= PAGE_MIN_PX
    finally:
        app.setFont(font)


def test_presenting_beside_the_lesson_the_explanations_get_the_width_the_data_cannot_use(window, qtbot):
    """Presenting with the lesson's band under the views, the row is short (265 px at 1280 x
    800) and the points view, its aspect locked, drew the data in its height: Old Faithful
    used 180 of its 840 px, while the explanations' page beside it had 430 px, its tab titles
    in two or three rows and its texts in twice the lines. The points view keeps its share,
    its data's width and its x axis's whole title; the rest is the explanations'; wider data
    take it back as far as they can use it."""
    import numpy as np

    from emviz.gui.split_room import LEND_SLACK, SINGLE_VIEW_SHARE, usable_width

    w = window
    X = np.random.default_rng(1).normal(size=(300, 2)) * [0.3, 1.0]  # tall and narrow
    w.show_data(X, None, "tall", ("x₁", "x₂"))
    w.redraw_now()
    pv, box = w.points_view, w.points_view.getViewBox()
    w.lesson.show()
    w.presentation.set_presenting(True)

    def data_px() -> float:
        return box.height() * box.targetRect().width() / box.targetRect().height()

    qtbot.waitUntil(lambda: usable_width(pv) is not None and pv.width() <= max(
        SINGLE_VIEW_SHARE * w.splitter.width(), usable_width(pv)) + LEND_SLACK)
    assert box.width() >= data_px()  # the data as large as the row's height allows
    w.show_data(X / [0.3, 1.0] * [1.6, 1.0], None, "wide", ("x₁", "x₂"))  # wider: given back
    w.redraw_now()
    qtbot.waitUntil(lambda: box.width() >= data_px() - 1)  # the lent width back, as needed
    w.presentation.set_presenting(False)


SPLIT_AFTER_CHAPTER_11 = """
import json, os
from PySide6.QtWidgets import QApplication
app = QApplication([])
from emviz.gui import MainWindow
from emviz.gui.audit import audit
from emviz.gui.style import apply_app_font
from tests.gui.screens import as_large_as_the_screen, set_up, settle
apply_app_font(app)
w = MainWindow()
w.resize(1024, 768)
w.show()
as_large_as_the_screen(w, (1024, 768))
settle(app, w)
set_up(app, w, "lesson 11, k-means split")
w.presentation.set_presenting(PRESENTING)
settle(app, w)
panel = w.splitter.widget(0)
screen = w.screen().geometry()
print(json.dumps({"screen": screen.width(), "least": w.minimumSizeHint().width(),
                  "screen height": screen.height(), "least height": w.minimumSizeHint().height(),
                  "panel": w.splitter.sizes()[0], "panel least": panel.minimumWidth(),
                  "found": [str(f) for f in audit([w], PRESENTING)
                            if f.kind in ("too large", "clipped")]}))
app.processEvents()
os._exit(0)  # a measurement: the interpreter's teardown of Qt objects is not under test
"""


def split_after_chapter_11(tmp_path, presenting: bool) -> dict:
    """Chapter 11's Try it, then the k-means split, in a window on a 1024 x 768 screen (as
    ``python -m tests.gui.screens`` shows it), presenting or not: what the window measured."""
    import json

    from .screens import run_on_screen

    script = f"PRESENTING = {presenting}\n{SPLIT_AFTER_CHAPTER_11}"
    return json.loads(run_on_screen(script, (1024, 768), tmp_path)[-1])


def test_presenting_chapter_11_then_the_k_means_split_fits_a_1024_screen(tmp_path):
    """At 1024 x 768, chapter 11's Try it (K = 4) then K-means first, presenting: the control
    panel folds away for the two data views, but the splitter still counted its 404 px
    minimum (at 18 pt) beside the explanations' 509: the window needed 1061 px, wider than its
    screen, its right column cut off. A folded panel asks for no width."""
    shown = split_after_chapter_11(tmp_path, True)
    assert shown["panel"] == 0 and shown["panel least"] > 300  # folded, its width kept for later
    assert shown["least"] <= shown["screen"] == 1024, shown
    assert shown["found"] == [], shown


def test_chapter_11_then_the_k_means_split_fits_a_1024_screen_in_a_window(tmp_path):
    """Chapter 11's four rows kept under the page's least height (172 px in emviz's font) held
    the window, once the k-means split's toolbar row came, 788 px high (a 200 px floor for the
    page: 775) on a 768 px screen: Qt grows a window to its minimum before the table can fold
    away. The table asks for no height; it folds where the window has no room for it."""
    shown = split_after_chapter_11(tmp_path, False)
    assert shown["least height"] <= shown["screen height"] == 768, shown
    assert shown["found"] == [], shown


def test_a_folded_panel_asks_for_no_width_and_has_its_own_back(window, qtbot):
    """Folded away for a split view, the control panel does not hold the row (and the window)
    at its minimum width; dragged out by hand, it comes out whole and counts again."""
    w = window
    w.resize(1024, 768)
    qtbot.waitUntil(lambda: w.width() == 1024)
    row = w.splitter
    panel = row.widget(0)
    least = panel.minimumWidth()
    assert least > 200
    mode_on(w)
    qtbot.waitUntil(lambda: row.sizes()[0] == 0)
    shown = [row.widget(n) for n in range(1, row.count()) if row.widget(n).isVisibleTo(w)]
    others = sum(max(v.minimumSizeHint().width(), v.minimumWidth()) for v in shown)
    handles = row.handleWidth() * row.count()
    assert row.minimumSizeHint().width() <= others + handles
    assert w.minimumSizeHint().width() <= others + handles + 2 * w.layout().contentsMargins().left()
    row.moveSplitter(least, 1)  # dragged out by hand
    assert row.sizes()[0] >= least
    assert row.minimumSizeHint().width() >= least + others
