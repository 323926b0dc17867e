"""Preferences remembered between runs (theme, layout, last dataset, speed): written when the
window closes, read by the next one; odd values fall back to the defaults. QSettings are
redirected to the test's own folder (tests/gui/conftest.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QComboBox, QSplitter

from emviz.gui import MainWindow
from emviz.gui.preferences import (
    DATASET_KEY,
    GEOMETRY_KEY,
    SPEED_KEY,
    STATE_KEY,
    THEME_KEY,
    app_settings,
    install_preferences,
    read_preferences,
    remembered_dataset,
)

from .conftest import run_emviz_command


def new_window(qtbot, dataset: str = "faithful") -> MainWindow:
    w = MainWindow(dataset)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.controller.wait_idle()
    return w


def choose_dataset(qtbot, w, key: str) -> None:
    """Pick a built-in dataset in the control panel, as a user does (the combo's activated)."""
    combo = w.findChild(QComboBox, "datasetCombo")
    combo.setCurrentIndex(combo.findData(key))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: w.model.dataset_name.startswith("Moons") and not w.controller.busy)


def test_preferences_are_written_on_close_and_restored_by_the_next_window(qtbot):
    first = new_window(qtbot)
    install_preferences(first)
    first.findChild(QAction, "actionThemeDark").trigger()
    first.controls.speed.setValue(12)
    choose_dataset(qtbot, first, "moons")
    first.setGeometry(30, 40, 720, 540)
    splitter = first.centralWidget()
    splitter.setSizes([300, 200, 200])
    sizes = splitter.sizes()
    first.close()

    s = app_settings()
    assert s.value(THEME_KEY) == "dark" and s.value(DATASET_KEY) == "moons"
    assert str(s.value(SPEED_KEY)) == "12"
    assert remembered_dataset() == "moons"
    QApplication.processEvents()

    second = new_window(qtbot, remembered_dataset())
    assert second.model.dataset_name.startswith("Moons")
    install_preferences(second)
    assert second.presentation.appearance.theme == "dark"
    assert second.findChild(QAction, "actionThemeDark").isChecked()
    assert second.controls.speed.value() == 12
    assert second.controller.steps_per_second == 12.0
    assert second.geometry().getRect() == (30, 40, 720, 540)
    assert isinstance(second.centralWidget(), QSplitter) and second.centralWidget().sizes() == sizes
    second.close()


def test_own_data_keep_the_last_builtin_dataset_remembered(qtbot):
    import numpy as np

    w = new_window(qtbot)
    install_preferences(w)
    choose_dataset(qtbot, w, "moons")
    w.set_points(np.random.default_rng(0).normal(size=(30, 2)))
    qtbot.waitUntil(lambda: not w.controller.busy)
    assert w.model.dataset_name == "Custom points"
    w.close()
    assert remembered_dataset() == "moons"


def test_closing_in_presentation_mode_remembers_the_normal_window_not_full_screen(qtbot):
    w = new_window(qtbot)
    install_preferences(w)
    w.setGeometry(10, 30, 780, 560)
    split = w.centralWidget().sizes()
    w.centralWidget().setSizes([*split[:-3], split[-3] - 60, split[-2], split[-1] + 60])
    sizes = w.centralWidget().sizes()
    assert sizes != split
    w.close()  # remembers this split
    w = new_window(qtbot)
    install_preferences(w)
    w.presentation.set_presenting(True)
    assert w.isFullScreen()
    qtbot.waitUntil(lambda: w.centralWidget().sizes() != sizes)  # the screen's split
    w.close()
    second = new_window(qtbot)
    install_preferences(second)
    assert not second.isFullScreen() and not second.presentation.presenting
    assert second.geometry().getRect() == (10, 30, 780, 560)
    assert second.centralWidget().sizes() == sizes
    second.close()


@pytest.mark.parametrize("theme, speed, dataset, geometry", [
    ("purple", "abc", "nope", "garbage"),
    ("", "4.5", "", QByteArray(b"\x00\x01 not a geometry")),
    ("Dark", "-3", "Moons", "@ByteArray()"),
    (None, "99", None, None),
])
def test_odd_values_fall_back_to_the_defaults_without_error(qtbot, theme, speed, dataset, geometry):
    s = app_settings()
    for key, value in ((THEME_KEY, theme), (SPEED_KEY, speed), (DATASET_KEY, dataset),
                       (GEOMETRY_KEY, geometry), (STATE_KEY, geometry)):
        if value is not None:
            s.setValue(key, value)
    s.sync()
    prefs = read_preferences()
    assert (prefs.theme, prefs.speed, prefs.dataset) == ("light", None, "faithful")
    assert remembered_dataset() == "faithful"
    w = new_window(qtbot, remembered_dataset())
    default_speed = w.controls.speed.value()
    install_preferences(w)
    assert w.presentation.appearance.theme == "light"
    assert w.controls.speed.value() == default_speed
    assert w.windowState() == Qt.WindowState.WindowNoState
    w.close()


def test_a_window_without_install_preferences_writes_none(qtbot):
    """Scripts, tests and --screenshot build MainWindow() directly: nothing is remembered."""
    w = new_window(qtbot)
    w.findChild(QAction, "actionThemeDark").trigger()
    w.close()
    assert app_settings().allKeys() == []


def test_the_emviz_command_opens_the_remembered_dataset_and_remembers_on_close(qtbot, monkeypatch):
    s = app_settings()
    s.setValue(DATASET_KEY, "ring")
    s.setValue(THEME_KEY, "dark")
    s.sync()
    seen = []

    def look_then_close(window) -> None:
        seen.append((window.model.dataset_name, window.presentation.appearance.theme))
        window.controls.speed.setValue(7)
        window.close()

    assert run_emviz_command(monkeypatch, ["--k", "2"], look_then_close) == 0
    assert seen == [("Ring (not Gaussian)", "dark")]
    assert str(app_settings().value(SPEED_KEY)) == "7"


def test_a_screenshot_run_reads_no_preferences(tmp_path, monkeypatch):
    """--screenshot draws the same picture on every machine: the remembered dataset and
    theme are not even read."""
    from emviz import cli
    from emviz.gui import preferences

    s = app_settings()
    s.setValue(DATASET_KEY, "ring")
    s.setValue(THEME_KEY, "dark")
    s.sync()

    def forbidden(*_args, **_kwargs):
        raise AssertionError("a screenshot run read the preferences")

    monkeypatch.setattr(preferences, "read_preferences", forbidden)
    opened = []
    import emviz.gui as gui  # main() imports MainWindow from here when it runs

    class Recording(MainWindow):
        def __init__(self, dataset="faithful", settings=None):
            opened.append(dataset)
            super().__init__(dataset, settings)

    monkeypatch.setattr(gui, "MainWindow", Recording)
    font = QApplication.font()
    try:
        assert cli.main(["--screenshot", str(tmp_path / "shot.png"), "--size", "640x400"]) == 0
    finally:
        QApplication.setFont(font)
    assert opened == ["faithful"]
    assert (tmp_path / "shot.png").stat().st_size > 0
