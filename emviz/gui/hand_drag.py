"""Dragging θ by hand in the points view: an interaction object installed on the view.

The hit rule (no modifier needed): a left press within HIT_PX screen pixels of a mean μ_k,
of one of Σ_k's two axis handles or of π_k's handle grabs it (the nearest); a press anywhere
else is the view's own (click adds a point, drag sprays, shift / alt as before). A press on
a mean or a handle released without moving is a click, and adds a point there as any click
does (the edit of θ begins with the first move).

- a mean: μ_k follows the mouse by exactly the distance dragged;
- an axis handle (■, the ends of the 1σ ellipse's major and minor axes, full covariances
  only): Σ_k stretches and turns so that axis ends under the mouse, the other axis keeping
  its length (``emviz.core.with_axis``, never below sqrt(reg_covar));
- a π handle (◆, just right of each mean marker, whose area grows with π_k): π_k follows
  the handle's distance from μ_k, the other weights keep their proportions
  (``emviz.core.with_weight``).

The handles show while the mouse is over the view (and during a drag), so exports and
screenshots show none.

Ellipses, handles, numbers and colours follow the θ the model shows, as fast as
``HandEditor`` evaluates dragged positions in the background (the newest wins). The
interaction filters the view's viewport events and leaves the view's own mouse handling
alone.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QMouseEvent

from ..core import Mixture, axis_handles, with_axis, with_mean, with_weight
from ..session import schema
from ..session.model import Workbench
from .features import Feature
from .hand_edit import Gesture, HandEditor
from .points_view import PointsView

#: A press this close (screen pixels) to a mean or a handle grabs it.
HIT_PX = 10.0
#: The π_k handle (◆) sits this many screen pixels right of the mean marker's rim; the
#: marker's area grows with π_k, so dragging the handle out makes the marker (and π_k) grow.
PI_GAP_PX = 7.0
#: π_k set from its handle stays within what may be typed (schema.WEIGHT).
PI_RANGE = (schema.WEIGHT.low, schema.WEIGHT.high)

TIP = ("Drag a mean (●) to move μ_k, a square (■) to stretch and turn Σ_k, a diamond (◆) "
       "to change π_k: ln p, L(q, θ) and the colours follow; Ctrl+Z undoes.")


class HandDrag(QObject):
    """Grabs means and handles in ``view`` and feeds ``editor`` the dragged θ."""

    #: A mean or a handle was grabbed (the window clears its status tip: the live ln p, L
    #: and KL of the status line show while dragging).
    grabbed = Signal()

    def __init__(self, view: PointsView, model: Workbench, editor: HandEditor) -> None:
        super().__init__(view)
        self.view, self.model, self.editor = view, model, editor
        self.handles = pg.ScatterPlotItem(symbol="s", pxMode=True)
        self.handles.setZValue(11)
        self.handles.setVisible(False)
        view.addItem(self.handles, ignoreBounds=True)
        # What is grabbed: ("mean" | "axis" | "weight", k, axis).
        self.gesture = Gesture(editor, view)
        self._hovering = False
        view.viewport().setMouseTracking(True)
        view.viewport().installEventFilter(self)
        view.setToolTip(f"{view.toolTip()}\n{TIP}")
        view.setStatusTip(TIP)

    # -- what can be grabbed -----------------------------------------------------------
    def _mixture(self) -> Mixture | None:
        state = self.model.current
        return None if state is None else state.mixture

    def _sigma_handles_on(self) -> bool:
        return self.model.settings.covariance_type == "full"

    def targets(self, mixture: Mixture) -> list[tuple[tuple[str, int, int], np.ndarray]]:
        """Everything a press can grab, handles first (they are smaller): (what, data point)."""
        found = []
        if self._sigma_handles_on() and mixture.n_features == 2:
            for k in range(mixture.n_components):
                for axis, point in enumerate(axis_handles(mixture, k)):
                    found.append((("axis", k, axis), point))
        if mixture.n_components > 1:
            found += [(("weight", k, 0), point) for k, point in enumerate(self.weight_handles(mixture))]
        found += [(("mean", k, 0), mixture.means[k]) for k in range(mixture.n_components)]
        return found

    def _marker_sizes(self) -> tuple[float, float]:
        """(a, b) with a mean marker's diameter a + b·sqrt(π_k) in screen pixels."""
        base, full = self.view.appearance.mean_sizes(np.array([0.0, 1.0]))
        return float(base), float(full - base)

    def weight_handles(self, mixture: Mixture) -> np.ndarray:
        """Where the π_k handles sit: right of each mean marker's rim, shape (K, 2)."""
        base, per = self._marker_sizes()
        radius_px = (base + per * np.sqrt(mixture.weights)) / 2 + PI_GAP_PX
        sx, _ = self.view.pixel_size()
        return mixture.means + np.c_[radius_px * sx, np.zeros(len(radius_px))]

    def weight_at(self, mixture: Mixture, k: int, point: np.ndarray) -> float:
        """The π_k whose handle sits at the screen distance of ``point`` from μ_k."""
        sx, sy = self.view.pixel_size()
        offset = (np.asarray(point) - mixture.means[k]) / np.array([sx, sy])
        base, per = self._marker_sizes()
        diameter = 2 * (float(np.hypot(*offset)) - PI_GAP_PX)
        weight = (max(diameter - base, 0.0) / per) ** 2
        return float(np.clip(weight, *PI_RANGE))

    def hit(self, widget_pos: QPointF) -> tuple[str, int, int] | None:
        """What lies within HIT_PX of ``widget_pos`` (viewport pixels), the nearest first."""
        mixture = self._mixture()
        if mixture is None:
            return None
        best, best_d = None, HIT_PX
        for what, point in self.targets(mixture):
            p = self.view.data_to_widget(float(point[0]), float(point[1]))
            d = float(np.hypot(p.x() - widget_pos.x(), p.y() - widget_pos.y()))
            if d <= best_d:
                best, best_d = what, d
        return best

    # -- events ------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            return self._pressed(event)
        if kind == QEvent.Type.MouseMove:
            return self._moved_to(event)
        if kind == QEvent.Type.MouseButtonRelease:
            return self._released(event)
        if kind in (QEvent.Type.Enter, QEvent.Type.Leave):
            self._hovering = kind == QEvent.Type.Enter
            self.show_handles()
        return False

    def _pressed(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or event.modifiers() != Qt.KeyboardModifier.NoModifier:
            return False
        what = self.hit(event.position())
        if what is None:
            return False
        self.gesture.press(what, event)
        return True

    def _moved_to(self, event: QMouseEvent) -> bool:
        gesture = self.gesture
        if gesture.grab is None:
            self._set_cursor(event)
            return False
        began = gesture.moved
        shift = gesture.shift(event)
        if shift is None:
            return True
        if not began:
            self.grabbed.emit()
        # The handles move with the shown θ (the model's), not with every mouse move: a
        # repaint of the view per move would take the GUI thread from the evaluations.
        self.editor.move(self.dragged(gesture.grab, shift))
        return True

    def dragged(self, what: tuple[str, int, int], shift: np.ndarray) -> Mixture:
        """θ at the start of the drag with ``what`` moved by ``shift`` (data units)."""
        kind, k, axis = what
        start = self.gesture.start
        if kind == "mean":
            return with_mean(start, k, start.means[k] + shift)
        if kind == "weight":
            handle = self.weight_handles(start)[k]
            return with_weight(start, k, self.weight_at(start, k, handle + shift))
        tip = axis_handles(start, k)[axis] + shift
        return with_axis(start, k, axis, tip, self.model.settings.reg_covar)

    def _released(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        if self.gesture.grab is None:
            return False
        press = self.gesture.press_point
        if self.gesture.release():  # a click on a mean or a handle adds a point, as any click
            self.view.add_requested.emit(float(press[0]), float(press[1]))
        self._set_cursor(event)
        self.show_handles()
        return True

    # -- drawing -----------------------------------------------------------------------
    def show_state(self, model: Workbench) -> None:
        """Drawn with the points view (its ``overlays``): the handles of the θ it shows."""
        self.show_handles()

    def show_handles(self, mixture: Mixture | None = None) -> None:
        """The axis handles of ``mixture`` (default: the current θ), while the mouse is over
        the view or a drag goes on; hidden otherwise, so exports and screenshots show none."""
        mixture = mixture or self._mixture()
        on = (self._hovering or self.gesture.grab is not None) and mixture is not None \
            and mixture.n_features == 2
        targets = [] if not on else [t for t in self.targets(mixture) if t[0][0] != "mean"]
        self.handles.setVisible(bool(targets))
        if not targets:
            return
        palette = self.model.identity.em_palette(mixture.n_components)
        a = self.view.appearance
        self.handles.setData(
            pos=np.array([point for _, point in targets]),
            symbol=["d" if what[0] == "weight" else "s" for what, _ in targets],
            size=[(1.4 if what[0] == "weight" else 1.0) * (12.0 if a.presenting else 9.0)
                  for what, _ in targets],
            brush=[pg.mkBrush(*(int(c) for c in palette[what[1]])) for what, _ in targets],
            pen=pg.mkPen(a.foreground, width=1.5))

    def _set_cursor(self, event: QMouseEvent) -> None:
        over = self.hit(event.position()) is not None
        shape = Qt.CursorShape.OpenHandCursor if over else Qt.CursorShape.ArrowCursor
        if self.view.viewport().cursor().shape() != shape:
            self.view.viewport().setCursor(shape)


def install(window) -> Feature:
    """The hand editor (its entries on the window's edit stack) and the drag on the points
    view; the parameter table's π_k column becomes editable."""
    editor = HandEditor(window.model, window.controller, window.editor.stack, window, window.jobs)
    editor.message.connect(window.show_status)
    drag = HandDrag(window.points_view, window.model, editor)
    window.points_view.overlays.append(drag)
    drag.grabbed.connect(window.statusBar().clearMessage)
    table = window.params_table
    table.weight_edited.connect(editor.set_weight)
    editor.refused.connect(lambda: table.show_state(window.model))
    feature = Feature("hand_drag", drag, parts={"editor": editor})
    window.add_feature(feature)
    return feature
