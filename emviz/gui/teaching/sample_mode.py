"""Sample: the generating process, animated one point at a time.

The lecture's two procedures (``emviz.core.sample``):

1. for each point, u ~ U(0, 1) picks the component k whose segment
   [Σ_{j<k} π_j, Σ_{j≤k} π_j) of the cumulative-π bar contains u; then x ~ N(μ_k, Σ_k);
2. for each component k, n_k = round(N · π_k) points from N(μ_k, Σ_k), component after
   component.

The dialog draws exactly what ``sample(mixture, N, default_rng(seed), procedure)`` returns,
in its order, paced by a QTimer (each tick only adds a few points, so no thread is needed).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QElapsedTimer, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import Mixture, component_counts, sample
from ...look.appearance import Appearance
from ...look.colors import component_colors, in_theme
from ...look.geometry import ellipse, ellipse_label
from ..features import Feature
from ..point_cloud import PointCloudItem
from ..screen_fit import fit_on_screen
from ..style import set_component_pen, style_plot, theme_plot
from .kmeans_mode import hard_resp

#: Sampled from when the data have no known generating mixture (Old Faithful, drawn points):
#: unequal weights, so the segments of the π bar differ visibly.
DEFAULT_MIXTURE = Mixture(
    weights=[0.5, 0.3, 0.2],
    means=[[-2.5, -1.2], [2.5, -1.0], [0.0, 2.6]],
    covariances=[[[1.0, 0.45], [0.45, 0.7]], [[0.5, -0.25], [-0.25, 0.9]], [[0.7, 0.0], [0.0, 0.3]]],
)

PROCEDURES = {  # key: (name, the lecture's pseudo-code as rich text)
    "per-point": ("Procedure 1: per point",
                  "<b>for</b> n = 1..N: &nbsp; draw u ~ U(0, 1); &nbsp; k = the segment of the bar "
                  "that contains u (Σ<sub>j&lt;k</sub> π<sub>j</sub> ≤ u &lt; Σ<sub>j≤k</sub> "
                  "π<sub>j</sub>); &nbsp; draw x<sub>n</sub> ~ N(μ<sub>k</sub>, Σ<sub>k</sub>)"),
    "per-component": ("Procedure 2: per component",
                      "<b>for</b> k = 1..K: &nbsp; n<sub>k</sub> = round(N · π<sub>k</sub>); &nbsp; "
                      "draw n<sub>k</sub> points from N(μ<sub>k</sub>, Σ<sub>k</sub>)"),
}
#: A point being drawn shows its u first, then (from this fraction of its time) its component.
CHOOSE_AT = 0.45
TICK_MS = 30
TEXT_PT = 12
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
MINUS = "\u2212"


# -- maths (numpy only) -----------------------------------------------------------------------
def cumulative_segments(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment k of [0, 1] is [Σ_{j<k} π_j, Σ_{j≤k} π_j): (starts (K,), ends (K,))."""
    ends = np.cumsum(np.asarray(weights, dtype=float))
    return np.r_[0.0, ends[:-1]], ends


def replay_uniforms(mixture: Mixture, n: int, seed: int, labels: np.ndarray) -> np.ndarray | None:
    """The u_n ~ U(0, 1) that procedure 1 drew for ``labels``: ``sample`` draws them first from
    its generator, so the same seed gives them again. None if they do not reproduce
    ``labels`` (then the bar shows the chosen segment but no u marker)."""
    u = np.random.default_rng(seed).uniform(size=n)
    cumulative = np.cumsum(mixture.weights)
    cumulative /= cumulative[-1]  # as sample does: the weights may sum to 1 ± 1e-6
    picked = np.minimum(np.searchsorted(cumulative, u, side="right"), mixture.n_components - 1)
    return u if np.array_equal(picked, labels) else None


def sub(k: int) -> str:
    """Component k (0-based) as the lecture writes it: 1-based, subscript."""
    return str(k + 1).translate(SUBSCRIPTS)


def fmt(x: float, decimals: int = 2) -> str:
    text = f"{x:.{decimals}f}"
    return (text[1:] if text.startswith("-") and float(text) == 0 else text).replace("-", MINUS)


def text_color(rgb) -> QColor:
    """Black or white, whichever reads better on ``rgb`` (relative luminance, WCAG)."""
    lin = [(c / 255) / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return QColor("black") if luminance > 0.23 else QColor("white")


# -- the cumulative-π bar ---------------------------------------------------------------------
class PiBar(QWidget):
    """[0, 1] cut into segments of widths π_k, coloured by component; a marker at u, the
    chosen segment outlined (the others dimmed), and n_k so far in each segment."""

    MARGIN = 16
    TOP = 24  # room for the cumulative sums above the bar
    HEIGHT = 58

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("piBar")
        self.setMinimumHeight(self.TOP + self.HEIGHT + 34)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("The cumulative mixing weights: segment k is [Σ_{j<k} π_j, Σ_{j≤k} π_j), "
                        "as wide as π_k.\nProcedure 1: a uniform u in [0, 1) lands in segment k "
                        "with probability π_k.")
        self.weights = np.ones(1)
        self.palette = component_colors(1)
        self.u: float | None = None
        self.chosen: int | None = None
        self.counts = np.zeros(1, dtype=int)
        self.targets: np.ndarray | None = None
        self.appearance = Appearance()

    def set_mixture(self, weights: np.ndarray, palette: np.ndarray) -> None:
        self.weights, self.palette = np.asarray(weights, dtype=float), palette
        self.counts = np.zeros(len(self.weights), dtype=int)
        self.update()

    def set_draw(self, u: float | None, chosen: int | None, counts: np.ndarray,
                 targets: np.ndarray | None) -> None:
        self.u, self.chosen, self.counts, self.targets = u, chosen, counts, targets
        self.update()

    def bar_rect(self) -> QRectF:
        return QRectF(self.MARGIN, self.TOP, self.width() - 2 * self.MARGIN, self.HEIGHT)

    def segment_rects(self) -> list[QRectF]:
        """Where each segment is drawn, in widget pixels: width_k = π_k · bar width."""
        bar = self.bar_rect()
        starts, ends = cumulative_segments(self.weights)
        return [QRectF(bar.left() + s * bar.width(), bar.top(), (e - s) * bar.width(), bar.height())
                for s, e in zip(starts, ends, strict=True)]

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        a = self.appearance
        background, ink = QColor(*a.background), QColor(*a.foreground)
        p.fillRect(self.rect(), background)
        bar, rects = self.bar_rect(), self.segment_rects()
        small, bold = QFont(self.font()), QFont(self.font())
        small.setPointSizeF(TEXT_PT - 1)
        bold.setPointSizeF(TEXT_PT)
        bold.setBold(True)
        colours = []
        for k, rect in enumerate(rects):
            rgb = self.palette[k].astype(float)
            if self.chosen is not None and k != self.chosen:
                # dimmed (towards the background): the eye goes to the chosen segment
                rgb = 0.45 * rgb + 0.55 * np.asarray(a.background, dtype=float)
            colours.append(QColor(*(int(c) for c in rgb)))
            p.fillRect(rect, colours[-1])
        if self.u is not None:  # under the labels: each label box interrupts the line
            x = bar.left() + self.u * bar.width()
            p.setPen(QPen(ink, 2.5))
            p.drawLine(QPointF(x, bar.top() - 4), QPointF(x, bar.bottom() + 2))
        p.setFont(bold)
        for k, rect in enumerate(rects):
            count = f"n{sub(k)} = {self.counts[k]}"
            if self.targets is not None:
                count += f" / {self.targets[k]}"
            text = f"π{sub(k)} = {self.weights[k]:.2f}\n{count}"
            wide = max(p.fontMetrics().horizontalAdvance(line) for line in text.split("\n")) + 6
            if rect.width() < wide:
                text = f"{k + 1}"
                if rect.width() < p.fontMetrics().horizontalAdvance(text) + 4:
                    continue
            box = QRectF(p.fontMetrics().boundingRect(rect.toRect(), Qt.AlignmentFlag.AlignCenter, text))
            p.fillRect(box.adjusted(-3, -1, 3, 1).intersected(rect), colours[k])
            p.setPen(text_color(colours[k].getRgb()[:3]))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        p.setPen(QPen(QColor(*a.muted), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(bar)
        p.setFont(small)
        p.setPen(ink)
        edges = np.r_[0.0, np.cumsum(self.weights)]
        last_right = -1e9
        for value in edges:  # Σπ at each boundary, skipping labels that would overlap
            x = bar.left() + min(value, 1.0) * bar.width()
            label = "0" if value == 0 else fmt(min(value, 1.0))
            w = p.fontMetrics().horizontalAdvance(label)
            left = min(max(x - w / 2, 0), self.width() - w)
            if left > last_right + 4:
                p.drawText(QPointF(left, self.TOP - 6), label)
                last_right = left + w
            p.drawLine(QPointF(x, self.TOP - 3), QPointF(x, self.TOP))
        if self.chosen is not None and 0 <= self.chosen < len(rects):
            p.setPen(QPen(ink, 4))
            p.drawRect(rects[self.chosen].adjusted(2, 2, -2, -2))
        if self.u is not None:
            x = bar.left() + self.u * bar.width()
            p.setBrush(ink)
            p.setPen(Qt.PenStyle.NoPen)
            tip = bar.bottom() + 2
            p.drawPolygon(QPolygonF([QPointF(x, tip), QPointF(x - 8, tip + 12), QPointF(x + 8, tip + 12)]))
            p.setPen(ink)
            p.setFont(bold)
            label = f"u = {self.u:.3f}"
            w = p.fontMetrics().horizontalAdvance(label)
            left = min(max(x - w / 2, 0), self.width() - w)
            p.drawText(QPointF(left, tip + 12 + p.fontMetrics().ascent()), label)
        p.end()


# -- the dialog -------------------------------------------------------------------------------
class _WholeChoiceCombo(QComboBox):
    """A choice box never narrower than its longest choice in its font now: Qt keeps the
    minimum it measured first (presenting, "Procedure 1: per point" was cut at 231 of 268 px
    once the dialog was no wider than its screen)."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return self.sizeHint()


class SampleDialog(QDialog):
    """Draws N points from ``mixture`` one at a time; "Use these points" hands them to EM."""

    def __init__(self, window, mixture: Mixture, source: str, n: int, seed: int,
                 axes: tuple[str, str], palette: np.ndarray | None = None) -> None:
        super().__init__(window)
        self.setObjectName("sampleDialog")
        self.setWindowTitle("Where the data come from: sampling from the mixture")
        self.window_, self.mixture, self.source, self.axes = window, mixture, source, axes
        # The generating components are the oracle's labels z: the colours the session model
        # gives those (each its EM component's), or slot k for k.
        k = mixture.n_components
        self.palette = component_colors(k) if palette is None or len(palette) != k else palette
        self._X = np.empty((0, 2))
        self._labels = np.empty(0, dtype=int)
        self._z = np.empty((0, 1), dtype=np.uint8)
        self._u: np.ndarray | None = None
        self._progress = 0.0  # points drawn; the fraction is how far the next draw has got
        self._shown = (self._X, self._labels)
        self._build(n, seed)
        presentation = getattr(window, "presentation", None)  # opened in the window's theme
        self.apply_theme(presentation.appearance if presentation is not None else Appearance())
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self.restart()
        # frame included on the screen: at 1024 x 768 Qt's own placing left its bottom 2 px
        # past the screen's edge
        fit_on_screen(self, QSize(980, 760), centre=True)

    # -- building ----------------------------------------------------------------------------
    def _build(self, n: int, seed: int) -> None:
        layout = QVBoxLayout(self)
        header = QLabel(self.source)
        header.setObjectName("sampleSource")
        header.setWordWrap(True)
        header.setFont(_font(TEXT_PT))
        layout.addWidget(header)

        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.procedure = _WholeChoiceCombo(objectName="sampleProcedure")
        for key, (name, _) in PROCEDURES.items():
            self.procedure.addItem(name, key)
        self.procedure.setToolTip("The lecture's two equivalent ways to generate a mixture's data")
        # as wide as its longest choice in the font it has now (presenting: 18 pt), not as at
        # its first show: the wide line under it no longer holds the window wide for it
        self.procedure.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.n = QSpinBox(objectName="sampleN")
        self.n.setRange(1, 200_000)
        self.n.setValue(n)
        self.n.setPrefix("N = ")
        self.n.setToolTip("How many points to draw (procedure 2 may give a slightly different total)")
        self.seed = QSpinBox(objectName="sampleSeed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(seed)
        self.seed.setPrefix("seed ")
        self.seed.setToolTip("The random generator's seed: the same seed draws the same points")
        self.speed = QSpinBox(objectName="sampleSpeed")
        self.speed.setRange(1, 100_000)
        self.speed.setValue(8)
        self.speed.setSuffix(" points/s")
        self.speed.setToolTip("Animation speed. Slowly (≤ 5 points/s) each draw shows u, then k, "
                              "then the point.")
        # Two halves side by side, or (presenting) one over the other: in one row at 18 pt
        # they held the dialog 1098 px wide, past a 1024 x 768 projector's edge.
        first, second = QHBoxLayout(), QHBoxLayout()
        for half, widgets in ((first, (self.procedure, self.n)), (second, (self.seed, self.speed))):
            for widget in widgets:
                half.addWidget(widget)
            half.addStretch(1)
            row.addLayout(half)
        self._controls = row
        layout.addLayout(row)

        self.pseudocode = QLabel(objectName="samplePseudocode")
        self.pseudocode.setFont(_font(TEXT_PT))
        self.pseudocode.setTextFormat(Qt.TextFormat.RichText)
        self.pseudocode.setWordWrap(True)
        layout.addWidget(self.pseudocode)
        self.bar = PiBar()
        layout.addWidget(self.bar)
        self.step_text = QLabel(objectName="sampleStepText")
        self.step_text.setFont(_font(TEXT_PT + 1, bold=True))
        self.step_text.setTextFormat(Qt.TextFormat.PlainText)
        # wrapped: "Done: 300 points, n₁ + … + n_K = …" with the last draw's sentence was one
        # line of 1316 px (2200 presenting), and the window wider than a 1280 x 800 screen
        self.step_text.setWordWrap(True)
        layout.addWidget(self.step_text)

        self.view = pg.PlotWidget(viewBox=pg.ViewBox(lockAspect=True, enableMenu=False))
        self.view.setObjectName("sampleView")
        self.view.getPlotItem().showGrid(x=True, y=True, alpha=0.15)
        self.view.getViewBox().setZValue(1)
        self.view.getPlotItem().setLabel("bottom", self.axes[0])
        self.view.getPlotItem().setLabel("left", self.axes[1])
        style_plot(self.view)
        self.cloud = PointCloudItem()
        self.cloud.setZValue(3)
        self.view.addItem(self.cloud)
        self._ellipses = []
        for k in range(self.mixture.n_components):
            line = ellipse(self.mixture.means[k], self.mixture.covariances[k], 2.0)
            colour = tuple(int(c) for c in self.palette[k])
            item = pg.PlotCurveItem(line[:, 0], line[:, 1],
                                    pen=pg.mkPen(colour, width=2.5, style=Qt.PenStyle.DashLine))
            item.setZValue(2)
            self.view.addItem(item)
            self._ellipses.append(item)
        self.means = pg.ScatterPlotItem(pos=self.mixture.means, symbol="+", size=18,
                                        pen=pg.mkPen("k", width=2.5), brush=None)
        self.means.setZValue(4)
        self.view.addItem(self.means)
        self.newest = pg.ScatterPlotItem(symbol="o", size=22, pen=pg.mkPen("k", width=3), brush=None)
        self.newest.setZValue(5)
        self.view.addItem(self.newest)
        self.view.setToolTip(f"Dashed: each component's ellipse at Mahalanobis distance "
                             f"{ellipse_label(2)}: the share of its points inside; "
                             "+: its mean μ_k; ringed: the point whose u the line above reports")
        layout.addWidget(self.view, 1)

        buttons = QHBoxLayout()
        self.play = QPushButton("Pause", objectName="samplePlay")
        self.play.setToolTip("Play / pause the drawing")
        self.next = QPushButton("Next point", objectName="sampleNext")
        self.next.setToolTip("Pause and draw one more point")
        self.restart_button = QPushButton("Restart", objectName="sampleRestart")
        self.restart_button.setToolTip("Start again from no points (same seed: the same draws)")
        self.finish_button = QPushButton("Finish", objectName="sampleFinish")
        self.finish_button.setToolTip("Draw all the remaining points at once")
        self.use = QPushButton("Use these points", objectName="sampleUse")
        self.use.setToolTip("Replace the data with these points (oracle labels and the true mixture "
                            "kept), so EM can be run on them; undoable")
        close = QPushButton("Close", objectName="sampleClose")
        for button in (self.play, self.next, self.restart_button, self.finish_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.use)
        buttons.addWidget(close)
        layout.addLayout(buttons)

        self.procedure.currentIndexChanged.connect(lambda _: self.restart())
        self.n.valueChanged.connect(lambda _: self.restart())
        self.seed.valueChanged.connect(lambda _: self.restart())
        self.play.clicked.connect(self.toggle_play)
        self.next.clicked.connect(self.next_point)
        self.restart_button.clicked.connect(self.restart)
        self.finish_button.clicked.connect(self.finish)
        self.use.clicked.connect(self.use_points)
        close.clicked.connect(self.reject)

    def apply_theme(self, a: Appearance) -> None:
        """The plot, the π bar, the ellipses (the components' colours in the theme), the
        mean crosses and the ring in the theme's colours."""
        theme_plot(self.view, a)
        stacked = a.presenting
        self._controls.setDirection(QBoxLayout.Direction.TopToBottom if stacked
                                    else QBoxLayout.Direction.LeftToRight)
        self._controls.setStretch(0, int(stacked))  # side by side, the second half takes the rest
        self._controls.setStretch(1, 1)
        self.palette = in_theme(self.palette, a.theme)
        for k, item in enumerate(self._ellipses):
            colour = tuple(int(c) for c in self.palette[k])
            set_component_pen(item, colour, 2.5, a.background, Qt.PenStyle.DashLine)
        self.means.setPen(pg.mkPen(a.foreground, width=2.5))
        self.newest.setPen(pg.mkPen(a.foreground, width=3))
        self.bar.appearance = a
        self.bar.palette = in_theme(self.bar.palette, a.theme)
        self.bar.update()
        if len(self._X):
            self._render()

    # -- reading -----------------------------------------------------------------------------
    @property
    def procedure_key(self) -> str:
        return self.procedure.currentData()

    @property
    def total(self) -> int:
        return len(self._X)

    @property
    def count(self) -> int:
        return int(self._progress)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def shown_points(self) -> tuple[np.ndarray, np.ndarray]:
        """The points on screen and the component each came from, in drawing order."""
        return self._shown

    # -- intents -----------------------------------------------------------------------------
    def restart(self) -> None:
        """Draw the whole sample now (same seed, same points), then show none of it yet."""
        n, seed, procedure = self.n.value(), self.seed.value(), self.procedure_key
        self._X, self._labels = sample(self.mixture, n, np.random.default_rng(seed), procedure)
        self._z = hard_resp(self._labels, self.mixture.n_components)
        self._u = (replay_uniforms(self.mixture, n, seed, self._labels)
                   if procedure == "per-point" else None)
        self._targets = component_counts(self.mixture.weights, n) if procedure == "per-component" else None
        self._starts = np.r_[0, np.cumsum(np.bincount(self._labels, minlength=self.mixture.n_components))]
        self.pseudocode.setText(PROCEDURES[procedure][1])
        self.bar.set_mixture(self.mixture.weights, self.palette)
        self._progress = 0.0
        self._frame_everything()
        self._set_playing(True)
        self._render()

    def toggle_play(self) -> None:
        if self.count >= self.total:
            self._progress = 0.0  # play again from the start
        self._set_playing(not self.playing)
        self._render()

    def next_point(self) -> None:
        self._set_playing(False)
        self._progress = float(min(self.count + 1, self.total))
        self._render()

    def finish(self) -> None:
        self._set_playing(False)
        self._progress = float(self.total)
        self._render()

    def use_points(self) -> None:
        X, labels = self.shown_points()
        name = f"Sampled: {PROCEDURES[self.procedure_key][0].lower()}, seed {self.seed.value()}"
        self.window_.editor.replace(X, labels, self.mixture, name, self.axes)
        self.accept()

    # -- animation ---------------------------------------------------------------------------
    def _set_playing(self, on: bool) -> None:
        on = on and self.count < self.total
        if on and not self._timer.isActive():
            self._clock.start()
            self._timer.start()
        elif not on:
            self._timer.stop()
        self.play.setText("Pause" if on else "Play")

    def _tick(self) -> None:
        seconds = self._clock.restart() / 1000.0
        self._progress = min(self._progress + seconds * self.speed.value(), float(self.total))
        if self.count >= self.total:
            self._set_playing(False)
        self._render()

    def _frame_everything(self) -> None:
        """Fix the view on all the points to come and the d = 2 ellipses, so it never jumps."""
        pieces = [ellipse(m, c, 2.0) for m, c in zip(self.mixture.means, self.mixture.covariances,
                                                     strict=True)]
        if self.total:
            pieces.append(self._X)
        xy = np.concatenate(pieces)
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        box = self.view.getViewBox()
        box.setRange(xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=0.05)

    def _render(self) -> None:
        count, total = self.count, self.total
        X, labels = self._X[:count], self._labels[:count]
        self._shown = (X, labels)
        self.cloud.set_data(X, self._z[:count], self.palette, soft=False)
        counts = np.bincount(labels, minlength=self.mixture.n_components)
        drawing = count < total and self._progress > count  # the next point is under way
        i = count if drawing else count - 1  # the point the bar and the text explain
        # The ring marks that point too (while it is under way, where it is about to land):
        # on the newest drawn one, it sat one point behind the u the text reports.
        if 0 <= i < total:
            self.newest.setData(pos=self._X[i:i + 1])
        else:
            self.newest.setData([], [])
        chosen = u = None
        text = "Press Play, or Next point to draw one at a time."
        if 0 <= i < total:
            k = int(self._labels[i])
            stage = (self._progress - count) if drawing else 1.0
            if self._u is None or stage >= CHOOSE_AT:
                chosen = k
            if self.procedure_key == "per-point":
                u = None if self._u is None else float(self._u[i])
                text = self._per_point_text(i, k, u, stage, drawing)
            else:
                done = i - self._starts[k] + (0 if drawing else 1)
                text = f"k = {k + 1}: {done} of {self._targets[k]}"
                text += (f"   (n{sub(k)} = round(N·π{sub(k)}) = round({self.n.value()} × "
                         f"{self.mixture.weights[k]:.3f}))")
        if count == total and total:
            parts = " + ".join(str(c) for c in counts)
            text = f"Done: {total} points, n₁ + … + n_K = {parts}.   " + text
        self.step_text.setText(text)
        self.bar.set_draw(u, chosen, counts, self._targets)
        self.next.setEnabled(count < total)
        self.finish_button.setEnabled(count < total)
        self.use.setEnabled(count == total and total > 0)

    def _per_point_text(self, i: int, k: int, u: float | None, stage: float, drawing: bool) -> str:
        text = f"point {i + 1} of {self.total}: "
        text += "u ~ U(0,1)" if u is None else f"u = {u:.3f}"
        if stage < CHOOSE_AT and u is not None:
            return text + " …"
        starts, ends = cumulative_segments(self.mixture.weights)
        text += f" → k = {k + 1}  ({fmt(starts[k], 3)} ≤ u < {fmt(ends[k], 3)})"
        if drawing:
            return text + f" → x ~ N(μ{sub(k)}, Σ{sub(k)}) …"
        x = self._X[i]
        return text + f" → x = ({fmt(x[0])}, {fmt(x[1])}) ~ N(μ{sub(k)}, Σ{sub(k)})"

    def done(self, result: int) -> None:
        self._set_playing(False)
        super().done(result)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self._set_playing(False)
        super().hideEvent(event)


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


# -- the feature ------------------------------------------------------------------------------
class SampleMode:
    """``action`` (Ctrl+Shift+G, made at start by emviz.gui.teaching) calls ``open``."""

    def __init__(self, window, action: QAction) -> None:
        self.window = window
        self.dialog: SampleDialog | None = None
        self.action = action

    def open(self) -> SampleDialog:
        """A fresh dialog on the current data's generating mixture (or the default one)."""
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        m = self.window.model
        palette = None
        if m.true_mixture is not None and m.true_mixture.n_features == 2:
            mixture, axes = m.true_mixture, m.axes
            palette = m.identity.oracle_palette(mixture.n_components)
            source = (f"Sampling from the mixture that generated “{m.dataset_name}” "
                      f"(K = {mixture.n_components}).")
            n = len(m.points) or 300
        else:
            mixture, axes = DEFAULT_MIXTURE, ("x₁", "x₂")
            name = m.dataset_name or "these data"
            source = (f"No generating mixture is known for “{name}”: sampling from a default "
                      "mixture, K = 3, π = (0.5, 0.3, 0.2).")
            n = 300
        self.dialog = SampleDialog(self.window, mixture, source, min(n, 200_000), m.settings.seed, axes,
                                   palette)
        self.dialog.show()
        return self.dialog


def install(window, action: QAction) -> Feature:
    mode = SampleMode(window, action)
    return Feature("sample_mode", mode, actions=(action,))
