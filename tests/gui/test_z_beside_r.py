"""The z-beside-r tab: its images' pixels, the sorting, the message without oracle labels, the
hidden-tab rule, and large data sorted off the GUI thread."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from .conftest import wait_for_history

TINY_X = np.array([[-2.0, 0.1], [2.1, -0.2], [-1.8, -0.3], [0.2, 0.0], [1.9, 0.3], [-2.2, 0.2]])
TINY_LABELS = np.array([1, 0, 1, 0, 0, 1])


def grab_rgb(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)


def shown(qtbot, w, X, labels, half_steps: int):
    """The z, r tab on screen, drawing X after ``half_steps`` half-steps past θ₀."""
    w.show_data(X, labels, "tiny")
    wait_for_history(qtbot, w, 1)
    w.controller.advance(half_steps)
    wait_for_history(qtbot, w, 1 + half_steps)
    view = w.feature("z_beside_r")
    w.actions_by_name["actionZBesideR"].setChecked(True)  # the tab, in front
    w.redraw_now()
    qtbot.waitUntil(lambda: not view._waiting and (view.z_canvas.image is not None
                                                   or view.r_canvas.image is not None))
    return view


def expected_cells(values: np.ndarray, palette: np.ndarray, background) -> np.ndarray:
    """Cell colours the slow way: one cell at a time."""
    out = np.zeros((*values.shape, 3), dtype=int)
    for n in range(values.shape[0]):
        for k in range(values.shape[1]):
            for c in range(3):
                b = float(background[c])
                out[n, k, c] = int(np.clip(np.rint(b + values[n, k] * (float(palette[k][c]) - b)),
                                           0, 255))
    return out


def check_image(canvas, cells: np.ndarray) -> None:
    """Every pixel of the canvas's image: pixel row b shows data row ⌊b·N/H⌋ (N < H), each
    column's span its cell's colour."""
    pixels = grab_rgb(canvas)
    rect = canvas.image_rect()
    h = canvas.pixel_rows()
    image = pixels[rect.top(): rect.top() + h]
    n = len(cells)
    starts = [x for x, _w, _t in canvas.numbers]
    widths = [w for _x, w, _t in canvas.numbers]
    for b in range(h):
        for k, (x, width) in enumerate(zip(starts, widths, strict=True)):
            row = image[b, x: x + width]
            assert (row == cells[b * n // h, k]).all(), (b, k, row[0], cells[b * n // h, k])


def test_the_images_pixels_are_the_weights_in_the_clusters_colours(window, qtbot):
    w = window
    view = shown(qtbot, w, TINY_X, TINY_LABELS, 1)  # θ₀, then the E-step
    state = w.model.current
    assert state.phase == "E"
    resp, k = state.resp, state.mixture.n_components
    em_palette = w.model.identity.em_palette(k)
    label_palette = w.model.identity.oracle_palette(2)
    # label ℓ goes in the column of the component of its colour (the Identity part's match)
    columns = [next((j for j in range(k) if (em_palette[j] == label_palette[lab]).all()), k + lab)
               for lab in range(2)]
    order_of_labels = np.argsort(columns)
    position = np.empty(2, int)
    position[order_of_labels] = np.arange(2)
    groups = position[TINY_LABELS]
    # rows: by the label's column, then by EM's weight in that column, largest first
    rows = sorted(range(6), key=lambda n: (groups[n], -resp[n, groups[n]], n))
    z = np.zeros((6, 2))
    z[np.arange(6), groups[rows]] = 1
    background = view.appearance.background
    check_image(view.z_canvas, expected_cells(z, label_palette[order_of_labels], background))
    check_image(view.r_canvas, expected_cells(resp[rows], em_palette, background))
    assert [t for *_xy, t in view.r_canvas.numbers] == ["1", "2"]
    assert "by oracle label" in view.caption.text()
    assert f"6 rows in {view.r_canvas.pixel_rows()} pixel rows." in view.caption.text()


def test_the_rows_follow_the_half_step_shown(window, qtbot):
    w = window
    view = shown(qtbot, w, TINY_X, TINY_LABELS, 3)  # E, M, E
    before = view.r_canvas.image.copy()
    w.controller.go_to(1)  # the first E-step's q
    w.redraw_now()
    assert not np.array_equal(view.r_canvas.image, before)
    w.controller.go_to(3)
    w.redraw_now()
    np.testing.assert_array_equal(view.r_canvas.image, before)


def test_without_oracle_labels_r_is_shown_alone_and_says_why(window, qtbot):
    view = shown(qtbot, window, TINY_X, None, 1)
    assert not view.z_canvas.isVisible() and view.z_missing.isVisible()
    assert "no oracle labels" in view.z_missing.text() and not view.z_title.isVisible()
    assert view.r_canvas.isVisible()
    assert "argmax" in view.caption.text()
    state = window.model.current
    rows = sorted(range(6), key=lambda n: (state.resp[n].argmax(), -state.resp[n].max(), n))
    palette = window.model.identity.em_palette(2)
    check_image(view.r_canvas, expected_cells(state.resp[rows], palette, view.appearance.background))


def test_before_the_first_e_step_z_is_shown_and_r_waits(window, qtbot):
    view = shown(qtbot, window, TINY_X, TINY_LABELS, 0)
    assert view.z_canvas.isVisible() and view.z_canvas.image is not None
    assert not view.r_canvas.isVisible() and view.r_missing.isVisible()
    assert "first E-step" in view.r_missing.text()
    assert "holds one 1" in view.caption.text()
    window.model.set_labels(None)  # nothing to show at all until the E-step
    window.redraw_now()
    assert view.message.isVisible() and "first E-step" in view.message.text()
    assert not view.r_canvas.isVisible() and not view.z_canvas.isVisible()


def test_a_hidden_tab_does_no_work_and_catches_up_when_shown(window, qtbot):
    w = window
    view = shown(qtbot, w, TINY_X, TINY_LABELS, 1)
    w.show_tab(w.bound_plot)
    done = view.computations
    w.controller.advance(2)
    wait_for_history(qtbot, w, 4)
    w.redraw_now()
    assert view.computations == done and w.view_is_stale(view)
    w.show_tab(view)
    w.redraw_now()
    qtbot.waitUntil(lambda: view.computations == done + 1)
    assert not w.view_is_stale(view)


def test_the_tab_comes_and_goes_with_its_action(window, qtbot):
    w = window
    view = w.feature("z_beside_r")
    default_tabs = w.tabs.count()
    assert w.tabs.indexOf(view) < 0  # not among the default window's tabs
    w.controller.advance(1)  # an E-step: r to show
    qtbot.waitUntil(lambda: not w.controller.busy and len(w.history) >= 2)
    qtbot.keyClick(w, "Z")
    assert w.tabs.currentWidget() is view and w.actions_by_name["actionZBesideR"].isChecked()
    w.redraw_now()
    done = view.computations  # (the tab's first layout may resize it once: rows averaged again)
    assert done >= 1
    qtbot.keyClick(w, "Z")
    assert w.tabs.indexOf(view) < 0 and not view.isVisible() and w.tabs.count() == default_tabs
    w.controller.advance(2)
    qtbot.waitUntil(lambda: not w.controller.busy and len(w.history) >= 4)
    w.redraw_now()
    assert view.computations == done and w.view_is_stale(view)  # a removed tab does no work


def test_many_points_are_sorted_in_the_background_and_averaged(window, qtbot, monkeypatch):
    import threading

    from emviz.gui.teaching import z_beside_r

    threads = []
    original = z_beside_r.sorted_pixel_rows

    def recorded(*args):
        threads.append(threading.current_thread() is threading.main_thread())
        return original(*args)

    monkeypatch.setattr(z_beside_r, "sorted_pixel_rows", recorded)
    rng = np.random.default_rng(0)
    n = 60_000
    labels = rng.integers(0, 2, n)
    X = rng.normal(size=(n, 2)) * 0.5 + np.array([[-2.0, 0.0], [2.0, 0.0]])[labels]
    view = shown(qtbot, window, X, labels, 1)
    assert threads and not any(threads)  # never on the GUI thread
    h = view.r_canvas.pixel_rows()
    assert f"{n:,} rows in {h:,} pixel rows" in view.caption.text()
    assert view.r_canvas.image.shape[0] == h


def test_in_a_narrow_short_tab_every_title_and_caption_keeps_its_whole_height(qtbot):
    """At 1024 x 768 beside the lesson (chapter 5) "r_nk = γ(z_nk) (EM)" wrapped onto two
    lines in 19 px, with 150 px to spare in the tab: setting the titles' size policy had
    dropped their height-for-width. A wrapped label gets the height its lines need at its
    width; the matrices give up the height (they are averaged to fit)."""
    from emviz.gui.audit import check_clipped
    from emviz.gui.teaching.z_beside_r import ZBesideRView

    holder = QWidget()  # the tab's page: as much room as the tab has, no more
    qtbot.addWidget(holder)
    holder.resize(230, 400)
    view = ZBesideRView(holder)
    view.message.hide()
    view.z_column.show()
    view.r_column.show()
    view.r_canvas.hide()
    view.r_missing.show()
    view.caption.setText("Rows: the 400 points, by oracle label. Each row of z holds one 1: the "
                         "point's whole unit mass, on its own component. 400 rows in 6 pixel rows")
    holder.show()
    qtbot.waitExposed(holder)
    view.setGeometry(0, 0, 230, 300)  # room enough in height, as in the window's tab
    labels = (view.z_title, view.r_title, view.r_missing, view.caption)
    qtbot.waitUntil(lambda: all(label.height() >= label.heightForWidth(label.width()) for label in labels))
    for label in labels:
        assert check_clipped(label) == []


def test_presenting_the_r_column_and_the_caption_use_their_shorter_words(window, qtbot):
    """Beside the lesson while presenting the r column is 198 px wide at 18 pt: "r_nk =
    γ(z_nk) (EM)" took two lines, "No r_nk yet: the first E-step (E) computes it." three and
    the caption three to four, in a tab 144-202 px high (each cut to a line or two). Presenting
    they are a line each (the caption two), and the window's words come back after."""
    from emviz.gui.teaching.z_beside_r import R_MISSING, R_MISSING_SHORT, R_TITLE, R_TITLE_SHORT

    view = shown(qtbot, window, np.random.default_rng(0).normal(size=(400, 2)),
                 np.arange(400) % 3, 0)
    window.presentation.set_presenting(True)
    window.redraw_now()
    qtbot.waitUntil(lambda: view.r_title.text() == R_TITLE_SHORT and view.r_missing.text() == R_MISSING_SHORT)
    h = view.z_canvas.pixel_rows()
    assert h < 400  # more rows than pixel rows: each pixel row averages some
    low, high = 400 // h, -(-400 // h)
    counts = f"{low}" if low == high else f"{low} or {high}"
    assert view.caption.text() == f"A row of z holds one 1; a pixel row averages {counts} rows."
    window.presentation.set_presenting(False)
    window.redraw_now()
    qtbot.waitUntil(lambda: view.r_title.text() == R_TITLE and view.r_missing.text() == R_MISSING)
    assert view.caption.text().startswith("Rows: the 400 points, by oracle label.")


def test_before_the_first_e_step_z_is_averaged_again_when_its_matrix_grows(window, qtbot):
    """Only r's matrix asked for its rows again on a resize: before the first E-step (r not
    shown) z kept the rows averaged for its old height, 6 pixel rows drawn in a matrix grown
    to 140 px (presenting beside the lesson as the tab widened)."""
    view = shown(qtbot, window, np.random.default_rng(0).normal(size=(400, 2)),
                 np.arange(400) % 3, 0)
    window.resize(window.width(), 600)
    qtbot.waitUntil(lambda: view.z_canvas.image is not None
                    and view.z_canvas.image.shape[0] == view.z_canvas.pixel_rows())
    before = view.z_canvas.pixel_rows()
    window.resize(window.width(), 800)
    qtbot.waitUntil(lambda: view.z_canvas.pixel_rows() > before)
    qtbot.waitUntil(lambda: view.z_canvas.image.shape[0] == view.z_canvas.pixel_rows())
