"""The process-wide installer defaults of the old ``easy_install`` API, and what it picked.

Upstream kept these as class attributes of its installer, set by module
functions. Here they live in one object, :data:`defaults`, read only by
:mod:`zc.buildout.legacy.installer` when it makes the frozen
:class:`~zc.buildout.dists.settings.InstallerSettings` of a call; the core installer
never sees them. A buildout run fills them from its configuration
(:func:`use_buildout`), as upstream's ``Buildout`` did.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from zc.buildout.dists.resolve.picked import PickedVersions
from zc.buildout.dists.settings import InstallerSettings, Pin, parse_pin

if TYPE_CHECKING:
    from zc.buildout.dists.lock.file import LockedDistribution

__all__ = [
    "allow_picked_versions",
    "clear_index_cache",
    "default_versions",
    "defaults",
    "download_cache",
    "get_picked_versions",
    "index_url",
    "install_from_cache",
    "normalize_versions",
    "pins",
    "prefer_final",
    "reset",
    "store_required_by",
    "use_buildout",
    "use_dependency_links",
]


@dataclasses.dataclass
class _Defaults:
    """The process-wide settings of the old API, and what it picked."""

    settings: InstallerSettings = dataclasses.field(
        default_factory=lambda: InstallerSettings(eggs_directory="", develop_eggs_directory="")
    )
    """Everything but the directories, which every call names."""
    use_dependency_links: bool = True
    store_required_by: bool = False
    picked: PickedVersions = dataclasses.field(default_factory=PickedVersions)
    """What the installations of this process picked (every call shares it)."""
    used: dict[str, LockedDistribution] = dataclasses.field(default_factory=dict)
    """What they used, for the lock file (by canonical name)."""

    def replace(self, **changes: Any) -> None:
        """Change fields of the (frozen) settings."""
        self.settings = dataclasses.replace(self.settings, **changes)


defaults = _Defaults()
"""The one instance."""


def reset() -> Callable[[], None]:
    """Start again from the built-in defaults; return what restores the present ones (for tests)."""
    saved = dict(vars(defaults))
    vars(defaults).update(vars(_Defaults()))
    return lambda: vars(defaults).update(saved)


def use_buildout(buildout: Any) -> None:
    """Take the process-wide defaults from a buildout's ``[buildout]`` and versions section."""
    defaults.settings = InstallerSettings.from_buildout(buildout)
    defaults.picked = PickedVersions()  # a new run
    defaults.used = {}
    defaults.use_dependency_links = buildout["buildout"].get("use-dependency-links", "true") != "false"


# -- the old setters: each returns the previous value -------------------------


def default_versions(versions: Mapping[str, str] | None = None) -> dict[str, str]:
    """Get (and with ``versions``, replace) the ``[versions]`` pins."""
    old = {pin.name: _version(pin) for pin in defaults.settings.pins.values()}
    if versions is not None:
        defaults.replace(pins=pins(versions))
    return old


def _version(pin: Pin) -> str:
    """A pin as a versions section writes it: ``1.0`` for ``==1.0``, else the specifier."""
    if pin.exact is not None and pin.specifier.startswith("=="):
        return pin.specifier[2:]
    return pin.specifier


def prefer_final(setting: bool | None = None) -> bool:
    return _setting("prefer_final", setting)


def allow_picked_versions(setting: bool | None = None) -> bool:
    return _setting("allow_picked_versions", setting)


def install_from_cache(setting: bool | None = None) -> bool:
    return _setting("install_from_cache", setting)


def index_url(setting: str | None = None) -> str | None:
    old: str | None = defaults.settings.index
    if setting is not None:
        defaults.replace(index=setting)
    return old


def download_cache(path: str | None | int = -1) -> str | None:
    """Get the download cache; set it with a path, or clear it with ``None``."""
    old: str | None = defaults.settings.download_cache
    if path != -1:
        defaults.replace(download_cache=os.path.realpath(str(path)) if path is not None else None)
    return old


def use_dependency_links(setting: bool | None = None) -> bool:
    """Accepted for compatibility: dependency links are never followed."""
    old = defaults.use_dependency_links
    if setting is not None:
        defaults.use_dependency_links = setting
    return old


def store_required_by(setting: bool | None = None) -> bool:
    old = defaults.store_required_by
    if setting is not None:
        defaults.store_required_by = setting
    return old


def _setting(name: str, setting: bool | None) -> bool:
    old = bool(getattr(defaults.settings, name))
    if setting is not None:
        defaults.replace(**{name: setting})
    return old


def clear_index_cache() -> None:
    """Nothing to do: every installation reads the index afresh."""


def get_picked_versions() -> tuple[list[tuple[str, str]], dict[str, set[str]]]:
    """The versions picked by this process (sorted ``(name, version)``) and who required each."""
    picked = defaults.picked
    return sorted(picked.versions.items()), {name: set(who) for name, who in picked.required_by.items()}


def normalize_versions(versions: Mapping[str, str]) -> dict[str, str]:
    """``versions`` with canonical project names as keys."""
    return {canonicalize_name(name): version for name, version in versions.items()}


def pins(versions: Mapping[str, str]) -> dict[str, Pin]:
    """``[versions]``-style ``name -> version`` as the installer's pins."""
    found: dict[str, Pin] = {}
    for name, value in versions.items():
        pin = parse_pin(name, value)
        if pin is not None:
            found[canonicalize_name(name)] = pin
    return found
