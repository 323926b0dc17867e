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


def rgb(image: QImage) -> QImage:
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def test_the_icon_is_the_svg_drawn_at_every_size():
    from emviz.gui.icon import ICON_SIZES, app_icon, render_icon

    assert ICON_SIZES == (16, 24, 32, 48, 64, 128, 256)
    icon = app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == list(ICON_SIZES)
    big = rgb(render_icon(256))
    corner, centre = big.pixelColor(2, 2), big.pixelColor(128, 128)
    assert corner.alpha() == 0 and centre.alpha() == 255  # a rounded tile on transparency
    blue = orange = 0
    for y in range(0, 256, 4):
        for x in range(0, 256, 4):
            c = big.pixelColor(x, y)
            blue += (c.red(), c.green(), c.blue()) == (0, 114, 178)  # Okabe-Ito blue and orange
            orange += (c.red(), c.green(), c.blue()) == (230, 159, 0)
    assert blue > 40 and orange > 40


def test_the_window_the_application_and_the_about_box_carry_the_icon(monkeypatch, qtbot):
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QAction, QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from emviz.gui.icon import render_icon

    from .conftest import run_emviz_command

    seen = {}

    def while_open(window):
        seen["window"] = rgb(window.windowIcon().pixmap(QSize(64, 64)).toImage())
        seen["app"] = rgb(QApplication.windowIcon().pixmap(QSize(64, 64)).toImage())
        seen["desktop file"] = QGuiApplication.desktopFileName()
        window.findChild(QAction, "actionAbout").trigger()
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "aboutBox") is not None)
        box = window.findChild(QMessageBox, "aboutBox")
        qtbot.waitUntil(box.isVisible)
        seen["about"] = rgb(box.iconPixmap().toImage())
        box.close()
        window.close()

    try:
        assert run_emviz_command(monkeypatch, [], while_open) == 0
    finally:
        QApplication.setWindowIcon(QIcon())
        QGuiApplication.setDesktopFileName("")
    expected = rgb(render_icon(64))
    assert seen["window"] == expected and seen["app"] == expected and seen["about"] == expected
    assert seen["desktop file"] == "emviz"  # Wayland matches the window to emviz.desktop by it


def test_the_about_box_names_the_license():
    from emviz.gui.help import about_text

    assert "BSD 3-Clause license" in about_text() and "The emviz developers" in about_text()
