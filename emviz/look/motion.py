"""Smooth motion between two half-steps: θ and r interpolated, so a class can follow what
moved (plain numpy; the points view draws what these return, emviz.gui.glide times it).

A glide from state a to state b draws, at phase s ∈ [0, 1] and eased t = ease(s):

- π_k(t) = (1 - t) π_k^a + t π_k^b (still on the simplex),
- μ_k(t) = (1 - t) μ_k^a + t μ_k^b,
- Σ_k(t) = L_k(t) L_k(t)ᵀ with L_k(t) = (1 - t) L_k^a + t L_k^b, the Cholesky factors
  (Σ = L Lᵀ, L lower triangular with a positive diagonal). A mix of two such factors is
  again lower triangular with a positive diagonal, so every Σ_k(t) is symmetric positive
  definite: an ellipse never collapses or turns inside out, as a plain (1 - t) Σ^a + t Σ^b
  cannot either, but that one swells in between when the ellipse turns; the factors keep
  area and orientation moving together.
- r_nk(t) = (1 - t) r_nk^a + t r_nk^b (rows still sum to 1), so each point's colour
  c_n = Σ_k r_nk colour_k glides from its old blend to its new one. Before the first
  E-step there is no q (points drawn UNASSIGNED grey): that grey is taken as a (K+1)-th
  "colour" the points leave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import EMState, Mixture
from .colors import UNASSIGNED

#: How long a glide between two half-steps lasts, in seconds (about 200 ms: long enough to
#: follow a mean, short enough that a Step never feels slow).
GLIDE_SECONDS = 0.2
#: Above this many points the colours do not glide (θ still does): re-colouring 10⁶ points
#: for every tick cost about 100 ms on the GUI thread (measured, 2 cores under load), two
#: ticks per glide; the ellipses and means cost the same at any N.
COLOR_GLIDE_MAX_POINTS = 200_000


def ease(s: float) -> float:
    """Smoothstep 3s² - 2s³ of the phase s (clipped to [0, 1]): starts and ends at rest,
    and ease(0.5) = 0.5, so the middle of a glide is the middle of the way."""
    s = min(max(float(s), 0.0), 1.0)
    return s * s * (3.0 - 2.0 * s)


def interpolate_covariances(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Σ(t) = L(t) L(t)ᵀ, L(t) = (1 - t) chol(Σ^a) + t chol(Σ^b), for stacks of covariances.

    a, b : arrays (K, D, D), symmetric positive definite. Returns an array (K, D, D), every
    matrix symmetric positive definite for every t in [0, 1]; exactly a at t = 0 and b at 1.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"covariances to interpolate must have the same shape, got {a.shape} and {b.shape}")
    if t <= 0.0:
        return a.copy()
    if t >= 1.0:
        return b.copy()
    factor = (1.0 - t) * np.linalg.cholesky(a) + t * np.linalg.cholesky(b)
    return factor @ np.swapaxes(factor, -1, -2)


def interpolate_mixture(a: Mixture, b: Mixture, t: float) -> Mixture:
    """θ(t) between θ^a and θ^b (see the module docstring); ``a`` itself at t ≤ 0 and ``b``
    at t ≥ 1. ValueError if they differ in K or D."""
    if a.means.shape != b.means.shape:
        raise ValueError(f"mixtures to interpolate must have the same K and D, got "
                         f"{a.means.shape} and {b.means.shape}")
    if t <= 0.0:
        return a
    if t >= 1.0:
        return b
    weights = (1.0 - t) * a.weights + t * b.weights
    return Mixture(weights / weights.sum(), (1.0 - t) * a.means + t * b.means,
                   interpolate_covariances(a.covariances, b.covariances, t))


def interpolate_resp(a: np.ndarray | None, b: np.ndarray | None, palette: np.ndarray,
                     t: float) -> tuple[np.ndarray | None, np.ndarray]:
    """(r(t), palette) to colour the points with at t: r(t) = (1 - t) r^a + t r^b.

    a, b : arrays (N, K) or None (no q: UNASSIGNED grey); palette : uint8 (K, 3).
    Where one side has no q, r(t) gets a (K+1)-th column for the grey and the palette a
    (K+1)-th row, so the blend c_n = Σ_k r_nk colour_k passes from grey to the colours.
    Returns r(t) read-only (N, K) or (N, K+1), or None when neither side has a q.
    """
    if a is None and b is None:
        return None, palette
    if t >= 1.0 or (a is b):
        return b, palette
    if t <= 0.0:
        return a, palette
    if a is None or b is None:
        n, k = (b if a is None else a).shape
        grey = np.zeros((n, k + 1))
        grey[:, k] = 1.0
        a = grey if a is None else np.c_[a, np.zeros(n)]
        b = grey if b is None else np.c_[b, np.zeros(n)]
        palette = np.vstack([palette, np.asarray(UNASSIGNED, dtype=palette.dtype)[:3]])
    elif a.shape != b.shape:
        raise ValueError(f"responsibilities to interpolate must have the same shape, got "
                         f"{a.shape} and {b.shape}")
    resp = (1.0 - t) * np.asarray(a, dtype=float) + t * np.asarray(b, dtype=float)
    resp.setflags(write=False)
    return resp, palette


@dataclass(frozen=True)
class Pose:
    """What the points view draws at one moment of a glide: θ(t), r(t) and the palette
    (K or K+1 colours) to blend r(t) with."""

    mixture: Mixture
    resp: np.ndarray | None
    palette: np.ndarray


def can_glide(a: EMState | None, b: EMState | None, n_points: int) -> bool:
    """Whether a glide from ``a`` to ``b`` means something: two different states of the same
    shape (K, D, and q for the same N points, or no q). Never into a θ set by hand: a drag
    follows the mouse."""
    if a is None or b is None or a is b or b.phase == "hand":
        return False
    if a.mixture.means.shape != b.mixture.means.shape:
        return False
    return all(r is None or r.shape == (n_points, b.mixture.n_components)
               for r in (a.colours, b.colours))


def pose_between(a: EMState, b: EMState, palette: np.ndarray, s: float,
                 colors: bool = True) -> Pose:
    """The pose at phase s ∈ [0, 1] of the glide from ``a`` to ``b`` (eased: see ``ease``);
    at s = 0 exactly a's θ and r, at s = 1 exactly b's. ``colors`` False: r is b's all
    the way (only θ glides)."""
    t = ease(s)
    resp, colors = interpolate_resp(a.colours, b.colours, palette, t if colors else 1.0)
    return Pose(interpolate_mixture(a.mixture, b.mixture, t), resp, colors)


def glide_state(a: EMState, b: EMState, palette: np.ndarray, s: float,
                colors: bool = True) -> tuple[EMState, np.ndarray]:
    """``pose_between`` as an EMState the views can draw (b's phase, iteration and numbers,
    θ(t) and r(t)) and the palette to draw its r(t) with."""
    if s >= 1.0:
        return b, palette
    pose = pose_between(a, b, palette, s, colors)
    return EMState(b.phase, b.iteration, pose.mixture, pose.resp, b.log_likelihood,
                   b.lower_bound, b.converged, b.degenerate, b.component_mass), pose.palette


class _Palette:
    """The model's colour identity, but with the glide's palette for the EM components."""

    def __init__(self, identity, palette: np.ndarray) -> None:
        self._identity, self._palette = identity, palette

    def em_palette(self, k: int) -> np.ndarray:
        return self._palette if len(self._palette) >= k else self._identity.em_palette(k)

    def __getattr__(self, name: str):
        return getattr(self._identity, name)


class ModelAt:
    """A read-only view of a Workbench as it would be at another moment, for a view's
    ``show_state``: ``current`` is ``state`` (a glide's in-between state, or a past
    half-step), the history ends at ``index`` (``upto``: the animation's frame at half-step
    i shows ln p and L up to i), and the EM palette is ``palette`` (K or K+1 colours). Every
    other attribute is the model's."""

    def __init__(self, model, state: EMState | None, palette: np.ndarray | None = None,
                 upto: int | None = None) -> None:
        self._model = model
        self.current = state
        if upto is not None:
            self.history, self.index = model.history[: upto + 1], upto
        if palette is not None:
            self.identity = _Palette(model.identity, palette)

    @property
    def at_tip(self) -> bool:
        return self.index == len(self.history) - 1

    def __getattr__(self, name: str):
        return getattr(self._model, name)
