"""Sessions: save then load gives the same session; every damaged file is named, never a crash."""

from __future__ import annotations

import dataclasses
import json
import os

import numpy as np
import pytest

from emviz.core import initialize, old_faithful, run_em
from emviz.dataio import (
    DataError,
    EncodedArrays,
    Session,
    _json,
    load_session,
    replay,
    save_session,
    session_to_json,
)
from emviz.dataio.session import TeachingState
from emviz.session.model import Settings


@pytest.fixture(scope="module")
def run():
    settings = Settings(k=3, init_method="kmeans++", covariance_type="diag", seed=7, tol=1e-5)
    X = old_faithful().X
    theta0 = initialize(X, settings.k, settings.init_method, np.random.default_rng(settings.seed),
                        settings.covariance_type, settings.reg_covar)
    history = list(run_em(X, theta0, settings.covariance_type, settings.reg_covar, settings.tol,
                          settings.max_iter))
    return X, settings, history


@pytest.fixture
def session(run):
    X, settings, history = run
    labels = np.arange(len(X)) % 3 - 1  # -1: unlabelled
    return Session(
        points=X,
        labels=labels,
        dataset_name="Old Faithful (standardised)",
        axes=("eruption duration (standardised)", "waiting time (standardised)"),
        settings=settings,
        view_options={"soft_colors": False, "show_true_mixture": True},
        index=5,
        n_half_steps=len(history),
        initial_mixture=history[0].mixture,
        true_mixture=history[-1].mixture,
    )


def test_round_trip_gives_equal_fields(tmp_path, session):
    path = tmp_path / "faithful.emviz"
    save_session(path, session)
    loaded = load_session(path)
    assert loaded == session
    assert np.array_equal(loaded.points, session.points) and not loaded.points.flags.writeable
    assert loaded.labels.tolist() == session.labels.tolist()
    assert (loaded.dataset_name, loaded.axes) == (session.dataset_name, session.axes)
    assert loaded.settings == session.settings and loaded.seed == 7
    assert dict(loaded.view_options) == {"soft_colors": False, "show_true_mixture": True}
    assert (loaded.index, loaded.n_half_steps) == (5, session.n_half_steps)
    assert np.array_equal(loaded.initial_mixture.covariances, session.initial_mixture.covariances)
    assert np.array_equal(loaded.true_mixture.means, session.true_mixture.means)


def test_file_is_labelled_json(tmp_path, session):
    save_session(tmp_path / "s.emviz", session)
    document = json.loads((tmp_path / "s.emviz").read_bytes().decode("utf-8"))
    assert (document["format"], document["version"]) == ("emviz-session", 2)  # 2: "teaching"
    assert document["seed"] == 7 and document["settings"]["seed"] == 7
    assert list(document)[-1] == "points"  # the settings at the top, where a person looks


def test_round_trip_of_an_empty_session(tmp_path):
    empty = Session(points=np.empty((0, 2)))
    save_session(tmp_path / "empty.emviz", empty)
    loaded = load_session(tmp_path / "empty.emviz")
    assert loaded == empty and loaded.points.shape == (0, 2)
    assert loaded.labels is None and loaded.initial_mixture is None and loaded.index == -1
    assert list(replay(loaded)) == []


def test_replay_reproduces_the_history_exactly(tmp_path, run, session):
    _, _, history = run
    save_session(tmp_path / "s.emviz", session)
    replayed = list(replay(load_session(tmp_path / "s.emviz")))
    assert len(replayed) == len(history)
    for a, b in zip(replayed, history, strict=True):
        assert (a.phase, a.iteration, a.converged) == (b.phase, b.iteration, b.converged)
        assert a.log_likelihood == b.log_likelihood
        assert np.array_equal(a.mixture.means, b.mixture.means)
        assert np.array_equal(a.lower_bound, b.lower_bound, equal_nan=True)


def test_replay_stops_at_the_recorded_half_step(session):
    short = Session(points=session.points, settings=session.settings, index=2, n_half_steps=3,
                    initial_mixture=session.initial_mixture)
    assert [s.phase for s in replay(short)] == ["init", "E", "M"]


def test_session_checks_its_fields(session):
    with pytest.raises(ValueError, match="index 9 is outside a history of 3 half-steps"):
        Session(points=session.points, index=9, n_half_steps=3, initial_mixture=session.initial_mixture)
    with pytest.raises(ValueError, match="needs its initial mixture"):
        Session(points=session.points, index=0, n_half_steps=1)
    with pytest.raises(ValueError, match="labels should be 272 integers"):
        Session(points=session.points, labels=[0, 1])
    with pytest.raises(ValueError, match="NaN or infinity"):
        Session(points=[[0.0, np.inf]])


# -- damaged, foreign and future files -----------------------------------------------------


def saved_document(tmp_path, session) -> dict:
    save_session(tmp_path / "s.emviz", session)
    return json.loads((tmp_path / "s.emviz").read_text(encoding="utf-8"))


def load_edited(tmp_path, document):
    path = tmp_path / "edited.emviz"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_session(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message.removeprefix(f"{path}: ")


def test_newer_version_is_refused_with_a_clear_message(tmp_path, session):
    document = saved_document(tmp_path, session)
    document["version"] = 3
    document["points"] = "whatever version 3 does"
    assert load_edited(tmp_path, document) == (
        "written by a newer emviz (version 3); this emviz reads version 2"
    )


def test_truncated_file_says_incomplete_and_names_the_line(tmp_path, session):
    path = tmp_path / "cut.emviz"
    save_session(path, session)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:40]) + lines[40][:10], encoding="utf-8")  # cut in line 41
    with pytest.raises(DataError) as caught:
        load_session(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 41: the file is incomplete or damaged"), message
    assert caught.value.line == 41


def test_empty_and_binary_files(tmp_path):
    (tmp_path / "empty.emviz").write_bytes(b"")
    with pytest.raises(DataError, match=r"empty.emviz, line 1: the file is incomplete or damaged"):
        load_session(tmp_path / "empty.emviz")
    (tmp_path / "bin.emviz").write_bytes(b"\x00\x01garbage")
    with pytest.raises(DataError, match=r"bin.emviz, line 1: binary data"):
        load_session(tmp_path / "bin.emviz")


def test_missing_session_file(tmp_path):
    with pytest.raises(DataError, match="nope.emviz: no such file$"):
        load_session(tmp_path / "nope.emviz")


EDITS = {
    "missing-key": (lambda d: d.pop("index"), "missing key 'index'"),
    "missing-setting": (lambda d: d["settings"].pop("tol"), "missing key 'settings.tol'"),
    "wrong-type": (lambda d: d.update(index="5"), "'index' should be an integer, not \"5\""),
    "bool-is-not-int": (lambda d: d.update(n_half_steps=True),
                        "'n_half_steps' should be an integer, not true"),
    "setting-type": (lambda d: d["settings"].update(k=2.5), "'settings.k' should be an integer, not 2.5"),
    "setting-value": (lambda d: d["settings"].update(k=0),
                      "'settings.k' should be an integer from 1 to 20, not 0"),
    "seed-mismatch": (lambda d: d.update(seed=8), "'seed' (8) differs from 'settings.seed' (7)"),
    "view-option": (lambda d: d["view_options"].update(soft_colors=1),
                    "'view_options.soft_colors' should be true or false, not 1"),
    "points-text": (lambda d: d["points"].__setitem__(3, ["a", 1]),
                    "'points' should be a list of pairs [x, y] of numbers"),
    "points-ragged": (lambda d: d["points"].__setitem__(3, [1.0]),
                      "'points' should be a list of pairs [x, y] of numbers"),
    "points-null": (lambda d: d["points"].__setitem__(3, [None, 1.0]),
                    "'points' should be a list of pairs [x, y] of numbers"),
    "points-too-large": (lambda d: d["points"].__setitem__(3, [1e300, 1.0]),
                         "'points[3]' holds 1e+300, too large: emviz takes coordinates up to 1e+120"),
    "points-nan": (lambda d: d["points"].__setitem__(4, [0.0, float("nan")]),
                   "'points[4]' holds NaN (not a number) where a finite number belongs"),
    "points-infinity": (lambda d: d["points"].__setitem__(5, [-1e400, 0.0]),
                        "'points[5]' holds minus infinity where a finite number belongs"),
    "points-triples": (lambda d: d.update(points=[[1, 2, 3]], labels=None),
                       "'points' should be a list of pairs [x, y] (or of [x], 1-D data), got shape (1, 3)"),
    "labels-float": (lambda d: d["labels"].__setitem__(0, 0.5), "'labels' should be a list of integers"),
    "labels-count": (lambda d: d.update(labels=[0, 1]), "labels should be 272 integers, one per point"),
    "index-range": (lambda d: d.update(index=1000), "index 1000 is outside a history of"),
    "axes": (lambda d: d.update(axes=["x"]), "'axes' should be a list of two names"),
    "mixture": (lambda d: d["initial_mixture"].update(weights=[1, 1, 1]),
                "invalid mixture in initial_mixture: weights must sum to 1"),
    "mixture-3d": (lambda d: d["true_mixture"].update(means=[[0, 0, 0]] * 3),
                   "'true_mixture.means' is a 3-D mixture; emviz shows 2-D mixtures"),
    "not-a-session": (lambda d: d.update(format="emviz-run"), "an emviz run export, not an emviz session"),
    "no-format": (lambda d: d.pop("format"), "missing key 'format'"),
}


@pytest.mark.parametrize("edit, problem", EDITS.values(), ids=EDITS.keys())
def test_edited_file_says_which_key(tmp_path, session, edit, problem):
    document = saved_document(tmp_path, session)
    edit(document)
    message = load_edited(tmp_path, document)
    assert problem in message, message


def test_not_a_json_object(tmp_path):
    (tmp_path / "list.emviz").write_text("[1, 2]")
    with pytest.raises(DataError, match="list.emviz: not an emviz file: expected a JSON object"):
        load_session(tmp_path / "list.emviz")


# -- saving is atomic --------------------------------------------------------------------------


def test_a_failed_save_keeps_the_existing_file(tmp_path, session, monkeypatch):
    path = tmp_path / "keep.emviz"
    save_session(path, session)
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(DataError, match=f"^{path}: cannot write the file: No space left on device$"):
        save_session(path, Session(points=np.zeros((1, 2))))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.emviz"]  # no temporary file left


def test_a_save_that_cannot_serialise_writes_nothing(tmp_path, session):
    path = tmp_path / "keep.emviz"
    save_session(path, session)
    before = path.read_bytes()
    broken = Session(points=np.zeros((1, 2)), view_options={"soft_colors": True})
    object.__setattr__(broken, "dataset_name", object())  # not JSON: fails before any write
    with pytest.raises(TypeError):
        save_session(path, broken)
    assert path.read_bytes() == before


def test_save_overwrites_and_keeps_permissions(tmp_path, session):
    path = tmp_path / "s.emviz"
    path.write_text("old")
    path.chmod(0o640)
    save_session(path, session)
    assert load_session(path) == session
    assert path.stat().st_mode & 0o777 == 0o640


def test_save_writes_through_a_symlink(tmp_path, session):
    target = tmp_path / "real.emviz"
    link = tmp_path / "link.emviz"
    target.write_text("old")
    link.symlink_to(target)
    save_session(link, session)
    assert link.is_symlink() and load_session(target) == session


def test_session_to_json_is_plain_json(session):
    document = session_to_json(session)
    assert json.loads(json.dumps(document, allow_nan=False)) == document


def test_repeated_saves_through_encoded_arrays_write_what_a_plain_save_writes(tmp_path, session):
    """The autosave's saves reuse the points' text while they stay the same, bit for bit."""
    zero = session.points.copy()
    zero[0, 0] = 0.0
    signed = zero.copy()
    signed[0, 0] = -0.0  # equal to 0.0 as a number, not as text
    arrays = EncodedArrays()
    for s in (session, dataclasses.replace(session, index=2, dataset_name="moved"),
              dataclasses.replace(session, points=zero), dataclasses.replace(session, points=signed),
              dataclasses.replace(session, points=signed, labels=None),
              Session(points=np.empty((0, 2)))):
        save_session(tmp_path / "plain.emviz", s)
        save_session(tmp_path / "reused.emviz", s, arrays)
        assert (tmp_path / "reused.emviz").read_bytes() == (tmp_path / "plain.emviz").read_bytes()
        assert load_session(tmp_path / "reused.emviz") == s


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7])
def test_encoding_an_array_by_chunks_gives_the_text_of_the_whole(n):
    points = np.random.default_rng(n).normal(size=(n, 2))
    labels = np.arange(n) - 1
    for chunk in (1, 2, 3, 10):
        assert _json.encode_array(points, chunk) == _json.encode(points.tolist())
        assert _json.encode_array(labels, chunk) == _json.encode(labels.tolist())


@pytest.mark.parametrize("n", [0, 1, 7, 25])
def test_a_session_is_written_in_pieces_of_a_few_points(tmp_path, monkeypatch, session, n):
    """A save never builds the file as one string (joining or encoding a million points in
    one call holds the GIL for a few hundred ms, beside the GUI thread): it writes pieces of
    at most a chunk of points each, and the file is the text of the whole."""
    from emviz.dataio import _files

    points = np.random.default_rng(n).normal(size=(n, 2))
    s = dataclasses.replace(session, points=points, labels=np.arange(n) - 1 if n else None)
    written: list[bytes] = []
    original = _files.write_atomic

    def recorded(path, data):
        written.extend([data] if isinstance(data, bytes) else list(data))
        original(path, b"".join(written))

    monkeypatch.setattr("emviz.dataio.session.write_atomic", recorded)
    monkeypatch.setattr(_json.encode_array_pieces, "__defaults__", (3,))  # 3 points a piece
    save_session(tmp_path / "s.emviz", s)
    rows = [json.dumps(row, separators=(", ", ": ")).encode() for row in points.tolist()]
    assert max(sum(row in piece for row in rows) for piece in written) <= 3  # not all n at once
    assert b"".join(written).decode() == _json.dumps(session_to_json(s))  # the text of the whole
    assert load_session(tmp_path / "s.emviz") == s


def test_the_teaching_state_round_trips(tmp_path, session):
    teaching = TeachingState(kmeans_on=True, kmeans_lockstep=True, kmeans_half_steps=5,
                             oracle_fit=True, lesson_chapter=6, gallery_iterations=(0, 3, 9),
                             em_colors=(2, 0, 1))
    saved = dataclasses.replace(session, teaching=teaching)
    save_session(tmp_path / "t.emviz", saved)
    loaded = load_session(tmp_path / "t.emviz")
    assert loaded.teaching == teaching and loaded == saved
    assert loaded != session  # the teaching state counts in equality (the autosave compares)


def test_a_version_1_file_is_read_with_the_teaching_state_at_its_defaults(tmp_path, session):
    document = saved_document(tmp_path, session)
    document["version"] = 1
    del document["teaching"]
    path = tmp_path / "old.emviz"
    path.write_text(json.dumps(document))
    loaded = load_session(path)
    assert loaded.teaching == TeachingState() and loaded.teaching.lesson_chapter is None
    assert loaded == session


def test_a_bad_teaching_field_is_named(tmp_path, session):
    document = saved_document(tmp_path, session)
    document["teaching"]["kmeans_half_steps"] = "four"
    expected = "'teaching.kmeans_half_steps' should be an integer, not \"four\""
    assert load_edited(tmp_path, document) == expected
    document["teaching"]["kmeans_half_steps"] = -1
    assert "kmeans_half_steps should be >= 0" in load_edited(tmp_path, document)


@pytest.fixture(scope="module")
def choose_k(run):
    """Choose K's curve at K = 1, 2 and three restarts, one of them failed (as a singular Σ_k
    would leave it): a NaN ln p, no mixture and a reason."""
    from emviz.session.choose_k_runs import Fit, criteria_curve, restarts

    X, settings, _ = run
    curve = tuple(criteria_curve(X, settings, [1, 2], 2))
    fits = [f for f in restarts(X, settings, 2) if isinstance(f, Fit)]
    failed = Fit(k=3, seed=9, mixture=None, log_likelihood=float("nan"), iterations=0,
                 converged=False, error="Σ_1 is singular")
    return curve, (*fits, failed)


def test_choose_k_curve_and_restarts_round_trip(tmp_path, session, choose_k):
    curve, fits = choose_k
    session = dataclasses.replace(
        session, teaching=TeachingState(choose_k_curve=curve, choose_k_restarts=fits))
    path = tmp_path / "choose.emviz"
    save_session(path, session)
    loaded = load_session(path)
    assert loaded == session
    got = loaded.teaching
    assert [p.k for p in got.choose_k_curve] == [1, 2]
    for a, b in zip(got.choose_k_curve, curve, strict=True):
        assert (a.bic, a.aic, a.starts, a.best.seed) == (b.bic, b.aic, b.starts, b.best.seed)
        np.testing.assert_array_equal(a.best.mixture.covariances, b.best.mixture.covariances)
    assert [f.seed for f in got.choose_k_restarts] == [f.seed for f in fits]
    last = got.choose_k_restarts[-1]
    assert last.mixture is None and np.isnan(last.log_likelihood) and last.error == "Σ_1 is singular"
    # A different curve is a different session.
    other = dataclasses.replace(session, teaching=TeachingState(choose_k_curve=curve[:1]))
    assert other != session


CHOOSE_K_EDITS = {
    "curve-not-object": (lambda t: t["choose_k_curve"].__setitem__(0, 3),
                         "'teaching.choose_k_curve[0]' should be an object {...}"),
    "curve-bic": (lambda t: t["choose_k_curve"][1].update(bic="low"),
                  "'teaching.choose_k_curve[1].bic' should be a number, not \"low\""),
    "curve-starts": (lambda t: t["choose_k_curve"][0].update(starts=["x"]),
                     "'teaching.choose_k_curve[0].starts' should be a list of numbers or null"),
    "curve-duplicate-k": (lambda t: t["choose_k_curve"][1].update(k=1),
                          "choose_k_curve should hold distinct K >= 1, got [1, 1]"),
    "restart-mixture": (lambda t: t["choose_k_restarts"][0]["mixture"].update(weights=[2, 0, 0]),
                        "invalid mixture in teaching.choose_k_restarts[0].mixture"),
    "restart-iterations": (lambda t: t["choose_k_restarts"][1].update(iterations=-1),
                           "'teaching.choose_k_restarts[1].iterations' should be >= 0, got -1"),
}


@pytest.mark.parametrize("edit, problem", CHOOSE_K_EDITS.values(), ids=CHOOSE_K_EDITS.keys())
def test_an_edited_choose_k_record_says_which_key(tmp_path, session, choose_k, edit, problem):
    curve, fits = choose_k
    session = dataclasses.replace(
        session, teaching=TeachingState(choose_k_curve=curve, choose_k_restarts=fits))
    document = saved_document(tmp_path, session)
    edit(document["teaching"])
    message = load_edited(tmp_path, document)
    assert problem in message, message
