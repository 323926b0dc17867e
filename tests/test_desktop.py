"""``emviz --install-desktop`` puts emviz in the applications menu and makes it the program for
.emviz files: a desktop entry, the icon at every size and the application/x-emviz type, all
in $XDG_DATA_HOME (default ~/.local/share); ``--uninstall-desktop`` removes exactly those.
Every test here uses a temporary data folder, never the user's."""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import emviz
from emviz import desktop

SIZES = (16, 24, 32, 48, 64, 128, 256)
EXPECTED = {
    "applications/emviz.desktop",
    "icons/hicolor/scalable/apps/emviz.svg",
    "mime/packages/emviz.xml",
    *(f"icons/hicolor/{s}x{s}/apps/emviz.png" for s in SIZES),
}


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_install_writes_the_entry_the_icons_and_the_file_type(tmp_path):
    written = desktop.install_desktop(tmp_path, update_databases=False)
    assert {p.relative_to(tmp_path).as_posix() for p in written} == EXPECTED == files_under(tmp_path)
    entry = read_entry(tmp_path / "applications" / "emviz.desktop")
    assert (entry["Type"], entry["Name"], entry["Icon"], entry["Terminal"]) == (
        "Application", "emviz", "emviz", "false")
    assert entry["Exec"].endswith(" %f")  # the file a desktop hands over
    program = entry["Exec"].removesuffix(" %f").split(" ")[0]
    assert Path(program).is_absolute() and os.access(program, os.X_OK)
    assert "application/x-emviz" in entry["MimeType"].split(";")
    assert "Education" in entry["Categories"].split(";")
    assert (tmp_path / "icons/hicolor/scalable/apps/emviz.svg").read_bytes() == (
        emviz.resource("icons", "emviz.svg").read_bytes())
    for s in SIZES:
        assert png_size(tmp_path / f"icons/hicolor/{s}x{s}/apps/emviz.png") == (s, s)
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    kind = ET.parse(tmp_path / "mime/packages/emviz.xml").getroot().find("m:mime-type", ns)
    assert kind.get("type") == "application/x-emviz"
    assert kind.find("m:glob", ns).get("pattern") == "*.emviz"


def test_uninstall_removes_exactly_what_install_wrote(tmp_path):
    others = ["applications/other.desktop", "icons/hicolor/48x48/apps/other.png", "mime/packages/other.xml"]
    for name in others:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("not emviz's", encoding="utf-8")
    desktop.install_desktop(tmp_path, update_databases=False)
    desktop.install_desktop(tmp_path, update_databases=False)  # twice: the same files, rewritten
    assert files_under(tmp_path) == EXPECTED | set(others)
    removed = desktop.uninstall_desktop(tmp_path, update_databases=False)
    assert {p.relative_to(tmp_path).as_posix() for p in removed} == EXPECTED
    assert files_under(tmp_path) == set(others)
    assert desktop.uninstall_desktop(tmp_path, update_databases=False) == []  # nothing left to do


def test_the_data_folder_is_xdg_data_home_or_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert desktop.data_home() == tmp_path / "data"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unset in ("", "relative/path"):  # the spec: empty or relative means the default
        monkeypatch.setenv("XDG_DATA_HOME", unset)
        assert desktop.data_home() == tmp_path / "home" / ".local" / "share"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert desktop.data_home() == tmp_path / "home" / ".local" / "share"


@pytest.mark.parametrize("command, text", [
    (["/opt/emviz/bin/emviz"], "/opt/emviz/bin/emviz"),
    (["/home/a b/venv/bin/python", "-m", "emviz"], '"/home/a b/venv/bin/python" -m emviz'),
    (['/odd"$`\\/emviz'], '"/odd\\\\"\\\\$\\\\`\\\\\\\\/emviz"'),
    (["/100%/emviz"], "/100%%/emviz"),
])
def test_the_exec_line_quotes_as_the_desktop_entry_spec_says(command, text):
    assert desktop.exec_line(command) == f"{text} %f"


def test_the_commands_install_and_uninstall_in_xdg_data_home(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")

    def emviz_command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "emviz", *args], capture_output=True, text=True,
                              timeout=120, env=env)

    done = emviz_command("--install-desktop")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.splitlines() == [f"emviz: installed the desktop entry, the icon and the .emviz "
                                        f"file type in {tmp_path}"]
    assert EXPECTED <= files_under(tmp_path)
    globs = tmp_path / "mime" / "globs2"
    if shutil.which("update-mime-database"):  # the type is valid: the database learned it
        assert "application/x-emviz:*.emviz" in globs.read_text(encoding="utf-8")
    done = emviz_command("--uninstall-desktop")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.splitlines() == [f"emviz: removed the desktop entry, the icon and the .emviz "
                                        f"file type from {tmp_path}"]
    assert not EXPECTED & files_under(tmp_path)
    if globs.exists():
        assert "x-emviz" not in globs.read_text(encoding="utf-8")
