"""Issue 17, item 8: a one-image gallery (``--steps 20 --grid 1000``) drew its title over the
"converged at iteration 19" note."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from emviz.gui.style import apply_app_font
from emviz.gui.teaching.gallery import export_gallery

from .conftest import wait_for_history


@pytest.fixture
def app_font():
    """The font the emviz command sets (larger than Qt's default), put back after."""
    app = QApplication.instance()
    font = app.font()
    apply_app_font(app)
    yield
    QApplication.setFont(font)


@pytest.mark.parametrize("iterations", [(1000,), (0, 1000)])
def test_a_panels_title_stays_clear_of_its_converged_note(window, qtbot, tmp_path, app_font, iterations):
    for _ in range(20):
        window.controller.step()
        window.controller.wait_idle()
    wait_for_history(qtbot, window, 3)
    export_gallery(window, iterations, str(tmp_path / "g.png"))
    panel = window.feature("gallery").panels[-1]  # as drawn into the file: no event processed since
    assert panel.note.isVisible() and panel.note.text.startswith("converged at iteration")
    title = panel.plot.titleLabel.item.sceneBoundingRect()
    note = panel.note.sceneBoundingRect()
    box = panel.plot.getViewBox().sceneBoundingRect()
    assert title.height() > 0 and note.height() > 0
    overlap = title.intersected(note)  # touching edges (floating point) are not an overlap
    assert min(overlap.width(), overlap.height()) < 0.5, (title, note)
    assert title.bottom() <= box.top() + 0.5, (title, box)  # the title sits above the view
    window.feature("gallery").close()
