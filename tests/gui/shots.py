"""``make shots``: every screen the audit checks (tests/gui/test_screen_audit.py's matrix) as a
PNG in a folder, the audit's findings beside them (findings.txt), and one contact sheet
(contact-sheet.png: thumbnails with their captions) for a person to look over.

    python -m tests.gui.shots [OUT]        (OUT defaults to shots/)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THUMB_WIDTH = 300
COLUMNS = 8
CAPTION_PX = 34


def contact_sheet(images: list[Path], out: Path, columns: int = COLUMNS,
                  thumb_width: int = THUMB_WIDTH) -> None:
    """A grid of thumbnails of ``images`` (scaled to ``thumb_width``, keeping their aspect),
    each captioned with its file name, drawn with QPainter into ``out``."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

    app = QGuiApplication.instance() or QGuiApplication([])  # fonts need one  # noqa: F841
    thumbs = [QImage(str(p)).scaledToWidth(thumb_width, Qt.TransformationMode.SmoothTransformation)
              for p in images]
    cell_h = max((t.height() for t in thumbs), default=0) + CAPTION_PX
    rows = -(-len(thumbs) // columns)
    sheet = QImage(columns * (thumb_width + 8) + 8, rows * (cell_h + 8) + 8, QImage.Format.Format_RGB32)
    sheet.fill(QColor(200, 200, 200))
    painter = QPainter(sheet)
    font = QFont()
    font.setPixelSize(11)
    painter.setFont(font)
    for i, (path, thumb) in enumerate(zip(images, thumbs, strict=True)):
        x = 8 + (i % columns) * (thumb_width + 8)
        y = 8 + (i // columns) * (cell_h + 8)
        painter.drawImage(x, y, thumb)
        painter.setPen(QColor(0, 0, 0))
        painter.drawText(QRect(x, y + thumb.height() + 2, thumb_width, CAPTION_PX - 2),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), path.stem)
    painter.end()
    sheet.save(str(out))


def main(argv: list[str] | None = None) -> int:
    from .screens import STATES

    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "shots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    findings: dict[str, list[str]] = {}
    for size, states in STATES.items():
        config = out / f"screen-{size[0]}x{size[1]}.json"
        config.write_text(json.dumps({"screens": [{
            "name": "shots", "x": 0, "y": 0, "width": size[0], "height": size[1],
            "logicalDpiX": 96, "logicalDpiY": 96, "dpr": 1}]}))
        # Settings of their own: the screens open the lesson, which would be remembered.
        env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
                   XDG_CONFIG_HOME=str(out / ".config"))
        result = subprocess.run(
            [sys.executable, "-m", "tests.gui.screens", f"{size[0]}x{size[1]}", "--out", str(out),
             "--states", ";".join(states)], capture_output=True, text=True, env=env, cwd=ROOT)
        config.unlink()
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            return result.returncode
        for line in result.stdout.splitlines():
            screen = json.loads(line)
            findings[screen["id"]] = screen["findings"]
    with open(out / "findings.txt", "w", encoding="utf-8") as f:
        for sid, found in findings.items():
            f.write(f"{sid}: {len(found)}\n" + "".join(f"    {x}\n" for x in found))
    (out / "findings.json").write_text(json.dumps(findings, indent=1, ensure_ascii=False), "utf-8")
    # In the order they were taken: each state's four appearances side by side.
    order = {sid.replace(" ", "_"): i for i, sid in enumerate(findings)}
    images = sorted((p for p in out.glob("*.png") if p.name != "contact-sheet.png"),
                    key=lambda p: (order.get(p.stem, order.get(p.stem.rsplit("-", 1)[0], 0)), p.stem))
    contact_sheet(images, out / "contact-sheet.png")
    faulty = sum(1 for found in findings.values() if found)
    print(f"{len(images)} screens in {out}; contact sheet: {out / 'contact-sheet.png'}; "
          f"the audit finds faults on {faulty} of {len(findings)} (findings.txt)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
