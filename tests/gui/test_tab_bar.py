"""The explanation tabs' bar: every title shows, in narrower tabs and then a slightly smaller
font if need be, rather than the last tabs hiding behind scroll arrows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QTabWidget, QToolButton, QWidget

from emviz.gui.tab_bar import MIN_FONT_SCALE, SnugTabBar

from .conftest import wait_steady

TITLES = ["ln p, L", "Oracle", "Why", "L+KL", "Eqns", "Point", "Choose K"]


def every_tab_shows(tabs: QTabWidget) -> bool:
    bar = tabs.tabBar()
    arrows = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
    return not arrows and bar.tabRect(bar.count() - 1).right() < bar.width()


@pytest.fixture
def tabs(qtbot) -> QTabWidget:
    tabs = QTabWidget()
    tabs.setTabBar(SnugTabBar())
    for title in TITLES:
        tabs.addTab(QWidget(), title)
    qtbot.addWidget(tabs)
    tabs.show()
    qtbot.waitExposed(tabs)
    return tabs


def natural_width(tabs: QTabWidget) -> int:
    tabs.resize(2000, 300)
    bar = tabs.tabBar()
    return sum(bar.tabSizeHint(i).width() for i in range(bar.count()))


def test_titles_keep_the_tab_widgets_font_when_they_fit(tabs, qtbot):
    tabs.resize(natural_width(tabs) + 10, 300)
    qtbot.waitUntil(lambda: tabs.tabBar().width() > 0)
    assert tabs.tabBar().font() == tabs.font()
    assert every_tab_shows(tabs)


def test_a_little_too_narrow_the_tabs_give_up_padding_and_keep_their_font(tabs, qtbot):
    base = tabs.font().pointSizeF()
    tabs.resize(int(natural_width(tabs) * 0.92), 300)
    wait_steady(qtbot, tabs.tabBar().font)
    assert tabs.tabBar().font().pointSizeF() == base
    assert every_tab_shows(tabs)
    assert titles_are_whole(tabs, qtbot)


def test_narrower_still_the_titles_shrink_and_every_tab_shows(tabs, qtbot):
    base = tabs.font().pointSizeF()
    tabs.resize(int(natural_width(tabs) * 0.72), 300)
    wait_steady(qtbot, tabs.tabBar().font)
    size = tabs.tabBar().font().pointSizeF()
    assert base * MIN_FONT_SCALE <= size < base
    assert every_tab_shows(tabs)
    assert titles_are_whole(tabs, qtbot)
    tabs.resize(natural_width(tabs) + 10, 300)  # and back: the tab widget's font again
    wait_steady(qtbot, tabs.tabBar().font)
    assert tabs.tabBar().font().pointSizeF() == base


def test_much_too_narrow_the_scroll_arrows_come_back_at_the_smallest_font(tabs, qtbot):
    base = tabs.font().pointSizeF()
    tabs.resize(natural_width(tabs) // 2, 300)
    wait_steady(qtbot, tabs.tabBar().font)
    assert tabs.tabBar().font().pointSizeF() == pytest.approx(base * MIN_FONT_SCALE, abs=0.25)
    assert not every_tab_shows(tabs)


def ink_columns(image: QImage, rect) -> np.ndarray:
    """Columns of ``rect`` in ``image`` with dark pixels (title text)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    pixels = rows[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3)
    box = pixels[rect.top() + 3: rect.bottom() - 3, rect.left(): rect.right() + 1]
    return (box.max(axis=2) < 110).any(axis=0)


def titles_are_whole(tabs: QTabWidget, qtbot) -> bool:
    """Each title's text keeps a margin inside its tab: its first and last columns of ink are
    not the tab's edges (before, a squeezed title was clipped at both ends)."""
    bar = tabs.tabBar()
    image = bar.grab().toImage()
    for i in range(bar.count()):
        rect = bar.tabRect(i)
        ink = np.flatnonzero(ink_columns(image, rect))
        if len(ink) == 0 or ink[0] < 3 or ink[-1] > rect.width() - 4:
            return False
        width = QFontMetrics(bar.font()).horizontalAdvance(bar.tabText(i))
        if ink[-1] - ink[0] + 1 < width - 4:  # the whole title was drawn, not a clipped part
            return False
    return True


SCREEN = {"screens": [{"name": "hd", "x": 0, "y": 0, "width": 1920, "height": 1080,
                       "logicalDpiX": 96, "logicalDpiY": 96, "dpr": 1}]}


def test_at_1280_by_800_and_presenting_at_1920_by_1080_every_explanation_tab_shows(tmp_path):
    """The default window, at full size text, then presentation mode on a full-HD screen (the
    offscreen one the other tests use is 800 x 800), in a fresh process: before, "Choose K"
    hid behind the scroll arrows in both."""
    (tmp_path / "screen.json").write_text(json.dumps(SCREEN))
    script = textwrap.dedent("""
        import json
        from PySide6.QtWidgets import QApplication, QToolButton
        app = QApplication([])
        from emviz.gui import MainWindow
        from emviz.gui.style import apply_app_font
        apply_app_font(app)  # as the emviz command does
        w = MainWindow()
        w.resize(1280, 800)  # the default window
        w.show()
        for _ in range(20):
            app.processEvents()
        bar = w.tabs.tabBar()
        arrows = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
        print(json.dumps({"arrows": len(arrows), "font": bar.font().pointSizeF(),
                          "app font": app.font().pointSizeF(), "eliding": bar._eliding}))
        w.actions_by_name["actionPresent"].trigger()
        while not w.presentation.settled:  # (entering takes a few turns of the event loop)
            app.processEvents()
        for _ in range(20):
            app.processEvents()
        bar = w.tabs.tabBar()
        arrows = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
        print(json.dumps({"screen": [w.width(), w.height()], "arrows": len(arrows),
                          "last tab right": bar.tabRect(bar.count() - 1).right(),
                          "bar width": bar.width(), "font": bar.font().pointSizeF(),
                          "app font": app.font().pointSizeF(), "rows": w.tab_rows.isVisible(),
                          "row titles": [b.text() for b in w.tab_rows.buttons],
                          "titles": [w.tabs.tabText(i) for i in range(w.tabs.count())]}))
        w.actions_by_name["actionPresent"].trigger()
        while not w.presentation.settled:  # (leaving takes a few turns of the event loop)
            app.processEvents()
        print(json.dumps({"font after": bar.font().pointSizeF(), "app font": app.font().pointSizeF()}))
        w.close()
    """)
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={tmp_path / 'screen.json'}")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    normal, presenting, after = (json.loads(line) for line in result.stdout.splitlines()[-3:])
    # eight tabs at 1280 x 800: every title whole, in at least MIN_FONT_SCALE of the font
    assert normal["arrows"] == 0 and not normal["eliding"]
    assert normal["font"] >= MIN_FONT_SCALE * normal["app font"]
    assert presenting["screen"] == [1920, 1080]
    if presenting["rows"]:  # too many titles for one row at 18 pt: rows of whole titles
        assert presenting["row titles"] == presenting["titles"]
    else:
        assert presenting["arrows"] == 0 and presenting["last tab right"] < presenting["bar width"]
        assert presenting["font"] >= MIN_FONT_SCALE * presenting["app font"]
    assert after["font after"] == normal["font"]  # back to the normal window's font


def test_titles_that_cannot_fit_at_18_pt_wrap_into_rows_of_whole_titles(window, qtbot):
    """Presenting in a narrow column the titles were elided to "l…" and "…" (unreadable from
    the back of the room): they wrap onto rows of buttons instead, every title whole and at
    18 pt, each switching its page; with the room back, the tab bar comes back."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from emviz.gui.audit import check_clipped, check_font

    w, tabs = window, window.tabs
    w.presentation.set_presenting(True)
    w.splitter.setSizes([200] * w.splitter.count())  # a narrow column
    qtbot.waitUntil(lambda: w.tab_rows.isVisible() and not tabs.tabBar().isVisible())
    buttons = w.tab_rows.buttons
    assert [b.text() for b in buttons] == [tabs.tabText(i) for i in range(tabs.count())]
    rows = {b.y() for b in buttons}
    assert len(rows) >= 2
    for button in buttons:
        assert "…" not in button.text()
        assert QFontMetrics(button.font()).horizontalAdvance(button.text()) < button.width()
        assert w.tab_rows.rect().contains(button.geometry())
        assert check_clipped(button) == [] and check_font(button, presenting=True) == []
    QTest.mouseClick(buttons[-1], Qt.MouseButton.LeftButton)
    assert tabs.currentIndex() == tabs.count() - 1 and buttons[-1].isChecked()
    tabs.setCurrentIndex(0)
    assert buttons[0].isChecked() and not buttons[-1].isChecked()
    w.presentation.set_presenting(False)
    w.splitter.setSizes([100] * (w.splitter.count() - 1) + [1000])  # the column wide
    qtbot.waitUntil(lambda: tabs.tabBar().isVisible() and not w.tab_rows.isVisible())


def test_buttons_replaced_when_a_tab_is_added_leave_the_screen_at_once(qtbot):
    """A tab added while the titles are in rows (the z, r tab, from lesson chapter 5 on)
    rebuilds the buttons; the old ones were only deleteLater'd and stayed on screen, each
    under its successor, until the event loop got round to deleting them: what is on screen
    must not wait for that."""
    from emviz.gui.tab_rows import with_tab_rows

    tabs = QTabWidget()
    tabs.setTabBar(SnugTabBar())
    for title in TITLES:
        tabs.addTab(QWidget(), title)
    holder, rows = with_tab_rows(tabs)
    qtbot.addWidget(holder)
    holder.resize(120, 300)
    holder.show()
    qtbot.waitExposed(holder)
    qtbot.waitUntil(rows.isVisible)
    old = rows.buttons
    tabs.addTab(QWidget(), "z, r")
    rows.sync()
    new = rows.buttons
    assert [b.text() for b in new] == TITLES + ["z, r"]
    assert not any(b.isVisible() for b in old)
    qtbot.waitUntil(lambda: all(b.isVisible() for b in new))  # a layout shows them queued
    shown = [b for b in rows.findChildren(QToolButton) if b.isVisible()]
    assert sorted(shown, key=id) == sorted(new, key=id)


def test_the_explanations_page_gets_its_least_height_when_the_tabs_get_theirs(qtbot):
    """At their least height the tabs give the current page MIN_PAGE_HEIGHT, not 2 px less:
    the pane's frame and margins (4 px in Fusion) were counted as twice the frame width (2),
    and the parameter table under a 198 px page folded away (chapter 11 at 1024 x 768)."""
    from PySide6.QtWidgets import QVBoxLayout

    from emviz.gui.tab_rows import MIN_PAGE_HEIGHT, ExplanationTabs

    def page(minimum: int) -> QWidget:
        page, inside = QWidget(), QWidget()
        inside.setMinimumHeight(minimum)
        QVBoxLayout(page).addWidget(inside)
        return page

    tabs = ExplanationTabs()
    qtbot.addWidget(tabs)
    tabs.addTab(page(68), "short")
    tabs.addTab(page(320), "tall")  # Qt's own least height (the tallest page's) caps nothing
    tabs.show()
    for bar_shown in (True, False):  # hidden: its titles in TabRows, as in the window
        tabs.tabBar().setVisible(bar_shown)
        for index in (0, 1):
            tabs.setCurrentIndex(index)
            tabs.resize(300, tabs.minimumSizeHint().height())
            qtbot.waitUntil(lambda: tabs.height() == tabs.minimumSizeHint().height())
            assert tabs.currentWidget().height() >= MIN_PAGE_HEIGHT, (bar_shown, index)
