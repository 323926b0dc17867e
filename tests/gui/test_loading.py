"""A large file loads in a lane of the window's job runner: the window stays live, a progress
dialog shows how far it got, Cancel (or closing the window) stops it and leaves the points as
they were, and no thread is left running. The result arrives by callback: no test waits on a
clock, each waits for the load's end (``load_ended``)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton

from .conftest import loaded, wait_for_history

BLOCK = np.round(np.random.default_rng(3).normal(size=(1000, 2)) * [3, 1], 3)
REPEATS = 2000  # 2,000,000 rows, about 26 MB: long enough to watch, quick enough to test


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.csv"
    rows = "".join(f"{x!r},{y!r}\n" for x, y in BLOCK.tolist())
    path.write_text("x,y\n" + rows * REPEATS)
    assert path.stat().st_size > 20e6
    return path


@pytest.fixture
def warnings_shown(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


@pytest.fixture
def dialog_at_once(monkeypatch):
    """The progress dialog shows as soon as a load starts, however quick the machine."""
    monkeypatch.setattr("emviz.gui.loading.SHOW_AFTER_MS", 0)


@pytest.fixture
def held_load(monkeypatch):
    """The loading thread holds at its first report of parsed lines until the load is
    cancelled (30 s at most), so that a test can act in the middle of a load."""
    from emviz.gui import loading

    report = loading._LoadJob._progress

    def progress(self, what, done, total):
        if what == "lines":
            self._cancel.wait(30)
        return report(self, what, done, total)

    monkeypatch.setattr(loading._LoadJob, "_progress", progress)


def watch(window, act=None):
    """Each tick of a GUI-thread timer (every 10 ms): the progress dialog's (value, text)
    if it is on screen, else None; ``act(dialog)`` runs on the first tick it is."""
    ticks: list[tuple[int, str] | None] = []
    timer = QTimer(window)

    def tick():
        dialog = window.findChild(QProgressDialog, "loadProgress")
        shown = dialog is not None and dialog.isVisible()
        if shown and act is not None and not any(ticks):
            act(dialog)
        ticks.append((dialog.value(), dialog.labelText()) if shown else None)

    timer.timeout.connect(tick)
    timer.start(10)
    return ticks, timer


def test_the_window_stays_live_while_a_large_file_loads(window, qtbot, big_csv):
    ticks, timer = watch(window)
    assert loaded(qtbot, window, lambda: window.files.open_data(str(big_csv)))
    timer.stop()
    assert len(ticks) >= 3  # the event loop ran during the load (the old code: not once)
    np.testing.assert_array_equal(window.points, np.tile(BLOCK, (REPEATS, 1)))
    assert window.model.dataset_name == "big"
    assert not window.files.loader.busy
    wait_for_history(qtbot, window, 1)
    window.editor.stack.undo()  # one undoable edit
    assert len(window.points) == 272


def test_progress_reaches_the_dialog(window, qtbot, big_csv, dialog_at_once):
    ticks, timer = watch(window)
    assert loaded(qtbot, window, lambda: window.files.open_data(str(big_csv)))
    timer.stop()
    shown = [t for t in ticks if t is not None]
    assert shown, "the progress dialog never showed"
    values = [value for value, _ in shown]
    assert values == sorted(values) and values[-1] > 500
    assert any("big.csv" in text and "lines parsed" in text for _, text in shown)
    dialog = window.findChild(QProgressDialog, "loadProgress")
    assert dialog is None or not dialog.isVisible()  # gone with the load
    assert len(window.points) == len(BLOCK) * REPEATS


def test_cancel_stops_the_load_and_leaves_the_points(window, qtbot, big_csv, dialog_at_once,
                                                     held_load, warnings_shown):
    before, history = window.points.copy(), list(window.history)

    def cancel(dialog):
        qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)

    ticks, timer = watch(window, cancel)
    assert not loaded(qtbot, window, lambda: window.files.open_data(str(big_csv)))
    timer.stop()
    assert any(ticks)  # the dialog was there to be cancelled
    np.testing.assert_array_equal(window.points, before)
    assert window.history == history and not window.editor.stack.canUndo()
    assert not window.files.loader.busy and warnings_shown == []
    assert window.statusBar().currentMessage() == "Cancelled: big.csv was not loaded"


def test_closing_the_window_mid_load_stops_the_thread(window, qtbot, big_csv, dialog_at_once,
                                                      held_load):
    ticks, timer = watch(window, lambda dialog: window.close())
    with qtbot.waitSignal(window.files.loader.ended, timeout=60_000):
        assert window.files.open_data(str(big_csv))
    timer.stop()
    assert any(ticks) and not window.isVisible()
    assert not window.files.loader.busy  # joined; the autouse guard checks no QThread runs


def test_a_small_file_shows_no_dialog(window, qtbot, tmp_path, monkeypatch):
    """A load that ends before the dialog's delay stops the dialog's timer: no dialog, ever.
    The delay is an hour here, so that no busy machine can fire it first (it used to)."""
    monkeypatch.setattr("emviz.gui.loading.SHOW_AFTER_MS", 3_600_000)
    path = tmp_path / "small.csv"
    path.write_text("x,y\n1,2\n3,4\n5,6.5\n")
    ticks, timer = watch(window)
    assert loaded(qtbot, window, lambda: window.files.open_data(str(path)))
    timer.stop()
    assert not window.files.loader.show_timer.isActive()  # the dialog can no longer come
    assert not any(ticks) and window.findChild(QProgressDialog, "loadProgress") is None
    np.testing.assert_array_equal(window.points, [[1, 2], [3, 4], [5, 6.5]])


def test_opening_returns_at_once_and_the_result_arrives_by_callback(window, qtbot, big_csv,
                                                                    held_load):
    """No local event loop: open_data returns while the load is still held in its lane."""
    ended: list[bool] = []
    window.files.load_ended.connect(ended.append)
    before = window.points.copy()
    assert window.files.open_data(str(big_csv))
    assert window.files.loader.busy and ended == []
    assert not window.files.open_data(str(big_csv))  # one load at a time
    window.files.loader.cancel()
    qtbot.waitUntil(lambda: ended == [False])
    assert not window.files.loader.busy
    np.testing.assert_array_equal(window.points, before)


# A fresh interpreter opens the window, loads a file of REMOTE_MIN_POINTS rows (whose EM runs
# in the engine's child process) and says which thread imported the engine's modules.
ENGINE_IMPORT = """
import sys, threading
from PySide6.QtWidgets import QApplication
from emviz.gui import MainWindow
importers = []
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "emviz.engine":
            importers.append(threading.current_thread() is threading.main_thread())
        return None
sys.meta_path.insert(0, Watch())
app = QApplication([])
window = MainWindow()
window.show()
took = window.files.open_file_and_wait(sys.argv[1])
print(took, len(window.model.points), importers)
window.close()
"""


def test_a_large_file_s_engine_modules_are_imported_in_the_loading_job(tmp_path):
    """A file large enough for EM in the child process: the engine's modules (imported by
    the first large run, not at start) are imported by the loading job, beside the window,
    not by the run the loaded points start on the GUI thread (8 ms of its time at once,
    just as the new points' first pictures are made)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import emviz
    from emviz.gui.controller import REMOTE_MIN_POINTS

    path = tmp_path / "large.csv"
    rows = "".join(f"{x!r},{y!r}\n" for x, y in BLOCK.tolist())
    path.write_text("x,y\n" + rows * (REMOTE_MIN_POINTS // len(BLOCK)))
    source = Path(emviz.__file__).resolve().parents[1]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(source)}
    done = subprocess.run([sys.executable, "-c", ENGINE_IMPORT, str(path)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", str(REMOTE_MIN_POINTS), "[False]"]


def test_the_loading_thread_tells_the_gui_thread_of_its_progress_at_most_so_often(
        qapp, monkeypatch):
    """Each report the GUI thread takes needs the GIL, which the loading thread holds between
    its calls: a report per chunk (every 3-4 ms at 10⁶ rows) kept the GUI thread waiting
    for it from one report to the next. A job reporting every millisecond for a second
    (by a clock the test turns) reaches the GUI thread at most once a PROGRESS_EVERY_S,
    its first and last reports included; a cancel is still heard at every report."""
    from emviz.gui import loading

    clock = [0.0]
    monkeypatch.setattr(loading, "monotonic", lambda: clock[0])

    def job(progress):
        for i in range(1, 1001):
            clock[0] = i / 1000
            progress("lines", i, 1000)
        return "parsed"

    load = loading._LoadJob(job)
    heard: list[tuple] = []
    load.progressed.connect(lambda *report: heard.append(report))  # same thread: direct
    assert list(load.outcome()) == [("done", "parsed")]
    assert heard[0] == ("lines", 1.0, 1000.0) and heard[-1] == ("lines", 1000.0, 1000.0)
    every = loading.PROGRESS_EVERY_S
    assert 1 / every <= len(heard) <= 1 / every + 2

    def cancelled_at_500(progress):
        for i in range(1, 1001):
            if i == 500:
                load.cancel()
            progress("lines", i, 1000)

    load = loading._LoadJob(cancelled_at_500)
    assert list(load.outcome()) == [("cancelled", None)]


def test_a_load_that_ends_while_its_dialog_takes_a_report_keeps_the_dialog_till_then(
        window, qtbot, big_csv, dialog_at_once, monkeypatch, warnings_shown):
    """A modal QProgressDialog's setValue handles pending events: a Cancel clicked then ends
    the load, whose dialog was deleted in those events while still inside setValue (the
    suite's worker died of a segmentation fault there once). The dialog outlives the call."""
    loader = window.files.loader
    set_value = QProgressDialog.setValue
    ended_inside: list[bool] = []

    def setting(dialog, value):
        if loader.busy and value > 100 and not ended_inside:  # a report of parsed lines
            ended_inside.append(True)
            loader.cancel()  # as a click on Cancel handled in setValue's events would
            qtbot.waitUntil(lambda: not loader.busy, timeout=30_000)
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        set_value(dialog, value)

    monkeypatch.setattr(QProgressDialog, "setValue", setting)
    assert not loaded(qtbot, window, lambda: window.files.open_data(str(big_csv)))
    assert ended_inside == [True] and not loader.busy and warnings_shown == []
    assert window.statusBar().currentMessage() == "Cancelled: big.csv was not loaded"
