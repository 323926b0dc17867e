"""``emviz FILE``: the file a desktop hands over ("Open with", a double click) opens as File →
Open would: an .emviz session, a table of points, or a mixture JSON as θ₀. With
``--screenshot`` nobody can answer a dialog: a table's first two columns are taken, and a
file the menu would refuse is one line on stderr and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from emviz import cli
from emviz.core import Mixture, initialize
from emviz.dataio import Session, save_session
from emviz.session.model import Settings

from .conftest import blobs, run_emviz_command

pytestmark = pytest.mark.usefixtures("qapp")  # main() finds the test's application


@pytest.fixture
def session_file(tmp_path):
    """Three blobs, K = 3, k-means++ seed 4, 7 half-steps recorded, the 5th shown."""
    rng = np.random.default_rng(3)
    X = np.r_[rng.normal((-3, 0), 0.4, (40, 2)), rng.normal((3, 0), 0.4, (40, 2)),
              rng.normal((0, 4), 0.4, (40, 2))]
    settings = Settings(k=3, init_method="kmeans++", seed=4)
    theta0 = initialize(X, 3, "kmeans++", np.random.default_rng(4), "full", settings.reg_covar)
    session = Session(points=X, dataset_name="three blobs", settings=settings, index=4,
                      n_half_steps=7, initial_mixture=theta0)
    path = tmp_path / "three.emviz"
    save_session(path, session)
    return path, session


def shoot(monkeypatch, tmp_path, *args: str) -> dict:
    """``emviz ARGS --screenshot`` run in this process; what the window showed when the
    picture was taken."""
    seen = {}
    save = cli._save_screenshot

    def recording(window, parsed):
        m = window.model
        seen.update(points=np.array(m.points), k=m.settings.k, index=m.index, name=m.dataset_name,
                    theta0=m.history[0].mixture, n=len(m.history))
        save(window, parsed)

    monkeypatch.setattr(cli, "_save_screenshot", recording)
    out = tmp_path / "shot.png"
    font = QApplication.font()
    try:
        code = cli.main([*args, "--screenshot", str(out), "--size", "640x400"])
    finally:
        QApplication.setFont(font)
    seen["code"] = code
    if code == 0:
        assert out.stat().st_size > 1000
    return seen


def test_a_session_file_opens_where_it_was_left(monkeypatch, tmp_path, session_file):
    path, session = session_file
    seen = shoot(monkeypatch, tmp_path, str(path))
    assert seen["code"] == 0
    assert np.array_equal(seen["points"], session.points)
    assert (seen["k"], seen["index"], seen["n"], seen["name"]) == (3, 4, 7, "three blobs")
    assert np.array_equal(seen["theta0"].means, session.initial_mixture.means)


def test_a_table_with_three_columns_takes_the_first_two_when_nobody_can_choose(monkeypatch, tmp_path):
    X = blobs(60)
    path = tmp_path / "points.tsv"
    rows = "".join(f"{x!r}\t{y!r}\t{x + y!r}\n" for x, y in X.tolist())
    path.write_text("a\tb\tc\n" + rows, encoding="utf-8")
    seen = shoot(monkeypatch, tmp_path, "--k", "2", str(path))
    assert seen["code"] == 0
    assert np.array_equal(seen["points"], X) and seen["name"] == "points"


def test_a_mixture_json_becomes_theta0_and_sets_k(monkeypatch, tmp_path):
    mixture = Mixture(np.array([0.2, 0.3, 0.5]), np.array([[-1.0, 0], [1, 0], [0, 1.5]]),
                      np.array([np.eye(2) * 0.3] * 3))
    path = tmp_path / "theta.json"
    path.write_text(json.dumps({"weights": mixture.weights.tolist(), "means": mixture.means.tolist(),
                                "covariances": mixture.covariances.tolist()}), encoding="utf-8")
    seen = shoot(monkeypatch, tmp_path, str(path))
    assert seen["code"] == 0 and seen["k"] == 3
    assert np.array_equal(seen["theta0"].means, mixture.means)


@pytest.mark.parametrize("name, text, fragment", [
    ("bad.csv", "x,y\n1,2\n3,oops\n", "bad.csv, line 3"),
    ("new.emviz", json.dumps({"format": "emviz-session", "version": 99}), "newer emviz"),
    ("theta.json", json.dumps({"weights": [1.0]}), "theta.json"),
    ("missing.csv", None, "missing.csv"),
])
def test_a_file_the_menu_would_refuse_is_one_line_and_exit_2(monkeypatch, tmp_path, capsys, name, text,
                                                             fragment):
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    seen = shoot(monkeypatch, tmp_path, str(path))
    assert seen == {"code": 2}  # no picture was taken
    assert not (tmp_path / "shot.png").exists()
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("emviz: error: ") and fragment in lines[0], lines


def test_too_few_points_for_the_mixture_is_refused_like_the_menu(monkeypatch, tmp_path, capsys):
    data = tmp_path / "two.csv"
    data.write_text("x,y\n0,0\n1,1\n", encoding="utf-8")
    theta = tmp_path / "theta.json"
    theta.write_text(json.dumps({"weights": [0.5, 0.25, 0.25], "means": [[0, 0], [1, 1], [2, 2]],
                                 "covariances": [[[1, 0], [0, 1]]] * 3}), encoding="utf-8")
    assert shoot(monkeypatch, tmp_path, "--data", str(data), "--k", "2", str(theta)) == {"code": 2}
    err = capsys.readouterr().err.strip()
    assert err == "emviz: error: theta.json: the mixture has K = 3 components but there are only 2 points"


def test_the_real_command_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,oops\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "emviz", str(bad), "--screenshot", str(tmp_path / "x.png")],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("emviz: error: ") and "bad.csv, line 3" in lines[0], lines
    assert not (tmp_path / "x.png").exists()


def test_the_window_opens_the_file_it_is_given(monkeypatch, session_file, qtbot):
    path, session = session_file
    seen = {}

    def while_open(window):
        qtbot.waitUntil(lambda: window.model.index == 4 and not window.controller.busy, timeout=20_000)
        seen.update(points=np.array(window.model.points), k=window.model.settings.k,
                    title=window.windowTitle())
        window.close()

    assert run_emviz_command(monkeypatch, [str(path)], while_open) == 0
    assert np.array_equal(seen["points"], session.points) and seen["k"] == 3


def test_the_window_refuses_a_bad_file_as_the_menu_does(monkeypatch, tmp_path, qtbot):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,oops\n", encoding="utf-8")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
    seen = {}

    def while_open(window):
        seen["n"] = len(window.model.points)
        window.close()

    assert run_emviz_command(monkeypatch, [str(bad)], while_open) == 0
    assert len(warnings) == 1 and "bad.csv, line 3" in warnings[0]
    assert seen["n"] == 272  # it keeps the data it had (Old Faithful)


def test_dropping_a_mixture_json_imports_it_as_theta0(window, qtbot, tmp_path, monkeypatch):
    """A drop goes through the same open_file: a .json is a mixture, no longer read as a table
    (which refused it)."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    path = tmp_path / "theta.json"
    means = [[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    path.write_text(json.dumps({"weights": [0.3, 0.3, 0.4], "means": means,
                                "covariances": [[[0.5, 0], [0, 0.5]]] * 3}), encoding="utf-8")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                      Qt.KeyboardModifier.NoModifier)
    assert window.files.eventFilter(window, drop)  # as Qt would hand it over (see test_files)
    assert warnings == []
    qtbot.waitUntil(lambda: window.model.settings.k == 3 and not window.controller.busy
                    and len(window.history) > 0, timeout=20_000)
    assert np.array_equal(window.history[0].mixture.means, means)
