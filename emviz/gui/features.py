"""What a feature contributes to the window, and the one place the window keeps them.

A feature module's ``install(window)`` builds its views and actions through the window's host
API (``add_view``, ``add_action``, ``add_tab``, ``add_side_view``, ``show_status``, ...) and
returns a ``Feature`` record; the window registers it (``window.features``), and whoever needs
a feature (the lesson, scripts, tests) asks for it by name: ``window.feature("gallery")``.
Nothing is set on the window as an attribute.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from PySide6.QtGui import QAction


@dataclass(frozen=True)
class Feature:
    """``name``: the feature's module name; ``main``: the object that is the feature (its view
    or its controller); ``actions``: the window actions it added; ``views``: what it registered
    with ``add_view``; ``state``: the part of the session it keeps, if any (None: it shows
    only the window's model); ``parts``: other named pieces scripts and tests reach."""

    name: str
    main: object
    actions: tuple[QAction, ...] = ()
    views: tuple[object, ...] = ()
    state: object | None = None
    parts: Mapping[str, object] = field(default_factory=dict)


class FeatureRegistry(Mapping[str, Feature]):
    """The installed features by name, in the order they were installed."""

    def __init__(self) -> None:
        self._features: dict[str, Feature] = {}

    def add(self, feature: Feature) -> None:
        if feature.name in self._features:
            raise ValueError(f"feature {feature.name!r} is installed already")
        self._features[feature.name] = feature

    def __getitem__(self, name: str) -> Feature:
        try:
            return self._features[name]
        except KeyError:
            raise KeyError(f"no feature {name!r}; installed: {', '.join(self._features)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._features)

    def __len__(self) -> int:
        return len(self._features)
