"""The EM runs the window starts, as plain generator functions (no Qt), so they can be
drained in a thread or in the engine's child process alike."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np

from ..core import EMState, Mixture, continue_em, e_step, initialize, run_em
from .model import Settings


def fresh_run(X: np.ndarray, settings: Settings) -> Iterator[EMState]:
    """Initialise θ₀ with the chosen method and seed, then run EM (all of it lazily, so the
    k-means of the initialisation also runs wherever the iterator is drained)."""
    rng = np.random.default_rng(settings.seed)
    initial = initialize(
        X, settings.k, settings.init_method, rng, settings.covariance_type, settings.reg_covar
    )
    yield from run_em(X, initial, settings.covariance_type, settings.reg_covar,
                      settings.tol, settings.max_iter)


def restored(X: np.ndarray, state: EMState, source: Mixture | None) -> Iterator[EMState]:
    """``state`` with its responsibilities recomputed (dropped to bound memory): q is the
    posterior under ``source``, which is the state's own θ for an E-state and the θ of the
    E-state before it for an M-state or a θ set by hand (None: a hand state before any
    E-step, which has no q). A hand state also gets its colours, the posterior under its θ."""
    resp = None if source is None else e_step(X, source)[0]
    posterior = e_step(X, state.mixture)[0] if state.phase == "hand" else None
    yield dataclasses.replace(state, resp=resp, posterior=posterior)


def continued(X: np.ndarray, state: EMState, covariance_type: str, reg_covar: float, tol: float,
              max_iter: int) -> Iterator[EMState]:
    """The half-steps after ``state``, as ``continue_em``; an E-state whose q was dropped
    from the history gets it back first (q = p(Z | X, θ) under that state's own θ)."""
    if state.phase == "E" and state.resp is None:
        state = dataclasses.replace(state, resp=e_step(X, state.mixture)[0])
    steps = continue_em(X, state, covariance_type, reg_covar, tol, max_iter)
    del state  # not held for the whole run (continue_em lets its q go once replaced)
    yield from steps


def replayable_span(history: list[EMState], index: int) -> tuple[int, int]:
    """The part history[start:end] (holding ``index``) that EM re-runs from history[start]'s θ
    alone, as a saved session is restored: it starts at the newest "θ set by hand" entry at or
    before ``index`` (or at θ₀) and ends before the first such entry after it. A hand entry
    comes back as the "init" state of its θ (q, and what came before it, are not kept)."""
    if not history:
        return 0, 0
    hand = [i for i, state in enumerate(history) if state.phase == "hand"]
    start = max((i for i in hand if i <= index), default=0)
    end = min((i for i in hand if i > index), default=len(history))
    return start, end
