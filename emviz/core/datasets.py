"""Built-in data: Old Faithful and generators for the classroom cases. Pure numpy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._resources import resource
from .mixture import Mixture
from .sampling import Procedure, sample


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points with, for generated data, the oracle's labels and the true mixture."""

    name: str
    X: np.ndarray
    labels: np.ndarray | None = None
    true_mixture: Mixture | None = None
    axes: tuple[str, str] = ("x₁", "x₂")


def old_faithful(standardise: bool = True) -> Dataset:
    """The 272 Old Faithful eruptions: (eruption minutes, waiting minutes).

    Standardised (each column minus its mean over its standard deviation) as in Bishop's
    Figure 9.8, or raw minutes.
    """
    with resource("datasets", "old_faithful.csv").open("r", encoding="utf-8") as csv:
        X = np.loadtxt(csv, delimiter=",", skiprows=1)
    if standardise:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        axes = ("eruption duration (standardised)", "waiting time (standardised)")
        return Dataset("Old Faithful (standardised)", X, axes=axes)
    return Dataset("Old Faithful (minutes)", X, axes=("eruption duration (min)", "waiting time (min)"))


def _rotation(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def ring_mixture(k: int, separation: float, rng: np.random.Generator) -> Mixture:
    """K components on a circle of radius ``separation``, random orientations and shapes."""
    angles = 2 * np.pi * np.arange(k) / k + rng.uniform(0, 0.3)
    radius = separation if k > 1 else 0.0
    means = radius * np.c_[np.cos(angles), np.sin(angles)]
    covs = []
    for _ in range(k):
        rot = _rotation(rng.uniform(0, np.pi))
        covs.append(rot @ np.diag(rng.uniform(0.3, 1.0, size=2) ** 2) @ rot.T)
    return Mixture(np.full(k, 1.0 / k), means, np.array(covs))


def generate(
    k_true: int = 3,
    n: int = 500,
    separation: float = 3.0,
    seed: int = 0,
    procedure: Procedure = "per-point",
    weights: np.ndarray | None = None,
) -> Dataset:
    """Draw n points from a random K_true-component mixture (the Generate… dialog)."""
    if not 1 <= k_true <= 20:
        raise ValueError(f"K_true must be between 1 and 20, got {k_true}")
    rng = np.random.default_rng(seed)
    mixture = ring_mixture(k_true, separation, rng)
    if weights is not None:
        mixture = Mixture(weights, mixture.means, mixture.covariances)
    X, labels = sample(mixture, n, rng, procedure)
    return Dataset(f"{k_true} Gaussians (seed {seed})", X, labels, mixture)


def _from_mixture(name: str, mixture: Mixture, n: int, seed: int) -> Dataset:
    X, labels = sample(mixture, n, np.random.default_rng(seed), "per-point")
    return Dataset(name, X, labels, mixture)


def well_separated(n: int = 400, seed: int = 0) -> Dataset:
    means = np.array([[-3.0, -2.0], [3.0, -2.0], [0.0, 3.0]])
    covs = np.array([np.eye(2) * 0.5] * 3)
    return _from_mixture("Well separated blobs", Mixture(np.full(3, 1 / 3), means, covs), n, seed)


def overlapping(n: int = 400, seed: int = 0) -> Dataset:
    means = np.array([[-1.0, 0.0], [1.0, 0.3], [0.0, 1.5]])
    covs = np.array([[[1.0, 0.3], [0.3, 0.6]], [[0.7, -0.2], [-0.2, 1.0]], [[0.5, 0.0], [0.0, 0.5]]])
    return _from_mixture("Overlapping blobs", Mixture(np.full(3, 1 / 3), means, covs), n, seed)


def elongated(n: int = 400, seed: int = 0) -> Dataset:
    covs = [_rotation(a) @ np.diag([2.5, 0.08]) @ _rotation(a).T for a in (0.5, -0.5)]
    means = np.array([[-1.5, 0.0], [1.5, 0.0]])
    return _from_mixture("Elongated (anisotropic)", Mixture([0.5, 0.5], means, covs), n, seed)


def unequal_weights(n: int = 400, seed: int = 0) -> Dataset:
    means = np.array([[-1.5, -1.0], [2.0, 1.5], [-1.0, 2.5]])
    covs = np.array([np.eye(2) * 0.9, np.eye(2) * 0.3, np.eye(2) * 0.15])
    return _from_mixture("Unequal weights", Mixture([0.75, 0.18, 0.07], means, covs), n, seed)


def moons(n: int = 400, seed: int = 0, noise: float = 0.08) -> Dataset:
    """Two interleaved half circles: a case where a Gaussian mixture is the wrong model."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    t = rng.uniform(0, np.pi, size=n)
    X = np.c_[np.cos(t), np.sin(t)]
    X[labels == 1] = np.c_[1 - np.cos(t[labels == 1]), 0.5 - np.sin(t[labels == 1])]
    X += rng.normal(scale=noise, size=X.shape)
    return Dataset("Moons (not Gaussian)", X, labels)


def ring(n: int = 400, seed: int = 0) -> Dataset:
    """A noisy ring around a blob: another shape a few Gaussians can only approximate."""
    rng = np.random.default_rng(seed)
    on_ring = rng.uniform(size=n) < 0.7
    t = rng.uniform(0, 2 * np.pi, size=n)
    radius = 2.5 + rng.normal(scale=0.15, size=n)
    circle = radius[:, None] * np.c_[np.cos(t), np.sin(t)]
    X = np.where(on_ring[:, None], circle, rng.normal(scale=0.4, size=(n, 2)))
    return Dataset("Ring (not Gaussian)", X, on_ring.astype(int))


#: The dataset chooser: key -> (label, factory taking (n, seed)).
BUILTIN = {
    "faithful": ("Old Faithful (standardised)", lambda n, seed: old_faithful(True)),
    "faithful-raw": ("Old Faithful (minutes)", lambda n, seed: old_faithful(False)),
    "separated": ("Well separated blobs", well_separated),
    "overlapping": ("Overlapping blobs", overlapping),
    "elongated": ("Elongated (anisotropic)", elongated),
    "unequal": ("Unequal weights", unequal_weights),
    "moons": ("Moons (not Gaussian)", moons),
    "ring": ("Ring (not Gaussian)", ring),
}


def load_builtin(key: str, n: int = 400, seed: int = 0) -> Dataset:
    """A built-in dataset by key (see ``BUILTIN``); ValueError names the valid keys."""
    if key not in BUILTIN:
        raise ValueError(f"unknown dataset {key!r}; choose one of {', '.join(BUILTIN)}")
    return BUILTIN[key][1](n, seed)
