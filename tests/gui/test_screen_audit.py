"""The screen audit (emviz.gui.audit) over sizes x themes x presenting x states: each screen a
test of its own. Each size runs in a fresh process whose offscreen screen has that size (so
presentation mode's full screen is that size), once per test process; the screens are set up
by tests/gui/screens.py, the same code ``make shots`` draws with.

Screens the audit still finds faults on are listed in tests/gui/screen_audit_known.json
(screen id: what it finds, kind and widget) as strict xfails: fixing one turns its xfail into
a failure, to be taken off the list (``make shots`` writes the audit's full findings)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .screens import APPEARANCES, STATES, screen_env, screen_id

ROOT = Path(__file__).resolve().parents[2]
KNOWN: dict[str, str] = json.loads((Path(__file__).with_name("screen_audit_known.json")).read_text("utf-8"))

def start(size: tuple[int, int], tmp: Path) -> subprocess.Popen:
    """The process that audits every state of this size."""
    env = screen_env(size, tmp)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.gui.screens", f"{size[0]}x{size[1]}",
         "--states", ";".join(STATES[size])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


@functools.cache
def audited(tmp: str) -> dict[str, list[str]]:
    """{screen id: findings} for every screen: the sizes' processes run side by side."""
    processes = [start(size, Path(tmp)) for size in STATES]
    findings = {}
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err[-3000:]
        findings.update({line["id"]: line["findings"] for line in map(json.loads, out.splitlines())})
    return findings


def _cases():
    for size, states in STATES.items():
        for state in states:
            for theme, presenting in APPEARANCES:
                sid = screen_id(size, theme, presenting, state)
                marks = [pytest.mark.xfail(strict=True, reason=KNOWN[sid])] if sid in KNOWN else []
                yield pytest.param(size, sid, id=sid, marks=marks)


@pytest.mark.parametrize(("size", "sid"), list(_cases()))
def test_screen_has_nothing_cut_off_hidden_small_or_faint(size, sid, tmp_path_factory):
    del size  # in the test's id
    findings = audited(str(tmp_path_factory.getbasetemp()))
    assert sid in findings, f"{sid} was not audited"
    assert findings[sid] == [], "\n".join(findings[sid])
