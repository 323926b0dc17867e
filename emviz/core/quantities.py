"""The quantities the lecture draws, for the views to show: pure numpy, no Qt.

- ``complete_log_likelihood``: ln p(X, Z | θ) when an oracle gives the labels Z.
- ``kmeans_mixture``: "Gaussians from these clusters", a k-means partition turned into θ.
- ``interpolate``, ``valid_range``, ``bound_slice``: the picture "f(x) and its lower bound
  b(x)", drawn along the straight path from θ_old to θ_new of one M-step.
- ``responsibility_breakdown``, ``nearest_index``: r_nk for one point, term by term.
- ``decomposition``: ln p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ)) and L(q, θ) = Q(θ, θ_old) + H(q).

Notation as in ``em.py`` (Bishop, PRML ch. 9): θ = {π_k, μ_k, Σ_k}, responsibilities
r_nk = q(z_nk = 1), N points x_n of dimension D, K components.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .density import entropy, expected_log_joint, log_gaussian, normalise_log, weighted_log_prob
from .em import kl_divergence, m_step
from .init import one_hot, spread_covariance
from .mixture import Mixture, check_compatible, check_covariance_type, check_points

#: How far a row of resp may be from summing to one (q(z_n) is a distribution over k).
RESP_SUM_TOL = 1e-6

#: valid_range stops this far (relative, times max(1, |t|)) short of the t where a weight
#: reaches 0 or a covariance becomes singular, so the mixture at its ends can be built despite
#: rounding, and its log-determinants stay finite.
VALID_RANGE_MARGIN = 1e-6


# --- checks ----------------------------------------------------------------------------------


def _check_labels(labels: np.ndarray, n: int, k: int) -> np.ndarray:
    """Hard labels z_n as an int array of shape (N,) with values in 0..K-1, or a ValueError."""
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(
            f"labels must have shape (N,) = ({n},), one label per point; got shape {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers 0..K-1 = 0..{k - 1}; got dtype {labels.dtype}")
    bad = (labels < 0) | (labels >= k)
    if bad.any():
        n_bad = int(np.argmax(bad))
        raise ValueError(
            f"labels must lie in 0..K-1 = 0..{k - 1}, but point {n_bad} has label {labels[n_bad]}"
        )
    return labels.astype(np.intp, copy=False)


def _check_resp(X: np.ndarray, resp: np.ndarray, k: int) -> np.ndarray:
    """resp as a float (N, K) array of probabilities with rows summing to 1, or a ValueError."""
    resp = np.asarray(resp, dtype=float)
    if resp.shape != (X.shape[0], k):
        raise ValueError(f"resp must have shape (N, K) = ({X.shape[0]}, {k}); got shape {resp.shape}")
    if not np.all(np.isfinite(resp)) or resp.min() < 0 or resp.max() > 1 + 1e-9:
        raise ValueError("resp must hold probabilities in [0, 1]")
    off = np.abs(resp.sum(axis=1) - 1.0)
    if off.max() > RESP_SUM_TOL:
        n_bad = int(np.argmax(off))
        raise ValueError(
            f"each row of resp must sum to 1 (q(z_n) is a distribution over the K components), "
            f"but row {n_bad} sums to {resp[n_bad].sum():.8g}"
        )
    return resp


def _check_pair(mixture_a: Mixture, mixture_b: Mixture) -> None:
    shape_a = (mixture_a.n_components, mixture_a.n_features)
    shape_b = (mixture_b.n_components, mixture_b.n_features)
    if shape_a != shape_b:
        raise ValueError(
            "the two mixtures must have the same K and D to interpolate between them; got "
            f"(K, D) = {shape_a} and {shape_b}"
        )


def _check_point(x: np.ndarray, d: int) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.shape != (d,):
        raise ValueError(f"x must be one point of shape (D,) = ({d},); got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"x contains NaN or infinity: {x.tolist()}")
    return x


def _freeze(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


# --- the complete-data log-likelihood ---------------------------------------------------------


def complete_log_likelihood(X: np.ndarray, labels: np.ndarray, mixture: Mixture) -> float:
    """ln p(X, Z | θ) for hard labels Z, as if an oracle had told us which Gaussian made each point.

    With z_nk = 1 if point n has label k (1-of-K), the log of the complete likelihood has no
    log of a sum in it:

        ln p(X, Z | θ) = Σ_n Σ_k z_nk [ln π_k + ln N(x_n | μ_k, Σ_k)]
                       = Σ_k [N_k ln π_k + Σ_{n: z_n = k} ln N(x_n | μ_k, Σ_k)],

    one term per component, which is why the oracle's fit (``fit_labelled``) maximises it
    component by component. A point labelled with a component of weight π_k = 0 gives -inf.

    Parameters
    ----------
    X : array, shape (N, D)
    labels : int array, shape (N,), values in 0..K-1 (z_n)
    mixture : Mixture with K components

    Returns
    -------
    float, a sum over points (not a mean)
    """
    X = check_points(X)
    check_compatible(X, mixture)
    labels = _check_labels(labels, X.shape[0], mixture.n_components)
    counts = np.bincount(labels, minlength=mixture.n_components)
    total = 0.0
    for k in np.flatnonzero(counts):  # N_k = 0 contributes nothing, even where π_k = 0
        mine = X[labels == k]
        with np.errstate(divide="ignore"):
            log_weight = np.log(mixture.weights[k])
        log_density = log_gaussian(mine, mixture.means[k : k + 1], mixture.covariances[k : k + 1])
        total += counts[k] * log_weight + float(log_density.sum())
    return float(total)


# --- Gaussians from k-means clusters ----------------------------------------------------------

#: A full covariance, shape (D, D), projected into each covariance type's family.
_IN_FAMILY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "full": lambda cov: cov,
    "tied": lambda cov: cov,
    "diag": lambda cov: np.diag(np.diag(cov)),
    "spherical": lambda cov: np.trace(cov) / cov.shape[0] * np.eye(cov.shape[0]),
}


def kmeans_mixture(
    X: np.ndarray,
    labels: np.ndarray,
    k: int,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    drop_empty: bool = False,
) -> Mixture:
    """The mixture a k-means partition suggests: "Gaussians from these clusters".

    The lecture's bridge from k-means to EM: once we know which points go to which cluster,
    estimate each Gaussian from its own points and the weights from the counts,

        π_k = N_k / N,   μ_k = (1/N_k) Σ_{n: z_n = k} x_n,
        Σ_k = (1/N_k) Σ_{n: z_n = k} (x_n - μ_k)(x_n - μ_k)ᵀ + reg_covar · I

    (the M-step with r_nk = z_nk; ``covariance_type`` as in ``m_step``). Unlike
    ``fit_labelled`` it accepts clusters a k-means run can produce:

    - a cluster with fewer than two distinct points (a lone point, or copies of one point)
      has no spread to estimate, so it gets ``spread_covariance(X, K, reg_covar)`` (projected
      to the covariance type) instead of an invisible reg_covar · I; with ``tied`` the pooled
      covariance is kept unless no cluster has two distinct points;
    - an empty cluster raises ValueError naming it, unless ``drop_empty=True``: then it is left
      out, and the mixture has one component per non-empty cluster, in increasing label order.

    Parameters
    ----------
    X : array, shape (N, D)
    labels : int array, shape (N,), values in 0..k-1, e.g. ``KMeansState.labels``
    k : the number of clusters K
    covariance_type : "full", "diag", "spherical" or "tied"
    reg_covar : float >= 0, added to the diagonal of every fitted covariance
    drop_empty : leave empty clusters out instead of raising

    Returns
    -------
    Mixture with as many components as non-empty clusters
    """
    X = check_points(X)
    check_covariance_type(covariance_type)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a whole number of clusters >= 1, got {k!r}")
    labels = _check_labels(labels, X.shape[0], k)
    counts = np.bincount(labels, minlength=k)
    empty = np.flatnonzero(counts == 0)
    if empty.size and not drop_empty:
        raise ValueError(
            f"cluster(s) {empty.tolist()} have no points, so no Gaussian can be fitted to them: "
            f"pass drop_empty=True to leave them out (giving {k - empty.size} components), "
            "or re-run k-means with a different start or a smaller K"
        )
    kept = np.flatnonzero(counts)
    relabel = np.full(k, -1)
    relabel[kept] = np.arange(kept.size)
    z = relabel[labels]
    fitted = m_step(X, one_hot(z, kept.size), covariance_type, reg_covar)
    lone = np.array([np.ptp(X[z == j], axis=0).max() == 0 for j in range(kept.size)])
    covs = np.array(fitted.covariances)
    if covariance_type != "tied" or lone.all():
        covs[lone] = _IN_FAMILY[covariance_type](spread_covariance(X, kept.size, reg_covar))
    return Mixture(counts[kept] / X.shape[0], fitted.means, covs)


# --- the straight path from θ_a to θ_b -----------------------------------------------------------


def interpolate(mixture_a: Mixture, mixture_b: Mixture, t: float) -> Mixture:
    """The point θ(t) = (1 - t) θ_a + t θ_b on the straight path between two mixtures.

    π_k(t) = (1 - t) π_k^a + t π_k^b,   μ_k(t) = (1 - t) μ_k^a + t μ_k^b,
    Σ_k(t) = (1 - t) Σ_k^a + t Σ_k^b.

    For t in [0, 1] these are convex combinations, so θ(t) is always a valid mixture
    (weights on the simplex, covariances positive definite). Beyond [0, 1] a weight can turn
    negative or a covariance singular; ``valid_range`` says how far the path stays valid, and
    a t outside it raises ValueError.

    Parameters
    ----------
    mixture_a, mixture_b : Mixture, both with K components in D dimensions
    t : float, t = 0 gives θ_a and t = 1 gives θ_b

    Returns
    -------
    Mixture
    """
    _check_pair(mixture_a, mixture_b)
    t = float(t)
    if not np.isfinite(t):
        raise ValueError(f"t must be a finite number, got {t}")
    try:
        return _interpolate(mixture_a, mixture_b, t)
    except ValueError as err:
        lo, hi = valid_range(mixture_a, mixture_b, t_min=min(t, -0.5), t_max=max(t, 1.5))
        raise ValueError(
            f"θ(t) at t = {t:g} is not a valid mixture ({err}); the straight path from θ_a to θ_b "
            f"stays valid for t in [{lo:.6g}, {hi:.6g}] (see valid_range)"
        ) from None


def _interpolate(a: Mixture, b: Mixture, t: float) -> Mixture:
    """θ(t) without the checks; raises ValueError (from Mixture) if θ(t) is not valid."""
    return Mixture(
        (1.0 - t) * a.weights + t * b.weights,
        (1.0 - t) * a.means + t * b.means,
        (1.0 - t) * a.covariances + t * b.covariances,
    )


def _is_valid(a: Mixture, b: Mixture, t: float) -> bool:
    try:
        _interpolate(a, b, t)
    except ValueError:
        return False
    return True


def _weight_roots(a: Mixture, b: Mixture) -> tuple[np.ndarray, np.ndarray]:
    """Where the weights π_k(t) = π_k^a + t (π_k^b - π_k^a) reach 0: roots below 0 (growing
    weights) and above 1 (shrinking ones), each shape (K,), with -inf / +inf for "never"."""
    slope = b.weights - a.weights
    with np.errstate(divide="ignore", invalid="ignore"):
        roots = -a.weights / slope
    return np.where(slope > 0, roots, -np.inf), np.where(slope < 0, roots, np.inf)


def _covariance_roots(a: Mixture, b: Mixture) -> tuple[np.ndarray, np.ndarray]:
    """Where the covariances Σ_k(t) become singular: roots below 0 and above 1, each shape
    (K, D), with -inf / +inf for "never".

    With Σ_k^a = L Lᵀ (Cholesky) and Δ = Σ_k^b - Σ_k^a,

        Σ_k(t) = Σ_k^a + t Δ = L (I + t M) Lᵀ,   M = L⁻¹ Δ L⁻ᵀ (symmetric),

    so Σ_k(t) is positive definite exactly while 1 + t λ_i > 0 for every eigenvalue λ_i of M,
    and det Σ_k(t) = det Σ_k^a · Π_i (1 + t λ_i) vanishes at t = -1/λ_i. (For D = 2 these are
    the two roots of the quadratic det Σ_k(t).) λ_i > 0 gives a root below 0, λ_i < 0 one
    above 1 (λ_i > -1 because Σ_k^b is positive definite); the side is read from the sign of
    λ_i, not of the rounded root.
    """
    chol = a.cholesky()
    delta = b.covariances - a.covariances
    half = np.linalg.solve(chol, delta)  # L⁻¹ Δ
    m = np.linalg.solve(chol, np.swapaxes(half, 1, 2))  # L⁻¹ (L⁻¹ Δ)ᵀ = L⁻¹ Δ L⁻ᵀ
    lam = np.linalg.eigvalsh(0.5 * (m + np.swapaxes(m, 1, 2)))
    with np.errstate(divide="ignore", over="ignore"):
        roots = -1.0 / lam
    return np.where(lam > 0, roots, -np.inf), np.where(lam < 0, roots, np.inf)


def _end(a: Mixture, b: Mixture, root: float, limit: float, anchor: float, margin: float) -> float:
    """One end of the valid range: just short of ``root`` (the nearest t beyond ``anchor``
    where the path leaves the valid set), or ``limit`` if that comes first; never inside
    ``anchor`` (0 for the lower end, 1 for the upper one).

    If rounding makes θ at that end fail Mixture's checks, the end moves toward ``anchor``
    (where θ is θ_a or θ_b, so valid) in growing steps until it passes.
    """
    side = np.sign(limit - anchor)
    if side == 0:
        return limit
    if side * (root - limit) > 0:  # the path is still valid at the limit
        end = limit
    else:
        end = root - side * margin * max(1.0, abs(root))
    if side * (end - anchor) <= 0:
        return anchor
    shrink = max(margin, 1e-12)
    while not _is_valid(a, b, end):
        if shrink >= 1:
            return anchor
        end = anchor + (end - anchor) * (1.0 - shrink)
        shrink *= 8
    return end


def valid_range(
    mixture_a: Mixture,
    mixture_b: Mixture,
    t_min: float = -0.5,
    t_max: float = 1.5,
    margin: float = VALID_RANGE_MARGIN,
) -> tuple[float, float]:
    """The largest interval [lo, hi] ⊇ [0, 1] within [t_min, t_max] where θ(t) is a valid mixture.

    Along θ(t) = (1 - t) θ_a + t θ_b (``interpolate``):

    - each weight π_k(t) is linear in t, and reaches 0 at t = -π_k^a / (π_k^b - π_k^a);
    - each covariance Σ_k(t) is positive definite while 1 + t λ_i > 0 for the eigenvalues λ_i of
      L⁻¹ (Σ_k^b - Σ_k^a) L⁻ᵀ, Σ_k^a = L Lᵀ: det Σ_k(t) = det Σ_k^a · Π_i (1 + t λ_i) is a
      polynomial in t (a quadratic for D = 2) whose roots are t = -1/λ_i.

    All roots are computed exactly; lo is just above the largest root below 0 and hi just below
    the smallest root above 1, each pulled in by ``margin · max(1, |root|)`` so that θ(lo) and
    θ(hi) are valid mixtures despite rounding (a root outside [t_min, t_max] does not count, so
    identical mixtures give (t_min, t_max)). A weight that is 0 at t = 0 or t = 1 gives lo = 0 or
    hi = 1. Meant for a plot that "extends a little beyond" the M-step.

    Parameters
    ----------
    mixture_a, mixture_b : Mixture, both with K components in D dimensions
    t_min : float <= 0; t_max : float >= 1
    margin : float >= 0, relative distance kept from a root

    Returns
    -------
    (lo, hi) : floats with t_min <= lo <= 0 and 1 <= hi <= t_max
    """
    _check_pair(mixture_a, mixture_b)
    t_min, t_max, margin = float(t_min), float(t_max), float(margin)
    if not (np.isfinite(t_min) and t_min <= 0):
        raise ValueError(f"t_min must be a finite number <= 0 (the range contains [0, 1]), got {t_min}")
    if not (np.isfinite(t_max) and t_max >= 1):
        raise ValueError(f"t_max must be a finite number >= 1 (the range contains [0, 1]), got {t_max}")
    if not (np.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin must be a finite number >= 0, got {margin}")
    weight_lo, weight_hi = _weight_roots(mixture_a, mixture_b)
    cov_lo, cov_hi = _covariance_roots(mixture_a, mixture_b)
    root_lo = max(weight_lo.max(), cov_lo.max())
    root_hi = min(weight_hi.min(), cov_hi.min())
    lo = _end(mixture_a, mixture_b, float(root_lo), t_min, 0.0, margin)
    hi = _end(mixture_a, mixture_b, float(root_hi), t_max, 1.0, margin)
    return lo, hi


# --- f(t) and b(t) along the M-step -------------------------------------------------------------


def bound_slice(
    X: np.ndarray,
    resp: np.ndarray,
    mixture_old: Mixture,
    mixture_new: Mixture,
    ts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's picture of f(x) and its lower bound b(x), along the path θ_old → θ_new.

    With θ(t) = (1 - t) θ_old + t θ_new (``interpolate``) and q = resp fixed,

        f(t) = ln p(X | θ(t)) = Σ_n ln Σ_k π_k(t) N(x_n | μ_k(t), Σ_k(t)),
        b(t) = L(q, θ(t)) = Q(θ(t), θ_old) + H(q)
             = Σ_n Σ_k r_nk [ln π_k(t) + ln N(x_n | μ_k(t), Σ_k(t))] - Σ_n Σ_k r_nk ln r_nk.

    For resp = e_step(X, θ_old) and θ_new = m_step(X, resp), the lecture's argument reads off
    the slice: b(t) <= f(t) everywhere (Jensen; the gap is KL(q ‖ p(Z | X, θ(t)))), b(0) = f(0)
    (the bound touches at θ_old), and b(1) >= b(t) for every valid t (the M-step maximises
    L(q, θ) over all θ), so f(1) >= b(1) >= b(0) = f(0). Caveats, which the tests pin down: with
    reg_covar > 0 the M-step's θ_new is only within O(reg_covar) of the maximiser, and with a
    constrained covariance type it maximises only within that family, so b(1) >= b(t) needs
    θ_old in the same family. b(t) need not be concave in t.

    H(q) is computed once; each t costs one vectorised pass over the points (as an E-step).

    Parameters
    ----------
    X : array, shape (N, D)
    resp : array, shape (N, K), q(z_nk = 1), rows summing to 1
    mixture_old, mixture_new : Mixture, θ_old (t = 0) and θ_new (t = 1)
    ts : array, shape (T,), positions t on the path, each where θ(t) is valid as
        ``valid_range`` reports it (else ValueError), e.g. ``np.linspace(*valid_range(...), T)``

    Returns
    -------
    f : array, shape (T,), ln p(X | θ(t))
    b : array, shape (T,), L(q, θ(t))
    """
    X = check_points(X)
    _check_pair(mixture_old, mixture_new)
    check_compatible(X, mixture_old)
    resp = _check_resp(X, resp, mixture_old.n_components)
    ts = np.asarray(ts, dtype=float)
    if ts.ndim != 1:
        raise ValueError(f"ts must be a 1-D array of path positions t, got shape {ts.shape}")
    if not np.all(np.isfinite(ts)):
        raise ValueError("ts must be finite numbers")
    f, b = np.empty(ts.shape), np.empty(ts.shape)
    if ts.size == 0:
        return f, b
    lo, hi = valid_range(mixture_old, mixture_new, t_min=min(ts.min(), 0.0), t_max=max(ts.max(), 1.0))
    outside = (ts < lo) | (ts > hi)
    if outside.any():  # t is beyond a root, which the default window shows as well
        lo, hi = valid_range(mixture_old, mixture_new, min(ts.min(), -0.5), max(ts.max(), 1.5))
        raise ValueError(
            f"t = {ts[outside][0]:g} lies outside the valid range [{lo:.6g}, {hi:.6g}] of the path "
            "from θ_old to θ_new (beyond it a weight would be negative or a covariance not "
            "positive definite); keep ts within valid_range(mixture_old, mixture_new)"
        )
    h_q = entropy(resp)
    for i, t in enumerate(ts):
        wlp = weighted_log_prob(X, _interpolate(mixture_old, mixture_new, float(t)))  # (N, K)
        f[i] = normalise_log(wlp)[1].sum()
        b[i] = expected_log_joint(resp, wlp) + h_q
    return f, b


# --- one point's responsibilities ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Breakdown:
    """The responsibilities of one point x, term by term (arrays read-only).

    r_k = π_k N(x | μ_k, Σ_k) / Σ_j π_j N(x | μ_j, Σ_j)

    log_density : array, shape (K,), ln N(x | μ_k, Σ_k)
    log_weighted : array, shape (K,), ln π_k + ln N(x | μ_k, Σ_k) (-inf where π_k = 0)
    weighted : array, shape (K,), π_k N(x | μ_k, Σ_k); may underflow to 0 for a far point,
        where log_weighted stays finite
    log_normaliser : float, ln Σ_j π_j N(x | μ_j, Σ_j) = ln p(x | θ)
    resp : array, shape (K,), r_k, summing to 1, computed in the log domain
    """

    log_density: np.ndarray
    log_weighted: np.ndarray
    weighted: np.ndarray
    log_normaliser: float
    resp: np.ndarray

    def __post_init__(self) -> None:
        for name in ("log_density", "log_weighted", "weighted", "resp"):
            object.__setattr__(self, name, _freeze(getattr(self, name)))


def responsibility_breakdown(x: np.ndarray, mixture: Mixture) -> Breakdown:
    """How the E-step splits one point's unit mass over the K components.

    r_k = π_k N(x | μ_k, Σ_k) / Σ_j π_j N(x | μ_j, Σ_j), computed as
    exp(ln π_k N_k(x) - ln Σ_j π_j N_j(x)) with a log-sum-exp normaliser, so a point 1e3
    standard deviations from every component still gets finite responsibilities summing to 1.

    Parameters
    ----------
    x : array, shape (D,)
    mixture : Mixture with K components in D dimensions

    Returns
    -------
    Breakdown
    """
    x = _check_point(x, mixture.n_features)
    log_density = log_gaussian(x[None, :], mixture.means, mixture.covariances)[0]
    with np.errstate(divide="ignore"):
        log_weighted = np.log(mixture.weights) + log_density
    resp, log_norm = normalise_log(log_weighted[None, :])
    with np.errstate(under="ignore"):
        weighted = np.exp(log_weighted)
    return Breakdown(log_density, log_weighted, weighted, float(log_norm[0]), resp[0])


def nearest_index(X: np.ndarray, x: np.ndarray, max_distance: float | None = None) -> int | None:
    """The index n of the data point x_n nearest to x (Euclidean), e.g. the point under the mouse.

    Returns None if that point is farther than ``max_distance`` from x. Ties go to the lowest n.

    Parameters
    ----------
    X : array, shape (N, D)
    x : array, shape (D,)
    max_distance : float >= 0 or None (no limit)
    """
    X = check_points(X)
    x = _check_point(x, X.shape[1])
    if max_distance is not None and not max_distance >= 0:
        raise ValueError(f"max_distance must be >= 0 or None, got {max_distance!r}")
    diff = X - x
    squared = np.einsum("nd,nd->n", diff, diff)
    n = int(np.argmin(squared))
    if max_distance is not None and np.sqrt(squared[n]) > max_distance:
        return None
    return n


# --- ln p = L + KL, L = Q + H ----------------------------------------------------------------------


@dataclass(frozen=True)
class Decomposition:
    """The lecture's two identities for a q and a θ, every term computed on its own.

        ln p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ)),   L(q, θ) = Q(θ, θ_old) + H(q).

    log_likelihood : ln p(X | θ) (as ``EMState.log_likelihood``)
    lower_bound : L(q, θ) = q_term + entropy (as ``EMState.lower_bound``)
    kl : KL(q ‖ p(Z | X, θ)) >= 0, from the two distributions, not as a difference
    q_term : Q(θ, θ_old) = Σ_n Σ_k r_nk [ln π_k + ln N(x_n | μ_k, Σ_k)], the expected
        complete-data log-likelihood (θ_old being the θ that gave q)
    entropy : H(q) = -Σ_n Σ_k r_nk ln r_nk
    """

    log_likelihood: float
    lower_bound: float
    kl: float
    q_term: float
    entropy: float

    @property
    def gap(self) -> float:
        """ln p(X | θ) - L(q, θ), which equals kl up to rounding (as ``EMState.gap``)."""
        return self.log_likelihood - self.lower_bound


def decomposition(X: np.ndarray, resp: np.ndarray, mixture: Mixture) -> Decomposition:
    """ln p(X | θ), L(q, θ), KL(q ‖ p(Z | X, θ)), Q(θ, θ_old) and H(q) for q = resp and θ = mixture.

    For a state s of ``run_em`` (not the "init" one, which has no q yet),
    ``decomposition(X, s.resp, s.mixture)`` has ``s.log_likelihood`` and ``s.lower_bound`` as
    its first two fields up to rounding; after an E-step kl is 0, after an M-step it is the gap
    the next E-step closes. ln p = L + KL holds up to rounding because KL is computed directly
    (``kl_divergence``); L = Q + H holds by construction. If q gives mass to a component of
    weight 0, Q and L are -inf and KL is +inf.

    Parameters
    ----------
    X : array, shape (N, D)
    resp : array, shape (N, K), q(z_nk = 1), rows summing to 1
    mixture : Mixture with K components

    Returns
    -------
    Decomposition
    """
    X = check_points(X)
    check_compatible(X, mixture)
    resp = _check_resp(X, resp, mixture.n_components)
    wlp = weighted_log_prob(X, mixture)
    log_likelihood = float(normalise_log(wlp)[1].sum())
    q_term = float(expected_log_joint(resp, wlp))
    h_q = float(entropy(resp))
    kl = float(kl_divergence(X, resp, mixture))
    return Decomposition(log_likelihood, q_term + h_q, kl, q_term, h_q)
