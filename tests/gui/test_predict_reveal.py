"""Predict, then reveal: after a chapter's Try it its question is asked; a real click in the
points view is the guess (no point is added), the step runs, and the guess, the answer and
their distance are shown in the points view and in the lesson text."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from emviz.session.lesson import parse_chapter

from .conftest import data_point


def open_chapter(qtbot, w, slug: str, press: str = ""):
    """Try it on chapter ``slug``, press ``press`` (a shortcut, e.g. "E") once it is set up,
    and wait for the question."""
    panel = w.lesson
    panel.go([c.slug for c in panel.chapters].index(slug), remember=False)
    panel.show()
    panel.try_it()
    if press:
        qtbot.waitUntil(lambda: len(w.history) >= 1 + 2 * panel.chapter.steps
                        and not w.controller.busy, timeout=30_000)
        assert w.model.lesson.stage == ""  # not asked before the picture it is about
        qtbot.keyClick(w, press)
    qtbot.waitUntil(lambda: w.model.lesson.stage == "asking" and not w.controller.busy,
                    timeout=30_000)
    w.redraw_now()
    return panel


def click(qtbot, w, x: float, y: float) -> None:
    qtbot.mouseClick(w.points_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=data_point(w, x, y))


def revealed(qtbot, w):
    qtbot.waitUntil(lambda: w.model.lesson.stage == "revealed" and not w.controller.busy,
                    timeout=30_000)
    w.redraw_now()
    return w.model.lesson


def pixel(w) -> float:
    return max(w.points_view.pixel_size())


def test_guess_where_the_m_step_puts_mu_1(window, qtbot):
    w = window
    panel = open_chapter(qtbot, w, "06-e-and-m-steps", press="E")
    assert w.model.current.phase == "E"  # the student's E-step: the colours show r_nk
    assert "Predict:" in panel.next_step.text() and "μ₁" in panel.next_step.text()
    assert "Predict" not in panel.text.toPlainText()  # the question is in the box
    n, index = len(w.points), w.model.index
    click(qtbot, w, 0.5, -0.5)
    lesson = revealed(qtbot, w)
    assert len(w.points) == n  # the click was the guess, not a new point
    assert w.model.index == index + 1 and w.model.current.phase == "M"
    guess = np.array(lesson.guess)
    assert np.abs(guess - (0.5, -0.5)).max() <= 2 * pixel(w)
    mu_1 = w.model.current.mixture.means[0]
    assert lesson.answer == pytest.approx(tuple(mu_1))
    expected = float(np.hypot(*(mu_1 - guess)))
    assert lesson.distance == pytest.approx(expected, abs=1e-12)
    shown = f"{expected:.2f}"
    assert f"Distance: {shown}" in panel.text.toPlainText()
    overlay = panel.predict.overlay
    assert overlay.label.isVisible() and overlay.label.textItem.toPlainText() == f"d={shown}"
    assert f"**Revealed:** μ₁ is {shown} from your guess" in panel.next_step.text()
    assert panel.chapter.predict.then in panel.next_step.text()
    xs, ys = overlay.line.getData()
    assert (xs[0], ys[0], xs[1], ys[1]) == pytest.approx((*guess, *mu_1))
    # the next click adds a point again
    click(qtbot, w, 0.0, 0.0)
    qtbot.waitUntil(lambda: len(w.points) == n + 1)


def test_guess_the_most_evenly_split_point_after_the_e_step(window, qtbot):
    w = window
    panel = open_chapter(qtbot, w, "07-soft-labels")
    assert w.controller.next_phase() == "E"
    click(qtbot, w, 0.0, 0.0)
    lesson = revealed(qtbot, w)
    state = w.model.current
    assert state.phase == "E"
    n = int(np.argmin(state.resp.max(axis=1)))
    assert lesson.answer == pytest.approx(tuple(w.points[n]))
    assert lesson.distance == pytest.approx(float(np.hypot(*(w.points[n] - lesson.guess))))
    assert f"n = {n + 1}" in panel.text.toPlainText()


def test_guess_where_a_restart_ends(window, qtbot):
    w = window
    panel = open_chapter(qtbot, w, "10-local-optima")
    assert w.model.settings.seed == 5
    click(qtbot, w, 3.0, -2.0)
    lesson = revealed(qtbot, w)
    assert w.model.settings.seed == 6 and w.model.run_ended == "converged"
    means = w.model.current.mixture.means
    d = np.hypot(*(means - lesson.guess).T)
    assert lesson.distance == pytest.approx(d.min())
    assert lesson.answer == pytest.approx(tuple(means[d.argmin()]))
    assert "where EM converged" in panel.text.toPlainText()


def test_another_chapter_closes_the_question(window, qtbot):
    w = window
    panel = open_chapter(qtbot, w, "06-e-and-m-steps", press="E")
    panel.go(panel.index + 1, remember=False)
    assert w.model.lesson.stage == ""
    n = len(w.points)
    click(qtbot, w, 0.0, 0.0)
    qtbot.waitUntil(lambda: len(w.points) == n + 1)  # a plain click adds a point again


BAD = """---
title: T
dataset: faithful
k: 2
---
Text.

```predict
ask: Where?
step: sideways
target: mean 1
```
"""


def test_a_bad_predict_block_names_the_chapter_and_line():
    with pytest.raises(ValueError, match=r"lesson/06-x\.md, line 10: step must be one of E, M"):
        parse_chapter(BAD, "lesson/06-x.md")


def test_closing_the_lesson_or_new_data_closes_the_question(window, qtbot):
    w = window
    open_chapter(qtbot, w, "07-soft-labels")
    w.actions_by_name["actionLesson"].setChecked(False)  # F1: the lesson closed
    assert w.model.lesson.stage == ""
    panel = open_chapter(qtbot, w, "06-e-and-m-steps", press="E")
    click(qtbot, w, 0.5, -0.5)
    revealed(qtbot, w)
    assert panel.predict.overlay.answer.isVisible()
    w.load_dataset("ring")
    qtbot.waitUntil(lambda: w.model.lesson.stage == "")
    assert not panel.predict.overlay.answer.isVisible()
    assert not panel.predict.overlay.guess.isVisible()
