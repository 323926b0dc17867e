"""How a table is laid out: its header, which columns hold numbers, which the labels; and
parsing its rows, fast by numpy when all is well, row by row when there is a problem to name."""

from __future__ import annotations

import re
import warnings
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ..session.model import MAX_COORDINATE
from ._files import Progress
from .errors import DataError

#: A column with one of these names (any case) holding integers or text is the labels.
LABEL_NAMES = frozenset(
    {"label", "labels", "class", "component", "cluster", "z", "group", "target", "species"}
)
#: An unnamed text column is taken for labels only if its values are this short ...
MAX_LABEL_LENGTH = 40
#: ... and this few (more distinct values look like identifiers or comments, not classes).
MAX_GUESSED_LABELS = 20

#: Rows are parsed in chunks of this many, with a progress report after each: numpy's parser
#: holds the GIL for a chunk (about 1 ms here; 10,000 rows took 3-5 ms, and up to 30 ms on a
#: busy machine, with the GUI thread waiting beside the load).
PARSE_CHUNK_ROWS = 2_000
#: The parsed rows are checked (finite, within MAX_COORDINATE) this many at a time, not a chunk
#: at a time: numpy lets the GIL go in a call on more than a few hundred numbers and takes it
#: back at once, and each time it does, a GUI thread waiting for the GIL starts its wait of a
#: switch interval (5 ms) anew, without asking for it; with four such calls a chunk (every
#: 0.7 ms) the GUI thread got the GIL once in 20-40 ms and a load showed gaps of 60-190 ms
#: with 1-5 ms of the GUI thread's CPU in them. Between checks the parse holds the GIL
#: throughout, so a waiting thread asks for it after a switch interval and gets it.
CHECK_BATCH_ROWS = 100_000

DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
#: "1,000" or "12,345,678": read as a thousands separator first (a decimal comma is possible too)
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_INTEGER = re.compile(r"[+-]?\d+")

Line = tuple[int, str]  # (1-based line number, text)
Splitter = Callable[[str], list[str]]
Parsed = tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]  # data, labels, label names


def is_number(cell: str) -> bool:
    """Whether Python's float() reads the cell (surrounding spaces allowed; "nan" is a number),
    underscores excepted: float("1_000") is 1000, which no spreadsheet means."""
    try:
        to_float(cell)
    except ValueError:
        return False
    return True


def to_float(cell: str) -> float:
    """float(cell), refusing the underscores Python allows in numbers ("1_000")."""
    if "_" in cell:
        raise ValueError(cell)
    return float(cell)


def plural(n: int, noun: str) -> str:
    """ "1 point", "2 points", "1,000 rows": the count with the noun in the right number."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def looks_numeric(cell: str) -> bool:
    """A number, or one written with a decimal comma (meant as a number, reported as such)."""
    return is_number(cell) or bool(DECIMAL_COMMA.fullmatch(cell.strip()))


@dataclass
class Layout:
    """What the sample says about the table: its header, width and what each column holds."""

    source: str
    comma_hint: bool  # whether a row of the wrong width may be a decimal comma's doing
    names: list[str]
    header: tuple[int, list[str]]  # the header's line number and cells, or the first row's
    has_header: bool
    numeric: list[int]  # positions of the columns of numbers
    label: int | None  # position of the label column
    label_is_named: bool
    label_is_number: bool  # integers, by the sample
    text_hint: str  # where the first text cell is, for the "not enough numbers" message

    @property
    def first_row(self) -> int:
        return 1 if self.has_header else 0

    @classmethod
    def from_sample(cls, source: str, rows: list[tuple[int, list[str]]], delimiter: str) -> Layout:
        first_line, first = rows[0]
        has_header = not any(looks_numeric(cell) for cell in first)
        if has_header:
            while len(first) > 1 and not first[-1].strip():
                first.pop()  # "x,y," names two columns
        width = len(first)
        data = rows[1:] if has_header else rows
        # In a CSV with no decimal point anywhere, "3,6" may be one number split in two
        comma_hint = delimiter == "," and not any("." in cell for _, cells in data for cell in cells)
        for n, cells in data:
            _check_width(source, n, cells, width, rows[0], comma_hint)
        if has_header and not data:
            header = ", ".join(c.strip() for c in first)
            raise DataError(source, f"only a header ({header}), no rows of numbers", first_line)
        names = _column_names(first if has_header else [""] * width)
        kinds = [_column_kind([cells[j] for _, cells in data]) for j in range(width)]
        if has_header and not first[0].strip() and _is_row_index([cells[0] for _, cells in data]):
            kinds[0] = "index"  # pandas' and R's unnamed row numbers: not a coordinate
        label, named = _choose_label(names, kinds, [[cells[j] for _, cells in data] for j in range(width)])
        numeric = [j for j, kind in enumerate(kinds) if kind == "number" and j != label]
        text_hint = _text_hint(names, kinds, data, label if named else None)
        is_number = label is not None and kinds[label] == "number"
        layout = cls(
            source, comma_hint, names, rows[0], has_header, numeric, label, named, is_number, text_hint
        )
        if not numeric:  # one column of numbers is 1-D data: the histogram mode
            raise layout._too_few_numbers(data[0][0])
        return layout

    def read_fast(
        self, lines: list[str], first: int, delimiter: str, max_rows: int,
        progress: Progress | None = None,
    ) -> Parsed | None:
        """The rows parsed by numpy's C parser, or None if there is anything to say about them.

        Takes only tables of numbers (integer labels included), given the lines and the index
        of the first after the header (not a copy of the lines after it: copying 10⁶ of them
        held the GIL for 20 ms). Anything unusual (a bad cell, a blank line of spaces, a
        ragged row, NaN) makes it return None, and ``read`` goes through the rows to find and
        name the problem.
        Parsed in chunks of PARSE_CHUNK_ROWS lines, telling ``progress`` after each, and
        checked CHECK_BATCH_ROWS rows at a time.
        """
        n_rows = len(lines) - first
        if n_rows > max_rows or (self.label is not None and not self.label_is_number):
            return None
        batches: list[np.ndarray] = []  # checked, CHECK_BATCH_ROWS rows or so each
        pending: list[np.ndarray] = []  # parsed, not yet checked
        pending_rows = 0
        for start in range(first, len(lines), PARSE_CHUNK_ROWS):
            end = min(start + PARSE_CHUNK_ROWS, len(lines))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # "input contained no data"
                    values = np.loadtxt(
                        lines[start:end], delimiter=None if delimiter == " " else delimiter, ndmin=2
                    )
            except ValueError:
                return None
            if values.size:  # a chunk of only comments and blank lines has none
                if values.shape[1] != len(self.names):
                    return None
                pending.append(values)
                pending_rows += len(values)
            if pending and (pending_rows >= CHECK_BATCH_ROWS or end == len(lines)):
                batch = self._checked(pending)
                if batch is None:
                    return None
                batches.append(batch)
                pending, pending_rows = [], 0
            if progress is not None:
                progress("lines", end - first, n_rows)
        if not batches:
            return None
        values = np.concatenate(batches) if len(batches) > 1 else batches[0]
        labels = None
        if self.label is not None:
            z = values[:, self.label]
            if not (np.all(z == np.round(z)) and np.all(np.abs(z) < 2**31)):
                return None
            labels = z.astype(np.int64)
        if list(self.numeric) == list(range(values.shape[1])):  # no label column: as it is
            return values, labels, ()  # (a copy of 10⁶ x 2 held the GIL for 6-27 ms)
        return np.ascontiguousarray(values[:, self.numeric]), labels, ()

    def _checked(self, chunks: list[np.ndarray]) -> np.ndarray | None:
        """The parsed ``chunks`` (each of shape (n_i, width)) as one array of shape
        (sum n_i, width), or None if a value is not finite or a coordinate lies beyond
        MAX_COORDINATE (``read`` then names it). A few numpy calls for them all (see
        CHECK_BATCH_ROWS)."""
        values = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
        if not np.isfinite(values).all():
            return None
        if not (np.abs(values[:, self.numeric]) <= MAX_COORDINATE).all():
            return None
        return values

    def read(
        self, rows: Iterator[Line], split: Splitter, max_rows: int, progress: Progress | None = None,
        n_lines: int = 0,
    ) -> Parsed:
        """Parse every data row: numbers into arrays, label cells kept as text. ``progress``
        hears ("lines", line number, ``n_lines``) every PARSE_CHUNK_ROWS rows."""
        width, numeric, label = len(self.names), self.numeric, self.label
        columns = [array("d") for _ in numeric]
        line_numbers = array("q")
        label_cells: list[str] = []
        for n, line in rows:
            if len(line_numbers) >= max_rows:
                problem = f"more than {max_rows:,} rows; emviz reads at most {max_rows:,} points"
                raise DataError(self.source, problem, n)
            if progress is not None and len(line_numbers) % PARSE_CHUNK_ROWS == 0:
                progress("lines", n, max(n, n_lines))
            cells = split(line)
            _check_width(self.source, n, cells, width, self.header, self.comma_hint)
            for out, j in zip(columns, numeric, strict=True):
                try:
                    out.append(to_float(cells[j]))
                except ValueError:
                    raise self._cell_error(n, j, cells[j]) from None
            if label is not None:
                label_cells.append(cells[label].strip())
            line_numbers.append(n)
        data = np.column_stack([np.frombuffer(c, dtype=float) for c in columns])
        self._check_range(data, line_numbers)
        labels, label_names = None, ()
        if label is not None:
            labels, label_names = _parse_labels(label_cells, self.label_is_named)
        return data, labels, label_names

    def _describe(self, j: int) -> str:
        name = self.names[j]
        return f"column {j + 1}" + ("" if name == f"column {j + 1}" else f" ({name})")

    def _cell_error(self, n: int, j: int, cell: str) -> DataError:
        cell = cell.strip()
        if not cell:
            problem = f"{self._describe(j)} is empty where a number belongs"
        elif THOUSANDS.fullmatch(cell):
            whole = cell.replace(",", "")
            problem = (f"{self._describe(j)} holds {cell!r}, with a thousands separator: write it "
                       f"without one ({whole}), or with a point if the comma was a decimal comma")
        elif "_" in cell and is_number(cell.replace("_", "")):
            problem = (f"{self._describe(j)} holds {cell!r}: emviz does not read an underscore "
                       f"in a number; write {cell.replace('_', '')}")
        elif DECIMAL_COMMA.fullmatch(cell):
            point = cell.replace(",", ".")
            problem = f"{self._describe(j)} has a decimal comma: use a point ({point}), not {cell!r}"
        else:
            problem = f"{self._describe(j)} holds text where a number belongs: {cell!r}"
        return DataError(self.source, problem, n)

    def _check_range(self, data: np.ndarray, line_numbers: array) -> None:
        """Raise for the first NaN, infinity or number too large for EM, naming its line."""
        found = first_unfit(data)
        if found is not None:
            row, col = found
            problem = f"{self._describe(self.numeric[col])} holds {unfit(data[row, col])}"
            raise DataError(self.source, problem, line_numbers[row])

    def _too_few_numbers(self, line: int) -> DataError:
        if len(self.names) == 1:
            problem = "its one column holds no numbers; emviz needs one or two numbers per row"
        else:
            problem = "no column of numbers; emviz needs one (a histogram) or two (x and y)"
        return DataError(self.source, problem + self.text_hint, line)


def first_unfit(a: np.ndarray) -> tuple[int, int] | None:
    """(row, column) of the first entry of the 2-D array ``a`` that is NaN, infinite or larger
    than MAX_COORDINATE in size (EM squares coordinates), or None if all are fit."""
    bad = ~(np.abs(a) <= MAX_COORDINATE)  # NaN compares False, so it is bad too
    if not bad.any():
        return None
    row = int(np.argmax(bad.any(axis=1)))
    return row, int(np.argmax(bad[row]))


def unfit(value: float) -> str:
    """What is wrong with a number emviz cannot take as a coordinate, after "holds"."""
    if np.isnan(value):
        return "NaN (not a number) where a finite number belongs"
    if np.isinf(value):
        return f"{'minus ' if value < 0 else ''}infinity where a finite number belongs"
    return (f"{float(value)!r}, too large: emviz takes coordinates up to {MAX_COORDINATE:g} in "
            "size; rescale the data (e.g. other units)")


def _check_width(
    source: str, n: int, cells: list[str], width: int, first: tuple[int, list[str]], comma_hint: bool
) -> None:
    """Raise if a row's width differs from the first row's (empty cells past the end are fine)."""
    while len(cells) > width and not cells[-1].strip():
        cells.pop()  # "1,2," from a spreadsheet: an empty trailing cell, not a column
    if len(cells) == width:
        return
    first_line, first_cells = first
    problem = f"{len(cells)} columns where line {first_line} has {width}"
    wider = cells if len(cells) > width else first_cells
    point = _decimal_comma_example(wider) if comma_hint else ""
    if point:
        problem += f"; perhaps a decimal comma: use a point ({point})"
    raise DataError(source, problem, n)


def _decimal_comma_example(cells: list[str]) -> str:
    """The number ("3.6") that a decimal comma split into two cells ("3", "6"), or "" if none."""
    for a, b in zip(cells, cells[1:], strict=False):
        a, b = a.strip(), b.strip()
        if _INTEGER.fullmatch(a) and b.isdigit():
            return f"{a}.{b}"
    return ""


def _column_names(cells: list[str]) -> list[str]:
    """Header cells as names: blanks become "column j", repeats get " (2)", " (3)", ..."""
    names: list[str] = []
    for j, cell in enumerate(cells):
        name = cell.strip().strip('"').strip() or f"column {j + 1}"
        base, copy = name, 1
        while name in names:
            copy += 1
            name = f"{base} ({copy})"
        names.append(name)
    return names


def _column_kind(cells: list[str]) -> str:
    """The kind of a column: "number" if at least half its non-empty cells are numbers,
    "text" if fewer, "empty" if it has none.

    A column of numbers with a stray word stays numeric, so the word is reported by line.
    """
    filled = [c for c in cells if c.strip()]
    if not filled:
        return "empty"
    numbers = sum(looks_numeric(c) for c in filled)
    return "number" if 2 * numbers >= len(filled) else "text"


def _is_row_index(cells: list[str]) -> bool:
    """Whether the cells count 0, 1, 2, ... or 1, 2, 3, ... (a row number, not data)."""
    if not all(_INTEGER.fullmatch(c.strip().strip('"')) for c in cells):
        return False
    numbers = [int(c.strip().strip('"')) for c in cells]
    return numbers[0] in (0, 1) and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _choose_label(names: list[str], kinds: list[str], cells: list[list[str]]) -> tuple[int | None, bool]:
    """The label column's position, and whether it was chosen by name.

    First a column named like a label (label, class, z, ...) holding integers or text; a
    named column of non-integers is a coordinate. Otherwise the last text column, if its
    values are short.
    """
    for j, name in enumerate(names):
        if name.lower() in LABEL_NAMES and (kinds[j] == "text" or _all_integers(cells[j])):
            return j, True
    for j in reversed(range(len(names))):
        if kinds[j] == "text":
            short = all(len(c.strip()) <= MAX_LABEL_LENGTH for c in cells[j])
            return (j, False) if short else (None, False)
    return None, False


def _all_integers(cells: list[str]) -> bool:
    values = [c for c in cells if c.strip()]
    return bool(values) and all(is_number(c) and to_float(c).is_integer() for c in values)


def _text_hint(
    names: list[str], kinds: list[str], data: list[tuple[int, list[str]]], skip: int | None
) -> str:
    """Why a column is not numbers, for the first such column not named as labels:
    "; column 2 (name) holds text ('abc' on line 3)" or "; column 2 (y) is empty (line 2)"."""
    for j, kind in enumerate(kinds):
        if kind == "empty" and j != skip:
            return f"; column {j + 1} ({names[j]}) is empty (line {data[0][0]})"
        if kind == "text" and j != skip:
            for n, cells in data:
                if cells[j].strip() and not is_number(cells[j]):
                    return f"; column {j + 1} ({names[j]}) holds text ({cells[j].strip()!r} on line {n})"
    return ""


def _parse_labels(cells: list[str], named: bool) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Integer labels as written (empty: -1), or text labels as 0..K-1 in order of appearance.

    An unnamed text column with more than MAX_GUESSED_LABELS values is not taken for labels.
    """
    if _all_integers(cells) and all(abs(float(c)) < 2**31 for c in cells if c):
        labels = np.array([int(float(c)) if c else -1 for c in cells], dtype=np.int64)
        labels.setflags(write=False)
        return labels, ()
    codes: dict[str, int] = {}
    for c in cells:
        if c and c not in codes:
            codes[c] = len(codes)
    if not named and len(codes) > MAX_GUESSED_LABELS:
        return None, ()
    labels = np.array([codes[c] if c else -1 for c in cells], dtype=np.int64)
    labels.setflags(write=False)
    return labels, tuple(codes)
