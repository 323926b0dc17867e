"""The control panel: data, model settings and run speed. It reflects the model with
``show_state`` and reports what the user asks for; the main window wires it up."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core import BUILTIN_DATASETS, COVARIANCE_TYPES
from ..look.appearance import Appearance
from ..look.geometry import ellipse_label
from ..session.model import K_MAX, Settings, Workbench

INIT_LABELS = {
    "kmeans": "k-means clusters",
    "kmeans++": "k-means++ seeds",
    "random-points": "random data points",
    "random-resp": "random responsibilities",
}
TRUE_MIXTURE_TIP = ("Overlay the mixture that generated the data: each component's ellipse at "
                    f"Mahalanobis distance {ellipse_label(2)}, the share of its points inside")
REG_COVAR_CHOICES = (1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1)
TOL_CHOICES = (1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 0.0)
#: Controls a presenter does not need in front of a class (presentation mode hides their
#: rows): numerical safeguards and stopping rules, the spray brush, and the covariance type
#: (the lecture's model has full Σ_k). Dataset, K, start, seed, speed and the colour options
#: stay: they are what a demo changes.
ADVANCED = ("brushSpinBox", "covarianceCombo", "regCovarCombo", "tolCombo", "maxIterSpinBox")


#: Presenting, the check boxes' shorter labels (the whole ones in their tooltips): at 18 pt
#: "Show true mixture (dashed)" made the control panel 435 px wide, and with it the window
#: wider than a 1024 x 768 screen in the k-means split view. "Soft colours" stays: the lesson
#: names it.
PRESENT_LABELS = {"softColorsCheck": "Soft colours (r_nk)", "trueMixtureCheck": "True mixture (dashed)"}


#: Characters a choice box is sized for: the panel stays narrow and long entries are elided.
COMBO_CHARS = 13
#: Presenting, a choice box is at most this share of the screen's width.
PRESENT_COMBO_SHARE = 0.2
#: Marks a widget that elides its text and names the whole of it in its tooltip.
ELIDES = "emvizElides"


class ElidingComboBox(QComboBox):
    """A choice box that draws a choice longer than its field elided ("Old Faithful (sta…"),
    with the whole choice first in its tooltip, instead of cutting it off."""

    def __init__(self, tip: str, parent=None) -> None:
        super().__init__(parent)
        self._tip = tip
        self.setProperty(ELIDES, True)
        self.setToolTip(tip)
        self.currentIndexChanged.connect(lambda _: self._update_tip())

    def _field(self, option: QStyleOptionComboBox):
        return self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField, self)

    def _update_tip(self) -> None:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        text = self.currentText()
        cut = self.fontMetrics().horizontalAdvance(text) > self._field(option).width()
        self.setToolTip(f"{text}\n\n{self._tip}" if cut and text else self._tip)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """Room for minimumContentsLength characters in the font it has now (see _combo_size)."""
        return _combo_size(self, self.minimumContentsLength() * self.fontMetrics().horizontalAdvance("X"))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return self.sizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._update_tip()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._update_tip()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, self._field(option).width())
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)
        self._update_tip()  # also after a choice made with its signals blocked


def _combo(name: str, items: list[tuple[str, object]], tip: str) -> QComboBox:
    combo = ElidingComboBox(tip)
    combo.setObjectName(name)
    # Shrink to the panel's width instead of widening it to the longest entry.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(COMBO_CHARS)
    for text, data in items:
        combo.addItem(text, data)
    return combo


def _combo_size(combo: QComboBox, text_width: int) -> QSize:
    """The size of ``combo`` with a field ``text_width`` px wide, from its style and its font
    now (as Qt sizes it, plus the room AdjustToMinimumContentsLengthWithIcon keeps for an
    icon). Not Qt's own size hints: it caches them and a font change does not clear the
    minimum's, so after presentation mode's font (or back) a box kept the other font's size in
    some runs and not in others: the control panel 45 px wider or narrower while presenting,
    and back in the window boxes running past the panel's right edge."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    metrics = combo.fontMetrics()
    icon = combo.iconSize()
    contents = QSize(text_width + icon.width() + 4, max(metrics.height(), 14, icon.height()) + 2)
    return combo.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, contents, combo)


def _select(combo: QComboBox, data: object) -> None:
    i = combo.findData(data)
    if i >= 0 and i != combo.currentIndex():
        combo.blockSignals(True)
        combo.setCurrentIndex(i)
        combo.blockSignals(False)


class ControlPanel(QWidget):
    settings_requested = Signal(object)  # Settings
    dataset_requested = Signal(str)  # a key of BUILTIN_DATASETS
    speed_changed = Signal(float)  # steps per second, 0: as fast as possible
    option_changed = Signal(str, bool)  # ViewOptions field, value
    brush_changed = Signal(float)  # spray radius in pixels

    def __init__(self, actions: dict[str, QAction], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("controlPanel")
        layout = QVBoxLayout(self)
        layout.addWidget(self._data_group(actions))
        layout.addWidget(self._model_group())
        layout.addWidget(self._run_group())
        layout.addStretch(1)

    def apply_appearance(self, appearance: Appearance) -> None:
        """Presentation mode hides the ADVANCED controls' rows (label and field), gives the
        check boxes their PRESENT_LABELS, and shows
        the whole name of each choice (a class reads "Old Faithful (standardised)", not
        "Old Faithful (standard") where the screen has the room: a box takes at most
        PRESENT_COMBO_SHARE of the screen's width, elided past it (at 1024 x 768 the whole
        names made the panel 512 px wide and the window 42 px wider than its screen)."""
        for box in (self.soft, self.true_mixture):
            whole = box.property("emvizWholeLabel") or box.text()
            box.setProperty("emvizWholeLabel", whole)
            box.setText(PRESENT_LABELS[box.objectName()] if appearance.presenting else whole)
        for name in ADVANCED:
            widget = self.findChild(QWidget, name)
            form = widget.parentWidget().layout()
            if isinstance(form, QFormLayout):
                form.setRowVisible(widget, not appearance.presenting)
        for combo in self.findChildren(QComboBox):
            if not appearance.presenting:
                combo.setMinimumWidth(0)
                continue
            metrics = combo.fontMetrics()  # the presentation font: apply_appearance runs after it
            longest = max((metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())),
                          default=0)
            room = int(PRESENT_COMBO_SHARE * combo.screen().availableGeometry().width())
            combo.setMinimumWidth(min(_combo_size(combo, longest).width(), room))

    # -- building ------------------------------------------------------------------------
    def _data_group(self, actions: dict[str, QAction]) -> QGroupBox:
        box = QGroupBox("Data")
        form = QFormLayout(box)
        self.dataset = _combo(
            "datasetCombo", [(label, key) for key, (label, _) in BUILTIN_DATASETS.items()],
            "Choose a dataset (replaces the points; undo with Ctrl+Z)",
        )
        self.dataset.activated.connect(lambda _: self.dataset_requested.emit(self.dataset.currentData()))
        form.addRow("Dataset", self.dataset)
        buttons = QGridLayout()
        for column, name in enumerate(("actionGenerate", "actionClearPoints")):
            button = QToolButton()
            button.setDefaultAction(actions[name])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button, 0, column)
        form.addRow(buttons)
        self.brush = QSpinBox()
        self.brush.setObjectName("brushSpinBox")
        self.brush.setRange(2, 100)
        self.brush.setValue(18)
        self.brush.setSuffix(" px")
        self.brush.setToolTip("Radius of the spray brush (drag on the points view)")
        self.brush.valueChanged.connect(lambda v: self.brush_changed.emit(float(v)))
        form.addRow("Spray radius", self.brush)
        self.soft = QCheckBox("Soft colours (blend by r_nk)")
        self.soft.setObjectName("softColorsCheck")
        self.soft.setChecked(True)
        self.soft.setToolTip("On: each point mixes the component colours by its responsibilities "
                             "r_nk.\nOff: each point takes the colour of its largest r_nk (hard).")
        self.soft.toggled.connect(lambda on: self.option_changed.emit("soft_colors", on))
        form.addRow(self.soft)
        self.true_mixture = QCheckBox("Show true mixture (dashed)")
        self.true_mixture.setObjectName("trueMixtureCheck")
        self.true_mixture.setToolTip(TRUE_MIXTURE_TIP)
        self.true_mixture.toggled.connect(lambda on: self.option_changed.emit("show_true_mixture", on))
        form.addRow(self.true_mixture)
        return box

    def _model_group(self) -> QGroupBox:
        box = QGroupBox("Model")
        form = QFormLayout(box)
        self.k = QSpinBox()
        self.k.setObjectName("kSpinBox")
        self.k.setRange(1, K_MAX)
        self.k.setToolTip("K, the number of mixture components (1 to 20, at most N)")
        self.k.valueChanged.connect(self._emit_settings)
        form.addRow("K", self.k)
        self.k_note = QLabel()
        self.k_note.setObjectName("kNote")
        self.k_note.setWordWrap(True)
        self.k_note.setVisible(False)
        form.addRow(self.k_note)
        self.init = _combo("initCombo", [(v, k) for k, v in INIT_LABELS.items()],
                           "How θ₀ is chosen when EM is reset (R)")
        self.init.activated.connect(self._emit_settings)
        form.addRow("Start from", self.init)
        self.covariance = _combo("covarianceCombo", [(c, c) for c in COVARIANCE_TYPES],
                                 "Shape of Σ_k: full, diagonal, spherical (σ²I) or tied (shared)")
        self.covariance.activated.connect(self._emit_settings)
        form.addRow("Covariance", self.covariance)
        self.reg = _combo("regCovarCombo", [(f"{v:g}", v) for v in REG_COVAR_CHOICES],
                          "reg_covar: added to the diagonal of every Σ_k so none collapses")
        self.reg.activated.connect(self._emit_settings)
        form.addRow("reg_covar", self.reg)
        self.seed = QSpinBox()
        self.seed.setObjectName("seedSpinBox")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Random seed of the initialisation: the same seed repeats a demo")
        self.seed.valueChanged.connect(self._emit_settings)
        form.addRow("Seed", self.seed)
        return box

    def _run_group(self) -> QGroupBox:
        box = QGroupBox("Run")
        form = QFormLayout(box)
        self.speed = QSpinBox()
        self.speed.setObjectName("speedSpinBox")
        self.speed.setRange(0, 60)
        self.speed.setValue(4)
        self.speed.setSpecialValueText("as fast as possible")
        self.speed.setSuffix(" steps/s")
        self.speed.setToolTip("Play speed in half-steps (E or M) per second; 0: as fast as "
                              "the computer can")
        self.speed.valueChanged.connect(lambda v: self.speed_changed.emit(float(v)))
        form.addRow("Speed", self.speed)
        self.tol = _combo("tolCombo", [(f"{v:g}" if v else "0 (never)", v) for v in TOL_CHOICES],
                          "Stop when |Δ ln p(X | θ)| / N falls below this")
        self.tol.activated.connect(self._emit_settings)
        form.addRow("Tolerance", self.tol)
        self.max_iter = QSpinBox()
        self.max_iter.setObjectName("maxIterSpinBox")
        self.max_iter.setRange(1, 10_000)
        self.max_iter.setToolTip("Stop after this many iterations (E + M)")
        self.max_iter.valueChanged.connect(self._emit_settings)
        form.addRow("Max iterations", self.max_iter)
        return box

    # -- model -> widgets ----------------------------------------------------------------
    def show_state(self, model: Workbench) -> None:
        s, n = model.settings, len(model.points)
        widgets = (self.k, self.seed, self.max_iter)
        for w in widgets:
            w.blockSignals(True)
        self.k.setMaximum(max(1, min(K_MAX, n)))
        self.k.setValue(s.k)
        self.seed.setValue(s.seed)
        self.max_iter.setValue(s.max_iter)
        for w in widgets:
            w.blockSignals(False)
        clamped = 0 < n < K_MAX
        self.k_note.setVisible(clamped)
        self.k_note.setText(f"K ≤ {n}: there are only {n} points" if clamped else "")
        _select(self.init, s.init_method)
        _select(self.covariance, s.covariance_type)
        _select(self.reg, s.reg_covar)
        _select(self.tol, s.tol)
        builtin = [key for key, (label, _) in BUILTIN_DATASETS.items() if label == model.dataset_name]
        if builtin:
            _select(self.dataset, builtin[0])
        elif self.dataset.currentIndex() != -1 or self.dataset.placeholderText() != model.dataset_name:
            # Own data (a file, generated, pasted, clicked): name them, not the last built-in.
            self.dataset.blockSignals(True)
            self.dataset.setPlaceholderText(model.dataset_name or "your points")
            self.dataset.setCurrentIndex(-1)
            self.dataset.blockSignals(False)
        has_truth = model.true_mixture is not None
        self.true_mixture.setEnabled(has_truth)
        self.true_mixture.setToolTip(
            TRUE_MIXTURE_TIP if has_truth
            else "Only generated data have a true mixture")

    def _emit_settings(self, *_: object) -> None:
        try:
            settings = Settings(
                k=self.k.value(),
                init_method=self.init.currentData(),
                covariance_type=self.covariance.currentData(),
                reg_covar=self.reg.currentData(),
                seed=self.seed.value(),
                tol=self.tol.currentData(),
                max_iter=self.max_iter.value(),
            )
        except ValueError:
            return  # a combo mid-rebuild; the next signal carries a complete choice
        self.settings_requested.emit(settings)

