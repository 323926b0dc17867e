"""The 1-D mode: data with one column (a one-column file, or one column of 2-D data chosen
with Data → Use one column…) are shown as a histogram (emviz.gui.histogram_view) in the points
view's place; E, M, Play, the history, the ln p / L plot and the teaching tabs that are
D-general go on as in 2-D. What only makes sense in the plane (the density map, the Hills,
k-means mode, the gallery, …) is disabled while the data have one column, its tooltip saying
why, and comes back with two columns (Data → Use both columns, or Undo)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog

from ..session.model import Workbench
from .features import Feature
from .glide import Glide
from .histogram_drag import HistogramDrag
from .histogram_view import HistogramView
from .presentation import view_menu

#: Actions that draw in the plane of two coordinates, off in 1-D.
TWO_D_ACTIONS = ("actionDensity", "actionComponentDensity", "actionKMeansMode",
                 "actionShowOracle", "actionFitOracle", "actionPaintLabels", "actionSample",
                 "actionGallery", "actionExportAnimation")
#: Teaching features whose tab needs the plane.
TWO_D_TABS = ("landscape", "inspector")
WHY_OFF = "2-D only: the data have one column (Data → Use both columns, or load 2-D data)"


class OneDimension(QObject):
    """Swaps the points view and the histogram as the data's number of columns changes, and
    offers the column choice. ``view``: the HistogramView."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        # The histogram is built when the data first have one column or it is asked for
        # (``view``): most sessions never show it, and a plot cost 10-15 ms of the start-up.
        self._view: HistogramView | None = None
        menu = view_menu(window, "&Data")
        self.one_action = window.add_action(
            "actionUseOneColumn", "Use one column…", "",
            "Show one column of the data alone, as a histogram with the 1-D mixture over it "
            "(undoable)", teach_toolbar=False)
        self.both_action = window.add_action(
            "actionUseBothColumns", "Use both columns", "",
            "Back to the two columns the one shown was taken from (undoable)",
            teach_toolbar=False)
        menu.addAction(self.one_action)
        menu.addAction(self.both_action)
        self.one_action.triggered.connect(self.choose_column)
        self.both_action.triggered.connect(self.use_both_columns)
        self._tips: dict[str, str] = {}
        self._one_d = False
        window.editor.replacing.connect(self._before_data)
        window.model.subscribe(self._on_model_change, {"points", "history", "index"})
        self._on_model_change(frozenset({"points"}))

    @property
    def view(self) -> HistogramView:
        """The histogram (built now if it was not yet)."""
        if self._view is None:
            self._build_view()
        assert self._view is not None
        return self._view

    @property
    def built_view(self) -> HistogramView | None:
        """The histogram if it was built (None: it never showed, nothing to settle)."""
        return self._view

    def _build_view(self) -> None:
        window = self._window
        # Kept at once: what the building sets off (a resize, a range change) may ask for it.
        self._view = view = HistogramView()
        view.hide()
        window.closing.connect(view.shutdown)  # its counting lane (large data)
        splitter = window.splitter
        sizes = splitter.sizes()
        # just before the points view: the side views (k-means) stay right after it
        at = splitter.indexOf(window.points_view)
        splitter.insertWidget(at, view)
        splitter.setStretchFactor(at, 3)  # as the points view's: it takes the room they leave
        splitter.setCollapsible(at, False)
        if sum(sizes):  # laid out already: the hidden view takes no room
            splitter.setSizes(sizes[:at] + [0] + sizes[at:])
        window.add_view(view, {"points", "labels", "options", "history", "index", "identity"})
        self._glide_like_points(window, view)
        hand = window.features["hand_drag"].parts["editor"]
        self.drag = HistogramDrag(view, hand)
        presentation = getattr(window, "presentation", None)
        if presentation is not None:
            presentation.adopt(view)  # the look the window has now (dark, presenting)

    def _glide_like_points(self, window, view: HistogramView) -> None:
        """The histogram glides between half-steps when the points view does (View → Reduce
        motion, not playing faster than a glide): a Glide of its own, following the other."""
        points_glide = window.points_view.motion
        if points_glide is None:
            return
        glide = Glide(view, allowed=points_glide.allowed, parent=self)
        glide.enabled = points_glide.enabled
        view.motion = glide

        def follow(reduce: bool) -> None:
            glide.enabled = not reduce
            if reduce:
                glide.settle()
        window.actions_by_name["actionReduceMotion"].toggled.connect(follow)

    @property
    def model(self) -> Workbench:
        return self._window.model

    def choose_column(self) -> None:
        """Ask which of the two columns to keep (by its axis name), then use it."""
        axes = list(self.model.axes)
        name, ok = QInputDialog.getItem(self._window, "Use one column",
                                        "Show this column alone, as a histogram:", axes, 0, False)
        if ok:
            self.use_column(axes.index(name))

    def use_column(self, column: int) -> None:
        """Column ``column`` (0 or 1) of the 2-D data alone, as one undoable edit."""
        self._window.editor.use_column(column)

    def use_both_columns(self) -> None:
        self._window.editor.use_both_columns()

    # -- following the data ----------------------------------------------------------------
    def _before_data(self, columns: int) -> None:
        """One column is coming: the plane's modes go off while their data are still 2-D
        (k-means mode would replay its run on the 1-D data and draw it in its plane)."""
        if columns == 1:
            self._two_d_off()

    def _on_model_change(self, aspects: frozenset[str]) -> None:
        m = self.model
        one_d = m.points.shape[1] == 1
        self.one_action.setEnabled(not one_d and len(m.points) > 0)
        self.both_action.setEnabled(m.both_columns is not None)
        if one_d != self._one_d:
            self._one_d = one_d
            self._swap_views(one_d)
        if one_d:
            self._two_d_off()  # again after every change: some features re-enable theirs

    def _swap_views(self, one_d: bool) -> None:
        w = self._window
        view = self.view  # built before the sizes are read: building puts it in the splitter
        splitter = w.splitter
        sizes = splitter.sizes()
        shown, hidden = (view, w.points_view) if one_d else (w.points_view, view)
        i, j = splitter.indexOf(hidden), splitter.indexOf(shown)
        shown.show()
        hidden.hide()
        if sum(sizes):
            sizes[j], sizes[i] = sizes[i] or sizes[j], 0
            splitter.setSizes(sizes)
        self._set_tabs(not one_d)
        if not one_d:
            for name, tip in self._tips.items():
                action = w.actions_by_name.get(name)
                if action is not None:
                    action.setToolTip(tip)
                    action.setEnabled(True)
            self._tips.clear()
        else:
            w.show_status("One column: the data as a histogram, the mixture's 1-D curves over "
                          "it. Views of the plane are off (their tooltips say so).")

    def _two_d_off(self) -> None:
        for name in TWO_D_ACTIONS:
            action = self._window.actions_by_name.get(name)
            if action is None:
                continue
            if action.isChecked():
                action.trigger()  # leave the mode before it goes out of reach
            if name not in self._tips:
                self._tips[name] = action.toolTip()
                action.setToolTip(f"{WHY_OFF}. {self._tips[name]}")
            action.setEnabled(False)

    def _set_tabs(self, on: bool) -> None:
        w = self._window
        for name in TWO_D_TABS:
            try:
                view = w.feature(name)
            except KeyError:
                continue
            index = w.tabs.indexOf(view)
            if index < 0:
                continue
            if not on and w.tabs.currentIndex() == index:
                w.tabs.setCurrentIndex(0)
            w.tabs.setTabEnabled(index, on)
            tip = w.tabs.tabToolTip(index).removeprefix(WHY_OFF + ". ")
            w.tabs.setTabToolTip(index, tip if on else f"{WHY_OFF}. {tip}")
        w.tab_rows.sync()  # presenting, the titles are rows of buttons: the same ones off


def install(window) -> Feature:
    one_d = OneDimension(window)
    # No views yet: the histogram is registered (add_view) when it is built.
    return Feature("one_dim", one_d, actions=(one_d.one_action, one_d.both_action))
