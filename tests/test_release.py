"""What a release carries: the BSD-3-Clause LICENSE in the wheel and the sdist, the package
metadata (license, authors, classifiers, keywords), and one version, defined once in
emviz/__init__.py, that the wheel, ``emviz --version``, session files, run exports and
image exports all report."""

from __future__ import annotations

import email
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import emviz

SOURCE = Path(emviz.__file__).resolve().parents[1]
PYPROJECT = SOURCE / "pyproject.toml"


def test_the_license_is_bsd_3_clause_of_the_emviz_developers():
    text = (SOURCE / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License")
    assert "Copyright (c) 2026, The emviz developers" in text
    assert "Neither the name of the copyright holder nor the names of its" in text


def test_the_version_is_written_once_in_the_package():
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "emviz.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", emviz.__version__)


def test_pyproject_comments_cite_only_files_that_exist():
    cited = re.findall(r"tests/[\w/]+\.py", PYPROJECT.read_text(encoding="utf-8"))
    assert cited  # the PySide6 pin names the test that guards it
    assert [c for c in cited if not (SOURCE / c).is_file()] == []


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> Path:
    """The wheel and the sdist of a copy of the sources, built by setuptools' PEP 517 hooks
    in this venv (no network, no build isolation)."""
    tmp = tmp_path_factory.mktemp("dist")
    tree, out = tmp / "src", tmp / "dist"
    for name in ("emviz", "resources"):
        shutil.copytree(SOURCE / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(SOURCE / name, tree / name)
    code = ("import sys, setuptools.build_meta as b; out = sys.argv[1]; "  # setuptools rewrites argv
            "b.build_wheel(out); b.build_sdist(out)")
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=tree, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    return out


def wheel_of(dists: Path) -> zipfile.ZipFile:
    wheel, = dists.glob("emviz-*.whl")
    return zipfile.ZipFile(wheel)


def test_the_wheel_ships_the_license_and_says_so_in_its_metadata(dists):
    version = emviz.__version__
    with wheel_of(dists) as wheel:
        names = set(wheel.namelist())
        info = f"emviz-{version}.dist-info"
        assert f"{info}/licenses/LICENSE" in names
        assert wheel.read(f"{info}/licenses/LICENSE") == (SOURCE / "LICENSE").read_bytes()
        assert "emviz/resources/datasets/README.md" in names  # the Old Faithful attribution
        assert "emviz/resources/icons/emviz.svg" in names
        meta = email.message_from_bytes(wheel.read(f"{info}/METADATA"))
    assert meta["Version"] == version
    assert meta["License-Expression"] == "BSD-3-Clause"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert "The emviz developers" in meta["Author"]
    classifiers = set(meta.get_all("Classifier"))
    assert {"Intended Audience :: Education", "Intended Audience :: Science/Research",
            "Operating System :: POSIX :: Linux", "Programming Language :: Python :: 3.11",
            "Topic :: Scientific/Engineering :: Visualization"} <= classifiers
    tested = f"Programming Language :: Python :: {sys.version_info.major}.{sys.version_info.minor}"
    assert tested in classifiers
    assert not any(c.startswith("License ::") for c in classifiers)  # the expression says it
    assert "Gaussian mixture" in meta["Keywords"]


def test_the_sdist_ships_the_license(dists):
    sdist, = dists.glob("emviz-*.tar.gz")
    root = f"emviz-{emviz.__version__}"
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
        assert f"{root}/LICENSE" in names
        assert f"{root}/resources/datasets/README.md" in names
        assert f"{root}/resources/icons/emviz.svg" in names
        meta = email.message_from_bytes(tar.extractfile(f"{root}/PKG-INFO").read())
    assert meta["Version"] == emviz.__version__
    assert meta["License-Expression"] == "BSD-3-Clause"


def test_emviz_version_prints_the_version_and_exits_0():
    done = subprocess.run([sys.executable, "-m", "emviz", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"emviz {emviz.__version__}\n", "")


def test_session_files_and_run_exports_name_the_emviz_that_wrote_them(tmp_path):
    import json

    import numpy as np

    from emviz.core import initialize, run_em
    from emviz.dataio import Session, load_session, run_to_json, save_session
    from emviz.session.model import Settings

    X = np.random.default_rng(0).normal(size=(30, 2))
    path = tmp_path / "s.emviz"
    save_session(path, Session(points=X))
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["emviz_version"] == emviz.__version__
    from emviz.dataio.session import SESSION_VERSION

    # the file format's version is another thing, not the program's
    assert document["version"] == SESSION_VERSION != emviz.__version__
    assert np.array_equal(load_session(path).points, X)
    del document["emviz_version"]  # a file from before the field still opens
    path.write_text(json.dumps(document), encoding="utf-8")
    assert np.array_equal(load_session(path).points, X)

    settings = Settings()
    theta0 = initialize(X, 2, settings.init_method, np.random.default_rng(0), "full", 1e-6)
    history = list(run_em(X, theta0, "full", 1e-6, 1e-4, 3))
    assert run_to_json(history, settings)["emviz_version"] == emviz.__version__
