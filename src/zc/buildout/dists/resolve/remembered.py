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

A resolution whose every version was fixed keeps, with each distribution,
the file it was installed from (its name, address and digest; never an
address holding a password). When only the eggs directory changed (emptied,
or some eggs removed), that is the plan: the eggs it lacks are installed
again from those files (found in the download cache when it keeps them),
and the index is not asked, since pins and ``==`` requirements alone chose
the versions, and the files of a released version do not change.

Anything else resolves again. Each remembered resolution is a file in the
eggs directory's working state (:mod:`zc.buildout.dists.store.state`), made
again when that state was removed, and named by a checksum of what it
depends on; its keys show the passwords of the URLs in them as ``****``.
Nothing is remembered for an eggs directory that does not exist (the
working set of the running process, say). One that cannot be read or
written just means resolving again.
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.resolve.result import Resolved
from zc.buildout.dists.store.distinfo import DistInfo
from zc.buildout.dists.store.eggs import ARCHIVE_RECORD, InstalledDistribution
from zc.buildout.dists.store.state import STAGING_PREFIX, eggs_state
from zc.buildout.net.credentials import redact_url

if TYPE_CHECKING:
    from packaging.utils import NormalizedName

    from zc.buildout.dists.find.pages import DistributionFile
    from zc.buildout.dists.settings import InstallerSettings

__all__ = ["Resolutions"]

_FORMAT = 6
"""Bumped whenever what is stored, or what the key covers, changes."""

_SUFFIX = ".marshal"
"""Stored with ``marshal``, as Python's own byte-code cache: it needs no import and
reads fastest; an entry written by another Python has another key (or fails to load)."""

_KEPT = 50
"""Remembered resolutions kept per eggs directory (the newest)."""


class Resolutions:
    """The resolutions remembered for an eggs directory, looked up by what they depend on."""

    def __init__(self, settings: InstallerSettings, requirements: Sequence[str]) -> None:
        self._eggs_directory = settings.eggs_directory
        self._directory = eggs_state(settings.eggs_directory, "resolutions", create=False)
        self._plan_key = _key(settings, requirements)
        self._key = repr([self._plan_key, _directory(settings.eggs_directory)])
        # A checksum names the file (no cryptographic digest: hashlib would load OpenSSL).
        self._path = os.path.join(self._directory, f"{zlib.crc32(self._plan_key.encode()):08x}{_SUFFIX}")

    def recall(self, own: Callable[[], Mapping[str, InstalledDistribution]]
               ) -> tuple[list[Resolved], bool] | None:
        """The resolution remembered for these requirements and this state, if any (still valid).

        With it, whether it is wholly installed: when only the eggs directory
        changed since, a remembered plan comes back with the distributions
        it lacks to install, each with the file to install it from, or as
        the running copy of one of buildout's own distributions (``own()``,
        by canonical name) when that is what it chose.
        """
        try:
            with open(self._path, "rb") as file:
                stored = marshal.loads(file.read())
            if stored["key"] == self._key and all(_stat(path) == stat for path, stat in stored["files"]):
                return [_resolved(entry) for entry in stored["resolved"]], True
            if stored["plan"] != self._plan_key:
                return None
            planned = _planned(stored["resolved"], dict(stored["files"]), own)
            return None if planned is None else (planned, False)
        except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError):
            return None

    def remember(self, resolved: Sequence[Resolved], files: Sequence[DistributionFile | None] | None = None
                 ) -> None:
        """Keep ``resolved`` (wholly installed distributions) for later runs.

        With ``files`` (given when every version was fixed: what each
        distribution was installed from, ``None`` for those installed before),
        it is kept as a plan too.
        """
        if not os.path.isdir(self._eggs_directory):
            return  # not an eggs directory (the working set of this very process, say)
        planned = files is not None and not any(file is not None and _has_password(file.url) for file in files)
        sources: list[list[str] | None] = [None] * len(resolved)
        earlier = self._stored_plan() if planned else {}
        if files is not None and planned:
            sources = [[file.filename, file.url, file.kind, file.sha256 or _archive_digest(dist)]
                       if file is not None else _source(earlier.get(dist.name))
                       for dist, file in zip(resolved, files)]
        data = marshal.dumps({
            "key": self._key, "plan": self._plan_key if planned else None,
            "files": [[path, _stat(path)] for path in _metadata_files(resolved)],
            "resolved": [_stored(dist, source, earlier.get(dist.name))
                         for dist, source in zip(resolved, sources)]})
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

    def _stored_plan(self) -> dict[str, list[Any]]:
        """The distributions of the plan remembered for these requirements (stored), by name."""
        try:
            with open(self._path, "rb") as file:
                stored = marshal.loads(file.read())
            if stored["plan"] != self._plan_key:
                return {}
            return {entry[0]: entry for entry in stored["resolved"]}
        except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError):
            return {}


def _has_password(url: str) -> bool:
    """Whether ``url`` carries a user's credentials (never stored)."""
    return "@" in url.partition("://")[2].partition("/")[0]


def _key(settings: InstallerSettings, requirements: Sequence[str]) -> str:
    """What a resolution depends on, as one string, but for the eggs directory (which the full key adds).

    The log level counts too: a resolution is remembered only when it warned
    about nothing, which says nothing where warnings are not shown. The
    settings and requirements are the parts that may hold URLs with an
    index password: stored keys show it as ``****``.
    """
    pins = sorted((name, pin.specifier) for name, pin in settings.pins.items())
    return repr([
        _FORMAT, sys.executable, sys.version, _environment(),
        logging.getLogger("zc.buildout").getEffectiveLevel(), [redact_url(text) for text in requirements],
        redact_url(repr(settings._replace(pins={}, lock=None, locked=False))), pins,
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
    """A directory's modification time and listing; with ``entries``, each entry's name and modification time.

    Entries being made (staged under a hidden name) are left out.
    """
    try:
        names = sorted(name for name in os.listdir(path) if not name.startswith(STAGING_PREFIX))
    except OSError:
        return None
    if entries:  # the entries' own: the directory's would change when it is made anew
        return [(name, _stat(os.path.join(path, name))) for name in names]
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


def _archive_digest(dist: Resolved) -> str:
    """The digest of the archive ``dist`` was installed from, as its egg records it ("" if it does not).

    A file the resolver took from the download cache comes without the
    index's digest; the egg made from it knows it, and with it a later run
    can link the egg the egg cache keeps without reading the file.
    """
    assert isinstance(dist.installed, InstalledDistribution)
    record = os.path.join(dist.installed.metadata.path, ARCHIVE_RECORD)
    try:
        with open(record, encoding="ascii") as file:
            return file.read().strip()
    except (OSError, ValueError):
        return ""


def _source(entry: list[Any] | None) -> list[str] | None:
    """The file a stored distribution was installed from, if known."""
    return None if entry is None else entry[-1]


def _stored(dist: Resolved, source: list[str] | None, earlier: list[Any] | None) -> list[Any]:
    """``dist`` as stored; the headers of its metadata are ``earlier``'s when it was installed again
    from the same file into the same place (the same metadata), else read."""
    installed = dist.installed
    assert isinstance(installed, InstalledDistribution)
    metadata = installed.metadata
    if (earlier is not None and source is not None and _source(earlier) == source
            and earlier[6][0] == metadata.path):
        name, version, headers = earlier[6][1:]
    else:
        name, version, headers = metadata.name, metadata.version, metadata.metadata.pack()
    return [dist.name, dist.version, dist.requirement, dist.picked, list(dist.required_by),
            [installed.name, installed.version, installed.location, installed.develop,
             installed.metadata_path],
            [metadata.path, name, version, headers], source]


def _resolved(entry: list[Any]) -> Resolved:
    """A remembered distribution, with the headers of its (unchanged) metadata as they were read."""
    name, version, requirement, picked, required_by, installed, metadata, _ = entry
    known = InstalledDistribution(*installed).knowing(DistInfo.remembered(*metadata))
    return Resolved(name=name, version=version, installed=known,
                    file=None, requirement=requirement, picked=picked, required_by=tuple(required_by))


def _planned(entries: list[Any], stats: dict[str, Any], own: Callable[[], Mapping[str, InstalledDistribution]]
             ) -> list[Resolved] | None:
    """A remembered plan: its distributions, those missing from the eggs directory to install from their files.

    An egg is in place when its metadata files are as they were (``stats``).
    ``None`` when one that is not was installed before the plan was made
    (there is no file to install it from), unless buildout runs that very
    version itself.
    """
    from packaging.version import Version  # start-up: no-op runs need no plan

    from zc.buildout.dists.find.pages import DistributionFile  # start-up: no-op runs need no plan

    resolved = []
    for entry in entries:
        dist = _resolved(entry)
        if not all(_stat(path) == stats.get(path) for path in _metadata_files([dist])):
            key = canonical_name(dist.name)
            if entry[-1] is not None:
                filename, url, kind, sha256 = entry[-1]
                dist = dist._replace(installed=None, file=DistributionFile(
                    cast("NormalizedName", key), Version(dist.version), filename, url, kind, sha256 or None))
            elif key in own() and own()[key].version == dist.version:
                dist = dist._replace(installed=own()[key])
            else:
                return None
        resolved.append(dist)
    return resolved


def _forget_oldest(directory: str) -> None:
    """Remove all but the newest :data:`_KEPT` remembered resolutions."""
    paths = [os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(_SUFFIX)]
    if len(paths) > _KEPT:
        paths.sort(key=lambda path: _stat(path) or [0, 0])
        for path in paths[: len(paths) - _KEPT]:
            os.remove(path)
