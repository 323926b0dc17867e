"""Presentation mode (F11, Esc), the light and dark themes, and the Help menu, driven by keys
and menu actions on a real window."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QFont, QFontMetricsF, QKeySequence, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QStyle,
    QTableWidget,
    QToolBar,
    QWidget,
)

import emviz
from emviz.gui.controls import ADVANCED
from emviz.gui.point_cloud import RASTER_MIN_POINTS, PointCloudItem
from emviz.gui.teaching.kmeans_mode import TITLE_ROW_PX
from emviz.look.appearance import PRESENT_FONT_MIN_PT, Appearance

from .conftest import wait_steady

PRESENT, DARK = Appearance(presenting=True), Appearance("dark")


def press(qtbot, w, key: Qt.Key) -> None:
    """A key that enters or leaves presentation mode, and the change's last step (it runs in
    a few turns of the event loop)."""
    QTest.keyClick(w, key)
    qtbot.waitUntil(lambda: w.presentation.settled)


def tab_page(w, title: str) -> QWidget:
    for i in range(w.tabs.count()):
        if title in (w.tabs.tabText(i), w.tabs.tabToolTip(i)):
            return w.tabs.widget(i)
    raise LookupError(title)


def pen_width(item) -> float:
    return item.opts["pen"].widthF()


def look(w) -> dict:
    """Everything presentation mode changes, as numbers (hidden tabs as they are when shown:
    they take the window's look then)."""
    w.presentation.catch_up()
    pv, bp = w.points_view, w.bound_plot
    inner, outer = pv._ellipses[0]
    formula = w.findChild(QLabel, "eStepFormula") or tab_page(w, "Equations").findChildren(QLabel)[0]
    why = tab_page(w, "Why EM")
    why = why if isinstance(why, pg.PlotWidget) else why.findChild(pg.PlotWidget)
    panel = w.findChild(QScrollArea, "controlScroll")
    form_labels = []
    for name in ADVANCED:
        field = w.findChild(QWidget, name)
        form = field.parentWidget().layout()
        assert isinstance(form, QFormLayout)
        label = form.labelForField(field)
        form_labels.append((field.isHidden(), label.isHidden() if label else None))
    return {
        "app font": QApplication.font().pointSizeF(),
        "window font": w.font().pointSizeF(),
        "status font": w.status.font().pointSizeF(),
        "K spin box font": w.findChild(QWidget, "kSpinBox").font().pointSizeF(),
        "own font (teaching)": formula.font().pointSizeF(),
        "inner ellipse": pen_width(inner),
        "outer ellipse": pen_width(outer),
        "point size": pv.cloud.size,
        "check box (px)": (soft := w.findChild(QCheckBox, "softColorsCheck")).style().pixelMetric(
            QStyle.PixelMetric.PM_IndicatorWidth, None, soft),
        "mean pen": pv.means.opts["pen"].widthF(),
        "mean sizes": tuple(np.round(pv.means.data["size"], 6)),
        "points tick font": pv.getPlotItem().getAxis("left").style["tickFont"].pointSizeF(),
        "points axis title": pv.getPlotItem().getAxis("bottom").labelStyle.get("font-size"),
        "ln p axis title": bp.getPlotItem().getAxis("left").labelStyle.get("font-size"),
        "ln p width": pen_width(bp.log_likelihood),
        "L width": pen_width(bp.lower_bound),
        "ln p symbol": bp.log_likelihood.opts["symbolSize"],
        "legend": tuple(round(v, 3) for v in bp.legend.boundingRect().getRect()),
        "why tick font": why.getPlotItem().getAxis("left").style["tickFont"],
        "why axis title": why.getPlotItem().getAxis("bottom").labelStyle.get("font-size"),
        "advanced hidden (field, label)": tuple(form_labels),
        "panel width range": (panel.minimumWidth(), panel.maximumWidth()),
        "full screen": bool(w.windowState() & Qt.WindowState.WindowFullScreen),
        "maximised": bool(w.windowState() & Qt.WindowState.WindowMaximized),
        "geometry": w.geometry().getRect(),
    }


def why_tick_pt(value) -> float:
    return value.pointSizeF() if value is not None else QApplication.font().pointSizeF()


@pytest.fixture
def shown(window, qtbot):
    """The default window after two iterations, active (keys go to it), placed inside the
    offscreen screen (a window larger than its screen comes back from full screen fitted)."""
    window.setGeometry(40, 60, 700, 560)
    for _ in range(2):
        window.controller.step()
        assert window.controller.wait_idle()
    window.redraw_now()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWindow() is not None)
    return window


def test_f11_enters_presentation_mode_and_f11_again_restores_everything(shown, qtbot):
    w = shown
    before = look(w)
    press(qtbot, w, Qt.Key.Key_F11)
    presenting = look(w)
    assert w.presentation.presenting and w.findChild(QAction, "actionPresent").isChecked()

    # Large fonts everywhere: the application's, widgets that set their own (×1.6), plots'.
    assert presenting["app font"] == presenting["window font"] == presenting["status font"] \
        == presenting["K spin box font"] == PRESENT.font_pt(before["app font"]) >= PRESENT_FONT_MIN_PT
    assert presenting["own font (teaching)"] == pytest.approx(1.6 * before["own font (teaching)"])
    assert presenting["points tick font"] == PRESENT.tick_pt
    assert presenting["points axis title"] == presenting["ln p axis title"] == f"{PRESENT.label_pt:g}pt"
    assert before["ln p axis title"] == "12pt"  # the bound plot's own, put back on leaving
    assert why_tick_pt(presenting["why tick font"]) > why_tick_pt(before["why tick font"])
    # Thick ellipses, larger points and means, thicker curves.
    assert (presenting["inner ellipse"], presenting["outer ellipse"]) == PRESENT.ellipse_widths
    assert min(PRESENT.ellipse_widths) >= 4
    assert presenting["point size"] == PRESENT.point_size > before["point size"]
    assert presenting["mean pen"] == PRESENT.mean_pen_width
    # Check boxes grow with the text beside them (they stayed at 13 px next to 18 pt).
    assert presenting["check box (px)"] == round(before["check box (px)"] * PRESENT.font_scale)
    np.testing.assert_allclose(presenting["mean sizes"], PRESENT.mean_sizes(w.model.current.mixture.weights))
    assert presenting["ln p width"] == presenting["L width"] == PRESENT.curve_width
    assert presenting["ln p symbol"] == PRESENT.curve_symbol_sizes[0]
    # Advanced controls hidden, label and field; full screen.
    assert presenting["advanced hidden (field, label)"] == ((True, True),) * len(ADVANCED)
    assert all(not w.findChild(QWidget, name).isVisible() for name in ADVANCED)
    assert w.findChild(QWidget, "kSpinBox").isVisible()
    assert presenting["full screen"] and w.isFullScreen()

    press(qtbot, w, Qt.Key.Key_F11)
    assert not w.presentation.presenting
    assert look(w) == before
    assert all(w.findChild(QWidget, name).isVisible() for name in ADVANCED)


def test_esc_leaves_presentation_mode_and_a_maximised_window_is_maximised_again(shown, qtbot):
    w = shown
    w.showMaximized()
    qtbot.waitUntil(lambda: w.isMaximized() and w.width() > 700)  # (and at the screen's size)
    before = look(w)
    leave = w.findChild(QAction, "actionLeavePresentation")
    assert not leave.isEnabled()  # Esc means nothing outside presentation mode
    press(qtbot, w, Qt.Key.Key_F11)
    assert w.isFullScreen() and leave.isEnabled()
    press(qtbot, w, Qt.Key.Key_Escape)
    assert not w.presentation.presenting and not w.isFullScreen()
    assert w.isMaximized()
    assert look(w) == before


def test_presentation_mode_keeps_working_and_new_ellipses_are_thick(shown, qtbot):
    """EM steps while presenting, and K = 3 makes a third pair of ellipses with the
    presentation's pens (not the normal ones)."""
    w = shown
    w.presentation.set_presenting(True)
    n = len(w.history)
    QTest.keyClick(w, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: len(w.history) == n + 1 and not w.controller.busy)
    spin = w.findChild(QWidget, "kSpinBox")
    spin.setValue(3)
    qtbot.waitUntil(lambda: w.model.current is not None and w.model.current.mixture.n_components == 3
                    and not w.controller.busy)
    w.redraw_now()
    inner, outer = w.points_view._ellipses[2]
    assert (pen_width(inner), pen_width(outer)) == PRESENT.ellipse_widths
    assert len(w.points_view.means.data) == 3
    w.presentation.set_presenting(False)
    assert (pen_width(inner), pen_width(outer)) == Appearance().ellipse_widths


def test_many_points_are_rasterised_with_larger_dots_when_presenting(qtbot):
    cloud = PointCloudItem()
    rng = np.random.default_rng(0)
    cloud.set_data(rng.normal(size=(RASTER_MIN_POINTS + 1, 2)), None, np.zeros((0, 3), np.uint8))
    assert cloud.raster and cloud.raster_radius() == Appearance().dense_dot_radius == 1
    cloud.set_dot_size(PRESENT.point_size, PRESENT.dense_dot_radius)
    assert cloud.raster_radius() == 2 and cloud._layout_key is None  # laid out again


def test_the_present_action_is_on_the_run_toolbar_and_in_the_view_menu(shown):
    w = shown
    present = w.findChild(QAction, "actionPresent")
    assert present.shortcut() == QKeySequence("F11") and "F11" in present.toolTip()
    assert present in w.findChild(QToolBar, "runToolbar").actions()
    view = next(a.menu() for a in w.menuBar().actions() if a.menu() and a.menu().title() == "&View")
    assert present in view.actions()
    theme_menu = view.findChild(QWidget, "themeMenu")
    assert [a.objectName() for a in theme_menu.actions()] == ["actionThemeLight", "actionThemeDark"]


def test_dark_theme_changes_palette_and_plots_and_light_puts_them_back(shown):
    w = shown
    app_palette = QPalette(QApplication.palette())
    white = w.points_view.backgroundBrush().color().getRgb()[:3]
    assert white == (255, 255, 255)
    w.findChild(QAction, "actionThemeDark").trigger()
    assert w.findChild(QAction, "actionThemeDark").isChecked()
    assert QApplication.palette().color(QPalette.ColorRole.Window).getRgb()[:3] == DARK.palette["Window"]
    assert w.palette().color(QPalette.ColorRole.WindowText).getRgb()[:3] == DARK.palette["WindowText"]
    for plot in (w.points_view, w.bound_plot):
        assert plot.backgroundBrush().color().getRgb()[:3] == DARK.background
        assert plot.getPlotItem().getAxis("left").textPen().color().getRgb()[:3] == DARK.foreground
    assert w.bound_plot.log_likelihood.opts["pen"].color().getRgb()[:3] == DARK.foreground
    assert w.points_view.means.opts["pen"].color().getRgb()[:3] == DARK.foreground
    # Every teaching page is dark too (they were kept light: white glaring blocks on a projector).
    equations = tab_page(w, "Equations")
    assert equations.palette().color(QPalette.ColorRole.Window).lightness() < 60
    assert equations.palette().color(QPalette.ColorRole.WindowText).lightness() > 200

    w.findChild(QAction, "actionThemeLight").trigger()
    assert QApplication.palette() == app_palette
    assert w.points_view.backgroundBrush().color().getRgb()[:3] == (255, 255, 255)
    assert w.bound_plot.log_likelihood.opts["pen"].color().getRgb()[:3] == (0, 0, 0)
    assert not equations.testAttribute(Qt.WidgetAttribute.WA_SetPalette)  # inherits again


def test_closing_a_presenting_dark_window_leaves_the_application_as_it_was(qtbot):
    from emviz.gui import MainWindow

    font, palette, style = QFont_copy(), QPalette(QApplication.palette()), QApplication.style().name()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.presentation.set_theme("dark")
    w.presentation.set_presenting(True)
    assert QApplication.font().pointSizeF() >= PRESENT_FONT_MIN_PT
    w.close()
    assert QApplication.font() == font
    assert QApplication.palette() == palette
    assert QApplication.style().name() == style


def QFont_copy():  # noqa: N802 (reads as the type it returns)
    from PySide6.QtGui import QFont

    return QFont(QApplication.font())


def open_dialog(qtbot, w, action_name: str, kind, name: str):
    w.findChild(QAction, action_name).trigger()
    def shown_dialogs():
        return [d for d in QApplication.topLevelWidgets()
                if isinstance(d, kind) and d.objectName() == name and d.isVisible()]
    qtbot.waitUntil(lambda: len(shown_dialogs()) == 1)
    return shown_dialogs()[0]


def test_keyboard_shortcuts_dialog_lists_every_action_with_keys(shown, qtbot):
    w = shown
    dialog = open_dialog(qtbot, w, "actionShortcuts", QDialog, "shortcutsDialog")
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    rows = {(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())}
    native = QKeySequence.SequenceFormat.NativeText
    expected = {(a.text().replace("&", ""), ", ".join(k.toString(native) for k in a.shortcuts()))
                for a in w.findChildren(QAction) if a.shortcuts()}
    assert rows == expected
    assert len(rows) == table.rowCount()  # each action once
    keys = {k for _, k in rows}
    for shortcut in ("E", "M", "Space", "F11", "Esc", "Ctrl+O", "Ctrl+Shift+Z"):
        assert QKeySequence(shortcut).toString(native) in keys, shortcut
    assert ("E-step", "E") in rows and ("Present", "F11") in rows
    dialog.close()


def test_about_box_shows_the_version_and_credits(shown, qtbot):
    box = open_dialog(qtbot, shown, "actionAbout", QMessageBox, "aboutBox")
    text = box.text()
    assert f"emviz {emviz.__version__}" in text
    assert f"Qt {qVersion()}" in text and f"pyqtgraph {pg.__version__}" in text
    assert f"numpy {np.__version__}" in text
    assert "Old Faithful" in text and "Härdle 1991" in text and "Bishop" in text
    box.close()


def test_help_lesson_is_disabled_without_a_lesson_and_opens_it_when_there_is_one(shown):
    w = shown
    help_menu = next(a.menu() for a in w.menuBar().actions() if a.menu() and a.menu().title() == "&Help")
    lesson = w.findChild(QAction, "actionHelpLesson")
    assert lesson in help_menu.actions()
    if "actionLesson" not in w.actions_by_name:
        help_menu.aboutToShow.emit()
        assert not lesson.isEnabled()
        target = QAction("Lesson", w)
        target.setShortcut(QKeySequence("F1"))
        w.actions_by_name["actionLesson"] = target
    target = w.actions_by_name["actionLesson"]
    fired = []
    target.triggered.connect(lambda *_: fired.append(True))
    help_menu.aboutToShow.emit()
    assert lesson.isEnabled()
    keys = target.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert lesson.text() == (f"Lesson\t{keys}" if keys else "Lesson")
    assert lesson.shortcut().isEmpty()  # shows the lesson's keys without taking them
    lesson.trigger()
    assert fired == [True]


def text_contrast(widget) -> float:
    """The contrast between a widget's background (its commonest colour) and its text (the
    colour farthest from it), from a grab of its parent where it is (with the parent's
    background under it, as on screen)."""
    from collections import Counter

    from emviz.look.appearance import contrast_ratio

    image = widget.parentWidget().grab(widget.geometry()).toImage()
    colours = Counter(image.pixelColor(x, y).getRgb()[:3]
                      for x in range(0, image.width(), 2) for y in range(image.height()))
    background = colours.most_common(1)[0][0]
    return max(contrast_ratio(c, background) for c in colours)


def test_the_autosave_bar_stays_readable_in_the_dark_theme(shown, qtbot):
    """The bar has a light yellow background of its own: its text must not take the dark
    theme's light text colour."""
    from emviz.gui.autosave import RestoreBar

    w = shown
    w.presentation.set_theme("dark")
    bar = RestoreBar("emviz did not close properly last time", can_restore=True)
    qtbot.addWidget(bar)
    bar.show()
    qtbot.waitExposed(bar)
    assert text_contrast(bar.label) >= 7.0


def test_the_lesson_band_grows_and_its_text_reads_large_when_presenting(shown, qtbot):
    """With the lesson open, presentation mode scales its text too (it was fitted back down
    to 12 pt) and gives the band the room; the large title no longer runs over the summary."""
    from emviz.gui.lesson_panel import MIN_BODY_PT

    w = shown
    w.setGeometry(0, 0, 800, 800)
    lesson = w.lesson
    w.actions_by_name["actionLesson"].trigger()
    lesson.go(8)  # a long chapter: "EM climbs a lower bound"
    qtbot.waitUntil(lambda: lesson.isVisible() and lesson.text.viewport().height() > 0)

    def state():
        return lesson.height(), lesson.summary.isVisible(), lesson.text.font().pointSizeF()

    def title_above_text() -> bool:
        text_bottom = lesson.text.mapTo(lesson.head.parentWidget(), lesson.text.rect().bottomLeft())
        return lesson.title.geometry().bottom() < text_bottom.y()

    before = wait_steady(qtbot, state)
    press(qtbot, w, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: lesson.text.font().pointSizeF() >= PRESENT.font_scale * MIN_BODY_PT
                    and not lesson.summary.isVisible())
    # (The band's share of the screen is not asserted: the offscreen screen is 800 px high.)
    wait_steady(qtbot, state)
    assert title_above_text()
    press(qtbot, w, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: state()[1:] == before[1:])
    assert abs(wait_steady(qtbot, state)[0] - before[0]) <= 2  # the dock layout rounds by a pixel


def on_screen_contrast(w, widget) -> float:
    """As text_contrast, from a grab of the whole window (the colours really under the text)."""
    from collections import Counter

    from emviz.look.appearance import contrast_ratio

    rect = widget.rect().translated(widget.mapTo(w, widget.rect().topLeft()))
    image = w.grab(rect).toImage()
    colours = Counter(image.pixelColor(x, y).getRgb()[:3]
                      for x in range(0, image.width(), 2) for y in range(image.height()))
    background = colours.most_common(1)[0][0]
    return max(contrast_ratio(c, background) for c in colours)


def test_the_lesson_stays_readable_in_the_dark_theme(shown, qtbot):
    """The lesson band keeps its light page in the dark theme, painted, not just named: its
    dark text had the dark dock's background under it."""
    w = shown
    w.actions_by_name["actionLesson"].trigger()
    qtbot.waitUntil(lambda: w.lesson.isVisible())
    w.presentation.set_theme("dark")
    for widget in (w.lesson.title, w.lesson.position):  # (once the dark palette has reached it)
        qtbot.waitUntil(lambda widget=widget: on_screen_contrast(w, widget) >= 7.0)
    w.presentation.set_theme("light")
    assert not w.lesson.widget().autoFillBackground()  # as it was


def title_pt(widget: pg.PlotWidget) -> float:
    return float(widget.getPlotItem().titleLabel.opts["size"].removesuffix("pt"))


def title_fits(widget: pg.PlotWidget) -> bool:
    """The title row is as tall as the title's lines at its size (not cut at the top)."""
    plot = widget.getPlotItem()
    font = QFont(QApplication.font())
    font.setPointSizeF(title_pt(widget))
    lines = plot.titleLabel.text.count("<br>") + 1
    return plot.layout.rowMaximumHeight(0) >= lines * QFontMetricsF(font).height()


def test_titles_set_while_presenting_keep_the_presentation_size(shown, qtbot):
    """The Why tab, the k-means view and the points view beside it retitle themselves as the
    runs go on; before, each new title came back at 12 pt in the middle of presentation mode,
    and a title of two lines was cut at the top. The k-means view presents as the points view
    does (larger dots and stars)."""
    w = shown
    why = tab_page(w, "Why EM")
    why = why if isinstance(why, pg.PlotWidget) else why.findChild(pg.PlotWidget)
    w.tabs.setCurrentWidget(tab_page(w, "Why EM"))
    w.actions_by_name["actionKMeansMode"].trigger()
    kmeans = w.findChild(pg.PlotWidget, "kmeansView")
    views = {"why": why, "k-means": kmeans, "points": w.points_view}
    w.redraw_now()

    def look_at() -> dict:
        return {name: (title_pt(view), view.getPlotItem().layout.rowMaximumHeight(0))
                for name, view in views.items()}

    normal = look_at()
    normal_stars = kmeans.centers.opts["size"]
    w.presentation.set_presenting(True)
    scale = w.presentation.appearance.font_scale
    assert scale > 1.2
    n = len(w.history)
    for key, phase in ((Qt.Key.Key_E, "E"), (Qt.Key.Key_M, "M")):  # every view retitles
        QTest.keyClick(w, key)
        qtbot.waitUntil(lambda p=phase: w.model.current.phase == p and not w.controller.busy)
    assert len(w.history) == n + 2
    w.actions_by_name["actionKMeansStep"].trigger()
    w.redraw_now()
    qtbot.waitUntil(lambda: "M-step" in why.getPlotItem().titleLabel.text)
    assert title_pt(why) == pytest.approx(normal["why"][0] * scale)
    assert title_pt(kmeans) == title_pt(w.points_view) == PRESENT.title_pt
    assert all(title_fits(view) for view in views.values()), look_at()
    assert kmeans.cloud.size == w.points_view.cloud.size == PRESENT.point_size
    assert kmeans.centers.opts["size"] > normal_stars
    w.presentation.set_presenting(False)
    # The titles back at the normal size, in rows of as many lines as the split view's titles
    # have now (laid out for the views' widths: the k-means title has J = … now).
    def split_row() -> tuple[float, int]:
        lines = max(v.getPlotItem().titleLabel.text.count("<br>") + 1 for v in (kmeans, w.points_view))
        return normal["k-means"][0], TITLE_ROW_PX * lines

    qtbot.waitUntil(lambda: look_at() == {**normal, "k-means": split_row(), "points": split_row()})
    assert kmeans.centers.opts["size"] == normal_stars
    w.actions_by_name["actionKMeansMode"].trigger()


def test_leaving_presentation_gives_the_window_back_its_size(shown, qtbot):
    """The window comes back as it was, not as wide as the presenting window's minimum (the
    bars and views were still laid out in the large fonts when it left full screen: 875 px
    instead of 760) and with the lesson's band as high as before."""
    w = shown
    w.setGeometry(10, 40, 760, 700)  # inside the 800 x 800 offscreen screen, frame included
    w.actions_by_name["actionLesson"].trigger()
    qtbot.waitUntil(w.lesson.isVisible)

    def state():
        return w.geometry().getRect(), w.lesson.height()

    before = wait_steady(qtbot, state)
    press(qtbot, w, Qt.Key.Key_F11)
    qtbot.waitUntil(w.isFullScreen)
    wait_steady(qtbot, state)
    press(qtbot, w, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not w.isFullScreen())
    assert wait_steady(qtbot, state) == before


def test_the_control_panel_is_as_wide_whatever_its_choice_boxes_cached(shown, qtbot):
    """Presenting, each choice box is as wide as its longest choice in the large font; the
    width came from the box's minimumSizeHint, which Qt caches and a font change does not
    clear: a hint asked for before presenting (as a layout may, or not, by then) left the
    box and the whole control panel 45 px narrower. (No box wider than its share of the
    screen: past it, it elides.)"""
    from PySide6.QtWidgets import QComboBox

    from emviz.gui.controls import PRESENT_COMBO_SHARE

    w = shown
    combos = w.controls.findChildren(QComboBox)
    for combo in combos:
        combo.minimumSizeHint()  # cached in the normal font
    press(qtbot, w, Qt.Key.Key_F11)
    qtbot.waitUntil(w.isFullScreen)
    for combo in combos:
        metrics = combo.fontMetrics()
        longest = max(metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
        fresh = QComboBox()
        fresh.setFont(combo.font())
        fresh.addItem(combo.itemText(0))
        arrow = fresh.sizeHint().width() - metrics.horizontalAdvance(combo.itemText(0))
        room = int(PRESENT_COMBO_SHARE * w.screen().availableGeometry().width())
        assert combo.minimumWidth() >= min(longest + arrow, room), combo.objectName()
        assert combo.minimumWidth() <= room, combo.objectName()


def test_choice_boxes_take_back_their_window_size_after_presenting(shown, qtbot):
    """Back in the window, each choice box asks for the room of its COMBO_CHARS characters in
    the window's font, as a new box would: Qt's cached hint kept the presenting font's size
    and the boxes ran past the control panel's right edge."""
    from PySide6.QtWidgets import QComboBox

    w = shown
    combos = w.controls.findChildren(QComboBox)
    press(qtbot, w, Qt.Key.Key_F11)
    qtbot.waitUntil(w.isFullScreen)
    for combo in combos:
        combo.minimumSizeHint()  # cached in the presenting font
    press(qtbot, w, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not w.isFullScreen())
    for combo in combos:
        fresh = QComboBox()
        fresh.setFont(combo.font())
        fresh.setSizeAdjustPolicy(combo.sizeAdjustPolicy())
        fresh.setMinimumContentsLength(combo.minimumContentsLength())
        for i in range(combo.count()):
            fresh.addItem(combo.itemText(i))
        assert abs(combo.minimumSizeHint().width() - fresh.minimumSizeHint().width()) <= 4, \
            combo.objectName()


def test_presenting_sizes_the_check_boxes_without_a_new_application_style(shown, qtbot):
    """A new application style polishes every widget again and a style with a Python
    pixelMetric is asked by every widget's layout: the application keeps its style, and only
    the window's check boxes and radio buttons take one with larger indicators."""
    w = shown
    soft = w.findChild(QCheckBox, "softColorsCheck")
    metric = QStyle.PixelMetric.PM_IndicatorWidth
    app_style, normal = QApplication.style(), soft.style().pixelMetric(metric, None, soft)
    w.presentation.set_presenting(True)
    assert QApplication.style() is app_style
    assert soft.style() is not app_style
    assert soft.style().pixelMetric(metric, None, soft) > normal
    w.presentation.set_presenting(False)
    assert QApplication.style() is app_style and soft.style() is app_style


def test_presenting_the_status_line_shows_ln_p_l_and_kl_whole(shown, qtbot):
    """At 18 pt the whole status line ("N = 272 · iteration 2, after M-step · ln p(X | θ) = …")
    was elided before its last numbers: the class never read KL. A shorter form that fits is
    shown instead; the whole line stays in the tooltip."""
    w = shown
    press(qtbot, w, Qt.Key.Key_F11)
    qtbot.waitUntil(w.isFullScreen)
    state = w.model.current
    wait_steady(qtbot, lambda: w.status.text())
    text = w.status.text()
    assert "…" not in text, text
    for number in (state.log_likelihood, state.lower_bound, state.gap):
        assert f"{number:.3f}" in text, text
    assert "ln p" in text and "L" in text and "KL" in text
    assert w.status.toolTip() == w.status.full_text
    press(qtbot, w, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not w.isFullScreen())


def test_f11_restyles_on_turns_of_its_own_paints_on_the_last_and_ends_as_one_call(shown, qtbot):
    """F11 changes the window in steps, each on a turn of the event loop of its own (one turn
    did it all: 130-400 ms at 10⁶ points): the application's font first, then its palette,
    then the widgets; the window is laid out once, when the whole look is applied, and made
    full screen then; it is not painted before the last step. The window it ends with is
    the one a single call makes, and F11 again gives back the one before."""
    w = shown
    before = look(w)
    panel = w.findChild(QScrollArea, "controlScroll")
    QTest.keyClick(w, Qt.Key.Key_F11)
    assert w.presentation.presenting and not w.presentation.settled
    seen = []  # (steps left, painting, app font, full screen, the panel's width): each turn
    while not w.presentation.settled:
        seen.append((w.presentation.steps_left, w.updatesEnabled(), QApplication.font().pointSizeF(),
                     w.isFullScreen(), panel.width()))
        QApplication.processEvents()
    steps = [left for left, *_ in seen]
    assert sorted(set(steps), reverse=True) == [3, 2, 1]
    assert all(a - b in (0, 1) for a, b in zip(steps, steps[1:], strict=False))  # one a turn
    assert not any(painting for _, painting, *_ in seen)  # no half-changed screen is painted
    assert w.updatesEnabled()
    assert {pt for _, _, pt, *_ in seen} == {PRESENT.font_pt(before["app font"])}  # font first
    assert not any(full for left, _, _, full, _ in seen if left > 1)  # full screen: restyled
    restyling = {width for left, *_, width in seen if left > 1}
    assert restyling == {seen[0][-1]}  # not laid out before the whole look is applied
    in_turns = look(w)
    press(qtbot, w, Qt.Key.Key_F11)
    assert look(w) == before and w.updatesEnabled()
    w.presentation.set_presenting(True)  # in one call

    def same(x: dict, y: dict) -> bool:
        # (not where the window is: the offscreen screen, 800 px wide, is narrower than the
        # presenting window's minimum, which moves it, in both ways alike but not at once)
        return all(x[key] == y[key] for key in x if key not in ("geometry", "full screen"))
    qtbot.waitUntil(lambda: same(look(w), in_turns))
    w.presentation.set_presenting(False)


def test_a_view_built_while_f11_restyles_takes_the_presenting_look_once(shown, qtbot):
    """A tab's view built between the steps of entering presentation mode (its first show)
    takes the look the change ends with, at its end: its plot text scaled once, as in a
    view built after it (scaled by the step and again as it was built, the Why plot's axis
    title was 30.7 pt, and 19.2 pt, the presenting size, after leaving)."""
    w = shown
    QTest.keyClick(w, Qt.Key.Key_F11)
    assert not w.presentation.settled
    w.feature("why")  # built now, between two steps
    qtbot.waitUntil(lambda: w.presentation.settled)
    presenting = look(w)
    press(qtbot, w, Qt.Key.Key_F11)
    after = look(w)
    assert after["why axis title"] == "12pt"  # as it is built
    assert presenting["why axis title"] == f"{12 * PRESENT.font_scale:g}pt"
    assert why_tick_pt(presenting["why tick font"]) == max(PRESENT_FONT_MIN_PT, PRESENT.font_scale
                                                           * why_tick_pt(after["why tick font"]))


def test_f11_twice_before_the_window_is_painted_ends_where_it_started(shown, qtbot):
    w = shown
    before = look(w)
    QTest.keyClick(w, Qt.Key.Key_F11)
    QTest.keyClick(w, Qt.Key.Key_F11)  # before the first change's last step
    qtbot.waitUntil(lambda: w.presentation.settled)
    assert not w.presentation.presenting and not w.findChild(QAction, "actionPresent").isChecked()
    assert look(w) == before and w.updatesEnabled()


def test_f11_during_play_presents_and_play_goes_on(shown, qtbot):
    w = shown
    play = w.actions_by_name["actionPlay"]
    play.trigger()
    qtbot.waitUntil(lambda: w.controller.playing)
    press(qtbot, w, Qt.Key.Key_F11)
    assert w.presentation.presenting and w.isFullScreen() and w.controller.playing
    n = len(w.history)
    qtbot.waitUntil(lambda: len(w.history) > n + 1)  # EM goes on while presenting
    press(qtbot, w, Qt.Key.Key_F11)
    assert not w.presentation.presenting and not w.isFullScreen()
    n = len(w.history)
    qtbot.waitUntil(lambda: len(w.history) > n + 1 or not w.controller.playing)
    play.trigger()
    qtbot.waitUntil(lambda: not w.controller.playing and not w.controller.busy)
    w.redraw_now()
    inner, outer = w.points_view._ellipses[0]
    assert (pen_width(inner), pen_width(outer)) == Appearance().ellipse_widths

