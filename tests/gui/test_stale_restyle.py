"""A view hidden while the look changes (presentation mode, the theme) is not restyled then:
it takes the window's look when it is shown, before it paints, and looks as it would have
had it been restyled with the others."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

import emviz.gui.presentation as presentation_module
from emviz.gui.teaching.why import WhyPlot

from .conftest import new_window


def counting_restyles(monkeypatch) -> list:
    """Every widget or plot scene the presentation restyles, one entry per call."""
    calls: list = []
    theme_plot, scale_text = presentation_module.theme_plot, presentation_module._scale_plot_text
    apply_theme = WhyPlot.apply_theme

    def counted_theme_plot(view, a):
        calls.append(view)
        return theme_plot(view, a)

    def counted_scale_text(item, scale):
        calls.append(item.scene())
        return scale_text(item, scale)

    def counted_apply_theme(view, a):
        calls.append(view)
        return apply_theme(view, a)

    monkeypatch.setattr(presentation_module, "theme_plot", counted_theme_plot)
    monkeypatch.setattr(presentation_module, "_scale_plot_text", counted_scale_text)
    monkeypatch.setattr(WhyPlot, "apply_theme", counted_apply_theme)
    return calls


def present_by_key(qtbot, w) -> None:
    QTest.keyClick(w, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: w.presentation.settled)


def test_a_hidden_tab_is_restyled_only_when_shown(window, qtbot, monkeypatch):
    w = window
    why = w.feature("why")  # built, in a tab not chosen
    assert not why.isVisible()
    calls = counting_restyles(monkeypatch)
    present_by_key(qtbot, w)
    assert w.presentation.presenting
    assert not [c for c in calls if c is why or c is why.scene()]  # the hidden tab was not
    assert w.presentation.stale  # it waits, marked

    w.show_tab(why)
    restyled = [c for c in calls if c is why or c is why.scene()]
    assert restyled  # shown: restyled now
    assert why.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF() >= 18
    w.redraw_now()
    count = len(calls)
    w.show_tab(w.bound_plot)
    w.show_tab(why)
    assert len(calls) == count  # caught up once: shown again, nothing to do
    present_by_key(qtbot, w)  # (leave)


def why_look(why: WhyPlot) -> dict:
    plot = why.getPlotItem()
    left, bottom = plot.getAxis("left"), plot.getAxis("bottom")
    return {
        "tick font": bottom.style["tickFont"].pointSizeF(),
        "axis titles": (left.labelText, left.labelStyle.get("font-size"), left.label.isVisible(),
                        bottom.labelText, bottom.labelStyle.get("font-size")),
        "title": (plot.titleLabel.text, plot.titleLabel.opts.get("size"),
                  plot.layout.rowMaximumHeight(0)),
        "text pen": bottom.textPen().color().name(),
        "background": why.backgroundBrush().color().name(),
        "curve pen": why.f_curve.opts["pen"].color().name(),
    }


def grab(view) -> np.ndarray:
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4).copy()


@pytest.mark.parametrize("change", ["present", "dark"])
def test_a_tab_restyled_when_shown_looks_as_if_restyled_with_the_others(qtbot, monkeypatch,
                                                                       change):
    """Shown after the change, a hidden tab looks as it does when every hidden widget is
    restyled with the window (the reference: nothing marked stale, as before), in two
    windows that do the same."""

    def run(restyled_with_the_others: bool) -> list[tuple[dict, np.ndarray]]:
        w = new_window(qtbot)
        why = w.feature("why")

        def change_look(on: bool) -> None:
            if change == "present":
                present_by_key(qtbot, w)
            else:
                w.presentation.set_theme("dark" if on else "light")
            assert not why.isVisible()
            assert bool(w.presentation.stale) != restyled_with_the_others

        def seen() -> tuple[dict, np.ndarray]:
            w.show_tab(why)
            w.redraw_now()
            look = why_look(why), grab(why)
            w.show_tab(w.bound_plot)
            return look

        try:
            with monkeypatch.context() as patch:
                if restyled_with_the_others:
                    patch.setattr(presentation_module, "_topmost_hidden", lambda window: [])
                looks = [seen()]
                change_look(True)
                looks.append(seen())
                change_look(False)
                looks.append(seen())
            return looks
        finally:
            w.close()

    with_the_others, when_shown = run(True), run(False)
    assert with_the_others[1][0] != with_the_others[0][0]  # the look changed
    for (look, pixels), (reference, reference_pixels) in zip(when_shown, with_the_others, strict=True):
        assert look == reference
        assert np.array_equal(pixels, reference_pixels)


def test_a_part_hidden_twice_catches_up_from_its_own_look(window, qtbot):
    """A tab stale since presenting began, inside the explanations hidden later (as a script
    or a split view may), is restyled once from its own look, not twice."""
    w = window
    why = w.feature("why")
    axis = why.getPlotItem().getAxis("bottom")
    normal_pt = axis.style["tickFont"].pointSizeF()
    w.show_tab(w.bound_plot)
    present_by_key(qtbot, w)  # why: stale, in the normal look
    holder = w.tabs.parentWidget()
    holder.hide()
    w.presentation.set_theme("dark")  # the explanations: stale, in the presenting light look
    holder.show()
    w.show_tab(why)
    a = w.presentation.appearance
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(
        presentation_module._present_pt(normal_pt, a.font_scale))  # scaled once
    assert why.backgroundBrush().color().getRgb()[:3] == a.background
    assert not w.presentation.stale or why not in w.presentation.stale
    w.presentation.set_theme("light")
    present_by_key(qtbot, w)
    w.show_tab(why)
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(normal_pt)
