"""Installed eggs kept in the download cache, hard-linked into eggs directories.

An entry is an egg directory exactly as it goes into an eggs directory
(unpacked and byte-compiled), named after the egg directory and the digest
of the wheel it was made from, so a rebuilt wheel of the same version never
meets an old entry. Entries are made under a hidden name beside their own
and renamed into place under a file lock (kept in the download cache's
working state): one is either complete or not there; a staging directory
left by a killed run is removed by the next one making that entry.
Installing from an entry links each file (a copy where links cannot be made,
as across file systems); the directories are the eggs directory's own.

Linking from an entry holds its lock too, and marks it used (its
modification time), so that ``buildout cache prune`` never removes an
entry in use.

Byte-compiled files carry the source path they were compiled for (the first
eggs directory the entry was made for); Python puts the path a module is
really imported from in its place when it loads one. Eggs installed with
``byte-compile = false`` have entries of their own, so that they never stand
in for compiled ones.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator

from zc.buildout.dists.store.archive_cache import mark_used
from zc.buildout.dists.store.state import download_cache_state, staging_prefix

__all__ = ["EggCache", "link_tree"]


@dataclasses.dataclass(frozen=True)
class EggCache:
    """The installed eggs of one Python in a download cache."""

    directory: str
    """``<download-cache>/eggs/<cache tag>`` (``cpython-311``: whose compiled files they hold),
    or ``<download-cache>/eggs/uncompiled``."""
    locks: str
    """Where the locks on its entries are kept (in the download cache's working state)."""

    @classmethod
    def in_download_cache(cls, download_cache: str, *, compiled: bool = True) -> EggCache:
        """The entries of eggs byte-compiled by this Python or, not ``compiled``, of uncompiled ones."""
        tag = (sys.implementation.cache_tag or sys.implementation.name) if compiled else "uncompiled"
        directory = os.path.join(os.path.abspath(download_cache), "eggs", tag)
        return cls(directory, download_cache_state(download_cache, "egg-locks", tag, create=False))

    def entry(self, egg_name: str, sha256: str, make: Callable[[str], None]) -> str:
        """The entry for ``egg_name`` made from the wheel with digest ``sha256``.

        When there is none yet, ``make(path)`` writes the egg directory at
        ``path`` (in a staging directory), which is then renamed into place.
        """
        name = f"{egg_name}-{sha256[:16].lower()}"
        path = os.path.join(self.directory, name)
        if os.path.isdir(path):
            return path
        os.makedirs(self.directory, exist_ok=True)
        prefix = staging_prefix(name)
        with self.holding(name):
            if os.path.isdir(path):
                return path
            for stale in os.listdir(self.directory):
                if stale.startswith(prefix):  # left by a killed run; we hold the lock
                    shutil.rmtree(os.path.join(self.directory, stale), ignore_errors=True)
            staging = tempfile.mkdtemp(prefix=prefix, dir=self.directory)
            try:
                make(os.path.join(staging, egg_name))
                os.rename(os.path.join(staging, egg_name), path)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return path


    @contextlib.contextmanager
    def holding(self, name: str, *, wait: bool = True) -> Iterator[None]:
        """Hold the lock on the entry ``name``: while it is made, linked from, or pruned.

        Without ``wait``, a lock another process holds raises ``filelock.Timeout`` at once.
        """
        from filelock import FileLock  # start-up: only installing takes locks

        os.makedirs(self.locks, exist_ok=True)
        with FileLock(os.path.join(self.locks, f"{name}.lock"), timeout=-1 if wait else 0):
            yield

    def link(self, entry: str, path: str, link: Callable[[str, str], None],
             make: Callable[[str], None]) -> None:
        """Make the egg directory ``path`` with ``link(entry, path)``, holding the entry's lock.

        An entry pruned since it was found is made again (with ``make``), and
        an entry linked from is marked as used now.
        """
        with self.holding(os.path.basename(entry)):
            if not os.path.isdir(entry):
                make(path)
                return
            mark_used(entry)
            link(entry, path)


def link_tree(source: str, target: str) -> None:
    """Make ``target`` a tree of the same directories as ``source``, its files linked.

    Where a file cannot be linked (another file system, a file system
    without links), it and the rest are copied, modification times kept (so
    that byte-compiled files stay valid).
    """
    place = _link
    os.mkdir(target)
    pending = [(source, target)]
    while pending:
        from_directory, to_directory = pending.pop()
        with os.scandir(from_directory) as entries:
            for entry in entries:
                destination = os.path.join(to_directory, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    os.mkdir(destination)
                    pending.append((entry.path, destination))
                    continue
                try:
                    place(entry.path, destination)
                except OSError:
                    if place is _copy:
                        raise
                    place = _copy
                    _copy(entry.path, destination)


def _link(source: str, destination: str) -> None:
    os.link(source, destination, follow_symlinks=False)


def _copy(source: str, destination: str) -> None:
    shutil.copy2(source, destination, follow_symlinks=False)
