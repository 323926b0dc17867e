"""How long the GUI thread waits for Python's GIL while work runs in another thread.

A thread that wants the GIL while another runs Python code waits the interpreter's switch
interval (5 ms by default) before it asks for it. The GUI thread wants it at every entry
into Python from Qt (a slot, an event filter, an item's boundingRect or paint) and again
after every Qt call that lets it go, often 10-50 times in one turn of the event loop. Beside
a CSV load at 10⁶ rows that made turns of 50-140 ms with 1-5 ms of the GUI thread's own
CPU in them (sampled: the GUI thread asleep on the GIL, taking it every 5-10 ms, each time
for well under a millisecond). With 1 ms it waits a fifth as long. A thread that runs alone
is not interrupted at all, so the background work loses next to nothing.
"""

from __future__ import annotations

import sys

#: The GIL's switch interval while a window is open (seconds).
SWITCH_INTERVAL_S = 0.001


def wait_less_for_the_gil() -> None:
    """Set the switch interval to SWITCH_INTERVAL_S, unless it is already shorter."""
    if sys.getswitchinterval() > SWITCH_INTERVAL_S:
        sys.setswitchinterval(SWITCH_INTERVAL_S)
