"""The lesson's "predict, then reveal" block, without Qt: parsing, the messages for a teacher's
mistakes (file and line), the shipped chapters' questions, and the answers to a guess."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.core import Mixture
from emviz.session.lesson import load_chapters, parse_chapter
from emviz.session.parts import LessonPart
from emviz.session.predict import Prediction, reveal

HEAD = "---\ntitle: T\ndataset: faithful\nk: 2\n---\nText before.\n\n"  # the body starts on line 6


def chapter(block: str):
    return parse_chapter(HEAD + block + "\nText after.\n", "lesson/06-x.md")


def test_a_predict_block_is_read_and_left_out_of_the_text():
    c = chapter("```predict\nask: Where will μ₁ be? Click.\nstep: M\ntarget: mean 1\n```\n")
    assert c.predict == Prediction("Where will μ₁ be? Click.", "M", "mean", 0)
    assert c.body == "Text before.\n\n\nText after."


def test_a_restart_names_its_seed():
    c = chapter("```predict\nask: Where?\nstep: restart\nseed: 6\ntarget: nearest mean\n```\n")
    assert (c.predict.step, c.predict.seed, c.predict.target) == ("restart", 6, "nearest mean")
    c = chapter("```predict\nask: A\nstep: E\ntarget: mean 2\nthen: press **M**\n```\n")
    assert (c.predict.component, c.predict.then) == (1, "press **M**")


@pytest.mark.parametrize("block, line, words", [
    ("```predict\nask: A\nstep: M\ntarget: mean 1\n", 8, "is not closed"),
    ("```predict\nask: A\nstep: M\ncolour: red\n```", 11, "unknown predict key 'colour'"),
    ("```predict\nstep: M\ntarget: mean 1\n```", 8, "needs 'ask:'"),
    ("```predict\nask: A\nstep: sideways\ntarget: mean 1\n```", 10, "step must be one of"),
    ("```predict\nask: A\nstep: M\ntarget: mean 3\n```", 11, "K = 2, so k must be from 1 to 2"),
    ("```predict\nask: A\nstep: M\ntarget: split point\n```", 11, "needs step: E"),
    ("```predict\nask: A\nstep: M\ntarget: mean 1\nseed: 4\n```", 12, "only for step: restart"),
    ("```predict\nask: A\nstep: restart\ntarget: nearest mean\n```", 10, "needs 'seed:'"),
    ("```predict\nask: A\nask: B\nstep: E\ntarget: mean 1\n```", 10, "given twice"),
    ("```predict\nask\n```", 9, "'key: value' lines"),
    ("```predict  extra\nask: A\n```", 8, "opens with a line"),
    ("```predict\nask: A\nstep: E\ntarget: mean 1\n```\n```predict\nask: B\nstep: E\n"
     "target: mean 1\n```", 13, "at most one predict block"),
])
def test_a_bad_block_names_the_file_and_the_line(block, line, words):
    with pytest.raises(ValueError, match=rf"^lesson/06-x\.md, line {line}: .*{words}"):
        chapter(block)


def test_three_shipped_chapters_ask_before_a_step():
    asked = {c.slug: c.predict for c in load_chapters() if c.predict is not None}
    assert asked["06-e-and-m-steps"].step == "M"
    assert asked["07-soft-labels"] == Prediction(asked["07-soft-labels"].ask, "E", "split point")
    assert (asked["10-local-optima"].step, asked["10-local-optima"].seed) == ("restart", 6)


def test_the_answers_are_the_target_and_its_euclidean_distance():
    means = np.array([[0.0, 0.0], [3.0, 4.0]])
    mixture = Mixture(np.array([0.5, 0.5]), means, np.stack([np.eye(2)] * 2))
    mean_2 = reveal(Prediction("?", "M", "mean", 1), np.zeros((1, 2)), mixture, None, (0.0, 0.0))
    assert (mean_2.answer, mean_2.distance, mean_2.component) == ((3.0, 4.0), 5.0, 1)
    assert "μ₂" in mean_2.headline and "5.00" in mean_2.text
    nearest = reveal(Prediction("?", "converge", "nearest mean"), np.zeros((1, 2)), mixture, None,
                     (2.0, 4.0))
    assert (nearest.answer, nearest.distance) == ((3.0, 4.0), 1.0)
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    resp = np.array([[0.9, 0.1], [0.45, 0.55], [0.2, 0.8]])
    split = reveal(Prediction("?", "E", "split point"), X, mixture, resp, (1.0, 2.0))
    assert (split.answer, split.distance) == ((1.0, 1.0), 1.0)
    assert "n = 2" in split.text and "0.45 / 0.55" in split.text


def test_the_lesson_part_keeps_the_guess_until_another_chapter():
    seen = []
    part = LessonPart(seen.append)
    with pytest.raises(ValueError, match="no question is open"):
        part.set_guess(1.0, 2.0)
    part.ask()
    part.set_guess(1.0, 2.0)
    part.reveal((4.0, 6.0), 5.0, "five", 0, "μ₁ is 5.00 away")
    assert (part.stage, part.guess, part.answer, part.distance) == ("revealed", (1.0, 2.0),
                                                                    (4.0, 6.0), 5.0)
    part.set_chapter(3)
    assert (part.stage, part.guess, part.answer) == ("", None, None)
    assert seen == ["lesson"] * 4
