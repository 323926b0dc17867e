"""Real EM histories on Old Faithful, made once per session (states are immutable)."""

import numpy as np
import pytest

from emviz.core import initialize, old_faithful, run_em


def em_history(k: int = 2, tol: float = 1e-4, max_iter: int = 100, seed: int = 0) -> tuple[np.ndarray, list]:
    X = old_faithful().X
    start = initialize(X, k, "random-points", np.random.default_rng(seed))
    return X, list(run_em(X, start, tol=tol, max_iter=max_iter))


@pytest.fixture(scope="session")
def converged_run():
    """(X, history) of the window's default run: K = 2, random points, seed 0, to convergence."""
    X, history = em_history()
    assert history[-1].converged and len(history) > 9
    return X, history


@pytest.fixture(scope="session")
def long_run():
    """(X, history) of exactly 20 iterations (tol = 0 never converges): 41 half-steps."""
    X, history = em_history(tol=0.0, max_iter=20)
    assert len(history) == 41 and not history[-1].converged
    return X, history
