"""The lecture's two identities at the current half-step, as numbers and as bars:

    ln p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ)),     L(q, θ) = Q(θ, θ_old) + H(q).

ln p, L and Q are negative, so the bars are drawn on one value axis from a common left edge:
the bar of L plus the hatched KL reaches exactly as far as the bar of ln p, and Q plus the
hatched H(q) reaches L. After an E-step KL is 0; after an M-step the gap is KL.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...core import Decomposition, EMState, decomposition
from ...core.density import entropy
from ...look.appearance import Appearance
from ...look.colors import DARK_GREY, INK, Q_STYLE, neutral
from ...session.model import Workbench
from ..features import Feature
from ..style import style_plot
from ._shared import (
    LOWER_BOUND_RGB,
    TEXT_PT,
    DeferWhilePlaying,
    IdentityCache,
    TextScroll,
    current_state,
    decimals_for,
    fixed_plot,
    font,
    num,
    q_mixture,
    same,
)

#: Above this many points the view takes ln p and L from the run (the worker computed them
#: with the same formulas) and computes only H(q) itself: KL = ln p − L, Q = L − H.
EXACT_MAX_POINTS = 100_000
#: While EM plays, the numbers of more points than this are computed off the GUI thread.
BACKGROUND_MIN_POINTS = 20_000

LOG_LIKELIHOOD_RGB = INK
Q_RGB = Q_STYLE[0]  # greys, not component colours: these bars are no clusters
ROWS = {"ln p": 2.0, "L + KL": 1.0, "Q + H": 0.0}
BAR_HEIGHT = 0.62


def fast_decomposition(state: EMState, h_q: float) -> Decomposition:
    """The identities from the run's ln p and L and a given H(q) (for very many points)."""
    ll, lb = state.log_likelihood, state.lower_bound
    return Decomposition(ll, lb, max(ll - lb, 0.0), lb - h_q, h_q)


def _hatched(rgb: tuple[int, int, int]) -> QBrush:
    return QBrush(QColor(*rgb), Qt.BrushStyle.BDiagPattern)


class DecompositionView(DeferWhilePlaying, QWidget):
    def __init__(self, playing: Callable[[], bool] = lambda: False, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("decompositionView")
        self._playing = playing
        self._cache = IdentityCache(512)
        self._shown: tuple | None = None
        self._entropy = IdentityCache(8)
        self.values: Decomposition | None = None  # what is shown
        self.readout = QLabel()
        self.readout.setObjectName("decompositionReadout")
        self.readout.setFont(font(TEXT_PT))
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.readout.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bars = fixed_plot("decompositionBars", 150)
        plot = self.bars.getPlotItem()
        plot.setLabel("bottom", "nats (bars end at their values)")
        plot.getAxis("left").setTicks([[(y, name) for name, y in ROWS.items()]])
        plot.setYRange(-0.5, 2.5, padding=0)
        plot.showGrid(x=True, y=False, alpha=0.15)
        plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.segments: dict[str, pg.BarGraphItem] = {}
        for name, brush, pen in (
            ("ln p", pg.mkBrush(*LOG_LIKELIHOOD_RGB), None),
            ("L", pg.mkBrush(*LOWER_BOUND_RGB), None),
            ("KL", _hatched(INK), pg.mkPen(INK, width=1.5)),
            ("Q", pg.mkBrush(*Q_RGB), pg.mkPen(INK, width=1)),
            ("H", _hatched(DARK_GREY), pg.mkPen(DARK_GREY, width=1.5)),
        ):
            item = pg.BarGraphItem(x0=[0.0], x1=[0.0], y=[0.0], height=BAR_HEIGHT, brush=brush,
                                   pen=pen or pg.mkPen(None))
            item.setVisible(False)
            plot.addItem(item)
            self.segments[name] = item
        self.labels: dict[str, pg.TextItem] = {}
        for name, text, color, anchor in (
            ("ln p", "ln p", "w", (1, 0.5)),
            ("L", "L", "w", (1, 0.5)),
            ("KL", "KL", "k", (0, 0.5)),
            ("Q", "Q", "k", (1, 0.5)),  # black on the mid grey: 7:1
            ("H", "H(q)", "k", (0.5, 0.5)),
        ):
            label = pg.TextItem(text, color=color, anchor=anchor)
            label.setFont(font(11, bold=True))
            label.setZValue(5)
            plot.addItem(label)
            self.labels[name] = label
        self.ends = [pg.InfiniteLine(angle=90, pen=pg.mkPen((90, 90, 90), width=1.2,
                                                                 style=Qt.PenStyle.DashLine))
                     for _ in range(2)]
        for line in self.ends:
            plot.addItem(line)
        style_plot(self.bars)
        # the readout scrolls when the tab is too short for it and the bars (presenting under
        # the lesson: 188 px for 372 of text); the bars keep their least height in view
        self.readout_scroll = TextScroll(self.readout, "decompositionReadoutScroll")
        self.apply_theme(Appearance())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.readout_scroll)
        layout.addWidget(self.bars, 1)
        layout.addStretch(0)  # takes the space while there are no bars
        self._show_message("No run yet.")

    def apply_theme(self, a: Appearance) -> None:
        """The bars and their labels in the theme's greys (none a component's colour): ln p
        in the foreground colour, L the next grey, Q the mid grey, KL and H hatched; each
        label in the colour that reads on its bar (or, beside a bar, on the background)."""
        ink, dark, mid = (neutral(c, a.theme) for c in (INK, DARK_GREY, Q_RGB))
        bars = {
            "ln p": (pg.mkBrush(*neutral(LOG_LIKELIHOOD_RGB, a.theme)), pg.mkPen(None)),
            "L": (pg.mkBrush(*neutral(LOWER_BOUND_RGB, a.theme)), pg.mkPen(None)),
            "KL": (_hatched(ink), pg.mkPen(ink, width=1.5)),
            "Q": (pg.mkBrush(*mid), pg.mkPen(ink, width=1)),
            "H": (_hatched(dark), pg.mkPen(dark, width=1.5)),
        }
        for name, (brush, pen) in bars.items():
            self.segments[name].setOpts(brush=brush, pen=pen)
        # Each label on a box of its bar's colour (taller than the bar when presenting, so
        # the text never stands half on the background): the background's colour on ln p and
        # L (white on black, black on near-white), black on Q's mid grey (7.1:1); KL and
        # H(q) (beside a bar, on hatching) in the foreground's colour on the background's.
        boxes = {"ln p": (bars["ln p"][0].color(), a.background),
                 "L": (bars["L"][0].color(), a.background),
                 "Q": (bars["Q"][0].color(), (0, 0, 0))}
        for name, label in self.labels.items():
            fill, text = boxes.get(name, (QColor(*a.background), a.foreground))
            label.fill = pg.mkBrush(fill)
            label.setColor(text)
        for line in self.ends:
            line.setPen(pg.mkPen(a.muted, width=1.2, style=Qt.PenStyle.DashLine))

    # -- drawing -----------------------------------------------------------------------
    def show_state(self, model: Workbench) -> None:
        token = (model.points, model.current)
        if same(self._shown, token):
            return  # runs every frame; the numbers only change with the state
        self._shown = token
        state = current_state(model)
        if state is None:
            self._stale = None
            self._show_message("No run yet: add points or choose a dataset.")
            return
        if state.phase == "init":
            self._stale = None
            self._show_message(
                "<b>No q yet.</b> θ₀ is chosen, but L(q, θ) needs a distribution q(Z): "
                "the first E-step (E) sets q = p(Z | X, θ₀), and then "
                "ln p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ)) with KL = 0."
                f"<br><br>ln p(X | θ₀) = {num(state.log_likelihood)}")
            return
        if state.resp is None:
            self._stale = None
            self._show_message(
                f"<b>θ set by hand before any E-step: no q yet.</b><br><br>ln p(X | θ) = "
                f"{num(state.log_likelihood)}" if state.phase == "hand" and state.colours is not None
                else "Recomputing q for this half-step…")
            return
        X = model.points
        self._cache.bind(X)
        theta_q = q_mixture(model)  # with X, it determines q: no need to key (or keep) resp
        key = (theta_q, state.mixture)
        def in_background() -> Decomposition:  # touches no cache: runs in another thread
            if len(X) <= EXACT_MAX_POINTS:
                return decomposition(X, state.resp, state.mixture)
            return fast_decomposition(state, float(entropy(state.resp)))

        costly = len(X) > BACKGROUND_MIN_POINTS
        if self._defer(model, self._cache.has(key), key, in_background if costly else None):
            self._shown = None
            return
        values = self._cache.get(key, lambda: self._compute(X, state, theta_q))
        self._draw(model, state, values)

    def _compute(self, X: np.ndarray, state: EMState, theta_q) -> Decomposition:
        if len(X) <= EXACT_MAX_POINTS:
            return decomposition(X, state.resp, state.mixture)
        self._entropy.bind(X)
        h_q = self._entropy.get((theta_q,), lambda: float(entropy(state.resp)))  # E and M share q
        return fast_decomposition(state, h_q)

    def _draw(self, model: Workbench, state: EMState, v: Decomposition) -> None:
        self.values = v
        after_e = state.phase == "E"
        kl = 0.0 if after_e and abs(v.kl) <= 1e-9 * max(1.0, abs(v.log_likelihood)) else v.kl
        d = decimals_for(kl if kl else 1.0)
        kl_text = "0 (q is the posterior)" if kl == 0.0 else num(kl, d)
        heading = (f"<b>θ set by hand, q held from E-step {state.iteration}</b>" if state.phase == "hand"
                   else f"<b>After the {state.phase}-step of iteration {state.iteration}</b>")
        lines = [
            heading,
            "ln p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ))",
            f"&nbsp;&nbsp;{num(v.log_likelihood, d)} = {num(v.lower_bound, d)} + {kl_text}",
            "L(q, θ) = Q(θ, θ_old) + H(q)",
            f"&nbsp;&nbsp;{num(v.lower_bound, d)} = {num(v.q_term, d)} + {num(v.entropy, d)}",
        ]
        before = model.history[model.index - 1] if model.index > 0 else None
        if state.phase == "M" and before is not None and np.isfinite(before.lower_bound):
            rise = state.log_likelihood - before.log_likelihood
            rise_l = state.lower_bound - before.lower_bound
            dd = decimals_for(rise, rise_l, kl)
            lines.append(f"ln p rose by Δ = {num(rise, dd)} ≥ ΔL = {num(rise_l, dd)}: "
                         "the M-step raised L, and the new gap KL adds the rest.")
        elif after_e and before is not None and before.phase == "M":
            closed = state.lower_bound - before.lower_bound
            lines.append(f"The E-step closed the gap: L rose by {num(closed, d)}"
                         " to touch ln p; θ (so ln p) did not change.")
        if len(model.points) > EXACT_MAX_POINTS:
            lines.append(f"<i>N > {EXACT_MAX_POINTS:,}: ln p and L from the run, KL = ln p − L.</i>")
        self.readout.setText("<br>".join(lines))
        self.readout_scroll.fit()
        self.bars.setVisible(True)
        self._draw_bars(v, kl)

    def _draw_bars(self, v: Decomposition, kl: float) -> None:
        ll, lb, q = v.log_likelihood, v.lower_bound, v.q_term
        if not all(np.isfinite((ll, lb, q))):
            for item in (*self.segments.values(), *self.labels.values(), *self.ends):
                item.setVisible(False)
            return
        span = max(ll - q, 1e-9 * max(1.0, abs(ll)))
        left, right = q - 0.3 * span, ll + 0.24 * span  # Q gets a bar; KL its label
        rows = ROWS
        parts = {
            "ln p": (left, ll, rows["ln p"]),
            "L": (left, lb, rows["L + KL"]),
            "KL": (lb, lb + kl, rows["L + KL"]),
            "Q": (left, q, rows["Q + H"]),
            "H": (q, lb, rows["Q + H"]),
        }
        for name, (x0, x1, y) in parts.items():
            item = self.segments[name]
            item.setOpts(x0=[x0], x1=[x1], y=[y], height=BAR_HEIGHT)
            item.setVisible(x1 > x0 or name != "KL")
        inset = 0.015 * span
        self.labels["ln p"].setPos(ll - inset, rows["ln p"])
        self.labels["L"].setPos(lb - inset, rows["L + KL"])
        self.labels["KL"].setPos(lb + kl + inset, rows["L + KL"])
        self.labels["KL"].setText("KL = 0" if kl == 0.0 else "KL")
        self.labels["Q"].setPos(q - inset, rows["Q + H"])
        self.labels["H"].setPos(0.5 * (q + lb), rows["Q + H"])
        for label in self.labels.values():
            label.setVisible(True)
        for line, x in zip(self.ends, (ll, lb), strict=True):
            line.setValue(x)
            line.setVisible(True)
        self.bars.getPlotItem().setXRange(left, right, padding=0)

    def _show_message(self, text: str) -> None:
        self.values = None
        self.readout.setText(text)
        self.readout_scroll.fit()
        self.bars.setVisible(False)
        for item in (*self.segments.values(), *self.labels.values(), *self.ends):
            item.setVisible(False)


def install(window) -> Feature:
    view = DecompositionView(playing=lambda: window.controller.playing)
    view.add_to(window, "L + KL")
    return Feature("decomposition", view, views=(view,))
