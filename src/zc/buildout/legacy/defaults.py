"""The installer defaults of the old ``easy_install`` API: getters and setters of the current run.

Upstream kept these as class attributes of its installer, set by module
functions and read by every later installation in the process. Here they
are the settings of the current run (:func:`zc.buildout.run.state.current_run`):
a buildout run starts with the settings of its configuration, and a
recipe's setter call changes them for the installations that follow, as
upstream's did. Each setter returns the previous value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.settings import Pin, parse_pin
from zc.buildout.run.state import current_run

__all__ = [
    "allow_picked_versions",
    "clear_index_cache",
    "default_versions",
    "download_cache",
    "get_picked_versions",
    "index_url",
    "install_from_cache",
    "normalize_versions",
    "pins",
    "prefer_final",
    "store_required_by",
    "use_dependency_links",
]


def _replace(**changes: Any) -> None:
    """Change fields of the current run's (frozen) settings."""
    run = current_run()
    run.settings = run.settings._replace(**changes)


# -- the old setters: each returns the previous value -------------------------


def default_versions(versions: Mapping[str, str] | None = None) -> dict[str, str]:
    """Get (and with ``versions``, replace) the ``[versions]`` pins."""
    old = {pin.name: _version(pin) for pin in current_run().settings.pins.values()}
    if versions is not None:
        _replace(pins=pins(versions))
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
    old: str | None = current_run().settings.index
    if setting is not None:
        _replace(index=setting)
    return old


def download_cache(path: str | None | int = -1) -> str | None:
    """Get the download cache; set it with a path, or clear it with ``None``."""
    old: str | None = current_run().settings.download_cache
    if path != -1:
        _replace(download_cache=os.path.realpath(str(path)) if path is not None else None)
    return old


def use_dependency_links(setting: bool | None = None) -> bool:
    """Whether to say when dependency links are not followed (they never are)."""
    return _setting("use_dependency_links", setting)


def store_required_by(setting: bool | None = None) -> bool:
    run = current_run()
    old = run.store_required_by
    if setting is not None:
        run.store_required_by = setting
    return old


def _setting(name: str, setting: bool | None) -> bool:
    old = bool(getattr(current_run().settings, name))
    if setting is not None:
        _replace(**{name: setting})
    return old


def clear_index_cache() -> None:
    """Nothing to do: every installation reads the index afresh."""


def get_picked_versions() -> tuple[list[tuple[str, str]], dict[str, set[str]]]:
    """The versions picked by this process (sorted ``(name, version)``) and who required each."""
    picked = current_run().picked
    return sorted(picked.versions.items()), {name: set(who) for name, who in picked.required_by.items()}


def normalize_versions(versions: Mapping[str, str]) -> dict[str, str]:
    """``versions`` with canonical project names as keys."""
    return {canonical_name(name): version for name, version in versions.items()}


def pins(versions: Mapping[str, str]) -> dict[str, Pin]:
    """``[versions]``-style ``name -> version`` as the installer's pins."""
    found: dict[str, Pin] = {}
    for name, value in versions.items():
        pin = parse_pin(name, value)
        if pin is not None:
            found[canonical_name(name)] = pin
    return found
