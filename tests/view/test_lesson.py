"""The guided lesson's chapters (emviz.session.lesson), without Qt: the parser, its messages for a
teacher's mistakes, the shipped chapters, and the facts their texts state about the runs
their "Try it" sets up."""

from __future__ import annotations

import re
import subprocess
import sys
from itertools import islice

import numpy as np
import pytest

from emviz.core import BUILTIN_DATASETS, load_builtin
from emviz.session.lesson import TOGGLES, Chapter, load_chapters, parse_chapter
from emviz.session.model import Settings
from emviz.session.runs import fresh_run

GOOD = """---
title: The E-step: ownership
dataset: faithful
k: 2
seed: 3
init: kmeans
covariance: diag
reg_covar: 1e-4
steps: 4
tab: ln p, L
show: Oracle labels,  gallery
point: 7
next: press **E**
---

Some *text*.

More text.
"""

SLUGS = ("01-mixtures", "02-oracle", "03-kmeans", "04-log-of-a-sum", "05-latent-variables",
         "06-e-and-m-steps", "07-soft-labels", "08-watching-em", "09-lower-bound",
         "10-local-optima", "11-collapse", "12-wrong-model")


@pytest.fixture(scope="module")
def chapters() -> dict[str, Chapter]:
    return {c.slug: c for c in load_chapters()}


def run(chapter: Chapter, **changes) -> list:
    """The half-steps "Try it" records: θ₀, then ``steps`` iterations (fewer if EM converges),
    with the data the dataset chooser loads for the chapter's seed."""
    settings = Settings(**{**chapter.settings.__dict__, **changes})
    X = load_builtin(chapter.dataset, seed=chapter.seed).X
    return list(islice(fresh_run(X, settings), 1 + 2 * chapter.steps))


# -- the parser ---------------------------------------------------------------------------------
def test_a_chapter_file_gives_its_state_and_text():
    c = parse_chapter(GOOD, "lesson/06-e-step.md")
    assert (c.slug, c.title, c.dataset, c.k, c.seed) == ("06-e-step", "The E-step: ownership",
                                                        "faithful", 2, 3)
    assert (c.init, c.covariance, c.reg_covar, c.steps) == ("kmeans", "diag", 1e-4, 4)
    assert (c.tab, c.show, c.point, c.next_step) == ("ln p, L", ("oracle labels", "gallery"), 7,
                                                     "press **E**")
    assert c.body == "Some *text*.\n\nMore text."
    assert c.settings == Settings(k=2, init_method="kmeans", covariance_type="diag",
                                  reg_covar=1e-4, seed=3)


def test_defaults_are_the_windows():
    c = parse_chapter("---\ntitle: T\ndataset: ring\nk: 3\n---\nText.\n", "lesson/01-t.md")
    assert c.settings == Settings(k=3)
    assert (c.steps, c.tab, c.show, c.point, c.next_step) == (0, "ln p, L", (), None, "")


@pytest.mark.parametrize("text, line, words", [
    ("title: T\n", 1, "starts with a line '---'"),
    ("---\ntitle: T\ndataset: faithful\nk: 2\ncolour: red\n---\nx", 5, "unknown key 'colour'"),
    ("---\ntitle: T\ndataset: faithful\nk: two\n---\nx", 4, "k must be a whole number from 1 to 20"),
    ("---\ntitle: T\ndataset: faithful\nk: 21\n---\nx", 4, "got '21'"),
    ("---\ntitle: T\ndataset: old-faithful\nk: 2\n---\nx", 3, "dataset must be one of faithful"),
    ("---\ntitle: T\ndataset: ring\nk: 2\nreg_covar: -1\n---\nx", 5, "reg_covar must be a number >= 0"),
    ("---\ntitle: T\ndataset: ring\nk: 2\nreg_covar: nan\n---\nx", 5, "reg_covar must be"),
    ("---\ntitle: T\ndataset: ring\nk: 2\nshow: oracle, gallery\n---\nx", 5, "unknown 'oracle'"),
    ("---\ntitle: T\ndataset: ring\nk: 2\ntab: Plot\n---\nx", 5, "tab must be one of ln p, L"),
    ("---\ntitle: T\ndataset: ring\nk: 2\npoint: 0\n---\nx", 5, "point must be a whole number >= 1"),
    ("---\ntitle: T\ndataset: ring\nk: 2\nk: 3\n---\nx", 5, "'k' is given twice"),
    ("---\ntitle: T\ndataset: ring\nk 2\n---\nx", 4, "expected 'key: value' (or '---' to end"),
    ("---\ntitle:\ndataset: ring\nk: 2\n---\nx", 2, "title must not be empty"),
])
def test_a_bad_line_is_named_with_the_file_and_the_line(text, line, words):
    with pytest.raises(ValueError) as error:
        parse_chapter(text, "lesson/03-kmeans.md")
    message = str(error.value)
    assert message.startswith(f"lesson/03-kmeans.md, line {line}: "), message
    assert words in message


@pytest.mark.parametrize("text, words", [
    ("---\ntitle: T\ndataset: ring\nk: 2\n", "not closed"),
    ("---\ntitle: T\nk: 2\n---\nx", "needs dataset"),
    ("---\ntitle: T\ndataset: ring\nk: 2\n---\n\n  \n", "no text"),
])
def test_a_bad_file_is_named(text, words):
    with pytest.raises(ValueError, match=rf"^lesson/03-kmeans\.md: .*{words}"):
        parse_chapter(text, "lesson/03-kmeans.md")


def test_a_folder_gives_its_chapters_in_file_name_order_and_skips_other_files(tmp_path):
    for name, title in (("02-b.md", "Second"), ("01-a.md", "First"), ("README.md", "no"),
                        ("notes.txt", "no")):
        (tmp_path / name).write_text(f"---\ntitle: {title}\ndataset: ring\nk: 2\n---\nText\n",
                                     encoding="utf-8")
    assert [(c.slug, c.title) for c in load_chapters(tmp_path)] == [("01-a", "First"),
                                                                    ("02-b", "Second")]


def test_a_malformed_chapter_in_a_folder_names_that_file(tmp_path):
    (tmp_path / "01-a.md").write_text("---\ntitle: A\ndataset: ring\nk: 2\n---\nText\n",
                                      encoding="utf-8")
    (tmp_path / "02-b.md").write_text("---\ntitle: B\ndataset: ring\nk: 2\nsteps: many\n---\nT\n",
                                      encoding="utf-8")
    with pytest.raises(ValueError, match=r"^lesson/02-b\.md, line 5: steps must be a whole"):
        load_chapters(tmp_path)
    (tmp_path / "02-b.md").write_bytes(b"---\ntitle: \xff\n")
    with pytest.raises(ValueError, match=r"^lesson/02-b\.md: cannot be read"):
        load_chapters(tmp_path)
    for file in tmp_path.iterdir():
        file.unlink()
    with pytest.raises(ValueError, match="no lesson chapters"):
        load_chapters(tmp_path)


def test_the_lesson_module_does_not_import_qt():
    code = ("import sys, emviz.session.lesson; emviz.session.lesson.load_chapters(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6', 'pyqtgraph')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# -- the shipped chapters -------------------------------------------------------------------------
def test_the_lesson_follows_the_lecture_in_twelve_chapters(chapters):
    assert tuple(chapters) == SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_each_chapter_is_short_plain_and_says_what_to_click_next(chapters, slug):
    c = chapters[slug]
    words = len(c.body.split()) + len(c.next_step.split())
    assert 60 <= words <= 150, words
    assert c.next_step and c.dataset in BUILTIN_DATASETS and set(c.show) <= set(TOGGLES)
    assert "_" not in re.sub(r"[\w()]+_\w+", "", c.body), "a lone underscore Markdown may eat"


def test_the_collapse_chapter_shows_a_collapse(chapters):
    """Component 2 ends on one point: N_k = 1, Σ_k = reg_covar·I (1e-8), and ln p jumps by
    about 18 near the end, as the chapter says; with reg_covar 0.1 (what it asks to try next)
    Σ_k keeps a visible size."""
    c = chapters["11-collapse"]
    assert c.reg_covar == 1e-8
    history = run(c)
    last = history[-1]
    assert last.converged and last.phase == "M"
    dets = np.linalg.det(last.mixture.covariances)
    assert int(np.argmin(dets)) == 1 and dets[1] < 1e-15  # (1e-8)² for Σ_k = 1e-8·I
    assert last.mixture.weights[1] * 400 == pytest.approx(1.0, abs=0.01)  # N_k = 1.0
    ln_p = [s.log_likelihood for s in history if s.phase == "M"]
    assert 15 < ln_p[-1] - ln_p[-8] < 21  # the jump "by about 18" near the end
    assert ln_p[-8] - ln_p[-16] < 2  # ... after a long flat stretch
    floored = run(c, reg_covar=0.1)[-1]
    assert np.linalg.det(floored.mixture.covariances).min() >= 0.1**2


def test_the_local_optima_chapter_states_its_numbers(chapters):
    c = chapters["10-local-optima"]
    ln_p = {seed: run(c, seed=seed)[-1] for seed in (5, 6, 7)}
    assert ln_p[5].converged and ln_p[5].log_likelihood == pytest.approx(-1532.8, abs=0.05)
    assert ln_p[6].converged and ln_p[6].log_likelihood > ln_p[5].log_likelihood + 200
    assert ln_p[7].log_likelihood < ln_p[6].log_likelihood - 100  # another local maximum
    means = ln_p[6].mixture.means  # seed 6: one ellipse per blob (the blobs' centres)
    blobs = np.array([[-3.0, -2.0], [3.0, -2.0], [0.0, 3.0]])
    assert np.abs(np.sort(means, axis=0) - np.sort(blobs, axis=0)).max() < 0.3


def test_the_watching_chapter_converges_after_19_iterations(chapters):
    history = run(chapters["08-watching-em"])
    assert history[-1].converged and history[-1].iteration == 19


def test_the_soft_labels_chapter_inspects_a_shared_point(chapters):
    c = chapters["07-soft-labels"]
    resp = run(c)[-1].resp
    assert np.abs(resp[c.point - 1] - 0.5).max() < 0.05  # "almost half and half"


def test_the_wrong_model_chapter_converges_and_more_components_fit_better(chapters):
    c = chapters["12-wrong-model"]
    ln_p = {k: run(c, k=k)[-1] for k in (2, 6, 10)}
    assert ln_p[2].converged
    assert ln_p[2].log_likelihood < ln_p[6].log_likelihood < ln_p[10].log_likelihood


def test_the_local_optima_chapter_describes_its_picture(chapters):
    """Seed 5 ends with three long ellipses, each bridging two blobs (a triangle), not "one
    ellipse across two blobs and two sharing the third": what each component's points are."""
    c = chapters["10-local-optima"]
    mixture = run(c)[-1].mixture
    blobs = load_builtin(c.dataset, seed=c.seed).true_mixture.means
    bridged = []
    for mu, cov in zip(mixture.means, mixture.covariances, strict=True):
        d = blobs - mu
        d2 = np.einsum("bi,ij,bj->b", d, np.linalg.inv(cov), d)  # blob centres' Mahalanobis²
        bridged.append(frozenset(np.flatnonzero(d2 < 2.0**2).tolist()))
        assert len(bridged[-1]) == 2, d2  # two blob centres inside its d = 2 ellipse
    assert len(set(bridged)) == 3  # three different pairs: a triangle of bridges
    text = " ".join(c.body.split())
    assert "two sharing the third" not in text
    assert "each bridging two" in text
