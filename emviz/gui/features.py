"""What a feature contributes to the window, and the one place the window keeps them.

A feature module's ``install(window)`` builds its views and actions through the window's host
API (``add_view``, ``add_action``, ``add_tab``, ``add_side_view``, ``show_status``, ...) and
returns a ``Feature`` record; the window registers it (``window.features``), and whoever needs
a feature (the lesson, scripts, tests) asks for it by name: ``window.feature("gallery")``.
Nothing is set on the window as an attribute.

A feature whose views are not on screen at start (a tab) may be registered as pending
(``add_pending(name, build)``): it is installed the first time it is asked for, by the
window when its tab is first shown or by anyone through the registry, so it costs the
start-up nothing and its callers see no difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
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
    """The features by name, in the order they were registered; a pending one is installed
    (its ``build()`` run) when it is first asked for."""

    def __init__(self) -> None:
        self._features: dict[str, Feature | Callable[[], Feature]] = {}
        self._building: set[str] = set()

    def add(self, feature: Feature) -> None:
        """Register an installed feature (also the one a pending feature's build returns)."""
        if feature.name in self._building:
            self._features[feature.name] = feature  # the pending one, now installed
            return
        if feature.name in self._features:
            raise ValueError(f"feature {feature.name!r} is installed already")
        self._features[feature.name] = feature

    def add_pending(self, name: str, build: Callable[[], Feature]) -> None:
        """Register ``name``, to be installed by ``build()`` when it is first asked for."""
        if name in self._features:
            raise ValueError(f"feature {name!r} is installed already")
        self._features[name] = build

    def is_built(self, name: str) -> bool:
        return isinstance(self._features.get(name), Feature)

    def __getitem__(self, name: str) -> Feature:
        try:
            entry = self._features[name]
        except KeyError:
            raise KeyError(f"no feature {name!r}; installed: {', '.join(self._features)}") from None
        if isinstance(entry, Feature):
            return entry
        if name in self._building:
            raise RuntimeError(f"feature {name!r} was asked for while it is being installed")
        self._building.add(name)
        try:
            feature = entry()
        finally:
            self._building.discard(name)
        if feature.name != name:
            raise ValueError(f"pending feature {name!r} installed as {feature.name!r}")
        self._features[name] = feature
        return feature

    def __iter__(self) -> Iterator[str]:
        return iter(self._features)

    def __len__(self) -> int:
        return len(self._features)
