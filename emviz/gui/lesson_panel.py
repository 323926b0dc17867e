"""The Lesson panel: a dock with the lecture's chapters (resources/lesson/*.md), Back / Next,
and "Try it", which sets up the state a chapter talks about through the window's own paths
(an undoable data load, the model's settings, the run controller, the teaching actions).

The chapter shown, whether the dock is open and where it is docked are remembered across
runs (QSettings). The dock starts hidden in every window; ``restore_visibility`` (called by
the interactive program, not by scripts, tests or ``--screenshot``) opens it on the first run
and as it was left after.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..core import load_builtin
from ..session.lesson import Chapter, load_chapters
from .dock_title import paint_title, qt_draws_title
from .elided_label import ElidedLabel
from .predict_reveal import PredictReveal
from .preferences import app_settings
from .tab_bar import FITS_OWN_FONT
from .teaching._shared import HIGHLIGHT, font

#: The "What to click next" box's background in the dark theme (white text on it: 9.2:1).
DARK_HIGHLIGHT = "#5a4500"

#: QSettings keys.
CHAPTER_KEY = "lesson/chapter"  # the slug of the chapter shown last
VISIBLE_KEY = "lesson/visible"  # whether the dock was open when last toggled
AREA_KEY = "lesson/area"  # where it is docked: "bottom", "right", "left" or "top"

AREAS = {
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
}
#: A band under the views by default: the points view keeps its width (its aspect ratio is
#: locked, so at 1600 x 900 a column beside it halved the size of the data on screen, and
#: with k-means mode's second view the points became specks), and the band's three parts
#: keep the text's lines short enough to read.
DEFAULT_AREA = "bottom"
BAND_HEIGHT = 250
COLUMN_WIDTH = 380

SHORTCUT = "F1"  # Ctrl+L is "Paint labels"
#: Text sizes for a projector: the body is read from the back of the room.
TITLE_PT, BODY_PT, SMALL_PT = 17, 14, 11
#: ... shrunk in half points down to this when the text would not fit without scrolling (a
#: band at 1280 x 800); below it, the text scrolls.
MIN_BODY_PT = 12
#: In presentation mode the band takes this share of the screen's height: at 1280 x 800 the
#: title and 8 lines of text at 19 pt (0.34 held 3 lines: 272 px less the 24 pt title).
PRESENT_BAND_SHARE = 0.47
#: In a band: the title | the text | "what to click next" and the buttons, sharing the width
#: in these proportions (the text about 70 characters a line at 1280 pixels, 90 at 1600).
BAND_STRETCH = (2, 6, 3)
BAND_MIN_WIDTHS = (200, 0, 260)
#: Presenting, a band has two columns: the title over the text | "what to click next" and the
#: buttons; the box gets the width to hold its larger text in a few lines.
PRESENT_STRETCH = (3, 2, 0)
#: A band narrower than this (px) has those two columns out of presentation mode too: at 1024
#: px the three gave the title 200 px (three lines of it, five of the set-up summary) and the
#: box 260 px (seven lines), a band 225 px high that a window at 1024 x 768 could not give.
TWO_COLUMNS_BELOW = 1200
#: ... the box as wide as the title and the text (its lines the shortest it can have).
NARROW_STRETCH = (1, 1, 0)
#: ... and at least this many lines of the text under the title (the rest scrolls).
NARROW_MIN_LINES = 3
#: Presenting over a split view, whose two data views hold a floor of height (split_room's
#: PRESENT_SPLIT_MIN_HEIGHT), a band that needs more than the room above that floor is
#: compact: the chapter's title moves into the dock's title bar (one line at the presenting
#: text's least size, elided with a tooltip, in place of Qt's title and buttons) and the
#: box is as wide as the text, so its lines are fewer; the text keeps its PRESENT_MIN_LINES
#: and the box stays whole. At 1024 x 768 the title's two lines at 24 pt and
#: the box's seven were 96 px the data views needed.
COMPACT_STRETCH = (1, 1, 0)
#: No text of the lesson under this size (points) while presenting.
PRESENT_MIN_PT = 18.0
#: Presenting, at least this many lines of the chapter's text show (the screen audit's
#: MIN_SCROLLED_LINES).
PRESENT_MIN_LINES = 8

def lesson_settings() -> QSettings:
    """The lesson's settings: the program's one store (emviz.gui.preferences)."""
    return app_settings()


class LessonPanel(QDockWidget):
    """``chapters`` in order; ``error``: why there are none (a chapter file that cannot be read)."""

    def __init__(self, window, chapters: tuple[Chapter, ...], error: str = "") -> None:
        super().__init__("Lesson", window)
        self.setObjectName("lessonDock")
        self.window_ = window
        self.chapters = chapters
        self.error = error
        self._shown = -1  # the chapter the panel shows (model.lesson.chapter once drawn)
        self._scale = 1.0  # the appearance's font scale (presentation mode: larger)
        self._normal_height: int | None = None  # the band's height before presentation mode
        self._tried: int | None = None  # the chapter whose Try it set up what is on screen
        self._text_shown = ""  # the Markdown the text shows
        self.predict = None  # the chapters' "predict, then reveal" (set by install_lesson)
        self._build()
        slug = lesson_settings().value(CHAPTER_KEY, "", type=str)
        slugs = [c.slug for c in chapters]
        self.go(slugs.index(slug) if slug in slugs else 0, remember=False)
        # The chapter lives in the session model: a restored session turns the page too.
        window.model.subscribe(self._on_model_change, {"lesson"})

    # -- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.position = QLabel(objectName="lessonPosition")
        self.position.setFont(font(SMALL_PT))
        self.title = QLabel(objectName="lessonTitle")
        self.title.setFont(font(TITLE_PT, bold=True))
        self.title.setWordWrap(True)
        self.text = QTextBrowser(objectName="lessonText")
        self.text.setFont(font(BODY_PT))
        self.text.setOpenLinks(False)
        self.text.setFrameShape(QFrame.Shape.NoFrame)
        self.text.installEventFilter(self)  # refit the text when the dock is resized
        self.text.viewport().setAutoFillBackground(False)  # the dock's colour: it reads as a page
        self.next_step = QLabel(objectName="lessonNextStep")
        self.next_step.setFont(font(BODY_PT))
        self.next_step.setProperty(FITS_OWN_FONT, True)  # sized with the text (_fit_text)
        self.next_step.setTextFormat(Qt.TextFormat.MarkdownText)
        self.next_step.setWordWrap(True)
        # Its own text colour: the dark theme's light text on this pale yellow would be 1.1:1.
        self.next_step.setStyleSheet(f"background: {HIGHLIGHT}; color: #000; padding: 6px; "
                                     "border-radius: 4px;")
        # the dock's title bar while the band is compact: the chapter's number and title
        self.title_bar = ElidedLabel(self)
        self.title_bar.setObjectName("lessonTitleBar")
        self.title_bar.setFont(font(SMALL_PT, bold=True))  # presenting, at least 18 pt
        self.title_bar.setContentsMargins(6, 0, 6, 0)
        self.title_bar.hide()
        self.summary = QLabel(objectName="lessonSummary")
        self.summary.setFont(font(SMALL_PT))
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #444;")
        self.back = QPushButton("◀ Back", objectName="lessonBack")
        self.back.setToolTip("The previous chapter")
        self.try_button = QPushButton("Try it", objectName="lessonTry")
        self.try_button.setFont(font(BODY_PT, bold=True))
        self.next = QPushButton("Next ▶", objectName="lessonNext")
        self.next.setToolTip("The next chapter")
        buttons = QHBoxLayout()
        for button in (self.back, self.try_button, self.next):
            button.setMinimumHeight(34)
            buttons.addWidget(button, 2 if button is self.try_button else 1)
        self.back.clicked.connect(lambda: self.go(self.index - 1))
        self.next.clicked.connect(lambda: self.go(self.index + 1))
        self.try_button.clicked.connect(self.try_it)

        self.head = QWidget(objectName="lessonHead")
        head = QVBoxLayout(self.head)
        head.setContentsMargins(0, 0, 0, 0)
        for widget in (self.position, self.title, self.summary):
            head.addWidget(widget)
        head.addStretch(1)
        self.foot = QWidget(objectName="lessonFoot")
        foot = QVBoxLayout(self.foot)
        foot.setContentsMargins(0, 0, 0, 0)
        foot.addWidget(self.next_step)
        foot.addStretch(1)
        foot.addLayout(buttons)
        body = QWidget(objectName="lessonBody")
        body.installEventFilter(self)  # claim the height its parts need at its new width
        self.window_.installEventFilter(self)  # ... and the room left as the window's bars change
        self.grid = QGridLayout(body)
        self.grid.setContentsMargins(10, 4, 10, 8)
        self.grid.setSpacing(12)
        body.setMinimumWidth(300)
        self.setWidget(body)
        self.band = False
        self._presenting = False
        self._two_columns = False
        self._compact = False  # the band without its title (see COMPACT_STRETCH)
        self._full_need = 0  # the band's height with its title, when it went compact
        self._area = Qt.DockWidgetArea.RightDockWidgetArea
        self._arrange(Qt.DockWidgetArea.RightDockWidgetArea)
        self.dockLocationChanged.connect(self._arrange)

    def _arrange(self, area: Qt.DockWidgetArea) -> None:
        """A column beside the views (title, text, what to click next, buttons), or a band
        under or over them: title | text | what to click next and buttons; presenting or
        narrow, the title over the text | what to click next and the buttons."""
        self._area = area
        self.band = area in (Qt.DockWidgetArea.BottomDockWidgetArea,
                             Qt.DockWidgetArea.TopDockWidgetArea)
        for widget in (self.head, self.text, self.foot):
            self.grid.removeWidget(widget)
        two_columns = self._two_columns = self._wants_two_columns()
        compact = self._compact = two_columns and self._full_need > 0 and self._views_floor() > 0
        if not compact:
            self._full_need = 0  # measured again when it has to be
        self.head.setVisible(not compact)
        if compact:  # the head is out of the grid: the text from the top
            cells = ((0, 0, 1), (0, 0, 2), (0, 1, 2))
        elif two_columns:  # (row, column, rows)
            cells = ((0, 0, 1), (1, 0, 1), (0, 1, 2))
        else:
            cells = ((0, 0, 1), (0, 1, 1), (0, 2, 1)) if self.band else ((0, 0, 1), (1, 0, 1), (2, 0, 1))
        for widget, (row, column, rows) in zip((self.head, self.text, self.foot), cells, strict=True):
            if widget is not self.head or not compact:
                self.grid.addWidget(widget, row, column, rows, 1)
        stretches = (PRESENT_STRETCH if self._presenting else NARROW_STRETCH) if two_columns \
            else BAND_STRETCH
        stretches = COMPACT_STRETCH if compact else stretches
        for i, stretch in enumerate(stretches):  # the text takes the most, across or down
            self.grid.setColumnStretch(i, stretch if self.band else 0)
            self.grid.setRowStretch(i, int((not self.band or two_columns) and i == 1))
        for widget, width in ((self.head, BAND_MIN_WIDTHS[0]), (self.foot, BAND_MIN_WIDTHS[2])):
            widget.setMinimumWidth(width if self.band and not two_columns else 0)
        # Presenting or in two columns the chapter's number is only in the dock's title: the
        # line it took is one of the text's.
        self.position.setVisible(not (self._presenting or two_columns))
        self._show_window_title()

    def _wants_two_columns(self) -> bool:
        return self.band and (self._presenting or self.widget().width() < TWO_COLUMNS_BELOW)

    def _views_floor(self) -> int:
        """The least height (px) the views above hold while presenting (a split view's data
        views: split_room.PRESENT_SPLIT_MIN_HEIGHT), 0 if none."""
        views = self.window_.centralWidget()
        if not (self.band and self._presenting) or views is None:
            return 0
        return views.minimumHeight()

    def _show_window_title(self) -> None:
        """The dock's title: the chapter's number (Qt's title bar, drawn in the dock's font by
        paintEvent); compact, a title bar of its own with the chapter's title too, elided."""
        title = f"Lesson · {self.position.text()}"
        self.setWindowTitle(title)
        self.toggleViewAction().setText("Lesson")  # (Qt names the action after the title)
        if self._compact and self.chapters:
            self.title_bar.set_full_text(f"{title} · {self.title.text()}")
        wanted = self.title_bar if self._compact else None
        if self.titleBarWidget() is not wanted:
            self.setTitleBarWidget(wanted)

    # -- navigation --------------------------------------------------------------------------
    @property
    def index(self) -> int:
        """The chapter shown, 0-based (``model.lesson.chapter``)."""
        return self.window_.model.lesson.chapter

    def _on_model_change(self, _aspects: frozenset[str]) -> None:
        if self.index != self._shown:
            self.go(self.index, remember=False)
        elif self.chapters:  # the prediction's stage may have changed
            if self._text_shown != self._chapter_text():
                self._show_text()
            self._show_next_step()

    @property
    def chapter(self) -> Chapter | None:
        return self.chapters[self.index] if self.chapters else None

    def go(self, index: int, remember: bool = True) -> None:
        """Show chapter ``index`` (0-based, clamped) and remember it (not when the window opens:
        a script or a screenshot writes nothing to the user's settings)."""
        if not self.chapters:
            self._show_error()
            return
        index = min(max(int(index), 0), len(self.chapters) - 1)
        self._shown = index
        self.window_.model.lesson.set_chapter(index)
        chapter = self.chapters[self.index]
        self.position.setText(f"Chapter {self.index + 1} of {len(self.chapters)}")
        self.title.setText(chapter.title)
        self._show_window_title()  # presenting, the only place of the number
        self._show_text()
        self._tried = None  # this chapter's picture is not on screen until Try it
        self._show_next_step()
        self.summary.setText(f"Try it sets up: {chapter.summary()}")
        self.try_button.setToolTip(f"Set up this chapter: {chapter.summary()} (Ctrl+Z undoes "
                                   "the data)")
        self.back.setEnabled(self.index > 0)
        self.next.setEnabled(self.index < len(self.chapters) - 1)
        if remember:
            lesson_settings().setValue(CHAPTER_KEY, chapter.slug)
        if self.predict is not None:
            self.predict.arm(None)  # another chapter's question is not asked

    def _chapter_text(self) -> str:
        """The chapter's Markdown, with the answer to its question once revealed."""
        lesson = self.window_.model.lesson
        body = self.chapter.body
        if lesson.stage == "revealed":
            body += f"\n\n**Revealed:** {lesson.outcome}"
        return body

    def _show_text(self) -> None:
        self._text_shown = self._chapter_text()
        self.text.setMarkdown(self._text_shown)
        self._fit_text()

    def _show_next_step(self) -> None:
        """Until Try it, the next click is Try it: the text speaks of the chapter's picture
        (chapter 1's of three Gaussians and the Sample window, over Old Faithful at K = 2 on
        the first start). After it, the chapter's own next step."""
        chapter, stage = self.chapter, self.window_.model.lesson.stage
        if self._tried != self.index:
            text = "press **Try it** below to set up this chapter's picture."
        elif stage == "asking" and chapter.predict is not None:
            text = f"**Predict:** {chapter.predict.ask}"
        elif stage == "running":
            text = "your guess is the cross; the step runs…"
        elif stage == "revealed":
            then = (chapter.predict.then if chapter.predict is not None else "") or chapter.next_step
            self.next_step.setText(f"**Revealed:** {self.window_.model.lesson.headline} "
                                   f"**Next:** {then}")
            self.next_step.show()
            return
        else:
            text = chapter.next_step
        self.next_step.setText(f"**What to click next:** {text}")
        self.next_step.setVisible(bool(text))
        self._claim_height()

    def _fit_text(self) -> None:
        """The largest body size from BODY_PT down to MIN_BODY_PT (times the appearance's
        font scale) at which the chapter's text needs no scrolling."""
        points, smallest = BODY_PT * self._scale, MIN_BODY_PT * self._scale
        if self._presenting:
            smallest = max(smallest, PRESENT_MIN_PT)
        self.text.setFont(font(points))
        document, viewport = self.text.document(), self.text.viewport()
        document.setTextWidth(viewport.width())
        while points > smallest and document.size().height() > viewport.height():
            points = max(smallest, points - 0.5)
            self.text.setFont(font(points))
            document.setTextWidth(viewport.width())
        # The box in the text's size while presenting (read with it), its own size otherwise.
        box_pt = max(PRESENT_MIN_PT, points) if self._presenting else BODY_PT
        if self.next_step.font().pointSizeF() != box_pt:
            self.next_step.setFont(font(box_pt))
        self._claim_height()

    def apply_appearance(self, appearance) -> None:
        """Presentation mode: the text at the presentation's scale, so a room can read it;
        the band a third of the screen high to hold it; the set-up summary hidden and the
        chapter's number only in the dock's title (the large title and the text need the
        room). Leaving puts all of it back."""
        self._scale = appearance.font_scale
        self.summary.setVisible(not appearance.presenting)
        self._theme_boxes(appearance.theme == "dark")
        if appearance.presenting != self._presenting:
            self._presenting = appearance.presenting
            self._arrange(self._area)
        presenting_now = self._normal_height is not None
        if self.band and appearance.presenting != presenting_now:
            if appearance.presenting:
                self._normal_height = self.height()
                screen = self.window_.screen().availableGeometry().height()
                height = max(self._normal_height, int(PRESENT_BAND_SHARE * screen))
            else:
                height, self._normal_height = self._normal_height, None
            self.window_.resizeDocks([self], [height], Qt.Orientation.Vertical)
        self._fit_text()

    def _theme_boxes(self, dark: bool) -> None:
        """The "What to click next" box and the set-up summary in the theme's colours: in the
        dark theme a deep amber box with white text (9.2:1) instead of a pale yellow block
        glaring on a projector, and a light grey summary (8.0:1 on the dark window)."""
        box = f"background: {DARK_HIGHLIGHT}; color: #fff;" if dark else \
            f"background: {HIGHLIGHT}; color: #000;"
        self.next_step.setStyleSheet(f"{box} padding: 6px; border-radius: 4px;")
        self.summary.setStyleSheet("color: #bbb;" if dark else "color: #444;")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        # Qt draws its title in the font the dock was made with (9-11 pt) even presenting.
        if qt_draws_title(self):
            paint_title(self)
        else:
            super().paintEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.text and event.type() == QEvent.Type.Resize:
            self._fit_text()
        elif watched is self.widget() and event.type() == QEvent.Type.Resize:
            if self._two_columns != self._wants_two_columns():
                self._arrange(self._area)
            self._claim_height()
        elif (watched is self.window_ and self._presenting and self.isVisible()
              and event.type() == QEvent.Type.LayoutRequest):
            self._claim_height()  # the toolbars' or status bar's rows changed: the room did
            self._back_to_screen()
        return False

    def _back_to_screen(self) -> None:
        """A presenting window that a claim made before the toolbars had their presenting
        rows held past its screen (812 px high on a 768 px screen, its bottom rows out of
        sight) takes the screen's size again once its minimum fits, and is full screen again:
        grown past its screen it stops being full screen (presenting chapter 2 at 1024 x 768
        it then stayed 1024 x 784 once its minimum was 579 px again)."""
        w = self.window_
        screen = w.screen().geometry()
        if not self._presenting or (w.isFullScreen() and w.geometry() == screen):
            return
        need = w.minimumSizeHint()
        if need.width() <= screen.width() and need.height() <= screen.height():
            if not w.isFullScreen():
                w.showFullScreen()
            w.setGeometry(screen)

    def needed_height(self) -> int:
        """The band's height (its body's) at which nothing of it is cut: the title and the
        set-up summary, the whole "What to click next" box over the buttons, and, presenting,
        PRESENT_MIN_LINES lines of the text under the title (a class reads it from there)."""
        if not self.band:
            return 0
        grid = self.grid
        margins = grid.contentsMargins()
        head = self.head.heightForWidth(self.head.width())
        foot = self.foot.heightForWidth(self.foot.width())
        if self._compact:  # the text | the box and the buttons
            head = 0
        if self._two_columns:  # the title over the text | the box and the buttons
            frame = 2 * self.text.frameWidth() + 2 * int(self.text.document().documentMargin())
            least = PRESENT_MIN_LINES if self._presenting else NARROW_MIN_LINES
            lines = least * self.text.fontMetrics().lineSpacing() + frame
            head += (0 if self._compact else grid.verticalSpacing()) + lines
        return max(head, foot) + margins.top() + margins.bottom()

    def spare_height(self) -> int:
        """The px the band is taller than ``needed_height`` asks: what the views above may
        take from it (0 as a column beside the views, floating or hidden)."""
        body = self.widget()
        if not self.band or body is None or not self.isVisible() or self.isFloating():
            return 0
        return max(0, body.height() - self.needed_height())

    def give_height(self, px: int) -> int:
        """Make the band up to ``px`` shorter, no shorter than it needs, so that the views
        above are that much taller (the parameter table's rows under a page of its least
        height: chapter 11's four at 1024 x 768); returns the px given."""
        given = min(px, self.spare_height())
        if given > 0:
            self.window_.resizeDocks([self], [self.height() - given], Qt.Orientation.Vertical)
        return given

    def window_settled(self) -> None:
        """The window is back at its own size after presentation mode: claim for it."""
        self._claim_height()

    def _claim_height(self) -> None:
        """The band keeps the height ``needed_height`` asks for: the views above give it up
        (at 1280 x 800 the band was 200 px high, its title ran over the summary and the box
        was cut under the buttons; presenting in k-means mode, 7.7 lines of text showed)."""
        body = self.widget()
        if body is None:
            return
        if self._compact and not (self._two_columns and self._views_floor()):
            self._compact_band(False)  # the split view's floor went
        need = self._fit_head()
        presentation = getattr(self.window_, "presentation", None)
        if not self._presenting and (self.window_.isFullScreen()
                                     or getattr(presentation, "leaving", False)):
            need = 0  # leaving presentation mode: claimed again at the window's own size
        if need:
            # No more than the views can give beyond their minimum: the window never grows past
            # its screen for it (chapter 1 at 1280 x 800 made it 841 px high, the tab rows at
            # 1024 x 768 presenting 826). Presenting, the window is (or becomes) the screen.
            w, views = self.window_, self.window_.centralWidget()
            height = w.screen().availableGeometry().height() if self._presenting else w.height()
            bars = w.height() - views.height() - self.height()  # menu, toolbars, status bar
            chrome = self.height() - body.height()  # the dock's title
            # the views' least height (the parameter table's claimed rows counted) or a split's
            # floor while presenting, whichever is more
            least = max(getattr(w, "views_least_height", views.minimumSizeHint().height)(),
                        views.minimumHeight())
            room = height - bars - least - chrome
            if need > room and not self._compact and self._two_columns and self._views_floor():
                self._full_need = need
                need = self._compact_band(True)
            elif self._compact and room >= self._full_need:  # room for the title again
                need = self._compact_band(False)
            need = max(0, min(need, room))
        if body.minimumHeight() != need:
            body.setMinimumHeight(need)
            if self._presenting:  # once the window has its new minimum (a layout later)
                QTimer.singleShot(0, self, self._back_to_screen)
        if self._compact and need and body.height() > need:
            # compact, the band is no taller than it needs: the rest is the data views' (at
            # 1280 x 800 its presenting share held them at their floor, 92 px under the room)
            self.window_.resizeDocks([self], [need + self.height() - body.height()],
                                     Qt.Orientation.Vertical)

    def _fit_head(self) -> int:
        """The head's least height (in two columns the title and the set-up summary keep their
        lines; the text under them gives way, it scrolls: at 1024 x 768 the summary lost its
        last line), then the band's ``needed_height``."""
        head = self.head.heightForWidth(self.head.width()) if self._two_columns and not self._compact else 0
        if self.head.minimumHeight() != head:
            self.head.setMinimumHeight(head)
        return self.needed_height()

    def _compact_band(self, on: bool) -> int:
        """The band compact or not (COMPACT_STRETCH); its ``needed_height`` then."""
        if not on:
            self._full_need = 0  # (``on``: set by the caller)
        self._arrange(self._area)
        return self._fit_head()

    def _show_error(self) -> None:
        self.position.setText("No lesson")
        self.title.setText("The lesson cannot be shown")
        self.text.setPlainText(self.error)
        self.next_step.hide()
        self.summary.setText("")
        for button in (self.back, self.try_button, self.next):
            button.setEnabled(False)

    # -- "Try it" -----------------------------------------------------------------------------
    def try_it(self) -> None:
        """Set up the chapter's state: its data as one undoable load, its settings, its EM
        iterations (run by the controller in the background: nothing here waits), its tab and
        its teaching views on, the others off."""
        chapter, w = self.chapter, self.window_
        if chapter is None:
            return
        data = load_builtin(chapter.dataset, seed=chapter.seed)  # as the dataset chooser does
        if chapter.point is not None and chapter.point > len(data.X):
            w.show_status(f"Lesson: there is no point n = {chapter.point}: "
                          f"{data.name} has {len(data.X)} points")
            return
        show = set(chapter.show)
        self._switch(show, on=False)  # before the new data, so nothing is computed for them
        w.model.set_settings(chapter.settings)  # the load below starts the one fresh run
        w.editor.replace(data.X, data.labels, data.true_mixture, data.name, data.axes)
        if chapter.steps:
            w.controller.advance(2 * chapter.steps)  # after the initialisation's job
        self._switch(show, on=True)
        self._frame(data.X)  # after k-means mode, which halves the points view's width
        if chapter.point is not None:
            w.model.select_point(chapter.point - 1)
        self._show_tab(chapter.tab)
        self._tried = self.index
        if self.predict is not None:
            self.predict.arm(chapter.predict)  # asked once the set-up has run
        self._show_next_step()
        w.show_status(f"Lesson: {chapter.title} (Ctrl+Z undoes the data)")

    def _switch(self, show: set[str], on: bool) -> None:
        """Switch the teaching views named in ``show`` on (``on``), or the others off."""
        w = self.window_
        a = w.actions_by_name
        checks = {
            "true mixture": w.controls.true_mixture.setChecked,
            "oracle labels": a["actionShowOracle"].setChecked,
            "oracle fit": a["actionFitOracle"].setChecked,
            "k-means": a["actionKMeansMode"].setChecked,
            "hard colours": lambda value: w.controls.soft.setChecked(not value),
            "z beside r": a["actionZBesideR"].setChecked,
            "density": a["actionDensity"].setChecked,
        }
        for name, set_checked in checks.items():
            if (name in show) == on:
                set_checked(on)
        if not on:
            a["actionPaintLabels"].setChecked(False)  # a click adds points again
            if "gallery" not in show:
                w.feature("gallery").hide()
            dialog = w.feature("sample_mode").dialog
            if "sample" not in show and dialog is not None:
                dialog.close()
            return
        if "gallery" in show:
            a["actionGallery"].trigger()  # opens it and runs EM on to its last iteration
        if "sample" in show:
            a["actionSample"].trigger()

    def _frame(self, X) -> None:
        """Fit the points view to the data, also when the same dataset was shown before (the
        view keeps a zoom for as long as the dataset's name stays the same)."""
        lo, hi = X.min(axis=0), X.max(axis=0)
        self.window_.points_view.getViewBox().setRange(
            xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=0.08)

    def _show_tab(self, title: str) -> None:
        tabs = self.window_.tabs
        for i in range(tabs.count()):
            if title in (tabs.tabText(i), tabs.tabToolTip(i)):
                tabs.setCurrentIndex(i)
                return
        self.window_.show_status(f"Lesson: there is no tab {title!r}")

    # -- where and whether it shows ----------------------------------------------------------
    def restore_visibility(self) -> None:
        """Open the dock if it was open when the program last ran, or if it never ran."""
        if lesson_settings().value(VISIBLE_KEY, True, type=bool):
            self.show()

    def _remember_visibility(self, visible: bool) -> None:
        if self.window_.isVisible():  # Qt unchecks the action as the window closes: no choice
            lesson_settings().setValue(VISIBLE_KEY, visible)

    def _remember_area(self, area: Qt.DockWidgetArea) -> None:
        names = {value: key for key, value in AREAS.items()}
        if area in names:  # not NoDockWidgetArea (floating)
            lesson_settings().setValue(AREA_KEY, names[area])


def install_lesson(window) -> LessonPanel:
    """The Lesson dock (hidden) and its checkable action "actionLesson" (F1, first on the
    Teach toolbar)."""
    try:
        chapters, error = load_chapters(), ""
    except ValueError as problem:  # a teacher's edit gone wrong: the window opens anyway
        chapters, error = (), str(problem)
    panel = LessonPanel(window, chapters, error)
    panel.predict = PredictReveal(window)
    area = lesson_settings().value(AREA_KEY, DEFAULT_AREA, type=str)
    window.addDockWidget(AREAS.get(area, AREAS[DEFAULT_AREA]), panel)
    if panel.band:
        window.resizeDocks([panel], [BAND_HEIGHT], Qt.Orientation.Vertical)
    else:
        window.resizeDocks([panel], [COLUMN_WIDTH], Qt.Orientation.Horizontal)
    panel.hide()
    action = panel.toggleViewAction()  # Qt keeps it checked while the dock is open
    action.setObjectName("actionLesson")
    action.setText("Lesson")
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setToolTip("The guided lesson: the lecture's ideas chapter by chapter, each with a "
                      f"Try it button ({QKeySequence(SHORTCUT).toString()})")
    window.addAction(action)  # the shortcut works wherever the focus is
    toolbar = window.teach_toolbar
    toolbar.insertAction(toolbar.actions()[0] if toolbar.actions() else None, action)
    window.actions_by_name["actionLesson"] = action
    # Connected after the hide() above, which is no choice of the user's.
    action.toggled.connect(panel._remember_visibility)
    # A closed lesson asks nothing: plain clicks in the points view add points again.
    action.toggled.connect(lambda shown: None if shown else panel.predict.arm(None))
    panel.dockLocationChanged.connect(panel._remember_area)
    return panel
