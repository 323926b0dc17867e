"""Generate…: draw N points from a mixture the user sets, by either of the lecture's two
generating procedures."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
)

from ..core import Dataset, generate
from ..session.model import Settings
from .files import ok_cancel

PROCEDURES = {
    "per-point": "Procedure 1: for each point, u ~ U(0,1) picks k by the cumulative π",
    "per-component": "Procedure 2: n_k = round(N·π_k) points from each component",
}


class GenerateDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("generateDialog")
        self.setWindowTitle("Generate points from a Gaussian mixture")
        form = QFormLayout(self)
        self.n = QSpinBox(objectName="generateN")
        self.n.setRange(1, 2_000_000)
        self.n.setValue(500)
        self.n.setSingleStep(100)
        self.k_true = QSpinBox(objectName="generateK")
        self.k_true.setRange(1, 20)
        self.k_true.setValue(3)
        self.separation = QDoubleSpinBox(objectName="generateSeparation")
        self.separation.setRange(0.0, 20.0)
        self.separation.setSingleStep(0.5)
        self.separation.setValue(3.0)
        self.separation.setToolTip("Distance of the component means from the centre")
        self.seed = QSpinBox(objectName="generateSeed")
        self.seed.setRange(0, 2**31 - 1)
        self.procedure = QComboBox(objectName="generateProcedure")
        for key, text in PROCEDURES.items():
            self.procedure.addItem(text, key)
        form.addRow("Points N", self.n)
        form.addRow("Components K_true", self.k_true)
        form.addRow("Separation", self.separation)
        form.addRow("Seed", self.seed)
        form.addRow("Procedure", self.procedure)
        note = QLabel("Procedure 2 can give a total slightly different from N (rounding).")
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(ok_cancel(self))

    def dataset(self) -> Dataset:
        """The data the current choices describe (numpy work: fast for any N it allows)."""
        return generate(self.k_true.value(), self.n.value(), self.separation.value(),
                        self.seed.value(), self.procedure.currentData())


def generated_settings(settings: Settings, data: Dataset) -> Settings:
    """``settings`` with K = the number of components ``data`` was drawn from (K_true), so a
    student's first Play fits the blobs on screen (at K = 2, three blobs end under two
    ellipses, one across two of them, and EM looks as if it failed). K ≤ N, as always."""
    k_true = len(data.true_mixture.weights) if data.true_mixture is not None else settings.k
    return dataclasses.replace(settings, k=max(1, min(k_true, len(data.X))))


def generated_status(data: Dataset, settings: Settings) -> str:
    """The status line after Generate: what was drawn and the K it set."""
    k_true = len(data.true_mixture.weights) if data.true_mixture is not None else settings.k
    return (f"Generated {len(data.X):,} points from {k_true} components: "
            f"K = {settings.k} to match (change it in the panel to see EM with another K)")
