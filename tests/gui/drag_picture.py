"""The README's picture of θ set by hand: the window at 1280 x 800 while μ₁ is dragged (the
mouse still held) after three EM iterations on Old Faithful, q held from the last E-step.

``QT_QPA_PLATFORM=offscreen python -m tests.gui.drag_picture docs/images/drag.png [--theme
dark] [--tab "Why EM"]``
"""

from __future__ import annotations

import argparse
import time

from PySide6.QtCore import QEventLoop, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from emviz.gui import MainWindow


def settle(app: QApplication, until=lambda: True, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not settle")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--theme", default="light")
    parser.add_argument("--tab", default="ln p, L")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    w = MainWindow()
    w.resize(1280, 800)
    w.show()
    settle(app, lambda: len(w.history) == 1 and not w.controller.busy)
    w.presentation.set_theme(args.theme)
    for _ in range(3):
        w.controller.step()
        settle(app, lambda: not w.controller.busy)
    for i in range(w.tabs.count()):
        if args.tab in (w.tabs.tabText(i), w.tabs.tabToolTip(i)):
            w.tabs.setCurrentIndex(i)
    w.redraw_now()
    editor = w.features["hand_drag"].parts["editor"]
    viewport = w.points_view.viewport()
    start = w.points_view.data_to_widget(*w.model.current.mixture.means[0])
    QTest.mouseMove(viewport, start)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 11):
        QTest.mouseMove(viewport, start + QPoint(6 * step, -4 * step))
        app.processEvents()
    settle(app, lambda: w.model.current.phase == "hand" and not editor._background.busy)
    w.redraw_now()
    for _ in range(20):  # the tabs' own background numbers (Why) come in
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
    w.redraw_now()
    w.grab().save(args.out)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(60, -40))
    settle(app, lambda: not editor.dragging)
    w.close()
    w.shutdown()


if __name__ == "__main__":
    main()
