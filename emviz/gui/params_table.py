"""The parameter table: π_k, μ_k, Σ_k and N_k per component with its colour swatch.

A class cannot scroll: every column is as wide as its contents (μ_k a column, Σ_k its two
rows, numbers right-aligned in figure spaces) and the table asks its splitters for the width
its cells need (``minimumSizeHint``), in the window's font and while presenting; its height,
every row whole, is given by split_room.TableRoom (``rows_height``, ``all_rows_height``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from ..look.appearance import contrast_ratio
from ..look.readouts import format_column, format_matrix_compact
from ..session.model import Workbench

HEADERS = ("k", "π_k", "μ_k", "Σ_k", "N_k")
#: Rows the table claims room for at least: the lessons' largest K (chapter 11's collapse, 4
#: components; with 3 its fourth row scrolled at 1024 x 768 and 1280 x 800, and the "z beside
#: r" data's while presenting). More rows get room where the column has it
#: (split_room.TableRoom), else they scroll (vertically only).
ROOM_FOR_ROWS = 4


#: The π_k column: the one a user can type into (θ set by hand).
WEIGHT_COLUMN = 1


class ParamsTable(QTableWidget):
    #: (k, text): the user typed a new π_k (validated by whoever sets θ, not here).
    weight_edited = Signal(int, str)

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("paramsTable")
        self.setHorizontalHeaderLabels(HEADERS)
        triggers = QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed)
        self._filling = False  # show_state writes cells: not an edit
        self.itemChanged.connect(self._on_item_change)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.setToolTip("Parameters θ after the current half-step; N_k = Σ_n r_nk\n"
                        "Double-click π_k to type a new one (the others keep their proportions)")
        self._mass: tuple[object, object] = (None, None)  # (resp, N_k): an M-state shares its q

    def _component_mass(self, resp):
        if self._mass[0] is not resp:
            self._mass = (resp, resp.sum(axis=0))
        return self._mass[1]

    def show_state(self, model: Workbench) -> None:
        state = model.current
        if state is None:
            self.setRowCount(0)
            self.updateGeometry()
            return
        mixture = state.mixture
        k = mixture.n_components
        # in 1-D Σ_k is the variance σ_k², named as the histogram's curves name it
        sigma = "σ_k²" if mixture.n_features == 1 else HEADERS[3]
        if self.horizontalHeaderItem(3).text() != sigma:
            self.horizontalHeaderItem(3).setText(sigma)
        nk = state.component_mass
        if nk is None and state.resp is not None:
            nk = self._component_mass(state.resp)
        self._filling = True
        self.setRowCount(k)
        for j, rgb in enumerate(model.identity.em_palette(k)):
            swatch = self._cell(j, 0, str(j + 1))
            swatch.setBackground(QColor(*(int(c) for c in rgb)))
            # whichever of white and black reads better on the colour (white on orange had
            # 2.2:1; the dark theme's blue has 3.3:1 with white, 6.4:1 with black)
            white = contrast_ratio(rgb, (255, 255, 255)) >= contrast_ratio(rgb, (0, 0, 0))
            swatch.setForeground(QColor("white") if white else QColor("black"))
            self._cell(j, 1, f"{mixture.weights[j]:.3f}")
            self._cell(j, 2, format_column(mixture.means[j]))
            self._cell(j, 3, format_matrix_compact(mixture.covariances[j]))
            self._cell(j, 4, "–" if nk is None else f"{nk[j]:.1f}")
        self._filling = False
        self._fit()

    def _cell(self, row: int, column: int, text: str) -> QTableWidgetItem:
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.setItem(row, column, item)
        item.setText(text)
        editable = Qt.ItemFlag.ItemIsEditable
        flags = item.flags() | editable if column == WEIGHT_COLUMN else item.flags() & ~editable
        if flags != item.flags():
            item.setFlags(flags)
        return item

    def _on_item_change(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() == WEIGHT_COLUMN:
            self.weight_edited.emit(item.row(), item.text())

    def _fit(self) -> None:
        self.resizeColumnsToContents()
        self.resizeRowsToContents()
        self.updateGeometry()  # the splitters read the new minimumSizeHint

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presenting: larger cells
            self._fit()

    def _content_size(self, rows: int) -> QSize:
        frame = 2 * self.frameWidth()
        header = self.horizontalHeader()
        width = sum(header.sectionSize(c) for c in range(self.columnCount())) + frame
        heights = [self.rowHeight(r) for r in range(self.rowCount())]
        height = header.height() if header.isVisible() else 0
        height = max(height, header.sizeHint().height()) + sum(heights[:rows]) + frame
        if self.rowCount() > rows:
            width += self.verticalScrollBar().sizeHint().width()
        return QSize(width, height)

    def rows_height(self) -> int:
        """The height its header and first ROOM_FOR_ROWS rows need (what it asks for unless
        folded away)."""
        return self._content_size(ROOM_FOR_ROWS).height()

    def all_rows_height(self) -> int:
        """The height its header and every row need: no scroll bar."""
        return self._content_size(max(self.rowCount(), 1)).height()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """Its columns' width, and no height: split_room.TableRoom gives it its rows' height
        where the window has it and folds it away where not. A minimum height of its rows made
        the window grow past its screen for them (1024 x 768, chapter 11's four rows, then the
        k-means split's toolbar row: 788 px), and folded (not drawn) its rows may be another
        data set's (K = 3 of the chapter before held the window 27 px taller than its screen,
        presenting chapter 3)."""
        return QSize(self._content_size(ROOM_FOR_ROWS).width(), 0)
