"""The EM child process's loop (no Qt here): start, advance and close iterators as the
window asks, with the responsibilities written straight into shared memory."""

from __future__ import annotations

import dataclasses
import os
import pickle
import signal
from collections.abc import Callable, Iterator

from ..core.density import set_resp_allocator
from .transport import ChildChannel, Pipe


class EngineError(RuntimeError):
    """The child process failed or went away (errors of EM itself are re-raised as they are)."""


def serve(reader, writer, prefix: str) -> None:
    """Answer the window until it says "exit" or goes away, then unlink every slot.

    Messages: ("start", key, function, args), ("next", key), ("close", key), ("exit",).
    Each "next" is answered by ("state", key, state, same_resp), ("end", key, None, False)
    or ("error", key, exception, False). ``same_resp``: the state's resp is the one sent
    with the previous state (an M-step keeps its E-step's q), so it is not sent twice.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the window to handle
    channel = ChildChannel(Pipe(reader, writer), prefix)
    set_resp_allocator(channel.allocate)
    iterators: dict[int, Iterator] = {}
    last_resp: dict[int, object] = {}
    try:
        while True:
            # While a run may be asked to go on, the wait for the next message makes the
            # block its next r_nk will be written into (see ChildChannel.keep_warm).
            channel.keep_warm = bool(iterators)
            try:
                message = channel.receive()
            except EOFError:
                return  # the window has gone
            if message is None:  # only news of freed slots
                continue
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
                try:
                    channel.send(_advance(iterators, last_resp, key))
                except OSError:  # a broken pipe: the window has gone
                    return
    finally:
        iterators.clear()
        last_resp.clear()
        channel.close()


def main(prefix: str) -> None:
    """Entry from the boot lines: the messages use the original stdin and stdout; anything
    else printed to stdout goes to stderr, so it cannot corrupt a frame."""
    if os.name == "nt":  # no newline translation in the frames
        import msvcrt

        for fd in (0, 1):
            msvcrt.setmode(fd, os.O_BINARY)
    reader = os.fdopen(0, "rb", buffering=0)
    writer = os.fdopen(os.dup(1), "wb", buffering=0)
    try:
        os.dup2(2, 1)
    except OSError:  # no stderr (a windowed parent on Windows): leave stdout as it is
        pass
    serve(reader, writer, prefix)


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
