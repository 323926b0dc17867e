"""Exact assignment (the Hungarian algorithm) and the oracle's label matching built on it."""

import itertools

import numpy as np
import pytest

from emviz.core import Mixture
from emviz.core.matching import best_assignment, linear_assignment, match_points
from emviz.core.oracle import em_scores, match_components


def brute_force(cost: np.ndarray) -> float:
    rows, cols = cost.shape
    return min(cost[np.arange(rows), list(p)].sum() for p in itertools.permutations(range(cols), rows))


@pytest.mark.parametrize("rows", range(1, 8))
def test_the_assignment_is_optimal_against_every_permutation(rows):
    rng = np.random.default_rng(rows)
    for trial in range(15):
        cols = rows + trial % 3 if rows + trial % 3 <= 7 else rows
        cost = rng.normal(size=(rows, cols)) * 10
        if trial % 4 == 0:
            cost = np.round(cost)  # ties
        sigma = linear_assignment(cost)
        assert len(set(sigma.tolist())) == rows and sigma.min() >= 0 and sigma.max() < cols
        assert cost[np.arange(rows), sigma].sum() == pytest.approx(brute_force(cost))


@pytest.mark.parametrize("size", [(8, 8), (12, 15), (20, 20), (30, 31)])
def test_the_assignment_equals_scipy_for_larger_k(size):
    optimize = pytest.importorskip("scipy.optimize")  # scipy comes with scikit-learn (tests only)
    rng = np.random.default_rng(size[0])
    for _ in range(5):
        cost = rng.exponential(size=size)
        rows, cols = optimize.linear_sum_assignment(cost)
        sigma = linear_assignment(cost)
        assert cost[np.arange(size[0]), sigma].sum() == pytest.approx(cost[rows, cols].sum())


def test_impossible_pairs_are_used_only_when_unavoidable():
    gain = np.array([[0.0, -np.inf], [-5.0, np.nan]])
    assert best_assignment(gain).tolist() == [1, 0] or best_assignment(gain).tolist() == [0, 1]
    gain = np.array([[1.0, -np.inf], [-np.inf, 1.0]])
    assert best_assignment(gain).tolist() == [0, 1]


def test_match_points_follows_moved_centres():
    before = np.array([[0.0, 0.0], [5.0, 5.0], [10.0, 0.0]])
    after = before[[2, 0, 1]] + 0.3
    assert match_points(before, after).tolist() == [1, 2, 0]


def test_greedy_would_fail_where_the_exact_matching_does_not():
    # Greedy takes the best pair (0, 0) = 10 first and must then pay -100 for (1, 1).
    gain = np.array([[10.0, 9.0], [8.0, -100.0]])
    assert best_assignment(gain).tolist() == [1, 0]


def test_oracle_labels_match_em_components_for_large_k():
    k = 11
    rng = np.random.default_rng(3)
    means = np.stack([np.arange(k) * 10.0, np.zeros(k)], 1)
    z = np.repeat(np.arange(k), 20)
    X = means[z] + rng.normal(scale=0.5, size=(len(z), 2))
    order = rng.permutation(k)  # EM's numbering of the same Gaussians
    mixture = Mixture(np.full(k, 1 / k), means[order], np.tile(np.eye(2) * 0.25, (k, 1, 1)))
    sigma = match_components(X, z, mixture)
    assert order[sigma].tolist() == list(range(k))
    scores = em_scores(X, z, mixture, 0.0)
    assert list(scores.matching) == sigma.tolist()


def test_label_matching_is_optimal_above_eight_components():
    """Above K = 8 the old matching was greedy (best pair first) and missed the best total."""
    optimize = pytest.importorskip("scipy.optimize")
    from emviz.core import weighted_log_prob

    rng = np.random.default_rng(0)
    k = 9
    misses = 0
    for _ in range(20):  # overlapping Gaussians: pairings compete
        means = rng.normal(scale=1.5, size=(k, 2))
        mixture = Mixture(np.full(k, 1 / k), means, np.tile(np.eye(2), (k, 1, 1)))
        z = rng.integers(k, size=300)
        z[:k] = np.arange(k)
        X = rng.normal(scale=2.0, size=(300, 2))
        wlp = weighted_log_prob(X, mixture)
        gain = np.stack([np.bincount(z, weights=wlp[:, j], minlength=k) for j in range(k)], 1)
        rows, cols = optimize.linear_sum_assignment(-gain)
        sigma = match_components(X, z, mixture)
        misses += not np.isclose(gain[np.arange(k), sigma].sum(), gain[rows, cols].sum())
    assert misses == 0
