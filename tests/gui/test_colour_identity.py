"""One colour per cluster in every view: the same blob is drawn in the same colour by EM's
points view, the k-means view, the oracle's view, the parameter table, the equations, the
gallery; curves and bars that are not components never take a component's colour."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QComboBox

from emviz.core import generate
from emviz.look.colors import component_colors
from emviz.session.model import K_MAX

from .conftest import wait_for_history


def trigger(w, name: str) -> None:
    w.findChild(QAction, name).trigger()


def spot_colours(scatter: pg.ScatterPlotItem) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Each spot's position (M, 2) and brush colour."""
    pos = np.c_[scatter.data["x"], scatter.data["y"]]
    return pos, [tuple(spot.brush().color().getRgb()[:3]) for spot in scatter.points()]


def colour_at(scatter: pg.ScatterPlotItem, where: np.ndarray) -> tuple[int, int, int]:
    pos, colours = spot_colours(scatter)
    return colours[int(np.argmin(((pos - where) ** 2).sum(axis=1)))]


def run_em_to_the_end(w, qtbot) -> None:
    w.controller.advance(200)
    qtbot.waitUntil(lambda: bool(w.model.run_ended) and not w.controller.busy, timeout=30_000)
    w.controller.go_to(len(w.history) - 1)
    w.redraw_now()


def test_old_faithfuls_upper_right_blob_has_one_colour_in_every_view(window, qtbot):
    run_em_to_the_end(window, qtbot)
    trigger(window, "actionKMeansMode")
    mode = window.feature("kmeans_mode")
    for _ in range(20):
        trigger(window, "actionKMeansStep")
        assert mode.run.wait_idle()
    assert mode.run.ended == "converged"
    window.redraw_now()
    upper_right = window.points.max(axis=0)
    em = colour_at(window.points_view.means, upper_right)
    kmeans = colour_at(mode.view.centers, upper_right)
    assert kmeans == em
    # the cell tint and the points of that cluster in the k-means view, too
    state = mode.run.current
    j = int(np.argmin(((state.centers - upper_right) ** 2).sum(axis=1)))
    assert tuple(mode.view._cells[j].brush().color().getRgb()[:3]) == em
    # the parameter table's swatch of EM's component there
    means = window.model.current.mixture.means
    k = int(np.argmin(((means - upper_right) ** 2).sum(axis=1)))
    assert tuple(window.params_table.item(k, 0).background().color().getRgb()[:3]) == em
    # the equations' component chooser (a hidden tab draws only when shown)
    combo = window.findChild(QComboBox, "componentCombo")
    window.show_tab(window.feature("equations"))
    window.redraw_now()
    icon = combo.itemIcon(k).pixmap(16, 16).toImage()
    assert QColor(icon.pixel(8, 8)).getRgb()[:3] == em
    # the gallery's last panel (the converged θ)
    trigger(window, "actionGallery")
    gallery = window.feature("gallery")
    qtbot.waitUntil(lambda: gallery.isVisible() and not gallery.running, timeout=30_000)
    window.redraw_now()
    last = gallery.panels[-1]
    assert colour_at(last.means, upper_right) == em
    gallery.close()


def test_oracle_labels_take_the_colour_of_the_em_component_on_them(window, qtbot):
    d = generate(3, 200, 4.0, seed=3)
    window.editor.replace(d.X, d.labels, d.true_mixture, d.name, d.axes)
    window.controls.k.setValue(3)
    wait_for_history(qtbot, window, 1)
    run_em_to_the_end(window, qtbot)
    trigger(window, "actionFitOracle")
    window.redraw_now()
    feature = window.findChild(QObject, "oracleFeature")
    fit = window.model.oracle.fit
    em_means = window.model.current.mixture.means
    for z in range(3):
        where = fit.means[z]
        em = colour_at(window.points_view.means, where)
        tag = feature.overlay.tags[z]  # the label's colour is the tag's frame
        assert tag.border.color().getRgb()[:3] == em, (z, em)
        j = int(np.argmin(((em_means - where) ** 2).sum(axis=1)))
        assert tuple(window.model.identity.em_palette(3)[j]) == em
        swatch = feature.panel.chooser.itemIcon(z).pixmap(14, 14).toImage()
        assert QColor(swatch.pixel(7, 7)).getRgb()[:3] == em


def test_a_reseed_keeps_the_colours_of_clusters_that_persist(window, qtbot):
    run_em_to_the_end(window, qtbot)
    upper_right = window.points.max(axis=0)
    before = colour_at(window.points_view.means, upper_right)
    for seed in (1, 2, 3, 4):
        window.controller.apply_settings(dataclasses.replace(window.model.settings, seed=seed))
        wait_for_history(qtbot, window, 1)
        run_em_to_the_end(window, qtbot)
        assert colour_at(window.points_view.means, upper_right) == before, seed


def non_component_colours(window) -> list[tuple[str, tuple[int, int, int]]]:
    """Every pen and brush colour of the curves and bars that are not components."""
    found = []
    items = []
    for plot in window.findChildren(pg.PlotWidget):
        if plot.objectName() in ("kmeansView",) or plot is window.points_view:
            continue
        items += [(plot.objectName(), item) for item in plot.getPlotItem().items]
    for name, item in items:
        if getattr(item, "emviz_component", False):
            continue  # it draws one component (the Hills tab's μ_k and its path)
        if isinstance(item, pg.PlotDataItem):
            found.append((name, item.opts["pen"]))
            if item.opts.get("symbolBrush") is not None:
                found.append((name, item.opts["symbolBrush"]))
        elif isinstance(item, pg.PlotCurveItem):
            found.append((name, item.opts["pen"]))
        elif isinstance(item, pg.BarGraphItem):
            for key in ("brush", "pen"):
                if item.opts.get(key) is not None:
                    found.append((name, item.opts[key]))
            for brush in item.opts.get("brushes") or []:
                found.append((name, brush))
    colours = []
    for name, spec in found:
        if isinstance(spec, (list, tuple)) and len(spec) == 3 and all(isinstance(c, int) for c in spec):
            colours.append((name, tuple(spec)))
            continue
        try:
            colour = pg.mkColor(spec) if not hasattr(spec, "color") else spec.color()
        except Exception:  # noqa: BLE001 (a None pen and the like: nothing drawn)
            continue
        if colour.alpha() > 0:
            colours.append((name, tuple(colour.getRgb()[:3])))
    return colours


def test_no_curve_or_bar_that_is_not_a_component_takes_a_component_colour(window, qtbot):
    run_em_to_the_end(window, qtbot)
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        window.redraw_now()
    palette = {tuple(int(c) for c in rgb) for rgb in component_colors(K_MAX)}
    colours = non_component_colours(window)
    assert len(colours) > 5
    clashes = [(name, c) for name, c in colours if c in palette]
    assert clashes == [], clashes
