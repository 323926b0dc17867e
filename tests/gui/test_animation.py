"""File → Export animation…: frames of the run, with glides, a progress bar and Cancel."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton

from emviz.dataio.animation import video_available

from ..test_cli_animate import frames_of
from .conftest import wait_for_history


def run_steps(window, qtbot, steps: int) -> None:
    for _ in range(steps):
        window.controller.step()
        window.controller.wait_idle()
    wait_for_history(qtbot, window, 2 * steps + 1)
    window.redraw_now()


def export(window, qtbot, path, **options):
    job = window.files.export_animation(str(path), **options)
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=60_000)
    return job


@pytest.mark.parametrize("suffix", [".gif", ".webp", ".png"])
def test_glides_add_in_between_frames_and_the_window_shows_its_state_again(window, qtbot, tmp_path, suffix):
    run_steps(window, qtbot, 3)  # 7 half-steps
    tab = window.tabs.currentWidget()
    current = window.model.current
    path = tmp_path / f"run{suffix}"
    job = export(window, qtbot, path, fps=6, glides=2, view="points")
    assert job.error == ""
    frames = frames_of(path)
    assert len(frames) == 7 + 6 * 2  # every half-step, and 2 glide frames between each two
    h, w = frames[0].shape[:2]
    assert (w, h) == (window.points_view.width(), window.points_view.height())
    for a, b in zip(frames, frames[1:], strict=False):
        assert np.any(a != b)  # every frame moves something
    np.testing.assert_allclose(np.c_[window.points_view.means.getData()], current.mixture.means)
    assert window.tabs.currentWidget() is tab
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_cancel_in_the_progress_bar_leaves_no_file(window, qtbot, tmp_path):
    run_steps(window, qtbot, 4)
    path = tmp_path / "run.gif"
    job = window.files.export_animation(str(path), fps=4, glides=3)
    dialog = window.findChild(QProgressDialog, "animationProgress")
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: len(job.frames) >= 2, timeout=30_000)
    assert dialog.value() >= 2
    cancel = dialog.findChild(QPushButton)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert job.done and job.error == "cancelled"
    assert list(tmp_path.iterdir()) == []
    np.testing.assert_allclose(np.c_[window.points_view.means.getData()],
                               window.model.current.mixture.means)
    assert "cancelled" in window.statusBar().currentMessage()


@pytest.mark.skipif(not video_available(), reason="the optional video extra (imageio-ffmpeg)")
def test_mp4_has_a_frame_per_half_step_and_a_cancel_while_encoding_leaves_no_file(window, qtbot, tmp_path):
    import imageio_ffmpeg

    run_steps(window, qtbot, 2)
    path = tmp_path / "run.mp4"
    job = export(window, qtbot, path, fps=5)
    assert job.error == ""
    n_frames, _seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert n_frames == 5
    path.unlink()
    job = window.files.export_animation(str(path), fps=5)
    n = len(window.history)
    # Cancel at the first frame encoded (progress beyond the frames drawn): ffmpeg is at work.
    job.progress.connect(lambda done, total: job.cancel() if done > n else None)
    qtbot.waitUntil(lambda: job.done, timeout=30_000)
    assert job.error == "cancelled"
    assert job.wait_stopped(30)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_format_is_refused_with_a_message(window, qtbot, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr(window.files, "report", messages.append)
    assert window.files.export_animation(str(tmp_path / "run.avi")) is None
    assert "not '.avi'" in messages[0]
    assert list(tmp_path.iterdir()) == []


def test_new_data_during_an_export_stop_it_with_a_message_and_no_file(window, qtbot, tmp_path, monkeypatch):
    """The progress bar is window-modal, but a script can still replace the data meanwhile:
    the frames would mix two data sets."""
    messages = []
    monkeypatch.setattr(window.files, "report", messages.append)
    run_steps(window, qtbot, 3)
    path = tmp_path / "run.gif"
    job = window.files.export_animation(str(path), fps=4, glides=2)
    qtbot.waitUntil(lambda: len(job.frames) >= 1, timeout=30_000)
    window.set_points(np.random.default_rng(0).normal(size=(40, 2)))
    qtbot.waitUntil(lambda: job.done, timeout=30_000)
    assert "data changed" in job.error and "data changed" in messages[0]
    assert list(tmp_path.iterdir()) == []


def test_exporting_while_em_plays_pauses_it_and_films_the_history_so_far(window, qtbot, tmp_path):
    window.controller.steps_per_second = 20.0
    window.actions_by_name["actionPlay"].trigger()
    qtbot.waitUntil(lambda: len(window.history) >= 5, timeout=30_000)
    path = tmp_path / "run.webp"
    job = export(window, qtbot, path, fps=10)
    assert job.error == "" and not window.controller.playing
    assert len(frames_of(path)) == len(window.history)


def test_the_file_menu_asks_what_to_show_glides_and_frame_rate(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog, QFileDialog

    from emviz.gui.animation import AnimationDialog

    run_steps(window, qtbot, 1)
    asked, jobs = {}, []

    def choose(dialog):
        dialog.view.setCurrentIndex(dialog.view.findData("points"))
        dialog.glides.setValue(1)
        asked["fps"] = dialog.fps.value()  # follows the glides: 2 half-steps per second
        return QDialog.DialogCode.Accepted

    def save_name(parent, title, suggested, filters):
        asked["name"], asked["filters"] = suggested, filters
        return str(tmp_path / "run.gif"), "GIF"

    monkeypatch.setattr(AnimationDialog, "exec", choose)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    original = window.files.export_animation
    monkeypatch.setattr(window.files, "export_animation",
                        lambda *a, **k: jobs.append(original(*a, **k)) or jobs[-1])
    window.findChild(QAction, "actionExportAnimation").trigger()
    qtbot.waitUntil(lambda: jobs and jobs[0].done, timeout=30_000)
    assert jobs[0].error == "" and asked["fps"] == 4
    assert asked["name"].endswith("-run.gif") and "MP4" in asked["filters"]
    frames = frames_of(tmp_path / "run.gif")
    assert len(frames) == 3 + 2  # 3 half-steps, a glide frame between each two
    h, w = frames[0].shape[:2]
    assert (w, h) == (window.points_view.width(), window.points_view.height())
    assert f"Saved {tmp_path / 'run.gif'}" in window.statusBar().currentMessage()


def test_an_animation_too_large_for_memory_is_refused_after_one_frame(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr("emviz.gui.animation.MAX_FRAME_BYTES", 10**6)
    messages = []
    monkeypatch.setattr(window.files, "report", messages.append)
    run_steps(window, qtbot, 2)
    job = export(window, qtbot, tmp_path / "run.gif", fps=4, glides=3)
    assert "GB of memory" in job.error and "fewer glide frames" in job.error
    assert len(job.frames) == 0 and list(tmp_path.iterdir()) == []
    assert messages == [job.error]


def test_an_export_cancelled_inside_its_dialogs_setvalue_keeps_the_dialog_till_then(
        window, qtbot, tmp_path, monkeypatch):
    """A modal QProgressDialog's setValue handles pending events: a Cancel clicked then ends
    the export, whose dialog was deleted in those events while still inside setValue (as a
    file load's once was, a segmentation fault). The dialog outlives the call; nothing is
    written."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from emviz.gui.animation import AnimationExport, show_progress

    run_steps(window, qtbot, 2)
    set_value = QProgressDialog.setValue
    jobs, ended_inside = [], []

    def setting(dialog, value):
        if jobs and value >= 1 and not ended_inside:  # the first frame drawn
            ended_inside.append(True)
            jobs[0].cancel()  # as a click on Cancel handled in setValue's events would
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        set_value(dialog, value)

    monkeypatch.setattr(QProgressDialog, "setValue", setting)
    job = AnimationExport(window, str(tmp_path / "run.gif"), 4, 0, "points")
    jobs.append(job)
    show_progress(job)
    job.start()
    qtbot.waitUntil(lambda: job.done, timeout=30_000)
    assert ended_inside == [True] and job.error == "cancelled"
    assert not (tmp_path / "run.gif").exists()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChild(QProgressDialog, "animationProgress") is None
