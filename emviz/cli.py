"""Command line: ``emviz`` opens the window; with ``--screenshot`` it renders offscreen."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator

from . import __version__
from .core import BUILTIN_DATASETS, COVARIANCE_TYPES, INIT_METHODS
from .dataio.animation import FPS_RANGE, GLIDES_MAX
from .session import schema


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2: no usage dump
        self.exit(2, f"emviz: error: {message}\n")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1600x900, got {text!r}") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"size must be between 200 and 8000 pixels, got {text}")
    return w, h


def _k(text: str) -> int:
    try:
        return schema.parse_int(schema.SETTINGS["k"], text, "k")
    except schema.SchemaError:
        raise argparse.ArgumentTypeError(f"K must be an integer from 1 to {schema.K_MAX}, "
                                         f"got {text!r}") from None


def _schema_int(field: schema.Field, name: str):
    """An argparse ``type=`` for an integer option checked against the schema: the message
    names the allowed range ("should be an integer from 0 to 2147483647, not '-1'")."""
    def parse(text: str) -> int:
        try:
            return schema.parse_int(field, text, name)
        except schema.SchemaError as e:
            raise argparse.ArgumentTypeError(f"should be {field.allowed()}, not {text!r}") from e

    parse.__name__ = name  # argparse names the type in some messages
    return parse


def _grid(text: str) -> tuple[int, ...]:
    try:
        iterations = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"grid must be iterations like 0,1,2,5,20, got {text!r}") from None
    if not iterations or min(iterations) < 0 or len(iterations) > 16:
        raise argparse.ArgumentTypeError(f"grid needs 1 to 16 iterations >= 0, got {text!r}")
    return iterations


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="emviz", description="Watch and poke the EM algorithm for Gaussian mixtures.")
    p.add_argument("--version", action="version", version=f"emviz {__version__}")
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="open this file as File → Open would: an .emviz session, a CSV/TSV/text "
                        "table of points, or a mixture JSON (θ₀ of a new run)")
    desktop = p.add_mutually_exclusive_group()
    desktop.add_argument("--install-desktop", action="store_true",
                         help="add emviz to the applications menu and make it open .emviz files "
                              "(writes into $XDG_DATA_HOME, default ~/.local/share), then exit")
    desktop.add_argument("--uninstall-desktop", action="store_true",
                         help="remove what --install-desktop wrote, then exit")
    p.add_argument("--dataset", choices=list(BUILTIN_DATASETS),
                   help="built-in dataset (default: the one shown last, at first faithful, "
                        "standardised Old Faithful; with --screenshot always faithful)")
    p.add_argument("--k", type=_k, default=2, help="number of components K (1..20)")
    p.add_argument("--init", default="random-points", choices=INIT_METHODS,
                   help="initialisation (default: random-points)")
    p.add_argument("--covariance", default="full", choices=COVARIANCE_TYPES)
    p.add_argument("--seed", type=_schema_int(schema.SETTINGS["seed"], "seed"), default=0,
                   help=f"random seed of the initialisation (0..{schema.SEED_MAX})")
    p.add_argument("--steps", type=_schema_int(schema.CLI["steps"], "steps"), default=0,
                   help=f"full EM iterations to run first (0..{schema.ITER_MAX})")
    p.add_argument("--data", metavar="FILE", help="points from a CSV, TSV or text file")
    p.add_argument("--screenshot", metavar="FILE", help="render offscreen to this file and exit")
    p.add_argument("--view", choices=("window", "points", "bound", "slide"),
                   help="what --screenshot or --animate shows: the whole window, the points "
                        "view, the ln p / L plot, or both side by side (slide) (default: the "
                        "window for --screenshot, slide for --animate)")
    p.add_argument("--animate", metavar="FILE",
                   help="write the run as an animation and exit: one frame per half-step from "
                        "θ₀ (41 for --steps 20); .gif, .webp, .png (animated PNG), or .mp4 "
                        "with the optional video extra (pip install \"emviz[video]\")")
    p.add_argument("--fps", type=int, metavar="N",
                   help=f"with --animate: frames per second ({FPS_RANGE[0]}..{FPS_RANGE[1]}; "
                        f"default {DEFAULT_FPS} per half-step)")
    p.add_argument("--glides", type=int, metavar="N",
                   help=f"with --animate: in-between frames from each half-step to the next "
                        f"(0..{GLIDES_MAX}, default 0)")
    p.add_argument("--grid", type=_grid, metavar="ITERS",
                   help="with --screenshot: the iteration gallery at these iterations, e.g. 0,1,2,5,20")
    p.add_argument("--scale", type=_scale, help="with --screenshot: PNG scale (1, 2 or 4)")
    p.add_argument("--svg", action="store_true", default=None,
                   help="with --screenshot: write SVG (vector) instead of PNG")
    p.add_argument("--size", type=_size,
                   help="window size, e.g. 1600x900 (default: 1280x800, or as last left)")
    return p


def _scale(text: str) -> int:
    if text.strip() not in ("1", "2", "4"):
        raise argparse.ArgumentTypeError(f"should be 1, 2 or 4, not {text!r}")
    return int(text)


#: Options that only shape what --screenshot writes, with their values when it is not given.
SCREENSHOT_ONLY = {"grid": None, "svg": False}
#: Options that shape what --screenshot or --animate writes.
PICTURE_ONLY = {"view": None, "scale": 1}
#: Options that only shape what --animate writes.
ANIMATION_ONLY = {"fps": None, "glides": 0}
#: Frames per second of an animation without glides (with g glides: (g + 1) times that).
DEFAULT_FPS = 2


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """The checks of values that depend on each other, after argparse checked each alone
    against the schema: exit 2 with one line (``parser.error``) before any window.

    ``--screenshot ""`` names no file; --grid, --view, --scale and --svg shape a screenshot
    and mean nothing without one (before, ``--grid 5`` silently opened the window)."""
    if args.screenshot is not None and not args.screenshot.strip():
        parser.error("argument --screenshot: needs a file name, got an empty one")
    if args.animate is not None and not args.animate.strip():
        parser.error("argument --animate: needs a file name, got an empty one")
    if args.screenshot is not None and args.animate is not None:
        parser.error("--screenshot and --animate write one file each: give one of them")
    for name, default in SCREENSHOT_ONLY.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
        elif args.screenshot is None:
            parser.error(f"--{name} needs --screenshot FILE (it shapes the picture written there)")
    for name, default in PICTURE_ONLY.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
        elif args.screenshot is None and args.animate is None:
            parser.error(f"--{name} needs --screenshot FILE or --animate FILE "
                         "(it shapes the picture written there)")
    for name, default in ANIMATION_ONLY.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
        elif args.animate is None:
            parser.error(f"--{name} needs --animate FILE (it shapes the animation written there)")
    if args.view is None:
        args.view = "slide" if args.animate is not None else "window"
    if args.screenshot is not None and args.view == "slide" and (
            args.svg or args.screenshot.lower().endswith(".svg")):
        parser.error("--view slide is written as PNG only; use --view points or bound for SVG")
    if args.animate is not None:
        _check_animation(parser, args)
    return args


def _check_animation(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--animate's own checks: a run to show, a known format (MP4 only with the video extra),
    the frame rate and glides in range."""
    from .dataio.animation import check_options

    if args.steps == 0 and args.file is None:
        parser.error("--animate needs --steps N (the EM iterations it shows, e.g. --steps 20) "
                     "or a session FILE with a run")
    if args.fps is None:
        args.fps = min(DEFAULT_FPS * (args.glides + 1), FPS_RANGE[1])
    try:
        check_options(args.animate, args.fps, args.glides)
    except ValueError as error:
        parser.error(f"argument --animate: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = check_arguments(parser, parser.parse_args(argv))
    if args.install_desktop or args.uninstall_desktop:
        from .desktop import run as run_desktop

        return run_desktop(install=args.install_desktop)
    data = None
    if args.data:
        from .dataio import DataError, load_points

        try:
            data = load_points(args.data)
        except DataError as error:
            print(f"emviz: error: {error}", file=sys.stderr)
            return 1
        if args.k > len(data[0]):  # before any window: nothing to tear down
            from .dataio._layout import plural

            print(f"emviz: error: --k {args.k} but {args.data} has only {plural(len(data[0]), 'point')}",
                  file=sys.stderr)
            return 1
    if args.screenshot or args.animate:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from .gui import MainWindow
    from .gui.icon import brand_application
    from .gui.preferences import remembered_dataset
    from .gui.style import apply_app_font
    from .session.model import Settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    quiet = _QuietMessages()
    quiet.previous = qInstallMessageHandler(quiet)
    window = None
    try:
        apply_app_font(app)
        brand_application(app)
        settings = Settings(k=args.k, init_method=args.init, covariance_type=args.covariance,
                            seed=args.seed)
        # Only the interactive app reads what the last run left; a screenshot is the same anywhere.
        scripted = bool(args.screenshot or args.animate)
        dataset = args.dataset or ("faithful" if scripted else remembered_dataset())
        window = MainWindow(dataset, settings)
        return _run(app, window, args, data)
    finally:
        if window is not None:
            _dispose(window)
            window = None
            _collect()
        qInstallMessageHandler(quiet.previous)  # no Python handler left for Qt's exit


def _run(app, window, args: argparse.Namespace, data) -> int:
    window.resize(*(args.size or (1280, 800)))
    window.show()
    if data is not None:
        window.show_data(*data)
    scripted = bool(args.screenshot or args.animate)
    if args.file and not _open_file(window, args.file, unattended=scripted):
        return 2
    window.controller.wait_idle()
    for _ in range(args.steps):
        window.controller.step()
        window.controller.wait_idle()
    if not scripted:  # a screenshot run neither autosaves, offers a crashed session,
        from .gui.autosave import install_autosave  # reads preferences, nor shows the lesson:
        from .gui.preferences import install_preferences  # scripted pictures keep the default

        install_autosave(window)
        install_preferences(window, geometry=args.size is None)
        window.lesson.restore_visibility()
        with _quit_on_signals(app):
            return app.exec()
    try:
        if args.animate:
            return _save_animation(window, args)
        _save_screenshot(window, args)
    except Exception as error:  # noqa: BLE001 (any failure to write is one line, exit 1)
        print(f"emviz: error: {error}", file=sys.stderr)
        return 1
    return 0


def _open_file(window, path: str, unattended: bool) -> bool:
    """``emviz FILE``: open it as File → Open would (``FileActions.open_file``). The window
    shows a refusal in a dialog, as the menu does, and goes on; a screenshot run, which has
    nobody to read a dialog, prints it as one line and fails (False)."""
    files = window.files
    files.unattended, files.last_refusal = unattended, ""
    try:
        if files.open_file_and_wait(path) or not unattended:
            return True
    finally:
        files.unattended = False
    print(f"emviz: error: {files.last_refusal or f'{path}: not opened'}", file=sys.stderr)
    return False


@contextlib.contextmanager
def _quit_on_signals(app) -> Iterator[None]:
    """Ctrl+C in the terminal (SIGINT) or a polite kill (SIGTERM) ends the event loop, so
    the window closes as its close button would (preferences kept, autosave removed, threads
    stopped) and the run exits 0.

    Python runs a signal's handler only when it next runs Python code, which Qt's event loop
    (C++) may not do for a long time: the signal's byte, written to a socket by Python's C
    handler (``signal.set_wakeup_fd``), wakes a QSocketNotifier, whose slot lets it run."""
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    try:
        ours, theirs = socket.socketpair()
        for end in (ours, theirs):
            end.setblocking(False)
        previous_fd = signal.set_wakeup_fd(theirs.fileno())
    except (OSError, ValueError):  # not the main thread, or no sockets: Qt's defaults stay
        yield
        return
    notifier = QSocketNotifier(ours.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(lambda *_: ours.recv(64))  # Python runs: the handler follows
    handlers = {sig: signal.signal(sig, lambda *_: app.quit())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        ours.close()
        theirs.close()


#: What the offscreen platform says for every window shown: nothing a user can act on.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


class _QuietMessages:
    """A Qt message handler that drops OFFSCREEN_NOISE and passes on everything else."""

    def __init__(self) -> None:
        self.previous = None  # the handler it replaced (None: Qt's default)

    def __call__(self, kind, context, message: str) -> None:
        if message == OFFSCREEN_NOISE:
            return
        if self.previous is not None:
            self.previous(kind, context, message)
        else:  # as Qt's default handler would have printed it
            from PySide6.QtCore import qFormatLogMessage

            print(qFormatLogMessage(kind, context, message), file=sys.stderr, flush=True)


def _dispose(window) -> None:
    """Close the window and delete it, with the gallery and every view in it, now: the
    interpreter is whole and Qt deletes the tree parent before child.

    Left alive, the window is deleted at the interpreter's exit by PySide, which deletes
    every Qt object Python still owns one at a time, in no particular order. Python owns
    some children there (the text of each pyqtgraph LabelItem, the gallery figure's root
    layout), so a label could get a resizeEvent after its text item was gone; its
    RuntimeError, raised that late, crashed the interpreter (exit 139, issue #11).
    """
    import shiboken6
    from PySide6.QtWidgets import QApplication

    window.close()  # its closeEvent stops the run's worker thread (and the views' threads)
    QApplication.processEvents()  # what those threads sent before they stopped
    shiboken6.delete(window)


def _collect() -> None:
    """Free the Python side of the deleted window now, and with it the Qt objects that only
    Python held (pyqtgraph's menus), rather than leave them to PySide at the exit.
    emviz.gui.collector froze every object older than the window: unfreeze them first."""
    import gc

    gc.unfreeze()
    gc.collect()


def _save_screenshot(window, args: argparse.Namespace) -> None:
    from PySide6.QtWidgets import QApplication

    from .gui.export import save_png, save_svg

    QApplication.processEvents()
    window.redraw_now()
    QApplication.processEvents()
    path = args.screenshot
    svg = args.svg or path.lower().endswith(".svg")
    if args.grid is not None:
        from .gui.teaching.gallery import export_gallery

        export_gallery(window, args.grid, path, scale=args.scale, svg=svg)
        return
    if args.view == "slide":
        from .gui.animation import slide_image
        from .gui.export import save_image

        save_image(slide_image(window, args.scale), path)
        return
    widget = window.files.view_widget(args.view)
    if svg:
        save_svg(widget, path)
    else:
        save_png(widget, path, args.scale)


def _save_animation(window, args: argparse.Namespace) -> int:
    """--animate: the run as frames (emviz.gui.animation), waited for with the event loop
    turning; 0 when written, 1 with one line on stderr if not."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    from .gui.animation import AnimationExport

    if window.model.points.shape[1] == 1:  # the frames are the points view's, a plane
        print("emviz: error: --animate draws 2-D data; these data have one column (take a "
              "--screenshot of the histogram instead)", file=sys.stderr)
        return 1
    QCoreApplication.processEvents()
    window.redraw_now()
    export = AnimationExport(window, args.animate, args.fps, args.glides, args.view, args.scale)
    export.start()
    while not export.done:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if export.error:
        print(f"emviz: error: {export.error}", file=sys.stderr)
        return 1
    return 0
