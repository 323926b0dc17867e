"""bench_gaps.py's command line: ``--help`` prints the usage and runs nothing; the options
are read as ``make bench`` and the README give them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).parents[1] / "benchmarks" / "bench_gaps.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_gaps_options", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines the benchmark; runs nothing
    return module


def test_help_prints_the_usage_and_exits_before_anything_runs(bench, capsys, monkeypatch):
    ran = []
    monkeypatch.setattr(bench, "startup_table", lambda *a: ran.append("startup"))
    monkeypatch.setattr(bench, "gaps_table", lambda *a: ran.append("gaps"))
    monkeypatch.setattr(bench, "first_step_table", lambda *a: ran.append("step"))
    monkeypatch.setattr("sys.argv", ["bench_gaps.py", "--help"])
    with pytest.raises(SystemExit) as exit_:
        bench.main()
    assert exit_.value.code == 0 and ran == []
    usage = capsys.readouterr().out
    for option in ("--quick", "--only", "--rows", "--runs"):
        assert option in usage


def test_the_options_are_read_as_given(bench):
    args = bench.parse_args(["--only", "gaps", "--rows", "floor,csv", "--runs", "5"])
    assert (args.only, args.rows, args.runs, args.quick) == ("gaps", {"floor", "csv"}, 5, False)
    default = bench.parse_args([])
    assert default.only is None and default.rows == set(bench.GAP_ROWS) and default.runs is None
    assert bench.parse_args(["--quick"]).quick
    assert "leaving" not in default.rows  # only by name
    assert bench.parse_args(["--rows", "presentation,leaving"]).rows == {"presentation", "leaving"}


@pytest.mark.parametrize("argv", [["--rows", "floor,nonsense"], ["--runs", "0"], ["--runs", "x"],
                                  ["--only", "everything"], ["--fast"]])
def test_a_wrong_option_is_refused_with_the_usage(bench, argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        bench.parse_args(argv)
    assert exit_.value.code == 2 and "usage:" in capsys.readouterr().err


def test_a_measured_window_is_freed_once_its_run_ends(bench, qapp, tmp_path):
    """Each run's window was closed but never deleted (its connections hold it), so every
    later run in a row restyled, re-fonted and laid out all the earlier windows as well, and
    read longer. A run leaves no window of its own behind."""
    import shiboken6
    from PySide6.QtWidgets import QApplication

    from emviz.gui import MainWindow

    X = bench.blobs(2_000)
    path = tmp_path / "points.csv"
    np.savetxt(path, X, delimiter=",", fmt="%.6f", header="x,y", comments="")

    def live_windows() -> set[int]:
        return {id(w) for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and shiboken6.isValid(w)}

    before = live_windows()  # (an earlier test's, deleted later, may go meanwhile)
    bench.gap_csv(X, bench.GapClock(), path)
    assert live_windows() - before == set()
