"""The window's one state model: points, labels, settings, EM history and the current index.

Qt-free, so it can be tested and scripted without a display. Views observe it through
``changed`` (called with the set of aspects that changed) and redraw from it; nothing else
holds state that a view shows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import schema
from .core import EMState, Mixture

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
    """X as a float array of shape (N, 2); ValueError unless every coordinate is finite and
    at most MAX_COORDINATE in size."""
    X = np.asarray(X, dtype=float).reshape(-1, 2)
    if not np.all(np.abs(X) <= MAX_COORDINATE):  # NaN compares False, so it is caught too
        raise ValueError(f"coordinates must be finite and at most {MAX_COORDINATE:g} in size")
    return X


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


Listener = Callable[[frozenset[str]], None]


class Workbench:
    """Everything the window shows, in one place.

    Aspects passed to listeners: "points", "labels", "settings", "options", "history",
    "index", "selection".
    """

    def __init__(self) -> None:
        self._points = _frozen(np.empty((0, 2)))
        self.labels: np.ndarray | None = None  # oracle labels z (-1: unlabelled), or None
        self.true_mixture: Mixture | None = None
        self.dataset_name = ""
        self.axes = ("x₁", "x₂")
        self.data_serial = 0  # +1 whenever the data are replaced as a whole (not edited)
        self.settings = Settings()
        self.options = ViewOptions()
        self.history: list[EMState] = []
        self.index = -1
        self.run_ended = ""  # why the run stopped ("converged", ...), or "" while it can go on
        self.selected_point: int | None = None  # the point the inspector explains
        self.selected_component = 0  # the component the equations panel shows numbers for
        self._listeners: list[Listener] = []

    # -- observation ------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _changed(self, *aspects: str) -> None:
        what = frozenset(aspects)
        for listener in list(self._listeners):
            listener(what)

    # -- reading ----------------------------------------------------------------------
    @property
    def points(self) -> np.ndarray:
        """The data X, a read-only array of shape (N, 2)."""
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
    ) -> None:
        """Replace the data; the history (which belongs to the old data) is cleared.
        ``edit``: these are the old data with a few points added or removed (views keep
        their zoom), not new data (``data_serial`` goes up: views frame them afresh).
        ValueError (and no change) for coordinates ``check_points`` refuses."""
        X = check_points(X)
        if labels is not None:
            labels = np.asarray(labels, dtype=int)
            if labels.shape != (X.shape[0],):
                raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
            labels = _frozen(labels)
        self._points = _frozen(X)
        self.labels = labels
        self.true_mixture = true_mixture
        if name is not None:
            self.dataset_name = name
        if axes is not None:
            self.axes = axes
        if not edit:
            self.data_serial += 1
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
                self.history[i] = dataclasses.replace(self.history[i], resp=None)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a
