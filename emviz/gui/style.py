"""Look and feel for a projector: white plots, dark text, fonts readable from the back row."""

from __future__ import annotations

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication, QGraphicsItem

from ..look.appearance import Appearance
from ..look.colors import casing

BASE_POINT_SIZE = 11
PLOT_LABEL_STYLE = {"font-size": "12pt"}


def apply_pyqtgraph_style() -> None:
    pg.setConfigOptions(background="w", foreground="k", antialias=True)


def apply_app_font(app: QApplication) -> None:
    font = app.font()
    if font.pointSizeF() < BASE_POINT_SIZE:
        font.setPointSizeF(BASE_POINT_SIZE)
        app.setFont(font)


def style_plot(widget: pg.PlotWidget, cache_axes: bool = True) -> None:
    """Larger tick labels and axis titles on a pyqtgraph plot. With ``cache_axes`` each axis
    (with its grid lines) is cached as a pixmap: right for a plot whose range rarely changes
    but whose contents do (a new frame of the points repaints the whole view, and replaying
    the axes' drawing cost more than everything else in it); wrong for one whose range
    changes often (the cache is redrawn as well as the axes: 14 ms a frame instead of 9)."""
    plot = widget.getPlotItem()
    tick_font = QFont()
    tick_font.setPointSize(BASE_POINT_SIZE)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        if cache_axes:
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        axis.setStyle(tickFont=tick_font)
        axis.setTextPen("k")
        label = axis.labelText
        if label:
            axis.setLabel(label, **PLOT_LABEL_STYLE)
    if plot.getViewBox().state["aspectLocked"]:
        _steady_left_axis(plot)
    for name in ("left", "bottom"):
        elide_axis_title(plot.getAxis(name))
    title_clear_of_ticks(plot.getAxis("left"))


def elide_axis_title(axis: pg.AxisItem) -> None:
    """Keep an axis title within the axis' length: elided ("eruption duration (stand…") when
    the axis is shorter than the title, with the whole title in the axis' tooltip; whole again
    when there is room. Installed once per axis; later ``setLabel`` calls name the whole title
    (the elided one, set back by a restyle, is recognised and kept whole underneath)."""
    if getattr(axis, "_emviz_title", None) is not None:
        return
    state = axis._emviz_title = {"full": axis.labelText or "", "shown": axis.labelText or ""}
    set_label = axis.setLabel  # pyqtgraph's, bound

    def fit(*_args) -> None:
        if not shiboken6.isValid(axis) or state.get("fitting") or state.get("rendering"):
            return  # its geometry changes as a closing window takes it apart
        state["fitting"] = True
        try:
            _fit()
        finally:
            state["fitting"] = False

    def _fit() -> None:
        full = state["full"]
        horizontal = axis.orientation in ("top", "bottom")
        if horizontal:
            left, right = _visible_span(axis)
            room = max(0, int(right - left) - 8)
        else:
            room = max(0, int(axis.height()) - 8)
        if not full:
            return
        font = QFont(axis.label.font())
        points = css_pt(axis.labelStyle.get("font-size"))
        if points:
            font.setPointSizeF(points)
        metrics = QFontMetrics(font)
        if state.get("whole_or_none"):  # a legend names what the title would: whole or out
            whole = metrics.horizontalAdvance(full) <= room
            if axis.label.isVisible() != whole:
                axis._emviz_too_long = not whole
                axis.showLabel(whole and not getattr(axis, "_emviz_left_out", False))
            axis.setToolTip("" if whole else full)
            if whole:
                place_axis_title(axis)
            return
        shown = full if metrics.horizontalAdvance(full) <= room else \
            metrics.elidedText(full, Qt.TextElideMode.ElideRight, room)
        if shown != state["shown"] or axis.labelText != shown:
            state["shown"] = shown
            set_label(shown, **axis.labelStyle)
            _keep_left_out(axis)
        # The label's document may lay the text out a few pixels wider than QFontMetrics
        # measures it ('eruption d…' drawn 176 px wide in 169): elide further until it fits.
        # (Horizontal titles only, and never to nothing: a left title's length is its axis'
        # height, and an empty title is less tall, so its axis narrower: the aspect-locked
        # points view then went round between two layouts for ever.)
        for _ in range(3 if horizontal else 0):
            drawn, measured = _ink_width(axis), metrics.horizontalAdvance(shown)
            if drawn <= room or len(shown) <= 2 or drawn <= 0:
                break
            shorter = metrics.elidedText(full, Qt.TextElideMode.ElideRight,
                                         int(room * measured / drawn))
            if len(shorter) < 2 or shorter == shown:
                break
            shown = state["shown"] = shorter
            set_label(shown, **axis.labelStyle)
            _keep_left_out(axis)
        axis.setToolTip(full if shown != full else "")
        place_axis_title(axis)

    def set_label_whole(text=None, units=None, unitPrefix=None, **args):  # noqa: N803 (pyqtgraph)
        if text is not None and text != state["shown"]:
            state["full"] = text
        set_label(state["full"] if text is not None else None, units, unitPrefix, **args)
        _keep_left_out(axis)
        state["shown"] = axis.labelText
        fit()

    update_label = axis._updateLabel  # pyqtgraph's, bound: sets the label's HTML anew

    def update_label_then_fit() -> None:
        # Not fitted while the label's document is being replaced (its size signal comes in
        # the middle: the old and the new text together, or none): once it holds the text.
        state["rendering"] = True
        try:
            update_label()
        finally:
            state["rendering"] = False
        fit()

    axis.setLabel = set_label_whole
    axis._updateLabel = update_label_then_fit
    axis.geometryChanged.connect(fit)
    # a title re-rendered without setLabel (setTextPen does, in the pen's colour and the
    # style's size) is fitted and placed again too
    axis.label.document().documentLayout().documentSizeChanged.connect(fit)
    view = axis.getViewWidget()
    if view is not None:  # a view resized under a plot laid out wider than it shows less of it
        view.sigDeviceRangeChanged.connect(fit)
    fit()


def whole_axis_title_or_none(axis: pg.AxisItem) -> None:
    """An axis title shown whole or not at all (never elided to a stub like 'B…'), for a
    plot whose legend names the curves the title names: a short plot (the Choose K tab
    under the lesson: a left axis of 52 px for 'BIC, AIC' at 18 pt, 165 px) leaves it out."""
    elide_axis_title(axis)
    state = axis._emviz_title
    state["whole_or_none"] = True
    set_label = axis.setLabel
    set_label(state["full"], **axis.labelStyle)  # fitted again, whole or out


def _keep_left_out(axis: pg.AxisItem) -> None:
    """pyqtgraph's setLabel shows the title: one left out of a plot too short for it
    (emviz.gui.plot_text.shed_plot_text) stays out."""
    out = getattr(axis, "_emviz_left_out", False) or getattr(axis, "_emviz_too_long", False)
    if out and axis.label.isVisible():
        axis.showLabel(False)


def _ink_width(axis: pg.AxisItem) -> float:
    """How long an axis title's text is drawn (its box less the document's blank margin)."""
    return axis.label.boundingRect().width() - 2 * axis.label.document().documentMargin()


def _visible_span(axis: pg.AxisItem) -> tuple[float, float]:
    """The part of a horizontal axis its view shows, in the axis' x: all of it, unless its
    plot is laid out wider than the view (a plot narrower than its axes' least widths, as the
    points view in a split view presenting: 151 px for an axis of 191)."""
    view = axis.getViewWidget()
    if view is None:
        return 0.0, axis.width()
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    left = axis.mapFromScene(shown.topLeft()).x()
    right = axis.mapFromScene(shown.topRight()).x()
    return max(0.0, left), min(axis.width(), right)


def place_axis_title(axis: pg.AxisItem) -> None:
    """Centre a title over its axis, its ink within the axis. pyqtgraph centres it only when
    the axis is resized (a title elided, made whole or set in another font stayed where the
    old one began) and sets a bottom title 5 px below its box, whose blank margin is 4 px:
    its ink ended a pixel below the axis, cut by a view whose edge the axis meets."""
    axis.resizeEvent()
    if axis.orientation in ("top", "bottom"):
        left, right = _visible_span(axis)
        if (left, right) != (0.0, axis.width()):  # centred on the part of it in view
            axis.label.setX(int((left + right) / 2 - axis.label.boundingRect().width() / 2))
    if axis.orientation == "bottom":
        margin = axis.label.document().documentMargin()
        lowest = axis.height() - axis.label.boundingRect().height() + margin - 1
        if axis.label.y() > lowest:
            axis.label.setY(lowest)


#: Clear space between a left (right) axis title's text and its tick labels' column, as a
#: share of the title's line: its descent (a title's "_", drawn upright) is blank but for a
#: few glyphs, and a gap no wider than it sets them as near the labels as the title.
TITLE_GAP = 1 / 8
#: How far out pyqtgraph sets a left or right title's box (AxisItem.resizeEvent's nudge).
_TITLE_NUDGE = 5


def title_clear_of_ticks(axis: pg.AxisItem) -> None:
    """Keep a left or right axis title TITLE_GAP of its box's height clear of its tick labels.

    pyqtgraph reserves 0.8 h beside the tick labels for a title whose box is h px high, and
    sets the box 5 px out: its text (the box less the document's margin m) reaches h - 5 - m,
    the labels' column (as wide as the widest label) begins at 0.8 h, 9 - 0.2 h px after it
    (m = 4). A window's 12 pt title (h = 26 to 27 px) keeps 3.6 px or more, h / 8 = 3.4; a
    presenting title (19.2 to 20 pt, h = 39 to 40) ran into them: "r_nk" 1.2 px from "0.5",
    its underscore read as "10.5". The axis is widened by what is missing, and only then
    (3.7 px at h = 39). An axis that fixes its tick text's width (autoExpandTextSpace off,
    emviz.gui.bound_plot) chose its own room.
    Installed once per axis; pyqtgraph's own width is computed first, as always."""
    if axis.orientation not in ("left", "right") or getattr(axis, "_emviz_title_clear", False):
        return
    axis._emviz_title_clear = True
    update_width = axis._updateWidth  # pyqtgraph's, bound: run on every size or font change

    def update_width_clear_of_ticks() -> None:
        update_width()
        if (axis.fixedWidth is not None or not axis.isVisible() or not axis.label.isVisible()
                or not axis.style["showValues"] or not axis.style["autoExpandTextSpace"]):
            return
        height = axis.label.boundingRect().height()
        reach = height - _TITLE_NUDGE - axis.label.document().documentMargin()
        missing = reach + TITLE_GAP * height - 0.8 * height
        if missing > 0:
            width = axis.maximumWidth() + missing
            axis.setMaximumWidth(width)
            axis.setMinimumWidth(width)

    axis._updateWidth = update_width_clear_of_ticks
    axis._updateWidth()


def _steady_left_axis(plot: pg.PlotItem) -> None:
    """In an aspect-locked plot, let the left axis widen at any time but narrow only when the
    plot is asked for another region (zoom, pan, new data, the other view followed), not when
    its size changes.

    pyqtgraph fits the left axis to its tick labels both ways. With the aspect locked the y
    range depends on the view's width, so wider labels -> a narrower view -> a larger y range
    -> other ticks -> narrower labels -> a wider view -> a smaller y range -> wider labels ...
    which could go round for ever (issue #11: 52.6 and 37.5 px, the y range ±4.19 and ±3.98,
    50 times a second, the GUI thread never idle). Only widening, it settles in a step or two.
    """
    axis = plot.getAxis("left")
    axis.setStyle(autoReduceTextSpace=False)
    box = plot.getViewBox()
    asked = [box.targetRect()]

    def on_range_changed(*_args) -> None:
        target = box.targetRect()  # the region asked for; the aspect lock widens it to fit
        if target != asked[0]:
            asked[0] = target
            axis.textWidth = 0  # pyqtgraph's widest label so far: measured afresh at the next paint

    box.sigRangeChanged.connect(on_range_changed)



def qt_palette(colors: dict[str, tuple[int, int, int]]) -> QPalette:
    """A QPalette from an Appearance's colours by role name ("Disabled<Role>" for the
    disabled group); the inactive group takes the active one's colours."""
    palette = QPalette()
    for name, rgb in colors.items():
        if name.startswith("Disabled"):
            role = getattr(QPalette.ColorRole, name.removeprefix("Disabled"))
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(*rgb))
        else:
            role = getattr(QPalette.ColorRole, name)
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                palette.setColor(group, role, QColor(*rgb))
            if f"Disabled{name}" not in colors:
                palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(*rgb))
    return palette


def apply_plot_appearance(widget: pg.PlotWidget, appearance: Appearance) -> None:
    """A plot's background, axes, tick labels and axis titles in this appearance, changed in
    place (the plot's items stay; the axes' pixmap caches are redrawn by their setters).

    Axis titles keep the size the plot gave them, except in presentation mode: their style
    before the first presentation is kept on the axis and put back after it. (An explicit
    size from the start would change the normal picture: the points view's autoRange, with
    its pixel padding, then lands a hair apart on the same data.)"""
    widget.setBackground(appearance.background)
    plot = widget.getPlotItem()
    tick_font = QFont()
    tick_font.setPointSizeF(appearance.tick_pt)
    foreground = QColor(*appearance.foreground).name()
    title_clear_of_ticks(plot.getAxis("left"))  # before its title's size changes
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(appearance.foreground)
        axis.setTextPen(appearance.foreground)  # also the title's colour
        axis.setStyle(tickFont=tick_font)
        own = getattr(axis, "_emviz_own_label_style", None)
        if appearance.presenting:
            if own is None:
                axis._emviz_own_label_style = own = dict(axis.labelStyle)
            style = {**own, "font-size": f"{appearance.label_pt:g}pt"}
        else:
            style = dict(own) if own is not None else dict(axis.labelStyle)
        style["color"] = foreground
        axis.labelStyle = style  # also for a title set later, without a style
        if axis.labelText:
            axis.setLabel(axis.labelText, **style)
    title = plot.titleLabel
    if title.text:
        # setText, not setTitle (which fixes the title row at pyqtgraph's 30 px and would cut
        # a title of two lines): the row grows or shrinks with the text.
        before = css_pt(title.opts.get("size"))
        title.setText(title.text, size=f"{appearance.title_pt:g}pt", color=foreground)
        row = plot.layout.rowMaximumHeight(0)
        if before and 0 < row < 1e4:
            height = row * appearance.title_pt / before
            plot.layout.setRowFixedHeight(0, height)
            title.setMaximumHeight(height)


def theme_plot(widget: pg.GraphicsView, appearance: Appearance) -> None:
    """The theme's colours, not its sizes, in a pyqtgraph view that does not draw an
    appearance itself: its background, every axis (line, ticks, tick labels, title), every
    title and caption (LabelItem) and every legend (its labels and its fill). Items a view
    drew in colours of its own are the view's to re-colour (``apply_theme``)."""
    widget.setBackground(appearance.background)
    foreground = QColor(*appearance.foreground).name()
    for item in widget.scene().items():
        if isinstance(item, pg.AxisItem):
            item.setPen(appearance.foreground)
            item.setTextPen(appearance.foreground)
            item.labelStyle = {**item.labelStyle, "color": foreground}  # also for a later title
            if item.labelText:
                item.setLabel(item.labelText, **item.labelStyle)
        elif isinstance(item, pg.LegendItem):
            item.setBrush(pg.mkBrush(*appearance.label_fill))
            item.setPen(pg.mkPen(appearance.border))
            item.setLabelTextColor(appearance.foreground)
            for _, label in item.items:  # pyqtgraph keeps the new colour for new labels only
                label.setText(label.text, color=foreground)
        elif isinstance(item, pg.LabelItem) and not isinstance(item.parentItem(), pg.LegendItem):
            item.setText(item.text, color=foreground)


def css_pt(size: object) -> float | None:
    """12.0 for "12pt"; None for anything else (a size in px, or none)."""
    text = str(size or "")
    try:
        return float(text.removesuffix("pt")) if text.endswith("pt") else None
    except ValueError:
        return None


def fit_legend(legend: pg.LegendItem) -> None:
    """Size a legend to its labels after their font changed: pyqtgraph's updateSize alone
    measures the labels at their old geometry, so a legend would grow but never shrink."""
    legend.layout.invalidate()
    legend.adjustSize()  # the layout's preferred size, from the labels' new minimum sizes
    legend.layout.activate()
    legend.updateSize()


def set_component_pen(item: pg.PlotCurveItem, color, width: float, background,
                      style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> None:
    """Draw ``item`` (a curve, an ellipse) in a component's ``color`` (RGB), ``width`` px, on a
    plot of ``background`` (RGB); a colour under 3:1 on it (the white plots' orange, sky blue
    and yellow) with a casing under it, 2 px wider, in a darker shade of its colour
    (emviz.look.colors.casing), dashed in step with the line (Qt scales a dash pattern by the
    pen's width)."""
    pen = pg.mkPen(color, width=width, style=style)
    edge = casing(color, background)
    if edge is None:
        shadow = None
    else:
        shadow = pg.mkPen(edge, width=width + 2)
        if style != Qt.PenStyle.SolidLine:  # each dash cased along its length, no longer
            shadow.setDashPattern([v * max(width, 1.0) / (width + 2) for v in pen.dashPattern()])
            for p in (pen, shadow):
                p.setCapStyle(Qt.PenCapStyle.FlatCap)
    item.setPen(pen)
    item.setShadowPen(shadow)
