"""The lecture's ideas as views and actions, each feature in its own module.

Each module has ``install(window) -> Feature``: it adds its views (``window.add_view``, a tab
through ``window.add_tab``), its actions (``window.add_action``) and its wiring through the
window's host API, and returns what it contributed (emviz.gui.features), which the window
registers by name. Views stay passive: ``show_state(model)`` draws the Workbench; numbers come
from emviz.core.
"""

from __future__ import annotations

from . import (
    choose_k,
    decomposition,
    density,
    equations,
    gallery,
    inspector,
    kmeans_mode,
    landscape,
    oracle,
    sample_mode,
    why,
    z_beside_r,
)

#: Feature modules, in the order their tabs and actions appear.
FEATURES = (
    oracle,
    why,
    landscape,
    decomposition,
    equations,
    inspector,
    z_beside_r,
    gallery,
    kmeans_mode,
    sample_mode,
    choose_k,
    density,
)


def install_teaching(window) -> None:
    for module in FEATURES:
        window.add_feature(module.install(window))
