"""What the application remembers between runs: the theme, the window's layout (geometry,
toolbars and docks, the split between the panels), the last built-in dataset, the play
speed and whether to reduce motion (no glides between half-steps). Written when the window
closes, read when ``emviz`` starts (emviz.cli's interactive path calls
``install_preferences``, and ``remembered_dataset`` for the data to open with).

A window built by a script, a test or ``emviz --screenshot`` neither reads nor writes them:
those must look the same on every machine. A value that is missing, mistyped or from another
version of emviz (theme "purple", speed "abc") is ignored: the default stands.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QObject, QSettings
from PySide6.QtWidgets import QMainWindow

from ..core import BUILTIN_DATASETS
from ..look.appearance import THEMES
from ..session import schema


def app_settings(parent: QObject | None = None) -> QSettings:
    """emviz's settings: an INI file on every system (on Linux ~/.config/emviz/emviz.ini),
    found where ``QSettings.setPath(IniFormat, UserScope, ...)`` says, as tests redirect it."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "emviz", "emviz", parent)


THEME_KEY = "view/theme"
GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
SPLITTER_KEY = "window/splitter"
DATASET_KEY = "data/dataset"
SPEED_KEY = "run/speed"
REDUCE_MOTION_KEY = "view/reduce_motion"

DEFAULT_DATASET = "faithful"
#: Play speeds the control panel offers (half-steps per second; 0: as fast as possible).
SPEED_RANGE = (int(schema.PREFERENCES["speed"].low), int(schema.PREFERENCES["speed"].high))


@dataclass(frozen=True)
class Preferences:
    theme: str = "light"
    dataset: str = DEFAULT_DATASET
    speed: int | None = None  # None: the control panel's default
    reduce_motion: bool = False  # True: no glides between half-steps (View → Reduce motion)
    geometry: bytes = b""
    state: bytes = b""
    splitter: bytes = b""


def parse_theme(value: object) -> str:
    return value if isinstance(value, str) and value in THEMES else "light"


def parse_dataset(value: object) -> str:
    return value if isinstance(value, str) and value in BUILTIN_DATASETS else DEFAULT_DATASET


def parse_speed(value: object) -> int | None:
    """An INI file gives numbers back as text: "4" is 4; "abc", "4.5" or 99 are None."""
    try:
        return schema.parse_int(schema.PREFERENCES["speed"], str(value), "speed")
    except schema.SchemaError:
        return None


def parse_flag(value: object) -> bool:
    """An INI file gives a flag back as the text "true" or "false"; anything else is False."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _bytes(value: object) -> bytes:
    return bytes(value) if isinstance(value, (QByteArray, bytes)) else b""


def read_preferences(settings: QSettings | None = None) -> Preferences:
    s = settings if settings is not None else app_settings()
    return Preferences(
        theme=parse_theme(s.value(THEME_KEY)),
        dataset=parse_dataset(s.value(DATASET_KEY)),
        speed=parse_speed(s.value(SPEED_KEY)),
        reduce_motion=parse_flag(s.value(REDUCE_MOTION_KEY)),
        geometry=_bytes(s.value(GEOMETRY_KEY)),
        state=_bytes(s.value(STATE_KEY)),
        splitter=_bytes(s.value(SPLITTER_KEY)),
    )


def remembered_dataset() -> str:
    """The key of the built-in dataset the application showed last (default: faithful)."""
    return read_preferences().dataset


def _builtin_key(name: str) -> str | None:
    return next((key for key, (label, _) in BUILTIN_DATASETS.items() if label == name), None)


def install_preferences(window: QMainWindow, geometry: bool = True) -> None:
    """Restore the remembered theme, layout and speed on this window now, and remember them
    (with the last built-in dataset) when it closes. ``geometry=False`` keeps the window's
    size and place (``emviz --size`` asked for one)."""
    prefs = read_preferences()
    presentation = getattr(window, "presentation", None)
    if presentation is not None:
        presentation.set_theme(prefs.theme)
    if prefs.geometry and geometry:
        window.restoreGeometry(QByteArray(prefs.geometry))
    if prefs.state:
        window.restoreState(QByteArray(prefs.state))
    if prefs.splitter:
        window.splitter.restoreState(QByteArray(prefs.splitter))
    if prefs.speed is not None:
        window.controls.speed.setValue(prefs.speed)  # emits speed_changed: the controller follows
    reduce_motion = window.actions_by_name.get("actionReduceMotion")
    if reduce_motion is not None:  # the interactive app glides unless the user said not to
        from .glide import set_reduce_motion

        set_reduce_motion(window, prefs.reduce_motion)

    # Own data (a file, clicks) are not a dataset to reopen: then the last built-in one chosen.
    chosen = [_builtin_key(window.model.dataset_name) or prefs.dataset]
    window.controls.dataset_requested.connect(lambda key: chosen.__setitem__(0, key))

    def save() -> None:
        s = app_settings()
        if presentation is not None:
            geometry, state = presentation.normal_layout()
            s.setValue(THEME_KEY, presentation.appearance.theme)
        else:
            geometry, state = bytes(window.saveGeometry()), bytes(window.saveState())
        s.setValue(GEOMETRY_KEY, QByteArray(geometry))
        s.setValue(STATE_KEY, QByteArray(state))
        s.setValue(SPLITTER_KEY, QByteArray(presentation.normal_split()) if presentation is not None
                   else window.splitter.saveState())
        s.setValue(DATASET_KEY, _builtin_key(window.model.dataset_name) or chosen[0])
        s.setValue(SPEED_KEY, window.controls.speed.value())
        if reduce_motion is not None:
            s.setValue(REDUCE_MOTION_KEY, "true" if reduce_motion.isChecked() else "false")
        s.sync()

    window.closing.connect(save)
