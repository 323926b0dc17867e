"""Starting the EM engine's child process: a folder named emviz in the current directory
cannot stand in for the real package, and a child that cannot start leaves EM running in
this process (same states), says why once, and leaves no process behind."""

from __future__ import annotations

import subprocess
import sys

import pytest

from emviz.engine import Engine, available
from emviz.engine import parent as remote
from emviz.session.model import Settings
from emviz.session.runs import fresh_run

from .test_remote import assert_same_states, blobs

pytestmark = pytest.mark.skipif(not available(), reason="the engine needs named shared memory")

FALLBACK = "EM runs in the window's process: "


@pytest.fixture
def engine():
    told: list[str] = []
    e = Engine(on_fallback=told.append)
    e.told = told
    yield e
    e.shutdown()
    assert not e.running


@pytest.fixture
def spawned(monkeypatch) -> list[list[str]]:
    """The command lines of the processes started (each one still really started)."""
    commands: list[list[str]] = []
    original = subprocess.Popen

    def popen(args, *rest, **kwargs):
        commands.append(list(args))
        return original(args, *rest, **kwargs)

    monkeypatch.setattr(remote.subprocess, "Popen", popen)
    return commands


def run(settings: Settings | None = None):
    return blobs(3_000, seed=7), settings or Settings(k=3, tol=0.0, max_iter=5)


def test_a_folder_named_emviz_in_the_current_directory_does_not_shadow_the_package(
        engine, tmp_path, monkeypatch):
    fake = tmp_path / "emviz"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('the fake emviz was imported')\n")
    (fake / "engine").mkdir()
    (fake / "engine" / "__init__.py").write_text("raise ImportError('the fake emviz.engine was imported')\n")
    monkeypatch.chdir(tmp_path)
    X, settings = run()
    states = list(engine.iterate(fresh_run, X, settings))
    assert_same_states(states, list(fresh_run(X, settings)))
    assert engine.running and engine.fallback is None and engine.told == []


def test_the_child_imports_the_parents_emviz_even_if_its_search_path_finds_another(
        engine, tmp_path, monkeypatch):
    """A PYTHONPATH naming another emviz first (a different checkout, say) changes nothing:
    the child runs the code of the emviz package this process imported."""
    fake = tmp_path / "elsewhere" / "emviz"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('another emviz was imported')\n")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    X, settings = run()
    assert_same_states(list(engine.iterate(fresh_run, X, settings)), list(fresh_run(X, settings)))
    assert engine.fallback is None


def assert_fell_back(engine, X, settings, why: str) -> None:
    """The run gives the in-process states, the reason is told once, no child is running."""
    assert_same_states(list(engine.iterate(fresh_run, X, settings)), list(fresh_run(X, settings)))
    assert not engine.running
    assert engine.fallback is not None and engine.fallback.startswith(FALLBACK)
    assert why in engine.fallback
    assert engine.told == [engine.fallback]


def test_an_interpreter_that_cannot_be_run_leaves_em_in_this_process(engine, spawned, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    X, settings = run()
    assert_fell_back(engine, X, settings, "/nonexistent/python3")
    # The next run does not try again (the cause is still there) and is not told twice.
    assert_same_states(list(engine.iterate(fresh_run, X, settings)), list(fresh_run(X, settings)))
    assert len(spawned) == 1 and len(engine.told) == 1


def test_a_child_that_cannot_import_emviz_leaves_em_in_this_process(engine, monkeypatch):
    broken = remote._BOOT.replace("from emviz.engine.child import main", "import emviz.no_such_module")
    assert broken != remote._BOOT
    monkeypatch.setattr(remote, "_BOOT", broken)
    X, settings = run()
    assert_fell_back(engine, X, settings, "No module named 'emviz.no_such_module'")


def test_a_child_that_dies_before_it_is_ready_leaves_em_in_this_process(engine, monkeypatch):
    monkeypatch.setattr(remote, "_BOOT", "import sys; sys.exit(3)")
    X, settings = run()
    assert_fell_back(engine, X, settings, "exit code 3")


def test_a_child_that_never_gets_ready_is_stopped_and_em_stays_in_this_process(engine, monkeypatch):
    monkeypatch.setattr(remote, "_BOOT", "import time; time.sleep(600)")
    monkeypatch.setattr(remote, "START_TIMEOUT", 0.5)
    X, settings = run()
    assert_fell_back(engine, X, settings, "not ready")


def test_a_run_closed_before_it_ends_in_this_process_stops(engine, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    X, settings = run(Settings(k=3, tol=0.0, max_iter=50))
    iterator = engine.iterate(fresh_run, X, settings)
    assert next(iterator).phase == "init"
    iterator.close()
    with pytest.raises(StopIteration):
        next(iterator)
