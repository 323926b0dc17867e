"""Python's cyclic garbage collector, run only in the GUI thread.

Left automatic, a collection runs in whichever thread happens to allocate, and when it frees
a Qt object from a closed window in a worker thread, that thread and the GUI thread can wait
for each other for ever (Qt's lock one way, the GIL the other: seen here as a test suite
hanging in a window's set-up). pyqtgraph's GarbageCollector does the same, for the same reason.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QTimer

_timer: QTimer | None = None


def collect_in_gui_thread(interval_ms: int = 1000) -> None:
    """Turn automatic collection off and collect on a timer of the GUI thread instead, by
    generation when its count passes the threshold automatic collection would have used.
    The objects that exist at the first tick (the first window, built by then) are frozen
    out of collection, which keeps each collection short (a pause of the GUI thread). Call
    from the GUI thread once the first window is built; later calls do nothing."""
    global _timer
    if _timer is not None:
        return
    thresholds = gc.get_threshold()

    def collect() -> None:
        counts = gc.get_count()
        for generation in range(3):
            if counts[generation] <= thresholds[generation]:
                break
            gc.collect(generation)

    def first_collect() -> None:
        # A whole collection costs 25 ms after the first window is built: not before the
        # window's first paint, but at the timer's first tick.
        gc.collect()
        gc.freeze()  # what exists by now (Qt, pyqtgraph, the window) lives on: never traverse it
        _timer.timeout.disconnect(first_collect)
        _timer.timeout.connect(collect)

    gc.disable()
    _timer = QTimer()
    _timer.setObjectName("emviz-garbage-collector")
    _timer.timeout.connect(first_collect)
    _timer.start(interval_ms)
