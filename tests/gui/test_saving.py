"""Images are saved like every other file: all or nothing, through write_atomic. A failed
save keeps the old file, says why, and never says "Saved"."""

from __future__ import annotations

import errno
import os
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from emviz.gui.export import ExportError


@pytest.fixture
def warnings_shown(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


@pytest.fixture
def disk_full(monkeypatch):
    """Every write fails as on a full disk, after the bytes went into the (temporary) file."""

    def fail(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)


def status_messages(window) -> list[str]:
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    return shown


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_a_failed_export_keeps_the_old_file_and_says_why(window, tmp_path, warnings_shown,
                                                         disk_full, suffix):
    path = tmp_path / f"figure.{suffix}"
    path.write_bytes(b"last week's figure")
    status = status_messages(window)
    assert not window.files.export_image(str(path), view="points")
    assert path.read_bytes() == b"last week's figure"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    assert warnings_shown == [f"{path}: cannot write the file: No space left on device"]
    assert status and not any(m.startswith("Saved") for m in status)


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_an_export_replaces_the_old_file_whole(window, tmp_path, suffix):
    path = tmp_path / f"figure.{suffix}"
    path.write_bytes(b"x" * 10_000_000)  # longer than the new picture: nothing of it may remain
    status = status_messages(window)
    assert window.files.export_image(str(path), view="points", scale=2)
    if suffix == "png":
        assert QImage(str(path)).width() == 2 * window.points_view.width()
    else:
        assert ET.parse(path).getroot().tag.endswith("svg")
    assert status[-1] == f"Saved {path}"


def test_export_to_a_missing_folder_names_the_problem(window, tmp_path, warnings_shown):
    path = tmp_path / "nowhere" / "x.svg"
    assert not window.files.export_image(str(path))
    assert warnings_shown == [f"{path}: the folder does not exist"]
    assert not (tmp_path / "nowhere").exists()


def test_a_failed_gallery_export_keeps_the_old_file(window, qtbot, tmp_path, disk_full,
                                                    monkeypatch):
    path = tmp_path / "gallery.png"
    path.write_bytes(b"old gallery")
    gallery = window.feature("gallery")
    gallery.set_iterations((0,))
    with pytest.raises(ExportError, match=f"^{path}: cannot write the file: No space left on device$"):
        gallery.export_png(str(path))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(path), "PNG"))
    gallery._export_dialog()  # the reason, as every other save says it
    assert gallery.status.text() == f"Not saved: {path}: cannot write the file: No space left on device"
    assert path.read_bytes() == b"old gallery"
    assert [p.name for p in tmp_path.iterdir()] == ["gallery.png"]


@pytest.mark.parametrize("svg", [False, True])
def test_a_failed_gallery_export_from_the_command_line_raises(window, tmp_path, disk_full, svg):
    from emviz.gui.teaching.gallery import export_gallery

    path = tmp_path / ("gallery.svg" if svg else "gallery.png")
    path.write_bytes(b"old gallery")
    with pytest.raises(ExportError, match=str(path)):
        export_gallery(window, (0,), str(path), svg=svg)
    assert path.read_bytes() == b"old gallery"
    window.feature("gallery").close()
