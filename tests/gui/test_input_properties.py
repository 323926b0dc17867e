"""Issue 17 in the window and on the command line, generated: mutated session files opened in
a real window (restored exactly, or refused with one line and nothing changed; either way
Reset + Step still run EM), and random argument lists given to ``emviz`` in this process
(exit 2 with one line, or a run that ends cleanly). Seeded and small in ``make test``;
``make soak`` runs more."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QMessageBox

from emviz.core import BUILTIN_DATASETS, COVARIANCE_TYPES, INIT_METHODS
from emviz.dataio import DataError, load_session
from emviz.session import schema

from ..io.test_input_properties import SESSION, mutations
from .conftest import loaded, run_emviz_command, wait_for_history

CASES = {"window-session": 0, "window-session-restored": 0, "cli": 0, "cli-refused": 0}
_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
FAST = settings(max_examples=8, derandomize=True, deadline=None, database=None,
                suppress_health_check=_HEALTH)
SOAK = settings(max_examples=300, derandomize=False, deadline=None, database=None,
                suppress_health_check=_HEALTH)


def reset_and_step_run_em(qtbot, window) -> None:
    m = window.model
    if len(m.points) < m.settings.k:
        return
    window.controller.reset()
    wait_for_history(qtbot, window, 1)
    window.controller.step()
    wait_for_history(qtbot, window, 3)
    assert [s.phase for s in window.history[:3]] == ["init", "E", "M"]


def check_window_session(window, qtbot, tmp_path, monkeypatch, document) -> None:
    CASES["window-session"] += 1
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    path = tmp_path / "case.emviz"
    path.write_text(json.dumps(document), encoding="utf-8")
    before = (window.model.settings, window.model.points)
    try:
        expected = load_session(path)
    except DataError:
        expected = None
    opened = loaded(qtbot, window, lambda: window.files.open_session(str(path)))
    assert opened == (expected is not None)
    if expected is None:
        assert len(shown) == 1 and "\n" not in shown[0] and shown[0].startswith(f"{path}: ")
        assert (window.model.settings, window.model.points) == before
    else:
        CASES["window-session-restored"] += 1
        assert shown == []
        qtbot.waitUntil(lambda: not window.controller.busy, timeout=20_000)
        window.redraw_now()  # the controls show the model at the next frame
        m = window.model
        assert m.settings == expected.settings
        assert np.array_equal(m.points, expected.points)
        assert window.controls.seed.value() == m.settings.seed
        assert window.controls.max_iter.value() == m.settings.max_iter
        if expected.n_half_steps and len(expected.points) >= expected.initial_mixture.n_components:
            assert len(m.history) >= 1
    reset_and_step_run_em(qtbot, window)


def _with_settings(**changes) -> dict:
    document = json.loads(json.dumps(SESSION))
    document["settings"].update(changes)
    document["seed"] = document["settings"]["seed"]
    return document


@FAST
@given(document=mutations(SESSION))
@example(document=SESSION)
@example(document=_with_settings(seed=-3))  # the items 1 to 3
@example(document=_with_settings(tol=-1))
@example(document=_with_settings(seed=2147483653))
@example(document=_with_settings(seed=2147483647, k=3, max_iter=10_000, tol=0))
@example(document=_with_settings(k=1))  # fewer than θ₀'s 3 components: refused
def test_mutated_sessions_in_the_window(window, qtbot, tmp_path, monkeypatch, document):
    check_window_session(window, qtbot, tmp_path, monkeypatch, document)


@pytest.mark.soak
@SOAK
@given(document=mutations(SESSION))
def test_soak_mutated_sessions_in_the_window(window, qtbot, tmp_path, monkeypatch, document):
    check_window_session(window, qtbot, tmp_path, monkeypatch, document)


OPTIONS = {
    "--k": ["1", "2", "3", "0", "21", "-1", "x", "", "99999999999999999999"],
    "--seed": ["0", "7", "2147483647", "-1", "2147483648", "1e3", "99999999999999999999999",
               "0x10", "²"],
    "--steps": ["0", "2", "-3", "10001", "abc"],
    "--init": [*INIT_METHODS, "magic"],
    "--covariance": [*COVARIANCE_TYPES, "round"],
    "--dataset": [*BUILTIN_DATASETS, "nope"],
    "--grid": ["0,1", "2", "0,x", "", "-1"],
    "--view": ["points", "bound", "window", "sideways"],
    "--scale": ["1", "2", "3", "x"],
    "--size": ["800x600", "big", "100x100"],
    "--screenshot": ["", "{tmp}/x.png", "{tmp}/x.svg", "/proc/x.png", "{tmp}/missing/x.png"],
    "--data": ["{tmp}/good.csv", "{tmp}/bad.csv", "{tmp}/missing.csv", "{tmp}"],
    "--svg": None,
    "--frobnicate": None,
}


@st.composite
def argument_lists(draw):
    args: list[str] = []
    for option in draw(st.lists(st.sampled_from(sorted(OPTIONS)), max_size=4)):
        args.append(option)
        if OPTIONS[option] is not None:
            args.append(draw(st.sampled_from(OPTIONS[option])))
    return args


def check_cli_case(qtbot, tmp_path, monkeypatch, capsys, args: list[str]) -> None:
    CASES["cli"] += 1
    (tmp_path / "good.csv").write_text("x,y\n" + "\n".join(f"{i % 7},{(i * 3) % 11}" for i in range(40)))
    (tmp_path / "bad.csv").write_text("x,y\n1,2\n3,oops\n")
    args = [a.format(tmp=tmp_path) for a in args]
    capsys.readouterr()

    def while_open(window) -> None:
        reset_and_step_run_em(qtbot, window)
        window.close()

    try:
        code = run_emviz_command(monkeypatch, args, while_open)
    except SystemExit as exit_:
        code = exit_.code
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code in (0, 1, 2), (args, code)
    if code == 0:
        assert err == [], (args, err)
    else:
        CASES["cli-refused"] += 1
        assert len(err) == 1 and err[0].startswith("emviz: error: ") and len(err[0]) > 20, (args, err)
        assert "Traceback" not in err[0]


@FAST
@given(args=argument_lists())
@example(args=[])
def test_random_argument_lists(qtbot, tmp_path, monkeypatch, capsys, args):
    check_cli_case(qtbot, tmp_path, monkeypatch, capsys, args)


@pytest.mark.soak
@SOAK
@given(args=argument_lists())
def test_soak_random_argument_lists(qtbot, tmp_path, monkeypatch, capsys, args):
    check_cli_case(qtbot, tmp_path, monkeypatch, capsys, args)


def test_the_schema_and_the_controls_agree(window):
    assert (window.controls.seed.minimum(), window.controls.seed.maximum()) == (0, schema.SEED_MAX)
    assert window.controls.max_iter.maximum() == schema.ITER_MAX
    assert window.controls.speed.maximum() == schema.PREFERENCES["speed"].high


def teardown_module(module) -> None:
    print(f"\ngenerated window and command-line cases: {CASES}")
