"""GUI fixtures: a real MainWindow, and guards that fail any test leaving a QThread or an EM
engine process running."""

from __future__ import annotations

import gc

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QThread

from emviz.engine import Engine
from emviz.gui import MainWindow

from ..conftest import TEST_CONFIG, redirect_settings

# pyqtgraph drops a pointer move within 1/100 s of the one before it (by the clock): in a
# test, whether a hover or a drag's move arrives must not depend on how fast the machine is.
pg.setConfigOption("mouseRateLimit", 0)


@pytest.fixture(autouse=True)
def no_dangling_threads(monkeypatch):
    """napari's guard: every QThread started during the test must be finished after it."""
    started: list[QThread] = []
    original = QThread.start

    def start(self, *args):
        started.append(self)
        return original(self, *args)

    monkeypatch.setattr(QThread, "start", start)
    yield
    running = []
    for thread in started:
        try:
            if thread.isRunning():
                running.append(thread.objectName())
        except RuntimeError:  # the C++ object is gone, so its thread is too
            pass
    assert not running, f"QThreads still running after the test: {running}"
    gc.collect()  # the test's closed windows are freed here, in the GUI thread


@pytest.fixture(autouse=True)
def no_dangling_engines(monkeypatch):
    """Every EM engine child process started during the test must be gone after it."""
    engines: list[Engine] = []
    original = Engine._start

    def start(self):
        engines.append(self)
        return original(self)

    monkeypatch.setattr(Engine, "_start", start)
    yield
    running = [e._process.pid for e in engines if e.running]
    for engine in engines:
        engine.shutdown()
    assert not running, f"EM engine processes still running after the test: {running}"


def new_window(qtbot) -> MainWindow:
    """The default window (Old Faithful, K = 2), shown, initialised, idle."""
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.controller.wait_idle()
    qtbot.waitUntil(lambda: len(w.history) == 1, timeout=20_000)
    w.redraw_now()
    return w


@pytest.fixture
def window(qtbot):
    """The default window (Old Faithful, K = 2), shown, initialised, idle."""
    w = new_window(qtbot)
    yield w
    w.close()


def wait_for_history(qtbot, w, n: int) -> None:
    """Wait until the run has recorded n half-steps and the controller is idle."""
    qtbot.waitUntil(lambda: len(w.history) >= n and not w.controller.busy, timeout=20_000)
    w.redraw_now()


def wait_steady(qtbot, read, polls: int = 3, timeout: int = 20_000):
    """Wait until ``read()`` gives the same value at ``polls`` polls in a row (the event loop
    runs between them: posted layouts and resizes have been handled), and return it. Counts
    event-loop turns, not milliseconds, so a busy machine only makes it slower."""
    seen: list = []

    def steady() -> bool:
        seen.append(read())
        return len(seen) >= polls and all(v == seen[-1] for v in seen[-polls:])

    qtbot.waitUntil(steady, timeout=timeout)
    return seen[-1]


def data_point(w, x: float, y: float):
    return w.points_view.data_to_widget(x, y)


def blobs(n: int = 200, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.r_[rng.normal(-2, 0.5, (n // 2, 2)), rng.normal(2, 0.5, (n - n // 2, 2))]


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path, monkeypatch):
    """Each test's settings (the remembered folder) start empty, in a folder of its own;
    tests/conftest.py has already moved the whole suite out of the user's home."""
    redirect_settings(tmp_path / "config")
    monkeypatch.setenv("HOME", str(tmp_path))
    yield
    redirect_settings(TEST_CONFIG)


def run_emviz_command(monkeypatch, args: list[str], while_open) -> int:
    """``emviz ARGS`` in this process (``cli.main``) with its event loop replaced by
    ``while_open(window)``, which must close the window; the application's font is put back
    after (main() enlarges it, and later tests' pictures expect Qt's)."""
    from PySide6.QtWidgets import QApplication

    from emviz import cli

    def exec_stand_in(self=None) -> int:
        window, = (w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible())  # not earlier tests' closed ones
        while_open(window)
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_stand_in)
    font = QApplication.font()
    try:
        return cli.main(args)
    finally:
        QApplication.setFont(font)


def loaded(qtbot, window, start) -> bool:
    """Call ``start()``, which starts a File-menu load (open_data, paste, a drop...), and wait
    for the load's end: True if the window took what was loaded."""
    with qtbot.waitSignal(window.files.load_ended, timeout=60_000) as ended:
        start()
    return ended.args[0]
