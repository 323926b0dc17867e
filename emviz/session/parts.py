"""The parts of the session model beside the data and EM's history (see ``emviz.session.model``).

Each part holds what one teaching feature shows, Qt-free, and announces a change through
the ``Workbench`` that owns it, under the part's own aspect name (one aspect per part):

========== =================== =================================================================
aspect     part                holds
========== =================== =================================================================
kmeans     ``model.kmeans``    whether k-means mode is on, lockstep, the run's half-steps
                               (``KMeansState`` with their one-hot z), why it ended, what it
                               belongs to (X, K, seed), half-steps asked for by a restore
oracle     ``model.oracle``    whether the oracle's fit is wanted, the fit θ_oracle (or why
                               none), ln p(X | θ_oracle) and ln p(X_l, Z_l | θ_oracle)
choose_k   ``model.choose_k``  the Choose K curve (K -> BIC, AIC, ln p) and the restarts' fits,
                               each with the key of the data and settings it belongs to
gallery    ``model.gallery``   the gallery's chosen iterations
lesson     ``model.lesson``    the lesson chapter shown (0-based); its "predict, then reveal"
                               moment: the stage, the student's guess, the answer
identity   ``model.identity``  the colour slot of each EM component, k-means cluster and oracle
                               label (see ``Identity``)
========== =================== =================================================================

The features (widgets) keep no copy of this state: they write through the part's setters
and read the part when they draw; a view subscribes to the aspects it draws.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.matching import best_assignment, match_points
from ..look.colors import component_colors

Notify = Callable[[str], None]


def _quiet(_aspect: str) -> None:
    pass


class KMeansPart:
    """K-means mode: on/off, lockstep, and the run (its half-steps, one-hot z, end)."""

    def __init__(self, notify: Notify = _quiet) -> None:
        self._notify = notify
        self.on = False
        self.lockstep = False
        self.history: list = []  # KMeansState, oldest first
        self.hard: list[np.ndarray | None] = []  # the one-hot z (N, K) of each state
        self.ended = ""  # "converged", "max. iterations reached", or "" while it can go on
        self.X = np.empty((0, 2))
        self.k = 0
        self.key: tuple | None = None  # (X, K, seed) the run belongs to
        self.wanted_half_steps = 0  # a restored session's run length, until it is replayed

    @property
    def current(self):
        """The newest k-means half-step (KMeansState), or None."""
        return self.history[-1] if self.history else None

    def set_on(self, on: bool) -> None:
        if on != self.on:
            self.on = bool(on)
            self._notify("kmeans")

    def set_lockstep(self, on: bool) -> None:
        if on != self.lockstep:
            self.lockstep = bool(on)
            self._notify("kmeans")

    def start(self, X: np.ndarray, k: int, seed: int) -> None:
        """Forget the run: a new one on X with K centres from ``seed`` is about to start."""
        self.history, self.hard, self.ended = [], [], ""
        self.X, self.k, self.key = X, k, (X, k, seed)
        self._notify("kmeans")

    def extend(self, produced: list[tuple[Any, np.ndarray | None]], ended: str = "") -> None:
        """Add (state, one-hot z) half-steps; ``ended``: why the run is over, if it is."""
        for state, z in produced:
            self.history.append(state)
            self.hard.append(z)
        if ended:
            self.ended = ended
        self._notify("kmeans")

    def want(self, on: bool, half_steps: int, lockstep: bool) -> None:
        """What a restored session asks for: the mode on or off, its run replayed to
        ``half_steps`` half-steps (the run is deterministic: same X, K, seed)."""
        self.wanted_half_steps = int(half_steps) if on else 0
        self.lockstep = bool(lockstep)
        self.on = bool(on)
        self._notify("kmeans")


class OraclePart:
    """The oracle's complete-data fit θ_oracle and its two log-likelihoods."""

    def __init__(self, notify: Notify = _quiet) -> None:
        self._notify = notify
        self.wanted = False  # the fit is asked for (the "Fit with oracle labels" switch)
        self.fit = None  # Mixture, or None
        self.error = ""  # why there is no fit although one is wanted
        self.log_likelihood = float("nan")  # ln p(X | θ_oracle)
        self.complete = float("nan")  # ln p(X_l, Z_l | θ_oracle), labelled points only
        self.data: tuple | None = None  # (X, labels, covariance type, reg_covar) of the fit

    def set_fit(self, data: tuple, fit, log_likelihood: float = float("nan"),
                complete: float = float("nan"), error: str = "") -> None:
        self.wanted, self.data = True, data
        self.fit, self.error = fit, error
        self.log_likelihood, self.complete = log_likelihood, complete
        self._notify("oracle")

    def clear(self) -> None:
        self.wanted, self.data, self.fit, self.error = False, None, None, ""
        self.log_likelihood = self.complete = float("nan")
        self._notify("oracle")

    def want(self, on: bool) -> None:
        """A restored session asks for the fit (made by the oracle feature from the labels)."""
        if on != self.wanted:
            self.clear()
            self.wanted = bool(on)
            self._notify("oracle")


class ChooseKPart:
    """The Choose K tab's results: the criteria curve and the restarts' fits."""

    def __init__(self, notify: Notify = _quiet) -> None:
        self._notify = notify
        self.curve: dict[int, Any] = {}  # K -> CriterionPoint (BIC, AIC, ln p)
        self.curve_key: tuple | None = None
        self.restarts: list = []  # Fit of each restart, in the order they finished
        self.restarts_key: tuple | None = None

    def set_curve(self, key: tuple | None, curve: dict[int, Any]) -> None:
        self.curve_key, self.curve = key, curve
        self._notify("choose_k")

    def add_curve_point(self, k: int, point: Any) -> None:
        self.curve[k] = point
        self._notify("choose_k")

    def set_restarts(self, key: tuple | None, fits: list) -> None:
        self.restarts_key, self.restarts = key, fits
        self._notify("choose_k")

    def add_restart(self, fit: Any) -> None:
        self.restarts.append(fit)
        self._notify("choose_k")


class GalleryPart:
    """The iterations the gallery shows side by side (the lecture's 0, 1, 2, 5, 20)."""

    DEFAULT = (0, 1, 2, 5, 20)

    def __init__(self, notify: Notify = _quiet) -> None:
        self._notify = notify
        self.iterations: tuple[int, ...] = self.DEFAULT

    def set_iterations(self, iterations: tuple[int, ...]) -> None:
        iterations = tuple(int(i) for i in iterations)
        if iterations and iterations != self.iterations:
            self.iterations = iterations
            self._notify("gallery")


class LessonPart:
    """The lesson chapter shown, 0-based, and its "predict, then reveal" moment
    (emviz.session.predict): ``stage`` is "" (none), "asking" (a click in the points view is
    the guess), "running" (the step runs), "revealed" (``guess``, ``answer`` (x, y), the
    ``distance`` between them in data units and the ``outcome`` sentence are set)."""

    STAGES = ("", "asking", "running", "revealed")

    def __init__(self, notify: Notify = _quiet) -> None:
        self._notify = notify
        self.chapter = 0
        self._clear()

    def _clear(self) -> None:
        self.stage = ""
        self.guess: tuple[float, float] | None = None
        self.answer: tuple[float, float] | None = None
        self.answer_component: int | None = None  # the EM component whose mean is the answer
        self.distance = float("nan")
        self.outcome = ""  # Markdown
        self.headline = ""  # the outcome in a few words

    def set_chapter(self, chapter: int) -> None:
        if int(chapter) != self.chapter:
            self.chapter = int(chapter)
            self._clear()
            self._notify("lesson")

    def ask(self) -> None:
        """The question is open: the next click in the points view is the guess."""
        self._clear()
        self.stage = "asking"
        self._notify("lesson")

    def set_guess(self, x: float, y: float) -> None:
        """The student's guess, in data coordinates; the step runs next."""
        if self.stage != "asking":
            raise ValueError(f"no question is open (stage {self.stage!r})")
        self.guess, self.stage = (float(x), float(y)), "running"
        self._notify("lesson")

    def reveal(self, answer: tuple[float, float], distance: float, outcome: str,
               component: int | None = None, headline: str = "") -> None:
        if self.stage != "running":
            raise ValueError(f"nothing to reveal (stage {self.stage!r})")
        self.answer, self.distance, self.outcome = (float(answer[0]), float(answer[1])), \
            float(distance), outcome
        self.answer_component, self.stage = component, "revealed"
        self.headline = headline or outcome
        self._notify("lesson")

    def clear_prediction(self) -> None:
        if self.stage:
            self._clear()
            self._notify("lesson")


class Identity:
    """One colour per cluster in every view: the palette slot of each EM component, each
    k-means cluster and each oracle label.

    EM's components keep their slots through a run. A new run (a reseed, a new K, k-means'
    clusters as θ₀) matches its θ₀'s means μ_j to the means the previous run showed, so a
    component where one was keeps that one's slot (exact assignment, Σ‖μ_prev - μ_j‖²
    smallest); slots not taken go to the rest in order. New data start from slot k for k.

    K-means cluster i takes the slot of EM's component σ(i), σ minimising Σ_i ‖c_i - μ_σ(i)‖²
    over one-to-one σ (the Hungarian algorithm, any K); oracle label z takes the slot of the
    component whose mean is nearest the labelled points' mean, matched the same way. Clusters
    left over (more clusters than components) take free slots.

    em_slots : int (K_EM,); kmeans_slots : int (K_km,); oracle_slots : int (K_labels,)
    """

    def __init__(self, notify: Notify = _quiet) -> None:
        self._notify = notify
        self.em_slots = np.arange(0)
        self.kmeans_slots = np.arange(0)
        self.oracle_slots = np.arange(0)
        self._anchor: np.ndarray | None = None  # means the next run's θ₀ is matched to
        self._anchor_slots = np.arange(0)
        self._pinned: np.ndarray | None = None  # slots a restored session gives the next run

    # -- reading -------------------------------------------------------------------------
    def em_palette(self, k: int) -> np.ndarray:
        """The colour of each of K EM components, uint8 (K, 3)."""
        return palette_of(_slots(self.em_slots, k))

    def kmeans_palette(self, k: int) -> np.ndarray:
        """The colour of each of K k-means clusters, uint8 (K, 3)."""
        return palette_of(_slots(self.kmeans_slots, k))

    def oracle_palette(self, k: int) -> np.ndarray:
        """The colour of each of K oracle labels z = 0..K-1, uint8 (K, 3)."""
        return palette_of(_slots(self.oracle_slots, k))

    # -- following the model -------------------------------------------------------------
    def forget(self) -> None:
        """New data: nothing to stay consistent with."""
        self._anchor, self._anchor_slots, self._pinned = None, np.arange(0), None

    def pin(self, slots) -> None:
        """The next run's components take these slots (a restored session's colours)."""
        self._pinned = np.asarray(slots, dtype=int)

    def hold(self, means: np.ndarray | None) -> None:
        """The run shown now is about to be replaced: remember where its components are."""
        if means is not None and len(means):
            self._anchor, self._anchor_slots = np.array(means), self.em_slots.copy()

    def follow(self, em_means: np.ndarray | None, new_run: bool, kmeans_centers: np.ndarray | None,
               label_means: np.ndarray | None) -> None:
        """Recompute the slots; announce "identity" if any changed.

        em_means : (K_EM, 2) the shown EM state's μ; ``new_run``: its run has just started
        (match it to the held anchor); kmeans_centers : (K_km, 2); label_means : (K_labels, 2)
        (NaN rows for labels with no points).
        """
        em = self.em_slots
        if em_means is not None:
            k = len(em_means)
            if new_run or len(em) != k:
                em = self._slots_from_anchor(em_means)
        before = (self.em_slots, self.kmeans_slots, self.oracle_slots)
        self.em_slots = em
        self.kmeans_slots = (np.arange(0) if kmeans_centers is None else
                             _matched_slots(kmeans_centers, em_means, em, self.kmeans_slots))
        self.oracle_slots = (np.arange(0) if label_means is None else
                             _matched_slots(label_means, em_means, em, self.oracle_slots))
        after = (self.em_slots, self.kmeans_slots, self.oracle_slots)
        if any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True)):
            self._notify("identity")

    def _slots_from_anchor(self, means: np.ndarray) -> np.ndarray:
        k = len(means)
        pinned, self._pinned = self._pinned, None
        if pinned is not None and len(pinned) == k:
            return pinned
        if self._anchor is None or not len(self._anchor):
            return np.arange(k)
        anchor, slots = self._anchor, self._anchor_slots
        out = np.full(k, -1)
        if len(anchor) <= k:
            sigma = match_points(anchor, means)  # anchor i -> new component sigma[i]
            out[sigma] = slots[: len(anchor)]
        else:
            sigma = match_points(means, anchor)  # new component j -> anchor sigma[j]
            out = slots[sigma].copy()
        return _fill_free(out)


def _matched_slots(centers: np.ndarray, em_means: np.ndarray | None, em_slots: np.ndarray,
                   previous: np.ndarray) -> np.ndarray:
    """The slot of each of ``centers`` (C, 2): that of the EM component matched to it."""
    centers = np.asarray(centers, dtype=float)
    c = len(centers)
    if em_means is None or not len(em_means):
        return previous if len(previous) == c else np.arange(c)
    means = np.asarray(em_means, dtype=float)
    # NaN centres (a label with no points) cost the same against every component.
    d2 = ((centers[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)
    d2 = np.where(np.isfinite(d2), d2, np.nanmax(np.where(np.isfinite(d2), d2, 0)) + 1.0)
    out = np.full(c, -1)
    if c <= len(means):
        out = np.asarray(em_slots)[best_assignment(-d2)]
    else:
        sigma = best_assignment(-d2.T)  # component j -> centre sigma[j]
        out[sigma] = em_slots
    return _fill_free(out)


def _fill_free(slots: np.ndarray) -> np.ndarray:
    """Slots of -1 get the smallest slots nobody holds, in order."""
    slots = np.asarray(slots, dtype=int).copy()
    taken = set(slots[slots >= 0].tolist())
    free = (s for s in range(len(slots) + len(taken) + 1) if s not in taken)
    for i in np.flatnonzero(slots < 0):
        slots[i] = next(free)
    return slots


def _slots(slots: np.ndarray, k: int) -> np.ndarray:
    """The first k of ``slots``, or all of them and the smallest free slots after."""
    if len(slots) >= k:
        return np.asarray(slots[:k], dtype=int)
    return _fill_free(np.r_[np.asarray(slots, dtype=int), np.full(k - len(slots), -1)])


def palette_of(slots: np.ndarray) -> np.ndarray:
    """The colours of palette slots, uint8 (len(slots), 3)."""
    slots = np.asarray(slots, dtype=int)
    if not len(slots):
        return component_colors(0)
    return component_colors(int(slots.max()) + 1)[slots]


def label_means(X: np.ndarray, labels: np.ndarray | None) -> np.ndarray | None:
    """The mean of each oracle label's points, (K_labels, 2) (NaN rows for empty labels),
    or None without labels. O(N), once per new labels (the model caches it)."""
    if labels is None:
        return None
    known = labels >= 0
    if not known.any():
        return None
    z = labels[known]
    k = int(z.max()) + 1
    counts = np.bincount(z, minlength=k).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.stack([np.bincount(z, weights=X[known, d], minlength=k) / counts
                         for d in range(X.shape[1])], 1)
