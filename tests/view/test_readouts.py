"""The numbers the window shows as text (emviz.look.readouts), from real EM histories."""

import dataclasses
import re

import numpy as np
import pytest

from emviz.core import continue_em
from emviz.look.readouts import (
    bound_series,
    follow_range,
    format_matrix,
    format_vector,
    half_step_x,
    status_text,
)
from emviz.session.model import Workbench

SEPARATOR = "   ·   "


def workbench(X, history, index=None) -> Workbench:
    model = Workbench()
    model.set_points(X)
    model.append(history)
    if index is not None:
        model.set_index(index)
    return model


def number_after(label: str, text: str) -> float:
    match = re.search(re.escape(label) + r" = (-?[0-9.]+(?:e[-+]?\d+)?)", text)
    assert match, f"no {label!r} in {text!r}"
    return float(match.group(1))


def test_half_step_x_counts_half_steps(long_run):
    _, history = long_run
    phases = [(s.phase, s.iteration) for s in history[:5]]
    assert phases == [("init", 0), ("E", 1), ("M", 1), ("E", 2), ("M", 2)]
    x = half_step_x(history)
    np.testing.assert_array_equal(x[:5], [0.0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_array_equal(x, np.arange(len(history)) / 2)
    assert half_step_x([]).shape == (0,)


def test_half_step_x_of_a_resumed_run_continues_the_axis(long_run):
    X, history = long_run
    # the window's history after scrubbing back to the E-step of iteration 3 and stepping on
    assert (history[5].phase, history[5].iteration) == ("E", 3)
    resumed = history[:6] + list(continue_em(X, history[5], tol=0.0, max_iter=4))
    np.testing.assert_array_equal(half_step_x(resumed), [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4])


def test_bound_series(converged_run):
    _, history = converged_run
    x, ll, lb = bound_series(history)
    np.testing.assert_array_equal(x, half_step_x(history))
    np.testing.assert_array_equal(ll, [s.log_likelihood for s in history])
    assert np.isnan(lb[0])  # "init": no q yet
    assert np.all(np.isfinite(lb[1:]))
    np.testing.assert_array_equal(lb[1:], [s.lower_bound for s in history[1:]])
    assert x.dtype == ll.dtype == lb.dtype == np.float64


def test_status_on_the_converged_state(converged_run):
    X, history = converged_run
    model = workbench(X, history)
    model.end_run("converged")
    state = history[-1]
    text = status_text(model)
    parts = text.split(SEPARATOR)
    assert parts[0] == "N = 272"
    assert parts[1] == f"iteration {state.iteration}, after M-step"
    assert number_after("ln p(X | θ)", text) == pytest.approx(state.log_likelihood, abs=5e-4)
    assert number_after("L(q, θ)", text) == pytest.approx(state.lower_bound, abs=5e-4)
    gap = number_after("gap = KL", text)
    assert gap == pytest.approx(max(state.gap, 0.0), abs=5e-4)  # shown to 3 decimals
    assert parts.count("converged") == 1  # the state's flag and run_ended say it only once
    assert "viewing" not in text and "degenerate" not in text


def test_status_before_the_first_e_step_has_no_bound(converged_run):
    X, history = converged_run
    model = workbench(X, history, index=0)
    text = status_text(model)
    assert "iteration 0, initialised" in text
    assert "L(q, θ): no q before the first E-step" in text
    assert "L(q, θ) =" not in text and "gap" not in text and "nan" not in text.lower()
    assert number_after("ln p(X | θ)", text) == pytest.approx(history[0].log_likelihood, abs=5e-4)
    assert f"viewing half-step 0 of {len(history) - 1}" in text
    assert "converged" not in text


def test_status_after_an_e_step_shows_a_gap_of_zero_not_a_negative_one(converged_run):
    X, history = converged_run
    model = workbench(X, history, index=3)
    text = status_text(model)
    assert "iteration 2, after E-step" in text
    assert abs(history[3].gap) < 1e-9  # L = ln p after an E-step, up to rounding of either sign
    assert "gap = KL = 0.000" in text and "gap = KL = -" not in text
    assert f"viewing half-step 3 of {len(history) - 1}" in text


def test_status_says_why_a_run_stopped_only_at_its_tip(long_run):
    X, history = long_run
    model = workbench(X, history)
    model.end_run("maximum iterations reached")
    assert status_text(model).endswith(SEPARATOR + "maximum iterations reached")
    assert "converged" not in status_text(model)
    model.set_index(10)
    assert "maximum iterations reached" not in status_text(model)


def test_status_names_degenerate_components_from_one(converged_run):
    X, history = converged_run
    model = workbench(X, history[:-1])
    model.append([dataclasses.replace(history[-1], degenerate=(0, 2))])
    assert "degenerate: k = 1, k = 3" in status_text(model)


def test_status_without_a_run():
    model = Workbench()
    assert status_text(model) == "0 points · add points or choose a dataset"
    model.set_points(np.zeros((5, 2)))
    assert status_text(model) == "5 points"


def test_format_vector():
    assert format_vector(np.array([1.0, -0.5, 2 / 3])) == "(1.000, -0.500, 0.667)"
    assert format_vector(np.array([])) == "()"


def test_format_matrix_rows_on_lines_and_aligned():
    assert format_matrix(np.array([[1.0, 0.5], [0.5, 2.0]])) == "  1.000    0.500\n  0.500    2.000"
    lines = format_matrix(np.array([[-12.3456, 0.1], [1.0, 100.0]])).split("\n")
    assert lines == ["-12.346    0.100", "  1.000  100.000"]
    assert len({len(line) for line in lines}) == 1


def test_follow_range_keeps_the_view_while_the_curve_fits_and_leaves_headroom_when_not():
    x = np.arange(6) / 2.0
    y = np.array([-900.0, -850, -820, -810, -805, -803])
    view = follow_range(((0.0, 0.0), (0.0, 0.0)), x, y)
    (x0, x1), (y0, y1) = view
    assert x0 < 0 and x1 >= 2.5 + 2 and y0 < -900 and y1 > -803 + 0.1 * 97  # room to climb
    assert follow_range(view, x, y) is None  # nothing moved: the axes need no redraw
    grown = np.r_[x, 3.0, 3.5]
    assert follow_range(view, grown, np.r_[y, -802, -801.5]) is None  # inside the headroom
    far = np.r_[x, np.arange(3, 12) / 1.0]
    moved = follow_range(view, far, np.r_[y, np.full(9, -800.0)])
    assert moved is not None and moved[0][1] >= 11 + 2


def test_follow_range_refits_a_new_short_run_and_ignores_nans():
    old_view = ((-1.0, 60.0), (-5000.0, 100.0))
    x, y = np.array([0.0, 0.5]), np.array([-300.0, np.nan])
    (x0, x1), (y0, y1) = follow_range(old_view, x, y)
    assert x1 - x0 < 10 and y0 < -300 < y1 and y1 - y0 < 1000
    assert follow_range(old_view, np.array([np.nan]), np.array([np.nan])) is None


def test_format_column_and_compact_matrix_are_narrow_aligned_lines():
    from emviz.look.readouts import format_column, format_matrix_compact

    assert format_column(np.array([0.74, -0.308])) == "\u20070.740\n-0.308"
    lines = format_matrix_compact(np.array([[-12.3456, 0.1], [1.0, 100.0]])).split("\n")
    # each column right-aligned to its own widest entry (figure spaces are digit-wide)
    assert lines == ["-12.346\u2007\u2007\u20070.100", "\u2007\u20071.000\u2007100.000"]
    assert format_matrix_compact(np.array([[1.0, 0.5], [0.5, 2.0]])) == "1.000\u20070.500\n0.500\u20072.000"


def test_the_short_status_has_the_same_numbers_in_fewer_words(converged_run):
    X, history = converged_run
    model = workbench(X, history, index=3)
    state = history[3]
    full, short = status_text(model), status_text(model, short=True)
    assert len(short) < 0.7 * len(full)
    assert short.split(" · ")[0] == f"it. {state.iteration}, after E-step"
    assert number_after("ln p", short) == pytest.approx(state.log_likelihood, abs=5e-4)
    assert number_after("L", short) == pytest.approx(state.lower_bound, abs=5e-4)
    assert number_after("KL", short) == pytest.approx(max(state.gap, 0.0), abs=5e-4)
    assert short.endswith(f"half-step 3/{len(history) - 1}")
    first = status_text(workbench(X, history, index=0), short=True)
    assert "no L before the first E-step" in first and "KL" not in first


def test_a_collapsing_covariance_reads_in_two_figures_not_six():
    """Chapter 11's collapsed component has Σ_k = [[1e-08, 3.8457e-29], ...]: six significant
    figures of the rounding noise held the parameter table 614 px wide presenting, and the
    window 70 px wider than a 1024 x 768 screen. Below 1e-3 two figures say what matters
    (the size, collapsing); ordinary entries keep three decimals."""
    from emviz.look.readouts import FIGURE_SPACE, format_matrix_compact

    text = format_matrix_compact(np.array([[1e-08, 3.8457e-29], [3.8457e-29, 1e-08]]))
    pad = FIGURE_SPACE * 2  # "1e-08" right-aligned to "3.8e-29"
    assert text.split("\n") == [f"{pad}1e-08{FIGURE_SPACE}3.8e-29", f"3.8e-29{FIGURE_SPACE}{pad}1e-08"]
    ordinary = format_matrix_compact(np.array([[0.5, 0.0], [0.0, 2.0]]))
    assert ordinary == f"0.500{FIGURE_SPACE}0.000\n0.000{FIGURE_SPACE}2.000"
