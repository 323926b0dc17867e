"""save_points_csv then read_table gives back exactly the same points and labels."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from emviz.dataio import DataError, load_points, parse_table, read_table, save_points_csv
from emviz.session.model import MAX_COORDINATE


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal as doubles, including the sign of zero."""
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


def test_round_trip_with_labels(tmp_path):
    X = np.array([[0.1 + 0.2, -1e-300], [5e-324, 1e120], [-0.0, -9.999999999999999e119]])
    labels = np.array([2, -1, 0])
    path = tmp_path / "points.csv"
    save_points_csv(path, X, labels)
    assert path.read_text().splitlines()[:2] == ["x,y,label", "0.30000000000000004,-1e-300,2"]
    table = read_table(path)
    assert same_bits(table.points(), X)
    assert table.labels.tolist() == labels.tolist()
    assert table.label_name == "label"
    X2, labels2, name = load_points(path)
    assert same_bits(X2, X) and labels2.tolist() == [2, -1, 0] and name == "points.csv"


def test_round_trip_without_labels(tmp_path):
    X = np.random.default_rng(0).normal(size=(100, 2))
    save_points_csv(tmp_path / "p.csv", X)
    table = read_table(tmp_path / "p.csv")
    assert (tmp_path / "p.csv").read_text().startswith("x,y\n")
    assert same_bits(table.points(), X) and table.labels is None


#: Every double emviz takes as a coordinate (see MAX_COORDINATE).
finite = st.floats(-MAX_COORDINATE, MAX_COORDINATE, allow_subnormal=True)


@settings(max_examples=150, deadline=None)
@given(
    X=st.integers(1, 40).flatmap(lambda n: arrays(np.float64, (n, 2), elements=finite)),
    with_labels=st.booleans(),
    data=st.data(),
)
def test_round_trip_of_random_floats(X, with_labels, data):
    labels = None
    if with_labels:
        labels = data.draw(arrays(np.int64, X.shape[0], elements=st.integers(-1, 2**31 - 1)))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "points.csv")
        save_points_csv(path, X, labels)
        table = read_table(path)
    assert same_bits(table.points(), X)
    if with_labels:
        assert table.labels.tolist() == labels.tolist()
    else:
        assert table.labels is None


@settings(max_examples=50, deadline=None)
@given(X=st.integers(1, 20).flatmap(lambda n: arrays(np.float64, (n, 2), elements=finite)))
def test_round_trip_through_the_careful_path(X):
    """Text labels make the parser go row by row; it must read floats just as exactly."""
    text = "x,y,name\n" + "".join(f"{x!r},{y!r},p\n" for x, y in X.tolist())
    assert same_bits(parse_table(text).points(), X)


def test_save_refuses_bad_input(tmp_path):
    with pytest.raises(DataError, match="points.csv: no points to save"):
        save_points_csv(tmp_path / "points.csv", np.empty((0, 2)))
    with pytest.raises(ValueError, match="shape"):
        save_points_csv(tmp_path / "points.csv", np.zeros((3, 3)))
    with pytest.raises(ValueError, match="NaN"):
        save_points_csv(tmp_path / "points.csv", np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="labels"):
        save_points_csv(tmp_path / "points.csv", np.zeros((2, 2)), np.array([0.5, 1.0]))
    assert list(tmp_path.iterdir()) == []


def test_save_into_a_missing_folder(tmp_path):
    path = tmp_path / "missing" / "points.csv"
    with pytest.raises(DataError, match=f"^{path}: the folder does not exist$"):
        save_points_csv(path, np.zeros((2, 2)))
