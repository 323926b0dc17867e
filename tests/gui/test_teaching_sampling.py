"""Sample: the generating process drawn point by point, exactly as emviz.core.sample draws it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from emviz.core import component_counts, generate, sample
from emviz.gui.teaching.sample_mode import DEFAULT_MIXTURE, cumulative_segments
from emviz.look.colors import component_colors

from .conftest import wait_for_history
from .test_views import grab_rgb


def open_dialog(w, qtbot, procedure: str = "per-point"):
    w.findChild(QAction, "actionSample").trigger()
    dialog = w.findChild(QDialog, "sampleDialog")
    assert dialog is not None and dialog.isVisible()
    qtbot.waitExposed(dialog)
    combo = dialog.procedure
    combo.setCurrentIndex(combo.findData(procedure))
    return dialog


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def use_generated_data(w, qtbot, k: int = 4, n: int = 250, weights=None):
    data = generate(k, n, 3.0, 7, weights=weights)
    w.editor.replace(data.X, data.labels, data.true_mixture, data.name, data.axes)
    wait_for_history(qtbot, w, 1)
    return data


@pytest.mark.parametrize("procedure", ["per-point", "per-component"])
def test_finish_shows_exactly_what_sample_draws(window, qtbot, procedure):
    data = use_generated_data(window, qtbot)
    dialog = open_dialog(window, qtbot, procedure)
    assert dialog.mixture is window.model.true_mixture
    assert dialog.n.value() == len(data.X)
    dialog.seed.setValue(11)
    click(qtbot, dialog.finish_button)
    X, labels = sample(data.true_mixture, len(data.X), np.random.default_rng(11), procedure)
    shown_X, shown_labels = dialog.shown_points()
    np.testing.assert_array_equal(shown_X, X)
    np.testing.assert_array_equal(shown_labels, labels)
    np.testing.assert_array_equal(dialog.cloud._xy, X)  # what the renderer was given
    assert not dialog.finish_button.isEnabled() and dialog.use.isEnabled()


def test_data_without_a_known_mixture_sample_the_default_mixture(window, qtbot):
    assert window.model.true_mixture is None  # Old Faithful
    dialog = open_dialog(window, qtbot)
    assert dialog.mixture is DEFAULT_MIXTURE
    assert "default" in dialog.findChild(type(dialog.step_text), "sampleSource").text()
    click(qtbot, dialog.finish_button)
    X, _ = sample(DEFAULT_MIXTURE, dialog.n.value(), np.random.default_rng(dialog.seed.value()))
    np.testing.assert_array_equal(dialog.shown_points()[0], X)


def test_procedure_two_draws_n_k_from_each_component_in_turn(window, qtbot):
    dialog = open_dialog(window, qtbot, "per-component")
    dialog.n.setValue(301)
    targets = component_counts(DEFAULT_MIXTURE.weights, 301)
    for _ in range(3):
        click(qtbot, dialog.next)
    assert not dialog.playing
    assert dialog.step_text.text().startswith(f"k = 1: 3 of {targets[0]}")
    assert dialog.bar.chosen == 0 and dialog.bar.counts.tolist() == [3, 0, 0]
    for _ in range(targets[0] - 3 + 2):  # the rest of component 1, then two of component 2
        click(qtbot, dialog.next)
    assert dialog.step_text.text().startswith(f"k = 2: 2 of {targets[1]}")
    click(qtbot, dialog.finish_button)
    _, labels = dialog.shown_points()
    np.testing.assert_array_equal(np.bincount(labels, minlength=3), targets)
    assert np.all(np.diff(labels) >= 0)  # component after component
    assert dialog.bar.targets.tolist() == targets.tolist()
    assert f"k = 3: {targets[2]} of {targets[2]}" in dialog.step_text.text()


def test_procedure_one_shows_u_in_the_segment_it_picks(window, qtbot):
    dialog = open_dialog(window, qtbot, "per-point")
    seed, n = dialog.seed.value(), dialog.n.value()
    u = np.random.default_rng(seed).uniform(size=n)  # sample draws the u's first
    _, labels = sample(DEFAULT_MIXTURE, n, np.random.default_rng(seed), "per-point")
    starts, ends = cumulative_segments(DEFAULT_MIXTURE.weights)
    for i in range(6):
        click(qtbot, dialog.next)
        k = labels[i]
        assert dialog.bar.u == u[i] and dialog.bar.chosen == k
        assert starts[k] <= u[i] < ends[k]
        text = dialog.step_text.text()
        assert f"point {i + 1} of {n}: u = {u[i]:.3f} → k = {k + 1}" in text
        assert dialog.count == i + 1
    assert dialog.bar.counts.tolist() == np.bincount(labels[:6], minlength=3).tolist()


def test_pi_bar_segments_are_pi_k_wide_in_their_colours(window, qtbot):
    weights = np.array([0.5, 0.3, 0.2])
    use_generated_data(window, qtbot, k=3, weights=weights)
    dialog = open_dialog(window, qtbot)
    click(qtbot, dialog.finish_button)
    bar = dialog.bar
    full = bar.bar_rect().width()
    rects = bar.segment_rects()
    np.testing.assert_allclose([r.width() / full for r in rects], weights, atol=1e-12)
    np.testing.assert_allclose([r.left() for r in rects[1:]], [r.right() for r in rects[:-1]])
    pixels = grab_rgb(bar)
    # Each generating component (an oracle label) in the colour of the EM component on it
    palette = window.model.identity.oracle_palette(3).astype(float)
    assert sorted(map(tuple, palette)) == sorted(map(tuple, component_colors(3).astype(float)))
    chosen = int(dialog.shown_points()[1][-1])  # the last point's component stays highlighted
    for k, r in enumerate(rects):
        colour = pixels[int(r.top()) + 10, int(r.left()) + 10]
        expected = palette[k] if k == chosen else 0.45 * palette[k] + 0.55 * 255
        assert np.abs(colour - expected).max() <= 2
        outline = pixels[int(r.center().y()), int(r.left()) + 3]
        assert (outline.max() < 60) == (k == chosen)  # the chosen segment is outlined in black


def test_the_timer_animates_at_the_chosen_speed(window, qtbot):
    dialog = open_dialog(window, qtbot)
    dialog.speed.setValue(400)
    click(qtbot, dialog.restart_button)
    assert dialog.playing and dialog.count == 0
    qtbot.waitUntil(lambda: dialog.count >= 30, timeout=5000)
    click(qtbot, dialog.play)  # pause
    assert not dialog.playing and dialog.play.text() == "Play"
    shown = dialog.count
    assert shown < dialog.total
    qtbot.wait(100)
    assert dialog.count == shown
    X, _ = sample(DEFAULT_MIXTURE, dialog.n.value(), np.random.default_rng(dialog.seed.value()))
    np.testing.assert_array_equal(dialog.shown_points()[0], X[:shown])
    assert not dialog.use.isEnabled()  # only a finished sample can be used
    click(qtbot, dialog.play)
    qtbot.waitUntil(lambda: dialog.count == dialog.total, timeout=5000)
    assert not dialog.playing and dialog.use.isEnabled()


def test_use_these_points_hands_them_to_em_with_their_oracle_labels(window, qtbot):
    data = use_generated_data(window, qtbot)
    dialog = open_dialog(window, qtbot, "per-component")
    dialog.n.setValue(120)
    click(qtbot, dialog.finish_button)
    X, labels = dialog.shown_points()
    click(qtbot, dialog.use)
    wait_for_history(qtbot, window, 1)
    assert not dialog.isVisible()
    np.testing.assert_array_equal(window.points, X)
    np.testing.assert_array_equal(window.model.labels, labels)
    assert window.model.true_mixture is data.true_mixture
    assert window.history[0].phase == "init"
    window.findChild(QAction, "actionUndo").trigger()  # an ordinary, undoable edit
    wait_for_history(qtbot, window, 1)
    np.testing.assert_array_equal(window.points, data.X)


def test_sample_action_names_its_shortcut(window):
    action = window.findChild(QAction, "actionSample")
    assert action.shortcut().toString() == "Ctrl+Shift+G"
    assert "Ctrl+Shift+G" in action.toolTip()


# -- Qt-free ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_replayed_uniforms_are_the_ones_sample_drew(seed):
    from emviz.core import Mixture
    from emviz.gui.teaching.sample_mode import replay_uniforms

    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 7))
    weights = rng.dirichlet(np.ones(k))
    mixture = Mixture(weights, rng.normal(size=(k, 2)), np.array([np.eye(2)] * k))
    _, labels = sample(mixture, 500, np.random.default_rng(seed), "per-point")
    u = replay_uniforms(mixture, 500, seed, labels)
    assert u is not None
    starts, ends = cumulative_segments(weights)
    assert np.all((starts[labels] <= u + 1e-12) & (u < ends[labels] + 1e-12))
    np.testing.assert_allclose(ends - starts, weights)


def test_the_ring_marks_the_point_whose_u_the_text_reports(window, qtbot):
    """Paused while a point is under way, the line reads "point i: u = …" for that point:
    the ring was on the previous one (the newest drawn)."""
    import re

    dialog = open_dialog(window, qtbot)
    X, _ = sample(DEFAULT_MIXTURE, dialog.n.value(), np.random.default_rng(dialog.seed.value()))

    def ringed() -> np.ndarray:
        x, y = dialog.newest.getData()
        return np.c_[x, y]

    def explained() -> int:
        return int(re.match(r"point (\d+) of", dialog.step_text.text()).group(1)) - 1

    click(qtbot, dialog.next)
    click(qtbot, dialog.next)  # paused, point 2 drawn: the ring and the text on point 2
    assert explained() == 1 == dialog.count - 1
    np.testing.assert_array_equal(ringed(), X[1:2])
    dialog.speed.setValue(dialog.speed.minimum())
    click(qtbot, dialog.play)
    qtbot.waitUntil(lambda: dialog.step_text.text().endswith("…"))  # point 3 under way
    click(qtbot, dialog.play)  # pause mid-draw
    assert dialog.step_text.text().endswith("…") and explained() == dialog.count == 2
    np.testing.assert_array_equal(ringed(), X[2:3])


def test_presenting_the_dialog_fits_a_1024_px_screen_its_controls_in_two_rows(window, qtbot):
    """Presenting, the procedure, N, seed and speed in one row of 18 pt held the dialog
    1098 px wide: on a 1024 x 768 projector its right edge was off the screen. Presenting,
    seed and speed go on a second row; in the window, one row as before."""
    from emviz.gui.audit import check_clipped

    window.presentation.set_presenting(True)
    dialog = open_dialog(window, qtbot)
    qtbot.waitUntil(lambda: dialog.minimumSizeHint().width() <= 1024)
    assert dialog.seed.y() > dialog.procedure.y() and dialog.speed.y() == dialog.seed.y()
    for widget in (dialog.procedure, dialog.n, dialog.seed, dialog.speed):
        assert widget.isVisible() and check_clipped(widget) == []
    window.presentation.set_presenting(False)
    qtbot.waitUntil(lambda: dialog.seed.y() == dialog.procedure.y())


def test_the_sample_window_lies_wholly_on_its_screen(window, qtbot):
    """It was 980 x 760 wherever it opened: on a 1024 x 768 screen Qt's placing left its
    frame's bottom 2 px past the screen, and on a smaller screen much more. Its frame lies
    inside the screen's free area (the tests' screen is 800 x 800)."""
    from emviz.gui.audit import check_fits_screen

    dialog = open_dialog(window, qtbot)
    qtbot.waitExposed(dialog)
    assert check_fits_screen(dialog) == []
    dialog.close()
