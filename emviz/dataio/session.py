"""Sessions: the window's state in a ``.emviz`` file (JSON), to be picked up where it was left.

Version 2 adds what the teaching features show (the session model's parts, ``emviz.session.parts``):
k-means mode (on, lockstep, the run's length: k-means is deterministic too, so the run is
replayed from the seed), whether the oracle's fit is shown (it is refitted from the labels),
the lesson chapter, the gallery's iterations, the colour slot of each EM component, and Choose
K's criteria curve and random restarts (fitted runs take seconds: they are stored, not refitted).
Version 1 files are read with those at their defaults.

The history itself is not stored: EM is deterministic, so the window re-runs it from the
stored θ₀ with the stored settings for ``n_half_steps`` half-steps and shows ``index``. θ₀
is stored (not just the seed) so the run is reproduced exactly even for hand-edited points,
where re-initialising from the seed would start elsewhere.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from .. import __version__
from ..core import EMState, Mixture, run_em
from ..session.choose_k_runs import CriterionPoint, Fit, curve_key, restarts_key, same_key
from ..session.model import Settings
from . import _json
from ._files import PathLike, Progress, write_atomic
from ._layout import first_unfit, unfit

SESSION_FORMAT = "emviz-session"
SESSION_VERSION = 2
SESSION_SUFFIX = ".emviz"


@dataclass(frozen=True, eq=False)
class Session:
    """Everything needed to restore the window.

    points : array, shape (N, 2), or (N, 1) for 1-D data, read-only (N may be 0)
    labels : int array, shape (N,), read-only, or None; the oracle's z (-1: unlabelled)
    dataset_name, axes : what the window calls the data and its two axes
    settings : the model and run settings (K, initialisation, covariance type, seed, ...)
    view_options : the view's switches by name (e.g. ``soft_colors``), read-only
    index : the history position shown, -1 when there is no history
    n_half_steps : how many half-steps ("init", "E", "M", ...) the history held
    initial_mixture : θ₀ of the run, needed whenever n_half_steps > 0
    true_mixture : the generating mixture of generated data, if known
    column : None, or 0 or 1: the window showed this column of the 2-D ``points`` alone (the
        1-D mode, with the way back to both); θ₀ is then 1-D (``shown_points``)

    The session model's parts (version 2; see ``TeachingState``):
    teaching : k-means mode, the oracle's fit, the lesson chapter, the gallery, the colours

    Equal sessions (``==``) have equal fields, arrays compared exactly.
    """

    points: np.ndarray
    labels: np.ndarray | None = None
    dataset_name: str = ""
    axes: tuple[str, str] = ("x₁", "x₂")
    settings: Settings = field(default_factory=Settings)
    view_options: Mapping[str, bool] = field(default_factory=dict)
    index: int = -1
    n_half_steps: int = 0
    initial_mixture: Mixture | None = None
    true_mixture: Mixture | None = None
    teaching: TeachingState = field(default_factory=lambda: TeachingState())
    column: int | None = None

    def __post_init__(self) -> None:
        points = np.asarray(self.points, dtype=float)
        if points.size == 0:
            points = points.reshape(0, points.shape[1] if points.ndim == 2 and points.shape[1] == 1 else 2)
        if points.ndim != 2 or points.shape[1] not in (1, 2):
            raise ValueError(f"points should have shape (N, 2) or (N, 1), not {points.shape}")
        if self.column is not None and (self.column not in (0, 1) or points.shape[1] != 2):
            raise ValueError(f"column should be 0 or 1 of 2-D points, got {self.column!r} "
                             f"of points of shape {points.shape}")
        points = _read_only(points)
        object.__setattr__(self, "points", points)
        if not np.all(np.isfinite(points)):
            row = int(np.argmax(~np.isfinite(points).all(axis=1)))
            raise ValueError(f"points contain NaN or infinity (point {row}: {points[row].tolist()})")
        if self.labels is not None:
            labels = np.asarray(self.labels)
            if labels.size == 0:
                labels = labels.astype(np.int64)  # [] from JSON is a float array
            if labels.shape != (len(points),) or not np.issubdtype(labels.dtype, np.integer):
                raise ValueError(f"labels should be {len(points)} integers, one per point")
            object.__setattr__(self, "labels", _read_only(labels.astype(np.int64)))
        if len(self.axes) != 2:
            raise ValueError(f"axes should be two names, got {len(self.axes)}")
        object.__setattr__(self, "axes", tuple(self.axes))
        object.__setattr__(self, "view_options", types.MappingProxyType(dict(self.view_options)))
        self._check_history()

    def _check_history(self) -> None:
        n, index = self.n_half_steps, self.index
        if n < 0:
            raise ValueError(f"n_half_steps should be >= 0, got {n}")
        if not (index == -1 if n == 0 else 0 <= index < n):
            raise ValueError(f"index {index} is outside a history of {n} half-steps")
        if n > 0 and self.initial_mixture is None:
            raise ValueError("a session with a history needs its initial mixture θ₀ to re-run it")
        initial = self.initial_mixture
        if initial is not None and initial.n_components > self.settings.k:
            # the K control would show fewer components than the run has (the app starts EM
            # with fewer, after k-means left a cluster empty, never with more)
            raise ValueError(f"initial_mixture has K = {initial.n_components} components, more "
                             f"than settings.k = {self.settings.k}")
        d_shown, d_points = (1 if self.column is not None else self.points.shape[1]), self.points.shape[1]
        for name, d in (("initial_mixture", d_shown), ("true_mixture", d_points)):
            mixture = getattr(self, name)
            if mixture is not None and mixture.n_features != d:
                raise ValueError(f"{name} is {mixture.n_features}-D, but the data it belongs "
                                 f"to have {d} column{'s' * (d != 1)}")

    @property
    def shown_points(self) -> np.ndarray:
        """The data EM ran on: ``points``, or their one ``column`` (shape (N, 1))."""
        return self.points if self.column is None else self.points[:, [self.column]]

    @property
    def seed(self) -> int:
        """The random seed of the initialisation (``settings.seed``)."""
        return self.settings.seed

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Session):
            return NotImplemented
        return (
            np.array_equal(self.points, other.points)
            and _same_labels(self.labels, other.labels)
            and (self.dataset_name, self.axes, self.settings, dict(self.view_options), self.index)
            == (other.dataset_name, other.axes, other.settings, dict(other.view_options), other.index)
            and self.n_half_steps == other.n_half_steps
            and _same_mixture(self.initial_mixture, other.initial_mixture)
            and _same_mixture(self.true_mixture, other.true_mixture)
            and self.teaching == other.teaching
            and self.column == other.column
        )

    __hash__ = None  # equality compares arrays, which do not hash


def save_session(path: PathLike, session: Session, arrays: EncodedArrays | None = None) -> None:
    """Write ``session`` as a ``.emviz`` file (JSON, UTF-8), atomically: a failed save leaves
    an existing file untouched. Raises DataError if the file cannot be written.

    ``arrays``: the text of the points and labels kept from the last save through it, reused
    if they are the same (the autosave writes the same points again and again)."""
    # Written piece by piece (no piece more than ~10,000 points): see _json.dump_pieces.
    pieces = _json.dump_pieces(_small_fields(session), (arrays or EncodedArrays()).pieces(session))
    write_atomic(path, (piece.encode("utf-8") for piece in pieces))


def session_to_json(session: Session) -> dict[str, Any]:
    """The JSON-ready dict of a session; small fields first, the points last."""
    return _small_fields(session) | _array_fields(session)


class EncodedArrays:
    """The JSON text of a session's labels and points, kept for the next save of the same.

    Encoding them is what a save of large data costs (seconds for a million points, where
    comparing them takes milliseconds), and the autosave writes the same points each time
    θ or the history position changes. One saver at a time: it is not thread-safe.
    """

    def __init__(self) -> None:
        self._arrays: tuple[np.ndarray | None, np.ndarray] | None = None
        self._pieces: dict[str, list[str]] = {}

    def text(self, session: Session) -> dict[str, str]:
        """{"labels": ..., "points": ...} as ``_json.encode`` writes them."""
        return {key: "".join(pieces) for key, pieces in self.pieces(session).items()}

    def pieces(self, session: Session) -> dict[str, list[str]]:
        """``text(session)``, each value as pieces of text (``_json.encode_array_pieces``)."""
        arrays = (session.labels, session.points)
        if self._arrays is None or not all(map(_same_bits, self._arrays, arrays)):
            labels = ["null"] if session.labels is None else _json.encode_array_pieces(session.labels)
            self._pieces = {"labels": labels, "points": _json.encode_array_pieces(session.points)}
            self._arrays = arrays  # the session's own read-only copies: they cannot change
        return self._pieces


def _small_fields(session: Session) -> dict[str, Any]:
    mixtures = {
        name: None if m is None else _json.mixture_to_json(m)
        for name, m in (("initial_mixture", session.initial_mixture), ("true_mixture", session.true_mixture))
    }
    settings = _json.settings_to_json(session.settings)
    return {
        "format": SESSION_FORMAT,
        "version": SESSION_VERSION,
        "emviz_version": __version__,  # which emviz wrote it (read by people, not by load_session)
        "dataset_name": session.dataset_name,
        "axes": list(session.axes),
        "settings": settings,
        "seed": settings["seed"],  # also in the settings; here too for a person reading the file
        "view_options": {key: bool(value) for key, value in session.view_options.items()},
        "index": int(session.index),
        "n_half_steps": int(session.n_half_steps),
        **mixtures,
        "teaching": teaching_to_json(session.teaching),
        "column": session.column,
    }


def _array_fields(session: Session) -> dict[str, Any]:
    return {
        "labels": None if session.labels is None else session.labels.tolist(),
        "points": session.points.tolist(),
    }


def load_session(path: PathLike, *, progress: Progress | None = None) -> Session:
    """Read a ``.emviz`` file. Raises DataError naming the file and the problem: a newer
    version, a damaged or truncated file (with the line), a missing key or a wrong type.
    ``progress`` hears of the bytes read (see ``Progress``)."""
    fields = _json.load(path, progress=progress)
    _json.check_format(fields, SESSION_FORMAT, SESSION_VERSION)
    settings = _json.settings_from_json(fields.object("settings"))
    seed = fields.get("seed", _json.INT)
    if seed != settings.seed:
        raise fields.error(f"'seed' ({seed}) differs from 'settings.seed' ({settings.seed})")
    axes = fields.get("axes", _json.LIST)
    if len(axes) != 2 or not all(isinstance(a, str) for a in axes):
        raise fields.error("'axes' should be a list of two names")
    values = dict(
        points=_points(fields),
        labels=fields.numbers("labels", "a list", "iu", nullable=True),
        dataset_name=fields.get("dataset_name", _json.STRING),
        axes=tuple(axes),
        settings=settings,
        view_options=_view_options(fields.object("view_options")),
        index=fields.get("index", _json.INT),
        n_half_steps=fields.get("n_half_steps", _json.INT),
        initial_mixture=_mixture(fields, "initial_mixture"),
        true_mixture=_mixture(fields, "true_mixture"),
        teaching=teaching_from_json(fields.object("teaching")) if "teaching" in fields else TeachingState(),
        column=fields.get("column", _json.INT, nullable=True) if "column" in fields else None,
    )
    try:
        return Session(**values)
    except ValueError as e:  # fields that do not fit together, e.g. an index past the history
        raise fields.error(str(e)) from None


def replay(session: Session) -> Iterator[EMState]:
    """The session's history, recomputed lazily (for the window's worker to drain): EM from
    θ₀ with the session's settings, stopped after ``n_half_steps`` half-steps.

    EM is deterministic, so these are the states that were saved, bit for bit, on the same
    machine and numpy. It may yield fewer if the file was edited; clamp ``index`` then.
    Draining it raises ValueError (from the core) if θ₀ does not fit the points.
    """
    if session.n_half_steps == 0 or session.initial_mixture is None:
        return iter(())
    s = session.settings
    run = run_em(session.shown_points, session.initial_mixture, s.covariance_type, s.reg_covar,
                 s.tol, s.max_iter)
    return islice(run, session.n_half_steps)


def _points(fields: _json.Fields) -> np.ndarray:
    points = fields.numbers("points", "a list of pairs [x, y]")
    if points.size == 0:
        return np.empty((0, 2))
    if points.ndim != 2 or points.shape[1] not in (1, 2):
        raise fields.error("'points' should be a list of pairs [x, y] (or of [x], 1-D data), "
                           f"got shape {points.shape}")
    found = first_unfit(points)  # Python's json reads NaN and Infinity, and 1e999 as infinity
    if found is not None:
        raise fields.error(f"'points[{found[0]}]' holds {unfit(points[found])}")
    return points


def _view_options(fields: _json.Fields) -> dict[str, bool]:
    return {key: fields.get(key, _json.BOOL) for key in fields.document}


def _mixture(fields: _json.Fields, key: str) -> Mixture | None:
    if fields.get(key, _json.OBJECT, nullable=True) is None:
        return None
    return _json.mixture_from_json(fields.object(key))


def _read_only(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def _same_labels(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))


def _same_bits(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Equal bit for bit, so equal text: 0.0 == -0.0, but json writes them differently."""
    if a is None or b is None:
        return a is b
    return (a.shape == b.shape and a.dtype == b.dtype
            and np.array_equal(np.ascontiguousarray(a).view(np.uint8),
                               np.ascontiguousarray(b).view(np.uint8)))


def _same_mixture(a: Mixture | None, b: Mixture | None) -> bool:
    if a is None or b is None:
        return a is b
    return all(
        np.array_equal(x, y)
        for x, y in ((a.weights, b.weights), (a.means, b.means), (a.covariances, b.covariances))
    )


# -- version 2: the session model's parts ----------------------------------------------------
# Kept in one block (and one JSON object, "teaching") apart from the data and EM's run above.


@dataclass(frozen=True, eq=False)
class TeachingState:
    """What the teaching features show, as saved (``emviz.session.parts`` holds it in the window).

    kmeans_on, kmeans_lockstep : k-means mode and its lockstep switch
    kmeans_half_steps : the k-means run's length (replayed from the settings' seed and K)
    oracle_fit : the oracle's complete-data fit is shown (refitted from the labels)
    lesson_chapter : the lesson chapter shown, 0-based (None: not recorded)
    gallery_iterations : the gallery's chosen iterations (empty: the default)
    em_colors : the palette slot of each EM component (empty: slot k for component k)
    choose_k_curve : Choose K's criteria curve, one point per fitted K (empty: not fitted for
        these points and settings)
    choose_k_restarts : Choose K's random restarts at the settings' K, in the order they ended

    Equal states (``==``) are saved as the same JSON.
    """

    kmeans_on: bool = False
    kmeans_lockstep: bool = False
    kmeans_half_steps: int = 0
    oracle_fit: bool = False
    lesson_chapter: int | None = None
    gallery_iterations: tuple[int, ...] = ()
    em_colors: tuple[int, ...] = ()
    choose_k_curve: tuple[CriterionPoint, ...] = ()
    choose_k_restarts: tuple[Fit, ...] = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TeachingState) and teaching_to_json(self) == teaching_to_json(other)

    __hash__ = None  # type: ignore[assignment]  (holds arrays)

    def __post_init__(self) -> None:
        if self.kmeans_half_steps < 0:
            raise ValueError(f"kmeans_half_steps should be >= 0, got {self.kmeans_half_steps}")
        if self.lesson_chapter is not None and self.lesson_chapter < 0:
            raise ValueError(f"lesson_chapter should be >= 0, got {self.lesson_chapter}")
        if any(i < 0 for i in self.gallery_iterations):
            raise ValueError("gallery_iterations should be iterations >= 0")
        if any(c < 0 for c in self.em_colors) or len(set(self.em_colors)) != len(self.em_colors):
            raise ValueError("em_colors should be distinct palette slots >= 0")
        object.__setattr__(self, "gallery_iterations", tuple(int(i) for i in self.gallery_iterations))
        object.__setattr__(self, "em_colors", tuple(int(c) for c in self.em_colors))
        ks = [p.k for p in self.choose_k_curve]
        if len(set(ks)) != len(ks) or any(k < 1 for k in ks):
            raise ValueError(f"choose_k_curve should hold distinct K >= 1, got {ks}")


def teaching_to_json(teaching: TeachingState) -> dict[str, Any]:
    return {
        "kmeans_on": teaching.kmeans_on,
        "kmeans_lockstep": teaching.kmeans_lockstep,
        "kmeans_half_steps": teaching.kmeans_half_steps,
        "oracle_fit": teaching.oracle_fit,
        "lesson_chapter": teaching.lesson_chapter,
        "gallery_iterations": list(teaching.gallery_iterations),
        "em_colors": list(teaching.em_colors),
        "choose_k_curve": [_point_to_json(p) for p in teaching.choose_k_curve],
        "choose_k_restarts": [_fit_to_json(f) for f in teaching.choose_k_restarts],
    }


def _fit_to_json(fit: Fit) -> dict[str, Any]:
    return {"k": fit.k, "seed": fit.seed,
            "mixture": None if fit.mixture is None else _json.mixture_to_json(fit.mixture),
            "log_likelihood": _json.finite_or_none(fit.log_likelihood),
            "iterations": fit.iterations, "converged": fit.converged, "error": fit.error}


def _fit_from_json(fields: _json.Fields) -> Fit:
    ll = fields.get("log_likelihood", _json.NUMBER, nullable=True)
    iterations = fields.get("iterations", _json.INT)
    if iterations < 0:
        raise fields.error(f"'{fields.name('iterations')}' should be >= 0, got {iterations}")
    return Fit(k=fields.get("k", _json.INT), seed=fields.get("seed", _json.INT),
               mixture=_mixture(fields, "mixture"),
               log_likelihood=float("nan") if ll is None else float(ll), iterations=iterations,
               converged=fields.get("converged", _json.BOOL), error=fields.get("error", _json.STRING))


def _point_to_json(point: CriterionPoint) -> dict[str, Any]:
    return {"k": point.k, "best": None if point.best is None else _fit_to_json(point.best),
            "bic": _json.finite_or_none(point.bic), "aic": _json.finite_or_none(point.aic),
            "starts": [_json.finite_or_none(v) for v in point.starts], "error": point.error}


def _point_from_json(fields: _json.Fields) -> CriterionPoint:
    def number(key: str) -> float:
        value = fields.get(key, _json.NUMBER, nullable=True)
        return float("nan") if value is None else float(value)

    starts = fields.get("starts", _json.LIST)
    if not all(v is None or _json.NUMBER[0](v) for v in starts):
        raise fields.error(f"'{fields.name('starts')}' should be a list of numbers or null")
    best = None if fields.get("best", _json.OBJECT, nullable=True) is None else (
        _fit_from_json(fields.object("best")))
    return CriterionPoint(k=fields.get("k", _json.INT), best=best, bic=number("bic"),
                          aic=number("aic"),
                          starts=tuple(float("nan") if v is None else float(v) for v in starts),
                          error=fields.get("error", _json.STRING))


def _records(fields: _json.Fields, key: str, read: Callable[[_json.Fields], Any]) -> tuple:
    """``read`` of each object in the list at ``key`` (none if the key is missing)."""
    if key not in fields:
        return ()
    records = []
    for i, item in enumerate(fields.get(key, _json.LIST)):
        if not isinstance(item, dict):
            raise fields.error(f"'{fields.name(key)}[{i}]' should be an object {{...}}")
        records.append(read(_json.Fields(fields.source, item, f"{fields.name(key)}[{i}]")))
    return tuple(records)


def teaching_from_json(fields: _json.Fields) -> TeachingState:
    """Every key is optional (a later version may add some; what is missing takes its default)."""
    def ints(key: str) -> tuple[int, ...]:
        values = fields.get(key, _json.LIST) if key in fields else []
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise fields.error(f"'{key}' should be a list of integers")
        return tuple(values)

    def one(key: str, kind: _json.Kind, default: Any, nullable: bool = False) -> Any:
        return fields.get(key, kind, nullable=nullable) if key in fields else default

    values = dict(
        kmeans_on=one("kmeans_on", _json.BOOL, False),
        kmeans_lockstep=one("kmeans_lockstep", _json.BOOL, False),
        kmeans_half_steps=one("kmeans_half_steps", _json.INT, 0),
        oracle_fit=one("oracle_fit", _json.BOOL, False),
        lesson_chapter=one("lesson_chapter", _json.INT, None, nullable=True),
        gallery_iterations=ints("gallery_iterations"),
        em_colors=ints("em_colors"),
        choose_k_curve=_records(fields, "choose_k_curve", _point_from_json),
        choose_k_restarts=_records(fields, "choose_k_restarts", _fit_from_json),
    )
    try:
        return TeachingState(**values)
    except ValueError as e:  # values that do not fit (the reading above raised DataError)
        raise fields.error(str(e)) from None


def teaching_state(model) -> TeachingState:
    """What the session model's parts hold, as saved (``model``: an ``emviz.session.model.Workbench``)."""
    k = model.kmeans
    gallery = model.gallery.iterations
    slots = tuple(int(c) for c in model.identity.em_slots)
    choose = model.choose_k  # kept only while they are the current points' and settings'
    curve_now = same_key(choose.curve_key, curve_key(model.points, model.settings))
    restarts_now = same_key(choose.restarts_key, restarts_key(model.points, model.settings))
    return TeachingState(
        kmeans_on=k.on, kmeans_lockstep=k.lockstep,
        kmeans_half_steps=len(k.history) if k.on else 0,
        oracle_fit=model.oracle.wanted, lesson_chapter=model.lesson.chapter,
        gallery_iterations=() if gallery == model.gallery.DEFAULT else gallery,
        em_colors=() if slots == tuple(range(len(slots))) else slots,
        choose_k_curve=tuple(choose.curve[k] for k in sorted(choose.curve)) if curve_now else (),
        choose_k_restarts=tuple(choose.restarts) if restarts_now else ())


def apply_teaching(model, teaching: TeachingState) -> None:
    """Make the model's parts what ``teaching`` says. Call it after the data and EM's run are
    restored: the features replay k-means and refit the oracle from them. The colours pin
    pin the restored run's first state, θ₀ (``Identity.pin``, before the run is restored)."""
    model.kmeans.want(teaching.kmeans_on, teaching.kmeans_half_steps, teaching.kmeans_lockstep)
    model.oracle.want(teaching.oracle_fit)
    if teaching.lesson_chapter is not None:
        model.lesson.set_chapter(teaching.lesson_chapter)
    model.gallery.set_iterations(teaching.gallery_iterations or model.gallery.DEFAULT)
    if teaching.choose_k_curve:  # the points and settings are the saved ones by now
        model.choose_k.set_curve(curve_key(model.points, model.settings),
                                 {p.k: p for p in teaching.choose_k_curve})
    if teaching.choose_k_restarts:
        model.choose_k.set_restarts(restarts_key(model.points, model.settings),
                                    list(teaching.choose_k_restarts))
