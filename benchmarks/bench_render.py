"""Rendering benchmark: recolour + redraw of the points view, and the GUI while EM plays.

Prints, in one process and offscreen (800x600 plot):
1. ms per recolour+redraw (new responsibilities, then a full render of the plot widget, once
   the view's raster layout exists) for emviz's PointCloudItem and for pyqtgraph's
   ScatterPlotItem coloured from a 64-brush palette indexed by numpy (the baseline), at
   N = 1e4, 1e5, 1e6, interleaved, medians;
2. while Play runs EM on 1e6 points with K = 5 for 5 s in the real window: the largest gap
   of a 10 ms QTimer (the longest the event loop stalled) and full EM iterations per second;
   three runs, each in a new window (so each starts its own EM child process), after the
   loaded data have been drawn once;
3. input to screen in the real window (K = 5): from a Step (1e5 points) or a history move
   with the responsibilities held (Back / Forward, 1e4 and 1e5 points) to the last paint of
   the points view it causes, medians of repeats; beside it, one E+M iteration of the core on
   the same data, timed in the same run (the goal: Step <= one iteration + 33 ms, a history
   move <= 33 ms).

Usage: python benchmarks/bench_render.py [--quick] [--latency-only]
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QTimer, qInstallMessageHandler  # noqa: E402
from PySide6.QtGui import QBrush, QColor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from emviz.gui.point_cloud import PointCloudItem  # noqa: E402
from emviz.look.colors import blend, code_colors, component_colors, quantise  # noqa: E402

K = 5


def make_plot() -> pg.PlotWidget:
    widget = pg.PlotWidget()
    widget.resize(800, 600)
    widget.getPlotItem().setRange(xRange=(-4, 4), yRange=(-4, 4), padding=0)
    widget.show()
    return widget


def time_emviz(widget, item, X, resps, palette) -> list[float]:
    times = []
    for resp in resps:
        started = time.perf_counter()
        item.set_data(X, resp, palette, soft=True)
        widget.grab()
        times.append(time.perf_counter() - started)
    return times


def time_baseline(widget, scatter, brushes, X, resps, palette) -> list[float]:
    times = []
    for resp in resps:
        started = time.perf_counter()
        codes = quantise(blend(resp, palette), levels=4)  # 64 colours
        scatter.setBrush(brushes[codes])
        widget.grab()
        times.append(time.perf_counter() - started)
    return times


def render_table(quick: bool) -> None:
    palette = component_colors(K)
    brushes = np.array([QBrush(QColor(*(int(c) for c in rgb))) for rgb in code_colors(np.arange(64), 4)],
                       dtype=object)
    ours_widget, base_widget = make_plot(), make_plot()
    item = PointCloudItem()
    ours_widget.addItem(item)
    rng = np.random.default_rng(0)
    print(f"{'N':>9} {'emviz ms':>10} {'ScatterPlotItem ms':>19} {'ratio':>7} {'path':>7}")
    for n, reps in ((10_000, 7), (100_000, 5), (1_000_000, 3)):
        reps = 2 if quick else reps
        X = rng.normal(size=(n, 2))
        resps = [rng.dirichlet(np.full(K, 0.5), size=n) for _ in range(reps + 1)]
        scatter = pg.ScatterPlotItem(x=X[:, 0], y=X[:, 1], size=7, pen=None)
        base_widget.addItem(scatter)
        item.set_data(X, resps[0], palette)  # warm up both with the first frame
        ours_widget.grab()
        while item.raster and not item.laid_out:  # from LAYOUT_IN_BACKGROUND points the layout (the
            QApplication.processEvents()  # points mapped to pixels) comes from the job runner
            time.sleep(0.001)
        time_baseline(base_widget, scatter, brushes, X, resps[:1], palette)
        ours, base = [], []
        for resp in resps[1:]:  # interleaved, so machine noise hits both
            ours += time_emviz(ours_widget, item, X, [resp], palette)
            base += time_baseline(base_widget, scatter, brushes, X, [resp], palette)
        base_widget.removeItem(scatter)
        o, b = 1e3 * np.median(ours), 1e3 * np.median(base)
        path = "raster" if item.raster else "vector"
        print(f"{n:>9,} {o:>10.1f} {b:>19.1f} {b / o:>6.1f}x {path:>7}")


def play_stall(seconds: float) -> tuple[float, float, bool]:
    """(largest event-loop gap in ms, EM iterations per second, whether EM ran in the child
    process) while Play runs on 1e6 points for ``seconds``."""
    from emviz.gui import MainWindow
    from emviz.session.model import Settings

    rng = np.random.default_rng(1)
    centres = rng.normal(scale=4, size=(K, 2))
    X = centres[rng.integers(K, size=1_000_000)] + rng.normal(size=(1_000_000, 2))
    window = MainWindow(settings=Settings(k=K, init_method="kmeans++", tol=0.0, max_iter=10_000))
    window.resize(1280, 800)
    window.show()
    window.set_points(X)
    window.controller.wait_idle(60_000)
    window.controls.speed.setValue(0)
    settle = time.perf_counter() + 0.5
    while time.perf_counter() < settle:  # the new data's first frame (layout) is not Play's
        QApplication.processEvents()
    clock, gaps = QElapsedTimer(), []
    ticker = QTimer(interval=10)
    ticker.timeout.connect(lambda: (gaps.append(clock.restart())))
    start_len = len(window.history)
    clock.start()
    ticker.start()
    window.actions_by_name["actionPlay"].trigger()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        QApplication.processEvents()
        time.sleep(0.001)
    ticker.stop()
    remote = window.controller._engine.running
    window.actions_by_name["actionPlay"].trigger()
    window.controller.wait_idle(10_000)
    m_steps = sum(s.phase == "M" for s in window.history[start_len:])
    window.close()
    return float(max(gaps[1:])), m_steps / seconds, remote


def play_table(seconds: float, runs: int) -> None:
    print(f"\nPlay, N = 1,000,000, K = {K}, {seconds:.0f} s per run "
          "(goals: largest gap <= 50 ms, >= 4 EM iterations/s)")
    print(f"{'run':>4} {'largest gap ms':>15} {'EM it/s':>8} {'EM in':>14}")
    results = []
    for run in range(1, runs + 1):
        gap, rate, remote = play_stall(seconds)
        results.append((gap, rate))
        print(f"{run:>4} {gap:>15.0f} {rate:>8.1f} {'child process' if remote else 'worker thread':>14}")
    gaps, rates = np.array(results).T
    print(f"{'all':>4} {gaps.max():>15.0f} {np.median(rates):>8.1f}   (worst gap, median it/s)")


def em_iteration_ms(X: np.ndarray, repeats: int) -> float:
    """Median ms of one E+M iteration of the core (two half-steps of ``run_em``) on X."""
    from emviz.core import initialize, run_em

    run = run_em(X, initialize(X, K, "kmeans++", np.random.default_rng(0)), tol=0.0,
                 max_iter=10**9)
    next(run)  # "init"
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        next(run)
        next(run)
        times.append(time.perf_counter() - started)
    return 1e3 * float(np.median(times))


class PaintClock:
    """When the points view last finished a paint (pyqtgraph's GraphicsView.paintEvent is a
    Python method, so the class can be wrapped before the window makes its view)."""

    def __init__(self) -> None:
        from emviz.gui.points_view import PointsView

        self.last = 0.0
        original = PointsView.paintEvent
        clock = self

        def timed(view, event):
            result = original(view, event)
            clock.last = time.perf_counter()
            return result

        PointsView.paintEvent = timed


def settle(window, quiet_s: float = 0.3, limit_s: float = 30.0) -> None:
    """Process events until the run is idle and nothing has happened for ``quiet_s``: no
    paint of the points view, no change of the model."""
    from PySide6.QtCore import QEventLoop

    changes = [time.perf_counter()]
    window.model.subscribe(lambda _aspects: changes.__setitem__(0, time.perf_counter()))
    ticker = QTimer(interval=5)
    ticker.start()
    deadline = time.perf_counter() + limit_s
    while time.perf_counter() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        now = time.perf_counter()
        if (not window.controller.busy and now - changes[0] > quiet_s
                and now - PAINTS.last > quiet_s):
            break
    ticker.stop()


PAINTS: PaintClock


def latency_window(n: int):
    from emviz.gui import MainWindow
    from emviz.session.model import Settings

    rng = np.random.default_rng(2)
    centres = rng.normal(scale=4, size=(K, 2))
    X = centres[rng.integers(K, size=n)] + rng.normal(size=(n, 2))
    window = MainWindow(settings=Settings(k=K, init_method="kmeans++", tol=0.0, max_iter=10_000))
    window.resize(1280, 800)
    window.show()
    window.set_points(X)
    window.controller.wait_idle(60_000)
    settle(window)
    return window, X


def input_latency_ms(window, action: str) -> float:
    """ms from triggering ``action`` to the last paint of the points view it caused."""
    started = time.perf_counter()
    PAINTS.last = 0.0
    window.actions_by_name[action].trigger()
    settle(window)
    return 1e3 * (PAINTS.last - started) if PAINTS.last > started else float("nan")


def latency_table(quick: bool) -> None:
    global PAINTS
    PAINTS = PaintClock()
    repeats = 3 if quick else 9
    print(f"\nInput to screen, K = {K}, medians of {repeats} (goals: Step <= E+M + 33 ms, "
          "history move <= 33 ms)")
    print(f"{'N':>9} {'E+M ms':>7} {'Step ms':>8} {'history move ms':>16}")
    for n in (10_000, 100_000):
        window, X = latency_window(n)
        steps, moves = [], []
        for _ in range(repeats):
            steps.append(input_latency_ms(window, "actionStep"))
        for i in range(repeats):  # the newest states keep their responsibilities
            moves.append(input_latency_ms(window, "actionBack" if i % 2 == 0 else "actionForward"))
        window.close()
        em = em_iteration_ms(X, repeats)
        print(f"{n:>9,} {em:>7.1f} {np.nanmedian(steps):>8.1f} {np.nanmedian(moves):>16.1f}")


def quiet_offscreen_notice(mode, context, message: str) -> None:
    """Qt's messages, less the offscreen platform's notice about every new window."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def main() -> None:
    quick = "--quick" in sys.argv
    qInstallMessageHandler(quiet_offscreen_notice)
    app = QApplication.instance() or QApplication([])
    pg.setConfigOptions(background="w", antialias=True)
    print("emviz render benchmark (offscreen, 800x600 plot, medians; ratio = baseline / emviz)")
    if "--latency-only" not in sys.argv:
        render_table(quick)
        play_table(2.0 if quick else 5.0, 1 if quick else 3)
    latency_table(quick)
    app.processEvents()


if __name__ == "__main__":
    main()
