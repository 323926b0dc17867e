"""Worker threads that always end before Qt or Python destroys them.

Qt aborts the whole process ("QThread: Destroyed while thread is still running", exit 134)
when a running QThread is deleted. That happens to a script that builds a window and never
closes it (the window dies with the interpreter), and to a window whose constructor raised
after its threads started. So every owner of a thread registers its ``shutdown`` here, and
the registry calls them when the application is about to quit and at interpreter exit
(``atexit`` runs before the modules', and so the windows', teardown).
"""

from __future__ import annotations

import atexit
import weakref
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

_shutdowns: list[weakref.WeakMethod] = []  # weak: a closed window is not kept alive by this
_hooked_apps: weakref.WeakSet = weakref.WeakSet()


def stop_at_exit(shutdown: Callable[[], None]) -> None:
    """Call the bound method ``shutdown`` (idempotent, stops its owner's threads) when the
    application quits or the interpreter exits, whichever comes first."""
    ref = weakref.WeakMethod(shutdown)
    _shutdowns[:] = [r for r in _shutdowns if r() is not None and r != ref]
    _shutdowns.append(ref)
    app = QCoreApplication.instance()
    if app is not None and app not in _hooked_apps:
        _hooked_apps.add(app)
        app.aboutToQuit.connect(stop_all)


def stop_all() -> None:
    """Shut down every registered owner that is still alive (newest first)."""
    while _shutdowns:
        shutdown = _shutdowns.pop()()
        if shutdown is None:
            continue
        try:
            shutdown()
        except RuntimeError:  # its Qt objects are gone already, and their threads with them
            pass


atexit.register(stop_all)
