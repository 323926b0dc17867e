"""Issue 17: every input checked where it enters. Sessions, mixtures and runs out of the
controls' range are refused in one line naming the file, the field and the allowed range;
data files get messages that say what is really wrong."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest

from emviz.core import old_faithful
from emviz.dataio import DataError, Session, load_mixture_json, load_session, parse_table, save_session
from emviz.dataio._files import write_atomic
from emviz.session.model import Settings


@pytest.fixture
def session_file(tmp_path):
    path = tmp_path / "s.emviz"
    save_session(path, Session(points=old_faithful().X[:40], settings=Settings(seed=5)))
    return path


def _edit(path, **settings):
    doc = json.loads(path.read_text())
    doc["settings"].update(settings)
    if "seed" in settings:
        doc["seed"] = settings["seed"]
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize("field, value, allowed", [
    ("seed", -3, "0 to 2147483647"),  # item 1
    ("tol", -1, ">= 0"),  # item 2
    ("seed", 2147483653, "0 to 2147483647"),  # item 3
    ("max_iter", 10_001, "1 to 10000"),  # the control's range
    ("k", 21, "1 to 20"),
    ("init_method", "magic", "kmeans, kmeans++, random-points, random-resp"),
    ("covariance_type", "huge", "full, diag, spherical, tied"),
    ("reg_covar", -1e-3, ">= 0"),
])
def test_a_session_outside_the_controls_range_is_refused_naming_file_field_and_range(
        session_file, field, value, allowed):
    _edit(session_file, **{field: value})
    with pytest.raises(DataError) as error:
        load_session(session_file)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{session_file}: ") and f"settings.{field}" in message
    assert allowed in message


@pytest.mark.parametrize("value", [-3, 2**31, 0.5, True])
def test_settings_refuse_what_the_controls_cannot_show(value):
    with pytest.raises(ValueError, match="seed"):
        Settings(seed=value)


def test_settings_refuse_a_negative_tolerance_and_nan():
    for tol in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="tol"):
            Settings(tol=tol)


def test_a_mixture_of_more_than_k_max_components_is_refused(tmp_path):
    k = 21
    doc = {"weights": [1 / k] * k, "means": [[float(i), 0.0] for i in range(k)],
           "covariances": [[[1.0, 0.0], [0.0, 1.0]]] * k}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=r"m\.json: .*K = 21.*1 to 20"):
        load_mixture_json(path)


# -- item 7: messages that help ----------------------------------------------------------


def test_a_thousands_separator_is_named_as_such():
    with pytest.raises(DataError) as error:
        parse_table('x;y\n"1,000";2\n3;4\n')
    assert "thousands separator" in str(error.value)
    assert "(1.000)" not in str(error.value)


def test_an_underscore_in_a_number_is_refused_not_read_silently():
    with pytest.raises(DataError, match="underscore"):
        parse_table("x,y\n1_000,2\n3,4\n")


IRIS_HEAD = "150,4,setosa,versicolor,virginica\n"


def test_scikit_learns_iris_layout_skips_the_count_line_and_says_so():
    rows = "\n".join(f"{5 + i / 10},{3 + i / 20},{1 + i / 10},{0.2 + i / 50},{i % 3}" for i in range(150))
    table = parse_table(IRIS_HEAD + rows + "\n")
    assert table.n_rows == 150 and table.data.shape == (150, 4)
    assert table.labels is not None and sorted(set(table.labels.tolist())) == [0, 1, 2]
    assert table.label_names == ("setosa", "versicolor", "virginica")
    assert "count line" in table.note and "150" in table.note


def test_unwritable_path_gives_the_true_reason(tmp_path):
    with pytest.raises(DataError) as error:
        write_atomic("/proc/x.png", b"data")
    assert "does not exist" not in str(error.value)
    assert "/proc" in str(error.value)


def test_one_point_is_singular():
    from emviz.dataio._layout import plural

    assert plural(1, "point") == "1 point" and plural(2, "point") == "2 points"
    assert plural(1_000, "row") == "1,000 rows"


# -- item 6: data that lose precision ---------------------------------------------------------


def test_a_file_whose_points_are_one_in_doubles_says_so():
    rng = np.random.default_rng(0)
    offset = Decimal(10**15)  # written exactly: 1e15 + 0.001 in doubles is 1e15 already
    text = "x,y\n" + "\n".join(f"{offset + Decimal(f'{v:.6f}')},{offset + Decimal(f'{w:.6f}')}"
                               for v, w in rng.normal(0, 1e-3, (150, 2)))
    assert len(set(text.splitlines())) == 151
    table = parse_table(text)
    assert "150 rows, 1 distinct point: the values differ beyond double precision" in table.note


def test_ordinary_data_get_no_note():
    assert parse_table("x,y\n1,2\n3,4\n5,6\n").note == ""


def test_a_session_whose_run_has_more_components_than_k_is_refused(tmp_path):
    """Found by the generated cases: the K box showed 1 while EM ran with 3 components."""
    from emviz.core import initialize

    X = old_faithful().X[:40]
    theta0 = initialize(X, 3, "kmeans", np.random.default_rng(0))
    path = tmp_path / "s.emviz"
    save_session(path, Session(points=X, settings=Settings(k=3), index=0, n_half_steps=1,
                               initial_mixture=theta0))
    _edit(path, k=1)
    with pytest.raises(DataError, match="initial_mixture has K = 3 components, more than settings.k = 1"):
        load_session(path)
