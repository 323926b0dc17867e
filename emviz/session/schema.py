"""What emviz accepts: one table of every value a user can hand it, with the same limits as
the controls that show it. Session files, mixture and run JSON, preferences and the command
line all check their values here, before anything changes.

Qt-free (the controls read their ranges from here too). A new field is one new row in a
table below; ``Field.check`` gives the value or raises ``SchemaError``, whose one-line message
names the field and the allowed range.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core import COVARIANCE_TYPES, INIT_METHODS

#: The largest K the controls offer.
K_MAX = 20
#: The seed box's range (a QSpinBox holds a 32-bit int; numpy's generators take any >= 0).
SEED_MAX = 2**31 - 1
#: The "Max iterations" box's range, and how many iterations ``--steps`` may run.
ITER_MAX = 10_000


_INTEGER = re.compile(r"[+-]?[0-9]+")


class SchemaError(ValueError):
    """A value outside what emviz accepts; ``field`` is its name, ``problem`` the rest."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"'{field}' {problem}")


@dataclass(frozen=True)
class Field:
    """One accepted value: its kind ("int", "float", "str", "bool") and its limits.

    low, high : inclusive bounds of a number (None: unbounded; floats must also be finite)
    choices : the allowed names of a "str" field (None: any text)
    """

    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    def allowed(self) -> str:
        """The allowed values in words, e.g. "an integer from 0 to 2147483647"."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "str":
            return "text" if self.choices is None else f"one of {', '.join(self.choices)}"
        noun = "an integer" if self.kind == "int" else "a finite number"
        if self.low is not None and self.high is not None:
            return f"{noun} from {_num(self.low)} to {_num(self.high)}"
        if self.low is not None:
            return f"{noun} >= {_num(self.low)}"
        return noun

    def check(self, name: str, value: Any) -> Any:
        """``value`` as this field's Python type; SchemaError if it is not one of the allowed."""
        ok = _KIND_TESTS[self.kind](value)
        if ok and self.kind in ("int", "float"):
            value = int(value) if self.kind == "int" else float(value)
            ok = (math.isfinite(value)
                  and (self.low is None or value >= self.low)
                  and (self.high is None or value <= self.high))
        elif ok and self.choices is not None:
            ok = value in self.choices
        if not ok:
            raise SchemaError(name, f"should be {self.allowed()}, not {_shown(value)}")
        return value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "..."


_KIND_TESTS = {
    "int": lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
}

#: The model and run settings (emviz.session.model.Settings): every field, in the controls' limits.
SETTINGS: Mapping[str, Field] = {
    "k": Field("int", 1, K_MAX),
    "init_method": Field("str", choices=tuple(INIT_METHODS)),
    "covariance_type": Field("str", choices=tuple(COVARIANCE_TYPES)),
    "reg_covar": Field("float", 0),
    "seed": Field("int", 0, SEED_MAX),
    "tol": Field("float", 0),
    "max_iter": Field("int", 1, ITER_MAX),
}

#: The view's switches (emviz.session.model.ViewOptions).
VIEW_OPTIONS: Mapping[str, Field] = {
    "soft_colors": Field("bool"),
    "show_true_mixture": Field("bool"),
    "show_oracle": Field("bool"),
    "show_density": Field("bool"),
    "show_component_density": Field("bool"),
}

#: What the application remembers between runs (emviz.gui.preferences); a bad value there is
#: ignored (the default stands) rather than refused: the user never chose that file.
PREFERENCES: Mapping[str, Field] = {
    "speed": Field("int", 0, 60),
}

#: A mixing weight π_k set by hand (typed into the parameter table, or from its handle): the
#: other weights are rescaled to keep their proportions, so none may reach 0 or 1 (a zero
#: weight gives ln π_k = −∞, and the bound L(q, θ) with it wherever q holds that component).
WEIGHT = Field("float", 0.001, 0.999)

#: Command-line values that are not settings (emviz.cli).
CLI: Mapping[str, Field] = {
    "steps": Field("int", 0, ITER_MAX),
}


def check_all(table: Mapping[str, Field], values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every field of ``table`` checked in ``values`` (missing or extra names refused).
    ``prefix`` goes before each name in a message ("settings.")."""
    missing = [name for name in table if name not in values]
    if missing:
        raise SchemaError(prefix + missing[0], "is missing")
    extra = [name for name in values if name not in table]
    if extra:
        raise SchemaError(prefix + extra[0], f"is not a field emviz knows (it knows {', '.join(table)})")
    return {name: field.check(prefix + name, values[name]) for name, field in table.items()}


def parse_float(field: Field, text: str, name: str) -> float:
    """A number typed by a user, checked against ``field``: " 0.25 " -> 0.25, "−0.5" (a real
    minus sign, as emviz prints) -> -0.5; SchemaError for text that is no number."""
    cleaned = str(text).strip().replace("\u2212", "-")
    try:
        value = float(cleaned) if len(cleaned) <= 40 else math.nan
    except ValueError:
        raise SchemaError(name, f"should be {field.allowed()}, not {_shown(str(text))}") from None
    return field.check(name, value)


def parse_int(field: Field, text: str, name: str) -> int:
    """A command-line integer checked against ``field``: "12" -> 12; SchemaError otherwise
    (including for "1e3", "0x10", " 5" and numbers too large for any C int)."""
    # ASCII digits only (str.isdigit takes "²"); 30 digits are out of every range, and int()
    # of a very long text is slow
    if not (_INTEGER.fullmatch(text) and len(text) <= 30):
        raise SchemaError(name, f"should be {field.allowed()}, not {_shown(text)}")
    return field.check(name, int(text))
