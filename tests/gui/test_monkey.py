"""The monkey test: thousands of random real inputs to one window, with no exception, no Qt
warning (both fail the test through pytest-qt), a window that always comes back to idle (the
longest job and action are printed: figures, not bounds, so a busy machine fails nothing) and
still works at the end. ``make soak`` runs the long version."""

from __future__ import annotations

import os

import pytest

from .conftest import wait_for_history
from .monkey import Monkey


def drive(window, qtbot, tmp_path, seed: int, actions: int) -> None:
    window.resize(1280, 800)
    window.activateWindow()
    monkey = Monkey(window, seed, tmp_path)
    report = monkey.run(actions)
    monkey.finish()
    print(f"seed {seed}: {report.actions} actions, longest job {report.longest_busy_s:.2f} s, "
          f"longest action {report.longest_action_s:.2f} s, {report.dialogs_answered} dialogs; "
          f"{sorted(report.counts.items())}")
    assert report.actions == actions
    assert len(report.counts) >= 20  # every kind of input was exercised, not just a few
    # The window still does its job: a reset and one iteration on whatever data it now has.
    if len(window.points) >= window.model.settings.k:
        window.controller.reset()
        qtbot.waitUntil(lambda: not window.controller.busy and len(window.history) == 1, timeout=20_000)
        window.controller.step()
        wait_for_history(qtbot, window, 3)
        assert [s.phase for s in window.history] == ["init", "E", "M"]


def test_two_thousand_random_actions_leave_the_window_working(window, qtbot, tmp_path):
    drive(window, qtbot, tmp_path, seed=2026, actions=2_000)


SOAK_SEEDS = [int(s) for s in os.environ.get("EMVIZ_SOAK_SEEDS", "1,2,3").split(",")]
SOAK_ACTIONS = int(os.environ.get("EMVIZ_SOAK_ACTIONS", "20000"))


@pytest.mark.soak
@pytest.mark.parametrize("seed", SOAK_SEEDS)
def test_soak(window, qtbot, tmp_path, seed):
    drive(window, qtbot, tmp_path, seed=seed, actions=SOAK_ACTIONS)
