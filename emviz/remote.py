"""EM for large data in a child process (no Qt here).

Why: a worker thread shares Python's GIL with the window. Measured here with 1e6 points, a
thread draining EM while the window draws ran at 3 iterations/s instead of 4.7, and the
window's frames took two to three times longer, because EM's thousands of short numpy calls
per iteration and the window's thousands of short Qt calls each wait for the other to hand
the GIL back. A child process has its own interpreter, so each side gets a whole core.

``Engine.iterate(function, *args)`` returns a RemoteIterator that behaves like
``function(*args)``: ``next()`` gives the same EMStates, computed by the same code in the
child, which works up to AHEAD half-steps ahead so it never waits for the window.

Transport: messages are pickled (protocol 5), and every array buffer of SHARED_MIN_BYTES or
more travels out of band in an anonymous shared-memory file (memfd) whose descriptor is
passed over the pipe; the receiver maps it read-only. A 1e6 x 5 responsibility matrix costs
the child one copy and the window none, and nothing is left behind if either side dies.
Linux only (memfd and descriptor passing): elsewhere ``available()`` is False and EM stays
in the worker thread. If the child cannot start (no interpreter, an import that fails, a
child that is not ready in time), the iterator runs ``function(*args)`` in the calling
thread instead and the engine says why once (``Engine.fallback``, ``on_fallback``).
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import mmap
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle

#: Buffers at least this big go through shared memory rather than the pipe.
SHARED_MIN_BYTES = 1 << 16
#: Half-steps asked for ahead of the one being read: two, so the child computes the next one
#: while the window copies this one out.
AHEAD = 2
#: Seconds a new child may take to say it is ready (it imports only emviz.remote by then:
#: ~0.1 s here); past that it is stopped and EM runs in this process.
START_TIMEOUT = 20.0
#: Prefix of ``Engine.fallback``: the one-line note for the status bar.
FALLBACK = "EM runs in the window's process: "


class EngineError(RuntimeError):
    """The child process failed or went away (errors of EM itself are re-raised as they are)."""


class EngineStartError(EngineError):
    """No child process could be started (a RemoteIterator then runs in this process)."""


def available() -> bool:
    """Whether EM can run in a child process on this platform."""
    return sys.platform.startswith("linux") and hasattr(os, "memfd_create")


# -- transport ------------------------------------------------------------------------------
class Channel:
    """One end of the pipe. ``send`` pickles a message with its big buffers out of band:
    in a fresh shared-memory file, or, with ``reuse_memory`` (the child's replies), in one
    of a pool of shared-memory slots that the child reuses, because touching fresh pages
    costs more than copying (measured here: 53 ms to send a 1e6 x 5 matrix in fresh memory,
    8 ms in a reused slot). The receiver's arrays are read-only views of the slot, not
    copies; when the last of them is freed, its next message tells the child that the slot
    may be reused.
    """

    def __init__(self, conn: Connection, reuse_memory: bool = False) -> None:
        self.conn = conn
        self._reuse = reuse_memory
        self._pool: list[list] = []  # sender: [fd, mapping, free]
        self._slots: dict[int, int] = {}  # receiver: descriptors of the sender's slots
        self._freed: list[int] = []  # receiver: slots no array uses any more, to report
        self._freed_lock = threading.Lock()  # arrays die in any thread

    def send(self, obj: object) -> None:
        big: list[memoryview] = []

        def in_band(buffer: pickle.PickleBuffer) -> bool:
            raw = buffer.raw()
            if raw.nbytes < SHARED_MIN_BYTES:
                return True
            big.append(raw)
            return False

        data = pickle.dumps(obj, protocol=5, buffer_callback=in_band)
        layout, fds, owned = [], [], []
        try:
            for raw in big:
                if self._reuse:
                    slot, fd = self._slot_for(raw)
                    layout.append((slot, raw.nbytes, len(self._pool[slot][1]) if fd is not None else 0))
                else:
                    fd = _to_memfd(raw)
                    owned.append(fd)
                    layout.append((-1, raw.nbytes, raw.nbytes))
                if fd is not None:
                    fds.append(fd)
            with self._freed_lock:
                freed, self._freed = self._freed, []
            self.conn.send((data, layout, freed))
            for fd in fds:
                send_handle(self.conn, fd, 0)
        finally:
            for fd in owned:
                os.close(fd)

    def receive(self) -> object:
        data, layout, freed = self.conn.recv()
        for slot in freed:
            self._pool[slot][2] = True
        buffers = []
        for slot, size, new_capacity in layout:
            if new_capacity:  # a new (or regrown) shared-memory file comes with its descriptor
                fd = recv_handle(self.conn)
                if slot < 0:
                    try:
                        buffers.append(mmap.mmap(fd, size, prot=mmap.PROT_READ))
                    finally:
                        os.close(fd)  # the mapping keeps the memory
                    continue
                old = self._slots.pop(slot, None)
                if old is not None:
                    os.close(old)
                self._slots[slot] = fd
            # One mapping per message: numpy's arrays keep it alive, so its finaliser runs
            # when the last array using this slot is gone, and frees the slot.
            view = mmap.mmap(self._slots[slot], size, prot=mmap.PROT_READ,
                             flags=mmap.MAP_SHARED | mmap.MAP_POPULATE)
            weakref.finalize(view, self._release, slot)
            buffers.append(view)
        return pickle.loads(data, buffers=buffers)

    def _release(self, slot: int) -> None:
        with self._freed_lock:
            self._freed.append(slot)

    def close(self) -> None:
        for fd in self._slots.values():
            os.close(fd)
        for fd, mapping, _ in self._pool:
            mapping.close()
            os.close(fd)
        self._slots.clear()
        self._pool.clear()
        self.conn.close()

    def _slot_for(self, raw: memoryview) -> tuple[int, int | None]:
        """A free slot holding a copy of ``raw``, and its descriptor if the receiver has not
        mapped it yet (a new slot, or one regrown for a bigger buffer)."""
        free = [i for i, (_, mapping, is_free) in enumerate(self._pool) if is_free]
        fitting = [i for i in free if len(self._pool[i][1]) >= raw.nbytes]
        fd = None
        if fitting:
            slot = fitting[0]
        else:
            if free:  # regrow a free slot rather than keep a useless small one
                slot = free[0]
                old_fd, old_mapping, _ = self._pool[slot]
                old_mapping.close()
                os.close(old_fd)
            else:
                slot = len(self._pool)
                self._pool.append([None, None, True])
            fd = os.memfd_create("emviz-slot", os.MFD_CLOEXEC)
            os.ftruncate(fd, raw.nbytes)
            self._pool[slot][:2] = [fd, mmap.mmap(fd, raw.nbytes)]
        mapping = self._pool[slot][1]
        mapping[: raw.nbytes] = raw
        self._pool[slot][2] = False
        return slot, fd


def _to_memfd(raw: memoryview) -> int:
    fd = os.memfd_create("emviz-array", os.MFD_CLOEXEC)
    try:
        os.ftruncate(fd, raw.nbytes)
        with mmap.mmap(fd, raw.nbytes) as memory:
            memory[:] = raw
    except BaseException:
        os.close(fd)
        raise
    return fd


# -- the child ----------------------------------------------------------------------------
#: The child's first lines, run as ``python -P -c _BOOT fd emviz/__init__.py *sys.path``.
#: -P keeps the current folder off sys.path (``python -c`` would put it first, and a folder
#: named emviz there would stand in for the package); the search path is then the parent's
#: (so whatever module a pickled function comes from imports there as here), and emviz is
#: the parent's own package, loaded from its file, whatever else that path might find first.
#: Not -I: it would also skip the user site's .pth files (an editable install of numpy, say).
#: "ready", or the import's error, tells the parent how the start went.
_BOOT = """\
import signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
fd, init = int(sys.argv[1]), sys.argv[2]
sys.path[:] = sys.argv[3:]
from multiprocessing.connection import Connection
conn = Connection(fd)
try:
    import importlib.util, os.path
    spec = importlib.util.spec_from_file_location(
        "emviz", init, submodule_search_locations=[os.path.dirname(init)])
    sys.modules["emviz"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules["emviz"])
    from emviz.remote import serve
except BaseException as error:
    conn.send_bytes(f"{type(error).__name__}: {error}".encode())
    raise
conn.send_bytes(b"ready")
serve(conn)
"""


def serve(conn: Connection) -> None:
    """The child's loop: start, advance and close iterators as the parent asks.

    Messages: ("start", key, function, args), ("next", key), ("close", key), ("exit",).
    Each "next" is answered by ("state", key, state, same_resp), ("end", key, None, False)
    or ("error", key, exception, False). ``same_resp``: the state's resp is the one sent
    with the previous state (an M-step keeps its E-step's q), so it is not sent twice.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the window to handle
    channel = Channel(conn, reuse_memory=True)
    iterators: dict[int, Iterator] = {}
    last_resp: dict[int, object] = {}
    while True:
        try:
            message = channel.receive()
        except (EOFError, OSError):
            return  # the window has gone
        op = message[0]
        if op == "exit":
            return
        key = message[1]
        if op == "start":
            iterators[key] = _started(message[2], message[3])
        elif op == "close":
            iterators.pop(key, None)
            last_resp.pop(key, None)
        elif op == "next":
            channel.send(_advance(iterators, last_resp, key))


def _started(function: Callable[..., Iterator], args: tuple) -> Iterator:
    try:
        return iter(function(*args))
    except Exception as error:  # reported at the first next(), as a generator would
        return _raising(error)


def _raising(error: Exception) -> Iterator:
    raise error
    yield  # noqa: B901 (makes this a generator)


def _advance(iterators: dict[int, Iterator], last_resp: dict[int, object], key: int) -> tuple:
    iterator = iterators.get(key)
    if iterator is None:
        return ("error", key, EngineError("this run is no longer in the EM process"), False)
    try:
        state = next(iterator)
    except StopIteration:
        iterators.pop(key, None)
        last_resp.pop(key, None)
        return ("end", key, None, False)
    except Exception as error:
        iterators.pop(key, None)
        last_resp.pop(key, None)
        return ("error", key, _picklable(error), False)
    resp = getattr(state, "resp", None)
    if resp is not None and resp is last_resp.get(key):
        return ("state", key, dataclasses.replace(state, resp=None), True)
    last_resp[key] = resp
    return ("state", key, state, False)


def _picklable(error: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return EngineError(f"{type(error).__name__}: {error}")


# -- the parent ---------------------------------------------------------------------------
class Engine:
    """One child process that drains EM iterators for this process, started on first use.

    Sends may come from any thread; replies are read by whichever thread calls ``next()``
    on a RemoteIterator (one at a time: the run controller's worker thread). If no child can
    be started, ``fallback`` says why (and ``on_fallback``, if given, is called with it once,
    in the thread that calls ``next()``), and runs go on in this process.
    """

    def __init__(self, on_fallback: Callable[[str], object] | None = None) -> None:
        self._process: subprocess.Popen | None = None
        self._channel: Channel | None = None
        self._epoch = 0  # which child: iterators of an earlier one are gone with it
        self._shutdowns = 0  # a child that got ready after a shutdown began is not kept
        self._keys = itertools.count()
        self._lock = threading.Lock()  # guards the connection's sends and the tables below
        self._stash: dict[int, collections.deque] = {}  # replies read while waiting for another
        self._closed: set[int] = set()
        self._on_fallback = on_fallback
        self.fallback: str | None = None  # FALLBACK + why no child could start, once one could not

    def iterate(self, function: Callable[..., Iterator], *args) -> RemoteIterator:
        """An iterator over ``function(*args)`` (a picklable module-level function) run in
        the child process. Nothing is sent until the first ``next()``."""
        return RemoteIterator(self, next(self._keys), function, args)

    @property
    def running(self) -> bool:
        process = self._process  # read once: shutdown() may clear it from another thread
        return process is not None and process.poll() is None

    def shutdown(self) -> None:
        """Stop the child process (call when no thread is inside ``next()``)."""
        with self._lock:
            process, channel = self._process, self._channel
            self._process = self._channel = None
            self._stash.clear()
            self._shutdowns += 1
        if process is not None:
            process.kill()  # it holds nothing that needs a goodbye; the kernel frees its memory
            process.wait()
        if channel is not None:
            channel.close()

    # -- for RemoteIterator ----------------------------------------------------------------
    def _send(self, message: tuple, epoch: int | None = None) -> int:
        """Send ``message`` to the child (started if need be); returns the child's epoch.
        With ``epoch`` given, raises EngineError if that child is gone; without, raises
        EngineStartError if no child can be started."""
        if epoch is None and not self.running:
            self._start()  # only the thread that drains the runs sends without an epoch
        with self._lock:
            if not self.running:
                raise EngineError("the EM process stopped; start the run again")
            if epoch is not None and epoch != self._epoch:
                raise EngineError("the EM process was restarted; start the run again")
            try:
                self._channel.send(message)
            except OSError as error:
                raise EngineError(f"the EM process cannot be reached: {error}") from error
            return self._epoch

    def _start(self) -> None:
        """Start a child and wait until it is ready (without the lock, so that closing a run
        from the window's thread meanwhile does not wait); EngineStartError if it is not."""
        if self.fallback is not None:
            raise EngineStartError(self.fallback)  # what failed once fails again
        with self._lock:
            if self._process is not None:  # it died: reap it
                self._process.wait()
                self._channel.close()
                self._process = self._channel = None
            shutdowns = self._shutdowns
        try:
            process, channel = _spawn()
        except EngineStartError as error:
            self.fallback = f"{FALLBACK}{error}"
            if self._on_fallback is not None:
                self._on_fallback(self.fallback)
            raise EngineStartError(self.fallback) from error
        with self._lock:
            if shutdowns != self._shutdowns:
                process.kill()
                process.wait()
                channel.close()
                raise EngineError("the EM process was shut down")
            self._process, self._channel = process, channel
            self._epoch += 1
            self._stash.clear()
            self._closed.clear()

    def _reply_for(self, key: int) -> tuple:
        """The child's answer to iterator ``key``'s outstanding "next" (replies for other
        iterators are kept for them, or dropped if they were closed)."""
        while True:
            with self._lock:
                if self._stash.get(key):
                    return self._stash[key].popleft()
                channel = self._channel
            if channel is None:
                raise EngineError("the EM process was shut down")
            try:
                reply = channel.receive()
            except (EOFError, OSError) as error:
                raise EngineError("the EM process stopped unexpectedly") from error
            if reply[1] == key:
                return reply
            with self._lock:
                if reply[1] not in self._closed:
                    self._stash.setdefault(reply[1], collections.deque()).append(reply)

    def _close(self, key: int, epoch: int | None) -> None:
        with self._lock:
            self._stash.pop(key, None)
            self._closed.add(key)
            if epoch is None or epoch != self._epoch or not self.running:
                return
            try:
                self._channel.send(("close", key))
            except OSError:
                pass  # the child is gone, and the run with it


def _spawn() -> tuple[subprocess.Popen, Channel]:
    """A fresh interpreter that imports only emviz.remote (not multiprocessing's spawn, which
    would re-run the caller's main script, a teacher's own script say), once it is ready."""
    package = sys.modules[__package__]  # emviz: the child loads this very package
    search_path = [os.fspath(entry) for entry in sys.path if isinstance(entry, str | os.PathLike)]
    ours, theirs = socket.socketpair()
    try:
        process = subprocess.Popen(
            [sys.executable, "-P", "-c", _BOOT, str(theirs.fileno()), package.__file__, *search_path],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
    except (OSError, ValueError) as error:
        ours.close()
        raise EngineStartError(f"cannot run {sys.executable!r}: {error}") from error
    finally:
        theirs.close()
    conn = Connection(ours.detach())
    try:
        if not conn.poll(START_TIMEOUT):
            raise EngineStartError(f"the EM process was not ready after {START_TIMEOUT:g} s")
        greeting = conn.recv_bytes()
        if greeting != b"ready":
            why = " ".join(greeting.decode(errors="replace").split())  # one line
            raise EngineStartError(f"the EM process could not start: {why}")
    except (EOFError, OSError):  # it has closed its end: it is exiting
        try:
            process.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        conn.close()
        raise EngineStartError(f"the EM process ended before it was ready (exit code "
                               f"{process.returncode})") from None
    except BaseException:
        process.kill()
        process.wait()
        conn.close()
        raise
    return process, Channel(conn)


class RemoteIterator:
    """``function(*args)`` drained in the engine's child process (in the calling thread if no
    child could start); see ``Engine.iterate``. ``close()`` (from any thread) frees the
    child's copy of the run."""

    def __init__(self, engine: Engine, key: int, function: Callable[..., Iterator], args: tuple):
        self._engine, self._key = engine, key
        self._recipe: tuple | None = (function, args)
        self._epoch: int | None = None
        self._asked = 0  # "next" requests sent and not yet answered
        self._done = False
        self._last_resp = None
        self._local: Iterator | None = None  # function(*args) here, if no child could start

    def __iter__(self) -> RemoteIterator:
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        if self._local is not None:
            return next(self._local)
        engine, key = self._engine, self._key
        if self._recipe is not None:
            function, args = self._recipe
            self._recipe = None  # let the arguments (the data) go
            try:
                self._epoch = engine._send(("start", key, function, args))
            except EngineStartError:
                self._local = iter(function(*args))  # as in the worker thread without an engine
                return next(self._local)
        while self._asked < AHEAD:
            engine._send(("next", key), self._epoch)
            self._asked += 1
        op, _, payload, same_resp = engine._reply_for(key)
        self._asked -= 1
        if op != "state":
            self.close()  # later answers to the requests sent ahead are dropped
            if op == "end":
                raise StopIteration
            raise payload
        state = dataclasses.replace(payload, resp=self._last_resp) if same_resp else payload
        self._last_resp = getattr(state, "resp", None)
        return state

    def close(self) -> None:
        if not self._done:
            self._done = True
            self._engine._close(self._key, self._epoch)
