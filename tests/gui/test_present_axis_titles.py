"""An axis title fitted to its axis while presentation mode comes in steps (F11) ends as the
one a single call fits (in a fresh process: the window at a 1280 x 800 screen's size)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCREEN = {"screens": [{"name": "wxga", "x": 0, "y": 0, "width": 1280, "height": 800,
                       "logicalDpiX": 96, "logicalDpiY": 96, "dpr": 1}]}


def test_f11_fits_the_bound_plots_iteration_title_as_one_call_does(tmp_path):
    """pyqtgraph sets an axis title's HTML anew on a new pen or range; the title was fitted
    from its document's size signal in the middle of that (the document holding the old text
    and the new one, 597 px for a 299 px title), and, entering presentation mode in steps,
    the bound plot's "iteration (E-steps a…" at 1280 x 800 ended "iteration…"."""
    (tmp_path / "screen.json").write_text(json.dumps(SCREEN))
    script = textwrap.dedent("""
        import json
        from PySide6.QtWidgets import QApplication
        from emviz.gui import MainWindow
        app = QApplication([])
        w = MainWindow()
        w.setGeometry(0, 0, 1280, 800)
        w.show()
        for _ in range(2):
            w.controller.step()
            w.controller.wait_idle()

        def settle():
            for _ in range(60):
                app.processEvents()

        def title():
            return w.bound_plot.getPlotItem().getAxis("bottom").labelText
        settle()
        present = w.actions_by_name["actionPresent"]
        present.trigger()  # F11: in steps
        while not w.presentation.settled:
            app.processEvents()
        settle()
        in_steps = title()
        present.trigger()
        while not w.presentation.settled:
            app.processEvents()
        settle()
        w.presentation.set_presenting(True)  # in one call
        settle()
        print(json.dumps({"steps": in_steps, "one call": title()}))
        w.presentation.set_presenting(False)
        w.close()
    """)
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={tmp_path / 'screen.json'}")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    titles = json.loads(result.stdout.splitlines()[-1])
    assert titles["steps"] == titles["one call"], titles
    assert titles["steps"].startswith("iteration (E-steps"), titles
