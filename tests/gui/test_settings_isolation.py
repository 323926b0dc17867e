"""Tests never touch the user's settings: the program's QSettings (made as
QSettings("emviz", "emviz"), Qt's native format) go to the test's temporary folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from emviz.gui.lesson_panel import lesson_settings


def test_the_programs_settings_go_to_the_tests_temporary_folder(tmp_path):
    for settings in (QSettings("emviz", "emviz"), lesson_settings()):
        assert Path(settings.fileName()).is_relative_to(tmp_path), settings.fileName()
