"""A seeded monkey: random real input to a real MainWindow, as a class of restless students
would give it. Every action goes through the widgets (mouse clicks, key presses, spin boxes,
combo boxes, the history slider, the toolbars, resizes, the File menu's paths); modal dialogs
that open meanwhile are answered by a timer. The monkey records what it did, so a failure
names the actions that led to it, and how long the window was ever busy."""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QAction, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
)

KEYS = (  # the run's keyboard shortcuts
    (Qt.Key.Key_E, Qt.KeyboardModifier.NoModifier),
    (Qt.Key.Key_M, Qt.KeyboardModifier.NoModifier),
    (Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier),
    (Qt.Key.Key_P, Qt.KeyboardModifier.NoModifier),
    (Qt.Key.Key_R, Qt.KeyboardModifier.NoModifier),
    (Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier),
    (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier),
    (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
)
SIZES = ((1280, 800), (1195, 1311), (800, 1400), (1000, 1600), (640, 480), (1920, 1080),
         (900, 700), (1400, 500))
TEACH_ACTIONS = ("actionShowOracle", "actionFitOracle", "actionPaintLabels", "actionGallery",
                 "actionKMeansMode", "actionSample")


#: Events are processed for at most this long after each action, so a livelock (a repaint
#: that schedules another, forever) fails the idle check below instead of hanging the test.
SETTLE_MS = 200
#: A single action that holds the GUI thread this long is a lock-up: the watchdog prints the
#: stacks and the trail and ends the process (a hang would otherwise stall CI for good).
WATCHDOG_S = 90.0
#: Every this many actions, the monkey pauses and asserts the window stops repainting.
IDLE_CHECK_EVERY = 200
#: Paints one widget may still get in IDLE_PROBE_MS once nothing happens (a late frame, a
#: blinking text cursor); a repaint loop gives one widget dozens.
IDLE_MAX_PAINTS = 8
IDLE_PROBE_MS = 600


class PaintCounter(QObject):
    """Counts paint events delivered to the window and its children."""

    def __init__(self, window) -> None:
        super().__init__()
        self.window = window
        self.count = 0
        self.painted: dict[str, int] = {}

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Paint and obj.isWidgetType() and (
                obj is self.window or self.window.isAncestorOf(obj)):
            self.count += 1
            name = f"{_describe(obj)} #{id(obj) % 10_000}"  # one entry per widget
            self.painted[name] = self.painted.get(name, 0) + 1
        return False


def _describe(widget) -> str:
    """Class and name of a widget, with the nearest named ancestor (unnamed ones abound)."""
    text = f"{type(widget).__name__}:{widget.objectName()}"
    parent = widget.parentWidget()
    while parent is not None and not parent.objectName():
        parent = parent.parentWidget()
    return text if parent is None else f"{text} in {parent.objectName()}"


@dataclass
class Report:
    actions: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    longest_busy_s: float = 0.0
    longest_action_s: float = 0.0
    dialogs_answered: int = 0
    idle_checks: int = 0
    most_idle_paints: int = 0
    trail: deque = field(default_factory=lambda: deque(maxlen=40))


class Monkey:
    """``Monkey(window, seed, folder).run(n)`` performs n random actions on ``window``;
    ``folder`` receives the files it loads and exports."""

    def __init__(self, window, seed: int, folder: Path, settle_timeout_s: float = 60.0) -> None:
        self.w = window
        self.rng = np.random.default_rng(seed)
        self.folder = folder
        # How long (at least) to wait for the window to come back to idle, counted in event-loop
        # polls. A wait, not a speed bound: the longest job and action are reported, never
        # asserted (a busy machine is no defect); a real lock-up is the watchdog's (WATCHDOG_S).
        self.settle_timeout_s = settle_timeout_s
        self.report = Report()
        self._busy_since: float | None = None
        self._files = self._write_files()
        self._answer = QTimer(interval=15)
        self._answer.timeout.connect(self._answer_dialog)
        self.actions: list[tuple[float, str, Callable[[], None]]] = [
            (12, "key", self.press_key),
            (6, "click points", self.click_points),
            (3, "shift+click", lambda: self.click_points(Qt.KeyboardModifier.ShiftModifier)),
            (2, "alt+click", lambda: self.click_points(Qt.KeyboardModifier.AltModifier)),
            (2, "spray drag", self.spray),
            (2, "wheel zoom", self.wheel),
            (4, "K", self.change_k),
            (4, "combo", self.change_combo),
            (2, "seed", lambda: self.spin("seedSpinBox", 0, 5)),
            (2, "speed", lambda: self.spin("speedSpinBox", 0, 60)),
            (1, "max iter", lambda: self.spin("maxIterSpinBox", 1, 30)),
            (3, "checkbox", self.toggle_checkbox),
            (5, "scrub", self.scrub),
            (5, "toolbar", self.toolbar_action),
            (4, "teach", self.teach_action),
            (3, "tab", self.switch_tab),
            (2, "resize", self.resize),
            (1, "generate", self.generate),
            (2, "load", self.load),
            (1, "paste", self.paste),
            (1, "export", self.export),
            (1, "session", self.session),
            (3, "lesson", self.lesson),
            (1, "present", self.present),
            (1, "restarts", self.restarts),
            (4, "wait", self.wait),
        ]
        weights = np.array([a[0] for a in self.actions], float)
        self._p = weights / weights.sum()

    # -- the loop ----------------------------------------------------------------------------
    def run(self, n: int) -> Report:
        self._answer.start()
        beat = [time.monotonic()]
        done = threading.Event()
        watchdog = threading.Thread(target=self._watch, args=(beat, done), daemon=True)
        watchdog.start()
        try:
            for _ in range(n):
                self.step()
                beat[0] = time.monotonic()
        finally:
            done.set()
            self._answer.stop()
        return self.report

    def _watch(self, beat: list[float], done: threading.Event) -> None:
        while not done.wait(1.0):
            if time.monotonic() - beat[0] > WATCHDOG_S:
                print(f"\nmonkey: one action held the GUI thread for over {WATCHDOG_S:.0f} s "
                      f"(a lock-up); {self.trail()}", file=sys.stderr, flush=True)
                faulthandler.dump_traceback(all_threads=True)
                os._exit(3)

    def step(self) -> None:
        i = int(self.rng.choice(len(self.actions), p=self._p))
        _, name, act = self.actions[i]
        self.report.trail.append(name)
        started = time.monotonic()
        act()
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, SETTLE_MS)
        took = time.monotonic() - started
        self.report.longest_action_s = max(self.report.longest_action_s, took)
        self.report.actions += 1
        self.report.counts[name] = self.report.counts.get(name, 0) + 1
        self._check_busy()
        if self.report.actions % IDLE_CHECK_EVERY == 0:
            self.check_settles()

    def check_settles(self) -> None:
        """With EM paused and no input, the window stops repainting (no feedback loop).

        Work that is still legitimately going on (a job, a view fitting in a thread of its
        own, such as the Choose K tab) may repaint: the probe waits for it to end, and is
        taken again if work started during it (a frame that was still due, say)."""
        c = self.w.controller
        c.pause()
        polls = int(self.settle_timeout_s * 1000 / 20)  # turns of 20 ms or more each
        for _ in range(10):
            while not self._quiet():
                polls -= 1
                assert polls > 0, f"never idle again; {self.trail()}"
                QTest.qWait(20)
            QTest.qWait(200)  # the last frame and any deferred layout
            if not self._quiet():
                continue
            counter = PaintCounter(self.w)
            QApplication.instance().installEventFilter(counter)
            try:
                QTest.qWait(IDLE_PROBE_MS)
            finally:
                QApplication.instance().removeEventFilter(counter)
            if self._quiet():
                break
        self.report.idle_checks += 1
        most = max(counter.painted.values(), default=0)
        self.report.most_idle_paints = max(self.report.most_idle_paints, most)
        assert most <= IDLE_MAX_PAINTS, (
            f"{counter.count} paints in {IDLE_PROBE_MS} ms of idling: a repaint loop "
            f"({sorted(counter.painted.items(), key=lambda kv: -kv[1])[:8]}); {self.trail()}")

    def _quiet(self) -> bool:
        """No job, no frame due or under way, and no view working in a thread of its own."""
        w, c = self.w, self.w.controller
        frame_due = w.frame_pending
        return not (c.busy or c.playing or frame_due
                    or any(getattr(view, "busy", False) for view in w.views))

    def _check_busy(self) -> None:
        """The longest a job (not Play, which is busy by design) has run, for the report."""
        c = self.w.controller
        now = time.monotonic()
        if c.busy and not c.playing:
            self._busy_since = self._busy_since or now
            busy = now - self._busy_since
            self.report.longest_busy_s = max(self.report.longest_busy_s, busy)
        else:
            self._busy_since = None

    def trail(self) -> str:
        return "last actions: " + ", ".join(self.report.trail)

    def finish(self, timeout_s: float = 30.0) -> None:
        """Pause, then wait until no job runs (the run must always come back to idle)."""
        c = self.w.controller
        c.pause()
        assert c.wait_idle(int(timeout_s * 1000)), f"never idle again; {self.trail()}"

    # -- helpers -----------------------------------------------------------------------------
    def _answer_dialog(self) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            return
        self.report.dialogs_answered += 1
        if isinstance(dialog, QMessageBox):
            dialog.accept()
        elif isinstance(dialog, QDialog):
            dialog.accept() if self.rng.random() < 0.7 else dialog.reject()
        else:
            dialog.close()

    def _child(self, kind, name: str):
        return self.w.findChild(kind, name)

    def _point_in_view(self) -> QPoint:
        vp = self.w.points_view.viewport()
        return QPoint(int(self.rng.integers(5, max(6, vp.width() - 5))),
                      int(self.rng.integers(5, max(6, vp.height() - 5))))

    def _write_files(self) -> dict[str, Path]:
        rng = np.random.default_rng(0)
        files = {}
        good = self.folder / "blobs.csv"
        X = np.r_[rng.normal(-2, 0.6, (150, 2)), rng.normal(2, 0.6, (150, 2))]
        good.write_text("x,y,label\n" + "\n".join(f"{a:.5f},{b:.5f},{int(a > 0)}" for a, b in X))
        files["good"] = good
        wide = self.folder / "three_columns.csv"
        wide.write_text("a,b,c\n" + "\n".join(f"{a:.4f},{b:.4f},{a + b:.4f}" for a, b in X[:60]))
        files["wide"] = wide
        bad = self.folder / "broken.csv"
        bad.write_text("x,y\n1,2\n3,banana\n")
        files["bad"] = bad
        huge = self.folder / "huge_values.csv"
        huge.write_text("x,y\n1,2\n1e300,5\n3,4\n")
        files["huge"] = huge
        files["missing"] = self.folder / "does_not_exist.csv"
        binary = self.folder / "binary.csv"
        binary.write_bytes(b"\x00\x01\x02garbage")
        files["binary"] = binary
        few = self.folder / "two_points.csv"
        few.write_text("x,y\n0,0\n1,1\n")
        files["few"] = few
        return files

    # -- actions -----------------------------------------------------------------------------
    def press_key(self) -> None:
        key, modifiers = KEYS[int(self.rng.integers(len(KEYS)))]
        QTest.keyClick(self.w, key, modifiers)

    def click_points(self, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        QTest.mouseClick(self.w.points_view.viewport(), Qt.MouseButton.LeftButton, modifiers,
                         self._point_in_view())

    def spray(self) -> None:
        vp = self.w.points_view.viewport()
        start = self._point_in_view()
        QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        for _ in range(int(self.rng.integers(1, 6))):
            QTest.mouseMove(vp, self._point_in_view())
        QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           self._point_in_view())

    def wheel(self) -> None:
        view = self.w.points_view
        cursor = QPointF(self._point_in_view())
        delta = int(self.rng.choice([-240, -120, 120, 240]))
        event = QWheelEvent(cursor, QPointF(view.mapToGlobal(cursor.toPoint())), QPoint(0, 0),
                            QPoint(0, delta), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view.viewport(), event)

    def change_k(self) -> None:
        box = self._child(QSpinBox, "kSpinBox")
        box.setFocus()
        key = Qt.Key.Key_Up if self.rng.random() < 0.55 else Qt.Key.Key_Down
        for _ in range(int(self.rng.integers(1, 4))):
            QTest.keyClick(box, key)

    def change_combo(self) -> None:
        name = str(self.rng.choice(["initCombo", "covarianceCombo", "regCovarCombo", "tolCombo",
                                    "datasetCombo"]))
        combo = self._child(QComboBox, name)
        combo.setFocus()
        QTest.keyClick(combo, Qt.Key.Key_Down if self.rng.random() < 0.5 else Qt.Key.Key_Up)

    def spin(self, name: str, low: int, high: int) -> None:
        box = self._child(QSpinBox, name)
        box.setFocus()
        box.selectAll()
        QTest.keyClicks(box, str(int(self.rng.integers(low, high + 1))))
        QTest.keyClick(box, Qt.Key.Key_Return)

    def toggle_checkbox(self) -> None:
        box = self._child(QCheckBox, str(self.rng.choice(["softColorsCheck", "trueMixtureCheck"])))
        if box.isVisible():
            QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))

    def scrub(self) -> None:
        slider = self.w.history_slider
        if self.rng.random() < 0.5:
            slider.setValue(int(self.rng.integers(slider.minimum(), slider.maximum() + 1)))
        else:
            slider.setFocus()
            key = Qt.Key.Key_Home if self.rng.random() < 0.3 else Qt.Key.Key_PageUp
            QTest.keyClick(slider, key)

    def _trigger(self, name: str) -> None:
        action = self.w.findChild(QAction, name) or self.w.actions_by_name.get(name)
        if action is not None and action.isEnabled() and action.isVisible():
            action.trigger()

    def toolbar_action(self) -> None:
        self._trigger(str(self.rng.choice(["actionEStep", "actionMStep", "actionStep", "actionPlay",
                                           "actionReset", "actionBack", "actionForward",
                                           "actionUndo", "actionRedo", "actionClearPoints"])))

    def teach_action(self) -> None:
        names = list(TEACH_ACTIONS)
        if self.w.actions_by_name["actionKMeansMode"].isChecked():
            names += ["actionKMeansAssign", "actionKMeansUpdate", "actionKMeansStep",
                      "actionKMeansReset", "actionKMeansGaussians", "actionKMeansLockstep"]
        self._trigger(str(self.rng.choice(names)))
        for top in QApplication.topLevelWidgets():  # a sampling or gallery window: poke, close
            if top is not self.w and top.isVisible() and not isinstance(top, QDialog | QMessageBox):
                if self.rng.random() < 0.5:
                    top.close()

    def switch_tab(self) -> None:
        tabs = self._child(QTabWidget, "explainTabs")
        tabs.tabBar().setCurrentIndex(int(self.rng.integers(tabs.count())))

    def resize(self) -> None:
        w, h = SIZES[int(self.rng.integers(len(SIZES)))]
        self.w.resize(w, h)

    def generate(self) -> None:
        self._trigger("actionGenerate")  # the modal dialog is answered by the timer

    def load(self) -> None:
        key = str(self.rng.choice(list(self._files)))
        self.w.files.open_data(str(self._files[key]))

    def paste(self) -> None:
        texts = ["1\t2\n3\t4\n5\t7\n", "x,y\n0.1,0.2\n0.3,-1\n2,2\n", "nonsense", "",
                 "1e300 2\n3 4\n"]
        QApplication.clipboard().setText(str(self.rng.choice(texts)))
        QTest.keyClick(self.w, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    def export(self) -> None:
        suffix = str(self.rng.choice(["png", "svg"]))
        view = str(self.rng.choice(["window", "points", "bound"]))
        self.w.files.export_image(str(self.folder / f"shot.{suffix}"), view, 1)

    def session(self) -> None:
        path = self.folder / "monkey.emviz"
        if path.exists() and self.rng.random() < 0.5:
            self.w.files.open_session(str(path))
        else:
            self.w.files.save_session(str(path))

    def _click_button(self, name: str) -> bool:
        button = self._child(QPushButton, name)
        if button is None or not button.isVisible() or not button.isEnabled():
            return False
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        return True

    def lesson(self) -> None:
        """F1 shows or hides the lesson; its Back, Try it and Next buttons when shown."""
        if self.rng.random() < 0.25 or not self._click_button(
                str(self.rng.choice(["lessonBack", "lessonTry", "lessonNext", "lessonNext"]))):
            QTest.keyClick(self.w, Qt.Key.Key_F1)

    def present(self) -> None:
        """F11 in and out of presentation mode, Esc, or the other theme."""
        choice = self.rng.random()
        if choice < 0.5:
            QTest.keyClick(self.w, Qt.Key.Key_F11)
        elif choice < 0.75:
            QTest.keyClick(self.w, Qt.Key.Key_Escape)
        else:
            self._trigger(str(self.rng.choice(["actionThemeLight", "actionThemeDark"])))

    def restarts(self) -> None:
        """Run from N random starts, on the Choose K tab (shown first if need be)."""
        tabs = self._child(QTabWidget, "explainTabs")
        for i in range(tabs.count()):
            if tabs.widget(i).objectName() == "modelChoiceTab":
                tabs.setCurrentIndex(i)
        self._click_button("restartsButton")

    def wait(self) -> None:
        QTest.qWait(int(self.rng.integers(1, 120)))
