"""The numeric core never imports Qt: checked at run time and in the source."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import emviz.core

CORE = Path(emviz.core.__file__).resolve().parent
QT_PACKAGES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2", "pyqtgraph", "qtpy")


def test_importing_core_loads_no_qt_module():
    code = (
        "import json, sys\n"
        "import emviz.core\n"
        "import emviz.core.datasets, emviz.core.em, emviz.core.density\n"
        f"qt = {QT_PACKAGES!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in qt)))\n"
        "print(json.dumps('emviz.core' in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded, core_loaded = (json.loads(line) for line in result.stdout.splitlines())
    assert core_loaded
    assert loaded == []


def qt_imports(source: str) -> list[str]:
    """Every import (statement, importlib.import_module or __import__) of a Qt package."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                names = [node.args[0].value]
        found += [name for name in names if name.split(".")[0] in QT_PACKAGES]
    return found


def test_the_source_scan_catches_qt_imports():
    """The scanner itself can fail: each of these spellings is caught."""
    for source in (
        "import PySide6",
        "from PySide6.QtCore import Qt",
        "import pyqtgraph as pg",
        "def f():\n    import pyqtgraph.opengl\n",
        "import importlib\nimportlib.import_module('PySide6.QtWidgets')",
        "qt = __import__('shiboken6')",
    ):
        assert qt_imports(source), source
    assert qt_imports("import numpy as np\nfrom .mixture import Mixture\n# PySide6 is not here") == []


def test_no_core_file_imports_qt():
    files = sorted(CORE.rglob("*.py"))
    assert CORE / "em.py" in files and CORE / "density.py" in files
    offenders = {
        str(path.relative_to(CORE)): qt_imports(path.read_text(encoding="utf-8")) for path in files
    }
    assert {name: found for name, found in offenders.items() if found} == {}
