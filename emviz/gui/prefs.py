"""What the program remembers between runs (the last folder, ...), in one settings file."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings


def app_settings(parent: QObject | None = None) -> QSettings:
    """emviz's settings: an INI file on every system (on Linux ~/.config/emviz/emviz.ini),
    found where ``QSettings.setPath(IniFormat, UserScope, ...)`` says, as tests redirect it."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "emviz", "emviz", parent)
