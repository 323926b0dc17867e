"""Numbers the window shows as text: status line, half-step positions, parameter cells.
Plain functions of the model (no Qt), so they are tested directly."""

from __future__ import annotations

import numpy as np

from .core import EMState
from .model import Workbench

PHASE_NAMES = {"init": "initialised", "E": "after E-step", "M": "after M-step"}


def half_step_x(states: list[EMState]) -> np.ndarray:
    """Position of each half-step on the iteration axis: init at 0, the t-th E-step at t - ½,
    the t-th M-step at t. Shape (len(states),)."""
    return np.array([s.iteration - (0.5 if s.phase == "E" else 0.0) for s in states], dtype=float)


def bound_series(states: list[EMState]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, ln p(X | θ), L(q, θ)) per half-step; L is NaN where there is no q yet."""
    x = half_step_x(states)
    ll = np.array([s.log_likelihood for s in states], dtype=float)
    lb = np.array([s.lower_bound for s in states], dtype=float)
    return x, ll, lb


def status_text(model: Workbench) -> str:
    """The status bar: iteration, phase, ln p, L, their gap, and "converged"."""
    state = model.current
    n = len(model.points)
    if state is None:
        return f"{n} points · add points or choose a dataset" if n == 0 else f"{n} points"
    parts = [
        f"N = {n}",
        f"iteration {state.iteration}, {PHASE_NAMES[state.phase]}",
        f"ln p(X | θ) = {state.log_likelihood:.3f}",
    ]
    if np.isfinite(state.lower_bound):
        parts.append(f"L(q, θ) = {state.lower_bound:.3f}")
        parts.append(f"gap = KL = {max(state.gap, 0.0):.3f}")
    else:
        parts.append("L(q, θ): no q before the first E-step")
    if state.converged:
        parts.append("converged")
    elif model.at_tip and model.run_ended:
        parts.append(model.run_ended)
    if state.degenerate:
        parts.append("degenerate: " + ", ".join(f"k = {k + 1}" for k in state.degenerate))
    if not model.at_tip:
        parts.append(f"viewing half-step {model.index} of {len(model.history) - 1}")
    return "   ·   ".join(parts)


def format_vector(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{x:.3f}" for x in v) + ")"


def format_matrix(m: np.ndarray) -> str:
    """A 2x2 (or DxD) matrix as rows on separate lines, aligned."""
    return "\n".join("  ".join(f"{x:7.3f}" for x in row) for row in m)
