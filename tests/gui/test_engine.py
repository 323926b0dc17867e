"""Large runs in the EM engine's child process, seen from the window: the same history as
in-process, and the process gone with the window. The threshold is lowered so that small
data take the same path quickly."""

from __future__ import annotations

from itertools import islice

import numpy as np
import pytest
from PySide6.QtCore import Qt

from emviz.engine import available
from emviz.gui import MainWindow
from emviz.gui import controller as controller_module
from emviz.session.model import Settings
from emviz.session.runs import fresh_run

from .conftest import blobs, wait_for_history

pytestmark = pytest.mark.skipif(not available(), reason="the engine needs named shared memory")


@pytest.fixture
def remote_window(qtbot, monkeypatch):
    monkeypatch.setattr(controller_module, "REMOTE_MIN_POINTS", 1_000)
    w = MainWindow(settings=Settings(k=2, tol=0.0, max_iter=50))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.controller.wait_idle()
    yield w
    w.close()


def test_steps_scrubbing_and_resuming_in_the_engine_give_the_in_process_history(qtbot, remote_window):
    w = remote_window
    X = blobs(4_000, seed=3)
    w.set_points(X)
    wait_for_history(qtbot, w, 1)
    assert w.controller._engine.running
    for _ in range(3):
        qtbot.keyClick(w, Qt.Key.Key_Space)  # Step: E then M
        wait_for_history(qtbot, w, 1)
    wait_for_history(qtbot, w, 7)
    local = list(islice(fresh_run(w.points, w.model.settings), 7))
    assert [s.phase for s in w.history] == [s.phase for s in local]
    for mine, theirs in zip(w.history, local, strict=True):
        assert mine.log_likelihood == theirs.log_likelihood
        np.testing.assert_array_equal(mine.mixture.means, theirs.mixture.means)
    # Scrub back to an E-state and step on from there: the engine continues from it.
    w.controller.go_to(3)
    wait_for_history(qtbot, w, 4)
    qtbot.keyClick(w, Qt.Key.Key_Space)
    wait_for_history(qtbot, w, 5)
    assert [s.phase for s in w.history] == ["init", "E", "M", "E", "M"]
    assert w.history[4].log_likelihood == local[4].log_likelihood


def test_closing_the_window_stops_the_engine(qtbot, remote_window):
    w = remote_window
    w.set_points(blobs(3_000))
    wait_for_history(qtbot, w, 1)
    engine = w.controller._engine
    assert engine.running
    w.close()
    assert not engine.running


def test_scrubbing_back_to_a_dropped_q_recomputes_it_in_the_engine(qtbot, remote_window, monkeypatch):
    from emviz.session import model as model_module

    monkeypatch.setattr(model_module, "RESP_BUDGET_BYTES", 0)  # keep only the newest four
    w = remote_window
    w.set_points(blobs(4_000, seed=5))
    wait_for_history(qtbot, w, 1)
    w.controller.advance(10)
    wait_for_history(qtbot, w, 11)
    assert w.history[1].resp is None  # dropped to bound memory
    w.controller.go_to(1)
    qtbot.waitUntil(lambda: w.history[1].resp is not None and not w.controller.busy, timeout=20_000)
    expected = next(islice(fresh_run(w.points, w.model.settings), 1, None)).resp
    np.testing.assert_array_equal(w.history[1].resp, expected)
    assert w.controller._engine.running


def test_when_the_engine_cannot_start_the_window_runs_em_itself(qtbot, remote_window, monkeypatch):
    import sys

    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")  # no child can start
    w = remote_window
    said: list[str] = []
    w.controller.message.connect(said.append)
    w.set_points(blobs(4_000, seed=3))
    wait_for_history(qtbot, w, 1)
    w.controller.advance(4)
    wait_for_history(qtbot, w, 5)
    local = list(islice(fresh_run(w.points, w.model.settings), 5))
    assert [s.phase for s in w.history] == [s.phase for s in local]
    for mine, theirs in zip(w.history, local, strict=True):
        assert mine.log_likelihood == theirs.log_likelihood
        np.testing.assert_array_equal(mine.mixture.means, theirs.mixture.means)
    engine = w.controller._engine
    assert not engine.running
    assert engine.fallback.startswith("EM runs in the window's process: cannot run '/nonexistent/python3'")
    assert said == [engine.fallback]  # the status bar says it once


def test_a_killed_engine_is_reported_and_the_next_step_goes_on_in_a_new_one(qtbot, remote_window):
    import os
    import signal

    w = remote_window
    said: list[str] = []
    w.controller.message.connect(said.append)
    w.set_points(blobs(4_000, seed=8))
    wait_for_history(qtbot, w, 1)
    w.controller.advance(4)
    wait_for_history(qtbot, w, 5)
    engine = w.controller._engine
    first = engine._process.pid
    os.kill(first, signal.SIGKILL)
    engine._process.wait()
    qtbot.keyClick(w, Qt.Key.Key_Space)  # Step: the child is gone
    qtbot.waitUntil(lambda: bool(said) and not w.controller.busy, timeout=20_000)
    assert said[0].startswith("the EM process stopped unexpectedly (exit code -9)")
    assert len(w.history) == 5  # nothing half-done was added
    qtbot.keyClick(w, Qt.Key.Key_Space)  # the next Step starts a new child and goes on
    wait_for_history(qtbot, w, 7)
    assert engine.running and engine._process.pid != first
    local = list(islice(fresh_run(w.points, w.model.settings), 7))
    assert [s.log_likelihood for s in w.history] == [s.log_likelihood for s in local]
    np.testing.assert_array_equal(w.history[6].resp, local[6].resp)
