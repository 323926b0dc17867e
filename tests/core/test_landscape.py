"""The likelihood landscape of one mean: its maps equal core's log_likelihood and
lower_bound at the grid points; the bound touches ln p at μ_k right after an E-step and
peaks where the M-step puts μ_k."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.core import Mixture, e_step, log_likelihood, lower_bound, m_step
from emviz.core.landscape import (
    bound_parabola,
    landscapes,
    log_likelihood_over_mean,
    lower_bound_over_mean,
)

from .helpers import random_spd


def _moved(mixture: Mixture, k: int, m) -> Mixture:
    means = np.array(mixture.means)
    means[k] = m
    return Mixture(mixture.weights, means, mixture.covariances)


@pytest.fixture
def problem():
    rng = np.random.default_rng(7)
    X = np.concatenate([rng.normal(size=(300, 2)) + (3, 1), rng.normal(size=(200, 2)) * 0.6,
                        rng.normal(size=(100, 2)) + (-2, 3)])
    mixture = Mixture([0.3, 0.45, 0.25], [[2.0, 0.0], [0.5, 0.5], [-1.0, 2.0]],
                      np.array([random_spd(rng, 2, 0.3, 2.0) for _ in range(3)]))
    resp, _ = e_step(X, mixture)
    return X, mixture, resp


def test_maps_equal_core_at_grid_points(problem) -> None:
    X, mixture, resp = problem
    *_, fine = landscapes(X, resp, mixture, 1, (-4.0, 6.0), (-3.0, 5.0))
    assert fine.log_likelihood.shape == (64, 64) and fine.lower_bound.shape == (64, 64)
    for row, col in ((0, 0), (63, 63), (10, 40), (32, 5), (50, 20)):
        m = (fine.grid.xs[col], fine.grid.ys[row])
        moved = _moved(mixture, 1, m)
        assert fine.log_likelihood[row, col] == pytest.approx(log_likelihood(X, moved), rel=1e-11)
        assert fine.lower_bound[row, col] == pytest.approx(lower_bound(X, resp, moved), rel=1e-11)


def test_refines_coarse_then_fine(problem) -> None:
    X, mixture, resp = problem
    sides = [item.log_likelihood.shape for item in landscapes(X, resp, mixture, 0, (0, 1), (0, 1))]
    assert sides == [(16, 16), (64, 64)]


@pytest.mark.parametrize("k", [0, 1, 2])
def test_bound_touches_ln_p_at_the_current_mean_after_an_e_step(problem, k) -> None:
    X, mixture, resp = problem  # q = p(Z | X, θ): KL = 0 at θ itself
    at = mixture.means[k][None, :]
    f = log_likelihood_over_mean(X, mixture, k, at)[0]
    b = lower_bound_over_mean(X, resp, mixture, k, at)[0]
    assert b == pytest.approx(f, rel=1e-12)
    assert f == pytest.approx(log_likelihood(X, mixture), rel=1e-12)
    # and everywhere else the bound lies below (Jensen)
    rng = np.random.default_rng(1)
    elsewhere = mixture.means[k] + rng.normal(scale=2.0, size=(50, 2))
    assert np.all(lower_bound_over_mean(X, resp, mixture, k, elsewhere)
                  <= log_likelihood_over_mean(X, mixture, k, elsewhere) + 1e-9)


@pytest.mark.parametrize("k", [0, 1, 2])
def test_bound_peaks_where_the_m_step_puts_the_mean(problem, k) -> None:
    X, mixture, resp = problem
    target = m_step(X, resp).means[k]
    parabola = bound_parabola(X, resp, mixture, k)
    np.testing.assert_allclose(parabola.centre, target, rtol=1e-12, atol=1e-12)
    peak = lower_bound_over_mean(X, resp, mixture, k, target[None, :])[0]
    assert peak == pytest.approx(lower_bound(X, resp, _moved(mixture, k, target)), rel=1e-12)
    steps = np.array([[1, 0], [-1, 0], [0, 1], [0, -1], [0.7, 0.7]]) * 1e-3
    assert np.all(lower_bound_over_mean(X, resp, mixture, k, target + steps) < peak)
    # and ln p at the bound's peak is at least where it started (the M-step cannot lose)
    assert (log_likelihood_over_mean(X, mixture, k, target[None, :])[0]
            >= log_likelihood(X, mixture) - 1e-9)


def test_one_component_mixture(problem) -> None:
    X, _, _ = problem
    mixture = Mixture([1.0], [[0.0, 0.0]], [np.eye(2)])
    m = np.array([[1.0, 2.0], [0.5, -0.5]])
    expected = [log_likelihood(X, _moved(mixture, 0, p)) for p in m]
    np.testing.assert_allclose(log_likelihood_over_mean(X, mixture, 0, m), expected, rtol=1e-12)


def test_far_data_lose_no_digits() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 2)) + 1e6
    mixture = Mixture([0.5, 0.5], [[1e6, 1e6], [1e6 + 1, 1e6]], [np.eye(2), np.eye(2)])
    m = np.array([[1e6 + 0.3, 1e6 - 0.2]])
    assert log_likelihood_over_mean(X, mixture, 1, m)[0] == pytest.approx(
        log_likelihood(X, _moved(mixture, 1, m[0])), rel=1e-10)


def test_bad_inputs_are_refused(problem) -> None:
    X, mixture, resp = problem
    with pytest.raises(ValueError, match="component k must be in 0..2"):
        log_likelihood_over_mean(X, mixture, 3, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="finite"):
        log_likelihood_over_mean(X, mixture, 0, np.array([[np.nan, 0.0]]))
    empty = np.array(resp)
    empty[:, 0] += empty[:, 2]
    empty[:, 2] = 0.0
    with pytest.raises(ValueError, match="no responsibility"):
        bound_parabola(X, empty, mixture, 2)


def test_a_component_without_responsibility_gets_only_the_ln_p_map(problem) -> None:
    X, mixture, resp = problem
    empty = np.array(resp)
    empty[:, 0] += empty[:, 2]
    empty[:, 2] = 0.0
    maps = list(landscapes(X, empty, mixture, 2, (-1, 1), (-1, 1), sides=(4,)))
    assert maps[0].lower_bound is None and maps[0].target is None
    assert maps[0].log_likelihood.shape == (4, 4)
