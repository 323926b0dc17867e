"""Views that work only when seen, and features that the window registers: a hidden view is
never drawn while EM runs and catches up, once, when shown; a view is redrawn only for the
aspects of the model it draws; each feature is a registered record, not a window attribute."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from emviz.core import bound_slice, decomposition
from emviz.gui.features import Feature, FeatureRegistry
from emviz.gui.teaching import FEATURES, feature_name

from .conftest import wait_for_history


def settled(window, qtbot) -> None:
    qtbot.waitUntil(lambda: not window.frame_pending)


class Spy:
    """Counts a view's show_state and prepare_state calls (the window looks them up on the
    view as a frame starts, so wrapping the instance's methods between frames sees every
    call)."""

    def __init__(self, monkeypatch, view) -> None:
        self.shows = self.prepares = 0
        original = view.show_state

        def show_state(model):
            self.shows += 1
            return original(model)

        monkeypatch.setattr(view, "show_state", show_state)
        prepare = getattr(view, "prepare_state", None)
        if prepare is not None:
            def prepare_state(model):
                self.prepares += 1
                return prepare(model)

            monkeypatch.setattr(view, "prepare_state", prepare_state)

    @property
    def calls(self) -> int:
        return self.shows + self.prepares


def step_times(window, qtbot, n: int) -> None:
    for _ in range(n):
        length = len(window.history)
        window.findChild(QAction, "actionStep").trigger()
        wait_for_history(qtbot, window, length + 2)
    settled(window, qtbot)


def test_a_hidden_tab_does_no_work_while_em_steps_and_catches_up_once_when_shown(
        window, qtbot, monkeypatch):
    why, parts = window.feature("why"), window.feature("decomposition")
    window.tabs.setCurrentIndex(0)  # "ln p, L": the Why and L+KL tabs are hidden
    settled(window, qtbot)
    spies = {"why": Spy(monkeypatch, why), "decomposition": Spy(monkeypatch, parts)}
    step_times(window, qtbot, 5)
    assert len(window.history) == 11
    assert {name: spy.calls for name, spy in spies.items()} == {"why": 0, "decomposition": 0}
    assert window.view_is_stale(why) and window.view_is_stale(parts)

    window.show_tab(why)  # drawn as the tab opens, before its first paint
    assert spies["why"].shows == 1 and not window.view_is_stale(why)
    X, e, m = window.points, window.history[-2], window.history[-1]
    ts = why.f_curve.xData
    f, b = bound_slice(X, m.resp, e.mixture, m.mixture, ts)
    np.testing.assert_allclose(why.f_curve.yData, f, rtol=1e-12)
    np.testing.assert_allclose(why.b_curve.yData, b, rtol=1e-12)
    assert f"iteration {m.iteration}" in why.getPlotItem().titleLabel.text

    window.show_tab(parts)
    assert spies["decomposition"].shows == 1
    assert parts.values == decomposition(X, m.resp, m.mixture)
    settled(window, qtbot)
    assert spies["why"].shows == 1 and spies["decomposition"].shows == 1  # no second drawing


def test_a_view_is_not_redrawn_for_an_aspect_it_does_not_draw(window, qtbot, monkeypatch):
    table, inspector = window.params_table, window.feature("inspector")
    settled(window, qtbot)
    table_spy, inspector_spy = Spy(monkeypatch, table), Spy(monkeypatch, inspector)
    window.model.select_point(3)  # "selection": the inspector draws it, the table does not
    assert window.frame_pending
    settled(window, qtbot)
    assert inspector_spy.shows == 1 and table_spy.shows == 0
    assert not window.view_is_stale(table)


def test_a_burst_of_states_is_drawn_once_in_its_newest_state(window, qtbot, monkeypatch):
    settled(window, qtbot)
    spy = Spy(monkeypatch, window.params_table)
    step_times(window, qtbot, 3)
    spy.shows = 0
    for i in (1, 2, 3, 4):  # four moves before the event loop runs: one frame
        window.model.set_index(i)
    settled(window, qtbot)
    assert spy.shows == 1
    mixture = window.history[4].mixture
    assert window.params_table.item(0, 1).text() == f"{mixture.weights[0]:.3f}"


def test_the_closed_gallery_and_the_k_means_pane_when_off_do_no_work(window, qtbot, monkeypatch):
    gallery, kmeans = window.feature("gallery"), window.feature("kmeans_mode")
    settled(window, qtbot)
    spies = Spy(monkeypatch, gallery), Spy(monkeypatch, kmeans)
    step_times(window, qtbot, 2)
    assert [spy.shows for spy in spies] == [0, 0]
    assert window.view_is_stale(gallery) and window.view_is_stale(kmeans)


def test_the_gallery_catches_up_when_opened(window, qtbot, monkeypatch):
    gallery = window.feature("gallery")
    settled(window, qtbot)
    spy = Spy(monkeypatch, gallery)
    step_times(window, qtbot, 2)
    assert spy.shows == 0 and window.view_is_stale(gallery)
    window.findChild(QAction, "actionGallery").trigger()
    qtbot.waitUntil(lambda: not window.view_is_stale(gallery) and not window.frame_pending)
    assert spy.shows >= 1
    gallery.close()


def test_the_redraw_of_a_script_draws_only_the_views_on_screen(window, qtbot, monkeypatch):
    window.tabs.setCurrentIndex(0)
    settled(window, qtbot)
    why_spy = Spy(monkeypatch, window.feature("why"))
    points_spy = Spy(monkeypatch, window.points_view)
    window.redraw_now()
    assert why_spy.shows == 0
    assert points_spy.shows == 1 and points_spy.prepares == 1


# -- the feature host API ----------------------------------------------------------------------


def test_every_teaching_module_is_a_registered_feature_not_a_window_attribute(window):
    names = [feature_name(entry) for entry in FEATURES]
    assert names == [n for n in window.features if n in names]  # installed in this order
    assert "lesson" in window.features
    for name in names:
        feature = window.features[name]
        assert isinstance(feature, Feature) and feature.name == name
        assert window.feature(name) is feature.main
        for view in feature.views:
            assert view in window.views
        for action in feature.actions:
            assert window.actions_by_name[action.objectName()] is action
    # What features used to set on the window is gone from it.
    old = ("gallery", "why_plot", "decomposition_view", "equations_panel", "point_inspector",
           "point_hover_tips", "kmeans_mode", "sample_mode", "model_choice")
    assert not set(old) & set(vars(window))
    assert window.feature("gallery") is window.findChild(QWidget, "galleryView")
    assert window.features["kmeans_mode"].state is window.feature("kmeans_mode").run


def test_the_registry_refuses_a_second_feature_of_the_same_name_and_names_the_installed():
    registry = FeatureRegistry()
    registry.add(Feature("why", object()))
    with pytest.raises(ValueError, match="installed already"):
        registry.add(Feature("why", object()))
    with pytest.raises(KeyError, match="installed: why"):
        registry["gallery"]


def test_a_side_view_shares_the_points_views_room_and_gives_it_back(window):
    splitter = window.centralWidget()
    before = splitter.sizes()
    side = QWidget()
    window.add_side_view(side)
    assert splitter.indexOf(side) == splitter.indexOf(window.points_view) + 1
    assert not side.isVisible()
    window.show_side_view(side, True)
    assert side.isVisible()
    sizes = splitter.sizes()
    i = splitter.indexOf(window.points_view)
    assert abs(sizes[i] - sizes[i + 1]) <= 1 and sizes[i] > 0
    window.show_side_view(side, False)
    assert not side.isVisible()
    # The room goes back (to a few pixels: the splitter rounds its handles' share).
    assert np.allclose(splitter.sizes()[:i + 1], before[:i + 1], atol=8)


def test_choosing_the_oracle_tab_shows_the_readout_of_the_current_state(window, qtbot):
    """The readout (ln p(X, Z | θ) of EM's θ) is computed only while its tab is shown; choosing
    the tab after EM stepped with it hidden shows the numbers of the current state."""
    from emviz.core import generate

    d = generate(3, 300, 3.0, 4)
    window.editor.replace(d.X, d.labels, d.true_mixture, d.name, d.axes)
    qtbot.waitUntil(lambda: len(window.history) == 1 and not window.controller.busy)
    window.tabs.setCurrentIndex(0)
    step_times(window, qtbot, 2)
    oracle = window.feature("oracle")
    window.show_tab(oracle.panel)
    state = window.model.current
    header = oracle.panel.table.horizontalHeaderItem(1).text()
    assert header == f"EM's θ\nit. {state.iteration}, {state.phase}"


def test_a_change_while_a_frame_draws_starts_it_over_with_the_points_view(
        window, qtbot, monkeypatch):
    """A newer state that arrives while a frame draws (a Step's M-step during its E-step's
    frame) does not wait behind the views that frame has still to draw: the frame starts over,
    the points view first, and each of the other views draws once, the newest state."""
    step_times(window, qtbot, 2)
    view, table = window.points_view, window.params_table
    order: list[str] = []

    def recorded(name, original, change=False):
        def show_state(model):
            order.append(name)
            if change and order.count(name) == 1:  # a newer state comes meanwhile
                model.set_index(4)
            return original(model)
        return show_state

    monkeypatch.setattr(view, "show_state", recorded("points", view.show_state, change=True))
    monkeypatch.setattr(table, "show_state", recorded("table", table.show_state))
    window.model.set_index(2)
    settled(window, qtbot)
    assert order == ["points", "points", "table"]
    mixture = window.history[4].mixture
    assert table.item(0, 1).text() == f"{mixture.weights[0]:.3f}"
