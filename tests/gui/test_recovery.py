"""The run controller recovers from whatever happens to a job: a scrub while another job
runs, a reset or an edit in the middle of a restore, and an unexpected exception in EM."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.core import e_step
from emviz.gui import controller as controller_module
from emviz.session import model as model_module

from .conftest import wait_for_history


@pytest.fixture
def dropped_q(window, qtbot, monkeypatch):
    """The default window after ten half-steps, with only the newest four q kept."""
    monkeypatch.setattr(model_module, "RESP_BUDGET_BYTES", 0)
    window.controller.advance(10)
    wait_for_history(qtbot, window, 11)
    assert window.history[1].phase == "E" and window.history[1].resp is None
    return window


def messages_of(window) -> list[str]:
    seen: list[str] = []
    window.controller.message.connect(seen.append)
    return seen


def test_scrubbing_to_a_dropped_q_while_a_job_runs_restores_it_when_the_job_ends(dropped_q, qtbot):
    w, c = dropped_q, dropped_q.controller
    seen = messages_of(w)
    c.step()
    assert c.busy  # the step's states arrive through the event loop, after the scrub
    c.go_to(1)
    qtbot.waitUntil(lambda: not c.busy and w.history[1].resp is not None, timeout=20_000)
    assert w.model.index == 1  # the step's late states did not pull the view to the tip
    np.testing.assert_array_equal(w.history[1].resp, e_step(w.points, w.history[1].mixture)[0])
    c.step()  # the M-step from the restored E-state
    qtbot.waitUntil(lambda: not c.busy and w.model.index == 2, timeout=20_000)
    assert seen == []
    assert [s.phase for s in w.history] == ["init", "E", "M"]
    assert w.history[2].resp is w.history[1].resp


def test_stepping_from_a_dropped_q_recomputes_it_rather_than_failing(dropped_q, qtbot):
    w, c = dropped_q, dropped_q.controller
    seen = messages_of(w)
    w.model.set_index(1)  # as a scrub whose restore never ran would leave it
    c.step()
    qtbot.waitUntil(lambda: not c.busy and len(w.history) == 3, timeout=20_000)
    assert seen == []
    assert w.history[2].phase == "M"
    np.testing.assert_array_equal(w.history[2].resp, e_step(w.points, w.history[1].mixture)[0])


@pytest.mark.parametrize("interrupt", ["reset", "edit", "scrub"])
def test_an_interruption_during_a_restore_leaves_a_consistent_history(dropped_q, qtbot, interrupt):
    w, c = dropped_q, dropped_q.controller
    seen = messages_of(w)
    c.go_to(1)
    assert c.busy  # recomputing q for history[1]
    if interrupt == "reset":
        c.reset()
        expected_phases = ["init"]
    elif interrupt == "edit":
        w.editor.add(0.5, 0.5)
        expected_phases = ["init"]
    else:
        c.go_to(3)  # another dropped q, asked for while the first restore runs
        expected_phases = ["init"] + ["E", "M"] * 5
    qtbot.waitUntil(lambda: not c.busy, timeout=20_000)
    qtbot.wait(50)  # any late state of the abandoned restore arrives here
    assert [s.phase for s in w.history] == expected_phases
    assert seen == []
    if interrupt == "scrub":
        assert w.model.index == 3
        qtbot.waitUntil(lambda: w.history[3].resp is not None and not c.busy, timeout=20_000)
        source = w.history[3].mixture
        np.testing.assert_array_equal(w.history[3].resp, e_step(w.points, source)[0])
    c.step()
    qtbot.waitUntil(lambda: not c.busy and w.model.current.phase == "M", timeout=20_000)
    assert seen == []


class Surprise(Exception):
    """Not one of the errors EM is expected to raise."""


def test_an_unexpected_exception_in_em_is_reported_and_the_window_recovers(window, qtbot, monkeypatch):
    c = window.controller
    seen = messages_of(window)

    def broken_run(*_args):
        raise Surprise("the numbers went missing")
        yield  # noqa: B901 (a generator, as the real runs are)

    monkeypatch.setattr(controller_module, "fresh_run", broken_run)
    c.reset()
    qtbot.waitUntil(lambda: not c.busy, timeout=5_000)
    assert len(seen) == 1 and "the numbers went missing" in seen[0] and "Surprise" in seen[0]
    assert not window.actions_by_name["actionPlay"].isChecked()
    monkeypatch.undo()
    c.reset()  # the window still works
    qtbot.waitUntil(lambda: not c.busy and len(window.history) == 1, timeout=20_000)
    c.step()
    wait_for_history(qtbot, window, 3)
    assert [s.phase for s in window.history] == ["init", "E", "M"]


def test_an_exception_while_playing_stops_play_and_frees_the_buttons(window, qtbot, monkeypatch):
    c = window.controller

    def broken_continue(*_args):
        yield window.history[0]  # one good half-step, then a failure mid-run
        raise KeyError("lost")

    window.model.set_index(0)
    window.model.truncate_after_current()
    monkeypatch.setattr(controller_module, "continued", broken_continue)
    seen = messages_of(window)
    c._live = None  # continue from the current state, through runs.continued
    c.play()
    qtbot.waitUntil(lambda: not c.busy and not c.playing, timeout=5_000)
    assert seen and "KeyError" in seen[-1]
    assert window.actions_by_name["actionReset"].isEnabled()
    assert window.actions_by_name["actionPlay"].isEnabled()
