"""write_atomic, the one path every save goes through: all or nothing, and only over a file."""

from __future__ import annotations

import errno
import os
import socket
import stat

import pytest

from emviz.dataio import DataError
from emviz.dataio._files import write_atomic


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "old.png"
    path.write_bytes(b"the old picture")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(DataError, match=f"^{path}: cannot write the file: No space left on device$"):
        write_atomic(path, b"the new picture")
    assert path.read_bytes() == b"the old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["old.png"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_and_left_alone(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match=f"^{fifo}: not a regular file .*choose another name$"):
        write_atomic(fifo, b"picture")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe.png"]  # no temporary left either


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_link_to_a_fifo_is_refused_naming_the_link(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "pipe")
    with pytest.raises(DataError, match=f"^{link}: not a regular file"):
        write_atomic(link, b"x,y\n")
    assert stat.S_ISFIFO(os.stat(link).st_mode)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets here")
def test_a_socket_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "s.svg"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(DataError, match=f"^{path}: not a regular file"):
            write_atomic(path, b"<svg/>")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_folder_is_refused(tmp_path):
    (tmp_path / "pictures").mkdir()
    with pytest.raises(DataError, match="pictures: a folder, not a file$"):
        write_atomic(tmp_path / "pictures", b"data")
    assert (tmp_path / "pictures").is_dir()


def test_a_new_file_and_a_replaced_one(tmp_path):
    path = tmp_path / "points.csv"
    write_atomic(path, b"one")
    assert path.read_bytes() == b"one" and stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o600)
    write_atomic(path, b"two")
    assert path.read_bytes() == b"two" and stat.S_IMODE(path.stat().st_mode) == 0o600
