"""Model choice and random restarts (emviz.session.choose_k_runs): every value is the core's, from runs
fitted independently here, and every run is the one the window would make. Qt-free."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky
from threadpoolctl import threadpool_limits

from emviz.core import COVARIANCE_TYPES, aic, bic, generate, initialize, old_faithful, run_em
from emviz.session.choose_k_runs import (
    K_MAX_CURVE,
    STARTS_PER_K,
    CriterionPoint,
    Fit,
    Progress,
    criteria_curve,
    curve_ks,
    fit,
    lowest,
    restart_seeds,
    restarts,
    stack,
)
from emviz.session.model import Settings
from emviz.session.runs import fresh_run

from .test_model import run_fresh


def final_state(X, settings: Settings):
    """EM to its end, made here from the core alone: θ₀ = initialize(... default_rng(seed))."""
    theta0 = initialize(X, settings.k, settings.init_method, np.random.default_rng(settings.seed),
                        settings.covariance_type, settings.reg_covar)
    *_, last = run_em(X, theta0, settings.covariance_type, settings.reg_covar, settings.tol,
                      settings.max_iter)
    return last


@pytest.fixture(scope="module")
def faithful():
    return old_faithful().X


@pytest.fixture(scope="module")
def faithful_curve(faithful):
    return list(criteria_curve(faithful, Settings()))


def test_the_curve_covers_k_1_to_8_or_n(faithful_curve):
    assert [c.k for c in faithful_curve] == list(range(1, K_MAX_CURVE + 1)) == curve_ks(272)
    assert curve_ks(5) == [1, 2, 3, 4, 5] and curve_ks(1) == [1] and curve_ks(0) == []


def test_each_k_is_the_best_of_its_starts_and_its_bic_and_aic_are_the_cores(faithful, faithful_curve):
    settings = Settings()  # K and seed are the curve's own: K = 1..8, seeds 0..2
    for c in faithful_curve:
        runs = [final_state(faithful, dataclasses.replace(settings, k=c.k, seed=s))
                for s in range(STARTS_PER_K)]
        lls = [r.log_likelihood for r in runs]
        assert c.starts == pytest.approx(lls, rel=1e-12)
        best = int(np.argmax(lls))
        assert c.best.seed == best and c.best.k == c.k
        assert c.log_likelihood == pytest.approx(max(lls), rel=1e-12)
        mixture = runs[best].mixture
        assert c.bic == pytest.approx(bic(faithful, mixture), rel=1e-12)
        assert c.aic == pytest.approx(aic(faithful, mixture), rel=1e-12)
        np.testing.assert_allclose(c.best.mixture.means, mixture.means, rtol=1e-12)


def test_old_faithful_bic_chooses_two_and_aic_more(faithful_curve):
    """Bishop's two clusters: BIC's ln N penalty picks K = 2, AIC's lighter one more."""
    ks = [c.k for c in faithful_curve]
    assert ks[lowest([c.bic for c in faithful_curve])] == 2
    assert ks[lowest([c.aic for c in faithful_curve])] > 2


def test_bic_of_a_fitted_mixture_matches_scikit_learn(faithful, faithful_curve):
    c = faithful_curve[2]  # K = 3
    theta = c.best.mixture
    gm = GaussianMixture(3, covariance_type="full")
    gm.weights_, gm.means_, gm.covariances_ = theta.weights, theta.means, theta.covariances
    gm.precisions_cholesky_ = _compute_precision_cholesky(theta.covariances, "full")
    gm.n_features_in_ = 2
    with threadpool_limits(limits=1, user_api="blas"):
        assert c.bic == pytest.approx(gm.bic(faithful), rel=1e-10)
        assert c.aic == pytest.approx(gm.aic(faithful), rel=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_every_covariance_type_counts_its_own_parameters(covariance_type):
    X = generate(3, 150, separation=3.0, seed=4).X
    settings = Settings(covariance_type=covariance_type, init_method="kmeans")
    for c in criteria_curve(X, settings, ks=[1, 3]):
        runs = [final_state(X, dataclasses.replace(settings, k=c.k, seed=s)) for s in range(3)]
        mixture = max(runs, key=lambda r: r.log_likelihood).mixture
        assert c.bic == pytest.approx(bic(X, mixture, covariance_type), rel=1e-12)
        assert c.aic == pytest.approx(aic(X, mixture, covariance_type), rel=1e-12)


def test_the_curve_follows_the_given_ks_and_reports_progress(faithful, faithful_curve):
    items = list(criteria_curve(faithful, Settings(), ks=[3, 1], progress=True))
    points = [i for i in items if isinstance(i, CriterionPoint)]
    progress = [i for i in items if isinstance(i, Progress)]
    assert [p.k for p in points] == [3, 1]
    assert points[0].bic == faithful_curve[2].bic and points[1].bic == faithful_curve[0].bic
    # One Progress per EM iteration of every start, before that K's point.
    assert len(progress) == sum(final_state(faithful, Settings(k=k, seed=s)).iteration
                                for k in (3, 1) for s in range(STARTS_PER_K))
    k3 = [p for p in progress if p.k == 3]
    assert {p.seed for p in k3} == {0, 1, 2}
    assert max(p.iteration for p in k3 if p.seed == points[0].best.seed) == points[0].best.iterations
    assert items.index(points[0]) > max(i for i, p in enumerate(items) if p in k3)


def test_restarts_give_as_many_runs_as_asked_each_the_windows_own(faithful):
    settings = Settings(k=3, seed=5)
    fits = list(restarts(faithful, settings, 7))
    assert len(fits) == 7 and all(isinstance(f, Fit) for f in fits)
    assert [f.seed for f in fits] == [5, 6, 7, 8, 9, 10, 11]  # the window's seed first
    for f in fits:
        seeded = dataclasses.replace(settings, seed=f.seed)
        *_, window_last = fresh_run(faithful, seeded)  # what Reset + Play gives
        assert f.log_likelihood == window_last.log_likelihood
        assert f.iterations == window_last.iteration and f.converged == window_last.converged
        assert f.log_likelihood == pytest.approx(final_state(faithful, seeded).log_likelihood,
                                                 rel=1e-12)
        assert f.k == 3 and f.mixture.n_components == 3
    # Old Faithful with K = 3 has more than one local optimum within ten seeds.
    assert len({round(f.log_likelihood, 1) for f in fits}) > 1


def test_restarts_with_progress_give_the_same_runs(faithful):
    plain = list(restarts(faithful, Settings(k=2), 3, base_seed=40))
    items = list(restarts(faithful, Settings(k=2), 3, base_seed=40, progress=True))
    fits = [i for i in items if isinstance(i, Fit)]
    assert [(f.seed, f.log_likelihood) for f in fits] == [(f.seed, f.log_likelihood) for f in plain]
    assert sum(isinstance(i, Progress) for i in items) == sum(f.iterations for f in fits)


def test_a_failed_start_is_a_result_with_its_reason_not_an_exception():
    X = np.repeat([[0.0, 0.0], [1.0, 1.0]], 5, axis=0)  # two distinct points, ten copies
    settings = Settings(k=3, reg_covar=0.0)  # a component on one point has Σ = 0
    fits = list(restarts(X, settings, 3))
    assert len(fits) == 3
    assert all(f.mixture is None and math.isnan(f.log_likelihood) for f in fits)
    assert all("positive definite" in f.error for f in fits)
    c = next(criteria_curve(X, settings, ks=[3]))
    assert c.best is None and math.isnan(c.bic) and math.isnan(c.aic) and "positive definite" in c.error
    ok = fit(X, Settings(k=2, reg_covar=1e-6))
    assert ok.mixture is not None and ok.error == ""


def test_restart_seeds_are_distinct_and_stay_in_the_seed_range():
    assert restart_seeds(3, 0) == [0, 1, 2]
    assert restart_seeds(3, 2**31 - 2) == [2**31 - 2, 2**31 - 1, 0]
    with pytest.raises(ValueError, match="at least 1"):
        restart_seeds(0, 0)


def test_stack_piles_equal_endings_best_first():
    values = [-10.0, -12.0, -10.05, math.nan, -10.02, -12.5]
    pile, height = stack(values, width=0.1)
    assert pile.tolist() == [0, 1, 0, -1, 0, 2]
    assert height.tolist() == [0, 0, 1, -1, 2, 0]  # seed order within a pile
    assert stack([], 1.0)[0].tolist() == []


def test_lowest_skips_what_is_not_a_number():
    assert lowest([3.0, math.nan, 1.0, 1.0]) == 2
    assert lowest([math.nan]) is None and lowest([]) is None


def test_model_choice_imports_no_qt():
    _, qt_modules = run_fresh("import emviz.session.choose_k_runs")
    assert qt_modules == "[]"
