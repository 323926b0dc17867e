"""What a wheel of emviz holds: every module, and everything under the top-level resources/
folder (as emviz/resources/), and the installed layout finds its data. ``make wheel-check``
builds and installs a real wheel in a fresh venv; this is the quick check for the suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import emviz

SOURCE = Path(emviz.__file__).resolve().parents[1]  # the checkout these tests run from


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """setuptools' ``build_py`` output for a copy of the source tree: the files bdist_wheel
    puts in the wheel besides its metadata. A copy, because setuptools writes its egg-info
    next to pyproject.toml."""
    tmp = tmp_path_factory.mktemp("wheel")
    tree, build = tmp / "src", tmp / "build"
    for name in ("emviz", "resources"):
        shutil.copytree(SOURCE / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(SOURCE / name, tree / name)
    # A folder that does not exist yet ships too: the wheel takes all of resources/, not a list.
    (tree / "resources" / "lesson" / "figures").mkdir(parents=True)
    (tree / "resources" / "lesson" / "01-mixtures.md").write_text("# Mixtures\n", encoding="utf-8")
    (tree / "resources" / "lesson" / "figures" / "ring.svg").write_text("<svg/>\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "--build-lib",
         str(build)], cwd=tree, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return build


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_the_wheel_holds_every_module_and_every_resource(built):
    shipped = files_under(built)
    modules = {f"emviz/{name}" for name in files_under(SOURCE / "emviz") if name.endswith(".py")}
    resources = {f"emviz/resources/{name}" for name in files_under(SOURCE / "resources")}
    assert "emviz/resources/datasets/old_faithful.csv" in resources
    resources |= {"emviz/resources/lesson/01-mixtures.md", "emviz/resources/lesson/figures/ring.svg"}
    missing = sorted((modules | resources) - shipped)
    assert not missing, f"not in the wheel (add the package to pyproject.toml): {missing}"
    assert {name.split("/")[0] for name in shipped} == {"emviz"}  # no top-level "resources"


def test_the_installed_layout_reads_its_own_data(built, tmp_path):
    """A fresh interpreter that imports emviz from the built files, in a folder that is not
    the checkout, finds Old Faithful inside the package."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import emviz; "
            "from emviz.core.datasets import old_faithful; "
            "print(old_faithful(False).X.shape); print(emviz.__file__); print(emviz.resource('datasets'))")
    done = subprocess.run([sys.executable, "-I", "-c", code, str(built)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    shape, module, folder = done.stdout.splitlines()
    assert Path(module) == built / "emviz" / "__init__.py"
    assert Path(folder) == built / "emviz" / "resources" / "datasets"
    assert shape == "(272, 2)"


def test_a_checkout_reads_its_own_resources_folder():
    assert Path(str(emviz.resource("datasets", "old_faithful.csv"))) == (
        SOURCE / "resources" / "datasets" / "old_faithful.csv")
    assert emviz.read_resource_text("datasets", "old_faithful.csv").startswith("eruptions,waiting")
