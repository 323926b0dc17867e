"""Tabs whose views are built when first seen.

Building every explanation tab's plots took most of the window's start-up (the Choose K,
Hills, Why and L + KL tabs about 80 ms of a 190 ms window), though at start only the first
tab is on screen. A ``LazyPage`` stands in the tab bar with the tab's title from the start
and asks for its view (``build``: the window builds the feature) when it is first shown or
when anyone asks for the view: ``LazyTabs.widget(i)``, ``currentWidget()``, ``indexOf(view)``
and ``setCurrentWidget(view)`` see the view, never the page, so callers cannot tell a tab
built late from one built at once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget

from .tab_rows import ExplanationTabs


class LazyPage(QWidget):
    """A tab page holding one view, built by ``build()`` (which puts it in with ``put``) the
    first time the page is shown or its view is asked for."""

    def __init__(self, build: Callable[[], object]) -> None:
        super().__init__()
        self._build: Callable[[], object] | None = build
        self.view: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        return self.view is not None

    def put(self, view: QWidget) -> None:
        """The view this page holds (called once, by the build)."""
        self.layout().addWidget(view)
        self.view = view

    def ensure_view(self) -> QWidget:
        """The view, built now if it was not yet."""
        if self._build is not None:
            build, self._build = self._build, None
            build()
            if self.view is None:
                raise RuntimeError("a lazy tab's build put no view in its page")
            # After the build (its add_view): shown now, the window's frames draw it at
            # once, before its first paint, if the page is on screen.
            self.view.show()
        assert self.view is not None
        return self.view

    def minimumSizeHint(self):  # noqa: N802 (Qt API)
        return self.view.minimumSizeHint() if self.view is not None else super().minimumSizeHint()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.ensure_view()
        super().showEvent(event)


class LazyTabs(ExplanationTabs):
    """ExplanationTabs whose pages may be LazyPages; Python callers see their views."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A tab chosen in a window never shown gets no showEvent: build it here too.
        self.currentChanged.connect(lambda _: self.currentWidget())

    def widget(self, index: int) -> QWidget | None:
        page = super().widget(index)
        return page.ensure_view() if isinstance(page, LazyPage) else page

    def currentWidget(self) -> QWidget | None:  # noqa: N802 (Qt API)
        page = super().currentWidget()
        return page.ensure_view() if isinstance(page, LazyPage) else page

    def indexOf(self, widget: QWidget) -> int:  # noqa: N802 (Qt API)
        return super().indexOf(self._page_of(widget))

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802 (Qt API)
        super().setCurrentWidget(self._page_of(widget))

    def lazy_pages(self) -> list[LazyPage]:
        return [p for i in range(self.count())
                if isinstance(p := super(LazyTabs, self).widget(i), LazyPage)]

    def _page_of(self, widget: QWidget) -> QWidget:
        parent = widget.parentWidget() if widget is not None else None
        return parent if isinstance(parent, LazyPage) and parent.view is widget else widget
