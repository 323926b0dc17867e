"""The Lesson panel: every chapter's "Try it" sets the state its file says (data, K, seed,
the EM iterations, the tab, the teaching views), Back / Next, and what is remembered across
runs (QSettings go to a temporary folder: tests/gui/conftest.py)."""

from __future__ import annotations

from itertools import islice

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QPushButton

from emviz.core import BUILTIN_DATASETS, load_builtin, old_faithful
from emviz.gui import MainWindow, lesson_panel
from emviz.gui.controls import REG_COVAR_CHOICES
from emviz.gui.dock_title import drawn_title_rows, text_rows
from emviz.session.lesson import TOGGLES
from emviz.session.runs import fresh_run

from .conftest import wait_steady


def button(w, name: str) -> QPushButton:
    found = w.lesson.findChild(QPushButton, name)
    assert found is not None, name
    return found


def click(qtbot, w, name: str) -> None:
    qtbot.mouseClick(button(w, name), Qt.MouseButton.LeftButton)


def expected_history(chapter) -> list:
    """The half-steps the chapter's run should have recorded, from the numeric core."""
    X = load_builtin(chapter.dataset, seed=chapter.seed).X
    return list(islice(fresh_run(X, chapter.settings), 1 + 2 * chapter.steps))


def switched_on(w) -> set[str]:
    """Which of the lesson's toggles the window shows, read from the window itself."""
    a, m = w.actions_by_name, w.model
    state = {
        "true mixture": w.controls.true_mixture.isChecked() and m.options.show_true_mixture,
        "oracle labels": a["actionShowOracle"].isChecked() and m.options.show_oracle,
        "oracle fit": a["actionFitOracle"].isChecked() and w.findChild(object, "oracleFeature").fit
        is not None,
        "k-means": a["actionKMeansMode"].isChecked() and w.feature("kmeans_mode").view.isVisible(),
        "hard colours": not w.controls.soft.isChecked() and not m.options.soft_colors,
        "gallery": w.feature("gallery").isVisible(),
        "sample": w.feature("sample_mode").dialog is not None and w.feature("sample_mode").dialog.isVisible(),
        "z beside r": a["actionZBesideR"].isChecked()
        and w.tabs.indexOf(w.feature("z_beside_r")) >= 0,
        "density": a["actionDensity"].isChecked() and m.options.show_density,
    }
    assert set(state) == set(TOGGLES)
    return {name for name, on in state.items() if on}


@pytest.fixture
def lesson(window):
    window.lesson.show()
    window.resize(1600, 900)
    return window


def test_try_it_sets_each_chapters_state_in_turn(qtbot, lesson):
    """A teacher's walk through the whole lesson: Next, then Try it, chapter after chapter.
    Each state is the chapter's own (what the previous one switched on is off again)."""
    w = lesson
    chapters = w.lesson.chapters
    assert len(chapters) == 12
    for i, chapter in enumerate(chapters):
        if i:
            click(qtbot, w, "lessonNext")
        assert w.lesson.index == i and w.lesson.title.text() == chapter.title
        undo_count = w.editor.stack.count()
        click(qtbot, w, "lessonTry")
        expected = expected_history(chapter)
        n = len(expected)
        qtbot.waitUntil(lambda: len(w.history) == n and not w.controller.busy  # noqa: B023
                        and not w.feature("gallery").running, timeout=20_000)
        w.redraw_now()  # the control panel shows the model's settings
        where = f"chapter {i + 1} ({chapter.slug})"
        data = load_builtin(chapter.dataset, seed=chapter.seed)
        assert w.model.dataset_name == BUILTIN_DATASETS[chapter.dataset][0], where
        np.testing.assert_array_equal(w.points, data.X, err_msg=where)
        assert w.model.settings == chapter.settings, where
        assert chapter.reg_covar in REG_COVAR_CHOICES, where  # the control panel can show it
        assert w.controls.k.value() == chapter.k and w.controls.seed.value() == chapter.seed, where
        assert [s.iteration for s in w.history] == [s.iteration for s in expected], where
        assert w.history[-1].log_likelihood == pytest.approx(expected[-1].log_likelihood), where
        assert chapter.tab in (w.tabs.tabText(w.tabs.currentIndex()),
                               w.tabs.tabToolTip(w.tabs.currentIndex())), where
        assert switched_on(w) == set(chapter.show), where
        assert w.model.selected_point == (None if chapter.point is None else chapter.point - 1), where
        assert w.editor.stack.count() == undo_count + 1, where  # one undoable step
        assert not w.controller.playing, where
    assert not button(w, "lessonNext").isEnabled()
    if w.feature("sample_mode").dialog is not None:
        w.feature("sample_mode").dialog.close()


def test_try_it_is_one_undo_step(qtbot, lesson):
    w = lesson
    w.lesson.go(9)  # local optima: other data
    click(qtbot, w, "lessonTry")
    qtbot.waitUntil(lambda: len(w.history) > 1 and not w.controller.busy, timeout=20_000)
    assert w.model.dataset_name == "Well separated blobs"
    w.actions_by_name["actionUndo"].trigger()
    qtbot.waitUntil(lambda: not w.controller.busy, timeout=20_000)
    np.testing.assert_array_equal(w.points, old_faithful().X)


def test_try_it_while_em_plays_stops_and_sets_up_the_chapter(qtbot, lesson):
    w = lesson
    w.controls.speed.setValue(0)
    w.actions_by_name["actionPlay"].trigger()
    assert w.controller.playing
    w.lesson.go(6)  # soft labels: 5 iterations
    click(qtbot, w, "lessonTry")
    qtbot.waitUntil(lambda: len(w.history) == 11 and not w.controller.busy, timeout=20_000)
    assert not w.controller.playing and w.history[-1].iteration == 5


def test_next_and_back_walk_the_chapters_and_stop_at_the_ends(qtbot, lesson):
    w = lesson
    n = len(w.lesson.chapters)
    assert w.lesson.index == 0 and w.lesson.position.text() == f"Chapter 1 of {n}"
    assert not button(w, "lessonBack").isEnabled() and button(w, "lessonNext").isEnabled()
    for i in range(1, n):
        click(qtbot, w, "lessonNext")
        assert w.lesson.position.text() == f"Chapter {i + 1} of {n}"
        assert w.lesson.text.toPlainText().startswith(w.lesson.chapters[i].body.split()[0])
    assert not button(w, "lessonNext").isEnabled() and button(w, "lessonBack").isEnabled()
    click(qtbot, w, "lessonNext")  # disabled: nothing happens
    assert w.lesson.index == n - 1
    click(qtbot, w, "lessonBack")
    assert w.lesson.index == n - 2
    assert len(w.history) == 1  # reading never changes the run; only Try it does


def test_the_chapter_is_remembered_in_a_new_window(qtbot, lesson):
    for _ in range(4):
        click(qtbot, lesson, "lessonNext")
    assert lesson_panel.lesson_settings().value(lesson_panel.CHAPTER_KEY) == "05-latent-variables"
    other = MainWindow()
    qtbot.addWidget(other)
    assert other.lesson.index == 4 and other.lesson.title.text() == "The hidden labels z_nk"
    other.close()


def test_a_chapter_that_no_longer_exists_opens_the_first(qtbot):
    lesson_panel.lesson_settings().setValue(lesson_panel.CHAPTER_KEY, "99-gone")
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.lesson.index == 0
    w.close()


def open_window(qtbot) -> MainWindow:
    """A new window, shown and idle (as the ``window`` fixture's), so that keys reach it."""
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.controller.wait_idle()
    qtbot.waitUntil(lambda: len(w.history) == 1 and w.focusWidget() is not None, timeout=20_000)
    return w


def test_the_dock_is_hidden_in_scripts_and_opens_on_the_first_interactive_run(qtbot):
    """``emviz --screenshot`` and tests never call restore_visibility: the default layout. The
    program does: the dock opens on the first run, then as the user left it (F1 toggles)."""
    w = open_window(qtbot)
    dock = w.findChild(QDockWidget, "lessonDock")
    assert dock is w.lesson and dock.isHidden()
    assert w.actions_by_name["actionLesson"] in w.teach_toolbar.actions()
    w.lesson.restore_visibility()  # first run: nothing remembered
    assert dock.isVisible() and w.actions_by_name["actionLesson"].isChecked()
    qtbot.keyClick(w, Qt.Key.Key_F1)
    assert dock.isHidden() and not w.actions_by_name["actionLesson"].isChecked()
    w.close()  # closing the window is no choice to hide or show the lesson
    again = open_window(qtbot)
    again.lesson.restore_visibility()
    assert again.lesson.isHidden()
    qtbot.keyClick(again, Qt.Key.Key_F1)
    assert again.lesson.isVisible()
    again.close()
    third = open_window(qtbot)
    assert third.lesson.isHidden()  # a script or a screenshot
    third.lesson.restore_visibility()
    assert third.lesson.isVisible()
    third.close()


def test_the_shortcut_is_f1_and_named_in_the_tooltip(window):
    action = window.actions_by_name["actionLesson"]
    assert action.shortcut().toString() == "F1" and "(F1)" in action.toolTip()
    others = [a for a in window.findChildren(type(action)) if a is not action
              and a.shortcut().toString() == "F1"]
    assert others == []


def test_the_dock_is_a_band_below_by_default_and_remembers_where_it_was_put(qtbot, lesson):
    w = lesson
    assert w.dockWidgetArea(w.lesson) == Qt.DockWidgetArea.BottomDockWidgetArea and w.lesson.band
    w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, w.lesson)
    assert not w.lesson.band
    assert lesson_panel.lesson_settings().value(lesson_panel.AREA_KEY) == "right"
    other = MainWindow()
    qtbot.addWidget(other)
    assert other.dockWidgetArea(other.lesson) == Qt.DockWidgetArea.RightDockWidgetArea
    assert not other.lesson.band
    other.close()


@pytest.mark.parametrize("size, smallest", [((1600, 900), lesson_panel.BODY_PT),
                                             ((1280, 800), lesson_panel.MIN_BODY_PT)])
def test_every_chapter_fits_the_band_without_scrolling(qtbot, lesson, size, smallest):
    """At the screenshots' size the text keeps its full size; at 1280 x 800 (the smallest
    window docs/teaching.md asks for) it shrinks, but to no less than MIN_BODY_PT."""
    w = lesson
    w.resize(*size)
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.lesson.text.width() > size[0] // 2)  # the band has its new width
    for i, chapter in enumerate(w.lesson.chapters):
        w.lesson.go(i)
        text = w.lesson.text
        wait_steady(qtbot, lambda text=text: (text.verticalScrollBar().maximum(),  # settled
                                              text.font().pointSizeF(), w.lesson.next_step.height()))
        assert text.verticalScrollBar().maximum() == 0, (size, chapter.slug)
        assert text.font().pointSizeF() >= smallest, (size, chapter.slug)
        next_step = w.lesson.next_step
        assert next_step.height() >= next_step.heightForWidth(next_step.width()), chapter.slug


def test_a_broken_chapter_file_is_reported_in_the_panel_and_the_window_works(qtbot, monkeypatch):
    def broken():
        raise ValueError("lesson/03-kmeans.md, line 4: k must be a whole number from 1 to 20, "
                         "got 'two'")

    monkeypatch.setattr(lesson_panel, "load_chapters", broken)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert "lesson/03-kmeans.md, line 4" in w.lesson.text.toPlainText()
    assert not any(button(w, name).isEnabled() for name in ("lessonBack", "lessonTry", "lessonNext"))
    assert w.controller.wait_idle() and len(w.history) == 1  # the window opened as usual
    w.close()


def test_opening_a_window_writes_no_settings(qtbot, tmp_path):
    """Scripts and ``--screenshot`` leave the user's settings as they were."""
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.controller.wait_idle()
    w.close()
    assert lesson_panel.lesson_settings().allKeys() == []


def test_until_try_it_the_lesson_says_to_press_it(qtbot, lesson):
    """The first start shows chapter 1 over Old Faithful at K = 2, while its text speaks of
    three Gaussians' dashed ellipses and the Sample window: what to click next is Try it."""
    w = lesson
    assert w.lesson.index == 0 and w.model.settings.k == 2
    box = w.lesson.next_step
    assert box.isVisible() and "Try it" in box.text()
    assert "Sample window" not in box.text()  # not the chapter's own next step yet
    click(qtbot, w, "lessonTry")
    qtbot.waitUntil(lambda: w.model.settings.k == 3 and not w.controller.busy, timeout=20_000)
    assert "Try it" not in box.text() and "Sample window" in box.text()
    click(qtbot, w, "lessonNext")
    assert "Try it" in box.text()  # chapter 2's picture is not on screen either
    click(qtbot, w, "lessonBack")
    assert "Try it" in box.text()
    first = w.lesson.chapters[0].body
    assert "Try it" in first.split("dashed")[0]  # the text, too, says where its picture is


def test_the_lesson_is_dark_in_the_dark_theme(window, qtbot):
    """No light block in the dark theme: the lesson's page follows the dark palette and its
    "What to click next" box is deep amber with white text, readable at 7:1 or more."""
    from emviz.gui.audit import check_contrast, check_light_blocks

    window.lesson.show()
    window.presentation.set_theme("dark")
    qtbot.waitUntil(window.lesson.next_step.isVisible)
    blocks = [f.where for f in check_light_blocks(window)]
    assert not [w for w in blocks if "lesson" in w], blocks
    assert check_contrast(window.lesson.next_step, presenting=True) == []
    window.presentation.set_theme("light")
    assert "#000" in window.lesson.next_step.styleSheet()


def test_at_1024_px_the_band_has_two_columns_and_the_window_fits_a_1024_x_768_screen(qtbot, lesson):
    """At 1024 x 768 with chapter 3 tried (k-means beside EM) the band's three columns gave
    the title 200 px and the box 260 (seven lines): the window needed 829 px, more than its
    screen. Under TWO_COLUMNS_BELOW the title is over the text, the box and the buttons
    beside them, and the window's least height leaves room for a title bar and a taskbar."""
    w = lesson
    w.resize(1024, 768)
    w.lesson.go(2)
    click(qtbot, w, "lessonTry")
    qtbot.waitUntil(lambda: w.feature("kmeans_mode").view.isVisible() and not w.controller.busy)
    body = w.lesson.widget()
    qtbot.waitUntil(lambda: body.width() < lesson_panel.TWO_COLUMNS_BELOW)
    title, text, box = w.lesson.title, w.lesson.text, w.lesson.next_step
    wait_steady(qtbot, lambda: (w.minimumSizeHint(), text.geometry(), box.geometry()))
    below = text.mapTo(body, text.rect().topLeft()).y()
    assert below >= title.mapTo(body, title.rect().bottomLeft()).y()  # the text under the title
    assert box.mapTo(body, box.rect().topLeft()).x() >= text.mapTo(body, text.rect().topRight()).x()
    assert box.height() >= box.heightForWidth(box.width())  # the whole box
    assert w.minimumSizeHint().height() <= 700



def test_the_docks_own_title_is_drawn_in_its_font_and_presenting_at_18_pt(qtbot, lesson):
    """Presenting, the dock's title ("Lesson · Chapter 1 of 12", the only place of the chapter's
    number) was drawn in the font the dock was made with (13 rows of ink in its 30 px strip,
    24 at 18 pt), not in its own 18 pt: QDockWidget keeps the title's font from its construction
    and draws with it whenever the dock's font is the application's. Measured as drawn, in
    the window's font and presenting, and back."""
    w = lesson
    dock = w.lesson
    for presenting in (False, True, False):
        w.presentation.set_presenting(presenting)
        qtbot.waitUntil(lambda presenting=presenting: w.isFullScreen() == presenting)
        wait_steady(qtbot, lambda: (dock.geometry(), dock.widget().geometry(), dock.font()))
        assert dock.titleBarWidget() is None  # Qt's own title bar, float and close buttons
        if presenting:
            assert dock.font().pointSizeF() >= lesson_panel.PRESENT_MIN_PT
        wanted = text_rows(dock.font(), dock.windowTitle())
        assert abs(drawn_title_rows(dock) - wanted) <= 1, (presenting, wanted)


HELD_PAST_SCRIPT = """
import json
from PySide6.QtWidgets import QApplication
app = QApplication([])
from emviz.gui import MainWindow
from emviz.gui.style import apply_app_font
from tests.gui.screens import APPEARANCES, as_large_as_the_screen, set_up, settle
apply_app_font(app)
w = MainWindow()
w.show()
as_large_as_the_screen(w, (1024, 768))
settle(app, w)
for state in ("tab ln p, L", "k-means split", "oracle split", "sample", "lesson 2"):
    set_up(app, w, state)
    for theme, presenting in APPEARANCES:
        w.presentation.set_theme(theme)
        w.presentation.set_presenting(presenting)
        if not presenting:
            as_large_as_the_screen(w, (1024, 768))
        settle(app, w)
    if state == "lesson 2":
        break
    w.presentation.set_presenting(False)
    w.presentation.set_theme("light")
print(json.dumps({"geometry": w.frameGeometry().getRect(), "full screen": w.isFullScreen(),
                  "least": w.minimumSizeHint().toTuple()}), flush=True)
import os
os._exit(0)  # a measurement: the interpreter's teardown of Qt objects is not under test
"""


def test_presenting_a_window_held_past_its_screen_goes_back_to_full_screen(tmp_path):
    """Presenting chapter 2 at 1024 x 768 after other screens, the lesson claimed its height
    while the toolbars still had their window rows: the window's least height was 808 px for
    a moment, the window grew past its 768 px screen and stopped being full screen, and it
    stayed 1024 x 784 when its least height was 579 again (its bottom rows, the status line
    among them, off the screen). Whenever its least height fits again, it is the screen."""
    import json

    from .screens import run_on_screen

    shown = json.loads(run_on_screen(HELD_PAST_SCRIPT, (1024, 768), tmp_path)[-1])
    assert shown["least"][1] <= 768, shown
    assert shown["geometry"] == [0, 0, 1024, 768] and shown["full screen"], shown
