"""Reading and writing emviz's data: tables of points, run exports, mixtures and sessions.

Pure numpy and the standard library (no Qt, ever: a test checks). Everything a user can get
wrong (a missing file, a stray word in a column, a decimal comma, a session from a newer
emviz) raises ``DataError``, a ValueError whose one-line message names the file (or
"clipboard"), the line where it helps, and the problem. A load that raises changes nothing,
so the window keeps what it had; every save is atomic (``write_atomic``, which the image
export uses too), so a failed one destroys nothing.

- ``read_table`` / ``parse_table`` -> ``Table``; ``load_points``; ``save_points_csv``
- ``run_to_json`` / ``save_run_json``; ``load_mixture_json``
- ``Session``; ``save_session`` / ``load_session``; ``replay`` (the history, recomputed);
  ``EncodedArrays`` (repeated saves of the same points encode them once)
"""

from ._files import MAX_BYTES, Progress, write_atomic
from .errors import DataError
from .runs import RUN_FORMAT, RUN_VERSION, load_mixture_json, run_to_json, save_run_json
from .session import (
    SESSION_FORMAT,
    SESSION_SUFFIX,
    SESSION_VERSION,
    EncodedArrays,
    Session,
    load_session,
    replay,
    save_session,
    session_to_json,
)
from .table import MAX_ROWS, Table, load_points, parse_table, read_table, save_points_csv

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "RUN_FORMAT",
    "RUN_VERSION",
    "SESSION_FORMAT",
    "SESSION_SUFFIX",
    "SESSION_VERSION",
    "DataError",
    "EncodedArrays",
    "Progress",
    "Session",
    "Table",
    "load_mixture_json",
    "load_points",
    "load_session",
    "parse_table",
    "read_table",
    "replay",
    "run_to_json",
    "save_points_csv",
    "save_run_json",
    "save_session",
    "session_to_json",
    "write_atomic",
]
