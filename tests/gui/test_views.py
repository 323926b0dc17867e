"""What the views show: colours at the pixels of the points, ellipses, overlays, datasets."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QDialog

from emviz.core import BUILTIN_DATASETS, load_builtin
from emviz.look.colors import blend, component_colors

from .conftest import wait_for_history


def grab_rgb(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)


def pixel_at(window, pixels, x, y) -> np.ndarray:
    p = window.points_view.data_to_widget(x, y)
    return pixels[p.y(), p.x()]


def two_triangles(window, qtbot, spread: float = 1.5):
    """Two clusters of three points (each point at Mahalanobis distance √2 from its cluster's
    mean: off both ellipses and away from the mean marker), plus one point midway (r = ½, ½)."""
    tri = spread * np.array([[0.0, 1.0], [-0.866, -0.5], [0.866, -0.5]])
    window.controller.apply_settings(dataclasses.replace(window.model.settings, init_method="kmeans"))
    wait_for_history(qtbot, window, 1)
    window.set_points(np.r_[tri + [-3.0, 0.0], tri + [3.0, 0.0], [[0.0, 0.0]]])
    wait_for_history(qtbot, window, 1)
    window.findChild(QAction, "actionEStep").trigger()
    wait_for_history(qtbot, window, 2)
    window.points_view.getPlotItem().setRange(xRange=(-5.5, 5.5), yRange=(-5.5, 5.5), padding=0)
    window.redraw_now()


def test_points_are_drawn_in_their_responsibility_colours(window, qtbot):
    two_triangles(window, qtbot)
    resp = window.history[-1].resp
    assert 0.02 < resp[-1, 0] < 0.98  # the midway point is split: a soft label
    expected = blend(resp, component_colors(2)).astype(int)
    pixels = grab_rgb(window.points_view)
    for (x, y), colour in zip(window.points, expected, strict=True):
        assert np.abs(pixel_at(window, pixels, x, y) - colour).max() <= 12  # binning + AA


def test_hard_colouring_uses_the_argmax_component(window, qtbot):
    two_triangles(window, qtbot)
    window.controls.soft.setChecked(False)
    assert window.model.options.soft_colors is False
    window.redraw_now()
    pixels = grab_rgb(window.points_view)
    palette = component_colors(2).astype(int)
    labels = window.history[-1].resp.argmax(axis=1)
    for (x, y), k in zip(window.points, labels, strict=True):
        assert np.abs(pixel_at(window, pixels, x, y) - palette[k]).max() <= 12


def test_ellipses_follow_the_covariances_at_distance_one_and_two(window, qtbot):
    mixture = window.history[-1].mixture
    for j in range(mixture.n_components):
        for item, radius in zip(window.points_view._ellipses[j], (1.0, 2.0), strict=True):
            x, y = item.getData()
            d = np.c_[x, y] - mixture.means[j]
            m2 = np.einsum("ni,ij,nj->n", d, np.linalg.inv(mixture.covariances[j]), d)
            np.testing.assert_allclose(m2, radius**2, rtol=1e-9)
    means = window.points_view.means.getData()
    np.testing.assert_allclose(np.c_[means], mixture.means)


def test_params_table_shows_pi_mu_sigma_per_component(window, qtbot):
    window.findChild(QAction, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    table, mixture = window.params_table, window.history[-1].mixture
    assert table.rowCount() == 2
    for j in range(2):
        assert float(table.item(j, 1).text()) == round(mixture.weights[j], 3)
        assert f"{mixture.means[j][0]:.3f}" in table.item(j, 2).text()
        assert f"{mixture.covariances[j][0, 1]:.3f}" in table.item(j, 3).text()
        swatch = table.item(j, 0).background().color()
        assert (swatch.red(), swatch.green(), swatch.blue()) == tuple(component_colors(2)[j])


def test_every_dataset_in_the_chooser_loads(window, qtbot):
    combo = window.controls.dataset
    assert combo.count() == len(BUILTIN_DATASETS)
    for i in range(combo.count()):
        key = combo.itemData(i)
        combo.setCurrentIndex(i)
        combo.activated.emit(i)
        wait_for_history(qtbot, window, 1)
        expected = load_builtin(key, seed=window.model.settings.seed)
        np.testing.assert_allclose(window.points, expected.X)
        assert window.model.dataset_name == expected.name
        assert window.history[0].phase == "init"


def test_true_mixture_overlay_for_generated_data(window, qtbot, monkeypatch):
    monkeypatch.setattr(QDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    window.findChild(QAction, "actionGenerate").trigger()
    wait_for_history(qtbot, window, 1)
    truth = window.model.true_mixture
    assert truth is not None and len(window.points) == 500
    assert window.model.labels is not None and window.model.labels.max() == 2
    check = window.controls.true_mixture
    assert check.isEnabled()
    check.setChecked(True)
    window.redraw_now()
    x, y = window.points_view.true_ellipses.getData()
    finite = np.isfinite(x)
    assert finite.sum() > 100
    # every vertex lies on some true component's 2σ ellipse
    d2 = [np.einsum("ni,ij,nj->n", np.c_[x, y][finite] - m, np.linalg.inv(c), np.c_[x, y][finite] - m)
          for m, c in zip(truth.means, truth.covariances, strict=True)]
    assert np.all(np.min(np.abs(np.array(d2) - 4.0), axis=0) < 1e-8)
    check.setChecked(False)
    window.redraw_now()
    assert len(window.points_view.true_ellipses.getData()[0]) == 0


def test_oracle_colours_with_fewer_labels_than_components(window, qtbot):
    """Labels painted for one component only (K = 2): the points take the label colours,
    θ's ellipses keep the component colours, and nothing fails while drawing."""
    labels = np.full(len(window.points), -1)
    labels[:10] = 0
    window.model.set_labels(labels)
    window.model.set_options(show_oracle=True)
    window.redraw_now()
    inner, _ = window.points_view._ellipses[1]
    assert inner.opts["pen"].color().getRgb()[:3] == tuple(component_colors(2)[1])
    assert len(window.points_view.cloud._groups) == 2  # the label colour and unlabelled black


def test_the_dataset_chooser_names_own_data_instead_of_the_last_built_in(window, qtbot):
    combo = window.controls.dataset
    assert combo.currentText() == window.model.dataset_name  # Old Faithful at start
    window.set_points(np.random.default_rng(0).normal(size=(50, 2)))
    wait_for_history(qtbot, window, 1)
    assert combo.currentIndex() == -1 and combo.placeholderText() == "Custom points"
    window.findChild(QAction, "actionUndo").trigger()  # back to Old Faithful
    wait_for_history(qtbot, window, 1)
    assert combo.currentIndex() >= 0 and combo.currentText() == window.model.dataset_name


def test_new_data_are_framed_even_under_the_same_name_and_edits_keep_the_zoom(window, qtbot):
    """Generate twice, or load a changed file again: the same name, other data (before, the
    second data set could lie wholly outside the view)."""
    rng = np.random.default_rng(0)
    plot = window.points_view.getPlotItem()
    window.set_points(rng.normal(size=(50, 2)))  # "Custom points"
    wait_for_history(qtbot, window, 1)
    far = rng.normal(size=(50, 2)) * 100 + 1000  # "Custom points" again
    window.set_points(far)
    wait_for_history(qtbot, window, 1)
    (x0, x1), (y0, y1) = plot.viewRange()
    assert x0 < far[:, 0].min() and far[:, 0].max() < x1
    assert y0 < far[:, 1].min() and far[:, 1].max() < y1
    plot.setRange(xRange=(900, 950), yRange=(900, 950), padding=0)  # the user zooms in
    zoomed = np.array(plot.viewRange())
    window.editor.add(920.0, 920.0)  # and adds a point there: the zoom stays
    wait_for_history(qtbot, window, 1)
    assert len(window.points) == 51
    after = np.array(plot.viewRange())
    # The same region (the aspect lock may trim or pad a pixel's worth as the axis refits).
    np.testing.assert_allclose(after.mean(axis=1), zoomed.mean(axis=1), atol=0.5)
    np.testing.assert_allclose(np.ptp(after, axis=1), np.ptp(zoomed, axis=1), rtol=0.05)


@pytest.mark.parametrize("k_true", [3, 5])
def test_generate_sets_k_to_the_components_it_drew_and_says_so(window, qtbot, monkeypatch, k_true):
    """Generate drew 3 blobs and left K at 2, so Play ended with one ellipse over two blobs."""
    from emviz.gui.generate_dialog import GenerateDialog

    def accept(self):
        if isinstance(self, GenerateDialog):
            self.k_true.setValue(k_true)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QDialog, "exec", accept)
    assert window.model.settings.k == 2
    window.findChild(QAction, "actionGenerate").trigger()
    wait_for_history(qtbot, window, 1)
    assert window.model.settings.k == k_true == len(window.model.true_mixture.weights)
    assert window.controls.k.value() == k_true
    assert window.history[0].mixture.means.shape == (k_true, 2)
    message = window.statusBar().currentMessage()
    assert f"K = {k_true}" in message and f"{k_true} components" in message, message


@pytest.mark.parametrize("presenting", [False, True])
def test_params_table_shows_every_cell_without_scrolling(window, qtbot, presenting):
    """π_k, μ_k, both rows of Σ_k and N_k of every component are whole in the table's view,
    in the window and presenting: its columns are as wide as their contents and the splitters
    give the table the room it needs (a class cannot scroll)."""
    from emviz.gui.audit import _clipped_table

    window.findChild(QAction, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    window.presentation.set_presenting(presenting)
    table = window.params_table
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible()
                    and not table.verticalScrollBar().isVisible(), timeout=5_000)
    assert _clipped_table(table) == []
    assert table.item(0, 3).text().count("\n") == 1  # Σ_k's two rows
    window.presentation.set_presenting(False)
