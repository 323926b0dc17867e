"""Issue 17 in the window: a refused file changes nothing and the window stays usable; what
a table's reading noticed reaches the status bar."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QMessageBox

from .conftest import loaded, wait_for_history


@pytest.fixture
def warnings_shown(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


@pytest.mark.parametrize("edit", [
    {"seed": -3}, {"tol": -1}, {"seed": 2147483653}, {"max_iter": 0}, {"k": 99},
])
def test_a_refused_session_leaves_the_window_as_it_was_and_em_still_runs(
        window, qtbot, tmp_path, warnings_shown, edit):
    path = tmp_path / "s.emviz"
    assert window.files.save_session(str(path))
    document = json.loads(path.read_text(encoding="utf-8"))
    document["settings"].update(edit)
    document["seed"] = document["settings"]["seed"]
    path.write_text(json.dumps(document), encoding="utf-8")
    settings, points = window.model.settings, window.model.points

    assert not loaded(qtbot, window, lambda: window.files.open_session(str(path)))

    name, = edit
    assert len(warnings_shown) == 1 and "\n" not in warnings_shown[0]
    assert warnings_shown[0].startswith(f"{path}: ") and f"settings.{name}" in warnings_shown[0]
    assert window.model.settings == settings and window.model.points is points
    assert window.controls.seed.value() == settings.seed
    window.controller.reset()
    wait_for_history(qtbot, window, 1)
    window.controller.step()
    wait_for_history(qtbot, window, 3)
    assert [s.phase for s in window.history[:3]] == ["init", "E", "M"]
    assert window.history[2].log_likelihood >= window.history[0].log_likelihood


def test_what_reading_a_table_noticed_reaches_the_status_bar(window, qtbot, tmp_path, warnings_shown):
    path = tmp_path / "iris.csv"
    rows = [f"{5 + i / 10},{3 + i / 20},{1 + i / 10},{0.2 + i / 50},{i % 3}" for i in range(150)]
    path.write_text("150,4,setosa,versicolor,virginica\n" + "\n".join(rows) + "\n")
    assert loaded(qtbot, window, lambda: window.files.open_data(str(path), columns=("column 1", "column 2")))
    assert len(window.model.points) == 150 and warnings_shown == []
    assert "count line" in window.statusBar().currentMessage()
