"""Issue 17: hostile files, generated. Every field of a valid session file and of a valid
mixture file is mutated (wrong types, out-of-range numbers, missing and extra keys, huge
arrays, NaN); each file either loads and restores exactly or is refused with one line that
names it, and EM still runs on what loaded. A seeded, bounded version runs in ``make test``;
``make soak`` runs many more cases."""

from __future__ import annotations

import itertools
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emviz.core import initialize, old_faithful, run_em
from emviz.dataio import DataError, Session, load_mixture_json, load_session, replay, save_session
from emviz.session import schema
from emviz.session.model import MAX_COORDINATE, Settings
from emviz.session.runs import fresh_run

#: Generated cases run by this module so far (the report quotes them).
CASES = {"session": 0, "session-loaded": 0, "mixture": 0, "mixture-loaded": 0}

FAST = settings(max_examples=100, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
SOAK = settings(max_examples=2_000, derandomize=False, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def _valid_session_document() -> dict:
    X = old_faithful().X[:40]
    s = Settings(k=3, init_method="kmeans++", seed=11, tol=1e-4, max_iter=50)
    theta0 = initialize(X, s.k, s.init_method, np.random.default_rng(s.seed))
    n = len(list(run_em(X, theta0, s.covariance_type, s.reg_covar, s.tol, 4)))
    session = Session(points=X, labels=np.arange(40) % 3, dataset_name="faithful", settings=s,
                      view_options={"soft_colors": False}, index=n - 1, n_half_steps=n,
                      initial_mixture=theta0, true_mixture=theta0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.emviz"
        save_session(path, session)
        return json.loads(path.read_text(encoding="utf-8"))


SESSION = _valid_session_document()
MIXTURE = {key: SESSION["initial_mixture"][key] for key in ("weights", "means", "covariances")}


def _paths(document, prefix=()):
    """Every key path in a JSON document, to lists' first and last items."""
    for key, value in document.items() if isinstance(document, dict) else ():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))
        elif isinstance(value, list) and value:
            for i in {0, len(value) - 1}:
                yield (*prefix, key, i)
                if isinstance(value[i], list) and value[i]:
                    yield (*prefix, key, i, 0)


HOSTILE_NUMBERS = st.sampled_from([
    0, -1, 1, 2, -3, 2**31 - 1, 2**31, 2**63, 10**30, -(10**30), 0.5, -0.0, 1e-320, 1e149,
    MAX_COORDINATE, 1.5e150, 1e308, float("nan"), float("inf"), -float("inf"), True, False,
])
VALUES = st.recursive(
    st.one_of(st.none(), HOSTILE_NUMBERS, st.integers(), st.floats(allow_nan=True),
              st.text(max_size=8), st.sampled_from(list(schema.INIT_METHODS) + ["full", "tied"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner,
                                                                          max_size=3)),
    max_leaves=8,
)


@st.composite
def mutations(draw, document):
    """A copy of ``document`` with one to three keys deleted, replaced or added."""
    document = json.loads(json.dumps(document))
    paths = sorted(_paths(document), key=str)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            what = draw(st.sampled_from(["delete", "replace", "replace", "extra", "huge"]))
            key = path[-1]
            if what == "delete":
                del parent[key]
            elif what == "replace":
                parent[key] = draw(VALUES)
            elif what == "extra" and isinstance(parent, dict):
                parent[draw(st.text(min_size=1, max_size=6))] = draw(VALUES)
            elif what == "huge":
                n = draw(st.sampled_from([1000, 20_000]))
                parent[key] = [[draw(HOSTILE_NUMBERS)] * 2] * n
        except (KeyError, IndexError, TypeError):  # an earlier mutation removed the path
            continue
    return document


def _write(folder: str, name: str, document: dict) -> str:
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f)  # NaN and Infinity written as Python's json writes them
    return path


def _refused_in_one_line(error: DataError, path: str) -> None:
    message = str(error)
    assert "\n" not in message and message.startswith(f"{path}: ") and len(message) < 400, message


def check_session_case(document: dict) -> None:
    CASES["session"] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, "case.emviz", document)
        try:
            session = load_session(path)
        except DataError as error:
            _refused_in_one_line(error, path)
            return
        CASES["session-loaded"] += 1
        # restores exactly: saved again and read back, the same session
        again = os.path.join(folder, "again.emviz")
        save_session(again, session)
        assert load_session(again) == session
    s = session.settings
    for name, field in schema.SETTINGS.items():  # what the controls can show
        assert field.check(name, getattr(s, name)) == getattr(s, name)
    states = list(itertools.islice(replay(session), 50))
    assert len(states) == min(session.n_half_steps, 50) or states[-1].converged or (
        states[-1].iteration >= s.max_iter)
    if len(session.points) >= s.k:  # Reset + Step: a fresh run from the seed
        fresh = list(itertools.islice(fresh_run(session.points, s), 3))
        assert [x.phase for x in fresh] == ["init", "E", "M"][: len(fresh)] and len(fresh) >= 2


def check_mixture_case(document: dict) -> None:
    CASES["mixture"] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, "case.json", document)
        try:
            mixture = load_mixture_json(path)
        except DataError as error:
            _refused_in_one_line(error, path)
            return
    CASES["mixture-loaded"] += 1
    assert 1 <= mixture.n_components <= schema.K_MAX and mixture.n_features == 2
    assert np.all(np.abs(mixture.means) <= MAX_COORDINATE)
    X = old_faithful().X
    if mixture.n_components <= len(X):
        states = list(itertools.islice(run_em(X, mixture, max_iter=2), 3))
        assert all(math.isfinite(x.log_likelihood) or x.log_likelihood == -math.inf for x in states)


def test_the_valid_documents_load():
    check_session_case(SESSION)
    check_mixture_case(MIXTURE)
    assert CASES["session-loaded"] >= 1 and CASES["mixture-loaded"] >= 1


@FAST
@given(mutations(SESSION))
def test_mutated_sessions_restore_exactly_or_are_refused_in_one_line(document):
    check_session_case(document)


@FAST
@given(mutations(MIXTURE))
def test_mutated_mixtures_load_or_are_refused_in_one_line(document):
    check_mixture_case(document)


@pytest.mark.soak
@SOAK
@given(mutations(SESSION))
def test_soak_mutated_sessions(document):
    check_session_case(document)


@pytest.mark.soak
@SOAK
@given(mutations(MIXTURE))
def test_soak_mutated_mixtures(document):
    check_mixture_case(document)


def teardown_module(module) -> None:
    print(f"\ngenerated input cases: {CASES}")
