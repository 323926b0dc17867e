"""A teacher's own script ends cleanly whatever it did with the window: never closed it, left
EM playing, turned on the views with threads of their own, or saw the window's constructor
fail. Qt aborts the interpreter (exit 134) if a running QThread is destroyed, so each case
runs as its own process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

IGNORED_STDERR = "This plugin does not support propagateSizeHints()"

PROLOGUE = """
from PySide6.QtWidgets import QApplication
from emviz.gui import MainWindow
app = QApplication([])
"""

SCRIPTS = {
    "never closed": "w = MainWindow()\n",
    "never closed, playing": """
        w = MainWindow()
        w.controller.wait_idle()
        w.controller.steps_per_second = 2.0
        w.controller.play()
        app.processEvents()
        """,
    "never closed, every teaching thread busy": """
        w = MainWindow()
        w.show()
        w.controller.wait_idle()
        w.actions_by_name["actionKMeansMode"].trigger()
        for i in range(w.tabs.count()):
            w.tabs.setCurrentIndex(i)
            app.processEvents()
        w.controller.play()
        app.processEvents()
        """,
    "two windows, one closed": """
        a, b = MainWindow(), MainWindow()
        a.close()
        """,
    "constructor failed, exception caught": """
        import emviz.gui.main_window as mw
        def broken(window):
            raise RuntimeError("a teaching panel failed to build")
        mw.install_teaching = broken
        try:
            MainWindow()
        except RuntimeError as error:
            print("caught:", error)
        import gc
        gc.collect()
        w = None
        """,
}


def run_script(body: str) -> subprocess.CompletedProcess:
    code = PROLOGUE + textwrap.dedent(body)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env)


def meaningful(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and line.strip() != IGNORED_STDERR]


@pytest.mark.parametrize("case", list(SCRIPTS))
def test_a_script_exits_0_whatever_it_left_running(case):
    result = run_script(SCRIPTS[case])
    assert result.returncode == 0, result.stderr[-2000:]
    assert meaningful(result.stderr) == []


def test_an_uncaught_exception_in_the_constructor_exits_1_with_its_traceback_not_an_abort():
    result = run_script("""
        import emviz.gui.main_window as mw
        def broken(window):
            raise RuntimeError("a teaching panel failed to build")
        mw.install_teaching = broken
        MainWindow()
        """)
    assert result.returncode == 1, result.stderr[-2000:]
    lines = meaningful(result.stderr)
    assert lines[0].startswith("Traceback") and lines[-1] == "RuntimeError: a teaching panel failed to build"
    assert "QThread" not in result.stderr
