""""Why EM works": the lecture's picture of f(x) and its lower bound b(x), drawn for a real
M-step along the straight path θ(t) = (1 − t) θ_old + t θ_new.

f(t) = ln p(X | θ(t)) and b(t) = L(q, θ(t)) with q the E-step's posterior at θ_old: the
bound touches at t = 0, lies below everywhere, and the M-step put θ_new at its maximum t = 1,
so f(1) ≥ b(1) ≥ b(0) = f(0): the log-likelihood cannot go down.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetricsF

from ...core import Mixture, bound_slice, e_step, valid_range
from ...look.appearance import Appearance
from ...look.colors import neutral
from ...session.model import Workbench
from ..features import Feature
from ..plot_text import InsideText, shed_plot_text
from ..style import style_plot, whole_axis_title_or_none
from ._shared import (
    LOG_LIKELIHOOD_RGB,
    LOWER_BOUND_RGB,
    DeferWhilePlaying,
    IdentityCache,
    decimals_for,
    font,
    last_m_step,
    num,
    same,
)

#: Points on the t axis (0 and 1 always among them).
N_TS = 61
#: Above this many points the slice is evaluated on a fixed random subsample of this size (it
#: costs one E-step per t). b(t) ≤ f(t) and b(0) = f(0) hold point by point, so exactly on any
#: subsample; b(1) ≥ b(0) need not (θ_new maximises Q summed over all the points, not over the
#: subsample), so the caption then also gives the run's exact ln p over all the points.
SUBSAMPLE = 5000
SUBSAMPLE_SEED = 0
#: While EM plays, a slice of more points than this is computed off the GUI thread (it took
#: 60 ms on 5000 points, measured here).
BACKGROUND_MIN_POINTS = 1000

CURVE_F = "ln p(X | θ(t))"
CURVE_B = "L(q, θ(t))"


@dataclass(frozen=True)
class Slice:
    """f(t) = ln p(X | θ(t)) and b(t) = L(q, θ(t)) for one M-step, on ``n_used`` points.

    ts, f, b : arrays, shape (T,); i0, i1 : indices of t = 0 and t = 1 in ts
    """

    ts: np.ndarray
    f: np.ndarray
    b: np.ndarray
    i0: int
    i1: int
    n_used: int
    n_points: int


def path_ts(mixture_old: Mixture, mixture_new: Mixture, n: int = N_TS) -> np.ndarray:
    """n positions t covering valid_range(θ_old, θ_new), with exactly 0 and 1 among them."""
    lo, hi = valid_range(mixture_old, mixture_new)
    ts = np.linspace(lo, hi, n)
    for anchor in (0.0, 1.0):  # move the nearest grid point onto 0 and 1: still n points
        ts[np.argmin(np.abs(ts - anchor))] = anchor
    return np.unique(ts)


def subsample_indices(n: int, size: int = SUBSAMPLE, seed: int = SUBSAMPLE_SEED) -> np.ndarray | None:
    """A fixed, sorted random subset of range(n) of the given size (None: use every point)."""
    if n <= size:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def compute_slice(X: np.ndarray, resp: np.ndarray | None, mixture_old: Mixture, mixture_new: Mixture,
                  sample: np.ndarray | None) -> Slice:
    """The slice of one M-step; ``resp`` is the q it used (None if the history dropped it:
    then q is recomputed as the E-step's posterior at θ_old, on the sampled points only)."""
    Xs = X if sample is None else X[sample]
    if resp is None:
        q = e_step(Xs, mixture_old)[0]
    else:
        q = resp if sample is None else resp[sample]
    ts = path_ts(mixture_old, mixture_new)
    f, b = bound_slice(Xs, q, mixture_old, mixture_new, ts)
    return Slice(ts, f, b, int(np.flatnonzero(ts == 0.0)[0]), int(np.flatnonzero(ts == 1.0)[0]),
                 len(Xs), len(X))


#: Qt's largest widget size: no maximum.
QWIDGETSIZE_MAX = (1 << 24) - 1

class WrappingLabel(pg.LabelItem):
    """A LabelItem whose text wraps at a given width (pyqtgraph's grows to fit its longest
    line, which would push the plot wider than its tab), and, given a height, shows as many
    of its lines (``<br>``) as fit in it, from the first: the rest is left out whole, never
    drawn cut (``full`` keeps them all)."""

    wrap_width = 0.0
    room = math.inf  # the height it may take
    full = ""

    def set_wrap_width(self, width: float) -> None:
        if width > 0 and abs(width - self.wrap_width) >= 1:
            self.wrap_width = width
            self._show_fitting()

    def set_room(self, height: float) -> None:
        if height != self.room:
            self.room = height
            self._show_fitting()

    def set_full_text(self, text: str, **args) -> None:
        """The whole caption; as many of its lines as fit are shown."""
        self.full = text
        if args:
            self.opts.update(args)
        self._show_fitting()

    @property
    def left_out(self) -> bool:
        """Whether some of its lines are left out for want of height."""
        return self.text != self.full

    def _show_fitting(self) -> None:
        lines = self.full.split("<br>")
        for n in range(len(lines), -1, -1):
            self.setText("<br>".join(lines[:n]))
            if self.item.boundingRect().height() <= self.room or n == 0:
                break
        if not self.text:  # no row at all (an empty text is still a line high)
            self.setMinimumHeight(0)
        self.setMaximumHeight(QWIDGETSIZE_MAX if self.text else 0)

    def setText(self, text, **args) -> None:  # noqa: N802 (pyqtgraph API)
        if self.wrap_width > 0:
            self.item.setTextWidth(self.wrap_width)
        super().setText(text, **args)


#: Pixels of the view's width beside its left axis the title leaves free (the layout's margins).
TITLE_SLACK_PX = 10


class WhyPlot(DeferWhilePlaying, pg.PlotWidget):
    """The tab "Why EM works". ``playing()`` says whether EM is playing: then the slice of a
    new M-step is computed only while this tab is on screen (it costs one E-step per t)."""

    def __init__(self, playing: Callable[[], bool] = lambda: False, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("whyPlot")
        self._playing = playing
        self._cache = IdentityCache(512)
        self._shown: tuple | None = None
        self._sample: np.ndarray | None = None  # the subsample of the bound data, if any
        self.slice: Slice | None = None  # what is drawn
        plot = self.getPlotItem()
        plot.setTitle("Why EM works", size="12pt")
        plot.setLabel("bottom", "t along θ_old → θ_new")
        plot.setLabel("left", "ln p, L")  # whole or left out: the legend names f and b
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setMenuEnabled(False)
        for axis in ("bottom", "left"):
            plot.getAxis(axis).enableAutoSIPrefix(False)  # "(x0.001)" would only puzzle
        self.legend = plot.addLegend(offset=(8, 8), labelTextSize="11pt")  # top left: f rises to t = 1
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 220))
        self.f_curve = plot.plot(name=CURVE_F, pen=pg.mkPen(LOG_LIKELIHOOD_RGB, width=3))
        self.b_curve = plot.plot(
            name=CURVE_B, pen=pg.mkPen(LOWER_BOUND_RGB, width=3, style=Qt.PenStyle.DashLine))
        self.gap = pg.FillBetweenItem(self.f_curve, self.b_curve, brush=pg.mkBrush(0, 0, 0, 28))
        self.gap.setZValue(-1)
        plot.addItem(self.gap)
        self.lines = []
        self.line_labels: list[InsideText] = []
        for t, label in ((0.0, "θ_old"), (1.0, "θ_new")):
            line = pg.InfiniteLine(
                t, angle=90, pen=pg.mkPen((110, 110, 110), width=1.5, style=Qt.PenStyle.DotLine))
            plot.addItem(line)
            self.lines.append(line)
            # at the line's foot, kept inside the plot (the line's own label, at a fixed
            # fraction of its height, stood half out of a short plot)
            text = InsideText(label, color=(60, 60, 60), anchor=(0.5, 1.0),
                              fill=pg.mkBrush(255, 255, 255, 200))
            text.setFont(font(11))
            text.setZValue(5)
            plot.addItem(text)
            text.place(t, -math.inf)
            self.line_labels.append(text)
        # t = 0: the bound touches (b(0) = f(0)); t = 1: b at its maximum, f above it.
        self.touch = pg.ScatterPlotItem(size=17, symbol="o", pen=pg.mkPen("k", width=2.5),
                                        brush=pg.mkBrush("w"))
        self.b_max = pg.ScatterPlotItem(size=18, symbol="t1", pen=pg.mkPen("k", width=1),
                                        brush=pg.mkBrush(*LOWER_BOUND_RGB))
        self.f_new = pg.ScatterPlotItem(size=13, symbol="o", pen=None, brush=pg.mkBrush("k"))
        for item in (self.touch, self.b_max, self.f_new):
            item.setZValue(10)
            plot.addItem(item)
        self._titles: tuple[str, ...] = ()
        # the title in the plot area's width once it is laid out (it settles after the axes)
        plot.vb.sigResized.connect(self._plot_area_resized)
        self.caption = WrappingLabel(justify="left", color="k", size="11pt")
        plot.layout.addItem(self.caption, 4, 0, 1, 3)
        style_plot(self)
        whole_axis_title_or_none(plot.getAxis("left"))
        self.apply_theme(Appearance())
        self._show_nothing("Take an E-step and then an M-step:<br>"
                           "this tab then draws f and its bound b along that M-step.")

    def apply_theme(self, a: Appearance) -> None:
        """The items drawn in colours of their own, in the theme's (the axes, title, caption
        and legend text are the window's: ``style.theme_plot``): f in the foreground colour,
        b dashed in the next grey, the gap shaded in the foreground's colour, faintly."""
        f_rgb, b_rgb = neutral(LOG_LIKELIHOOD_RGB, a.theme), neutral(LOWER_BOUND_RGB, a.theme)
        self.legend.setBrush(pg.mkBrush(*a.label_fill))
        self.f_curve.setPen(pg.mkPen(f_rgb, width=3))
        self.b_curve.setPen(pg.mkPen(b_rgb, width=3, style=Qt.PenStyle.DashLine))
        self.gap.setBrush(pg.mkBrush(*a.foreground, 28 if a.theme == "light" else 40))
        for line in self.lines:
            line.setPen(pg.mkPen(a.muted, width=1.5, style=Qt.PenStyle.DotLine))
        for label in self.line_labels:  # θ_old, θ_new at the lines' feet
            label.setColor(a.muted)
            label.fill = pg.mkBrush(*a.label_fill)
            label.update()
        self.touch.setPen(pg.mkPen(f_rgb, width=2.5))
        self.touch.setBrush(pg.mkBrush(*a.background))
        self.b_max.setPen(pg.mkPen(f_rgb, width=1))
        self.b_max.setBrush(pg.mkBrush(*b_rgb))
        self.f_new.setBrush(pg.mkBrush(*f_rgb))
        self.caption.set_full_text(self.caption.full, color=QColor(*a.foreground).name())

    # -- drawing -----------------------------------------------------------------------
    def show_state(self, model: Workbench) -> None:
        token = (model.points, model.current)
        if same(self._shown, token):
            return  # runs every frame; the picture only changes with the state
        i = last_m_step(model) if model.current is not None else None
        e = hand_slice_start(model)
        if e is not None:  # θ set by hand: the path from where q touched to the hand's θ
            i = model.index
        if i is None:
            self._stale = None
            self._shown = token
            self._show_nothing(
                "No M-step yet: take an E-step (E), then an M-step (M);<br>"
                "this tab then draws f and its bound b along that M-step.")
            return
        m_state, e_state = model.history[i], model.history[i - 1 if e is None else e]
        X = model.points
        if self._cache.bind(X):
            self._sample = subsample_indices(len(X))
        key = (e_state.mixture, m_state.mixture)
        resp = m_state.resp if m_state.resp is not None and len(m_state.resp) == len(X) else None
        sample = self._sample

        def compute() -> Slice:
            return compute_slice(X, resp, e_state.mixture, m_state.mixture, sample)

        costly = min(len(X), SUBSAMPLE) > BACKGROUND_MIN_POINTS
        if self._defer(model, self._cache.has(key), key, compute if costly else None):
            return
        s = self._cache.get(key, compute)
        if e is None:
            self._draw(s, model, i)
        else:
            self._draw_hand(s, model, e)
        self._shown = token

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        # The caption's wrap width first: the layout cannot shrink below its widest line, so
        # laid out first it would keep the old, wider plot with its right part cut off.
        caption = self.__dict__.get("caption")  # pyqtgraph resizes before __init__ made it
        if caption is not None:
            caption.set_wrap_width(self.viewport().width() - 16)
            caption.set_room(self._caption_room(event.size().height()))
            self._tip_caption()
            # (its title stays: it names the M-step the curves are of)
            shed_plot_text(self, self.legend, reserved=caption.item.boundingRect().height(),
                           title=False)
            self._fit_title()
        super().resizeEvent(event)

    def _caption_room(self, height: float) -> float:
        """The height the caption may take: what the title, the bottom axis' tick labels and
        a few tick labels' worth of curves leave (presenting under the lesson at 1280 x 800
        the plot is 186 px high, and the whole caption, 169 px, ran out of it)."""
        plot = self.getPlotItem()
        if plot is None:  # (taken apart as it closes)
            return height
        tick_font = plot.getAxis("bottom").style["tickFont"]
        tick_h = QFontMetricsF(tick_font if tick_font is not None else self.font()).height() + 10
        title_h = plot.titleLabel.item.boundingRect().height() if plot.titleLabel.text else 0.0
        return height - title_h - 4 * tick_h

    def _set_caption(self, text: str) -> None:
        self.caption.set_full_text(text)
        self._tip_caption()

    def _set_title(self, *forms: str) -> None:
        """The title: the first of ``forms`` (longest first) as wide as the plot area or
        narrower, else the last (presenting at 1280 x 800, "The M-step of iteration 19" at
        18 pt was 338 px over a plot area of 304, and stood out of the view)."""
        self._titles = forms
        self._fit_title()

    def _plot_area_resized(self, _box=None) -> None:
        self._fit_title()

    def close(self) -> bool:
        plot = self.getPlotItem()
        if plot is not None:  # pyqtgraph takes the plot apart, resizing its parts
            plot.vb.sigResized.disconnect(self._plot_area_resized)
        return super().close()

    def _fit_title(self) -> None:
        plot = self.getPlotItem()
        if plot is None:  # (taken apart as it closes)
            return
        label = plot.titleLabel
        # the view's width beside the left axis: pyqtgraph widens the plot area to its title
        room = self.width() - plot.getAxis("left").width() - TITLE_SLACK_PX
        for form in self._titles:
            if label.text != form:
                # setText, not setTitle: the title keeps its size and row (presenting's, if on)
                label.setText(form)
            if label.item.boundingRect().width() <= room or room <= 0:
                return

    def _tip_caption(self) -> None:
        """The whole caption in the plot's tooltip while lines of it are left out."""
        left_out = self.caption.left_out
        self.setToolTip(self.caption.full.replace("<br>", "\n").replace("<b>", "").replace("</b>", "")
                        if left_out else "")

    def _draw(self, s: Slice, model: Workbench, i: int) -> None:
        self.slice = s
        self.f_curve.setData(s.ts, s.f)
        self.b_curve.setData(s.ts, s.b)
        f0, f1, b0, b1 = s.f[s.i0], s.f[s.i1], s.b[s.i0], s.b[s.i1]
        self.touch.setData([0.0], [f0])
        self.b_max.setData([1.0], [b1])
        self.f_new.setData([1.0], [f1])
        for item in (*self.lines, *self.line_labels):
            item.setVisible(True)
        self.getPlotItem().getAxis("left").setStyle(showValues=True)
        iteration = model.history[i].iteration
        if s.n_used < s.n_points:
            self._set_title(f"M-step {iteration}, on {s.n_used} of {s.n_points} points",
                            f"M-step {iteration}, {s.n_used} of {s.n_points} points",
                            f"M-step {iteration}")
        else:
            self._set_title(f"The M-step of iteration {iteration}",
                            f"M-step of iteration {iteration}", f"M-step {iteration}")
        self._frame(s)
        d = decimals_for(f1 - b1, b1 - b0)
        lines = [
            "<b>f(1) ≥ b(1) ≥ b(0) = f(0)</b>",
            f"{num(f1, d)} {_ge(f1, b1)} {num(b1, d)} {_ge(b1, b0)} {num(b0, d)} = {num(f0, d)}",
            f"ln p rose by {num(f1 - f0, d)}, the bound by {num(b1 - b0, d)}",
        ]
        if s.n_used < s.n_points:
            rise = model.history[i].log_likelihood - model.history[i - 1].log_likelihood
            lines.append(f"all {s.n_points} points: ln p rose by {num(rise, decimals_for(rise))}")
        lines.append("shaded: the gap KL(q ‖ p(Z | X, θ(t))) ≥ 0")
        current = model.current
        if model.index != i and current is not None:
            if current.phase == "E":
                lines.append(f"Now: E-step {current.iteration} made a new bound touch f at t = 1.")
            else:
                lines.append(f"Now: {current.phase}-state; showing the M-step before it.")
        self._set_caption("<br>".join(lines))

    def _draw_hand(self, s: Slice, model: Workbench, e: int) -> None:
        """The slice from the θ of E-step ``e`` (where q touches) to a θ set by hand: with q
        held, b(1) lies KL below f(1), and need not be above b(0)."""
        self._draw(s, model, model.index)
        f0, f1, b1 = s.f[s.i0], s.f[s.i1], s.b[s.i1]
        iteration = model.history[e].iteration
        points = f", on {s.n_used} of {s.n_points} points" if s.n_used < s.n_points else ""
        self._set_title(f"θ set by hand, q of E-step {iteration}{points}",
                        f"θ by hand, q of E-step {iteration}{points}",
                        f"θ by hand, q of E-step {iteration}")
        d = decimals_for(f1 - b1, f1 - f0)
        self._set_caption("<br>".join([
            "<b>t = 0: the E-step's θ, where b touches f; t = 1: your θ</b>",
            f"f(1) − b(1) = KL(q ‖ p(Z | X, θ)) = {num(f1 - b1, d)} ≥ 0",
            f"ln p changed by {num(f1 - f0, d)} (on these points)",
            "The next E-step sets q = p(Z | X, θ): the gap closes at your θ.",
        ]))

    def _frame(self, s: Slice) -> None:
        """x: the whole valid range; y: the part around 0 ≤ t ≤ 1 (near a root of the path a
        weight or a covariance goes to zero and both curves fall off a cliff)."""
        near = (s.ts >= -0.3) & (s.ts <= 1.3)
        top = float(np.max(s.f[near]))
        bottom = float(np.min(s.b[near]))
        span = top - bottom
        pad = 0.1 * span if span > 0 else max(1e-9, 1e-9 * abs(top))
        plot = self.getPlotItem()
        plot.setXRange(float(s.ts[0]), float(s.ts[-1]), padding=0.02)
        plot.setYRange(bottom - pad, top + pad, padding=0)
        self.scene().prepareForPaint()  # items take the new range now, not in a second paint

    def _show_nothing(self, message: str) -> None:
        self.slice = None
        for item in (self.f_curve, self.b_curve, self.touch, self.b_max, self.f_new):
            item.setData([], [])
        for item in (*self.lines, *self.line_labels):
            item.setVisible(False)
        plot = self.getPlotItem()
        self._set_title("Why EM works")
        plot.setXRange(-0.5, 1.5, padding=0)
        plot.setYRange(0.0, 1.0, padding=0)
        plot.getAxis("left").setStyle(showValues=False)  # no values to read yet
        self._set_caption(message)


def hand_slice_start(model: Workbench) -> int | None:
    """For a current θ set by hand with a q, the index of the E-state that q comes from."""
    state = model.current
    if state is None or state.phase != "hand" or state.resp is None:
        return None
    for j in range(model.index - 1, -1, -1):
        if model.history[j].phase == "E":
            return j
    return None


def _ge(a: float, b: float) -> str:
    """The relation the numbers really have ("≥" up to rounding), never a claimed one."""
    return "≥" if a >= b - 1e-9 * max(1.0, abs(b)) else "<"


def install(window) -> Feature:
    view = WhyPlot(playing=lambda: window.controller.playing)
    view.add_to(window, "Why EM")
    return Feature("why", view, views=(view,))
