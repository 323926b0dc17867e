"""θ by hand in the 1-D mode: grab the top of a component's bell in the histogram (its
marker at (μ_k, π_k N(μ_k | μ_k, σ_k²))) and drag it: left and right move μ_k, up and down
change π_k (the peak's height is π_k / √(2π σ_k²), so the marker stays on the bell's top;
the other weights keep their proportions). The same hand editor as the points view's
(emviz.gui.hand_edit): q held from the last E-step, evaluated in the background, newest
wins; releasing makes an undoable "θ set by hand" entry."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QMouseEvent

from ..core import Mixture, with_mean, with_weight
from .hand_edit import Gesture, HandEditor
from .histogram_view import HistogramView

#: A press within this many screen pixels of a bell's top marker grabs it.
GRAB_RADIUS_PX = 12.0
#: π_k stays within [WEIGHT_MIN, 1 − WEIGHT_MIN] while dragged.
WEIGHT_MIN = 1e-3


def peak_heights(mixture: Mixture) -> np.ndarray:
    """π_k N(μ_k | μ_k, σ_k²) = π_k / √(2π σ_k²): each bell's top, shape (K,)."""
    return mixture.weights / np.sqrt(2 * np.pi * mixture.covariances[:, 0, 0])


def dragged(start: Mixture, k: int, dx: float, top: float) -> Mixture:
    """θ at the drag's start with μ_k moved by ``dx`` and π_k giving the bell's top height
    ``top`` (clipped to a weight strictly between 0 and 1; K = 1 keeps π_1 = 1)."""
    moved = with_mean(start, k, start.means[k] + dx)
    if start.n_components == 1:
        return moved
    weight = top * np.sqrt(2 * np.pi * start.covariances[k, 0, 0])
    return with_weight(moved, k, float(np.clip(weight, WEIGHT_MIN, 1 - WEIGHT_MIN)))


class HistogramDrag(QObject):
    """The mouse on the histogram's viewport: press on a bell's top marker, drag, release."""

    def __init__(self, view: HistogramView, editor: HandEditor) -> None:
        super().__init__(view)
        self.view, self.editor = view, editor
        self.gesture = Gesture(editor, view)  # what is grabbed: the component k
        view.viewport().installEventFilter(self)

    def hit(self, widget_pos: QPointF) -> int | None:
        """The component whose top marker is within GRAB_RADIUS_PX of ``widget_pos``."""
        tops = self.view.tops
        if not len(tops):
            return None
        box = self.view.getPlotItem().getViewBox()
        pixels = np.array([[p.x(), p.y()] for p in (
            self.view.mapFromScene(box.mapViewToScene(QPointF(float(x), float(y)))) for x, y in tops)])
        distance = np.hypot(*(pixels - [widget_pos.x(), widget_pos.y()]).T)
        k = int(np.argmin(distance))
        return k if distance[k] <= GRAB_RADIUS_PX else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            return self._pressed(event)
        if kind == QEvent.Type.MouseMove and self.gesture.grab is not None:
            return self._moved_to(event)
        if kind == QEvent.Type.MouseButtonRelease and self.gesture.grab is not None:
            return self._released()
        return False

    def _pressed(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or event.modifiers() != Qt.KeyboardModifier.NoModifier:
            return False
        k = self.hit(event.position())
        if k is None:
            return False
        self.gesture.press(k, event)
        self.view.hold_range = True
        return True

    def _moved_to(self, event: QMouseEvent) -> bool:
        shift = self.gesture.shift(event)
        if shift is None:
            return True
        k, start = self.gesture.grab, self.gesture.start
        self.editor.move(dragged(start, k, float(shift[0]), float(peak_heights(start)[k] + shift[1])))
        return True

    def _released(self) -> bool:
        self.gesture.release()
        self.view.hold_range = False
        self.view.viewport().unsetCursor()
        return True
