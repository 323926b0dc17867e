"""A progress dialog that what it reports on may end from inside its own ``setValue``."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressDialog


class ProgressDialog(QProgressDialog):
    """A modal QProgressDialog's ``setValue`` handles pending events, in which the work can
    end (a click on Cancel) and its dialog be deleted while still inside ``setValue`` (a file
    load's once was: a segmentation fault). ``dispose()`` closes it and deletes it once no
    ``setValue`` of it is under way."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self._setting = 0
        self._disposed = False

    def setValue(self, value: int) -> None:  # noqa: N802 (Qt API)
        self._setting += 1
        try:
            super().setValue(value)
        finally:
            self._setting -= 1
        if self._disposed and not self._setting:
            self.deleteLater()

    def dispose(self) -> None:
        """Close now; delete once ``setValue`` has returned (at once if none runs)."""
        self.close()
        self._disposed = True
        if not self._setting:
            self.deleteLater()
