"""Tables of points: reading CSV, TSV or whitespace-separated text, and saving points as CSV.

Reading is forgiving about form (delimiter detected, header optional, UTF-8 BOM, CRLF, blank
lines, trailing whitespace, ``#`` comments) and strict about content: anything that is not a
finite number where one belongs raises DataError naming the line, never a silent NaN.
"""

from __future__ import annotations

import csv
import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import chain, islice

import numpy as np

from ._files import MAX_BYTES, PathLike, Progress, read_text_pieces, write_atomic
from ._layout import _INTEGER, Layout, Line, Parsed, Splitter, is_number, looks_numeric, plural
from .errors import DataError

#: More data rows than this are refused (EM on more points is too slow to watch anyway).
MAX_ROWS = 5_000_000

#: The first this many rows decide the delimiter and which columns hold numbers.
SAMPLE_ROWS = 50
#: Text split into lines this many characters at a time (see split_lines): about 0.3 ms a
#: piece, with the GIL held.
SPLIT_PIECE_CHARS = 100_000
#: The lines a table was read from are freed this many at a time (see free_lines).
FREE_PIECE_LINES = 10_000


@dataclass(frozen=True, eq=False)
class Table:
    """A table read from a file or the clipboard.

    source : the file name or "clipboard", for messages
    names : every column's name, in file order ("column 3" where there was no header)
    numeric_names : the names of the columns of numbers, the columns of ``data``
    data : array, shape (N, C), read-only; the C columns of numbers, all finite
    labels : int array, shape (N,), read-only, or None; -1 where a label cell was empty.
        Integer labels are kept as written; text labels become 0..K-1 in order of appearance.
    label_name : the name of the label column, or None
    label_names : for text labels, the text of label 0, 1, ...; () for integer labels
    has_header : whether the first row held column names
    note : one line for the status bar about how the table was read ("" when nothing to say):
        a count line skipped, or values that differ beyond double precision
    """

    source: str
    names: tuple[str, ...]
    numeric_names: tuple[str, ...]
    data: np.ndarray
    labels: np.ndarray | None = None
    label_name: str | None = None
    label_names: tuple[str, ...] = ()
    has_header: bool = False
    note: str = ""

    @property
    def n_rows(self) -> int:
        return self.data.shape[0]

    def column(self, col: str | int) -> np.ndarray:
        """One column of numbers, by name or by position among ``numeric_names``; shape (N,)."""
        return self.data[:, self._index(col)]

    def points(self, x_col: str | int = 0, y_col: str | int = 1) -> np.ndarray:
        """The points (x, y) from two columns of numbers, as a new array of shape (N, 2)."""
        i, j = self._index(x_col), self._index(y_col)
        if i == j:
            raise DataError(self.source, f"x and y are the same column ({self.numeric_names[i]})")
        # C-ordered and its own memory, column by column: ``data[:, [i, j]]`` was a view of a
        # transposed copy, which the window then copied again (10⁶ points: 6-60 ms each)
        X = np.empty((self.n_rows, 2))
        X[:, 0], X[:, 1] = self.data[:, i], self.data[:, j]
        return X

    def _index(self, col: str | int) -> int:
        names = self.numeric_names
        if isinstance(col, str):
            if col in names:
                return names.index(col)
            raise DataError(self.source, f"no column of numbers named {col!r}; there are {', '.join(names)}")
        if not -len(names) <= col < len(names):
            raise DataError(self.source, f"no column of numbers number {col}; there are {len(names)}")
        return col % len(names)


def read_table(
    path: PathLike, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS, progress: Progress | None = None
) -> Table:
    """Read a CSV, TSV or whitespace-separated file; see ``parse_table``. Raises DataError.
    ``progress`` hears of the bytes read, then of the lines parsed (see ``Progress``)."""
    pieces = read_text_pieces(path, max_bytes, progress)
    return _parse_pieces(pieces, os.fspath(path), max_rows, progress)


def parse_table(
    text: str, source: str = "clipboard", *, max_rows: int = MAX_ROWS, progress: Progress | None = None
) -> Table:
    """Parse delimited text (a file's contents, or what was pasted) into a Table.

    The delimiter is tab, semicolon, whitespace or comma, whichever splits the first rows
    into the most numbers. The first row is a header if none of its cells is a number.
    ``#`` starts a comment, at the start of a line or after the numbers (as in numpy.loadtxt).
    Raises DataError naming ``source``, the line and the problem. ``progress`` is told
    ("lines", parsed, total) every few thousand lines, and may raise to stop.
    """
    return _parse_pieces([text], source, max_rows, progress)


def _parse_pieces(pieces: list[str], source: str, max_rows: int, progress: Progress | None) -> Table:
    """``parse_table`` of the text that is the concatenation of ``pieces`` (a file's, as
    read_text_pieces decoded it), never joined into one string."""
    if pieces:
        pieces = [pieces[0].removeprefix("\ufeff"), *pieces[1:]]  # a BOM not read_text's to drop
    for i, piece in enumerate(pieces):
        nul = piece.find("\0")
        if nul >= 0:
            line = sum(p.count("\n") for p in pieces[:i]) + piece.count("\n", 0, nul) + 1
            raise DataError(source, "binary data (a NUL byte), not text", line)
    lines = split_lines(pieces)  # LF, CRLF or CR
    try:
        return _parse_lines(pieces, lines, source, max_rows, progress)
    finally:
        free_lines(lines)


def _parse_lines(pieces: list[str], lines: list[str], source: str, max_rows: int,
                 progress: Progress | None) -> Table:
    sample = list(islice(_content_lines(lines), SAMPLE_ROWS))
    if not sample:
        problem = "empty" if not any(p.strip() for p in pieces) else "only blank lines and # comments"
        raise DataError(source, f"{problem}: no rows of numbers", 1)
    count_line = _count_line(sample)
    if count_line is not None:  # scikit-learn's layout: read it as a header naming the labels
        lines[sample[0][0] - 1] = count_line[1]
        sample = list(islice(_content_lines(lines), SAMPLE_ROWS))
    content = _content_lines(lines)
    for _ in sample:
        next(content)
    splitter, delimiter = _detect_splitter(sample)
    layout = Layout.from_sample(source, [(n, splitter(line)) for n, line in sample], delimiter)
    parsed = None
    if not any('"' in piece for piece in pieces):
        first_data = layout.header[0] if layout.has_header else layout.header[0] - 1  # 0-based index
        parsed = layout.read_fast(lines, first_data, delimiter, max_rows, progress)
    if parsed is None:
        # The careful path, row by row: for quotes, text labels, and to say what is wrong
        rows = chain(sample[layout.first_row :], content)
        parsed = layout.read(rows, splitter, max_rows, progress, len(lines))
    table = _table(layout, parsed)
    notes = [] if count_line is None else [count_line[0]]
    if count_line is not None and table.labels is not None and not table.label_names:
        names = count_line[2]
        if table.labels.min() >= 0 and table.labels.max() < len(names):
            table = dataclasses.replace(table, label_names=names)
    lost = _precision_note(table.data, lambda: _numeric_cells(lines, layout, splitter))
    notes += [lost] if lost else []
    return dataclasses.replace(table, note="; ".join(notes)) if notes else table


def split_lines(text: str | list[str], piece: int = SPLIT_PIECE_CHARS) -> list[str]:
    """The lines of ``text`` (a string, or pieces of one, as read_text_pieces gives them),
    ended by LF, CRLF (Windows) or CR (old Macs), as
    ``text.replace("\\r\\n", "\\n").replace("\\r", "\\n").split("\\n")`` gives them, a piece
    of about ``piece`` characters at a time: one split of a million-line file held the GIL
    for half a second, rewriting its CRLFs for 0.1 s, and a load runs beside the GUI thread."""
    texts = [text] if isinstance(text, str) else text
    crlf = any("\r" in t for t in texts)
    lines: list[str] = []
    tail = ""  # the line the last piece ended inside: it begins the next piece
    for t in texts:
        for start in range(0, len(t), piece):
            part = tail + t[start : start + piece]
            held = crlf and part.endswith("\r")  # a CRLF's CR: its LF may begin the next piece
            if held:
                part = part[:-1]
            if crlf:
                part = part.replace("\r\n", "\n").replace("\r", "\n")
            part = part.split("\n")
            tail = part.pop() + ("\r" if held else "")
            lines.extend(part)
    if tail.endswith("\r"):  # a CR at the very end ends a line
        lines.append(tail[:-1])
        tail = ""
    lines.append(tail)
    return lines


def free_lines(lines: list[str]) -> None:
    """Empty ``lines``, FREE_PIECE_LINES at a time: freeing 10⁶ lines in one call held the
    GIL for 20-140 ms, beside the GUI thread."""
    while lines:
        del lines[-FREE_PIECE_LINES:]  # from the end: nothing is moved


def _count_line(sample: list[Line]) -> tuple[str, str, tuple[str, ...]] | None:
    """scikit-learn's data files (iris.csv, wine_data.csv, ...) open with a count line,
    "150,4,setosa,versicolor,virginica": rows, columns of numbers, then the class names,
    and each row ends with its class as 0, 1, 2, ... Returns (what the status bar says, a
    header line to read in its place, the class names), or None for any other first line."""
    if len(sample) < 2:
        return None
    line, next_line = sample[0][1], sample[1][1]
    cells = [c.strip() for c in line.split(",")]
    if len(cells) < 3 or not all(_INTEGER.fullmatch(c) for c in cells[:2]):
        return None
    names = tuple(cells[2:])
    if not all(names) or any(looks_numeric(c) for c in names):
        return None
    n_rows, n_columns = int(cells[0]), int(cells[1])
    row = next_line.split(",")
    if n_columns < 2 or len(row) != n_columns + 1 or not all(is_number(c) for c in row):
        return None
    header = ",".join([f"column {j + 1}" for j in range(n_columns)] + ["target"])
    note = (f"line 1 ({line.strip()}) is scikit-learn's count line: {plural(n_rows, 'row')}, "
            f"{plural(n_columns, 'column')} of numbers, classes {', '.join(names)}; skipped")
    return note, header, names


#: A column whose values all lie within this fraction of their size of each other is checked
#: for values that reading as doubles made equal (1e15 + 0.001 and 1e15 + 0.002 are one double).
_NARROW = 1e-9


def _precision_note(data: np.ndarray, cells) -> str:
    """ "150 rows, 1 distinct point: the values differ beyond double precision ..." when the
    text held more distinct values than the doubles read from it; "" otherwise.

    data : array, shape (N, C); cells : called only for a suspiciously narrow column, gives
    the text of each column of numbers (C lists of N cells)."""
    n = len(data)
    if n < 2:
        return ""
    # column by column: a reduction along axis 0 of an (N, C) array took 50 ms at 10⁶ x 2
    low = np.array([column.min() for column in data.T])
    high = np.array([column.max() for column in data.T])
    narrow = (high - low) <= _NARROW * np.maximum(np.abs(low), np.abs(high))
    if not narrow.any():
        return ""
    columns = cells()
    for j in np.flatnonzero(narrow):
        try:
            written = len({Decimal(c.strip()) for c in columns[j]})
        except InvalidOperation:  # a form Decimal does not read ("inf" cannot be here)
            continue
        if written > len(np.unique(data[:, j])):
            distinct = len(np.unique(data, axis=0))
            return (f"{plural(n, 'row')}, {plural(distinct, 'distinct point')}: the values differ "
                    "beyond double precision (about 16 significant digits); subtract a common "
                    "offset from them in the file")
    return ""


def _numeric_cells(lines: list[str], layout: Layout, split: Splitter) -> list[list[str]]:
    """The text of each column of numbers, row by row (C lists of N cells)."""
    rows = [split(line) for _, line in islice(_content_lines(lines), layout.first_row, None)]
    return [[row[j] for row in rows] for j in layout.numeric]


def _table(layout: Layout, parsed: Parsed) -> Table:
    data, labels, label_names = parsed
    data.setflags(write=False)
    if labels is not None:
        labels.setflags(write=False)
    return Table(
        layout.source,
        tuple(layout.names),
        tuple(layout.names[j] for j in layout.numeric),
        data,
        labels,
        None if labels is None else layout.names[layout.label],
        label_names,
        layout.has_header,
    )


def load_points(
    path: PathLike, x: str | int | None = None, y: str | int | None = None
) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Points for the window: (X of shape (N, 2), labels or None, the file's name); a table
    with one column of numbers gives X of shape (N, 1), the 1-D mode's data.

    ``x`` and ``y`` name or number the columns of numbers; by default the first two.
    """
    table = read_table(path)
    if len(table.numeric_names) == 1 and y is None:
        X = table.data[:, [table._index(0 if x is None else x)]]
    else:
        X = table.points(0 if x is None else x, 1 if y is None else y)
    return X, table.labels, os.path.basename(os.fspath(path))


def save_points_csv(path: PathLike, X: np.ndarray, labels: np.ndarray | None = None) -> None:
    """Write points as CSV with header ``x,y`` (or ``x,y,label``; ``x`` for 1-D data), atomically.

    Every float is written as its repr, the shortest text that reads back to the same
    double, so ``read_table`` returns exactly ``X`` and ``labels``.

    X : array, shape (N, 2) or (N, 1), finite; labels : int array, shape (N,), or None
    """
    source = os.fspath(path)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] not in (1, 2):
        raise ValueError(f"X must have shape (N, 2) or (N, 1), got {X.shape}")
    if X.shape[0] == 0:
        raise DataError(source, "no points to save")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinity")
    # tolist gives Python floats, whose repr is the shortest text that round-trips
    columns = [map(repr, X[:, d].tolist()) for d in range(X.shape[1])]
    header = "x,y" if X.shape[1] == 2 else "x"
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (X.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be integers of shape ({X.shape[0]},), got {labels.shape}")
        columns.append(map(str, labels.tolist()))
        header += ",label"
    rows = map(",".join, zip(*columns, strict=True))
    write_atomic(path, "\n".join([header, *rows, ""]).encode("utf-8"))


# -- lines and delimiters ------------------------------------------------------------------


def _content_lines(lines: list[str]) -> Iterator[Line]:
    """(line number, line) for each line with something besides whitespace and a comment.

    Trailing spaces are dropped, trailing tabs kept (in a TSV they are empty cells).
    """
    for number, line in enumerate(lines, 1):
        if "#" in line:
            line = line[: line.index("#")]
        line = line.rstrip(" \f\v")
        if line.strip():
            yield number, line


def _split_on(delimiter: str) -> Splitter:
    def split(line: str) -> list[str]:
        if '"' in line:  # quoted cells (as spreadsheets write names) need the csv module
            return next(csv.reader([line], delimiter=delimiter))
        return line.split(delimiter)

    return split


#: Candidates in order of preference when two split the sample equally well. Whitespace
#: comes before comma so "3,6 79" (decimal commas) is read as two columns with a bad cell.
_CANDIDATES: tuple[tuple[str, Splitter], ...] = (
    ("\t", _split_on("\t")),
    (";", _split_on(";")),
    (" ", str.split),
    (",", _split_on(",")),
)


def _detect_splitter(sample: list[Line]) -> tuple[Splitter, str]:
    """The splitter giving at least two columns and the most numeric cells in the sample."""
    body = sample[1:] or sample  # the first row may be a header

    def score(candidate: tuple[str, Splitter]) -> tuple[bool, int, bool]:
        split = candidate[1]
        rows = [split(line) for _, line in body]
        widths = {len(row) for row in rows}
        numbers = sum(looks_numeric(cell) for row in rows for cell in row)
        return min(widths) >= 2, numbers, len(widths) == 1

    best = max(_CANDIDATES, key=score)  # max keeps the first of equals: the preference order
    return best[1], best[0]


