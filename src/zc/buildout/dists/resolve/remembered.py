"""Resolutions remembered between runs, so that a run with nothing to do need not resolve again.

A resolution is remembered when nothing was warned about and the index
could not have made it any different: it came from installed distributions
alone (no index, find-links page or download cache was looked at), or every
version in it was fixed by a pin or an ``==`` requirement, in which case it
is remembered once its distributions are installed. It is used again only
for the same requirements, settings and Python, while

- the eggs directory and the develop-eggs directory hold the same entries,
  and are not modified (their modification times are unchanged); so are the
  develop-eggs directory's entries themselves;
- the metadata directories on ``sys.path`` (where buildout's own
  distributions come from) are the same, and unmodified;
- the metadata files of every distribution it chose are unchanged.

With each distribution it keeps the headers of its core metadata as they
were read (they cannot have changed since), so that a run with nothing to
do reads no distribution's metadata.

Anything else resolves again. Each remembered resolution is a file in the
eggs directory's working state (:mod:`zc.buildout.dists.store.state`), kept
only once that state exists (made when buildout first installs into the
eggs directory): nothing is remembered for a directory a recipe names as
its eggs. One that cannot be read or written just means resolving again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import marshal
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from zc.buildout.dists.metadata import Headers
from zc.buildout.dists.resolve.result import Resolved
from zc.buildout.dists.store.distinfo import DistInfo
from zc.buildout.dists.store.eggs import InstalledDistribution
from zc.buildout.dists.store.state import STAGING_PREFIX, eggs_state

if TYPE_CHECKING:
    from zc.buildout.dists.settings import InstallerSettings

__all__ = ["Resolutions"]

_FORMAT = 3
"""Bumped whenever what is stored, or what the key covers, changes."""

_SUFFIX = ".marshal"
"""Stored with ``marshal``, as Python's own byte-code cache: it needs no import and
reads fastest; an entry written by another Python has another key (or fails to load)."""

_KEPT = 50
"""Remembered resolutions kept per eggs directory (the newest)."""


class Resolutions:
    """The resolutions remembered for an eggs directory, looked up by what they depend on."""

    def __init__(self, settings: InstallerSettings, requirements: Sequence[str]) -> None:
        self._directory = eggs_state(settings.eggs_directory, "resolutions", create=False)
        # Only a digest of the key is stored: the settings in it may hold an index password.
        self._key = hashlib.sha256(_key(settings, requirements).encode()).hexdigest()
        self._path = os.path.join(self._directory, f"{self._key[:8]}{_SUFFIX}")

    def recall(self) -> list[Resolved] | None:
        """The resolution remembered for these requirements and this state, if any (still valid)."""
        try:
            with open(self._path, "rb") as file:
                stored = marshal.loads(file.read())
            if stored["key"] != self._key or not all(_stat(path) == stat for path, stat in stored["files"]):
                return None
            return [_resolved(entry) for entry in stored["resolved"]]
        except (OSError, EOFError, ValueError, KeyError, TypeError):
            return None

    def remember(self, resolved: Sequence[Resolved]) -> None:
        """Keep ``resolved`` (wholly installed distributions) for later runs."""
        if not os.path.isdir(os.path.dirname(self._directory)):
            return  # not an eggs directory buildout installs into
        files = [[path, _stat(path)] for path in _metadata_files(resolved)]
        data = marshal.dumps({
            "key": self._key, "files": files, "resolved": [_stored(dist) for dist in resolved]})
        temporary = f"{self._path}.{os.getpid()}.tmp"
        try:
            os.makedirs(self._directory, exist_ok=True)
            with open(temporary, "wb") as file:
                file.write(data)
            os.replace(temporary, self._path)
            _forget_oldest(self._directory)
        except OSError:  # a read-only eggs directory, say: nothing is remembered
            if os.path.exists(temporary):
                os.remove(temporary)


def _key(settings: InstallerSettings, requirements: Sequence[str]) -> str:
    """What a resolution from installed distributions depends on, as one string.

    The log level counts too: a resolution is remembered only when it warned
    about nothing, which says nothing where warnings are not shown.
    """
    pins = sorted((name, pin.specifier) for name, pin in settings.pins.items())
    return repr([
        _FORMAT, sys.executable, sys.version, _environment(),
        logging.getLogger("zc.buildout").getEffectiveLevel(), list(requirements),
        dataclasses.replace(settings, pins={}, lock=None, locked=False), pins,
        _directory(settings.eggs_directory),
        _directory(settings.develop_eggs_directory, entries=True),
        [(entry, _metadata_directories(entry or ".")) for entry in sys.path],
    ])


def _environment() -> list[str]:
    """What the markers' environment (PEP 508) is made from, besides ``sys.version``.

    Read from ``sys`` and ``os`` rather than asked of ``packaging.markers``,
    whose import would cost a run with nothing to do more than all the rest.
    """
    if not hasattr(os, "uname"):  # Windows
        from packaging.markers import default_environment  # start-up: no os.uname() to read instead

        return [f"{name}={value}" for name, value in sorted(default_environment().items())]
    uname = os.uname()
    return [sys.implementation.name, sys.platform, os.name, uname.sysname, uname.release, uname.version,
            uname.machine]


def _directory(path: str, entries: bool = False) -> Any:
    """A directory's modification time and listing (with each entry's, if ``entries``).

    Entries being made (staged under a hidden name) are left out.
    """
    try:
        names = sorted(name for name in os.listdir(path) if not name.startswith(STAGING_PREFIX))
    except OSError:
        return None
    if entries:
        return _stat(path), [(name, _stat(os.path.join(path, name))) for name in names]
    return _stat(path), names


def _metadata_directories(entry: str) -> Any:
    """The metadata directories in a ``sys.path`` entry (or the entry itself, if not a directory).

    They are where buildout's own distributions come from; each is known by
    its own modification time and its core metadata file's.
    """
    try:
        names = os.listdir(entry)
    except OSError:
        return _stat(entry)
    return [(name, _stat(os.path.join(entry, name)), _stat(os.path.join(entry, name, "METADATA")),
             _stat(os.path.join(entry, name, "PKG-INFO")))
            for name in sorted(names) if name.lower().endswith((".dist-info", "egg-info"))]


def _stat(path: str) -> list[int] | None:
    """``[modification time (ns), size]`` of ``path``, ``None`` if there is nothing there."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_mtime_ns, found.st_size]


def _metadata_files(resolved: Sequence[Resolved]) -> list[str]:
    """The files the distributions' names, versions and requirements are (or would be) read from."""
    files = []
    for dist in resolved:
        assert isinstance(dist.installed, InstalledDistribution)
        directory = dist.installed.metadata.path
        # A .dist-info has it all in METADATA; a legacy .egg-info's requirements are in requires.txt.
        names = ["METADATA"] if directory.endswith(".dist-info") else ["METADATA", "PKG-INFO", "requires.txt"]
        files += [os.path.join(directory, name) for name in names]
    return files


def _stored(dist: Resolved) -> list[Any]:
    installed = dist.installed
    assert isinstance(installed, InstalledDistribution)
    metadata = installed.metadata
    return [dist.name, str(dist.version), dist.requirement, dist.picked, list(dist.required_by),
            [installed.name, installed.version, installed.location, installed.develop,
             installed.metadata_path],
            [metadata.path, metadata.metadata.as_data()]]


def _resolved(entry: list[Any]) -> Resolved:
    """A remembered distribution, with the headers of its (unchanged) metadata as they were read."""
    name, version, requirement, picked, required_by, installed, (metadata_path, headers) = entry
    known = InstalledDistribution(*installed).knowing(DistInfo(metadata_path, Headers.from_data(headers)))
    return Resolved(name=name, version=Version(version), installed=known,
                    file=None, requirement=requirement, picked=picked, required_by=tuple(required_by))


def _forget_oldest(directory: str) -> None:
    """Remove all but the newest :data:`_KEPT` remembered resolutions."""
    paths = [os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(_SUFFIX)]
    if len(paths) > _KEPT:
        paths.sort(key=lambda path: _stat(path) or [0, 0])
        for path in paths[: len(paths) - _KEPT]:
            os.remove(path)
