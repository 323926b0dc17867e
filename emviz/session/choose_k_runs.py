"""Model choice and random restarts as plain generator functions (no Qt), so a worker can
drain them one fitted run at a time and stop in between.

Every fitted run here is exactly the run the window makes: ``fresh_run`` (θ₀ from
``initialize`` with the settings' method and ``default_rng(seed)``, then ``run_em`` with the
settings' covariance type, reg_covar, tol and max_iter) drained to its end. So a start shown
in a plot is reproduced by setting the window's K and seed and playing to the end.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..core import Mixture, aic, bic, check_points
from .model import Settings
from .runs import fresh_run

#: The criteria curve covers K = 1 .. this (or N, if there are fewer points).
K_MAX_CURVE = 8
#: Each K on the curve is the best of this many runs, from seeds 0, 1, 2 (the window's own
#: seed is not used, so loading a start elsewhere does not move the curve). One run can end
#: in a poor local optimum, which would put a bump into the curve that is not about K.
STARTS_PER_K = 3
#: "Run from N random starts": N to begin with.
DEFAULT_RESTARTS = 10
#: Seeds live in 0 .. 2³¹ − 1 (the seed spin box's range).
SEED_LIMIT = 2**31

#: What a fit may raise on awkward data (a singular Σ_k with reg_covar = 0, too few distinct
#: points): the start is reported as failed, the others go on.
FIT_ERRORS = (ValueError, ArithmeticError)


def curve_key(points: np.ndarray, settings: Settings) -> tuple:
    """What the criteria curve depends on: the points (by identity: the session model replaces
    its read-only array on every edit), and the settings but K and the seed."""
    return (points, dataclasses.replace(settings, k=1, seed=0))


def restarts_key(points: np.ndarray, settings: Settings) -> tuple:
    """What a set of restarts depends on: the points, and the settings but the seed."""
    return (points, dataclasses.replace(settings, seed=0))


def same_key(a: tuple | None, b: tuple) -> bool:
    """``a`` is ``b``'s key: the same points array and equal settings."""
    return a is not None and a[0] is b[0] and a[1] == b[1]


@dataclass(frozen=True)
class Fit:
    """One EM run to its end: θ₀ from ``seed``, then EM until converged or max_iter.

    mixture : the final θ (None if the run failed: then ``error`` says why)
    log_likelihood : the final ln p(X | θ) (NaN if it failed)
    iterations : EM iterations run; converged : False if max_iter stopped it
    """

    k: int
    seed: int
    mixture: Mixture | None
    log_likelihood: float
    iterations: int
    converged: bool
    error: str = ""


@dataclass(frozen=True)
class Progress:
    """A run in progress (yielded after each M-step, so a worker can stop between them)."""

    k: int
    seed: int
    iteration: int


@dataclass(frozen=True)
class CriterionPoint:
    """One K of the criteria curve: the best of its starts, and BIC and AIC of its θ.

    best : the start with the highest final ln p (None if every start failed)
    bic, aic : ``bic(X, best.mixture)``, ``aic(...)`` (NaN if every start failed)
    starts : every start's final ln p, in seed order (NaN for a failed one)
    """

    k: int
    best: Fit | None
    bic: float
    aic: float
    starts: tuple[float, ...]
    error: str = ""

    @property
    def log_likelihood(self) -> float:
        return self.best.log_likelihood if self.best is not None else math.nan


def curve_ks(n_points: int, k_max: int = K_MAX_CURVE) -> list[int]:
    """K = 1 .. min(k_max, N): a mixture cannot have more components than points."""
    return list(range(1, min(k_max, n_points) + 1))


def fitting(X: np.ndarray, settings: Settings) -> Iterator[Progress | Fit]:
    """The window's run for ``settings`` (K, method, seed, ...): a Progress after each
    M-step, then the Fit. A run that fails ends in a Fit with the error (never raises)."""
    k, seed, last, iteration = settings.k, settings.seed, None, 0
    try:
        for state in fresh_run(X, settings):
            last = state
            if state.phase == "M":
                iteration = state.iteration
                yield Progress(k, seed, iteration)
    except FIT_ERRORS as error:
        yield Fit(k, seed, None, math.nan, iteration, False, str(error))
        return
    if last is None or not np.isfinite(last.log_likelihood):
        yield Fit(k, seed, None, math.nan, iteration, False, "ln p(X | θ) is not finite")
        return
    yield Fit(k, seed, last.mixture, float(last.log_likelihood), last.iteration, last.converged)


def fit(X: np.ndarray, settings: Settings) -> Fit:
    """The window's run for ``settings``, drained to its end."""
    result = None
    for result in fitting(X, settings):  # noqa: B007 (the last item is the Fit)
        pass
    return result


def criteria_curve(X: np.ndarray, settings: Settings, ks: Iterable[int] | None = None,
                   starts: int = STARTS_PER_K, progress: bool = False,
                   ) -> Iterator[CriterionPoint | Progress]:
    """BIC and AIC against K, one CriterionPoint per K (in the order of ``ks``; default
    K = 1 .. min(8, N)). Each K is fitted ``starts`` times, from seeds 0 .. starts − 1 with
    the settings' initialisation, covariance type, reg_covar, tol and max_iter (the
    settings' own K and seed are ignored), and the best final ln p(X | θ) is kept.
    With ``progress``, a Progress is yielded after every EM iteration as well.

    X : array, shape (N, D)
    """
    X = check_points(X)
    for k in curve_ks(len(X)) if ks is None else ks:
        fits = []
        for seed in range(starts):
            for item in fitting(X, dataclasses.replace(settings, k=k, seed=seed)):
                if isinstance(item, Fit):
                    fits.append(item)
                elif progress:
                    yield item
        yield criterion_point(X, fits, settings.covariance_type)


def criterion_point(X: np.ndarray, fits: Sequence[Fit], covariance_type: str) -> CriterionPoint:
    """BIC and AIC of the best of ``fits`` (one K), as emviz.core computes them."""
    lls = tuple(f.log_likelihood for f in fits)
    ok = [f for f in fits if f.mixture is not None]
    if not ok:
        error = next((f.error for f in fits if f.error), "no run")
        return CriterionPoint(fits[0].k if fits else 0, None, math.nan, math.nan, lls, error)
    best = max(ok, key=lambda f: f.log_likelihood)  # the first (lowest seed) of equals
    return CriterionPoint(best.k, best, bic(X, best.mixture, covariance_type),
                          aic(X, best.mixture, covariance_type), lls)


def restart_seeds(n_starts: int, base_seed: int) -> list[int]:
    """n distinct seeds from ``base_seed`` on (base, base + 1, ...), wrapped into 0 .. 2³¹ − 1."""
    if not 1 <= n_starts <= SEED_LIMIT:
        raise ValueError(f"the number of starts must be at least 1, got {n_starts}")
    return [(base_seed + i) % SEED_LIMIT for i in range(n_starts)]


def restarts(X: np.ndarray, settings: Settings, n_starts: int, base_seed: int | None = None,
             progress: bool = False) -> Iterator[Fit | Progress]:
    """EM from ``n_starts`` random starts at the settings' K: one Fit per start (a failed
    start too, with its error), from seeds base_seed, base_seed + 1, ... (default: the
    settings' seed, so the first start is the window's own run). With ``progress``, a
    Progress is yielded after every EM iteration as well.

    X : array, shape (N, D)
    """
    X = check_points(X)
    base = settings.seed if base_seed is None else base_seed
    for seed in restart_seeds(n_starts, base):
        for item in fitting(X, dataclasses.replace(settings, seed=seed)):
            if isinstance(item, Fit) or progress:
                yield item


def lowest(values: Sequence[float]) -> int | None:
    """Index of the lowest finite value (the first of equals), None if there is none."""
    a = np.asarray(values, dtype=float)
    finite = np.isfinite(a)
    if not finite.any():
        return None
    return int(np.flatnonzero(finite)[np.argmin(a[finite])])


def stack(values: Sequence[float], width: float) -> tuple[np.ndarray, np.ndarray]:
    """A dot plot: values within ``width`` of each other share a pile (runs that ended in
    the same local optimum), each dot one step up its pile.

    Returns (pile, height), each int array of shape (n,): the pile of each value, numbered
    from the highest value down (pile 0: the best ln p), and its place in the pile (0, 1,
    ...), in the order of seeds within a pile. Non-finite values get pile and height -1.
    """
    a = np.asarray(values, dtype=float)
    pile = np.full(len(a), -1)
    height = np.full(len(a), -1)
    order = [i for i in np.argsort(-a, kind="stable") if np.isfinite(a[i])]
    current, top = -1, math.inf
    for i in order:
        if top - a[i] > width or current < 0:
            current, top = current + 1, a[i]
        pile[i] = current
    for p in range(current + 1):
        members = np.flatnonzero(pile == p)  # seed order within a pile
        height[members] = np.arange(len(members))
    return pile, height
