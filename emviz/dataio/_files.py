"""Reading a file as text and writing one atomically, with every failure as a DataError."""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from typing import BinaryIO

from .errors import DataError

#: Files larger than this are refused before reading (a 5,000,000-row CSV is about this big).
MAX_BYTES = 200_000_000

#: A new file gets these permissions (mkstemp's 0600 would hide it from other users).
NEW_FILE_MODE = 0o644

#: A file is read, checked and decoded in chunks of this many bytes, with a progress report
#: after each (decoding one takes about 0.5 ms, and holds the GIL while it runs).
READ_CHUNK_BYTES = 1_000_000

PathLike = str | os.PathLike[str]

#: Told ``(what, done, total)`` as a long read goes on: ("bytes", bytes read, file size),
#: then ("lines", lines parsed, lines) for a table. It may raise to stop the read (a Cancel
#: button): the exception comes out of the read unchanged, and nothing has been returned.
Progress = Callable[[str, int, int], None]


def read_text(path: PathLike, max_bytes: int = MAX_BYTES, progress: Progress | None = None) -> str:
    """The file's text, decoded from UTF-8 (a BOM is dropped; UTF-16 with a BOM also works).

    Raises DataError for a missing, unreadable or too large file, binary data (a NUL byte)
    and bytes that are not UTF-8.
    """
    return "".join(read_text_pieces(path, max_bytes, progress))


def read_text_pieces(path: PathLike, max_bytes: int = MAX_BYTES,
                     progress: Progress | None = None) -> list[str]:
    """``read_text(path)`` as pieces of about READ_CHUNK_BYTES characters each, their
    concatenation the text: a table is split into lines a piece at a time, and the whole
    text is never one string (decoding 20 MB in one call, or joining the pieces, held the
    GIL for 12-250 ms beside the GUI thread). Raises DataError as ``read_text`` does."""
    source = os.fspath(path)
    try:
        size = os.stat(source).st_size
        if size > max_bytes:
            problem = f"too large ({size / 1e6:,.1f} MB); emviz reads files up to {_mb(max_bytes)}"
            raise DataError(source, problem)
        with open(source, "rb") as f:
            chunks = _read(f, size, max_bytes + 1, progress)  # it may have grown since stat
    except OSError as e:
        raise _os_error(source, e, "read") from None
    if sum(map(len, chunks)) > max_bytes:
        raise DataError(source, f"too large; emviz reads files up to {_mb(max_bytes)}")
    return decode_pieces(chunks, source)


def _read(f: BinaryIO, size: int, limit: int, progress: Progress | None) -> list[bytes]:
    """Up to ``limit`` bytes of ``f`` as chunks of READ_CHUNK_BYTES, telling ``progress``
    after each. Kept apart: each ``read`` fills a new chunk with the GIL let go, where
    appending to one buffer copied every chunk again with the GIL held."""
    chunks: list[bytes] = []
    done = 0
    while done < limit:
        chunk = f.read(min(READ_CHUNK_BYTES, limit - done))
        if not chunk:
            break
        chunks.append(chunk)
        done += len(chunk)
        if progress is not None:
            progress("bytes", done, max(size, done))
    return chunks


def decode_pieces(chunks: list[bytes], source: str) -> list[str]:
    """The text of the bytes ``b"".join(chunks)``, as pieces, one a chunk, each decoded on
    its own (a character whose bytes two chunks share goes with the later one). A DataError
    names the line of the first NUL byte anywhere, else of the first byte that is not UTF-8
    (the checks, and their order, of the whole text)."""
    first = chunks[0] if chunks else b""
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: decode it rather than call it binary
        try:
            return [b"".join(chunks).decode("utf-16")]
        except UnicodeDecodeError:
            raise DataError(source, "damaged UTF-16 text; save the file as UTF-8") from None
    if first.startswith(codecs.BOM_UTF8):
        chunks = [first[len(codecs.BOM_UTF8) :], *chunks[1:]]
    for i, chunk in enumerate(chunks):
        nul = chunk.find(b"\0")
        if nul >= 0:
            raise DataError(source, "binary data (a NUL byte), not text; choose a CSV or text file",
                            _line_in(chunks, i, nul))
    pieces, carried = [], b""
    for i, chunk in enumerate(chunks):
        chunk = carried + chunk  # (the carried bytes are no line ends: line numbers hold)
        end = len(chunk) if i == len(chunks) - 1 else _character_start(chunk)
        chunk, carried = chunk[:end], chunk[end:]
        try:
            pieces.append(chunk.decode("utf-8"))
        except UnicodeDecodeError as e:
            byte = chunk[e.start]
            raise DataError(source, f"not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8",
                            _line_in([*chunks[:i], chunk], i, e.start)) from None
    return pieces


def _line_in(chunks: list[bytes], i: int, offset: int) -> int:
    """The 1-based line holding byte ``offset`` of ``chunks[i]``."""
    return sum(chunk.count(b"\n") for chunk in chunks[:i]) + _line_at(chunks[i], offset)


def _character_start(chunk: bytes) -> int:
    """Where the last character that may go on into the next chunk begins: before the last
    byte that is not a UTF-8 continuation byte (10xxxxxx), at most 3 bytes from the end;
    ``len(chunk)`` when the chunk ends in ASCII."""
    for back in range(1, min(4, len(chunk)) + 1):
        byte = chunk[-back]
        if byte < 0x80:
            return len(chunk)  # ASCII ends no character that goes on
        if byte >= 0xC0:  # a lead byte: its character may go on into the next chunk
            return len(chunk) - back
    return len(chunk)


def write_atomic(path: PathLike, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or pieces of bytes written one after another) to a temporary
    file in the same folder, then rename it over ``path``.

    The rename is atomic, so a failure at any point (disk full, permission, a crash) leaves
    an existing file as it was. A symlink is written through, not replaced. Only a regular
    file is replaced: a folder, a device (/dev/null), a FIFO or a socket is refused, since
    the rename would put a file in its place. Raises DataError naming ``path``.
    """
    source = os.fspath(path)
    target = os.path.realpath(source)
    try:
        existing = os.stat(target).st_mode
    except OSError:
        existing = None
    if existing is not None and stat.S_ISDIR(existing):
        raise DataError(source, "a folder, not a file")
    if existing is not None and not stat.S_ISREG(existing):
        problem = "not a regular file (a device, pipe or socket); choose another name"
        raise DataError(source, problem)
    mode = NEW_FILE_MODE if existing is None else stat.S_IMODE(existing)
    try:
        fd, temp = tempfile.mkstemp(
            dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=".tmp"
        )
    except OSError as e:
        raise _os_error(source, e, "write") from None
    try:
        with os.fdopen(fd, "wb") as f:
            for piece in [data] if isinstance(data, bytes | bytearray) else data:
                f.write(piece)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename makes them the file
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(e, OSError):
            raise _os_error(source, e, "write") from None
        raise


def _os_error(source: str, e: OSError, verb: str) -> DataError:
    folder = os.path.dirname(os.path.abspath(source))
    if isinstance(e, FileNotFoundError) and verb == "write" and os.path.isdir(folder):
        # The folder is there but takes no new files (/proc, /sys): say that, not "missing"
        problem = f"cannot create a file in {folder} ({e.strerror or e}); choose another folder"
    elif isinstance(e, FileNotFoundError):
        problem = "no such file" if verb == "read" else "the folder does not exist"
    elif isinstance(e, IsADirectoryError):
        problem = "a folder, not a file"
    elif isinstance(e, PermissionError):
        problem = f"permission denied (cannot {verb} the file)"
    else:
        problem = f"cannot {verb} the file: {e.strerror or e}"
    return DataError(source, problem)


def _line_at(data: bytes | bytearray, offset: int) -> int:
    """The 1-based line holding byte ``offset`` (CRLF and LF files alike)."""
    return data.count(b"\n", 0, offset) + 1


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"
