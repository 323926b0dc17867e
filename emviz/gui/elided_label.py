"""A one-line label that elides its text to its width ("N = 272 · iteration 3, after M-step ·
ln p = …") and carries the whole text in its tooltip, instead of being cut at the right."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QWidget


class ElidedLabel(QLabel):
    """``set_full_text(text)``; ``full_text`` is what the label would show with room enough."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        self.shorter: tuple[str, ...] = ()

    def set_full_text(self, text: str, shorter: tuple[str, ...] = ()) -> None:
        """Show ``text``, or the first of ``shorter`` (the same in fewer words) that fits
        whole, or else ``text`` elided."""
        self.full_text, self.shorter = text, tuple(shorter)
        self._elide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # Any width will do (it elides): a long line must not widen the window.
        return QSize(self.fontMetrics().horizontalAdvance("…") * 4, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.full_text) + margins.left() + margins.right()
        return QSize(width + 2 * self.margin(), super().sizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width() - 2 * self.margin()
        metrics = self.fontMetrics()
        fitting = (t for t in (self.full_text, *self.shorter) if metrics.horizontalAdvance(t) <= room)
        shown = next(fitting, None) or metrics.elidedText(
            self.full_text, Qt.TextElideMode.ElideRight, max(room, 0))
        if shown != self.text():
            self.setText(shown)
        self.setToolTip(self.full_text if shown != self.full_text else "")
