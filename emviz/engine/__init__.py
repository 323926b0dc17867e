"""EM for large data in a child process (no Qt here), on Linux, macOS and Windows.

Why: a worker thread shares Python's GIL with the window. Measured with 1e6 points, a
thread draining EM while the window draws ran at 3 iterations/s instead of 4.7, and the
window's frames took two to three times longer. A child process has its own interpreter,
so each side gets a whole core.

``Engine.iterate(function, *args)`` returns a RemoteIterator that behaves like
``function(*args)``: ``next()`` gives the same EMStates, computed by the same code in the
child, which works up to AHEAD half-steps ahead. The responsibilities live in shared memory
that both processes map (one copy, written by the child's E-step, read by the window).

- ``transport``: frames over the child's stdin/stdout, arrays in named shared memory;
- ``child``: the child's loop;
- ``parent``: ``Engine`` and ``RemoteIterator``, used by the window's run controller.
"""

from .child import EngineError
from .parent import AHEAD, FALLBACK, START_TIMEOUT, Engine, EngineStartError, RemoteIterator, available

__all__ = ["AHEAD", "FALLBACK", "START_TIMEOUT", "Engine", "EngineError", "EngineStartError",
           "RemoteIterator", "available"]
