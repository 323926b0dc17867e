"""Run export to JSON, and mixtures read back from JSON."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from emviz.core import Mixture, initialize, old_faithful, run_em
from emviz.dataio import DataError, load_mixture_json, run_to_json, save_run_json
from emviz.session.model import Settings


def strict_json(text: str):
    """Parse as standard JSON: NaN and Infinity are not JSON."""

    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def faithful_run():
    settings = Settings(k=2, seed=0)
    X = old_faithful().X
    theta0 = initialize(X, settings.k, settings.init_method, np.random.default_rng(settings.seed))
    history = list(run_em(X, theta0, settings.covariance_type, settings.reg_covar, settings.tol))
    return history, settings


def test_run_json_has_every_half_step_with_its_values(tmp_path, faithful_run):
    history, settings = faithful_run
    path = tmp_path / "run.json"
    save_run_json(path, history, settings, points_name="Old Faithful (standardised)")
    run = strict_json(path.read_text(encoding="utf-8"))
    assert run == run_to_json(history, settings, "Old Faithful (standardised)")
    assert (run["format"], run["version"]) == ("emviz-run", 1)
    assert run["points_name"] == "Old Faithful (standardised)"
    assert run["settings"] == dataclasses.asdict(settings)
    assert run["seed"] == 0
    assert len(run["states"]) == len(history) > 10
    for entry, state in zip(run["states"], history, strict=True):
        assert entry["phase"] == state.phase
        assert entry["iteration"] == state.iteration
        assert np.array_equal(entry["weights"], state.mixture.weights)
        assert np.array_equal(entry["means"], state.mixture.means)
        assert np.array_equal(entry["covariances"], state.mixture.covariances)
        assert entry["log_likelihood"] == state.log_likelihood
        if state.phase == "init":
            assert entry["lower_bound"] is None
        else:
            assert entry["lower_bound"] == state.lower_bound
        assert entry["converged"] is state.converged
        assert entry["degenerate"] == list(state.degenerate)
    assert [e["phase"] for e in run["states"][:4]] == ["init", "E", "M", "E"]
    assert run["states"][-1]["converged"] is True


def test_run_file_has_one_line_per_half_step(tmp_path, faithful_run):
    history, settings = faithful_run
    save_run_json(tmp_path / "run.json", history, settings)
    lines = (tmp_path / "run.json").read_text().splitlines()
    assert sum(line.lstrip().startswith('{"phase"') for line in lines) == len(history)


def test_load_mixture_from_a_run_takes_the_last_state(tmp_path, faithful_run):
    history, settings = faithful_run
    save_run_json(tmp_path / "run.json", history, settings)
    mixture = load_mixture_json(tmp_path / "run.json")
    assert np.array_equal(mixture.weights, history[-1].mixture.weights)
    assert np.array_equal(mixture.means, history[-1].mixture.means)
    assert np.array_equal(mixture.covariances, history[-1].mixture.covariances)


def test_load_mixture_from_top_level_keys(tmp_path):
    path = tmp_path / "theta.json"
    path.write_text(json.dumps({
        "weights": [0.25, 0.75],
        "means": [[0, 0], [1, 2]],
        "covariances": [[[1, 0], [0, 1]], [[2, 0.5], [0.5, 1]]],
        "comment": "extra keys are fine",
    }))
    mixture = load_mixture_json(path)
    assert isinstance(mixture, Mixture)
    assert mixture.means.tolist() == [[0, 0], [1, 2]]


def write_json(tmp_path, document, name="theta.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


GOOD = {"weights": [0.5, 0.5], "means": [[0, 0], [1, 1]], "covariances": [[[1, 0], [0, 1]]] * 2}

BAD_MIXTURES = {
    "weights-off-simplex": ({**GOOD, "weights": [0.5, 0.6]}, "weights must sum to 1"),
    "not-positive-definite": ({**GOOD, "covariances": [[[1, 2], [2, 1]]] * 2},
                              "Σ_0 is not positive definite"),
    "shapes": ({**GOOD, "means": [[0, 0]]}, "means must have shape (K, D) = (2, D)"),
    "three-d": ({"weights": [1.0], "means": [[0, 0, 0]], "covariances": [np.eye(3).tolist()]},
                "'means' is a 3-D mixture; emviz shows 2-D mixtures (and 1-D ones, over one column)"),
    "missing-key": ({"weights": [1.0], "means": [[0, 0]]}, "missing key 'covariances'"),
    "wrong-type": ({**GOOD, "weights": "half and half"}, "'weights' should be a list, not \"half and half\""),
    "text-in-numbers": ({**GOOD, "means": [[0, "a"], [1, 1]]},
                        "'means' should be a list of K pairs [x, y] of numbers"),
    "ragged": ({**GOOD, "means": [[0], [1, 1]]}, "'means' should be a list of K pairs [x, y] of numbers"),
    "means-too-large": ({**GOOD, "means": [[0, 0], [1e300, 1]]},
                        "'means[1]' holds 1e+300, too large: emviz takes coordinates up to 1e+120"),
    "means-nan": ({**GOOD, "means": [[0, float("nan")], [1, 1]]},
                  "'means[0]' holds NaN (not a number) where a finite number belongs"),
    "not-an-object": ([1, 2, 3], "expected a JSON object"),
    "newer-run": ({"format": "emviz-run", "version": 2, "states": []},
                  "written by a newer emviz (version 2); this emviz reads version 1"),
    "empty-run": ({"format": "emviz-run", "version": 1, "states": []}, "the run has no states"),
    "bad-last-state": ({"format": "emviz-run", "version": 1, "states": [{**GOOD, "weights": [1, 1]}]},
                       "invalid mixture in states[0]: weights must sum to 1"),
    "a-session": ({"format": "emviz-session", "version": 1}, "an emviz session, not an emviz run export"),
    "damaged": ('{"weights": [0.5, 0.5],\n "means": [[0, 0] [1, 1]]}', "incomplete or damaged"),
}


@pytest.mark.parametrize("document, problem", BAD_MIXTURES.values(), ids=BAD_MIXTURES.keys())
def test_bad_mixture_file_names_file_and_problem(tmp_path, document, problem):
    path = write_json(tmp_path, document)
    with pytest.raises(DataError) as caught:
        load_mixture_json(path)
    message = str(caught.value)
    assert message.startswith(f"{path}"), message
    assert problem in message, message


def test_damaged_mixture_file_names_the_line(tmp_path):
    path = write_json(tmp_path, '{"weights": [0.5, 0.5],\n "means": [[0, 0] [1, 1]]}')
    with pytest.raises(DataError, match=rf"^{path}, line 2: the file is incomplete or damaged"):
        load_mixture_json(path)


def test_missing_mixture_file(tmp_path):
    with pytest.raises(DataError, match="nope.json: no such file"):
        load_mixture_json(tmp_path / "nope.json")
