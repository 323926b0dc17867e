"""The window's side of the EM child process (no Qt here): ``Engine`` starts the child and
``RemoteIterator`` behaves like the generator it runs there.

The child is a fresh interpreter started with subprocess on every platform, so it behaves
as multiprocessing's "spawn" does on macOS and Windows (nothing inherited but what is sent),
and the Linux suite tests the path those systems take. It is not multiprocessing's spawn:
that would run the caller's main script again (a teacher's own script, say).
"""

from __future__ import annotations

import atexit
import collections
import dataclasses
import itertools
import os
import secrets
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Iterator

from . import transport
from .child import EngineError
from .transport import ParentChannel, Pipe

#: Half-steps asked for ahead of the one being read: two, so the child computes the next one
#: while the window takes this one.
AHEAD = 2
#: Seconds a new child may take to say it is ready (it imports only emviz.engine and numpy
#: by then: ~0.1 s here); past that it is stopped and EM runs in this process.
START_TIMEOUT = 20.0
#: Prefix of ``Engine.fallback``: the one-line note for the status bar.
FALLBACK = "EM runs in the window's process: "

#: The child's first lines, run as ``python -P -c _BOOT emviz/__init__.py PREFIX *sys.path``.
#: -P keeps the current folder off sys.path (``python -c`` would put it first, and a folder
#: named emviz there would stand in for the package); the search path is then the parent's
#: (so whatever module a pickled function comes from imports there as here), and emviz is
#: the parent's own package, loaded from its file, whatever else that path might find first.
#: Not -I: it would also skip the user site's .pth files (an editable install of numpy, say).
#: "ready", or the import's error, is the first frame on stdout (see transport.Pipe).
_BOOT = """\
import os, pickle, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
init, prefix = sys.argv[1], sys.argv[2]
sys.path[:] = sys.argv[3:]
def say(text):
    data = pickle.dumps(text)
    os.write(1, len(data).to_bytes(8, "little") + data)
try:
    import importlib.util, os.path
    spec = importlib.util.spec_from_file_location(
        "emviz", init, submodule_search_locations=[os.path.dirname(init)])
    sys.modules["emviz"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules["emviz"])
    from emviz.engine.child import main
except BaseException as error:
    say(f"{type(error).__name__}: {error}")
    raise
say("ready")
main(prefix)
"""


class EngineStartError(EngineError):
    """No child process could be started (a RemoteIterator then runs in this process)."""


def available() -> bool:
    """Whether EM can run in a child process on this platform (it needs named shared memory)."""
    return transport.available()


_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


@atexit.register
def _shutdown_all() -> None:
    """An engine nobody shut down is stopped at exit, and its shared memory unlinked."""
    for engine in list(_engines):
        engine.shutdown()


class Engine:
    """One child process that drains EM iterators for this process, started on first use.

    Sends may come from any thread; replies are read by whichever thread calls ``next()``
    on a RemoteIterator (one at a time: the run controller's worker thread). If no child can
    be started, ``fallback`` says why (and ``on_fallback``, if given, is called with it once,
    in the thread that calls ``next()``), and runs go on in this process.
    """

    def __init__(self, on_fallback: Callable[[str], object] | None = None) -> None:
        self._process: subprocess.Popen | None = None
        self._channel: ParentChannel | None = None
        self._epoch = 0  # which child: iterators of an earlier one are gone with it
        self._shutdowns = 0  # a child that got ready after a shutdown began is not kept
        self._keys = itertools.count()
        self._lock = threading.Lock()  # guards the connection's sends and the tables below
        self._stash: dict[int, collections.deque] = {}  # replies read while waiting for another
        self._closed: set[int] = set()
        self._on_fallback = on_fallback
        self.fallback: str | None = None  # FALLBACK + why no child could start, once one could not
        #: Every shared-memory name of this engine starts with this (short: macOS allows 30
        #: characters): the pid in base 36, then 4 hex digits, unique in this process.
        self.prefix = f"emviz{transport.base36(os.getpid())}_{secrets.token_hex(2)}"
        _engines.add(self)

    def iterate(self, function: Callable[..., Iterator], *args) -> RemoteIterator:
        """An iterator over ``function(*args)`` (a picklable module-level function) run in
        the child process. Nothing is sent until the first ``next()``."""
        return RemoteIterator(self, next(self._keys), function, args)

    @property
    def running(self) -> bool:
        process = self._process  # read once: shutdown() may clear it from another thread
        return process is not None and process.poll() is None

    def shutdown(self) -> None:
        """Stop the child process and unlink its shared memory (call when no thread is
        inside ``next()``; the arrays this side holds stay valid)."""
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
                if self._channel is not None:
                    self._channel.unlink_all()  # the child cannot any more
                raise EngineError(f"the EM process stopped unexpectedly{self._exit_note()}; "
                                  "the next run starts a new one")
            if epoch is not None and epoch != self._epoch:
                raise EngineError("the EM process was restarted; start the run again")
            try:
                self._channel.send(message)
            except OSError as error:
                raise EngineError(f"the EM process cannot be reached: {error}") from error
            epoch = self._epoch
        self._flush_freed()
        return epoch

    def _tell_freed(self) -> None:
        """An array from the child was freed (any thread, any moment: a finaliser): tell the
        child now if nobody is sending, so it can reuse or give back the slot. Whoever held
        the locks meanwhile tells it when done (``_flush_freed``)."""
        if not self._lock.acquire(blocking=False):
            return  # the message being sent, or the next one, carries it
        try:
            if self._channel is not None and self.running:
                self._channel.send_freed()
        except OSError:
            pass  # the child is gone; whoever reads from it next finds out
        finally:
            self._lock.release()

    def _flush_freed(self) -> None:
        """Called after each use of the locks: news of arrays freed while they were held."""
        channel = self._channel
        if channel is not None and channel.has_freed:
            self._tell_freed()

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
            epoch = self._epoch + 1
        try:
            process, channel = _spawn(self.prefix, epoch)
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
            channel.on_release = self._tell_freed
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
                raise EngineError(f"the EM process stopped unexpectedly{self._exit_note()}; "
                                  "the next run starts a new one") from error
            self._flush_freed()
            if reply[1] == key:
                return reply
            with self._lock:
                if reply[1] not in self._closed:
                    self._stash.setdefault(reply[1], collections.deque()).append(reply)

    def _exit_note(self) -> str:
        process = self._process
        try:
            code = None if process is None else process.wait(1.0)  # it is ending: EOF came
        except subprocess.TimeoutExpired:
            code = None
        return "" if code is None else f" (exit code {code})"

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
        self._flush_freed()


def channel_prefix(engine_prefix: str, epoch: int, role: str) -> str:
    """What the shared-memory names made by one end of child ``epoch``'s channel start
    with: the engine's prefix, the epoch in decimal, then the role, "c" (the child's slots)
    or "p" (the window's blocks). The role letter ends the epoch's digits, so the names stay
    distinct though the block numbers after it are in base 36 (``transport.block_name``)."""
    if role not in ("c", "p"):
        raise ValueError(f"role must be 'c' or 'p', not {role!r}")
    return f"{engine_prefix}{epoch}{role}"


def _spawn(prefix: str, epoch: int) -> tuple[subprocess.Popen, ParentChannel]:
    """A fresh interpreter that imports only emviz.engine (and numpy), once it is ready:
    child ``epoch`` of the engine whose names start with ``prefix``."""
    package = sys.modules[__name__.split(".")[0]]  # emviz: the child loads this very package
    search_path = [os.fspath(entry) for entry in sys.path if isinstance(entry, str | os.PathLike)]
    try:
        process = subprocess.Popen(
            [sys.executable, "-P", "-c", _BOOT, package.__file__,
             channel_prefix(prefix, epoch, "c"), *search_path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except (OSError, ValueError) as error:
        raise EngineStartError(f"cannot run {sys.executable!r}: {error}") from error
    pipe = Pipe(process.stdout, process.stdin)
    try:
        greeting = _greeting(pipe, process)
        if greeting != "ready":
            why = " ".join(str(greeting).split())  # one line
            raise EngineStartError(f"the EM process could not start: {why}")
    except EOFError:  # it has closed its end: it is exiting
        try:
            process.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        pipe.close()
        raise EngineStartError(f"the EM process ended before it was ready (exit code "
                               f"{process.returncode})") from None
    except BaseException:
        process.kill()
        process.wait()
        pipe.close()
        raise
    return process, ParentChannel(pipe, channel_prefix(prefix, epoch, "p"))


def _greeting(pipe: Pipe, process: subprocess.Popen) -> object:
    """The child's first frame, read in a helper thread so that waiting for it can time out
    on every platform (pipes cannot be polled on Windows)."""
    box: list = []

    def read() -> None:
        try:
            box.append(pipe.receive_frame())
        except BaseException as error:  # EOFError: it exited; anything else: garbled
            box.append(error)

    reader = threading.Thread(target=read, name="emviz-engine-greeting", daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if reader.is_alive():  # stopping the child ends the read
        process.kill()
        process.wait()
        reader.join()
        raise EngineStartError(f"the EM process was not ready after {START_TIMEOUT:g} s")
    if isinstance(box[0], EOFError):
        raise box[0]
    if isinstance(box[0], BaseException):
        raise EngineStartError(f"the EM process could not start: {box[0]}")
    return box[0]


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
