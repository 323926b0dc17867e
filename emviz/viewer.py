"""``emviz.show(X)``: the window on one's own array, from a script or a notebook (as
napari's ``view_points``). Neither Qt nor numpy is imported until it is called, so
``import emviz`` stays quick."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from .gui import MainWindow
    from .session.model import Settings


def show(X: Any, labels: Any = None, k: int = 2, *, name: str = "Your points",
         axes: Sequence[str] | None = None, **settings: Any) -> MainWindow | None:
    """Open the emviz window on the points ``X``, ready to step EM with K = ``k``.

    X : array-like, shape (N, 2); finite numbers (a DataFrame's two column names become the
        axes' names unless ``axes`` gives them). Shape (N,) or (N, 1): 1-D data, shown as a
        histogram with the 1-D mixture over it
    labels : array-like, shape (N,), or None; the true classes z_n (the oracle's labels):
        integers (-1: unlabelled) or any values, numbered 0..K-1 in order of appearance
    k : the number of components K (1..20, at most N)
    settings : the rest of the model and run settings by name: ``init_method``,
        ``covariance_type``, ``reg_covar``, ``seed``, ``tol``, ``max_iter``

    In a script (no Qt event loop running) it runs one until the window is closed and
    returns None. Where a loop already runs (IPython or Jupyter after ``%gui qt``, or
    inside a Qt application) it returns the window at once and the prompt stays live.
    Raises ValueError naming the problem, as opening a file would, before any window opens.
    """
    points, codes, chosen, axis_names = _checked(X, labels, k, settings, axes)
    from PySide6.QtWidgets import QApplication

    from .gui import MainWindow
    from .gui.icon import brand_application
    from .gui.style import apply_app_font

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv and sys.argv[0] else "emviz"])
        apply_app_font(app)  # only an application of our own: a host's keeps its look
        brand_application(app)
    elif not isinstance(app, QApplication):
        raise RuntimeError("emviz.show needs a QApplication; this process has a QCoreApplication")
    window = MainWindow("faithful", chosen)
    window.show_data(points, codes, name, axis_names)
    window.resize(1280, 800)
    window.show()
    if event_loop_running(app):
        return window
    return _run_until_closed(app, window)


def event_loop_running(app) -> bool:
    """Whether Qt events are processed without our help: inside ``app.exec()`` (or any event
    loop) of this thread, or between IPython's prompts after ``%gui qt``, whose input hook
    runs the loop while the prompt waits (no loop runs while a cell executes)."""
    if app.thread().loopLevel() > 0:
        return True
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    loop = getattr(shell, "active_eventloop", None)
    return isinstance(loop, str) and loop.startswith("qt")


def _run_until_closed(app, window) -> None:
    from .cli import _collect, _dispose, _quit_on_signals

    window.closing.connect(app.quit)  # returns when this window closes, whatever else is open
    try:
        with _quit_on_signals(app):  # Ctrl+C in the terminal closes it as the close button would
            app.exec()
    finally:
        _dispose(window)  # now, not at the interpreter's exit (see cli._dispose)
        _collect()
    return None


def _checked(X: Any, labels: Any, k: int, settings: dict[str, Any], axes: Sequence[str] | None
             ) -> tuple[np.ndarray, np.ndarray | None, Settings, tuple[str, str]]:
    """What ``show`` was given, as the window takes it, or ValueError naming the problem with
    the words a file's refusal uses."""
    import dataclasses

    import numpy as np

    from .dataio import MAX_ROWS
    from .dataio._layout import first_unfit, unfit
    from .session.model import Settings

    columns = getattr(X, "columns", None)  # a pandas or polars DataFrame, without importing them
    try:
        points = np.asarray(X)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"X should be an array of shape (N, 2): {error}") from None
    if points.dtype.kind not in "biuf":
        raise ValueError(f"X should hold numbers, not {points.dtype} values")
    if points.ndim == 1:  # one number per point: the 1-D mode
        points = points.reshape(-1, 1)
    if points.ndim != 2 or points.shape[1] not in (1, 2):
        raise ValueError("X should have shape (N, 2), one row (x, y) per point (or (N,) for "
                         f"1-D data); got shape {points.shape}")
    n = len(points)
    if n == 0:
        raise ValueError("X holds no points")
    if n > MAX_ROWS:
        raise ValueError(f"X holds {n:,} points; emviz takes at most {MAX_ROWS:,}")
    points = points.astype(float)
    found = first_unfit(points)
    if found is not None:
        raise ValueError(f"X[{found[0]}, {found[1]}] holds {unfit(points[found])}")
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r}; the settings are {', '.join(sorted(known))}")
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise ValueError(f"k should be a whole number, got {k!r}")
    chosen = Settings(k=int(k), **settings)  # its own ValueError names a bad K, method or type
    if k > n:
        raise ValueError(f"k = {k} but X has only {n} points")
    if axes is None:
        axes = tuple(map(str, columns)) if columns is not None and len(columns) == 2 else ("x₁", "x₂")
        if points.shape[1] == 1:
            axes = (str(columns[0]) if columns is not None and len(columns) == 1 else "x", "density")
    if len(axes) != 2:
        raise ValueError(f"axes should be two names, got {len(axes)}")
    return points, _codes(labels, n), chosen, (str(axes[0]), str(axes[1]))


def _codes(labels: Any, n: int) -> np.ndarray | None:
    """Integer labels as they are (-1: unlabelled); any others numbered 0, 1, ... in order of
    appearance, as a file's text labels are."""
    import numpy as np

    if labels is None:
        return None
    values = np.asarray(labels)
    if values.shape != (n,):
        raise ValueError(f"labels should be {n} values, one per point; got shape {values.shape}")
    if values.dtype.kind in "biu":
        return values.astype(np.int64)
    if values.dtype.kind == "f":  # 0.0, 1.0, ...: integers that went through a float array,
        known = ~np.isnan(values)  # NaN where a label is missing (pandas): unlabelled
        if np.all(np.isfinite(values[known])) and np.all(values[known] == np.round(values[known])):
            return np.where(known, values, -1).astype(np.int64)
    order: dict[Any, int] = {}
    try:
        return np.array([order.setdefault(v, len(order)) for v in values.tolist()], dtype=np.int64)
    except TypeError:  # unhashable values
        raise ValueError("labels should be integers or values like strings, one per point") from None
