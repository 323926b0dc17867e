"""The guided lesson: chapters that follow the lecture, read from resources/lesson/*.md.

Qt-free, so a teacher's edit can be checked without a display. A chapter file is a small
front-matter block of ``key: value`` lines between two ``---`` lines, then the Markdown text
the Lesson panel shows::

    ---
    title: The E-step and the M-step
    dataset: faithful
    k: 2
    steps: 0
    tab: Eqns
    next: press **E**, then **M**, and read the highlighted formula
    ---
    EM repeats two half-steps. ...

The front matter is the state the chapter's "Try it" sets up (see ``KEYS``); files are named
``NN-slug.md`` and shown in the order of NN. Any other file in the folder (a README) is not a
chapter.

The text may hold one ``predict`` block (predict, then reveal): a question the student answers
with a click in the points view before a step runs; its syntax is in
``emviz.session.predict``::

    ```predict
    ask: Where will μ₁ be after the M-step? Click your guess.
    step: M
    target: mean 1
    ```
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .._resources import resource
from ..core import BUILTIN_DATASETS, COVARIANCE_TYPES, INIT_METHODS
from .model import K_MAX, Settings
from .predict import Prediction, split_body

#: A chapter file's name: two digits, a dash, a slug, ".md".
CHAPTER_NAME = re.compile(r"^\d{2}-[a-z0-9][a-z0-9-]*\.md$")

#: The explanation tabs a chapter may bring to the front, by the title the window shows
#: (short) or its full title (the tab's tooltip).
TABS: tuple[str, ...] = ("ln p, L", "Oracle", "Why", "Why EM", "Hills", "L+KL", "L + KL",
                         "Eqns", "Equations", "Point", "z, r")

#: What a chapter can switch on (``show:``); everything not listed is switched off.
TOGGLES: tuple[str, ...] = (
    "true mixture",  # the dashed ellipses of the generating mixture (control panel)
    "oracle labels",  # colour the points by their true component z_n
    "oracle fit",  # the complete-data fit, black dashed ellipses
    "k-means",  # k-means mode: a second view beside the points
    "hard colours",  # each point in the colour of its largest r_nk (soft colours off)
    "gallery",  # the iteration gallery window
    "sample",  # the Sample window, replaying the generating procedure
    "z beside r",  # the z, r tab: the oracle's z_nk beside EM's r_nk
    "density",  # p(x | θ) shaded under the points, with its contour lines
)

_DEFAULTS = Settings()


@dataclass(frozen=True)
class Chapter:
    """One chapter: its text and the state its "Try it" sets up."""

    slug: str  # the file name without ".md", e.g. "06-e-and-m-steps" (remembered across runs)
    title: str
    body: str  # Markdown
    dataset: str  # a key of emviz.core.BUILTIN_DATASETS, loaded with ``seed``
    k: int
    seed: int = _DEFAULTS.seed
    init: str = _DEFAULTS.init_method
    covariance: str = _DEFAULTS.covariance_type
    reg_covar: float = _DEFAULTS.reg_covar
    steps: int = 0  # full EM iterations (E then M) after θ₀, fewer if EM converges first
    tab: str = "ln p, L"
    show: tuple[str, ...] = ()  # members of TOGGLES
    point: int | None = None  # the point n the Point tab inspects (1 to N, as it shows n)
    next_step: str = ""  # what to click next, one line of Markdown
    predict: Prediction | None = None  # the chapter's "predict, then reveal" moment, if any

    @property
    def settings(self) -> Settings:
        """The model settings of the chapter (tolerance and max_iter at their defaults, so that
        "Try it" gives the same run whatever the user chose before)."""
        return Settings(k=self.k, init_method=self.init, covariance_type=self.covariance,
                        reg_covar=self.reg_covar, seed=self.seed)

    def summary(self) -> str:
        """What "Try it" sets up, in one line."""
        parts = [BUILTIN_DATASETS[self.dataset][0], f"K = {self.k}", f"seed {self.seed}"]
        if self.init != _DEFAULTS.init_method:
            parts.append(f"start: {self.init}")
        if self.covariance != _DEFAULTS.covariance_type:
            parts.append(f"{self.covariance} covariances")
        if self.reg_covar != _DEFAULTS.reg_covar:
            parts.append(f"reg_covar {self.reg_covar:g}")
        parts.append("θ₀, no iterations yet" if self.steps == 0 else
                     f"up to {self.steps} iteration{'s' if self.steps != 1 else ''}")
        parts.append(f"tab {self.tab}")
        parts.extend(self.show)
        if self.point is not None:
            parts.append(f"point n = {self.point} inspected")
        return " · ".join(parts)


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text) if re.fullmatch(r"\d+", text) else -1
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f">= {low}"
            raise ValueError(f"must be a whole number {bound}, got {text!r}")
        return value
    return parse


def _choice(choices: Iterable[str]) -> Callable[[str], str]:
    choices = tuple(choices)

    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}; got {text!r}")
        return text
    return parse


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also NaN
        raise ValueError(f"must be a number >= 0, e.g. 1e-6; got {text!r}")
    return value


def _toggles(text: str) -> tuple[str, ...]:
    names = tuple(name.strip().lower() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in TOGGLES]
    if unknown:
        raise ValueError(f"unknown {', '.join(map(repr, unknown))}; "
                         f"choose from {', '.join(TOGGLES)}")
    return names


def _text(text: str) -> str:
    if not text:
        raise ValueError("must not be empty")
    return text


#: key -> how its value is read; title, dataset and k are required.
KEYS: dict[str, Callable[[str], object]] = {
    "title": _text,
    "dataset": _choice(BUILTIN_DATASETS),
    "k": _whole(1, K_MAX),
    "seed": _whole(0, 2**31 - 1),
    "init": _choice(INIT_METHODS),
    "covariance": _choice(COVARIANCE_TYPES),
    "reg_covar": _non_negative,
    "steps": _whole(0, 1000),
    "tab": _choice(TABS),
    "show": _toggles,
    "point": _whole(1),
    "next": _text,
}
REQUIRED = ("title", "dataset", "k")


def parse_chapter(text: str, name: str) -> Chapter:
    """A chapter from the text of its file; ``name`` (e.g. "lesson/03-kmeans.md") names the file
    in errors. ValueError names the file, the line and what is wrong."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError(f"{name}, line 1: a chapter starts with a line '---', then its "
                         "key: value lines, then another '---'")
    values: dict[str, object] = {}
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if stripped == "---":
            body_start = number + 1  # the file's line number of the body's first line
            body = "\n".join(lines[number:])
            break
        if not stripped or stripped.startswith("#"):
            continue
        key, colon, value = stripped.partition(":")
        key, value = key.strip().lower(), value.strip()
        if not colon:
            raise ValueError(f"{name}, line {number}: expected 'key: value' (or '---' to end the "
                             f"front matter), got {stripped!r}")
        if key not in KEYS:
            raise ValueError(f"{name}, line {number}: unknown key {key!r}; "
                             f"the keys are {', '.join(KEYS)}")
        if key in values:
            raise ValueError(f"{name}, line {number}: {key!r} is given twice")
        try:
            values[key] = KEYS[key](value)
        except ValueError as error:
            raise ValueError(f"{name}, line {number}: {key} {error}") from None
    else:
        raise ValueError(f"{name}: the front matter is not closed: add a line '---' after "
                         "the last key: value line")
    missing = [key for key in REQUIRED if key not in values]
    if missing:
        raise ValueError(f"{name}: the front matter needs {', '.join(missing)}")
    body, values["predict"] = split_body(body, name, body_start, int(values["k"]))
    if not body:
        raise ValueError(f"{name}: the chapter has no text after the front matter")
    if "next" in values:
        values["next_step"] = values.pop("next")
    return Chapter(slug=name.rsplit("/", 1)[-1].removesuffix(".md"), body=body,
                   **values)  # type: ignore[arg-type]


def load_chapters(folder: Path | None = None) -> tuple[Chapter, ...]:
    """Every chapter of ``folder`` (default: resources/lesson), in the order of their file
    names. ValueError names the first file that cannot be read."""
    root = resource("lesson") if folder is None else folder
    files = sorted((f for f in root.iterdir() if CHAPTER_NAME.match(f.name)), key=lambda f: f.name)
    if not files:
        raise ValueError(f"no lesson chapters (files like 01-mixtures.md) in {root}")
    chapters = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"lesson/{file.name}: cannot be read ({error})") from None
        chapters.append(parse_chapter(text, f"lesson/{file.name}"))
    return tuple(chapters)
