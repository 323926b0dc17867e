"""The window's contract: default data, object names, actions and their shortcuts."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from emviz.core import old_faithful

VIEWS = ("pointsView", "boundPlot", "paramsTable", "historySlider")
CONTROLS = ("kSpinBox", "initCombo", "covarianceCombo", "datasetCombo", "seedSpinBox")
ACTIONS = {
    "actionEStep": "E", "actionMStep": "M", "actionStep": "Space", "actionPlay": "P",
    "actionReset": "R", "actionUndo": "Ctrl+Z", "actionRedo": "Ctrl+Shift+Z",
    "actionClearPoints": None, "actionGenerate": None, "actionExportImage": "Ctrl+E",
}


def test_opens_on_standardised_old_faithful_with_k2_initialised(window):
    expected = old_faithful(standardise=True).X
    np.testing.assert_allclose(window.points, expected)
    np.testing.assert_allclose(window.points.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(window.points.std(axis=0), 1)
    assert [s.phase for s in window.history] == ["init"]
    assert window.history[0].mixture.n_components == 2
    assert window.findChild(QWidget, "kSpinBox").value() == 2
    with pytest.raises(ValueError):
        window.points[0, 0] = 1.0  # read-only


@pytest.mark.parametrize("name", VIEWS + CONTROLS)
def test_named_widgets_exist(window, name):
    assert window.findChild(QWidget, name) is not None


@pytest.mark.parametrize("name, shortcut", ACTIONS.items())
def test_actions_exist_with_shortcut_in_tooltip(window, name, shortcut):
    action = window.findChild(QAction, name)
    assert action is not None
    if shortcut is not None:
        assert action.shortcut().toString() == shortcut
        assert shortcut in action.toolTip()
    assert action.toolTip()
    assert window.findChild(QAction, "actionPlay").isCheckable()


def test_at_1024_px_every_toolbar_action_shows_without_the_overflow_button(window, qtbot):
    """The Run toolbar needed 1068 px: at 1024 x 768 Undo, Redo and Export image hid behind
    its » button. Its parts go onto rows that fit, and back into one row when wide enough."""
    from PySide6.QtWidgets import QToolBar

    from emviz.gui.audit import check_toolbar_overflow

    def toolbars():
        return [t for t in window.findChildren(QToolBar) if t.isVisible()]

    window.resize(1024, 768)
    qtbot.waitUntil(lambda: window.width() == 1024)
    qtbot.waitUntil(lambda: all(check_toolbar_overflow(t) == [] for t in toolbars()))
    for name in ("actionUndo", "actionRedo", "actionExportImage", "actionPlay", "actionForward"):
        action = window.actions_by_name[name]
        assert any(t.widgetForAction(action) is not None and t.widgetForAction(action).isVisible()
                   for t in toolbars()), name
    rows = window.toolbar_rows.rows()
    assert all(sum(t.sizeHint().width() for t in row) <= 1024 for row in rows)
    window.resize(1900, 800)
    qtbot.waitUntil(lambda: len(window.toolbar_rows.rows()) < len(rows))


def test_a_narrow_window_packs_its_toolbars_a_row_shorter_and_every_action_stays_reachable(window, qtbot):
    """At 1024 x 768 in k-means mode the toolbars' own rows were four (132 px) and, with the
    lesson's band, the window was 829 px high, taller than its screen. Where the whole
    toolbars need a row more than packed ones, they are packed as while presenting: the
    rarely used actions in the "More" menu, whose button shows; wide again, all as before."""
    from PySide6.QtWidgets import QMenu, QToolBar, QToolButton

    rows = window.toolbar_rows
    whole = {t.objectName(): rows.presenting.whole_width(t) for t in window.findChildren(QToolBar)}
    # the whole toolbars need three rows there (run and history | edit | teach), packed two
    width = min(whole["runToolbar"] + whole["historyToolbar"] + whole["editToolbar"],
                whole["editToolbar"] + whole["teachToolbar"]) - 20
    window.resize(width, 768)
    qtbot.waitUntil(lambda: window.width() == width)
    assert len(rows.rows(packed=False)) > len(rows.rows(packed=True))
    qtbot.waitUntil(lambda: rows.packed and len(rows.rows()) == len(rows.rows(packed=True)))
    tops = {t.y() for t in window.findChildren(QToolBar) if t.isVisible()}
    assert len(tops) == len(rows.rows(packed=True))  # the rows on screen
    more = window.findChild(QToolButton, "moreButton")
    menu = window.findChild(QMenu, "moreMenu")
    qtbot.waitUntil(more.isVisible)
    for name in ("actionRedo", "actionExportImage", "actionSample", "actionDensity"):
        assert window.actions_by_name[name] in menu.actions(), name
    window.resize(1900, 800)
    qtbot.waitUntil(lambda: not rows.packed)
    qtbot.waitUntil(lambda: not more.isVisible())
    redo = window.actions_by_name["actionRedo"]
    assert any(t.widgetForAction(redo) is not None and t.widgetForAction(redo).isVisible()
               for t in window.findChildren(QToolBar))
