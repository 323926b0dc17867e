"""The window's state model (emviz.session.model): settings, notifications, the history and its bounded
memory. Qt-free, and a test below keeps it that way."""

import dataclasses
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import emviz
from emviz.core import COVARIANCE_TYPES, INIT_METHODS, Mixture, e_step, initialize, old_faithful, run_em
from emviz.session import model as model_module
from emviz.session.model import K_MAX, MAX_COORDINATE, RESP_KEEP_NEWEST, Settings, ViewOptions, Workbench


class Recorder:
    """A listener that remembers the aspect sets it was called with."""

    def __init__(self, model: Workbench) -> None:
        self.calls: list[frozenset[str]] = []
        model.subscribe(self.calls.append)

    def take(self) -> list[set[str]]:
        calls = [set(c) for c in self.calls]
        self.calls.clear()
        return calls


@pytest.fixture
def run_model(long_run):
    """A Workbench holding the 41 half-steps of the long run, at the tip, and its recorder."""
    X, history = long_run
    model = Workbench()
    model.set_points(X, name="Old Faithful")
    model.append(history)
    return model, Recorder(model)


def has_resp(model: Workbench) -> list[bool]:
    return [s.resp is not None for s in model.history]


# -- Settings and ViewOptions ---------------------------------------------------------------


def test_default_settings():
    s = Settings()
    assert (s.k, s.init_method, s.covariance_type, s.seed, s.max_iter) == (2, "random-points", "full", 0, 100)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.k = 3
    assert Settings(k=3) == Settings(k=3) != s and len({Settings(), Settings()}) == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"k": 0}, "'k' should be an integer from 1 to 20, not 0"),
        ({"k": K_MAX + 1}, "'k' should be an integer from 1 to 20, not 21"),
        ({"init_method": "k-medoids"}, "'init_method' should be one of kmeans, kmeans++, "
                                       "random-points, random-resp, not \"k-medoids\""),
        ({"covariance_type": "circular"}, "'covariance_type' should be one of full, diag, "
                                          "spherical, tied, not \"circular\""),
        ({"reg_covar": -1e-9}, "'reg_covar' should be a finite number >= 0"),
        ({"reg_covar": math.nan}, "'reg_covar' should be a finite number >= 0"),
        ({"max_iter": 0}, "'max_iter' should be an integer from 1 to 10000, not 0"),
    ],
)
def test_invalid_settings_are_rejected(change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Settings(**change)


def test_every_valid_choice_is_accepted():
    for k in (1, K_MAX):
        assert Settings(k=k).k == k
    for method in INIT_METHODS:
        Settings(init_method=method)
    for covariance_type in COVARIANCE_TYPES:
        Settings(covariance_type=covariance_type)
    assert Settings(reg_covar=0.0, max_iter=1).reg_covar == 0.0


def test_settings_and_options_notify_only_on_change():
    model = Workbench()
    heard = Recorder(model)
    model.set_settings(Settings())
    model.set_options(soft_colors=True)
    assert heard.take() == []
    model.set_settings(Settings(k=3))
    model.set_options(soft_colors=False)
    model.set_options(show_true_mixture=True)
    assert heard.take() == [{"settings"}, {"options"}, {"options"}]
    assert model.settings.k == 3 and model.options == ViewOptions(soft_colors=False, show_true_mixture=True)
    with pytest.raises(TypeError):
        model.set_options(colour_blind=True)


# -- observation ----------------------------------------------------------------------------


def test_listeners_hear_in_order_and_a_late_subscriber_from_the_next_change_on():
    model = Workbench()
    order: list[str] = []
    late: list[frozenset[str]] = []

    def first(aspects):
        order.append("first")
        if len(order) == 1:
            model.subscribe(late.append)

    model.subscribe(first)
    model.subscribe(lambda aspects: order.append("second"))
    model.set_points(np.zeros((3, 2)))
    assert order == ["first", "second"] and late == []
    model.set_settings(Settings(k=4))
    assert late == [{"settings"}]


def test_set_points_clears_the_history_and_freezes_the_data(run_model):
    model, heard = run_model
    model.end_run("converged")
    heard.take()
    X = np.arange(10.0).reshape(5, 2)
    labels = np.array([0, 1, 1, 0, -1])
    truth = Mixture(np.ones(1), np.zeros((1, 2)), np.eye(2)[None])
    model.set_points(X, labels, truth, name="five", axes=("a", "b"))
    # "identity": the labels' colour slots (one per label) came with the new data
    assert heard.take() == [{"points", "history", "index", "selection", "identity"}]
    assert model.history == [] and model.index == -1 and model.current is None and model.at_tip
    assert model.run_ended == ""
    assert (model.dataset_name, model.axes, model.true_mixture) == ("five", ("a", "b"), truth)
    np.testing.assert_array_equal(model.points, X)
    np.testing.assert_array_equal(model.labels, labels)
    with pytest.raises(ValueError, match="read-only"):
        model.points[0, 0] = 99.0
    with pytest.raises(ValueError, match="read-only"):
        model.labels[0] = 3
    X[0, 0] = 99.0  # the caller's array is copied, not kept
    assert model.points[0, 0] == 0.0
    model.set_points([[1.0, 2.0]])
    assert model.dataset_name == "five" and model.axes == ("a", "b")  # kept when not given
    assert model.labels is None and model.true_mixture is None
    assert model.points.shape == (1, 2) and not model.points.flags.writeable
    model.set_points([])
    assert model.points.shape == (0, 2)


@pytest.mark.parametrize("bad", [1e300, -1.5e121, np.inf, np.nan])
def test_points_emviz_cannot_square_are_rejected_and_nothing_changes(bad):
    model = Workbench()
    model.set_points([[1.0, 2.0]], name="kept")
    heard = []
    model.subscribe(heard.append)
    with pytest.raises(ValueError, match="finite and at most 1e\\+120 in size"):
        model.set_points([[0.0, 1.0], [bad, 2.0]], name="huge")
    assert heard == [] and model.dataset_name == "kept"
    np.testing.assert_array_equal(model.points, [[1.0, 2.0]])
    model.set_points([[MAX_COORDINATE, -MAX_COORDINATE]])  # the limit itself is fine


def test_points_checked_in_a_loading_job_are_taken_unchecked_and_uncopied(monkeypatch):
    """frozen_checked_points (a loading job) checks once; the model takes its array as it
    is. Any other array, or one made writable again since, is checked where it enters."""
    X = model_module.frozen_checked_points(np.arange(8.0).reshape(4, 2)[:, ::-1])
    assert X.flags.c_contiguous and not X.flags.writeable and X.base is None
    with pytest.raises(ValueError, match="finite"):
        model_module.frozen_checked_points([[0.0, np.nan]])
    checked = []
    real = model_module.check_points
    monkeypatch.setattr(model_module, "check_points", lambda a: checked.append(a) or real(a))
    model = Workbench()
    model.set_points(X)
    assert model.points is X and checked == []
    model.set_points(X.copy())
    assert len(checked) == 1
    bad = model_module.frozen_checked_points([[1.0, 2.0]])
    bad.setflags(write=True)
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="finite"):
        model.set_points(bad)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("init_method", INIT_METHODS)
def test_em_runs_on_data_reaching_the_coordinate_limit(covariance_type, init_method):
    """The limit is one EM can live with (warnings are errors here, overflow included)."""
    X = old_faithful().X
    X = np.r_[X, -X] / np.abs(X).max() * MAX_COORDINATE  # two opposite corners at the limit
    start = initialize(X, 3, init_method, np.random.default_rng(0), covariance_type)
    history = list(run_em(X, start, covariance_type, max_iter=10))
    assert np.isfinite([s.log_likelihood for s in history]).all()
    assert np.isfinite(history[-1].mixture.covariances).all()


def test_labels_of_the_wrong_length_are_rejected():
    model = Workbench()
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\)"):
        model.set_points(np.zeros((3, 2)), labels=np.zeros(4))
    assert model.points.shape == (0, 2)  # unchanged


# -- the history ----------------------------------------------------------------------------


def test_append_moves_to_the_newest_state(long_run):
    X, history = long_run
    model = Workbench()
    model.set_points(X)
    heard = Recorder(model)
    model.append([])
    assert heard.take() == [] and model.index == -1
    model.append(history[:3])
    assert heard.take() == [{"history", "index", "identity"}]  # the first state: its colours
    assert model.index == 2 and model.current is history[2] and model.at_tip
    model.append(history[3:])
    assert model.index == 40 and model.history == history


def test_set_index_clamps_and_notifies_only_on_change(run_model):
    model, heard = run_model
    model.set_index(7)
    assert model.index == 7 and model.current is model.history[7] and not model.at_tip
    model.set_index(np.int64(7))
    model.set_index(7.9)  # a slider position: truncated to the half-step it is on
    assert heard.take() == [{"index"}] and model.index == 7
    model.set_index(-3)
    assert model.index == 0
    model.set_index(10**6)
    assert model.index == 40 and model.at_tip
    assert heard.take() == [{"index"}, {"index"}]


def test_set_index_on_an_empty_history_stays_at_no_state():
    model = Workbench()
    model.set_points(np.zeros((4, 2)))
    heard = Recorder(model)
    for i in (0, 5, -1):
        model.set_index(i)
    assert model.index == -1 and model.current is None and model.at_tip
    assert heard.take() == []


def test_truncate_after_current_drops_the_later_states(run_model, long_run):
    model, heard = run_model
    _, history = long_run
    model.end_run("maximum iterations reached")
    model.truncate_after_current()  # at the tip: nothing to drop
    assert len(model.history) == 41 and model.run_ended == "maximum iterations reached"
    heard.take()
    model.set_index(5)
    model.truncate_after_current()
    assert heard.take() == [{"index"}, {"history"}]
    assert len(model.history) == 6 and all(a is b for a, b in zip(model.history, history[:6], strict=True))
    assert model.index == 5 and model.at_tip and model.current is history[5]
    assert model.run_ended == ""  # the run can go on from here


def test_end_run_and_start_history(run_model):
    model, heard = run_model
    model.end_run("converged")
    model.end_run("converged")
    assert heard.take() == [{"history"}] and model.run_ended == "converged"
    model.start_history()
    assert heard.take() == [{"history", "index"}]
    assert (model.history, model.index, model.run_ended, model.at_tip) == ([], -1, "", True)
    assert model.points.shape == (272, 2)  # the data stay


def test_replace_state_notifies_index_only_for_the_current_state(run_model, long_run):
    model, heard = run_model
    _, history = long_run
    other = dataclasses.replace(history[3])
    model.replace_state(3, other)
    assert model.history[3] is other and heard.take() == [{"history"}]
    current = dataclasses.replace(history[40])
    model.replace_state(40, current)
    assert model.current is current and heard.take() == [{"index"}]


# -- bounded memory for responsibilities ----------------------------------------------------


def test_run_em_shares_q_between_an_m_state_and_its_e_state(long_run):
    # what _drop_old_resp relies on; if this changes, the memory accounting must change too
    _, history = long_run
    assert history[0].resp is None
    for i, state in enumerate(history[1:], start=1):
        if state.phase == "M":
            assert state.resp is history[i - 1].resp
        else:
            assert state.resp is not history[i - 2].resp


def test_default_budget_keeps_every_resp(run_model):
    model, _ = run_model
    assert model_module.RESP_BUDGET_BYTES == 256 * 2**20
    assert has_resp(model) == [False] + [True] * 40


def test_budget_drops_old_resp_but_keeps_log_likelihood_bound_and_mixture(long_run, monkeypatch):
    X, history = long_run
    nbytes = history[1].resp.nbytes
    assert nbytes == 272 * 2 * 8
    monkeypatch.setattr(model_module, "RESP_BUDGET_BYTES", int(5.5 * nbytes))
    model = Workbench()
    model.set_points(X)
    model.append(history)
    # five q arrays (E/M pairs of iterations 16..20) fit in 5.5 arrays' worth; the sixth does not
    assert has_resp(model) == [False] * 31 + [True] * 10
    assert sum(s.resp.nbytes for s in model.history[2::2] if s.resp is not None) <= 5.5 * nbytes
    for old, new in zip(history, model.history, strict=True):
        if new.resp is None:
            assert (new.phase, new.iteration, new.converged, new.degenerate) == (
                old.phase, old.iteration, old.converged, old.degenerate)
            assert new.mixture is old.mixture
            assert new.log_likelihood == old.log_likelihood
            np.testing.assert_equal(new.lower_bound, old.lower_bound)  # NaN for "init" too
        else:
            assert new is old  # kept states are left untouched
    assert history[1].resp is not None  # the caller's states are not modified


def test_newest_states_keep_resp_whatever_their_size(long_run, monkeypatch):
    X, history = long_run
    monkeypatch.setattr(model_module, "RESP_BUDGET_BYTES", 0)
    model = Workbench()
    model.set_points(X)
    for i, state in enumerate(history):
        model.append([state])  # as the worker delivers them during play
        newest = [s for s in model.history[-RESP_KEEP_NEWEST:] if s.phase != "init"]
        assert all(s.resp is not None for s in newest), f"after appending half-step {i}"
    # the newest RESP_KEEP_NEWEST distinct q arrays: the E/M pairs of iterations 17..20
    assert RESP_KEEP_NEWEST == 4
    assert has_resp(model) == [False] * 33 + [True] * 8


def test_budget_boundaries_and_e_m_pairs_kept_or_dropped_together(long_run, monkeypatch):
    X, history = long_run
    nbytes = history[1].resp.nbytes
    for budget in sorted({max(m * nbytes + d, 0) for m in range(22) for d in (-1, 0, 1)}):
        monkeypatch.setattr(model_module, "RESP_BUDGET_BYTES", budget)
        model = Workbench()
        model.set_points(X)
        model.append(history)
        expected = max(RESP_KEEP_NEWEST, min(20, budget // nbytes))  # the budget is inclusive
        kept_arrays = {id(s.resp) for s in model.history if s.resp is not None}
        assert len(kept_arrays) == expected, f"budget {budget}"
        for i, state in enumerate(model.history):
            if state.phase == "M":
                e_state = model.history[i - 1]
                assert (state.resp is None) == (e_state.resp is None), f"budget {budget}, half-step {i}"
                assert state.resp is e_state.resp


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 40), max_size=12).map(lambda c: sorted(set(c))),
    budget_in_arrays=st.floats(0.0, 22.0),
)
def test_chunked_appends_keep_the_same_resp_as_one_append(long_run, cuts, budget_in_arrays):
    # the worker hands over states in batches of any size; the result must not depend on them
    X, history = long_run
    budget = int(budget_in_arrays * history[1].resp.nbytes)
    with mock.patch.object(model_module, "RESP_BUDGET_BYTES", budget):
        whole, chunked = Workbench(), Workbench()
        whole.append(history)
        for start, stop in zip([0, *cuts], [*cuts, len(history)], strict=True):
            chunked.append(history[start:stop])
    assert has_resp(chunked) == has_resp(whole)
    kept = has_resp(whole)
    first_kept = kept.index(True)
    assert all(kept[first_kept:])  # the kept ones are the newest, with no holes


def test_a_restored_resp_is_dropped_again_when_the_run_grows(long_run, monkeypatch):
    X, history = long_run
    monkeypatch.setattr(model_module, "RESP_BUDGET_BYTES", 0)
    model = Workbench()
    model.set_points(X)
    model.append(history[:21])
    assert model.history[1].resp is None
    heard = Recorder(model)
    # what the window does on scrubbing to a state without q: recompute it under θ_old
    resp, log_likelihood = e_step(X, history[0].mixture)
    assert log_likelihood == pytest.approx(model.history[1].log_likelihood, rel=1e-12)
    model.replace_state(1, dataclasses.replace(model.history[1], resp=resp))
    assert heard.take() == [{"history"}] and model.history[1].resp is not None
    model.append(history[21:23])
    assert model.history[1].resp is None
    assert model.history[1].log_likelihood == history[1].log_likelihood


# -- no Qt ----------------------------------------------------------------------------------

QT_PACKAGES = ("PySide6", "shiboken6", "pyqtgraph")
LIST_QT = (
    "import sys, emviz; print(emviz.__file__); "
    f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT_PACKAGES!r}))"
)


def run_fresh(imports: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(emviz.__file__).parents[1])}
    result = subprocess.run([sys.executable, "-c", f"{imports}; {LIST_QT}"], capture_output=True, text=True,
                            env=env, timeout=60, check=True)
    return result.stdout.splitlines()


def test_view_maths_and_model_import_no_qt():
    package, qt_modules = run_fresh("import emviz.look.colors, emviz.look.geometry, emviz.look.readouts, "
                                    "emviz.session.model")
    assert package == emviz.__file__  # the same emviz this suite tests
    assert qt_modules == "[]"


def test_the_qt_check_sees_qt_when_it_is_imported():
    _, qt_modules = run_fresh("import PySide6.QtCore")
    assert "'PySide6.QtCore'" in qt_modules


def test_data_serial_counts_whole_new_data_not_edits():
    m = Workbench()
    X = np.zeros((3, 2))
    m.set_points(X, name="A")
    m.set_points(X + 1, name="A")  # the same name, new data
    assert m.data_serial == 2
    m.set_points(np.r_[X + 1, [[5.0, 5.0]]], name="A", edit=True)  # a point added
    assert m.data_serial == 2 and len(m.points) == 4
    with pytest.raises(ValueError):
        m.set_points(np.full((2, 2), np.nan))
    assert m.data_serial == 2  # refused: nothing changed
