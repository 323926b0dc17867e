"""θ set by hand with q held: ln p(X | θ), L(q, θ) and KL against scikit-learn and slow
loops; the mean, axis and weight edits; EM going on from a "hand" state."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from emviz.core import (
    Mixture,
    axis_handles,
    continue_em,
    evaluate_held,
    hand_state,
    held_q,
    principal_axes,
    run_em,
    with_axis,
    with_mean,
    with_weight,
)

from .helpers import faithful, generated_2d


def slow_terms(X: np.ndarray, q: np.ndarray, mixture: Mixture) -> tuple[float, float, float]:
    """ln p, L and KL by loops over n and k, the densities from the textbook formula."""
    n, k = q.shape
    ll = bound = kl = 0.0
    for i in range(n):
        joint = []
        for j in range(k):
            diff = X[i] - mixture.means[j]
            cov = mixture.covariances[j]
            density = math.exp(-0.5 * diff @ np.linalg.solve(cov, diff)) / (
                2 * math.pi * math.sqrt(np.linalg.det(cov)))
            joint.append(mixture.weights[j] * density)
        total = sum(joint)
        ll += math.log(total)
        for j in range(k):
            if q[i, j] > 0:
                bound += q[i, j] * (math.log(joint[j]) - math.log(q[i, j]))
                kl += q[i, j] * math.log(q[i, j] / (joint[j] / total))
    return ll, bound, kl


def sklearn_log_likelihood(X: np.ndarray, mixture: Mixture) -> float:
    gm = GaussianMixture(mixture.n_components, covariance_type="full")
    gm.weights_, gm.means_, gm.covariances_ = mixture.weights, mixture.means, mixture.covariances
    gm.precisions_cholesky_ = np.linalg.cholesky(np.linalg.inv(mixture.covariances))
    return float(gm.score_samples(X).sum())


def states_after_first_m(X: np.ndarray, k: int = 2):
    run = run_em(X, Mixture(np.full(k, 1 / k), X[:k] + 0.1, np.array([np.eye(2)] * k)))
    return next(run), next(run), next(run)  # init, E, M


def test_held_evaluation_matches_sklearn_and_slow_loops():
    X = faithful()
    _, e_state, m_state = states_after_first_m(X)
    dragged = with_mean(m_state.mixture, 0, m_state.mixture.means[0] + [0.8, -0.5])
    result = evaluate_held(X, e_state.resp, dragged)
    ll, bound, kl = slow_terms(X, e_state.resp, dragged)
    assert result.log_likelihood == pytest.approx(sklearn_log_likelihood(X, dragged), rel=1e-10)
    assert result.log_likelihood == pytest.approx(ll, rel=1e-10)
    assert result.lower_bound == pytest.approx(bound, rel=1e-10)
    assert result.kl == pytest.approx(kl, rel=1e-8)
    assert result.kl > 1.0  # the drag pulled the bound away from ln p
    assert result.log_likelihood - result.lower_bound == pytest.approx(result.kl, rel=1e-8)
    np.testing.assert_allclose(result.posterior, _sklearn_posterior(X, dragged), atol=1e-12)


def _sklearn_posterior(X: np.ndarray, mixture: Mixture) -> np.ndarray:
    gm = GaussianMixture(mixture.n_components, covariance_type="full")
    gm.weights_, gm.means_, gm.covariances_ = mixture.weights, mixture.means, mixture.covariances
    gm.precisions_cholesky_ = np.linalg.cholesky(np.linalg.inv(mixture.covariances))
    return gm.predict_proba(X)


def test_at_the_e_steps_theta_the_bound_touches():
    X = generated_2d()
    _, e_state, m_state = states_after_first_m(X, 3)
    touching = evaluate_held(X, e_state.resp, e_state.mixture)
    assert touching.kl == pytest.approx(0.0, abs=1e-8)
    assert touching.lower_bound == pytest.approx(touching.log_likelihood, abs=1e-8)
    at_m = evaluate_held(X, m_state.resp, m_state.mixture)  # the M-state keeps q
    assert at_m.lower_bound == pytest.approx(m_state.lower_bound, rel=1e-10)
    assert at_m.log_likelihood == pytest.approx(m_state.log_likelihood, rel=1e-10)


def test_without_q_only_ln_p_is_defined():
    X = faithful()
    init, _, _ = states_after_first_m(X)
    assert held_q(init) is None
    result = evaluate_held(X, None, init.mixture)
    assert math.isnan(result.lower_bound) and math.isnan(result.kl)
    assert result.log_likelihood == pytest.approx(init.log_likelihood, rel=1e-12)


def test_em_goes_on_from_a_hand_state_and_its_e_step_closes_the_gap():
    X = faithful()
    _, _, m_state = states_after_first_m(X)
    dragged = with_mean(m_state.mixture, 1, [0.0, 0.0])
    hand = hand_state(m_state, evaluate_held(X, held_q(m_state), dragged))
    assert hand.phase == "hand" and hand.iteration == m_state.iteration
    assert hand.resp is m_state.resp and hand.gap > 0
    np.testing.assert_allclose(hand.colours, evaluate_held(X, None, dragged).posterior)
    steps = continue_em(X, hand)
    e_state = next(steps)
    assert e_state.phase == "E" and e_state.iteration == hand.iteration + 1
    assert e_state.mixture is hand.mixture or np.array_equal(e_state.mixture.means, dragged.means)
    assert e_state.gap == pytest.approx(0.0, abs=1e-8)
    np.testing.assert_allclose(e_state.resp, hand.posterior, atol=1e-12)
    m_next = next(steps)
    assert m_next.phase == "M" and m_next.log_likelihood >= e_state.log_likelihood - 1e-9


def test_axis_handle_stretches_and_turns_sigma():
    mixture = Mixture([0.5, 0.5], [[0.0, 0.0], [3.0, 1.0]], [np.diag([4.0, 1.0]), np.eye(2)])
    handles = axis_handles(mixture, 0)
    np.testing.assert_allclose(np.abs(handles), [[2.0, 0.0], [0.0, 1.0]], atol=1e-12)
    turned = with_axis(mixture, 0, 0, [0.0, 3.0])  # major axis dragged up, to length 3
    lengths, directions = principal_axes(turned.covariances[0])
    np.testing.assert_allclose(lengths, [3.0, 1.0])
    np.testing.assert_allclose(np.abs(directions[:, 0]), [0.0, 1.0], atol=1e-12)
    np.testing.assert_array_equal(turned.covariances[1], mixture.covariances[1])
    tilted = with_axis(mixture, 0, 1, [1.0, 1.0])  # minor axis to 45°, length √2
    assert tilted.covariances[0] @ np.array([1.0, 1.0]) == pytest.approx(np.array([2.0, 2.0]))


def test_axis_handle_keeps_sigma_positive_definite_above_reg_covar():
    mixture = Mixture([1.0], [[1.0, 1.0]], [np.eye(2)])
    squashed = with_axis(mixture, 0, 1, [1.0, 1.0], reg_covar=0.01)  # onto the mean
    variances = np.linalg.eigvalsh(squashed.covariances[0])
    assert variances.min() >= 0.01 * (1 - 1e-9)
    zero_reg = with_axis(mixture, 0, 0, [1.0, 1.0], reg_covar=0.0)
    assert np.linalg.eigvalsh(zero_reg.covariances[0]).min() > 0
    with pytest.raises(ValueError, match="finite"):
        with_axis(mixture, 0, 0, [np.nan, 0.0])


def test_weight_renormalises_the_others_proportionally():
    mixture = Mixture([0.5, 0.3, 0.2], np.zeros((3, 2)), np.array([np.eye(2)] * 3))
    changed = with_weight(mixture, 0, 0.75)
    np.testing.assert_allclose(changed.weights, [0.75, 0.15, 0.1])
    assert changed.weights.sum() == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("bad, message", [(0.0, "strictly between 0 and 1"),
                                          (1.0, "strictly between 0 and 1"),
                                          (-0.2, "strictly between"), (float("nan"), "between"),
                                          ("abc", "must be a number")])
def test_bad_weights_are_refused_by_name(bad, message):
    mixture = Mixture([0.5, 0.5], np.zeros((2, 2)), np.array([np.eye(2)] * 2))
    with pytest.raises(ValueError, match=message):
        with_weight(mixture, 1, bad)
    with pytest.raises(ValueError, match="cannot change"):
        with_weight(Mixture([1.0], [[0.0, 0.0]], [np.eye(2)]), 0, 0.5)


def test_bad_means_and_components_are_refused():
    mixture = Mixture([1.0], [[0.0, 0.0]], [np.eye(2)])
    with pytest.raises(ValueError, match="finite"):
        with_mean(mixture, 0, [np.inf, 0.0])
    with pytest.raises(ValueError, match="component k"):
        with_mean(mixture, 3, [0.0, 0.0])
