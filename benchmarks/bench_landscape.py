"""Time the likelihood landscape and the density layer against their goals.

- The landscape (emviz.core.landscape.landscapes): ln p(X | θ) and L(q, θ) as μ_k moves, a
  16 × 16 map and then a 64 × 64 one, at N = 10⁴ points, K = 3. Goal: the 64 × 64 map in at
  most 1 s (the two maps together are reported too).
- The density picture (emviz.gui.density_layer.compute_picture, the work the density layer
  hands to the job runner): a 200-cell grid at K = 5. It never sees the data, so its cost is
  the same at any N.
- The window at 10⁶ points: the longest the GUI thread went without turning its event loop
  (the gap between ticks of a 10 ms timer) from switching the density on until it is drawn.

Medians of REPEATS runs after one untimed warm-up. Usage: ``python benchmarks/bench_landscape.py
[--quick]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from emviz.core import Mixture, e_step
from emviz.core.landscape import landscapes

N = 10_000
K = 3
GOAL_S = 1.0
REPEATS = 7
QUICK_REPEATS = 3
BIG_N = 1_000_000


def _data(n: int, k: int, seed: int = 0) -> tuple[np.ndarray, Mixture]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4, size=(k, 2))
    X = centres[rng.integers(k, size=n)] + rng.normal(size=(n, 2))
    mixture = Mixture(np.full(k, 1 / k), centres + 0.5, np.repeat(np.eye(2)[None], k, axis=0))
    return X, mixture


def _median(run, repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_landscape(repeats: int) -> float:
    X, mixture = _data(N, K)
    resp, _ = e_step(X, mixture)
    span = ((X[:, 0].min(), X[:, 0].max()), (X[:, 1].min(), X[:, 1].max()))
    fine = _median(lambda: list(landscapes(X, resp, mixture, 0, *span, sides=(64,))), repeats)
    both = _median(lambda: list(landscapes(X, resp, mixture, 0, *span)), repeats)
    verdict = "meets" if fine <= GOAL_S else "MISSES"
    print(f"landscape, N = {N}, K = {K}: 64x64 map {fine:.3f} s (median of {repeats}), "
          f"16x16 then 64x64 {both:.3f} s; {verdict} the goal of {GOAL_S:g} s for 64x64")
    return fine


def bench_density(repeats: int) -> None:
    from emviz.gui.density_layer import GRID_CELLS, compute_picture

    _, mixture = _data(10, 5)
    t = _median(lambda: compute_picture(mixture, (-10.0, 10.0), (-7.0, 7.0), dark=False), repeats)
    print(f"density picture, K = 5, {GRID_CELLS} cells: {1e3 * t:.1f} ms (median of {repeats}; "
          "independent of N: it never sees the points)")


def bench_density_gap() -> None:
    """The GUI thread's longest gap between two 10 ms timer ticks while the density of
    10⁶ points is switched on and drawn."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from emviz.gui import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    X, _ = _data(BIG_N, 3)

    def spin(done, limit_s: float = 300.0) -> None:
        end = time.perf_counter() + limit_s
        while not done() and time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.002)

    window.show_data(X, name="a million points")
    spin(lambda: len(window.history) == 1 and not window.controller.busy)
    window.redraw_now()
    feature = window.feature("density")
    clock, gaps = QElapsedTimer(), []
    ticker = QTimer(interval=10)
    ticker.timeout.connect(lambda: gaps.append(clock.restart()))
    clock.start()
    ticker.start()
    window.model.set_options(show_density=True)
    spin(lambda: feature._drawn is not None and not feature.busy)
    for _ in range(20):  # the frames that follow
        app.processEvents()
        time.sleep(0.005)
    ticker.stop()
    print(f"density on at N = {BIG_N}: longest GUI gap {max(gaps)} ms over {len(gaps)} ticks "
          "of a 10 ms timer")
    window.close()
    window.shutdown()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    repeats = QUICK_REPEATS if args.quick else REPEATS
    bench_landscape(repeats)
    bench_density(repeats)
    bench_density_gap()


if __name__ == "__main__":
    main()
