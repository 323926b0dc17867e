"""Room for what a class reads: the data views of a split view (k-means beside EM, the oracle
beside EM), and the explanations' page over the parameter table.

In a split view the two data views are what a class compares, so they must be the biggest
thing in the row. The control panel and the explanations column have minimum widths (their
text whole), and at 1024 x 768 the views were left 172 px each in a window and 68 px each
while presenting: the corner titles stood outside them. While a side view shows and the data
views together have less than VIEWS_SHARE of the row, the control panel folds away (collapsed
in the splitter: its handle stays, to be dragged out again), and it comes back when the row
has room for it and the views still keep their share (a larger window, presenting ended), or
when the split view closes. Presenting, the points view alone keeps SINGLE_VIEW_SHARE the
same way: at 1024 x 768 the panel (at 18 pt) and the explanations left it 68-164 px of the row,
a sliver of the data in front of a class.

Presenting, a split view's data views also keep PRESENT_SPLIT_MIN_HEIGHT of height (the
lesson's band goes compact for it), and held that short they take the explanations' width
too (make_way): at 1024 x 768 beside the lesson they had 181 x 251 px each, the data none.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QSizePolicy, QSplitter, QWidget

from .style import css_pt
from .tab_rows import MIN_PAGE_HEIGHT

#: The share of the row the data views of a split view get at least, together.
VIEWS_SHARE = 0.5
#: The share of the row the points view gets at least while presenting when it is the only
#: data view (in a window its split is the user's: one made by hand is remembered across runs).
#: Presenting at 1280 x 800 it had 31% (390 px: the ellipses cut at its sides), at 1920 x 1080
#: 39% (752 px), where the panel stays.
SINGLE_VIEW_SHARE = 0.35
#: Presenting, a split view's data views are at least this high (px): the lesson's band gives
#: way to it (lesson_panel). At 1024 x 768, chapter 11 then the k-means split, the band left
#: them 181 px, the k-means title took four lines of it, the data a strip of 0 px and both x₁
#: titles lay below the views. 276 px is what that screen leaves beside the compact band (its
#: 30 px title bar, 8 lines of text: 260 px): two title lines, the x axis and 147 px of data.
PRESENT_SPLIT_MIN_HEIGHT = 276
#: ... and held that short (within SHORT_SLACK px of it), they need width for their titles
#: (two lines, not four) and their data: while they have less than PRESENT_SPLIT_SHARE of the
#: row, the explanations fold away too (their handle stays). At 1024 x 768 beside the lesson
#: the explanations' 509 px (their least at 18 pt) left the views 251 px each, the k-means
#: title four lines; at 1280 x 800 the views have 60% of the row and the explanations stay.
PRESENT_SPLIT_SHARE = 0.55
SHORT_SLACK = 40
#: Pixels of width the points view keeps beyond what its data and its x axis's title need
#: (presenting, the rest of its width goes to the explanations: see SplitRoom.lend).
LEND_SLACK = 16


class RowSplitter(QSplitter):
    """The window's row (control panel, data views, explanations): a pane collapsed in it
    (folded away by SplitRoom, or by a hand on its handle) does not count its minimum width
    in the row's. QSplitter counts it: at 1024 x 768, presenting chapter 11 then the k-means
    split, the folded panel's 404 px (at 18 pt) beside the explanations' 509 held the window
    at 1061 px, wider than its screen. The pane keeps its minimum for when it comes back (a
    drag on the handle still snaps it out whole)."""

    def __init__(self, orientation) -> None:
        super().__init__(orientation)
        self.splitterMoved.connect(lambda *_args: self.updateGeometry())  # collapsed by hand

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        size = super().minimumSizeHint()
        sizes = self.sizes()
        if not self.isVisible() or sum(sizes) <= 0:  # not laid out yet: every pane counts
            return size
        horizontal = self.orientation() == Qt.Orientation.Horizontal
        out = [n for n, px in enumerate(sizes)
               if px == 0 and self.isCollapsible(n) and not self.widget(n).isHidden()]
        folded = sum(_least(self.widget(n), horizontal) for n in out)
        if horizontal:
            size.setWidth(size.width() - folded)
            # ... nor its height: the explanations' 299 px (folded beside a short split view,
            # presenting) held the views above the floor the lesson's band leaves them
            shown = [_least(self.widget(n), False) for n in range(self.count())
                     if n not in out and not self.widget(n).isHidden()]
            if out and shown:
                size.setHeight(min(size.height(), max(shown) + 2 * self.frameWidth()))
        else:
            size.setHeight(size.height() - folded)
        return size

    def setSizes(self, sizes) -> None:  # noqa: N802 (Qt API)
        super().setSizes(sizes)
        self.updateGeometry()  # a pane folded or back: the row's minimum changed

    def restoreState(self, state: QByteArray | bytes) -> bool:  # noqa: N802 (Qt API)
        restored = super().restoreState(state)
        self.updateGeometry()
        return restored


def _least(widget: QWidget, horizontal: bool) -> int:
    """The width (height) a splitter counts for ``widget`` at least, as Qt's qSmartMinSize."""
    if horizontal:
        explicit, hint = widget.minimumWidth(), widget.minimumSizeHint().width()
        policy, preferred = widget.sizePolicy().horizontalPolicy(), widget.sizeHint().width()
    else:
        explicit, hint = widget.minimumHeight(), widget.minimumSizeHint().height()
        policy, preferred = widget.sizePolicy().verticalPolicy(), widget.sizeHint().height()
    if explicit > 0:
        return explicit
    if policy == QSizePolicy.Policy.Ignored:
        return 0
    if policy.value & QSizePolicy.PolicyFlag.ShrinkFlag.value:
        return max(hint, 0)
    return max(hint, preferred, 0)


class _AfterResize(QObject):
    """Calls ``apply()`` once after the splitters it watches are resized (on the next turn of
    the event loop: after the splitter has shared out its new size)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._pending = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Resize and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self._apply_later)
        return False

    def _apply_later(self) -> None:
        self._pending = False
        self.apply()

    def apply(self) -> None:
        raise NotImplementedError


class SplitRoom(_AfterResize):
    """Keeps a split view's data views at least VIEWS_SHARE of the window's row (the points
    view alone, presenting, SINGLE_VIEW_SHARE). ``window``
    has ``splitter`` (panel, points view, side views, explanations), ``points_view``.

    Presenting, the points view alone also lends the explanations the width it cannot use:
    its aspect is locked, so in a short row (beside the lesson: 265 px high at 1280 x 800)
    the data fill its height and the rest of its width is empty margin (Old Faithful used 180
    of its 840 px), while the explanations' page beside it was 430 px wide, its tab titles in
    two or three rows and its texts wrapped into twice the lines. It keeps SINGLE_VIEW_SHARE,
    the width its data need at its height and its x axis's whole title; it takes the width
    back as its row grows (the lesson closed) or its data widen."""

    def __init__(self, window, panel: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.panel = panel
        self.folded = False  # the panel was collapsed here (not by a hand on the handle)
        self.explanations_folded = False  # ... the explanations (presenting, a short split)
        self.lent = 0  # px of the points view's width lent to the explanations (presenting)
        self._watched: QSplitter | None = None
        self._watch()  # from the start: the points view alone keeps its share too
        box = getattr(window.points_view, "getViewBox", lambda: None)()
        if box is not None:  # new data, framed anew: the width they need changed
            box.sigRangeChanged.connect(lambda *_args: self._schedule())

    def _schedule(self) -> None:
        if not self._pending:
            self._pending = True
            # with self as the context: not called once the window (and this) is gone (a
            # window closed as it opened still framed its data)
            QTimer.singleShot(0, self, self._apply_later)

    def _watch(self) -> QSplitter:
        splitter = self.window.splitter
        if splitter is not self._watched:
            splitter.installEventFilter(self)
            self._watched = splitter
        return splitter

    def data_views(self, splitter: QSplitter) -> list[int]:
        """Indexes of the shown data views: those between the panel and the explanations (the
        points view or the 1-D histogram, and the side views after it)."""
        first = splitter.indexOf(self.panel) + 1
        return [n for n in range(first, splitter.count() - 1) if splitter.widget(n).isVisibleTo(self.window)]

    def apply(self) -> None:
        """Fold the panel away or bring it back, as the row's room says."""
        splitter = self._watch()
        views = self.data_views(splitter)
        at = splitter.indexOf(self.panel)
        if at < 0:
            return
        sizes = splitter.sizes()
        total = sum(sizes)
        if not views or total <= 0:  # nothing laid out yet: the panel as the user left it
            self.folded = False
            return
        presenting = getattr(getattr(self.window, "presentation", None), "presenting", False)
        floor = PRESENT_SPLIT_MIN_HEIGHT if presenting and len(views) > 1 else 0
        if splitter.minimumHeight() != floor:
            splitter.setMinimumHeight(floor)
        share = VIEWS_SHARE if len(views) > 1 else SINGLE_VIEW_SHARE if presenting else 0.0
        room = sum(sizes[n] for n in views)
        if not self.folded and sizes[at] > 0 and room < share * total:
            self.folded = True
            self._share(sizes, views, at, -sizes[at])
            splitter.setSizes(sizes)
        elif self.folded and sizes[at] > 0:  # dragged out by hand: the user's to fold again
            self.folded = False
        elif self.folded and not self.explanations_folded:  # the views' room comes first
            wanted = self.panel.minimumWidth()
            if room - wanted >= share * total:
                self.folded = False
                self._share(sizes, views, at, wanted)
                splitter.setSizes(sizes)
        self.make_way(splitter, views, floor)
        self.lend(splitter, views, presenting)

    def make_way(self, splitter: QSplitter, views: list[int], floor: int) -> None:
        """Presenting, a split view's data views held at their floor height: the explanations
        fold away while the views have less than PRESENT_SPLIT_SHARE of the row, and come
        back when the views are no longer short (the lesson closed, presenting ended)."""
        sizes = splitter.sizes()
        last, total = len(sizes) - 1, sum(sizes)
        short = floor > 0 and splitter.height() <= floor + SHORT_SLACK
        room = sum(sizes[n] for n in views)
        if short and not self.explanations_folded and sizes[last] > 0 \
                and room < PRESENT_SPLIT_SHARE * total:
            self.explanations_folded = True
            self._share(sizes, views, last, -sizes[last])
            splitter.setSizes(sizes)
        elif self.explanations_folded and sizes[last] > 0:  # dragged out, or the row restored
            self.explanations_folded = False
        elif self.explanations_folded and not short:
            self.explanations_folded = False
            wanted = _least(splitter.widget(last), True)
            spare = room - sum(_least(splitter.widget(n), True) for n in views)
            self._share(sizes, views, last, min(wanted, max(0, spare)))
            splitter.setSizes(sizes)

    def lend(self, splitter: QSplitter, views: list[int], presenting: bool) -> None:
        """Presenting, the points view alone: the width it cannot use to the explanations,
        taken back as it can use it again (see the class's docstring). Leaving presentation
        mode restores the row as it was (Presentation), so nothing is lent then."""
        view = self.window.points_view
        if not presenting or len(views) != 1 or splitter.widget(views[0]) is not view:
            self.lent = 0
            return
        need = usable_width(view)
        if need is None:
            return
        sizes = splitter.sizes()
        n, last = views[0], len(sizes) - 1
        want = max(int(SINGLE_VIEW_SHARE * sum(sizes)), need)
        if sizes[n] > want + LEND_SLACK:
            change = sizes[n] - want
        elif self.lent and sizes[n] < want - LEND_SLACK:
            change = -min(self.lent, want - sizes[n])
        else:
            return
        before = sizes[n]
        sizes[n] -= change
        sizes[last] += change
        splitter.setSizes(sizes)
        self.lent = max(0, self.lent + before - splitter.sizes()[n])  # as the minimums allowed

    @staticmethod
    def _share(sizes: list[int], views: list[int], panel: int, change: int) -> None:
        """Give the panel ``change`` px, taken from (or given to) the views evenly."""
        sizes[panel] += change
        for i, n in enumerate(views):
            sizes[n] -= change // len(views) + (1 if i < change % len(views) else 0)


def usable_width(view) -> int | None:
    """The width (px) an aspect-locked plot can use at its height: its data's (the range it
    was asked to show, at the pixels per unit its height gives), its axes', and its x axis's
    whole title's; None before it is laid out."""
    box = view.getViewBox()
    target = box.targetRect()
    if target.width() <= 0 or target.height() <= 0 or box.height() <= 0 or box.width() <= 0:
        return None
    axes = view.width() - box.width()  # the left axis and the margins
    data = box.height() * target.width() / target.height()
    return int(max(data, title_width(view.getPlotItem().getAxis("bottom"))) + axes) + LEND_SLACK


def title_width(axis) -> int:
    """The width (px) of an axis's whole title in its font (its elided one may show)."""
    state = getattr(axis, "_emviz_title", None)
    full = state["full"] if state is not None else axis.labelText
    if not full or not axis.label.isVisible():
        return 0
    font = QFont(axis.label.font())
    points = css_pt(axis.labelStyle.get("font-size"))
    if points:
        font.setPointSizeF(points)
    return QFontMetrics(font).horizontalAdvance(full) + 8


#: The least height (px) of the explanations' page before the parameter table under it
#: gives way: a plot, its title and its axes need about this much (the page's own floor).
PAGE_MIN_PX = MIN_PAGE_HEIGHT


class TableRoom(_AfterResize):
    """The explanations column: the tab page over the parameter table. The table's height is
    given here, not by Qt's minimums: it asks the splitter for none (ParamsTable), so its rows
    never make the window taller than it is. At 1024 x 768 chapter 11's four rows (172 px)
    under the page's least height held the window 20 px past its screen once the k-means
    split's toolbar row came; a window grows for a minimum before anything can fold.

    The table gets every row whole (at least the rows it claims room for), the page at least
    PAGE_MIN_PX (or its own least height, if more): first from the other's surplus, then from
    the lesson band's height beyond what it needs; if that is not enough, the table folds away
    (its handle stays), and comes back when there is room for its rows. It is looked at again
    when the column is resized and when a pane's least height changes (a page chosen).
    Presenting with the lesson open, the row above the band is short: the table is no taller
    than its rows need, the rest is the page's (the Why plot had 38 px at 1280 x 800 under a
    table of 148)."""

    def __init__(self, column: QSplitter, page: QWidget, parent: QObject) -> None:
        super().__init__(parent)
        self.column = column
        self.page = page  # the tab widget (its pages are all one height)
        self.folded_at = 0  # the table's height before it folded away here; 0: not folded
        column.installEventFilter(self)
        column.widget(1).installEventFilter(self)  # resized in the column: a drag, setSizes

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """After a resize, and after a pane's least height changed in a column of the same
        height (a LayoutRequest): chosen after chapter 7's Point page (280 px at least),
        chapter 11's ln p, L page left room for the rows, but the table was looked at again
        only on a resize, and stayed folded."""
        if watched is self.column and event.type() == QEvent.Type.LayoutRequest and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self._apply_later)
        return super().eventFilter(watched, event)

    def apply(self) -> None:
        top, table = self.column.sizes()
        current = self.page.currentWidget()
        page = current.height() if current is not None else self.page.height()
        floor = max(PAGE_MIN_PX, _page_least(current))
        least = _rows_height(self.column.widget(1))  # the rows it claims room for, whole
        rows = _all_rows_height(self.column.widget(1))  # every row whole
        # the least height Qt lets the tabs have, which a splitter never goes under: after the
        # Hills page, chapter 1 at 1280 x 800 asked 135 px for its rows, got 133 under tabs
        # of 231 at least (a page of 202), and the third row scrolled
        tabs = self.column.widget(0)
        tabs_least = max(tabs.minimumSizeHint().height(), tabs.minimumHeight())
        if self.folded_at:
            if table > 0:  # dragged out by hand: the user's to fold again
                self.folded_at = 0
                return
            # back as tall as it was if the page keeps its floor, else as tall as its rows
            # need (folded while the window was set up at 1024 x 768, 260 px high, it never
            # came back, though the column had room for its 98)
            room = min(page - floor, top - tabs_least)
            back = min(max(self.folded_at, rows), room)
            if back >= least:
                self.folded_at = 0
                self.column.setSizes([top - back, back])
            else:
                self._borrow(least - room)  # the band's spare: looked at again on the resize
            return
        if table == 0:  # collapsed by hand: the user's
            return
        presentation = getattr(self.parent(), "presentation", None)
        want = table
        if getattr(presentation, "presenting", False):
            # presenting, what the rows do not need is the page's (at 1280 x 800 the table
            # kept 246 px for 148 of rows under a Choose K page that scrolled)
            want = min(want, rows)
        if want < rows:  # a class cannot scroll: the page gives what it has above its floor
            want = min(rows, want + max(page - floor, 0))
        if page - (want - table) < floor and want > rows:  # the page takes the table's surplus
            want = max(rows, want - (floor - page + want - table))
        want = max(want, least)
        short = max(floor - (page - (want - table)), tabs_least - (top - (want - table)))
        if short > 0 and not self._borrow(short):
            self.folded_at = table
            self.column.setSizes([top + table, 0])
            return
        if want != table:
            self.column.setSizes([top + table - want, want])

    def least_height(self) -> int:
        """The column's least height with the rows the table claims whole while it shows (it
        asks Qt for no height): the room the lesson's band leaves the views, as when the table
        asked Qt for its rows (at 1024 x 768 the band took 14 px more, and chapter 5's z, r
        caption lost its last line)."""
        row = self.column.parentWidget()
        if isinstance(row, QSplitter) and row.sizes()[row.indexOf(self.column)] == 0:
            return 0  # the column is folded away (presenting beside a split view): no rows
        table = self.column.widget(1)
        shown = table.isVisibleTo(self.column) and self.column.sizes()[1] > 0
        return self.column.minimumSizeHint().height() + (_rows_height(table) if shown else 0)

    def _borrow(self, px: int) -> bool:
        """Whether the lesson's band gives the column ``px`` of its height beyond what the band
        needs (resized, the column is looked at again). Chapter 11 at 1024 x 768 needs 432 px
        for the page's 200 and its four rows' 172; the column had 400 beside a 250 px band that
        needed 185."""
        lesson = getattr(self.parent(), "lesson", None)
        if lesson is None or lesson.spare_height() < px:
            return False
        return lesson.give_height(px) == px


def _page_least(page: QWidget | None) -> int:
    """The least height (px) of a page at its width: its minimum, or more if its wrapped text
    needs more there (chapter 5's z, r caption at 1024 x 768: 114 px, in a page of 210 whose
    minimum counted less, and its last line was cut)."""
    if page is None:
        return 0
    least = page.minimumSizeHint().height()
    if page.hasHeightForWidth() and page.width() > 0:
        least = max(least, page.heightForWidth(page.width()))
    return least


def _rows_height(table: QWidget) -> int:
    """The height ``table`` asks for (the rows it claims room for), folded or not."""
    rows_height = getattr(table, "rows_height", None)
    return rows_height() if rows_height is not None else table.minimumSizeHint().height()


def _all_rows_height(table: QWidget) -> int:
    """The height ``table`` needs for every row, folded or not."""
    all_rows_height = getattr(table, "all_rows_height", None)
    return all_rows_height() if all_rows_height is not None else _rows_height(table)
