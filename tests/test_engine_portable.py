"""The portable EM engine (emviz.engine): named shared memory instead of memfd, a fresh
interpreter as under "spawn", results equal to in-process EM, the responsibilities held once
(in shared memory both processes map), and no shared-memory block left behind whatever way
a run or a process ends."""

from __future__ import annotations

import dataclasses
import mmap
import os
import signal
import subprocess
import sys
import textwrap
import time
from itertools import islice

import numpy as np
import pytest

from emviz.core import continue_em, e_step
from emviz.engine import EngineError, available, transport
from emviz.session.model import Settings
from emviz.session.runs import continued, fresh_run, restored

from .test_remote import assert_same_states, blobs

pytestmark = pytest.mark.skipif(not available(), reason="the engine needs named shared memory")
needs_dev_shm = pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="lists /dev/shm (Linux)")


def shm_names(prefix: str) -> list[str]:
    """The shared-memory blocks in /dev/shm whose names start with ``prefix``."""
    return sorted(name for name in os.listdir("/dev/shm") if name.startswith(prefix))


def wait_until(condition, timeout: float = 30.0) -> None:
    """Poll ``condition`` (an observable state) until true; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout  # a time-out for a hang, as qtbot.waitUntil's
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not reached in {timeout} s")
        time.sleep(0.02)


def runtime_value():
    """What this module's KEEP_FREE is in the process running the generator."""
    yield transport.KEEP_FREE, os.getppid(), "__mp_main__" in sys.modules


def where_resp_lives(X, mixture):
    """The type of the memory an E-step's responsibilities are written into, here."""
    yield type(base_of(e_step(X, mixture)[0])).__name__


def base_of(array: np.ndarray) -> object:
    """The object that owns an array's memory."""
    while isinstance(array, np.ndarray) and array.base is not None:
        array = array.base
    while isinstance(array, memoryview):
        array = array.obj
    return array


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
def test_every_covariance_type_gives_the_in_process_states(engine, covariance_type):
    X = blobs(20_000, seed=3)
    settings = Settings(k=3, init_method="kmeans++", covariance_type=covariance_type, tol=0.0, max_iter=5)
    remote_states = list(engine.iterate(fresh_run, X, settings))
    local_states = list(fresh_run(X, settings))
    assert_same_states(remote_states, local_states)
    for a, b in zip(remote_states[1:], local_states[1:], strict=True):
        np.testing.assert_allclose(a.resp, b.resp, rtol=1e-12, atol=0)


def test_a_continued_run_and_a_restored_state_give_the_in_process_states(engine):
    X, settings = blobs(20_000, seed=4), Settings(k=3, tol=0.0, max_iter=20)
    states = list(islice(fresh_run(X, settings), 6))
    # An E-state whose q was dropped: the child recomputes it and goes on from there.
    dropped = dataclasses.replace(states[3], resp=None)
    args = (X, dropped, "full", 1e-6, 0.0, 20)
    assert_same_states(list(islice(engine.iterate(continued, *args), 4)),
                       list(islice(continue_em(X, states[3], "full", 1e-6, 0.0, 20), 4)))
    again, = engine.iterate(restored, X, dropped, dropped.mixture)
    np.testing.assert_array_equal(again.resp, states[3].resp)


def test_the_responsibilities_are_written_into_shared_memory_and_arrive_as_views_of_it(engine):
    X = blobs(20_000)
    mixture = next(fresh_run(X, Settings(k=3))).mixture
    assert next(engine.iterate(where_resp_lives, X, mixture)) == "mmap"  # in the child
    assert next(where_resp_lives(X, mixture)) != "mmap"  # in this process: plain numpy
    state = list(islice(engine.iterate(fresh_run, X, Settings(k=3, tol=0.0)), 2))[1]
    assert isinstance(base_of(state.resp), mmap.mmap)  # the window reads the child's block
    assert not state.resp.flags.writeable


def test_the_child_is_a_fresh_interpreter_as_under_spawn(engine, monkeypatch):
    """Nothing of this process's state reaches the child but what is sent (as with the
    "spawn" start method macOS and Windows use), and no main script is run again there."""
    monkeypatch.setattr(transport, "KEEP_FREE", 99)
    keep_free, parent_pid, mp_main = next(engine.iterate(runtime_value))
    assert keep_free == 2  # the module's own value, imported afresh
    assert parent_pid == os.getpid()
    assert not mp_main


def test_the_engine_does_not_depend_on_linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert available()


@needs_dev_shm
@pytest.mark.parametrize("pid", [1, 99_999, 4_194_304], ids=["small", "macos-max", "linux-max"])
def test_shared_memory_names_fit_macos_limit_at_the_extremes(pid, monkeypatch):
    """macOS refuses a POSIX shared-memory name longer than 31 characters with its leading
    "/" (PSHMNAMLEN): every name stays within 30, for pids up to Linux's largest (2**22;
    macOS's stay below 100,000), after a million children and a million blocks each (and a
    billion), and distinct names stay distinct. (Windows names a mapping with up to MAX_PATH
    characters.)"""
    from emviz.engine import parent

    monkeypatch.setattr(os, "getpid", lambda: pid)
    engine = parent.Engine()
    assert engine.prefix.startswith("emviz")
    names = set()
    for epoch in (1, 35, 36, 10**6):
        for role in "cp":
            prefix = parent.channel_prefix(engine.prefix, epoch, role)
            for number in (0, 12, 35, 36, 10**6, 10**9):
                name = transport.block_name(prefix, number)
                assert len(name) <= transport.MAX_NAME_CHARS == 30, name
                names.add(name)
    assert len(names) == 4 * 2 * 6


def test_a_run_to_its_end_and_a_shutdown_leave_no_shared_memory(engine):
    X = blobs(60_000, seed=5)
    settings = Settings(k=3, tol=0.0, max_iter=4)
    states = list(engine.iterate(fresh_run, X, settings))
    assert shm_names(engine.prefix)  # the child's slots, while the states are held
    np.testing.assert_array_equal(states[-1].resp, list(fresh_run(X, settings))[-1].resp)
    engine.shutdown()
    assert shm_names(engine.prefix) == []
    np.testing.assert_array_equal(states[1].resp, states[2].resp)  # still readable after


@needs_dev_shm
def test_a_run_closed_midway_stops_and_its_slots_are_given_back(engine):
    X, settings = blobs(60_000, seed=6), Settings(k=3, tol=0.0, max_iter=100)
    run = engine.iterate(fresh_run, X, settings)
    held = [next(run) for _ in range(5)]
    run.close()
    with pytest.raises(StopIteration):
        next(run)
    second = engine.iterate(fresh_run, X, settings)  # the engine serves the next run
    assert_same_states([next(second) for _ in range(3)], list(islice(fresh_run(X, settings), 3)))
    second.close()
    # Answers already sent ahead for the closed runs pin their slots until read: a small
    # run reads (and drops) them.
    list(engine.iterate(fresh_run, blobs(300), Settings(k=2, max_iter=2)))
    del held, run, second
    # Freed arrays are reported to the child, which gives back its free slots when idle.
    wait_until(lambda: shm_names(engine.prefix) == [])
    assert engine.running


@needs_dev_shm
def test_a_killed_child_is_an_engine_error_and_leaves_no_shared_memory(engine):
    X, settings = blobs(60_000, seed=7), Settings(k=3, tol=0.0, max_iter=100)
    run = engine.iterate(fresh_run, X, settings)
    held = [next(run) for _ in range(4)]
    assert shm_names(engine.prefix)
    os.kill(engine._process.pid, signal.SIGKILL)
    with pytest.raises(EngineError, match="stopped unexpectedly .exit code -9"):
        for _ in range(10):
            next(run)
    assert shm_names(engine.prefix) == []  # unlinked by this side: the child could not
    np.testing.assert_array_equal(held[3].resp, list(islice(fresh_run(X, settings), 4))[3].resp)
    again = engine.iterate(fresh_run, X, settings)
    assert next(again).phase == "init"  # a new child


def process_alive(pid: str) -> bool:
    """Whether ``pid`` runs (a zombie has ended: only its parent's wait is missing)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return "State:\tZ" not in status.read()
    except FileNotFoundError:
        return False


PARENT = textwrap.dedent("""\
    import os, signal, sys
    import numpy as np
    from emviz.engine import Engine
    from emviz.session.model import Settings
    from emviz.session.runs import fresh_run
    X = np.random.default_rng(0).normal(size=(60_000, 2))
    engine = Engine()
    run = engine.iterate(fresh_run, X, Settings(k=3, tol=0.0, max_iter=100))
    held = [next(run) for _ in range(4)]
    print(engine.prefix, engine._process.pid, flush=True)
    sys.stdin.readline()
    os.kill(os.getpid(), signal.SIGKILL)
""")


@needs_dev_shm
def test_a_window_process_that_is_killed_leaves_no_shared_memory(tmp_path):
    with subprocess.Popen([sys.executable, "-c", PARENT], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True, cwd=tmp_path) as parent:
        prefix, child = parent.stdout.readline().split()
        assert shm_names(prefix)
        parent.stdin.write("\n")
        parent.stdin.flush()
        parent.wait()
    assert parent.returncode == -signal.SIGKILL
    # The orphaned child reads the end of its input, unlinks its slots and exits.
    wait_until(lambda: not process_alive(child))
    assert shm_names(prefix) == []


def test_continuing_from_a_state_the_child_sent_names_its_slot_instead_of_copying_it(engine):
    X, settings = blobs(20_000, seed=9), Settings(k=3, tol=0.0, max_iter=20)
    states = list(islice(engine.iterate(fresh_run, X, settings), 4))  # init, E, M, E
    made = engine._channel.blocks_made
    args = (X, states[3], "full", 1e-6, 0.0, 20)
    assert_same_states(list(islice(engine.iterate(continued, *args), 5)),
                       list(islice(continue_em(*args), 5)))
    assert engine._channel.blocks_made == made + 1  # the points; q went by its slot's name


@needs_dev_shm
def test_a_shutdown_while_the_child_works_ahead_leaves_no_shared_memory(engine):
    """The child announces a slot before making it; a shutdown reads the announcements left
    unread (here: the slot of the E-step computed ahead) and unlinks them too."""
    X, settings = blobs(60_000, seed=10), Settings(k=3, tol=0.0, max_iter=100)
    run = engine.iterate(fresh_run, X, settings)
    held = [next(run) for _ in range(6)]  # init, E, M, E, M, E: all kept, so no slot is reused
    child_slots = f"{engine.prefix}1c"
    wait_until(lambda: len(shm_names(child_slots)) > len(engine._channel.slots_seen))
    engine.shutdown()
    assert shm_names(engine.prefix) == []
    assert held[5].resp.shape == (60_000, 3)


@needs_dev_shm
def test_an_idle_child_with_a_live_run_holds_a_warm_block_for_the_next_responsibilities(engine):
    """Filling fresh shared pages costs more than the E-step's writing (at 10⁶ x 5 here 25 to
    270 ms, against 60 ms for a whole E+M iteration): a child that has answered and has
    a run to go on with makes the block the next M-step's E-pass writes r_nk into while it
    waits, so a first Step does not pay for it."""
    X, settings = blobs(60_000, seed=11), Settings(k=3, tol=0.0, max_iter=100)
    run = engine.iterate(fresh_run, X, settings)
    held = [next(run)]  # "init"; the child also computed the E-state ahead (its q: one slot)
    child_slots = f"{engine.prefix}1c"
    wait_until(lambda: len(shm_names(child_slots)) == 2)  # that slot, and the warm one
    held += [next(run) for _ in range(3)]  # E, M (its E-pass wrote into the warm block), E
    assert held[3].resp.shape == (60_000, 3)
    run.close()
    del held, run
    list(engine.iterate(fresh_run, blobs(300), Settings(k=2, max_iter=2)))  # reads the rest
    wait_until(lambda: shm_names(engine.prefix) == [])  # no live run: all given back when idle


def echo_sum(X):
    """The sum of what arrived in the child, to compare with what was sent."""
    yield float(X.sum()), X.shape


@pytest.mark.skipif(os.name == "nt", reason="POSIX mappings (Windows maps by tag name)")
def test_the_window_copies_big_arrays_into_shared_memory_without_map_populate(engine, monkeypatch):
    """In the window's process the copy runs beside the GUI thread: MAP_POPULATE (the pages
    made in the mmap call) and mmap's slice assignment held the GIL for 13-43 ms with the
    points of a 10⁶-row file. The block is mapped without it and filled by numpy's copy,
    which lets the GIL go; what arrives in the child is what was sent."""
    maps = []
    real_mmap = mmap.mmap

    def recording(*args, **kwargs):
        maps.append((kwargs.get("prot", 0), kwargs.get("flags", 0)))
        return real_mmap(*args, **kwargs)

    monkeypatch.setattr(transport.mmap, "mmap", recording)
    X = blobs(20_000, seed=5)  # 320 kB: through shared memory
    assert next(engine.iterate(echo_sum, X)) == (float(X.sum()), X.shape)
    writable = [flags for prot, flags in maps if prot & mmap.PROT_WRITE]
    assert writable, "the points went through a block of shared memory"
    assert not any(flags & getattr(mmap, "MAP_POPULATE", 0) for flags in writable)
