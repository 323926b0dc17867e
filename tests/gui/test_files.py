"""Data in and out through the window: files, clipboard, drag and drop, sessions, images.
Bad input gets one clear message and leaves the window's data as they were."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from emviz.core import generate

from .conftest import loaded, wait_for_history


@pytest.fixture
def warnings_shown(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


def settle(qtbot, window, n=1):
    wait_for_history(qtbot, window, n)
    window.redraw_now()


def choose_columns(monkeypatch, x: str, y: str) -> list[bool]:
    """The column dialog answers x and y (as a user picking them and pressing OK); the list
    it returns gets an entry each time the dialog is shown."""
    asked: list[bool] = []

    def choose(dialog):
        asked.append(True)
        dialog.x.setCurrentText(x)
        dialog.y.setCurrentText(y)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr("emviz.gui.files.ColumnDialog.exec", choose)
    return asked


def test_open_csv_with_labels_becomes_points_and_oracle_labels(window, qtbot, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("x,y,label\n0.5,1.5,0\n-1,2,1\n3,-4.25,1\n")
    assert loaded(qtbot, window, lambda: window.files.open_data(str(path)))
    settle(qtbot, window)
    np.testing.assert_array_equal(window.points, [[0.5, 1.5], [-1, 2], [3, -4.25]])
    np.testing.assert_array_equal(window.model.labels, [0, 1, 1])
    assert window.model.dataset_name == "two"
    window.editor.stack.undo()
    assert len(window.points) == 272


def test_more_than_two_columns_asks_which_two(window, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "wide.tsv"
    path.write_text("a\tb\tc\n1\t2\t3\n4\t5\t6\n7\t8\t9\n")
    choose_columns(monkeypatch, "c", "a")
    assert loaded(qtbot, window, lambda: window.files.open_data(str(path)))
    settle(qtbot, window)
    np.testing.assert_array_equal(window.points, [[3, 1], [6, 4], [9, 7]])
    assert window.model.axes == ("c", "a")


BAD_FILES = {
    "empty.csv": (b"", "empty"),
    "header.csv": (b"x,y\n", "only a header"),
    "one.csv": (b"name\nfoo\nbar\n", "holds no numbers"),
    "text.csv": (b"x,y\n1,2\n3,abc\n", "'abc'"),
    "nan.csv": (b"x,y\n1,2\n3,nan\n", "NaN"),
    "inf.csv": (b"x,y\n1,inf\n", "infinity"),
    "comma.csv": (b"x;y\n3,6;1,2\n", "decimal comma"),
    "binary.csv": (b"\x00\x01\x02garbage\xff", "not text"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_files_get_a_message_and_the_data_stay(window, qtbot, tmp_path, warnings_shown, name):
    content, fragment = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    before = window.points.copy()
    history_before = list(window.history)
    assert not loaded(qtbot, window, lambda: window.files.open_data(str(path)))
    assert len(warnings_shown) == 1
    message = warnings_shown[0]
    assert name in message and fragment in message and "\n" not in message
    np.testing.assert_array_equal(window.points, before)
    assert window.history == history_before
    assert not window.editor.stack.canUndo()


def test_coordinates_too_large_for_em_are_refused_naming_the_line(window, qtbot, tmp_path,
                                                                  warnings_shown):
    path = tmp_path / "astronomy.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i + 1}\n" for i in range(5)) + "5,1e300\n6,7\n")
    before, history_before = window.points.copy(), list(window.history)
    assert not loaded(qtbot, window, lambda: window.files.open_data(str(path)))
    QApplication.clipboard().setText(path.read_text())
    assert not loaded(qtbot, window, lambda: window.files.paste())
    assert warnings_shown == [
        f"{where}, line 7: column 2 (y) holds 1e+300, too large: emviz takes coordinates up to "
        "1e+120 in size; rescale the data (e.g. other units)"
        for where in (path, "clipboard")
    ]
    np.testing.assert_array_equal(window.points, before)
    assert window.history == history_before and not window.editor.stack.canUndo()
    assert window.controller.wait_idle()
    assert "overflow" not in window.statusBar().currentMessage()


def test_a_session_with_coordinates_too_large_is_refused(window, qtbot, tmp_path, warnings_shown):
    path = tmp_path / "huge.emviz"
    assert window.files.save_session(str(path))
    document = json.loads(path.read_text())
    document["points"][3] = [1e300, 0.0]
    path.write_text(json.dumps(document))
    before = window.points.copy()
    assert not loaded(qtbot, window, lambda: window.files.open_session(str(path)))
    assert warnings_shown[-1].startswith(f"{path}: 'points[3]' holds 1e+300, too large")
    np.testing.assert_array_equal(window.points, before)


def test_paste_numbers_from_a_spreadsheet(window, qtbot, warnings_shown):
    QApplication.clipboard().setText("x\ty\n1.5\t2\n3\t4.5\n")
    assert loaded(qtbot, window, window.findChild(QAction, "actionPaste").trigger)
    settle(qtbot, window)
    np.testing.assert_array_equal(window.points, [[1.5, 2], [3, 4.5]])
    QApplication.clipboard().setText("hello world")
    before = window.points.copy()
    assert not loaded(qtbot, window, lambda: window.files.paste())
    assert "clipboard" in warnings_shown[-1]
    np.testing.assert_array_equal(window.points, before)


def test_dropping_a_file_on_the_window_opens_it(window, qtbot, tmp_path):
    path = tmp_path / "dropped.csv"
    path.write_text("1,2\n3,4\n5,7\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()  # the window takes files dragged over it
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                      Qt.KeyboardModifier.NoModifier)
    # Qt delivers a Drop only during a real drag session, which a test cannot start; hand the
    # event to the window's drop handler as Qt would.
    assert loaded(qtbot, window, lambda: window.files.eventFilter(window, drop))
    settle(qtbot, window)
    np.testing.assert_array_equal(window.points, [[1, 2], [3, 4], [5, 7]])


def test_save_points_then_open_gives_the_same_points_and_labels(window, qtbot, tmp_path):
    d = generate(3, 60, 3.0, seed=4)
    window.editor.replace(d.X, d.labels, d.true_mixture, d.name, d.axes)
    settle(qtbot, window)
    path = tmp_path / "points.csv"
    assert window.files.save_points(str(path))
    window.editor.replace(np.zeros((3, 2)), None, None, "zeros")
    settle(qtbot, window)
    assert loaded(qtbot, window, lambda: window.files.open_data(str(path)))
    settle(qtbot, window)
    np.testing.assert_array_equal(window.points, d.X)
    np.testing.assert_array_equal(window.model.labels, d.labels)


def test_session_round_trip_restores_points_settings_and_history_position(window, qtbot, tmp_path):
    d = generate(3, 120, 3.0, seed=2)
    window.editor.replace(d.X, d.labels, d.true_mixture, d.name, d.axes)
    settle(qtbot, window)
    window.controls.k.setValue(3)
    settle(qtbot, window)
    for _ in range(3):
        window.findChild(QAction, "actionStep").trigger()
        wait_for_history(qtbot, window, len(window.history) + 1)
    window.controller.go_to(4)
    window.model.set_options(soft_colors=False)
    settle(qtbot, window, 7)
    before_states = [(s.phase, s.log_likelihood) for s in window.history]
    before_picture = window.points_view.grab().toImage()
    path = tmp_path / "demo.emviz"
    assert window.files.save_session(str(path))
    assert json.loads(path.read_text())["format"] == "emviz-session"

    window.editor.replace(np.random.default_rng(0).normal(size=(50, 2)), None, None, "other")
    window.controls.k.setValue(2)
    settle(qtbot, window)
    assert loaded(qtbot, window, lambda: window.files.open_session(str(path)))
    qtbot.waitUntil(lambda: len(window.history) == 7 and not window.controller.busy, timeout=20_000)
    qtbot.waitUntil(lambda: window.model.index == 4)
    window.redraw_now()
    np.testing.assert_array_equal(window.points, d.X)
    np.testing.assert_array_equal(window.model.labels, d.labels)
    assert window.model.settings.k == 3 and window.model.options.soft_colors is False
    assert [(s.phase, s.log_likelihood) for s in window.history] == before_states
    assert window.points_view.grab().toImage() == before_picture


def test_a_session_from_a_future_version_is_refused_and_nothing_changes(window, qtbot, tmp_path,
                                                                         warnings_shown):
    path = tmp_path / "future.emviz"
    assert window.files.save_session(str(path))
    document = json.loads(path.read_text())
    document["version"] = 99
    path.write_text(json.dumps(document))
    cut = tmp_path / "cut.emviz"
    cut.write_text(json.dumps(document)[:200])
    before = window.points.copy()
    assert not loaded(qtbot, window, lambda: window.files.open_session(str(path)))
    assert "newer emviz" in warnings_shown[-1] and "future.emviz" in warnings_shown[-1]
    assert not loaded(qtbot, window, lambda: window.files.open_session(str(cut)))
    assert "incomplete or damaged" in warnings_shown[-1]
    np.testing.assert_array_equal(window.points, before)


def test_run_json_has_every_half_step(window, qtbot, tmp_path):
    for _ in range(2):
        window.findChild(QAction, "actionStep").trigger()
        wait_for_history(qtbot, window, len(window.history) + 1)
    path = tmp_path / "run.json"
    assert window.files.export_run(str(path))
    run = json.loads(path.read_text())
    assert len(run["states"]) == len(window.history) == 5
    assert run["states"][2]["log_likelihood"] == window.history[2].log_likelihood
    assert run["states"][0]["lower_bound"] is None


def test_import_mixture_json_becomes_the_initial_state(window, qtbot, tmp_path):
    path = tmp_path / "theta.json"
    mixture = {"weights": [0.2, 0.3, 0.5], "means": [[-1, -1], [0, 1], [1, 0]],
               "covariances": [np.eye(2).tolist()] * 3}
    path.write_text(json.dumps(mixture))
    assert loaded(qtbot, window, lambda: window.files.import_mixture(str(path)))
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    state = window.history[0]
    assert state.phase == "init" and window.model.settings.k == 3
    np.testing.assert_allclose(state.mixture.means, mixture["means"])


@pytest.mark.parametrize("view", ["window", "points", "bound"])
@pytest.mark.parametrize("scale", [1, 2])
def test_png_export_has_the_requested_size_and_is_not_blank(window, tmp_path, view, scale):
    path = tmp_path / f"{view}.png"
    assert window.files.export_image(str(path), view=view, scale=scale)
    widget = window.files.view_widget(view)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (widget.width() * scale, widget.height() * scale)
    sample = [image.pixel(x, y) for x in range(0, image.width(), 17) for y in range(0, image.height(), 17)]
    assert len(set(sample)) > 20


def test_svg_export_is_xml_with_the_ellipses(window, tmp_path):
    path = tmp_path / "points.svg"
    assert window.files.export_image(str(path), view="points")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    paths = [e for e in root.iter() if e.tag.endswith(("path", "polyline"))]
    assert len(paths) >= 4  # 2 components x (d = 1 and d = 2 ellipse), plus points and axes


def svg_elements(path) -> dict[str, list]:
    """The SVG's elements by tag (without the namespace)."""
    found: dict[str, list] = {}
    for e in ET.parse(path).getroot().iter():
        found.setdefault(e.tag.rsplit("}", 1)[-1], []).append(e)
    return found


@pytest.mark.parametrize("view", ["points", "bound", "window"])
def test_svg_export_is_all_vector(window, qtbot, tmp_path, view):
    """Mean markers were embedded 20 px PNGs, the ticks and grid a PNG, and every file carried
    a blank full-page PNG: now every element of a plot is an SVG element, text as <text>."""
    window.findChild(QAction, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    path = tmp_path / f"{view}.svg"
    assert window.files.export_image(str(path), view=view)
    found = svg_elements(path)
    texts = {"".join(e.itertext()).strip() for e in found.get("text", [])}
    images = [(float(e.attrib["width"]), float(e.attrib["height"])) for e in found.get("image", [])]
    if view == "window":
        # Qt's own controls stay images: the Fusion style draws buttons, combo boxes and
        # frames from its pixmap cache. None is plot-sized (the points view is ~500 x 700).
        assert max(w * h for w, h in images) < 60_000, images
    else:
        assert images == []
    assert {"0", "1"} <= texts or {"0", "2"} <= texts  # tick labels
    if view != "bound":
        assert {"0", "1", "-1"} <= texts  # the points view's tick labels
        assert len(found.get("path", [])) >= 4 + 2  # the ellipses and the two mean markers
        assert len(found.get("circle", [])) >= 272  # the points


def test_the_svg_export_leaves_the_views_caches_as_they_were(window, tmp_path):
    from PySide6.QtWidgets import QGraphicsItem

    pv = window.points_view
    before = (pv.cacheMode(), [i.cacheMode() for i in pv.scene().items()])
    assert before[0] != pv.CacheModeFlag.CacheNone  # (so the test shows something)
    assert QGraphicsItem.CacheMode.DeviceCoordinateCache in before[1]
    assert window.files.export_image(str(tmp_path / "p.svg"), view="points")
    assert (pv.cacheMode(), [i.cacheMode() for i in pv.scene().items()]) == before
    assert all(getattr(i, "_exportOpts", False) is False for i in pv.scene().items())


def test_export_to_a_missing_folder_says_so(window, tmp_path, warnings_shown):
    path = tmp_path / "nowhere" / "x.png"
    assert not window.files.export_image(str(path))
    assert warnings_shown[-1] == f"{path}: the folder does not exist"


def test_export_action_uses_dialog_choices_and_default_name(window, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    asked = {}

    def choose(dialog):
        dialog.view.setCurrentIndex(dialog.view.findData("points"))
        dialog.scale.setCurrentIndex(dialog.scale.findData(2))
        return QDialog.DialogCode.Accepted

    def save_name(parent, title, suggested, filters):
        asked["name"] = suggested
        return str(tmp_path / "out.png"), "PNG"

    monkeypatch.setattr("emviz.gui.files.ExportDialog.exec", choose)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    window.findChild(QAction, "actionExportImage").trigger()
    assert asked["name"].endswith("emviz-old-faithful-standardised-K2-iter0-points.png")
    image = QImage(str(tmp_path / "out.png"))
    assert image.width() == 2 * window.points_view.width()


def test_copy_image_puts_the_points_view_on_the_clipboard(window):
    QApplication.clipboard().clear()
    window.findChild(QAction, "actionCopyImage").trigger()
    image = QApplication.clipboard().image()
    assert image.width() == window.points_view.width()




def test_the_last_folder_is_remembered(window, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    folder = tmp_path / "handouts"
    folder.mkdir()
    suggested = []

    def save_name(parent, title, name, filters):
        suggested.append(name)
        return str(folder / "points.csv"), "CSV"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    assert window.files.save_points()
    assert window.files.save_points()
    assert suggested[1].startswith(str(folder))  # the second dialog opens where the first saved
    assert window.files.settings.value("lastFolder") == str(folder)
    window.files.settings.sync()
    settings_file = Path(window.files.settings.fileName())
    assert settings_file.is_relative_to(tmp_path)  # the test's own, not the user's
    assert str(folder) in settings_file.read_text()


@pytest.fixture
def o_n_calls_on_the_gui_thread(monkeypatch) -> list[str]:
    """The names of the O(N) functions a loaded table's points go through (taking two
    columns, checking them, their extent), each time the GUI thread calls one of them."""
    import sys
    import threading

    from emviz.dataio import Table
    from emviz.gui import point_cloud
    from emviz.session import model

    calls: list[str] = []

    def spy(real, name):
        def recorded(*args, **kwargs):
            if threading.current_thread() is threading.main_thread():
                calls.append(name)
            return real(*args, **kwargs)
        return recorded

    checking = spy(model.check_points, "check_points")
    for module in list(sys.modules.values()):  # wherever a module looked it up by name
        if getattr(module, "__name__", "").startswith("emviz") and \
                vars(module).get("check_points") is model.check_points:
            monkeypatch.setattr(module, "check_points", checking)
    monkeypatch.setattr(Table, "points", spy(Table.points, "Table.points"))
    monkeypatch.setattr(point_cloud, "extent", spy(point_cloud.extent, "extent"))
    return calls


def test_a_large_table_s_chosen_columns_are_taken_and_checked_off_the_gui_thread(
        window, qtbot, tmp_path, monkeypatch, o_n_calls_on_the_gui_thread):
    """More than two columns of numbers: the user picks two in a dialog (on the GUI thread),
    then their points are taken from the table, checked and framed in the loading job, as
    for a two-column file (at 10⁶ rows that work held the GUI thread for 60 ms)."""
    from emviz.gui.point_cloud import LAYOUT_IN_BACKGROUND

    n = LAYOUT_IN_BACKGROUND
    data = np.random.default_rng(3).normal(size=(n, 3)).round(3)
    path = tmp_path / "wide.csv"
    path.write_text("a,b,c\n" + "\n".join(f"{a},{b},{c}" for a, b, c in data.tolist()) + "\n")
    asked = choose_columns(monkeypatch, "c", "a")
    assert loaded(qtbot, window, lambda: window.files.open_data(str(path)))
    settle(qtbot, window)
    assert asked == [True]
    assert o_n_calls_on_the_gui_thread == []
    np.testing.assert_array_equal(window.points, data[:, [2, 0]])
    assert window.model.axes == ("c", "a") and window.model.dataset_name == "wide"


def test_choosing_one_column_twice_is_refused_and_the_data_stay(window, qtbot, tmp_path,
                                                                 monkeypatch, warnings_shown):
    path = tmp_path / "wide.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6\n7,8,9\n")
    choose_columns(monkeypatch, "b", "b")
    before, history_before = window.points.copy(), list(window.history)
    assert not loaded(qtbot, window, lambda: window.files.open_data(str(path)))
    assert warnings_shown == [f"{path}: x and y are the same column (b)"]
    np.testing.assert_array_equal(window.points, before)
    assert window.history == history_before and not window.editor.stack.canUndo()


def test_declining_to_choose_columns_keeps_the_data(window, qtbot, tmp_path, monkeypatch,
                                                     warnings_shown):
    path = tmp_path / "wide.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6\n7,8,9\n")
    monkeypatch.setattr("emviz.gui.files.ColumnDialog.exec",
                        lambda dialog: QDialog.DialogCode.Rejected)
    before = window.points.copy()
    assert not loaded(qtbot, window, lambda: window.files.open_data(str(path)))
    assert warnings_shown == [] and not window.files.loader.busy
    np.testing.assert_array_equal(window.points, before)
    assert not window.editor.stack.canUndo()
