"""Tests for emviz.core.quantities: the lecture's quantities, against slow references and the maths."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from emviz.core import (
    Breakdown,
    Mixture,
    bound_slice,
    complete_log_likelihood,
    decomposition,
    e_step,
    expected_complete_log_likelihood,
    fit_labelled,
    interpolate,
    kl_divergence,
    kmeans_mixture,
    log_likelihood,
    lower_bound,
    m_step,
    nearest_index,
    one_hot,
    responsibility_breakdown,
    run_em,
    run_kmeans,
    sample,
    spread_covariance,
    valid_range,
)

PROPERTY = settings(max_examples=25, deadline=None)

seeds = st.integers(0, 2**32 - 1)
n_components = st.integers(1, 3)
n_features = st.integers(1, 3)


# --- random problems ---------------------------------------------------------------------------


def random_spd(rng: np.random.Generator, d: int, lo: float = 0.2, hi: float = 3.0) -> np.ndarray:
    """A random symmetric positive definite (d, d) matrix with eigenvalues in [lo, hi]."""
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    cov = (q * rng.uniform(lo, hi, size=d)) @ q.T
    return 0.5 * (cov + cov.T)


def random_mixture(rng: np.random.Generator, k: int, d: int, spread: float = 4.0) -> Mixture:
    weights = 0.05 + (1 - 0.05 * k) * rng.dirichlet(np.full(k, 2.0))
    means = rng.uniform(-spread, spread, size=(k, d))
    return Mixture(weights, means, np.array([random_spd(rng, d) for _ in range(k)]))


def random_problem(seed: int, k: int, d: int, n: int = 80) -> tuple[np.ndarray, np.ndarray, Mixture]:
    """Points X (n, d) with their true labels, drawn from a random mixture, and that mixture."""
    rng = np.random.default_rng(seed)
    true = random_mixture(rng, k, d)
    X, labels = sample(true, n, rng)
    return X, labels, true


def old_mixture_near_data(rng: np.random.Generator, X: np.ndarray, k: int) -> Mixture:
    """A θ_old with its means at k distinct data points and data-scaled random covariances."""
    d = X.shape[1]
    means = X[rng.choice(X.shape[0], size=k, replace=False)]
    scale = np.trace(np.atleast_2d(np.cov(X, rowvar=False))) / d
    covs = np.array([scale * random_spd(rng, d, 0.1, 1.0) for _ in range(k)])
    return Mixture(rng.dirichlet(np.full(k, 5.0)), means, covs)


# --- slow references -----------------------------------------------------------------------------


def naive_log_gaussian(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> float:
    """ln N(x | μ, Σ) straight from the formula, for one point and one component."""
    d = x.shape[0]
    diff = x - mean
    _, log_det = np.linalg.slogdet(cov)
    return float(-0.5 * (d * np.log(2 * np.pi) + log_det + diff @ np.linalg.inv(cov) @ diff))


def naive_complete_log_likelihood(X: np.ndarray, labels: np.ndarray, mixture: Mixture) -> float:
    total = 0.0
    for x, k in zip(X, labels, strict=True):
        total += np.log(mixture.weights[k]) + naive_log_gaussian(x, mixture.means[k], mixture.covariances[k])
    return total


def naive_resp(x: np.ndarray, mixture: Mixture) -> tuple[np.ndarray, np.ndarray]:
    """π_k N(x | μ_k, Σ_k) as plain densities, component by component, and their ratios."""
    weighted = np.empty(mixture.n_components)
    for k in range(mixture.n_components):
        diff = x - mixture.means[k]
        cov = mixture.covariances[k]
        norm = np.sqrt((2 * np.pi) ** x.shape[0] * np.linalg.det(cov))
        weighted[k] = mixture.weights[k] * np.exp(-0.5 * diff @ np.linalg.solve(cov, diff)) / norm
    return weighted, weighted / weighted.sum()


def is_valid_mixture_at(a: Mixture, b: Mixture, t: float) -> bool:
    """θ(t) checked by hand: every weight >= 0 and every covariance's eigenvalues > 0."""
    weights = (1 - t) * a.weights + t * b.weights
    covs = (1 - t) * a.covariances + t * b.covariances
    return bool(weights.min() >= 0 and np.linalg.eigvalsh(covs).min() > 0)


def close(a: float, b: float, rtol: float = 1e-9) -> bool:
    return abs(a - b) <= rtol * (1 + abs(a) + abs(b))


# --- complete_log_likelihood ---------------------------------------------------------------------


@PROPERTY
@given(seed=seeds, k=n_components, d=n_features)
def test_complete_log_likelihood_matches_loop_reference(seed, k, d):
    X, labels, true = random_problem(seed, k, d, n=40)
    other = random_mixture(np.random.default_rng(seed + 1), k, d)
    for mixture in (true, other):
        expected = naive_complete_log_likelihood(X, labels, mixture)
        assert complete_log_likelihood(X, labels, mixture) == pytest.approx(expected, rel=1e-10)


@PROPERTY
@given(seed=seeds, k=n_components, d=n_features)
def test_complete_log_likelihood_is_q_with_the_oracles_one_hot_resp(seed, k, d):
    X, labels, true = random_problem(seed, k, d, n=40)
    q = expected_complete_log_likelihood(X, one_hot(labels, k), true)
    assert complete_log_likelihood(X, labels, true) == pytest.approx(q, rel=1e-12)


@PROPERTY
@given(seed=seeds, k=n_components, d=n_features)
def test_the_oracle_fit_maximises_the_complete_log_likelihood(seed, k, d):
    """fit_labelled (reg_covar = 0) is the complete-data MLE: no other θ does better."""
    rng = np.random.default_rng(seed)
    true = random_mixture(rng, k, d)
    X, labels = sample(true, 30 * k, rng, procedure="per-component")
    oracle = fit_labelled(X, labels, k, reg_covar=0.0)
    best = complete_log_likelihood(X, labels, oracle)
    others = [true, random_mixture(rng, k, d), fit_labelled(X, labels, k, reg_covar=1e-2)]
    chol = oracle.cholesky()
    for _ in range(4):  # small random steps away from the MLE in every parameter
        weights = oracle.weights * np.exp(0.1 * rng.standard_normal(k))
        jitter = np.array([random_spd(rng, d, 0.9, 1.1) for _ in range(k)])
        covs = chol @ jitter @ np.swapaxes(chol, 1, 2)  # L J Lᵀ, near Σ_k
        means = oracle.means + 0.05 * rng.standard_normal((k, d))
        others.append(Mixture(weights / weights.sum(), means, 0.5 * (covs + np.swapaxes(covs, 1, 2))))
    for mixture in others:
        assert complete_log_likelihood(X, labels, mixture) <= best + 1e-9 * abs(best)


def test_complete_log_likelihood_with_a_zero_weight_component():
    mixture = Mixture([1.0, 0.0], [[0.0], [5.0]], [[[1.0]], [[1.0]]])
    X = np.array([[0.1], [-0.2], [4.9]])
    assert np.isfinite(complete_log_likelihood(X, np.array([0, 0, 0]), mixture))
    assert complete_log_likelihood(X, np.array([0, 0, 1]), mixture) == -np.inf


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.array([0, 1]), r"labels must have shape \(N,\) = \(3,\)"),
        (np.array([[0, 1, 1]]), r"labels must have shape \(N,\) = \(3,\)"),
        (np.array([0.0, 1.0, 1.0]), r"labels must be integers 0..K-1 = 0..1; got dtype float64"),
        (np.array([0, -1, 1]), r"labels must lie in 0..K-1 = 0..1, but point 1 has label -1"),
        (np.array([0, 1, 2]), r"labels must lie in 0..K-1 = 0..1, but point 2 has label 2"),
    ],
)
def test_complete_log_likelihood_rejects_bad_labels(labels, message):
    mixture = Mixture([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], [np.eye(2), np.eye(2)])
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match=message):
        complete_log_likelihood(X, labels, mixture)


def test_complete_log_likelihood_rejects_points_of_another_dimension():
    mixture = Mixture([1.0], [[0.0, 0.0]], [np.eye(2)])
    with pytest.raises(ValueError, match="points have D = 3 coordinates but the mixture has D = 2"):
        complete_log_likelihood(np.zeros((4, 3)), np.zeros(4, dtype=int), mixture)


# --- interpolate and valid_range -------------------------------------------------------------------


@PROPERTY
@given(seed=seeds, k=n_components, d=st.integers(1, 4))
def test_interpolate_is_the_straight_path_and_valid_on_0_1(seed, k, d):
    rng = np.random.default_rng(seed)
    a, b = random_mixture(rng, k, d), random_mixture(rng, k, d)
    for t, expected in ((0.0, a), (1.0, b)):
        at = interpolate(a, b, t)
        np.testing.assert_array_equal(at.weights, expected.weights)
        np.testing.assert_array_equal(at.means, expected.means)
        np.testing.assert_array_equal(at.covariances, expected.covariances)
    for t in rng.uniform(0, 1, size=5):
        at = interpolate(a, b, t)  # a convex combination: always a valid Mixture
        np.testing.assert_allclose(at.means, (1 - t) * a.means + t * b.means, rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(at.covariances, (1 - t) * a.covariances + t * b.covariances, rtol=1e-14)
        assert at.weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_interpolate_rejects_mismatched_mixtures_and_bad_t():
    a = Mixture([1.0], [[0.0, 0.0]], [np.eye(2)])
    b = Mixture([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], [np.eye(2), np.eye(2)])
    with pytest.raises(ValueError, match=r"same K and D .* \(K, D\) = \(1, 2\) and \(2, 2\)"):
        interpolate(a, b, 0.5)
    with pytest.raises(ValueError, match="t must be a finite number"):
        interpolate(a, a, np.nan)


def test_interpolate_beyond_the_valid_range_says_where_it_is():
    a = Mixture([1.0], [[0.0]], [[[1.0]]])
    b = Mixture([1.0], [[0.0]], [[[0.25]]])  # variance 1 - 0.75 t, singular at t = 4/3
    assert interpolate(a, b, 1.3).covariances[0, 0, 0] == pytest.approx(0.025)
    with pytest.raises(ValueError, match=r"t = 1.4 is not a valid mixture .*t in \[-0.5, 1.33333\]"):
        interpolate(a, b, 1.4)


@pytest.mark.parametrize(("t_min", "t_max"), [(-0.5, 1.5), (-100.0, 100.0), (0.0, 1.0)])
def test_valid_range_of_identical_mixtures_is_everything_asked_for(t_min, t_max):
    a = random_mixture(np.random.default_rng(0), 3, 2)
    assert valid_range(a, a, t_min, t_max) == (t_min, t_max)


def test_valid_range_stops_just_short_of_a_singular_covariance():
    a = Mixture([0.5, 0.5], [[0.0, 0.0], [3.0, 0.0]], [np.eye(2), np.eye(2)])
    b = Mixture([0.5, 0.5], [[0.0, 0.0], [3.0, 0.0]], [np.eye(2), np.diag([0.25, 1.0])])
    lo, hi = valid_range(a, b)  # Σ_1(t) has variance 1 - 0.75 t along x: det is 0 at t = 4/3
    assert lo == -0.5
    assert 4 / 3 - 1e-5 < hi < 4 / 3
    interpolate(a, b, hi)  # valid at the end itself
    assert not is_valid_mixture_at(a, b, 4 / 3 + 1e-9)
    lo, hi = valid_range(b, a, t_min=-2.0, t_max=2.0)  # the same path backwards: 1 - t shrinks it
    assert -1 / 3 < lo < -1 / 3 + 1e-5 and hi == 2.0


def test_valid_range_stops_just_short_of_a_negative_weight():
    means, covs = [[0.0], [4.0]], [[[1.0]], [[1.0]]]
    a = Mixture([0.5, 0.5], means, covs)
    b = Mixture([0.9, 0.1], means, covs)  # π_1(t) = 0.5 - 0.4 t, π_0(t) = 0.5 + 0.4 t
    lo, hi = valid_range(a, b, t_min=-2.0, t_max=2.0)
    assert -1.25 < lo < -1.25 + 1e-5
    assert 1.25 - 1e-5 < hi < 1.25
    assert interpolate(a, b, hi).weights.min() > 0


def test_valid_range_ends_at_0_or_1_where_a_weight_is_zero():
    means, covs = [[0.0], [4.0]], [[[1.0]], [[1.0]]]
    a = Mixture([0.5, 0.5], means, covs)
    b = Mixture([1.0, 0.0], means, covs)
    assert valid_range(a, b) == (-0.5, 1.0)
    assert valid_range(b, a) == (0.0, 1.5)


@PROPERTY
@given(seed=seeds, k=n_components)
def test_valid_range_for_2x2_covariances_is_the_root_of_the_determinant_quadratic(seed, k):
    """det(A + t Δ) = det A + t tr(adj(A) Δ) + t² det Δ for 2x2 matrices, solved with np.roots."""
    rng = np.random.default_rng(seed)
    a, b = random_mixture(rng, k, 2), random_mixture(rng, k, 2)
    b = Mixture(a.weights, b.means, b.covariances)  # only the covariances constrain t
    lo, hi = valid_range(a, b, t_min=-1e3, t_max=1e3)
    roots = []
    for cov_a, cov_b in zip(a.covariances, b.covariances, strict=True):
        delta = cov_b - cov_a
        adj = np.array([[cov_a[1, 1], -cov_a[0, 1]], [-cov_a[1, 0], cov_a[0, 0]]])
        poly = [np.linalg.det(delta), np.trace(adj @ delta), np.linalg.det(cov_a)]
        roots.extend(r.real for r in np.roots(poly) if abs(r.imag) < 1e-9 * max(1, abs(r)))
    roots = np.array(roots)
    root_hi = min([r for r in roots if r > 1 and r < 1e3], default=1e3)
    root_lo = max([r for r in roots if r < 0 and r > -1e3], default=-1e3)
    # valid_range keeps VALID_RANGE_MARGIN · max(1, |root|) = 1e-6 · max(1, |root|) away
    assert root_hi - 2e-6 * max(1, abs(root_hi)) <= hi <= root_hi
    assert root_lo <= lo <= root_lo + 2e-6 * max(1, abs(root_lo))


@PROPERTY
@given(seed=seeds, k=n_components, d=st.integers(1, 4))
def test_valid_range_is_valid_inside_and_tight(seed, k, d):
    rng = np.random.default_rng(seed)
    a, b = random_mixture(rng, k, d), random_mixture(rng, k, d)
    t_min, t_max = -50.0, 50.0
    lo, hi = valid_range(a, b, t_min, t_max)
    assert t_min <= lo <= 0 and 1 <= hi <= t_max
    for t in np.linspace(lo, hi, 30):
        interpolate(a, b, t)
        assert is_valid_mixture_at(a, b, t)
    if hi < t_max:  # something breaks just beyond hi
        assert not is_valid_mixture_at(a, b, hi + 1e-4 * max(1, abs(hi)))
    if lo > t_min:
        assert not is_valid_mixture_at(a, b, lo - 1e-4 * max(1, abs(lo)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"t_min": 0.1}, "t_min must be a finite number <= 0"),
        ({"t_max": 0.9}, "t_max must be a finite number >= 1"),
        ({"t_min": np.nan}, "t_min must be a finite number <= 0"),
        ({"margin": -1.0}, "margin must be a finite number >= 0"),
    ],
)
def test_valid_range_rejects_bad_limits(kwargs, message):
    a = random_mixture(np.random.default_rng(0), 2, 2)
    with pytest.raises(ValueError, match=message):
        valid_range(a, a, **kwargs)


# --- bound_slice -------------------------------------------------------------------------------------


@st.composite
def em_steps(draw, reg_covar: float = 0.0):
    """(X, resp, θ_old, θ_new): a random θ_old, its E-step, and the M-step that follows."""
    seed, k, d = draw(seeds), draw(n_components), draw(n_features)
    X, _, _ = random_problem(seed, k, d, n=draw(st.integers(30, 120)))
    old = old_mixture_near_data(np.random.default_rng(seed + 1), X, k)
    resp, _ = e_step(X, old)
    assume(resp.sum(axis=0).min() >= d + 1)  # enough mass for a full-rank Σ_k with reg_covar = 0
    try:
        new = m_step(X, resp, reg_covar=reg_covar)
    except ValueError:  # a numerically singular Σ_k
        assume(False)
    assume(np.linalg.cond(new.covariances).max() < 1e8)
    return X, resp, old, new


@PROPERTY
@given(step=em_steps())
def test_bound_slice_shows_why_em_works(step):
    """b touches f at θ_old, stays below it, and peaks at θ_new (t = 1) on the whole valid path."""
    X, resp, old, new = step
    lo, hi = valid_range(old, new)
    ts = np.unique(np.concatenate([np.linspace(lo, hi, 25), [0.0, 1.0]]))
    f, b = bound_slice(X, resp, old, new, ts)
    i0, i1 = np.searchsorted(ts, 0.0), np.searchsorted(ts, 1.0)
    tol = 1e-9 * (1 + np.abs(f).max())
    assert abs(b[i0] - f[i0]) <= tol  # touches: b(0) = f(0)
    assert np.all(b <= f + tol)  # a lower bound everywhere
    assert np.all(b <= b[i1] + tol)  # maximal at t = 1, also beyond [0, 1]
    assert f[i1] >= b[i1] - tol and b[i1] >= b[i0] - tol  # f(1) >= b(1) >= b(0) = f(0)


@PROPERTY
@given(step=em_steps())
def test_bound_slice_agrees_with_the_scalar_functions(step):
    X, resp, old, new = step
    ts = np.array([-0.2, 0.0, 0.3, 1.0, 1.1])
    lo, hi = valid_range(old, new)
    ts = ts[(ts >= lo) & (ts <= hi)]
    f, b = bound_slice(X, resp, old, new, ts)
    for t, f_t, b_t in zip(ts, f, b, strict=True):
        mixture = interpolate(old, new, t)
        assert close(f_t, log_likelihood(X, mixture), 1e-12)
        assert close(b_t, lower_bound(X, resp, mixture), 1e-12)


def test_bound_slice_ends_are_the_em_states():
    X, _, true = random_problem(7, 3, 2, n=150)
    states = run_em(X, old_mixture_near_data(np.random.default_rng(8), X, 3))
    init, e, m = next(states), next(states), next(states)
    assert init.phase == "init" and e.phase == "E" and m.phase == "M"
    f, b = bound_slice(X, e.resp, e.mixture, m.mixture, np.array([0.0, 1.0]))
    assert close(f[0], e.log_likelihood, 1e-12) and close(b[0], e.lower_bound, 1e-12)
    assert close(f[1], m.log_likelihood, 1e-12) and close(b[1], m.lower_bound, 1e-12)


def test_bound_slice_with_reg_covar_peaks_just_beyond_t_1():
    """Subtle: the M-step adds reg_covar · I, so θ_new is not exactly argmax L(q, θ).

    One Gaussian, 5 points with variance s ≈ 5.5e-5, θ_old with variance 1 and the right mean:
    along the path the variance is 1 + t (s + ε - 1), which reaches the maximiser s at
    t* = (1 - s) / (1 - s - ε) > 1, and b(t*) - b(1) ≈ N (ε / s)² / 4.
    """
    X = np.random.default_rng(1).normal(scale=1e-2, size=(5, 1))
    s, eps = X.var(), 1e-6
    old = Mixture([1.0], [X.mean(axis=0)], [[[1.0]]])
    resp, _ = e_step(X, old)
    new = m_step(X, resp, reg_covar=eps)
    t_star = (1 - s) / (1 - s - eps)
    _, b = bound_slice(X, resp, old, new, np.array([1.0, t_star]))
    assert b[1] - b[0] == pytest.approx(5 * (eps / s) ** 2 / 4, rel=0.1)
    assert b[1] > b[0]


def test_bound_maximal_at_1_needs_theta_old_in_the_m_steps_family():
    """A diag M-step maximises L(q, θ) over diagonal covariances only. From a θ_old with a full
    covariance (as initialize's spread covariance is, whatever the covariance type) the path
    leaves that family, and here b(1) < b(0) = f(0) and even f(1) < f(0)."""
    rng = np.random.default_rng(1)
    X = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.9], [0.9, 1.0]], size=300)
    old = Mixture([1.0], [X.mean(axis=0)], [np.cov(X, rowvar=False, bias=True)])  # the full MLE
    resp, _ = e_step(X, old)
    new = m_step(X, resp, covariance_type="diag", reg_covar=0.0)
    f, b = bound_slice(X, resp, old, new, np.array([0.0, 1.0]))
    assert b[1] < b[0] - 100 and f[1] < f[0] - 100


def test_bound_need_not_be_concave_along_the_path():
    """b(t) = Σ_n [-½ ln v(t) - (x_n - μ)² / (2 v(t))] with v(t) linear is convex where v > 2s."""
    X = np.random.default_rng(2).normal(size=(400, 1))
    X = (X - X.mean()) / X.std()  # s = 1
    old = Mixture([1.0], [[0.0]], [[[10.0]]])
    resp, _ = e_step(X, old)
    new = m_step(X, resp, reg_covar=0.0)
    ts = np.linspace(0.0, 1.0, 11)
    _, b = bound_slice(X, resp, old, new, ts)
    second = np.diff(b, 2)
    assert np.all(second[:6] > 0)  # v(t) = 10 - 9t > 2 for t < 8/9: convex there
    assert second[-1] < 0
    assert np.argmax(b) == len(ts) - 1  # and still maximal at t = 1


def test_bound_slice_of_no_ts_is_empty():
    X, _, true = random_problem(0, 2, 2, n=20)
    resp, _ = e_step(X, true)
    f, b = bound_slice(X, resp, true, true, np.array([]))
    assert f.shape == b.shape == (0,)


def test_bound_slice_rejects_bad_input():
    X = np.random.default_rng(3).normal(size=(20, 1))
    old = Mixture([0.5, 0.5], [[-1.0], [1.0]], [[[1.0]], [[1.0]]])
    new = Mixture([0.5, 0.5], [[-1.0], [1.0]], [[[1.0]], [[0.25]]])  # singular at t = 4/3
    resp, _ = e_step(X, old)
    with pytest.raises(ValueError, match=r"t = 1.4 lies outside the valid range \[-0.5, 1.33333\]"):
        bound_slice(X, resp, old, new, np.array([0.0, 1.4]))
    with pytest.raises(ValueError, match="ts must be a 1-D array"):
        bound_slice(X, resp, old, new, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="ts must be finite"):
        bound_slice(X, resp, old, new, np.array([0.0, np.inf]))
    with pytest.raises(ValueError, match=r"resp must have shape \(N, K\) = \(20, 2\)"):
        bound_slice(X, resp[:, :1], old, new, np.array([0.0]))
    with pytest.raises(ValueError, match="row 0 sums to 0.5"):
        bound_slice(X, resp * 0.5, old, new, np.array([0.0]))
    with pytest.raises(ValueError, match="same K and D"):
        bound_slice(X, resp, old, Mixture([1.0], [[0.0]], [[[1.0]]]), np.array([0.0]))


# --- kmeans_mixture -----------------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
def test_kmeans_mixture_is_the_oracle_fit_of_the_clusters(covariance_type):
    X, labels, _ = random_problem(4, 3, 2, n=90)
    mixture = kmeans_mixture(X, labels, 3, covariance_type)
    oracle = fit_labelled(X, labels, 3, covariance_type)
    counts = np.bincount(labels, minlength=3)
    np.testing.assert_allclose(mixture.weights, counts / 90, rtol=1e-15)  # π_k = N_k / N
    for k in range(3):
        np.testing.assert_allclose(mixture.means[k], X[labels == k].mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mixture.covariances, oracle.covariances, rtol=1e-12)
    if covariance_type == "full":
        for k in range(3):
            cov = np.cov(X[labels == k], rowvar=False, bias=True) + 1e-6 * np.eye(2)
            np.testing.assert_allclose(mixture.covariances[k], cov, rtol=1e-10)


def test_kmeans_mixture_of_the_final_kmeans_state():
    X, _, _ = random_problem(5, 3, 2, n=120)
    *_, last = run_kmeans(X, X[:3])
    mixture = kmeans_mixture(X, last.labels, 3)
    np.testing.assert_allclose(mixture.means, last.centers, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("covariance_type", "in_family"),
    [
        ("full", lambda c: c),
        ("diag", lambda c: np.diag(np.diag(c))),
        ("spherical", lambda c: np.trace(c) / 2 * np.eye(2)),
    ],
)
def test_kmeans_mixture_gives_lone_points_the_spread_covariance(covariance_type, in_family):
    rng = np.random.default_rng(6)
    X = np.vstack([rng.normal(size=(20, 2)), [[9.0, 9.0]], [[-9.0, 5.0]] * 3])
    labels = np.array([0] * 20 + [1] + [2] * 3)  # one point, and three copies of one point
    mixture = kmeans_mixture(X, labels, 3, covariance_type)
    spread = in_family(spread_covariance(X, 3, 1e-6))
    np.testing.assert_allclose(mixture.covariances[1], spread, rtol=1e-12)
    np.testing.assert_allclose(mixture.covariances[2], spread, rtol=1e-12)
    np.testing.assert_allclose(mixture.means[1:], [[9.0, 9.0], [-9.0, 5.0]])
    np.testing.assert_allclose(mixture.weights, [20 / 24, 1 / 24, 3 / 24])
    fitted = fit_labelled(X, labels, 3, covariance_type)
    np.testing.assert_allclose(mixture.covariances[0], fitted.covariances[0], rtol=1e-12)


def test_kmeans_mixture_keeps_the_pooled_tied_covariance_unless_every_cluster_is_a_lone_point():
    rng = np.random.default_rng(7)
    X = np.vstack([rng.normal(size=(20, 2)), [[9.0, 9.0]]])
    labels = np.array([0] * 20 + [1])
    mixture = kmeans_mixture(X, labels, 2, "tied")
    np.testing.assert_allclose(mixture.covariances, fit_labelled(X, labels, 2, "tied").covariances)
    lone = kmeans_mixture(X[19:], np.array([0, 1]), 2, "tied")
    np.testing.assert_allclose(lone.covariances, [spread_covariance(X[19:], 2, 1e-6)] * 2, rtol=1e-12)


def test_kmeans_mixture_names_empty_clusters_or_drops_them_when_allowed():
    X, labels, _ = random_problem(8, 2, 2, n=40)
    labels = np.where(labels == 1, 2, 0)  # clusters 0 and 2 of 4; 1 and 3 are empty
    with pytest.raises(ValueError, match=r"cluster\(s\) \[1, 3\] have no points.*drop_empty=True"):
        kmeans_mixture(X, labels, 4)
    mixture = kmeans_mixture(X, labels, 4, drop_empty=True)
    assert mixture.n_components == 2
    np.testing.assert_allclose(mixture.means[1], X[labels == 2].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(mixture.weights, [np.mean(labels == 0), np.mean(labels == 2)])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.zeros(5, dtype=int), 0), "k must be a whole number of clusters >= 1, got 0"),
        ((np.zeros(5, dtype=int), 2.0), "k must be a whole number of clusters >= 1, got 2.0"),
        ((np.array([0, 1, 2, 0, 1]), 2), "labels must lie in 0..K-1 = 0..1, but point 2 has label 2"),
        ((np.zeros(4, dtype=int), 1), r"labels must have shape \(N,\) = \(5,\)"),
        ((np.zeros(5, dtype=int), 1, "banded"), "covariance_type must be one of"),
    ],
)
def test_kmeans_mixture_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        kmeans_mixture(np.arange(10.0).reshape(5, 2), *args)


# --- responsibility_breakdown and nearest_index ---------------------------------------------------


@PROPERTY
@given(seed=seeds, k=n_components, d=n_features)
def test_responsibility_breakdown_matches_loop_reference(seed, k, d):
    X, _, mixture = random_problem(seed, k, d, n=5)
    for x in X:
        weighted, resp = naive_resp(x, mixture)
        parts = responsibility_breakdown(x, mixture)
        np.testing.assert_allclose(parts.weighted, weighted, rtol=1e-10, atol=1e-300)
        np.testing.assert_allclose(parts.resp, resp, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(parts.log_weighted, np.log(mixture.weights) + parts.log_density)
        for j in range(k):
            expected = naive_log_gaussian(x, mixture.means[j], mixture.covariances[j])
            assert parts.log_density[j] == pytest.approx(expected, rel=1e-10, abs=1e-10)
        assert parts.log_normaliser == pytest.approx(np.log(weighted.sum()), rel=1e-10, abs=1e-10)
        assert parts.resp.sum() == pytest.approx(1.0, abs=1e-14)


def test_responsibility_breakdown_is_a_row_of_the_e_step():
    X, _, mixture = random_problem(9, 3, 2, n=30)
    resp, log_lik = e_step(X, mixture)
    parts = [responsibility_breakdown(x, mixture) for x in X]
    np.testing.assert_allclose([p.resp for p in parts], resp, rtol=1e-12, atol=1e-15)
    assert sum(p.log_normaliser for p in parts) == pytest.approx(log_lik, rel=1e-12)


def test_a_far_point_gets_finite_responsibilities_summing_to_1():
    mixture = Mixture([0.3, 0.7], [[0.0, 0.0], [2.0, 0.0]], [np.diag([1.0, 4.0]), np.eye(2)])
    x = np.array([0.0, 1e3 * 2.0])  # 1e3 standard deviations of component 0 away
    parts = responsibility_breakdown(x, mixture)
    assert np.all(parts.weighted == 0)  # π_k N(x | θ_k) underflows ...
    assert np.all(np.isfinite(parts.log_weighted)) and np.isfinite(parts.log_normaliser)
    assert np.all(np.isfinite(parts.resp)) and parts.resp.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(parts.resp, [1.0, 0.0], atol=1e-300)  # ... the wider one owns it
    assert parts.log_weighted[0] == pytest.approx(np.log(0.3) - np.log(2 * np.pi * 2) - 0.5 * 1e6)


def test_responsibility_breakdown_with_a_zero_weight_component():
    mixture = Mixture([1.0, 0.0], [[0.0], [0.0]], [[[1.0]], [[1.0]]])
    parts = responsibility_breakdown(np.array([0.5]), mixture)
    assert parts.log_weighted[1] == -np.inf and parts.weighted[1] == 0
    np.testing.assert_array_equal(parts.resp, [1.0, 0.0])


def test_breakdown_is_immutable():
    parts = responsibility_breakdown(np.zeros(2), random_mixture(np.random.default_rng(0), 2, 2))
    assert isinstance(parts, Breakdown)
    with pytest.raises(ValueError, match="read-only"):
        parts.resp[0] = 0.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        parts.log_normaliser = 0.0


def test_responsibility_breakdown_rejects_bad_points():
    mixture = random_mixture(np.random.default_rng(0), 2, 2)
    with pytest.raises(ValueError, match=r"x must be one point of shape \(D,\) = \(2,\); got shape \(1, 2\)"):
        responsibility_breakdown(np.zeros((1, 2)), mixture)
    with pytest.raises(ValueError, match=r"x must be one point of shape \(D,\) = \(2,\); got shape \(3,\)"):
        responsibility_breakdown(np.zeros(3), mixture)
    with pytest.raises(ValueError, match="x contains NaN or infinity"):
        responsibility_breakdown(np.array([0.0, np.nan]), mixture)


@PROPERTY
@given(seed=seeds, d=n_features)
def test_nearest_index_is_the_brute_force_nearest(seed, d):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(25, d))
    x = rng.normal(size=d)
    distances = [np.linalg.norm(p - x) for p in X]
    n = nearest_index(X, x)
    assert n == int(np.argmin(distances))
    assert nearest_index(X, x, max_distance=distances[n] * 1.001) == n
    assert nearest_index(X, x, max_distance=distances[n] * 0.999) is None


def test_nearest_index_ties_and_limits():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    assert nearest_index(X, np.zeros(2)) == 0  # three at distance 1: the lowest index
    assert nearest_index(X, np.zeros(2), max_distance=1.0) == 0  # at the limit counts
    assert nearest_index(X, np.array([0.0, 1.0]), max_distance=0.0) == 1
    assert nearest_index(X, np.array([0.0, 1.1]), max_distance=0.0) is None
    with pytest.raises(ValueError, match="max_distance must be >= 0 or None"):
        nearest_index(X, np.zeros(2), max_distance=-1.0)
    with pytest.raises(ValueError, match=r"x must be one point of shape \(D,\) = \(2,\)"):
        nearest_index(X, np.zeros(3))


# --- decomposition ---------------------------------------------------------------------------------------


@PROPERTY
@given(seed=seeds, k=n_components, d=n_features)
def test_decomposition_identities_for_any_q(seed, k, d):
    """ln p = L + KL and L = Q + H for an arbitrary q, each term computed on its own."""
    X, _, true = random_problem(seed, k, d, n=50)
    rng = np.random.default_rng(seed + 2)
    resp = rng.dirichlet(np.full(k, 0.5), size=X.shape[0])
    mixture = random_mixture(rng, k, d)
    parts = decomposition(X, resp, mixture)
    scale = 1 + abs(parts.log_likelihood) + abs(parts.q_term)
    assert abs(parts.log_likelihood - (parts.lower_bound + parts.kl)) <= 1e-10 * scale
    assert parts.lower_bound == parts.q_term + parts.entropy
    assert parts.kl >= -1e-10 * scale and parts.entropy >= 0
    assert parts.gap == pytest.approx(parts.kl, rel=1e-8, abs=1e-10 * scale)
    assert parts.kl == kl_divergence(X, resp, mixture)
    assert close(parts.q_term, expected_complete_log_likelihood(X, resp, mixture), 1e-12)
    assert close(parts.lower_bound, lower_bound(X, resp, mixture), 1e-12)
    assert close(parts.log_likelihood, log_likelihood(X, mixture), 1e-12)


def test_decomposition_of_every_em_state():
    X, _, _ = random_problem(10, 3, 2, n=200)
    states = list(run_em(X, old_mixture_near_data(np.random.default_rng(11), X, 3), max_iter=8))
    assert [s.phase for s in states[:3]] == ["init", "E", "M"]
    for state in states[1:]:
        parts = decomposition(X, state.resp, state.mixture)
        assert close(parts.log_likelihood, state.log_likelihood, 1e-12)
        assert close(parts.lower_bound, state.lower_bound, 1e-12)
        assert parts.kl == pytest.approx(state.gap, abs=1e-8 * abs(state.log_likelihood))
        if state.phase == "E":  # q is the posterior: the bound touches
            assert abs(parts.kl) <= 1e-10 * abs(parts.log_likelihood)


def test_decomposition_rejects_a_q_that_is_not_a_distribution():
    X, _, true = random_problem(12, 2, 2, n=10)
    resp, _ = e_step(X, true)
    with pytest.raises(ValueError, match=r"each row of resp must sum to 1 .* row 3 sums to 1.5"):
        decomposition(X, resp + np.eye(10, 2, -3) * 0.5, true)
    with pytest.raises(ValueError, match=r"resp must hold probabilities in \[0, 1\]"):
        decomposition(X, -resp, true)
    with pytest.raises(dataclasses.FrozenInstanceError):
        decomposition(X, resp, true).kl = 0.0
