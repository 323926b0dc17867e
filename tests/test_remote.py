"""The EM engine's child process (emviz.engine): same states as in-process, errors carried
over, shared memory reused, and no process left behind."""

from __future__ import annotations

import os
import sys
from itertools import islice

import numpy as np
import pytest

from emviz import engine as remote
from emviz.core import continue_em, run_em
from emviz.engine import EngineError
from emviz.session.model import Settings
from emviz.session.runs import fresh_run

pytestmark = pytest.mark.skipif(not remote.available(), reason="the engine needs named shared memory")


def blobs(n: int = 30_000, seed: int = 0) -> np.ndarray:
    """Big enough that resp (n x 3 float64) travels through shared memory."""
    rng = np.random.default_rng(seed)
    centres = np.array([[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    X = centres[rng.integers(3, size=n)] + rng.normal(size=(n, 2))
    X.setflags(write=False)
    return X


def modules_loaded(names: tuple[str, ...]):
    """Yields which of ``names`` the process running this generator has imported, and the
    file its __main__ module came from."""
    yield {name: name in sys.modules for name in names}, getattr(sys.modules["__main__"], "__file__", None)


def failing_run():
    yield 1
    raise ValueError("reg_covar must be >= 0, got -1")


def assert_same_states(remote_states, local_states):
    assert len(remote_states) == len(local_states)
    for a, b in zip(remote_states, local_states, strict=True):
        assert (a.phase, a.iteration, a.converged, a.degenerate) == (b.phase, b.iteration,
                                                                      b.converged, b.degenerate)
        assert a.log_likelihood == b.log_likelihood
        assert a.lower_bound == b.lower_bound or (np.isnan(a.lower_bound) and np.isnan(b.lower_bound))
        for name in ("weights", "means", "covariances"):
            np.testing.assert_array_equal(getattr(a.mixture, name), getattr(b.mixture, name))
        if b.resp is None:
            assert a.resp is None
        else:
            np.testing.assert_array_equal(a.resp, b.resp)
            assert not a.resp.flags.writeable


def test_a_remote_run_yields_exactly_the_local_states(engine):
    X, settings = blobs(), Settings(k=3, init_method="kmeans++", seed=4, tol=0.0, max_iter=6)
    remote_states = list(engine.iterate(fresh_run, X, settings))
    assert_same_states(remote_states, list(fresh_run(X, settings)))
    assert [s.phase for s in remote_states[:3]] == ["init", "E", "M"]
    assert remote_states[2].resp is remote_states[1].resp  # an M-step keeps its E-step's q


def test_a_run_continued_from_a_state_sent_to_the_child_matches(engine):
    X, settings = blobs(seed=1), Settings(k=3, tol=0.0, max_iter=20)
    states = list(fresh_run(X, settings))[:4]  # init, E, M, E: resumes after an E-step
    args = (X, states[3], "full", 1e-6, 0.0, 20)
    remote_states = list(islice(engine.iterate(continue_em, *args), 5))
    local_states = list(islice(continue_em(*args), 5))
    assert_same_states(remote_states, local_states)


def test_errors_in_the_child_reach_the_caller_with_their_type_and_message(engine):
    iterator = engine.iterate(failing_run)
    assert next(iterator) == 1
    with pytest.raises(ValueError, match="reg_covar must be >= 0"):
        next(iterator)
    with pytest.raises(StopIteration):
        next(iterator)
    X = blobs(300)
    bad = engine.iterate(run_em, X, list(fresh_run(X, Settings(k=2)))[0].mixture, "full",
                         1e-6, -1.0, 10)  # a negative tol is refused after the "init" state
    with pytest.raises(ValueError, match="tol"):
        for _ in range(3):
            next(bad)


def test_shared_memory_slots_are_reused_once_the_arrays_are_freed(engine):
    X = blobs(60_000, seed=2)
    iterator = engine.iterate(fresh_run, X, Settings(k=3, tol=0.0, max_iter=100))
    for _ in range(30):
        state = next(iterator)  # only the newest state is kept
    assert state.iteration == 15
    slots = engine._channel.slots_seen  # the child's slots that ever came to this side
    assert 1 <= len(slots) <= 2 + remote.AHEAD


def test_closing_one_run_leaves_the_engine_serving_the_next(engine):
    X, settings = blobs(2_000), Settings(k=3, tol=0.0, max_iter=50)
    first = engine.iterate(fresh_run, X, settings)
    next(first), next(first)
    first.close()
    with pytest.raises(StopIteration):
        next(first)
    second = engine.iterate(fresh_run, X, settings)
    assert_same_states([next(second) for _ in range(4)], list(fresh_run(X, settings))[:4])


def test_a_dead_child_is_an_engine_error_and_a_new_run_starts_a_new_child(engine):
    X, settings = blobs(2_000), Settings(k=3, tol=0.0, max_iter=50)
    iterator = engine.iterate(fresh_run, X, settings)
    next(iterator)
    first_pid = engine._process.pid
    engine._process.kill()
    engine._process.wait()
    with pytest.raises(EngineError):
        for _ in range(AHEAD_PLUS_ONE):
            next(iterator)
    again = engine.iterate(fresh_run, X, settings)
    assert next(again).phase == "init"
    assert engine.running and engine._process.pid != first_pid


AHEAD_PLUS_ONE = remote.AHEAD + 1  # answers already on their way may still arrive


def test_the_child_imports_no_qt_and_not_the_callers_main_script(engine):
    loaded, main_file = next(engine.iterate(modules_loaded, ("PySide6", "pyqtgraph", "pytest")))
    assert loaded == {"PySide6": False, "pyqtgraph": False, "pytest": True}  # pytest: this file
    assert main_file is None  # "python -c": the caller's script is not run again there


def test_shutdown_leaves_no_process(engine):
    next(engine.iterate(fresh_run, blobs(500), Settings(k=2)))
    pid = engine._process.pid
    engine.shutdown()
    assert not engine.running
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: not a zombie either
