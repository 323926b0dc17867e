"""Presentation mode and the light/dark theme: F11 (or the toolbar's "Present") fills the
screen with large fonts, thick ellipses, larger points and only the controls a lecture needs;
F11 again or Esc puts everything back as it was. View → Theme → Light / Dark.

The numbers come from emviz.look.appearance. Views that draw themselves (the points view, the
bound plot, the control panel) have ``apply_appearance(appearance)`` and change their pens,
fonts and brushes in place. Everything else is handled here, generically:

- the application's font (every widget that does not set its own), palette and style, and
  the style of the window's check boxes and radio buttons (larger indicators);
- fonts a widget set for itself in points (the teaching panels' 12-14 pt text) and the axes
  of the other pyqtgraph plots are scaled by the same factor, and put back on leaving;
- every other pyqtgraph plot takes the theme's plot colours (background, axes, tick labels,
  titles, captions, legends: ``style.theme_plot``), and a widget with ``apply_theme(appearance)``
  (the teaching views) re-colours the items it drew in colours of its own (markers, bars,
  tags, boxes); the component palette follows the theme (``look.colors.use_theme``) and
  every view draws again, so the whole window, plots included, is in one theme.

F11, Esc and the toolbar's Present change the window on one turn of the event loop and paint
it on the next (``request_presenting``; ``set_presenting`` does both at once).

A hidden part of the window that holds plots (an explanation tab not chosen, the k-means
view, a closed gallery) is not restyled when the look changes: it is marked stale, with the
look it has, and its plots and views take the window's look when it is next shown, before
they paint (``catch_up``); restyling the hidden teaching tabs' plots was a third of the
restyle. Fonts set on widgets follow at once, hidden or not: a hidden tab's size counts in
the tabs' layout.

Only the window is changed, never its model: an appearance is not part of a session, of the
undo history or of an exported run.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QMainWindow,
    QMenu,
    QProxyStyle,
    QRadioButton,
    QScrollArea,
    QStyle,
    QStyleFactory,
    QToolBar,
    QWidget,
)

from ..look import colors
from ..look.appearance import PRESENT_FONT_MIN_PT, THEMES, Appearance
from .lazy_tabs import LazyPage
from .style import fit_legend, qt_palette, theme_plot
from .tab_bar import FITS_OWN_FONT

#: A widget's own font size (points) before presentation mode scaled it.
_OWN_FONT_PT = "emvizOwnFontPt"


class Presentation(QObject):
    """The appearance of one window: ``set_presenting(on)``, ``set_theme("light"|"dark")``.
    ``changed`` is emitted with the new Appearance after everything has been applied."""

    changed = Signal(object)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        app = QApplication.instance()
        # What the application looked like before this window changed it: restored on
        # leaving presentation mode, on the light theme and when the window closes.
        self._app_font = QFont(app.font())
        self._app_palette = QPalette(app.palette())
        self._app_style = app.style().name() or "fusion"  # (a proxy style has no name)
        self.appearance = Appearance()
        self._before_full_screen: tuple[Qt.WindowState, bytes] | None = None
        self._splitter_before = b""  # the row's split before presenting (its panel may fold)
        self.leaving = False  # leaving presentation mode: the window is not at its size yet
        self._panel_widths: tuple[int, int] | None = None
        self._plot_text: list[tuple[object, Callable[[], None], QWidget]] = []  # (item, undo, view)
        self._indicators: QProxyStyle | None = None  # the check boxes' style while presenting
        self._steps: deque[Callable[[], None]] = deque()  # what is left of a change of mode
        self._change = 0  # which change of mode the steps are of
        self._turn_change = 0  # ... and the one the next turn's step is of
        self._turn = QTimer(self, singleShot=True, interval=0)  # the next step's turn
        self._turn.timeout.connect(self._on_turn)
        self._held = _HeldLayouts(self)  # layout requests held between the steps of a change
        self._restyling = False  # a change of look is part way through (``_apply_parts``)
        self._adopted: list[QWidget] = []  # widgets built meanwhile: adopted at its end
        # Hidden widgets not restyled with the window: each with the look it still has; it
        # takes the window's when shown (``catch_up``), before it paints.
        self._stale: dict[QWidget, Appearance] = {}
        self._nested: dict[QWidget, list[QWidget]] = {}  # stale parts inside a stale widget
        self._watched: set[QWidget] = set()  # whose destruction is watched
        self._skip: set[QWidget] = set()  # while applying: the stale widgets and their children

    # -- public -------------------------------------------------------------------------
    @property
    def presenting(self) -> bool:
        return self.appearance.presenting

    def set_presenting(self, on: bool) -> None:
        """Enter or leave presentation mode now, in one call (scripts, tests, screenshots)."""
        self.finish()
        if on == self.appearance.presenting:
            return
        self._start(on)
        self.finish()

    def request_presenting(self, on: bool) -> None:
        """Enter or leave presentation mode in turns of the event loop (F11, Esc, the
        toolbar): restyling and laying out every widget, then painting the window at its new
        size, took one turn of 130-400 ms at 10⁶ points, during which the window answered
        nothing. The window does not paint until the last step, so no half-changed screen
        is seen; ``settled`` tells when it is done."""
        self.finish()  # a change still under way completes first
        if on == self.appearance.presenting:
            return
        self._start(on)
        self._next_step(self._change)

    @property
    def settled(self) -> bool:
        """Whether no change of mode is under way (every step of the last one has run)."""
        return not self._steps

    @property
    def steps_left(self) -> int:
        """How many steps of the change of mode under way are still to run (0: settled)."""
        return len(self._steps)

    def finish(self) -> None:
        """Run what is left of a change of mode now."""
        self._held.pause()  # (the steps lay out what they ask for, as in one call)
        while self._steps:
            self._run(self._steps.popleft())

    def _start(self, on: bool) -> None:
        self._change += 1  # (a turn scheduled for an earlier change does nothing)
        self._steps = deque(self._change_steps(on))

    def _run(self, step: Callable[[], None]) -> None:
        try:
            step()
        except BaseException:
            # the rest of the change is dropped, and the window not left unpainted
            self._steps.clear()
            self._restyling, self._skip = False, set()
            self._held.release()
            self._window.setUpdatesEnabled(True)
            raise

    def _next_step(self, change: int) -> None:
        if change != self._change or not self._steps:
            return
        self._held.pause()  # (a step's own layouts, asked for in it, as in one call)
        self._run(self._steps.popleft())
        if self._steps:
            self._held.resume()
            # The next step with the timers of a later turn, not as a posted event: posted
            # events posted while the event loop handles posted events were handled in the
            # same stretch (three steps, each posting the next, ran with no timer between).
            self._turn_change = change
            self._turn.start()

    def _on_turn(self) -> None:
        self._next_step(self._turn_change)

    def _change_steps(self, on: bool) -> list[Callable[[], None]]:
        """The change of mode in steps, each on a turn of the event loop of its own (with
        the timers of a turn after the one of the step before); the window does not paint
        until the last step, so no half-changed screen is seen.

        Entering: the application's font; its palette and style, and the views that are
        plots (the points view, the bound plot: their items change, no widget is laid out
        anew); the widgets' own fonts, the other plots and views, the control panel and the
        toolbars, then full screen; the paint. Restyled on one turn (48-67 ms of the GUI
        thread at 10⁶ points, more with every other window the application's font reaches),
        with the layouts, the full-screen resize and the paint on the next, it stopped the
        event loop for 65-135 ms; in steps each is 10-25 ms. Between the steps the layout
        requests are held (``_HeldLayouts``) and posted again at the third, so the window is
        laid out once, in the whole new look, as one call lays it out: laid out between the
        steps in each half-changed look, the splitters' shares, the toolbars' rows and the
        window's minimum size ended where the order of the steps took them. The other views
        restyle in the same step as the control panel and full screen: a view's change that
        lays out by other means than a layout request (the lesson's head, as its summary
        hides) grew the window to its presenting minimum before it was full screen, and on
        the 800 px offscreen screen, narrower than that minimum, it then left full screen.

        Leaving: restyled and laid out at the normal size on one turn (the window takes back
        its geometry once its layouts hold still), painted on the next. (The views' ranges,
        which pyqtgraph settles when it paints, can land a pixel apart from one call's.)"""
        w = self._window
        new = Appearance(self.appearance.theme, on)

        def release_paint() -> None:
            w.setUpdatesEnabled(True)  # (and updates the whole window)

        if on:
            begin, font, palette, widgets, end = self._apply_parts(new)

            def enter() -> None:
                w.setUpdatesEnabled(False)
                self._before_full_screen = (w.windowState(), bytes(w.saveGeometry()))
                self._splitter_before = bytes(w.splitter.saveState())
                begin()
                self._held.hold()
                font()

            def plots() -> None:
                palette()
                for view in self._views():  # (their items only: no widget is laid out anew)
                    if isinstance(view, pg.GraphicsView):
                        view.apply_appearance(new)

            def full_screen() -> None:
                widgets(plots=False)
                end()
                self._held.release()  # laid out once, in the new look, as one call lays it out
                w.showFullScreen()
            return [enter, plots, full_screen, release_paint]

        def leave() -> None:
            w.setUpdatesEnabled(False)
            self.leaving = True  # (views that size themselves by the window's wait for it)
            try:
                self._apply(new)
                self._settle_layouts()  # before the window takes back its size
                self._leave_full_screen()
                if self._splitter_before:  # the row as it was (presenting, the panel may fold)
                    w.splitter.restoreState(QByteArray(self._splitter_before))
                    self._splitter_before = b""
                self._settle_layouts()
            finally:
                self.leaving = False
            for view in self._views():
                if hasattr(view, "window_settled"):
                    view.window_settled()
        return [leave, release_paint]

    def set_theme(self, theme: str) -> None:
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
        self.finish()
        if theme != self.appearance.theme:
            self._apply(Appearance(theme, self.appearance.presenting))

    def normal_layout(self) -> tuple[bytes, bytes]:
        """(saveGeometry, saveState) of the window as it is outside presentation mode, for
        the preferences: full screen is not a layout to come back to."""
        w = self._window
        geometry = self._before_full_screen[1] if self.presenting else bytes(w.saveGeometry())
        return geometry, bytes(w.saveState())

    def normal_split(self) -> bytes:
        """The central row's split (``QSplitter.saveState``) as it is outside presentation
        mode, for the preferences: presenting, the control panel may fold away for the points."""
        w = self._window
        return self._splitter_before if self.presenting and self._splitter_before else bytes(
            w.splitter.saveState())

    def restore_application(self) -> None:
        """Put the application's font, palette and style back (the window is closing; the
        application, or the next test, goes on without it)."""
        self.finish()
        app = QApplication.instance()
        if app is None or self.appearance == Appearance():
            return
        colors.use_theme("light")
        QApplication.setFont(self._app_font)
        QApplication.setPalette(self._app_palette)
        if app.style().name() != self._app_style:
            QApplication.setStyle(self._app_style)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationFontChange)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationPaletteChange)

    # -- applying -----------------------------------------------------------------------
    def _apply(self, new: Appearance) -> None:
        for part in self._apply_parts(new):
            part()

    def _apply_parts(self, new: Appearance) -> list[Callable[[], None]]:
        """Applying ``new`` in five parts to run in this order, at once or on separate turns:
        the hidden parts marked stale (first: a hidden widget resized as the new fonts arrive
        catches up then, and is skipped by the rest, not before it is marked); the
        application's font, palette and style; the widgets' own fonts, the plots, the theme
        and the views; the control panel and toolbars, and ``changed``. Between the parts a
        view built (``adopt``) takes the look at the end, a stale one shown catches up."""
        old = self.appearance

        def begin() -> None:
            self._mark_hidden_stale(old)
            self._skip = self._stale_widgets()
            self.appearance = new
            self._restyling = True

        def font() -> None:
            self._apply_font(new)

        def palette() -> None:
            self._apply_palette(new)

        def widgets(plots: bool = True) -> None:
            """(``plots``: with the views that are plots, else without them.)"""
            if new.presenting != old.presenting:
                self._scale_own_fonts(new.font_scale)
                self._scale_other_plots(new.font_scale)
            self._apply_theme(new, redraw=new.theme != old.theme)
            for view in self._views():
                if plots or not isinstance(view, pg.GraphicsView):
                    view.apply_appearance(new)

        def end() -> None:
            self._restyling, self._skip = False, set()
            adopted, self._adopted = self._adopted, []
            for root in adopted:  # built while the look changed: the look it ended with
                if shiboken6.isValid(root):
                    self.adopt(root)
            self._fit_control_panel(new.presenting)
            self._free_explanation_height(new.presenting)
            rows = getattr(self._window, "toolbar_rows", None)
            if rows is not None:  # presenting: as few rows as can be, each fitted to the screen
                rows.set_packed(new.presenting)
            self.changed.emit(new)
        return [begin, font, palette, widgets, end]

    def _apply_font(self, a: Appearance) -> None:
        """The application's font. Widgets learn of it from posted events: delivered now, so
        that sizes measured next (and tests) see the new fonts."""
        font = QFont(self._app_font)
        font.setPointSizeF(a.font_pt(self._app_font.pointSizeF()))
        QApplication.setFont(font)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationFontChange)

    def _apply_palette(self, a: Appearance) -> None:
        """The application's palette and style, and the check boxes' indicators."""
        colors = a.palette
        if colors is None:
            QApplication.setPalette(self._app_palette)
            style = self._app_style
        else:
            QApplication.setPalette(qt_palette(colors))
            style = "fusion"  # a style that draws with the palette (native ones may not)
        if QApplication.style().name() != style:
            # Only when it changes: a new application style polishes every widget again.
            QApplication.setStyle(style)
        self._size_indicators(a, style)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationPaletteChange)

    def adopt(self, root: QWidget) -> None:
        """``root``, built after the appearance was applied (a tab's view built when first
        shown), takes it as if it had been there: its own fonts and plot text scaled while
        presenting, the theme's colours, ``apply_appearance`` and the large indicators. (Built
        inside a stale hidden widget, it is left out of that widget's catch-up. Built while
        the look changes, it takes the look the change ends with, when it ends.)"""
        if self._restyling:
            self._adopted.append(root)
            self._skip |= set(_with_children(root, QWidget, True))  # (the change passes it by)
            return
        stale = self._stale_ancestor(root)
        if stale is not None:
            self._nested.setdefault(stale, []).append(root)
        a = self.appearance
        if a == Appearance():
            return  # built in the look it was made for
        if a.presenting:
            self._scale_own_fonts(a.font_scale, root)
            self._scale_other_plots(a.font_scale, root)
            if self._indicators is not None:
                for box in [*root.findChildren(QCheckBox), *root.findChildren(QRadioButton)]:
                    box.setStyle(self._indicators)
        self._theme_widgets(a, root)
        for view in self._views(root):
            view.apply_appearance(a)

    # -- hidden widgets: restyled when shown ------------------------------------------------
    @property
    def stale(self) -> list[QWidget]:
        """The hidden widgets that do not have the window's look yet (they take it when shown)."""
        return [w for w in self._stale if shiboken6.isValid(w)]

    def catch_up(self, unit: QWidget | None = None) -> None:
        """Give ``unit`` (a stale widget; None: every one) the window's look now: what a
        change of look did to the window while it was hidden. Called when it is shown, before
        it paints; scripts may call it to see hidden widgets in the window's look."""
        units = list(self._stale) if unit is None else [unit]
        for w in units:
            last = self._stale.pop(w, None)
            nested = self._nested.pop(w, [])
            if last is None or not shiboken6.isValid(w):
                continue
            w.removeEventFilter(self)
            a = self.appearance
            if last == a:
                continue
            # Parts of it that were stale already when it was hidden catch up on their own,
            # from their own look (each on its Show, which comes before its parent's); views
            # built in it since have the window's look already.
            applying = self._skip
            self._skip = {x for part in nested if shiboken6.isValid(part)
                          for x in _with_children(part, QWidget, True)}
            try:
                if last.presenting != a.presenting:
                    self._scale_plots([v for v in _with_children(w, pg.GraphicsView, True)
                                       if v not in self._skip], a.font_scale)
                self._theme_widgets(a, w)
                for view in self._views(w):
                    view.apply_appearance(a)
                _fit_axis_titles(w)  # fitted in the look it has now, not the one it was shown in
            finally:
                self._skip = applying  # (a change under way goes on without it: it has its look)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """A stale widget catches up when it is about to be seen: on the resize a hidden
        widget is sent as it is shown (before its children are shown and resized, so that
        they fit their text in the new look, as if restyled with the window), on its Show
        if it was not resized, or on ShowToParent (chosen in a window never shown)."""
        kind = event.type()
        if watched in self._stale and kind in (QEvent.Type.Resize, QEvent.Type.Show,
                                               QEvent.Type.ShowToParent):
            changed_size = self._stale[watched].presenting != self.appearance.presenting
            self.catch_up(watched)
            if kind != QEvent.Type.Resize and changed_size:
                _refit_plots(watched)  # laid out in the old look: its plots fit their text again
        return False

    def _mark_hidden_stale(self, old: Appearance) -> None:
        """Mark the window's hidden parts that hold plots (the topmost widget of each) stale,
        with the look they have (``old``, or an older one if they were stale already)."""
        for w in _topmost_hidden(self._window):
            if w not in self._stale and _with_children(w, pg.GraphicsView, True):
                self._nested[w] = [u for u in self._stale if u is not w and w.isAncestorOf(u)]
                self._stale[w] = old
                w.installEventFilter(self)
                if w not in self._watched:
                    self._watched.add(w)
                    w.destroyed.connect(self._forget)

    def _forget(self, obj: QObject) -> None:
        self._stale = {w: a for w, a in self._stale.items() if shiboken6.isValid(w) and w is not obj}
        self._nested = {w: n for w, n in self._nested.items() if w in self._stale}
        self._watched = {w for w in self._watched if shiboken6.isValid(w) and w is not obj}

    def _stale_widgets(self) -> set[QWidget]:
        """The stale widgets and everything in them (their plots and views restyled when
        shown; fonts set on widgets follow at once)."""
        return {x for w in self.stale for x in _with_children(w, QWidget, True)}

    def _stale_ancestor(self, widget: QWidget) -> QWidget | None:
        w: QWidget | None = widget.parentWidget()
        while w is not None and w is not self._window:
            if w in self._stale:
                return w
            w = w.parentWidget()
        return None

    def _size_indicators(self, a: Appearance, style: str) -> None:
        """While presenting, the window's check boxes and radio buttons get indicators as
        large as their text: a style of their own (a style with a Python ``pixelMetric`` for
        the whole application was asked ten thousand times per change of mode, by every
        widget's layout)."""
        boxes = [*self._window.findChildren(QCheckBox), *self._window.findChildren(QRadioButton)]
        if not a.presenting:
            for box in boxes:
                if box.style() is self._indicators:
                    box.setStyle(None)  # the application's again
            self._indicators = None
            return
        base = QStyleFactory.create(style)
        if base is None:
            return
        indicators = _LargeIndicators(base, a.font_scale)
        for box in boxes:
            box.setStyle(indicators)
        self._indicators = indicators  # the widgets do not own it: kept while they use it

    def _views(self, root: QWidget | None = None) -> list:
        """Every widget in the window (or ``root``) that says how to draw an appearance."""
        root = root or self._window
        views = [root] if hasattr(root, "apply_appearance") else []
        views += [w for w in root.findChildren(QWidget)
                  if hasattr(w, "apply_appearance") and w not in self._skip]
        return views

    def _scale_own_fonts(self, scale: float, root: QWidget | None = None) -> None:
        """Fonts a widget set for itself in points follow the application's by ``scale``;
        the original size is kept on the widget and put back at scale 1."""
        root = root or self._window
        for widget in _with_children(root, QWidget, root is not self._window):
            if widget.property(FITS_OWN_FONT):
                continue  # it follows its parent's font by itself
            own = widget.property(_OWN_FONT_PT)
            if own is None:
                if scale == 1.0 or not widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
                    continue
                own = widget.font().pointSizeF()
                if own <= 0:
                    continue  # a size in pixels: leave it
                widget.setProperty(_OWN_FONT_PT, own)
            font = QFont(widget.font())
            font.setPointSizeF(_present_pt(float(own), scale))
            widget.setFont(font)
            if scale == 1.0:
                widget.setProperty(_OWN_FONT_PT, None)

    def _scale_other_plots(self, scale: float, root: QWidget | None = None) -> None:
        """Text in the plots that do not draw an appearance themselves (the teaching panels):
        axes' tick labels and titles, plot titles, captions and legends (pyqtgraph LabelItems)
        and TextItems, scaled like the fonts; each put back as it was at scale 1."""
        root = root or self._window
        if scale == 1.0:
            kept = []
            for item, restore, view in self._plot_text:
                if not (shiboken6.isValid(item) and shiboken6.isValid(view)):
                    continue
                if view in self._skip or not (view is root or root.isAncestorOf(view)):
                    kept.append((item, restore, view))  # hidden: put back when shown
                else:
                    restore()
            self._plot_text = kept
            return
        self._scale_plots(_with_children(root, pg.GraphicsView, root is not self._window), scale)

    def _scale_plots(self, views: list, scale: float) -> None:
        """``_scale_other_plots`` for these views (those not drawing an appearance themselves):
        at scale 1 their text put back, else scaled."""
        if scale == 1.0:
            kept = []
            for item, restore, view in self._plot_text:
                if shiboken6.isValid(item) and shiboken6.isValid(view):
                    if view in views:
                        restore()
                    else:
                        kept.append((item, restore, view))
            self._plot_text = kept
            return
        for view in views:
            if hasattr(view, "apply_appearance") or view in self._skip:
                continue
            for item in view.scene().items():
                restore = _scale_plot_text(item, scale)
                if restore is not None:
                    self._plot_text.append((item, restore, view))

    def _apply_theme(self, a: Appearance, redraw: bool) -> None:
        """The theme's colours in every plot and teaching view (also after a change of size
        only: scaling put back the colours text had before); with ``redraw``, every view
        draws its state again (the component colours changed with the theme)."""
        colors.use_theme(a.theme)
        self._theme_widgets(a, self._window)
        redraw_all = getattr(self._window, "redraw_all", None)
        if redraw and redraw_all is not None:
            redraw_all()

    def _theme_widgets(self, a: Appearance, root: QWidget) -> None:
        with_root = root is not self._window
        for view in _with_children(root, pg.GraphicsView, with_root):
            if not hasattr(view, "apply_appearance") and view not in self._skip:
                theme_plot(view, a)
        for widget in _with_children(root, QWidget, with_root):
            if hasattr(widget, "apply_theme") and widget not in self._skip:
                widget.apply_theme(a)

    def _fit_control_panel(self, presenting: bool) -> None:
        """The control panel's scroll area was sized for the normal font: give it the width
        the larger font needs (and back exactly what it had)."""
        panel = self._window.findChild(QScrollArea, "controlScroll")
        if panel is None or panel.widget() is None:
            return
        if presenting:
            if self._panel_widths is None:
                self._panel_widths = (panel.minimumWidth(), panel.maximumWidth())
            inner = panel.widget()
            inner.adjustSize()
            panel.setMinimumWidth(inner.minimumSizeHint().width() + 24)
            panel.setMaximumWidth(inner.sizeHint().width() + 60)
        elif self._panel_widths is not None:
            panel.setMinimumWidth(self._panel_widths[0])
            panel.setMaximumWidth(self._panel_widths[1])
            self._panel_widths = None

    def _free_explanation_height(self, presenting: bool) -> None:
        """While presenting, the explanation tabs do not claim their tallest page's minimum
        height (the Point tab's wrapped text at 18 pt: 367 px, which held the lesson's band
        at 200 px of the 360 it asks for at 1280 x 800); a page shorter than it needs is the
        price, and the lesson's text is what a class reads then."""
        tabs = getattr(self._window, "tabs", None)
        if tabs is not None:
            tabs.setMinimumHeight(1 if presenting else 0)

    def _settle_layouts(self) -> None:
        """Lay the window out in the normal fonts now, before it leaves full screen. A layout
        request is posted, and a widget laid out anew posts one to its parent, each handled on
        a later turn of the event loop: left to it, the window came back from full screen while
        the lesson's band (or the toolbars, or the status bar) still had its presenting minimum,
        in some runs and not in others, and kept the consequences: 92 px wider than it was, or
        6 px taken from the lesson's band to meet the views' minimum height (the explanation
        tabs and the parameter table's three rows). Until the window's minimum size holds
        still, at most a few rounds (one per level of nested layouts)."""
        w = self._window
        last = None
        for _ in range(10):
            # this window's widgets only: another window (the gallery) lays itself out later
            for widget in (w, *w.findChildren(QWidget)):
                if widget.window() is w:  # (the gallery is a child window of it)
                    QCoreApplication.sendPostedEvents(widget, QEvent.Type.LayoutRequest)
            if w.minimumSize() == last:
                return
            last = w.minimumSize()

    def _leave_full_screen(self) -> None:
        w = self._window
        state, geometry = self._before_full_screen or (Qt.WindowState.WindowNoState, b"")
        self._before_full_screen = None
        w.showNormal()
        if geometry:
            w.restoreGeometry(geometry)  # also maximises a window that was maximised
        if state & Qt.WindowState.WindowMaximized and not w.isMaximized():
            w.showMaximized()


class _HeldLayouts(QObject):
    """Layout requests held while the event loop runs between the restyling steps of a
    change of mode (from ``hold`` to ``release``; a step itself, ``pause`` to ``resume``,
    lays out what it asks for at once, as in one call), and posted again at ``release``:
    the window is laid out once, in the look it ends with, as in one call, not in each
    half-changed look between (laid out so, the splitters' shares, the toolbars' rows and
    the window's minimum size ended where the order of the steps took them)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._held: dict[int, QObject] = {}
        self._holding = False  # between ``hold`` and ``release``
        self._filtering = False

    def hold(self) -> None:
        self._holding = True

    def resume(self) -> None:
        """The event loop runs on: hold the layout requests posted meanwhile."""
        if self._holding and not self._filtering:
            self._filtering = True
            QCoreApplication.instance().installEventFilter(self)

    def pause(self) -> None:
        """A step runs: its layout requests go through."""
        if self._filtering:
            self._filtering = False
            QCoreApplication.instance().removeEventFilter(self)

    def release(self) -> None:
        """Stop holding and post the held requests again."""
        self.pause()
        self._holding = False
        held, self._held = self._held, {}
        for receiver in held.values():
            if shiboken6.isValid(receiver):
                QCoreApplication.postEvent(receiver, QEvent(QEvent.Type.LayoutRequest))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.LayoutRequest:
            self._held[id(watched)] = watched
            return True
        return False


class _LargeIndicators(QProxyStyle):
    """A style whose check box and radio button indicators are ``scale`` times as large."""

    _SCALED = frozenset({QStyle.PixelMetric.PM_IndicatorWidth, QStyle.PixelMetric.PM_IndicatorHeight,
                         QStyle.PixelMetric.PM_ExclusiveIndicatorWidth,
                         QStyle.PixelMetric.PM_ExclusiveIndicatorHeight})

    def __init__(self, base: QStyle, scale: float) -> None:
        super().__init__(base)
        self._scale = scale

    def pixelMetric(self, metric, option=None, widget=None) -> int:  # noqa: N802 (Qt API)
        value = super().pixelMetric(metric, option, widget)
        return round(value * self._scale) if metric in self._SCALED else value


def _scale_plot_text(item, scale: float) -> Callable[[], None] | None:
    """Make the text of one pyqtgraph item ``scale`` times larger; return what undoes it
    (None: the item has no text of a size of its own, or is not one of these kinds)."""
    if isinstance(item, pg.AxisItem):
        tick_font, label_style = item.style["tickFont"], dict(item.labelStyle)
        if tick_font is not None and tick_font.pointSizeF() > 0:
            item.setStyle(tickFont=_scaled_font(tick_font, scale))
        if item.labelText:
            item.setLabel(item.labelText, **_scaled_style(label_style, scale))

        def restore() -> None:
            item.setStyle(tickFont=tick_font)
            if item.labelText:
                item.setLabel(item.labelText, **label_style)
        return restore
    if isinstance(item, pg.LabelItem) and "size" in item.opts:
        size = item.opts["size"]
        parent = item.parentItem()
        legend = parent if isinstance(parent, pg.LegendItem) else None
        # A plot's title sits in a row of fixed height (pyqtgraph's 30 px): it grows too.
        plot = parent if isinstance(parent, pg.PlotItem) and parent.titleLabel is item else None
        row = plot.layout.rowMaximumHeight(0) if plot is not None else 0.0

        def set_size(css: str, row_height: float) -> None:
            item.setText(item.text, size=css)
            if legend is not None:
                fit_legend(legend)  # a legend does not follow its labels' sizes by itself
            if plot is not None and row > 0:
                plot.layout.setRowFixedHeight(0, row_height)
                item.setMaximumHeight(row_height)
        set_size(_scaled_style({"font-size": size}, scale)["font-size"], row * scale)
        return lambda: set_size(size, row)
    if isinstance(item, pg.TextItem):
        font = QFont(item.textItem.font())
        if font.pointSizeF() <= 0:
            return None
        item.setFont(_scaled_font(font, scale))
        return lambda: item.setFont(font)
    return None


def _present_pt(points: float, scale: float) -> float:
    """A size set in points, ``scale`` times larger; while presenting (scale above 1) never
    under PRESENT_FONT_MIN_PT (an 11 pt caption would be 17.6 pt: too small at the back)."""
    return points * scale if scale <= 1.0 else max(points * scale, PRESENT_FONT_MIN_PT)


def _scaled_font(font: QFont, scale: float) -> QFont:
    bigger = QFont(font)
    bigger.setPointSizeF(_present_pt(font.pointSizeF(), scale))
    return bigger


def _scaled_style(style: dict, scale: float) -> dict:
    """A pyqtgraph label style with its "font-size" ("12pt", "14px") times ``scale``."""
    scaled = dict(style)
    match = re.fullmatch(r"\s*([\d.]+)\s*(pt|px)\s*", str(style.get("font-size", "")))
    if match:
        size = float(match[1]) * scale
        if scale > 1.0:  # 18 pt is 24 px at the 96 dpi pyqtgraph's sizes assume
            size = max(size, PRESENT_FONT_MIN_PT * (1.0 if match[2] == "pt" else 96 / 72))
        scaled["font-size"] = f"{size:g}{match[2]}"
    return scaled


def view_menu(window: QMainWindow, title: str) -> QMenu:
    """The window's top-level menu with this title ("&View"), made if there is none yet, so
    that several installers can add to one View menu."""
    plain = title.replace("&", "")
    for action in window.menuBar().actions():
        menu = action.menu()
        if menu is not None and menu.title().replace("&", "") == plain:
            return menu
    return window.menuBar().addMenu(title)


def _action(window, name: str, text: str, shortcut: str, tip: str,
            checkable: bool = False) -> QAction:
    return window.add_action(name, text, shortcut, tip, checkable, teach_toolbar=False)


def _with_children(root: QWidget, kind: type, with_root: bool) -> list:
    """``root``'s children of ``kind``, and ``root`` too if ``with_root`` and it is one."""
    found = root.findChildren(kind)
    return [root, *found] if with_root and isinstance(root, kind) else found


def _topmost_hidden(window: QWidget) -> list[QWidget]:
    """The widgets of ``window`` that are hidden while their parent is not (each the top of a
    hidden part: a tab not chosen, a closed panel or window), relative to ``window`` (a
    window never shown still has its chosen tab "visible"). A tab not built yet is left
    out: it is built in the look of its time."""
    found: list[QWidget] = []
    todo = [window]
    while todo:
        parent = todo.pop()
        for child in parent.children():
            if not isinstance(child, QWidget):
                continue
            if child.isHidden():
                if not (isinstance(child, LazyPage) and not child.built):
                    found.append(child)
            else:
                todo.append(child)
    return found


def _refit_plots(root: QWidget) -> None:
    """Every plot in ``root`` lays its text out again as on a resize (legends, titles and
    captions left out or brought back, wrap widths: the views do it in ``resizeEvent``)."""
    for view in _with_children(root, pg.GraphicsView, True):
        QCoreApplication.sendEvent(view, QResizeEvent(view.size(), view.size()))


def _fit_axis_titles(root: QWidget) -> None:
    """Fit the titles of the axes in ``root``'s plots again (``style.elide_axis_title``: its
    ``setLabel`` names the whole title and fits it)."""
    for view in _with_children(root, pg.GraphicsView, True):
        for item in view.scene().items():
            title = getattr(item, "_emviz_title", None) if isinstance(item, pg.AxisItem) else None
            if title is not None and item.labelText:
                item.setLabel(title["full"], **item.labelStyle)


def install_presentation(window: QMainWindow) -> Presentation:
    """Presentation mode (F11, Esc to leave; also on the Run toolbar) and View → Theme."""
    presentation = Presentation(window)
    present = _action(window, "actionPresent", "Present", "F11",
                      "Presentation mode: full screen, large text, thick lines", checkable=True)
    leave = _action(window, "actionLeavePresentation", "Leave presentation mode", "Esc",
                    "Back to the normal window")
    leave.setEnabled(False)
    present.toggled.connect(presentation.request_presenting)
    leave.triggered.connect(lambda: present.setChecked(False))

    group = QActionGroup(window)
    themes = {}
    for theme in THEMES:
        action = _action(window, f"actionTheme{theme.title()}", theme.title(), "",
                         f"{theme.title()} theme", checkable=True)
        action.setActionGroup(group)
        action.triggered.connect(lambda _=False, t=theme: presentation.set_theme(t))
        themes[theme] = action
    themes[presentation.appearance.theme].setChecked(True)

    def show(appearance: Appearance) -> None:
        present.setChecked(appearance.presenting)
        leave.setEnabled(appearance.presenting)
        themes[appearance.theme].setChecked(True)

    presentation.changed.connect(show)

    menu = view_menu(window, "&View")
    menu.addAction(present)
    menu.addAction(leave)
    theme_menu = menu.addMenu("Theme")
    theme_menu.setObjectName("themeMenu")
    for action in themes.values():
        theme_menu.addAction(action)
    toolbar = window.findChild(QToolBar, "runToolbar")
    if toolbar is not None:
        toolbar.addSeparator()
        toolbar.addAction(present)
    window.closing.connect(presentation.restore_application)
    return presentation
