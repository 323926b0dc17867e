"""The EM algorithm for a Gaussian mixture: E-step, M-step, the bound L(q, θ), and the run.

Notation (Bishop, PRML ch. 9, and the lecture): responsibilities r_nk = γ(z_nk) = q(z_nk = 1),
ln p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ)), and L(q, θ) = Q(θ, θ_old) + H(q).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .density import (
    EStep,
    Moments,
    Workspace,
    e_step_pass,
    entropy,
    entropy_t,
    expected_log_joint,
    normalise_log,
    responsibility_moments,
    weighted_log_prob,
)
from .mixture import (
    Mixture,
    check_compatible,
    check_covariance_type,
    check_points,
)

EPS = np.finfo(float).eps

#: A component whose responsibilities sum to less than this many points is reported degenerate.
MIN_COMPONENT_MASS = 1.0


def e_step(X: np.ndarray, mixture: Mixture) -> tuple[np.ndarray, float]:
    """The E-step: responsibilities under the current θ, and ln p(X | θ).

    r_nk = π_k N(x_n | μ_k, Σ_k) / Σ_j π_j N(x_n | μ_j, Σ_j)   (the "ownership weights")

    Parameters
    ----------
    X : array, shape (N, D)
    mixture : Mixture with K components

    Returns
    -------
    resp : array, shape (N, K), rows summing to 1
    log_likelihood : float, Σ_n ln Σ_k π_k N(x_n | μ_k, Σ_k) (a sum over points, not a mean)
    """
    X = check_points(X)
    check_compatible(X, mixture)
    result = e_step_pass(Workspace(X, mixture.n_components), mixture)
    return result.resp_t.T, result.log_likelihood


def log_likelihood(X: np.ndarray, mixture: Mixture) -> float:
    """ln p(X | θ) = Σ_n ln Σ_k π_k N(x_n | μ_k, Σ_k)."""
    return e_step(X, mixture)[1]


def _check_resp(X: np.ndarray, resp: np.ndarray, mixture: Mixture | None = None) -> np.ndarray:
    resp = np.asarray(resp, dtype=float)
    if resp.ndim != 2 or resp.shape[0] != X.shape[0]:
        raise ValueError(f"resp must have shape (N, K) with N = {X.shape[0]}, got {resp.shape}")
    if mixture is not None and resp.shape[1] != mixture.n_components:
        raise ValueError(
            f"resp has K = {resp.shape[1]} columns but the mixture has "
            f"K = {mixture.n_components} components"
        )
    if not np.all(np.isfinite(resp)) or resp.min() < 0 or resp.max() > 1 + 1e-9:
        raise ValueError("resp must hold probabilities in [0, 1]")
    return resp


def m_step(
    X: np.ndarray,
    resp: np.ndarray,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
) -> Mixture:
    """The M-step: the θ maximising Q(θ, θ_old) for fixed responsibilities.

    N_k = Σ_n r_nk,   π_k = N_k / N,   μ_k = (1/N_k) Σ_n r_nk x_n,
    Σ_k = (1/N_k) Σ_n r_nk (x_n - μ_k)(x_n - μ_k)ᵀ + reg_covar · I.

    The covariance types follow scikit-learn's GaussianMixture exactly: ``diag`` keeps the
    diagonal of Σ_k, ``spherical`` its mean (times I), ``tied`` one Σ shared by all components,
    the N_k-weighted average Σ_k Σ_n r_nk (x_n - μ_k)(x_n - μ_k)ᵀ / Σ_k N_k. As in
    scikit-learn, N_k gets 10·eps added so an empty component never divides by zero.

    Parameters
    ----------
    X : array, shape (N, D)
    resp : array, shape (N, K)
    covariance_type : "full", "diag", "spherical" or "tied"
    reg_covar : float >= 0, added to the diagonal of every covariance

    Returns
    -------
    Mixture with covariances stored as full (K, D, D) matrices.
    """
    X = check_points(X)
    resp = _check_resp(X, resp)
    check_covariance_type(covariance_type)
    _check_reg_covar(reg_covar)
    workspace = Workspace(X, resp.shape[1])
    return _m_step(workspace, np.asfortranarray(resp).T, covariance_type, reg_covar)


def _check_reg_covar(reg_covar: float) -> None:
    if not (reg_covar >= 0 and np.isfinite(reg_covar)):
        raise ValueError(f"reg_covar must be a finite number >= 0, got {reg_covar!r}")


def _m_step(
    workspace: Workspace,
    resp_t: np.ndarray,
    covariance_type: str,
    reg_covar: float,
    moments: Moments | None = None,
) -> Mixture:
    """``m_step`` without the checks, on transposed responsibilities resp_t, shape (K, N).

    moments : N_k and Σ_n r_nk x_n of resp_t if already known (from the E-step's pass)
    """
    if moments is None:
        moments = responsibility_moments(workspace, resp_t)
    nk = moments.mass + 10 * EPS
    means = moments.weighted_sums / nk[:, None]
    scatter = _weighted_scatter(workspace, resp_t, means)  # Σ_n r_nk (x-μ_k)(x-μ_k)ᵀ
    d = means.shape[1]
    eye = np.eye(d)
    if covariance_type == "full":
        covs = scatter / nk[:, None, None] + reg_covar * eye
    elif covariance_type == "tied":
        tied = scatter.sum(axis=0) / nk.sum() + reg_covar * eye
        covs = np.broadcast_to(tied, scatter.shape)
    else:
        variances = np.diagonal(scatter, axis1=1, axis2=2) / nk[:, None] + reg_covar
        if covariance_type == "spherical":
            variances = np.repeat(variances.mean(axis=1, keepdims=True), d, axis=1)
        covs = variances[:, :, None] * eye
    return Mixture(nk / nk.sum(), means, covs)


def _weighted_scatter(workspace: Workspace, resp_t: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Σ_n r_nk (x_n - μ_k)(x_n - μ_k)ᵀ for each k, shape (K, D, D).

    Centred on μ_k before multiplying (two passes, as scikit-learn does), so data far from
    the origin lose no precision to cancellation. Works block by block on (D, B) rows.

    resp_t : array, shape (K, N); means : array, shape (K, D)
    """
    k, d = means.shape
    scatter = np.zeros((k, d, d))
    for block in workspace.blocks():
        size = block.stop - block.start
        x_t = workspace.X_t[:, block]
        diff, weighted = workspace.by_coordinate[:, :, :size]
        for j in range(k):
            np.subtract(x_t, means[j][:, None], out=diff)
            np.multiply(diff, resp_t[j, block], out=weighted)
            scatter[j] += np.einsum("dn,en->de", weighted, diff)  # not BLAS: see density._sum_products
    return scatter


def lower_bound(X: np.ndarray, resp: np.ndarray, mixture: Mixture) -> float:
    """L(q, θ) = Σ_n Σ_k r_nk [ln π_k + ln N(x_n | μ_k, Σ_k) - ln r_nk], with 0 ln 0 = 0.

    By Jensen's inequality L(q, θ) ≤ ln p(X | θ), with equality when q is the posterior
    p(Z | X, θ), i.e. right after an E-step under the same θ. The gap is KL(q ‖ p(Z | X, θ)).

    resp : array, shape (N, K)
    """
    X = check_points(X)
    check_compatible(X, mixture)
    resp = _check_resp(X, resp, mixture)
    return expected_log_joint(resp, weighted_log_prob(X, mixture)) + entropy(resp)


def expected_complete_log_likelihood(X: np.ndarray, resp: np.ndarray, mixture: Mixture) -> float:
    """Q(θ, θ_old) = Σ_n Σ_k r_nk [ln π_k + ln N(x_n | μ_k, Σ_k)], r from θ_old.

    The expectation of the complete-data log-likelihood ln p(X, Z | θ) under q(Z);
    L(q, θ) = Q(θ, θ_old) + H(q).
    """
    X = check_points(X)
    check_compatible(X, mixture)
    resp = _check_resp(X, resp, mixture)
    return expected_log_joint(resp, weighted_log_prob(X, mixture))


def kl_divergence(X: np.ndarray, resp: np.ndarray, mixture: Mixture) -> float:
    """KL(q ‖ p(Z | X, θ)) = Σ_n Σ_k r_nk ln(r_nk / p(z_nk = 1 | x_n, θ)), summed over points.

    Computed directly from the two distributions (not as ln p - L), so it is >= 0 up to
    rounding, and 0 when q is the posterior under θ.
    """
    X = check_points(X)
    check_compatible(X, mixture)
    resp = _check_resp(X, resp, mixture)
    wlp = weighted_log_prob(X, mixture)
    _, log_norm = normalise_log(wlp)
    log_post = wlp - log_norm[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = resp * (np.log(resp) - log_post)
    return float(np.where(resp > 0, terms, 0.0).sum())


Phase = Literal["init", "E", "M", "hand"]


@dataclass(frozen=True, eq=False)
class EMState:
    """One half-step of an EM run; immutable (its arrays are read-only).

    phase : "init" (θ₀ chosen, no q yet), "E" (q set to p(Z | X, θ)), "M" (θ maximised),
        "hand" (θ set by hand, q held: see ``emviz.core.hand``); EM goes on from "init",
        "M" and "hand" with an E-step
    iteration : 0 for "init"; the E and M of the t-th iteration both carry t
    mixture : θ after this half-step
    resp : array (N, K), q after this half-step (None for "init"); after an M-step it is
        still the q of the preceding E-step
    log_likelihood : ln p(X | θ)
    lower_bound : L(q, θ) (NaN for "init", where there is no q yet)
    converged : True on the M-step whose change in ln p(X | θ) / N fell below tol
    degenerate : components whose N_k fell below one point's worth of responsibility
    component_mass : N_k = Σ_n r_nk of this state's q, shape (K,) (None for "init"); the
        E-step computes it anyway, so views need not sum N x K numbers again
    posterior : for a "hand" state, p(Z | X, θ) under its own θ, shape (N, K) (the colours a
        class sees; ``resp`` stays the held q); None for the others (their colours are q)
    """

    phase: Phase
    iteration: int
    mixture: Mixture
    resp: np.ndarray | None
    log_likelihood: float
    lower_bound: float
    converged: bool = False
    degenerate: tuple[int, ...] = ()
    component_mass: np.ndarray | None = None
    posterior: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("resp", "posterior"):
            value = getattr(self, name)
            if value is not None and value.flags.writeable:
                value = value.copy()
                value.setflags(write=False)
                object.__setattr__(self, name, value)
        if self.component_mass is not None:
            mass = np.array(self.component_mass, dtype=float)
            mass.setflags(write=False)
            object.__setattr__(self, "component_mass", mass)

    @property
    def colours(self) -> np.ndarray | None:
        """The responsibilities the points are coloured by: the posterior under θ for a
        "hand" state, else q."""
        return self.posterior if self.posterior is not None else self.resp

    @property
    def gap(self) -> float:
        """ln p(X | θ) - L(q, θ) = KL(q ‖ p(Z | X, θ))."""
        return self.log_likelihood - self.lower_bound


def _frozen_resp(resp_t: np.ndarray) -> np.ndarray:
    """The (N, K) view of freshly computed (K, N) responsibilities, made read-only.

    Owned by nobody else, so no copy is needed for an immutable EMState.
    """
    resp = resp_t.T
    resp.setflags(write=False)
    return resp


def _degenerate(mass: np.ndarray) -> tuple[int, ...]:
    """Components k whose N_k = Σ_n r_nk (``mass``, shape (K,)) is below MIN_COMPONENT_MASS."""
    return tuple(int(k) for k in np.flatnonzero(mass < MIN_COMPONENT_MASS))


def run_em(
    X: np.ndarray,
    initial: Mixture,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    tol: float = 1e-3,
    max_iter: int = 100,
) -> Iterator[EMState]:
    """Run EM from ``initial``, yielding one immutable EMState per half-step.

    Yields "init", then "E", "M", "E", "M", ... Stops after the M-step of iteration
    ``max_iter`` or after the first M-step whose |Δ ln p(X | θ)| / N < tol (scikit-learn's
    convention of a per-point tolerance); that state has ``converged=True``.
    "Step" in the window is ``next()``; "play" drains the iterator.

    Data far from the origin for their spread (timestamps, 1.7e9 ± seconds) are fitted in a
    conditioned frame (see ``Frame``); every state is reported in the user's units.
    """
    X = check_points(X)
    check_compatible(X, initial)
    check_covariance_type(covariance_type)
    frame = Frame.of(X)
    X_inner = frame.points(X)
    initial_inner = frame.inward(initial)
    workspace = Workspace(X_inner, initial.n_components)
    first = e_step_pass(workspace, initial_inner)  # ln p(X | θ₀) now, and the first E-step's q later
    init = EMState("init", 0, initial_inner, None, first.log_likelihood, float("nan"))
    yield frame.outward_state(init, initial)
    steps = _half_steps(workspace, init, covariance_type, frame.reg_covar(reg_covar), tol,
                        max_iter, None, first)
    del first  # held here, the first q would outlive the history's copy for the whole run
    for state in steps:
        yield frame.outward_state(state)


def continue_em(
    X: np.ndarray,
    state: EMState,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    tol: float = 1e-3,
    max_iter: int = 100,
    previous_log_likelihood: float | None = None,
) -> Iterator[EMState]:
    """The half-steps that follow ``state`` (an E-step after "init" or "M", an M after "E").

    Used to resume after scrubbing back through the history. ``previous_log_likelihood`` is
    ln p(X | θ) before the M-step when resuming from an "E" state (it equals that state's
    log_likelihood, which is the default), needed for the convergence test. In the same
    conditioned frame as ``run_em``, so a resumed run repeats the original bit for bit.
    """
    X = check_points(X)
    check_covariance_type(covariance_type)
    check_compatible(X, state.mixture)
    if state.phase == "E":
        _check_resp(X, state.resp, state.mixture)  # are these the points q was computed for?
    frame = Frame.of(X)
    workspace = Workspace(frame.points(X), state.mixture.n_components)
    previous = None if previous_log_likelihood is None else frame.inward_log(previous_log_likelihood)
    steps = _half_steps(workspace, frame.inward_state(state), covariance_type,
                        frame.reg_covar(reg_covar), tol, max_iter, previous)
    del state  # as in run_em: the state's q is not kept for the whole run
    for half_step in steps:
        yield frame.outward_state(half_step)


#: Data whose offset from the origin exceeds their spread this many times are centred ...
CENTRE_RATIO = 2.0**10
#: ... and data whose spread lies outside [1/SCALE_LIMIT, SCALE_LIMIT] are scaled.
SCALE_LIMIT = 2.0**30


@dataclass(frozen=True)
class Frame:
    """The conditioned frame EM works in: x' = (x - c) / s, with s a power of two.

    In it, θ' = (π, (μ - c) / s, Σ / s²), reg_covar' = reg_covar / s², and
    ln p(X | θ) = ln p(X' | θ') - N·D·ln s (L alike); r_nk, N_k and the convergence test
    |Δ ln p| / N are the same in both. Centring keeps the sums Σ_n r_nk x_n of data far from
    the origin (1.7e9 ± 0.01) from losing their digits to the offset; scaling by a power of
    two is exact and keeps squares of coordinates near 1e150 from overflowing. Data near the
    origin at an ordinary scale get the identity frame: their numbers are computed as before.

    centre : array, shape (D,); scale : float; log_shift : N·D·ln s
    """

    centre: np.ndarray
    scale: float
    log_shift: float

    @classmethod
    def of(cls, X: np.ndarray) -> Frame:
        n, d = X.shape
        mean = X.mean(axis=0)
        spread = float(np.sqrt((X - mean).var(axis=0).max())) if n > 1 else 0.0
        if not np.isfinite(spread) or spread == 0.0:
            return cls(np.zeros(d), 1.0, 0.0)
        far = float(np.abs(mean).max()) > CENTRE_RATIO * spread
        centre = mean if far else np.zeros(d)
        scale = 1.0
        if not 1 / SCALE_LIMIT <= spread <= SCALE_LIMIT:
            scale = float(2.0 ** round(np.log2(spread)))
        return cls(centre, scale, n * d * float(np.log(scale)))

    @property
    def identity(self) -> bool:
        return self.scale == 1.0 and not self.centre.any()

    def points(self, X: np.ndarray) -> np.ndarray:
        return X if self.identity else (X - self.centre) / self.scale

    def reg_covar(self, reg_covar: float) -> float:
        return reg_covar / self.scale**2

    def inward(self, mixture: Mixture) -> Mixture:
        if self.identity:
            return mixture
        return Mixture(mixture.weights, (mixture.means - self.centre) / self.scale,
                       mixture.covariances / self.scale**2)

    def outward(self, mixture: Mixture) -> Mixture:
        if self.identity:
            return mixture
        return Mixture(mixture.weights, mixture.means * self.scale + self.centre,
                       mixture.covariances * self.scale**2)

    def inward_log(self, value: float) -> float:
        return value + self.log_shift

    def inward_state(self, state: EMState) -> EMState:
        if self.identity:
            return state
        return dataclasses.replace(state, mixture=self.inward(state.mixture),
                                   log_likelihood=self.inward_log(state.log_likelihood),
                                   lower_bound=self.inward_log(state.lower_bound))

    def outward_state(self, state: EMState, mixture: Mixture | None = None) -> EMState:
        """``state`` in the user's units (``mixture``: its θ there, if known exactly)."""
        if self.identity:
            return state
        return dataclasses.replace(state, mixture=mixture or self.outward(state.mixture),
                                   log_likelihood=state.log_likelihood - self.log_shift,
                                   lower_bound=state.lower_bound - self.log_shift)


def _half_steps(
    workspace: Workspace,
    state: EMState,
    covariance_type: str,
    reg_covar: float,
    tol: float,
    max_iter: int,
    previous_log_likelihood: float | None,
    pending: EStep | None = None,
) -> Iterator[EMState]:
    """The generator behind ``run_em`` and ``continue_em``: the half-steps after ``state``.

    ``pending`` is the E-step pass for ``state.mixture`` if the caller already made it.
    Each M-step ends with the E-step pass under the new θ, which gives ln p(X | θ) for the
    convergence test, Q(θ_new, θ_old) for the bound, and the next E-step's responsibilities.
    """
    n = workspace.n_points
    if max_iter < 1:
        raise ValueError(f"max_iter must be at least 1, got {max_iter}")
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0, got {tol!r}")
    mixture, iteration = state.mixture, state.iteration
    if state.phase == "E":
        resp = state.resp
        resp_t = np.asfortranarray(resp).T  # (K, N)
        moments = responsibility_moments(workspace, resp_t)
        h_q = entropy_t(resp_t, workspace)
        ll_old = state.log_likelihood if previous_log_likelihood is None else previous_log_likelihood
    else:
        if state.converged or iteration >= max_iter:
            return
        e = e_step_pass(workspace, mixture) if pending is None else pending
        pending = None
        iteration += 1
        resp_t, moments, ll_old = e.resp_t, e.moments, e.log_likelihood
        resp = _frozen_resp(resp_t)
        h_q = e.entropy
        # After an E-step q is the posterior, so L(q, θ) = ln p(X | θ) (KL = 0). It is
        # evaluated from its definition, not assumed, so the plot shows what the maths does.
        bound = e.expected_log_joint + h_q
        yield EMState("E", iteration, mixture, resp, ll_old, bound,
                      degenerate=_degenerate(moments.mass), component_mass=moments.mass)
    state = None  # its q (if any) is in resp; holding the state would keep it after that
    _check_reg_covar(reg_covar)  # checked where m_step would check it, before the first M-step
    while True:
        mixture = _m_step(workspace, resp_t, covariance_type, reg_covar, moments)
        e = e_step_pass(workspace, mixture, old_resp_t=resp_t)
        bound = e.old_expected_log_joint + h_q  # L(q_old, θ_new) = Q(θ_new, θ_old) + H(q_old)
        ll = e.log_likelihood
        converged = abs(ll - ll_old) / n < tol
        degenerate = _degenerate(moments.mass)
        yield EMState("M", iteration, mixture, resp, ll, bound, converged, degenerate, moments.mass)
        if converged or iteration >= max_iter:
            return
        iteration += 1
        resp_t, moments = e.resp_t, e.moments
        resp = _frozen_resp(resp_t)
        h_q = e.entropy
        bound = e.expected_log_joint + h_q
        yield EMState("E", iteration, mixture, resp, ll, bound,
                      degenerate=_degenerate(moments.mass), component_mass=moments.mass)
        ll_old = ll
