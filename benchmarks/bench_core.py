"""Time one EM iteration of emviz against scikit-learn's GaussianMixture from the same start.

One iteration is an E-step and an M-step with full covariances:

- emviz: two ``next()`` calls on ``run_em(X, init, tol=0, max_iter=big)`` (one "E" and one
  "M" half-step), after the "init" state;
- scikit-learn: one ``.fit()`` of a ``GaussianMixture(warm_start=True, max_iter=1, tol=0)``
  started from the same weights, means and precisions (its ConvergenceWarning is silenced).
  Note that every ``fit()`` also ends with an extra E-step of its own, so that its labels
  agree with ``predict``; it is timed as it is, since that is what a user of fit() pays.

The two are timed in one process and interleaved (emviz, sklearn, emviz, sklearn, ...) so
machine noise hits both; the ratio column is the median of the per-pair ratios. One
untimed warm-up iteration of each comes first (scikit-learn's first fit() also builds its
initial state). Both runs advance one iteration per repeat, so they stay in lockstep and
their parameters after the timed iterations are compared.

Usage: ``python benchmarks/bench_core.py [--quick]``. The environment's BLAS settings
(e.g. OPENBLAS_CORETYPE) are reported, never changed.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings

import numpy as np

import emviz.core as core

K = 5
D = 2
SEPARATION = 4.0
SEED = 0
SIZES = (10_000, 100_000, 1_000_000)
REPEATS = {10_000: 60, 100_000: 25, 1_000_000: 9}
QUICK_REPEATS = {10_000: 10, 100_000: 5, 1_000_000: 3}
MEMORY_N = 1_000_000
GOAL_RATIO = 0.25  # emviz/sklearn at N >= GOAL_MIN_N
GOAL_MIN_N = 100_000
GOAL_MEMORY_MB = 400.0
BIG = 10**9  # max_iter: never the reason a run stops


def blas_header() -> str:
    """One line saying what runs the arithmetic: versions, thread pools, OPENBLAS_CORETYPE."""
    import sklearn

    parts = [
        f"python {platform.python_version()}",
        f"numpy {np.__version__}",
        f"scikit-learn {sklearn.__version__}",
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}",
    ]
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        parts.append("threadpoolctl: not installed")
    else:
        pools = []
        for info in threadpool_info():
            arch = info.get("architecture")
            arch = f", {arch}" if arch else ""
            version = info.get("version") or "?"
            pools.append(
                f"{info['internal_api']} {version} [{info['prefix']}{arch}] "
                f"{info['num_threads']} threads"
            )
        parts.append("threadpoolctl: " + ("; ".join(pools) if pools else "no thread pools"))
    return " | ".join(parts)


@functools.cache
def problem(n: int) -> tuple[np.ndarray, core.Mixture]:
    """The data and θ₀ for size n: 5 Gaussians in 2-D and a random-points start."""
    X = core.generate(K, n, SEPARATION, SEED).X
    init = core.initialize(X, K, "random-points", np.random.default_rng(SEED))
    return X, init


def sklearn_model(init: core.Mixture):
    """A GaussianMixture that does one E+M per fit(), continuing from where it stopped."""
    from sklearn.mixture import GaussianMixture

    return GaussianMixture(
        n_components=K,
        covariance_type="full",
        tol=0.0,
        max_iter=1,
        warm_start=True,
        init_params="random_from_data",  # cheap; overridden by the *_init values below
        weights_init=np.array(init.weights),
        means_init=np.array(init.means),
        precisions_init=np.linalg.inv(init.covariances),
        random_state=SEED,
    )


def emviz_iteration(run) -> core.EMState:
    """One E and one M half-step; returns the "M" state."""
    e_state = next(run)
    m_state = next(run)
    assert (e_state.phase, m_state.phase) == ("E", "M"), (e_state.phase, m_state.phase)
    return m_state


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max |b| (normwise, so near-zero off-diagonal entries don't blow it up)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.abs(a - b).max() / np.abs(b).max())


def bench_size(n: int, repeats: int) -> dict:
    X, init = problem(n)
    run = core.run_em(X, init, tol=0.0, max_iter=BIG)
    assert next(run).phase == "init"
    gmm = sklearn_model(init)

    # Warm-up: one untimed iteration each (sklearn's first fit() also initialises).
    state = emviz_iteration(run)
    gmm.fit(X)

    emviz_ms, sklearn_ms = [], []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            del state  # drop the previous state's arrays before timing the next one
            t0 = time.perf_counter()
            state = emviz_iteration(run)
            t1 = time.perf_counter()
            gmm.fit(X)
            t2 = time.perf_counter()
            emviz_ms.append(1e3 * (t1 - t0))
            sklearn_ms.append(1e3 * (t2 - t1))
    finally:
        gc.enable()

    iterations = repeats + 1
    mixture = state.mixture
    sk_log_likelihood = float(gmm.score(X)) * n  # score() is the mean over points
    return {
        "n": n,
        "iterations": iterations,
        "emviz": statistics.median(emviz_ms),
        "sklearn": statistics.median(sklearn_ms),
        "ratio": statistics.median(e / s for e, s in zip(emviz_ms, sklearn_ms, strict=True)),
        "means": relative_difference(mixture.means, gmm.means_),
        "covariances": relative_difference(mixture.covariances, gmm.covariances_),
        "log_likelihood": relative_difference(state.log_likelihood, sk_log_likelihood),
    }


def peak_memory_bytes(n: int) -> int:
    """tracemalloc's peak (bytes) over one E+M iteration of emviz at size n.

    numpy reports its data buffers to tracemalloc, so this counts the N-sized temporaries.
    Arrays that exist before the iteration (X, the previous state) are not counted; the
    new state's responsibilities, which outlive the iteration, are.
    """
    X, init = problem(n)
    run = core.run_em(X, init, tol=0.0, max_iter=BIG)
    next(run)
    state = emviz_iteration(run)  # steady state: the timed iteration is not the first
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        state = emviz_iteration(run)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del state
    return peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test)")
    args = parser.parse_args(argv)
    repeats = QUICK_REPEATS if args.quick else REPEATS
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=1 with tol=0, by design

    print(blas_header())
    print(f"one EM iteration (E + M, full covariances), K = {K}, D = {D}; medians over repeats")
    print(f"{'N':>9} {'reps':>5} {'emviz ms/it':>12} {'sklearn ms/it':>14} {'emviz/sklearn':>14}")
    results = []
    for n in SIZES:
        r = bench_size(n, repeats[n])
        results.append(r)
        print(
            f"{n:>9.0e} {repeats[n]:>5} {r['emviz']:>12.2f} {r['sklearn']:>14.2f} "
            f"{r['ratio']:>14.3f}",
            flush=True,
        )
    print("agreement after the timed iterations (max |emviz - sklearn| / max |sklearn|):")
    for r in results:
        print(
            f"{r['n']:>9.0e} after {r['iterations']:>2} iterations: means {r['means']:.1e}, "
            f"covariances {r['covariances']:.1e}, ln p(X | θ) {r['log_likelihood']:.1e}"
        )
    worst = max(max(r["means"], r["covariances"], r["log_likelihood"]) for r in results)
    print(f"identical results (all <= 1e-8): {'yes' if worst <= 1e-8 else 'NO'} (worst {worst:.1e})")
    peak = peak_memory_bytes(MEMORY_N)
    print(
        f"peak memory of one emviz iteration at N = {MEMORY_N:.0e}, K = {K} (tracemalloc): "
        f"{peak / 1e6:.1f} MB ({peak / 2**20:.1f} MiB)"
    )
    ratio_ok = all(r["ratio"] <= GOAL_RATIO for r in results if r["n"] >= GOAL_MIN_N)
    print(
        f"goals: emviz/sklearn <= {GOAL_RATIO} at N >= {GOAL_MIN_N:.0e}: "
        f"{'met' if ratio_ok else 'NOT met'}; identical results: {'met' if worst <= 1e-8 else 'NOT met'}; "
        f"peak < {GOAL_MEMORY_MB:.0f} MB: {'met' if peak / 1e6 < GOAL_MEMORY_MB else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
