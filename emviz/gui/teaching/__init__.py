"""The lecture's ideas as views and actions, each feature in its own module.

Each module has ``install(window) -> Feature``: it adds its views (``window.add_view``, a tab
through ``window.add_tab``), its actions (``window.add_action``) and its wiring through the
window's host API, and returns what it contributed (emviz.gui.features), which the window
registers by name. Views stay passive: ``show_state(model)`` draws the Workbench; numbers come
from emviz.core.

What is not on screen at start is not built at start: a tab's feature (LazyTab) is imported
and installed when its tab is first shown or it is asked for (``window.feature(name)``), and
the gallery and Sample… (LazyAction) make their actions at once, their module and window when
first used. Building every tab took more than half of the window's start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..features import Feature
from . import density, inspector, kmeans_mode, oracle, z_beside_r


# The tabs only: nothing of theirs is on screen at start, so each is imported and built
# when its tab is first shown or it is asked for (window.add_lazy_tab). The imports are
# written out, deferred, not looked up by name.
def _why(window) -> Feature:
    from . import why
    return why.install(window)


def _landscape(window) -> Feature:
    from . import landscape
    return landscape.install(window)


def _decomposition(window) -> Feature:
    from . import decomposition
    return decomposition.install(window)


def _equations(window) -> Feature:
    from . import equations
    return equations.install(window)


def _choose_k(window) -> Feature:
    from . import choose_k
    return choose_k.install(window)


def _gallery(window, action) -> Feature:
    from . import gallery
    return gallery.install(window, action)


def _sample_mode(window, action) -> Feature:
    from . import sample_mode
    return sample_mode.install(window, action)


@dataclass(frozen=True)
class LazyAction:
    """A feature behind one action: the action (``object_name``, ``text``, ``shortcut``,
    ``tip``) is made at once and works from the start; the module is imported and installed
    (``install(window, action)``) when the action is first used or the feature is asked for
    (``window.add_lazy_feature``), and the action then calls ``use(feature)``."""

    name: str
    object_name: str
    text: str
    shortcut: str
    tip: str
    install: Callable[[object, object], Feature]
    use: Callable[[Feature], None]

    def register(self, window) -> None:
        action = window.add_action(self.object_name, self.text, self.shortcut, self.tip)
        window.add_lazy_feature(self.name, lambda window: self.install(window, action))
        action.triggered.connect(lambda: self.use(window.feature(self.name)))


@dataclass(frozen=True)
class LazyTab:
    """A feature that is one tab: ``title`` and ``tooltip`` as its ``install`` sets them."""

    name: str
    title: str
    tooltip: str
    install: Callable[[object], Feature]


#: The features, in the order their tabs and actions appear: a module (installed at once),
#: a LazyTab or a LazyAction (whose action works from the start).
FEATURES = (
    oracle,
    LazyTab("why", "Why EM", "", _why),
    LazyTab("landscape", "Hills", "The likelihood landscape: ln p(X | θ) and the bound "
            "L(q, θ) as one mean μ_k moves", _landscape),
    LazyTab("decomposition", "L + KL", "", _decomposition),
    LazyTab("equations", "Equations", "", _equations),
    inspector,
    z_beside_r,
    # "Gallery", short: the Teach toolbar fits 1024 px presenting.
    LazyAction("gallery", "actionGallery", "Gallery", "Ctrl+I",
               "The iterations gallery: the lecture's 'Start, after 1st, 2nd, … 20th "
               "iteration' slides as one figure, exportable as PNG or SVG",
               _gallery, lambda gallery: gallery.open_and_run()),
    kmeans_mode,
    LazyAction("sample_mode", "actionSample", "Sample…", "Ctrl+Shift+G",
               "Watch the data being generated point by point, by either of the lecture's "
               "two procedures (data without a known mixture: a default 3-component mixture)",
               _sample_mode, lambda sample: sample.open()),
    LazyTab("choose_k", "Choose K",
            "Choose K: BIC and AIC against K, and EM from many random starts", _choose_k),
    density,
)


def feature_name(entry) -> str:
    return entry.name if isinstance(entry, LazyTab | LazyAction) else entry.__name__.rsplit(".", 1)[1]


def install_teaching(window) -> None:
    for entry in FEATURES:
        if isinstance(entry, LazyTab):
            window.add_lazy_tab(entry.name, entry.title, entry.tooltip, entry.install)
        elif isinstance(entry, LazyAction):
            entry.register(window)
        else:
            window.add_feature(entry.install(window))
