"""Text in a plot that is never cut off by its plot's edges.

``InsideText`` is a pyqtgraph TextItem placed at a point in data coordinates, as near it as it
can be while its text lies wholly inside its view box: moved in from an edge when the point is
near one, and re-placed whenever the view's range or size, the text or its font changes (a
projector's larger font, a narrower window). When the view box is too small to hold the text
at all it is made transparent rather than drawn cut off (the screen audit skips it then).
"""

from __future__ import annotations

import pyqtgraph as pg

#: Pixels kept between the text's ink and the view box's edge (anti-aliasing, rounding).
EDGE_PX = 2.0


class InsideText(pg.TextItem):
    """A TextItem that keeps inside its view box. Place it with ``place(x, y)`` (data
    coordinates); ``anchor`` says which point of the text sits there, as in pyqtgraph."""

    def __init__(self, *args, **kwargs) -> None:
        self._wanted: tuple[float, float] | None = None
        self._placing = False
        super().__init__(*args, **kwargs)

    @property
    def wanted(self) -> tuple[float, float] | None:
        """Where the text was asked to be (it may be drawn moved in from an edge)."""
        return self._wanted

    def place(self, x: float, y: float) -> None:
        """Put the anchor at (x, y), or as near as keeps the text inside; an infinite
        coordinate means that edge of the view (``place(1.0, -math.inf)``: at the bottom)."""
        self._wanted = (float(x), float(y))
        self.fit_inside()

    def updateTextPos(self) -> None:  # noqa: N802 (pyqtgraph API): text, font or anchor changed
        super().updateTextPos()
        self.fit_inside()

    def updateTransform(self, force: bool = False) -> None:  # noqa: N802 (pyqtgraph API)
        super().updateTransform(force)  # the view's range or size changed (or a paint is due)
        self.fit_inside()

    def fit_inside(self) -> None:
        """Move the text to the point nearest the wanted one where all of its ink lies inside
        the view box; transparent if the box cannot hold it."""
        if self._wanted is None or self._placing or not hasattr(self, "textItem"):
            return
        box = self.getViewBox()
        if box is None or box.width() <= 0 or box.height() <= 0:
            return
        self._placing = True
        try:
            (x0, x1), (y0, y1) = box.viewRange()
            sx = (x1 - x0) / box.width()  # data units per pixel
            sy = (y1 - y0) / box.height()
            rect = self.textItem.boundingRect()
            m = self.textItem.document().documentMargin()
            w, h = rect.width() - 2 * m, rect.height() - 2 * m  # the ink, in pixels
            ax, ay = self.anchor[0], self.anchor[1]
            # The ink's extent around the anchor point, in pixels (x right, y down).
            left, right = -ax * rect.width() + m, -ax * rect.width() + m + w
            up, down = -ay * rect.height() + m, -ay * rect.height() + m + h
            fits = w + 2 * EDGE_PX <= box.width() and h + 2 * EDGE_PX <= box.height()
            x, y = self._wanted
            # ±inf: at that edge of the view (a label that stays at the bottom, say)
            x = min(max(x, min(x0, x1)), max(x0, x1))
            y = min(max(y, min(y0, y1)), max(y0, y1))
            if fits:
                x = min(max(x, x0 + (EDGE_PX - left) * sx), x1 - (right + EDGE_PX) * sx)
                if box.yInverted():
                    y = min(max(y, y0 + (EDGE_PX - up) * sy), y1 - (down + EDGE_PX) * sy)
                else:
                    y = min(max(y, y0 + (down + EDGE_PX) * sy), y1 - (EDGE_PX - up) * sy)
            self.setOpacity(1.0 if fits else 0.0)
            if (self.pos().x(), self.pos().y()) != (x, y):
                self.setPos(x, y)
        finally:
            self._placing = False
