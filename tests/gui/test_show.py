"""``emviz.show(X)`` from a script or a notebook: a window on the user's own array, blocking
in a script until it is closed, returned at once where a Qt event loop already runs
(IPython's ``%gui qt``), and a ValueError naming the problem for input a file would be
refused for, before any window opens."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

import emviz
from emviz.gui import MainWindow

from .conftest import blobs

pytestmark = pytest.mark.usefixtures("qapp")


def shown_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def in_event_loop(call):
    """``call()`` run from inside a running QEventLoop (as a Qt console or a slot would);
    what it returned."""
    result, loop = [], QEventLoop()

    def inside():
        result.append(call())
        loop.quit()

    QTimer.singleShot(0, inside)
    loop.exec()
    return result[0]


def test_inside_a_running_event_loop_it_returns_the_window_at_once(qtbot):
    X, labels = blobs(80), np.repeat([0, 1], 40)
    window = in_event_loop(lambda: emviz.show(X, labels, k=3, seed=5, covariance_type="diag"))
    qtbot.addWidget(window)
    assert isinstance(window, MainWindow) and window.isVisible()
    assert np.array_equal(window.points, X) and np.array_equal(window.model.labels, labels)
    s = window.model.settings
    assert (s.k, s.seed, s.covariance_type) == (3, 5, "diag")
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy, timeout=20_000)
    assert window.history[0].mixture.n_components == 3  # initialised, ready to step
    window.close()


def test_a_vector_of_numbers_opens_the_1d_mode(qtbot):
    x = np.r_[np.linspace(-2, -1, 30), np.linspace(1, 3, 50)]
    window = in_event_loop(lambda: emviz.show(x, k=2))
    qtbot.addWidget(window)
    assert window.model.points.shape == (80, 1) and window.model.axes == ("x", "density")
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy, timeout=20_000)
    assert window.history[0].mixture.means.shape == (2, 1)
    window.close()


def test_with_ipythons_qt_input_hook_it_returns_the_window_at_once(qtbot, monkeypatch):
    shell = types.SimpleNamespace(active_eventloop="qt")
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    window = emviz.show(blobs(40), name="Lab 3", axes=("height", "weight"))
    qtbot.addWidget(window)
    assert window.isVisible() and window.model.dataset_name == "Lab 3"
    assert window.model.axes == ("height", "weight")
    window.close()


def test_in_a_script_it_runs_until_the_window_is_closed(qtbot):
    """The blocking path with the real app.exec(): a timer closes the window from inside the
    loop, as the user would, and show() returns after the window is gone."""
    X = blobs(60, seed=4)
    seen = []

    def close_when_shown():
        windows = shown_windows()
        if not windows:  # not yet up: look again on the next turn of the loop
            QTimer.singleShot(0, close_when_shown)
            return
        window, = windows
        seen.append((window, np.array(window.points), QApplication.instance().thread().loopLevel()))
        window.close()

    QTimer.singleShot(0, close_when_shown)
    assert emviz.show(X, k=2) is None
    (window, points, level), = seen
    assert np.array_equal(points, X) and level >= 1  # it was shown inside a running loop
    assert not shiboken6.isValid(window)  # and deleted once closed, not left for the exit


def test_a_dataframe_gives_its_column_names_to_the_axes(qtbot):
    class Frame:  # what show() reads of a pandas DataFrame, without pandas
        columns = ("eruptions", "waiting")

        def __array__(self, dtype=None, copy=None):
            return blobs(20)

    window = in_event_loop(lambda: emviz.show(Frame(), labels=["a", "b"] * 10))
    qtbot.addWidget(window)
    assert window.model.axes == ("eruptions", "waiting")
    assert window.model.labels.tolist() == [0, 1] * 10  # text labels numbered in order, as a file's
    window.close()


@pytest.mark.parametrize("X, labels, kwargs, message", [
    (np.zeros((5, 3)), None, {}, "X should have shape (N, 2), one row (x, y) per point (or (N,) for "
                                 "1-D data); got shape (5, 3)"),
    (np.zeros((2, 3, 1)), None, {}, "got shape (2, 3, 1)"),
    (np.zeros((0, 2)), None, {}, "X holds no points"),
    ([["a", "b"], ["c", "d"]], None, {}, "X should hold numbers"),
    ([[0, 1], [2, np.nan], [3, 4]], None, {}, "X[1, 1] holds NaN (not a number)"),
    ([[0, 1], [2, 3], [np.inf, 4]], None, {}, "X[2, 0] holds infinity"),
    ([[0, 1], [2, 3], [1e200, 4]], None, {}, "too large"),
    (np.zeros((3, 2)), None, {"k": 4}, "k = 4 but X has only 3 points"),
    (np.zeros((3, 2)), None, {"k": 0}, "'k' should be an integer from 1 to 20, not 0"),
    (np.zeros((3, 2)), None, {"k": 2.5}, "k should be a whole number"),
    (np.zeros((3, 2)), [0, 1], {}, "labels should be 3 values, one per point; got shape (2,)"),
    (np.zeros((3, 2)), None, {"colour": "red"}, "unknown setting 'colour'; the settings are"),
    (np.zeros((3, 2)), None, {"init_method": "magic"}, "'init_method' should be one of kmeans, kmeans++"),
])
def test_input_a_file_would_be_refused_for_is_a_value_error_before_any_window(X, labels, kwargs, message):
    before = len(shown_windows())
    with pytest.raises(ValueError) as error:
        emviz.show(X, labels, **kwargs)
    assert message in str(error.value)
    assert len(shown_windows()) == before


def test_importing_emviz_loads_neither_qt_nor_numpy():
    import subprocess

    code = ("import sys, emviz; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'numpy')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr


SCRIPT = """
import numpy as np
from PySide6.QtCore import QTimer
import emviz
from emviz.gui import MainWindow

shown = MainWindow.show
def show_then_close(self):  # the user closes the window once it is up
    shown(self)
    QTimer.singleShot(0, self.close)
MainWindow.show = show_then_close

X = np.random.default_rng(0).normal(size=(50, 2))
print(emviz.show(X, k=3))
"""


def test_a_script_that_calls_show_makes_the_application_and_exits_cleanly():
    """The path a student's script takes: no QApplication before show(), which makes one,
    blocks until the window is closed, returns None, and the interpreter exits 0."""
    import os
    import subprocess

    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert (done.returncode, done.stdout) == (0, "None\n"), done.stderr
    noise = "This plugin does not support propagateSizeHints()"
    assert [line for line in done.stderr.splitlines() if line.strip() != noise] == []
