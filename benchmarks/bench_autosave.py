"""What the autosave costs at N points: its part of the GUI thread, the save thread's time,
and the longest the GUI thread waits for the GIL while the save thread encodes.

- snapshot: what a tick does on the GUI thread before it starts the save thread (take the
  session's fields by reference from the model, compare them with the last saved ones);
- first save: a save that encodes the points (they changed since the last save);
- next save: a save after only the history position changed (the points' text is reused);
- longest wait: the longest gap in a loop of 1 ms sleeps on the main thread while the first
  save runs, against the same loop with no save (drawing is left out: no window).

Usage: ``python benchmarks/bench_autosave.py [N ...]`` (default 10000 100000 1000000).
Writes only to a temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from emviz.dataio import EncodedArrays
from emviz.gui.autosave import _same, _Save
from emviz.gui.files import session_fields
from emviz.model import Workbench


def longest_wait(busy) -> float:
    """The longest gap between 1 ms sleeps while ``busy()`` is true (seconds)."""
    longest, last = 0.0, time.perf_counter()
    while busy():
        time.sleep(0.001)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    return longest


def measure(n: int, folder: Path) -> None:
    model = Workbench()
    rng = np.random.default_rng(0)
    model.set_points(rng.normal(size=(n, 2)), rng.integers(-1, 3, n), None, f"{n} points")
    saved = session_fields(model)
    model.set_points(np.r_[model.points, [[0.0, 0.0]]], np.r_[model.labels, [-1]])
    arrays, path = EncodedArrays(), folder / "session-1.emviz"

    t0 = time.perf_counter()
    fields = session_fields(model)
    changed = not _same(fields, saved)
    snapshot = time.perf_counter() - t0
    end = time.perf_counter() + 0.5
    idle = longest_wait(lambda: time.perf_counter() < end)
    job = _Save(path, fields, arrays)
    t0 = time.perf_counter()
    job.start()
    wait = longest_wait(job.is_alive)
    first = time.perf_counter() - t0
    assert changed and job.error is None, job.error

    model.set_options(soft_colors=False)  # a small change: the points' text is reused
    job = _Save(path, session_fields(model), arrays)
    t0 = time.perf_counter()
    job.start()
    job.join()
    second = time.perf_counter() - t0
    print(f"{n:>9,} points: snapshot {snapshot * 1e3:5.2f} ms | first save {first:5.2f} s | "
          f"next save {second:5.2f} s | longest wait for the GIL {wait * 1e3:4.0f} ms "
          f"(no save: {idle * 1e3:3.0f} ms) | file {path.stat().st_size / 1e6:5.1f} MB", flush=True)


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [10_000, 100_000, 1_000_000]
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            measure(n, Path(folder))


if __name__ == "__main__":
    main(sys.argv[1:])
