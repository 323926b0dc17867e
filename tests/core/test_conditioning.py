"""Issue 17, item 6: EM fits data far from the origin (Unix timestamps: 1.7e9 with a spread of
seconds) as it fits the same data near zero, and reports every number in the user's units."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.core import Mixture, continue_em, initialize, run_em


def _blobs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.r_[rng.normal([-3.0, 2.0], 0.7, (150, 2)), rng.normal([3.0, -2.0], 1.2, (150, 2))]


def _shifted(m: Mixture, offset: np.ndarray, scale: float = 1.0) -> Mixture:
    return Mixture(m.weights, m.means * scale + offset, m.covariances * scale**2)


@pytest.mark.parametrize("spread", [1.0, 0.01])  # seconds, and hundredths
@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
def test_a_timestamp_offset_fits_as_the_centred_data_do(covariance_type, spread):
    offset = np.array([1.7e9, -2.3e9])
    X = _blobs() * spread + offset  # what a file of timestamps holds (to 2.4e-7 s)
    Xc = X - offset  # the same points near zero, exactly
    assert np.array_equal(X - offset, Xc)  # the offset data hold the same differences exactly
    theta0 = initialize(Xc, 2, "kmeans", np.random.default_rng(0), covariance_type)
    near = list(run_em(Xc, theta0, covariance_type, tol=1e-8, max_iter=30))
    far = list(run_em(X, _shifted(theta0, offset), covariance_type, tol=1e-8, max_iter=30))
    assert [s.phase for s in far] == [s.phase for s in near]
    a, b = near[-1].mixture, far[-1].mixture
    # μ_k in user units is a double near the offset: known to its spacing there (2.4e-7), no finer
    np.testing.assert_allclose(b.means - offset, a.means, rtol=1e-6, atol=np.spacing(offset).max())
    np.testing.assert_allclose(b.covariances, a.covariances, rtol=1e-6)
    np.testing.assert_allclose(b.weights, a.weights, rtol=1e-9)
    # ln p(X | θ) is invariant under a shift: the same number, in the user's units
    assert far[-1].log_likelihood == pytest.approx(near[-1].log_likelihood, rel=1e-9)
    assert far[-1].lower_bound == pytest.approx(near[-1].lower_bound, rel=1e-9)


def test_a_tiny_or_huge_spread_fits_as_unit_data_do_in_user_units():
    Xc = _blobs(1)
    theta0 = initialize(Xc, 2, "kmeans", np.random.default_rng(0))
    near = list(run_em(Xc, theta0, reg_covar=1e-6, tol=1e-8, max_iter=25))
    for scale in (2.0**-60, 1e-40, 1e40, 1e140):
        X = Xc * scale
        far = list(run_em(X, _shifted(theta0, np.zeros(2), scale), reg_covar=1e-6 * scale**2,
                          tol=1e-8, max_iter=25))
        assert len(far) == len(near)
        a, b = near[-1], far[-1]
        np.testing.assert_allclose(b.mixture.means / scale, a.mixture.means, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(b.mixture.covariances / scale**2, a.mixture.covariances, rtol=1e-8)
        # ln p shifts by -N·D·ln s under x -> s·x
        shift = -Xc.size * np.log(scale)
        assert b.log_likelihood == pytest.approx(a.log_likelihood + shift, rel=1e-9)


def test_continuing_far_from_the_origin_matches_the_whole_run():
    """To the precision of θ in user units, from which a resumed run starts (μ_k near 1.7e9
    is rounded to 2.4e-7 there); near the origin (identity frame) it is bit for bit."""
    X = _blobs(2) * 0.01 + 1.7e9
    theta0 = initialize(X, 2, "random-points", np.random.default_rng(3))
    whole = list(run_em(X, theta0, tol=0, max_iter=12))
    for i in (1, 4, 7):
        rest = list(continue_em(X, whole[i], tol=0, max_iter=12))
        for s, t in zip(rest, whole[i + 1:], strict=True):
            assert s.phase == t.phase and s.iteration == t.iteration
            np.testing.assert_allclose(s.mixture.means - 1.7e9, t.mixture.means - 1.7e9,
                                       rtol=0, atol=4 * np.spacing(1.7e9))
            np.testing.assert_allclose(s.mixture.covariances, t.mixture.covariances, rtol=1e-5, atol=1e-9)
            assert s.log_likelihood == pytest.approx(t.log_likelihood, rel=1e-7)
