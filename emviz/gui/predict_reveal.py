"""Predict, then reveal, in the window: after a chapter's Try it, its question is asked
(``model.lesson.ask``) once the next half-step is the one it is about; the next plain left
click in the points view is the guess (it adds no point); the step runs through the run
controller; the answer is computed in the job runner and the points view shows the guess (a
cross), the answer (a ring), a dashed line between them and the distance in data units. The
state lives in ``model.lesson`` (LessonPart); this module only drives and draws it. The
block's syntax: emviz.session.predict.

The click is taken from the points view's scene by an event filter of its own (the view's
editing gestures stay untouched): only while a question is open, only a left click with no
modifier.
"""

from __future__ import annotations

import dataclasses

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, QTimer

from ..session.predict import Prediction, reveal
from .jobs import Background
from .teaching._shared import font

#: The distance's text (points), and never under this while presenting.
GUESS_PT = 13
PRESENT_MIN_PT = 18.0


class GuessClicks(QObject):
    """Takes the points view's plain left clicks while the lesson asks for a guess."""

    def __init__(self, window, on_guess) -> None:
        super().__init__(window)
        self._window, self._on_guess = window, on_guess
        window.points_view.scene().installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        kinds = (QEvent.Type.GraphicsSceneMousePress, QEvent.Type.GraphicsSceneMouseRelease,
                 QEvent.Type.GraphicsSceneMouseDoubleClick)
        if event.type() not in kinds or self._window.model.lesson.stage != "asking":
            return False
        if event.button() != Qt.MouseButton.LeftButton or event.modifiers() != Qt.KeyboardModifier.NoModifier:
            return False
        if event.type() == QEvent.Type.GraphicsSceneMouseRelease:
            box = self._window.points_view.getViewBox()
            if box.sceneBoundingRect().contains(event.scenePos()):
                pos = box.mapSceneToView(event.scenePos())
                self._on_guess(pos.x(), pos.y())
        event.accept()
        return True  # the view's own click (add a point) does not happen


class RevealOverlay:
    """The guess (a cross), the answer (a ring around it), a dashed line between them and the
    distance, in the points view, in the theme's foreground."""

    def __init__(self, window) -> None:
        self._window = window
        view = window.points_view
        self.line = pg.PlotCurveItem()
        self.guess = pg.ScatterPlotItem(symbol="x")
        self.answer = pg.ScatterPlotItem(symbol="o", brush=None)
        for z, item in enumerate((self.line, self.guess, self.answer)):
            item.setZValue(20 + z)
            view.addItem(item, ignoreBounds=True)
        # The distance in the view's top left corner (view pixels, not data): inside the plot
        # however small presenting makes it, and clear of the line and markers it measures.
        self.label = pg.TextItem(anchor=(0, 0))
        self.label.setParentItem(view.getViewBox())
        self.label.setPos(6, 4)
        self.label.setZValue(30)
        window.model.subscribe(lambda _a: self.draw(), {"lesson", "identity"})
        self.draw()

    def draw(self) -> None:
        lesson, view = self._window.model.lesson, self._window.points_view
        a = view.appearance
        fg = a.foreground
        shown = lesson.stage in ("running", "revealed") and lesson.guess is not None
        for item in (self.line, self.guess, self.answer, self.label):
            item.setVisible(False)
        if not shown:
            return
        gx, gy = lesson.guess
        size = 16 * a.font_scale
        self.guess.setData([gx], [gy], size=size, pen=pg.mkPen(fg, width=2), brush=pg.mkBrush(*fg))
        self.guess.setVisible(True)
        if lesson.stage != "revealed" or lesson.answer is None:
            return
        ax, ay = lesson.answer
        self.answer.setData([ax], [ay], size=2.4 * size, pen=pg.mkPen(fg, width=3), brush=None)
        self.line.setData([gx, ax], [gy, ay])
        self.line.setPen(pg.mkPen(fg, width=2, style=Qt.PenStyle.DashLine))
        self.label.setFont(font(max(GUESS_PT * a.font_scale, PRESENT_MIN_PT if a.presenting
                                    else GUESS_PT)))
        self.label.setText(f"d={lesson.distance:.2f}", color=fg)  # fits a 120 px plot
        self.label.fill = pg.mkBrush(*a.background, 220)  # readable over the points
        for item in (self.line, self.answer, self.label):
            item.setVisible(True)


class PredictReveal(QObject):
    """Drives a chapter's prediction: ``arm(prediction)`` after Try it; the question is asked
    once the next half-step is the one it is about; the rest follows the run controller (every
    move waits until it is idle, so Try it's own run ends first)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.prediction: Prediction | None = None
        # A guess belongs to the picture it was made on: new data close the question.
        window.model.subscribe(lambda _a: self.arm(None) if self.prediction else None, {"points"})
        self._phase = ""  # "", "prepare", "go", "converge", "wait", "compute"
        self._tick_timer = QTimer(self, singleShot=True, interval=0)
        self._tick_timer.timeout.connect(self._tick)
        window.controller.busy_changed.connect(lambda busy: None if busy else self._later())
        window.model.subscribe(lambda _a: self._later() if self._phase == "prepare" else None,
                               {"index"})
        self._background = Background("emviz-predict-reveal", self._revealed,
                                      self._failed, self)
        window.closing.connect(self._background.shutdown)
        self._follows_appearance = False
        self.clicks = GuessClicks(window, self.guess)
        self.overlay = RevealOverlay(window)

    @property
    def lesson(self):
        return self._window.model.lesson

    def arm(self, prediction: Prediction | None) -> None:
        """Ask ``prediction``'s question once the chapter's state is set up (None: nothing)."""
        self.prediction = prediction
        presentation = getattr(self._window, "presentation", None)  # installed after the lesson
        if presentation is not None and not self._follows_appearance:
            presentation.changed.connect(lambda _a: self.overlay.draw())
            self._follows_appearance = True
        self.lesson.clear_prediction()
        self._phase = "prepare" if prediction is not None else ""
        self._later()

    def guess(self, x: float, y: float) -> None:
        """The student's click, in data coordinates: the step runs."""
        if self.lesson.stage != "asking" or self.prediction is None:
            return
        self.lesson.set_guess(x, y)
        self._phase = "go"
        self._later()

    def _later(self) -> None:
        self._tick_timer.start()  # after the controller has started what follows a job

    def _tick(self) -> None:
        c, model, p = self._window.controller, self._window.model, self.prediction
        if p is None or not self._phase or c.busy:
            return  # busy_changed(False) ticks again
        if self._phase == "prepare":
            # An E or M question waits for the picture it is about: an M question for the
            # E-step the student presses (the colours then show r_nk), an E question for an
            # M-state. The question is asked once the next half-step is the one asked about.
            if p.step in ("E", "M") and c.next_phase() != p.step:
                return  # a half-step or a scrub ticks again
            self._phase = ""
            self.lesson.ask()
        elif self._phase == "go":
            if p.step == "restart":
                self._phase = "converge"
                c.apply_settings(dataclasses.replace(model.settings, seed=p.seed))
                self._later()
                return
            if p.step in ("E", "M") and self._half_step_first(p):
                return
            self._phase = "wait"
            if p.step == "converge":
                c.advance(2 * model.settings.max_iter)
            elif c.next_phase() is not None:
                c.step_e() if p.step == "E" else c.step_m()
            self._later()
        elif self._phase == "converge":
            self._phase = "wait"
            c.advance(2 * model.settings.max_iter)
            self._later()
        elif self._phase == "wait":
            self._phase = "compute"
            state, X, guess = model.current, model.points, self.lesson.guess
            self._background.request((state,), lambda: reveal(p, X, state.mixture, state.resp,
                                                              guess))

    def _half_step_first(self, p: Prediction) -> bool:
        """Run the other half-step first if the next one is not the one asked about (an M
        question is asked after an E-step, so the colours show r_nk); True if one was run."""
        c = self._window.controller
        if p.step not in ("E", "M") or c.next_phase() in (None, p.step):
            return False
        c.step_e() if c.next_phase() == "E" else c.step_m()
        self._later()
        return True

    def _revealed(self, _key, answer) -> None:
        self._phase = ""
        if self.lesson.stage == "running":
            self.lesson.reveal(answer.answer, answer.distance, answer.text, answer.component,
                               answer.headline)

    def _failed(self, text: str) -> None:
        self._phase = ""
        self._window.show_status(f"Lesson: the answer cannot be shown ({text})")

