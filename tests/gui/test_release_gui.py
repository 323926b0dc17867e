"""A release in the window: exported images name the emviz that made them (a PNG text chunk,
the SVG's description), and the window and the About box carry the emviz icon."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

import emviz
from emviz.gui.export import save_png, save_svg

SOFTWARE = f"emviz {emviz.__version__}"


def test_png_exports_carry_the_version_in_a_text_chunk(qtbot, tmp_path):
    widget = QLabel("θ")
    qtbot.addWidget(widget)
    widget.resize(120, 40)
    path = tmp_path / "x.png"
    save_png(widget, path, 2)
    assert b"tEXtSoftware\x00" + SOFTWARE.encode() in path.read_bytes()
    assert QImage(str(path)).text("Software") == SOFTWARE


def test_svg_exports_carry_the_version_in_their_description(qtbot, tmp_path):
    widget = QLabel("θ")
    qtbot.addWidget(widget)
    widget.resize(120, 40)
    path = tmp_path / "x.svg"
    save_svg(widget, path, "emviz: a title")
    root = ET.parse(path).getroot()
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert root.find("svg:title", ns).text == "emviz: a title"
    assert SOFTWARE in root.find("svg:desc", ns).text
