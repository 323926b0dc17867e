"""The Qt window of emviz (PySide6 + pyqtgraph)."""

import os

# Qt's raster engine hands every fill of 96 or more spans (an axis's grid lines, a plot's
# fills) to a thread pool and waits for it. Sampled while presentation mode was entered at
# 10⁶ points, the GUI thread spent most of the axes' paint waiting for that pool: on a
# laptop whose cores are busy (EM's child process) the hand-off costs more than the fill.
# Read when the pool is first made, so set on import; a user's own setting wins.
os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")

from .main_window import MainWindow  # noqa: E402 (after the environment is set)

__all__ = ["MainWindow"]
