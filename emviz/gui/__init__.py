"""The Qt window of emviz (PySide6 + pyqtgraph)."""

from .main_window import MainWindow

__all__ = ["MainWindow"]
