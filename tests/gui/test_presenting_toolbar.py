"""The toolbars while presenting (18 pt text), full screen at 1024 x 768, 1280 x 800 and
1920 x 1080, with the k-means row and the lesson open (the most rows there are): every
toolbar action is a visible control a teacher can click, never behind a toolbar's » button:
its own button, or an entry of the one "More" menu, found and clicked by real clicks; back in
the window, on its toolbar again (or in More, in a window too narrow for the toolbars' rows)."""

from __future__ import annotations

import json

import pytest

from .screens import run_on_screen

SCRIPT = """
import json, os
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QToolBar, QToolButton
app = QApplication([])
from emviz.gui import MainWindow
from emviz.gui.audit import check_toolbar_overflow
from emviz.gui.style import apply_app_font
from tests.gui.screens import set_up, settle
apply_app_font(app)
w = MainWindow()
w.show()
settle(app, w)
w.controller.advance(4)
settle(app, w)
set_up(app, w, "k-means split")
w.lesson.show()
settle(app, w)
labels = {a.objectName(): t.widgetForAction(a).text() for t in w.findChildren(QToolBar)
          for a in t.actions() if isinstance(t.widgetForAction(a), QToolButton)}
w.presentation.set_presenting(True)
settle(app, w)
out = {"screen": [w.width(), w.height()], "overflow": [], "unreachable": [], "tips": [],
       "more": [], "clicks": {}}
bars = [t for t in w.findChildren(QToolBar) if t.isVisible()]
for bar in bars:
    out["overflow"] += [str(f) for f in check_toolbar_overflow(bar)]

def clickable(button):
    # shown whole inside the window, and a click at its centre lands on it
    centre = button.mapTo(w, button.rect().center())
    whole = w.rect().contains(button.rect().translated(button.mapTo(w, QPoint(0, 0))))
    return button.isVisible() and whole and w.childAt(centre) is button

more = w.findChild(QToolButton, "moreButton")
menu = w.findChild(QMenu, "moreMenu")
in_more = [a for a in menu.actions() if not a.isSeparator()] if menu is not None else []
out["more"] = [a.objectName() for a in in_more]
out["more clickable"] = more is not None and clickable(more)
every = {a.objectName(): a for a in w.actions_by_name.values()
         if any(a in t.actions() for t in w.findChildren(QToolBar)) or a in in_more}
for name, action in every.items():
    if not action.isVisible():
        continue
    bar = next((t for t in bars if action in t.actions()), None)
    button = bar.widgetForAction(action) if bar is not None else None
    if button is not None and clickable(button):
        if button.text() != labels.get(name, button.text()) and labels[name] not in button.toolTip():
            out["tips"].append([name, button.text(), button.toolTip()])
    elif not (action in in_more and out["more clickable"]):
        out["unreachable"].append(name)

# real clicks: the history's back button, then More and its Density entry
back = next(t.widgetForAction(w.actions_by_name["actionBack"]) for t in bars
            if w.actions_by_name["actionBack"] in t.actions())
index = w.model.index
QTest.mouseClick(back, Qt.MouseButton.LeftButton)
settle(app, w)
out["clicks"]["back"] = [index, w.model.index]
if more is not None:
    shown = []
    menu.aboutToShow.connect(lambda: shown.append(True))
    def pick():
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu):
            action = w.actions_by_name["actionDensity"]
            QTest.mouseClick(popup, Qt.MouseButton.LeftButton, pos=popup.actionGeometry(action).center())
    from PySide6.QtCore import QTimer
    QTimer.singleShot(0, pick)
    QTest.mouseClick(more, Qt.MouseButton.LeftButton)
    settle(app, w)
    out["clicks"]["density"] = [bool(shown), w.actions_by_name["actionDensity"].isChecked()]
    out["more shortcuts"] = {a.objectName(): a.shortcut().toString() for a in in_more}
w.presentation.set_presenting(False)
settle(app, w)
# a window narrower than its toolbars' whole rows keeps them packed (More menu) out of
# presentation mode too (emviz.gui.toolbar_rows)
out["packed after"] = w.toolbar_rows.packed
out["back in window"] = {name: any(a in t.actions() for t in w.findChildren(QToolBar))
                         or (w.toolbar_rows.packed and a in menu.actions() and more.isVisible())
                         for name, a in every.items()}
print(json.dumps(out), flush=True)
os._exit(0)
"""


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800), (1920, 1080)])
def test_every_toolbar_action_is_a_visible_control_while_presenting(tmp_path, size):
    out = json.loads(run_on_screen(SCRIPT, size, tmp_path)[-1])
    assert out["screen"] == list(size)
    assert out["overflow"] == []
    assert out["unreachable"] == []
    assert out["tips"] == []  # a short label names the whole action in its tooltip
    assert out["more clickable"]
    assert {"actionRedo", "actionExportImage", "actionSample", "actionDensity"} <= set(out["more"])
    # each entry of More keeps its shortcut (the keyboard reaches it as before)
    assert all(out["more shortcuts"].values()), out["more shortcuts"]
    assert out["clicks"]["back"][1] == out["clicks"]["back"][0] - 1
    assert out["clicks"]["density"] == [True, True]
    assert all(out["back in window"].values()), out["back in window"]
    if size[0] >= 1280:  # room for the toolbars' whole rows: every action on its toolbar
        assert not out["packed after"]
