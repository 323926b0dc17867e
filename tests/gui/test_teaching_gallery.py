"""The iteration gallery: one small points view per chosen iteration L (the lecture's "Start,
after 1st, 2nd, ... 20th iteration"), run on through the controller, exported as one PNG."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QWidget

from emviz.gui.export import ExportError
from emviz.gui.teaching.gallery import GalleryView, grid_shape, parse_iterations
from emviz.look.colors import component_colors

from .conftest import wait_for_history


def open_gallery(window, qtbot) -> GalleryView:
    window.findChild(QAction, "actionGallery").trigger()
    gallery = window.findChild(QWidget, "galleryView")
    assert isinstance(gallery, GalleryView) and gallery.isVisible()
    qtbot.waitUntil(lambda: not gallery.running and not window.controller.busy, timeout=30_000)
    window.redraw_now()
    return gallery


def m_state(window, iteration: int):
    matches = [s for s in window.history if s.phase == "M" and s.iteration == iteration]
    return matches[0] if matches else None


def assert_panel_shows(panel, mixture) -> None:
    for j in range(mixture.n_components):
        for item, radius in zip(panel.ellipses[j], (1.0, 2.0), strict=True):
            assert item.isVisible()
            x, y = item.getData()
            d = np.c_[x, y] - mixture.means[j]
            m2 = np.einsum("ni,ij,nj->n", d, np.linalg.inv(mixture.covariances[j]), d)
            np.testing.assert_allclose(m2, radius**2, rtol=1e-9)
    np.testing.assert_allclose(np.c_[panel.means.getData()], mixture.means)


def test_parse_iterations():
    assert parse_iterations("0, 1, 2, 5, 20") == (0, 1, 2, 5, 20)
    assert parse_iterations(" 5 1;1  0 ") == (0, 1, 5)
    for bad in ("", "1, -2", "one", "1.5"):
        with pytest.raises(ValueError):
            parse_iterations(bad)
    assert grid_shape(5) == (2, 3) and grid_shape(8) == (2, 4) and grid_shape(1) == (1, 1)


def test_gallery_runs_em_on_and_shows_each_iteration_s_m_state(window, qtbot):
    window.controller.apply_settings(dataclasses.replace(window.model.settings, max_iter=100, tol=1e-9))
    wait_for_history(qtbot, window, 1)
    assert len(window.history) == 1  # only the start: the gallery must run EM to iteration 20
    gallery = open_gallery(window, qtbot)
    assert m_state(window, 20) is not None
    # (they said "L = 0, 1, 2, ...", but L is the lower bound in every other view)
    assert [p.title for p in gallery.panels] == ["start", "after iteration 1", "after iteration 2",
                                                 "after iteration 5", "after iteration 20"]
    assert gallery.run_button.text() == "Run EM to iteration 20"
    assert [p.plot.titleLabel.text for p in gallery.panels] == [p.title for p in gallery.panels]
    first = gallery.panels[0]
    assert first.shown.state is window.history[0] and first.cloud._resp is None  # grey points
    assert_panel_shows(first, window.history[0].mixture)
    for panel in gallery.panels[1:]:
        state = m_state(window, panel.iteration)
        assert panel.shown.state is state and panel.shown.note == ""
        assert panel.cloud._resp is state.resp  # the q that this M-step used
        assert_panel_shows(panel, state.mixture)
    ranges = {tuple(np.round(p.plot.getViewBox().viewRange(), 9).ravel()) for p in gallery.panels}
    assert len(ranges) == 1  # the same data range everywhere
    box = gallery.panels[0].plot.getViewBox()
    assert box.state["aspectLocked"] == 1.0
    gallery.close()


def test_a_run_that_converged_earlier_says_so(window, qtbot):
    window.controller.apply_settings(dataclasses.replace(window.model.settings, init_method="kmeans"))
    wait_for_history(qtbot, window, 1)
    gallery = open_gallery(window, qtbot)
    last = window.history[-1]
    assert last.converged and last.iteration < 20
    panel = gallery.panels[-1]
    # titled with the iteration it shows: "after iteration 20" over "converged at iteration
    # 18" contradicted itself
    assert panel.title == f"after iteration {last.iteration}"
    assert panel.shown.note == f"converged at iteration {last.iteration}"
    assert panel.note.isVisible() and panel.note.text == panel.shown.note
    assert_panel_shows(panel, last.mixture)
    gallery.close()


def test_editing_the_list_rebuilds_the_panels(window, qtbot):
    gallery = open_gallery(window, qtbot)
    gallery.edit.setText("3, 0, 1")
    gallery.edit.editingFinished.emit()
    qtbot.waitUntil(lambda: not gallery.running and not window.controller.busy, timeout=30_000)
    window.redraw_now()
    assert [p.title for p in gallery.panels] == ["start", "after iteration 1", "after iteration 3"]
    assert_panel_shows(gallery.panels[2], m_state(window, 3).mixture)
    gallery.edit.setText("1, two")
    gallery.edit.editingFinished.emit()
    assert "'two' is not an iteration" in gallery.status.text()
    assert [p.iteration for p in gallery.panels] == [0, 1, 3]
    gallery.close()


def test_a_reset_void_the_request_and_panels_say_not_reached(window, qtbot):
    gallery = open_gallery(window, qtbot)
    window.findChild(QAction, "actionReset").trigger()
    wait_for_history(qtbot, window, 1)
    assert not gallery.running and len(window.history) == 1  # the gallery does not rerun by itself
    assert gallery.panels[1].shown.note == "not reached yet"
    assert not any(item.isVisible() for item in gallery.panels[1].ellipses[0])
    gallery.run_button.click()
    qtbot.waitUntil(lambda: not gallery.running and not window.controller.busy, timeout=30_000)
    window.redraw_now()
    assert gallery.panels[1].shown.note == ""
    gallery.close()


@pytest.mark.parametrize("scale", [1, 2])
def test_export_png_is_one_non_blank_image(window, qtbot, tmp_path, scale):
    gallery = open_gallery(window, qtbot)
    path = tmp_path / "gallery.png"
    gallery.export_png(str(path), scale=scale)
    image = QImage(str(path))
    figure = gallery.figure.viewport().size()
    assert (image.width(), image.height()) == (figure.width() * scale, figure.height() * scale)
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    pixels = rows[:, : rgb.width() * 3].reshape(-1, 3).astype(int)
    assert (pixels.min(axis=1) < 250).mean() > 0.02  # not blank: ink on a few per cent
    for colour in component_colors(2).astype(int):  # both components' colours appear
        assert (np.abs(pixels - colour).max(axis=1) <= 12).sum() > 50 * scale**2
    missing = tmp_path / "missing" / "x.png"
    with pytest.raises(ExportError, match=f"^{missing}: the folder does not exist$"):
        gallery.export_png(str(missing))
    gallery.close()


def test_no_ellipse_is_called_sigma_and_each_says_the_mass_it_holds(window, qtbot):
    """"1σ / 2σ" suggests 68% / 95%; in 2-D the d = 1 and d = 2 ellipses hold 39% and 86%.
    Every text on the window, the gallery, the oracle tab and the Sample window."""
    import re

    from PySide6.QtWidgets import QApplication, QLabel

    from emviz.core import load_builtin

    data = load_builtin("separated")  # data with a true mixture: its overlay's tooltip too
    window.editor.replace(data.X, data.labels, data.true_mixture, data.name, data.axes)
    wait_for_history(qtbot, window, 1)
    open_gallery(window, qtbot)
    window.findChild(QAction, "actionSample").trigger()
    qtbot.waitUntil(lambda: window.feature("sample_mode").dialog is not None
                    and window.feature("sample_mode").dialog.isVisible())
    texts = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        for widget in [top, *top.findChildren(QWidget)]:
            texts.append(widget.toolTip())
            if isinstance(widget, QLabel):
                texts.append(widget.text())
    texts += [window.controls.true_mixture.toolTip()]
    joined = "\n".join(texts)
    assert not re.search(r"[12] ?σ", joined), [t for t in texts if re.search(r"[12] ?σ", t)]
    assert "d = 1 (39%)" in joined and "d = 2 (86%)" in joined
    window.feature("sample_mode").dialog.close()


def test_the_gallery_exports_svg_all_vector(window, qtbot, tmp_path, monkeypatch):
    """Its Export offered PNG only; an .svg name now gives a vector drawing: no <image>, the
    panels' titles and tick labels as <text>, the mean markers as <path>."""
    import xml.etree.ElementTree as ET

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog

    gallery = open_gallery(window, qtbot)
    path = tmp_path / "gallery.svg"
    offered = []

    def ask(parent, title, name, filters, *args):
        offered.append(filters)
        return str(path), "SVG (*.svg)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    qtbot.mouseClick(gallery.export_button, Qt.MouseButton.LeftButton)
    assert "SVG (*.svg)" in offered[0] and "PNG (*.png)" in offered[0]
    assert gallery.status.text() == f"Saved {path}"
    found: dict[str, list] = {}
    for e in ET.parse(path).getroot().iter():
        found.setdefault(e.tag.rsplit("}", 1)[-1], []).append(e)
    assert "image" not in found
    texts = {"".join(e.itertext()).strip() for e in found["text"]}
    assert {"start", "after iteration 1"} <= texts
    assert {p.title for p in gallery.panels} <= texts  # the last: the iteration the run ended at
    n_markers = 2 * len(gallery.panels)  # K = 2 mean markers per panel
    n_ellipses = 2 * 2 * len(gallery.panels)
    assert len(found["path"]) >= n_markers + n_ellipses
    gallery.close()


def test_a_large_data_set_s_gallery_is_built_a_panel_per_turn_then_shown(window, qtbot,
                                                                          monkeypatch):
    """From LAYOUT_IN_BACKGROUND points on, opening the gallery makes none of its panels in
    the action's own turn (5 plots at once: 126-184 ms of the GUI thread at 10⁶): they are
    made one per turn, hidden, and the gallery shows when all are there, each panel drawing
    the M-state of its iteration."""
    from emviz.gui.point_cloud import LAYOUT_IN_BACKGROUND

    rng = np.random.default_rng(2)
    X = np.r_[rng.normal(-3, 1, (LAYOUT_IN_BACKGROUND // 2, 2)),
              rng.normal(3, 1, (LAYOUT_IN_BACKGROUND // 2, 2))]
    window.editor.replace(X, None, None, "two blobs")
    window.controller.apply_settings(dataclasses.replace(window.model.settings, k=2, max_iter=30,
                                                         tol=0.0))
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy,
                    timeout=60_000)
    gallery = window.feature("gallery")
    made: list[int] = []  # the panels there are each time one is made
    add_panel = GalleryView._add_panel
    monkeypatch.setattr(GalleryView, "_add_panel",
                        lambda self, i: made.append(len(self.panels)) or add_panel(self, i))
    window.findChild(QAction, "actionGallery").trigger()
    assert made == [] and gallery.building and gallery.running and not gallery.isVisible()
    qtbot.waitUntil(lambda: gallery.isVisible() and not gallery.running
                    and not window.controller.busy, timeout=120_000)
    window.redraw_now()
    assert made == list(range(len(gallery.iterations)))
    assert [p.iteration for p in gallery.panels] == list(gallery.iterations)
    for panel in gallery.panels[1:]:
        assert_panel_shows(panel, m_state(window, panel.iteration).mixture)
    gallery.close()


@pytest.mark.parametrize("presenting", [False, True])
def test_the_caption_the_legend_and_the_panels_are_laid_out_one_under_the_other(window, qtbot,
                                                                                presenting):
    """The caption and the legend, told the width to wrap at before they had a text, were laid
    out as rows 0 px high: presenting at 1280 x 800 the data set's line, the legend's three
    lines and the panels' titles were drawn over each other. Each is as high as its lines,
    and the panels start under them."""
    from .conftest import wait_steady

    window.presentation.set_presenting(presenting)
    gallery = open_gallery(window, qtbot)
    caption, legend = gallery.caption, gallery.legend
    grid = gallery.panels[0].plot.parentItem()

    def rows():
        return [item.geometry() for item in (caption, legend, grid)]

    wait_steady(qtbot, rows)
    for label in (caption, legend):
        assert label.text
        assert label.geometry().height() >= label.item.boundingRect().height() - 1
    assert legend.geometry().top() >= caption.geometry().bottom()
    assert grid.geometry().top() >= legend.geometry().bottom()


def test_new_iterations_while_the_gallery_is_built_in_turns_build_it_at_once(window, qtbot):
    from emviz.gui.point_cloud import LAYOUT_IN_BACKGROUND

    X = np.random.default_rng(4).normal(size=(LAYOUT_IN_BACKGROUND, 2))
    window.editor.replace(X, None, None, "one blob")
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy,
                    timeout=60_000)
    gallery = window.feature("gallery")
    window.findChild(QAction, "actionGallery").trigger()
    assert gallery.building and not gallery.isVisible()
    gallery.set_iterations((0, 3))
    assert not gallery.building and gallery.isVisible()
    assert [p.iteration for p in gallery.panels] == [0, 3]
    qtbot.waitUntil(lambda: not gallery.running and not window.controller.busy, timeout=120_000)
    window.redraw_now()
    assert_panel_shows(gallery.panels[1], m_state(window, 3).mixture)
    gallery.close()
