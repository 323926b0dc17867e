"""A run's history as JSON (every half-step's θ, ln p and L), and mixtures read back from JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..core import EMState, Mixture
from ..session.model import Settings
from . import _json
from ._files import PathLike, write_atomic

RUN_FORMAT = "emviz-run"
RUN_VERSION = 1


def run_to_json(history: Sequence[EMState], settings: Settings, points_name: str = "") -> dict[str, Any]:
    """The run as a JSON-ready dict: one entry in ``states`` per half-step, in order.

    Each state has its phase ("init", "E", "M"), iteration, π (``weights``), μ (``means``),
    Σ (``covariances``), ln p(X | θ) (``log_likelihood``), L(q, θ) (``lower_bound``, null
    for "init", which has no q), ``converged`` and ``degenerate`` (components with N_k < 1).
    """
    settings_json = _json.settings_to_json(settings)
    return {
        "format": RUN_FORMAT,
        "version": RUN_VERSION,
        "emviz_version": __version__,  # which emviz wrote it
        "points_name": points_name,
        "seed": settings_json["seed"],
        "settings": settings_json,
        "states": [_state_to_json(state) for state in history],
    }


def _state_to_json(state: EMState) -> dict[str, Any]:
    return {
        "phase": state.phase,
        "iteration": int(state.iteration),
        **_json.mixture_to_json(state.mixture),
        "log_likelihood": _json.finite_or_none(state.log_likelihood),
        "lower_bound": _json.finite_or_none(state.lower_bound),
        "converged": bool(state.converged),
        "degenerate": [int(k) for k in state.degenerate],
    }


def save_run_json(
    path: PathLike, history: Sequence[EMState], settings: Settings, points_name: str = ""
) -> None:
    """Write ``run_to_json`` to ``path`` (UTF-8, one half-step per line), atomically."""
    write_atomic(path, _json.dumps(run_to_json(history, settings, points_name)).encode("utf-8"))


def load_mixture_json(path: PathLike) -> Mixture:
    """A 2-D mixture θ from JSON: ``weights``, ``means``, ``covariances`` at the top level,
    or an emviz-run file (its last state's θ). Raises DataError naming the file and key."""
    fields = _json.load(path)
    if "format" not in fields:
        return _json.mixture_from_json(fields)
    _json.check_format(fields, RUN_FORMAT, RUN_VERSION)
    states = fields.get("states", _json.LIST)
    if not states:
        raise fields.error("the run has no states to take a mixture from")
    last = len(states) - 1
    if not isinstance(states[last], dict):
        raise fields.error(f"'states[{last}]' should be an object {{...}}")
    return _json.mixture_from_json(_json.Fields(fields.source, states[last], f"states[{last}]"))
