"""The lecture's ideas as views and actions, each feature in its own module.

Each module has ``install(window)``, which adds its views (``window.add_view``, a tab in
``window.tabs``), its actions (``window.add_action``) and its wiring, and returns nothing.
Views stay passive: ``show_state(model)`` draws the Workbench; numbers come from emviz.core.
"""

from __future__ import annotations


def install_teaching(window) -> None:
    from importlib import import_module

    for name in FEATURES:
        import_module(f"{__name__}.{name}").install(window)


#: Feature modules, in the order their tabs and actions appear.
FEATURES: tuple[str, ...] = (
    "oracle",
    "why",
    "decomposition",
    "equations",
    "inspector",
    "gallery",
    "kmeans_mode",
    "sampling",
    "model_choice",
)
