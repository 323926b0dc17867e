"""The suite never touches the user's home: tests/conftest.py gives it a home of its own
before Qt loads, and checks at the end of the session that the real one was not written."""

from __future__ import annotations

import os
from pathlib import Path

from emviz.gui.preferences import app_settings

from .conftest import REAL_HOME, TEST_HOME, real_settings_files


def test_home_and_xdg_folders_point_into_the_test_home():
    assert Path.home() == TEST_HOME != REAL_HOME
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        assert Path(os.environ[name]).is_relative_to(TEST_HOME), name


def test_the_program_settings_file_is_in_the_test_home():
    settings = app_settings()
    path = Path(settings.fileName())
    assert path.is_relative_to(TEST_HOME) and not path.is_relative_to(REAL_HOME), path


def test_a_remembered_value_is_written_to_the_test_home_only():
    marker = f"/nowhere/marker-{os.getpid()}"
    settings = app_settings()
    settings.setValue("lastFolder", marker)
    settings.sync()
    try:
        assert marker in Path(settings.fileName()).read_text()
        assert not any(marker in path.read_text(errors="replace") for path in real_settings_files())
    finally:
        settings.remove("lastFolder")
        settings.sync()


def test_the_real_home_is_the_users_in_every_test_process():
    """Under pytest-xdist a worker starts with HOME already pointing at the first process's
    test home: the home it guards must still be the user's."""
    assert not REAL_HOME.name.startswith("emviz-test-home-"), REAL_HOME
