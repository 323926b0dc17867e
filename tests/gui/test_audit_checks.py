"""The screen audit's checks (emviz.gui.audit) on small widgets made to fail or pass them,
and the faults it found on the window, each fixed with a test of its own."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QTabWidget, QVBoxLayout, QWidget

from emviz.gui.audit import (
    audit,
    background_of,
    check_clipped,
    check_contrast,
    check_font,
    check_overlap,
    check_status_bar,
    stylesheet_color,
)


def shown(qtbot, widget: QWidget, width: int, height: int) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_stylesheet_colours_are_read_for_the_widget_itself():
    sheet = "background: #ffe08a; padding: 6px; border-radius: 4px; color: #444;"
    assert stylesheet_color(sheet, "background") == QColor("#ffe08a")
    assert stylesheet_color(sheet, "color") == QColor("#444444")
    assert stylesheet_color("background-color: rgb(10, 20, 30)", "background") == QColor(10, 20, 30)
    assert stylesheet_color("border-color: red", "color") is None  # not the text's colour


def test_a_label_too_narrow_for_its_text_is_clipped_and_one_that_fits_is_not(qtbot):
    page = shown(qtbot, QWidget(), 400, 100)
    label = QLabel("eruption duration (standardised)", page)
    label.setGeometry(0, 0, 60, 30)
    assert [f.kind for f in check_clipped(label)] == ["clipped"]
    label.setGeometry(0, 0, label.sizeHint().width(), label.sizeHint().height())
    assert check_clipped(label) == []


def test_a_wrapped_label_is_clipped_only_when_too_short(qtbot):
    page = shown(qtbot, QWidget(), 400, 400)
    label = QLabel("word " * 40, page)
    label.setWordWrap(True)
    label.setGeometry(0, 0, 150, 30)
    assert "high" in check_clipped(label)[0].detail
    label.setGeometry(0, 0, 150, label.heightForWidth(150))
    assert check_clipped(label) == []


def test_elided_text_with_its_full_text_in_a_tooltip_is_allowed(qtbot):
    page = shown(qtbot, QWidget(), 400, 100)
    label = QLabel("eruption dur…", page)
    label.setToolTip("eruption duration (standardised)")
    label.setGeometry(0, 0, label.sizeHint().width() - 10, 30)
    assert check_clipped(label) == []


def test_tabs_behind_scroll_arrows_are_found(qtbot):
    tabs = QTabWidget()
    for title in ("ln p, L", "Oracle", "Why EM", "L + KL", "Equations", "Point", "Choose K"):
        tabs.addTab(QWidget(), title)
    shown(qtbot, tabs, 200, 200)
    assert "tab arrows" in [f.kind for f in check_clipped(tabs.tabBar())]
    tabs.resize(900, 200)
    qtbot.waitUntil(lambda: check_clipped(tabs.tabBar()) == [])


def test_tab_titles_elided_to_a_stub_are_found(qtbot):
    """"l…" and "…" in a tab say nothing, tooltip or not (presenting at 1280 x 800 in the
    split view, the explanation tabs showed just that)."""
    from PySide6.QtCore import Qt

    from emviz.gui.audit import check_elided_tabs

    tabs = QTabWidget()
    for title in ("ln p, L", "Oracle", "Why EM", "L + KL", "Equations", "Point", "Choose K"):
        tabs.setTabToolTip(tabs.addTab(QWidget(), title), title)
    tabs.tabBar().setUsesScrollButtons(False)
    tabs.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
    shown(qtbot, tabs, 150, 200)
    found = check_elided_tabs(tabs.tabBar())
    assert found and {f.kind for f in found} == {"elided tab"}
    assert any("'Choose K'" in f.where for f in found)
    tabs.resize(900, 200)
    qtbot.waitUntil(lambda: check_elided_tabs(tabs.tabBar()) == [])


def test_a_toolbar_with_actions_behind_its_extension_button_is_found(qtbot):
    from PySide6.QtWidgets import QMainWindow, QToolBar

    from emviz.gui.audit import check_toolbar_overflow

    window = QMainWindow()
    toolbar = QToolBar("Run", window)
    toolbar.setObjectName("runToolbar")
    for text in ("E-step", "M-step", "Step", "Play", "Reset", "Back", "Forward", "Undo", "Redo"):
        toolbar.addAction(text)
    window.addToolBar(toolbar)
    window.setCentralWidget(QWidget())
    shown(qtbot, window, 150, 200)
    qtbot.waitUntil(lambda: check_toolbar_overflow(toolbar) != [])
    finding = check_toolbar_overflow(toolbar)[0]
    assert finding.kind == "toolbar overflow" and "Redo" in finding.detail
    window.resize(1000, 200)
    qtbot.waitUntil(lambda: check_toolbar_overflow(toolbar) == [])


def test_sibling_text_on_top_of_each_other_is_found(qtbot):
    page = shown(qtbot, QWidget(), 300, 100)
    a, b = QLabel("N = 272", page), QLabel("Lesson", page)
    a.setGeometry(0, 0, 100, 20)
    b.setGeometry(50, 5, 100, 20)
    assert [f.kind for f in check_overlap([a, b])] == ["overlap"]
    b.move(150, 5)
    assert check_overlap([a, b]) == []


def test_text_under_18_pt_counts_only_while_presenting(qtbot):
    page = shown(qtbot, QWidget(), 300, 100)
    label = QLabel("Chapter 3 of 12", page)
    font = QFont()
    font.setPointSizeF(17.6)
    label.setFont(font)
    assert check_font(label, presenting=False) == []
    assert [f.kind for f in check_font(label, presenting=True)] == ["small text"]


def test_contrast_is_measured_against_the_style_sheet_background(qtbot):
    page = shown(qtbot, QWidget(), 300, 100)
    QVBoxLayout(page)
    label = QLabel("What to click next", page)
    page.layout().addWidget(label)
    label.setStyleSheet("background: #ffe08a; color: #f0f0f0;")  # the dark theme's text colour
    assert background_of(label) == QColor("#ffe08a")
    assert "1.13:1" in check_contrast(label, presenting=False)[0].detail
    label.setStyleSheet("background: #ffe08a; color: #000000;")
    assert check_contrast(label, presenting=True) == []


def test_the_default_window_has_no_fault_the_audit_finds(window):
    """A guard that the audit runs on the real window (the matrix is test_screen_audit.py),
    on the tests' screen (800 x 800: the default 1280 x 800 runs past it, as it would on a
    screen that small; the matrix's screens are the window's size)."""
    from emviz.gui.screen_fit import fit_on_screen

    fit_on_screen(window)
    QApplication.processEvents()
    findings = audit([window], presenting=False)
    assert all(f.kind in ("clipped", "plot text") for f in findings), findings


# -- faults the audit found, fixed -------------------------------------------------------------
@pytest.mark.parametrize("presenting", [False, True])
def test_a_status_message_replaces_the_status_line_instead_of_covering_it(window, presenting):
    window.statusBar().showMessage("Lesson: K-means, the hard version (Ctrl+Z undoes the data)")
    window.presentation.set_presenting(presenting)  # full screen shows the status bar again,
    for _ in range(3):  # ... and with it, once its events are in, every widget Qt hid in it
        QApplication.processEvents()
    assert check_status_bar(window.statusBar()) == []
    window.presentation.set_presenting(False)
    window.statusBar().clearMessage()
    assert window.status.isVisible()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_what_to_click_next_is_readable_in_every_theme_when_presenting(window, theme):
    window.presentation.set_theme(theme)
    window.presentation.set_presenting(True)
    window.lesson.show()
    window.lesson.go(2, remember=False)
    assert check_contrast(window.lesson.next_step, presenting=True) == []
    window.presentation.set_presenting(False)


def test_text_a_panel_sets_small_is_at_least_18_pt_when_presenting(window):
    window.lesson.show()
    window.presentation.set_presenting(True)
    assert window.lesson.position.font().pointSizeF() >= 18
    window.presentation.set_presenting(False)
    assert window.lesson.position.font().pointSizeF() == 11


def test_a_dock_title_drawn_small_while_presenting_is_found(window, qtbot, monkeypatch):
    """The lesson's title is no widget's text: the audit measures it as drawn. Drawn the way
    Qt draws it (in the font the dock was made with, though the dock's own is 18 pt) it is
    small text; drawn in the dock's font it is not."""
    from emviz.gui import lesson_panel
    from emviz.gui.audit import check_dock_title

    dock = window.lesson
    dock.show()
    window.presentation.set_presenting(True)
    qtbot.waitUntil(lambda: dock.widget().y() >= dock.fontMetrics().height())
    assert check_dock_title(dock, presenting=False) == []
    assert check_dock_title(dock, presenting=True) == []
    monkeypatch.setattr(lesson_panel, "qt_draws_title", lambda _dock: False)  # Qt's painting
    found = check_dock_title(dock, presenting=True)
    assert [f.kind for f in found] == ["small text"] and "Chapter" in found[0].where
    monkeypatch.undo()
    window.presentation.set_presenting(False)


LESSON_SCRIPT = """
import json
from PySide6.QtWidgets import QApplication
app = QApplication([])
from emviz.gui import MainWindow
from emviz.gui.style import apply_app_font
from tests.gui.screens import set_up, settle
apply_app_font(app)
w = MainWindow()
w.show()
settle(app, w)
out = []
for chapter in (1, 3, 8):
    set_up(app, w, f"lesson {chapter}")
    w.presentation.set_presenting(True)
    settle(app, w)
    text, box = w.lesson.text, w.lesson.next_step
    document = text.document()
    spacing = text.fontMetrics().lineSpacing()
    out.append({"chapter": chapter, "screen": [w.width(), w.height()],
                "lines": min(text.viewport().height(), document.size().height()) / spacing,
                "all text": document.size().height() <= text.viewport().height() + 1,
                "box needs": box.heightForWidth(box.width()), "box has": box.height(),
                "box inside": box.parentWidget().rect().contains(box.geometry()),
                "box visible": box.isVisible()})
    w.presentation.set_presenting(False)
print(json.dumps(out), flush=True)
w.close()
import os
os._exit(0)  # a measurement: the interpreter's teardown of Qt objects is not under test
"""


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1024, 768)])
def test_the_lesson_shows_8_lines_and_the_whole_next_step_box_while_presenting(tmp_path, size):
    """Presentation mode, full screen on a screen of this size, chapters 1, 3 and 8 after
    Try it: at least 8 lines of the chapter's text (or all of it) and the whole "What to
    click next" box show (before: a band of 130 px at 1920 x 1080, the box cut in half); at
    1024 x 768 a window no larger than the screen (it was 1066 px wide)."""
    import json

    from .screens import run_on_screen

    for shown in json.loads(run_on_screen(LESSON_SCRIPT, size, tmp_path)[-1]):
        assert shown["screen"] == list(size)  # the window fits its screen
        if size < (1280, 800):  # the views' minimum leaves the band about 6 lines and most of
            continue  # the box: the issue asks for 8 lines from 1280 x 800 up
        assert shown["lines"] >= 8 or shown["all text"], shown
        assert shown["box visible"] and shown["box inside"], shown
        assert shown["box needs"] <= shown["box has"] + 1, shown


def test_a_status_line_too_long_for_the_window_is_shortened_with_the_whole_line_in_its_tooltip(
        window):
    window.presentation.set_presenting(True)  # 18 pt: the line needs about 1200 px
    window.resize(800, 600)
    window.redraw_now()
    QApplication.processEvents()
    status = window.status
    assert check_clipped(status) == []
    assert status.text().startswith("it. 0") and status.toolTip().startswith("N = 272")
    status.setFixedWidth(250)  # not even the short form fits: elided
    QApplication.processEvents()
    assert check_clipped(status) == [] and status.text().endswith("…")
    status.setText(status.full_text)  # drawn whole in too little room: found
    assert [f.kind for f in check_clipped(status)] == ["clipped"]
    status.setMinimumWidth(0)
    status.setMaximumWidth(16_777_215)
    window.presentation.set_presenting(False)


def test_tabs_that_cannot_fit_at_18_pt_are_elided_not_shrunk_below_it_nor_scrolled(window):
    window.presentation.set_presenting(True)
    window.splitter.setSizes([200] * window.splitter.count())  # a narrow column
    QApplication.processEvents()
    bar = window.tabs.tabBar()
    assert [f.kind for f in check_clipped(bar)] == []
    assert check_font(bar, presenting=True) == []
    window.presentation.set_presenting(False)


def test_a_choice_too_long_for_its_box_is_elided_with_the_whole_choice_in_the_tooltip(window):
    """"Old Faithful (standardised)" was cut to "Old Faithful (standardise" in the control
    panel's data set box."""
    combo = window.findChild(QComboBox, "datasetCombo")
    combo.setFixedWidth(120)
    QApplication.processEvents()
    assert check_clipped(combo) == []
    assert combo.currentText() in combo.toolTip()


def test_the_oracle_tags_scale_when_presenting(window, qtbot):
    """The "oracle z = k" tags fixed their size in their HTML (12 pt): presentation mode left
    them small."""
    import pyqtgraph as pg

    from emviz.gui.audit import check_plot

    window.lesson.go(1, remember=False)  # chapter 2: the oracle's fit on labelled data
    window.lesson.try_it()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=20_000)
    window.presentation.set_presenting(True)
    window.redraw_now()
    shown = [i for i in window.points_view.scene().items()
             if isinstance(i, pg.TextItem) and "oracle z" in i.textItem.toPlainText() and i.isVisible()]
    assert len(shown) == 3
    tags = [f for f in check_plot(window.points_view, presenting=True) if "oracle z" in f.where]
    assert [f for f in tags if f.kind != "contrast"] == []
    # The text is black on the tag's white; only the swatch ■ in the component's colour is
    # under the limits (Okabe-Ito green on white 3.4:1, blue 5.1:1 < 7:1: the palette's).
    assert all(not f.detail.startswith("#000000") for f in tags), tags
    window.presentation.set_presenting(False)



def test_axis_titles_longer_than_their_axis_are_elided_with_the_whole_title_in_a_tooltip(window):
    """Presenting, "eruption duration (standardised)" at 20 pt is 450 px under a 300 px axis:
    both ends were cut off by the view."""
    from emviz.gui.audit import check_plot

    window.presentation.set_presenting(True)
    window.redraw_now()
    QApplication.processEvents()
    axis = window.points_view.getPlotItem().getAxis("bottom")
    whole_title = "eruption duration (standardised)"
    # (the offscreen screen is 800 x 800: presenting leaves the view too short for much else)
    assert [f for f in check_plot(window.points_view, presenting=True)
            if "bottom title" in f.where and "along" in f.detail] == []
    assert axis.labelText != whole_title
    assert axis.toolTip() == whole_title
    window.presentation.set_presenting(False)
    window.redraw_now()
    QApplication.processEvents()
    room = axis.width() - 8
    whole = QFontMetrics(axis.label.font()).horizontalAdvance(whole_title)
    if whole <= room:  # room again: whole
        assert axis.labelText == whole_title and axis.toolTip() == ""
    assert [f for f in check_plot(window.points_view, presenting=False)
            if "bottom title" in f.where and "along" in f.detail] == []


def test_a_choice_set_with_signals_blocked_still_names_itself_in_the_tooltip_when_elided(window):
    combo = window.findChild(QComboBox, "datasetCombo")
    combo.setFixedWidth(120)
    combo.blockSignals(True)  # as the panel shows a data set loaded elsewhere (the lesson)
    combo.setCurrentIndex((combo.currentIndex() + 1) % combo.count())
    combo.blockSignals(False)
    combo.repaint()
    assert check_clipped(combo) == []


def test_a_light_page_in_a_dark_window_is_a_light_block_and_a_dark_one_is_not(qtbot):
    """In the dark theme no page may glare white on a projector: a widget painting a light
    background over a large area of a dark window is found, a dark or small one is not."""
    import pyqtgraph as pg
    from PySide6.QtGui import QPalette

    from emviz.gui.audit import check_light_blocks

    window = QWidget()
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(37, 37, 38))
    window.setPalette(palette)
    window.setAutoFillBackground(True)
    shown(qtbot, window, 600, 400)
    page = QWidget(window)
    page.setGeometry(0, 0, 300, 300)
    page.setStyleSheet("background: #ffffff;")
    page.show()
    plot = pg.GraphicsView(window)
    plot.setGeometry(300, 0, 300, 300)
    plot.setBackground("w")
    plot.show()
    swatch = QLabel("1", window)  # a component's colour swatch: small, not a block
    swatch.setStyleSheet("background: #ffffff;")
    swatch.setGeometry(0, 320, 30, 30)
    swatch.show()
    found = check_light_blocks(window)
    assert sorted(f.kind for f in found) == ["light block", "light block"]
    assert any("QWidget" in f.where for f in found) and any("GraphicsView" in f.where for f in found)
    page.setStyleSheet("background: #202020;")
    plot.setBackground((18, 18, 18))
    assert check_light_blocks(window) == []
    window.setPalette(QPalette(QColor(240, 240, 240)))  # the light theme: white is fine
    page.setStyleSheet("background: #ffffff;")
    assert check_light_blocks(window) == []


def test_a_window_whose_minimum_size_is_larger_than_its_screen_is_found(qtbot):
    """A window wider or taller at its minimum than its screen cannot be shown whole."""
    from PySide6.QtWidgets import QMainWindow

    from emviz.gui.audit import check_fits_screen

    window = QMainWindow()
    window.setCentralWidget(QWidget())
    shown(qtbot, window, 300, 200)
    room = window.screen().availableGeometry().size()
    assert check_fits_screen(window) == []
    window.centralWidget().setMinimumSize(room.width() + 40, 100)
    qtbot.waitUntil(lambda: check_fits_screen(window) != [])
    finding = check_fits_screen(window)[0]
    assert finding.kind == "too large" and f"{room.width()} x {room.height()}" in finding.detail
    window.centralWidget().setMinimumSize(100, room.height() + 1)
    assert [f.kind for f in check_fits_screen(window)] == ["too large"]
    window.centralWidget().setMinimumSize(100, 100)
    qtbot.waitUntil(lambda: check_fits_screen(window) == [])


def test_a_window_taller_than_its_screen_is_found_whatever_its_minimum(qtbot):
    """Presenting at 1024 x 768, the window was 1024 x 816 on a 768 px high screen (its
    minimum had grown and shrunk again: Qt grows a window to its minimum but never shrinks it
    back), and the audit, which read only the minimum size, saw nothing: the bottom 48 px, the
    status line among them, were off the screen. The window's frame must lie inside the
    screen's available area, whatever its minimum."""
    from PySide6.QtWidgets import QMainWindow

    from emviz.gui.audit import check_fits_screen

    window = QMainWindow()
    window.setCentralWidget(QWidget())
    shown(qtbot, window, 300, 200)
    room = window.screen().availableGeometry()
    window.move(room.topLeft())
    assert check_fits_screen(window) == []
    window.resize(300, room.height() + 48)  # no minimum holds it there: only its size
    qtbot.waitUntil(lambda: window.height() == room.height() + 48)
    found = check_fits_screen(window)
    assert [f.kind for f in found] == ["too large"]
    assert "off the screen" in found[0].detail
    window.resize(300, 200)
    window.move(room.right() - 100, room.top())  # its right part past the screen's edge
    qtbot.waitUntil(lambda: window.frameGeometry().right() > room.right())
    assert [f.kind for f in check_fits_screen(window)] == ["too large"]


def test_a_scroll_area_page_wider_than_its_view_without_a_scroll_bar_is_found(qtbot):
    """Presenting at 1280 x 800 the Equations tab's page was wider than the tab, its boxes cut
    at the right ("M-step ◀ just ran: new θ fro"), and no check saw it: a scroll area's page
    may be larger than its view, as it scrolls, but not sideways without a scroll bar."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QScrollArea

    from emviz.gui.audit import check_scroll_width

    area = shown(qtbot, QScrollArea(), 300, 200)
    area.setWidgetResizable(True)
    page = QLabel("a line of text much wider than the view it scrolls in, and not wrapped")
    area.setWidget(page)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    qtbot.waitUntil(lambda: page.width() > area.viewport().width())
    assert [f.kind for f in check_scroll_width(area)] == ["clipped"]
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)  # it scrolls there
    assert check_scroll_width(area) == []
    page.setWordWrap(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    qtbot.waitUntil(lambda: page.width() <= area.viewport().width())
    assert check_scroll_width(area) == []


def test_presenting_the_equations_page_is_no_wider_than_its_tab(window, qtbot):
    """The row under the boxes ("Numbers of" [k = 1] "after M-step 3") held the page wider
    than the tab at 18 pt: its last label wraps now."""
    from emviz.gui.audit import check_scroll_width

    from .conftest import wait_steady

    w = window
    view = w.feature("equations")
    w.show_tab(view)
    w.resize(1280, 800)
    w.presentation.set_presenting(True)
    w.redraw_now()
    # the program's own font is larger than the tests': a longer label stands in for it
    view.when.setText("after M-step 3, from the responsibilities of E-step 3")
    wait_steady(qtbot, lambda: (view.widget().width(), view.viewport().width()))
    assert check_scroll_width(view) == []


def test_a_component_curve_under_3_to_1_on_its_plot_is_found_unless_cased(qtbot):
    """On the light theme's white plots Okabe-Ito's orange has 2.25:1, sky blue 2.31:1 and
    yellow 1.32:1, under WCAG's 3:1 for graphical objects, and no check saw a curve: a
    curve in a component colour under 3:1 on its plot is found, unless a casing (a wider
    shadow pen) with 3:1 on the plot and on the colour outlines it."""
    import pyqtgraph as pg

    from emviz.gui.audit import check_plot
    from emviz.look.colors import component_colors

    plot = shown(qtbot, pg.PlotWidget(background=(255, 255, 255)), 300, 200)
    blue, orange = (tuple(int(c) for c in rgb) for rgb in component_colors(2, "light"))
    curve = plot.plot([0, 1, 2], [0, 1, 0], pen=pg.mkPen(orange, width=2))

    def curve_findings() -> list:
        return [f for f in check_plot(plot, False) if " curve" in f.where]

    found = curve_findings()
    assert [f.kind for f in found] == ["contrast"] and "#e69f00" in found[0].detail
    curve.setShadowPen(pg.mkPen((0, 0, 0), width=4))
    assert curve_findings() == []
    curve.setShadowPen(pg.mkPen((0, 0, 0), width=2))  # no wider than the line: no casing
    assert [f.kind for f in curve_findings()] == ["contrast"]
    curve.setShadowPen(None)
    curve.setPen(pg.mkPen(blue, width=2))  # 5.2:1: no casing needed
    assert curve_findings() == []
    curve.setPen(pg.mkPen(orange, width=2))
    plot.setBackground((18, 18, 18))  # 8.3:1 on the dark plots
    assert curve_findings() == []


def test_a_legend_over_curve_data_is_found(qtbot):
    """Choose K at K = 1 presenting at 1024 x 768: the legend (BIC, AIC, lowest BIC) sat over
    the curves' first points, and no check saw it. A legend with a curve's or a scatter's
    point (or a point along a segment) under it is found."""
    import pyqtgraph as pg

    from emviz.gui.audit import check_plot

    plot = shown(qtbot, pg.PlotWidget(background=(255, 255, 255)), 400, 300)
    item = plot.getPlotItem()
    legend = item.addLegend(offset=None)
    legend.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(2, 2))  # top left
    item.plot([1, 2, 3, 4], [10, 5, 4, 3], name="BIC", symbol="o")
    item.setXRange(1, 4, padding=0.05)
    item.setYRange(3, 10, padding=0.05)
    QApplication.processEvents()

    def legend_findings() -> list:
        return [f for f in check_plot(plot, False) if "legend" in f.where]

    found = legend_findings()
    assert [f.kind for f in found] == ["overlap"] and "BIC" in found[0].where
    item.setYRange(3, 20, padding=0.05)  # headroom above the curve: the legend clear of it
    QApplication.processEvents()
    assert legend_findings() == []
    legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-2, 2))  # top right, clear
    item.setYRange(3, 10, padding=0.05)
    QApplication.processEvents()
    assert legend_findings() == []


def _titled_plot(qtbot, side: str, pt: float):
    """A 300 x 200 plot with tick labels 0.5 and 1 on its ``side`` axis, titled "r_nk" at ``pt``."""
    import pyqtgraph as pg

    plot = shown(qtbot, pg.PlotWidget(background=(255, 255, 255)), 300, 200)
    item = plot.getPlotItem()
    item.showAxis(side)
    axis = item.getAxis(side)
    axis.setLabel("r_nk", **{"font-size": f"{pt:g}pt"})
    item.setYRange(0, 1.1, padding=0)
    QApplication.processEvents()
    plot.grab()  # the axes measure their tick labels when painted
    QApplication.processEvents()
    return plot


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_side_axis_title_on_its_tick_labels_is_found(qtbot, side):
    """The Point tab presenting at 1280 x 800: the left title "r_nk" (19.2 pt) ran into the
    tick label "0.5" (its underscore read as "10.5"). pyqtgraph reserves 0.8 of the title's
    box height but draws the whole box, 5 px out: from a box of about 30 px (a presenting
    title) the text reaches the tick labels' column. A title at 12 pt leaves 3 px or more."""
    from emviz.gui.audit import check_plot

    def title_findings(plot) -> list:
        return [f for f in check_plot(plot, True) if "title" in f.where and f.kind == "overlap"]

    found = title_findings(_titled_plot(qtbot, side, 19.2))
    assert [f.where.split(" axis ")[1] for f in found] == [f"{side} title 'r_nk'"], found
    assert "tick labels" in found[0].detail
    assert title_findings(_titled_plot(qtbot, side, 12)) == []
