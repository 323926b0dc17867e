"""The Choose K plot's left title, 'BIC, AIC', is shown whole or not at all (its legend
names BIC and AIC): in a short plot it was elided to 'B…' (presenting) and still drawn
165 px along an axis of 52 px."""

from __future__ import annotations

from PySide6.QtWidgets import QSplitter


def left_title(w):
    axis = w.feature("choose_k").criteria.plot.getPlotItem().getAxis("left")
    return axis, (axis.labelText if axis.label.isVisible() else None)


def test_the_criteria_plot_left_title_is_whole_or_left_out(window, qtbot):
    w = window
    w.resize(1280, 800)
    w.show_tab(w.feature("choose_k"))
    w.redraw_now()
    column = w.splitter.widget(w.splitter.count() - 1)
    assert isinstance(column, QSplitter)
    column.setSizes([600, 100])  # a tall plot: the title whole
    axis, _ = left_title(w)
    qtbot.waitUntil(lambda: left_title(w)[1] == "BIC, AIC")
    column.setSizes([170, 600])  # a short plot
    qtbot.waitUntil(lambda: axis.height() < 90)
    qtbot.waitUntil(lambda: left_title(w)[1] is None)
    assert axis.toolTip() == "BIC, AIC"
    column.setSizes([600, 100])
    qtbot.waitUntil(lambda: left_title(w)[1] == "BIC, AIC")
