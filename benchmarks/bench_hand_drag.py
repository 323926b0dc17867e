"""Dragging θ by hand: how often the window shows a newly evaluated θ while a mean is dragged.

Prints, offscreen, in the real window (1280 x 800, K = 3, points from a generated mixture,
after one E and one M step), for N = 10⁴ and 10⁵:
- the core's evaluate_held (ln p, L(q, θ), KL and the posterior with q held): median ms;
- a drag of μ₁ by real mouse moves on the points view, one every 5 ms (200 a second, faster
  than any goal) for DRAG_SECONDS: how many newly evaluated θ the model took per second
  ("updates/s": ln p, L, KL, the posterior), and how many times the points view drew one per
  second ("draws/s": its colours and ellipses, what a class sees; the goal applies to these):
  goals >= 30 a second at 10⁴ points, >= 10 at 10⁵ (the newest position wins, so a slow
  evaluation skips positions rather than queueing them);
- the same with the Why tab on screen (its slice θ_E → θ_hand is computed in its own lane);
- for each, the GUI thread's CPU time per draw (not counting what other processes took).

Usage: python benchmarks/bench_hand_drag.py [--quick]
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from emviz.core import evaluate_held, generate  # noqa: E402
from emviz.gui import MainWindow  # noqa: E402

DRAG_SECONDS = 3.0
MOVE_MS = 5
GOALS = {10_000: 30.0, 100_000: 10.0}


def wait(app: QApplication, until, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def core_ms(X: np.ndarray, state, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        evaluate_held(X, state.resp, state.mixture)
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def drag_rates(app: QApplication, window: MainWindow, seconds: float) -> tuple[float, float, float]:
    """(new θ shown per second, points-view draws per second, GUI-thread CPU ms per draw)
    during a drag of μ₁. The CPU time is the GUI thread's own (time.thread_time), so it does
    not count the time other processes took the core: 1000 / it is the draw rate one free
    core would give."""
    model, view = window.model, window.points_view
    shown, draws = [0], [0]

    def on_change(_aspects) -> None:
        if model.current is not None and model.current.phase == "hand":
            shown[0] += 1

    model.subscribe(on_change, {"index"})
    original = view.show_state

    def counted(m) -> None:
        draws[0] += 1
        original(m)

    view.show_state = counted
    vp = view.viewport()
    start = view.data_to_widget(*model.current.mixture.means[0])
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    moves = [0]

    def move() -> None:
        moves[0] += 1
        angle = moves[0] * 0.05
        QTest.mouseMove(vp, start + QPoint(round(60 * np.sin(angle)), round(40 * np.cos(angle) - 40)))

    timer = QTimer(interval=MOVE_MS)
    timer.timeout.connect(move)
    shown[0] = draws[0] = 0
    began, cpu = time.perf_counter(), time.thread_time()
    timer.start()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    timer.stop()
    elapsed, cpu = time.perf_counter() - began, time.thread_time() - cpu
    rates = shown[0] / elapsed, draws[0] / elapsed, 1000 * cpu / max(draws[0], 1)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(10, 10))
    editor = window.features["hand_drag"].parts["editor"]
    wait(app, lambda: not editor.dragging)
    view.show_state = original
    model.unsubscribe(on_change)
    return rates


def main() -> None:
    quick = "--quick" in sys.argv
    app = QApplication.instance() or QApplication(sys.argv[:1])
    seconds = 1.5 if quick else DRAG_SECONDS
    print(f"Drag θ by hand (μ₁ dragged by mouse moves every {MOVE_MS} ms for {seconds:g} s)")
    print(f"{'N':>8} {'core ms':>8} {'updates/s':>10} {'draws/s':>8} {'GUI ms/draw':>12} "
          f"{'Why: upd/s':>11} {'draws/s':>8} {'GUI ms/draw':>12} {'goal':>5}")
    for n, goal in GOALS.items():
        data = generate(3, n, separation=2.5, seed=1)
        window = MainWindow()
        window.resize(1280, 800)
        window.show()
        window.show_data(data.X, name="bench")
        wait(app, lambda w=window: len(w.history) == 1 and not w.controller.busy)
        window.controller.step()
        wait(app, lambda w=window: len(w.history) == 3 and not w.controller.busy)
        window.redraw_now()
        state = window.model.current
        ms = core_ms(window.points, state, 5 if quick else 15)
        updates, draws, gui_ms = drag_rates(app, window, seconds)
        why = window.feature("why")
        window.show_tab(why)
        window.controller.go_to(2)  # back to the M-state; the drag starts from there again
        wait(app, lambda w=window: not w.controller.busy)
        window.redraw_now()
        why_updates, why_draws, why_ms = drag_rates(app, window, seconds)
        verdict = "ok" if min(draws, why_draws) >= goal else "SLOW"
        print(f"{n:>8} {ms:>8.2f} {updates:>10.1f} {draws:>8.1f} {gui_ms:>12.1f} "
              f"{why_updates:>11.1f} {why_draws:>8.1f} {why_ms:>12.1f} {goal:>5.0f}  {verdict}")
        window.close()
        window.shutdown()
        app.processEvents()
    print("GUI ms/draw: the GUI thread's CPU time per points-view draw (the mouse moves, taking\n"
          "in the results, the frames); 1000 / it is the rate on a free core. A verdict of SLOW\n"
          "on a loaded machine with GUI ms/draw below 1000 / goal is the machine's load.")


if __name__ == "__main__":
    main()
