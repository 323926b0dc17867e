"""Mixture's validation (which component, and why), immutability, and check_points."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.core import EMState, Mixture, check_points, run_em

EYE = np.eye(2)
MEANS = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
COVS = np.array([EYE, 2 * EYE, 0.5 * EYE])
WEIGHTS = np.array([0.2, 0.3, 0.5])


def test_a_valid_mixture_keeps_its_values_and_reports_k_and_d():
    theta = Mixture(WEIGHTS.tolist(), MEANS.tolist(), COVS.tolist())
    assert (theta.n_components, theta.n_features) == (3, 2)
    np.testing.assert_array_equal(theta.weights, WEIGHTS)
    np.testing.assert_array_equal(theta.means, MEANS)
    np.testing.assert_array_equal(theta.covariances, COVS)
    assert theta.weights.dtype == theta.means.dtype == theta.covariances.dtype == np.float64
    chol = theta.cholesky()
    np.testing.assert_allclose(chol @ chol.transpose(0, 2, 1), COVS, rtol=1e-15)
    assert np.all(np.triu(chol[0], 1) == 0)


def test_mixture_copies_its_inputs_and_is_read_only():
    weights, means, covs = WEIGHTS.copy(), MEANS.copy(), COVS.copy()
    theta = Mixture(weights, means, covs)
    weights[0], means[0, 0], covs[0, 0, 0] = 9.0, 9.0, 9.0
    assert theta.weights[0] == 0.2 and theta.means[0, 0] == 0.0 and theta.covariances[0, 0, 0] == 1.0
    for a in (theta.weights, theta.means, theta.covariances):
        with pytest.raises(ValueError, match="read-only"):
            a[0] = 1.0
    with pytest.raises(AttributeError):
        theta.weights = WEIGHTS  # type: ignore[misc]


def test_weights_within_the_tolerance_of_the_simplex_are_accepted():
    Mixture([0.5, 0.5 - 5e-7], MEANS[:2], COVS[:2])


SHAPE = r"covariances must have shape \(K, D, D\) = \(3, 2, 2\), got shape"


@pytest.mark.parametrize(
    ("weights", "means", "covs", "message"),
    [
        pytest.param(np.ones((3, 1)) / 3, MEANS, COVS, r"weights must have shape \(K,\)", id="2-d weights"),
        pytest.param(np.array([]), MEANS[:0], COVS[:0], r"with K >= 1, got shape \(0,\)", id="no components"),
        pytest.param(
            WEIGHTS, MEANS[:2], COVS, r"means must have shape \(K, D\) = \(3, D\), got shape \(2, 2\)",
            id="too few means",
        ),
        pytest.param(WEIGHTS, MEANS[:, 0], COVS, r"means must have shape \(K, D\)", id="1-d means"),
        pytest.param(WEIGHTS, MEANS, COVS[:, :1, :1], SHAPE + r" \(3, 1, 1\)", id="covariances for D=1"),
        pytest.param(WEIGHTS, MEANS, COVS[:2], SHAPE + r" \(2, 2, 2\)", id="too few covariances"),
        pytest.param(WEIGHTS, MEANS, EYE, SHAPE + r" \(2, 2\)", id="one shared 2-d covariance"),
        pytest.param([0.2, np.nan, 0.8], MEANS, COVS, "weights contain NaN or infinity", id="nan weight"),
        pytest.param(WEIGHTS, MEANS + [[0, np.inf]], COVS, "means contain NaN or infinity", id="inf mean"),
    ],
)
def test_bad_shapes_and_values_are_refused(weights, means, covs, message):
    with pytest.raises(ValueError, match=message):
        Mixture(weights, means, covs)


def test_negative_weight_names_the_component():
    with pytest.raises(ValueError, match=r"weights must be non-negative, but π_1 = -0.2"):
        Mixture([0.6, -0.2, 0.6], MEANS, COVS)


@pytest.mark.parametrize("weights", [[0.2, 0.3, 0.4], [0.5, 0.5, 0.5], [0.2, 0.3, 0.5 + 2e-6]])
def test_weights_off_the_simplex_are_refused_with_their_sum(weights):
    with pytest.raises(ValueError, match=r"must sum to 1 \(the simplex\), but they sum to") as info:
        Mixture(weights, MEANS, COVS)
    assert f"{sum(weights):.8g}" in str(info.value)


def test_non_symmetric_covariance_names_the_component():
    covs = COVS.copy()
    covs[2] = [[0.5, 0.1], [0.0, 0.5]]
    with pytest.raises(ValueError, match=r"covariance Σ_2 is not symmetric"):
        Mixture(WEIGHTS, MEANS, covs)


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        pytest.param([[1.0, 2.0], [2.0, 1.0]], "indefinite", id="indefinite"),
        pytest.param([[1.0, 1.0], [1.0, 1.0]], "singular", id="singular"),
        pytest.param([[-1.0, 0.0], [0.0, -2.0]], "negative definite", id="negative"),
        pytest.param([[0.0, 0.0], [0.0, 0.0]], "zero", id="zero"),
    ],
)
def test_non_positive_definite_covariance_names_the_component_and_eigenvalues(bad, why):
    covs = COVS.copy()
    covs[1] = bad
    with pytest.raises(ValueError, match=r"covariance Σ_1 is not positive definite") as info:
        Mixture(WEIGHTS, MEANS, covs)
    message = str(info.value)
    eigenvalues = np.linalg.eigvalsh(np.array(bad))
    assert f"{eigenvalues.min()}" in message, why
    assert "increase reg_covar" in message


def test_check_points_accepts_lists_and_returns_float_n_by_d():
    X = check_points([[1, 2], [3, 4], [5, 6]])
    assert X.dtype == np.float64 and X.shape == (3, 2)
    np.testing.assert_array_equal(X, [[1, 2], [3, 4], [5, 6]])


def test_check_points_names_the_array():
    with pytest.raises(ValueError, match="points must be a 2-D array"):
        check_points(np.zeros(3), name="points")


def test_em_states_are_immutable():
    X = np.random.default_rng(0).standard_normal((30, 2))
    theta = Mixture([0.5, 0.5], [[-1.0, 0.0], [1.0, 0.0]], [EYE, EYE])
    states = list(run_em(X, theta, max_iter=2, tol=0))
    for state in states[1:]:
        assert isinstance(state, EMState)
        with pytest.raises(ValueError, match="read-only"):
            state.resp[0, 0] = 0.5
        with pytest.raises(ValueError, match="read-only"):
            state.mixture.means[0, 0] = 0.5
        with pytest.raises(AttributeError):
            state.log_likelihood = 0.0  # type: ignore[misc]
    # an EMState built from a writable array copies it: the caller's array stays writable
    resp = np.full((30, 2), 0.5)
    state = EMState("E", 1, theta, resp, -1.0, -1.0)
    assert resp.flags.writeable and not state.resp.flags.writeable
    resp[0, 0] = 0.0
    assert state.resp[0, 0] == 0.5
    assert state.gap == 0.0
