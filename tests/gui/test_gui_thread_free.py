"""Numeric work never runs on the GUI thread, proven without a clock.

Every O(N) function of the core (E-step, M-step, ln p, the bound and its decomposition, the
k-means and oracle maths) is replaced, wherever a module looked it up by name, by a recorder
that notes a call made on the GUI thread with an array of at least ``LARGE`` rows. A scripted
session at 10⁵ points (the density on, steps, scrubs, every tab shown, the gallery, Choose K, k-means mode,
the oracle's fit) must leave the record empty: a call with N-row arrays on the GUI thread is
a frame the window cannot draw, whatever the machine's speed.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
import traceback

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from emviz.core import density, em, generate, init, kmeans, landscape, quantities
from emviz.gui.teaching.oracle import OracleFeature, fit_numbers

from .conftest import wait_for_history

N = 100_000
#: An array argument with this many rows makes a call O(N) work (K-sized ones are not).
LARGE = 10_000

#: The core's functions whose cost grows with N (generators are covered by what they call).
CORE = (density, em, init, kmeans, landscape, quantities)


def _targets() -> dict[int, str]:
    found = {}
    for module in CORE:
        for name, value in vars(module).items():
            if (inspect.isfunction(value) and value.__module__ == module.__name__
                    and not inspect.isgeneratorfunction(value)):
                found[id(value)] = f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
    return found


def _large(value: object) -> bool:
    return isinstance(value, np.ndarray) and value.ndim >= 1 and len(value) >= LARGE


@pytest.fixture
def gui_thread_calls(monkeypatch) -> list[str]:
    """Records "function (called from file:line)" for every O(N) call on the GUI thread."""
    calls: list[str] = []
    targets = _targets()
    originals = {id(f): f for m in CORE for f in vars(m).values() if id(f) in targets}

    def recorder(function, label):
        @functools.wraps(function)
        def recorded(*args, **kwargs):
            if threading.current_thread() is threading.main_thread() and any(
                    _large(a) for a in (*args, *kwargs.values())):
                caller = next((f for f in reversed(traceback.extract_stack()[:-1])
                               if "/emviz/core/" not in f.filename
                               and f.filename != __file__), None)
                where = f"{caller.filename.rsplit('/emviz/', 1)[-1]}:{caller.lineno}" if caller else "?"
                calls.append(f"{label} (from {where})")
            return function(*args, **kwargs)
        return recorded

    wrapped = {key: recorder(f, targets[key]) for key, f in originals.items()}
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("emviz"):
            continue
        for name, value in list(vars(module).items()):
            if id(value) in wrapped and value is originals.get(id(value)):
                monkeypatch.setattr(module, name, wrapped[id(value)])
    return calls


def test_a_session_at_1e5_points_runs_no_o_n_maths_on_the_gui_thread(window, qtbot, monkeypatch,
                                                                      gui_thread_calls):
    w = window
    # The history keeps q only for its newest states, as at 10⁶ points: views of older ones
    # (scrubs, the gallery) must recompute it, and not on the GUI thread.
    monkeypatch.setattr("emviz.session.model.RESP_BUDGET_BYTES", 0)
    data = generate(3, N, 3.0, seed=5)
    w.editor.replace(data.X, data.labels, data.true_mixture, data.name, data.axes)
    qtbot.waitUntil(lambda: len(w.points) == N and len(w.history) == 1
                    and not w.controller.busy, timeout=60_000)
    w.actions_by_name["actionComponentDensity"].trigger()  # the density under the points
    for _ in range(3):  # steps
        n = len(w.history)
        w.actions_by_name["actionStep"].trigger()
        wait_for_history(qtbot, w, n + 1)
    for index in (1, 4, 2, len(w.history) - 1):  # scrubs
        w.history_slider.setValue(index)
        w.redraw_now()
        assert w.controller.wait_idle(60_000)
    for i in range(w.tabs.count()):  # every teaching view
        w.tabs.setCurrentIndex(i)
        w.redraw_now()
        qtbot.waitUntil(lambda: not any(getattr(v, "busy", False) for v in w.views), timeout=120_000)
        w.redraw_now()
        if w.tabs.currentWidget() is w.feature("choose_k"):  # Choose K: a few fits of the curve
            qtbot.waitUntil(lambda: len(w.feature("choose_k").criteria.curve) >= 2, timeout=300_000)
            w.redraw_now()
    w.actions_by_name["actionFitOracle"].trigger()  # the oracle's fit and scores
    w.redraw_now()
    qtbot.waitUntil(lambda: w.findChild(OracleFeature).fit is not None, timeout=60_000)
    w.redraw_now()
    w.actions_by_name["actionKMeansMode"].trigger()  # k-means mode, one step
    w.redraw_now()
    assert w.feature("kmeans_mode").run.wait_idle(60_000)
    w.actions_by_name["actionKMeansStep"].trigger()
    assert w.feature("kmeans_mode").run.wait_idle(60_000)
    w.redraw_now()
    w.actions_by_name["actionGallery"].trigger()  # the gallery, run to its last iteration
    gallery = w.findChild(QWidget, "galleryView")
    qtbot.waitUntil(lambda: not gallery.running and not w.controller.busy, timeout=300_000)
    w.redraw_now()
    gallery.close()
    offenders = sorted(set(gui_thread_calls))  # each: function (from the GUI code that called it)
    assert not offenders, "O(N) maths on the GUI thread:\n" + "\n".join(offenders)
    # ...and what arrived from the lanes is what the GUI thread would have computed.
    s = w.model.settings
    fit = fit_numbers(w.points, w.model.labels, s.covariance_type, s.reg_covar)[0]
    np.testing.assert_allclose(w.findChild(OracleFeature).fit.means, fit.means, rtol=1e-12)


def test_an_animation_export_recomputes_dropped_q_in_a_lane_not_on_the_gui_thread(
        window, qtbot, monkeypatch, gui_thread_calls, tmp_path):
    """Its frames' states (q recomputed where the history dropped it, θ(t), r(t)) come from
    the job runner; the GUI thread only draws them."""
    w = window
    monkeypatch.setattr("emviz.session.model.RESP_BUDGET_BYTES", 0)
    data = generate(2, 2 * LARGE, 3.0, seed=2)
    w.editor.replace(data.X, data.labels, data.true_mixture, data.name, data.axes)
    qtbot.waitUntil(lambda: len(w.points) == 2 * LARGE and len(w.history) == 1
                    and not w.controller.busy, timeout=60_000)
    for _ in range(6):  # more than RESP_KEEP_NEWEST iterations
        n = len(w.history)
        w.actions_by_name["actionStep"].trigger()
        wait_for_history(qtbot, w, n + 1)
    assert w.model.history[1].resp is None  # dropped: the export must recompute it
    job = w.files.export_animation(str(tmp_path / "run.gif"), fps=4, glides=1)
    qtbot.waitUntil(lambda: job.done, timeout=120_000)
    assert job.error == ""
    offenders = sorted(set(gui_thread_calls))
    assert not offenders, "O(N) maths on the GUI thread:\n" + "\n".join(offenders)
