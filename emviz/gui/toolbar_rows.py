"""The window's toolbars in rows that fit its width. A toolbar wider than its row hides its
last actions behind an extension button ("»"): at 1024 x 768 the Run toolbar needed 1068 px
and presenting at 1280 x 800 1628 px, so Undo, Redo, Export image and Present were behind
it, where a class never sees them and a teacher must hunt for them.

The Run toolbar is three (run, history, edit); ``ToolbarRows(window)`` puts the toolbars of
the top area in as few rows as their widths allow, in their order, with a break before each
toolbar that does not fit the row it would join, again whenever the window's width, its
font or the toolbars shown change. Presenting (``packed``), the rows are fixed, one per kind
(run and history | edit and teach | k-means): at 1280 x 800 a fourth row of 43 px left the
lesson fewer than 8 lines; emviz.gui.present_toolbar makes each row fit its width instead (the
"More" menu, short labels where the whole ones do not fit). A window narrower than its
toolbars' whole rows need is packed so too whenever that takes a row less: at 1024 x 768 in
k-means mode four rows (132 px) and the lesson's band made the window 829 px high, taller
than its screen; packed, three."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QMainWindow, QToolBar

from .present_toolbar import PresentingToolbars

#: The toolbars that start a row while ``packed``: Undo (edit) beside the teaching actions.
PACKED_BREAKS = frozenset({"editToolbar", "kmeansToolbar"})


class ToolbarRows(QObject):
    """Keeps the top toolbars of ``window`` in rows (see the module's docstring)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._arranging = False
        self._watched: set[int] = set()
        self._presenting = False
        #: The rows are fixed, one per kind, and each fitted to the width by ``presenting``
        #: (the "More" menu, short labels): while presenting (each row is 43 px of the 800 a
        #: lesson needs), and in a window so narrow that the toolbars' own rows would be more.
        self.packed = False
        teach = window.findChild(QToolBar, "teachToolbar")
        self.presenting = PresentingToolbars(window, teach) if teach is not None else None
        window.installEventFilter(self)

    def set_packed(self, on: bool) -> None:
        """Presenting (``on``): fixed rows, the rarely used actions in the "More" menu and
        short labels where a row needs them; else as the window's width asks (``arrange``)."""
        self._presenting = on
        self._pack(on)
        self.arrange()

    def _pack(self, on: bool) -> None:
        if on == self.packed:
            return
        self.packed = on
        if self.presenting is not None:
            if on:
                self.presenting.gather()
            else:
                self.presenting.scatter()
                self.presenting.restore_labels()

    def rows(self, packed: bool | None = None) -> list[list[QToolBar]]:
        """The shown toolbars, row by row, as they should be for the window's width: packed
        (one row per kind, however wide) or each toolbar in its whole width after the last
        as long as they fit (``packed``: as they are now)."""
        packed = self.packed if packed is None else packed
        width = self._window.width()
        rows: list[list[QToolBar]] = []
        used = 0
        for bar in self._ordered():
            if not bar.isVisibleTo(self._window):
                continue
            need = self.presenting.whole_width(bar) if self.presenting else bar.sizeHint().width()
            if packed and rows:  # a row for each kind, however wide
                if bar.objectName() in PACKED_BREAKS:
                    rows.append([bar])
                else:
                    rows[-1].append(bar)
            elif rows and used + need <= width:
                rows[-1].append(bar)
                used += need
            else:
                rows.append([bar])
                used = need
        return rows

    def _ordered(self) -> list[QToolBar]:
        # creation order: the order they were added to the area (run, history, edit, teach, ...)
        w = self._window
        return [t for t in w.findChildren(QToolBar)
                if t.parentWidget() is w and w.toolBarArea(t) == Qt.ToolBarArea.TopToolBarArea]

    def arrange(self) -> None:
        """Set the breaks between rows; change nothing if they are already so."""
        if self._arranging:
            return
        self._arranging = True
        try:
            w = self._window
            for bar in self._ordered():
                if id(bar) not in self._watched:
                    self._watched.add(id(bar))
                    bar.visibilityChanged.connect(lambda _on: self.arrange())
            if not self._presenting:  # packed where that takes a row less (1024 px: 4 rows, 3)
                self._pack(len(self.rows(packed=False)) > len(self.rows(packed=True)))
            rows = self.rows()
            if self.packed and self.presenting is not None:
                self.presenting.fit_labels(rows, w.width())
            starts = {id(row[0]) for row in rows[1:]}
            for bar in self._ordered():
                if not bar.isVisibleTo(w):
                    continue
                wanted = id(bar) in starts
                if w.toolBarBreak(bar) != wanted:
                    if wanted:
                        w.insertToolBarBreak(bar)
                    else:
                        w.removeToolBarBreak(bar)
        finally:
            self._arranging = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self._window and event.type() in (
                QEvent.Type.Resize, QEvent.Type.FontChange, QEvent.Type.StyleChange,
                QEvent.Type.Show, QEvent.Type.LayoutRequest):  # (a toolbar shown or hidden)
            self.arrange()
        return False
