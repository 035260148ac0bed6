"""``cache info`` and ``cache prune``: what the download, egg and extends caches hold, and clearing them.

The download cache (``download-cache``) holds archives (``dist``), the
wheels built from its sdists (``.buildout/built``) and the files recipes
downloaded (elsewhere in it); its egg cache (``eggs``) holds installed
eggs, one directory per Python. The extends cache (``extends-cache``)
holds configuration files fetched from URLs. An entry's modification
time is when a buildout last used it.

Pruning removes archives, eggs and extends files unused for some days, or
distributions the lock file does not hold. It takes the lock a buildout
holds while it makes or uses the entry, without waiting: an entry whose
lock is held is in use, and kept. A built wheel goes with its sdist;
recipes' downloads are never pruned (buildout does not know who uses them).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from packaging.utils import canonicalize_name

from zc.buildout.dists.store.archive_cache import archive_lock, sha256_of
from zc.buildout.dists.store.egg_cache import EggCache
from zc.buildout.dists.store.eggs import EggName
from zc.buildout.dists.store.state import STAGING_PREFIX, download_cache_state
from zc.buildout.files.locks import LockTimeout

if TYPE_CHECKING:
    from zc.buildout.dists.lock.file import Lock

__all__ = ["CacheEntry", "Pruned", "cache_directories", "cache_document", "cache_entries", "cache_text", "prune",
           "size_text"]

Kind = Literal["archive", "built wheel", "egg", "download", "extends file"]
KINDS: tuple[Kind, ...] = ("archive", "built wheel", "egg", "download", "extends file")
_DAY = 24 * 60 * 60


@dataclasses.dataclass(frozen=True)
class CacheEntry:
    """One entry of a cache."""

    kind: Kind
    path: str
    size: int
    """In bytes: the file's, or all the files' of a directory."""
    used: float
    """When a buildout last used it (its modification time)."""


def cache_entries(download_cache: str | None, extends_cache: str | None) -> list[CacheEntry]:
    """Every entry of the caches (a cache that is not set, or not made yet, has none)."""
    found: list[CacheEntry] = []
    if download_cache is not None:
        state = os.path.join(download_cache, ".buildout")
        eggs = os.path.join(download_cache, "eggs")
        dist = os.path.join(download_cache, "dist")
        found += _entries("archive", _listed(dist))
        found += _entries("built wheel", _listed(os.path.join(state, "built")))
        found += _entries("egg", [path for tag in _listed(eggs) for path in _listed(tag)])
        found += _entries("download", [
            os.path.join(directory, name)
            for directory, names, files in os.walk(download_cache)
            for name in files if not name.startswith(".")
            and not _inside(directory, (state, eggs, dist))])
    if extends_cache is not None:
        found += _entries("extends file", _listed(extends_cache))
    return found


def _inside(directory: str, places: Iterable[str]) -> bool:
    return any(directory == place or directory.startswith(place + os.sep) for place in places)


def _listed(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [os.path.join(directory, name) for name in names
            if not name.startswith((".", STAGING_PREFIX))]


def _entries(kind: Kind, paths: Iterable[str]) -> Iterator[CacheEntry]:
    for path in paths:
        try:
            used = os.stat(path).st_mtime
        except OSError:
            continue
        yield CacheEntry(kind, path, _size(path), used)


def _size(path: str) -> int:
    if not os.path.isdir(path):
        return os.lstat(path).st_size
    return sum(os.lstat(os.path.join(directory, name)).st_size
               for directory, _, files in os.walk(path) for name in files)


def _amount(count: int, kind: Kind) -> str:
    plural = {"archive": "archives", "built wheel": "built wheels", "egg": "eggs",
              "download": "downloads", "extends file": "extends files"}[kind]
    return f"{count} {kind if count == 1 else plural}"


def size_text(size: int) -> str:
    """``size`` bytes for people: ``812 bytes``, ``12.3 KiB``, ``4.0 MiB``, ..."""
    if size < 1024:
        return f"{size} bytes"
    amount = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        amount /= 1024
        if amount < 1024 or unit == "GiB":
            break
    return f"{amount:.1f} {unit}"


_AREAS: Mapping[str, tuple[Kind, ...]] = {
    "download cache": ("archive", "built wheel", "download"),
    "egg cache": ("egg",),
    "extends cache": ("extends file",),
}


def cache_text(entries: Sequence[CacheEntry], directories: Mapping[str, str | None]) -> str:
    """``cache info``: each cache's directory, then its entries by kind, counted and sized."""
    lines = []
    for area, kinds in _AREAS.items():
        directory = directories[area]
        if directory is None:
            lines.append(f"{area}: none ({_OPTIONS[area]} is not set)")
            continue
        lines.append(f"{area}: {directory}")
        for kind in kinds:
            mine = [entry for entry in entries if entry.kind == kind]
            lines.append(f"  {_amount(len(mine), kind)}, {size_text(sum(entry.size for entry in mine))}")
    return "\n".join(lines) + "\n"


_OPTIONS = {"download cache": "download-cache", "egg cache": "download-cache",
            "extends cache": "extends-cache"}


def cache_document(entries: Sequence[CacheEntry], directories: Mapping[str, str | None]) -> dict[str, Any]:
    """``cache info --json``: for each cache, its directory and, by kind, entries and bytes."""
    document: dict[str, Any] = {}
    for area, kinds in _AREAS.items():
        counts = {kind: [entry.size for entry in entries if entry.kind == kind] for kind in kinds}
        document[area.replace(" ", "-")] = {
            "directory": directories[area],
            "kinds": {kind.replace(" ", "-"): {"entries": len(sizes), "bytes": sum(sizes)}
                      for kind, sizes in counts.items()},
        }
    return document


@dataclasses.dataclass(frozen=True)
class Pruned:
    """What ``cache prune`` did."""

    removed: tuple[CacheEntry, ...]
    in_use: tuple[CacheEntry, ...]
    """Entries to remove that a running buildout holds: kept."""

    def text(self) -> str:
        size = size_text(sum(entry.size for entry in self.removed))
        counts = [_amount(sum(entry.kind == kind for entry in self.removed), kind)
                  for kind in KINDS if any(entry.kind == kind for entry in self.removed)]
        lines = [f"Removed {', '.join(counts)} ({size})." if counts else "Removed nothing."]
        if self.in_use:
            lines.append(f"Kept {len(self.in_use)} in use by a running buildout.")
        return "\n".join(lines) + "\n"


def prune(entries: Sequence[CacheEntry], download_cache: str | None, *,
          days: float | None = None, lock: Lock | None = None, now: float | None = None) -> Pruned:
    """Remove the entries unused for ``days``, or, given the ``lock``, those it does not hold."""
    now = time.time() if now is None else now
    locked = _LockedNames(lock) if lock is not None else None

    def unwanted(entry: CacheEntry) -> bool:
        if entry.kind in ("download", "built wheel"):
            return False
        if days is not None and now - entry.used > days * _DAY:
            return True
        return locked is not None and entry.kind != "extends file" and not locked.holds(entry)

    removed, in_use = [], []
    built = {os.path.basename(entry.path): entry for entry in entries if entry.kind == "built wheel"}
    for entry in filter(unwanted, entries):
        companions = []
        if entry.kind == "archive" and not entry.path.endswith(".whl"):
            companion = built.pop(sha256_of(entry.path), None)
            companions = [] if companion is None else [companion]
        try:
            with _held(entry, download_cache):
                for gone in (entry, *companions):
                    _remove(gone.path)
        except LockTimeout:
            in_use.append(entry)
            continue
        removed += [entry, *companions]
    return Pruned(tuple(removed), tuple(in_use))


@contextlib.contextmanager
def _held(entry: CacheEntry, download_cache: str | None) -> Iterator[None]:
    """The locks a buildout holds while it makes or uses ``entry``, taken without waiting."""
    name = os.path.basename(entry.path)
    if entry.kind == "archive":
        assert download_cache is not None
        dist = os.path.dirname(entry.path)
        with archive_lock(dist, name, wait=False), archive_lock(dist, f"{name}.build", wait=False):
            yield
    elif entry.kind == "egg":
        assert download_cache is not None
        tag = os.path.basename(os.path.dirname(entry.path))
        cache = EggCache(os.path.dirname(entry.path), download_cache_state(download_cache, "egg-locks", tag,
                                                                          create=False))
        with cache.holding(name, wait=False):
            yield
    else:
        yield


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)


class _LockedNames:
    """What the lock file holds: its files' names, and its distributions' versions."""

    def __init__(self, lock: Lock) -> None:
        self._files = {file.filename for dist in lock.distributions.values() for file in dist.files}
        self._versions = {key: dist.version for key, dist in lock.distributions.items()}

    def holds(self, entry: CacheEntry) -> bool:
        name = os.path.basename(entry.path)
        if entry.kind == "archive":
            return name in self._files
        egg = EggName.parse(name.rpartition("-")[0])  # entries end in -<digest>
        return egg is not None and self._versions.get(canonicalize_name(egg.name)) == egg.version


def cache_directories(download_cache: str | None, extends_cache: str | None) -> dict[str, str | None]:
    """Each cache's directory, by the name reports give it."""
    return {"download cache": download_cache,
            "egg cache": None if download_cache is None else os.path.join(download_cache, "eggs"),
            "extends cache": extends_cache}

