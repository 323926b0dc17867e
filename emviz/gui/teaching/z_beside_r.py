"""z beside r: the N × K label matrices side by side, rows sorted by cluster. The oracle's
one-hot z_nk (each point wholly one component's) beside EM's soft r_nk = γ(z_nk) at the
half-step shown (each point's unit mass split across the K components): the lecture's
"insight" that EM replaces the unknown binary z_nk by their expected values.

Each matrix is one image, painted pixel for pixel: a cell's colour is the plot background
blended toward its column's cluster colour (the Identity part's, as in every view) by the
weight. More points than pixel rows are averaged block by block (emviz.look.label_matrix);
sorting 10⁶ rows runs in the job runner. The tab draws only while it is shown (frames).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...look.appearance import Appearance
from ...look.label_matrix import (
    column_order,
    column_widths,
    matrix_image,
    sorted_pixel_rows,
    weight_colours,
)
from ...session.model import Workbench
from ..features import Feature
from ..jobs import Background, same_key
from ._shared import TEXT_PT, current_state, font

#: Above this many points the rows are sorted and averaged in the job runner.
BACKGROUND_MIN_POINTS = 20_000
#: Pixels between two columns of a matrix (the background shows through).
COLUMN_GAP = 2
TAB_TITLE = "z, r"
TAB_TIP = "z beside r: the oracle's one-hot labels z_nk beside EM's soft labels r_nk = γ(z_nk)"
#: The r column's title and its message before the first E-step; presenting, shorter: beside
#: the lesson the column is 198 px wide at 18 pt, and the longer words needed two and three
#: lines in a tab 144-202 px high (cut to one; the tooltip names EM); one line each now.
R_TITLE = "<b>r<sub>nk</sub> = γ(z<sub>nk</sub>)</b> (EM)"
R_TITLE_SHORT = "<b>r<sub>nk</sub> = γ(z<sub>nk</sub>)</b>"
R_MISSING = "No r<sub>nk</sub> yet: the first E-step (<b>E</b>) computes it."
R_MISSING_SHORT = "Press <b>E</b> for r<sub>nk</sub>."


class MatrixCanvas(QWidget):
    """One matrix: a row of column numbers k = 1..K over an image painted 1:1 in device
    pixels. ``pixel_rows()`` says how many rows the image should have."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFont(font(TEXT_PT))
        self.setMinimumSize(60, 40)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.image: np.ndarray | None = None  # uint8 (H, W, 3), device pixels
        self.numbers: list[tuple[int, int, str]] = []  # (x, width, text) in device pixels
        self.foreground = (0, 0, 0)
        self.on_resize: Callable[[], None] = lambda: None

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.on_resize()  # the pixel rows changed: the rows are averaged again

    def header_height(self) -> int:
        return self.fontMetrics().height() + 4

    def image_rect(self) -> QRect:
        """Where the image goes, in widget coordinates."""
        top = self.header_height()
        return QRect(0, top, self.width(), max(1, self.height() - top))

    def pixel_rows(self) -> int:
        return max(1, int(self.image_rect().height() * self.devicePixelRatioF()))

    def pixel_width(self) -> int:
        return max(1, int(self.width() * self.devicePixelRatioF()))

    def show_image(self, image: np.ndarray | None, numbers: list[tuple[int, int, str]]) -> None:
        self.image, self.numbers = image, numbers
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt API)
        if self.image is None:
            return
        painter = QPainter(self)
        ratio = self.devicePixelRatioF()
        painter.setPen(QColor(*self.foreground))
        metrics = self.fontMetrics()
        for x, width, text in self.numbers:
            if metrics.horizontalAdvance(text) <= width / ratio + 2:
                painter.drawText(QRect(int(x / ratio), 0, int(np.ceil(width / ratio)),
                                       self.header_height()), Qt.AlignmentFlag.AlignCenter, text)
        h, w, _ = self.image.shape
        qimage = QImage(self.image.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        qimage.setDevicePixelRatio(ratio)
        painter.drawImage(self.image_rect().topLeft(), qimage)
        painter.end()


class ZBesideRView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("zBesideRView")
        self.appearance = Appearance()
        self._model: Workbench | None = None
        self._rows: tuple | None = None  # (key, z pixel rows or None, r pixel rows)
        self._waiting = False
        self._background: Background | None = None
        self.computations = 0  # how many times the rows were sorted and averaged (tests)
        self.z_title = self._label("zTitle", "<b>z<sub>nk</sub></b> (oracle)")
        self.z_title.setToolTip("The oracle's labels, one-hot: z_nk = 1 if point n came from "
                                "component k, else 0")
        self.r_title = self._label("rTitle", R_TITLE)
        self.r_title.setToolTip("EM's soft labels at the half-step shown: the expected value of "
                                "z_nk under the current θ")
        self.z_canvas = MatrixCanvas("zMatrix")
        self.r_canvas = MatrixCanvas("rMatrix")
        # the rows follow the height of the matrix they are averaged for: r's, or z's before
        # the first E-step (z's alone kept its old rows: 6 drawn in a matrix grown to 140 px)
        self.z_canvas.on_resize = lambda: self._on_canvas_resize(self.z_canvas)
        self.r_canvas.on_resize = lambda: self._on_canvas_resize(self.r_canvas)
        self.z_missing = self._label("zMissing", "")
        self.r_missing = self._label("rMissing", R_MISSING)
        self.r_missing.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.caption = self._label("zrCaption", "")
        self.message = self._label("zrMessage", "")
        columns = QHBoxLayout()
        columns.setSpacing(14)
        self.z_column, self.r_column = QWidget(objectName="zColumn"), QWidget(objectName="rColumn")
        for holder, title, canvas in ((self.z_column, self.z_title, self.z_canvas),
                                      (self.r_column, self.r_title, self.r_canvas)):
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(title)
            column.addWidget(canvas, 1)
            if canvas is self.r_canvas:
                column.addWidget(self.r_missing, 1)
            columns.addWidget(holder, 1)  # a hidden column gives its width to the other
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.message)
        layout.addWidget(self.z_missing)
        layout.addLayout(columns, 1)
        layout.addWidget(self.caption)
        self.z_missing.hide()
        self.r_missing.hide()
        self._show_message("No run yet.")

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, objectName=name)
        label.setFont(font(TEXT_PT))
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        # its whole text, always: the matrices give up the height (they are averaged to fit)
        # (the policy's height-for-width kept: a new policy drops it, and a title whose text
        # is never set again never gets it back: "r_nk = γ(z_nk) (EM)" in two lines had 19 px)
        policy = label.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Preferred)
        policy.setVerticalPolicy(QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        label.setSizePolicy(policy)
        return label

    # -- drawing -------------------------------------------------------------------------
    def apply_appearance(self, appearance: Appearance) -> None:
        self.appearance = appearance
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor(*appearance.background))
        palette.setColor(self.foregroundRole(), QColor(*appearance.foreground))
        self.setPalette(palette)
        for canvas in (self.z_canvas, self.r_canvas):
            canvas.foreground = appearance.foreground
        short = appearance.presenting
        self.r_title.setText(R_TITLE_SHORT if short else R_TITLE)
        self.r_missing.setText(R_MISSING_SHORT if short else R_MISSING)
        if self._model is not None and self.isVisible():
            self.show_state(self._model)

    def show_state(self, model: Workbench) -> None:
        self._model = model
        state = current_state(model)
        if state is None:
            self._show_message("No run yet: add points or choose a dataset.")
            return
        labels = model.labels
        labelled = labels is not None and len(labels) and bool((labels >= 0).any())
        if state.resp is None and not (labelled and state.phase == "init"):
            self._show_message(
                "No r<sub>nk</sub> yet: θ₀ is chosen; the first E-step (<b>E</b>) computes "
                "r<sub>nk</sub> = γ(z<sub>nk</sub>)." if state.phase == "init" else
                "Recomputing q for this half-step…")
            return
        k = state.mixture.n_components
        em_palette = model.identity.em_palette(k)
        label_palette = columns = None
        if labelled:
            k_labels = int(labels.max()) + 1
            label_palette = model.identity.oracle_palette(k_labels)
            columns = column_order(label_palette, em_palette)
        height = self.r_canvas.pixel_rows() if state.resp is not None else self.z_canvas.pixel_rows()
        resp, X = state.resp, model.points
        key = (X, labels, resp, tuple(map(tuple, em_palette.tolist())),
               None if columns is None else tuple(columns.tolist()), height)
        if self._rows is None or not _same(self._rows[0], key):
            def compute() -> tuple:
                return sorted_pixel_rows(resp, labels if labelled else None, columns, height)
            if len(X) > BACKGROUND_MIN_POINTS:
                if self._background is None:
                    self._background = Background("emviz-z-beside-r", self._computed,
                                                  lambda _text: None, self)
                self._waiting = True
                self._background.request(key, compute)
                self.caption.setText(f"Sorting and averaging {len(X):,} rows…")
                return
            self.computations += 1
            self._rows = (key, *compute())
        self._waiting = False
        self._draw(model, k, em_palette, label_palette, columns, labels if labelled else None)

    def _computed(self, key: tuple, rows: tuple) -> None:
        self.computations += 1
        self._rows = (key, *rows)
        if self._model is not None and self.isVisible():
            self.show_state(self._model)

    def _draw(self, model: Workbench, k: int, em_palette: np.ndarray,
              label_palette: np.ndarray | None, columns: np.ndarray | None,
              labels: np.ndarray | None) -> None:
        _key, z_rows, r_rows = self._rows
        self.message.hide()
        background = self.appearance.background
        if r_rows is None:  # θ₀: z alone until the first E-step
            self.r_canvas.hide()
            self.r_missing.show()
        else:
            self.r_canvas.show_image(*self._image(self.r_canvas, r_rows, em_palette, background))
            self.r_canvas.show()
            self.r_missing.hide()
        self.r_column.show()
        n = len(model.points)
        short = self.appearance.presenting  # the matrices need the room more than the words
        if z_rows is None:
            self.z_column.hide()
            self.z_missing.setText(
                "<b>No z<sub>nk</sub>:</b> these points have no oracle labels." if short else
                "<b>No z<sub>nk</sub>:</b> these points have no oracle labels (added by hand, "
                "or a file without labels), so only EM's r<sub>nk</sub> is shown.")
            self.z_missing.show()
            sort = "by argmax<sub>k</sub> r<sub>nk</sub>, surest first"
        else:
            self.z_missing.hide()
            palette = label_palette[columns]
            self.z_canvas.show_image(*self._image(self.z_canvas, z_rows, palette, background))
            self.z_canvas.show()
            self.z_column.show()
            unlabelled = int((labels < 0).sum())
            sort = "by oracle label, EM's surest first"
            if unlabelled:
                sort += f", {unlabelled:,} unlabelled last"
        rows = rows_caption(n, self.z_canvas.pixel_rows() if r_rows is None else
                            self.r_canvas.pixel_rows(), short)
        if r_rows is None:
            self.caption.setText(f"A row of z holds one 1; {rows}" if short else
                                 f"Rows: the {n:,} points, by oracle label. Each row of z holds "
                                 f"one 1: the point's whole unit mass, on its own component. {rows}")
            return
        self.caption.setText(f"A row of r sums to 1; {rows}" if short else
                             f"Rows: the {n:,} points, {sort}. Each row of r sums to 1: the "
                             f"point's unit mass, split. {rows}")

    def _image(self, canvas: MatrixCanvas, rows: np.ndarray, palette: np.ndarray,
               background) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
        k = rows.shape[1]
        widths = column_widths(canvas.pixel_width(), k, COLUMN_GAP)
        cells = weight_colours(rows, palette, background)
        image = matrix_image(cells, widths, COLUMN_GAP, background)
        starts = np.r_[0, np.cumsum(widths + COLUMN_GAP)[:-1]]
        return image, [(int(x), int(w), str(j + 1)) for j, (x, w) in enumerate(zip(starts, widths,
                                                                                  strict=True))]

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        for widget in (self.z_column, self.r_column, self.z_missing):
            widget.hide()
        for canvas in (self.z_canvas, self.r_canvas):
            canvas.show_image(None, [])
        self.caption.setText("")

    def _on_canvas_resize(self, canvas: MatrixCanvas) -> None:
        rows_for = self.r_canvas if self.r_canvas.isVisibleTo(self) else self.z_canvas
        if canvas is rows_for and self._model is not None and self.isVisible():
            self.show_state(self._model)

    def shutdown(self) -> None:
        if self._background is not None:
            self._background.shutdown()


def rows_caption(n: int, height: int, short: bool = False) -> str:
    """How the n rows map to ``height`` pixel rows, for the caption; ``short``: presenting,
    where the caption has two lines beside the lesson (the number of pixel rows is the
    matrix's height, seen)."""
    if n > height:
        low, high = n // height, -(-n // height)
        counts = f"{low:,}" if low == high else f"{low:,} or {high:,}"
        if short:
            return f"a pixel row averages {counts} rows."
        return f"{n:,} rows in {height:,} pixel rows: each pixel row averages {counts} rows."
    if n < height:
        return f"{n:,} rows in {height:,} pixel rows."
    return f"{n:,} rows, one pixel row each."


def _same(a: tuple, b: tuple) -> bool:
    """The same data objects (identity) and the same palette, columns and height (value)."""
    return same_key(a[:3], b[:3]) and a[3:] == b[3:]


def install(window) -> Feature:
    """The tab comes and goes with its action ("z beside r", Z, on the Teach toolbar): the
    default window keeps its seven explanation tabs at their full size (at 1280 x 800 an
    eighth made every tab title smaller), and a removed tab is hidden, so it does no work."""
    view = ZBesideRView()
    window.add_view(view, {"points", "labels", "history", "index", "identity"})
    window.closing.connect(view.shutdown)
    action = window.add_action(
        "actionZBesideR", "z beside r", "Z",
        "z beside r: a tab with the oracle's one-hot labels z_nk beside EM's soft labels "
        "r_nk = γ(z_nk), rows sorted by cluster", checkable=True)

    def toggle(on: bool) -> None:
        tabs = window.tabs
        if on:
            if tabs.indexOf(view) < 0:
                window.add_tab(view, TAB_TITLE, TAB_TIP)
            window.show_tab(view)
        elif tabs.indexOf(view) >= 0:
            tabs.removeTab(tabs.indexOf(view))
            view.hide()

    action.toggled.connect(toggle)
    return Feature("z_beside_r", view, actions=(action,), views=(view,))
