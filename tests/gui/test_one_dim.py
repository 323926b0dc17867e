"""The 1-D mode: a one-column file, or one column of 2-D data, shown as a histogram with each
π_k N(x | μ_k, σ_k²) and their sum over it and the responsibilities as a band under it; E, M,
Play, the history, the bound plot and the Why tab go on; sessions keep the mode."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog

from emviz.core import old_faithful
from emviz.look import histogram as hist

from .conftest import loaded, wait_for_history


def eruptions() -> np.ndarray:
    return old_faithful().X[:, 0]


@pytest.fixture
def one_column_csv(tmp_path):
    path = tmp_path / "eruptions.csv"
    path.write_text("eruption\n" + "\n".join(repr(float(v)) for v in eruptions()) + "\n")
    return path


def histogram(window):
    return window.feature("one_dim").view


def press(qtbot, window, key, n_after: int) -> None:
    QTest.keyClick(window, key)
    wait_for_history(qtbot, window, n_after)


def check_curves_follow_theta(window) -> None:
    """The drawn curves are π_k N(x | μ_k, σ_k²) of the shown θ at the curve's x, their sum
    p(x | θ); each in its component's Identity colour, the sum in the theme's ink."""
    view, m = histogram(window), window.model
    mixture = m.current.mixture
    x, parts, total = view.curve_data()
    assert len(parts) == mixture.n_components
    for k, y in enumerate(parts):
        var = mixture.covariances[k, 0, 0]
        expected = (mixture.weights[k] * np.exp(-0.5 * (x - mixture.means[k, 0]) ** 2 / var)
                    / np.sqrt(2 * np.pi * var))
        np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-300)
        pen = view.curves[k].opts["pen"].color()
        assert (pen.red(), pen.green(), pen.blue()) == tuple(m.identity.em_palette(2)[k])
    np.testing.assert_allclose(total, np.sum(parts, axis=0), rtol=1e-12)
    ink = view.total.opts["pen"].color()
    assert (ink.red(), ink.green(), ink.blue()) == tuple(view.appearance.foreground)


def test_a_one_column_file_opens_as_a_histogram_and_em_steps_on_it(window, qtbot, one_column_csv):
    assert loaded(qtbot, window, lambda: window.files.open_data(str(one_column_csv)))
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    window.redraw_now()
    m, view = window.model, histogram(window)
    assert m.points.shape == (272, 1) and m.axes[0] == "eruption"
    assert view.isVisible() and not window.points_view.isVisible()
    # the bars: a density (area 1) over Freedman–Diaconis-or-more bins of the data's range
    edges, heights = view.bars.getData()
    np.testing.assert_allclose(edges, hist.bin_edges(eruptions()))
    assert np.sum(heights * np.diff(edges)) == pytest.approx(1.0)
    press(qtbot, window, Qt.Key.Key_E, 2)
    press(qtbot, window, Qt.Key.Key_M, 3)
    assert [s.phase for s in window.history] == ["init", "E", "M"]
    check_curves_follow_theta(window)
    assert window.params_table.horizontalHeaderItem(3).text() == "σ_k²"  # Σ_k is a variance
    # the band: each bin's mean r_nk stacked, component k's share of a column in its colour
    resp, palette = m.current.resp, m.identity.em_palette(2)
    shares = hist.bin_responsibilities(m.points[:, 0], resp, view.edges)
    image = view.band.image
    assert image.shape[0] == len(view.edges) - 1
    filled = shares.sum(axis=1) > 0
    for k in range(2):
        rows = np.all(image[:, :, :3] == palette[k], axis=2).mean(axis=1)  # (B,)
        np.testing.assert_allclose(rows[filled], shares[filled, k], atol=1.01 / image.shape[1])
    assert shares[:, 0].max() > 0.5 and shares[:, 1].max() > 0.5  # both colours are seen


def test_one_column_of_faithful_and_back_through_the_data_menu_undoably(window, qtbot, monkeypatch):
    both = window.model.points.copy()
    axes = window.model.axes
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (axes[0], True))
    window.actions_by_name["actionUseOneColumn"].trigger()
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    m = window.model
    np.testing.assert_array_equal(m.points[:, 0], both[:, 0])
    assert m.points.shape == (272, 1) and m.axes[0] == axes[0]
    assert histogram(window).isVisibleTo(window) and not window.points_view.isVisibleTo(window)
    # the plane's teaching views are off, and say why
    density = window.actions_by_name["actionDensity"]
    assert not density.isEnabled() and "2-D only" in density.toolTip()
    hills = window.tabs.indexOf(window.feature("landscape"))
    assert not window.tabs.isTabEnabled(hills) and "2-D only" in window.tabs.tabToolTip(hills)
    assert not window.actions_by_name["actionUseOneColumn"].isEnabled()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo
    qtbot.waitUntil(lambda: m.points.shape == (272, 2))
    np.testing.assert_array_equal(m.points, both)
    assert window.points_view.isVisibleTo(window) and not histogram(window).isVisibleTo(window)
    assert density.isEnabled() and "2-D only" not in density.toolTip()
    assert window.tabs.isTabEnabled(hills)
    QTest.keyClick(window, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # redo
    qtbot.waitUntil(lambda: m.points.shape == (272, 1))
    window.actions_by_name["actionUseBothColumns"].trigger()
    qtbot.waitUntil(lambda: m.points.shape == (272, 2))
    np.testing.assert_array_equal(m.points, both)
    assert m.axes == axes and m.both_columns is None
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    window.redraw_now()
    assert window.params_table.horizontalHeaderItem(3).text() == "Σ_k"


def test_play_history_bound_plot_and_why_work_in_one_dimension(window, qtbot):
    window.feature("one_dim").use_column(0)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    QTest.keyClick(window, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: window.model.run_ended != "" and not window.controller.busy,
                    timeout=60_000)
    n = len(window.history)
    lnp = [s.log_likelihood for s in window.history]
    assert np.all(np.diff(lnp) >= -1e-9)  # EM never lowers ln p, in 1-D too
    window.redraw_now()
    check_curves_follow_theta(window)
    QTest.keyClick(window, Qt.Key.Key_Left)
    QTest.keyClick(window, Qt.Key.Key_Left)
    assert window.model.index == n - 3
    window.redraw_now()
    check_curves_follow_theta(window)  # the histogram shows the scrubbed-back θ
    bound = window.bound_plot
    window.show_tab(bound)
    window.redraw_now()
    assert not window.view_is_stale(bound)
    why = window.feature("why")
    window.show_tab(why)
    window.redraw_now()
    assert not window.view_is_stale(why)


def test_a_session_keeps_the_one_column_mode_and_the_way_back(window, qtbot, tmp_path):
    both = window.model.points.copy()
    window.feature("one_dim").use_column(1)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    for n in (2, 3, 4, 5):
        press(qtbot, window, Qt.Key.Key_E if n % 2 == 0 else Qt.Key.Key_M, n)
    QTest.keyClick(window, Qt.Key.Key_Left)
    saved_theta = window.model.current.mixture
    path = tmp_path / "one.emviz"
    assert window.files.save_session(str(path))
    window.load_dataset("separated")
    qtbot.waitUntil(lambda: window.model.points.shape[1] == 2 and not window.controller.busy)
    assert loaded(qtbot, window, lambda: window.files.open_session(str(path)))
    qtbot.waitUntil(lambda: len(window.history) == 5 and not window.controller.busy)
    m = window.model
    assert m.points.shape == (272, 1) and m.index == 3
    np.testing.assert_array_equal(m.points[:, 0], both[:, 1])
    np.testing.assert_array_equal(m.current.mixture.means, saved_theta.means)
    assert m.both_columns is not None and m.both_columns.column == 1
    window.redraw_now()
    assert histogram(window).isVisible()
    window.actions_by_name["actionUseBothColumns"].trigger()
    qtbot.waitUntil(lambda: m.points.shape == (272, 2))
    np.testing.assert_array_equal(m.points, both)


def test_a_one_column_file_saved_as_a_session_comes_back_one_dimensional(window, qtbot, tmp_path,
                                                                         one_column_csv):
    assert loaded(qtbot, window, lambda: window.files.open_data(str(one_column_csv)))
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    press(qtbot, window, Qt.Key.Key_Space, 3)
    path = tmp_path / "native.emviz"
    assert window.files.save_session(str(path))
    window.load_dataset("faithful")
    qtbot.waitUntil(lambda: window.model.points.shape[1] == 2 and not window.controller.busy)
    assert loaded(qtbot, window, lambda: window.files.open_session(str(path)))
    qtbot.waitUntil(lambda: len(window.history) == 3 and not window.controller.busy)
    assert window.model.points.shape == (272, 1) and window.model.both_columns is None
    np.testing.assert_array_equal(window.model.points[:, 0], eruptions())


def test_the_plane_only_tabs_shown_anyway_in_one_dimension_say_why_and_do_not_crash(window, qtbot):
    """A script or a lesson may still show a tab that is off: it draws a message, no map."""
    window.feature("one_dim").use_column(0)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    hills = window.feature("landscape")
    window.show_tab(hills)
    window.redraw_now()
    assert not window.view_is_stale(hills)
    assert "2-D data" in hills.caption.text()
    QTest.keyClick(window, Qt.Key.Key_Space)
    wait_for_history(qtbot, window, 3)
    assert window.model.points.shape == (272, 1)


def test_the_command_line_screenshots_a_one_column_file_as_a_histogram(tmp_path, one_column_csv):
    from tests.test_cli import load_png, meaningful_stderr, run_emviz

    out = tmp_path / "one.png"
    result = run_emviz(str(one_column_csv), "--steps", "3", "--view", "points", "--screenshot", str(out))
    assert result.returncode == 0 and not meaningful_stderr(result.stderr), result.stderr
    image = load_png(out)
    # the band under the histogram holds both components' colours (Okabe-Ito blue and orange)
    colours = {tuple(c) for c in image.reshape(-1, 3)[::7]}
    assert (0, 114, 178) in colours and (230, 159, 0) in colours
    result = run_emviz("--data", str(one_column_csv), "--steps", "2", "--screenshot", str(out))
    assert result.returncode == 0, result.stderr


def test_dragging_a_bells_top_moves_mu_and_changes_pi_undoably(window, qtbot):
    from PySide6.QtCore import QPoint, QPointF

    from emviz.gui.histogram_drag import peak_heights

    window.feature("one_dim").use_column(0)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    press(qtbot, window, Qt.Key.Key_Space, 3)
    window.redraw_now()
    view, m = histogram(window), window.model
    before = m.current.mixture
    box = view.getPlotItem().getViewBox()

    def widget_at(x: float, y: float) -> QPoint:
        p = view.mapFromScene(box.mapViewToScene(QPointF(x, y)))
        return QPoint(p.x(), p.y())

    def data_at(p: QPoint) -> np.ndarray:
        q = box.mapSceneToView(view.mapToScene(p))
        return np.array([q.x(), q.y()])

    k = 0
    start = widget_at(before.means[k, 0], peak_heights(before)[k])
    end = start + QPoint(30, -20)  # right and up: μ_1 grows, π_1 grows
    moved = data_at(end) - data_at(start)  # the axes hold still while a bell is dragged
    vp = view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 7):
        p = start + (end - start) * (i / 6)
        QTest.mouseMove(vp, QPoint(round(p.x()), round(p.y())))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    hand_editor = window.features["hand_drag"].parts["editor"]
    qtbot.waitUntil(lambda: not hand_editor.dragging and m.current.phase == "hand", timeout=20_000)
    after = m.current.mixture
    assert after.means[k, 0] == pytest.approx(before.means[k, 0] + moved[0], abs=1e-9)
    assert peak_heights(after)[k] == pytest.approx(peak_heights(before)[k] + moved[1], rel=1e-6)
    assert after.weights[k] > before.weights[k] and after.weights.sum() == pytest.approx(1.0)
    window.redraw_now()
    check_curves_follow_theta(window)
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: m.current.phase == "M")
    np.testing.assert_array_equal(m.current.mixture.means, before.means)


def test_the_planes_modes_go_off_before_one_column_arrives(window, qtbot):
    """K-means mode and the density (with its components) were on: they go off as one column is
    taken (k-means mode replayed its run on the 1-D data and drew it in its plane: an
    IndexError), and the run goes on in 1-D."""
    a = window.actions_by_name
    for name in ("actionKMeansMode", "actionDensity", "actionComponentDensity"):
        a[name].trigger()
        assert a[name].isChecked()
    qtbot.waitUntil(lambda: not window.controller.busy and not window.feature("kmeans_mode").run.busy)
    window.redraw_now()
    window.feature("one_dim").use_column(0)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    window.redraw_now()
    for name in ("actionKMeansMode", "actionDensity", "actionComponentDensity"):
        assert not a[name].isChecked() and not a[name].isEnabled()
    press(qtbot, window, Qt.Key.Key_Space, 3)
    check_curves_follow_theta(window)


def test_the_command_line_refuses_to_animate_one_column_in_one_line(tmp_path, one_column_csv):
    from tests.test_cli import meaningful_stderr, run_emviz

    out = tmp_path / "run.gif"
    result = run_emviz(str(one_column_csv), "--steps", "2", "--animate", str(out))
    assert result.returncode == 1 and not out.exists()
    lines = meaningful_stderr(result.stderr)
    assert len(lines) == 1 and "one column" in lines[0]


def test_presenting_the_tab_rows_show_the_plane_only_tabs_off(window, qtbot):
    window.presentation.set_presenting(True)
    window.feature("one_dim").use_column(0)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    hills = window.tabs.indexOf(window.feature("landscape"))
    rows = window.tab_rows
    qtbot.waitUntil(rows.isVisible)  # presenting, the titles do not fit one bar: rows
    assert not rows.buttons[hills].isEnabled()
    assert rows.buttons[0].isEnabled()
    assert not window.tabs.isTabEnabled(hills)
    window.presentation.set_presenting(False)


def test_the_histogram_glides_from_the_old_theta_to_the_new_one(window, qtbot):
    from emviz.gui.glide import set_reduce_motion, still

    window.feature("one_dim").use_column(0)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    # The histogram on screen and showing θ₀ before the steps, always: whether its frame of θ₀
    # came before the E-step was the machine's timing, and when it did, the E-step glided (the
    # clock below stands still) and the M-step, a new state mid-glide, jumped (failed once in
    # a whole suite; always, with θ₀ drawn first). The E-step's glide is ended below.
    qtbot.waitUntil(lambda: histogram(window).isVisible() and histogram(window).height() > 0)
    window.redraw_now()
    np.testing.assert_allclose(histogram(window).tops[:, 0], window.model.current.mixture.means[:, 0])
    glide = histogram(window).motion
    now = [100.0]
    glide.clock = lambda: now[0]
    set_reduce_motion(window, False)
    press(qtbot, window, Qt.Key.Key_E, 2)
    window.redraw_now()
    now[0] += 2 * glide.seconds
    glide.tick()  # the E-step's glide (its colours) has arrived
    assert not glide.gliding
    old = window.model.current.mixture
    press(qtbot, window, Qt.Key.Key_M, 3)
    window.redraw_now()  # the glide starts: the bells' tops are at the old μ_k
    view, new = histogram(window), window.model.current.mixture
    assert glide.gliding
    np.testing.assert_allclose(view.tops[:, 0], old.means[:, 0])
    now[0] += 2 * glide.seconds
    glide.tick()  # arrived: the new θ, as drawn without motion
    assert not glide.gliding
    np.testing.assert_allclose(view.tops[:, 0], new.means[:, 0])
    check_curves_follow_theta(window)
    press(qtbot, window, Qt.Key.Key_E, 4)
    window.redraw_now()
    assert glide.gliding
    with still(window):  # an export draws the newest state, not an in-between one
        assert not glide.gliding
        check_curves_follow_theta(window)
    set_reduce_motion(window, True)
    assert not glide.enabled


def test_large_one_column_data_are_counted_off_the_gui_thread(window, qtbot, monkeypatch):
    """From LAYOUT_IN_BACKGROUND points on, the bins and the band's shares (O(N) counts, 35 ms
    a half-step at 10⁶ points) are counted in the job runner, never on the GUI thread; what
    is drawn is still the histogram of the data and the band of the shown r_nk."""
    from emviz.gui.point_cloud import LAYOUT_IN_BACKGROUND

    gui = threading.get_ident()
    on_gui: list[str] = []
    for name in ("bin_edges", "bin_index", "density_heights", "bin_responsibilities"):
        real = getattr(hist, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            if threading.get_ident() == gui:
                on_gui.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(hist, name, spy)
    rng = np.random.default_rng(0)
    n = LAYOUT_IN_BACKGROUND
    x = np.r_[rng.normal(-2.0, 0.5, n // 2), rng.normal(2.0, 1.0, n - n // 2)][:, None]
    window.editor.replace(x, None, None, "two bumps", ("x", "density"))
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy, timeout=60_000)
    view, m = histogram(window), window.model
    press(qtbot, window, Qt.Key.Key_E, 2)
    palette = m.identity.em_palette(m.current.mixture.n_components)
    shares = hist.bin_responsibilities(m.points[:, 0], m.current.colours, hist.bin_edges(m.points[:, 0]))
    on_gui.clear()  # (the test's own count above)

    def band_shows_the_shares() -> bool:
        window.redraw_now()
        image = view.band.image
        if image is None or image.shape[0] != len(shares):
            return False
        rows = np.all(image[:, :, :3] == palette[0], axis=2).mean(axis=1)
        return bool(np.allclose(rows, shares[:, 0], atol=1.01 / image.shape[1]))

    qtbot.waitUntil(band_shows_the_shares, timeout=60_000)
    edges, heights = view.bars.getData()
    assert on_gui == []  # (the test's own counts come after this)
    np.testing.assert_allclose(edges, hist.bin_edges(x[:, 0]))
    assert np.sum(heights * np.diff(edges)) == pytest.approx(1.0)
