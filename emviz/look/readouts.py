"""Numbers the window shows as text: status line, half-step positions, parameter cells.
Plain functions of the model (no Qt), so they are tested directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..core import EMState

if TYPE_CHECKING:  # look is below the session model: it reads one, never imports it
    from ..session.model import Workbench

PHASE_NAMES = {"init": "initialised", "E": "after E-step", "M": "after M-step",
               "hand": "θ set by hand"}


def half_step_x(states: list[EMState]) -> np.ndarray:
    """Position of each half-step on the iteration axis: init at 0, the t-th E-step at t - ½,
    the t-th M-step at t, a θ set by hand after iteration t at t + ¼ (between that state and
    the next E-step at t + ½). Shape (len(states),)."""
    offset = {"E": -0.5, "hand": 0.25}
    return np.array([s.iteration + offset.get(s.phase, 0.0) for s in states], dtype=float)


def bound_series(states: list[EMState]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, ln p(X | θ), L(q, θ)) per half-step; L is NaN where there is no q yet."""
    x = half_step_x(states)
    ll = np.array([s.log_likelihood for s in states], dtype=float)
    lb = np.array([s.lower_bound for s in states], dtype=float)
    return x, ll, lb


def status_text(model: Workbench, short: bool = False) -> str:
    """The status bar: iteration, phase, ln p, L, their gap, and "converged". ``short``: the
    same numbers in fewer words (no N, "it." for iteration, no arguments), for a line too
    narrow for the whole text (presenting in 18 pt), where eliding would cut L and KL."""
    state = model.current
    n = len(model.points)
    if state is None:
        return f"{n} points · add points or choose a dataset" if n == 0 else f"{n} points"
    if short:
        parts = [f"it. {state.iteration}, {PHASE_NAMES[state.phase]}",
                 f"ln p = {state.log_likelihood:.3f}"]
    else:
        parts = [
            f"N = {n}",
            f"iteration {state.iteration}, {PHASE_NAMES[state.phase]}",
            f"ln p(X | θ) = {state.log_likelihood:.3f}",
        ]
    if np.isfinite(state.lower_bound):
        parts.append(f"L = {state.lower_bound:.3f}" if short else f"L(q, θ) = {state.lower_bound:.3f}")
        parts.append(f"{'' if short else 'gap = '}KL = {max(state.gap, 0.0):.3f}")
    else:
        parts.append("no L before the first E-step" if short else "L(q, θ): no q before the first E-step")
    if state.converged:
        parts.append("converged")
    elif model.at_tip and model.run_ended:
        parts.append(model.run_ended)
    if state.degenerate:
        parts.append("degenerate: " + ", ".join(f"k = {k + 1}" for k in state.degenerate))
    if not model.at_tip:
        parts.append(f"half-step {model.index}/{len(model.history) - 1}" if short
                     else f"viewing half-step {model.index} of {len(model.history) - 1}")
    return (" · " if short else "   ·   ").join(parts)


def format_number(x: float) -> str:
    """Three decimals up to 1e10 in size (timestamps keep their milliseconds), six significant
    digits beyond that or below 1e-3: at most 15 characters, up to the largest coordinate
    (1e120 as "%.3f" is 124 digits, which pushed Σ_k and N_k out of the table)."""
    x = float(x)
    if x == 0 or 1e-3 <= abs(x) < 1e10:
        return f"{x:.3f}"
    return f"{x:.6g}"


def format_vector(v: np.ndarray) -> str:
    return "(" + ", ".join(map(format_number, v)) + ")"


def format_matrix(m: np.ndarray) -> str:
    """A 2x2 (or DxD) matrix as rows on separate lines, aligned."""
    return "\n".join("  ".join(f"{format_number(x):>7}" for x in row) for row in m)


#: A space as wide as a digit: right-aligns numbers in a proportional font.
FIGURE_SPACE = "\u2007"


def _aligned(columns: list[list[str]]) -> list[list[str]]:
    """Each column's entries right-aligned to its widest (figure-space padded)."""
    out = []
    for column in columns:
        width = max((len(x) for x in column), default=0)
        out.append([x.rjust(width, FIGURE_SPACE) for x in column])
    return out


def format_column(v: np.ndarray) -> str:
    """A vector (D,) as a column: one entry a line, right-aligned (μ_k as the lecture writes
    it, and half as wide as "(a, b)" in the parameter table)."""
    return "\n".join(_aligned([[format_number(x) for x in v]])[0])


def _matrix_entry(x: float) -> str:
    """``format_number``, but two significant figures below 1e-3: a collapsing Σ_k's
    entries (1e-08, 3.8457e-29 of rounding noise) say their size in fewer figures (six held
    the parameter table 614 px wide presenting, the window wider than a 1024 px screen)."""
    x = float(x)
    return f"{x:.2g}" if x != 0 and abs(x) < 1e-3 else format_number(x)


def format_matrix_compact(m: np.ndarray) -> str:
    """A DxD matrix (Σ_k) as rows on separate lines, each column right-aligned to its own
    widest entry, one figure space between columns: as narrow as the numbers allow."""
    m = np.atleast_2d(m)
    columns = _aligned([[_matrix_entry(x) for x in m[:, j]] for j in range(m.shape[1])])
    return "\n".join(FIGURE_SPACE.join(column[i] for column in columns) for i in range(m.shape[0]))


Range = tuple[tuple[float, float], tuple[float, float]]


def follow_range(view: Range, x: np.ndarray, y: np.ndarray) -> Range | None:
    """A new ((x0, x1), (y0, y1)) for a plot that follows a growing curve, or None to keep
    ``view``: the view changes only when a point leaves it or the curve fills less than a
    third of it, and then leaves headroom (more iterations to the right, more ln p above,
    since EM climbs), so most new half-steps are drawn without new axes.

    x, y : arrays (M,) of the points to show (NaNs ignored).
    """
    known = np.isfinite(x) & np.isfinite(y)
    if not known.any():
        return None
    x, y = x[known], y[known]
    (x0, x1), (y0, y1) = view
    lo_x, hi_x, lo_y, hi_y = x.min(), x.max(), y.min(), y.max()
    span_x = max(hi_x - lo_x, 1.0)
    span_y = max(hi_y - lo_y, 1e-4 * abs(hi_y), 1.0)  # one point still gets a readable range
    inside = x0 <= lo_x and hi_x <= x1 and y0 <= lo_y and hi_y <= y1
    snug = x1 - x0 <= 3 * span_x + 2 and y1 - y0 <= 3 * span_y
    if inside and snug:
        return None
    return ((lo_x - 0.05 * span_x, hi_x + max(2.0, 0.5 * span_x)),
            (lo_y - 0.05 * span_y, hi_y + 0.15 * span_y))
