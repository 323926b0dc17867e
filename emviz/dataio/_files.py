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

#: A file is read in chunks of this many bytes, with a progress report after each.
READ_CHUNK_BYTES = 4_000_000

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
    source = os.fspath(path)
    try:
        size = os.stat(source).st_size
        if size > max_bytes:
            problem = f"too large ({size / 1e6:,.1f} MB); emviz reads files up to {_mb(max_bytes)}"
            raise DataError(source, problem)
        with open(source, "rb") as f:
            data = _read(f, size, max_bytes + 1, progress)  # it may have grown since stat
    except OSError as e:
        raise _os_error(source, e, "read") from None
    if len(data) > max_bytes:
        raise DataError(source, f"too large; emviz reads files up to {_mb(max_bytes)}")
    return decode(data, source)


def _read(f: BinaryIO, size: int, limit: int, progress: Progress | None) -> bytearray:
    """Up to ``limit`` bytes of ``f``, chunk by chunk, telling ``progress`` after each."""
    data = bytearray()
    while len(data) < limit:
        chunk = f.read(min(READ_CHUNK_BYTES, limit - len(data)))
        if not chunk:
            break
        data += chunk
        if progress is not None:
            progress("bytes", len(data), max(size, len(data)))
    return data


def decode(data: bytes | bytearray, source: str) -> str:
    """Bytes to text; a DataError names the line of the first NUL byte or non-UTF-8 byte."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: decode it rather than call it binary
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(source, "damaged UTF-16 text; save the file as UTF-8") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    nul = data.find(b"\0")
    if nul >= 0:
        raise DataError(
            source, "binary data (a NUL byte), not text; choose a CSV or text file", _line_at(data, nul)
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        byte = data[e.start]
        raise DataError(
            source, f"not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8", _line_at(data, e.start)
        ) from None


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
