"""The toolbars while presenting: every action a visible control, in the rows the window has.

At 18 pt the window's toolbars need more than a screen's width (the teach row 1399 px, the
k-means row 1229 px, run + history + edit 1546 px, on a screen of 1024 or 1280), and what did
not fit hid behind each toolbar's "»" button, where a class never sees it and a teacher must
hunt for it. Another row would cost the lesson a line of its text (each row is 43 px). So,
while presenting:

- the actions a lecture rarely needs (``MORE``: Redo, Export image…, Paint labels, Sample…,
  Density) leave their toolbars for the one "More" button at the end of the teach row, whose
  menu names each with its shortcut (the shortcuts work as before: the keyboard reaches them,
  and a teacher who knows "D" needs no menu);
- a row whose labels do not fit the screen shows short labels (``SHORT``: "◀" and "▶" beside
  the history slider, as on a media player; "Oracle fit", "z, r", "K-means", "Lockstep",
  "Gaussians ▶ EM"; "3 / 12" for "half-step 3 / 12"), each button's tooltip starting with its
  whole name. A row with the room keeps its whole words: at 1920 x 1080 nothing is
  shortened, at 1024 x 768 all of them are;
- the actions a class sees used most (E-step, M-step, Step, Play, Reset, the history, Undo,
  Lesson, Oracle labels, Gallery) keep their own buttons and their whole names everywhere.

Why so, as a teacher sees it: what the lesson's "What to click next" box and the teacher name
("press Step", "Undo", "the history slider", "Gaussians ▶ EM") is a button the class can find
at a glance, in the same place whatever the screen; what is used once a lecture, or opened by
the lesson's Try it itself, is one click away under a button that says "More", not behind an
unlabelled "»" that differs from row to row; one more row of buttons (43 px) would take the
lesson's eighth line of text at 1280 x 800.

Leaving presentation mode puts every action back on its toolbar, where it was, with its label.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QToolButton, QWidgetAction

#: While presenting, these actions are entries of the "More" menu, in this order (a None: a
#: separator), not buttons: editing beyond Undo and the tools a lesson's Try it opens itself.
MORE = ("actionRedo", "actionExportImage", None, "actionPaintLabels", "actionSample",
        "actionDensity")
#: A button's label while presenting in a row too narrow for the whole labels.
SHORT = {
    "actionBack": "◀",
    "actionForward": "▶",
    "actionFitOracle": "Oracle fit",
    "actionZBesideR": "z, r",
    "actionKMeansMode": "K-means",
    "actionKMeansLockstep": "Lockstep",
    "actionKMeansGaussians": "Gaussians ▶ EM",
}
#: An action's whole toolbar label, kept on it while it shows its short one.
_FULL = "emvizFullLabel"
#: The history label's compact form is asked for with this property (see MainWindow).
COMPACT = "emvizCompact"


class PresentingToolbars(QObject):
    """The "More" button and the short labels of ``window``'s toolbars (see the module)."""

    def __init__(self, window: QMainWindow, teach: QToolBar) -> None:
        super().__init__(window)
        self._window = window
        self._teach = teach
        self.button = QToolButton()
        self.button.setObjectName("moreButton")
        self.button.setText("More ▾")
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.setToolTip("Redo, Export image, Paint labels, Sample and Density, each with "
                               "its shortcut (while presenting they have no buttons of their own)")
        self.menu = QMenu(self.button)
        self.menu.setObjectName("moreMenu")
        # opened by a click, not set as the button's menu: Qt then draws its own arrow, a dot
        # at 18 pt beside the "▾" (and a style sheet hiding it lost the theme's text colour)
        self.button.clicked.connect(
            lambda: self.menu.exec(self.button.mapToGlobal(self.button.rect().bottomLeft())))
        self._more = QWidgetAction(self)
        self._more.setDefaultWidget(self.button)
        self._more.setVisible(False)
        teach.addAction(self._more)
        #: (toolbar, action, the action it stood before, the width its button took there)
        #: for each action now in the menu
        self._moved: list[tuple[QToolBar, QAction, QAction | None, int]] = []
        self._keepers: dict[QAction, object] = {}  # action: its slot keeping its name in its tip

    def gather(self) -> None:
        """The MORE actions into the menu, the button shown at the end of the teach row."""
        if self._moved:
            return
        actions = getattr(self._window, "actions_by_name", {})
        for name in MORE:
            if name is None:
                self.menu.addSeparator()
                continue
            action = actions.get(name)
            bar = next((t for t in self._toolbars() if action in t.actions()), None)
            if bar is None:
                continue
            listed = bar.actions()
            after = listed.index(action) + 1
            button = bar.widgetForAction(action)
            width = button.sizeHint().width() + bar.layout().spacing() if button is not None else 0
            self._moved.append((bar, action, listed[after] if after < len(listed) else None,
                                width))
            bar.removeAction(action)
            self.menu.addAction(action)
        if self._teach.actions()[-1] is not self._more:  # (an action added after it)
            self._teach.removeAction(self._more)
            self._teach.addAction(self._more)
        self._more.setVisible(True)

    def scatter(self) -> None:
        """Every action back on its toolbar where it was; the button hidden."""
        self._more.setVisible(False)
        for bar, action, before, _width in reversed(self._moved):
            self.menu.removeAction(action)
            bar.insertAction(before, action)
        self._moved = []
        self.menu.clear()  # (the separators)

    @property
    def gathered(self) -> bool:
        return bool(self._moved)

    def whole_width(self, bar: QToolBar) -> int:
        """``bar``'s width as it is out of presentation mode: the actions now in the menu back
        on it, the More button off it, whole labels (what ToolbarRows decides its rows from,
        whatever shows now, so that they do not switch back and forth)."""
        width = bar.sizeHint().width() + sum(w for t, _a, _b, w in self._moved if t is bar)
        if bar is self._teach and self._more.isVisible():
            width -= self.button.sizeHint().width() + bar.layout().spacing()
        return width + self._whole_labels_extra(bar)

    def _whole_labels_extra(self, bar: QToolBar) -> int:
        """How much wider ``bar`` is with its whole labels than with those it shows."""
        extra = 0
        label = getattr(self._window, "history_label", None)
        if label is not None and label.property(COMPACT) and label.parentWidget() is bar:
            extra += label.fontMetrics().horizontalAdvance("half-step ")
        for action in bar.actions():
            button = bar.widgetForAction(action)
            if action.objectName() in SHORT and button is not None and action.property(_FULL) is not None:
                metrics = button.fontMetrics()
                extra += (metrics.horizontalAdvance(action.property(_FULL))
                          - metrics.horizontalAdvance(action.iconText()))
        return extra

    def fit_labels(self, rows: list[list[QToolBar]], width: int) -> None:
        """Short labels in each row whose whole labels need more than ``width`` px, whole
        labels in the others. Decided from the whole labels' widths, whatever shows now, so
        that a row does not switch back and forth as it is laid out again."""
        label = getattr(self._window, "history_label", None)
        for row in rows:
            buttons = [a for bar in row for a in bar.actions() if a.objectName() in SHORT]
            need = sum(bar.sizeHint().width() + self._whole_labels_extra(bar) for bar in row)
            short = need > width
            for action in buttons:
                self._set_short(action, short)
            if label is not None and label.parentWidget() in row:
                self._compact_history(short)

    def restore_labels(self) -> None:
        for bar in self._toolbars():
            for action in bar.actions():
                if action.objectName() in SHORT:
                    self._set_short(action, False)
        self._compact_history(False)

    def _compact_history(self, on: bool) -> None:
        label = getattr(self._window, "history_label", None)
        if label is not None and bool(label.property(COMPACT)) != on:
            label.setProperty(COMPACT, on)
            self._window.show_history_position()

    def _set_short(self, action: QAction, short: bool) -> None:
        """Show ``action``'s short label (its tooltip then starts with the whole one) or its
        whole label again."""
        full = action.property(_FULL)
        if short == (full is not None):
            return
        if short:
            full = action.iconText()
            action.setProperty(_FULL, full)
            action.setIconText(SHORT[action.objectName()])
            # a tooltip set anew meanwhile (the k-means Gaussians button says why it is
            # disabled) starts with the whole name again
            keeper = self._keepers[action] = lambda a=action: _name_in_tip(a)
            action.changed.connect(keeper)
            _name_in_tip(action)
        else:
            action.changed.disconnect(self._keepers.pop(action))
            action.setProperty(_FULL, None)
            action.setIconText(full)
            tip = action.toolTip()
            if tip.startswith(f"{full}: "):
                action.setToolTip(tip.removeprefix(f"{full}: "))

    def _toolbars(self) -> list[QToolBar]:
        w = self._window
        return [t for t in w.findChildren(QToolBar) if t.parentWidget() is w]



def _name_in_tip(action: QAction) -> None:
    full = action.property(_FULL)
    if full is not None and not action.toolTip().startswith(f"{full}: "):
        action.setToolTip(f"{full}: {action.toolTip()}")
