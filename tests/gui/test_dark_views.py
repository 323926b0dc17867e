"""Issue 18, item 2: in the dark theme every view is dark, plots included, with its text and
component colours readable (the teaching tabs, Choose K, the Oracle tab, the L + KL bars,
the equations, the Sample window and the gallery stayed white: glaring blocks on a
projector), and the theme follows a change at run time both ways. The colours are read from
what is painted (grabbed pixels) or from the pens and brushes the views hold."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from emviz.core import generate
from emviz.gui.audit import check_contrast, check_light_blocks, check_plot
from emviz.look.appearance import Appearance, contrast_ratio, relative_luminance
from emviz.look.colors import component_colors

from .conftest import wait_for_history

LIGHT, DARK = Appearance("light"), Appearance("dark")

#: (tab title, the widget painted in it)
TAB_VIEWS = [
    ("Why EM", "whyPlot"),
    ("L + KL", "decompositionBars"),
    ("Choose K", "criteriaPlot"),
    ("Choose K", "restartsPlot"),
    ("Point", "inspectorBars"),
    ("Oracle", "oraclePanel"),
    ("Equations", "equationsPanel"),
    ("Equations", "equationsE"),
]


def show_tab(w, title: str) -> None:
    for i in range(w.tabs.count()):
        if title in (w.tabs.tabText(i), w.tabs.tabToolTip(i)):
            w.show_tab(w.tabs.widget(i))
            w.redraw_now()
            QApplication.processEvents()
            return
    raise LookupError(title)


def commonest(image: QImage) -> tuple[int, int, int]:
    """The colour most pixels of the image have (its background)."""
    counts: dict[int, int] = {}
    step = max(1, min(image.width(), image.height()) // 40)
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            value = image.pixel(x, y) & 0xFFFFFF
            counts[value] = counts.get(value, 0) + 1
    value = max(counts, key=counts.get)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def painted_background(widget: QWidget) -> tuple[int, int, int]:
    return commonest(widget.grab().toImage())


@pytest.fixture
def stepped(window):
    for _ in range(4):
        window.controller.step()
        assert window.controller.wait_idle()
    window.model.select_point(0)  # the Point tab has bars to draw
    window.redraw_now()
    return window


@pytest.mark.parametrize(("tab", "name"), TAB_VIEWS)
def test_each_teaching_view_is_painted_dark_in_the_dark_theme_and_light_again(stepped, tab, name):
    w = stepped
    show_tab(w, tab)
    view = w.findChild(QWidget, name)
    assert view is not None and view.isVisible()
    assert relative_luminance(painted_background(view)) > 0.8  # light, as it was
    w.presentation.set_theme("dark")
    show_tab(w, tab)
    back = painted_background(view)
    assert relative_luminance(back) < 0.05, (name, back)  # was #ffffff / #efefef
    assert check_light_blocks(w) == []
    w.presentation.set_theme("light")
    show_tab(w, tab)
    assert relative_luminance(painted_background(view)) > 0.8


def test_dark_plots_draw_their_own_items_in_the_themes_colours(stepped):
    """Pens and brushes the views chose themselves: nothing stays black on the dark plots."""
    w = stepped
    w.presentation.set_theme("dark")
    why = w.feature("why")
    assert why.backgroundBrush().color().getRgb()[:3] == DARK.background
    assert why.f_curve.opts["pen"].color().getRgb()[:3] == DARK.foreground
    assert why.touch.opts["pen"].color().getRgb()[:3] == DARK.foreground
    assert why.f_new.opts["brush"].color().getRgb()[:3] == DARK.foreground
    assert why.getPlotItem().getAxis("left").textPen().color().getRgb()[:3] == DARK.foreground
    bars = w.feature("decomposition")
    assert bars.segments["ln p"].opts["brush"].color().getRgb()[:3] == DARK.foreground
    for name, label in bars.labels.items():  # each label reads on its box, 7:1 or more
        text, fill = label.color.getRgb()[:3], label.fill.color().getRgb()[:3]
        assert contrast_ratio(text, fill) >= 7.0, (name, text, fill)
    inspector = w.feature("inspector")
    w.show_tab(inspector)  # (a hidden tab takes the window's look when shown)
    assert inspector.bars.opts["pen"].color().getRgb()[:3] == DARK.foreground
    criteria = w.findChild(QWidget, "criteriaPlot")
    assert criteria.backgroundBrush().color().getRgb()[:3] == DARK.background
    # the component colours are the dark theme's (Okabe-Ito's blue had 3.6:1 there)
    means = w.points_view.means
    w.redraw_now()
    colours = {b.color().getRgb()[:3] for b in means.data["brush"]}
    assert tuple(int(c) for c in component_colors(1, "dark")[0]) in colours
    assert tuple(int(c) for c in component_colors(1, "light")[0]) not in colours
    w.presentation.set_theme("light")
    w.redraw_now()
    colours = {b.color().getRgb()[:3] for b in means.data["brush"]}
    assert tuple(int(c) for c in component_colors(1, "light")[0]) in colours
    w.show_tab(why)
    assert why.f_curve.opts["pen"].color().getRgb()[:3] == LIGHT.foreground


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_plots_text_reads_at_7_to_1_while_presenting(stepped, theme):
    """The L + KL bars' labels were white on white and black on black (the audit: 1.00:1)."""
    w = stepped
    w.presentation.set_theme(theme)
    w.presentation.set_presenting(True)
    for tab, name in (("L + KL", "decompositionBars"), ("Why EM", "whyPlot"), ("Point", "inspectorBars")):
        show_tab(w, tab)
        view = w.findChild(pg.GraphicsView, name)
        assert [f for f in check_plot(view, presenting=True) if f.kind == "contrast"] == [], name
    show_tab(w, "Equations")
    for name in ("equationsE", "equationsM"):
        assert check_contrast(w.findChild(QWidget, name), presenting=True) == [], name
    w.presentation.set_presenting(False)
    w.presentation.set_theme("light")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_oracle_tags_read_in_both_themes(window, qtbot, theme):
    """ "■ oracle z = 2" was orange text on white (2.2:1): now the words are in the
    foreground colour on the background's, and the label's colour frames the tag."""
    d = generate(3, 200, 4.0, seed=3)
    window.editor.replace(d.X, d.labels, d.true_mixture, d.name, d.axes)
    window.controls.k.setValue(3)
    wait_for_history(qtbot, window, 1)
    window.findChild(QAction, "actionFitOracle").trigger()
    window.presentation.set_theme(theme)
    window.presentation.set_presenting(True)
    window.redraw_now()
    tags = [i for i in window.points_view.scene().items()
            if isinstance(i, pg.TextItem) and "oracle z" in i.textItem.toPlainText() and i.isVisible()]
    assert len(tags) == 3
    a = window.presentation.appearance
    for tag in tags:
        assert tag.fill.color().getRgb()[:3] == a.background
    palette = window.model.identity.oracle_palette(3)
    assert sorted(t.border.color().getRgb()[:3] for t in tags) == sorted(map(tuple, palette.tolist()))
    found = [f for f in check_plot(window.points_view, presenting=True) if "oracle z" in f.where]
    assert [f for f in found if f.kind == "contrast"] == []
    window.presentation.set_presenting(False)
    window.presentation.set_theme("light")


def test_the_sample_window_opens_dark_in_the_dark_theme(window, qtbot):
    window.presentation.set_theme("dark")
    window.findChild(QAction, "actionSample").trigger()
    dialog = window.findChild(QDialog, "sampleDialog")
    qtbot.waitExposed(dialog)
    dialog.finish_button.click()
    QApplication.processEvents()
    assert relative_luminance(painted_background(dialog.view)) < 0.05
    assert relative_luminance(painted_background(dialog.bar)) < 0.05
    assert dialog.means.opts["pen"].color().getRgb()[:3] == DARK.foreground
    window.presentation.set_theme("light")  # and back, while it is open
    assert relative_luminance(painted_background(dialog.view)) > 0.8
    assert relative_luminance(painted_background(dialog.bar)) > 0.8
    dialog.close()


def open_gallery(window, qtbot):
    window.findChild(QAction, "actionGallery").trigger()
    gallery = window.feature("gallery")
    qtbot.waitUntil(lambda: not gallery.running and not window.controller.busy, timeout=30_000)
    window.redraw_now()
    return gallery


def test_the_gallery_is_dark_in_the_dark_theme(window, qtbot):
    gallery = open_gallery(window, qtbot)
    window.presentation.set_theme("dark")
    QApplication.processEvents()
    assert relative_luminance(painted_background(gallery.figure)) < 0.05
    panel = gallery.panels[-1]
    assert panel.plot.titleLabel.opts["color"] == "#f0f0f0"
    assert panel.means.opts["pen"].color().getRgb()[:3] == DARK.foreground
    window.presentation.set_theme("light")
    QApplication.processEvents()
    assert relative_luminance(painted_background(gallery.figure)) > 0.8
    gallery.close()


def test_no_2_sigma_ellipse_is_cut_by_its_panels_border(window, qtbot):
    """The panels' range was the data's: the start's and the early iterations' 2σ ellipses
    ran out of their panels."""
    gallery = open_gallery(window, qtbot)
    for panel in gallery.panels:
        (x0, x1), (y0, y1) = panel.plot.getViewBox().viewRange()
        for _inner, outer in panel.ellipses:
            if outer.isVisible():
                x, y = outer.getData()
                assert x0 <= x.min() and x.max() <= x1 and y0 <= y.min() and y.max() <= y1, panel.title
    gallery.close()


def test_the_gallery_note_sits_under_its_panel_not_on_the_data(window, qtbot):
    gallery = open_gallery(window, qtbot)
    last = window.history[-1]
    panel = gallery.panels[-1]
    assert panel.shown.note == f"converged at iteration {last.iteration}"
    assert panel.title == f"after iteration {last.iteration}"  # not "after iteration 20"
    box = panel.plot.getViewBox().sceneBoundingRect()
    note = panel.note.sceneBoundingRect()
    assert note.top() >= box.bottom() - 0.5 and note.height() > 0
    gallery.close()


def test_the_gallery_scales_its_text_and_its_window_when_presenting(window, qtbot):
    """Its captions stayed 12-16 pt (the titles went back to 16 pt at every redraw) and ran
    out of the figure; the window stayed 1100 x 720."""
    from emviz.gui.audit import audit, check_fits_screen

    gallery = open_gallery(window, qtbot)
    window.presentation.set_presenting(True)
    window.redraw_now()
    QApplication.processEvents()
    free = gallery.screen().availableGeometry()
    assert gallery.frameGeometry().width() >= free.width() - 2 and gallery.height() >= free.height() - 40
    findings = [f for f in audit([gallery], presenting=True) if "galleryFigure" in f.where]
    assert findings == [], findings
    # its frame on the screen too: resized to the whole free area, it ran 4 px past it
    assert check_fits_screen(gallery) == []
    for panel in gallery.panels:
        assert float(panel.plot.titleLabel.opts["size"].removesuffix("pt")) >= 18
    window.presentation.set_presenting(False)
    window.redraw_now()
    QApplication.processEvents()
    assert float(gallery.panels[0].plot.titleLabel.opts["size"].removesuffix("pt")) == 16
    gallery.close()
