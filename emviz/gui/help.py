"""The Help menu: the lesson, every keyboard shortcut (read from the window's actions, so the
list cannot fall behind them) and the About box (versions and the data's attribution)."""

from __future__ import annotations

import html
import platform

from PySide6.QtCore import QSize, Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from .icon import app_icon
from .presentation import view_menu

#: The lesson helper's action; Help → Lesson triggers it when the window has one.
LESSON_ACTION = "actionLesson"


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(action, keys, what it does) for every action in the window that has a shortcut, in
    the order the actions were made; keys as the platform writes them ("Ctrl+Shift+Z")."""
    rows, seen = [], set()
    for action in window.findChildren(QAction):
        if id(action) in seen or not action.shortcuts():
            continue
        seen.add(id(action))
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
        text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").split("\t")[0]
        tip = action.toolTip()
        tip = tip.rsplit(" (", 1)[0] if tip.endswith(")") else tip  # the keys have a column
        rows.append((text, keys, tip if tip != text else ""))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window)
        table = QTableWidget(len(rows), 3, self)
        table.setObjectName("shortcutsTable")
        table.setHorizontalHeaderLabels(("Action", "Keys", "What it does"))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(text))
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        table.setWordWrap(True)  # long descriptions wrap instead of ending in "…"
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        em = self.fontMetrics().horizontalAdvance("M")
        screen = window.screen().availableGeometry()
        width = sum(table.columnWidth(c) for c in range(2)) + 32 * em
        height = 6 * em + table.rowHeight(0) * (len(rows) + 1)
        self.resize(min(width, int(0.9 * screen.width())), min(height, int(0.85 * screen.height())))


def about_text() -> str:
    """The About box's text (rich text): version, license, what emviz runs on, the data's
    source."""
    import numpy
    import pyqtgraph
    import PySide6

    from .. import __version__

    versions = (f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 "
                f"{PySide6.__version__} · pyqtgraph {pyqtgraph.__version__} · numpy {numpy.__version__}")
    return (f"<h3>emviz {html.escape(__version__)}</h3>"
            "<p>Watch and poke the EM algorithm for Gaussian mixture models.</p>"
            "<p>© The emviz developers. Free software under the BSD 3-Clause license.</p>"
            f"<p>{html.escape(versions)}</p>"
            f"<p><b>Old Faithful data.</b> {html.escape(faithful_attribution())}</p>")


def faithful_attribution() -> str:
    """The Old Faithful entry of resources/datasets/README.md, as one paragraph."""
    from .. import read_resource_text

    try:
        text = read_resource_text("datasets", "README.md")
    except OSError:
        return "R's datasets::faithful (Härdle 1991; Azzalini and Bowman 1990)."
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("- `old_faithful.csv`"):
            inside = True
            line = line.split(":", 1)[1]
        elif inside and (not line.strip() or line.startswith("- ")):
            break
        if inside:
            lines.append(line.strip())
    text = " ".join(lines).replace("`", "").strip()
    return text[:1].upper() + text[1:]


def show_about(window: QMainWindow) -> QMessageBox:
    """The About box, opened without blocking (window-modal) and deleted when closed."""
    box = QMessageBox(window)
    box.setObjectName("aboutBox")
    box.setWindowTitle("About emviz")
    box.setIconPixmap(app_icon().pixmap(QSize(64, 64)))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text())
    box.setStyleSheet("QLabel { min-width: 28em; }")  # a message box is narrow: the credits wrap less
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def install_help(window: QMainWindow) -> None:
    """Help → Lesson, Keyboard shortcuts, About emviz."""
    menu = view_menu(window, "&Help")
    lesson = QAction("Lesson", window)
    lesson.setObjectName("actionHelpLesson")
    lesson.setToolTip("Open the guided lesson")

    def lesson_action() -> QAction | None:
        return window.actions_by_name.get(LESSON_ACTION)

    def refresh() -> None:
        """The lesson may be installed after the Help menu: look it up when the menu opens."""
        target = lesson_action()
        lesson.setEnabled(target is not None and target.isEnabled())
        keys = "" if target is None else target.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        lesson.setText(f"Lesson\t{keys}" if keys else "Lesson")  # shows the keys, takes none

    lesson.triggered.connect(lambda: (target := lesson_action()) is not None and target.trigger())
    shortcuts = QAction("Keyboard shortcuts", window)
    shortcuts.setObjectName("actionShortcuts")
    shortcuts.setToolTip("Every action's keys")
    shortcuts.triggered.connect(lambda: ShortcutsDialog(window).open())
    about = QAction("About emviz", window)
    about.setObjectName("actionAbout")
    about.setToolTip("Version and credits")
    about.triggered.connect(lambda: show_about(window))
    for action in (lesson, shortcuts, about):
        window.actions_by_name[action.objectName()] = action
        menu.addAction(action)
    menu.aboutToShow.connect(refresh)
    refresh()
