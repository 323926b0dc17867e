"""Predict, then reveal: a lesson chapter may ask the student to guess, by a click in the
points view, where something will be after a step; the step runs and the guess is shown
against the answer with the distance between them (in data units). Qt-free.

In a chapter's Markdown, one fenced block ``predict`` of ``key: value`` lines::

    ```predict
    ask: Where will μ₁ be after the M-step? Click your guess.
    step: M
    target: mean 1
    ```

====== ========================================================================================
key    value
====== ========================================================================================
ask    the question, one line of Markdown (required); the "what to click next" box shows it
       while it is asked (the block itself is not part of the text)
step   what runs after the click (required): ``E`` (the E-step), ``M`` (the M-step),
       ``converge`` (EM until it converges), ``restart`` (a new start from ``seed``, then EM
       until it converges). An ``E`` or ``M`` question is asked once the next half-step is
       that one: an M question after the E-step the student presses (the colours then show
       r_nk); the others right after Try it
target what the guess is compared with (required): ``mean k`` (μ_k after the step, k from 1
       to the chapter's K), ``nearest mean`` (the mean nearest the click after the step),
       ``split point`` (the point whose r_nk are the most even after the step: only with
       ``step: E``)
seed   the seed of the new start (required with ``step: restart``, not allowed otherwise)
then   what to click after the reveal, one line of Markdown (default: the chapter's ``next``)
====== ========================================================================================

A chapter has at most one such block. Mistakes raise a ValueError naming the chapter file and
the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..core import Mixture

STEPS = ("E", "M", "converge", "restart")
KEYS = ("ask", "step", "target", "seed", "then")
FENCE_OPEN = "```predict"
FENCE_CLOSE = "```"


@dataclass(frozen=True)
class Prediction:
    """One "predict, then reveal" moment of a chapter."""

    ask: str  # the question (Markdown, one line)
    step: str  # a member of STEPS
    target: str  # "mean", "nearest mean" or "split point"
    component: int | None = None  # 0-based k of "mean k"
    seed: int | None = None  # the new start's seed ("restart")
    then: str = ""  # what to click after the reveal (Markdown); "" for the chapter's next


@dataclass(frozen=True)
class Reveal:
    """The answer to a guess: where the target is, how far the guess is from it (data units),
    and a sentence for the lesson text (Markdown)."""

    answer: tuple[float, float]
    distance: float
    text: str
    component: int | None = None  # the EM component the answer is the mean of, if any
    headline: str = ""  # the outcome in a few words, for the "what to click next" box


def _target(text: str, k: int) -> tuple[str, int | None]:
    words = text.split()
    if len(words) == 2 and words[0] == "mean" and re.fullmatch(r"\d+", words[1]):
        component = int(words[1])
        if not 1 <= component <= k:
            raise ValueError(f"target 'mean {component}': the chapter has K = {k}, so k must be "
                             f"from 1 to {k}")
        return "mean", component - 1
    if text in ("nearest mean", "split point"):
        return text, None
    raise ValueError(f"target must be 'mean k' (k from 1 to {k}), 'nearest mean' or "
                     f"'split point'; got {text!r}")


def parse_block(lines: list[str], name: str, first_line: int, k: int) -> Prediction:
    """A Prediction from the ``key: value`` lines inside a ``predict`` fence; ``first_line``:
    the file's line number of ``lines[0]``; ``k``: the chapter's K. ValueError names the file
    and the line."""
    values: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(lines, start=first_line):
        stripped = line.strip()
        if not stripped:
            continue
        key, colon, value = stripped.partition(":")
        key, value = key.strip().lower(), value.strip()
        if not colon or not value:
            raise ValueError(f"{name}, line {number}: a predict block holds 'key: value' lines "
                             f"({', '.join(KEYS)}), got {stripped!r}")
        if key not in KEYS:
            raise ValueError(f"{name}, line {number}: unknown predict key {key!r}; the keys "
                             f"are {', '.join(KEYS)}")
        if key in values:
            raise ValueError(f"{name}, line {number}: predict key {key!r} is given twice")
        values[key] = (value, number)
    end = first_line + len(lines)
    for key in ("ask", "step", "target"):
        if key not in values:
            raise ValueError(f"{name}, line {first_line - 1}: the predict block needs '{key}:' "
                             f"(before line {end})")
    step, line = values["step"]
    if step not in STEPS:
        raise ValueError(f"{name}, line {line}: step must be one of {', '.join(STEPS)}; "
                         f"got {step!r}")
    text, line = values["target"]
    try:
        target, component = _target(text, k)
    except ValueError as error:
        raise ValueError(f"{name}, line {line}: {error}") from None
    if target == "split point" and step != "E":
        raise ValueError(f"{name}, line {line}: target 'split point' needs step: E (the "
                         "E-step is what sets r_nk)")
    seed = None
    if "seed" in values:
        text, line = values["seed"]
        if step != "restart":
            raise ValueError(f"{name}, line {line}: seed is only for step: restart")
        if not re.fullmatch(r"\d+", text) or int(text) > 2**31 - 1:
            raise ValueError(f"{name}, line {line}: seed must be a whole number from 0 to "
                             f"{2**31 - 1}; got {text!r}")
        seed = int(text)
    elif step == "restart":
        raise ValueError(f"{name}, line {values['step'][1]}: step: restart needs 'seed:' (the "
                         "new start's seed)")
    return Prediction(values["ask"][0], step, target, component, seed,
                      values.get("then", ("", 0))[0])


def split_body(body: str, name: str, first_line: int, k: int) -> tuple[str, Prediction | None]:
    """The chapter's text without its predict block, and the block's Prediction (None without
    one). ``first_line``: the file's line number of the body's first line."""
    lines = body.split("\n")
    out: list[str] = []
    prediction = None
    i = 0
    while i < len(lines):
        if lines[i].strip() != FENCE_OPEN:
            if lines[i].strip().startswith("```predict"):
                raise ValueError(f"{name}, line {first_line + i}: a predict block opens with "
                                 f"a line '{FENCE_OPEN}' alone")
            out.append(lines[i])
            i += 1
            continue
        start = i
        try:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == FENCE_CLOSE)
        except StopIteration:
            raise ValueError(f"{name}, line {first_line + start}: the predict block is not "
                             f"closed: add a line '{FENCE_CLOSE}' after its last key") from None
        if prediction is not None:
            raise ValueError(f"{name}, line {first_line + start}: a chapter has at most one "
                             "predict block")
        prediction = parse_block(lines[start + 1: end], name, first_line + start + 1, k)
        i = end + 1
    return "\n".join(out).strip(), prediction


def _sub(number: int) -> str:
    """``number`` in subscript digits, as the lecture writes μ₁."""
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def reveal(prediction: Prediction, X: np.ndarray, mixture: Mixture, resp: np.ndarray | None,
           guess: tuple[float, float]) -> Reveal:
    """The answer to ``guess`` (x, y) after the step: ``mixture`` is θ after it, ``resp`` (N, K)
    its r_nk (for "split point"). O(N K) for "split point": run it off the GUI thread."""
    g = np.asarray(guess, dtype=float)
    if prediction.target == "split point":
        if resp is None:
            raise ValueError("a split point needs the responsibilities after the E-step")
        n = int(np.argmin(resp.max(axis=1)))  # the most even split: the smallest largest share
        answer = np.asarray(X[n], dtype=float)
        nearest = int(np.argmin(((X - g) ** 2).sum(axis=1)))
        distance = float(np.hypot(*(answer - g)))
        shares = " / ".join(f"{r:.2f}" for r in resp[n])
        yours = " / ".join(f"{r:.2f}" for r in resp[nearest])
        text = (f"The most evenly split point is n = {n + 1}, with r_nk = {shares}; your click "
                f"was {distance:.2f} from it (data units). The point nearest your click has "
                f"r_nk = {yours}.")
        headline = f"the most even split is point n = {n + 1}, {distance:.2f} from your click."
        return Reveal((float(answer[0]), float(answer[1])), distance, text, None, headline)
    means = mixture.means
    if prediction.target == "mean":
        k = prediction.component
        if k is None or k >= len(means):
            raise ValueError(f"there is no mean μ{_sub((k or 0) + 1)}: the run has K = {len(means)}")
    else:
        k = int(np.argmin(((means - g) ** 2).sum(axis=1)))
    answer = np.asarray(means[k], dtype=float)
    distance = float(np.hypot(*(answer - g)))
    where = "after the step" if prediction.step in ("E", "M") else "where EM converged"
    text = (f"Your guess ({g[0]:.2f}, {g[1]:.2f}); μ{_sub(k + 1)} {where}: ({answer[0]:.2f}, "
            f"{answer[1]:.2f}). Distance: {distance:.2f} (data units).")
    headline = f"μ{_sub(k + 1)} is {distance:.2f} from your guess."
    return Reveal((float(answer[0]), float(answer[1])), distance, text, k, headline)
