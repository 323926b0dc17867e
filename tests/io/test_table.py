"""Reading tables: the forms that must be accepted, and every bad input named by file and line."""

from __future__ import annotations

import codecs
import os

import numpy as np
import pytest

from emviz.dataio import MAX_BYTES, MAX_ROWS, DataError, load_points, parse_table, read_table
from emviz.dataio.table import split_lines
from emviz.session.model import MAX_COORDINATE


def write(tmp_path, content: bytes, name: str = "data.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


# -- accepted forms ------------------------------------------------------------------------

FAITHFUL_HEAD = [[3.6, 79.0], [1.8, 54.0], [3.333, 74.0]]


@pytest.mark.parametrize(
    "content",
    [
        b"eruptions,waiting\n3.6,79\n1.8,54\n3.333,74\n",
        b"eruptions\twaiting\n3.6\t79\n1.8\t54\n3.333\t74\n",
        b"eruptions;waiting\n3.6;79\n1.8;54\n3.333;74\n",
        b"eruptions waiting\n3.6   79\n 1.8 54\n3.333\t74\n",
        b"3.6,79\n1.8,54\n3.333,74",  # no header, no final newline
        b"3.6, 79\n1.8, 54\n3.333, 74\n",  # spaces after the commas
        codecs.BOM_UTF8 + b"eruptions,waiting\r\n3.6,79\r\n\r\n1.8,54  \r\n3.333,74\t\r\n",
        b"# Old Faithful\n\n# minutes\neruptions,waiting\n  \n3.6,79 # first\n1.8,54\n\n3.333,74\n\n",
        b'"eruptions","waiting"\n"3.6","79"\n1.8,54\n3.333,74\n',  # quoted, as spreadsheets write
        b"eruptions,waiting,\n3.6,79,\n1.8,54,\n3.333,74,\n",  # a trailing comma on every row
        b"3.6,79\r1.8,54\r3.333,74\r",  # classic Mac line ends
        "eruptions,waiting\n3.6,79\n1.8,54\n3.333,74\n".encode("utf-16"),  # Excel's "Unicode text"
    ],
    ids=["csv", "tsv", "semicolon", "whitespace", "no-header", "spaces", "bom-crlf-blank-trailing",
         "comments", "quoted", "trailing-comma", "cr", "utf-16"],
)
def test_accepted_forms_read_the_same_points(tmp_path, content):
    table = read_table(write(tmp_path, content))
    assert table.points().tolist() == FAITHFUL_HEAD
    assert table.labels is None
    assert table.has_header == (b"eruptions" in content or b"e\x00r" in content)
    if table.has_header:
        assert table.numeric_names == ("eruptions", "waiting")


def test_no_header_names_columns_by_position():
    table = parse_table("1 2 3\n4 5 6\n")
    assert table.names == table.numeric_names == ("column 1", "column 2", "column 3")
    assert not table.has_header


def test_more_than_two_columns_caller_picks_by_name_or_index():
    table = parse_table("a,b,c\n1,2,3\n4,5,6\n")
    assert table.numeric_names == ("a", "b", "c")
    assert table.points("c", "a").tolist() == [[3, 1], [6, 4]]
    assert table.points(1, 2).tolist() == [[2, 3], [5, 6]]
    assert table.column("b").tolist() == [2, 5]
    with pytest.raises(DataError, match="clipboard: no column of numbers named 'd'; there are a, b, c"):
        table.points("a", "d")
    with pytest.raises(DataError, match="x and y are the same column"):
        table.points("a", 0)


def test_text_labels_map_to_0_to_k_minus_1_in_order_of_appearance():
    table = parse_table("x,y,species\n1,2,virginica\n3,4,setosa\n5,6,virginica\n7,8,\n")
    assert table.labels.tolist() == [0, 1, 0, -1]  # an empty label cell: unlabelled
    assert table.label_name == "species"
    assert table.label_names == ("virginica", "setosa")
    assert table.numeric_names == ("x", "y")


@pytest.mark.parametrize("name", ["label", "Class", "component", "z", "cluster"])
def test_integer_column_named_like_a_label_is_the_labels(name):
    table = parse_table(f"x\ty\t{name}\n1\t2\t2\n3\t4\t0\n5\t6\t2\n")
    assert table.labels.tolist() == [2, 0, 2]  # integers are kept as written
    assert table.label_name == name
    assert table.label_names == ()
    assert table.numeric_names == ("x", "y")


def test_z_of_non_integers_is_a_coordinate_not_labels():
    table = parse_table("x,y,z\n1,2,0.5\n3,4,1.5\n")
    assert table.labels is None
    assert table.numeric_names == ("x", "y", "z")


def test_last_text_column_is_the_labels_without_a_header():
    table = parse_table("1.0 2.0 a\n3.0 4.0 b\n5.0 6.0 a\n")
    assert table.labels.tolist() == [0, 1, 0]
    assert table.label_names == ("a", "b")
    assert table.points().tolist() == [[1, 2], [3, 4], [5, 6]]


def test_a_text_column_of_many_distinct_values_is_not_taken_for_labels():
    rows = "".join(f"{i},{i + 1},point {i}\n" for i in range(30))
    table = parse_table("x,y,note\n" + rows)
    assert table.labels is None
    assert table.n_rows == 30


def test_arrays_are_read_only():
    table = parse_table("x,y,label\n1,2,0\n")
    assert not table.data.flags.writeable
    assert not table.labels.flags.writeable
    assert table.points().flags.writeable  # a new array for the caller


def test_load_points_takes_the_first_two_numeric_columns(tmp_path):
    path = write(tmp_path, b"id,a,b,c,label\nx1,1,2,3,0\nx2,4,5,6,1\n", "three.csv")
    X, labels, name = load_points(path)
    assert X.tolist() == [[1, 2], [4, 5]] and X.shape == (2, 2)
    assert labels.tolist() == [0, 1]
    assert name == "three.csv"
    X, _, _ = load_points(path, x="c", y=0)
    assert X.tolist() == [[3, 1], [6, 4]]


def test_fast_and_careful_paths_agree():
    """A quote sends parsing row by row; the numbers must come out the same as numpy's."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 2)) * 10.0 ** rng.integers(-300, 120, size=(200, 2))
    rows = "".join(f"{x!r},{y!r}\n" for x, y in X.tolist())
    fast = parse_table("x,y\n" + rows)
    careful = parse_table('"x","y"\n' + rows)
    assert np.array_equal(fast.data, X) and np.array_equal(careful.data, X)


# -- bad input: file, line and problem -----------------------------------------------------

BAD = {
    "empty": (b"", 1, ["empty", "no rows of numbers"]),
    "blank-and-comments": (b"# nothing here\n\n   \n", 1, ["only blank lines and # comments"]),
    "header-only": (b"x,y\r\n", 1, ["only a header (x, y), no rows of numbers"]),
    "one-text-column": (b"name\nfoo\nbar\n", 2,
                        ["its one column holds no numbers", "one or two numbers per row"]),
    "no-numeric-column": (
        b"name,kind\nfoo,a\nbar,b\n", 2,
        ["no column of numbers", "one (a histogram) or two (x and y)"],
    ),
    "text": (b"x,y\n1,2\n3,abc\n5,6\n", 3, ["column 2 (y) holds text where a number belongs: 'abc'"]),
    "text-no-header": (b"1 2\n3 4\nfive 6\n", 3, ["column 1 holds text where a number belongs: 'five'"]),
    "empty-cell": (b"x,y\n1,2\n3,\n", 3, ["column 2 (y) is empty where a number belongs"]),
    "nan": (b"x,y\n1,2\n3,NaN\n", 3, ["column 2 (y) holds NaN"]),
    "inf": (b"x,y\n1,2\n3,4\ninf,5\n", 4, ["column 1 (x) holds infinity"]),
    "minus-inf": (b"x y\n1 2\n3 -Infinity\n", 3, ["column 2 (y) holds minus infinity"]),
    "decimal-comma-semicolon": (b"x;y\n3,6;79\n1,8;54\n", 2, ["decimal comma: use a point (3.6)", "'3,6'"]),
    "decimal-comma-tab": (b"x\ty\n1.5\t2.5\n1,8\t54\n", 3, ["decimal comma: use a point (1.8)"]),
    "decimal-comma-csv": (b"eruptions,waiting\n3,6,79\n1,8,54\n", 2,
                          ["3 columns where line 1 has 2", "decimal comma: use a point (3.6)"]),
    "decimal-comma-csv-no-header": (b"3,6,79\n2,54\n", 2,
                                    ["2 columns where line 1 has 3", "decimal comma: use a point (3.6)"]),
    "ragged": (b"x,y\n1.5,2\n3.5,4,5\n", 3, ["3 columns where line 1 has 2"]),
    "ragged-short": (b"# data\n1.5 2 3\n3.5 4\n", 3, ["2 columns where line 2 has 3"]),
    "binary": (b"x,y\n1,2\n\x89PNG\x00\x01\x02", 3, ["binary data (a NUL byte), not text"]),
    "not-utf8": (b"x,y\n1,2\ncaf\xe9,3\n", 3, ["not UTF-8 text (byte 0xe9)", "save the file as UTF-8"]),
    "crlf-line-numbers": (codecs.BOM_UTF8 + b"x,y\r\n\r\n1,2\r\n3,abc\r\n", 4, ["'abc'"]),
    "too-large": (b"x,y\n1,2\n3,4\n5,6\n7,8\n9,10\n11,1e300\n13,14\n", 7,
                  ["column 2 (y) holds 1e+300, too large", "up to 1e+120 in size", "rescale the data"]),
    "too-large-negative": (b"x y label\n1 2 a\n-2.5e200 4 b\n", 3,
                           ["column 1 (x) holds -2.5e+200, too large"]),
}


@pytest.mark.parametrize("content, line, problems", BAD.values(), ids=BAD.keys())
def test_bad_file_names_file_line_and_problem(tmp_path, content, line, problems):
    path = write(tmp_path, content)
    with pytest.raises(DataError) as caught:
        read_table(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}: "), message
    for problem in problems:
        assert problem in message, message
    assert "\n" not in message
    assert caught.value.line == line and caught.value.source == str(path)


@pytest.mark.parametrize("content, line, problems", BAD.values(), ids=BAD.keys())
def test_bad_paste_names_the_clipboard(content, line, problems):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pytest.skip("bytes that are not text cannot be pasted")
    with pytest.raises(DataError, match=rf"^clipboard, line {line}: ") as caught:
        parse_table(text)
    assert all(problem in str(caught.value) for problem in problems)


def test_data_error_is_a_value_error():
    with pytest.raises(ValueError, match="empty"):
        parse_table("")


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(DataError, match=f"^{path}: no such file$"):
        read_table(path)


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(DataError, match=f"^{tmp_path}: a folder, not a file$"):
        read_table(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, b"x,y\n1,2\n")
    path.chmod(0)
    with pytest.raises(DataError, match=f"^{path}: permission denied \\(cannot read the file\\)$"):
        read_table(path)


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    """The same message when open() is refused (this suite may run as root, who reads anything)."""
    path = write(tmp_path, b"x,y\n1,2\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("emviz.dataio._files.open", refuse, raising=False)
    with pytest.raises(DataError, match=f"^{path}: permission denied \\(cannot read the file\\)$"):
        read_table(path)


def test_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no disk used, nothing read
    with pytest.raises(DataError) as caught:
        read_table(path)
    assert str(caught.value) == f"{path}: too large (200.0 MB); emviz reads files up to 200 MB"


def test_too_many_rows_names_the_first_row_past_the_limit(tmp_path):
    path = write(tmp_path, b"x,y\n1,2\n\n3,4\n5,6\n7,8\n")
    with pytest.raises(DataError) as caught:
        read_table(path, max_rows=3)
    assert str(caught.value) == f"{path}, line 6: more than 3 rows; emviz reads at most 3 points"
    assert read_table(path, max_rows=4).n_rows == 4
    assert MAX_ROWS == 5_000_000


def test_a_bad_cell_far_down_is_found():
    rows = "".join(f"{i}.5,{i}\n" for i in range(1000))
    with pytest.raises(DataError, match="^clipboard, line 902: .*'oops'$"):
        parse_table("x,y\n" + rows[: rows.index("900.5")] + "oops,1\n" + rows)


def test_data_error_keeps_its_parts_and_pickles():
    import pickle

    error = DataError("data.csv", "column 2 (y) holds text where a number belongs: 'abc'", 3)
    assert str(error) == "data.csv, line 3: column 2 (y) holds text where a number belongs: 'abc'"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.source, copy.line, copy.problem, str(copy)) == (error.source, 3, error.problem, str(error))
    assert str(DataError("clipboard", "empty")) == "clipboard: empty"


@pytest.mark.parametrize(
    "text",
    [",x,y\n0,1.5,2.5\n1,3.5,4.5\n", '"","x","y"\n"1",1.5,2.5\n"2",3.5,4.5\n'],
    ids=["pandas", "R"],
)
def test_unnamed_row_numbers_are_not_a_coordinate(text):
    table = parse_table(text)
    assert table.numeric_names == ("x", "y")
    assert table.points().tolist() == [[1.5, 2.5], [3.5, 4.5]]


def test_coordinates_up_to_the_limit_are_read_and_beyond_it_refused():
    assert MAX_COORDINATE == 1e120
    table = parse_table("x,y\n1e120,-1e120\n0,5e-324\n")
    np.testing.assert_array_equal(table.data, [[1e120, -1e120], [0, 5e-324]])
    for text in ("x,y\n1,2\n1.0000000000000001e120,0\n", 'x,y\n1,2\n"1.0000000000000001e120",0\n'):
        too_large = r"^clipboard, line 3: column 1 \(x\) holds 1.0000000000000001e\+120, too large"
        with pytest.raises(DataError, match=too_large):
            parse_table(text)


def test_a_too_large_number_in_an_unused_column_is_refused_too():
    """As NaN is: every column of numbers must be fit to be x or y."""
    with pytest.raises(DataError, match="^clipboard, line 2: column 3 \\(w\\) holds 1e\\+200, too large"):
        parse_table("x,y,w\n1,2,1e200\n")


# -- progress, for a long read in a thread ------------------------------------------------------


class Stop(Exception):
    pass


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks small enough that a small file is read and parsed in many of them."""
    monkeypatch.setattr("emviz.dataio._files.READ_CHUNK_BYTES", 1000)
    monkeypatch.setattr("emviz.dataio._layout.PARSE_CHUNK_ROWS", 100)


@pytest.mark.parametrize("labels", ["", ",a"], ids=["fast-path", "careful-path"])
def test_reading_reports_bytes_then_lines_in_chunks(tmp_path, small_chunks, labels):
    rows = "".join(f"{i}.5,{-i}{labels}\n" for i in range(1000))
    path = write(tmp_path, ("x,y" + (",name" if labels else "") + "\n" + rows).encode())
    reports = []
    table = read_table(path, progress=lambda *report: reports.append(report))
    assert table.n_rows == 1000 and table.data[999].tolist() == [999.5, -999]
    size = path.stat().st_size
    read = [done for what, done, total in reports if what == "bytes"]
    parsed = [(done, total) for what, done, total in reports if what == "lines"]
    assert [what for what, *_ in reports] == ["bytes"] * len(read) + ["lines"] * len(parsed)
    assert read == sorted(read) and read[-1] == size and len(read) >= size // 1000
    assert all(total == size for what, _, total in reports if what == "bytes")
    assert len(parsed) >= 9 and [d for d, _ in parsed] == sorted(d for d, _ in parsed)
    assert all(done <= total for done, total in parsed) and parsed[-1][0] >= 900


@pytest.mark.parametrize("labels", ["", ",a"], ids=["fast-path", "careful-path"])
def test_a_progress_report_can_stop_the_read(tmp_path, small_chunks, labels):
    rows = "".join(f"{i}.5,{-i}{labels}\n" for i in range(1000))
    path = write(tmp_path, ("x,y" + (",name" if labels else "") + "\n" + rows).encode())
    reports = []

    def stop_at_the_third_lines(what, done, total):
        reports.append(what)
        if reports.count("lines") == 3:
            raise Stop

    with pytest.raises(Stop):
        read_table(path, progress=stop_at_the_third_lines)
    assert reports.count("lines") == 3  # stopped there: no report after it


class CountingNumpy:
    """numpy, recording every call of one of its functions but the parser (``loadtxt``)."""

    def __init__(self, calls: list[str]) -> None:
        self._calls = calls

    def __getattr__(self, name: str):
        value = getattr(np, name)
        if not callable(value) or name == "loadtxt" or isinstance(value, type):
            return value

        def counted(*args, **kwargs):
            self._calls.append(name)
            return value(*args, **kwargs)

        return counted


def test_the_fast_parse_checks_its_rows_a_batch_at_a_time_not_a_chunk_at_a_time(
        tmp_path, small_chunks, monkeypatch):
    """A numpy call on more than a few hundred numbers lets the GIL go and takes it back at
    once; a GUI thread waiting for the GIL then starts its wait anew, so a call after every
    chunk kept the window from the GIL for 60-190 ms of a 10⁶-row load. Between the checks
    (one per CHECK_BATCH_ROWS rows) the parse makes no numpy call but the parser's."""
    monkeypatch.setattr("emviz.dataio._layout.CHECK_BATCH_ROWS", 1000)
    events: list[str] = []
    monkeypatch.setattr("emviz.dataio._layout.np", CountingNumpy(events))
    rows = "".join(f"{i}.5,{-i}\n" for i in range(5000))
    path = write(tmp_path, ("x,y\n" + rows).encode())
    table = read_table(path, progress=lambda what, *_: what == "lines" and events.append(what))
    assert table.n_rows == 5000 and table.data[4999].tolist() == [4999.5, -4999]
    between = "|".join(events).split("lines")[:-1]  # the calls before each report
    assert len(between) >= 50  # chunks of 100 rows: a report after each
    with_calls = [text for text in between if text.strip("|")]
    assert 1 <= len(with_calls) <= 5  # 5,000 rows: checked in 5 batches of 1,000


@pytest.mark.parametrize(("cell", "problem"), [("nan", r"NaN \(not a number\) where"),
                                               ("1e200", r"1e\+200, too large")])
def test_a_bad_number_in_a_later_batch_is_named_as_in_the_first(tmp_path, small_chunks,
                                                                 monkeypatch, cell, problem):
    """The fast parse checks a batch of rows at a time; a bad value in any batch sends the
    table to the careful path, which names its line."""
    monkeypatch.setattr("emviz.dataio._layout.CHECK_BATCH_ROWS", 1000)
    rows = [f"{i}.5,{-i}" for i in range(5000)]
    rows[3456] = f"{cell},1"
    path = write(tmp_path, ("x,y\n" + "\n".join(rows) + "\n").encode())
    with pytest.raises(DataError, match=rf"line 3458: column 1 \(x\) holds {problem}"):
        read_table(path)


def test_pasted_text_reports_lines(small_chunks):
    reports = []
    table = parse_table("1 2\n" * 500, progress=lambda *report: reports.append(report))
    assert table.n_rows == 500 and {what for what, *_ in reports} == {"lines"} and len(reports) >= 4


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 1000])
def test_lines_split_a_piece_at_a_time_are_the_lines_of_the_whole_text(piece):
    """A large text is split into lines in pieces (a load beside the GUI thread holds the
    GIL for one piece at a time); a piece may end inside a line or at its newline."""
    rng = np.random.default_rng(piece)
    texts = ["", "a", "\n", "a\n", "\nb", "ab\ncd\n\nef", "x" * 10 + "\ny"]
    texts += ["".join(rng.choice(list("ab\n"), size=rng.integers(40))) for _ in range(200)]
    for text in texts:
        assert split_lines(text, piece) == text.split("\n"), (text, piece)


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 1000])
def test_lines_ending_in_crlf_or_cr_are_split_a_piece_at_a_time_too(piece):
    """Windows' CRLF and old Macs' CR end lines as LF does; the whole text is not rewritten
    first (replacing the CRLFs of a 10⁶-row file held the GIL for 0.1 s), and a CRLF split
    between two pieces is still one line end."""
    rng = np.random.default_rng(piece)
    texts = ["\r", "\r\n", "a\r\nb", "a\rb\r", "\r\r\n\n", "ab\r\ncd\r\n\r\nef\r\n"]
    texts += ["".join(rng.choice(["a", "b", "\n", "\r", "\r\n"], size=rng.integers(40)))
              for _ in range(200)]
    for text in texts:
        whole = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        assert split_lines(text, piece) == whole, (text, piece)


def test_the_lines_a_table_was_read_from_are_freed_a_piece_at_a_time(monkeypatch):
    """Freeing 10⁶ lines in one go held the GIL for 20-140 ms after a load: they are let go
    in pieces, and the table read is the same."""
    from emviz.dataio import table as table_module

    monkeypatch.setattr(table_module, "FREE_PIECE_LINES", 3)
    text = "x,y\n" + "".join(f"{i},{i % 7}\n" for i in range(20))
    read = parse_table(text)
    assert read.points().tolist() == [[i, i % 7] for i in range(20)]
    lines = table_module.split_lines(text)
    table_module.free_lines(lines)
    assert lines == []


@pytest.mark.parametrize("text", [b"duration\n3.6\n1.8\n3.333\n", b"3.6\n1.8\n3.333\n",
                                  b"duration,kind\n3.6,long\n1.8,short\n3.333,long\n"])
def test_a_table_with_one_column_of_numbers_is_read_as_1d_data(text):
    """One column of numbers is the 1-D mode's data (a histogram), not a refusal."""
    table = parse_table(text.decode(), "one.csv")
    assert table.data.shape == (3, 1)
    np.testing.assert_array_equal(table.column(0), [3.6, 1.8, 3.333])


# -- a large file beside the GUI thread: no long call holds the GIL ----------------------------


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Chunks of 16 bytes: a small file is read, checked and decoded in many of them."""
    monkeypatch.setattr("emviz.dataio._files.READ_CHUNK_BYTES", 16)


def test_a_file_is_read_and_decoded_a_chunk_at_a_time_and_never_joined(tmp_path, tiny_chunks):
    """Decoding a 10⁶-row file in one call held the GIL for 12-250 ms, and a load runs beside
    the GUI thread: the text comes as pieces of at most one chunk each, in order, their
    concatenation the whole text, however the chunks cut its characters (é is 2 bytes, € 3,
    𝄞 4), after a BOM, across a CRLF."""
    from emviz.dataio._files import read_text_pieces

    text = "x,y\r\n" + "".join(f"{i}.5,{i % 7} # é€𝄞{'a' * (i % 5)}\r\n" for i in range(60))
    for content in (text.encode(), codecs.BOM_UTF8 + text.encode()):
        path = write(tmp_path, content)
        pieces = read_text_pieces(path)
        assert "".join(pieces) == text
        assert len(pieces) == -(-len(content) // 16)  # one a chunk, at most a character more:
        assert all(len(p) <= 16 + 1 for p in pieces)  # one carried over from the chunk before
    assert read_table(path).data[:, 1].tolist() == [i % 7 for i in range(60)]


def test_bad_bytes_in_a_later_chunk_are_named_by_their_line(tmp_path, tiny_chunks):
    """Chunk by chunk, the checks and their order are the whole file's: the first NUL byte
    anywhere wins over an earlier byte that is not UTF-8, and each is named by its line."""
    rows = b"".join(b"%d.5,%d\n" % (i, i) for i in range(40))
    lines = rows.split(b"\n")
    with_nul = b"\n".join([*lines[:30], lines[30] + b"\0", *lines[31:]])
    not_utf8 = b"\n".join([*lines[:20], lines[20] + b"\xff", *lines[21:]])
    both = b"\n".join([*lines[:20], lines[20] + b"\xff", *lines[21:30], lines[30] + b"\0", *lines[31:]])
    split_character = b"\n".join([*lines[:25], lines[25] + b"\xe2\x82", *lines[26:]])  # € cut short
    for content, line, problem in [(with_nul, 31, "binary data (a NUL byte)"),
                                   (not_utf8, 21, "not UTF-8 text (byte 0xff)"),
                                   (both, 31, "binary data (a NUL byte)"),
                                   (split_character, 26, "not UTF-8 text (byte 0xe2)")]:
        with pytest.raises(DataError) as caught:
            read_table(write(tmp_path, content))
        assert caught.value.line == line and problem in str(caught.value), (line, str(caught.value))


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 1000])
def test_lines_of_a_text_given_in_pieces_are_the_lines_of_the_whole_text(piece):
    """The pieces a file was decoded in are split as one text: a line, a CRLF or a CR may
    go on from one piece into the next."""
    rng = np.random.default_rng(piece)
    texts = ["".join(rng.choice(["a", "b", "\n", "\r", "\r\n"], size=rng.integers(40)))
             for _ in range(200)]
    for text in texts:
        cuts = sorted(rng.integers(0, len(text) + 1, size=rng.integers(4)))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        whole = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        assert split_lines(pieces, piece) == whole, (pieces, piece)


def test_numpy_parses_a_large_table_in_chunks_of_at_most_2000_rows(tmp_path, monkeypatch):
    """numpy's parser holds the GIL for each call: 10,000 rows took 3-5 ms, up to 30 ms on a
    busy machine, with the GUI thread waiting. 5,001 rows: three calls, progress after each."""
    from emviz.dataio import _layout

    calls = []
    loadtxt = np.loadtxt

    def counted(lines, *args, **kwargs):
        calls.append(len(lines))
        return loadtxt(lines, *args, **kwargs)

    monkeypatch.setattr(_layout.np, "loadtxt", counted)
    path = write(tmp_path, b"x,y\n" + b"".join(b"%d,%d\n" % (i, -i) for i in range(5001)))
    reports = []
    table = read_table(path, progress=lambda *report: reports.append(report))
    assert calls == [2000, 2000, 1002]  # (the last with the empty line after the final newline)
    assert table.data[-1].tolist() == [5000, -5000]
    assert [done for what, done, _ in reports if what == "lines"] == [2000, 4000, 5002]


def test_a_bad_row_far_into_a_large_file_is_still_named_by_its_line(tmp_path, tiny_chunks):
    rows = [b"%d.5,%d" % (i, i) for i in range(3000)]
    rows[2500] = b"2500.5,oops"
    with pytest.raises(DataError, match=r"line 2502: column 2 \(y\) holds text where a number "
                                        r"belongs: 'oops'"):
        read_table(write(tmp_path, b"x,y\n" + b"\n".join(rows)))
