"""The E-step and M-step as the lecture writes them, the half-step that just ran highlighted,
and for one chosen component the numbers that went into them."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...look.appearance import Appearance
from ...look.colors import component_colors, hex_color
from ...session.model import Workbench
from ..features import Feature
from ._shared import FORMULA_PT, TEXT_PT, IdentityCache, current_state, font, num, q_mixture

_N = "<span style='font-family: serif; font-style: italic'>𝒩</span>"


def _fraction(numerator: str, denominator: str) -> str:
    return ("<table cellspacing='0' cellpadding='0' style='display: inline'>"
            f"<tr><td align='center'>{numerator}</td></tr>"
            "<tr><td style='border-top: 1.5px solid black' align='center'>"
            f"{denominator}</td></tr></table>")


E_STEP = (
    "<b>E-step</b>: ownership weights"
    "<table cellspacing='0' cellpadding='2'><tr>"
    "<td valign='middle'>r<sub>nk</sub> = </td>"
    "<td>" + _fraction(f"π<sub>k</sub> {_N}(x<sub>n</sub> | μ<sub>k</sub>, Σ<sub>k</sub>)",
                       f"Σ<sub>j</sub> π<sub>j</sub> {_N}(x<sub>n</sub> | μ<sub>j</sub>, Σ<sub>j</sub>)")
    + "</td></tr></table>"
)

M_STEP = (
    "<b>M-step</b>: new θ from r<sub>nk</sub>"
    "<table cellspacing='0' cellpadding='1'>"
    "<tr><td>N<sub>k</sub></td><td>= Σ<sub>n</sub> r<sub>nk</sub></td></tr>"
    "<tr><td>μ<sub>k</sub></td><td>= (1/N<sub>k</sub>) Σ<sub>n</sub> r<sub>nk</sub> x<sub>n</sub></td></tr>"
    "<tr><td>Σ<sub>k</sub></td><td>= (1/N<sub>k</sub>) Σ<sub>n</sub> r<sub>nk</sub>"
    " (x<sub>n</sub> − μ<sub>k</sub>)(x<sub>n</sub> − μ<sub>k</sub>)<sup>T</sup></td></tr>"
    "<tr><td>π<sub>k</sub></td><td>= N<sub>k</sub> / N</td></tr>"
    "</table>"
)

def just_ran(a: Appearance) -> str:
    """The "◀ just ran" mark, in the text colour of the amber box it is in (black on the
    light theme's amber, 14:1; white on the dark theme's, 9.2:1)."""
    return f"&nbsp;&nbsp;<span style='color: {hex_color(a.highlight_text)}'>◀ just ran</span>"


def box_style(a: Appearance, on: bool) -> str:
    """An equation's box: the theme's amber with a thick frame for the half-step that just
    ran, the theme's box colour with a thin one for the other; text in the colour that
    reads on it."""
    if on:
        return (f"QLabel {{ background: {hex_color(a.highlight)}; color: {hex_color(a.highlight_text)};"
                f" border: 3px solid {hex_color(a.foreground)}; border-radius: 6px; }}")
    return (f"QLabel {{ background: {hex_color(a.box)}; color: {hex_color(a.foreground)};"
            f" border: 1px solid {hex_color(a.border)}; border-radius: 6px; }}")


def _matrix(m: np.ndarray) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td align='right'>&nbsp;{num(x)}&nbsp;</td>" for x in row) + "</tr>" for row in m)
    return f"<table cellspacing='0' cellpadding='0' style='display: inline'>{rows}</table>"


def _vector(v: np.ndarray) -> str:
    return "(" + ", ".join(num(x) for x in v) + ")"


class EquationsPanel(QScrollArea):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("equationsPanel")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.highlighted: str | None = None  # "E", "M" or None (before the first E-step)
        self.on_component_chosen = lambda k: None  # set by install: model.select_component
        self._nk = IdentityCache(64)  # N_k per q (keyed by the θ that gave it)
        inner = QWidget()
        inner.setObjectName("equationsInner")
        self.e_label = self._box("equationsE", E_STEP)
        self.m_label = self._box("equationsM", M_STEP)
        self.component = QComboBox()
        self.component.setObjectName("componentCombo")
        self.component.setFont(font(TEXT_PT))
        self.component.setToolTip("The component whose numbers are shown below")
        self.component.activated.connect(lambda i: self.on_component_chosen(int(i)))
        self.numbers = QLabel()
        self.numbers.setObjectName("equationsNumbers")
        self.numbers.setFont(font(TEXT_PT))
        self.numbers.setTextFormat(Qt.TextFormat.RichText)
        self.numbers.setWordWrap(True)
        self.numbers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        chooser = QHBoxLayout()
        title = QLabel("Numbers of")
        title.setFont(font(TEXT_PT, bold=True))
        chooser.addWidget(title)
        chooser.addWidget(self.component)
        self.when = QLabel()
        self.when.setObjectName("equationsWhen")
        self.when.setFont(font(TEXT_PT))
        # it wraps: on one line it held the page wider than the tab presenting at 1280 x 800,
        # and the boxes above ran off its right edge ("M-step ◀ just ran: new θ fro")
        self.when.setWordWrap(True)
        self.when.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        chooser.addWidget(self.when, 1)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(5)
        layout.addWidget(self.e_label)
        layout.addWidget(self.m_label)
        layout.addLayout(chooser)
        layout.addWidget(self.numbers)
        layout.addStretch(1)
        self.setWidget(inner)
        self._shown: tuple | None = None
        self._appearance = Appearance()

    def apply_theme(self, a: Appearance) -> None:
        self._appearance = a
        self._shown = None  # the boxes are drawn again in the new colours
        self._swatches = None

    @staticmethod
    def _box(name: str, html: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setFont(font(FORMULA_PT - 1))
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setMargin(4)
        label.setProperty("formula", html)
        return label

    # -- drawing -----------------------------------------------------------------------
    def show_state(self, model: Workbench) -> None:
        state = current_state(model)
        if self._shown is not None and self._shown[0] is state and self._shown[1] == model.selected_component:
            return  # every frame calls this; the text only changes with the state
        self._shown = (state, model.selected_component)
        phase = None if state is None or state.phase == "init" else state.phase
        self.highlighted = phase
        for label, name in ((self.e_label, "E"), (self.m_label, "M")):
            on = phase == name
            a = self._appearance
            label.setText(label.property("formula").replace("</b>", "</b>" + just_ran(a), 1) if on
                          else label.property("formula"))
            label.setStyleSheet(box_style(a, on))
        if state is None:
            self.component.clear()
            self.when.setText("")
            self.numbers.setText("No run yet.")
            return
        self.when.setText("θ₀" if state.phase == "init" else "θ set by hand" if state.phase == "hand"
                          else f"after {state.phase}-step {state.iteration}")
        mixture = state.mixture
        k_count = mixture.n_components
        self._sync_components(k_count, model.identity.em_palette(k_count))
        k = min(max(model.selected_component, 0), k_count - 1)
        self.component.setCurrentIndex(k)
        self.numbers.setText(self._numbers_html(model, state, k))

    def _sync_components(self, k_count: int, palette: np.ndarray | None = None) -> None:
        palette = component_colors(k_count) if palette is None else palette
        if self.component.count() == k_count and np.array_equal(palette, getattr(self, "_swatches", None)):
            return
        self._swatches = np.array(palette)
        self.component.blockSignals(True)
        self.component.clear()
        for j, rgb in enumerate(palette):
            swatch = QPixmap(16, 16)
            swatch.fill(QColor(*(int(c) for c in rgb)))
            self.component.addItem(QIcon(swatch), f"k = {j + 1}")
        self.component.blockSignals(False)

    def _numbers_html(self, model: Workbench, state, k: int) -> str:
        mixture = state.mixture
        n = len(model.points)
        pi, mu, sigma = mixture.weights[k], mixture.means[k], mixture.covariances[k]
        nk = None
        if state.component_mass is not None:  # N_k = Σ_n r_nk, as the E-step summed it
            nk = float(state.component_mass[k])
        elif state.resp is not None:
            self._nk.bind(model.points)
            nk = self._nk.get((q_mixture(model),), lambda: state.resp.sum(axis=0))[k]
        if nk is not None:
            nk_text = f"N<sub>k</sub> = {num(nk, 2)}"
        elif state.phase == "init":
            nk_text = "N<sub>k</sub>: no r<sub>nk</sub> yet"
        else:
            nk_text = "N<sub>k</sub>: recomputing r<sub>nk</sub>…"
        if state.phase == "M" and nk is not None:
            pi_text = f"π<sub>k</sub> = {num(nk, 2)} / {n} = {num(pi)}"
        else:
            pi_text = f"π<sub>k</sub> = {num(pi)}"
        table = (
            "<table cellspacing='0' cellpadding='1'>"
            f"<tr><td colspan='2'>{nk_text}</td></tr>"
            f"<tr><td colspan='2'>{pi_text}</td></tr>"
            f"<tr><td colspan='2'>μ<sub>k</sub> = {_vector(mu)}</td></tr>"
            f"<tr><td valign='middle'>Σ<sub>k</sub> =&nbsp;</td><td>{_matrix(sigma)}</td></tr>"
            "</table>"
        )
        note = {
            "init": "θ₀: the first E-step computes r<sub>nk</sub> from it.",
            "E": "This θ gave r<sub>nk</sub>; N<sub>k</sub> is the mass the M-step will use.",
            "M": "π<sub>k</sub>, μ<sub>k</sub>, Σ<sub>k</sub>: just computed by the M-step.",
            "hand": hand_note(state),
        }[state.phase]
        return f"{table}<i>{note}</i>"


def hand_note(state) -> str:
    """What a θ set by hand means for the bound, with its numbers."""
    if state.resp is None:
        return ("θ set by hand, before any E-step: ln p(X | θ) = "
                f"{num(state.log_likelihood)}; the first E-step computes r<sub>nk</sub> from it.")
    return ("θ set by hand, r<sub>nk</sub> held from the last E-step: "
            f"ln p = {num(state.log_likelihood)}, L(q, θ) = {num(state.lower_bound)}, "
            f"KL = ln p − L = {num(max(state.gap, 0.0))}. "
            "The next E-step recomputes r<sub>nk</sub> from this θ and closes the gap.")


def install(window) -> Feature:
    view = EquationsPanel()
    view.on_component_chosen = window.model.select_component
    window.add_tab(view, "Equations")
    window.add_view(view, {"points", "history", "index", "selection", "identity"})
    return Feature("equations", view, views=(view,))
