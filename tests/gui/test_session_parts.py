"""The session model's parts come back with a session: k-means mode and its run, the oracle's
fit, the lesson chapter, the gallery's iterations and the colours."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from emviz.core import generate
from emviz.gui.main_window import MainWindow

from .conftest import loaded, wait_for_history


def trigger(w, name: str) -> None:
    w.findChild(QAction, name).trigger()


def test_a_new_window_opened_from_a_session_shows_kmeans_the_oracle_fit_and_the_chapter(
        window, qtbot, tmp_path):
    d = generate(3, 150, 3.0, seed=4)
    window.editor.replace(d.X, d.labels, d.true_mixture, d.name, d.axes)
    wait_for_history(qtbot, window, 1)
    window.controls.k.setValue(3)
    wait_for_history(qtbot, window, 1)
    for _ in range(2):
        trigger(window, "actionStep")
        wait_for_history(qtbot, window, len(window.history) + 1)
    trigger(window, "actionKMeansMode")
    trigger(window, "actionKMeansStep")
    trigger(window, "actionKMeansAssign")
    run = window.feature("kmeans_mode").run
    assert run.wait_idle() and len(run.history) == 4
    trigger(window, "actionFitOracle")
    assert window.model.oracle.fit is not None
    window.lesson.go(6)  # chapter 7
    window.feature("gallery").set_iterations((0, 1, 3))
    path = tmp_path / "class.emviz"
    assert window.files.save_session(str(path))
    centers = np.array(run.current.centers)
    oracle_means = np.array(window.model.oracle.fit.means)
    n_history, index = len(window.history), window.model.index

    other = MainWindow()
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    qtbot.waitUntil(lambda: len(other.history) == 1 and not other.controller.busy, timeout=20_000)
    assert not other.feature("kmeans_mode").view.isVisible()
    assert loaded(qtbot, other, lambda: other.files.open_session(str(path)))
    qtbot.waitUntil(lambda: len(other.history) == n_history and not other.controller.busy,
                    timeout=20_000)
    assert other.feature("kmeans_mode").run.wait_idle()
    other.redraw_now()
    try:
        assert other.model.index == index
        # k-means: the split view with the same run, centres and switch
        assert other.feature("kmeans_mode").view.isVisible()
        assert other.findChild(QAction, "actionKMeansMode").isChecked()
        assert len(other.feature("kmeans_mode").run.history) == 4
        x, y = other.feature("kmeans_mode").view.centers.getData()
        np.testing.assert_array_equal(np.c_[x, y], centers)
        # the oracle's fit, drawn on the points and checked on the toolbar
        assert other.findChild(QAction, "actionFitOracle").isChecked()
        np.testing.assert_array_equal(other.model.oracle.fit.means, oracle_means)
        overlay = other.findChild(QObject, "oracleFeature").overlay
        x, y = overlay.means.getData()
        np.testing.assert_array_equal(np.c_[x, y], oracle_means)
        # the lesson on chapter 7, the gallery's iterations
        assert other.lesson.index == 6 and other.lesson.position.text().startswith("Chapter 7 of")
        assert other.model.gallery.iterations == (0, 1, 3)
        assert other.feature("gallery").edit.text() == "0, 1, 3"
    finally:
        other.close()


def test_the_colours_of_a_run_come_back_with_its_session(window, qtbot, tmp_path):
    d = generate(3, 150, 3.0, seed=4)
    window.editor.replace(d.X, d.labels, d.true_mixture, d.name, d.axes)
    window.controls.k.setValue(3)
    wait_for_history(qtbot, window, 1)
    window.model.identity.pin((2, 0, 1))  # as a reseed that kept the clusters' colours would
    window.controller.restart_from(window.history[0].mixture)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    assert window.model.identity.em_slots.tolist() == [2, 0, 1]
    path = tmp_path / "colours.emviz"
    assert window.files.save_session(str(path))
    window.editor.replace(np.random.default_rng(0).normal(size=(40, 2)), None, None, "other")
    wait_for_history(qtbot, window, 1)
    assert window.model.identity.em_slots.tolist() == [0, 1, 2]
    assert loaded(qtbot, window, lambda: window.files.open_session(str(path)))
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    assert window.model.identity.em_slots.tolist() == [2, 0, 1]


def test_the_choose_k_curve_and_restarts_come_back_with_a_session_without_refitting(
        window, qtbot, tmp_path, monkeypatch):
    from emviz.gui.teaching import choose_k as tab_module

    tab = window.feature("choose_k")
    window.show_tab(tab)
    qtbot.waitUntil(lambda: len(tab.criteria.curve) == 8 and not tab.criteria.busy, timeout=20_000)
    tab.restarts.run(4)
    qtbot.waitUntil(lambda: not tab.restarts.busy and len(tab.restarts.fits) == 4, timeout=20_000)
    bics = np.array(tab.criteria.bic_curve.yData)
    dots = np.array(tab.restarts.dots.getData()[0])
    path = tmp_path / "choose.emviz"
    assert window.files.save_session(str(path))

    fitted = []
    monkeypatch.setattr(tab_module, "criteria_curve", lambda *a, **k: fitted.append(a) or iter(()))
    monkeypatch.setattr(tab_module, "restarts", lambda *a, **k: fitted.append(a) or iter(()))
    other = MainWindow()
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    try:
        assert loaded(qtbot, other, lambda: other.files.open_session(str(path)))
        qtbot.waitUntil(lambda: len(other.history) == len(window.history)
                        and not other.controller.busy, timeout=20_000)
        shown = other.feature("choose_k")
        other.show_tab(shown)
        other.redraw_now()
        assert fitted == [] and not shown.busy  # nothing refitted: the curve came with the file
        np.testing.assert_array_equal(shown.criteria.bic_curve.yData, bics)
        assert [c.best.seed for c in shown.criteria.curve.values()] == [
            c.best.seed for c in tab.criteria.curve.values()]
        np.testing.assert_array_equal(shown.restarts.dots.getData()[0], dots)
        assert "4 starts" in shown.restarts.status.text()
        # A new K makes the restored restarts stale, as it does fitted ones.
        other.controls.k.setValue(3)
        other.redraw_now()
        assert shown.restarts.fits == []
    finally:
        other.close()
