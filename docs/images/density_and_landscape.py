"""Draw docs/images/density.png and docs/images/landscape.png (the window at 1280 x 800).

Run from the checkout: ``QT_QPA_PLATFORM=offscreen .venv/bin/python docs/images/density_and_landscape.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from emviz.gui import MainWindow

HERE = Path(__file__).parent


def settle(app: QApplication, done) -> None:
    """Turn the event loop until ``done()`` (a guard of turns, not a time)."""
    for _ in range(200_000):
        app.processEvents()
        if done():
            return
    raise RuntimeError("the window stayed busy")


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    w = MainWindow("faithful")
    w.resize(1280, 800)
    w.show()
    settle(app, lambda: len(w.history) == 1 and not w.controller.busy)
    w.controller.advance(3)  # three iterations, then an E-step: the bound touches ln p
    settle(app, lambda: not w.controller.busy)
    w.actions_by_name["actionEStep"].trigger()
    settle(app, lambda: not w.controller.busy)
    density, landscape = w.feature("density"), w.feature("landscape")
    w.actions_by_name["actionComponentDensity"].setChecked(True)
    w.show_tab(landscape)
    w.redraw_now()
    settle(app, lambda: density._drawn is not None and not density.busy
           and landscape.landscape is not None and not landscape.busy
           and landscape.landscape.grid.shape == (64, 64))
    w.redraw_now()
    settle(app, lambda: True)
    w.points_view.grab().save(str(HERE / "density.png"))
    w.grab().save(str(HERE / "landscape.png"))
    w.close()
    w.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
