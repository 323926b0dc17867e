"""How long the window stops answering: the largest event-loop gap while something runs at
10⁶ points, the first Step in a fresh 10⁶ window, and start-up to the first paint.

Prints, offscreen, in the real window (K = 5, 1,000,000 points from 5 blobs):
1. largest event-loop gap (the longest interval between ticks of a 10 ms QTimer, minus
   nothing: a gap of 10 ms is an idle loop) from the action until the window is quiet:
   - Play for 3 s (EM in the child process where there is one);
   - opening the gallery after 20 iterations (5 panels: start, 1, 2, 5, 20);
   - entering presentation mode (and, not counted, leaving it);
   - an autosave after the points changed (the save encodes them);
   - loading a 10⁶-row CSV file (File → Open's path, files.open_file);
   medians of the runs and the worst run (goals: <= 50 ms, gallery and presentation <= 100 ms),
   each run's largest gap, the GUI thread's CPU time in it (the rest of it: waits for the
   GIL or for a core) and the most CPU time it spent between two ticks;
   the first row, a pure-Python thread busy beside the event loop, is the floor that any
   background work sets on this machine at this moment (on a loaded machine, well above 10 ms);
2. first Step in a fresh 10⁶ window: from the Step to the last paint of the points view it
   causes, beside one E+M iteration of the core in the same run (goal: <= 2 iterations +
   100 ms);
3. start-up to first paint, as whole processes alternating with a minimal PySide6 +
   pyqtgraph window (one PlotWidget with a scatter of 500 points), medians of the runs and
   their ratio (goal: <= 1.5x), with the modules' bytecode cached as an installed program
   has it, and, where the environment sets PYTHONDONTWRITEBYTECODE, as it runs there (with
   the bytecode `make` compiled into the checkout, or with none: the row says which).

Usage: python benchmarks/bench_gaps.py [--quick] [--only gaps|step|startup]
       [--rows floor,play,gallery,presentation,autosave,csv,leaving] [--runs N]
(``--rows``: only these rows of the gaps table; ``--runs``: runs per row, 3 by default;
``--help``: this usage, and nothing runs.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

K = 5
N = 1_000_000

# A whole process that opens emviz's window (as the `emviz` command does, less the
# preferences and autosave of an interactive run) and exits after its first paint.
STARTUP_EMVIZ = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from emviz.gui import MainWindow
from emviz.gui.points_view import PointsView
app = QApplication(sys.argv[:1])
window = MainWindow("faithful")
painted = PointsView.paintEvent
def first_paint(view, event):
    result = painted(view, event)
    print(f"{time.time():.4f} {time.process_time():.4f}", flush=True)
    QTimer.singleShot(0, app.quit)
    return result
PointsView.paintEvent = first_paint
window.resize(1280, 800)
window.show()
app.exec()
window.close()
"""

STARTUP_BASELINE = """
import sys, time
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
plot = pg.PlotWidget()
plot.addItem(pg.ScatterPlotItem(*np.random.default_rng(0).normal(size=(2, 500))))
window.setCentralWidget(plot)
painted = type(plot).paintEvent
def first_paint(view, event):
    result = painted(view, event)
    print(f"{time.time():.4f} {time.process_time():.4f}", flush=True)
    QTimer.singleShot(0, app.quit)
    return result
type(plot).paintEvent = first_paint
window.resize(1280, 800)
window.show()
app.exec()
"""


def blobs(n: int = N, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4, size=(K, 2))
    return centres[rng.integers(K, size=n)] + rng.normal(size=(n, 2))


class GapClock:
    """The largest interval between ticks of a 10 ms QTimer while ``watch`` runs, and the GUI
    thread's own CPU time in each interval (``cpu``, ms): the share of a gap that is the
    window's work, the rest being waits (for the GIL, or for a core on a busy machine)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.clock, self.gaps, self.cpu = QElapsedTimer(), [], []
        self._cpu_mark = 0.0
        self.ticker = QTimer(interval=10)
        self.ticker.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.thread_time()
        self.gaps.append(self.clock.restart())
        self.cpu.append(1e3 * (now - self._cpu_mark))
        self._cpu_mark = now

    def largest(self) -> tuple[float, float]:
        """(the largest gap, the GUI thread's CPU time in it), ms, of the last watch."""
        if not self.gaps:
            return 0.0, 0.0
        i = max(range(len(self.gaps)), key=self.gaps.__getitem__)
        return float(self.gaps[i]), self.cpu[i]

    def watch(self, action, done, quiet_s: float = 0.5, limit_s: float = 120.0) -> float:
        """ms: the largest gap from ``action()`` until ``done()`` holds and no gap above 20 ms
        came for ``quiet_s`` (the work and its frames are over)."""
        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QApplication

        self.gaps.clear()
        self.cpu.clear()
        self.clock.start()
        self._cpu_mark = time.thread_time()
        self.ticker.start()
        action()
        deadline = time.perf_counter() + limit_s
        last_busy = time.perf_counter()
        while time.perf_counter() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            now = time.perf_counter()
            if self.gaps and self.gaps[-1] > 20:
                last_busy = now
            if done() and now - last_busy > quiet_s:
                break
        self.ticker.stop()
        return float(max(self.gaps, default=0))


def idle(window, seconds: float = 0.5) -> None:
    from PySide6.QtWidgets import QApplication

    window.controller.wait_idle(120_000)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QApplication.processEvents()
        time.sleep(0.002)


def big_window(X: np.ndarray):
    from emviz.gui import MainWindow
    from emviz.session.model import Settings

    window = MainWindow(settings=Settings(k=K, init_method="kmeans++", tol=0.0, max_iter=10_000))
    window.resize(1280, 800)
    window.show()
    window.set_points(X)
    # The first window's first full garbage collection runs a second after it is built
    # (emviz.gui.collector): before the watch, not in the first run's gaps
    idle(window, 1.2 if not _windows_made else 0.5)
    _windows_made.append(True)
    return window


def close_window(window) -> None:
    """Close a run's window and delete it: closed only, it stays alive (the signal
    connections of its parts hold it), and every later run in a row would restyle, re-font
    and lay out the earlier windows as well, reading longer."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


_windows_made: list[bool] = []


def gap_play(X, clock: GapClock) -> float:
    window = big_window(X)
    window.controls.speed.setValue(0)
    play = window.actions_by_name["actionPlay"]
    end = time.perf_counter() + 3.0
    gap = clock.watch(play.trigger, lambda: time.perf_counter() > end, quiet_s=0.0)
    play.trigger()
    window.controller.wait_idle(30_000)
    close_window(window)
    return gap


def gap_gallery(X, clock: GapClock) -> float:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QWidget

    window = big_window(X)
    for _ in range(20):
        window.controller.step()
        window.controller.wait_idle(120_000)
    idle(window)
    action = window.findChild(QAction, "actionGallery")
    gallery = []

    def done() -> bool:
        if not gallery:
            gallery.extend([window.findChild(QWidget, "galleryView")])
        g = gallery[0]
        return g is not None and g.isVisible() and not g.running and not window.controller.busy

    gap = clock.watch(action.trigger, done)
    close_window(window)
    return gap


def gap_presentation(X, clock: GapClock) -> float:
    window = big_window(X)
    present = window.actions_by_name.get("actionPresent") or _find_action(window, "actionPresent")
    gap = clock.watch(present.trigger, lambda: True)
    present.trigger()
    idle(window)
    close_window(window)
    return gap


def gap_leaving(X, clock: GapClock) -> float:
    """Leaving presentation mode (F11 again), once it was entered and the window is quiet:
    a row of its own (``--rows leaving``), not in the default table."""
    window = big_window(X)
    present = window.actions_by_name.get("actionPresent") or _find_action(window, "actionPresent")
    present.trigger()
    idle(window)
    gap = clock.watch(present.trigger, lambda: True)
    idle(window)
    close_window(window)
    return gap


def gap_autosave(X, clock: GapClock) -> float:
    from emviz.gui.autosave import install_autosave

    window = big_window(X)
    with tempfile.TemporaryDirectory() as folder:
        autosave = install_autosave(window, folder)
        autosave.timer.stop()
        window.set_points(X + 0.5)  # new points: the save encodes them
        idle(window)
        gap = clock.watch(autosave.tick, lambda: not autosave.saving)
        close_window(window)
    return gap


def gap_csv(X, clock: GapClock, path: Path) -> float:
    window = big_window(X[:1000])
    ended: list[bool] = []
    window.files.load_ended.connect(ended.append)
    gap = clock.watch(lambda: window.files.open_file(str(path)), lambda: bool(ended))
    close_window(window)
    return gap


def gap_floor(clock: GapClock) -> float:
    """The same clock while a pure-Python thread runs for 3 s: what any work beside the GUI
    thread costs it on this machine now (the GIL's hand-over and the OS's scheduling)."""
    import threading

    end = time.perf_counter() + 3.0

    def busy() -> None:
        while time.perf_counter() < end:
            sum(range(1000))

    thread = threading.Thread(target=busy)
    gap = clock.watch(thread.start, lambda: not thread.is_alive(), quiet_s=0.0)
    thread.join()
    return gap


def _find_action(window, name: str):
    from PySide6.QtGui import QAction

    return window.findChild(QAction, name)


#: The rows of the gaps table, in order (``--rows`` takes some of them).
GAP_ROWS = ("floor", "play", "gallery", "presentation", "autosave", "csv")
#: Rows measured only when asked for by name (``--rows leaving``).
EXTRA_ROWS = ("leaving",)


def _rows(text: str) -> set[str]:
    """``--rows``: names from GAP_ROWS, comma-separated."""
    chosen = {name.strip() for name in text.split(",") if name.strip()}
    unknown = chosen - set(GAP_ROWS + EXTRA_ROWS)
    if unknown or not chosen:
        named = ", ".join(sorted(unknown)) or "(none given)"
        raise argparse.ArgumentTypeError(
            f"unknown row(s) {named}; choose from {','.join(GAP_ROWS + EXTRA_ROWS)}")
    return chosen


def _runs(text: str) -> int:
    """``--runs``: a whole number of runs, at least 1."""
    try:
        runs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if runs < 1:
        raise argparse.ArgumentTypeError(f"runs must be at least 1, not {runs}")
    return runs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (``--help`` prints the usage and exits before anything runs)."""
    parser = argparse.ArgumentParser(
        prog="bench_gaps.py",
        description="The largest event-loop gap at 10⁶ points, the first Step in a fresh "
                    "10⁶ window, and start-up to the first paint (offscreen).")
    parser.add_argument("--quick", action="store_true",
                        help="fewer runs: 1 per gap row (unless --runs), 1 first Step, 3 start-ups")
    parser.add_argument("--only", choices=("gaps", "step", "startup"),
                        help="only this table (default: all three)")
    parser.add_argument("--rows", type=_rows, default=set(GAP_ROWS), metavar=",".join(GAP_ROWS),
                        help="only these rows of the gaps table, comma-separated (default: "
                             "all of these; 'leaving', leaving presentation mode, only by name)")
    parser.add_argument("--runs", type=_runs, default=None, metavar="N",
                        help="runs per row of the gaps table (default: 3, or 1 with --quick)")
    return parser.parse_args(argv)


def gaps_table(quick: bool, rows: set[str] | None = None, runs: int | None = None) -> None:
    runs = runs or (1 if quick else 3)
    chosen = set(GAP_ROWS) if rows is None else rows
    X = blobs()
    clock = GapClock()
    print(f"\nLargest event-loop gap, N = {N:,}, K = {K}, medians of {runs} run(s) "
          "(goals: Play, autosave, CSV <= 50 ms; gallery, presentation <= 100 ms)")
    print(f"{'what':<44} {'median ms':>10} {'worst ms':>9}")
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "million.csv"
        np.savetxt(csv, X, delimiter=",", fmt="%.6f", header="x,y", comments="")
        rows = [("floor", "floor: a pure-Python thread busy for 3 s", lambda: gap_floor(clock)),
                ("play", "Play (3 s)", lambda: gap_play(X, clock)),
                ("gallery", "opening the gallery after 20 iterations", lambda: gap_gallery(X, clock)),
                ("presentation", "entering presentation mode", lambda: gap_presentation(X, clock)),
                ("leaving", "leaving presentation mode", lambda: gap_leaving(X, clock)),
                ("autosave", "autosave (points changed)", lambda: gap_autosave(X, clock)),
                ("csv", "CSV load (File → Open)", lambda: gap_csv(X, clock, csv))]
        for key, name, measure in rows:
            if key not in chosen:
                continue
            gaps, cpus, most = [], [], []
            for _ in range(runs):
                measure()
                gap, cpu = clock.largest()
                gaps.append(gap)
                cpus.append(cpu)
                most.append(max(clock.cpu, default=0.0))
            print(f"{name:<44} {np.median(gaps):>10.0f} {max(gaps):>9.0f}   "
                  f"({', '.join(f'{g:.0f}' for g in gaps)}; GUI CPU in them: "
                  f"{', '.join(f'{c:.0f}' for c in cpus)}; largest GUI CPU between two ticks: "
                  f"{', '.join(f'{c:.0f}' for c in most)})", flush=True)


def first_step_table(quick: bool) -> None:
    import bench_render
    from bench_render import PaintClock, em_iteration_ms, settle

    runs = 1 if quick else 3
    bench_render.PAINTS = paints = PaintClock()
    X = blobs(seed=3)
    steps = []
    for _ in range(runs):
        window = big_window(X)
        settle(window)
        started = time.perf_counter()
        paints.last = 0.0
        window.actions_by_name["actionStep"].trigger()
        settle(window)
        steps.append(1e3 * (paints.last - started))
        close_window(window)
    em = em_iteration_ms(X, 3)
    print(f"\nFirst Step in a fresh window, N = {N:,}, K = {K}, median of {runs} "
          "(goal: <= 2 E+M iterations + 100 ms)")
    print(f"{'E+M ms':>8} {'first Step ms':>14} {'goal ms':>8}")
    print(f"{em:>8.0f} {np.median(steps):>14.0f} {2 * em + 100:>8.0f}")


def startup_runs(runs: int, env: dict[str, str]) -> tuple[dict[str, list[float]], dict]:
    """Seconds from each process's start to its first paint, and the process's CPU time by
    then, emviz and the minimal window alternating (so that a load on the machine hits both
    alike), after one untimed run of each (which writes the bytecode cache, where the
    environment lets it)."""
    python = sys.executable
    times: dict[str, list[float]] = {"emviz": [], "baseline": []}
    cpu: dict[str, list[float]] = {"emviz": [], "baseline": []}
    for run in range(runs + 1):
        for name, script in (("emviz", STARTUP_EMVIZ), ("baseline", STARTUP_BASELINE)):
            started = time.time()  # the child prints time.time() at its first paint
            # Not in the current folder: `python -c` puts it first on sys.path, so a checkout
            # there would be imported instead of the emviz that PYTHONPATH names.
            out = subprocess.run([python, "-c", script], env=env, capture_output=True,
                                 text=True, timeout=300, cwd=tempfile.gettempdir())
            lines = out.stdout.split()
            if out.returncode != 0 or not lines:
                raise RuntimeError(f"{name} start-up run failed: {out.stderr[-2000:]}")
            if run:
                times[name].append(float(lines[0]) - started)  # with the interpreter's start
                cpu[name].append(float(lines[1]))
    return times, cpu


# How many of the emviz modules a start imports come with a current .pyc it will read (where
# PYTHONPYCACHEPREFIX is not set: in each package's __pycache__, as `make`'s set-up leaves it).
STARTUP_CACHED_COUNT = """
import importlib.util, sys
from pathlib import Path
import emviz.gui
def current(source):
    pyc = Path(importlib.util.cache_from_source(source))
    if not pyc.is_file():
        return False
    data, code = pyc.read_bytes()[:16], Path(source).read_bytes()
    flags = int.from_bytes(data[4:8], "little")
    if flags & 1:
        return data[8:16] == importlib.util.source_hash(code)
    stat = Path(source).stat()
    return (int.from_bytes(data[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
            and int.from_bytes(data[12:16], "little") == len(code) & 0xFFFFFFFF)
files = [m.__file__ for n, m in list(sys.modules.items()) if n.startswith("emviz")]
print(sum(current(f) for f in files), len(files))
"""


def startup_table(quick: bool) -> None:
    """Two rows: as installed (bytecode cached: pip compiles a package's modules when it
    installs it, and an interpreter run from a checkout caches them on its first run; here
    in a cache folder of its own, PYTHONPYCACHEPREFIX), and, where the environment sets
    PYTHONDONTWRITEBYTECODE, as this environment runs Python: with the bytecode `make`'s
    set-up compiled into the checkout (`make run`, `make test`), or, where there is none
    (an export of the sources, a checkout set up before the Makefile compiled them), none:
    every start compiles emviz's modules anew, while the installed pyqtgraph and PySide6
    come with theirs. The row says which it found."""
    runs = 3 if quick else 7
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    print(f"\nStart-up to the first paint, whole processes, medians of {runs} alternating runs "
          "(goal: ratio <= 1.5)")
    print(f"{'':<36} {'emviz ms':>9} {'minimal PySide6+pyqtgraph ms':>29} {'ratio':>6}"
          f" {'CPU ms: emviz':>14} {'minimal':>8} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as cache:
        cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        rows = [("bytecode cached (installed)", {**cached, "PYTHONPYCACHEPREFIX": cache})]
        if env.get("PYTHONDONTWRITEBYTECODE"):
            env = {k: v for k, v in env.items() if k != "PYTHONPYCACHEPREFIX"}
            count = subprocess.run([sys.executable, "-c", STARTUP_CACHED_COUNT], env=env,
                                   capture_output=True, text=True, timeout=120,
                                   cwd=tempfile.gettempdir()).stdout.split()
            found = f"{count[0]}/{count[1]} .pyc" if len(count) == 2 else "? .pyc"
            rows.append((f"this env as is ({found})", env))
        for label, row_env in rows:
            times, cpu = startup_runs(runs, row_env)
            e, b = (1e3 * float(np.median(times[k])) for k in ("emviz", "baseline"))
            ce, cb = (1e3 * float(np.median(cpu[k])) for k in ("emviz", "baseline"))
            print(f"{label:<36} {e:>9.0f} {b:>29.0f} {e / b:>6.2f} {ce:>14.0f} {cb:>8.0f}"
                  f" {ce / cb:>6.2f}", flush=True)


def main() -> None:
    args = parse_args()  # first: --help and a wrong option end here, before anything runs
    quick, only = args.quick, args.only
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_render import quiet_offscreen_notice

    if only in (None, "startup"):
        startup_table(quick)
    if only == "startup":
        return
    qInstallMessageHandler(quiet_offscreen_notice)
    app = QApplication.instance() or QApplication([])
    if only in (None, "gaps"):
        gaps_table(quick, args.rows, args.runs)
    if only in (None, "step"):
        first_step_table(quick)
    app.processEvents()


if __name__ == "__main__":
    main()
