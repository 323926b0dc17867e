"""The session model's parts and the colour identity, without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.core import EMState, KMeansState, Mixture
from emviz.look.colors import component_colors
from emviz.session.model import ASPECTS, Workbench
from emviz.session.parts import Identity, palette_of


def mixture(means) -> Mixture:
    means = np.asarray(means, dtype=float)
    k = len(means)
    return Mixture(np.full(k, 1 / k), means, np.tile(np.eye(2), (k, 1, 1)))


def init_state(means) -> EMState:
    return EMState(phase="init", iteration=0, mixture=mixture(means), resp=None,
                   log_likelihood=float("nan"), lower_bound=float("nan"))


BLOBS = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])


@pytest.fixture
def model():
    m = Workbench()
    rng = np.random.default_rng(0)
    m.set_points(np.repeat(BLOBS, 20, axis=0) + rng.normal(scale=0.3, size=(60, 2)),
                 labels=np.repeat([2, 0, 1], 20))
    return m


def test_a_view_hears_only_the_aspects_it_draws(model):
    heard = []
    model.subscribe(heard.append, {"lesson"})
    model.set_options(soft_colors=False)
    model.gallery.set_iterations((0, 4))
    assert heard == []
    model.lesson.set_chapter(6)
    assert heard == [{"lesson"}] and model.lesson.chapter == 6
    with pytest.raises(ValueError, match="unknown aspects"):
        model.subscribe(heard.append, {"lessons"})
    assert {"kmeans", "oracle", "choose_k", "gallery", "lesson", "identity"} <= ASPECTS


def test_kmeans_clusters_and_oracle_labels_take_the_colour_of_their_em_component(model):
    model.append([init_state(BLOBS)])
    assert model.identity.em_slots.tolist() == [0, 1, 2]
    # Oracle label z is blob [1, 2, 0][z]: label 0 sits on component 1, and so on.
    assert model.identity.oracle_slots.tolist() == [1, 2, 0]
    heard = []
    model.subscribe(heard.append, {"identity"})
    model.kmeans.set_on(True)
    centers = BLOBS[[2, 0, 1]] + 0.2  # k-means numbers the same blobs otherwise
    model.kmeans.extend([(KMeansState("init", 0, centers, None, float("nan")), None)])
    assert model.identity.kmeans_slots.tolist() == [2, 0, 1] and heard
    np.testing.assert_array_equal(model.identity.kmeans_palette(3)[0], component_colors(3)[2])


def test_a_new_run_keeps_the_colours_where_its_components_are(model):
    model.append([init_state(BLOBS)])
    model.start_history()  # a reseed: the same three blobs, numbered otherwise
    model.append([init_state(BLOBS[[1, 2, 0]] + 0.5)])
    assert model.identity.em_slots.tolist() == [1, 2, 0]
    palette = model.identity.em_palette(3)
    np.testing.assert_array_equal(palette, component_colors(3)[[1, 2, 0]])
    model.start_history()  # K = 2: the two components keep the colours of the blobs they sit on
    model.append([init_state(BLOBS[[2, 1]])])
    assert model.identity.em_slots.tolist() == [2, 1]  # on blobs 2 and 1
    model.start_history()  # K = 4: a fourth component gets the first free colour
    model.append([init_state(np.r_[BLOBS, [[10.0, 10.0]]])])
    assert sorted(model.identity.em_slots.tolist()) == [0, 1, 2, 3]


def test_new_data_start_from_the_plain_palette(model):
    model.append([init_state(BLOBS)])
    model.start_history()
    model.append([init_state(BLOBS[[1, 2, 0]])])
    model.set_points(np.random.default_rng(1).normal(size=(30, 2)))
    model.append([init_state(BLOBS[[1, 2, 0]])])
    assert model.identity.em_slots.tolist() == [0, 1, 2]


def test_more_clusters_than_components_take_free_slots():
    identity = Identity()
    identity.follow(BLOBS[:2], True, BLOBS[[2, 1, 0]], None)
    slots = identity.kmeans_slots.tolist()
    assert slots[1] == 1 and slots[2] == 0 and slots[0] == 2
    np.testing.assert_array_equal(palette_of(np.array([2, 0])), component_colors(3)[[2, 0]])
