"""What each EMState carries beyond the mixture: N_k for views, read-only arrays."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.core import initialize, old_faithful, run_em


def test_component_mass_is_the_sum_of_the_states_responsibilities():
    X = old_faithful().X
    states = list(run_em(X, initialize(X, 3, "random-points", np.random.default_rng(2)),
                         max_iter=4, tol=0))
    assert states[0].component_mass is None
    for state in states[1:]:
        np.testing.assert_allclose(state.component_mass, state.resp.sum(axis=0), rtol=1e-12)
        assert state.component_mass.sum() == pytest.approx(len(X))
        with pytest.raises(ValueError):
            state.component_mass[0] = 1.0
