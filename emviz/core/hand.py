"""θ set by hand: moving μ_k, stretching and turning Σ_k, changing π_k, and what the bound
says about such a θ while q stays the posterior of the last E-step.

With q held, ln p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ)) for every θ: dragging a mean away
from where the M-step put it lowers L and ln p, and the gap KL grows from 0 (right after an
E-step) until the next E-step sets q = p(Z | X, θ) and closes it again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .density import entropy, expected_log_joint, normalise_log, weighted_log_prob
from .em import EMState, _check_resp
from .mixture import Mixture, check_compatible, check_points

#: An axis of Σ_k dragged shorter than this fraction of the other axis stops there, so Σ_k
#: stays well conditioned (and positive definite) even with reg_covar = 0.
MIN_AXIS_RATIO = 1e-4


@dataclass(frozen=True, eq=False)
class HeldEvaluation:
    """θ evaluated with q held.

    mixture : the θ evaluated
    posterior : p(z_nk = 1 | x_n, θ), shape (N, K), read-only: what the next E-step will set
        q to (the points take these colours while θ is dragged)
    log_likelihood : ln p(X | θ) = Σ_n ln Σ_k π_k N(x_n | μ_k, Σ_k)
    lower_bound : L(q, θ) = Σ_n Σ_k r_nk [ln π_k + ln N(x_n | μ_k, Σ_k) − ln r_nk]
        (NaN without a q: before the first E-step)
    kl : KL(q ‖ p(Z | X, θ)) = Σ_n Σ_k r_nk ln(r_nk / p(z_nk = 1 | x_n, θ)) ≥ 0 (NaN without q)
    """

    mixture: Mixture
    posterior: np.ndarray
    log_likelihood: float
    lower_bound: float
    kl: float


def evaluate_held(X: np.ndarray, q: np.ndarray | None, mixture: Mixture) -> HeldEvaluation:
    """ln p(X | θ), L(q, θ) and KL(q ‖ p(Z | X, θ)) for θ = ``mixture`` and a held q.

    One pass over the points: the weighted log densities ln π_k N(x_n | μ_k, Σ_k) give
    ln p(x_n | θ) by log-sum-exp, the posterior, and L. KL is summed from its own
    definition (not taken as ln p − L), so it is ≥ 0 up to rounding and 0 when q is the
    posterior under θ.

    X : array, shape (N, D); q : array, shape (N, K), or None (no E-step yet)
    """
    X = check_points(X)
    check_compatible(X, mixture)
    if q is not None:
        q = _check_resp(X, q, mixture)
    wlp = weighted_log_prob(X, mixture)
    posterior, log_norm = normalise_log(wlp)
    posterior.setflags(write=False)
    ll = float(log_norm.sum())
    if q is None:
        return HeldEvaluation(mixture, posterior, ll, float("nan"), float("nan"))
    with np.errstate(invalid="ignore"):  # a zero weight gives -inf · 0 where q is 0
        bound = expected_log_joint(q, wlp) + entropy(q)
        log_post = wlp - log_norm[:, None]
        with np.errstate(divide="ignore"):
            terms = q * (np.log(q) - log_post)
    kl = float(np.where(q > 0, terms, 0.0).sum())
    return HeldEvaluation(mixture, posterior, ll, float(bound), max(kl, 0.0))


def hand_state(base: EMState, evaluation: HeldEvaluation) -> EMState:
    """The history's "θ set by hand" entry after ``base``: θ from ``evaluation``, q still
    the one ``base`` holds (None after "init"), the iteration count of ``base``.

    EM goes on from it with an E-step, as from an M-state.
    """
    return EMState("hand", base.iteration, evaluation.mixture, base.resp,
                   evaluation.log_likelihood, evaluation.lower_bound,
                   component_mass=base.component_mass, posterior=evaluation.posterior)


def held_q(state: EMState) -> np.ndarray | None:
    """The q a drag from ``state`` holds: an E-state's posterior, the q an M-state or a
    hand state kept, None for "init"."""
    return None if state.phase == "init" else state.resp


# -- changing one component --------------------------------------------------------------
def _check_component(mixture: Mixture, k: int) -> int:
    if not 0 <= k < mixture.n_components:
        raise ValueError(f"component k must lie in [0, {mixture.n_components}), got {k}")
    return int(k)


def with_mean(mixture: Mixture, k: int, mean) -> Mixture:
    """θ with μ_k replaced by ``mean`` (shape (D,), finite)."""
    k = _check_component(mixture, k)
    mean = np.asarray(mean, dtype=float).reshape(-1)
    if mean.shape != (mixture.n_features,) or not np.all(np.isfinite(mean)):
        raise ValueError(f"μ_{k + 1} must be {mixture.n_features} finite numbers, got {mean.tolist()}")
    means = np.array(mixture.means)
    means[k] = mean
    return Mixture(mixture.weights, means, mixture.covariances)


def principal_axes(covariance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Σ = V diag(s²) Vᵀ: the semi-axis lengths s (shape (D,), descending) of the ellipse at
    Mahalanobis distance 1 and their directions, the columns of V (shape (D, D))."""
    variances, directions = np.linalg.eigh(np.asarray(covariance, dtype=float))
    order = np.argsort(variances)[::-1]
    return np.sqrt(np.maximum(variances[order], 0.0)), directions[:, order]


def axis_handles(mixture: Mixture, k: int) -> np.ndarray:
    """Where the handles of Σ_k sit: μ_k + s_i v_i, the ends of the 1σ ellipse's principal
    axes, shape (D, D) (one row per axis, the major axis first)."""
    k = _check_component(mixture, k)
    lengths, directions = principal_axes(mixture.covariances[k])
    return mixture.means[k] + (directions * lengths).T


def with_axis(mixture: Mixture, k: int, axis: int, tip, reg_covar: float = 0.0) -> Mixture:
    """θ with Σ_k stretched and turned so that the end of its principal axis ``axis`` (0:
    major, 1: minor) lies at ``tip`` (shape (2,), data coordinates); the other axis keeps its
    length and turns with it, perpendicular. 2-D only.

    The dragged axis is kept at least sqrt(reg_covar) long (and at least MIN_AXIS_RATIO of the
    other), so Σ_k stays positive definite with every variance at least reg_covar.
    """
    k = _check_component(mixture, k)
    if mixture.n_features != 2:
        raise ValueError("Σ_k handles work in 2-D only")
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 (major) or 1 (minor), got {axis}")
    tip = np.asarray(tip, dtype=float).reshape(-1)
    if tip.shape != (2,) or not np.all(np.isfinite(tip)):
        raise ValueError(f"the handle's position must be 2 finite numbers, got {tip.tolist()}")
    lengths, directions = principal_axes(mixture.covariances[k])
    other = float(lengths[1 - axis])
    offset = tip - mixture.means[k]
    length = float(np.hypot(*offset))
    direction = offset / length if length > 0 else directions[:, axis]
    floor = max(np.sqrt(max(reg_covar, 0.0)), MIN_AXIS_RATIO * other)
    length = max(length, floor)
    other = max(other, floor)
    normal = np.array([-direction[1], direction[0]])
    cov = length**2 * np.outer(direction, direction) + other**2 * np.outer(normal, normal)
    cov = (cov + cov.T) / 2
    covs = np.array(mixture.covariances)
    covs[k] = cov
    return Mixture(mixture.weights, mixture.means, covs)


def with_weight(mixture: Mixture, k: int, weight) -> Mixture:
    """θ with π_k = ``weight`` and the other weights scaled by (1 − π_k_new) / (1 − π_k_old),
    so they keep their proportions and all still sum to 1.

    ValueError naming the problem for anything but a number strictly between 0 and 1 (with
    one component, π_1 = 1 is the only choice and cannot change).
    """
    k = _check_component(mixture, k)
    try:
        weight = float(weight)
    except (TypeError, ValueError):
        raise ValueError(f"π_{k + 1} must be a number, got {weight!r}") from None
    if mixture.n_components == 1:
        raise ValueError("with one component π_1 is 1 and cannot change")
    if not 0.0 < weight < 1.0:
        raise ValueError(f"π_{k + 1} must lie strictly between 0 and 1, got {weight:g}")
    weights = np.array(mixture.weights)
    rest = 1.0 - weights[k]
    others = np.arange(len(weights)) != k
    if rest > 0:
        weights[others] *= (1.0 - weight) / rest
    else:  # every other weight was 0: share what is left equally
        weights[others] = (1.0 - weight) / (len(weights) - 1)
    weights[k] = weight
    weights /= weights.sum()  # rounding: exactly on the simplex
    return Mixture(weights, mixture.means, mixture.covariances)

