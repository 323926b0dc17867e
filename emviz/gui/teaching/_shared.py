"""What the four teaching views share: which half-steps a view explains, an identity cache
(so scrubbing back to a state shows its numbers without recomputing them), number formats
and fonts for a projector."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea

from ...core import EMState, Mixture
from ...look.colors import LOG_LIKELIHOOD_STYLE, LOWER_BOUND_STYLE, hex_color
from ...session.model import Workbench
from ..jobs import Background

#: Text in the teaching tabs: larger than the window's, read from the back of a lecture hall.
TEXT_PT = 12
FORMULA_PT = 14

#: The lecture's colours for the two curves, as the bound plot draws them.
LOG_LIKELIHOOD_RGB = LOG_LIKELIHOOD_STYLE[0]
LOWER_BOUND_RGB = LOWER_BOUND_STYLE[0]  # dashed; no component's colour (emviz.look.colors)
#: Background of the half-step that just ran (amber: visible on a washed-out projector).
HIGHLIGHT = "#ffe08a"

MINUS = "\u2212"


def swatch_html(rgb) -> str:
    """A component's colour as a small block in rich text: a colour to recognise, not text to
    read (a "■" in the colour was text, 2.2:1 for orange on white)."""
    return f"<span style='background: {hex_color(rgb)}'>&nbsp;&nbsp;&nbsp;</span>"


def font(points: float = TEXT_PT, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(points)
    f.setBold(bold)
    return f


class TextScroll(QScrollArea):
    """A wrapped text in a scroll area as tall as the text when there is room, and shorter
    (scrolling) only when there is not: the plot beside it keeps its least height, and the
    text is never cut, as a squeezed label's would be."""

    def __init__(self, label: QLabel, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setWidget(label)
        label.setAutoFillBackground(False)  # setWidget fills it: the page's colour shows through
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setAutoFillBackground(False)  # the page's colour shows through
        self._label = label

    def text_height(self) -> int:
        height = self._label.heightForWidth(self.viewport().width())
        return height if height >= 0 else max(0, self._label.sizeHint().height())  # -1: no text

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(super().sizeHint().width(), self.text_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # a line of the text: the rest scrolls (a bare label asked for all of its lines at
        # its narrowest, which held the page, and the lesson under it, taller)
        return QSize(super().minimumSizeHint().width(),
                     min(self.text_height(), self._label.fontMetrics().lineSpacing()))

    def fit(self) -> None:
        """After the text or the font changed: no taller than the text."""
        self.setMaximumHeight(self.text_height())
        self.updateGeometry()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.maximumHeight() != self.text_height():
            self.fit()  # a new width wraps the text into another number of lines

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.fit()


def fixed_plot(name: str, min_height: int) -> pg.PlotWidget:
    """A small plot that only shows numbers: no menu, no mouse zoom or pan, no buttons."""
    widget = pg.PlotWidget()
    widget.setObjectName(name)
    widget.setMinimumHeight(min_height)
    plot = widget.getPlotItem()
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    return widget


def num(x: float, decimals: int = 3) -> str:
    """A number with a real minus sign (−, not a hyphen), as the lecture prints it."""
    if not np.isfinite(x):
        return "−∞" if x < 0 else ("∞" if x > 0 else "NaN")
    text = f"{x:.{decimals}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]  # no "−0.000"
    return text.replace("-", MINUS)


def sci(x: float, digits: int = 4) -> str:
    """A probability density that may be tiny: 0.0123 or 3.21 × 10⁻⁸."""
    if x == 0 or not np.isfinite(x):
        return num(x, digits)
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.{digits}g}".replace("-", MINUS)
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    return f"{mantissa.replace('-', MINUS)} × 10<sup>{int(exponent)}</sup>".replace("-", MINUS)


def decimals_for(*differences: float, least: int = 3, most: int = 10) -> int:
    """Enough decimals that each non-zero difference shows as non-zero (a converged M-step
    raises ln p by 1e-6, which "0.000" would hide)."""
    places = least
    for d in differences:
        d = abs(float(d))
        if np.isfinite(d) and d > 0:
            places = max(places, int(np.ceil(-np.log10(d))) + 1)
    return min(places, most)


def current_state(model: Workbench) -> EMState | None:
    """The current half-step, or None when there is none or it belongs to other data (the
    history is about to be replaced)."""
    state = model.current
    if state is None:
        return None
    if state.resp is not None and len(state.resp) != len(model.points):
        return None
    return state


def last_m_step(model: Workbench) -> int | None:
    """The index of the M-state a slice θ_old → θ_new explains: the current state if it is an
    M-state, else the newest M-state before it (None if there is none). The state before an
    M-state is always its E-state, whose θ is θ_old."""
    for i in range(model.index, 0, -1):
        state = model.history[i]
        if state.phase == "M" and model.history[i - 1].phase == "E":
            return i
    return None


def q_mixture(model: Workbench) -> Mixture | None:
    """The θ whose posterior is the current q: an E-state's own θ, for an M-state the θ of
    the E-state before it (the M-step keeps q), and θ₀ for "init" (the first E-step's θ)."""
    state = model.current
    if state is None:
        return None
    if state.phase == "M" and model.index > 0:
        return model.history[model.index - 1].mixture
    if state.phase == "hand":  # q is that of the nearest E-step before it (if any)
        for earlier in reversed(model.history[: model.index]):
            if earlier.phase == "E":
                return earlier.mixture
    return state.mixture


def same(shown: tuple | None, now: tuple) -> bool:
    """Whether a view already shows ``now`` (compared by identity: states, arrays, mixtures)."""
    return shown is not None and len(shown) == len(now) and all(
        a is b for a, b in zip(shown, now, strict=True))


class IdentityCache:
    """Results for one data set X, keyed by the identity of the objects they were computed
    from (mixtures: immutable and small), least recently used dropped first. The key objects
    are kept alive with the result, so an id is never reused while its entry exists. Keys hold
    no responsibilities, and ``bind`` forgets everything when X changes, so the cache never
    keeps old data or the q the model dropped to bound its memory."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._data: object = None
        self._entries: OrderedDict[tuple[int, ...], tuple[tuple[Any, ...], Any]] = OrderedDict()

    def bind(self, data: object) -> bool:
        """Use the cache for ``data`` (the points X); True if that cleared it."""
        if data is self._data:
            return False
        self._data = data
        self._entries.clear()
        return True

    def has(self, objects: tuple[Any, ...]) -> bool:
        entry = self._entries.get(tuple(id(o) for o in objects))
        return entry is not None and all(a is b for a, b in zip(entry[0], objects, strict=True))

    def get(self, objects: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        key = tuple(id(o) for o in objects)
        if self.has(objects):
            self._entries.move_to_end(key)
            return self._entries[key][1]
        return self.put(objects, compute())

    def put(self, objects: tuple[Any, ...], value: Any) -> Any:
        self._entries[tuple(id(o) for o in objects)] = (objects, value)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value


class DeferWhilePlaying:
    """Mixin for a view whose numbers cost real work. Costly numbers not cached yet are never
    computed on the GUI thread: with the view on screen they are computed in a lane of the
    window's job runner and drawn when ready (the view shows the last ones meanwhile); with
    it hidden, when it is shown. While EM plays with the view hidden, even cheap numbers
    wait for the tab to be shown or play to stop, so the window never waits for them. The
    class sets ``self._playing`` (a callable) and ``self._cache`` (an IdentityCache), calls
    ``_defer`` in ``show_state``, and ``shutdown`` when the window closes."""

    _playing: Callable[[], bool] = staticmethod(lambda: False)
    _stale: Workbench | None = None
    _compute_thread: Background | None = None

    def _defer(self, model: Workbench, cached: bool, key: tuple | None = None,
               compute: Callable[[], Any] | None = None) -> bool:
        """True if the view should not compute now. ``compute``: the costly computation of
        ``key``'s numbers, which may run in the background (small ones are not passed)."""
        visible = self.isVisible()  # type: ignore[attr-defined]
        # Costly numbers never run on the GUI thread, playing or not: in the view's lane if
        # it is on screen, else when it is shown. Cheap ones are computed at once unless EM
        # plays with the view hidden.
        if cached or (compute is None and (visible or not self._playing())):
            self._stale = None
            return False
        self._stale = model
        if visible:
            if self._compute_thread is None:
                self._compute_thread = Background(
                    f"emviz-{type(self).__name__}", self._computed, self._compute_failed, self)
            self._compute_thread.request(key, compute)
        return True

    def _computed(self, key: tuple, value: Any) -> None:
        self._cache.put(key, value)  # type: ignore[attr-defined]
        self.refresh()

    def _compute_failed(self, text: str) -> None:
        self._stale = None

    def shutdown(self) -> None:
        if self._compute_thread is not None:
            self._compute_thread.shutdown()

    def add_to(self, window, title: str) -> None:
        """A tab of ``window``, drawn when the state changes while the tab is shown (and when
        it is shown), caught up when play stops, and its thread stopped when the window
        closes."""
        window.add_tab(self, title)
        window.add_view(self, {"points", "history", "index"})
        window.controller.playing_changed.connect(lambda on: None if on else self.refresh())
        window.closing.connect(self.shutdown)

    def refresh(self) -> None:
        """Draw what was skipped while EM played with this tab hidden."""
        if self._stale is not None:
            self.show_state(self._stale)  # type: ignore[attr-defined]

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)  # type: ignore[misc]
        self.refresh()
