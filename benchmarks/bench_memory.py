"""Memory of the window and its EM child process at 10⁶ points after 20 Steps.

A real window (offscreen) loads 1,000,000 points from K = 5 blobs, runs "init" then 20
Steps (E + M each, kmeans++, tol = 0) in the child process, waits until idle, and reads
/proc/<pid>/smaps of the window's process and of the child (Linux only):

- window, child: each process's own resident pages plus the shared-memory blocks it maps
  or holds open (a block kept for reuse is memory even while nobody maps it);
- total: both processes' own pages plus each shared-memory block once (a block the window
  and the child both map is one piece of memory, so it is not counted twice);
- of which shared: the shared-memory blocks, counted once.

It waits for the child's idle clean-up (a second past emviz.engine.transport.IDLE_SECONDS)
before measuring. It also runs on the engine before emviz.engine (memfd blocks).

Three runs, each in a fresh process (so one run's freed memory does not hide the next's).

Usage: python benchmarks/bench_memory.py [--runs R] [--steps S] [--n N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

MiB = 2**20
GOAL_MIB = 550.0
K = 5


def _is_shm(path: str) -> bool:
    return path.startswith(("/dev/shm/", "/memfd:", "/SYSV"))


def smaps(pid: int) -> tuple[int, dict[str, int]]:
    """(bytes resident outside shared-memory mappings, {block: bytes}) of ``pid``.

    A block is keyed by its inode, so the same block seen in two processes (or mapped twice
    in one) is one key; its bytes are the most any mapping of it has resident, or the memory
    it holds (st_blocks) if this process has it open, mapped or not: a block kept for reuse
    is memory too."""
    own, shared = 0, {}
    key = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if not fields[0].endswith(":"):  # a mapping's header: address perms offset dev inode [path]
                key = fields[4] if _is_shm(" ".join(fields[5:])) else None
            elif fields[0] == "Rss:":
                size = int(fields[1]) * 1024
                if key is None:
                    own += size
                else:
                    shared[key] = max(shared.get(key, 0), size)
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if not _is_shm(os.readlink(f"/proc/{pid}/fd/{fd}")):
                continue
            st = os.stat(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        key = str(st.st_ino)
        shared[key] = max(shared.get(key, 0), st.st_blocks * 512)
    return own, shared


def measure(pids: list[int]) -> dict[str, float]:
    """Per-process resident memory (its own pages and the blocks it maps or holds) and the
    total with every shared block counted once (MiB)."""
    result, own_total, blocks = {}, 0, {}
    for name, pid in zip(("window", "child"), pids, strict=False):
        own, shared = smaps(pid)
        result[name] = (own + sum(shared.values())) / MiB
        own_total += own
        for key, size in shared.items():
            blocks[key] = max(blocks.get(key, 0), size)
    result["shared"] = sum(blocks.values()) / MiB
    result["total"] = own_total / MiB + result["shared"]
    return result


def one_run(n: int, steps: int) -> None:
    """In this process: the window, the steps, then one line of figures on stdout."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import gc
    import time
    from importlib import import_module

    import numpy as np
    from PySide6.QtWidgets import QApplication

    from emviz.gui import MainWindow
    from emviz.session.model import Settings

    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(1)
    centres = rng.normal(scale=4, size=(K, 2))
    X = centres[rng.integers(K, size=n)] + rng.normal(size=(n, 2))
    window = MainWindow(settings=Settings(k=K, init_method="kmeans++", tol=0.0, max_iter=10_000))
    window.resize(1280, 800)
    window.show()
    window.set_points(X)
    del X
    assert window.controller.wait_idle(120_000)
    for _ in range(steps):
        window.controller.step()
        assert window.controller.wait_idle(120_000)
    # Let the last frames draw and the child give back the slots it keeps for reuse while
    # it is being asked for states (after transport.IDLE_SECONDS without a message).
    import emviz

    has_engine = os.path.isdir(os.path.join(os.path.dirname(emviz.__file__), "engine"))
    idle_seconds = import_module("emviz.engine.transport").IDLE_SECONDS if has_engine else 0.0
    gc.collect()
    settle = time.monotonic() + idle_seconds + 1.0
    while time.monotonic() < settle:
        app.processEvents()
        time.sleep(0.01)
    engine = window.controller._engine
    process = getattr(engine, "_process", None)
    pids = [os.getpid()] + ([process.pid] if engine.running else [])
    figures = measure(pids)
    print(len(window.history), engine.running,
          *(f"{figures.get(k, 0.0):.1f}" for k in ("window", "child", "shared", "total")), flush=True)
    window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        one_run(args.n, args.steps)
        return 0
    if not sys.platform.startswith("linux"):
        print("bench_memory: reads /proc, Linux only")
        return 0
    print(f"\nmemory after {args.steps} Steps, N = {args.n:,}, K = {K}, window + EM child "
          f"(MiB; shared memory counted once in the total; goal total <= {GOAL_MIB:.0f})")
    print(f"{'run':>4} {'states':>7} {'window':>8} {'child':>8} {'shared':>8} {'total':>8}")
    totals = []
    for run in range(1, args.runs + 1):
        out = subprocess.run([sys.executable, __file__, "--one", "--n", str(args.n), "--steps",
                              str(args.steps)], capture_output=True, text=True, check=True)
        states, running, window, child, shared, total = out.stdout.split()[-6:]
        where = "" if running == "True" else "  (no child process: EM ran in the window)"
        print(f"{run:>4} {states:>7} {window:>8} {child:>8} {shared:>8} {total:>8}{where}", flush=True)
        totals.append(float(total))
    totals.sort()
    median = totals[len(totals) // 2]
    print(f"median total {median:.0f} MiB: goal {'met' if median <= GOAL_MIB else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
