"""The screens a class sees, set up one after another on one window, for the screen audit
(tests/gui/test_screen_audit.py) and ``make shots`` (every screen as a PNG and one contact
sheet). Run as ``python -m tests.gui.screens WIDTHxHEIGHT [--out DIR] [--states a,b]``,
under QT_QPA_PLATFORM=offscreen:configfile=... with a screen of that size (so that
presentation mode's full screen is that size): one JSON line per screen on stdout,
``{"id": ..., "findings": [...]}``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

#: (theme, presenting) in the order they are applied to each state.
APPEARANCES = (("light", False), ("dark", False), ("light", True), ("dark", True))
TABS = ("ln p, L", "Equations", "Why EM", "L + KL", "Choose K", "Oracle", "Point", "Hills")
#: The lesson chapters after Try it (1-based).
CHAPTERS = tuple(range(1, 13))


#: The states audited at each size: everything at the default size, a representative subset
#: at the smallest and the largest (the suite's time is shared by everything else).
STATES = {
    (1280, 800): ([f"tab {t}" for t in TABS] + ["k-means split", "oracle split", "gallery",
                                                "Choose K run", "sample", "density"]
                  + [f"lesson {n}" for n in (1, 2, 3, 4, 5, 7, 8, 9, 11)] + ["z beside r"]),
    (1920, 1080): ["k-means split", "gallery", "lesson 1", "lesson 3", "lesson 8", "lesson 9",
                   "one column"],
    # the smallest: the split views, the Sample dialog, and the chapters whose screens were
    # cut there (the oracle's table, the Point tab, the z, r tab, chapter 11's collapsed Σ_k),
    # and the lesson over a split view (presenting, its band left the data views 181 px)
    (1024, 768): ["tab ln p, L", "k-means split", "oracle split", "sample", "lesson 2", "lesson 3",
                  "lesson 4", "lesson 5", "lesson 7", "lesson 11", "lesson 12",
                  "lesson 11, k-means split"],
}


def screen_id(size: tuple[int, int], theme: str, presenting: bool, state: str) -> str:
    return f"{size[0]}x{size[1]}-{theme}-{'present' if presenting else 'window'}-{state}"


#: States of their own beyond the tabs, modes and chapters: the z-beside-r tab on data with
#: oracle labels, and a lesson question answered (chapter 6's guess of μ₁, revealed).
EXTRA = ("z beside r", "predict revealed", "one column", "lesson 11, k-means split")


def state_names() -> list[str]:
    return ([f"tab {t}" for t in TABS] + ["k-means split", "oracle split", "gallery",
                                          "Choose K run", "sample", "density"]
            + [f"lesson {n}" for n in CHAPTERS] + list(EXTRA))


#: The checkout, where a fresh process imports emviz and these tests from.
ROOT = Path(__file__).resolve().parents[2]


# -- a process on a screen of a given size ---------------------------------------------------
def screen_env(size: tuple[int, int], folder: Path) -> dict[str, str]:
    """The environment of a process whose offscreen screen is ``size`` (so that presentation
    mode's full screen is that size), with its own settings folder (the lesson remembers
    being opened) in ``folder``."""
    config = folder / f"screen-{size[0]}x{size[1]}.json"
    config.write_text(json.dumps({"screens": [{
        "name": "s", "x": 0, "y": 0, "width": size[0], "height": size[1],
        "logicalDpiX": 96, "logicalDpiY": 96, "dpr": 1}]}))
    return dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
                XDG_CONFIG_HOME=str(folder / "config"))


def run_on_screen(script: str, size: tuple[int, int], folder: Path, *args: str,
                  timeout: float = 300) -> list[str]:
    """Run ``script`` (``python -c``, with ``args``) from the checkout on a screen of ``size``;
    its lines of output. It must exit 0 (else its error's end is the failure)."""
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                            text=True, timeout=timeout, env=screen_env(size, folder), cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


# -- driving the window ----------------------------------------------------------------------
def settle(app, w, rounds: int = 4000) -> None:
    """Process events until every job of the window is done and the views are drawn (a guard
    of ``rounds`` turns of the event loop, not a time)."""
    from PySide6.QtCore import QThread

    def busy() -> bool:
        gallery = getattr(w, "gallery", None)
        return bool(w.controller.busy or w.feature("choose_k").busy or w.feature("kmeans_mode").run.busy
                    or w.feature("density").busy or w.feature("landscape").busy
                    or (gallery is not None and gallery.isVisible() and gallery.running))

    for _ in range(rounds):
        app.processEvents()
        if not busy():
            break
        QThread.msleep(5)
    else:
        raise RuntimeError("the window stayed busy")
    w.redraw_now()
    for _ in range(5):
        app.processEvents()


def _tab(w, title: str) -> None:
    for i in range(w.tabs.count()):
        if title in (w.tabs.tabText(i), w.tabs.tabToolTip(i)):
            w.tabs.setCurrentIndex(i)
            return
    raise LookupError(title)


def _reset(app, w) -> None:
    """Back to the default screen: Old Faithful after a few iterations, lesson and extra
    windows closed, teaching modes off."""
    a = w.actions_by_name
    w.lesson.hide()
    for name in ("actionKMeansMode", "actionShowOracle", "actionFitOracle", "actionZBesideR",
                 "actionDensity", "actionComponentDensity"):
        if a[name].isChecked():
            a[name].setChecked(False)
    w.feature("gallery").hide()
    if w.feature("sample_mode").dialog is not None:
        w.feature("sample_mode").dialog.close()
    if w.model.points.shape[1] == 1:  # the 1-D mode: back to the default's two columns
        w.load_dataset("faithful")
        settle(app, w)
        w.controller.advance(6)
    w.statusBar().clearMessage()
    settle(app, w)


def set_up(app, w, state: str) -> None:
    a = w.actions_by_name
    _reset(app, w)
    if state.startswith("tab "):
        _tab(w, state.removeprefix("tab "))
    elif state == "k-means split":
        a["actionKMeansMode"].setChecked(True)
        settle(app, w)
        for _ in range(6):
            a["actionKMeansStep"].trigger()
            settle(app, w)
        _tab(w, "Choose K")  # the tab that hid behind the arrows in the split view
    elif state == "oracle split":
        a["actionShowOracle"].setChecked(True)
        a["actionFitOracle"].setChecked(True)
        w.controller.advance(40)
        settle(app, w)
        _tab(w, "Oracle")
    elif state == "gallery":
        a["actionGallery"].trigger()
    elif state == "Choose K run":
        _tab(w, "Choose K")
        settle(app, w)
        w.feature("choose_k").restarts.button.click()
    elif state == "density":  # the density and each component's lines under the points
        a["actionComponentDensity"].setChecked(True)
        settle(app, w)
        _tab(w, "Hills")
    elif state == "sample":
        a["actionSample"].trigger()
        settle(app, w)
        w.feature("sample_mode").dialog.finish()
    elif state == "lesson 11, k-means split":  # chapter 11's K = 4 data, then k-means beside EM
        set_up(app, w, "lesson 11")
        a["actionKMeansMode"].setChecked(True)
        settle(app, w)
        for _ in range(6):
            a["actionKMeansStep"].trigger()
            settle(app, w)
    elif state.startswith("lesson "):
        w.lesson.show()
        w.lesson.go(int(state.removeprefix("lesson ")) - 1, remember=False)
        settle(app, w)
        w.lesson.try_button.click()
        dialog = w.feature("sample_mode").dialog
        if dialog is not None and dialog.isVisible():
            settle(app, w)
            dialog.finish()
    elif state == "z beside r":
        w.load_dataset("overlapping")
        settle(app, w)
        w.controller.advance(5)
        settle(app, w)
        a["actionZBesideR"].setChecked(True)
    elif state == "one column":  # the 1-D mode: eruption durations alone, as a histogram
        w.feature("one_dim").use_column(0)
        settle(app, w)
        w.controller.advance(20)
        settle(app, w)
        _tab(w, "Why EM")
    elif state == "predict revealed":
        w.lesson.show()
        w.lesson.go(5, remember=False)  # chapter 6: where will μ₁ be after the M-step?
        settle(app, w)
        w.lesson.try_button.click()
        settle(app, w)
        w.actions_by_name["actionEStep"].trigger()  # the M question is asked after E
        settle(app, w)
        settle(app, w)
        w.lesson.predict.guess(0.6, -0.6)
        for _ in range(4000):  # a guard of turns, not a time: the step, then the answer
            settle(app, w)
            if w.model.lesson.stage == "revealed":
                break
    else:
        raise ValueError(state)
    settle(app, w)


def as_large_as_the_screen(w, size: tuple[int, int]) -> None:
    """The window at ``size``, or as large as its frame leaves room for on its screen (a
    window's size is its inside: resized to the screen's size, its frame ran 4 px past the
    screen, and a window put back after full screen was moved to keep its frame on the
    screen, another 25 px off it)."""
    from PySide6.QtCore import QSize

    from emviz.gui.screen_fit import fit_on_screen

    w.resize(*size)
    fit_on_screen(w, QSize(*size))


def windows_shown(app, w) -> list:
    """The main window first, then its other visible windows (gallery, Sample)."""
    from PySide6.QtWidgets import QDialog

    others = [t for t in app.topLevelWidgets() if t is not w and t.isVisible() and isinstance(t, QDialog)]
    return [w, *others]


def open_window(app, size: tuple[int, int]):
    """The window every screen starts from: emviz's font, ``size`` (or as large as the screen
    leaves room for), six half-steps run."""
    from emviz.gui import MainWindow
    from emviz.gui.style import apply_app_font

    apply_app_font(app)  # as the emviz command does
    w = MainWindow()
    w.resize(*size)
    w.show()
    as_large_as_the_screen(w, size)
    settle(app, w)
    w.controller.advance(6)
    settle(app, w)
    return w


def walk(size: tuple[int, int], states: list[str], out: Path | None,
         report: Callable[[str, list[str]], None]) -> None:
    """Set up each state, show it in each appearance, audit it (and save it to ``out``)."""
    from PySide6.QtWidgets import QApplication

    from emviz.gui.audit import audit

    app = QApplication.instance() or QApplication([])
    w = open_window(app, size)
    try:
        for state in states:
            set_up(app, w, state)
            for theme, presenting in APPEARANCES:
                w.presentation.set_theme(theme)
                w.presentation.set_presenting(presenting)
                if not presenting:
                    as_large_as_the_screen(w, size)
                settle(app, w)
                shown = windows_shown(app, w)
                sid = screen_id(size, theme, presenting, state)
                report(sid, [str(f) for f in audit(shown, presenting)])
                if out is not None:
                    for i, window in enumerate(shown):
                        suffix = "" if i == 0 else f"-{window.objectName() or i}"
                        window.grab().save(str(out / f"{sid.replace(' ', '_')}{suffix}.png"))
            w.presentation.set_presenting(False)
            w.presentation.set_theme("light")
    finally:
        w.close()
        w.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size", help="WIDTHxHEIGHT, e.g. 1280x800")
    parser.add_argument("--out", type=Path, default=None, help="save each screen as a PNG here")
    parser.add_argument("--states", default="", help='state names separated by ";" (default all)')
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.split("x"))
    states = [s for s in args.states.split(";") if s] or state_names()
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)

    def report(sid: str, findings: list[str]) -> None:
        print(json.dumps({"id": sid, "findings": findings}), flush=True)

    walk(size, states, args.out, report)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Everything is reported: leave without the interpreter's teardown of the Qt objects,
    # which now and then crashes at exit in a process that drew pyqtgraph windows.
    os._exit(code)
