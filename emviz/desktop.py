"""emviz on a Linux desktop: ``emviz --install-desktop`` writes a desktop entry (the
applications menu, "Open with"), the icon at every size and the application/x-emviz file
type (``*.emviz``) into the user's XDG data folder; ``--uninstall-desktop`` removes exactly
those files. Nothing is written outside that folder and no root is needed.

The formats are freedesktop.org's: the Desktop Entry Specification (1.5), the Icon Theme
Specification (the hicolor theme every desktop falls back to) and shared-mime-info. Their
databases are refreshed with ``update-mime-database`` / ``update-desktop-database`` where
those are installed; without them a desktop reads the files at its next start.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import resource

APP_ID = "emviz"  # the desktop file's name, the icon's name, QGuiApplication.desktopFileName
MIME_TYPE = "application/x-emviz"
#: What the entry offers to open: sessions, and the tables File → Open data reads.
OPENS = (MIME_TYPE, "text/csv", "text/tab-separated-values")
#: The sizes freedesktop's hicolor theme and the window managers ask for most.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
WHAT = "the desktop entry, the icon and the .emviz file type"

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>emviz session</comment>
    <sub-class-of type="application/json"/>
    <icon name="{APP_ID}"/>
    <glob pattern="*.emviz"/>
  </mime-type>
</mime-info>
"""

#: Characters that make the Desktop Entry spec require an Exec argument to be quoted.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset, empty or relative (the XDG Base
    Directory spec says a relative path is to be ignored)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def launcher() -> list[str]:
    """The command that starts this emviz: the ``emviz`` script beside the interpreter (a
    venv's bin/), else ``python -m emviz`` with this interpreter (it imports this emviz)."""
    script = Path(sys.executable).parent / "emviz"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "emviz"]


def exec_line(command: list[str]) -> str:
    """The entry's Exec value: ``command`` quoted as the spec asks (an argument with a
    reserved character in double quotes, with " ` $ \\ escaped), then the string escape
    (each backslash doubled) and %% for a literal %, then %f for the file to open."""
    words = []
    for arg in command:
        if _RESERVED & set(arg):
            arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
        words.append(arg.replace("\\", "\\\\").replace("%", "%%"))
    return " ".join(words) + " %f"


def desktop_entry(command: list[str]) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.5",
        "Name=emviz",
        "GenericName=EM for Gaussian mixtures",
        "Comment=Watch and poke the EM algorithm for Gaussian mixture models",
        f"Exec={exec_line(command)}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Education;Science;Math;DataVisualization;",
        "Keywords=EM;expectation-maximization;Gaussian;mixture;clustering;statistics;",
        f"MimeType={';'.join(OPENS)};",
        "",
    ])


def planned_files(folder: Path) -> list[Path]:
    """Every file ``install_desktop(folder)`` writes, and so ``uninstall_desktop`` removes."""
    icons = folder / "icons" / "hicolor"
    return [
        folder / "applications" / f"{APP_ID}.desktop",
        folder / "mime" / "packages" / f"{APP_ID}.xml",
        icons / "scalable" / "apps" / f"{APP_ID}.svg",
        *(icons / f"{s}x{s}" / "apps" / f"{APP_ID}.png" for s in ICON_SIZES),
    ]


def _contents(folder: Path) -> dict[Path, bytes]:
    from .gui.icon import render_icon  # Qt, only now: the rest of this module needs none

    entry, mime, svg, *pngs = planned_files(folder)
    files = {entry: desktop_entry(launcher()).encode("utf-8"), mime: MIME_XML.encode("utf-8"),
             svg: resource("icons", "emviz.svg").read_bytes()}
    for size, path in zip(ICON_SIZES, pngs, strict=True):
        files[path] = _png(render_icon(size))
    return files


def _png(image) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("cannot encode the icon as PNG")
    buffer.close()
    return data.data()


def install_desktop(folder: Path | None = None, update_databases: bool = True) -> list[Path]:
    """Write the desktop entry, the icons and the file type under ``folder`` (default:
    ``data_home()``); the paths written. Raises OSError if one cannot be written."""
    folder = Path(folder) if folder is not None else data_home()
    files = _contents(folder)
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)  # a desktop watching the folder never reads half a file
    if update_databases:
        _update_databases(folder)
    return list(files)


def uninstall_desktop(folder: Path | None = None, update_databases: bool = True) -> list[Path]:
    """Remove what ``install_desktop`` wrote under ``folder`` and nothing else (folders it
    made stay: another program may use them); the paths removed."""
    folder = Path(folder) if folder is not None else data_home()
    removed = []
    for path in planned_files(folder):
        if path.is_file():
            path.unlink()
            removed.append(path)
    if update_databases and removed:
        _update_databases(folder)
    return removed


def _update_databases(folder: Path) -> None:
    """Tell the desktop now rather than at its next start; best effort (a missing or failing
    tool changes nothing that was written)."""
    for tool, sub in (("update-mime-database", "mime"), ("update-desktop-database", "applications")):
        program = shutil.which(tool)
        if program and (folder / sub).is_dir():
            subprocess.run([program, str(folder / sub)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60, check=False)


def run(install: bool) -> int:
    """``emviz --install-desktop`` (``install``) or ``--uninstall-desktop``: one line, exit 0,
    or one line on stderr and exit 1."""
    folder = data_home()
    try:
        if install:
            install_desktop(folder)
        else:
            uninstall_desktop(folder)
    except OSError as error:
        print(f"emviz: error: {error}", file=sys.stderr)
        return 1
    print(f"emviz: installed {WHAT} in {folder}" if install else f"emviz: removed {WHAT} from {folder}")
    return 0
