"""The window's one state model: points, labels, settings, EM history and the current index,
and the parts the teaching features show (``emviz.session.parts``).

Qt-free, so it can be tested and scripted without a display. A listener subscribes with
``subscribe(listener, aspects)`` and is called with the set of aspects that changed (only
when one of ``aspects`` is among them, if it gave any); views redraw from the model, and
nothing else holds state that a view shows. The aspects (``ASPECTS``):

- "points": the data X (and labels, axes, name) were replaced
- "labels": the oracle labels z changed (painting, undo)
- "settings", "options": the run's settings, the view switches
- "history": half-steps were added, dropped or recomputed; the run ended
- "index": the half-step shown
- "selection": the point the inspector explains, the component the equations show
- "kmeans", "oracle", "choose_k", "gallery", "lesson", "identity": the parts
  ``model.kmeans``, ``model.oracle``, ``model.choose_k``, ``model.gallery``, ``model.lesson``
  and ``model.identity`` (what each holds: ``emviz.session.parts``)

"identity" (which colour each EM component, k-means cluster and oracle label gets) follows
the others: the model recomputes it whenever the shown state, the k-means run or the labels
change, and announces it in the same call.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..core import EMState, Mixture
from . import schema
from .parts import ChooseKPart, GalleryPart, Identity, KMeansPart, LessonPart, OraclePart, label_means

K_MAX = schema.K_MAX  # the largest K the controls offer

#: Responsibilities of old states beyond this many bytes are dropped from the history and
#: recomputed when scrubbed to (mixtures, ln p and L are kept for every half-step).
RESP_BUDGET_BYTES = 256 * 2**20
#: The newest states always keep their responsibilities, whatever their size.
RESP_KEEP_NEWEST = 4

#: Coordinates larger than this in size are refused. EM squares them and sums the squares
#: over up to 5,000,000 points (dataio.MAX_ROWS), which must stay below the largest double
#: (about 1.8e308); and the views draw ellipses as Qt paths, which drop every point of 1e128
#: or more in size (an ellipse of data near 1e149 was drawn as spikes to the origin): 1e120
#: leaves a 2σ ellipse as wide as the data well inside that. Loading reports such a value by
#: line (dataio); this guards every other way.
MAX_COORDINATE = 1e120


def check_points(X) -> np.ndarray:
    """X as a float array of shape (N, 2), or (N, 1) for one-dimensional data (the histogram
    mode); ValueError unless every coordinate is finite and at most MAX_COORDINATE in size."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1:] not in ((2,), (1,)):
        X = X.reshape(-1, 2)  # (a new view even of an (N, 2) array: only when needed)
    # Two reductions, no temporary arrays (|X| <= MAX as an array took 22 ms at 10⁶ points,
    # on the GUI thread when a file's points arrive); a NaN makes min and max NaN, and NaN
    # compares False, so it is caught too.
    if len(X) and not (X.min() >= -MAX_COORDINATE and X.max() <= MAX_COORDINATE):
        raise ValueError(f"coordinates must be finite and at most {MAX_COORDINATE:g} in size")
    return X


#: The arrays ``frozen_checked_points`` made, by id (an entry goes with its array).
_CHECKED: weakref.WeakValueDictionary[int, np.ndarray] = weakref.WeakValueDictionary()


def frozen_checked_points(X) -> np.ndarray:
    """``check_points(X)`` as a read-only, contiguous array that owns its memory, known as
    checked: ``check_points_once`` (the model and the editor, on the GUI thread) takes it as
    it is. For a loading job, so that the checks and copies of 10⁶ points (60 ms) are not
    the GUI thread's. X is the caller's to give away (it is made read-only unless copied).
    Shape (N, 2) or (N, 1)."""
    X = np.ascontiguousarray(check_points(X))
    if X.base is not None:  # a view of a table's columns: its own memory
        X = X.copy()
    X.setflags(write=False)
    _CHECKED[id(X)] = X
    return X


def check_points_once(X) -> np.ndarray:
    """``check_points(X)``, unless X is an array ``frozen_checked_points`` made (read-only
    and its own memory, so unchanged since it was checked): then X itself."""
    if isinstance(X, np.ndarray) and _CHECKED.get(id(X)) is X and not X.flags.writeable:
        return X
    return check_points(X)


@dataclass(frozen=True, eq=False)
class BothColumns:
    """The 2-D data one column was taken from (the 1-D mode's way back): ``points`` (N, 2),
    their ``axes`` and ``name``, the generating mixture if known, and the ``column`` shown."""

    points: np.ndarray
    axes: tuple[str, str]
    column: int
    name: str = ""
    true_mixture: Mixture | None = None

    def __post_init__(self) -> None:
        points = check_points(self.points)
        if points.shape[1] != 2:
            raise ValueError(f"both columns: points must have shape (N, 2), got {points.shape}")
        if self.column not in (0, 1):
            raise ValueError(f"the column shown must be 0 or 1, got {self.column!r}")
        object.__setattr__(self, "points", _frozen(points))
        object.__setattr__(self, "axes", tuple(self.axes))

    def shown(self) -> np.ndarray:
        """The column shown, shape (N, 1)."""
        return self.points[:, [self.column]]


@dataclass(frozen=True)
class Settings:
    """What the user chose for the model and the run."""

    k: int = 2
    # Random data points, seed 0, gives Old Faithful a visible climb of about 20 iterations
    # (the lecture's "Start ... after 20th iteration"); k-means converges in 3.
    init_method: str = "random-points"
    covariance_type: str = "full"
    reg_covar: float = 1e-6
    seed: int = 0
    tol: float = 1e-4  # on |Δ ln p(X | θ)| / N, as scikit-learn's tol
    max_iter: int = 100

    def __post_init__(self) -> None:
        """Every field within what the controls can show (schema.SETTINGS), as plain Python
        values (an np.int64 seed becomes an int); schema.SchemaError, a ValueError, if not."""
        for name, field in schema.SETTINGS.items():
            object.__setattr__(self, name, field.check(name, getattr(self, name)))


@dataclass(frozen=True)
class ViewOptions:
    soft_colors: bool = True  # responsibility-weighted blend; False: argmax colour
    show_true_mixture: bool = False  # dashed ellipses of the generating mixture, if known
    show_oracle: bool = False  # colour points by the oracle's labels z instead of by r_nk
    show_density: bool = False  # p(x | θ) shaded under the points, with contour lines
    show_component_density: bool = False  # and each π_k N(x | μ_k, Σ_k)'s own contour lines


Listener = Callable[[frozenset[str]], None]

#: Every aspect a listener can hear of (see the module docstring).
ASPECTS = frozenset({"points", "labels", "settings", "options", "history", "index", "selection",
                     "kmeans", "oracle", "choose_k", "gallery", "lesson", "identity"})
#: Changes after which the colour identity is recomputed.
_IDENTITY_INPUTS = frozenset({"points", "labels", "history", "index", "kmeans"})


class Workbench:
    """Everything the window shows, in one place.

    Aspects passed to listeners: ``ASPECTS`` (see the module docstring).
    """

    def __init__(self) -> None:
        self._points = _frozen(np.empty((0, 2)))
        self.labels: np.ndarray | None = None  # oracle labels z (-1: unlabelled), or None
        self.true_mixture: Mixture | None = None
        self.dataset_name = ""
        self.axes = ("x₁", "x₂")
        self.both_columns: BothColumns | None = None  # 1-D data taken from these 2-D ones
        self.data_serial = 0  # +1 whenever the data are replaced as a whole (not edited)
        self.settings = Settings()
        self.options = ViewOptions()
        self.history: list[EMState] = []
        self.index = -1
        self.run_ended = ""  # why the run stopped ("converged", ...), or "" while it can go on
        self.selected_point: int | None = None  # the point the inspector explains
        self.selected_component = 0  # the component the equations panel shows numbers for
        self._listeners: list[tuple[Listener, frozenset[str] | None]] = []
        self.kmeans = KMeansPart(self._changed)
        self.oracle = OraclePart(self._changed)
        self.choose_k = ChooseKPart(self._changed)
        self.gallery = GalleryPart(self._changed)
        self.lesson = LessonPart(self._changed)
        self.identity = Identity(self._identity_changed)
        self._identity_changed_now = False
        self._new_run = True  # the next state shown starts a run: match it to the last one
        self._identity_inputs: tuple = (object(),) * 3  # what the identity was last computed from
        self._label_means: tuple[object, object, np.ndarray | None] = (None, None, None)

    # -- observation ------------------------------------------------------------------
    def subscribe(self, listener: Listener, aspects: frozenset[str] | set[str] | None = None) -> None:
        """Call ``listener(changed aspects)`` after each change; with ``aspects``, only after
        a change of one of them (a view names what it draws)."""
        if aspects is not None:
            unknown = set(aspects) - ASPECTS
            if unknown:
                raise ValueError(f"unknown aspects {sorted(unknown)}; known: {sorted(ASPECTS)}")
            aspects = frozenset(aspects)
        self._listeners.append((listener, aspects))

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners = [(f, a) for f, a in self._listeners if f != listener]

    def _changed(self, *aspects: str) -> None:
        what = frozenset(aspects)
        if what & _IDENTITY_INPUTS and self._follow_identity():
            what |= {"identity"}
        for listener, wanted in list(self._listeners):
            if wanted is None or what & wanted:
                listener(what)

    def _identity_changed(self, _aspect: str) -> None:
        self._identity_changed_now = True

    def _follow_identity(self) -> bool:
        """Recompute the colour identity; True if it changed."""
        self._identity_changed_now = False
        state = self.current
        km = self.kmeans.current if self.kmeans.on else None
        new_run = self._new_run and state is not None
        # The inputs are immutable and replaced, never changed: the same objects, the same slots.
        inputs = (None if state is None else state.mixture, None if km is None else km.centers,
                  self._labels_means())
        if not new_run and all(a is b for a, b in zip(inputs, self._identity_inputs, strict=True)):
            return False
        self._identity_inputs = inputs
        self.identity.follow(None if state is None else state.mixture.means, new_run,
                             inputs[1], inputs[2])
        if state is not None:
            self._new_run = False
        return self._identity_changed_now

    def _labels_means(self) -> np.ndarray | None:
        X, labels, means = self._label_means
        if X is not self._points or labels is not self.labels:
            means = label_means(self._points, self.labels)
            self._label_means = (self._points, self.labels, means)
        return means

    def _hold_identity(self) -> None:
        """A new run is about to replace the shown one: its colours carry over by position."""
        state = self.current
        if state is not None:
            self.identity.hold(state.mixture.means)
        self._new_run = True

    # -- reading ----------------------------------------------------------------------
    @property
    def points(self) -> np.ndarray:
        """The data X, a read-only array of shape (N, 2), or (N, 1) in the 1-D mode."""
        return self._points

    @property
    def current(self) -> EMState | None:
        return self.history[self.index] if 0 <= self.index < len(self.history) else None

    @property
    def at_tip(self) -> bool:
        return self.index == len(self.history) - 1

    # -- writing ----------------------------------------------------------------------
    def set_points(
        self,
        X: np.ndarray,
        labels: np.ndarray | None = None,
        true_mixture: Mixture | None = None,
        name: str | None = None,
        axes: tuple[str, str] | None = None,
        edit: bool = False,
        both_columns: BothColumns | None = None,
    ) -> None:
        """Replace the data; the history (which belongs to the old data) is cleared.
        ``edit``: these are the old data with a few points added or removed (views keep
        their zoom), not new data (``data_serial`` goes up: views frame them afresh).
        ValueError (and no change) for coordinates ``check_points`` refuses.
        ``both_columns``: X is one column of these 2-D data (the 1-D mode's way back)."""
        X = check_points_once(X)
        if both_columns is not None and (X.shape[1] != 1 or len(both_columns.points) != len(X)):
            raise ValueError("both_columns must hold the 2-D data the one column X came from")
        if labels is not None:
            labels = np.asarray(labels, dtype=int)
            if labels.shape != (X.shape[0],):
                raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
            labels = _frozen(labels)
        self._points = _frozen(X)
        self.labels = labels
        self.true_mixture = true_mixture
        self.both_columns = both_columns
        if name is not None:
            self.dataset_name = name
        if axes is not None:
            self.axes = axes
        if not edit:
            self.data_serial += 1
            self.identity.forget()
            self._new_run = True
        else:
            self._hold_identity()
        self.history, self.index, self.run_ended = [], -1, ""
        self.selected_point = None
        self._changed("points", "history", "index", "selection")

    def set_labels(self, labels: np.ndarray | None) -> None:
        """New oracle labels for the same points (painting labels); the history stays."""
        if labels is not None:
            labels = np.asarray(labels, dtype=int)
            if labels.shape != (len(self._points),):
                raise ValueError(f"labels must have shape ({len(self._points)},), got {labels.shape}")
            labels = _frozen(labels)
        self.labels = labels
        self._changed("labels")

    def select_point(self, i: int | None) -> None:
        """Choose the point whose responsibilities the inspector shows (None: no point)."""
        i = None if i is None or not 0 <= i < len(self._points) else int(i)
        if i != self.selected_point:
            self.selected_point = i
            self._changed("selection")

    def select_component(self, k: int) -> None:
        if k != self.selected_component:
            self.selected_component = int(k)
            self._changed("selection")

    def set_settings(self, settings: Settings) -> None:
        if settings != self.settings:
            self.settings = settings
            self._changed("settings")

    def set_options(self, **changes: bool) -> None:
        options = dataclasses.replace(self.options, **changes)
        if options != self.options:
            self.options = options
            self._changed("options")

    def start_history(self) -> None:
        """Forget every half-step: a new run is about to start."""
        self._hold_identity()
        self.history, self.index, self.run_ended = [], -1, ""
        self._changed("history", "index")

    def truncate_after_current(self) -> None:
        """Drop the half-steps after the current one (stepping on from a scrubbed-back state)."""
        if not self.at_tip:
            del self.history[self.index + 1 :]
            self.run_ended = ""
            self._changed("history")

    def append(self, states: list[EMState]) -> None:
        """Add newly computed half-steps and move to the newest, unless the user has scrubbed
        back meanwhile (states of a job still in flight must not pull the view away)."""
        if not states:
            return
        follow = self.at_tip
        self.history.extend(states)
        self._drop_old_resp()
        if follow:
            self.index = len(self.history) - 1
        self._changed("history", "index")

    def replace_after(self, i: int, states: list[EMState], index: int, run_ended: str = "") -> None:
        """Keep the half-steps up to history[i], put ``states`` after them and show
        history[index] (θ set by hand, its undo and redo: they replace the run's tail)."""
        self.history[i + 1 :] = states
        self.index = min(max(int(index), 0), len(self.history) - 1)
        self.run_ended = run_ended
        self._drop_old_resp()
        self._changed("history", "index")

    def replace_state(self, i: int, state: EMState) -> None:
        """Put back a state whose responsibilities were recomputed."""
        self.history[i] = state
        self._changed("history" if i != self.index else "index")

    def set_index(self, i: int) -> None:
        i = min(max(int(i), 0), len(self.history) - 1)  # -1 (no state) if the history is empty
        if i != self.index:
            self.index = i
            self._changed("index")

    def end_run(self, reason: str) -> None:
        if reason != self.run_ended:
            self.run_ended = reason
            self._changed("history")

    def _drop_old_resp(self) -> None:
        """Keep the history's memory bounded: responsibilities only for recent states."""
        keep: dict[int, bool] = {}  # id(resp) -> kept; an M-state shares q with its E-state
        total = 0
        for i in range(len(self.history) - 1, -1, -1):
            resp = self.history[i].resp
            if resp is None:
                continue
            if id(resp) not in keep:
                total += resp.nbytes
                keep[id(resp)] = len(keep) < RESP_KEEP_NEWEST or total <= RESP_BUDGET_BYTES
            if not keep[id(resp)]:
                self.history[i] = dataclasses.replace(self.history[i], resp=None, posterior=None)


def _frozen(a: np.ndarray) -> np.ndarray:
    """``a`` read-only and the model's own: copied unless it is read-only already and owns
    its memory (a loaded file's points, made for the model: copying 10⁶ of them held the GUI
    thread for 10-50 ms)."""
    if type(a) is np.ndarray and a.base is None and not a.flags.writeable:
        return a
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a
