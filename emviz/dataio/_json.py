"""JSON documents: writing them readably, and reading them with errors that name the key."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..core import Mixture
from ..session import schema
from ..session.model import Settings
from ._files import MAX_BYTES, PathLike, Progress, read_text
from ._layout import first_unfit, unfit
from .errors import DataError

#: A JSON type, as (test, how a message names it).
Kind = tuple[Any, str]
INT: Kind = (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer")
NUMBER: Kind = (lambda v: isinstance(v, int | float) and not isinstance(v, bool), "a number")
STRING: Kind = (lambda v: isinstance(v, str), "a string")
BOOL: Kind = (lambda v: isinstance(v, bool), "true or false")
LIST: Kind = (lambda v: isinstance(v, list), "a list")
OBJECT: Kind = (lambda v: isinstance(v, dict), "an object {...}")


def dumps(document: dict[str, Any], encoded: Mapping[str, str] | None = None) -> str:
    """JSON text with one top-level key per line, and one line per row of a list of rows.

    A person can read it (the settings at the top, one point or one half-step per line), and
    a file cut short reports a line that says how far it got. Non-finite floats are refused
    (json would write the non-standard NaN), so callers write null for "no value".

    ``encoded`` maps more keys, written after the document's, to their values' text from
    ``encode``: a caller that writes the same large value again and again encodes it once.
    """
    return "".join(dump_pieces(document, {key: [text] for key, text in (encoded or {}).items()}))


def dump_pieces(document: dict[str, Any], encoded: Mapping[str, list[str]]) -> list[str]:
    """``dumps`` as pieces of text to write one after another; ``encoded`` maps keys to the
    pieces of their values' text (``encode_array_pieces``). A million points are then never
    one string: joining or encoding 40 MB in one call holds the GIL for a few hundred ms, and
    a save runs beside the GUI thread."""
    texts = {key: [encode(value)] for key, value in document.items()} | dict(encoded)
    pieces = []
    for i, (key, parts) in enumerate(texts.items()):
        pieces.append(("{\n" if i == 0 else ",\n") + f" {json.dumps(key)}: ")
        pieces.extend(parts)
    pieces.append("\n}\n" if texts else "{\n\n}\n")
    return pieces


def encode(value: Any) -> str:
    """One top-level value's text in ``dumps``: a list of rows one row per line."""
    if isinstance(value, list) and value and isinstance(value[0], list | dict):
        return "[\n  " + ",\n  ".join(map(_compact, value)) + "\n ]"
    return _compact(value)


def encode_array(a: np.ndarray, chunk: int = 10_000) -> str:
    """``encode(a.tolist())`` for an array of rows or of numbers, converted ``chunk`` rows at a
    time: a thread encoding a million points then lets the GUI thread run between chunks
    (one ``tolist()`` of them all would hold the GIL for about a second)."""
    return "".join(encode_array_pieces(a, chunk))


def encode_array_pieces(a: np.ndarray, chunk: int = 10_000) -> list[str]:
    """``encode_array(a)`` as pieces of about ``chunk`` rows each (their concatenation)."""
    if len(a) == 0:
        return [encode(a.tolist())]
    chunks = (a[i : i + chunk].tolist() for i in range(0, len(a), chunk))
    if a.ndim == 1:
        texts, first, sep, last = (_compact(c)[1:-1] for c in chunks), "[", ", ", "]"
    else:
        texts, first, sep, last = (",\n  ".join(map(_compact, c)) for c in chunks), "[\n  ", ",\n  ", "\n ]"
    pieces = [(first if i == 0 else sep) + text for i, text in enumerate(texts)]
    return [*pieces, last]


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def load(path: PathLike, max_bytes: int = MAX_BYTES, progress: Progress | None = None) -> Fields:
    """A JSON file's top-level object; DataError names the line where a damaged file stops."""
    source = os.fspath(path)
    text = read_text(path, max_bytes, progress)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        problem = f"the file is incomplete or damaged (JSON parsing stopped here: {e.msg}, column {e.colno})"
        raise DataError(source, problem, e.lineno) from None
    except RecursionError:
        raise DataError(source, "the file is damaged (JSON nested too deeply)") from None
    if not isinstance(document, dict):
        raise DataError(source, "not an emviz file: expected a JSON object {...} at the top")
    return Fields(source, document)


class Fields:
    """Typed access to a JSON object: a missing key or a wrong type is a DataError naming
    the key by its path, e.g. ``settings.tol`` or ``states[3].means``."""

    def __init__(self, source: str, document: dict[str, Any], path: str = "") -> None:
        self.source = source
        self.document = document
        self.path = path

    def __contains__(self, key: str) -> bool:
        return key in self.document

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, problem: str) -> DataError:
        return DataError(self.source, problem)

    def get(self, key: str, kind: Kind, *, nullable: bool = False) -> Any:
        """The value at ``key``, checked to be of ``kind`` (or null, if ``nullable``)."""
        if key not in self.document:
            raise self.error(f"missing key '{self.name(key)}'")
        value = self.document[key]
        if (value is None and nullable) or kind[0](value):
            return value
        shown = json.dumps(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise self.error(f"'{self.name(key)}' should be {kind[1]}, not {shown}")

    def object(self, key: str) -> Fields:
        return Fields(self.source, self.get(key, OBJECT), self.name(key))

    def numbers(
        self, key: str, what: str, kinds: str = "iuf", *, nullable: bool = False
    ) -> np.ndarray | None:
        """A nested list of numbers as an array (``kinds``: numpy kinds allowed, "iu" for
        integers); ``what`` describes the expected shape for the message."""
        value = self.get(key, LIST, nullable=nullable)
        if value is None:
            return None
        numbers = "integers" if kinds == "iu" else "numbers"
        problem = f"'{self.name(key)}' should be {what} of {numbers}"
        try:
            a = np.asarray(value)
        except ValueError:  # ragged rows
            raise self.error(problem) from None
        if a.size and a.dtype.kind not in kinds:
            raise self.error(problem)
        return a


#: What each format is called in a message.
FORMAT_NAMES = {"emviz-run": "an emviz run export", "emviz-session": "an emviz session"}


def check_format(fields: Fields, expected: str, version: int) -> None:
    """Refuse a file of another kind, or one written by a newer emviz, before reading it."""
    found = fields.get("format", STRING)
    if found != expected:
        raise fields.error(
            f"{FORMAT_NAMES.get(found, f'format {found!r}')}, not {FORMAT_NAMES.get(expected, expected)}"
        )
    written = fields.get("version", INT)
    if written > version:
        raise fields.error(
            f"written by a newer emviz (version {written}); this emviz reads version {version}"
        )
    if written < 1:
        raise fields.error(f"unknown version {written}; this emviz reads version {version}")


def settings_from_json(fields: Fields) -> Settings:
    """Settings from a JSON object: every field of schema.SETTINGS is required, of its JSON
    type, and within the range its control shows; a DataError names the first that is not."""
    values = {}
    for name, field in schema.SETTINGS.items():
        value = fields.get(name, _SCHEMA_KINDS[field.kind])
        try:
            values[name] = field.check(fields.name(name), value)
        except schema.SchemaError as e:
            raise fields.error(str(e)) from None
    return Settings(**values)


#: The JSON type of each kind of schema field (a JSON integer is a number too).
_SCHEMA_KINDS = {"int": INT, "float": NUMBER, "str": STRING, "bool": BOOL}


def settings_to_json(settings: Settings) -> dict[str, Any]:
    return {key: _plain(value) for key, value in dataclasses.asdict(settings).items()}


def _plain(value: Any) -> Any:
    """A numpy scalar (say an np.int64 seed from a spin box) as the Python number json needs."""
    return value.item() if isinstance(value, np.generic) else value


def mixture_to_json(mixture: Mixture) -> dict[str, Any]:
    return {
        "weights": mixture.weights.tolist(),
        "means": mixture.means.tolist(),
        "covariances": mixture.covariances.tolist(),
    }


def mixture_from_json(fields: Fields) -> Mixture:
    """A 2-D (or 1-D) Mixture from ``weights``, ``means``, ``covariances``; checked by
    Mixture itself."""
    weights = fields.numbers("weights", "a list (π_1, ..., π_K)")
    means = fields.numbers("means", "a list of K pairs [x, y]")
    covariances = fields.numbers("covariances", "a list of K 2×2 matrices")
    k = max(len(a) if a.ndim else 1 for a in (weights, means, covariances))
    if k > schema.K_MAX:  # more than the K control can show; refused before checking each Σ_k
        raise fields.error(f"'{fields.name('weights')}' gives K = {k} components; "
                           f"emviz takes K from 1 to {schema.K_MAX}")
    if means.ndim == 2 and means.shape[1] not in (1, 2):
        raise fields.error(f"'{fields.name('means')}' is a {means.shape[1]}-D mixture; emviz "
                           "shows 2-D mixtures (and 1-D ones, over one column)")
    found = first_unfit(means) if means.ndim == 2 else None
    if found is not None:  # EM could not square the distances to such a mean
        raise fields.error(f"'{fields.name('means')}[{found[0]}]' holds {unfit(means[found])}")
    try:
        mixture = Mixture(weights, means, covariances)
    except ValueError as e:
        raise fields.error(f"invalid mixture{f' in {fields.path}' if fields.path else ''}: {e}") from None
    return mixture


def finite_or_none(value: float) -> float | None:
    """A float for JSON: NaN and infinities become null (JSON has no NaN)."""
    value = float(value)
    return value if np.isfinite(value) else None
