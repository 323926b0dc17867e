"""The files of the top-level resources/ folder (data sets, lesson text), wherever emviz runs
from. No Qt here.

A wheel ships resources/ inside the package, as emviz/resources/ (pyproject.toml maps it to
the package emviz.resources). A checkout (an editable install, or a tree on PYTHONPATH) has
it next to the emviz/ folder. The folder is looked up beside the emviz package that is
actually imported, not through the import system's emviz.resources: with a worktree on
PYTHONPATH and another checkout installed editable in the same venv, the import system could
answer with the other checkout's files, and in an editable install (setuptools' finder,
measured here) ``importlib.resources.files("emviz.resources")`` finds nothing at all.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def _root() -> Traversable:
    installed = resources.files(__package__) / "resources"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[1] / "resources"


def resource(*parts: str) -> Traversable:
    """``resources/<parts...>``: a file or folder to ``open()``, ``read_text()`` or
    ``iterdir()`` (a ``pathlib.Path`` unless emviz is imported from a zip file)."""
    return _root().joinpath(*parts)


def read_resource_text(*parts: str) -> str:
    """The text of the file ``resources/<parts...>`` (UTF-8)."""
    return resource(*parts).read_text(encoding="utf-8")
