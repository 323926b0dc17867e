"""The EM engine's old address: everything lives in ``emviz.engine`` now (transport, child,
parent); this module re-exports what the window and older code import from here."""

from .engine import (
    AHEAD,
    FALLBACK,
    START_TIMEOUT,
    Engine,
    EngineError,
    EngineStartError,
    RemoteIterator,
    available,
)

__all__ = ["AHEAD", "FALLBACK", "START_TIMEOUT", "Engine", "EngineError", "EngineStartError",
           "RemoteIterator", "available"]
