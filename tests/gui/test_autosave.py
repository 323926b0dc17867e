"""Crash recovery: the session is autosaved while it changes, a clean close deletes it, and
after a crash (a real kill -9 of another process) the next window offers to restore it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QFrame, QLabel, QPushButton

from emviz.dataio import load_session, save_session
from emviz.gui import MainWindow
from emviz.gui.autosave import default_folder, install_autosave, orphans

from .conftest import data_point, run_emviz_command, wait_for_history

INTERVAL_MS = 50


def own_file(folder: Path) -> Path:
    return folder / f"session-{os.getpid()}.emviz"


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    return int(child.stdout)


def bar(window) -> QFrame | None:
    return window.findChild(QFrame, "autosaveBar")


def click(qtbot, window, name: str) -> None:
    qtbot.mouseClick(window.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def add_point_by_click(qtbot, window, x: float, y: float) -> None:
    n = len(window.points)
    qtbot.mouseClick(window.points_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=data_point(window, x, y))
    qtbot.waitUntil(lambda: len(window.points) == n + 1)
    wait_for_history(qtbot, window, 1)


def saved_as_shown(path: Path, window) -> bool:
    return path.exists() and load_session(path) == window.files.current_session()


def test_an_edit_is_autosaved_within_the_interval_as_a_loadable_session(window, qtbot, tmp_path):
    autosave = install_autosave(window, tmp_path, INTERVAL_MS)
    path = own_file(tmp_path)
    add_point_by_click(qtbot, window, 0.5, 0.5)
    window.findChild(QAction, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    window.controller.go_to(1)
    qtbot.waitUntil(lambda: saved_as_shown(path, window), timeout=10_000)
    session = load_session(path)
    np.testing.assert_array_equal(session.points, window.points)
    assert session.settings == window.model.settings
    assert (session.index, session.n_half_steps) == (1, 3)
    assert autosave.path == path


def test_nothing_is_written_when_nothing_changed(window, qtbot, tmp_path):
    autosave = install_autosave(window, tmp_path, INTERVAL_MS)
    for _ in range(4):  # the start-up state is not saved
        with qtbot.waitSignal(autosave.timer.timeout):
            pass
    assert not own_file(tmp_path).exists()
    add_point_by_click(qtbot, window, -0.5, 0.5)
    qtbot.waitUntil(lambda: saved_as_shown(own_file(tmp_path), window), timeout=10_000)
    with qtbot.waitSignal(autosave.timer.timeout):
        pass  # collects the finished save
    before = os.stat(own_file(tmp_path))
    window.model.select_point(3)  # not part of a session
    for _ in range(4):
        with qtbot.waitSignal(autosave.timer.timeout):
            pass
    after = os.stat(own_file(tmp_path))
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_clean_close_deletes_the_autosave_file(qtbot, tmp_path):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.controller.wait_idle()
    install_autosave(w, tmp_path, INTERVAL_MS)
    add_point_by_click(qtbot, w, 0.25, 0.25)
    qtbot.waitUntil(lambda: own_file(tmp_path).exists(), timeout=10_000)
    w.close()
    assert not own_file(tmp_path).exists()
    assert os.listdir(tmp_path) == []  # no temporary file either


CRASH = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    from PySide6.QtWidgets import QApplication
    from emviz.core import generate
    from emviz.dataio import load_session, save_session
    from emviz.gui import MainWindow
    from emviz.gui.autosave import install_autosave
    from emviz.session.model import Settings

    folder = sys.argv[1]
    app = QApplication([])
    w = MainWindow()
    w.controller.wait_idle()
    install_autosave(w, folder, 50)
    d = generate(3, 150, 3.0, seed=5)
    w.editor.replace(d.X, d.labels, d.true_mixture, d.name, d.axes)
    w.controller.wait_idle()
    w.controller.apply_settings(Settings(k=3, init_method="kmeans++", seed=4))
    w.controller.wait_idle()
    for _ in range(3):
        w.controller.step()
        w.controller.wait_idle()
    w.controller.go_to(3)
    w.model.set_options(soft_colors=False)
    session = w.files.current_session()
    path = os.path.join(folder, f"session-{os.getpid()}.emviz")
    while not (os.path.exists(path) and load_session(path) == session):
        app.processEvents()
    save_session(os.path.join(folder, "..", "expected.emviz"), session)
    np.save(os.path.join(folder, "..", "expected_means.npy"), w.model.current.mixture.means)
    os.kill(os.getpid(), signal.SIGKILL)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")
def test_after_a_kill_9_the_next_window_restores_points_settings_and_position(window, qtbot,
                                                                              tmp_path):
    folder = tmp_path / "autosave"
    folder.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=os.pathsep.join(sys.path))
    crash = subprocess.run([sys.executable, "-c", CRASH, str(folder)], env=env, timeout=180,
                           capture_output=True, text=True)
    assert crash.returncode == -signal.SIGKILL, crash.stderr
    expected = load_session(tmp_path / "expected.emviz")
    assert len(orphans(folder)) == 1

    install_autosave(window, folder, INTERVAL_MS)
    message = window.findChild(QLabel, "autosaveMessage").text()
    assert message.startswith("emviz did not close properly last time (")
    assert "150 points" in message and expected.dataset_name in message
    qtbot.waitUntil(lambda: bar(window).isVisible())
    click(qtbot, window, "autosaveRestore")
    qtbot.waitUntil(lambda: bar(window) is None)
    assert window.controller.wait_idle()
    qtbot.waitUntil(lambda: window.model.index == expected.index)
    assert window.files.current_session() == expected  # points, labels, settings, options, index
    np.testing.assert_array_equal(window.model.current.mixture.means,
                                  np.load(tmp_path / "expected_means.npy"))
    assert orphans(folder) == []
    # the restored session is this window's autosave now, and goes when it closes
    qtbot.waitUntil(lambda: saved_as_shown(own_file(folder), window), timeout=10_000)
    window.close()
    assert os.listdir(folder) == []


def test_discard_deletes_the_orphan_and_changes_nothing(window, qtbot, tmp_path):
    path = tmp_path / f"session-{dead_pid()}.emviz"
    other = window.files.current_session()
    window.editor.replace(np.random.default_rng(0).normal(size=(40, 2)), name="other")
    wait_for_history(qtbot, window, 1)
    save_session(path, window.files.current_session())
    window.editor.stack.undo()
    wait_for_history(qtbot, window, 1)
    assert window.files.current_session() == other
    install_autosave(window, tmp_path, INTERVAL_MS)
    assert "40 points, other" in window.findChild(QLabel, "autosaveMessage").text()
    click(qtbot, window, "autosaveDiscard")
    qtbot.waitUntil(lambda: bar(window) is None)
    assert not path.exists()
    assert window.files.current_session() == other
    assert not window.controller.busy


def test_a_corrupt_orphan_is_named_in_one_line_and_can_only_be_discarded(window, qtbot, tmp_path):
    path = tmp_path / f"session-{dead_pid()}.emviz"
    path.write_text('{\n "format": "emviz-session",\n "version": 1,\n "points": [[1, ')
    before = window.files.current_session()
    install_autosave(window, tmp_path, INTERVAL_MS)
    text = window.findChild(QLabel, "autosaveMessage").text()
    assert "cannot be read" in text and "incomplete or damaged" in text and "\n" not in text
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "autosaveDiscard").isVisible())
    assert not window.findChild(QPushButton, "autosaveRestore").isVisible()
    click(qtbot, window, "autosaveDiscard")
    qtbot.waitUntil(lambda: bar(window) is None)
    assert not path.exists()
    assert window.files.current_session() == before


def test_files_of_live_processes_are_not_orphans(window, tmp_path):
    for pid in (os.getpid(), os.getppid()):
        save_session(tmp_path / f"session-{pid}.emviz", window.files.current_session())
    assert orphans(tmp_path) == []
    install_autosave(window, tmp_path, INTERVAL_MS)
    assert bar(window) is None


def test_a_window_built_by_a_script_or_test_does_not_autosave(window):
    assert window.findChild(QObject, "autosave") is None
    assert window.findChild(QTimer, "autosaveTimer") is None


def test_the_default_folder_is_in_the_data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_folder() == tmp_path / "emviz" / "autosave"


def test_after_one_orphan_is_dealt_with_the_next_is_offered(window, qtbot, tmp_path):
    older, newer = (tmp_path / f"session-{dead_pid()}.emviz" for _ in range(2))
    for path, n, mtime in ((older, 30, 1_000_000_000), (newer, 20, 1_100_000_000)):
        window.editor.replace(np.random.default_rng(n).normal(size=(n, 2)), name=f"set {n}")
        wait_for_history(qtbot, window, 1)
        save_session(path, window.files.current_session())
        os.utime(path, (mtime, mtime))
    (tmp_path / f".session-{dead_pid()}.emviz.x1y2.tmp").write_text("half a save")
    install_autosave(window, tmp_path, INTERVAL_MS)
    assert "20 points, set 20" in window.findChild(QLabel, "autosaveMessage").text()
    assert sorted(os.listdir(tmp_path)) == sorted([older.name, newer.name])  # the temp file went
    click(qtbot, window, "autosaveDiscard")
    qtbot.waitUntil(lambda: "30 points, set 30" in window.findChild(QLabel, "autosaveMessage").text())
    click(qtbot, window, "autosaveDiscard")
    qtbot.waitUntil(lambda: bar(window) is None)
    assert os.listdir(tmp_path) == []


def test_a_failed_autosave_is_said_once_in_the_status_bar(window, qtbot, tmp_path):
    blocked = tmp_path / "not a folder"
    blocked.write_text("")
    install_autosave(window, blocked, INTERVAL_MS)
    add_point_by_click(qtbot, window, 0.5, 0.5)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Autosave failed:"),
                    timeout=10_000)
    assert "not a folder" in window.statusBar().currentMessage()


def test_the_emviz_command_offers_a_crashed_session_and_autosaves(qtbot, tmp_path, monkeypatch):
    """The interactive app (``emviz`` without --screenshot) installs the autosave."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    folder = tmp_path / "emviz" / "autosave"
    folder.mkdir(parents=True)
    orphan = folder / f"session-{dead_pid()}.emviz"
    orphan.write_text("{")
    seen = []

    def answer_then_close(window) -> None:
        qtbot.waitUntil(lambda: bar(window) is not None and bar(window).isVisible())
        seen.append(window.findChild(QLabel, "autosaveMessage").text())
        add_point_by_click(qtbot, window, 0.5, 0.5)
        qtbot.waitUntil(lambda: own_file(folder).exists(), timeout=10_000)
        window.close()

    assert run_emviz_command(monkeypatch, ["--k", "2"], answer_then_close) == 0
    assert "cannot be read" in seen[0]
    assert os.listdir(folder) == [orphan.name]  # the window's own file went when it closed


def test_a_screenshot_run_neither_offers_nor_autosaves(tmp_path):
    """The same picture with a crashed session waiting in the data folder as without."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path))
    folder = tmp_path / "emviz" / "autosave"

    def shot(name: str) -> QImage:
        out = tmp_path / name
        subprocess.run([sys.executable, "-m", "emviz", "--screenshot", str(out), "--size", "640x400"],
                       env=env, timeout=120, check=True, capture_output=True)
        return QImage(str(out)).convertToFormat(QImage.Format.Format_RGB888)

    without = shot("without.png")
    folder.mkdir(parents=True)
    (folder / f"session-{dead_pid()}.emviz").write_text("{")
    assert shot("with.png") == without
    assert len(os.listdir(folder)) == 1


def test_kmeans_mode_and_the_lesson_chapter_are_autosaved_and_restored(window, qtbot, tmp_path):
    install_autosave(window, tmp_path, INTERVAL_MS)
    path = own_file(tmp_path)
    window.findChild(QAction, "actionKMeansMode").trigger()
    window.findChild(QAction, "actionKMeansStep").trigger()
    assert window.feature("kmeans_mode").run.wait_idle()
    window.lesson.go(6)
    qtbot.waitUntil(lambda: saved_as_shown(path, window), timeout=10_000)
    teaching = load_session(path).teaching
    assert (teaching.kmeans_on, teaching.kmeans_half_steps, teaching.lesson_chapter) == (True, 3, 6)
    centers = np.array(window.feature("kmeans_mode").run.current.centers)

    crashed = tmp_path / "crashed"
    crashed.mkdir()
    (crashed / f"session-{dead_pid()}.emviz").write_bytes(path.read_bytes())
    other = MainWindow()
    qtbot.addWidget(other)
    other.show()
    qtbot.waitUntil(lambda: len(other.history) == 1 and not other.controller.busy, timeout=20_000)
    try:
        install_autosave(other, crashed, INTERVAL_MS)
        click(qtbot, other, "autosaveRestore")
        qtbot.waitUntil(lambda: other.feature("kmeans_mode").run.current is not None
                        and len(other.feature("kmeans_mode").run.history) == 3, timeout=20_000)
        assert other.feature("kmeans_mode").run.wait_idle()
        other.redraw_now()
        # The bar wrapped the central widget, which Qt shows again from the event loop
        qtbot.waitUntil(other.feature("kmeans_mode").view.isVisible)
        np.testing.assert_array_equal(other.feature("kmeans_mode").run.current.centers, centers)
        assert other.lesson.index == 6
    finally:
        other.close()


def test_the_one_column_mode_is_autosaved_and_restored_with_its_column(window, qtbot, tmp_path):
    both = window.points.copy()
    install_autosave(window, tmp_path / "live", INTERVAL_MS)
    window.feature("one_dim").use_column(1)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    window.findChild(QAction, "actionStep").trigger()
    wait_for_history(qtbot, window, 3)
    path = own_file(tmp_path / "live")
    qtbot.waitUntil(lambda: saved_as_shown(path, window), timeout=10_000)
    session = load_session(path)
    assert session.column == 1 and session.points.shape == (272, 2)
    means = window.model.current.mixture.means.copy()
    # as if that window had crashed: its file an orphan that the next window offers
    folder = tmp_path / "orphans"
    folder.mkdir()
    (folder / f"session-{dead_pid()}.emviz").write_bytes(path.read_bytes())
    window.load_dataset("separated")
    qtbot.waitUntil(lambda: window.points.shape[1] == 2 and not window.controller.busy)
    install_autosave(window, folder, INTERVAL_MS)
    qtbot.waitUntil(lambda: bar(window) is not None and bar(window).isVisible())
    click(qtbot, window, "autosaveRestore")
    qtbot.waitUntil(lambda: len(window.history) == 3 and not window.controller.busy)
    m = window.model
    assert m.points.shape == (272, 1) and m.both_columns.column == 1
    np.testing.assert_array_equal(m.points[:, 0], both[:, 1])
    np.testing.assert_array_equal(m.current.mixture.means, means)
    window.close()
