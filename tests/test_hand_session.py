"""θ set by hand, Qt-free parts: a typed π_k is checked by the schema where it enters, and a
session keeps the part of the history that EM can re-run from one θ."""

from __future__ import annotations

import math

import pytest

from emviz.core import Mixture, evaluate_held, hand_state, held_q, old_faithful, run_em, with_mean
from emviz.session import schema
from emviz.session.runs import replayable_span


@pytest.mark.parametrize("text, value", [("0.25", 0.25), (" 0.5 ", 0.5), ("0.001", 0.001),
                                         ("9.99e-1", 0.999)])
def test_a_typed_weight_is_read(text, value):
    assert schema.parse_float(schema.WEIGHT, text, "π_1") == value


@pytest.mark.parametrize("text, shown", [("0", "0.0"), ("1", "1.0"), ("1.5", "1.5"),
                                         ("\u22120.2", "-0.2"), ("nan", "nan"),
                                         ("inf", "inf"), ("lots", '"lots"'), ("", '""')])
def test_a_bad_typed_weight_is_refused_by_name_and_range(text, shown):
    with pytest.raises(schema.SchemaError) as error:
        schema.parse_float(schema.WEIGHT, text, "π_2")
    message = str(error.value)
    assert message.startswith("'π_2' should be a finite number from 0.001 to 0.999")
    assert message.endswith(f"not {shown}")


def test_the_replayable_span_starts_at_the_newest_hand_entry_before_the_shown_state():
    X = old_faithful().X
    run = run_em(X, Mixture([0.5, 0.5], X[:2], [[[1.0, 0.0], [0.0, 1.0]]] * 2))
    init, e, m = next(run), next(run), next(run)
    hand = hand_state(m, evaluate_held(X, held_q(m), with_mean(m.mixture, 0, [0.0, 0.0])))
    history = [init, e, m, hand, e, m]  # the kinds of states are what counts here
    assert replayable_span(history, 5) == (3, 6)
    assert replayable_span(history, 3) == (3, 6)
    assert replayable_span(history, 2) == (0, 3)  # scrubbed back before the hand entry
    assert replayable_span([], -1) == (0, 0)
    assert replayable_span([init, e, m], 2) == (0, 3)
    assert not math.isnan(hand.lower_bound)
