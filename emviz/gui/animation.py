"""Animations for slides: File → Export animation… and ``emviz FILE --steps 20 --animate
out.gif``. One frame per half-step of the run from θ₀ (41 frames for 20 iterations), with
``glides`` in-between frames from each to the next if asked (emviz.look.motion), of the
points view and the ln p / L plot side by side ("slide"; or one of them, or the window).
Frame i shows the points view at half-step i and ln p / L up to half-step i, so frame 0 is
exactly what ``--screenshot --view slide`` shows of θ₀.

The work is split where it can run: the frames' states (θ(t), r(t), and q recomputed where
the history dropped it) are made in a lane of the window's job runner; Qt renders each frame
on the GUI thread, one per turn of the event loop, so the window stays responsive and the
progress bar's Cancel works; the lane then encodes them (Pillow, or ffmpeg for MP4,
emviz.dataio.animation), and the file is written atomically. A cancel leaves no file.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
)

from ..core import EMState
from ..dataio import DataError, write_atomic
from ..dataio.animation import (
    FPS_RANGE,
    GLIDES_MAX,
    check_options,
    commit,
    discard,
    encode,
    encode_mp4,
    frame_plan,
    temporary_beside,
)
from ..look.motion import ModelAt, glide_state
from ..session.runs import restored
from .export import render_image
from .glide import still
from .jobs import Stream
from .progress import ProgressDialog

#: What a frame can show: the slide (points view and ln p / L side by side) or one view.
VIEWS = ("slide", "points", "bound", "window")
DEFAULT_FPS = 2  # half-steps per second without glides: time to say what moved
#: Frame states computed ahead of the drawing (each holds an N x K r(t)).
STATES_AHEAD = 4
#: The drawn frames wait in memory for the encoder (RGB, 3 bytes a pixel): at most this much.
MAX_FRAME_BYTES = 2**30


def slide_image(window, scale: int = 1) -> QImage:
    """The points view and the ln p / L plot side by side, at their sizes in the window
    (the plot's tab is brought to the front: a hidden tab has not drawn)."""
    window.show_tab(window.bound_plot)
    left = render_image(window.points_view, scale)
    right = render_image(window.bound_plot, scale)
    width = left.width() + right.width()
    height = max(left.height(), right.height())
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor(*window.points_view.appearance.background))
    painter = QPainter(image)
    painter.drawImage(QPoint(0, 0), left)
    painter.drawImage(QPoint(left.width(), (height - right.height()) // 2), right)
    painter.end()
    image.setDevicePixelRatio(scale)
    return image


def view_image(window, view: str, scale: int = 1) -> QImage:
    """What --screenshot and each animation frame show of ``view`` (one of VIEWS)."""
    if view == "slide":
        return slide_image(window, scale)
    return render_image(window.files.view_widget(view), scale)


def rgb_array(image: QImage) -> np.ndarray:
    """The image's pixels as a uint8 array (H, W, 3), a copy."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=h * stride).reshape(h, stride)
    return data[:, : 3 * w].reshape(h, w, 3).copy()


def frame_states(X: np.ndarray, history: list[EMState], palette: np.ndarray,
                 plan: list[tuple[int, float]], ahead: threading.Semaphore | None = None,
                 cancelled=lambda: False) -> Iterator[tuple[int, EMState, np.ndarray]]:
    """(half-step i, the state to draw, its palette) for each frame of ``plan`` (runs in a
    lane: q recomputed where the history dropped it, θ(t) and r(t) interpolated).

    ``ahead``: a semaphore the drawing side releases once per frame drawn, so that only a
    few in-between states (each an N x K array) wait at any time, not the whole plan's."""
    whole: dict[int, EMState] = {}

    def state(i: int) -> EMState:
        if i not in whole:
            s = history[i]
            if s.resp is None and s.phase != "init":
                source = s.mixture if s.phase == "E" else history[i - 1].mixture
                s = next(restored(X, s, source))
            for old in [j for j in whole if j < i - 1]:
                del whole[old]  # only the pair being glided between is kept
            whole[i] = s
        return whole[i]

    for i, s in plan:
        while ahead is not None and not ahead.acquire(timeout=0.05):
            if cancelled():
                return
        if cancelled():
            return
        if s == 0.0:
            yield i, state(i), palette
        else:
            drawn, colors = glide_state(state(i), state(i + 1), palette, s)
            yield i, drawn, colors


class AnimationExport(QObject):
    """One export: ``start()``, then ``progress(done, total)`` and one ``ended(error)``
    ("" when the file was written, "cancelled" after a cancel, else the one-line problem)."""

    progress = Signal(int, int)
    ended = Signal(str)

    def __init__(self, window, path: str, fps: int = DEFAULT_FPS, glides: int = 0,
                 view: str = "slide", scale: int = 1) -> None:
        super().__init__(window)
        self.window, self.path, self.fps, self.glides = window, str(path), fps, glides
        self.view, self.scale = view, scale
        self.format = check_options(path, fps, glides)  # ValueError before anything starts
        if view not in VIEWS:
            raise ValueError(f"an animation shows one of {', '.join(VIEWS)}, not {view!r}")
        self.frames: list[np.ndarray] = []
        self.done = False
        self.error = ""
        self._cancel = threading.Event()
        self._queue: list[tuple[int, EMState, np.ndarray]] = []
        self._states_done = False
        self._temp: str | None = None
        self._result: bytes | str | None = None
        self._turn = QTimer(self, singleShot=True, interval=0)
        self._turn.timeout.connect(self._render_one)
        self._stream = Stream("emviz-animation", self._take, self._stream_ended, self,
                              window.jobs)
        self._still = None
        self._tab = None
        self._phase = "idle"

    # -- the run ------------------------------------------------------------------------
    def start(self) -> None:
        model = self.window.model
        controller = self.window.controller
        controller.pause()  # the run stands still while it is filmed
        controller.wait_idle(10_000)  # the half-step being computed, if any
        if controller.busy:
            self._end("EM is still computing a half-step; export the animation when it is done")
            return
        history = list(model.history)
        if not history:
            self._end("there is no run to animate: load data and step EM first")
            return
        self._model, self._history, self._points = model, history, model.points
        self._plan = frame_plan(len(history), self.glides)
        self.total = 2 * len(self._plan)  # rendering, then encoding
        k = history[-1].mixture.n_components
        self._still = still(self.window)
        self._still.__enter__()
        self._tab = self.window.tabs.currentWidget()
        self._phase = "render"
        self._ahead = threading.Semaphore(STATES_AHEAD)
        self._stream.start(frame_states(model.points, history, model.identity.em_palette(k),
                                        self._plan, self._ahead, self._cancel.is_set))

    def cancel(self, why: str = "cancelled") -> None:
        """Stop now; nothing is written (a temporary MP4 is removed). ``ended`` says ``why``."""
        if self.done:
            return
        self._cancel.set()
        if self._phase != "encode":
            self._stream.cancel()
        # else the encoder sees the flag at its next frame and ends itself: ffmpeg is closed
        # and its temporary file removed there (a generator stopped from outside would leave
        # ffmpeg writing a file nobody removes)
        self._turn.stop()
        if self._temp is not None:
            discard(self._temp)
        self._end(why)

    def wait_stopped(self, timeout: float = 30.0) -> bool:
        """Block until the background work has ended (scripts, tests): after a cancel while
        encoding, ffmpeg has closed and its temporary file is gone then."""
        return self._stream.wait_idle(timeout)

    def _take(self, items: list) -> None:
        if self._cancel.is_set():
            return
        if self._phase == "render":
            self._queue.extend(items)
            if not self._turn.isActive():
                self._turn.start()
        else:
            for item in items:
                if isinstance(item, int):
                    self.progress.emit(len(self._plan) + item, self.total)
                else:
                    self._result = item

    def _stream_ended(self, reason: str) -> None:
        if self._cancel.is_set() or self.done:
            return
        if reason.startswith("error"):
            if self._temp is not None:
                discard(self._temp)
            self._end(reason.removeprefix("error: "))
        elif self._phase == "render":
            self._states_done = True
            if not self._queue and not self._turn.isActive():
                self._encode()
        else:
            self._write()

    def _render_one(self) -> None:
        """One frame, in a turn of the event loop of its own."""
        if self._cancel.is_set() or not self._queue:
            return
        if self._model.points is not self._points:  # a script changed the data meanwhile
            self.cancel("the data changed during the export; nothing was written")
            return
        i, state, palette = self._queue.pop(0)
        at = ModelAt(self._model, state, palette, upto=i)
        pv, bound = self.window.points_view, self.window.bound_plot
        pv.prepare_state(at)
        pv.show_state(at)
        bound.show_state(at)
        self.frames.append(rgb_array(view_image(self.window, self.view, self.scale)))
        self._ahead.release()
        need = len(self._plan) * self.frames[0].nbytes
        if need > MAX_FRAME_BYTES:
            self.cancel(f"{len(self._plan)} frames of {self.frames[0].shape[1]} x "
                        f"{self.frames[0].shape[0]} pixels need {need / 2**30:.1f} GB of memory; "
                        "choose fewer glide frames, a smaller scale or a smaller window")
            return
        self.progress.emit(len(self.frames), self.total)
        if self._queue:
            self._turn.start()
        elif self._states_done:
            self._encode()

    def _encode(self) -> None:
        self._restore_views()
        self._phase = "encode"
        frames, cancelled = self.frames, self._cancel.is_set
        if self.format == "MP4":
            try:
                self._temp = temporary_beside(self.path)
            except DataError as error:
                self._end(str(error))
                return
            self._stream.start(encode_mp4(frames, self._temp, self.fps, cancelled))
        else:
            self._stream.start(encode(frames, self.format, self.fps, cancelled))

    def _write(self) -> None:
        try:
            if self.format == "MP4":
                if not isinstance(self._result, str):
                    raise DataError(self.path, "ffmpeg did not finish the file")
                commit(self._result, self.path)
            else:
                if not isinstance(self._result, bytes):
                    raise DataError(self.path, "the frames could not be encoded")
                write_atomic(self.path, self._result)
        except DataError as error:
            self._end(str(error))
            return
        self._end("")

    def _restore_views(self) -> None:
        """The window's views show the model again (not the last frame)."""
        if self._still is None:
            return
        if self._tab is not None:
            self.window.show_tab(self._tab)
        self.window.redraw_now()
        self._still.__exit__(None, None, None)
        self._still = None

    def _end(self, error: str) -> None:
        if self.done:
            return
        self._restore_views()
        self.done, self.error = True, error
        self.frames = []
        self.ended.emit(error)


class AnimationDialog(QDialog):
    """What File → Export animation… asks first: what to show, glides, frame rate."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        form = QFormLayout(self)
        self.view = QComboBox()
        for text, key in (("Points view and ln p, L", "slide"), ("Points view", "points"),
                          ("ln p, L plot", "bound"), ("Whole window", "window")):
            self.view.addItem(text, key)
        self.glides = QSpinBox()
        self.glides.setRange(0, GLIDES_MAX)
        self.glides.setToolTip("In-between frames from each half-step to the next (0: none)")
        self.fps = QSpinBox()
        self.fps.setRange(*FPS_RANGE)
        self.fps.setValue(DEFAULT_FPS)
        self.fps.setSuffix(" frames/s")
        self.glides.valueChanged.connect(lambda g: self.fps.setValue(DEFAULT_FPS * (g + 1)))
        form.addRow("Show", self.view)
        form.addRow("Glide frames per half-step", self.glides)
        form.addRow("Frame rate", self.fps)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def show_progress(export: AnimationExport) -> ProgressDialog:
    """A progress bar with Cancel over the window while ``export`` runs."""
    dialog = ProgressDialog(f"Exporting {Path(export.path).name}…", "Cancel", 0, 1,
                             export.window)
    dialog.setObjectName("animationProgress")
    dialog.setWindowTitle("emviz")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoReset(False)
    dialog.setAutoClose(False)
    dialog.setMinimumDuration(0)
    dialog.canceled.connect(export.cancel)

    def step(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)
        dialog.setLabelText(f"Exporting {Path(export.path).name}…\n"
                            + (f"frame {done} of {total // 2} drawn" if done <= total // 2
                               else f"frame {done - total // 2} of {total // 2} encoded"))

    def ended(_error: str) -> None:
        dialog.canceled.disconnect(export.cancel)  # closing the dialog emits canceled
        dialog.dispose()  # (Cancel may end the export inside the dialog's own setValue)

    export.progress.connect(step)
    export.ended.connect(ended)
    dialog.show()
    return dialog
