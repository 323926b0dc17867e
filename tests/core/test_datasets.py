"""The built-in data: Old Faithful and the generators."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.core import BUILTIN_DATASETS, generate, load_builtin, old_faithful


def test_old_faithful_raw_and_standardised():
    raw = old_faithful(standardise=False).X
    assert raw.shape == (272, 2)
    assert 1.5 < raw[:, 0].min() and raw[:, 0].max() < 5.5  # eruption minutes
    assert 40 < raw[:, 1].min() and raw[:, 1].max() < 100  # waiting minutes
    X = old_faithful().X
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(X, (raw - raw.mean(axis=0)) / raw.std(axis=0), rtol=1e-12)


@pytest.mark.parametrize("procedure", ["per-point", "per-component"])
def test_generate_is_reproducible_and_labelled(procedure):
    a = generate(4, 300, separation=2.0, seed=3, procedure=procedure)
    b = generate(4, 300, separation=2.0, seed=3, procedure=procedure)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.true_mixture.n_components == 4
    assert a.X.shape == (a.labels.shape[0], 2)
    assert set(np.unique(a.labels)) <= {0, 1, 2, 3}
    c = generate(4, 300, separation=2.0, seed=4, procedure=procedure)
    assert not np.array_equal(a.X, c.X)
    # the components sit on a circle of radius `separation`
    np.testing.assert_allclose(np.linalg.norm(a.true_mixture.means, axis=1), 2.0, rtol=1e-12)


def test_generate_with_weights_and_bad_k():
    ds = generate(2, 1000, seed=0, weights=np.array([0.9, 0.1]), procedure="per-component")
    np.testing.assert_array_equal(np.bincount(ds.labels), [900, 100])
    with pytest.raises(ValueError, match="K_true must be between 1 and 20"):
        generate(0)
    with pytest.raises(ValueError, match="weights must sum to 1"):
        generate(2, weights=np.array([0.5, 0.6]))


@pytest.mark.parametrize("key", list(BUILTIN_DATASETS))
def test_every_builtin_dataset_loads_finite_2d_points(key):
    ds = load_builtin(key, n=200, seed=1)
    assert ds.X.ndim == 2 and ds.X.shape[1] == 2 and ds.X.shape[0] >= 200
    assert np.all(np.isfinite(ds.X))


def test_unknown_builtin_names_the_choices():
    with pytest.raises(ValueError, match="unknown dataset 'iris'; choose one of faithful"):
        load_builtin("iris")
