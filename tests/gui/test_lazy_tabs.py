"""The explanation tabs whose views are built when first shown (emviz.gui.lazy_tabs): nothing
of theirs is built at start, yet every tab shows the current state when chosen, a feature
asked for first works, and a session restores into views not built yet."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

import emviz
from emviz.gui.lazy_tabs import LazyPage
from emviz.gui.main_window import MainWindow
from emviz.gui.teaching import FEATURES, LazyTab
from emviz.gui.teaching.choose_k import ModelChoiceTab
from emviz.gui.teaching.decomposition import DecompositionView
from emviz.gui.teaching.equations import EquationsPanel
from emviz.gui.teaching.landscape import LandscapeView
from emviz.gui.teaching.why import WhyPlot

from .conftest import loaded, wait_for_history

SOURCE = Path(emviz.__file__).resolve().parents[1]  # the checkout these tests run from
LAZY = {entry.name: entry for entry in FEATURES if isinstance(entry, LazyTab)}
VIEW_CLASSES = {"why": WhyPlot, "landscape": LandscapeView, "decomposition": DecompositionView,
                "equations": EquationsPanel, "choose_k": ModelChoiceTab}


@pytest.fixture
def built(monkeypatch) -> dict[str, int]:
    """How many times each lazy tab's view class was constructed."""
    counts = dict.fromkeys(VIEW_CLASSES, 0)
    for name, cls in VIEW_CLASSES.items():
        init = cls.__init__

        def counting(self, *args, _init=init, _name=name, **kwargs):
            counts[_name] += 1
            _init(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)
    return counts


def tab_index(w, title: str) -> int:
    return next(i for i in range(w.tabs.count()) if w.tabs.tabToolTip(i).startswith(title)
                or w.tabs.tabText(i) == title)


def test_a_tab_not_shown_is_not_built_and_showing_it_builds_it_once(built, qtbot):
    assert set(LAZY) == set(VIEW_CLASSES)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.redraw_now()
    assert built == dict.fromkeys(VIEW_CLASSES, 0)
    assert not any(w.features.is_built(name) for name in LAZY)
    assert len(w.tabs.lazy_pages()) == len(LAZY)
    assert all(not page.built for page in w.tabs.lazy_pages())
    w.tabs.setCurrentIndex(tab_index(w, "Why EM"))  # as a click on the tab does
    assert built == {**dict.fromkeys(VIEW_CLASSES, 0), "why": 1}
    w.tabs.setCurrentIndex(0)
    w.tabs.setCurrentIndex(tab_index(w, "Why EM"))
    assert built["why"] == 1 and w.features.is_built("why")
    assert sum(built.values()) == 1  # the other tabs still wait


def test_every_tab_shown_draws_the_current_state(window, qtbot):
    for n in range(3):
        window.actions_by_name["actionStep"].trigger()
        wait_for_history(qtbot, window, 2 * n + 3)
    state = window.history[window.model.index]
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        window.redraw_now()
        view = window.tabs.currentWidget()
        assert not isinstance(view, LazyPage)
        if view in window.views:
            assert not window.view_is_stale(view), window.tabs.tabText(i)
    equations = window.feature("equations")
    assert equations.when.text() == f"after {state.phase}-step {state.iteration}"
    why = window.feature("why")
    assert any(item.xData is not None and len(item.xData) > 0
               for item in why.getPlotItem().listDataItems())


def test_a_feature_asked_for_before_its_tab_was_shown_is_built_into_its_tab(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    titles = [(w.tabs.tabText(i), w.tabs.tabToolTip(i)) for i in range(w.tabs.count())]
    assert not w.features.is_built("choose_k")
    view = w.feature("choose_k")
    assert isinstance(view, ModelChoiceTab) and w.features.is_built("choose_k")
    index = w.tabs.indexOf(view)
    assert index >= 0 and w.tabs.widget(index) is view
    # The tab stood for it with the title and tooltip its install gives it.
    assert [(w.tabs.tabText(i), w.tabs.tabToolTip(i)) for i in range(w.tabs.count())] == titles
    w.show()
    qtbot.waitExposed(w)
    w.show_tab(view)
    assert w.tabs.currentWidget() is view and view.isVisible()
    w.redraw_now()
    assert not w.view_is_stale(view)
    # findChild finds a view not built yet by its name (building it), as scripts did.
    assert not w.features.is_built("landscape")
    assert w.findChild(QWidget, "landscapeView") is w.feature("landscape")


def test_every_lazy_tab_keeps_its_title_and_tooltip_when_built(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    before = [(w.tabs.tabText(i), w.tabs.tabToolTip(i)) for i in range(w.tabs.count())]
    w.build_all_views()
    assert all(page.built for page in w.tabs.lazy_pages())
    assert [(w.tabs.tabText(i), w.tabs.tabToolTip(i)) for i in range(w.tabs.count())] == before


def tick_pt_and_background(view) -> tuple[float, str]:
    plot = view if isinstance(view, pg.PlotWidget) else view.findChildren(pg.PlotWidget)[0]
    return (plot.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF(),
            plot.backgroundBrush().color().name())


def test_a_tab_built_while_presenting_in_the_dark_theme_takes_that_look(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    built_at_start = w.feature("landscape")
    normal = tick_pt_and_background(built_at_start)
    present = w.findChild(QAction, "actionPresent")
    w.presentation.set_theme("dark")
    present.trigger()
    try:
        assert not w.features.is_built("why")
        why = w.feature("why")  # (built while the change may still be under way)
        qtbot.waitUntil(lambda: w.presentation.settled)
        w.show_tab(built_at_start)  # (a hidden tab takes the window's look when shown)
        looks = tick_pt_and_background(built_at_start)
        assert looks[0] > normal[0] and looks[1] != normal[1]
        assert tick_pt_and_background(why) == looks  # as if it had been there all along
    finally:
        present.trigger()
        w.presentation.set_theme("light")
    w.show_tab(why)
    assert tick_pt_and_background(why) == normal  # and it leaves that look with the others


def test_a_shortcut_of_a_feature_works_before_its_views_were_built(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitActive(w):  # window shortcuts need the active window
        w.activateWindow()
    assert not w.features.is_built("gallery") and not w.features.is_built("sample_mode")
    qtbot.keyClick(w, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # Sample…
    qtbot.waitUntil(lambda: w.features.is_built("sample_mode")
                    and w.feature("sample_mode").dialog is not None)
    w.feature("sample_mode").dialog.close()
    w.feature("sample_mode").dialog.deleteLater()
    with qtbot.waitActive(w):
        w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.features.is_built("gallery") and w.feature("gallery").isVisible())
    gallery = w.feature("gallery")
    qtbot.waitUntil(lambda: not gallery.running and not w.controller.busy, timeout=60_000)
    gallery.hide()


def test_a_session_restores_into_a_tab_not_built_yet(window, qtbot, tmp_path):
    tab = window.feature("choose_k")
    window.show_tab(tab)
    qtbot.waitUntil(lambda: len(tab.criteria.curve) == 8 and not tab.criteria.busy,
                    timeout=20_000)
    bics = np.array(tab.criteria.bic_curve.yData)
    path = tmp_path / "lazy.emviz"
    assert window.files.save_session(str(path))
    other = MainWindow()
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    try:
        assert loaded(qtbot, other, lambda: other.files.open_session(str(path)))
        qtbot.waitUntil(lambda: not other.controller.busy, timeout=20_000)
        assert not other.features.is_built("choose_k")  # the session went to the model only
        other.tabs.setCurrentIndex(tab_index(other, "Choose K"))
        shown = other.feature("choose_k")
        other.redraw_now()
        assert not shown.busy
        np.testing.assert_array_equal(shown.criteria.bic_curve.yData, bics)
    finally:
        other.close()


# -- views hidden at start beside the tabs: the Point tab's bars, k-means mode's view, the
# 1-D mode's histogram (each cost 8-16 ms of CPU time of every start) ----------------------
def late_views(w) -> dict[str, pg.PlotWidget]:
    """Each of those views, built now if it was not yet (the public ways to them)."""
    return {"inspector": w.feature("inspector").plot,
            "kmeans": w.findChild(pg.PlotWidget, "kmeansView"),
            "histogram": w.feature("one_dim").view}


def test_only_the_plots_on_screen_at_start_are_built_at_start(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.redraw_now()
    built = sorted(plot.objectName() for plot in QWidget.findChildren(w, pg.PlotWidget))
    assert built == ["boundPlot", "pointsView"]
    # A tab's page asks for its room built or not (the tab widget's, and the window's, least
    # height follow it: presenting with the lesson open, the window outgrew the screen).
    inspector = w.feature("inspector")
    room = inspector.minimumSizeHint(), inspector.sizeHint()
    views = late_views(w)
    assert (inspector.minimumSizeHint(), inspector.sizeHint()) == room
    assert views["kmeans"].objectName() == "kmeansView" and not views["kmeans"].isVisible()
    assert not views["histogram"].isVisible() and w.points_view.isVisible()
    splitter = w.splitter  # the histogram just before the points view, k-means just after
    assert splitter.indexOf(views["histogram"]) + 1 == splitter.indexOf(w.points_view)
    assert splitter.indexOf(views["kmeans"].parentWidget()) == splitter.indexOf(w.points_view) + 1


def looks(w) -> dict[str, tuple]:
    return {name: tick_pt_and_background(view) for name, view in late_views(w).items()}


def test_views_built_late_while_presenting_in_the_dark_theme_take_that_look(qtbot):
    """As if they had been there all along: the same look as in a window that built them
    before the look changed."""
    looks_of = {}
    for late in (False, True):
        w = MainWindow()
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        if not late:
            normal = looks(w)
        w.presentation.set_theme("dark")
        w.presentation.set_presenting(True)
        late_views(w)  # built now if late; hidden, those built before catch up when shown:
        w.presentation.catch_up()  # as they are when shown
        looks_of[late] = looks(w)
        w.presentation.set_presenting(False)
        w.presentation.set_theme("light")
        # Hidden, they take the window's look when shown: the Point tab and k-means' view
        # shown the user's way, the histogram (shown by one-column data) caught up.
        w.show_tab(w.feature("inspector"))
        w.findChild(QAction, "actionKMeansMode").trigger()
        kmeans = late_views(w)["kmeans"]
        qtbot.waitUntil(kmeans.isVisible)
        w.presentation.catch_up()
        assert looks(w) == normal
    assert looks_of[True] == looks_of[False]
    assert all(looks_of[True][name] != normal[name] for name in normal)


def test_a_window_opens_without_the_engines_module(tmp_path):
    """The engine (its child process, shared memory) is imported by the first large run:
    a fresh interpreter that opens the window and draws it has not imported it."""
    code = ("import sys; from PySide6.QtWidgets import QApplication; "
            "from emviz.gui import MainWindow; app = QApplication([]); w = MainWindow(); "
            "w.show(); app.processEvents(); w.redraw_now(); "
            "print(sorted(m for m in sys.modules if m.startswith('emviz.engine'))); w.close()")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(SOURCE)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]"]
