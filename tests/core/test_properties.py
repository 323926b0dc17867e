"""The EM identities and inequalities, over random data, starts and settings (hypothesis).

ln p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ)),   L(q, θ) = Q(θ, θ_old) + H(q),   KL >= 0,

so L = ln p right after an E-step, L <= ln p after an M-step, and (exact EM) ln p never falls.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emviz.core import (
    COVARIANCE_TYPES,
    INIT_METHODS,
    continue_em,
    e_step,
    expected_complete_log_likelihood,
    generate,
    initialize,
    kl_divergence,
    log_likelihood,
    lower_bound,
    run_em,
)

from .helpers import assert_finite_state, naive_weighted_log_prob, vector_log_prob

PROPERTY = settings(max_examples=20, deadline=None)


@st.composite
def em_problems(draw, reg_covars=(1e-6, 1e-3, 1e-2)):
    """(X, θ₀, covariance_type, reg_covar): generated 2-D or 3-D data and an initialize() start."""
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(12, 150))
    dataset = generate(
        draw(st.integers(1, 4)), n, separation=draw(st.floats(0.5, 4.0)), seed=seed % 2**31
    )
    rng = np.random.default_rng(seed)
    X = dataset.X
    if draw(st.booleans()):  # a third coordinate, for the general (non-2x2) path
        X = np.c_[X, 0.5 * X[:, 0] + rng.standard_normal(n)]
    k = draw(st.integers(1, 4))
    covariance_type = draw(st.sampled_from(COVARIANCE_TYPES))
    reg_covar = draw(st.sampled_from(reg_covars))
    method = draw(st.sampled_from(INIT_METHODS))
    start = initialize(X, k, method, rng, covariance_type, max(reg_covar, 1e-6))
    return X, start, covariance_type, reg_covar


def scale_of(X, resp, theta) -> float:
    """Σ_nk |r_nk ln π_k N_k(x_n)| + H(q) + 1: the size of the sums that make up L (and ln p),
    the scale for rounding tolerances."""
    with np.errstate(invalid="ignore"):
        terms = np.where(resp > 0, resp * vector_log_prob(X, theta), 0.0)
    return float(np.abs(terms).sum()) + entropy(resp) + 1.0


def entropy(resp: np.ndarray) -> float:
    """H(q) = -Σ r ln r with 0 ln 0 = 0, computed here independently of emviz."""
    r = np.asarray(resp)
    return float(-np.sum(r[r > 0] * np.log(r[r > 0])))


@PROPERTY
@given(em_problems())
def test_bound_touches_after_e_step_and_stays_below_after_m_step(problem):
    X, start, covariance_type, reg_covar = problem
    states = list(run_em(X, start, covariance_type, reg_covar, tol=0, max_iter=25))
    assert [s.phase for s in states[:3]] == ["init", "E", "M"][: len(states)]
    for state in states:
        assert_finite_state(state)
        if state.phase == "init":
            continue
        tol = 1e-9 * scale_of(X, state.resp, state.mixture)
        if state.phase == "E":
            assert state.lower_bound == pytest.approx(state.log_likelihood, rel=1e-9, abs=tol)
            assert state.gap == pytest.approx(0.0, abs=tol)
        else:
            assert state.lower_bound <= state.log_likelihood + tol
            assert state.gap >= -tol


def collapse_floor(X: np.ndarray) -> float:
    """An eigenvalue of Σ_k below this is a collapse onto a point or a line (see below)."""
    return 1e-5 * np.trace(np.cov(X, rowvar=False)) / X.shape[1]


@settings(max_examples=30, deadline=None)
@given(em_problems(reg_covars=(0.0,)))
def test_log_likelihood_never_decreases_in_exact_em(problem):
    """The EM theorem, for the exact algorithm (reg_covar = 0), one iteration at a time.

    Two deliberate limits: (1) reg_covar > 0 is not exact EM, and ln p *can* fall (see
    test_regularised_em_can_lower_the_likelihood); (2) the theorem holds in exact arithmetic:
    once a component collapses (an eigenvalue of Σ_k a millionth of the data's variance, on the
    way to ln p = +∞), rounding in the collapsed Σ_k decides the sign of the next step, so the
    check stops there. A collapse all the way to a singular Σ_k raises ValueError by design.
    """
    X, start, covariance_type, _ = problem
    floor = collapse_floor(X)
    previous = None
    try:
        for state in run_em(X, start, covariance_type, 0.0, tol=0, max_iter=40):
            if np.linalg.eigvalsh(state.mixture.covariances).min() < floor:
                break
            if previous is not None:
                slack = 1e-9 * abs(previous)
                assert state.log_likelihood >= previous - slack, (state.phase, state.iteration)
            previous = state.log_likelihood
    except ValueError as error:
        assert "not positive definite" in str(error)


def test_regularised_em_can_lower_the_likelihood():
    """Why the monotonicity check above uses reg_covar = 0: Σ_k = S_k + reg_covar · I is not the
    maximiser of Q, so from the unregularised optimum one regularised step must lower ln p
    (scikit-learn behaves identically). This pins the behaviour rather than hiding it."""
    X = generate(2, 200, separation=3.0, seed=1).X
    start = initialize(X, 2, "kmeans", np.random.default_rng(0), "full")
    exact = [s for s in run_em(X, start, "full", 0.0, tol=1e-12, max_iter=500)][-1]
    assert exact.converged
    optimum = exact.log_likelihood
    step = [s for s in run_em(X, exact.mixture, "full", 1e-2, tol=0, max_iter=1)]
    assert step[-1].phase == "M"
    assert step[-1].log_likelihood < optimum - 1e-3
    assert log_likelihood(X, exact.mixture) == pytest.approx(optimum, rel=1e-12)


@PROPERTY
@given(em_problems())
def test_lower_bound_by_definition_equals_iterator_and_log_likelihood(problem):
    X, start, covariance_type, reg_covar = problem
    states = list(run_em(X, start, covariance_type, reg_covar, tol=0, max_iter=6))
    for state in states[1:]:
        resp, theta = state.resp, state.mixture
        wlp = naive_weighted_log_prob(X, theta) if X.shape[0] <= 40 else None
        bound = lower_bound(X, resp, theta)
        tol = 1e-9 * scale_of(X, resp, theta)
        assert bound == pytest.approx(state.lower_bound, rel=1e-9, abs=tol)
        if wlp is not None:  # L(q, θ) = Σ r (ln π N - ln r), the definition, from scratch
            by_definition = float(np.sum(resp * wlp)) + entropy(resp)
            assert bound == pytest.approx(by_definition, rel=1e-9, abs=tol)
        assert state.log_likelihood == pytest.approx(
            log_likelihood(X, theta), rel=1e-12, abs=1e-9
        )
        if state.phase == "E":
            fresh, ll = e_step(X, theta)
            np.testing.assert_allclose(resp, fresh, rtol=1e-12, atol=1e-15)
            assert bound == pytest.approx(ll, rel=1e-9, abs=tol)


@PROPERTY
@given(em_problems(), st.integers(0, 2**32 - 1))
def test_log_likelihood_is_bound_plus_kl_and_bound_is_q_plus_entropy(problem, seed):
    X, start, covariance_type, reg_covar = problem
    states = list(run_em(X, start, covariance_type, reg_covar, tol=0, max_iter=4))
    rng = np.random.default_rng(seed)
    k = start.n_components
    random_q = rng.dirichlet(np.full(k, 0.5), size=X.shape[0])
    # (q stale against θ) for the M states, (q = posterior) for the E states, and any q at all
    cases = [(s.resp, s.mixture) for s in states[1:]] + [(random_q, states[-1].mixture)]
    for resp, theta in cases:
        ll = log_likelihood(X, theta)
        bound = lower_bound(X, resp, theta)
        kl = kl_divergence(X, resp, theta)
        q_value = expected_complete_log_likelihood(X, resp, theta)
        tol = 1e-9 * scale_of(X, resp, theta)
        assert kl >= -tol
        assert ll == pytest.approx(bound + kl, rel=1e-9, abs=tol)
        assert bound == pytest.approx(q_value + entropy(resp), rel=1e-9, abs=tol)
    if k > 1:  # a random q is not the posterior: a strictly positive gap
        assert kl_divergence(X, random_q, states[-1].mixture) > 0


@PROPERTY
@given(em_problems())
def test_responsibilities_are_distributions(problem):
    X, start, covariance_type, reg_covar = problem
    for theta in (start, *[s.mixture for s in run_em(X, start, covariance_type, reg_covar,
                                                     tol=0, max_iter=3)]):
        for points in (X, X * 1e3):  # also far outside the data
            resp, ll = e_step(points, theta)
            assert resp.shape == (points.shape[0], theta.n_components)
            assert np.all((resp >= 0) & (resp <= 1))
            np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)
            assert math.isfinite(ll)


@PROPERTY
@given(em_problems(), st.integers(0, 30))
def test_continue_em_from_any_state_reproduces_the_run(problem, where):
    """Scrubbing back and resuming gives the same later half-steps as the original run."""
    X, start, covariance_type, reg_covar = problem
    kwargs = dict(covariance_type=covariance_type, reg_covar=reg_covar, tol=1e-4, max_iter=12)
    states = list(run_em(X, start, **kwargs))
    i = min(where, len(states) - 1)
    resumed = list(continue_em(X, states[i], **kwargs))
    assert len(resumed) == len(states) - i - 1
    for a, b in zip(states[i + 1 :], resumed, strict=True):
        assert (a.phase, a.iteration, a.converged, a.degenerate) == (
            b.phase,
            b.iteration,
            b.converged,
            b.degenerate,
        )
        np.testing.assert_allclose(b.mixture.covariances, a.mixture.covariances, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(b.mixture.means, a.mixture.means, rtol=1e-9, atol=1e-12)
        assert b.log_likelihood == pytest.approx(a.log_likelihood, rel=1e-9)
        assert b.lower_bound == pytest.approx(a.lower_bound, rel=1e-9, abs=1e-9 * X.shape[0])
        np.testing.assert_allclose(b.resp, a.resp, rtol=1e-9, atol=1e-12)


@PROPERTY
@given(em_problems(), st.sampled_from([1e-2, 1e-3, 1e-5]))
def test_run_stops_at_the_first_m_step_below_tol(problem, tol):
    X, start, covariance_type, reg_covar = problem
    n = X.shape[0]
    states = list(run_em(X, start, covariance_type, reg_covar, tol=tol, max_iter=60))
    m_states = [s for s in states if s.phase == "M"]
    assert states[-1] is m_states[-1]
    assert [s.phase for s in states] == ["init"] + ["E", "M"] * len(m_states)
    previous = states[0].log_likelihood
    for state in m_states:
        below = abs(state.log_likelihood - previous) / n < tol
        assert state.converged == below
        previous = state.log_likelihood
    assert m_states[-1].converged or m_states[-1].iteration == 60
    assert not any(s.converged for s in m_states[:-1])
