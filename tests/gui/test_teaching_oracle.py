"""The oracle: points coloured by their labels z, the complete-data fit beside EM's θ with
ln p(X, Z | θ) and ln p(X | θ), and labels painted by clicks (undoable)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

from emviz.core import complete_log_likelihood, fit_labelled, generate, log_likelihood, weighted_log_prob
from emviz.gui.teaching.oracle import OracleFeature
from emviz.look.colors import component_colors

from .conftest import data_point, wait_for_history
from .test_views import grab_rgb, pixel_at


def action(w, name: str) -> QAction:
    return w.findChild(QAction, name)


def oracle(w) -> OracleFeature:
    return w.findChild(OracleFeature)


def load_generated(window, qtbot, unlabelled: int = 0, k: int = 3, seed: int = 4):
    """Three generated Gaussians with the oracle's labels; the first ``unlabelled`` points
    lose theirs (z = -1)."""
    d = generate(3, 300, 3.0, seed)
    labels = d.labels.copy()
    labels[:unlabelled] = -1
    window.controller.apply_settings(dataclasses.replace(window.model.settings, k=k))
    window.editor.replace(d.X, labels, d.true_mixture, d.name, d.axes)
    wait_for_history(qtbot, window, 1)
    return d.X, labels


def clear_points(window, points_px: np.ndarray, clearance: float) -> np.ndarray:
    """Indices of points at least ``clearance`` pixels from every other point and from every
    curve and marker the points view draws over them."""
    pv = window.points_view
    obstacles = [points_px]
    for item in pv.getPlotItem().listDataItems() + pv.getPlotItem().items:
        if item is pv.cloud or not item.isVisible() or not hasattr(item, "getData"):
            continue
        x, y = item.getData()
        if x is None or len(x) == 0:
            continue
        xy = np.c_[x, y][np.isfinite(x)]
        obstacles.append(np.array([[p.x(), p.y()] for p in (pv.data_to_widget(*v) for v in xy)]))
    others = np.concatenate(obstacles)
    keep = []
    for i, p in enumerate(points_px):
        d = np.hypot(*(others - p).T)
        if np.sort(d)[1] >= clearance:  # [0] is the point itself
            keep.append(i)
    return np.array(keep, dtype=int)


def test_show_oracle_colours_points_by_label_and_unlabelled_black(window, qtbot):
    X, labels = load_generated(window, qtbot, unlabelled=60)
    show = action(window, "actionShowOracle")
    assert show.isEnabled() and show.isCheckable() and not show.isChecked()
    show.trigger()
    assert window.model.options.show_oracle
    window.redraw_now()
    assert show.isChecked()
    pixels = grab_rgb(window.points_view)
    px = np.array([[p.x(), p.y()] for p in (window.points_view.data_to_widget(*x) for x in X)])
    checked = clear_points(window, px, clearance=10.0)
    palette = np.r_[component_colors(3), [[0, 0, 0]]].astype(int)  # index -1: black
    assert {-1, 0, 1, 2} <= set(labels[checked].tolist())  # every kind is looked at
    for i in checked:
        assert np.abs(pixel_at(window, pixels, *X[i]) - palette[labels[i]]).max() <= 12, i
    show.trigger()
    window.redraw_now()
    assert not window.model.options.show_oracle


def test_oracle_actions_are_disabled_with_a_reason_when_the_data_have_no_labels(window):
    assert window.model.labels is None  # Old Faithful: nobody knows which geyser state
    window.redraw_now()
    for name in ("actionShowOracle", "actionFitOracle"):
        a = action(window, name)
        assert not a.isEnabled()
        assert "paint labels" in a.toolTip()
    assert action(window, "actionShowOracle").shortcut().toString() in action(
        window, "actionShowOracle").toolTip()


def test_oracle_fit_draws_ellipses_at_mahalanobis_one_and_two(window, qtbot):
    X, labels = load_generated(window, qtbot, unlabelled=40)
    action(window, "actionFitOracle").trigger()
    window.redraw_now()
    known = labels >= 0
    expected = fit_labelled(X[known], labels[known], 3, "full", window.model.settings.reg_covar)
    np.testing.assert_allclose(expected.weights, np.bincount(labels[known]) / known.sum())
    fit = oracle(window).fit
    np.testing.assert_allclose(fit.means, expected.means)
    overlay = oracle(window).overlay
    assert overlay.mixture is fit
    for j in range(3):
        for item, radius in zip(overlay.ellipses[j], (1.0, 2.0), strict=True):
            assert item.isVisible()
            x, y = item.getData()
            d = np.c_[x, y] - expected.means[j]
            m2 = np.einsum("ni,ij,nj->n", d, np.linalg.inv(expected.covariances[j]), d)
            np.testing.assert_allclose(m2, radius**2, rtol=1e-9)
        assert item.opts["pen"].style() == Qt.PenStyle.CustomDashLine  # dashed, not EM's look
    np.testing.assert_allclose(np.c_[overlay.means.getData()], expected.means)
    assert "oracle z = 2" in overlay.tags[1].toPlainText()


def best_complete_log_likelihood(X, labels, mixture):
    """ln p(X, Z | θ) under the relabelling of EM's components that makes it largest."""
    wlp = weighted_log_prob(X, mixture)
    k = int(labels.max()) + 1
    best = max(itertools.permutations(range(mixture.n_components), k),
               key=lambda sigma: sum(wlp[labels == j, sigma[j]].sum() for j in range(k)))
    return complete_log_likelihood(X, np.array(best)[labels], mixture)


def test_readout_shows_both_likelihoods_for_the_oracle_and_for_em(window, qtbot):
    X, labels = load_generated(window, qtbot, unlabelled=30, seed=5)
    for _ in range(3):
        action(window, "actionStep").trigger()
        qtbot.waitUntil(lambda: not window.controller.busy)
    wait_for_history(qtbot, window, 7)
    action(window, "actionFitOracle").trigger()
    window.redraw_now()
    panel = oracle(window).panel
    assert window.tabs.currentWidget() is panel
    table = panel.table
    known = labels >= 0
    fit = fit_labelled(X[known], labels[known], 3, "full", window.model.settings.reg_covar)
    # rows: ln p(X, Z | θ), ln p(X | θ); columns: the oracle's fit, EM's θ
    assert table.item(0, 0).text() == f"{complete_log_likelihood(X[known], labels[known], fit):.3f}"
    assert table.item(1, 0).text() == f"{log_likelihood(X, fit):.3f}"
    state = window.model.current
    em_complete = best_complete_log_likelihood(X[known], labels[known], state.mixture)
    assert table.item(0, 1).text() == f"{em_complete:.3f}"
    assert table.item(1, 1).text() == f"{state.log_likelihood:.3f}"
    assert table.verticalHeaderItem(0).text() == "ln p(X, Z | θ)"
    assert table.horizontalHeaderItem(1).text() == "EM's θ\nit. 3, M"
    assert "270 of 300 points labelled" in panel.counts.text()
    # the oracle's fit is the maximum of the complete-data likelihood
    assert complete_log_likelihood(X[known], labels[known], fit) >= em_complete - 1e-9


def test_fit_is_cleared_when_the_data_change(window, qtbot):
    load_generated(window, qtbot)
    fit_action = action(window, "actionFitOracle")
    fit_action.trigger()
    window.redraw_now()
    assert oracle(window).fit is not None and fit_action.isChecked()
    d = generate(2, 100, 3.0, 9)
    window.editor.replace(d.X, d.labels, d.true_mixture, d.name, d.axes)
    wait_for_history(qtbot, window, 1)
    assert oracle(window).fit is None and not fit_action.isChecked()
    assert not any(item.isVisible() for pair in oracle(window).overlay.ellipses for item in pair)


def isolated_point(window, X: np.ndarray) -> int:
    px = np.array([[p.x(), p.y()] for p in (window.points_view.data_to_widget(*x) for x in X)])
    d = np.hypot(*(px[:, None, :] - px[None, :, :]).T)
    d[np.arange(len(X)), np.arange(len(X))] = np.inf
    return int(np.argmax(d.min(axis=0)))


def test_painting_a_label_on_a_clicked_point_is_undoable_and_keeps_the_run(window, qtbot):
    X = window.points.copy()
    action(window, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    history = list(window.history)
    paint = action(window, "actionPaintLabels")
    paint.trigger()
    assert paint.isChecked() and window.model.options.show_oracle
    feature = oracle(window)
    chooser = feature.panel.chooser
    chooser.setCurrentIndex(chooser.findData(1))  # z = 2
    i = isolated_point(window, X)
    vp = window.points_view.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=data_point(window, *X[i]))
    qtbot.waitUntil(lambda: window.model.labels is not None)
    labels = window.model.labels
    assert labels[i] == 1 and np.all(np.delete(labels, i) == -1)
    np.testing.assert_array_equal(window.points, X)  # no point was added
    assert window.history == history  # labels are not what EM fits: the run goes on
    window.redraw_now()
    assert action(window, "actionShowOracle").isEnabled()
    pixels = grab_rgb(window.points_view)
    assert np.abs(pixel_at(window, pixels, *X[i]) - component_colors(2)[1]).max() <= 12
    action(window, "actionUndo").trigger()
    assert window.model.labels is None
    action(window, "actionRedo").trigger()
    assert window.model.labels[i] == 1
    paint.trigger()  # off: a click adds a point again
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=data_point(window, 1.2, -1.2))
    qtbot.waitUntil(lambda: len(window.points) == len(X) + 1)
    assert window.model.labels[-1] == -1


def test_painting_far_from_every_point_labels_nothing_and_says_so(window, qtbot):
    action(window, "actionPaintLabels").trigger()
    window.points_view.getPlotItem().setRange(xRange=(-6, 6), yRange=(-6, 6), padding=0)
    qtbot.mouseClick(window.points_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=data_point(window, -5.0, 5.0))
    qtbot.waitUntil(lambda: "No point within" in window.statusBar().currentMessage())
    assert window.model.labels is None and len(window.points) == 272
    action(window, "actionPaintLabels").trigger()


def test_a_drag_paints_the_points_it_passes_as_one_edit(window, qtbot):
    X = np.c_[np.linspace(-2, 2, 9), np.zeros(9)]
    X = np.r_[X, [[0.0, 3.0]]]  # one point far off the stroke
    window.set_points(X)
    wait_for_history(qtbot, window, 1)
    window.points_view.getPlotItem().setRange(xRange=(-4, 4), yRange=(-4, 4), padding=0)
    action(window, "actionPaintLabels").trigger()
    chooser = oracle(window).panel.chooser
    chooser.setCurrentIndex(chooser.findData(1))  # z = 2 (K = 2: the label palette covers K)
    vp = window.points_view.viewport()
    start, end = data_point(window, -2.6, 0.0), data_point(window, 2.6, 0.0)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for t in np.linspace(0, 1, 41)[1:]:
        p = start + (end - start) * t
        QTest.mouseMove(vp, QPoint(int(p.x()), int(p.y())))
        qtbot.wait(2)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    qtbot.waitUntil(lambda: window.model.labels is not None)
    np.testing.assert_array_equal(window.model.labels, [1] * 9 + [-1])
    assert len(window.points) == 10  # painting adds no points
    action(window, "actionUndo").trigger()
    assert window.model.labels is None  # the stroke was one edit
    action(window, "actionPaintLabels").trigger()


def test_painted_labels_refit_the_oracle_and_undo_restores_the_fit(window, qtbot):
    X, labels = load_generated(window, qtbot)
    fit_action = action(window, "actionFitOracle")
    fit_action.trigger()
    first = oracle(window).fit
    feature = oracle(window)
    feature.panel.chooser.setCurrentIndex(feature.panel.chooser.findData(0))
    mine = np.flatnonzero(labels == 2)[:20]
    feature.paint(mine)
    relabelled = labels.copy()
    relabelled[mine] = 0
    np.testing.assert_array_equal(window.model.labels, relabelled)
    expected = fit_labelled(X, relabelled, 3, "full", window.model.settings.reg_covar)
    np.testing.assert_allclose(feature.fit.means, expected.means)
    assert fit_action.isChecked()
    action(window, "actionUndo").trigger()
    np.testing.assert_array_equal(window.model.labels, labels)
    np.testing.assert_allclose(feature.fit.means, first.means)


def test_new_data_are_framed_without_the_old_fits_ellipses(window, qtbot):
    """The points view frames new data once; the oracle's ellipses for the old data are gone
    by then (they were still drawn when the view framed, which zoomed out to include them)."""
    load_generated(window, qtbot)
    action(window, "actionFitOracle").trigger()
    window.redraw_now()
    X = np.random.default_rng(5).normal(scale=0.3, size=(200, 2))  # far inside the old fit
    window.editor.replace(X, None, None, "Small blob")
    window.redraw_now()  # the first frame of the new data: the points view frames them
    frame = window.points_view.getViewBox().targetRect()
    wait_for_history(qtbot, window, 1)
    span = X.max(axis=0) - X.min(axis=0)
    assert frame.width() < 1.5 * span[0] and frame.height() < 1.5 * span[1]


def test_a_narrow_table_rounds_its_numbers_to_fit_and_keeps_them_whole_in_the_tooltip(qtbot):
    """At 1024 x 768 with the lesson open (chapter 2) the table's column had 75 px for
    "-1266.001" (83 px): it showed "-1266...." A column too narrow for three decimals shows
    fewer, never a cut number; the tooltip keeps all three; with room, three again."""
    from emviz.gui.audit import check_clipped
    from emviz.gui.teaching.oracle import OraclePanel

    panel = OraclePanel(QAction("Paint labels"))
    qtbot.addWidget(panel)
    values = {(0, 0): -1266.001, (0, 1): -2410.171, (1, 0): -1265.995, (1, 1): -2261.564}
    for (quantity, theta), value in values.items():
        panel.set_value(theta, quantity, value)
    panel.resize(240, 500)
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.table
    qtbot.waitUntil(lambda: check_clipped(table) == [])
    assert table.item(0, 0).text() in ("-1266.00", "-1266.0", "-1266")
    assert table.item(0, 0).toolTip() == "-1266.001"
    panel.resize(600, 500)
    qtbot.waitUntil(lambda: table.item(1, 0).text() == "-1265.995")
    assert check_clipped(table) == []
