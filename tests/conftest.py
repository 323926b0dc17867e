"""Test set-up shared by the whole suite, done at import, before anything loads Qt: Qt
offscreen, and a home of the suite's own, so that no test (nor any program a test starts)
reads or writes the user's files. The session fails if the user's emviz settings changed."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: The user's home and config folder, as they were before the suite replaced them (a
#: pytest-xdist worker inherits the replaced ones, so the first process passes them on).
os.environ.setdefault("EMVIZ_REAL_HOME", str(Path.home()))
os.environ.setdefault("EMVIZ_REAL_CONFIG",
                      os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config"))
REAL_HOME = Path(os.environ["EMVIZ_REAL_HOME"])
REAL_CONFIG = Path(os.environ["EMVIZ_REAL_CONFIG"])
#: The home every test sees instead (HOME and the XDG folders point into it).
TEST_HOME = Path(tempfile.mkdtemp(prefix="emviz-test-home-"))
TEST_CONFIG = TEST_HOME / ".config"

os.environ["HOME"] = str(TEST_HOME)
os.environ["XDG_CONFIG_HOME"] = str(TEST_CONFIG)
os.environ["XDG_DATA_HOME"] = str(TEST_HOME / ".local" / "share")
os.environ["XDG_CACHE_HOME"] = str(TEST_HOME / ".cache")


def real_settings_files() -> list[Path]:
    """The user's emviz settings files (whatever QSettings format wrote them)."""
    return sorted(p for p in REAL_CONFIG.glob("emviz*/**/*") if p.is_file()) + sorted(
        p for p in REAL_CONFIG.glob("emviz*") if p.is_file()
    )


def _snapshot() -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in real_settings_files()}


REAL_SETTINGS_BEFORE = _snapshot()


def redirect_settings(folder: Path) -> None:
    """QSettings of either format write under ``folder`` (the XDG variables are read once,
    when Qt first needs them, so the path is also set directly)."""
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))


redirect_settings(TEST_CONFIG)


def pytest_sessionfinish(session, exitstatus) -> None:
    changed = sorted(set(_snapshot().items()) ^ set(REAL_SETTINGS_BEFORE.items()))
    shutil.rmtree(TEST_HOME, ignore_errors=True)
    if changed:
        names = sorted({path for path, _ in changed})
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_sep("=", f"the test session changed the user's settings: {names}", red=True)
        session.exitstatus = 1


@pytest.fixture
def engine():
    """A child-process EM engine (emviz.engine), shut down and checked stopped after the test."""
    from emviz.engine import Engine

    e = Engine()
    yield e
    e.shutdown()
    assert not e.running
