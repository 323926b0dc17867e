"""GUI fixtures: a real MainWindow, and guards that fail any test leaving a QThread or an EM
engine process running."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import QThread

from emviz.gui import MainWindow
from emviz.remote import Engine


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


@pytest.fixture
def window(qtbot):
    """The default window (Old Faithful, K = 2), shown, initialised, idle."""
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.controller.wait_idle()
    qtbot.waitUntil(lambda: len(w.history) == 1, timeout=20_000)
    w._redraw()
    yield w
    w.close()


def wait_for_history(qtbot, w, n: int) -> None:
    """Wait until the run has recorded n half-steps and the controller is idle."""
    qtbot.waitUntil(lambda: len(w.history) >= n and not w.controller.busy, timeout=20_000)
    w._redraw()


def data_point(w, x: float, y: float):
    return w.points_view.data_to_widget(x, y)


def blobs(n: int = 200, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.r_[rng.normal(-2, 0.5, (n // 2, 2)), rng.normal(2, 0.5, (n - n // 2, 2))]


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path, monkeypatch):
    """QSettings (the remembered folder, the lesson's chapter) go to a temporary file, not the
    user's config. The program makes them as QSettings("emviz", "emviz"), which is always Qt's
    native format (setDefaultFormat does not apply to it), so the native path is redirected too;
    a patched HOME alone does not move it once Qt has looked the path up."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for settings_format in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    monkeypatch.setenv("HOME", str(tmp_path))
