"""`make run` and `make test` start emviz from compiled bytecode: the editable install leaves
none, and where PYTHONDONTWRITEBYTECODE is set no start writes any, so every start compiled
emviz's modules again (130 ms of CPU time). The Makefile's set-up compiles them; an edited
module must still run as edited, however soon after the compile the edit comes."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import emviz

SOURCE = Path(emviz.__file__).resolve().parents[1]  # the checkout these tests run from

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the checkout's Makefile and emviz whose .venv is set up (its python this
    interpreter, its install stamp newer than pyproject.toml), no bytecode in it yet."""
    tree = tmp_path / "checkout"
    shutil.copytree(SOURCE / "emviz", tree / "emviz", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(SOURCE / name, tree / name)
    (tree / ".venv" / "bin").mkdir(parents=True)
    (tree / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (tree / ".venv" / ".installed").touch()
    return tree


def set_up(tree: Path) -> None:
    """What `make run` and `make test` do before they start anything (the recipes they run
    first, up to the program itself)."""
    done = subprocess.run(["make", "-s", ".venv/.bytecode"], cwd=tree, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    plan = subprocess.run(["make", "-n", "run", "test"], cwd=tree, capture_output=True,
                          text=True, timeout=60)
    assert "compileall" not in plan.stdout  # done: neither compiles again


def cached(source: Path) -> bool:
    """Whether the interpreter reads ``source``'s code from a current .pyc: one that holds
    the hash of this very source (so it is checked at every import)."""
    pyc = Path(importlib.util.cache_from_source(str(source)))
    if not pyc.is_file():
        return False
    header = pyc.read_bytes()[:16]
    flags = int.from_bytes(header[4:8], "little")
    return (header[:4] == importlib.util.MAGIC_NUMBER and flags == 0b11  # hash-based, checked
            and header[8:16] == importlib.util.source_hash(source.read_bytes()))


def test_the_set_up_leaves_every_module_compiled(checkout):
    modules = sorted((checkout / "emviz").rglob("*.py"))
    assert len(modules) > 50 and not any(cached(m) for m in modules)
    set_up(checkout)
    assert [m.relative_to(checkout).as_posix() for m in modules if not cached(m)] == []


def test_an_edited_module_runs_as_edited_at_once(checkout):
    """Edited right after the compile, to the same size and with the same modification time
    (all that a timestamp .pyc compares), and run with no bytecode written."""
    module = checkout / "emviz" / "_probe.py"
    module.write_text('WORD = "old"\n', encoding="utf-8")
    set_up(checkout)
    assert cached(module)
    stat = module.stat()
    module.write_text('WORD = "new"\n', encoding="utf-8")
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    code = f"import sys; sys.path.insert(0, {str(checkout)!r}); import emviz._probe as p; print(p.WORD)"
    done = subprocess.run([sys.executable, "-I", "-B", "-c", code], capture_output=True,
                          text=True, timeout=60, cwd=checkout)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["new"]
    assert not cached(module)  # the old .pyc is still there, and was not used
