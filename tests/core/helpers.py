"""Shared pieces of the core tests: datasets, structured starting mixtures, checks on runs."""

from __future__ import annotations

import math

import numpy as np

from emviz.core import EMState, Mixture, generate, old_faithful, sample


def faithful() -> np.ndarray:
    """The 272 standardised Old Faithful eruptions, shape (272, 2)."""
    return old_faithful().X


def generated_2d() -> np.ndarray:
    """500 points from a generated 3-component mixture, shape (500, 2)."""
    return generate(3, 500, separation=2.5, seed=7).X


def generated_3d(n: int = 400, seed: int = 3) -> np.ndarray:
    """Points from a fixed 3-D, 3-component mixture (exercises the general D path)."""
    means = np.array([[0.0, 0.0, 0.0], [2.5, 0.5, -1.0], [-1.0, 2.0, 1.5]])
    a = np.array([[1.0, 0.3, 0.0], [0.3, 0.8, -0.2], [0.0, -0.2, 0.5]])
    covs = np.array([a, np.diag([0.4, 1.2, 0.7]), 0.6 * np.eye(3) + 0.1])
    return sample(Mixture([0.4, 0.35, 0.25], means, covs), n, np.random.default_rng(seed))[0]


def random_spd(rng: np.random.Generator, d: int, lo: float = 0.2, hi: float = 2.0) -> np.ndarray:
    """A random symmetric positive definite (d, d) matrix with eigenvalues in [lo, hi]."""
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    cov = (q * rng.uniform(lo, hi, size=d)) @ q.T
    return (cov + cov.T) / 2


def structured_mixture(
    X: np.ndarray, k: int, covariance_type: str, rng: np.random.Generator
) -> Mixture:
    """A data-scaled starting Mixture in the family of ``covariance_type``.

    full: a different random SPD matrix per component; diag: diagonal matrices;
    spherical: multiples of I; tied: one matrix shared by every component.
    """
    n, d = X.shape
    scale = np.trace(np.cov(X, rowvar=False)) / d
    weights = rng.dirichlet(np.full(k, 4.0))
    means = X[rng.choice(n, size=k, replace=False)] + 0.1 * rng.standard_normal((k, d))
    if covariance_type == "full":
        covs = np.array([scale * random_spd(rng, d, 0.1, 0.6) for _ in range(k)])
    elif covariance_type == "tied":
        covs = np.broadcast_to(scale * random_spd(rng, d, 0.1, 0.6), (k, d, d))
    elif covariance_type == "diag":
        covs = np.array([np.diag(scale * rng.uniform(0.1, 0.6, size=d)) for _ in range(k)])
    else:
        covs = np.array([scale * rng.uniform(0.1, 0.6) * np.eye(d) for _ in range(k)])
    mixture = Mixture(weights, means, covs)
    assert_in_family(mixture, covariance_type)
    return mixture


def assert_in_family(mixture: Mixture, covariance_type: str) -> None:
    """The covariances have exactly the structure ``covariance_type`` allows."""
    covs = mixture.covariances
    d = mixture.n_features
    off_diagonal = covs * (1.0 - np.eye(d))
    if covariance_type in ("diag", "spherical"):
        assert np.all(off_diagonal == 0.0), f"{covariance_type}: off-diagonal entries {covs}"
    if covariance_type == "spherical":
        diagonal = np.diagonal(covs, axis1=1, axis2=2)
        assert np.all(diagonal == diagonal[:, :1]), f"spherical: unequal variances {diagonal}"
    if covariance_type == "tied":
        assert np.all(covs == covs[0]), "tied: the components' covariances differ"


def assert_finite_state(state: EMState) -> None:
    """No NaN or infinity in θ, ln p or (except on "init") L, and valid responsibilities."""
    m = state.mixture
    for name, a in (("weights", m.weights), ("means", m.means), ("covariances", m.covariances)):
        assert np.all(np.isfinite(a)), f"{state.phase} {state.iteration}: {name} not finite"
    assert math.isfinite(state.log_likelihood), f"{state.phase} {state.iteration}: ln p"
    if state.phase == "init":
        assert math.isnan(state.lower_bound)
        assert state.resp is None
    else:
        assert math.isfinite(state.lower_bound), f"{state.phase} {state.iteration}: L"
        assert np.all(np.isfinite(state.resp))
        assert np.all((state.resp >= 0) & (state.resp <= 1))
        np.testing.assert_allclose(state.resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def naive_log_density(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> float:
    """ln N(x | μ, Σ) for one point, from the textbook formula with an explicit inverse."""
    d = x.shape[0]
    diff = x - mean
    return -0.5 * (
        d * math.log(2 * math.pi) + math.log(np.linalg.det(cov)) + diff @ np.linalg.inv(cov) @ diff
    )


def naive_weighted_log_prob(X: np.ndarray, mixture: Mixture) -> np.ndarray:
    """ln π_k + ln N(x_n | μ_k, Σ_k), one point and one component at a time, shape (N, K)."""
    out = np.empty((X.shape[0], mixture.n_components))
    for n, x in enumerate(X):
        for k in range(mixture.n_components):
            out[n, k] = math.log(mixture.weights[k]) + naive_log_density(
                x, mixture.means[k], mixture.covariances[k]
            )
    return out


def vector_log_prob(X: np.ndarray, mixture: Mixture) -> np.ndarray:
    """A vectorised (but independent: inverse and slogdet) ln π_k N(x_n | θ_k), shape (N, K).

    For the large-N checks, where the one-point-at-a-time reference would be too slow.
    """
    d = X.shape[1]
    out = np.empty((X.shape[0], mixture.n_components))
    for k in range(mixture.n_components):
        diff = X - mixture.means[k]
        inv = np.linalg.inv(mixture.covariances[k])
        _, logdet = np.linalg.slogdet(mixture.covariances[k])
        maha = np.einsum("ni,ij,nj->n", diff, inv, diff)
        out[:, k] = math.log(mixture.weights[k]) - 0.5 * (d * math.log(2 * math.pi) + logdet + maha)
    return out


def log_sum_exp_rows(a: np.ndarray) -> np.ndarray:
    """ln Σ_k exp(a_nk) per row, shape (N,)."""
    top = a.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(a - top).sum(axis=1, keepdims=True)))[:, 0]
