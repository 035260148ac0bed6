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

An entry's files are read-only (an editor or a program writing into an egg
directory it was linked into fails, rather than change every buildout
sharing the entry), and a manifest kept beside its lock records each file's
size and modification time: an entry that no longer matches it (edited,
truncated, a file gone) is made again before it is used.

Walking an entry (to seal it, or to check it against its manifest) and
linking it are file-system work of one call per file: a :class:`TreeWork`
given to the cache (the installer's worker processes) does it outside the
process that resolves and downloads. Sealing a new entry, writing its
manifest and renaming it into place are one request
(:func:`seal_entry`), and so are checking an entry and linking it
(:meth:`EggCache.link_unchanged`): the process that resolves, where each
system call may wait for the interpreter lock, makes a few calls per
entry, not one per step. An entry is found by the
digest of its wheel alone (:meth:`EggCache.by_digest`), so that installing
an egg the cache keeps never opens, let alone hashes, the wheel.

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
import json
import logging
import os
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from typing import Protocol

from zc.buildout.dists.store.archive_cache import mark_used
from zc.buildout.dists.store.state import download_cache_state, staging_name
from zc.buildout.files.locks import holding

__all__ = [
    "EggCache", "TreeWork", "link_if_unchanged", "link_tree", "seal", "seal_entry", "tree_files", "unchanged",
]

logger = logging.getLogger("zc.buildout")


class TreeWork(Protocol):
    """Where an entry's files are walked: :func:`unchanged`, :func:`seal_entry` and
    :func:`link_if_unchanged`, run here or elsewhere."""

    def unchanged(self, entry: str, manifest: str) -> bool: ...

    def seal_entry(self, staged: str, manifest: str, entry: str) -> None: ...

    def link_if_unchanged(self, entry: str, manifest: str | None, target: str) -> bool: ...


class _InThisProcess:
    """Walks entries in the calling thread."""

    def unchanged(self, entry: str, manifest: str) -> bool:
        return unchanged(entry, manifest)

    def seal_entry(self, staged: str, manifest: str, entry: str) -> None:
        seal_entry(staged, manifest, entry)

    def link_if_unchanged(self, entry: str, manifest: str | None, target: str) -> bool:
        return link_if_unchanged(entry, manifest, target)


@dataclasses.dataclass(frozen=True)
class EggCache:
    """The installed eggs of one Python in a download cache."""

    directory: str
    """``<download-cache>/eggs/<cache tag>`` (``cpython-311``: whose compiled files they hold),
    or ``<download-cache>/eggs/uncompiled``."""
    locks: str
    """Where the locks on its entries are kept (in the download cache's working state)."""
    work: TreeWork = dataclasses.field(default_factory=_InThisProcess, compare=False)
    """Who walks the entries' files."""

    @classmethod
    def in_download_cache(cls, download_cache: str, *, compiled: bool = True,
                          work: TreeWork | None = None) -> EggCache:
        """The entries of eggs byte-compiled by this Python or, not ``compiled``, of uncompiled ones."""
        tag = (sys.implementation.cache_tag or sys.implementation.name) if compiled else "uncompiled"
        directory = os.path.join(os.path.abspath(download_cache), "eggs", tag)
        locks = download_cache_state(download_cache, "egg-locks", tag, create=False)
        return cls(directory, locks) if work is None else cls(directory, locks, work)

    def by_digest(self) -> dict[str, str]:
        """The entries there are now, by the digest they are named after (its first 16 digits)."""
        try:
            names = os.listdir(self.directory)
        except OSError:
            return {}
        return {name[-16:]: os.path.join(self.directory, name) for name in names
                if not name.startswith(".") and name[-17:-16] == "-"}

    @staticmethod
    def egg_name(entry: str) -> str:
        """The egg directory an entry holds (its name without the digest)."""
        return os.path.basename(entry)[:-17]

    def entry(self, egg_name: str, sha256: str, make: Callable[[str], None]) -> str:
        """The entry for ``egg_name`` made from the wheel with digest ``sha256``.

        When there is none yet, ``make(path)`` writes the egg directory at
        ``path`` (in a staging directory), which is then renamed into place.
        """
        name = f"{egg_name}-{sha256[:16].lower()}"
        path = os.path.join(self.directory, name)
        if os.path.isdir(path) and self._unchanged(path):
            return path
        os.makedirs(self.directory, exist_ok=True)
        staging = os.path.join(self.directory, staging_name(name))
        with self.holding(name):
            shutil.rmtree(staging, ignore_errors=True)  # a killed run's: we hold the lock
            if os.path.isdir(path):
                if self._unchanged(path):
                    return path
                if os.path.exists(self._manifest(name)):
                    logger.warning("The egg %s in the download cache was changed or damaged: "
                                   "making it again.", name)
                _discard(path, staging)
            os.mkdir(staging)
            try:
                staged = os.path.join(staging, egg_name)
                make(staged)
                self.work.seal_entry(staged, self._manifest(name), path)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        return path

    def _manifest(self, name: str) -> str:
        """Where the manifest of the entry ``name`` is kept: beside its lock."""
        return os.path.join(self.locks, f"{name}.manifest")

    def _unchanged(self, path: str) -> bool:
        """Whether the entry at ``path`` holds the files it was made with, each as it was made.

        A file is known by its size and modification time, as version control
        systems know their working files: an edit, a truncation, a file
        removed or added shows. An entry with no manifest (made by an older
        buildout) counts as changed: it is made again, once.
        """
        return self.work.unchanged(path, self._manifest(os.path.basename(path)))

    @contextlib.contextmanager
    def holding(self, name: str, *, wait: bool = True) -> Iterator[None]:
        """Hold the lock on the entry ``name``: while it is made, linked from, or pruned.

        Without ``wait``, a lock another process holds raises
        :class:`~zc.buildout.files.locks.LockTimeout` at once.
        """
        with holding(os.path.join(self.locks, f"{name}.lock"), timeout=None if wait else 0):
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

    def link_unchanged(self, entry: str, path: str, *, made_now: bool = False) -> bool:
        """Make the egg directory ``path`` by linking ``entry`` if it matches its manifest; whether it did.

        One request to :attr:`work` checks the entry and links it, under its
        lock; an entry changed (or gone) since it was made is left alone. An
        entry this process has just made (``made_now``) is as it was made: it
        is linked unchecked, if it is there.
        """
        name = os.path.basename(entry)
        with self.holding(name):
            if not self.work.link_if_unchanged(entry, None if made_now else self._manifest(name), path):
                return False
            mark_used(entry)
            return True


def tree_files(directory: str) -> dict[str, list[int]]:
    """Each file below ``directory`` (relative path) with its size and modification time (ns)."""
    found = {}
    for _, relative, files in _walk(directory):
        for file in files:
            status = file.stat(follow_symlinks=False)
            found[relative + file.name] = [status.st_size, status.st_mtime_ns]
    return found


_BY_DESCRIPTOR = os.scandir in os.supports_fd and os.link in os.supports_dir_fd and os.chmod in os.supports_dir_fd
"""Whether files are named relative to their directory's descriptor (POSIX systems). Named by its whole
path, each file had the system look up every directory of the path again: for the medium bench set's
66 entries (4,807 files), listing them took 34 ms where it takes 22, linking them 67 to 97 where it
takes 58."""


def _walk(directory: str) -> Iterator[tuple[int | str, str, list[os.DirEntry[str]]]]:
    """Each directory of the tree ``directory``, those above first: what its files are named from (the
    directory's descriptor, open until the next one is given, or its path where the system names no
    file relative to a descriptor), the prefix of their paths relative to ``directory`` (empty, or
    ending with a separator), and its entries but directories."""
    pending = [(directory, "")]
    while pending:
        path, relative = pending.pop()
        where: int | str = os.open(path, os.O_RDONLY | os.O_DIRECTORY) if _BY_DESCRIPTOR else path
        try:
            files = []
            with os.scandir(where) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((os.path.join(path, entry.name), f"{relative}{entry.name}{os.sep}"))
                    else:
                        files.append(entry)
            yield where, relative, files
        finally:
            if isinstance(where, int):
                os.close(where)


def unchanged(entry: str, manifest: str) -> bool:
    """Whether the files of ``entry`` are as the ``manifest`` file records them (``False`` without one,
    or when the entry, or a directory of it, cannot be read)."""
    try:
        with open(manifest, encoding="utf-8") as file:
            recorded = json.load(file)
        return bool(recorded == tree_files(entry))
    except (OSError, ValueError):
        return False


def link_if_unchanged(entry: str, manifest: str | None, target: str) -> bool:
    """:func:`link_tree` ``entry`` at ``target`` if it is :func:`unchanged` (there, without a ``manifest``
    to check); whether it was."""
    if not (os.path.isdir(entry) if manifest is None else unchanged(entry, manifest)):
        return False
    link_tree(entry, target)
    return True


def seal(directory: str) -> dict[str, list[int]]:
    """Make the files below ``directory`` read-only (shared through hard links); return :func:`tree_files`.

    One walk does both: making a file read-only changes neither its size
    nor its modification time; a file made read-only is left as it is. Not
    on Windows, where a read-only file cannot be removed: there the
    manifest alone guards.
    """
    found = {}
    for where, relative, files in _walk(directory):
        for file in files:
            status = file.stat(follow_symlinks=False)
            if os.name != "nt" and status.st_mode & 0o222 and not stat.S_ISLNK(status.st_mode):
                if isinstance(where, int):
                    os.chmod(file.name, status.st_mode & ~0o222, dir_fd=where)
                else:
                    os.chmod(file.path, status.st_mode & ~0o222)
            found[relative + file.name] = [status.st_size, status.st_mtime_ns]
    return found


def seal_entry(staged: str, manifest: str, entry: str) -> None:
    """:func:`seal` the egg made at ``staged``, record its files in the ``manifest`` file, rename it
    to ``entry`` and remove the staging directory it was made in."""
    _write_manifest(manifest, seal(staged))
    os.rename(staged, entry)
    shutil.rmtree(os.path.dirname(staged), ignore_errors=True)


def _write_manifest(path: str, files: dict[str, list[int]]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(json.dumps(files))  # json.dumps encodes in C; json.dump, a piece at a time in Python
    os.replace(temporary, path)


def _discard(path: str, staging: str) -> None:
    """Move the entry at ``path`` into ``staging`` (where a killed run's leftovers go too), remove it."""
    os.mkdir(staging)
    os.rename(path, os.path.join(staging, "discarded"))
    shutil.rmtree(staging, ignore_errors=True)


def link_tree(source: str, target: str) -> None:
    """Make ``target`` a tree of the same directories as ``source``, its files linked.

    Where a file cannot be linked (another file system, a file system
    without links), it and the rest are copied, modification times kept (so
    that byte-compiled files stay valid).
    """
    linking = True
    for where, relative, files in _walk(source):
        to_directory = os.path.join(target, relative)
        os.mkdir(to_directory)
        to: int | str = os.open(to_directory, os.O_RDONLY | os.O_DIRECTORY) if isinstance(where, int) else to_directory
        try:
            for file in files:
                if linking:
                    try:
                        _link(where, to, file.name)
                        continue
                    except OSError:
                        linking = False
                _copy(os.path.join(source, relative, file.name), os.path.join(to_directory, file.name))
        finally:
            if isinstance(to, int):
                os.close(to)


def _link(where: int | str, to: int | str, name: str) -> None:
    """Link the file ``name`` of the directory ``where`` into the directory ``to`` (descriptors or paths)."""
    if isinstance(where, int) and isinstance(to, int):
        os.link(name, name, src_dir_fd=where, dst_dir_fd=to, follow_symlinks=False)
    else:
        os.link(os.path.join(str(where), name), os.path.join(str(to), name), follow_symlinks=False)


def _copy(source: str, destination: str) -> None:
    shutil.copy2(source, destination, follow_symlinks=False)
